"""`make bench`: a load test of `multipolar serve` on loopback, bounded, that stops by itself.

It starts the server (its default limits and worker pool) on a free port with a throw-away run
store, waits for it to warm up, then measures:

1. 200 concurrent what-if requests on the bundled scenario (POST /api/forecast, every model,
   one slider edit each): all different (each computed), then all the same (one computation
   shared by all): p50 and p99 latency;
2. /api/meta latency (p50, p99 of 200 sequential requests) while a worst-case request within
   the limits runs (deals on the largest scenario the limits admit, with the most draws the
   compute budget allows), and that request's answer and time against the time limit; and a
   request over the budget (answered at once, 422);
3. the server's memory (RSS of the server and its worker processes) after 100 and after 1,000
   what-if requests.

Prints a table and writes bench/load_results.json. Speed is measured here, never asserted in
tests; figures depend on the machine (the core count and load average are recorded).

    python bench/load.py            # the whole run (a few minutes)
    python bench/load.py --quick    # 50 concurrent, RSS after 20 and 200 (a smoke run)
    python bench/load.py --whatif   # only the what-if bursts (printed, not written)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

OUT = Path(__file__).with_name("load_results.json")
UKR = {"bundled": "ukraine_2025_08"}
TIMEOUT = 120.0  # seconds any one request may take before the bench gives up on it
BUDGET = 900.0  # seconds the whole bench may take


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return total


def tree_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) used so far by a process, and by it and all its living
    descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    own, total, todo = 0.0, 0.0, [pid]
    while todo:
        p = todo.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            seconds = (int(fields[11]) + int(fields[12])) / tick
            own, total = (seconds if p == pid else own), total + seconds
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return own, total


def whatif(value: float) -> dict[str, Any]:
    return {"scenario": UKR, "edits": [{"path": "positions.RUS.donbas", "value": value}]}


def quantiles(seconds: list[float]) -> dict[str, float]:
    a = np.asarray(seconds)
    return {"p50": float(np.quantile(a, 0.5)), "p99": float(np.quantile(a, 0.99)),
            "max": float(a.max()), "n": len(seconds)}  # fmt: skip


class Answer:
    """A response as the bench needs it: status and body."""

    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code, self.content = status_code, body

    def json(self) -> Any:
        return json.loads(self.content)


class RawClient:
    """A minimal HTTP/1.1 client on asyncio streams, one connection per request (as from 200
    separate browsers). The bench measures the server: httpx's async connection pool itself
    adds seconds at 200 concurrent requests on 2 cores (200 concurrent GET /api/meta: p50
    2.06 s through httpx, 0.41 s through this client, same server, same machine)."""

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)

    async def request(self, method: str, url: str, json_body: Any = None) -> Answer:
        data = b"" if json_body is None else json.dumps(json_body).encode("utf-8")
        return await asyncio.wait_for(self._request(method, url, data), TIMEOUT)

    async def _request(self, method: str, url: str, data: bytes) -> Answer:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            head = (f"{method} {url} HTTP/1.1\r\nHost: {self.host}\r\n"
                    f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                    "Connection: close\r\n\r\n")  # fmt: skip
            writer.write(head.encode("ascii") + data)
            await writer.drain()
            lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            length = next(
                (int(h.split(":", 1)[1]) for h in lines if h.lower().startswith("content-length")),
                None,
            )
            body = await (reader.readexactly(length) if length is not None else reader.read())
            return Answer(status, body)
        finally:
            writer.close()

    async def get(self, url: str) -> Answer:
        return await self.request("GET", url)

    async def post(self, url: str, json: Any = None) -> Answer:
        return await self.request("POST", url, json)


async def timed(
    client: RawClient, method: str, url: str, body: Any = None
) -> tuple[float, int, Answer]:
    start = time.perf_counter()
    response = await client.request(method, url, body)
    return time.perf_counter() - start, response.status_code, response


async def burst(client: RawClient, bodies: list[dict[str, Any]], pid: int) -> dict[str, Any]:
    """All ``bodies`` at once to /api/forecast: latency quantiles, status counts, and the CPU
    time the server's main process and all its processes spent per request."""
    before = tree_cpu(pid)
    results = await asyncio.gather(*(timed(client, "POST", "/api/forecast", b) for b in bodies))
    after = tree_cpu(pid)
    statuses: dict[str, int] = {}
    for _, status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    cpu = {"cpu_ms_per_request_main": (after[0] - before[0]) / len(bodies) * 1000,
           "cpu_ms_per_request_all": (after[1] - before[1]) / len(bodies) * 1000}  # fmt: skip
    return {**quantiles([r[0] for r in results]), "statuses": statuses, **cpu}


async def worst_case(client: RawClient, meta: dict[str, Any]) -> dict[str, Any]:
    """The costliest request within the limits, with /api/meta timed while it runs."""
    from multipolar.scenario.loader import parse_yaml, validate
    from multipolar.server.cost import most_draws
    from multipolar.server.limits import Limits
    from multipolar.server.synthetic import synthetic

    limits = meta["limits"]
    text = synthetic(limits["max_actors"], limits["max_issues"], limits["max_events"], 6)
    scn = validate(parse_yaml(text)[0])
    server = Limits(**{k: v for k, v in limits.items() if k in Limits.__dataclass_fields__})
    draws = min(most_draws(scn, server), limits["max_draws"])
    body = {"scenario": {"text": text}, "draws": draws, "seed": 7}
    heavy = asyncio.create_task(timed(client, "POST", "/api/deals", body))
    await asyncio.sleep(0.5)  # the heavy request is in a worker
    metas: list[float] = []
    while len(metas) < 200:
        seconds, status, _ = await timed(client, "GET", "/api/meta")
        assert status == 200
        metas.append(seconds)
    meta_done_while_running = not heavy.done()
    seconds, status, response = await heavy
    over = {"scenario": {"text": text}, "draws": limits["max_draws"], "seed": 7}
    over_seconds, over_status, over_response = await timed(client, "POST", "/api/deals", over)
    return {
        "request": f"deals, {len(scn.actors)} actors × {len(scn.issues)} issues, "
        f"{len(scn.events)} events, {draws} draws",
        "seconds": seconds,
        "status": status,
        "error": None if status == 200 else response.json().get("error"),
        "time_limit": limits["max_seconds"],
        "meta": quantiles(metas),
        "meta_all_while_running": meta_done_while_running,
        "over_budget": {"draws": limits["max_draws"], "seconds": over_seconds,
                        "status": over_status, "error": over_response.json().get("error")},
    }  # fmt: skip


async def memory(client: RawClient, pid: int, first: int, then: int) -> dict[str, Any]:
    """RSS after ``first`` and after ``then`` what-if requests (20 at a time, all different)."""
    rss: dict[str, int] = {}
    sent = 0
    for mark in (first, then):
        while sent < mark:
            batch = [whatif(20 + (sent + i) % 1000 * 0.05) for i in range(min(20, mark - sent))]
            await asyncio.gather(*(client.post("/api/forecast", json=b) for b in batch))
            sent += len(batch)
        rss[str(mark)] = tree_rss(pid)
    growth = rss[str(then)] / rss[str(first)] - 1
    return {"rss_bytes": rss, "growth": growth, "within_10_percent": abs(growth) <= 0.10}


async def measure(base: str, pid: int, quick: bool, whatif_only: bool = False) -> dict[str, Any]:
    client = RawClient(base)
    meta = (await client.get("/api/meta")).json()
    warm = await client.post("/api/forecast", json=whatif(30))  # every model, each worker
    await asyncio.gather(*(client.post("/api/forecast", json=whatif(31 + i)) for i in range(4)))
    n = 50 if quick else 200
    out: dict[str, Any] = {"limits": meta["limits"], "warm_up_status": warm.status_code}
    out["whatif_distinct"] = await burst(client, [whatif(40 + i * 0.1) for i in range(n)], pid)
    out["whatif_identical"] = await burst(client, [whatif(77.7)] * n, pid)
    if whatif_only:
        return out
    out["worst_case"] = await worst_case(client, meta)
    out["memory"] = await memory(client, pid, *((20, 200) if quick else (100, 1000)))
    return out


def report(data: dict[str, Any]) -> None:
    def line(name: str, q: dict[str, Any]) -> None:
        print(f"  {name:<38} p50 {q['p50']:7.3f} s   p99 {q['p99']:7.3f} s   "
              f"max {q['max']:7.3f} s   n={q['n']}  {q.get('statuses', '')}")  # fmt: skip
        if "cpu_ms_per_request_all" in q:
            print(f"  {'':<38} server CPU per request: {q['cpu_ms_per_request_all']:.1f} ms "
                  f"(main process {q['cpu_ms_per_request_main']:.1f} ms)")  # fmt: skip

    print(f"load test: {data['cores']} cores, load average {data['load_average']}")
    line("what-if, all different", data["whatif_distinct"])
    line("what-if, all the same", data["whatif_identical"])
    if "worst_case" not in data:
        return
    worst = data["worst_case"]
    line("/api/meta during the worst case", worst["meta"])
    print(f"  worst case ({worst['request']}): {worst['status']} in {worst['seconds']:.1f} s "
          f"(time limit {worst['time_limit']:g} s) {worst['error'] or ''}")  # fmt: skip
    over = worst["over_budget"]
    print(f"  over the budget ({over['draws']} draws): {over['status']} in "
          f"{over['seconds']:.3f} s: {over['error']}")  # fmt: skip
    mem = data["memory"]
    marks = list(mem["rss_bytes"].items())
    print(f"  RSS after {marks[0][0]} requests {marks[0][1] / 2**20:.0f} MiB, after "
          f"{marks[1][0]} {marks[1][1] / 2**20:.0f} MiB: {mem['growth']:+.1%}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller smoke run")
    parser.add_argument("--whatif", action="store_true", help="only the what-if bursts")
    args = parser.parse_args()
    quick = args.quick
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp, "server.log").open("w")  # noqa: SIM115 - closed below
        cmd = [sys.executable, "-c", "import multipolar.cli as c; c.app()",
               "serve", "--db", str(Path(tmp, "runs.sqlite")), "--port", str(port)]  # fmt: skip
        server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/api/meta", timeout=5).status_code == 200:
                        break
                time.sleep(0.5)
            else:
                raise SystemExit("the server did not start within 120 s; see its log")
            measured = measure(base, server.pid, quick, args.whatif)
            data = asyncio.run(asyncio.wait_for(measured, BUDGET))
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
    data["cores"] = os.cpu_count()
    data["load_average"] = [round(x, 2) for x in os.getloadavg()]
    data["quick"] = quick
    if args.whatif:  # a partial run: printed, not written over the whole run's results
        report(data)
        return
    OUT.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    report(data)


if __name__ == "__main__":
    main()
