"""Distances, quadratic utility, risk attitudes and votes of KTAB's SMP (on the [0, 1] scale).

Shapes: ``n`` actors, ``k`` dimensions. Positions, ideals and saliences are ``(..., n, k)``:
every function also takes leading batch axes (draws), and gives each batch member exactly what
it gives that member alone. numpy's order of summation depends on memory layout (pairwise along
a contiguous axis, sequential across one), so every sum here and in the other SMP modules goes
through ``total``, which sums a C-contiguous copy: the same order whatever the batch.
"""

from __future__ import annotations

import numpy as np

from multipolar.scenario.arrays import FloatArray

#: numpy sums runs of at least this many terms pairwise, shorter ones in order
_PAIRWISE = 8
#: KTAB's ``sTol`` in ``Model::vote``: the width of the binary vote's linear ramp
BINARY_TOL = 1e-8


def total(x: FloatArray, axis: int, keepdims: bool = False) -> FloatArray:
    """``np.sum`` in an order fixed by the shape alone (of a C-contiguous copy if need be).

    A last axis shorter than 8 is added up term by term, ``0 + x_0 + x_1 + ...``: numpy's own
    order there (its pairwise sum is sequential below 8 terms), without a reduction's per-row
    cost, which dominates on many short rows."""
    size = x.shape[axis]
    if axis in (-1, x.ndim - 1) and 0 < size < _PAIRWISE:
        out: FloatArray = 0.0 + x[..., 0]
        for j in range(1, size):
            out += x[..., j]
        return out[..., None] if keepdims else out
    summed: FloatArray = np.sum(np.ascontiguousarray(x), axis=axis, keepdims=keepdims)
    return summed


def distances(origins: FloatArray, targets: FloatArray, sal: FloatArray) -> FloatArray:
    """``d[i, j]``: salience-weighted distance from ``origins[i]`` to ``targets[j]`` with i's
    saliences (KTAB ``bvDiff``): ``sqrt(sum_k (s_ik (o_ik - t_jk))^2 / sum_k s_ik^2)``.

    An actor with no salience at all is indifferent: its distances are 0 (KTAB would stop).
    """
    diff = origins[..., :, None, :] - targets[..., None, :, :]
    num = total((sal[..., :, None, :] * diff) ** 2, -1)
    den = total(sal**2, -1)[..., :, None]
    ratio = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    out: FloatArray = np.sqrt(ratio)
    return out


def quad_utility(d: FloatArray, r: FloatArray | float) -> FloatArray:
    """KTAB ``bsUtil``: ``(1 - d)(1 + r d)`` for ``d <= 1``, else ``(1 - d)(1 + r)``."""
    out: FloatArray = np.where(d <= 1.0, (1.0 - d) * (1.0 + r * d), (1.0 - d) * (1.0 + r))
    return out


def risk_from_prob(p: FloatArray, rule: str) -> FloatArray:
    """Risk attitudes from win probabilities (KTAB ``bigRfromProb``; ``BigRRange``).

    ``min``: (p-pmin)/(pmax-pmin) in [0, 1]; ``mid``: (3p-pmax-2pmin)/(2(pmax-pmin)) in
    [-1/2, 1]; ``max``: (2p-pmax-pmin)/(pmax-pmin) in [-1, 1]. When every probability is equal
    KTAB divides by zero; here everyone is then risk neutral (R = 0). ``p`` is ``(..., n)``.
    """
    lo, hi = np.min(p, axis=-1, keepdims=True), np.max(p, axis=-1, keepdims=True)
    span = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        if rule == "min":
            out: FloatArray = (p - lo) / span
        elif rule == "mid":
            out = (3.0 * p - (hi + 2.0 * lo)) / (2.0 * span)
        else:
            out = (2.0 * p - (hi + lo)) / span
    return np.where(span > 1e-15, out, 0.0)


def perspective_risk(big_r: FloatArray, adjust: str) -> FloatArray:
    """``r[h, i]``: h's estimate of i's risk attitude (KTAB ``estNRA``, ``BigRAdjust``)."""
    rh, ri = big_r[..., :, None], big_r[..., None, :]
    if adjust == "no":
        out: FloatArray = rh + 0.0 * ri
    elif adjust == "one_third":
        out = (2.0 * rh + ri) / 3.0
    elif adjust == "half":
        out = (rh + ri) / 2.0
    elif adjust == "two_thirds":
        out = (rh + 2.0 * ri) / 3.0
    else:  # full
        out = ri + 0.0 * rh
    return out


def vote(rule: str, w: FloatArray | float, du: FloatArray) -> FloatArray:
    """Influence ``w`` exerts for an option whose utility exceeds the other's by ``du``
    (KTAB ``Model::vote``). Zero weight gives no vote (KTAB requires positive weights)."""
    if rule == "proportional":
        out: FloatArray = w * du
    elif rule == "binary":
        out = w * np.clip(du / BINARY_TOL, -1.0, 1.0)
    elif rule == "prop_bin":
        out = w * (0.8 * du + 0.2 * np.clip(du / BINARY_TOL, -1.0, 1.0))
    elif rule == "prop_cbc":
        out = w * (0.5 * du + 0.5 * du**3)
    elif rule == "cubic":
        out = w * du**3
    else:  # asym_prosp: losses count fully, gains two thirds
        out = np.where(du < 0.0, w * du, (2.0 / 3.0) * w * du)
    return out
