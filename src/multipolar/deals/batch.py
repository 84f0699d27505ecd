"""The max–min margin of a deal space in every draw at once: is there a zone of agreement in
draw d, and by how much?

For each draw this solves the same problem as :func:`multipolar.deals.solve.maxmin` (without
the leximin refinement, which does not change the margin):

    maximise t  subject to  u_i(z) − d_i ≥ t  for the parties that must accept,
                            a + b·z_g ≥ t     (the commitment constraint, when there is one),
                            0 ≤ z ≤ 1,

so the margin is the slack of whichever row binds, and it is ≥ 0 iff a zone of agreement exists.

Quadratic utilities: a log-barrier interior-point method with Newton steps, vectorised over the
draws (one batched linear solve per step; no loop over draws). The barrier's duality gap bound,
(number of constraints) × μ, ends below 1e-8. Linear utilities: the linear programme of each
draw, stacked block-diagonally into a few large sparse programmes solved by HiGHS.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, sparse

from multipolar.deals.space import DealSpace, binding, party_rows, slacks
from multipolar.scenario.arrays import FloatArray, IntArray

MU_FINAL = 1e-10
MU_FACTOR = 20.0
LP_CHUNK = 256  # draws per stacked linear programme


def _commit_terms(space: DealSpace) -> tuple[FloatArray, FloatArray, int | None] | None:
    if space.commit_a is None or space.commit_b is None:
        return None
    a, b = np.asarray(space.commit_a, float), np.asarray(space.commit_b, float)
    if space.guarantee_issue is None:
        b = np.zeros_like(b)
    return a, b, space.guarantee_issue


def _parties(space: DealSpace) -> tuple[FloatArray, FloatArray, FloatArray]:
    return party_rows(space)


def _slack_parts(
    z: FloatArray, x: FloatArray, w: FloatArray, d: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Parties' slacks f (D, m) and the gradients of f − t, (D, m, k + 1): ∇f then −1 (the
    Hessian diagonals of f are −2·w)."""
    D, m, k = x.shape
    diff = z[:, None, :] - x
    G = np.empty((D, m, k + 1))
    grad = G[..., :k]
    np.multiply(w, diff, out=grad)
    grad *= -2  # = −2·w·diff, bit for bit (scaling by 2 is exact)
    G[..., k] = -1.0
    return _slacks_of(diff, w, d), G


def _slacks(z: FloatArray, x: FloatArray, w: FloatArray, d: FloatArray) -> FloatArray:
    """The slacks of ``_slack_parts`` alone (the line search needs no derivatives)."""
    return _slacks_of(z[:, None, :] - x, w, d)


def _slacks_of(diff: FloatArray, w: FloatArray, d: FloatArray) -> FloatArray:
    """Σ_k w·(1 − diff²) − d, computed in one buffer (the same operations in the same order as
    the plain expression: the same bits); ``diff`` is left as it was."""
    buf = diff * diff
    np.subtract(1.0, buf, out=buf)
    buf *= w
    f: FloatArray = row_sum(buf) - d
    return f


def row_sum(a: FloatArray) -> FloatArray:
    """``a.sum(axis=-1)``, bit for bit, faster when the last axis is short.

    numpy sums fewer than 8 numbers one after another from 0 (its pairwise summation starts
    at 8), in one call of its inner loop per row: for short rows the calls cost more than
    the additions. Here the columns are added one after another over all rows at once; the
    final ``+ 0.0`` turns the −0.0 of a row of −0.0s into numpy's 0.0 and changes nothing
    else."""
    n = a.shape[-1]
    if n >= 8 or n < 2:
        out: FloatArray = a.sum(axis=-1)
        return out
    out = a[..., 0] + a[..., 1]
    for j in range(2, n):
        out += a[..., j]
    out += 0.0
    return out


def column_sum(a: FloatArray) -> FloatArray:
    """``a.sum(axis=1)`` of a (D, m, k) array, bit for bit, faster.

    numpy adds the m slices one after another from 0 when k ≥ 2 (its inner loop runs along
    k); so does this, with one call per slice instead of numpy's many short ones. With k = 1
    numpy sums each row pairwise: then numpy sums."""
    if a.ndim != 3 or a.shape[1] < 2 or a.shape[2] < 2:
        out: FloatArray = a.sum(axis=1)
        return out
    out = a[:, 0] + a[:, 1]
    for i in range(2, a.shape[1]):
        out += a[:, i]
    out += 0.0
    return out


class _Problem:
    """The barrier problem's data for a subset of draws."""

    def __init__(
        self, x: FloatArray, w: FloatArray, d: FloatArray, ca: FloatArray | None,
        cb: FloatArray | None, g: int | None,
    ) -> None:  # fmt: skip
        self.x, self.w, self.d, self.ca, self.cb, self.g = x, w, d, ca, cb, g

    def take(self, idx: IntArray) -> _Problem:
        ca = None if self.ca is None else self.ca[idx]
        cb = None if self.cb is None else self.cb[idx]
        return _Problem(self.x[idx], self.w[idx], self.d[idx], ca, cb, self.g)

    def commit(self, z: FloatArray) -> FloatArray | None:
        if self.ca is None or self.cb is None:
            return None
        return self.ca + self.cb * (z[:, self.g] if self.g is not None else 0.0)

    def phi(self, z: FloatArray, t: FloatArray, mu: float) -> FloatArray:
        """The barrier objective −t − μ Σ log(constraint slacks); +inf outside."""
        f = _slacks(z, self.x, self.w, self.d)
        r = f - t[:, None]
        rc = self.commit(z)
        if rc is not None:
            r = np.concatenate([r, (rc - t)[:, None]], axis=1)
        ok = np.all(r > 0, axis=1) & np.all((z > 0) & (z < 1), axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            val = -t - mu * (np.sum(np.log(r), axis=1) + row_sum(np.log(z) + np.log1p(-z)))
        return np.where(ok, val, np.inf)

    def newton(self, z: FloatArray, t: FloatArray, mu: float) -> tuple[FloatArray, FloatArray]:
        """The Newton step (D, k+1) of the barrier objective and its decrement (D,)."""
        D, _, k = self.x.shape
        f, G = _slack_parts(z, self.x, self.w, self.d)  # G: ∇(f_i − t)
        inv = 1 / (f - t[:, None])
        grad = -mu * np.matmul(inv[:, None, :], G)[:, 0]
        grad[:, :k] -= mu * (1 / z - 1 / (1 - z))
        grad[:, k] -= 1.0
        H = mu * np.matmul(np.swapaxes(G * (inv**2)[..., None], 1, 2), G)
        # Σ_i −inv_i·(−2·w_i) = 2·Σ_i inv_i·w_i, bit for bit (scaling by 2 is exact)
        curvature = 2 * column_sum(inv[..., None] * self.w)
        diag = mu * (curvature + 1 / z**2 + 1 / (1 - z) ** 2)
        # H[:, i, i] += diag[:, i] for i < k (H is a new C-contiguous array: a view of it)
        H.reshape(D, -1)[:, : k * (k + 2) : k + 2] += diag
        rc = self.commit(z)
        if rc is not None and self.cb is not None:  # the row a + b·z_g − t > 0
            gc = np.zeros((D, k + 1))
            if self.g is not None:
                gc[:, self.g] = self.cb
            gc[:, k] = -1.0
            inv_c = 1 / (rc - t)
            grad -= mu * inv_c[:, None] * gc
            H += mu * (inv_c**2)[:, None, None] * gc[:, :, None] * gc[:, None, :]
        step = -np.linalg.solve(H, grad[..., None])[..., 0]
        return step, -row_sum(grad * step)


def _barrier(prob: _Problem, z0: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Max–min by a log barrier over y = (z, t), batched over D. Returns (t, z).

    Each barrier stage runs damped Newton steps (Armijo backtracking that keeps every slack
    positive) only on the draws not yet centred."""
    D = prob.x.shape[0]
    z = z0.copy()
    f = _slacks(z, prob.x, prob.w, prob.d)
    rc = prob.commit(z)
    t = np.min(f if rc is None else np.minimum(np.min(f, axis=1), rc)[:, None], axis=1) - 1.0
    mu = 1.0
    # every stage starts from all the draws' data, copied once (as ``take`` copies it); then
    # each step's data are the previous step's for the draws still busy
    every = prob.take(np.arange(D))
    while mu >= MU_FINAL:
        idx, sub = np.arange(D), every
        val: FloatArray | None = None  # the objective at (z, t) of the draws in idx, this μ
        for _ in range(60):
            zi, ti = z[idx], t[idx]
            step, decrement = sub.newton(zi, ti, mu)
            busy = decrement > 1e-12 * max(mu, 1e-3)
            if not busy.all():
                keep = np.nonzero(busy)[0]
                idx, sub, zi, ti = idx[keep], sub.take(keep), zi[keep], ti[keep]
                step, decrement = step[keep], decrement[keep]
                val = None if val is None else val[keep]
            if idx.size == 0:
                break
            base = sub.phi(zi, ti, mu) if val is None else val
            z[idx], t[idx], val = _line_search(sub, zi, ti, step, decrement, mu, base)
        mu /= MU_FACTOR
    return t, z


def _line_search(
    prob: _Problem, z: FloatArray, t: FloatArray, step: FloatArray, decrement: FloatArray,
    mu: float, base: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:  # fmt: skip
    """Armijo backtracking from (z, t), where the barrier objective is ``base``, along
    ``step``: each draw takes the first of 1, 1/2, 1/4, ... (60 at most) that decreases the
    objective enough (and keeps every slack positive), or stays where it is. Returns the new
    (z, t) and the objective there (the next step's ``base``).

    The step length is the same for every draw still searching, and the objective of a draw
    does not depend on the others in the batch, so each round evaluates only the draws still
    searching: the same numbers as evaluating all of them and keeping those still searching
    (and as evaluating the objective again at the new point)."""
    k = z.shape[1]
    z, t, val = z.copy(), t.copy(), base.copy()
    todo = np.arange(z.shape[0])  # the draws still searching
    sub, alpha = prob, 1.0
    for _ in range(60):
        zn = z[todo] + alpha * step[todo, :k]
        tn = t[todo] + alpha * step[todo, k]
        trial = sub.phi(zn, tn, mu)
        ok = trial <= base[todo] - 0.25 * alpha * decrement[todo]
        z[todo[ok]], t[todo[ok]], val[todo[ok]] = zn[ok], tn[ok], trial[ok]
        if ok.all():
            break
        if ok.any():
            todo, sub = todo[~ok], sub.take(np.nonzero(~ok)[0])
        alpha /= 2
    return z, t, val


def _quadratic(space: DealSpace) -> tuple[FloatArray, FloatArray]:
    x, w, d = _parties(space)
    D, _, k = x.shape
    z0 = np.full((D, k), 0.5)  # strictly inside; t starts below every row's slack
    terms = _commit_terms(space)
    if terms is None:
        return _barrier(_Problem(x, w, d, None, None, None), z0)
    return _barrier(_Problem(x, w, d, *terms), z0)


def _linear(space: DealSpace) -> tuple[FloatArray, FloatArray]:
    x, w, d = _parties(space)
    D, _m, k = x.shape
    terms = _commit_terms(space)
    t_out, z_out = np.empty(D), np.empty((D, k))
    for start in range(0, D, LP_CHUNK):
        sl = slice(start, min(D, start + LP_CHUNK))
        t_out[sl], z_out[sl] = _stacked_lp(x[sl], w[sl], d[sl], terms, sl)
    return t_out, z_out


def _stacked_lp(
    x: FloatArray, w: FloatArray, d: FloatArray,
    terms: tuple[FloatArray, FloatArray, int | None] | None, sl: slice,
) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    """Block-diagonal LP over draws: per draw variables z (k), e (m·k), t; maximise Σ t."""
    D, m, k = x.shape
    nv = k + m * k + 1
    rows, cols, vals, rhs = [], [], [], []
    r = 0
    for dd in range(D):  # assembling the sparse matrix; HiGHS solves all draws at once
        o = dd * nv
        for i in range(m):  # −Σ w(1 − e) + d + t ≤ 0  ⇔  Σ w e + t ≤ Σ w − d
            cols += [o + k + i * k + j for j in range(k)] + [o + nv - 1]
            vals += [*w[dd, i], 1.0]
            rows += [r] * (k + 1)
            rhs.append(float(np.sum(w[dd, i]) - d[dd, i]))
            r += 1
            for j in range(k):  # |z − x| ≤ e
                for sign in (1.0, -1.0):
                    rows += [r, r]
                    cols += [o + j, o + k + i * k + j]
                    vals += [sign, -1.0]
                    rhs.append(sign * float(x[dd, i, j]))
                    r += 1
        if terms is not None:  # a + b z_g ≥ t  ⇔  −b z_g + t ≤ a
            a, b, g = terms
            if g is not None:
                rows.append(r)
                cols.append(o + g)
                vals.append(-float(b[sl][dd]))
            rows.append(r)
            cols.append(o + nv - 1)
            vals.append(1.0)
            rhs.append(float(a[sl][dd]))
            r += 1
    A = sparse.csr_array((vals, (rows, cols)), shape=(r, D * nv))
    c = np.zeros(D * nv)
    c[nv - 1 :: nv] = -1.0
    bounds = ([(0.0, 1.0)] * k + [(0.0, None)] * (m * k) + [(None, None)]) * D
    res = optimize.linprog(c, A_ub=A, b_ub=np.array(rhs), bounds=bounds, method="highs")
    if res.status != 0:  # pragma: no cover - the programmes are feasible and bounded
        raise RuntimeError(f"stacked deal LP failed: {res.message}")
    sol = res.x.reshape(D, nv)
    return sol[:, -1], np.clip(sol[:, :k], 0.0, 1.0)


def maxmin_margins(space: DealSpace) -> tuple[FloatArray, FloatArray]:
    """The max–min margin (D,) and a max–min package (D, k) of every draw."""
    D, k = space.draws, len(space.issues)
    if not space.veto.any():  # nobody must accept: any package is a deal
        return np.full(D, np.inf), np.broadcast_to(space.status_quo, (D, k)).copy()
    _t, z = _quadratic(space) if space.quadratic else _linear(space)
    return _exact_margin(space, z), z


def _exact_margin(space: DealSpace, z: FloatArray) -> FloatArray:
    """The smallest slack of every row (the parties that must accept, the commitment) at z."""
    return np.min(slacks(space, z[:, None, :])[:, 0][:, binding(space)], axis=1)
