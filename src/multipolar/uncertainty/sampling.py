"""Draws of an analyst's estimate from its range, seeded, never from global random state.

``triangular`` (default): mode ``best`` on [low, high]; ``uniform``: [low, high];
``pert``: Beta-PERT with mode ``best`` (λ = 4); ``normal``: a normal with mean ``best`` and
standard deviation (high − low)/4, truncated to [low, high]. A point (low = high) is constant.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from multipolar.scenario.arrays import FloatArray
from multipolar.scenario.schema import Estimate

#: A function giving an estimate's values: shape () for best values, (D,) for D draws.
Sampler = Callable[[Estimate], FloatArray]


def best_values(est: Estimate) -> FloatArray:
    return np.asarray(est.best, dtype=float)


def _truncated_normal(rng: np.random.Generator, est: Estimate, size: int) -> FloatArray:
    sd = (est.hi - est.lo) / 4
    out = rng.normal(est.best, sd, size)
    bad = (out < est.lo) | (out > est.hi)
    while bad.any():  # rejection: at most a few rounds since [low, high] spans ≥ 2 sd around best
        out[bad] = rng.normal(est.best, sd, int(bad.sum()))
        bad = (out < est.lo) | (out > est.hi)
    return out


def draw(est: Estimate, rng: np.random.Generator, size: int) -> FloatArray:
    """``size`` draws of ``est``."""
    lo, hi = est.lo, est.hi
    if hi <= lo:
        return np.full(size, est.best)
    if est.dist == "uniform":
        return rng.uniform(lo, hi, size)
    if est.dist == "pert":
        a = 1 + 4 * (est.best - lo) / (hi - lo)
        b = 1 + 4 * (hi - est.best) / (hi - lo)
        return lo + (hi - lo) * rng.beta(a, b, size)
    if est.dist == "normal":
        return _truncated_normal(rng, est, size)
    width = hi - lo
    if not np.isfinite(width * width):  # the same draws on [0, 1], scaled: no overflow
        return lo + width * rng.triangular(0.0, (est.best - lo) / width, 1.0, size)
    return rng.triangular(lo, est.best, hi, size)


def sampler(seed: int, size: int) -> Sampler:
    """A sampler drawing each estimate it is asked for, in the order asked, from one stream."""
    rng = np.random.default_rng(seed)
    cache: dict[int, FloatArray] = {}

    def sample(est: Estimate) -> FloatArray:
        key = id(est)
        if key not in cache:
            cache[key] = draw(est, rng, size)
        return cache[key]

    return sample
