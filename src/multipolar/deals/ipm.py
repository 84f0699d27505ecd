"""A primal–dual interior-point solver for many small deal programmes at once.

Every programme of :mod:`multipolar.deals.solve` with quadratic utilities has the form

    maximise  o_t·t + Σ_r o_r·row_r(z)
    subject to row_r(z) − s_r·t − f_r ≥ 0   for the rows r in the programme,
               0 ≤ z ≤ 1,

where every row is separable and concave: row_r(z) = C_r + Σ_j (L_rj z_j − Q_rj z_j²) with
Q ≥ 0 (a party's u_i − d_i, or the commitment row a + b·z_g). ``solve`` runs Mehrotra's
predictor–corrector on P such programmes side by side (one batched (k+1)×(k+1) linear solve per
iteration, no loop over programmes), with slacks so that a start need not be feasible. It
returns the solution, the multipliers (which rows and bounds hold the optimum where it is) and
whether each programme converged; a programme that did not is left to the caller's fallback.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from multipolar.scenario.arrays import BoolArray, FloatArray, IntArray

TAU = 0.995  # fraction of the way to the boundary a step may go
MAX_ITER = 100
TOL_GAP = 1e-13  # average complementarity at the end
TOL_RES = 1e-9  # dual and primal residuals at the end
MU_FLOOR = 1e-15  # the smallest complementarity a step aims at


@dataclass(frozen=True)
class Programmes:
    """P programmes with R rows over k issues (rows not in a programme have ``rows`` False)."""

    Q: FloatArray  # (P, R, k) curvature, ≥ 0
    L: FloatArray  # (P, R, k) linear terms
    C: FloatArray  # (P, R) constants
    scale: FloatArray  # (P, R) s_r: how the row's floor moves with t (0: a hard row)
    floor: FloatArray  # (P, R) f_r
    rows: BoolArray  # (P, R) the rows each programme has
    goal_t: FloatArray  # (P,) o_t
    goal_rows: FloatArray  # (P, R) o_r ≥ 0
    t_free: BoolArray  # (P,) False: t is fixed at t_fixed (folded into the floors)


@dataclass(frozen=True)
class Solution:
    z: FloatArray  # (P, k)
    t: FloatArray  # (P,)
    lam: FloatArray  # (P, R) the rows' multipliers (0 for rows not in a programme)
    nu_lo: FloatArray  # (P, k) multipliers of z ≥ 0
    nu_hi: FloatArray  # (P, k) multipliers of z ≤ 1
    converged: BoolArray  # (P,)


def row_values(p: Programmes, z: FloatArray) -> FloatArray:
    """row_r(z) (P, R)."""
    return p.C + np.sum(p.L * z[:, None, :] - p.Q * (z * z)[:, None, :], axis=-1)


def _step_to_boundary(
    x: FloatArray, dx: FloatArray, mask: BoolArray, tau: FloatArray
) -> FloatArray:
    """The largest α ≤ 1 (per programme) keeping x + α·dx ≥ (1 − τ)·x where ``mask``."""
    tau = tau.reshape((-1,) + (1,) * (x.ndim - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(mask & (dx < 0), -tau * x / dx, np.inf)
    return np.minimum(1.0, ratio.reshape(ratio.shape[0], -1).min(axis=1))


class _State:
    """Iterates of the programmes still running."""

    def __init__(self, p: Programmes, z0: FloatArray, t0: FloatArray) -> None:
        P, _, k = p.Q.shape
        self.p = p
        self.z = np.clip(z0, 1e-2, 1 - 1e-2)
        self.t = np.where(p.t_free, t0, 0.0)
        g = self.g()
        self.sl = np.where(p.rows, np.maximum(g, 1e-2), 1.0)  # row slacks
        self.lam = np.where(p.rows, 1.0 / np.maximum(p.rows.sum(axis=1, keepdims=True), 1), 0.0)
        self.nlo = np.full((P, k), 1e-2)
        self.nhi = np.full((P, k), 1e-2)
        self.n_comp = p.rows.sum(axis=1) + 2 * k

    def g(self) -> FloatArray:
        p = self.p
        return np.where(p.rows, row_values(p, self.z) - p.scale * self.t[:, None] - p.floor, 0.0)

    def jac(self) -> FloatArray:
        """∇ of every row with respect to (z, t): (P, R, k+1), zero for absent rows."""
        p = self.p
        Gz = p.L - 2 * p.Q * self.z[:, None, :]
        A = np.concatenate([Gz, -p.scale[..., None]], axis=-1)
        return np.where(p.rows[..., None], A, 0.0)

    def grad_f(self) -> FloatArray:
        """∇F of F = −objective, (P, k+1)."""
        p = self.p
        gz = -np.sum(p.goal_rows[..., None] * (p.L - 2 * p.Q * self.z[:, None, :]), axis=1)
        return np.concatenate([gz, -p.goal_t[:, None]], axis=-1)

    def take(self, idx: IntArray) -> _State:
        """The iterates of programmes ``idx`` only."""
        p = self.p
        sub = object.__new__(_State)
        sub.p = Programmes(
            p.Q[idx], p.L[idx], p.C[idx], p.scale[idx], p.floor[idx], p.rows[idx],
            p.goal_t[idx], p.goal_rows[idx], p.t_free[idx],
        )  # fmt: skip
        for name in ("z", "t", "sl", "lam", "nlo", "nhi", "n_comp"):
            setattr(sub, name, getattr(self, name)[idx])
        return sub

    def mu(self) -> FloatArray:
        z = self.z
        total = np.sum(self.lam * self.sl, axis=1) + np.sum(self.nlo * z + self.nhi * (1 - z), 1)
        return total / self.n_comp


def _newton(
    s: _State, A: FloatArray, M_inv: FloatArray, r2: FloatArray, grad_f: FloatArray,
    c_row: FloatArray, c_lo: FloatArray, c_hi: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:  # fmt: skip
    """The step (dy, dσ, dλ, dν_lo, dν_hi) for complementarity targets c."""
    k = s.z.shape[1]
    rows = s.p.rows
    w = np.where(rows, (c_row - s.lam * r2) / s.sl, 0.0)
    rhs = -grad_f + np.einsum("prn,pr->pn", A, w)
    rhs[:, :k] += c_lo / s.z - c_hi / (1 - s.z)
    rhs[~s.p.t_free, k] = 0.0
    dy = _solve(M_inv, rhs)
    dsl = np.where(rows, np.einsum("prn,pn->pr", A, dy) + r2, 0.0)
    dlam = np.where(rows, (c_row - s.lam * dsl) / s.sl - s.lam, 0.0)
    dz = dy[:, :k]
    dlo = (c_lo - s.nlo * dz) / s.z - s.nlo
    dhi = (c_hi + s.nhi * dz) / (1 - s.z) - s.nhi
    return dy, dsl, dlam, dlo, dhi


def _solve(M: FloatArray, rhs: FloatArray) -> FloatArray:
    """M⁻¹·rhs per programme; a singular M gives NaN (that programme fails), not an error."""
    try:
        solved: FloatArray = np.asarray(np.linalg.solve(M, rhs[..., None])[..., 0], dtype=float)
        return solved
    except np.linalg.LinAlgError:
        out = np.full(rhs.shape, np.nan)
        for i in range(len(M)):
            try:
                out[i] = np.linalg.solve(M[i], rhs[i])
            except np.linalg.LinAlgError:
                continue
        return out


def _alpha(
    s: _State, tau: FloatArray, dy: FloatArray, dsl: FloatArray, dlam: FloatArray,
    dlo: FloatArray, dhi: FloatArray,
) -> FloatArray:  # fmt: skip
    k = s.z.shape[1]
    dz = dy[:, :k]
    rows = s.p.rows
    every = np.ones_like(s.z, dtype=bool)
    return np.minimum.reduce(
        [
            _step_to_boundary(s.sl, dsl, rows, tau),
            _step_to_boundary(s.lam, dlam, rows, tau),
            _step_to_boundary(s.z, dz, every, tau),
            _step_to_boundary(1 - s.z, -dz, every, tau),
            _step_to_boundary(s.nlo, dlo, every, tau),
            _step_to_boundary(s.nhi, dhi, every, tau),
        ]
    )


def _iterate(s: _State) -> BoolArray:
    """One predictor–corrector iteration; returns which programmes have converged."""
    p, z = s.p, s.z
    P, R, k = p.Q.shape
    A = s.jac()
    grad_f = s.grad_f()
    g = s.g()
    r2 = np.where(p.rows, g - s.sl, 0.0)
    r1 = grad_f - np.einsum("prn,pr->pn", A, s.lam)
    r1[:, :k] += s.nhi - s.nlo
    r1[~p.t_free, k] = 0.0
    mu = s.mu()
    done = (mu < TOL_GAP) & (np.max(np.abs(r1), axis=1) < TOL_RES)
    done &= np.max(np.abs(r2), axis=1) < TOL_RES
    # M = ∇²L + Aᵀ diag(λ/σ) A + diag(ν_lo/z + ν_hi/(1 − z))
    hess = 2 * np.sum((p.goal_rows + s.lam)[..., None] * p.Q, axis=1)
    D = np.where(p.rows, s.lam / s.sl, 0.0)
    M = np.einsum("pri,pr,prj->pij", A, D, A)
    idx = np.arange(k)
    M[:, idx, idx] += hess + s.nlo / z + s.nhi / (1 - z)
    fixed = ~p.t_free
    M[fixed, k, :] = 0.0
    M[fixed, :, k] = 0.0
    M[fixed, k, k] = 1.0
    M[done] = np.eye(k + 1)  # finished programmes take no step
    M_inv = M
    zero_r, zero_k = np.zeros((P, R)), np.zeros((P, k))
    aff = _newton(s, A, M_inv, r2, grad_f, zero_r, zero_k, zero_k)
    tau = np.maximum(TAU, 1 - mu)
    a_aff = _alpha(s, tau, *aff)
    dy, dsl, dlam, dlo, dhi = aff
    dz = dy[:, :k]
    mu_aff = (
        np.sum((s.lam + a_aff[:, None] * dlam) * (s.sl + a_aff[:, None] * dsl), axis=1)
        + np.sum((s.nlo + a_aff[:, None] * dlo) * (z + a_aff[:, None] * dz), axis=1)
        + np.sum((s.nhi + a_aff[:, None] * dhi) * (1 - z - a_aff[:, None] * dz), axis=1)
    ) / s.n_comp
    sigma = np.clip((mu_aff / np.maximum(mu, 1e-300)) ** 3, 0.0, 1.0)
    target = np.maximum(sigma * mu, MU_FLOOR)[:, None]  # aiming lower only loses accuracy
    step = _newton(
        s, A, M_inv, r2, grad_f, target - dlam * dsl, target - dlo * dz, target + dhi * dz
    )
    alpha = _alpha(s, tau, *step)[:, None]
    live = ~done[:, None]
    dy, dsl, dlam, dlo, dhi = step
    s.z = np.where(live, s.z + alpha * dy[:, :k], s.z)
    s.t = np.where(live[:, 0] & p.t_free, s.t + alpha[:, 0] * dy[:, k], s.t)
    s.sl = np.where(live & p.rows, s.sl + alpha * dsl, s.sl)
    s.lam = np.where(live & p.rows, s.lam + alpha * dlam, s.lam)
    s.nlo = np.where(live, s.nlo + alpha * dlo, s.nlo)
    s.nhi = np.where(live, s.nhi + alpha * dhi, s.nhi)
    return done


def solve(p: Programmes, z0: FloatArray, t0: FloatArray | None = None) -> Solution:
    """Solve every programme from the starts ``z0`` (P, k) (and ``t0`` for a free t; by default
    just below the smallest scaled row at ``z0``)."""
    P = p.Q.shape[0]
    if t0 is None:
        level = np.where(
            p.rows & (p.scale > 0),
            (row_values(p, np.clip(z0, 1e-2, 1 - 1e-2)) - p.floor)
            / np.where(p.scale > 0, p.scale, 1),
            np.inf,
        )
        t0 = np.where(np.isfinite(level.min(axis=1)), level.min(axis=1), 0.0) - 0.1
    s = _State(p, z0, t0)
    out = _State(p, z0, t0)  # where finished programmes are kept
    done = np.zeros(P, dtype=bool)
    live = np.arange(P)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for _ in range(MAX_ITER):
            finished = _iterate(s)
            if finished.any() or not np.all(np.isfinite(s.z)):
                bad = ~np.all(np.isfinite(s.z), axis=1)  # diverged: left to the fallback
                leave = finished | bad
                for name in ("z", "t", "sl", "lam", "nlo", "nhi"):
                    getattr(out, name)[live[leave]] = getattr(s, name)[leave]
                done[live[finished & ~bad]] = True
                live = live[~leave]
                if live.size == 0:
                    break
                s = s.take(np.nonzero(~leave)[0])
    return Solution(out.z, out.t, out.lam, out.nlo, out.nhi, done)
