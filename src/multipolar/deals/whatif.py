"""What it would take: the smallest change of one parameter that opens a zone of agreement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.deals.analysis import Package, describe
from multipolar.deals.batch import maxmin_margins
from multipolar.deals.solve import maxmin
from multipolar.deals.space import build_space, stack
from multipolar.deals.verdict import TOL
from multipolar.errors import ScenarioError, UsageError
from multipolar.scenario.arrays import FloatArray
from multipolar.scenario.paths import get_estimate, with_value
from multipolar.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

_GRID = 41
_ROUNDS = 8
_SPLIT = 15


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

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as ``multipolar what-it-takes --format json`` prints it."""
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row: the parameter, its value now, the margin now and where the zone changes."""
        from multipolar.frames import records

        return records([{
            "path": self.path, "current": self.current, "current_margin": self.current_margin,
            "zone_open_now": self.open_now, "boundary": self.value, "change": self.change,
        }])  # fmt: skip

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


def _margins(scn: Scenario, path: str, values: FloatArray) -> FloatArray:
    """The max–min margin at each value of the parameter (−inf where the value is not valid),
    solved as one batch (the batched solver agrees with ``maxmin`` to ~1e-6)."""
    out = np.full(len(values), -np.inf)
    spaces, where = [], []
    for i, v in enumerate(values):
        try:
            spaces.append(build_space(with_value(scn, path, float(v))))
        except ScenarioError:
            continue
        where.append(i)
    if not spaces:
        return out
    batch = stack(spaces)
    if batch is None:  # the changes reshape the space: one solve per value
        out[where] = [maxmin(s).margin for s in spaces]
    else:
        out[where] = maxmin_margins(batch)[0]
    return out


def what_it_takes(scn: Scenario, path: str) -> WhatItTakes:
    """Scan the parameter's domain (41 points), then narrow to the boundary nearest the current
    value (8 rounds of 15 points, to ~1e-11 of the domain). The margin is the verdict's: the
    smallest margin of every row a deal must meet (parties and commitment) at the package best
    for whichever is worst off; the zone is open where it is ≥ 0. When the zone is closed now
    the answer is what opens it; when open, how far the parameter can move before it closes."""
    from multipolar.dynamics.apply import resolve

    scn = resolve(scn)  # vary the current state, after the scenario's events
    est = get_estimate(scn, path)
    lo, hi = domain(scn, path)
    current = est.best
    now = _margin(scn, path, current)
    if not np.isfinite(now):
        raise UsageError(f"path '{path}': the current value is not valid for the scenario")
    is_open = now >= -TOL
    grid = np.linspace(lo, hi, _GRID)
    margins = _margins(scn, path, grid)
    other = np.nonzero((margins >= -TOL) != is_open)[0]
    if other.size == 0:
        return WhatItTakes(path, current, now, (lo, hi), None, None)
    nearest = int(other[np.argmin(np.abs(grid[other] - current))])
    inside, outside = current, float(grid[nearest])  # same state as now / the other state
    for _ in range(_ROUNDS):
        points = np.linspace(inside, outside, _SPLIT + 2)[1:-1]  # from inside to outside
        flips = np.nonzero((_margins(scn, path, points) >= -TOL) != is_open)[0]
        if flips.size == 0:
            inside = float(points[-1])
        else:
            outside = float(points[flips[0]])
            inside = float(points[flips[0] - 1]) if flips[0] > 0 else inside
    boundary = inside if is_open else outside  # a value at which the zone is (still) open
    changed = with_value(scn, path, boundary)
    space = build_space(changed)
    verb = "last open" if is_open else "opened"
    package = describe(space, f"{verb} at {path} = {boundary:.4g}", maxmin(space).z)
    return WhatItTakes(path, current, now, (lo, hi), boundary, package)
