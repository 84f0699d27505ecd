"""`make bench`: time the registered models; print a table and write bench/results.json.

Speed is measured here, never asserted in tests. Figures depend on the machine: the core count
is recorded with them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import multipolar
from multipolar.models import get, names
from multipolar.scenario.arrays import from_arrays

OUT = Path(__file__).with_name("results.json")
ROOT = Path(__file__).resolve().parents[1]


def best_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Best wall-clock time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def growth(import_file: Any, ktab: Path) -> dict[str, Any]:
    """EUM and SMP on 40, 80 and 160 actors: seconds per run and the fitted exponent of
    time against actors (least squares on logs)."""
    out: dict[str, Any] = {}
    scenarios = {
        n: import_file("ktab", ktab / f"dummyData-a{n:03d}.csv").scenarios[0] for n in (40, 80, 160)
    }
    for model in ("eum", "smp"):
        seconds = [
            best_of(lambda scn=scn, model=model: multipolar.forecast(scn, model), repeat=1)
            for scn in scenarios.values()
        ]
        slope = float(np.polyfit(np.log(list(scenarios)), np.log(seconds), 1)[0])
        out[model] = {"actors": list(scenarios), "seconds": seconds, "exponent": slope}
    return out


def deals_bench(flagship: Any) -> dict[str, Any]:
    """Monte Carlo of the Ukraine scenario's deal feasibility: 10,000 draws on one process, two
    local processes and (when installed) a local two-CPU Ray instance, against the per-draw
    solver timed on 200 draws."""
    from multipolar.deals.solve import maxmin
    from multipolar.deals.space import build_space
    from multipolar.uncertainty.feasibility import deal_feasibility
    from multipolar.uncertainty.sampling import sampler

    draws = 10_000
    one = best_of(lambda: deal_feasibility(flagship, draws=draws, seed=1), repeat=3)
    two = best_of(lambda: deal_feasibility(flagship, draws=draws, seed=1, workers=2), repeat=2)
    space = build_space(flagship, sampler(1, 200), 200)
    loop = best_of(lambda: [maxmin(space, d) for d in range(200)], repeat=1) / 200 * draws
    out = {
        "draws": draws,
        "one_process_s": one,
        "two_processes_s": two,
        "per_draw_solver_estimate_s": loop,
        "p_zone": deal_feasibility(flagship, draws=draws, seed=1).as_dict()["p_zone"],
        "ray_two_cpus_s": None,
    }
    try:
        import ray
    except ImportError:
        return out
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        out["ray_two_cpus_s"] = best_of(
            lambda: deal_feasibility(flagship, draws=draws, seed=1, backend="ray"), repeat=2
        )
    finally:
        ray.shutdown()
    return out


def cpu_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """Least CPU time of ``repeat`` calls, in seconds (steady on a shared machine)."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def events_bench() -> dict[str, Any]:
    """Reading and validating a scenario with 100, 1,000 and 10,000 events (one effect each):
    CPU seconds to parse the YAML and the JSON text, to validate the parsed data (which
    applies every event) and to resolve the state after the events; and the fitted exponent of
    the validation time against the number of events (1 = linear)."""
    import yaml

    from multipolar.dynamics.apply import resolve
    from multipolar.scenario.loader import parse_json, parse_yaml, validate

    base = yaml.safe_load((ROOT / "tests" / "data" / "commitment_binds.yaml").read_text())
    base.pop("events", None)
    actor, issue = next(iter(base["positions"].items()))
    path = f"positions.{actor}.{next(iter(issue))}"
    start = dt.date(2000, 1, 1)
    out: dict[str, Any] = {"events": [], "parse_yaml_s": [], "parse_json_s": [],
                           "validate_s": [], "resolve_s": []}  # fmt: skip
    for n in (100, 1_000, 10_000):
        data = dict(base)
        data["events"] = [
            {"id": f"e{i}", "date": (start + dt.timedelta(days=i)).isoformat(), "title": "E",
             "effects": [{"path": path, "shift": 0.25 if i % 2 else -0.25}]}
            for i in range(n)
        ]  # fmt: skip
        text_yaml = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False)
        text_json = json.dumps(data, default=str)
        parsed, _ = parse_yaml(text_yaml)
        scn = validate(parsed)
        out["events"].append(n)
        out["parse_yaml_s"].append(cpu_of(lambda t=text_yaml: parse_yaml(t), repeat=1))
        out["parse_json_s"].append(cpu_of(lambda t=text_json: parse_json(t), repeat=1))
        out["validate_s"].append(cpu_of(lambda d=parsed: validate(d)))
        out["resolve_s"].append(cpu_of(lambda s=scn: resolve(s)))
    logs = np.log(out["events"])
    out["validate_exponent"] = float(np.polyfit(logs, np.log(out["validate_s"]), 1)[0])
    return out


def main() -> None:
    rng = np.random.default_rng(0)
    emission = from_arrays(
        [4, 7, 4, 4, 10, 10, 10, 7, 4, 7],
        [0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08],
        [0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7],
        lo=4,
        hi=10,
    )
    draws = 10_000
    batch = from_arrays(
        np.clip(emission.x + rng.normal(0, 0.5, (draws, 1, 10)), 4, 10),
        emission.c * rng.uniform(0.8, 1.2, (draws, 1, 10)),
        np.clip(emission.s + rng.normal(0, 0.05, (draws, 1, 10)), 0, 1),
        lo=4,
        hi=10,
    )
    flagship = multipolar.load(ROOT / "scenarios" / "ukraine_2025_08.yaml")
    rows = []
    for name in names():
        spec = get(name)
        one = best_of(lambda spec=spec: spec.run(emission))
        many = best_of(lambda spec=spec: spec.run(batch), repeat=3)
        ukr = best_of(lambda name=name: multipolar.forecast(flagship, name))
        rows.append(
            {
                "model": name,
                "emission_one_run_s": one,
                "emission_10000_draws_s": many,
                "per_draw_us": many / draws * 1e6,
                "batch_speedup_vs_loop": one * draws / many,
                "ukraine_forecast_s": ukr,
            }
        )
    ktab = ROOT.parent / "shared" / "data" / "ktab"
    smp_soe = None
    scaling: dict[str, Any] = {}
    if ktab.exists():
        from multipolar.scenario.formats import import_file

        (soe_scn,) = import_file("ktab", ktab / "SOE-Pol-Comp.csv").scenarios
        smp_soe = best_of(lambda: multipolar.forecast(soe_scn, "smp"), repeat=3)
        scaling = growth(import_file, ktab)
    deals = deals_bench(flagship)
    events = events_bench()
    result = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "platform": platform.platform(),
        },
        "version": multipolar.__version__,
        "benchmarks": rows,
        "smp_soe_pol_comp_s": smp_soe,
        "scaling": scaling,
        "ukraine_deal_feasibility": deals,
        "events": events,
    }
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"cores: {os.cpu_count()}  python {platform.python_version()}  numpy {np.__version__}")
    head = f"{'model':<12}{'1 run (ms)':>12}{'10k draws (ms)':>16}{'µs/draw':>10}"
    print(head + f"{'batch speed-up':>16}{'ukraine (ms)':>14}")
    for r in rows:
        print(
            f"{r['model']:<12}{r['emission_one_run_s'] * 1e3:>12.3f}"
            f"{r['emission_10000_draws_s'] * 1e3:>16.2f}{r['per_draw_us']:>10.3f}"
            f"{r['batch_speedup_vs_loop']:>15.0f}x{r['ukraine_forecast_s'] * 1e3:>14.3f}"
        )
    if smp_soe is not None:
        print(f"SMP on SOE-Pol-Comp to convergence: {smp_soe * 1e3:.1f} ms")
    for model, row in scaling.items():
        times = ", ".join(
            f"{n} actors {t:.3f} s" for n, t in zip(row["actors"], row["seconds"], strict=True)
        )
        print(f"{model} on dummyData-a040/a080/a160: {times}; time ~ n^{row['exponent']:.2f}")
    ray_s = deals["ray_two_cpus_s"]
    print(
        f"Ukraine deal feasibility, {deals['draws']} draws: {deals['one_process_s']:.2f} s on one "
        f"process, {deals['two_processes_s']:.2f} s on two"
        + (f", {ray_s:.2f} s on Ray (2 CPUs, started)" if ray_s is not None else "")
        + f"; per-draw solver ≈ {deals['per_draw_solver_estimate_s']:.1f} s; "
        f"P(zone) = {deals['p_zone']:.3f}"
    )
    for k, n in enumerate(events["events"]):
        print(
            f"{n:>6} events (CPU): parse YAML {events['parse_yaml_s'][k]:.2f} s, JSON "
            f"{events['parse_json_s'][k]:.2f} s; validate {events['validate_s'][k]:.3f} s; "
            f"resolve {events['resolve_s'][k]:.3f} s"
        )
    print(f"validation time ~ events^{events['validate_exponent']:.2f}")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
