"""Synthetic scenarios of a chosen size, for the server's cost calibration (``cost.py``), its
load test (bench/load.py) and its limit tests: ``n`` actors and ``k`` issues on 0-100 scales,
every estimate a range, a two-party conflict, and ``events`` dated events of ``effects``
position shifts each. Seeded: the same arguments give the same text."""

from __future__ import annotations

from typing import Any

import numpy as np
import yaml


def _range(rng: np.random.Generator, lo: float, hi: float, width: float) -> dict[str, float]:
    best = round(float(rng.uniform(lo, hi)), 2)
    return {"low": round(max(0.0, best - width), 2), "best": best, "high": best + width}


def synthetic_data(
    n: int = 20, k: int = 12, events: int = 10, effects: int = 6, seed: int = 1
) -> dict[str, Any]:
    """The scenario as plain data (see the module docstring)."""
    rng = np.random.default_rng(seed)
    actors = [
        {"id": f"A{i}", "name": f"Actor {i}", "capability": _range(rng, 5, 100, 5)}
        for i in range(n)
    ]
    issues = [
        {"id": f"I{j}", "name": f"Issue {j}", "scale": [0, 100], "status_quo": 50} for j in range(k)
    ]
    positions = {
        a["id"]: {i["id"]: _range(rng, 10, 90, 5) for i in issues} for a in actors
    }  # fmt: skip
    salience = {
        a["id"]: {i["id"]: _range(rng, 0.2, 0.8, 0.1) for i in issues} for a in actors
    }  # fmt: skip
    data: dict[str, Any] = {
        "title": f"Synthetic scenario: {n} actors, {k} issues, {events} events",
        "actors": actors,
        "issues": issues,
        "positions": positions,
        "salience": salience,
    }
    if n >= 2:
        data["conflict"] = {
            "belligerents": ["A0", "A1"],
            "p": {"low": 0.4, "best": 0.5, "high": 0.6},
            "costs": {"A0": 0.05, "A1": 0.1},
            "discount": 0.9,
            "stakes": ["I0"],
        }
    data["events"] = [
        {
            "id": f"e{e}",
            "date": f"2025-01-{e % 28 + 1:02d}",
            "title": f"Event {e}",
            "effects": [
                {"path": f"positions.A{(e + m) % n}.I{(e * 7 + m) % k}", "shift": (-1.0) ** m}
                for m in range(effects)
            ],
        }
        for e in range(events)
    ]
    return data


def synthetic(n: int = 20, k: int = 12, events: int = 10, effects: int = 6, seed: int = 1) -> str:
    """The scenario as YAML text (what a client uploads)."""
    return yaml.safe_dump(synthetic_data(n, k, events, effects, seed), sort_keys=False)
