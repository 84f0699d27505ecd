"""Optimisation over the deal space (one draw): the largest common margin over walk-away values,
and the feasible package best for one party.

Every problem has the form: choose a package z ∈ [0, 1]^k (and a margin t) to maximise a goal
subject to u_i(z) − d_i ≥ t·scale_i for the parties that must accept, and the commitment
constraint (a hard constraint). Quadratic utilities make these smooth concave programs (SLSQP
with analytic gradients, several starts); linear utilities make them linear programs (HiGHS).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import optimize

from multipolar.deals.space import DealSpace, binding, slacks
from multipolar.scenario.arrays import FloatArray

Goal = str | int  # "t": the common margin; "sum": total utility of the parties; int: one party


@dataclass(frozen=True)
class Point:
    """A package (normalised) and the smallest margin of any party that must accept it
    (including a violated commitment constraint)."""

    z: FloatArray
    margin: float


def _parts(space: DealSpace, draw: int) -> tuple[FloatArray, FloatArray, FloatArray, list[int]]:
    cols = np.nonzero(binding(space))[0]
    actors = [int(c) for c in cols if c < len(space.actors)]
    return (
        space.ideal[draw, actors],
        space.weight[draw, actors],
        space.walk_away[draw, actors],
        actors,
    )


def _margin(space: DealSpace, draw: int, z: FloatArray) -> float:
    s = slacks(space, z[None, :])[draw, 0][binding(space)]
    n_actors = int(space.veto.sum())
    worst = float(np.min(s[:n_actors]))
    if s.size > n_actors and s[-1] < -1e-9:  # the commitment counts only when violated
        worst = min(worst, float(s[-1]))
    return worst


def _commit(space: DealSpace, draw: int) -> tuple[float, float] | None:
    """(a, b) of the commitment slack a + b·z_g for one draw, or None."""
    if space.commit_a is None or space.commit_b is None:
        return None
    return float(space.commit_a[draw]), float(space.commit_b[draw])


def _lp(
    space: DealSpace, draw: int, scale: FloatArray, goal: Goal, t_fixed: float | None,
    floor: FloatArray | None = None,
) -> Point:  # fmt: skip
    ideal, w, d, _ = _parts(space, draw)
    m, k = ideal.shape
    nvar = k + m * k + 1  # z, e (|z − ideal| per party and issue), t
    c = np.zeros(nvar)
    if goal == "t":
        c[-1] = -1.0
    elif goal == "sum":
        c[k : k + m * k] = w.ravel()
    else:
        c[k + int(goal) * k : k + (int(goal) + 1) * k] = w[int(goal)]
    rows, rhs = [], []
    for i in range(m):
        for j in range(k):
            for sign in (1.0, -1.0):  # e_ij >= ±(z_j − ideal_ij)
                row = np.zeros(nvar)
                row[j], row[k + i * k + j] = sign, -1.0
                rows.append(row)
                rhs.append(sign * ideal[i, j])
        row = np.zeros(nvar)  # Σ_j w_ij e_ij + scale_i t <= Σ_j w_ij − d_i − floor_i
        row[k + i * k : k + (i + 1) * k] = w[i]
        row[-1] = scale[i]
        rows.append(row)
        rhs.append(w[i].sum() - d[i] - (0.0 if floor is None else floor[i]))
    terms = _commit(space, draw)
    if terms is not None and space.guarantee_issue is not None:  # a + b·z_g >= 0
        row = np.zeros(nvar)
        row[space.guarantee_issue] = -terms[1]
        rows.append(row)
        rhs.append(terms[0])
    t_bounds = (None, None) if t_fixed is None else (t_fixed, t_fixed)
    bounds = [(0.0, 1.0)] * k + [(0.0, None)] * (m * k) + [t_bounds]
    res = optimize.linprog(
        c, A_ub=np.array(rows), b_ub=np.array(rhs), bounds=bounds, method="highs"
    )
    if res.status != 0:  # only a party's goal can be infeasible (t is free otherwise)
        return (
            maxmin(space, draw) if isinstance(goal, int) else Point(space.status_quo[draw], -np.inf)
        )
    z = np.clip(res.x[:k], 0.0, 1.0)
    return Point(z, _margin(space, draw, z))


def _starts(space: DealSpace, draw: int, goal: Goal) -> list[FloatArray]:
    """Starting packages. The problems are concave, so one start suffices in exact arithmetic;
    a second guards SLSQP against a poor first step."""
    ideal, w, _, _ = _parts(space, draw)
    mean = np.sum(w * ideal, axis=0) / np.maximum(np.sum(w, axis=0), 1e-12)
    if isinstance(goal, int):
        return [ideal[goal], mean]
    return [mean] if goal == "sum" else [mean, space.status_quo[draw]]


def _qp(
    space: DealSpace, draw: int, scale: FloatArray, goal: Goal, t_fixed: float | None,
    floor: FloatArray | None = None,
) -> Point:  # fmt: skip
    ideal, w, d, _ = _parts(space, draw)
    m, k = ideal.shape
    terms = _commit(space, draw)
    tied = terms is not None and space.guarantee_issue is not None
    ca, cb = (0.0, 0.0) if terms is None else terms
    sc = scale[:m]
    fl = np.zeros(m) if floor is None else floor

    def cons(v: FloatArray) -> FloatArray:
        z, t = v[:k], v[k]
        out = np.sum(w * (1 - (z - ideal) ** 2), axis=1) - d - sc * t - fl
        if tied:
            out = np.append(out, ca + cb * z[space.guarantee_issue])
        return out

    def jac(v: FloatArray) -> FloatArray:
        rows = np.hstack([-2 * w * (v[:k] - ideal), -sc[:, None]])
        if tied:
            extra = np.zeros(k + 1)
            extra[space.guarantee_issue] = cb
            rows = np.vstack([rows, extra])
        return rows

    who = np.arange(m) if goal == "sum" else ([int(goal)] if goal != "t" else [])

    def objective(v: FloatArray) -> float:
        if goal == "t":
            return -float(v[k])
        return -float(np.sum(w[who] * (1 - (v[:k] - ideal[who]) ** 2)))

    def grad(v: FloatArray) -> FloatArray:
        g = np.zeros(k + 1)
        if goal == "t":
            g[k] = -1.0
        else:
            g[:k] = np.sum(2 * w[who] * (v[:k] - ideal[who]), axis=0)
        return g

    t_bounds = (None, None) if t_fixed is None else (t_fixed, t_fixed)
    found: list[tuple[float, Point]] = []
    for z0 in _starts(space, draw, goal):
        t0 = float(np.min(cons(np.append(z0, 0.0))[:m] / np.maximum(sc, 1e-12)))
        t0 = t0 if t_fixed is None else t_fixed
        res = optimize.minimize(
            objective, np.append(z0, t0), jac=grad, method="SLSQP",
            bounds=[(0.0, 1.0)] * k + [t_bounds],
            constraints=[{"type": "ineq", "fun": cons, "jac": jac}],
            options={"ftol": 1e-13, "maxiter": 500},
        )  # fmt: skip
        z = np.clip(res.x[:k], 0.0, 1.0)
        if np.min(cons(np.append(z, res.x[k]))) < -1e-7:
            continue  # this start did not reach the constraint set
        found.append((-objective(np.append(z, res.x[k])), Point(z, _margin(space, draw, z))))
    if not found:
        return (
            maxmin(space, draw) if isinstance(goal, int) else Point(space.status_quo[draw], -np.inf)
        )
    return max(found, key=lambda pair: pair[0])[1]


def _achievable(space: DealSpace, draw: int) -> bool:
    """Whether some package satisfies the commitment constraint (always, if there is none)."""
    terms = _commit(space, draw)
    if terms is None:
        return True
    a, b = terms
    return a + (b if space.guarantee_issue is not None else 0.0) >= 0.0


def maxmin(
    space: DealSpace, draw: int = 0, scale: FloatArray | None = None, *, leximin: bool = False
) -> Point:
    """The package maximising the smallest (scaled) margin u_i − d_i of the parties that must
    accept, subject to the commitment constraint. The margin is ≥ 0 iff a zone of agreement
    exists; when negative it is by how much the closest package falls short for the worst-off
    party, or by how much the commitment problem stays open when no guarantee level closes it.

    With ``leximin`` the tie left by the worst-off party is broken the egalitarian way: then the
    second worst-off party's margin is maximised, and so on (at most m rounds of m solves).
    """
    m = int(space.veto.sum())
    sc = np.ones(m) if scale is None else np.asarray(scale, dtype=float)[:m]
    if not _achievable(space, draw):  # the parties' best package; the shortfall of the best
        point = maxmin(  # guarantee level (z_g = 1) counts as a violated constraint
            replace(space, commit_a=None, commit_b=None, guarantee_issue=None),
            draw,
            sc,
            leximin=leximin,
        )
        a, b = _commit(space, draw) or (0.0, 0.0)
        best = a + (max(b, 0.0) if space.guarantee_issue is not None else 0.0)
        return Point(point.z, min(point.margin, best))
    solver = _qp if space.quadratic else _lp
    point = solver(space, draw, sc, "t", None)
    if not leximin or not np.isfinite(point.margin):
        return point
    active, floor = np.ones(m, dtype=bool), np.zeros(m)
    while active.any():
        cur = solver(space, draw, np.where(active, sc, 0.0), "t", None, floor)
        if not np.isfinite(cur.margin):
            break
        point = cur
        t_star = _scaled_min(space, draw, cur.z, sc, active, floor)
        level = (_gains(space, draw, cur.z) - floor) / np.maximum(sc, 1e-12)
        binding_now = active & (level <= t_star + 1e-7)
        saturated = np.zeros(m, dtype=bool)
        if binding_now.sum() == 1:
            # a unique worst-off party is saturated: raising it would raise the optimum t*
            saturated = binding_now
        else:
            for i in np.nonzero(binding_now)[0]:  # ties: can this one be raised on its own?
                trial = solver(space, draw, np.where(active, sc, 0.0), int(i), t_star - 1e-9, floor)
                gain = _gains(space, draw, trial.z)[i] - floor[i]
                saturated[i] = gain <= t_star * sc[i] + 1e-7
        if not saturated.any():
            break
        floor = np.where(saturated, t_star * sc, floor)
        active &= ~saturated
    return point


def _gains(space: DealSpace, draw: int, z: FloatArray) -> FloatArray:
    ideal, w, d, _ = _parts(space, draw)
    dist = np.abs(z - ideal)
    return np.sum(w * ((1 - dist**2) if space.quadratic else (1 - dist)), axis=1) - d


def _scaled_min(
    space: DealSpace,
    draw: int,
    z: FloatArray,
    sc: FloatArray,
    active: FloatArray,
    floor: FloatArray,
) -> float:
    gains = _gains(space, draw, z) - floor
    return float(np.min(gains[active] / np.maximum(sc[active], 1e-12)))


def best_for(space: DealSpace, actor: int, draw: int = 0) -> Point:
    """The feasible package best for party ``actor`` (its index among the parties that must
    accept); the max–min package when nothing is feasible."""
    m = int(space.veto.sum())
    solver = _qp if space.quadratic else _lp
    return solver(space, draw, np.zeros(m), actor, 0.0)
