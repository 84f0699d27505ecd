"""The batched max–min barrier (deals/batch.py) gives the same bits as its plain numpy
statement: the short sums added column by column, the gradient matrix built in place and the
line search that evaluates only the draws still searching change the speed, not the numbers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from multipolar.deals import batch
from multipolar.deals.batch import _Problem, column_sum, row_sum
from tests.test_feasibility import random_space

FloatArray = np.ndarray


def _reference_phi(prob: _Problem, z: FloatArray, t: FloatArray, mu: float) -> FloatArray:
    f = np.sum(prob.w * (1 - (z[:, None, :] - prob.x) ** 2), axis=-1) - prob.d
    r = f - t[:, None]
    rc = prob.commit(z)
    if rc is not None:
        r = np.concatenate([r, (rc - t)[:, None]], axis=1)
    ok = np.all(r > 0, axis=1) & np.all((z > 0) & (z < 1), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        val = -t - mu * (np.sum(np.log(r), axis=1) + np.sum(np.log(z) + np.log1p(-z), axis=1))
    return np.where(ok, val, np.inf)


def _reference_newton(
    prob: _Problem, z: FloatArray, t: FloatArray, mu: float
) -> tuple[FloatArray, FloatArray]:
    D, m, k = prob.x.shape
    diff = z[:, None, :] - prob.x
    f = np.sum(prob.w * (1 - diff**2), axis=-1) - prob.d
    inv = 1 / (f - t[:, None])
    G = np.concatenate([-2 * prob.w * diff, -np.ones((D, m, 1))], axis=-1)
    grad = -mu * np.matmul(inv[:, None, :], G)[:, 0]
    grad[:, :k] -= mu * (1 / z - 1 / (1 - z))
    grad[:, k] -= 1.0
    H = mu * np.matmul(np.swapaxes(G * (inv**2)[..., None], 1, 2), G)
    diag = mu * (2 * np.sum(inv[..., None] * prob.w, axis=1) + 1 / z**2 + 1 / (1 - z) ** 2)
    H[:, np.arange(k), np.arange(k)] += diag
    rc = prob.commit(z)
    if rc is not None and prob.cb is not None:
        gc = np.zeros((D, k + 1))
        if prob.g is not None:
            gc[:, prob.g] = prob.cb
        gc[:, k] = -1.0
        inv_c = 1 / (rc - t)
        grad -= mu * inv_c[:, None] * gc
        H += mu * (inv_c**2)[:, None, None] * gc[:, :, None] * gc[:, None, :]
    step = -np.linalg.solve(H, grad[..., None])[..., 0]
    return step, -np.sum(grad * step, axis=1)


def _reference_barrier(prob: _Problem, z0: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The barrier as first written: every draw evaluated in every round of the line search."""
    D, _, k = prob.x.shape
    z = z0.copy()
    f = np.sum(prob.w * (1 - (z[:, None, :] - prob.x) ** 2), axis=-1) - prob.d
    rc = prob.commit(z)
    t = np.min(f if rc is None else np.minimum(np.min(f, axis=1), rc)[:, None], axis=1) - 1.0
    mu = 1.0
    while mu >= batch.MU_FINAL:
        idx = np.arange(D)
        for _ in range(60):
            sub = prob.take(idx)
            zi, ti = z[idx], t[idx]
            step, decrement = _reference_newton(sub, zi, ti, mu)
            busy = decrement > 1e-12 * max(mu, 1e-3)
            idx, sub, zi, ti = idx[busy], sub.take(np.nonzero(busy)[0]), zi[busy], ti[busy]
            step, decrement = step[busy], decrement[busy]
            if idx.size == 0:
                break
            base = _reference_phi(sub, zi, ti, mu)
            alpha = np.ones(idx.size)
            done = np.zeros(idx.size, dtype=bool)
            for _ in range(60):
                zn = zi + alpha[:, None] * step[:, :k]
                tn = ti + alpha * step[:, k]
                ok = ~done & (_reference_phi(sub, zn, tn, mu) <= base - 0.25 * alpha * decrement)
                zi = np.where(ok[:, None], zn, zi)
                ti = np.where(ok, tn, ti)
                done |= ok
                if done.all():
                    break
                alpha = np.where(done, alpha, alpha / 2)
            z[idx], t[idx] = zi, ti
        mu /= batch.MU_FACTOR
    return t, z


def _same(a: FloatArray, b: FloatArray) -> bool:
    """The same bits (NaNs in the same places, the sign of zeros included)."""
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


_SPECIAL = st.sampled_from([0.0, -0.0, 1.0, -1.0, 1e-300, -1e300, 0.1, 3.0])


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.tuples(st.integers(1, 5), st.integers(1, 14), st.integers(1, 11)),
    zeros=st.floats(0.0, 1.0),
    special=_SPECIAL,
    view=st.booleans(),
)
def test_short_sums_are_numpys_sums(
    seed: int, shape: tuple[int, int, int], zeros: float, special: float, view: bool
) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=shape) * 10.0 ** rng.integers(-5, 5, size=shape)
    a[rng.random(shape) < zeros] = special  # runs of zeros of either sign, exact cancellations
    if view:  # a strided view, as the solver's slices are
        a = np.concatenate([a, a], axis=-1)[..., ::2]
    assert _same(row_sum(a), a.sum(axis=-1))
    assert _same(row_sum(a[0]), a[0].sum(axis=-1))
    assert _same(column_sum(a), a.sum(axis=1))


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    draws=st.integers(1, 9),
    commit=st.sampled_from(["none", "tied", "untied"]),
)
def test_barrier_gives_the_bits_of_its_plain_statement(seed: int, draws: int, commit: str) -> None:
    space = random_space(np.random.default_rng(seed), draws, True, commit)
    x, w, d = batch._parties(space)
    terms = batch._commit_terms(space)
    prob = _Problem(x, w, d, *(terms if terms is not None else (None, None, None)))
    z0 = np.full((draws, x.shape[2]), 0.5)
    got, want = batch._barrier(prob, z0), _reference_barrier(prob, z0)
    assert _same(got[0], want[0])
    assert _same(got[1], want[1])
    z = np.random.default_rng(seed).uniform(0.05, 0.95, z0.shape)
    f = batch._slacks(z, x, w, d)
    rc = prob.commit(z)
    t = np.min(f if rc is None else np.minimum(np.min(f, axis=1), rc)[:, None], axis=1) - 0.5
    mine, theirs = prob.newton(z, t, 0.01), _reference_newton(prob, z, t, 0.01)
    assert _same(mine[0], theirs[0])
    assert _same(mine[1], theirs[1])
    assert _same(prob.phi(z, t, 0.01), _reference_phi(prob, z, t, 0.01))
