"""The risk–return trade-off under private information (Fearon 1995; Powell 1999).

A makes a take-it-or-leave-it demand x; B's cost of war c_B is private with CDF F. B accepts iff
c_B ≥ x − p. A maximises U_A(x) = x·[1 − F(x − p)] + (p − c_A)·F(x − p) over x ∈ [p, 1]: A
cannot demand more than the whole stakes, so when the unconstrained optimum lies above 1 (B's
cost is large against what is left, 1 − p) the demand is the corner x = 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy import optimize

from multipolar.errors import UsageError
from multipolar.scenario.arrays import FloatArray
from multipolar.war._arrays import arr, nonnegative, within


@dataclass(frozen=True)
class Demand:
    """A's optimal demand, the probability that B rejects it (war), and A's expected utility."""

    demand: FloatArray
    war_probability: FloatArray
    expected_utility: FloatArray


def optimal_demand_uniform(
    p: npt.ArrayLike, c_a: npt.ArrayLike, low: npt.ArrayLike, high: npt.ArrayLike
) -> Demand:
    """Closed form for c_B ~ U[low, high]: z* = clip((high − c_A)/2, low, high), x* = p + z*,
    Pr(war) = (z* − low)/(high − low). No war iff high − 2·low ≤ c_A. A point belief
    (low = high) means no uncertainty: A demands p + c_B and there is no war. z* is capped at
    1 − p, so the demand never exceeds the whole stakes (x* = 1 is then a corner)."""
    pp, ca, a, b = arr(p, "p"), arr(c_a, "c_a"), arr(low, "low"), arr(high, "high")
    within(pp, "p", 0.0, 1.0)
    nonnegative(ca, "c_a")
    nonnegative(a, "low")
    if np.any(b < a):
        raise UsageError("high must be >= low")
    z = np.clip((b - ca) / 2, a, b)
    z = np.minimum(z, 1 - pp)  # A cannot demand more than everything
    width = b - a
    war = np.divide(np.clip(z - a, 0.0, None), width, out=np.zeros_like(width), where=width > 0)
    x = np.clip(pp + z, 0.0, 1.0)
    return Demand(x, war, x * (1 - war) + (pp - ca) * war)


class Belief(Protocol):
    """A distribution of B's cost: anything with ``cdf`` and ``pdf`` (e.g. scipy.stats frozen)."""

    def cdf(self, x: FloatArray) -> FloatArray: ...
    def pdf(self, x: FloatArray) -> FloatArray: ...


def optimal_demand(
    p: float, c_a: float, belief: Belief, support: tuple[float, float], grid: int = 2001
) -> Demand:
    """Any CDF: the root of the first-order condition 1 − F(z) = (z + c_A)·f(z) on ``support``
    (Brent's method), checked against the ends and a grid so a non-concave case still gets the
    global optimum. z is searched on ``support`` ∩ [.., 1 − p]: when the whole support lies above
    1 − p, every type of B prefers conceding everything to fighting and A demands x = 1."""
    hi = min(float(support[1]), 1.0 - p)
    lo = min(float(support[0]), hi)

    def utilities(z: FloatArray) -> FloatArray:
        f = belief.cdf(z)
        return (p + z) * (1 - f) + (p - c_a) * f

    def focs(z: FloatArray) -> FloatArray:
        return 1 - belief.cdf(z) - (z + c_a) * belief.pdf(z)

    def foc(z: float) -> float:
        return float(focs(np.asarray(z)))

    zs = np.linspace(lo, hi, grid)
    values = focs(zs)  # the grid in one vectorised call per function
    crossings = np.nonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)[0]
    roots = [float(optimize.brentq(foc, zs[k], zs[k + 1], xtol=1e-14)) for k in crossings]
    candidates = np.array([lo, hi, *roots, float(zs[np.argmax(utilities(zs))])])
    best = float(candidates[np.argmax(utilities(candidates))])
    war = float(belief.cdf(np.asarray(best)))
    x = min(max(p + best, 0.0), 1.0)
    return Demand(np.asarray(x), np.asarray(war), np.asarray(float(utilities(np.asarray(best)))))
