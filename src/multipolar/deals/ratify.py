"""Two-level ratification (Putnam 1988) in the deal space: arrays, rules and win-sets.

A constituency c of actor i values a package z as every actor does, u_c(z) = Σ_k ŝ_ck v(|z_k −
x_ck|), and ratifies iff u_c(z) − d_c ≥ 0. The actor's rule passes iff the members that ratify
hold at least the rule's share of the members' total weight (1 for ``any_veto``, ``threshold``
for ``weighted_majority``, ``share`` for ``referendum``). The rule's margin at z is the slack of
its *pivotal* member: sort the members by slack, largest first, and take the first member at
which the cumulated weight reaches the share needed; the rule passes iff that margin ≥ 0.

In the max–min verdict a party that must accept gets one row per member whose consent it
needs, named ``ACTOR/ID``: every member under ``any_veto``; under a majority rule the members
of one minimal winning coalition, the one whose rows give the largest max–min margin at the
best values (exact: the max–min over a union of coalitions is the best of their max–mins).
The other members' rows are switched off (no weight, slack ``space.RELAXED``).

An actor's *win-set* is the share of the package space its constituencies ratify, estimated on
``samples`` packages drawn uniformly from the unit cube of the issues' scales with ``seed``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from multipolar.memo import ObjectMemo
from multipolar.scenario.arrays import BoolArray, FloatArray, IntArray
from multipolar.uncertainty.sampling import Sampler, best_values

if TYPE_CHECKING:
    from multipolar.deals.solve import Point
    from multipolar.deals.space import DealSpace
    from multipolar.scenario.constituencies import Ratification
    from multipolar.scenario.schema import Scenario

MAX_COMBOS = 256  # winning-coalition combinations tried at most (file order beyond)
#: the chosen coalitions of the latest scenarios, and the leximin packages they solved
_CHOSEN: ObjectMemo[BoolArray] = ObjectMemo(8)
_SOLVED: ObjectMemo[Point] = ObjectMemo(8)


def solved(space: DealSpace) -> Point | None:
    """The leximin package of ``space`` when choosing its winning coalitions solved it."""
    hit = _SOLVED.find(space)
    return hit[0] if hit is not None else None


EPS = 1e-12


@dataclass(frozen=True)
class Members:
    """One actor's constituencies as arrays: D draws × c members × k issues."""

    actor: str
    rule: str
    needed: float  # share of the total weight whose consent passes the rule
    ids: tuple[str, ...]
    weight: FloatArray  # (c,) votes or shares
    ideal: FloatArray  # (D, c, k) normalised ideal points
    sal: FloatArray  # (D, c, k) saliences normalised over each member's issues
    walk: FloatArray  # (D, c) walk-away utilities
    quadratic: bool = True

    @property
    def rows(self) -> list[str]:
        return [f"{self.actor}/{m}" for m in self.ids]


def member_arrays(
    space: DealSpace, actor: str, rat: Ratification, value: Sampler, draws: int
) -> Members:
    """The arrays of ``actor``'s constituencies, estimates valued by ``value``."""
    k = len(space.issues)
    c = len(rat.members)
    ideal, sal = np.zeros((draws, c, k)), np.zeros((draws, c, k))
    has = np.zeros((c, k), dtype=bool)
    col = {issue: q for q, issue in enumerate(space.issues)}
    for j, member in enumerate(rat.members):
        for issue_id, est in member.positions.items():
            q = col[issue_id]
            ideal[:, j, q] = value(est)  # a value (), or one per draw (D,)
            sal[:, j, q] = value(member.salience[issue_id])
            has[j, q] = True
    ideal = (ideal - space.lo) / (space.hi - space.lo)
    total = sal.sum(axis=-1, keepdims=True)
    equal = has / np.maximum(has.sum(-1), 1)[:, None]
    sal = np.where(total > 0, sal / np.where(total > 0, total, 1), equal)
    walk = np.zeros((draws, c))
    who = space.actors.index(actor)
    for j, member in enumerate(rat.members):
        if member.walk_away is not None:
            walk[:, j] = value(member.walk_away)
        elif member.walk_away_rule == "status_quo":
            sq = np.broadcast_to(space.status_quo, (draws, k))
            walk[:, j] = _utility(space.quadratic, ideal[:, j : j + 1], sal[:, j : j + 1], sq)[:, 0]
        else:
            walk[:, j] = space.walk_away[:, who]
    weight = np.array([m.weight for m in rat.members], dtype=float)
    ids = tuple(m.id for m in rat.members)
    return Members(actor, rat.rule, rat.needed, ids, weight, ideal, sal, walk, space.quadratic)


def _utility(quadratic: bool, ideal: FloatArray, sal: FloatArray, z: FloatArray) -> FloatArray:
    """u of packages z (D, k) -> (D, c) (ideal, sal (D, c, k)), or of z (N, k) -> (N, c)
    for one draw (ideal, sal (c, k))."""
    dist = np.abs(z[:, None, :] - ideal)
    value = 1 - dist**2 if quadratic else 1 - dist
    out: FloatArray = np.sum(sal * value, axis=-1)
    return out


def member_slacks(m: Members, z: FloatArray, draw: int = 0) -> FloatArray:
    """u_c(z) − d_c of every member at packages z (N, k), one draw: (N, c)."""
    return _utility(m.quadratic, m.ideal[draw], m.sal[draw], z) - m.walk[draw][None]


def rule_margin(
    slack: FloatArray, weight: FloatArray, needed: float
) -> tuple[FloatArray, IntArray]:
    """The rule's margin (the pivotal member's slack) and the pivotal member's index, over the
    last axis of ``slack`` (…, c)."""
    order = np.argsort(-slack, axis=-1, kind="stable")
    ranked = np.take_along_axis(slack, order, axis=-1)
    cum = np.cumsum(weight[order], axis=-1) / weight.sum()
    idx = np.argmax(cum >= needed - EPS, axis=-1)[..., None]
    return np.take_along_axis(ranked, idx, -1)[..., 0], np.take_along_axis(order, idx, -1)[..., 0]


def winning(weight: FloatArray, needed: float) -> list[tuple[int, ...]]:
    """The minimal winning coalitions (member indices), smallest first, then in file order."""
    c, total = len(weight), float(weight.sum())
    out = []
    for size in range(1, c + 1):
        for combo in itertools.combinations(range(c), size):
            w = float(weight[list(combo)].sum())
            if w / total < needed - EPS:
                continue
            if all((w - weight[j]) / total < needed - EPS for j in combo):
                out.append(combo)
    return out


def all_members(scn: Scenario, space: DealSpace, value: Sampler, draws: int) -> list[Members]:
    """The constituencies of every actor of the space that has some (in the block's order)."""
    return [
        member_arrays(space, actor, rat, value, draws)
        for actor, rat in scn.constituencies.items()
        if actor in space.actors
    ]


def with_ratification(scn: Scenario, space: DealSpace, value: Sampler, draws: int) -> DealSpace:
    """``space`` with a row for every constituency whose consent a party that must accept
    needs (see the module's docstring)."""
    must = [m for m in all_members(scn, space, value, draws)
            if space.veto[space.actors.index(m.actor)]]  # fmt: skip
    if not must:
        return space
    names = tuple(r for m in must for r in m.rows)
    ideal = np.concatenate([m.ideal for m in must], axis=1)
    sal = np.concatenate([m.sal for m in must], axis=1)
    walk = np.concatenate([m.walk for m in must], axis=1)
    full = replace(space, rat_rows=names, rat_ideal=ideal, rat_weight=sal, rat_walk=walk,
                   rat_on=np.ones((draws, len(names)), dtype=bool))  # fmt: skip
    if all(m.rule == "any_veto" for m in must):
        return full
    if value is best_values and draws == 1:
        on, point = _choose(full, must)
        _CHOSEN.put(scn, on)
        out = switch(full, on[None])
        if point is not None:  # the leximin package of the chosen rows, solved already
            _SOLVED.put(out, point)
        return out
    # the coalition chosen at the best values (computed once per scenario object)
    hit = _CHOSEN.find(scn)
    if hit is not None:
        on = hit[0]
    else:
        from multipolar.deals.space import build_space

        best = build_space(scn)
        assert best.rat_on is not None
        assert best.rat_rows == names
        on = best.rat_on[0]
    return switch(full, np.broadcast_to(on, (draws, len(names))))


def switch(space: DealSpace, on: BoolArray) -> DealSpace:
    """``space`` with the ratification rows where ``on`` (D, r) is False switched off (and the
    others on)."""
    return replace(space, rat_on=np.array(on, dtype=bool))


def _choose(space: DealSpace, must: list[Members]) -> tuple[BoolArray, Point | None]:
    """The rows of the winning coalitions (one per majority rule) with the largest max–min
    margin, and their leximin package: the leximin of every combination solved as one batch."""
    from multipolar.deals.solve import leximin_points
    from multipolar.deals.space import stack

    options: list[list[tuple[int, ...]]] = []
    start = 0
    for m in must:
        idx = range(start, start + len(m.ids))
        if m.rule == "any_veto":
            options.append([tuple(idx)])
        else:
            options.append([tuple(start + j for j in w) for w in winning(m.weight, m.needed)])
        start += len(m.ids)
    combos = list(itertools.islice(itertools.product(*options), MAX_COMBOS))
    masks = np.zeros((len(combos), len(space.rat_rows)), dtype=bool)
    for i, combo in enumerate(combos):
        masks[i, [j for part in combo for j in part]] = True
    if len(combos) == 1:
        return masks[0], None
    batch = stack([switch(space, mask[None]) for mask in masks])
    assert batch is not None
    points = leximin_points(batch)
    margins = np.array([p.margin for p in points])
    best = int(np.argmax(margins >= margins.max() - 1e-9))
    return masks[best], points[best]


def active_rows(space: DealSpace) -> list[str]:
    """The ratification rows switched on in the best-values draw."""
    if space.rat_on is None:
        return list(space.rat_rows)
    return [r for r, on in zip(space.rat_rows, space.rat_on[0], strict=True) if on]


def restrict(space: DealSpace, actors: BoolArray) -> DealSpace:
    """``space`` without the ratification rows of actors outside the mask ``actors``."""
    if not space.rat_rows:
        return space
    keep = [i for i, r in enumerate(space.rat_rows)
            if actors[space.actors.index(r.split("/", 1)[0])]]  # fmt: skip
    if len(keep) == len(space.rat_rows):
        return space
    assert space.rat_ideal is not None
    assert space.rat_weight is not None
    assert space.rat_walk is not None
    assert space.rat_on is not None
    if not keep:
        return replace(space, rat_rows=(), rat_ideal=None, rat_weight=None, rat_walk=None,
                       rat_on=None)  # fmt: skip
    return replace(
        space, rat_rows=tuple(space.rat_rows[i] for i in keep),
        rat_ideal=space.rat_ideal[:, keep], rat_weight=space.rat_weight[:, keep],
        rat_walk=space.rat_walk[:, keep], rat_on=space.rat_on[:, keep],
    )  # fmt: skip


def sample_packages(k: int, samples: int, seed: int) -> FloatArray:
    """``samples`` packages drawn uniformly from [0, 1]^k with ``seed`` (normalised)."""
    return np.random.default_rng([seed, 18]).random((samples, k))
