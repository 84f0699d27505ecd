"""The battlefield as a Markov chain (gambler's ruin), and learning the win rate.

The front is at k ∈ {0, …, N}; each battle A advances with probability π. A wins totally at N,
loses at 0. With ρ = (1 − π)/π: P(A wins | k) = (1 − ρ^k)/(1 − ρ^N) and
E[battles | k] = k/(q − π) − (N/(q − π))·(1 − ρ^k)/(1 − ρ^N), q = 1 − π (π = ½: k/N and k(N − k)).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from multipolar.errors import UsageError
from multipolar.scenario.arrays import FloatArray
from multipolar.war._arrays import arr, within

_HALF = 1e-9  # |π − ½| below this uses the fair-coin limit


def battle_chain(
    n: npt.ArrayLike, k: npt.ArrayLike, pi: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """(P(A wins totally), expected number of battles) from front position k of N."""
    nn, kk, pp = arr(n, "n"), arr(k, "k"), arr(pi, "pi")
    within(pp, "pi", 0.0, 1.0)
    if np.any((kk < 0) | (kk > nn)) or np.any(nn <= 0):
        raise UsageError("need 0 <= k <= N and N > 0")
    fair = np.abs(pp - 0.5) < _HALF
    safe = np.where(fair | (pp == 0) | (pp == 1), 0.6, pp)
    rho = (1 - safe) / safe
    win = (1 - rho**kk) / (1 - rho**nn)
    drift = (1 - safe) - safe
    battles = kk / drift - (nn / drift) * win
    win = np.where(fair, kk / nn, win)
    battles = np.where(fair, kk * (nn - kk), battles)
    win = np.where(
        pp == 1, (kk > 0).astype(float), np.where(pp == 0, (kk == nn).astype(float), win)
    )
    battles = np.where(pp == 1, nn - kk, np.where(pp == 0, kk, battles))
    return win, battles


def update_win_rate(
    alpha: npt.ArrayLike, beta: npt.ArrayLike, wins: npt.ArrayLike, losses: npt.ArrayLike
) -> FloatArray:
    """Posterior predictive π after observing battles: Beta(α + wins, β + losses) mean."""
    a, b, w, lo = arr(alpha, "alpha"), arr(beta, "beta"), arr(wins, "wins"), arr(losses, "losses")
    if np.any(a <= 0) or np.any(b <= 0) or np.any(w < 0) or np.any(lo < 0):
        raise UsageError("need alpha, beta > 0 and wins, losses >= 0")
    return (a + w) / (a + b + w + lo)
