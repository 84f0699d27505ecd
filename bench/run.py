"""`make bench`: every speed target of the project, timed on this machine, as one table:
each case, our time, the reference figure it is compared with, the ratio, and whether the
target holds. Writes bench/results.json. Speed is measured here, never asserted in tests.

Whole-process cases (start-up, Monte Carlo, report, `make run`, backtest) are timed as the CPU
seconds (user + sys) of a fresh `python -c "import multipolar.cli ..."` process running this
checkout's sources, the median of repeated runs: on a shared machine CPU time moves less than
wall time. In-process cases (what-if loop, timeline, kernels) are wall-clock seconds, the best
of repeated runs. Both are recorded in the JSON. Figures depend on the machine: its core count
and load are recorded with them.

``python bench/run.py [--quick] [--src DIR] [--edits N]``: ``--quick`` skips the slowest cases
(100,000 draws, backtest); ``--src DIR`` times the whole processes of another checkout's sources
(for before/after figures; run with that DIR on PYTHONPATH for the in-process cases too);
``--edits N`` what-if edits timed (default 40).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).with_name("results.json")
SHARED = ROOT.parent / "shared"
UKRAINE = ROOT / "scenarios" / "ukraine_2025_08.yaml"
EMISSION = ROOT / "bench" / "emission_ranges.yaml"  # the emission case with ranges
MIB = 1024 * 1024
EXCHANGE_DRAWS = 300  # Dutch draws timed (CPU, scaled to 10,000 in the table)
SRC = [ROOT / "src"]  # the sources the whole processes run (--src)
#: what `multipolar report` imports (its two processes between them): the libraries, then
#: the report's own modules
REPORT_LIBRARIES = (
    "import numpy, numba, scipy.optimize, scipy.stats, SALib.analyze.sobol, SALib.sample.sobol,"
    " jinja2, multipolar.cli, multipolar.report.html, multipolar.report.sections_uncertainty"
)


@dataclass
class Case:
    """One row of the table."""

    name: str
    seconds: float | None  # ours (None: not run)
    basis: str  # "cpu" (whole process) or "wall" (in process)
    reference: float | None  # the figure we are compared with, in seconds
    reference_is: str
    target: float | None  # seconds we must not exceed (None: no target, compare only)
    target_is: str = ""
    extra: dict[str, Any] | None = None

    @property
    def ratio(self) -> float | None:
        if self.seconds is None or not self.reference:
            return None
        return self.seconds / self.reference

    @property
    def holds(self) -> bool | None:
        if self.seconds is None or self.target is None:
            return None
        ok = self.seconds <= self.target
        limit = (self.extra or {}).get("max_rss_limit_mib")
        if limit is not None:
            ok &= (self.extra or {})["max_rss_mib"] <= limit
        return ok


# --- whole processes -------------------------------------------------------------------------


def process(args: list[str], cwd: Path = ROOT) -> dict[str, float]:
    """Run ``multipolar ARGS`` from this checkout in a fresh interpreter: CPU seconds (user +
    sys), wall seconds and peak memory of that process alone."""
    env = {**os.environ, "PYTHONPATH": str(SRC[0])}
    code = "import multipolar.cli as c; c.main()"  # the console script, its quick exit too
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"multipolar {' '.join(args)} failed: {err.strip()[-500:]}")
    return {
        "cpu": usage.ru_utime + usage.ru_stime,
        "wall": wall,
        "max_rss_mib": usage.ru_maxrss * 1024 / MIB,  # Linux reports KiB
    }


def python_cpu(code: str, repeat: int = 3) -> float:
    """Median CPU seconds of a fresh interpreter running ``code`` (the start-up floor)."""
    env = {**os.environ, "PYTHONPATH": str(SRC[0])}
    cpu = []
    for _ in range(repeat):
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"python -c {code!r} failed")
        cpu.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(cpu)


def repeated(args: list[str], repeat: int) -> dict[str, float]:
    """Median CPU (and wall, memory) of ``repeat`` runs."""
    runs = [process(args) for _ in range(repeat)]
    return {
        "cpu": statistics.median(r["cpu"] for r in runs),
        "wall": statistics.median(r["wall"] for r in runs),
        "max_rss_mib": max(r["max_rss_mib"] for r in runs),
        "runs": repeat,
    }


def make_run(folder: Path) -> dict[str, float]:
    """`make run` with the venv present: `multipolar run`, one process (the Makefile's target)."""
    return process(["run", str(UKRAINE), "-o", str(folder / "ukraine.html")])


# --- in process ------------------------------------------------------------------------------


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Best wall-clock time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def kernels() -> list[Case]:
    """The model kernels: the EUM emission Monte Carlo, SMP on SOE-Pol-Comp, the Ukraine deal
    feasibility Monte Carlo, the Ukraine timeline with exact attribution."""

    import multipolar
    from multipolar.dynamics.timeline import timeline
    from multipolar.models import get
    from multipolar.models.warm import emission_draws
    from multipolar.uncertainty.feasibility import deal_feasibility

    draws = 10_000
    batch = emission_draws(draws)
    eum = get("eum")
    eum.run(batch)  # compiled kernels loaded
    cases = [
        Case("EUM kernel: 10,000 emission draws", best_of(lambda: eum.run(batch), 3), "wall",
             11.0, "peer, 10,000 draws (issue 7)", 0.5, "issue 7"),
    ]  # fmt: skip
    ktab = SHARED / "data" / "ktab" / "SOE-Pol-Comp.csv"
    if ktab.exists():
        from multipolar.scenario.formats import import_file

        (soe,) = import_file("ktab", ktab).scenarios
        multipolar.forecast(soe, "smp")
        cases.append(
            Case("SMP on SOE-Pol-Comp to convergence",
                 best_of(lambda: multipolar.forecast(soe, "smp"), 3), "wall", 1.2,
                 "KTAB's C++, one SMP run (issue 7)", 0.2, "issue 7")
        )  # fmt: skip
    ukraine = multipolar.load(UKRAINE)
    timeline(ukraine)
    cases.append(
        Case("Ukraine timeline, exact attribution", best_of(lambda: timeline(ukraine), 5), "wall",
             9.0, "before (issue 15)", 1.0, "issue 15")
    )  # fmt: skip
    from multipolar.uncertainty import feasibility

    def fresh() -> object:  # not the solutions kept from the last call
        feasibility._SOLVED.clear()
        return deal_feasibility(ukraine, draws=10_000, seed=1)

    feas = best_of(fresh, 1)  # no target: once (the bench must stay under 5 minutes)
    cases.append(
        Case("Ukraine deal feasibility, 10,000 draws", feas, "wall", None, "", None, "",
             {"p_zone": deal_feasibility(ukraine, draws=10_000, seed=1).p_zone})
    )  # fmt: skip
    return cases


def exchange_rows(quick: bool) -> list[Case]:
    """Issue 19's rows: the exchange model on decide's Dutch 2012 case (one run; Monte Carlo
    draws of it, every position ±10 and salience ±0.1) and its DEU III leaderboard row. The
    draws are timed (CPU seconds) on ``EXCHANGE_DRAWS`` and scaled to 10,000 (a draw costs the
    same whatever the batch; bench/exchange.py times the full 10,000, about 3 minutes)."""
    dutch = SHARED / "data" / "exchange" / "dutch2012_input_decide.csv"
    if not dutch.exists():
        return []
    import numpy as np

    import multipolar
    from multipolar.scenario.formats import import_file

    sys.path.insert(0, str(Path(__file__).parent))
    from exchange import ranged  # bench/exchange.py

    (scn,) = import_file("decide", dutch).scenarios
    multipolar.forecast(scn, "exchange")  # the cached kernel loaded
    out = [
        Case("exchange: Dutch 2012, one run", best_of(lambda: multipolar.forecast(scn, "exchange")),
             "wall", 0.0175, "before: docs/models/exchange.md (issue 19)", None, "issue 19"),
    ]  # fmt: skip
    draws = 100 if quick else EXCHANGE_DRAWS
    wide = ranged(scn)
    start, cpu = time.perf_counter(), time.process_time()  # the kernel runs on this thread
    multipolar.simulate(wide, "exchange", draws=draws, seed=1)
    wall = (time.perf_counter() - start) * 10_000 / draws
    scaled = (time.process_time() - cpu) * 10_000 / draws
    out.append(
        Case("exchange: 10,000 Dutch 2012 draws (one process)", scaled, "cpu", 189.0,
             "before: docs/models/exchange.md (issue 19)", None, "issue 19",
             {"timed_draws": draws, "scaled_to": 10_000, "wall_s_scaled": wall})
    )  # fmt: skip
    deu = SHARED / "data" / "deu" / "deu3.csv"
    if deu.exists():
        from multipolar.backtest.data import load_deu
        from multipolar.backtest.fit import Variant, forecasts

        data = load_deu(deu)
        variant = Variant("exchange", "exchange")
        seconds = best_of(lambda: forecasts(data.issues, variant, "council"), 3)
        out.append(
            Case("exchange: DEU III leaderboard row (council)", seconds, "wall", 0.27,
                 "before: docs/models/exchange.md (issue 19)", None, "issue 19",
                 {"issues": len(data.issues), "mae_outcomes": float(np.mean(np.abs(
                     forecasts(data.issues, variant, "council")
                     - np.array([i.outcome for i in data.issues]))))})
        )  # fmt: skip
    return out


def whatif(edits: int) -> Case:
    sys.path.insert(0, str(Path(__file__).parent))
    from whatif import measure

    res = measure(edits)
    return Case("what-if recomputation after an edit (p50)", res["p50_s"], "wall", 3.1,
                "before: the timeline panel (issue 15)", 0.3, "issue 15; p99 < 1 s",
                {"p99_s": res["p99_s"], "p99_target_s": 1.0, "edits": res["edits"]})  # fmt: skip


# --- the table -------------------------------------------------------------------------------


def processes(quick: bool, folder: Path) -> list[Case]:
    ukr = str(UKRAINE)
    emission_bdm = SHARED / "data" / "eum" / "emission_standards.csv"
    out = [
        Case("floor: python -c 'import numpy'", python_cpu("import numpy"), "cpu", None,
             "no target: the least any command costs", None),
        Case("floor: python -c 'import numba'", python_cpu("import numba"), "cpu", None,
             "no target: what loading the compiled kernels adds", None),
        Case("multipolar --help", repeated(["--help"], 5)["cpu"], "cpu", 0.5,
             "the closest peer's --help (issue 15)", None, "before 1.1 s"),
        Case("multipolar validate (Ukraine)", repeated(["validate", ukr], 5)["cpu"], "cpu", 2.6,
             "before (issue 15)", None),
        Case("multipolar forecast -m compromise (Ukraine)",
             repeated(["forecast", ukr, "-m", "compromise"], 5)["cpu"], "cpu", 2.2,
             "before (issue 15)", None),
    ]  # fmt: skip
    if emission_bdm.exists():
        plain = folder / "emission.yaml"
        process(["import", "bdm", str(emission_bdm), "-o", str(plain)])
        out.append(
            Case("one EUM forecast, 10-actor emission case", repeated(
                ["forecast", str(plain), "-m", "eum"], 3)["cpu"], "cpu", 1.6,
                "the 2014 pure-Python reference code (issue 15)", 1.6, "faster than it")
        )  # fmt: skip
    sim = ["simulate", str(EMISSION), "-m", "eum", "--seed", "1", "--quiet", "--format", "json"]
    out.append(
        Case("floor: simulate --draws 2 (start-up, the scenario, no kernel)",
             repeated([*sim, "--draws", "2"], 5)["cpu"], "cpu", None,
             "no target: what 10,000 draws cost before their first draw", None)
    )  # fmt: skip
    ten = repeated([*sim, "--draws", "10000"], 3)
    out.append(
        Case("simulate: 10,000 EUM draws, emission with ranges", ten["cpu"], "cpu", 11.0,
             "the peer, idle (issue 7); 37.5 s under load (issue 15)", 0.55, "1/20 of the peer",
             {"wall_s": ten["wall"], "max_rss_mib": ten["max_rss_mib"]})
    )  # fmt: skip
    if not quick:
        big = process([*sim, "--draws", "100000"])
        out.append(
            Case("simulate: 100,000 EUM draws, emission with ranges", big["cpu"], "cpu", 285.0,
                 "the peer (issue 15)", 7.1, "1/40 of the peer; ≤ 300 MiB",
                 {"wall_s": big["wall"], "max_rss_mib": big["max_rss_mib"],
                  "max_rss_limit_mib": 300})
        )  # fmt: skip
    out.append(
        Case("floor: importing the report's libraries", python_cpu(REPORT_LIBRARIES), "cpu",
             None, "no target: what the report costs before it computes anything", None)
    )  # fmt: skip
    report = process(["report", ukr, "-o", str(folder / "r.html"), "--quiet"])
    out.append(
        Case("multipolar report (Ukraine)", report["cpu"], "cpu", 15.0, "before (issue 15)",
             3.0, "issue 15", {"wall_s": report["wall"]})
    )  # fmt: skip
    run = make_run(folder)
    out.append(
        Case("make run (venv present): multipolar run", run["cpu"], "cpu", 29.5,
             "its six commands as processes (issue 15 morning)", 10.0, "issue 15",
             {"wall_s": run["wall"]})
    )  # fmt: skip
    deu = SHARED / "data" / "deu" / "deu3.csv"
    if not quick and deu.exists():
        bt = process(["backtest", "deu", str(deu), "--format", "json", "-o",
                      str(folder / "deu3.json"), "--quiet"])  # fmt: skip
        out.append(
            Case("full DEU III leaderboard (backtest)", bt["cpu"], "cpu", 10.0,
                 "the peer's backtest (issue 15)", 15.0, "issue 15", {"wall_s": bt["wall"]})
        )  # fmt: skip
    cases = ROOT / "cases"
    if not quick and cases.is_dir():
        led = process(["ledger", "backtest", str(cases), "--format", "json"])
        out.append(
            Case("multipolar ledger backtest cases/", led["cpu"], "cpu", None, "", 60.0,
                 "issue 17 (< 60 s on 2 cores)", {"wall_s": led["wall"]})
        )  # fmt: skip
    return out


def fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(cases: list[Case]) -> str:
    head = ("case", "ours (s)", "basis", "reference (s)", "ratio", "target (s)", "holds",
            "reference is")  # fmt: skip
    rows = [
        (c.name, fmt(c.seconds), c.basis, fmt(c.reference, 2),
         "-" if c.ratio is None else f"{c.ratio:.3f}", fmt(c.target, 2),
         {True: "yes", False: "NO", None: "-"}[c.holds], c.reference_is)
        for c in cases
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(line.format(*r).rstrip() for r in [head, *rows])


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    if "--src" in sys.argv[1:]:
        SRC[0] = Path(sys.argv[sys.argv.index("--src") + 1]).resolve()
    started_at, start = time.time(), time.perf_counter()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        cases = processes(quick, Path(tmp))
    edits = int(sys.argv[sys.argv.index("--edits") + 1]) if "--edits" in sys.argv else 40
    cases.append(whatif(edits))
    cases += kernels()
    cases += exchange_rows(quick)
    took = time.perf_counter() - start
    result = {
        "machine": {
            "cores": os.cpu_count(),
            "load_average_before": load,
            "load_average_after": os.getloadavg(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "seconds": took,
        "started_at": started_at,  # bench/summary.py times the whole `make bench` from it
        "quick": quick,
        "sources": str(SRC[0]),
        "cases": [asdict(c) | {"ratio": c.ratio, "holds": c.holds} for c in cases],
    }
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"cores: {os.cpu_count()}  load average {load[0]:.1f}  python "
          f"{platform.python_version()}")  # fmt: skip
    print(table(cases))
    for c in cases:
        if c.extra and "p99_s" in c.extra:
            print(f"what-if p99: {c.extra['p99_s']:.3f} s (target < 1 s)")
        if c.extra and "max_rss_limit_mib" in c.extra:
            print(f"{c.name}: peak memory {c.extra['max_rss_mib']:.0f} MiB (target ≤ 300 MiB)")
    print(f"bench took {took:.0f} s; wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
