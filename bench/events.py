"""Events at scale: parsing, validating and resolving scenarios with 100, 1,000 and 10,000
events (one effect each). Prints CPU seconds and the fitted exponent of validation time against
the number of events (1 = linear); writes bench/events.json. Run by `make bench`."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


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


if __name__ == "__main__":
    result = events_bench()
    (ROOT / "bench" / "events.json").write_text(json.dumps(result, indent=2) + "\n")
    for key in ("parse_yaml_s", "parse_json_s", "validate_s", "resolve_s"):
        cells = ", ".join(
            f"{n:,}: {s:.3f}" for n, s in zip(result["events"], result[key], strict=True)
        )
        print(f"{key:14s} {cells}")
    print(f"validation time ~ events^{result['validate_exponent']:.2f}")
