"""The war of attrition: stationary mixed equilibrium in continuous time.

Each side values the prize at V_i and pays a flow cost c_i; each concedes at the hazard that
keeps the other indifferent: λ_A = c_B/V_B, λ_B = c_A/V_A. Known paradox: in this equilibrium the
side with the *higher* cost-to-value ratio wins more often — the result flags it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from multipolar.errors import UsageError
from multipolar.scenario.arrays import BoolArray, FloatArray
from multipolar.war._arrays import arr


@dataclass(frozen=True)
class Attrition:
    a_wins: FloatArray  # P(A outlasts B)
    expected_duration: FloatArray
    expected_cost_a: FloatArray
    expected_cost_b: FloatArray
    paradox: BoolArray  # True where the costlier side (per unit of value) is favoured
    note: str = (
        "stationary mixed equilibrium: the side with the higher cost-to-value ratio wins more "
        "often (a known paradox); prefer a battle-chain model for who outlasts whom"
    )


def war_of_attrition(
    v_a: npt.ArrayLike, v_b: npt.ArrayLike, c_a: npt.ArrayLike, c_b: npt.ArrayLike
) -> Attrition:
    va, vb, ca, cb = arr(v_a, "v_a"), arr(v_b, "v_b"), arr(c_a, "c_a"), arr(c_b, "c_b")
    if np.any(va <= 0) or np.any(vb <= 0) or np.any(ca <= 0) or np.any(cb <= 0):
        raise UsageError("prize values and flow costs must be > 0")
    lam_a, lam_b = cb / vb, ca / va
    total = lam_a + lam_b
    a_wins = lam_b / total
    duration = 1 / total
    paradox = (ca / va > cb / vb) & (a_wins > 0.5) | (cb / vb > ca / va) & (a_wins < 0.5)
    return Attrition(a_wins, duration, ca * duration, cb * duration, paradox)
