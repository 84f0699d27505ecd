"""Time the exchange model: decide's Dutch 2012 case, 10,000 Monte Carlo draws of it, and its
DEU III leaderboard rows. Prints a table and writes bench/exchange.json (needs ../shared).

Speed is measured here, never asserted in tests. Figures depend on the machine: the core count
is recorded with them. Run: ``python bench/exchange.py [--draws N]`` (after ``make venv``);
``make bench`` times 300 draws and scales the time to 10,000 (the full run takes minutes:
``--draws 10000``).
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import multipolar
from multipolar.scenario.base import Estimate
from multipolar.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = Path(__file__).with_name("exchange.json")
DRAWS = 10_000  # the figure reported (issue 19)


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Best wall-clock time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def ranged(scn: Scenario) -> Scenario:
    """The case with every position ±10 and every salience ±0.1 (triangular, inside the
    scales), so that Monte Carlo draws differ."""

    def around(est: Estimate, width: float, lo: float, hi: float) -> Estimate:
        return Estimate(
            best=est.best, low=max(lo, est.best - width), high=min(hi, est.best + width)
        )

    positions = {
        a: {i: around(e, 10.0, *scn.issue(i).scale) for i, e in row.items()}
        for a, row in scn.positions.items()
    }
    salience = {
        a: {i: around(e, 0.1, 0.0, 1.0) for i, e in row.items()} for a, row in scn.salience.items()
    }
    return scn.model_copy(update={"positions": positions, "salience": salience})


def dutch_bench(draws: int) -> dict[str, Any]:
    from multipolar.scenario.formats import import_file

    path = SHARED / "exchange" / "dutch2012_input_decide.csv"
    (scn,) = import_file("decide", path).scenarios
    multipolar.forecast(scn, "exchange")  # compile (or load the cached kernel) first
    one = best_of(lambda: multipolar.forecast(scn, "exchange"))
    fc = multipolar.forecast(scn, "exchange")
    wide = ranged(scn)
    start = time.perf_counter()  # minutes: each timed once
    sim = multipolar.simulate(wide, "exchange", draws=draws, seed=1)
    one_process = (time.perf_counter() - start) * DRAWS / draws
    two = best_of(lambda: multipolar.simulate(wide, "exchange", draws=draws, seed=1, workers=2), 1)
    two *= DRAWS / draws
    return {
        "actors": len(scn.actors),
        "issues": len(scn.issues),
        "rounds": 10,
        "exchanges_realised": len(fc.trajectory["exchanges"]),
        "one_run_s": one,
        "draws": DRAWS,
        "draws_timed": draws,
        "draws_one_process_s": one_process,
        "draws_two_processes_s": two,
        "per_draw_ms": one_process / DRAWS * 1e3,
        "mean_forecast_first_issue": float(sim.values[:, 0].mean()),
    }


def deu_bench() -> dict[str, Any]:
    from multipolar.backtest.data import load_deu
    from multipolar.backtest.fit import Variant, forecasts

    data = load_deu(SHARED / "deu" / "deu3.csv")
    variant = Variant("exchange", "exchange")
    out: dict[str, Any] = {"issues": len(data.issues)}
    outcomes = np.array([i.outcome for i in data.issues])
    for scheme in ("equal", "council", "council-ssi"):
        seconds = best_of(lambda scheme=scheme: forecasts(data.issues, variant, scheme), 3)
        mae = float(np.mean(np.abs(forecasts(data.issues, variant, scheme) - outcomes)))
        out[scheme] = {"seconds": seconds, "mae": mae}
    return out


def main() -> None:
    if not SHARED.is_dir():
        raise SystemExit(f"needs {SHARED} (../shared beside the checkout)")
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=300, help="draws timed (scaled to 10,000)")
    start = time.perf_counter()
    dutch = dutch_bench(parser.parse_args().draws)
    deu = deu_bench()
    result = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "platform": platform.platform(),
        },
        "version": multipolar.__version__,
        "dutch2012": dutch,
        "deu3": deu,
        "total_s": time.perf_counter() - start,
    }
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"cores: {os.cpu_count()}  python {platform.python_version()}  numpy {np.__version__}")
    print(
        f"exchange, Dutch 2012 ({dutch['actors']} actors, {dutch['issues']} issues, 10 rounds, "
        f"{dutch['exchanges_realised']} exchanges): one run {dutch['one_run_s'] * 1e3:.1f} ms"
    )
    print(
        f"  {DRAWS:,} draws (positions ±10, saliences ±0.1; {dutch['draws_timed']:,} timed, "
        f"scaled): {dutch['draws_one_process_s']:.1f} s "
        f"on one process ({dutch['per_draw_ms']:.2f} ms/draw), "
        f"{dutch['draws_two_processes_s']:.1f} s on two"
    )
    for scheme in ("equal", "council", "council-ssi"):
        row = deu[scheme]
        print(
            f"DEU III exchange/{scheme}: {deu['issues']} issues in {row['seconds']:.2f} s "
            f"(MAE {row['mae']:.2f})"
        )
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
