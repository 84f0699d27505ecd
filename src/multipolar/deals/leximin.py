"""The leximin package and each party's best feasible package, for every draw of a deal space
at once (quadratic utilities), by the interior-point solver of :mod:`multipolar.deals.ipm`.

Leximin, by rounds: maximise the smallest scaled slack t over the rows still free; the rows
whose multiplier is positive cannot rise without another falling below t*, so they are
*saturated* at t*. The multipliers also say where the package is fixed for good: the
Lagrangian Σ λ_r row_r is separable, so every issue on which a saturated row has curvature, or
whose bound holds with a positive multiplier, keeps its value in every later round (any package
meeting the saturated rows' floors is a maximiser of the Lagrangian, which is unique on those
issues). Later rounds therefore solve only over the issues still free, for the rows still
free, and end when no free row depends on a free issue. This is the same leximin as
:func:`multipolar.deals.solve.maxmin` finds by SLSQP with floors and tie tests, without
programmes whose feasible set has no interior.

A draw whose programme does not converge is reported (``ok`` False) for the caller to solve
the old way.
"""

from __future__ import annotations

import numpy as np

from multipolar.deals import ipm
from multipolar.deals.space import DealSpace, binding, party_rows
from multipolar.scenario.arrays import BoolArray, FloatArray

ACTIVE = 1e-9  # a multiplier above this holds the optimum where it is
MAX_ROUNDS = 64


def programme_rows(space: DealSpace) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Q, L, C (D, R, k), (D, R, k), (D, R) of the rows: each party that must accept
    (u_i − d_i), then the commitment row (a + b·z_g) if any."""
    x, w, d = party_rows(space)
    D, m, k = x.shape
    R = m + (1 if space.commit_a is not None else 0)
    Q, L, C = np.zeros((D, R, k)), np.zeros((D, R, k)), np.zeros((D, R))
    Q[:, :m], L[:, :m] = w, 2 * w * x
    C[:, :m] = np.sum(w * (1 - x**2), axis=-1) - d
    if space.commit_a is not None and space.commit_b is not None:
        C[:, m] = space.commit_a
        if space.guarantee_issue is not None:
            L[:, m, space.guarantee_issue] = space.commit_b
    return Q, L, C


def _unused(space: DealSpace, Q: FloatArray, L: FloatArray) -> tuple[BoolArray, FloatArray]:
    """Issues no row depends on (D, k), and where the SLSQP solver leaves them: its first start,
    the parties' salience-weighted mean ideal (0 when no party weighs the issue)."""
    x, w, _ = party_rows(space)
    mean = np.sum(w * x, axis=1) / np.maximum(np.sum(w, axis=1), 1e-12)
    return ~np.any((Q != 0) | (L != 0), axis=1), mean


def leximin(space: DealSpace, scale: FloatArray | None = None) -> tuple[FloatArray, BoolArray]:
    """The leximin package (D, k) of every draw over the rows' scaled slacks (a row with scale
    0 is a hard constraint, slack ≥ 0), and which draws were solved."""
    Q, L, C = programme_rows(space)
    D, R, k = Q.shape
    sc = np.ones((D, R)) if scale is None else np.broadcast_to(np.asarray(scale, float), (D, R))
    hard = sc <= 0
    active = ~hard
    floor = np.zeros((D, R))
    pinned = np.zeros((D, k), dtype=bool)
    z = np.full((D, k), 0.5)
    ok = np.ones(D, dtype=bool)
    live: BoolArray = np.any(active, axis=1)
    for _ in range(MAX_ROUNDS):
        idx = np.nonzero(live & ok)[0]
        if idx.size == 0:
            break
        pin = pinned[idx]
        zq = np.where(pin, z[idx], 0.0)
        Qf = np.where(pin[:, None, :], 0.0, Q[idx])
        Lf = np.where(pin[:, None, :], 0.0, L[idx])
        Cf = C[idx] + np.sum(L[idx] * zq[:, None] - Q[idx] * (zq * zq)[:, None], axis=-1)
        depends = np.any((Qf != 0) | (Lf != 0), axis=-1)
        act = active[idx] & depends
        rows = depends  # free rows, hard rows and saturated rows (held at their floors)
        has = act.any(axis=1)
        live[idx[~has]] = False
        if not has.any():
            break
        sel = np.nonzero(has)[0]
        i2 = idx[sel]
        prog = ipm.Programmes(
            Q=Qf[sel], L=Lf[sel], C=Cf[sel], scale=np.where(act[sel], sc[i2], 0.0),
            floor=floor[i2], rows=rows[sel], goal_t=np.ones(sel.size),
            goal_rows=np.zeros((sel.size, R)), t_free=np.ones(sel.size, dtype=bool),
        )  # fmt: skip
        sol = ipm.solve(prog, np.where(pin[sel], 0.5, z[i2]))
        ok[i2[~sol.converged]] = False
        good = sol.converged
        i3 = i2[good]
        lam, a3 = sol.lam[good], act[sel][good]
        zs = sol.z[good]
        z[i3] = np.where(pinned[i3], z[i3], zs)
        holds = lam > ACTIVE
        saturated = a3 & holds
        none = ~saturated.any(axis=1)  # cannot happen in exact arithmetic: take the largest
        if none.any():
            top = np.argmax(np.where(a3, lam, -np.inf), axis=1)
            saturated[none, top[none]] = True
        curved = np.any(holds[..., None] & (Qf[sel][good] > 0), axis=1)
        bound = (sol.nu_lo[good] > ACTIVE) | (sol.nu_hi[good] > ACTIVE)
        pinned[i3] |= curved | bound
        floor[i3] = np.where(saturated, sol.t[good][:, None] * sc[i3], floor[i3])
        active[i3] &= ~saturated
    else:  # pragma: no cover - every round saturates at least one row
        ok[live] = False
    unused, mean = _unused(space, Q, L)
    z = np.where(unused, mean, z)
    return np.clip(z, 0.0, 1.0), ok


def best_each(space: DealSpace, draw: int = 0) -> tuple[FloatArray, BoolArray]:
    """For each party that must accept (in order), the package it likes best among those every
    row accepts (slack ≥ 0), (m, k), and which were solved."""
    Q, L, C = (a[draw : draw + 1] for a in programme_rows(space))
    _, R, k = Q.shape
    m = int(np.sum(binding(space)[: len(space.actors)]))
    rep = (np.repeat(a, m, axis=0) for a in (Q, L, C))
    Qm, Lm, Cm = rep
    depends = np.any((Qm != 0) | (Lm != 0), axis=-1)
    goal = np.zeros((m, R))
    goal[np.arange(m), np.arange(m)] = 1.0
    prog = ipm.Programmes(
        Q=Qm, L=Lm, C=Cm, scale=np.zeros((m, R)), floor=np.zeros((m, R)), rows=depends,
        goal_t=np.zeros(m), goal_rows=goal, t_free=np.zeros(m, dtype=bool),
    )  # fmt: skip
    sol = ipm.solve(prog, np.full((m, k), 0.5))
    unused, mean = _unused(space, Q, L)
    z = np.where(unused, mean, sol.z)
    return np.clip(z, 0.0, 1.0), sol.converged
