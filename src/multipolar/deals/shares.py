"""Strategic bargaining: the proposer's share in alternating-offer and legislative games.

Rubinstein (1982) Econometrica 50:97–109; Baron & Ferejohn (1989) APSR 83:1181–1206.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from multipolar.errors import UsageError
from multipolar.scenario.arrays import FloatArray
from multipolar.war._arrays import arr, within


def _discount(value: npt.ArrayLike, name: str) -> FloatArray:
    d = arr(value, name)
    within(d, name, 0.0, 1.0, open_high=True)
    return d


def rubinstein_share(delta_1: npt.ArrayLike, delta_2: npt.ArrayLike) -> FloatArray:
    """First proposer's share, (1 − δ₂)/(1 − δ₁δ₂)."""
    d1, d2 = _discount(delta_1, "delta_1"), _discount(delta_2, "delta_2")
    return (1 - d2) / (1 - d1 * d2)


def rubinstein_share_continuous(delta_1: npt.ArrayLike, delta_2: npt.ArrayLike) -> FloatArray:
    """The limit as offers come faster: α₁ = r₂/(r₁ + r₂), r_i = −ln δ_i (patience is power)."""
    d1, d2 = _discount(delta_1, "delta_1"), _discount(delta_2, "delta_2")
    if np.any((d1 == 0) | (d2 == 0)):
        raise UsageError("discount factors must be > 0 for the continuous-time limit")
    r1, r2 = -np.log(d1), -np.log(d2)
    return np.divide(r2, r1 + r2, out=np.full_like(r1 + r2, 0.5), where=(r1 + r2) > 0)


def unanimity_share(n: int, delta: npt.ArrayLike) -> FloatArray:
    """n players, unanimity, stationary rotating proposer: (1 − δ)/(1 − δⁿ)."""
    if n < 1:
        raise UsageError("n must be >= 1")
    d = _discount(delta, "delta")
    return (1 - d) / (1 - d**n)


def baron_ferejohn_share(n: int, delta: npt.ArrayLike) -> FloatArray:
    """Closed rule, simple majority, n odd: the proposer keeps 1 − δ(n − 1)/(2n)."""
    if n < 1 or n % 2 == 0:
        raise UsageError("n must be an odd number >= 1")
    d = _discount(delta, "delta")
    return 1 - d * (n - 1) / (2 * n)
