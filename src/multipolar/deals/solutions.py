"""Bargaining solutions on the feasible set and the Pareto frontier (Nash 1950; Kalai &
Smorodinsky 1975; the egalitarian solution of Kalai 1977)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from multipolar.deals.solve import Point, _margin, _parts, best_each, maxmin
from multipolar.deals.space import DealSpace, binding, utilities
from multipolar.scenario.arrays import FloatArray


@dataclass(frozen=True)
class Solutions:
    feasible: bool
    egalitarian: Point  # max min (u_i − d_i): also the closest package when none is feasible
    nash: Point | None
    kalai_smorodinsky: Point | None
    ideal_utilities: FloatArray | None  # a_i: each party's best feasible utility


def nash_point(space: DealSpace, start: Point, draw: int = 0) -> Point:
    """argmax Σ log(u_i − d_i) over the feasible set, from a strictly feasible start."""
    ideal, w, d, _ = _parts(space, draw)
    k = ideal.shape[1]
    eps = 1e-9 if space.quadratic else 1e-6  # smooths |·| for linear utilities

    def gains(z: FloatArray) -> FloatArray:
        dist = np.sqrt((z - ideal) ** 2 + (0 if space.quadratic else eps**2))
        value = 1 - dist**2 if space.quadratic else 1 - dist
        return np.sum(w * value, axis=1) - d

    parties = int(space.veto.sum())  # ratification rows constrain; they do not bargain

    def objective(z: FloatArray) -> float:
        g = gains(z)[:parties]
        return float(-np.sum(np.log(np.clip(g, 1e-300, None))))

    cons = []
    if (
        space.commit_a is not None
        and space.commit_b is not None
        and space.guarantee_issue is not None
    ):
        g_issue = space.guarantee_issue
        ca, cb = float(space.commit_a[draw]), float(space.commit_b[draw])
        cons.append({"type": "ineq", "fun": lambda z: ca + cb * z[g_issue]})
    cons.append({"type": "ineq", "fun": lambda z: gains(z) - 1e-12})
    res = optimize.minimize(
        objective, start.z, method="SLSQP", bounds=[(0.0, 1.0)] * k, constraints=cons,
        options={"ftol": 1e-14, "maxiter": 1000},
    )  # fmt: skip
    z = np.clip(res.x, 0.0, 1.0)
    cand = Point(z, _margin(space, draw, z))
    if not np.isfinite(objective(z)) or objective(z) > objective(start.z):
        return start
    return cand


def solve(space: DealSpace, draw: int = 0) -> Solutions:
    """Feasibility and the three bargaining solutions for one draw."""
    egal = maxmin(space, draw, leximin=True)
    if egal.margin < -1e-9:
        return Solutions(False, egal, None, None, None)
    _, _, d, actors = _parts(space, draw)
    best = best_each(space, draw)  # best_for every party, as one batch
    a = np.array(
        [float(utilities(space, p.z[None])[draw, 0, actors[i]]) for i, p in enumerate(best)]
    )
    # ratification rows and the commitment: hard constraints
    extra = [0.0] * (len(space.rat_rows) + (space.commit_a is not None))
    span = np.maximum(a - d[: len(actors)], 1e-12)
    ks = maxmin(space, draw, np.concatenate([span, extra]), leximin=True)
    nash = nash_point(space, egal, draw) if egal.margin > 1e-9 else egal
    return Solutions(True, egal, nash, ks, a)


def frontier(space: DealSpace, draw: int = 0, samples: int = 401, seed: int = 0) -> FloatArray:
    """Packages on the Pareto frontier of the parties that must accept (normalised, (M, k)).

    Each point maximises a weighted sum of concave utilities, so it is exactly Pareto-optimal;
    every Pareto point is such a maximiser, so the sample covers the whole frontier. Two parties:
    weights λ, 1 − λ on an even grid (exact up to the grid spacing). More: ``samples`` weight
    vectors drawn from a flat Dirichlet with ``seed``.
    """
    ideal, w, _, actors = _parts(space, draw)
    m = len(actors)  # the parties (ratification rows do not weigh in the frontier)
    ideal, w = ideal[:m], w[:m]
    if m == 2:
        lam = np.linspace(0.0, 1.0, samples)
        weights = np.stack([lam, 1 - lam], axis=1)
    else:
        weights = np.random.default_rng(seed).dirichlet(np.ones(m), samples)
    lw = weights[:, :, None] * w[None]  # (M, m, k)
    if space.quadratic:
        den = lw.sum(axis=1)
        num = np.sum(lw * ideal[None], axis=1)
        z = np.divide(
            num, den, out=np.broadcast_to(space.status_quo[draw], den.shape).copy(), where=den > 0
        )
    else:
        z = _weighted_median(ideal, lw)
    return np.clip(z, 0.0, 1.0)


def _weighted_median(ideal: FloatArray, lw: FloatArray) -> FloatArray:
    """Per issue, the lower weighted median of the parties' ideals under weights ``lw``."""
    order = np.argsort(ideal, axis=0)  # (m, k)
    xs = np.take_along_axis(ideal, order, axis=0)
    ws = np.take_along_axis(lw, np.broadcast_to(order, lw.shape), axis=1)
    cum = np.cumsum(ws, axis=1)
    idx = np.argmax(cum >= cum[:, -1:, :] / 2, axis=1)  # (M, k)
    return np.take_along_axis(np.broadcast_to(xs, lw.shape), idx[:, None, :], axis=1)[:, 0, :]


def is_dominated(space: DealSpace, z: FloatArray, others: FloatArray, draw: int = 0) -> bool:
    """Whether a package in ``others`` gives every binding party as much and one of them more."""
    cols = binding(space)[: len(space.actors)]
    u = utilities(space, z[None])[draw, 0, cols]
    v = utilities(space, others)[draw][:, cols]
    return bool(np.any(np.all(v >= u - 1e-12, axis=1) & np.any(v > u + 1e-9, axis=1)))
