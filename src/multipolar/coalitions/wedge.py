"""Wedges: for a bloc, the one move of one member (its position or its salience on one issue,
anywhere in that estimate's range [low, high]) that most reduces the bloc's cohesion, and what
the move does to the deal: the zone of agreement, the binding margin and every party's margin.

The search is exact for positions and a grid for saliences. Cohesion is concave in one
member's position on one issue (a sum of −|x − x_j| terms), so its minimum over a range lies at
an end; each pair's alignment is monotone in one salience, but the bloc's mean need not be, so
saliences are tried at ``GRID`` evenly spaced values of the range (ends included). Ties go to the
smaller move, then to the earlier member, issue and kind (position before salience).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from multipolar.coalitions.alignment import alignment, arrays, blocs, cohesion
from multipolar.coalitions.defaults import THRESHOLD
from multipolar.deals.analysis import verdict_of
from multipolar.deals.solve import maxmin
from multipolar.deals.space import build_space
from multipolar.deals.verdict import Verdict
from multipolar.scenario.arrays import BoolArray, FloatArray
from multipolar.scenario.paths import with_value
from multipolar.scenario.schema import Scenario

GRID = 11  # values tried per salience range (positions: the two ends suffice)
KINDS = ("position", "salience")


@dataclass(frozen=True)
class Move:
    """One estimate moved: ``positions.<actor>.<issue>`` or ``salience.<actor>.<issue>``."""

    actor: str
    issue: str
    kind: str  # "position" or "salience"
    before: float  # best value now, on the issue's scale (or salience 0–1)
    after: float
    low: float
    high: float
    cohesion: float  # the bloc's cohesion after the move

    @property
    def path(self) -> str:
        table = "positions" if self.kind == "position" else "salience"
        return f"{table}.{self.actor}.{self.issue}"

    def text(self) -> str:
        return f"{self.path} {self.before:g} -> {self.after:g} (range {self.low:g}–{self.high:g})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "actor": self.actor,
            "issue": self.issue,
            "kind": self.kind,
            "before": self.before,
            "after": self.after,
            "range": [self.low, self.high],
            "cohesion_after": self.cohesion,
        }


@dataclass(frozen=True)
class Split:
    """One member's most divisive move, the blocs after it and the deal after it."""

    move: Move
    blocs_after: list[tuple[str, ...]]
    after: Verdict

    def as_dict(self, bloc: tuple[str, ...], before: Verdict) -> dict[str, Any]:
        a = self.after
        return {
            "move": self.move.as_dict(),
            "cohesion_after": self.move.cohesion,
            "splits": tuple(sorted(bloc)) not in {tuple(sorted(b)) for b in self.blocs_after},
            "blocs_after": ["+".join(b) for b in self.blocs_after],
            "deal": {
                "zone_before": before.zone,
                "zone_after": a.zone,
                "margin_before": before.margin,
                "margin_after": a.margin,
                "binding_before": list(before.binding),
                "binding_after": list(a.binding),
                "rows_before": before.rows,
                "rows_after": a.rows,
                "margin_change": changes(before, a),
                "package_after": a.package,
            },
        }


def changes(before: Verdict, after: Verdict) -> dict[str, float]:
    """Each row's margin after minus before (+ = more room for that party)."""
    return {r: after.rows[r] - m for r, m in before.rows.items() if r in after.rows}


@dataclass(frozen=True)
class Wedge:
    """The moves that most divide a bloc: each member's most divisive move, the most divisive
    first (that one is the bloc's wedge), each with what it does to the deal."""

    bloc: tuple[str, ...]
    cohesion: float  # before any move
    before: Verdict  # the deal before
    splits: list[Split]  # empty: no move within the ranges lowers the cohesion

    @property
    def move(self) -> Move | None:
        return self.splits[0].move if self.splits else None

    def as_dict(self) -> dict[str, Any]:
        first = self.splits[0].as_dict(self.bloc, self.before) if self.splits else {}
        return {
            "bloc": "+".join(self.bloc),
            "members": list(self.bloc),
            "cohesion_before": self.cohesion,
            "cohesion_after": self.move.cohesion if self.move else self.cohesion,
            "move": first.get("move"),
            "splits": first.get("splits", False),
            "blocs_after": first.get("blocs_after", []),
            "deal": first.get("deal"),
            "by_member": [s.as_dict(self.bloc, self.before) for s in self.splits],
        }


def candidates(
    x: FloatArray, s: FloatArray, has: BoolArray, members: list[int],
    pos_range: FloatArray, sal_range: FloatArray, grid: int = GRID,
) -> list[tuple[float, float, int, int, int, float]]:  # fmt: skip
    """Every move of a member of ``members`` within its ranges, with the bloc's cohesion after
    it: (cohesion, |move|, member, issue, kind 0 position / 1 salience, new value), sorted best
    wedge first. Positions are normalised (0–1); ``pos_range`` and ``sal_range`` are
    (n, k, 2) [low, high]. Only moves that change something are listed."""
    idx = np.asarray(members)
    xb, sb, hb = x[idx], s[idx], has[idx]
    moves: list[tuple[int, int, int, float]] = []
    for r, m in enumerate(members):
        for k in map(int, np.nonzero(has[m])[0]):
            lo, hi = pos_range[m, k]
            moves += [(r, k, 0, float(v)) for v in (lo, hi) if v != x[m, k]]
            lo, hi = sal_range[m, k]
            moves += [(r, k, 1, float(v)) for v in np.linspace(lo, hi, grid) if v != s[m, k]]
    if not moves:
        return []
    X = np.repeat(xb[None], len(moves), axis=0)
    S = np.repeat(sb[None], len(moves), axis=0)
    for t, (r, k, kind, v) in enumerate(moves):
        (X if kind == 0 else S)[t, r, k] = v
    coh = cohesion(alignment(X, S, np.broadcast_to(hb, X.shape)), np.arange(len(members)))
    out: list[tuple[float, float, int, int, int, float]] = []
    for t, (r, k, kind, v) in enumerate(moves):
        size = float(abs(v - (x if kind == 0 else s)[members[r], k]))
        out.append((float(coh[t]), size, members[r], k, kind, v))
    return sorted(out, key=lambda c: (round(c[0], 12), c[1], c[2], c[3], c[4]))


def _ranges(scn: Scenario) -> tuple[FloatArray, FloatArray]:
    """Normalised position ranges and salience ranges, (n, k, 2) each."""
    n, k = len(scn.actors), len(scn.issues)
    pos, sal = np.zeros((n, k, 2)), np.zeros((n, k, 2))
    for a, actor in enumerate(scn.actor_ids):
        for j, issue in enumerate(scn.issues):
            est = scn.positions.get(actor, {}).get(issue.id)
            if est is None:
                continue
            pos[a, j] = [(v - issue.low) / (issue.high - issue.low) for v in (est.lo, est.hi)]
            sest = scn.salience[actor][issue.id]
            sal[a, j] = [sest.lo, sest.hi]
    return pos, sal


def _move(scn: Scenario, c: tuple[float, float, int, int, int, float]) -> Move:
    coh, _, m, k, kind, v = c
    actor, issue = scn.actor_ids[m], scn.issues[k]
    if kind == 0:
        est = scn.positions[actor][issue.id]
        value = issue.low + v * (issue.high - issue.low)
    else:
        est = scn.salience[actor][issue.id]
        value = v
    return Move(actor, issue.id, KINDS[kind], est.best, float(np.round(value, 9)), est.lo,
                est.hi, coh)  # fmt: skip


def deal_state(scn: Scenario, *, leximin: bool = False) -> Verdict:
    """The deal verdict of a state without pending events, without Monte Carlo: at the max–min
    package, or with ``leximin`` at the egalitarian package the ``deals`` verdict uses (the
    same zone and binding margin; slower)."""
    space = build_space(scn)
    return verdict_of(scn, space, maxmin(space, leximin=leximin).z, draws=0, seed=0)


def wedge(
    scn: Scenario,
    bloc: tuple[str, ...],
    *,
    threshold: float = THRESHOLD,
    before: Verdict | None = None,
    leximin: bool = False,
    grid: int = GRID,
) -> Wedge:
    """The wedge of ``bloc`` in the state ``scn`` (no pending events): each member's most
    divisive move with its effect on the deal, the most divisive first; ``before`` is the
    state's verdict when already computed."""
    x, s, has = arrays(scn)
    members = [scn.actor_ids.index(a) for a in bloc]
    base = float(cohesion(alignment(x, s, has), members))
    pos, sal = _ranges(scn)
    found = [c for c in candidates(x, s, has, members, pos, sal, grid) if c[0] < base - 1e-9]
    verdict = before if before is not None else deal_state(scn, leximin=leximin)
    splits, seen = [], set()
    for c in found:  # sorted: the first move of each member is its most divisive
        if c[2] in seen:
            continue
        seen.add(c[2])
        move = _move(scn, c)
        moved = with_value(scn, move.path, move.after)
        groups, _ = blocs(alignment(*arrays(moved)), threshold)
        after = [tuple(moved.actor_ids[i] for i in g) for g in groups]
        splits.append(Split(move, after, deal_state(moved, leximin=leximin)))
    return Wedge(bloc, base, verdict, splits)
