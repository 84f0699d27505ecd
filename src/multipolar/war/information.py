"""The risk–return trade-off under private information (Fearon 1995; Powell 1999).

A makes a take-it-or-leave-it demand x; B's cost of war c_B is private with CDF F. B accepts iff
c_B ≥ x − p. A maximises U_A(x) = x·[1 − F(x − p)] + (p − c_A)·F(x − p).
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
    (low = high) means no uncertainty: A demands p + c_B and there is no war."""
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
    x = pp + z
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
    global optimum."""
    lo, hi = float(support[0]), min(float(support[1]), 1.0 - p)

    def utility(z: float) -> float:
        f = float(belief.cdf(np.asarray(z)))
        return (p + z) * (1 - f) + (p - c_a) * f

    def foc(z: float) -> float:
        return float(1 - belief.cdf(np.asarray(z)) - (z + c_a) * belief.pdf(np.asarray(z)))

    candidates = [lo, hi]
    zs = np.linspace(lo, hi, grid)
    values = np.array([foc(z) for z in zs])
    crossings = np.nonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)[0]
    candidates += [float(optimize.brentq(foc, zs[k], zs[k + 1], xtol=1e-14)) for k in crossings]
    candidates.append(float(zs[np.argmax([utility(z) for z in zs])]))
    best = max(candidates, key=utility)
    war = float(belief.cdf(np.asarray(best)))
    return Demand(np.asarray(p + best), np.asarray(war), np.asarray(utility(best)))
