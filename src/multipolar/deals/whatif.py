"""What it would take: the smallest change of one parameter that opens a zone of agreement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.deals.analysis import Package, describe
from multipolar.deals.batch import maxmin_margins
from multipolar.deals.solve import maxmin
from multipolar.deals.space import DealSpace, build_space
from multipolar.deals.verdict import TOL
from multipolar.errors import UsageError
from multipolar.memo import ObjectMemo
from multipolar.scenario.arrays import FloatArray
from multipolar.scenario.checks import estimates
from multipolar.scenario.incremental import Edits
from multipolar.scenario.paths import get_estimate
from multipolar.scenario.schema import Estimate, Scenario

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
    if head == "constituencies":  # positions on the issue's scale; salience, walk-away in [0, 1]
        return scn.issue(leaf).scale if parts[-2] == "positions" else (0.0, 1.0)
    if head == "salience" or leaf in ("p", "credibility", "now", "next") or head == "deal":
        return 0.0, 1.0
    if leaf == "discount":
        return 0.0, 0.999
    current = get_estimate(scn, path).best
    return 0.0, max(1.0, 3 * abs(current))


def _estimate_at(scn: Scenario, path: str) -> Estimate:
    """The scenario's own estimate object at a dotted path (actors and issues by id)."""
    ids = {"actors": scn.actor_ids, "issues": scn.issue_ids}
    for where, est in estimates(scn):
        parts = [str(p) for p in where]
        if parts[0] in ids and isinstance(where[1], int):
            parts[1] = ids[parts[0]][where[1]]
        if parts[0] == "constituencies" and isinstance(where[3], int):  # members by id
            parts[3] = scn.constituencies[parts[1]].members[where[3]].id
        if ".".join(parts) == path:
            return est
    raise UsageError(f"path '{path}' does not name a number")  # pragma: no cover


def _margins(scn: Scenario, path: str, values: FloatArray) -> FloatArray:
    """The max–min margin at each value of the parameter (−inf where the value is not valid)."""
    return _margins_all(scn, [(path, values)])[0]


def _margins_all(scn: Scenario, asked: list[tuple[str, FloatArray]]) -> list[FloatArray]:
    """``_margins`` of several parameters, solved as one batch (the batched solver agrees with
    ``maxmin`` to ~1e-6, and gives each draw the same numbers whatever the batch).

    The deal space reads only best values, so the spaces of every value are built at once (the
    value as a draw of the estimate at the path), and a value's scenario is validated (as
    ``with_value`` does) only where that can matter: where the margin says the zone is open."""
    margins = _raw_margins(scn, asked)
    valid = _Validity(scn)
    for (path, values), out in zip(asked, margins, strict=True):
        for i in np.nonzero(out >= -TOL)[0]:
            if not valid(path, float(values[i])):
                out[i] = -np.inf
    return margins


class _Validity:
    """Whether the scenario with one value changed is valid (as ``with_value`` decides),
    remembered per (path, value). ``scenario.incremental`` decides it as full validation
    would, without validating the whole scenario again for each value."""

    def __init__(self, scn: Scenario) -> None:
        self.edits = Edits(scn)
        self.seen: dict[tuple[str, float], bool] = {}

    def __call__(self, path: str, value: float) -> bool:
        key = (path, value)
        if key not in self.seen:
            self.seen[key] = self.edits.valid(path, value)
        return self.seen[key]


def _first_other(margins: FloatArray, order: Any, open_now: bool, is_valid: Any) -> int | None:
    """The first index in ``order`` whose zone state differs from ``open_now``: open where the
    margin is >= -TOL and the value is valid. Values are validated lazily, in ``order``, and
    only where the margin says open, so the answer is that of validating every value first."""
    for index in order:
        j = int(index)
        is_open = bool(margins[j] >= -TOL) and is_valid(j)
        if is_open != open_now:
            return j
    return None


def _raw_margins(scn: Scenario, asked: list[tuple[str, FloatArray]]) -> list[FloatArray]:
    """The max–min margin at each value, before any validation of the changed scenarios."""
    if not asked:
        return []
    space = _values_space(scn, asked)
    sizes = np.cumsum([len(v) for _, v in asked])[:-1]
    return np.split(maxmin_margins(space)[0], sizes)


def _values_space(scn: Scenario, asked: list[tuple[str, FloatArray]]) -> DealSpace:
    """The deal space whose draws are each path's values in turn, the other estimates at their
    best values: one ``build_space`` for all of them. The space is built draw by draw, so this
    is, bit for bit, the ``stack`` of one space per path with its values as the draws."""
    total = sum(len(v) for _, v in asked)
    drawn: dict[int, tuple[Estimate, FloatArray]] = {}
    start = 0
    for path, values in asked:
        target = _estimate_at(scn, path)
        column = drawn.setdefault(id(target), (target, np.full(total, float(target.best))))[1]
        column[start : start + len(values)] = np.asarray(values, dtype=float)
        start += len(values)

    def value(est: Estimate) -> Any:
        hit = drawn.get(id(est))
        return hit[1] if hit is not None and hit[0] is est else np.asarray(est.best, dtype=float)

    return build_space(scn, value, total)


def what_it_takes(scn: Scenario, path: str) -> WhatItTakes:
    """Scan the parameter's domain (41 points), then narrow to the boundary nearest the current
    value (8 rounds of 15 points, to ~1e-11 of the domain). The margin is the verdict's: the
    smallest margin of every row a deal must meet (parties and commitment) at the package best
    for whichever is worst off; the zone is open where it is ≥ 0. When the zone is closed now
    the answer is what opens it; when open, how far the parameter can move before it closes."""
    return what_it_takes_all(scn, [path])[0]


_DONE: ObjectMemo[list[WhatItTakes]] = ObjectMemo(4)


def what_it_takes_all(scn: Scenario, paths: list[str]) -> list[WhatItTakes]:
    """``what_it_takes`` of each parameter, the scans of all of them solved as one batch per
    round. Scenarios are immutable, so the answers for the same scenario object and paths are
    computed once (the latest few are kept): the summary and the report both ask."""
    return list(_DONE.get_or(scn, lambda: _what_it_takes_all(scn, paths), tuple(paths)))


def _what_it_takes_all(scn: Scenario, paths: list[str]) -> list[WhatItTakes]:
    from multipolar.dynamics.apply import resolve

    scn = resolve(scn)  # vary the current state, after the scenario's events
    start = []
    # every parameter at its current value is the scenario itself: one margin for all
    now = maxmin(build_space(scn)).margin if paths else 0.0
    for path in paths:
        current = get_estimate(scn, path).best
        if not np.isfinite(now):
            raise UsageError(f"path '{path}': the current value is not valid for the scenario")
        start.append((current, now, domain(scn, path)))
    grids = [np.linspace(lo, hi, _GRID) for _, _, (lo, hi) in start]
    found: dict[int, WhatItTakes] = {}
    brackets: dict[int, tuple[float, float]] = {}  # path -> (inside, outside)
    valid = _Validity(scn)  # validated lazily: only the values that decide an answer
    for i, margins in enumerate(_raw_margins(scn, list(zip(paths, grids, strict=True)))):
        current, now, (lo, hi) = start[i]
        grid, path = grids[i], paths[i]
        # the nearest value (ties: the first) whose state differs from now's
        by_distance = np.argsort(np.abs(grid - current), kind="stable")
        nearest = _first_other(
            margins, by_distance, now >= -TOL, lambda j, g=grid, p=path: valid(p, float(g[j]))
        )
        if nearest is None:
            found[i] = WhatItTakes(paths[i], current, now, (lo, hi), None, None)
            continue
        brackets[i] = (current, float(grid[nearest]))  # same state as now / the other
    order = sorted(brackets)
    for _ in range(_ROUNDS):
        points = {i: np.linspace(*brackets[i], _SPLIT + 2)[1:-1] for i in order}
        solved = _raw_margins(scn, [(paths[i], points[i]) for i in order])
        for i, margins in zip(order, solved, strict=True):
            inside, outside = brackets[i]
            pts, path = points[i], paths[i]
            flip = _first_other(
                margins,
                range(len(pts)),
                start[i][1] >= -TOL,
                lambda j, x=pts, p=path: valid(p, float(x[j])),
            )
            if flip is None:
                inside = float(pts[-1])
            else:
                outside = float(pts[flip])
                inside = float(pts[flip - 1]) if flip > 0 else inside
            brackets[i] = (inside, outside)
    for i in order:
        current, now, (lo, hi) = start[i]
        is_open = now >= -TOL
        inside, outside = brackets[i]
        boundary = inside if is_open else outside  # a value at which the zone is (still) open
        changed = valid.edits.set(paths[i], boundary)  # as with_value(scn, path, boundary)
        space = build_space(changed)
        verb = "last open" if is_open else "opened"
        package = describe(space, f"{verb} at {paths[i]} = {boundary:.4g}", maxmin(space).z)
        found[i] = WhatItTakes(paths[i], current, now, (lo, hi), boundary, package)
    return [found[i] for i in range(len(paths))]
