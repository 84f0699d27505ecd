"""`make fuzz`: mutated scenario, BDM and KTAB files through `validate` / `import`, counted by
outcome.

    python bench/fuzz.py [--cases 10000] [--workers 2] [--timeout 30] [--seed 0] [--light]

Each case is a seed file (the bundled scenario, a small scenario using every block, BDM and
KTAB files, and ../shared's BDM/KTAB files when present) with random mutations
(``tests/fuzz_cases.py``), generated from ``--seed`` and its index, so a case can be run again
alone (``--only INDEX``). Cases run in-process in worker processes; a case that takes longer
than ``--timeout`` seconds has its worker killed and counts as "over the time limit". The
summary lists the counts by outcome (ok / clean error / unclean error / traceback / over the
time limit / NaN), the slowest cases, and every case that is not ok or a clean error; it is
written to bench/fuzz-results.json too. Exit status 1 when any case is a traceback, NaN, an
unclean error or over the time limit.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).with_name("fuzz-results.json")
BAD = ("traceback", "nan", "unclean error", "over the time limit")


def _case(index: int, seed: int, heavy: bool) -> tuple[str, str, bytes]:
    from tests.fuzz_cases import make_case, seeds

    rng = random.Random(f"{seed}:{index}")
    pool = seeds(shared=True)
    chosen = rng.choice(pool)
    return chosen.name, chosen.kind, make_case(chosen, rng, heavy)


def _worker(conn: Connection, seed: int, heavy: bool) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.fuzz_cases import run_case

    folder = Path(tempfile.mkdtemp(prefix="multipolar-fuzz-"))
    while True:
        index = conn.recv()
        if index is None:
            return
        name, kind, raw = _case(index, seed, heavy)
        try:
            out = run_case(kind, raw, folder)
            conn.send((index, name, out.kind, out.detail, out.seconds, len(raw)))
        except BaseException as exc:  # a crash of the harness is a finding too
            conn.send((index, name, "traceback", f"harness: {exc!r}"[:300], 0.0, len(raw)))


class Pool:
    """Workers fed one case at a time, each case under a deadline."""

    def __init__(self, workers: int, seed: int, heavy: bool, timeout: float) -> None:
        self.seed, self.heavy, self.timeout = seed, heavy, timeout
        self.slots: list[dict[str, Any]] = [self._start() for _ in range(workers)]

    def _start(self) -> dict[str, Any]:
        parent, child = mp.Pipe()
        proc = mp.Process(target=_worker, args=(child, self.seed, self.heavy), daemon=True)
        proc.start()
        return {"proc": proc, "conn": parent, "index": None, "since": 0.0}

    def run(self, indices: list[int], report: Any) -> None:
        todo = list(reversed(indices))
        while todo or any(s["index"] is not None for s in self.slots):
            for k, slot in enumerate(self.slots):
                if slot["index"] is None and todo:
                    slot["index"], slot["since"] = todo.pop(), time.monotonic()
                    slot["conn"].send(slot["index"])
                elif slot["index"] is not None:
                    if slot["conn"].poll(0.05):
                        report(*slot["conn"].recv())
                        slot["index"] = None
                    elif time.monotonic() - slot["since"] > self.timeout:
                        index = slot["index"]
                        slot["proc"].kill()
                        slot["proc"].join()
                        name = _case(index, self.seed, self.heavy)[0]
                        report(index, name, "over the time limit", "", self.timeout, 0)
                        self.slots[k] = self._start()

    def close(self) -> None:
        for slot in self.slots:
            slot["conn"].send(None)
            slot["proc"].join(timeout=5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--light", action="store_true", help="no large files or event floods")
    parser.add_argument("--only", type=int, default=None, help="run one case by index")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    indices = [args.only] if args.only is not None else list(range(args.cases))
    counts: Counter[str] = Counter()
    findings: list[dict[str, Any]] = []
    slowest: list[tuple[float, int, str]] = []
    start = time.monotonic()

    def report(index: int, name: str, kind: str, detail: str, seconds: float, size: int) -> None:
        counts[kind] += 1
        slowest.append((seconds, index, name))
        slowest.sort(reverse=True)
        del slowest[10:]
        if kind in BAD:
            findings.append({"case": index, "seed": name, "outcome": kind, "detail": detail,
                             "seconds": round(seconds, 2), "bytes": size})  # fmt: skip
            print(f"case {index} ({name}): {kind}: {detail}", flush=True)
        done = sum(counts.values())
        if done % 500 == 0:
            print(f"{done} cases, {time.monotonic() - start:.0f} s: {dict(counts)}", flush=True)

    pool = Pool(args.workers, args.seed, not args.light, args.timeout)
    try:
        pool.run(indices, report)
    finally:
        pool.close()
    elapsed = time.monotonic() - start
    summary = {
        "cases": sum(counts.values()),
        "seed": args.seed,
        "heavy": not args.light,
        "timeout_seconds": args.timeout,
        "workers": args.workers,
        "cpus": mp.cpu_count(),
        "seconds": round(elapsed, 1),
        "outcomes": {k: counts.get(k, 0) for k in ("ok", "clean error", *BAD)},
        "slowest": [{"case": i, "seed": n, "seconds": round(s, 2)} for s, i, n in slowest],
        "findings": findings,
    }
    if args.only is None:
        OUT.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "findings"}, indent=2))
    return 1 if any(counts.get(k, 0) for k in BAD) else 0


if __name__ == "__main__":
    sys.exit(main())
