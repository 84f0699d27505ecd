"""What it would take: the smallest change of one parameter that opens a zone of agreement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from multipolar.deals.analysis import Package, describe
from multipolar.deals.solve import maxmin
from multipolar.deals.space import build_space
from multipolar.errors import ScenarioError, UsageError
from multipolar.scenario.paths import get_estimate, with_value
from multipolar.scenario.schema import Scenario

_GRID = 41
_BISECT = 30


@dataclass(frozen=True)
class WhatItTakes:
    """The nearest value of ``path`` where the zone of agreement opens (when it is closed now) or
    closes (when it is open now), and the package there (the last one to survive, or the first
    to open)."""

    path: str
    current: float
    current_margin: float
    domain: tuple[float, float]
    value: float | None  # the nearest boundary (None: the sign never changes in the domain)
    package: Package | None

    @property
    def open_now(self) -> bool:
        return self.current_margin >= 0

    @property
    def change(self) -> float | None:
        return None if self.value is None else self.value - self.current

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "current": self.current,
            "current_margin": self.current_margin,
            "zone_open_now": self.open_now,
            "domain": list(self.domain),
            "closes_at" if self.open_now else "opens_at": self.value,
            "change": self.change,
            "package": None if self.package is None else self.package.as_dict(),
        }


def domain(scn: Scenario, path: str) -> tuple[float, float]:
    """The values a parameter can take: probabilities, saliences, credibility and walk-away
    utilities on [0, 1]; δ on [0, 0.999]; positions and status quo on the issue's scale; costs,
    capabilities and side payments from 0 to 3× their current value (at least 1)."""
    parts = path.split(".")
    head, leaf = parts[0], parts[-1]
    if head in ("positions",) or (head == "issues" and leaf == "status_quo"):
        issue = scn.issue(parts[2] if head == "positions" else parts[1])
        return issue.low, issue.high
    if head == "salience" or leaf in ("p", "credibility", "now", "next") or head == "deal":
        return 0.0, 1.0
    if leaf == "discount":
        return 0.0, 0.999
    current = get_estimate(scn, path).best
    return 0.0, max(1.0, 3 * abs(current))


def _margin(scn: Scenario, path: str, value: float) -> float:
    try:
        changed = with_value(scn, path, value)
    except ScenarioError:
        return -np.inf
    return maxmin(build_space(changed)).margin


def what_it_takes(scn: Scenario, path: str) -> WhatItTakes:
    """Scan the parameter's domain (41 points), then bisect to the boundary nearest the current
    value (to 1e-9 of the domain). The margin is the smallest u_i − d_i of the package that is
    best for the worst-off party that must accept; the zone is open where it is ≥ 0. When the
    zone is closed now the answer is what opens it; when open, how far the parameter can move
    before it closes."""
    from multipolar.dynamics.apply import resolve

    scn = resolve(scn)  # vary the current state, after the scenario's events
    est = get_estimate(scn, path)
    lo, hi = domain(scn, path)
    current = est.best
    now = _margin(scn, path, current)
    if not np.isfinite(now):
        raise UsageError(f"path '{path}': the current value is not valid for the scenario")
    is_open = now >= 0
    grid = np.linspace(lo, hi, _GRID)
    margins = np.array([_margin(scn, path, float(v)) for v in grid])
    other = np.nonzero((margins >= 0) != is_open)[0]
    if other.size == 0:
        return WhatItTakes(path, current, now, (lo, hi), None, None)
    nearest = int(other[np.argmin(np.abs(grid[other] - current))])
    inside, outside = current, float(grid[nearest])  # same state as now / the other state
    for _ in range(_BISECT):
        mid = (inside + outside) / 2
        if (_margin(scn, path, mid) >= 0) == is_open:
            inside = mid
        else:
            outside = mid
    boundary = inside if is_open else outside  # a value at which the zone is (still) open
    changed = with_value(scn, path, boundary)
    space = build_space(changed)
    verb = "last open" if is_open else "opened"
    package = describe(space, f"{verb} at {path} = {boundary:.4g}", maxmin(space).z)
    return WhatItTakes(path, current, now, (lo, hi), boundary, package)
