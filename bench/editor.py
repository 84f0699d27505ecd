"""`make bench`: the scenario editor's speed in a real browser, timed by the browser itself.

Starts `multipolar serve` (its default limits and worker pool) on a free port with a throw-away
run store, warms it up, then drives Debian's Chromium with Playwright:

1. first paint of the editor on the bundled Ukraine scenario: from navigation start to the
   frame after the editor's tables and grids are drawn (the page's ``editor-painted``
   performance mark), each in a fresh browser context (no stored draft);
2. a grid edit, committed (Enter or Tab: no debounce) → validated → forecast refreshed: from
   the edit to the forecast table redrawn with the new answer, every model; each edit a new
   value (no cached answer);
3. the same with typing only (no commit): the validation waits for the typing to pause
   (the page's debounce), so this adds it;
4. (1.) again with only the compromise model ticked (the panel's default is every model),
   and the browser's own timing of the /api/validate and /api/forecast requests: what the
   server's models take, against the rest.

Targets (issue 16): first paint < 1 s, committed edit → forecast refreshed < 300 ms p50.
Prints the figures and writes bench/editor.json. Skips (exit 0) when Chromium or Playwright
is missing.

    python bench/editor.py            # 7 paints, 25 edits of each kind
    python bench/editor.py --quick    # 3 and 8
"""

from __future__ import annotations

import argparse
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

OUT = Path(__file__).with_name("editor.json")
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CELL = "cell-salience-RUS-donbas"
# One edit in the page, timed by the page: set the cell, signal it as typed (and, committed,
# as a finished edit), then wait for the forecast table to be redrawn after a valid check.
EDIT = """async ([id, value, commit]) => {
  const cell = document.getElementById(id);
  const before = document.querySelector('#forecast-table').dataset.stamp;
  const t0 = performance.now();
  cell.value = value;
  cell.dispatchEvent(new Event('input', {bubbles: true}));
  if (commit) cell.dispatchEvent(new Event('change', {bubbles: true}));
  await new Promise((done, fail) => {
    const stop = setTimeout(() => fail(new Error('no forecast within 30 s')), 30000);
    const look = () => {
      const table = document.querySelector('#forecast-table');
      const state = document.querySelector('#state-forecast').dataset.state;
      if (table.dataset.stamp !== before && state === 'ok') { clearTimeout(stop); done(); }
      else requestAnimationFrame(look);
    };
    look();
  });
  return performance.now() - t0;
}"""
# the server's share: each request's time as the browser saw it (Resource Timing)
RESOURCES = """(name) => performance.getEntriesByType('resource')
  .filter((e) => e.name.endsWith(name)).map((e) => e.duration)"""
ONE_MODEL = """() => document.querySelectorAll('#models input').forEach(
  (box) => { box.checked = box.value === 'compromise'; })"""
PAINTED = "() => performance.getEntriesByName('editor-painted').length > 0"
PAINT_MS = "() => performance.getEntriesByName('editor-painted')[0].startTime"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stats(values: list[float]) -> dict[str, float]:
    a = np.asarray(values)
    return {
        "n": len(values),
        "p50_ms": round(float(np.percentile(a, 50)), 1),
        "p90_ms": round(float(np.percentile(a, 90)), 1),
        "max_ms": round(float(a.max()), 1),
    }


def edit_times(page: Any, edits: int, commit: bool, start: float) -> list[float]:
    """Milliseconds from each edit to the forecast redrawn; two warm-up edits left out. Each
    edit sets a new value, so no answer comes from the server's cache."""
    times = []
    for k in range(edits + 2):
        value = f"{start + 0.004 * k:.3f}"
        times.append(float(page.evaluate(EDIT, [CELL, value, commit])))
    return times[2:]


def measure(base: str, paints: int, edits: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    url = f"{base}/editor?bundled=ukraine_2025_08"
    out: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            first: list[float] = []
            for _ in range(paints + 1):  # the first visit warms the browser's cache: not kept
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.goto(url)
                page.wait_for_function(PAINTED, timeout=60_000)
                first.append(float(page.evaluate(PAINT_MS)))
                context.close()
            out["first_paint"] = stats(first[1:])
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            page.goto(url)
            page.wait_for_selector("#state-forecast[data-state=ok]", timeout=120_000)
            runs = (("edit_committed", True, 0.41), ("edit_typed", False, 0.61))
            for key, commit, start in runs:
                out[key] = stats(edit_times(page, edits, commit, start))
            out["requests"] = {
                name: stats(page.evaluate(RESOURCES, name))
                for name in ("/api/validate", "/api/forecast")
            }
            # the same with the compromise model alone ticked: the share of the models
            page.evaluate(ONE_MODEL)
            out["edit_committed_compromise_only"] = stats(edit_times(page, edits, True, 0.21))
        finally:
            browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller smoke run")
    quick = parser.parse_args().quick
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        print("editor bench skipped: playwright is not installed")
        return
    if not CHROMIUM.exists():
        print(f"editor bench skipped: needs {CHROMIUM} (make browser)")
        return
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
            warm = {"scenario": {"bundled": "ukraine_2025_08"}}
            for _ in range(4):  # each worker loads the models (and compiles what it needs)
                httpx.post(f"{base}/api/forecast", json=warm, timeout=300)
            data = measure(base, 3 if quick else 7, 8 if quick else 25)
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
    data["targets_ms"] = {"first_paint": 1000, "edit_committed_p50": 300}
    OUT.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    report(data)


def line(label: str, row: dict[str, float], extra: str = "") -> str:
    return (
        f"{label:<36} p50 {row['p50_ms']:7.1f} ms  p90 {row['p90_ms']:7.1f} ms  "
        f"max {row['max_ms']:7.1f} ms  (n={row['n']}{extra})"
    )


def report(data: dict[str, Any]) -> None:
    print(line("editor first paint (Ukraine)", data["first_paint"], "; target < 1000 ms"))
    print(line("grid edit committed -> forecast", data["edit_committed"], "; target p50 < 300"))
    print(line("grid edit typed (debounced) -> fc", data["edit_typed"]))
    print(line("committed, compromise model only", data["edit_committed_compromise_only"]))
    for name, req in data["requests"].items():
        print(line(f"  of which {name}", req))
    print(f"cores {data['cores']}, load average {data['load_average']}; wrote {OUT}")


if __name__ == "__main__":
    main()
