"""Exact Shapley–Shubik indices of the Council's games, with up to ~40 players.

The Council's qualified-majority games have 15 to 28 players and, under Lisbon, two criteria
(members and population), so ``multipolar.dynamics.power`` (one weight vector, exact only up to
20 players) does not cover them; it serves as the independent check in the tests. Here a
coalition S of n players wins iff

    (|S| >= min_members and w(S) >= quota)  or  n - |S| < blocking_members,

with integer weights ``w`` (votes, or persons). Player i's index is the probability, over random
orders, that the players before i lose and adding i wins. For each size s the coalitions of the
others that i turns from losing into winning are those whose weight lies in one interval, so
they can be counted exactly by meeting in the middle: the others are split into two halves,
every subset of each half is listed by size and weight, and pairs are counted with binary
searches. Cost about 2^(n/2) per player; no sampling, no rounding of populations.
"""

from __future__ import annotations

from math import comb

import numpy as np
import numpy.typing as npt

from multipolar.errors import UsageError
from multipolar.scenario.arrays import FloatArray

IntArray = npt.NDArray[np.int64]
MAX_PLAYERS = 40


def _subsets(w: IntArray) -> list[IntArray]:
    """Sorted weights of all subsets of ``w``, grouped by subset size (index = size)."""
    m = w.size
    codes = np.arange(2**m, dtype=np.int64)
    bits = (codes[:, None] >> np.arange(m, dtype=np.int64)) & 1
    size = bits.sum(axis=1)
    total = bits @ w
    return [np.sort(total[size == s]) for s in range(m + 1)]


def _count_between(a_by_size: list[IntArray], b_by_size: list[IntArray], s: int,
                   lo: int, hi: int) -> int:  # fmt: skip
    """How many subsets of size ``s`` (a from the first half, b from the second) weigh in
    [lo, hi)."""
    count = 0
    for sa, a in enumerate(a_by_size):
        sb = s - sa
        if not 0 <= sb < len(b_by_size) or a.size == 0:
            continue
        b = b_by_size[sb]
        upper = np.searchsorted(b, hi - a, side="left")
        lower = np.searchsorted(b, lo - a, side="left")
        count += int(np.sum(upper - lower))
    return count


def _pivot_interval(s: int, n: int, wi: int, quota: int, min_members: int, blocking: int,
                    total: int) -> tuple[int, int]:  # fmt: skip
    """Weights W of the others' coalitions of size s that lose while W + w_i wins: [lo, hi)."""
    never, always = total + 1, -1  # bounds no coalition weight reaches / every weight passes

    def always_wins(size: int) -> bool:
        return blocking > 0 and n - size < blocking

    if always_wins(s):
        return never, never  # the coalition already wins: i is not pivotal
    hi = never if s < min_members else quota  # losing: too few members, or short of the quota
    if always_wins(s + 1):
        lo = always
    elif s + 1 >= min_members:
        lo = quota - wi
    else:
        lo = never
    return lo, max(lo, hi)


def shapley_shubik(
    weights: npt.ArrayLike, quota: int, *, min_members: int = 0, blocking_members: int = 0
) -> FloatArray:
    """Exact Shapley–Shubik index of every player (sums to 1 when some coalition wins).

    ``weights`` are non-negative integers; a coalition wins iff it has at least
    ``min_members`` players and weight at least ``quota``, or leaves fewer than
    ``blocking_members`` players outside (0: no such clause).
    """
    w = np.asarray(weights)
    if w.ndim != 1 or w.size == 0 or w.size > MAX_PLAYERS:
        raise UsageError(f"weights must list 1 to {MAX_PLAYERS} players")
    if not np.issubdtype(w.dtype, np.integer) or np.any(w < 0):
        raise UsageError("weights must be integers >= 0 (votes or persons)")
    w = w.astype(np.int64)
    n, total = w.size, int(w.sum())
    ssi = np.zeros(n)
    done: dict[int, int] = {}  # weight -> a player of that weight already computed
    for i in range(n):
        twin = done.setdefault(int(w[i]), i)
        if twin != i:  # players of equal weight are symmetric: the same exact counts
            ssi[i] = ssi[twin]
            continue
        others = np.delete(w, i)
        half = others.size // 2
        a_by, b_by = _subsets(others[:half]), _subsets(others[half:])
        for s in range(n):
            lo, hi = _pivot_interval(s, n, int(w[i]), quota, min_members, blocking_members, total)
            if lo < hi:
                pivots = _count_between(a_by, b_by, s, lo, hi)
                ssi[i] += pivots / (n * comb(n - 1, s))  # s!(n-1-s)!/n! per ordering class
    return ssi


def population_quota(populations: npt.ArrayLike, pct: float) -> int:
    """The smallest whole number of persons that is at least ``pct`` % of the total."""
    total = int(np.sum(np.asarray(populations, dtype=np.int64)))
    scaled = round(pct * 100)  # pct in hundredths of a percent, exact for 65 or 62.5
    return -(-total * scaled // 10_000)
