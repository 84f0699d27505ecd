"""Fearon (1995): the bargaining range and the Nash split inside it.

A good of size 1 is divided; x is A's share. A wins a war with probability p; fighting costs
A c_A and B c_B (in units of the good). Source: Fearon, J. D. (1995), "Rationalist explanations
for war", International Organization 49(3):379–414.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from multipolar.errors import UsageError
from multipolar.scenario.arrays import FloatArray
from multipolar.war._arrays import arr, nonnegative, within


def bargaining_range(
    p: npt.ArrayLike, c_a: npt.ArrayLike, c_b: npt.ArrayLike, rho: npt.ArrayLike = 1.0
) -> tuple[FloatArray, FloatArray]:
    """Shares x of A that both sides prefer to war: [p − c_A, p + c_B] when risk neutral.

    With CRRA utility u(x) = x^ρ (0 < ρ ≤ 1, risk-averse) the range widens to
    [(p − c_A)^{1/ρ}, 1 − (1 − p − c_B)^{1/ρ}] (war_and_deals.md §2.1). Ends are clipped to [0, 1]:
    a war worth less than nothing makes every share acceptable. Both ends are held on their side
    of p (low ≤ p ≤ high, true in exact arithmetic), so rounding never empties the range.
    """
    pp, ca, cb, r = arr(p, "p"), arr(c_a, "c_a"), arr(c_b, "c_b"), arr(rho, "rho")
    within(pp, "p", 0.0, 1.0)
    nonnegative(ca, "c_a")
    nonnegative(cb, "c_b")
    if np.any((r <= 0) | (r > 1)):
        raise UsageError(f"rho must lie in (0, 1], got {rho!r}")
    low = np.clip(pp - ca, 0.0, None) ** (1 / r)
    high = 1 - np.clip(1 - pp - cb, 0.0, None) ** (1 / r)
    return np.clip(np.minimum(low, pp), 0.0, 1.0), np.clip(np.maximum(high, pp), 0.0, 1.0)


def nash_split(
    p: npt.ArrayLike, c_a: npt.ArrayLike, c_b: npt.ArrayLike, alpha: npt.ArrayLike = 0.5
) -> FloatArray:
    """A's share at the generalised Nash point with bargaining power α (risk neutral):
    x* = (p − c_A) + α(c_A + c_B), clipped to [0, 1]."""
    pp, ca, cb, a = arr(p, "p"), arr(c_a, "c_a"), arr(c_b, "c_b"), arr(alpha, "alpha")
    within(a, "alpha", 0.0, 1.0)
    return np.clip(pp - ca + a * (ca + cb), 0.0, 1.0)


def nash_split_derivatives(alpha: npt.ArrayLike = 0.5) -> dict[str, FloatArray]:
    """The balance-of-advantage calculus: ∂x*/∂p = 1, ∂x*/∂c_A = −(1 − α), ∂x*/∂c_B = α."""
    a = arr(alpha, "alpha")
    return {"p": np.ones_like(a), "c_a": -(1 - a), "c_b": a}
