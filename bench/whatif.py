"""The web app's what-if loop in a warm process: after each edit of the Ukraine scenario (a slider
moved), what the page redraws first: the forecasts of every model, the deal verdict with its
packages (the Monte Carlo streams in afterwards) and the timeline without attribution. These are
the server's own functions (``multipolar.server.analyses``), called as its endpoints call them.

``python bench/whatif.py [EDITS]`` prints p50 and p99 per recomputation; ``bench/run.py`` reads
``measure()``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "ukraine_2025_08.yaml"
# sliders a user moves: (path, low, high) swept back and forth
SLIDERS = (
    ("positions.RUS.donbas", 60.0, 100.0),
    ("conflict.p", 0.45, 0.8),
    ("salience.UKR.guarantees", 0.5, 1.0),
    ("conflict.guarantee.credibility", 0.3, 0.9),
)


def edits(n: int) -> list[tuple[str, float]]:
    """``n`` slider positions, each slider in turn, each at a new value."""
    out = []
    for i in range(n):
        path, lo, hi = SLIDERS[i % len(SLIDERS)]
        step = (i // len(SLIDERS)) % 7
        out.append((path, lo + (hi - lo) * (0.1 + 0.8 * step / 6)))
    return out


def recompute(scn: Any, limits: Any) -> dict[str, Any]:
    """What the page asks after an edit: forecasts, deals (no draws), timeline (no attribution)."""
    from multipolar.server.analyses import model_names, run_deals, run_forecast, run_timeline

    models = model_names(None)
    return {
        "forecasts": run_forecast(scn, models, 0),
        "deals": run_deals(scn, 0, 5, 0, limits),
        "timeline": run_timeline(scn, models[:1], 0, False, limits),
    }


def measure(n: int = 40) -> dict[str, Any]:
    """Seconds per recomputation after each of ``n`` edits (after two warm-up edits)."""
    from multipolar.scenario import load
    from multipolar.scenario.paths import with_value
    from multipolar.server.limits import Limits

    base = load(SCENARIO)
    limits = Limits()
    for path, value in edits(2):  # warm-up: imports, compiled kernels
        recompute(with_value(base, path, value), limits)
    times = []
    for path, value in edits(n):
        start = time.perf_counter()
        recompute(with_value(base, path, value), limits)
        times.append(time.perf_counter() - start)
    times.sort()
    return {
        "edits": n,
        "p50_s": statistics.median(times),
        "p99_s": times[min(n - 1, round(0.99 * (n - 1)))],
        "max_s": times[-1],
    }


if __name__ == "__main__":
    result = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
    print(
        f"what-if recomputation after an edit ({result['edits']} edits): "
        f"p50 {result['p50_s'] * 1e3:.0f} ms, p99 {result['p99_s'] * 1e3:.0f} ms"
    )
