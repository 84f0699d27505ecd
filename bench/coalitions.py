"""`make bench` (coalitions): time the coalition analysis and the mediator ranking on the Ukraine
case; print a line each and write bench/coalitions.json.

Target: coalitions on Ukraine in under 1 s (blocs at the baseline and after both events, a wedge
per bloc with its deal re-solved, and the exact Shapley values of the deal game). Speed is
measured here, never asserted in tests; figures depend on the machine (the core count is
recorded with them).
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import multipolar
from multipolar.coalitions.analysis import analyse_coalitions
from multipolar.coalitions.mediators import mediators

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).with_name("coalitions.json")
TARGET_S = 1.0


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Best wall-clock time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    scn = multipolar.load(ROOT / "scenarios" / "ukraine_2025_08.yaml")
    analyse_coalitions(scn)  # warm the imports
    coalitions_s = best_of(lambda: analyse_coalitions(scn))
    leximin_s = best_of(lambda: analyse_coalitions(scn, leximin=True), repeat=1)
    mediators_s = best_of(lambda: mediators(scn), repeat=3)
    result = analyse_coalitions(scn)
    out = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "coalitions_s": coalitions_s,
        "coalitions_leximin_s": leximin_s,
        "mediators_s": mediators_s,
        "target_s": TARGET_S,
        "states": len(result.states),
        "wedges": len(result.wedges),
        "shapley": result.pivots.method,
    }
    OUT.write_text(json.dumps(out, indent=2) + "\n")
    verdict = "under" if coalitions_s < TARGET_S else "OVER"
    print(
        f"coalitions on Ukraine: {coalitions_s:.3f} s ({verdict} the {TARGET_S:g} s target; "
        f"{out['states']} revision points, {out['wedges']} wedge(s), {out['shapley']} Shapley); "
        f"with --leximin {leximin_s:.2f} s; mediators {mediators_s:.3f} s"
    )
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
