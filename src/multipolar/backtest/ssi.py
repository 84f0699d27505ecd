"""Exact Shapley–Shubik indices of the Council's games, with up to ~40 players.

The Council's qualified-majority games have 15 to 28 players and, under Lisbon, two criteria
(members and population), so ``multipolar.dynamics.power`` (one weight vector, exact only up to
20 players) does not cover them; it serves as the independent check in the tests. Here a
coalition S of n players wins iff

    (|S| >= min_members and w(S) >= quota)  or  n - |S| < blocking_members,

with integer weights ``w`` (votes, or persons). Player i's index is the probability, over random
orders, that the players before i lose and adding i wins. For each size s the coalitions of the
others that i turns from losing into winning are those whose weight lies in one interval, so
they can be counted exactly by meeting in the middle: the players are split into two halves
once, every subset of each half is listed by size and weight (a player's others are the
subsets without it), and pairs are counted with one sorted search per player. Cost about
n 2^(n/2) per player; no sampling, no rounding of populations.
"""

from __future__ import annotations

from math import comb

import numpy as np
import numpy.typing as npt

from multipolar.errors import UsageError
from multipolar.scenario.arrays import FloatArray

IntArray = npt.NDArray[np.int64]
MAX_PLAYERS = 40


class _Half:
    """Every subset of a half of the players: which players it holds (a bit each), its size
    and weight, sorted by size, then weight; and where each size's run starts."""

    def __init__(self, w: IntArray) -> None:
        m = w.size
        codes = np.arange(2**m, dtype=np.int64)
        bits = (codes[:, None] >> np.arange(m, dtype=np.int64)) & 1
        size, weight = bits.sum(axis=1), bits @ w
        order = np.lexsort((weight, size))
        self.codes, self.size, self.weight = codes[order], size[order], weight[order]
        self.starts = np.searchsorted(self.size, np.arange(m + 2))


def _below(weights: IntArray, other: _Half, limit: int) -> IntArray:
    """``out[a, s]``: how many subsets of ``other`` with s players weigh less than ``limit``
    minus ``weights[a]`` (one sorted search per size)."""
    out = np.empty((weights.size, other.starts.size - 1), dtype=np.int64)
    room = limit - weights
    for s in range(out.shape[1]):
        out[:, s] = np.searchsorted(other.weight[other.starts[s] : other.starts[s + 1]], room)
    return out


def _by_size(counts: IntArray, size: IntArray, sizes: int) -> IntArray:
    """``counts`` (rows sorted by ``size``, columns the other half's sizes) summed over the
    pairs of each size together, for sizes 0..sizes-1."""
    runs = np.add.reduceat(counts, np.searchsorted(size, np.arange(int(size.max()) + 1)), axis=0)
    out = np.zeros(sizes + counts.shape[1], dtype=np.int64)
    for sa, row in enumerate(runs):
        out[sa : sa + row.size] += row
    return out[:sizes]


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
    # a player's others: the subsets of its own half without it, paired with every subset of
    # the other half; both halves' subsets are listed once
    half = n // 2
    halves = (_Half(w[:half]), _Half(w[half:]))
    shared: dict[int, IntArray] = {}  # per half: the counts below the quota, for every subset
    done: dict[int, int] = {}  # weight -> a player of that weight already computed
    for i in range(n):
        twin = done.setdefault(int(w[i]), i)
        if twin != i:  # players of equal weight are symmetric: the same exact counts
            ssi[i] = ssi[twin]
            continue
        bounds = [
            _pivot_interval(s, n, int(w[i]), quota, min_members, blocking_members, total)
            for s in range(n)
        ]
        h, j = (0, i) if i < half else (1, i - half)
        own, other = halves[h], halves[1 - h]
        keep = (own.codes >> j) & 1 == 0
        below: dict[int, IntArray] = {}  # limit -> coalitions of the others below it, by size
        for x in {x for lo, hi in bounds if lo < hi for x in (lo, hi) if 0 < x <= total}:
            if x == quota:
                if h not in shared:
                    shared[h] = _below(own.weight, other, quota)
                counts = shared[h][keep]
            else:
                counts = _below(own.weight[keep], other, x)
            below[x] = _by_size(counts, own.size[keep], n)

        def under(x: int, size: int) -> int:  # coalitions of the others of a size below x
            return 0 if x <= 0 else comb(n - 1, size) if x > total else int(below[x][size])  # noqa: B023

        for s, (lo, hi) in enumerate(bounds):
            if lo < hi:
                pivots = under(hi, s) - under(lo, s)
                ssi[i] += pivots / (n * comb(n - 1, s))  # s!(n-1-s)!/n! per ordering class
    return ssi


def population_quota(populations: npt.ArrayLike, pct: float) -> int:
    """The smallest whole number of persons that is at least ``pct`` % of the total."""
    total = int(np.sum(np.asarray(populations, dtype=np.int64)))
    scaled = round(pct * 100)  # pct in hundredths of a percent, exact for 65 or 62.5
    return -(-total * scaled // 10_000)
