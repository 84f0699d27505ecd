"""Powell (2006): war as a commitment problem under a shift in power.

The declining state D wins with probability q_t now and q_{t+1} after the shift; per-period pie 1,
common discount δ, D's per-period cost of war c_D. The rising state cannot credibly promise D more
than the whole pie today plus D's war value after the shift, so war happens iff
δ·(q_t − q_{t+1}) > (1 − δ)·(1 − q_t + c_D). A guarantee that caps the shift at g replaces the
left side by δ·min(q_t − q_{t+1}, g); a side payment S adds S to the right side's budget.
Sign convention (shared by every war output): the *peace margin* rhs − lhs is positive when the
declining state prefers the deal to fighting now (room for a deal), negative when it fights.
Source: Powell, R. (2006), "War as a commitment problem", International Organization 60:169–203.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from multipolar.errors import UsageError
from multipolar.scenario.arrays import BoolArray, FloatArray
from multipolar.war._arrays import arr, nonnegative, within


@dataclass(frozen=True)
class Commitment:
    """The test's two sides; ``peace_margin`` = rhs − lhs, in shares of the per-period pie:
    positive = the declining state prefers the deal to fighting now (room for a deal), negative =
    it fights (by how much peace fails)."""

    lhs: FloatArray
    rhs: FloatArray
    war: BoolArray
    peace_margin: FloatArray
    rising_prefers_deal: BoolArray


def commitment_test(
    delta: npt.ArrayLike,
    q_now: npt.ArrayLike,
    q_next: npt.ArrayLike,
    c_d: npt.ArrayLike,
    *,
    c_r: npt.ArrayLike = 0.0,
    cap: npt.ArrayLike | None = None,
    side_payment: npt.ArrayLike = 0.0,
) -> Commitment:
    """One step of the test. ``cap`` is the guarantee's cap on the shift (None: no guarantee).

    ``rising_prefers_deal`` checks the rising state's side, δ(1 − q_{t+1} + c_D) ≥ 1 − q_t − c_R.
    """
    d, qn, qx, cd = arr(delta, "delta"), arr(q_now, "q_now"), arr(q_next, "q_next"), arr(c_d, "c_d")
    cr, s = arr(c_r, "c_r"), arr(side_payment, "side_payment")
    within(d, "delta", 0.0, 1.0, open_high=True)
    within(qn, "q_now", 0.0, 1.0)
    within(qx, "q_next", 0.0, 1.0)
    nonnegative(cd, "c_d")
    nonnegative(cr, "c_r")
    nonnegative(s, "side_payment")
    shift = np.clip(qn - qx, 0.0, None)
    if cap is not None:
        g = arr(cap, "cap")
        nonnegative(g, "cap")
        shift = np.minimum(shift, g)
    lhs = d * shift
    rhs = (1 - d) * (1 + s - qn + cd)
    rising = d * (1 - qx + cd) >= 1 - qn - cr
    return Commitment(lhs, rhs, lhs > rhs, rhs - lhs, rising)


def commitment_path(
    delta: float,
    path: npt.ArrayLike,
    c_d: float,
    *,
    cap: float | None = None,
    side_payment: float = 0.0,
) -> tuple[bool, int | None, FloatArray]:
    """Apply the test to each step of a projected path q_0, q_1, ... (Krainin 2015: slow but
    persistent shifts matter too). Returns (war anywhere, first failing step, peace margins:
    negative where the step fails)."""
    q = arr(path, "path")
    if q.ndim != 1 or q.size < 2:
        raise UsageError("path needs at least two points")
    result = commitment_test(delta, q[:-1], q[1:], c_d, cap=cap, side_payment=side_payment)
    fails = np.nonzero(result.war)[0]
    first = int(fails[0]) if fails.size else None
    return bool(fails.size), first, result.peace_margin
