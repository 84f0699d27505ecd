"""`make bench` (coalitions): time the coalition analysis and the mediator ranking on the Ukraine
case, and the deal space with two-level ratification against the same scenario without its
``constituencies:`` block; print a line each and write bench/coalitions.json.

Targets: coalitions on Ukraine in under 1 s (blocs at the baseline and after both events, a wedge
per bloc with its deal re-solved, and the exact Shapley values of the deal game); the deal space
with ratification in under 2× the time without (the verdict's leximin package at best values,
and P(zone) re-solved in 2,000 seeded draws). Speed is
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
from multipolar.deals.solve import maxmin
from multipolar.deals.space import build_space
from multipolar.dynamics.apply import resolve
from multipolar.scenario.schema import Scenario
from multipolar.uncertainty.feasibility import deal_feasibility

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).with_name("coalitions.json")
TARGET_S = 1.0
RATIO_TARGET = 2.0
DRAWS = 2000


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Best wall-clock time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cpu_of(fn: Callable[[], object], repeat: int) -> float:
    """Least CPU time of ``repeat`` calls, in seconds: a ratio of two such times holds on a
    machine shared with other work, where wall-clock times do not."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def ratification_times(scn: Scenario) -> dict[str, float]:
    """CPU time of the verdict's solve and of the Monte Carlo P(zone), with and without
    constituencies (the least of several calls each, the two alternating: a slower stretch of
    a shared machine then weighs on both sides of a ratio, not on one)."""
    state = resolve(scn)
    bare = state.model_copy(update={"constituencies": {}})
    cases = (("with", state), ("without", bare))
    times: dict[str, list[float]] = {}
    for repeat, key in ((20, "verdict"), (5, "p_zone")):
        for _ in range(repeat):
            for name, s in cases:
                if key == "verdict":
                    call = lambda s=s: maxmin(build_space(s), leximin=True)  # noqa: E731
                else:  # a fresh copy each call: P(zone) is kept per scenario object once solved
                    call = lambda s=s: deal_feasibility(s.model_copy(), draws=DRAWS)  # noqa: E731
                times.setdefault(f"{key}_{name}_s", []).append(cpu_of(call, 1))
    out = {name: min(values) for name, values in times.items()}
    out["verdict_ratio"] = out["verdict_with_s"] / out["verdict_without_s"]
    out["p_zone_ratio"] = out["p_zone_with_s"] / out["p_zone_without_s"]
    return out


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
        "ratification": {**ratification_times(scn), "ratio_target": RATIO_TARGET, "draws": DRAWS},
    }
    OUT.write_text(json.dumps(out, indent=2) + "\n")
    verdict = "under" if coalitions_s < TARGET_S else "OVER"
    print(
        f"coalitions on Ukraine: {coalitions_s:.3f} s ({verdict} the {TARGET_S:g} s target; "
        f"{out['states']} revision points, {out['wedges']} wedge(s), {out['shapley']} Shapley); "
        f"with --leximin {leximin_s:.2f} s; mediators {mediators_s:.3f} s"
    )
    r = out["ratification"]
    worst = max(r["verdict_ratio"], r["p_zone_ratio"])
    verdict = "under" if worst < RATIO_TARGET else "OVER"
    print(
        f"deal space with ratification / without (CPU): verdict {r['verdict_with_s']:.4f} s / "
        f"{r['verdict_without_s']:.4f} s ({r['verdict_ratio']:.2f}x), P(zone) in {DRAWS:,} draws "
        f"{r['p_zone_with_s']:.3f} s / {r['p_zone_without_s']:.3f} s ({r['p_zone_ratio']:.2f}x); "
        f"{verdict} the {RATIO_TARGET:g}x target"
    )
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
