"""Optimisation over the deal space (one draw): the largest common margin over every constraint
a deal must meet, and the feasible package best for one party.

The constraints are the rows of a deal: each party that must accept (u_i(z) − d_i ≥ 0) and, when
the war has a commitment problem, the commitment constraint (a + b·z_g ≥ 0, in the declining
side's utility units; z_g the level of the guarantee issue when the guarantee is tied to one).
Every problem has the form: choose a package z ∈ [0, 1]^k (and a margin t) to maximise a goal
subject to row_r(z) ≥ t·scale_r + floor_r for every row. The margin of a package is the smallest
row slack, so the max–min margin is positive iff a zone of agreement exists, and the row that
attains it is the one that binds. Quadratic utilities make these smooth concave programs (SLSQP
with analytic gradients, several starts); linear utilities make them linear programs (HiGHS).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from multipolar.deals.space import DealSpace, binding, party_rows, slacks, take
from multipolar.scenario.arrays import FloatArray

Goal = str | int  # "t": the common margin; "sum": total utility of the parties; int: one row


@dataclass(frozen=True)
class Point:
    """A package (normalised) and its margin: the smallest slack of any row (a party that must
    accept, or the commitment constraint)."""

    z: FloatArray
    margin: float


def _parts(space: DealSpace, draw: int) -> tuple[FloatArray, FloatArray, FloatArray, list[int]]:
    """Ideal, weight and walk-away of the u − d rows (parties, then ratification rows) in one
    draw, and the parties' actor indices."""
    actors = [int(c) for c in np.nonzero(space.veto)[0]]
    x, w, d = party_rows(space)
    return x[draw], w[draw], d[draw], actors


def rows(space: DealSpace) -> int:
    """The number of constraint rows: the parties that must accept, plus the commitment."""
    return int(space.veto.sum()) + len(space.rat_rows) + (1 if space.commit_a is not None else 0)


def _margin(space: DealSpace, draw: int, z: FloatArray) -> float:
    return float(np.min(slacks(space, z[None, :])[draw, 0][binding(space)]))


def _commit(space: DealSpace, draw: int) -> tuple[float, float] | None:
    """(a, b) of the commitment slack a + b·z_g for one draw (b = 0 when the guarantee is not
    tied to an issue), or None."""
    if space.commit_a is None or space.commit_b is None:
        return None
    b = float(space.commit_b[draw]) if space.guarantee_issue is not None else 0.0
    return float(space.commit_a[draw]), b


def _lp(
    space: DealSpace, draw: int, scale: FloatArray, goal: Goal, t_fixed: float | None,
    floor: FloatArray,
) -> Point:  # fmt: skip
    ideal, w, d, _ = _parts(space, draw)
    m, k = ideal.shape
    g = space.guarantee_issue
    terms = _commit(space, draw)
    nvar = k + m * k + 1  # z, e (|z − ideal| per party and issue), t
    c = np.zeros(nvar)
    if goal == "t":
        c[-1] = -1.0
    elif goal == "sum":
        c[k : k + m * k] = w.ravel()
    elif int(goal) < m:
        c[k + int(goal) * k : k + (int(goal) + 1) * k] = w[int(goal)]
    elif terms is not None and g is not None:  # the commitment row: maximise b·z_g
        c[g] = -terms[1]
    A, rhs = [], []
    for i in range(m):
        for j in range(k):
            for sign in (1.0, -1.0):  # e_ij >= ±(z_j − ideal_ij)
                row = np.zeros(nvar)
                row[j], row[k + i * k + j] = sign, -1.0
                A.append(row)
                rhs.append(sign * ideal[i, j])
        row = np.zeros(nvar)  # Σ_j w_ij e_ij + scale_i t <= Σ_j w_ij − d_i − floor_i
        row[k + i * k : k + (i + 1) * k] = w[i]
        row[-1] = scale[i]
        A.append(row)
        rhs.append(w[i].sum() - d[i] - floor[i])
    if terms is not None:  # a + b·z_g >= scale·t + floor
        row = np.zeros(nvar)
        if g is not None:
            row[g] = -terms[1]
        row[-1] = scale[m]
        A.append(row)
        rhs.append(terms[0] - floor[m])
    t_bounds = (None, None) if t_fixed is None else (t_fixed, t_fixed)
    bounds = [(0.0, 1.0)] * k + [(0.0, None)] * (m * k) + [t_bounds]
    res = optimize.linprog(c, A_ub=np.array(A), b_ub=np.array(rhs), bounds=bounds, method="highs")
    if res.status != 0:  # only a fixed t can be infeasible (t is free otherwise)
        return _unsolved(space, draw, t_fixed)
    z = np.clip(res.x[:k], 0.0, 1.0)
    return Point(z, _margin(space, draw, z))


def _unsolved(space: DealSpace, draw: int, t_fixed: float | None) -> Point:
    """What a programme with no solution gives: for a fixed margin (a party's best package
    when none is feasible) the max–min package; otherwise no package at all."""
    return _maxmin(space, draw) if t_fixed is not None else Point(space.status_quo[draw], -np.inf)


def _starts(space: DealSpace, draw: int, goal: Goal) -> list[FloatArray]:
    """Starting packages. The problems are concave, so one start suffices in exact arithmetic;
    a second guards SLSQP against a poor first step."""
    ideal, w, _, _ = _parts(space, draw)
    mean = np.sum(w * ideal, axis=0) / np.maximum(np.sum(w, axis=0), 1e-12)
    if isinstance(goal, int) and goal < len(ideal):
        return [ideal[goal], mean]
    return [mean] if goal != "t" else [mean, space.status_quo[draw]]


def _qp(
    space: DealSpace, draw: int, scale: FloatArray, goal: Goal, t_fixed: float | None,
    floor: FloatArray,
) -> Point:  # fmt: skip
    ideal, w, d, _ = _parts(space, draw)
    m, k = ideal.shape
    terms = _commit(space, draw)
    g = space.guarantee_issue
    ca, cb = (0.0, 0.0) if terms is None else terms

    def cons(v: FloatArray) -> FloatArray:
        z, t = v[:k], v[k]
        out = np.sum(w * (1 - (z - ideal) ** 2), axis=1) - d - scale[:m] * t - floor[:m]
        if terms is not None:
            level = z[g] if g is not None else 0.0
            out = np.append(out, ca + cb * level - scale[m] * t - floor[m])
        return out

    def jac(v: FloatArray) -> FloatArray:
        J = np.hstack([-2 * w * (v[:k] - ideal), -scale[:m, None]])
        if terms is not None:
            extra = np.zeros(k + 1)
            if g is not None:
                extra[g] = cb
            extra[k] = -scale[m]
            J = np.vstack([J, extra])
        return J

    who = np.arange(m) if goal == "sum" else ([int(goal)] if goal != "t" else [])
    commit_goal = isinstance(goal, int) and goal >= m

    def objective(v: FloatArray) -> float:
        if goal == "t":
            return -float(v[k])
        if commit_goal:
            return -cb * float(v[g]) if g is not None else 0.0
        return -float(np.sum(w[who] * (1 - (v[:k] - ideal[who]) ** 2)))

    def grad(v: FloatArray) -> FloatArray:
        out = np.zeros(k + 1)
        if goal == "t":
            out[k] = -1.0
        elif commit_goal:
            if g is not None:
                out[g] = -cb
        else:
            out[:k] = np.sum(2 * w[who] * (v[:k] - ideal[who]), axis=0)
        return out

    t_bounds = (None, None) if t_fixed is None else (t_fixed, t_fixed)
    positive = scale > 0
    found: list[tuple[float, Point]] = []
    for z0 in _starts(space, draw, goal):
        if t_fixed is not None:
            t0 = t_fixed
        elif positive.any():
            t0 = float(np.min(cons(np.append(z0, 0.0))[positive] / scale[positive]))
        else:
            t0 = 0.0
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
        return _unsolved(space, draw, t_fixed)
    return max(found, key=lambda pair: pair[0])[1]


def maxmin(
    space: DealSpace, draw: int = 0, scale: FloatArray | None = None, *, leximin: bool = False
) -> Point:
    """The package maximising the smallest (scaled) slack over every row: the parties that must
    accept and the commitment constraint. The margin is ≥ 0 iff a zone of agreement exists;
    when negative, it is by how much the closest package falls short on the row that binds.
    A row with scale 0 is a hard constraint (slack ≥ 0) that does not enter the margin.

    With ``leximin`` the tie left by the binding row is broken the egalitarian way: then the
    second smallest slack is maximised, and so on. Quadratic utilities: by the batched
    interior-point rounds of :mod:`multipolar.deals.leximin`; otherwise (or should those not
    converge) by SLSQP or HiGHS with floors and tie tests.
    """
    if leximin and space.rat_rows and draw == 0 and scale is None:
        from multipolar.deals.ratify import solved

        known = solved(space)  # solved while choosing the space's winning coalitions
        if known is not None:
            return known
    if leximin and space.quadratic:
        return leximin_points(take(space, [draw]), scale)[0]
    return _maxmin(space, draw, scale, leximin=leximin)


def leximin_points(space: DealSpace, scale: FloatArray | None = None) -> list[Point]:
    """The leximin package of every draw of ``space`` (solved as one batch)."""
    from multipolar.deals.leximin import leximin

    out = []
    if space.quadratic:
        z, ok = leximin(space, None if scale is None else np.asarray(scale, float)[: rows(space)])
    else:
        z, ok = np.zeros((space.draws, len(space.issues))), np.zeros(space.draws, dtype=bool)
    for d in range(space.draws):
        if ok[d]:
            out.append(Point(z[d], _margin(space, d, z[d])))
        else:
            out.append(_maxmin(space, d, scale, leximin=True))
    return out


def _maxmin(
    space: DealSpace, draw: int = 0, scale: FloatArray | None = None, *, leximin: bool = False
) -> Point:
    """``maxmin`` by SLSQP (quadratic) or HiGHS (linear), one draw at a time."""
    R = rows(space)
    sc = np.ones(R) if scale is None else np.asarray(scale, dtype=float)[:R]
    solver = _qp if space.quadratic else _lp
    point = solver(space, draw, sc, "t", None, np.zeros(R))
    if not leximin or not np.isfinite(point.margin):
        return point
    active, floor = sc > 0, np.zeros(R)
    while active.any():
        cur = solver(space, draw, np.where(active, sc, 0.0), "t", None, floor)
        if not np.isfinite(cur.margin):
            break
        point = cur
        level = (_gains(space, draw, cur.z) - floor) / np.maximum(sc, 1e-12)
        t_star = float(np.min(level[active]))
        binding_now = active & (level <= t_star + 1e-7)
        saturated = np.zeros(R, dtype=bool)
        if binding_now.sum() == 1:
            # a unique worst-off row is saturated: raising it would raise the optimum t*
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
    """Every row's slack at package z: the parties' u_i − d_i, then the commitment's."""
    return slacks(space, z[None, :])[draw, 0][binding(space)]


def best_for(space: DealSpace, actor: int, draw: int = 0) -> Point:
    """The feasible package best for party ``actor`` (its index among the parties that must
    accept); the max–min package when nothing is feasible."""
    return best_each(space, draw, [actor])[0]


def best_each(space: DealSpace, draw: int = 0, actors: list[int] | None = None) -> list[Point]:
    """``best_for`` every party that must accept (or those in ``actors``), solved as one batch
    with quadratic utilities."""
    m = int(space.veto.sum())
    chosen = list(range(m)) if actors is None else actors
    if space.quadratic:
        from multipolar.deals import leximin

        z, ok = leximin.best_each(space, draw)
    else:
        z, ok = np.zeros((m, len(space.issues))), np.zeros(m, dtype=bool)
    return [
        Point(z[i], _margin(space, draw, z[i])) if ok[i] else _best_for(space, i, draw)
        for i in chosen
    ]


def _best_for(space: DealSpace, actor: int, draw: int = 0) -> Point:
    R = rows(space)
    solver = _qp if space.quadratic else _lp
    return solver(space, draw, np.zeros(R), actor, 0.0, np.zeros(R))
