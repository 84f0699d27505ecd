"""The multi-issue deal space: who must accept, what each actor gets from a package, and what
each can walk away to (continued war for the belligerents, the status quo or a given value for
everyone else).

Utility of package z (issues normalised to [0, 1]) for actor i:
u_i(z) = Σ_k ŝ_ik v(|z_k − ẑ_ik|), with ŝ_ik = s_ik / Σ_k s_ik over the issues i takes a position
on and v(d) = 1 − d² (quadratic, default) or 1 − d (linear). u_i lies in [0, 1].

All arrays carry a leading draw axis D (D = 1 for best values), so that the same code serves
point analysis and Monte Carlo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from multipolar.scenario.arrays import BoolArray, FloatArray
from multipolar.scenario.schema import Scenario
from multipolar.uncertainty.sampling import Sampler, best_values

RELAXED = 1e3  # the slack of a switched-off ratification row: never the smallest


@dataclass(frozen=True)
class DealSpace:
    """Arrays of a deal space; D draws × n actors × k issues."""

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    lo: FloatArray  # (k,)
    hi: FloatArray  # (k,)
    ideal: FloatArray  # (D, n, k) normalised ideal points (0 where no position)
    weight: FloatArray  # (D, n, k) normalised saliences, rows sum to 1
    quadratic: bool
    walk_away: FloatArray  # (D, n)
    veto: BoolArray  # (n,) actors who must accept a package
    status_quo: FloatArray  # (D, k) normalised status quo package
    commit_a: FloatArray | None  # (D,) commitment slack a + b·z_g, in the declining side's
    commit_b: FloatArray | None  # (D,) utility units (Powell); None: no commitment problem
    guarantee_issue: int | None  # the issue whose level carries the guarantee, if tied
    stake_values: FloatArray | None = None  # (D, 2) what the stakes are worth to each belligerent
    # ratification rows (Putnam's level II, :mod:`multipolar.deals.ratify`): one per domestic
    # constituency whose consent a party that must accept needs, named ACTOR/ID; a member left
    # out of the chosen winning coalition of a majority rule is switched off in the draws where
    # ``rat_on`` is False (its row then has slack RELAXED and no weight on any issue)
    rat_rows: tuple[str, ...] = ()
    rat_ideal: FloatArray | None = None  # (D, r, k)
    rat_weight: FloatArray | None = None  # (D, r, k)
    rat_walk: FloatArray | None = None  # (D, r)
    rat_on: BoolArray | None = None  # (D, r)

    @property
    def draws(self) -> int:
        return int(self.ideal.shape[0])

    def to_scale(self, z: FloatArray) -> FloatArray:
        """Normalised packages back to the issues' own scales."""
        return self.lo + z * (self.hi - self.lo)

    def to_unit(self, x: FloatArray) -> FloatArray:
        return (np.asarray(x, dtype=float) - self.lo) / (self.hi - self.lo)


def stack(spaces: list[DealSpace]) -> DealSpace | None:
    """One space whose draws are the given spaces' draws, in order; None when they differ in
    anything but their drawn arrays (actors, issues, scales, who must accept, commitment)."""
    first = spaces[0]
    same = all(
        s.actors == first.actors and s.issues == first.issues
        and np.array_equal(s.lo, first.lo) and np.array_equal(s.hi, first.hi)
        and s.quadratic == first.quadratic and np.array_equal(s.veto, first.veto)
        and (s.commit_a is None) == (first.commit_a is None)
        and s.guarantee_issue == first.guarantee_issue
        and (s.stake_values is None) == (first.stake_values is None)
        and s.rat_rows == first.rat_rows
        for s in spaces
    )  # fmt: skip
    if not same:
        return None

    def cat(name: str) -> Any:
        parts = [getattr(s, name) for s in spaces]
        return None if parts[0] is None else np.concatenate(parts)

    return DealSpace(
        first.actors, first.issues, first.lo, first.hi, cat("ideal"), cat("weight"),
        first.quadratic, cat("walk_away"), first.veto, cat("status_quo"), cat("commit_a"),
        cat("commit_b"), first.guarantee_issue, cat("stake_values"), first.rat_rows,
        cat("rat_ideal"), cat("rat_weight"), cat("rat_walk"), cat("rat_on"),
    )  # fmt: skip


def take(space: DealSpace, draws: Any) -> DealSpace:
    """The space restricted to the given draws (indices or a slice), in that order."""

    def pick(a: Any) -> Any:
        return None if a is None else a[draws]

    return DealSpace(
        space.actors, space.issues, space.lo, space.hi, pick(space.ideal), pick(space.weight),
        space.quadratic, pick(space.walk_away), space.veto, pick(space.status_quo),
        pick(space.commit_a), pick(space.commit_b), space.guarantee_issue,
        pick(space.stake_values), space.rat_rows, pick(space.rat_ideal), pick(space.rat_weight),
        pick(space.rat_walk), pick(space.rat_on),
    )  # fmt: skip


def utilities(space: DealSpace, z: FloatArray) -> FloatArray:
    """u_i of packages ``z``: (m, k) for the same packages in every draw, or (D, m, k)
    -> (D, m, n)."""
    zz = z[None] if z.ndim == 2 else z
    dist = np.abs(zz[:, :, None, :] - space.ideal[:, None, :, :])  # (D, m, n, k)
    value = 1 - dist**2 if space.quadratic else 1 - dist
    return np.sum(space.weight[:, None] * value, axis=-1)


def party_rows(space: DealSpace) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Ideal (D, m, k), weight (D, m, k) and walk-away (D, m) of the rows of the form
    u − d ≥ 0: the parties that must accept, then the ratification rows."""
    cols = np.nonzero(space.veto)[0]
    x, w, d = space.ideal[:, cols], space.weight[:, cols], space.walk_away[:, cols]
    if not space.rat_rows:
        return x, w, d
    assert space.rat_ideal is not None
    assert space.rat_weight is not None
    assert space.rat_walk is not None
    on = np.ones(space.rat_walk.shape, dtype=bool) if space.rat_on is None else space.rat_on
    return (
        np.concatenate([x, space.rat_ideal], axis=1),
        np.concatenate([w, np.where(on[..., None], space.rat_weight, 0.0)], axis=1),
        np.concatenate([d, np.where(on, space.rat_walk, -RELAXED)], axis=1),
    )


def _rat_slacks(space: DealSpace, zz: FloatArray) -> FloatArray:
    """(D, m, r) slacks u_c − d_c of the ratification rows."""
    assert space.rat_ideal is not None
    assert space.rat_weight is not None
    assert space.rat_walk is not None
    dist = np.abs(zz[:, :, None, :] - space.rat_ideal[:, None, :, :])
    value = 1 - dist**2 if space.quadratic else 1 - dist
    out = np.sum(space.rat_weight[:, None] * value, axis=-1) - space.rat_walk[:, None, :]
    return out if space.rat_on is None else np.where(space.rat_on[:, None, :], out, RELAXED)


def slacks(space: DealSpace, z: FloatArray) -> FloatArray:
    """u_i − d_i for every actor, then u_c − d_c for every ratification row (ACTOR/ID) and,
    when there is a commitment problem, a last column for it:
    a + b·z_g (the declining side's gain from peace over fighting before the shift, in its
    utility units; z_g the guarantee issue's level). (D, m, n[+1]). A package is acceptable
    iff every ``binding`` column is ≥ 0."""
    s = utilities(space, z) - space.walk_away[:, None, :]
    zz = z[None] if z.ndim == 2 else z
    if space.rat_rows:
        r = np.broadcast_to(_rat_slacks(space, zz), (*s.shape[:2], len(space.rat_rows)))
        s = np.concatenate([s, r], axis=-1)
    if space.commit_a is None or space.commit_b is None:
        return s
    level = zz[:, :, space.guarantee_issue] if space.guarantee_issue is not None else 0.0
    g = space.commit_a[:, None] + space.commit_b[:, None] * level
    g = np.broadcast_to(g, s.shape[:2])
    return np.concatenate([s, g[..., None]], axis=-1)


def binding(space: DealSpace) -> BoolArray:
    """Columns of ``slacks`` that must be ≥ 0: the veto players, the ratification rows, and the
    commitment if any."""
    extra = [True] * len(space.rat_rows) + ([True] if space.commit_a is not None else [])
    return np.concatenate([space.veto, np.array(extra, dtype=bool)])


def _package(
    scn: Scenario, value: Sampler, d: int, ideal: FloatArray, stakes: dict[int, int]
) -> FloatArray:
    """The status quo (mid-scale where an issue has none) with ``stakes`` issues at an actor's
    ideal: issue index -> actor index."""
    out = np.empty((d, len(scn.issues)))
    for k, issue in enumerate(scn.issues):
        if k in stakes:
            out[:, k] = ideal[:, stakes[k], k]
        elif issue.status_quo is None:
            out[:, k] = 0.5
        else:
            out[:, k] = (np.broadcast_to(value(issue.status_quo), (d,)) - issue.low) / (
                issue.high - issue.low
            )
    return out


def _ideals_and_weights(
    scn: Scenario, value: Sampler, draws: int, lo: FloatArray, hi: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Normalised ideal points and saliences normalised over each actor's issues (D, n, k)."""
    n, k = len(scn.actors), len(scn.issues)
    ideal = np.zeros((draws, n, k))
    sal = np.zeros((draws, n, k))
    has = np.zeros((n, k), dtype=bool)
    for a, actor_id in enumerate(scn.actor_ids):
        for j, issue_id in enumerate(scn.issue_ids):
            est = scn.positions.get(actor_id, {}).get(issue_id)
            if est is not None:
                ideal[:, a, j] = (np.broadcast_to(value(est), (draws,)) - lo[j]) / (hi[j] - lo[j])
                sal[:, a, j] = value(scn.salience[actor_id][issue_id])
                has[a, j] = True
    total = sal.sum(axis=-1, keepdims=True)
    equal = has / np.maximum(has.sum(-1), 1)[:, None]
    return ideal, np.where(total > 0, sal / np.where(total > 0, total, 1), equal)


def build_space(scn: Scenario, value: Sampler = best_values, draws: int = 1) -> DealSpace:
    """The deal space of ``scn`` (after its events) with every estimate valued by ``value``
    (best by default)."""
    from multipolar.dynamics.apply import resolve

    scn = resolve(scn)
    actors, issues = scn.actor_ids, scn.issue_ids
    n = len(actors)
    lo = np.array([i.low for i in scn.issues])
    hi = np.array([i.high for i in scn.issues])
    ideal, weight = _ideals_and_weights(scn, value, draws, lo, hi)
    quadratic = scn.deal.utility == "quadratic"
    partial = DealSpace(
        tuple(actors), tuple(issues), lo, hi, ideal, weight, quadratic,
        np.zeros((draws, n)), np.zeros(n, bool), _package(scn, value, draws, ideal, {}),
        None, None, None,
    )  # fmt: skip
    # issues without a status quo are settled only by an agreement (deal.unsettled)
    rule = scn.deal.unsettled
    open_issues = np.array([i.status_quo is None for i in scn.issues]) & (rule != "midpoint")

    def outcome_utility(z: FloatArray) -> FloatArray:
        """(D, n) utilities of one no-deal outcome per draw (see ``deal.unsettled``)."""
        u = utilities(partial, z[:, None, :])[:, 0, :]
        if not open_issues.any():
            return u
        dist = np.abs(z[:, None, :] - partial.ideal)[:, :, open_issues]
        value = 1 - dist**2 if quadratic else 1 - dist
        settled = u - np.sum(partial.weight[:, :, open_issues] * value, axis=-1)
        if rule == "nothing":
            return settled
        share = 1 - partial.weight[:, :, open_issues].sum(axis=-1)
        return np.where(share > 1e-12, settled / np.where(share > 1e-12, share, 1.0), u)

    walk = outcome_utility(partial.status_quo)
    veto = np.zeros(n, dtype=bool)
    for members in [*scn.deal.owners.values(), *scn.deal.veto.values()]:
        veto[[actors.index(m) for m in members]] = True
    commit: tuple[FloatArray | None, FloatArray | None, int | None] = (None, None, None)
    worth: FloatArray | None = None
    war = scn.conflict
    if war is not None:
        a, b = (actors.index(x) for x in war.belligerents)
        veto[[a, b]] = True
        stakes = [issues.index(s) for s in war.stakes]
        win_a = _package(scn, value, draws, ideal, dict.fromkeys(stakes, a))
        win_b = _package(scn, value, draws, ideal, dict.fromkeys(stakes, b))
        p = np.broadcast_to(value(war.p), (draws,))
        u_win_a = outcome_utility(win_a)
        u_win_b = outcome_utility(win_b)
        for who in (a, b):
            cost = np.broadcast_to(value(war.costs[actors[who]]), (draws,))
            walk[:, who] = p * u_win_a[:, who] + (1 - p) * u_win_b[:, who] - cost
        worth = np.stack(
            [np.clip(u_win_a[:, a] - u_win_b[:, a], 1e-9, None),
             np.clip(u_win_b[:, b] - u_win_a[:, b], 1e-9, None)], axis=-1,
        )  # fmt: skip
        if war.power_shift is not None:
            first = war.power_shift.declining == war.belligerents[0]
            commit = _commitment(scn, value, draws, worth[:, 0 if first else 1])
    for actor_id, est in scn.deal.walk_away.items():
        walk[:, actors.index(actor_id)] = value(est)
    if not veto.any():
        veto[:] = True  # without a conflict or owners, everyone must agree
    out = DealSpace(
        tuple(actors), tuple(issues), lo, hi, ideal, weight, quadratic, walk, veto,
        partial.status_quo, *commit, worth,
    )  # fmt: skip
    if scn.constituencies:
        from multipolar.deals.ratify import with_ratification

        out = with_ratification(scn, out, value, draws)
    return out


def commitment_inputs(scn: Scenario, value: Sampler, draws: int) -> dict[str, FloatArray]:
    """δ, the declining side's chance now and after the shift, its cost and the side payment.

    The chance now defaults to p (or 1 − p) when the power shift does not give it.
    """
    war = scn.conflict
    assert war is not None
    assert war.power_shift is not None
    shift = war.power_shift

    def v(est: Any) -> FloatArray:
        return np.broadcast_to(np.asarray(value(est), dtype=float), (draws,))

    if shift.now is not None:
        now = v(shift.now)
    else:
        p = v(war.p)
        now = p if shift.declining == war.belligerents[0] else 1 - p
    side = v(war.side_payment) if war.side_payment is not None else np.zeros(draws)
    return {
        "delta": v(war.discount),
        "now": now,
        "next": v(shift.next),
        "cost": v(war.costs[shift.declining]),
        "side": side,
        "credibility": v(war.guarantee.credibility) if war.guarantee else np.zeros(draws),
    }


def _commitment(
    scn: Scenario, value: Sampler, draws: int, stake_value: FloatArray
) -> tuple[FloatArray, FloatArray, int | None]:
    """Powell's test as a slack a + b·z_g in the declining side's utility units.

    In units of the stakes (a pie of 1 per period) the declining side prefers peace iff
    δ(1 − κ)Δq ≤ (1 − δ)(1 + S − q_t + c_D/V_D), where V_D is what the stakes are worth to it,
    c_D its per-period cost (utility units, hence c_D/V_D), S a side payment and κ the guarantee's
    credibility (× the package's level z_g on the guarantee issue when tied to one). Multiplying
    the difference by V_D gives the slack in utility units, linear in z_g.
    """
    war = scn.conflict
    assert war is not None
    t = commitment_inputs(scn, value, draws)
    shift = np.clip(t["now"] - t["next"], 0.0, None)
    rhs = (1 - t["delta"]) * (1 + t["side"] - t["now"] + t["cost"] / stake_value)
    pressure = t["delta"] * shift
    guarantee = war.guarantee
    if guarantee is None or guarantee.issue is None:
        # no guarantee, or one not tied to an issue: the same for every package
        a = stake_value * (rhs - (1 - t["credibility"]) * pressure)
        return a, np.zeros(draws), None
    a = stake_value * (rhs - pressure)
    b = stake_value * t["credibility"] * pressure
    return a, b, scn.issue_ids.index(guarantee.issue)
