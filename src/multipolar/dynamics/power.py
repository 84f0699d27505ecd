"""Voting power in a weighted majority game with veto players: Shapley–Shubik and Banzhaf.

A coalition wins iff it holds every veto player and its weights reach the quota. Exact by
enumeration up to ``EXACT_LIMIT`` players (each player's swings over the 2^(n−1) coalitions of
the others, vectorised); beyond that, seeded Monte Carlo over random orders (Shapley–Shubik) and
random coalitions (Banzhaf) with standard errors.
Sources: Shapley & Shubik (1954) APSR 48:787–792; Banzhaf (1965) Rutgers Law Review 19:317–343.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import factorial

import numpy as np
import numpy.typing as npt

from multipolar.errors import UsageError
from multipolar.scenario.arrays import FloatArray

EXACT_LIMIT = 20


@dataclass(frozen=True)
class PowerIndices:
    shapley_shubik: FloatArray
    banzhaf: FloatArray  # normalised to sum to 1
    banzhaf_raw: FloatArray  # share of the others' coalitions in which the player swings
    exact: bool
    shapley_shubik_se: FloatArray | None = None
    banzhaf_se: FloatArray | None = None


def _check(
    weights: npt.ArrayLike, quota: float, veto: npt.ArrayLike | None
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1 or w.size == 0 or np.any(w < 0) or not np.all(np.isfinite(w)):
        raise UsageError("weights must be a non-empty list of finite numbers >= 0")
    if not np.isfinite(quota) or quota < 0:
        raise UsageError("the quota must be a finite number >= 0")
    v = np.zeros(w.size, dtype=bool) if veto is None else np.asarray(veto, dtype=bool)
    if v.shape != w.shape:
        raise UsageError("veto must give one flag per player")
    return w, v


def _wins(
    members: npt.NDArray[np.bool_], w: FloatArray, quota: float, veto: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Rows of ``members`` (coalitions × players) that win."""
    return (members @ w >= quota - 1e-12) & np.all(members | ~veto, axis=1)


def power_indices(
    weights: npt.ArrayLike, quota: float, veto: npt.ArrayLike | None = None, *,
    samples: int = 20_000, seed: int = 0,
) -> PowerIndices:  # fmt: skip
    """Shapley–Shubik and Banzhaf indices of every player."""
    w, v = _check(weights, quota, veto)
    n = w.size
    if n <= EXACT_LIMIT:
        return _exact(w, quota, v)
    return _sampled(w, quota, v, samples, np.random.default_rng(seed))


def _exact(w: FloatArray, quota: float, veto: npt.NDArray[np.bool_]) -> PowerIndices:
    n = w.size
    codes = np.arange(2 ** (n - 1), dtype=np.int64)
    bits = ((codes[:, None] >> np.arange(n - 1)) & 1).astype(bool)  # coalitions of n−1 others
    size = bits.sum(axis=1)
    weight_of_size = np.array([factorial(s) * factorial(n - s - 1) for s in range(n)], float)
    weight_of_size /= factorial(n)
    ss, bz = np.zeros(n), np.zeros(n)
    for i in range(n):
        others = np.delete(np.arange(n), i)
        members = np.zeros((codes.size, n), dtype=bool)
        members[:, others] = bits
        lose = _wins(members, w, quota, veto)
        members[:, i] = True
        win = _wins(members, w, quota, veto)
        swing = win & ~lose
        ss[i] = weight_of_size[size[swing]].sum()
        bz[i] = swing.sum()
    raw = bz / 2 ** (n - 1)
    total = bz.sum()
    return PowerIndices(ss, bz / total if total > 0 else np.zeros(n), raw, exact=True)


def _sampled(
    w: FloatArray, quota: float, veto: npt.NDArray[np.bool_], samples: int, rng: np.random.Generator
) -> PowerIndices:
    n = w.size
    ss_hits = np.zeros((samples, n))
    for s in range(samples):  # random orders: who turns the coalition into a winning one
        order = rng.permutation(n)
        members = np.zeros((n + 1, n), dtype=bool)
        for k in range(n):
            members[k + 1] = members[k]
            members[k + 1, order[k]] = True
        wins = _wins(members, w, quota, veto)
        first = int(np.argmax(wins)) if wins.any() else 0
        if first > 0:
            ss_hits[s, order[first - 1]] = 1.0
    coal = rng.random((samples, n)) < 0.5
    bz_hits = np.zeros((samples, n))
    for i in range(n):
        with_i, without = coal.copy(), coal.copy()
        with_i[:, i], without[:, i] = True, False
        bz_hits[:, i] = _wins(with_i, w, quota, veto) & ~_wins(without, w, quota, veto)
    raw = bz_hits.mean(axis=0)
    se_raw = bz_hits.std(axis=0, ddof=1) / np.sqrt(samples)
    total = raw.sum()
    return PowerIndices(
        ss_hits.mean(axis=0),
        raw / total if total > 0 else np.zeros(n),
        raw,
        exact=False,
        shapley_shubik_se=ss_hits.std(axis=0, ddof=1) / np.sqrt(samples),
        banzhaf_se=se_raw / total if total > 0 else np.zeros(n),
    )
