"""Optimisation over the deal space (one draw): the largest common margin over walk-away values,
the Nash, Kalai–Smorodinsky and egalitarian points, and the Pareto frontier.

Quadratic utilities make every problem a smooth concave program (solved with SLSQP and analytic
gradients); linear utilities make the max–min problems linear programs (HiGHS), exact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from multipolar.deals.space import DealSpace, binding, slacks
from multipolar.scenario.arrays import FloatArray

_TOL = 1e-10


@dataclass(frozen=True)
class Point:
    """A package (normalised) and the smallest margin of any party that must accept it."""

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


def _commit(space: DealSpace, draw: int) -> tuple[bool, float]:
    """(is there a commitment constraint, its need) for one draw."""
    if space.commit_need is None:
        return False, 0.0
    return True, float(space.commit_need[draw])


def _maxmin_lp(space: DealSpace, draw: int, scale: FloatArray, target: int | None) -> Point:
    ideal, w, d, _ = _parts(space, draw)
    m, k = ideal.shape
    # variables: z (k), e (m*k) distances, t
    nvar = k + m * k + 1
    c = np.zeros(nvar)
    if target is None:
        c[-1] = -1.0
    else:
        c[k + target * k : k + (target + 1) * k] = w[target]  # minimise weighted distance
    rows, rhs = [], []
    for i in range(m):
        for j in range(k):
            for sign in (1.0, -1.0):  # e_ij >= ±(z_j − ideal_ij)
                row = np.zeros(nvar)
                row[j] = sign
                row[k + i * k + j] = -1.0
                rows.append(row)
                rhs.append(sign * ideal[i, j])
        row = np.zeros(nvar)  # Σ_j w_ij e_ij + scale_i t <= Σ_j w_ij − d_i
        row[k + i * k : k + (i + 1) * k] = w[i]
        row[-1] = scale[i] if target is None else 0.0
        rows.append(row)
        rhs.append(w[i].sum() - d[i])
    has, need = _commit(space, draw)
    if has:
        row = np.zeros(nvar)
        row[-1] = scale[-1] if target is None else 0.0
        if space.guarantee_issue is not None:  # z_g − need >= scale t
            row[space.guarantee_issue] = -1.0
        rows.append(row)
        rhs.append(-need)
    bounds = (
        [(0.0, 1.0)] * k + [(0.0, None)] * (m * k) + [(None, None) if target is None else (0, 0)]
    )
    res = optimize.linprog(
        c, A_ub=np.array(rows), b_ub=np.array(rhs), bounds=bounds, method="highs"
    )
    if res.status != 0:  # infeasible with t fixed (target mode): report the max–min point instead
        return _maxmin_lp(space, draw, scale, None)
    z = np.clip(res.x[:k], 0.0, 1.0)
    return Point(z, _margin(space, draw, z))


def _margin(space: DealSpace, draw: int, z: FloatArray) -> float:
    s = slacks(space, z[None, :])[draw, 0]
    return float(np.min(s[binding(space)]))


def _starts(space: DealSpace, draw: int) -> list[FloatArray]:
    ideal, w, _, _ = _parts(space, draw)
    mean = np.sum(w * ideal, axis=0) / np.maximum(np.sum(w, axis=0), 1e-12)
    return [mean, space.status_quo[draw], *list(ideal)]


def _maxmin_qp(space: DealSpace, draw: int, scale: FloatArray, target: int | None) -> Point:
    ideal, w, d, _ = _parts(space, draw)
    m, k = ideal.shape
    has, need = _commit(space, draw)

    def cons(v: FloatArray) -> FloatArray:
        z, t = v[:k], v[k] if target is None else 0.0
        out = np.sum(w * (1 - (z - ideal) ** 2), axis=1) - d - scale[:m] * t
        if has:
            g = z[space.guarantee_issue] - need if space.guarantee_issue is not None else -need
            out = np.append(out, g - scale[-1] * t)
        return out

    def jac(v: FloatArray) -> FloatArray:
        z = v[:k]
        jz = -2 * w * (z - ideal)
        jt = -scale[:m, None] if target is None else np.zeros((m, 1))
        rows = np.hstack([jz, jt])
        if has:
            extra = np.zeros(k + 1)
            if space.guarantee_issue is not None:
                extra[space.guarantee_issue] = 1.0
            extra[k] = -scale[-1] if target is None else 0.0
            rows = np.vstack([rows, extra])
        return rows

    def objective(v: FloatArray) -> float:
        if target is None:
            return -float(v[k])
        return -float(np.sum(w[target] * (1 - (v[:k] - ideal[target]) ** 2)))

    def grad(v: FloatArray) -> FloatArray:
        g = np.zeros(k + 1)
        if target is None:
            g[k] = -1.0
        else:
            g[:k] = 2 * w[target] * (v[:k] - ideal[target])
        return g

    found: list[tuple[float, Point]] = []
    for z0 in _starts(space, draw):
        t0 = float(np.min(cons(np.append(z0, 0.0)))) if target is None else 0.0
        res = optimize.minimize(
            objective, np.append(z0, t0), jac=grad, method="SLSQP",
            bounds=[(0.0, 1.0)] * k + [(None, None) if target is None else (0.0, 0.0)],
            constraints=[{"type": "ineq", "fun": cons, "jac": jac}],
            options={"ftol": 1e-13, "maxiter": 500},
        )  # fmt: skip
        z = np.clip(res.x[:k], 0.0, 1.0)
        point = Point(z, _margin(space, draw, z))
        if target is None:
            found.append((point.margin, point))
        elif point.margin >= -1e-7:  # keep only starts that reached the feasible set
            found.append((-objective(np.append(z, 0.0)), point))
    if not found:  # target mode with an empty feasible set
        return _maxmin_qp(space, draw, scale, None)
    return max(found, key=lambda pair: pair[0])[1]


def maxmin(space: DealSpace, draw: int = 0, scale: FloatArray | None = None) -> Point:
    """The package maximising the smallest (scaled) margin u_i − d_i over the parties that must
    accept (and the commitment slack). Its margin ≥ 0 iff a zone of agreement exists; a negative
    margin is by how much the closest package falls short for the worst-off party."""
    cols = int(binding(space).sum())
    sc = np.ones(cols) if scale is None else scale
    return (_maxmin_qp if space.quadratic else _maxmin_lp)(space, draw, sc, None)


def best_for(space: DealSpace, actor: int, draw: int = 0) -> Point:
    """The feasible package best for party ``actor`` (its index among the binding actors)."""
    cols = int(binding(space).sum())
    return (_maxmin_qp if space.quadratic else _maxmin_lp)(space, draw, np.ones(cols), actor)
