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

import numpy as np

from multipolar.scenario.arrays import BoolArray, FloatArray
from multipolar.scenario.schema import Scenario
from multipolar.uncertainty.sampling import Sampler, best_values


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
    commit_need: FloatArray | None  # (D,) what closing the commitment problem needs (Powell)
    guarantee_issue: int | None  # the issue whose level carries the guarantee, if tied

    @property
    def draws(self) -> int:
        return int(self.ideal.shape[0])

    def to_scale(self, z: FloatArray) -> FloatArray:
        """Normalised packages back to the issues' own scales."""
        return self.lo + z * (self.hi - self.lo)

    def to_unit(self, x: FloatArray) -> FloatArray:
        return (np.asarray(x, dtype=float) - self.lo) / (self.hi - self.lo)


def utilities(space: DealSpace, z: FloatArray) -> FloatArray:
    """u_i of packages ``z``: (m, k) for the same packages in every draw, or (D, m, k)
    -> (D, m, n)."""
    zz = z[None] if z.ndim == 2 else z
    dist = np.abs(zz[:, :, None, :] - space.ideal[:, None, :, :])  # (D, m, n, k)
    value = 1 - dist**2 if space.quadratic else 1 - dist
    return np.sum(space.weight[:, None] * value, axis=-1)


def slacks(space: DealSpace, z: FloatArray) -> FloatArray:
    """u_i − d_i for every actor and, when there is a commitment problem, a last column for it:
    z_g − need when the guarantee is tied to issue g, else the constant −need. (D, m, n[+1]).
    A package is acceptable iff every ``binding`` column is ≥ 0."""
    s = utilities(space, z) - space.walk_away[:, None, :]
    if space.commit_need is None:
        return s
    zz = z[None] if z.ndim == 2 else z
    if space.guarantee_issue is None:
        g = np.broadcast_to(-space.commit_need[:, None], s.shape[:2])
    else:
        g = zz[:, :, space.guarantee_issue] - space.commit_need[:, None]
    return np.concatenate([s, g[..., None]], axis=-1)


def binding(space: DealSpace) -> BoolArray:
    """Columns of ``slacks`` that must be ≥ 0: the veto players, and the commitment if any."""
    extra = [True] if space.commit_need is not None else []
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


def build_space(scn: Scenario, value: Sampler = best_values, draws: int = 1) -> DealSpace:
    """The deal space of ``scn`` with every estimate valued by ``value`` (best by default)."""
    actors, issues = scn.actor_ids, scn.issue_ids
    n, k = len(actors), len(issues)
    lo = np.array([i.low for i in scn.issues])
    hi = np.array([i.high for i in scn.issues])
    ideal = np.zeros((draws, n, k))
    sal = np.zeros((draws, n, k))
    has = np.zeros((n, k), dtype=bool)
    for a, actor_id in enumerate(actors):
        for j, issue_id in enumerate(issues):
            est = scn.positions.get(actor_id, {}).get(issue_id)
            if est is not None:
                ideal[:, a, j] = (np.broadcast_to(value(est), (draws,)) - lo[j]) / (hi[j] - lo[j])
                sal[:, a, j] = value(scn.salience[actor_id][issue_id])
                has[a, j] = True
    total = sal.sum(axis=-1, keepdims=True)
    weight = np.where(
        total > 0, sal / np.where(total > 0, total, 1), has / np.maximum(has.sum(-1), 1)[:, None]
    )
    quadratic = scn.deal.utility == "quadratic"
    partial = DealSpace(
        tuple(actors), tuple(issues), lo, hi, ideal, weight, quadratic,
        np.zeros((draws, n)), np.zeros(n, bool), _package(scn, value, draws, ideal, {}), None, None,
    )  # fmt: skip
    walk = utilities(partial, partial.status_quo[:, None, :])[:, 0, :]
    veto = np.zeros(n, dtype=bool)
    for table in (scn.deal.owners, scn.deal.veto):
        for members in table.values():
            veto[[actors.index(m) for m in members]] = True
    need, g_issue = None, None
    war = scn.conflict
    if war is not None:
        a, b = (actors.index(x) for x in war.belligerents)
        veto[[a, b]] = True
        stakes = [issues.index(s) for s in war.stakes]
        win_a = _package(scn, value, draws, ideal, dict.fromkeys(stakes, a))
        win_b = _package(scn, value, draws, ideal, dict.fromkeys(stakes, b))
        p = np.broadcast_to(value(war.p), (draws,))
        u_win_a = utilities(partial, win_a[:, None, :])[:, 0, :]
        u_win_b = utilities(partial, win_b[:, None, :])[:, 0, :]
        for who in (a, b):
            cost = np.broadcast_to(value(war.costs[actors[who]]), (draws,))
            walk[:, who] = p * u_win_a[:, who] + (1 - p) * u_win_b[:, who] - cost
        need, g_issue = _commitment_need(scn, value, draws)
    for actor_id, est in scn.deal.walk_away.items():
        walk[:, actors.index(actor_id)] = value(est)
    if not veto.any():
        veto[:] = True  # without a conflict or owners, everyone must agree
    return DealSpace(
        tuple(actors), tuple(issues), lo, hi, ideal, weight, quadratic, walk, veto,
        partial.status_quo, need, g_issue,
    )  # fmt: skip


def _commitment_need(
    scn: Scenario, value: Sampler, draws: int
) -> tuple[FloatArray | None, int | None]:
    """The guarantee level a package needs for the declining side to prefer peace (Powell).

    War iff δ·(1 − κ)·Δq > (1 − δ)(1 + S − q_t + c_D), with κ = credibility × z_g when the
    guarantee is tied to an issue g. Solving for z_g gives the need; > 1 means no package can
    close the commitment problem, ≤ 0 means there is none to close.
    """
    war = scn.conflict
    if war is None or war.power_shift is None:
        return None, None
    shift = war.power_shift
    delta = np.broadcast_to(value(war.discount), (draws,))
    q_now = np.broadcast_to(value(shift.now), (draws,))
    dq = np.clip(q_now - np.broadcast_to(value(shift.next), (draws,)), 0.0, None)
    c_d = np.broadcast_to(value(war.costs[shift.declining]), (draws,))
    side = np.broadcast_to(value(war.side_payment), (draws,)) if war.side_payment else 0.0
    rhs = (1 - delta) * (1 + side - q_now + c_d)
    lhs_max = delta * dq
    guarantee = war.guarantee
    cred = np.broadcast_to(value(guarantee.credibility), (draws,)) if guarantee else np.zeros(draws)
    safe = np.where(lhs_max > 0, lhs_max, 1.0)
    kappa_needed = np.where(lhs_max > 0, 1 - rhs / safe, -1.0)  # ≤ 0: no problem to close
    if guarantee is None or guarantee.issue is None:
        # a guarantee not tied to an issue covers every package alike: a constant slack
        return np.clip(kappa_needed - cred, -1.0, 1.0), None
    g_issue = scn.issue_ids.index(guarantee.issue)
    need = np.where(
        kappa_needed <= 0, -1.0, np.where(cred > 0, kappa_needed / np.where(cred > 0, cred, 1), 2.0)
    )
    return np.clip(need, -1.0, 2.0), g_issue
