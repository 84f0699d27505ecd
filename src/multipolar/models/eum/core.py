"""The pieces of Bueno de Mesquita's expected utility model, as arrays over dyads.

Shapes: positions ``x``, weights ``w = c·s``, saliences ``s``, risk exponents ``r`` and the
mask are ``(B, n)`` (B independent single-issue problems); dyad arrays are ``(B, n, n)`` with
``[b, i, j]`` meaning receiver/challenger ``i`` and the other actor ``j``. ``R`` is ``(B,)``, the
range of the initial positions. Equation numbers refer to Scholz, Calbert & Smith (2011, ICAART).
"""

from __future__ import annotations

import numpy as np

from multipolar.scenario.arrays import BoolArray, FloatArray


def pair_mask(mask: BoolArray) -> BoolArray:
    """Ordered pairs (i, j), i != j, of actors that both take part."""
    n = mask.shape[-1]
    return mask[:, :, None] & mask[:, None, :] & ~np.eye(n, dtype=bool)


def median_position(x: FloatArray, w: FloatArray, mask: BoolArray) -> FloatArray:
    """The Condorcet winner found by a sequential pairwise vote over the positions (r = 1).

    Candidates are taken in actor order; a later one replaces the current winner only if it
    wins the c·s vote v = Σ_k w_k (|x_k − winner| − |x_k − candidate|) strictly (eqs. 26–29).
    """
    b, n = x.shape
    winner = x[np.arange(b), np.argmax(mask, axis=1)]
    for cand in range(n):
        xc = x[:, cand]
        votes = np.sum(w * (np.abs(x - winner[:, None]) - np.abs(x - xc[:, None])), axis=1)
        winner = np.where(mask[:, cand] & (votes > 0), xc, winner)
    return winner


def mean_position(x: FloatArray, w: FloatArray) -> FloatArray:
    """Σ c s x / Σ c s."""
    return np.sum(w * x, axis=1) / np.sum(w, axis=1)


def win_probability_reference(
    x: FloatArray, w: FloatArray, r: FloatArray, R: FloatArray, mask: BoolArray
) -> FloatArray:
    """P[i beats j] as the replication code has it (eum.md §A.4.1).

    Numerator Σ_k max(0, w_k[(|x_k−x_j|/R)^{r_k} − (|x_k−x_i|/R)^{r_k}]); the denominator is one
    global sum of the absolute terms over all voters k and all ordered pairs of actors.
    """
    dist = (np.abs(x[:, :, None] - x[:, None, :]) / R[:, None, None]) ** r[:, None, :]  # [a, k]
    diff = w[:, None, None, :] * (dist[:, None, :, :] - dist[:, :, None, :])  # [i, j, k]
    pairs = pair_mask(mask)[..., None]
    diff = np.where(pairs, diff, 0.0)
    num = np.sum(np.maximum(diff, 0.0), axis=3)
    den = np.sum(np.abs(diff), axis=(1, 2, 3))[:, None, None]
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def win_probability_paper(x: FloatArray, w: FloatArray) -> FloatArray:
    """P[i beats j] as printed (eqs. 30–31): the share of the pair's c·s·distance votes for i.

    P^i + P^j = 1; when nobody prefers either (x_i = x_j) both get 1/2.
    """
    arg = np.abs(x[:, None, None, :] - x[:, None, :, None]) - np.abs(
        x[:, None, None, :] - x[:, :, None, None]
    )  # [i, j, k] = |x_k − x_j| − |x_k − x_i|
    votes = w[:, None, None, :] * arg
    num = np.sum(np.maximum(votes, 0.0), axis=3)
    den = np.sum(np.abs(votes), axis=3)
    share: FloatArray = np.divide(num, den, out=np.full_like(num, 0.5), where=den > 0)
    return share


def _u(base: FloatArray, r: FloatArray) -> FloatArray:
    return 2.0 - 4.0 * np.clip(base, 0.0, None) ** r


def expected_utility(
    x: FloatArray,
    s: FloatArray,
    P: FloatArray,
    r_view: FloatArray,
    R: FloatArray,
    mu: FloatArray,
    q: float,
    t: int | None,
) -> FloatArray:
    """E(U_ij) of i challenging j, seen with exponents ``r_view`` ``(B, n, n)`` (eqs. 5–7, 25a).

    s_j·[P U_s + (1−P) U_f] + (1−s_j)·U_s − Q·U_sq − (1−Q)·[T U_b + (1−T) U_w]; T = 1 when j
    moving to the median μ would help i (|x_i − μ| < |x_i − x_j|) unless ``t`` fixes it.
    """
    dij = np.abs(x[:, :, None] - x[:, None, :]) / R[:, None, None]
    u_success = _u(0.5 - 0.5 * dij, r_view)
    u_failure = _u(0.5 + 0.5 * dij, r_view)
    u_sq = _u(np.full_like(dij, 0.5), r_view)
    eu = s[:, None, :] * (P * u_success + (1 - P) * u_failure) + (1 - s[:, None, :]) * u_success
    eu = eu - q * u_sq
    if q != 1.0:
        dmu = np.abs(x - mu[:, None])[:, :, None] / R[:, None, None]
        better = _u(0.5 - 0.25 * (dmu + dij), r_view)
        worse = _u(0.5 + 0.25 * (dmu + dij), r_view)
        tt = (dmu < dij).astype(float) if t is None else np.full_like(dij, float(t))
        eu = eu - (1 - q) * (tt * better + (1 - tt) * worse)
    return eu


def risk_exponents(security: FloatArray, mask: BoolArray) -> FloatArray:
    """r_i = (1 − R_i/3)/(1 + R_i/3), R_i = (2 Sec_i − max − min)/(max − min) (eqs. 32–34).

    When every actor is equally secure (max = min) R_i = 0 and r_i = 1.
    """
    hi = np.max(np.where(mask, security, -np.inf), axis=1, keepdims=True)
    lo = np.min(np.where(mask, security, np.inf), axis=1, keepdims=True)
    span = hi - lo
    big_r = np.divide(2 * security - hi - lo, span, out=np.zeros_like(security), where=span > 0)
    big_r = np.clip(np.where(mask, big_r, 0.0), -1.0, 1.0)  # rounding can overshoot ±1
    return (1 - big_r / 3) / (1 + big_r / 3)
