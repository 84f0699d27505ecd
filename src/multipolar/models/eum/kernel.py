"""Compiled rounds of the expected utility model: ``rounds.play_round`` without its dyad tables.

numba kernels take one problem at a time (chunks of the batch in parallel), so the
``(B, n, n, n)`` temporary of ``core.win_probability_reference`` is never built: the vote terms
of one problem go to an ``n³`` scratch buffer that each parallel task reuses (votes.py).

New positions and risk exponents equal ``play_round``'s bit for bit (tests/test_eum_kernel.py).
That matters: the model has exact ties (x_i = x_j makes an EU zero up to rounding, and its sign
picks an offer). So every sum follows numpy's order (npcompat.py), and every power is left to
numpy, which may evaluate ``**`` with SIMD routines (SVML on AVX-512) whose last bit differs
from the C library's ``pow`` that numba calls. A round is therefore the RISK stage (given the
median: the pass with r = 1, where x**1 = x exactly, and the bases of the powers), numpy's
powers, and the DECISION stage, which ends with the median of the new positions (the
trajectory's, and the next round's): two launches a round. Zero bases go to numpy as 1 (SVML is
slow on zeros) and come back as 0**r.

Only ``_batch`` is cached (in ``__pycache__``); numba keys a cache on the function's own file,
so its key also carries a digest of the files its helpers come from.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import numpy as np

from multipolar.models.eum import rounds
from multipolar.models.eum.core import median_position
from multipolar.models.eum.npcompat import STACK, IntArray, inline, jit
from multipolar.models.eum.rounds import CAPITULATION, COMPROMISE, CONFRONTATION, NONE, Settings
from multipolar.models.eum.votes import median as _median
from multipolar.models.eum.votes import prob_paper, prob_reference
from multipolar.models.jit import get_num_threads, njit, prange, set_num_threads
from multipolar.scenario.arrays import BoolArray, FloatArray

CHUNK = 32  # problems per parallel task
MEDIAN, RISK, DECISION = 0, 1, 2  # the stages _batch runs
_LOCK = threading.Lock()  # numba's default (workqueue) threads abort on concurrent launches
SERIAL = 4 * CHUNK  # smaller batches run on the calling thread: waking the pool costs more


@contextmanager
def _launch(problems: int) -> Iterator[None]:
    """Hold the kernel's lock; run a small batch on one thread (the numbers are the same: every
    problem is computed alone, whatever the threads)."""
    with _LOCK:
        if problems >= SERIAL:
            yield
            return
        threads = get_num_threads()
        set_num_threads(1)
        try:
            yield
        finally:
            set_num_threads(threads)


_HERE = Path(__file__).parent
_HELPER_FILES = tuple(_HERE / f for f in ("npcompat.py", "votes.py", "rounds.py", "../pairwise.py"))


@jit
def _base(m: int, d: float, dmu: float) -> float:
    """The base of power table m: |x_a − x_k|/R (exponent r_k), then those of U_s, U_f, U_b and
    U_w (exponent r_i), where tables 3-4 are i's own view (dmu_i), 5-6 the receiver's (dmu_j)."""
    if m == 0:
        return d
    if m <= 2:
        v = 0.5 - 0.5 * d if m == 1 else 0.5 + 0.5 * d
    else:
        v = 0.5 - 0.25 * (dmu + d) if m % 2 == 1 else 0.5 + 0.25 * (dmu + d)
    return 0.0 if v < 0.0 else v  # np.clip(v, 0.0, None)


@jit
def _power(p: float, base: float, r: float) -> float:
    """base**r, given numpy's power p (taken of 1 where base is 0): 0**r is 0 for r > 0 (r lies
    in [1/2, 2]), 1 for r = 0, inf for r < 0 (spelt out, as LLVM would hoist a pow call)."""
    if base != 0.0:
        return p
    return 0.0 if r > 0.0 else (1.0 if r == 0.0 else (np.inf if r < 0.0 else r))


@jit
def _utility(p: float, base: float, r: float) -> float:
    return 2.0 - 4.0 * _power(p, base, r)


@jit
def _eu(P: float, s: float, us: float, uf: float, usq: float, q: float) -> float:
    """core.expected_utility for one dyad, up to the Q < 1 term."""
    eu = s * (P * us + (1 - P) * uf) + (1 - s) * us
    return eu - q * usq


@jit
def _eu_rest(eu: float, dmu: float, dij: float, ub: float, uw: float, q: float, t: int) -> float:
    """Subtract the (1 − Q)[T U_b + (1 − T) U_w] term of core.expected_utility."""
    tt = (1.0 if dmu < dij else 0.0) if t < 0 else float(t)
    return eu - (1 - q) * (tt * ub + (1 - tt) * uw)


@jit
def _eu_rest_table(
    eu: float, tab: FloatArray, b: int, i: int, j: int, m: int, d: float, dmu: float, r: float,
    q: float, t: int,
) -> float:  # fmt: skip
    ub = _utility(tab[m, b, i, j], _base(m, d, dmu), r)
    return _eu_rest(eu, dmu, d, ub, _utility(tab[m + 1, b, i, j], _base(m + 1, d, dmu), r), q, t)


@jit
def _distances(x: FloatArray, mu: float, R: float, D: FloatArray, dmu: FloatArray) -> None:
    """D[i, j] = |x_i − x_j|/R and dmu[i] = |x_i − μ|/R."""
    for i in range(x.size):
        dmu[i] = abs(x[i] - mu) / R
        for j in range(x.size):
            D[i, j] = abs(x[i] - x[j]) / R


@jit
def _risk(
    b: int, x: FloatArray, w: FloatArray, s: FloatArray, mask: BoolArray, R: FloatArray,
    reference: bool, q: float, t: int, mu: FloatArray, r: FloatArray, tab: FloatArray,
    P_all: FloatArray, work: FloatArray, D: FloatArray, P: FloatArray, todo: IntArray,
) -> None:  # fmt: skip
    """Problem b, given its median mu[b]: the pass with r = 1, risk exponents, and the bases of
    the powers in ``tab``; in paper mode also the probabilities (they do not depend on r)."""
    n, xb, mb = x.shape[1], x[b], mask[b]
    sec, dmu, rest = work[:n], work[n : 2 * n], work[2 * n :]
    _distances(xb, mu[b], R[b], D, dmu)
    if not reference:
        P = P_all[b]
        prob_paper(xb, w[b], P, rest, todo)
    else:
        prob_reference(D, w[b], mb, P, rest, todo)  # r = 1: dist = D
    sec[:] = 0.0
    for i in range(n):
        for j in range(n):
            if mb[i] and mb[j] and i != j:
                d = D[i, j]
                us, uf = 2.0 - 4.0 * _base(1, d, 0.0), 2.0 - 4.0 * _base(2, d, 0.0)
                eu = _eu(P[i, j], s[b, j], us, uf, 2.0 - 4.0 * 0.5, q)
                if q != 1.0:
                    ub, uw = 2.0 - 4.0 * _base(3, d, dmu[i]), 2.0 - 4.0 * _base(4, d, dmu[i])
                    eu = _eu_rest(eu, dmu[i], d, ub, uw, q, t)
                sec[j] += eu
    hi, lo = -np.inf, np.inf
    for i in range(n):
        if mb[i]:
            hi, lo = max(hi, sec[i]), min(lo, sec[i])
    for i in range(n):
        big = (2 * sec[i] - hi - lo) / (hi - lo) if hi - lo > 0 and mb[i] else 0.0
        big = min(max(big, -1.0), 1.0)
        r[b, i] = (1 - big / 3) / (1 + big / 3)
    for m in range(tab.shape[0]):
        tm = tab[m, b]
        for i in range(n):
            for j in range(n):
                v = _base(m, D[i, j], dmu[j if m >= 5 else i])
                tm[i, j] = 1.0 if v == 0.0 else v


@jit
def _offer(a: float, e: float, fix: bool) -> int:
    """rounds._classify for a dyad of two actors, from a = E^i(U_ij) and e = E(U_ji)."""
    if e > a > 0:
        return CONFRONTATION
    if e > 0 and a < 0 and e > abs(a):
        return COMPROMISE
    # the reference code tests `e < abs(e)` here, which never holds (eum.md §A.4.4)
    return CAPITULATION if fix and e > 0 and a < 0 and e < abs(a) else NONE


@jit
def _powered(p: FloatArray, base: FloatArray, r: FloatArray, out: FloatArray) -> None:
    """out[a, k] = base[a, k]**r[k] from numpy's powers p."""
    for a in range(base.shape[0]):
        for k in range(base.shape[1]):
            out[a, k] = _power(p[a, k], base[a, k], r[k])


@inline
def _better(j: int, v: float, best: float) -> bool:
    """np.argmin's rule, met in one pass: index j (rank v) replaces the best so far if it is
    the first, or ranks lower, or is the first NaN (rounds._select's argmin over the offers of
    one kind, the others ranked inf: they never replace the best past index 0)."""
    return j == 0 or (not np.isnan(best) and (v < best or np.isnan(v)))


@inline
def _track(
    hit: bool, j: int, v: float, pick: int, best: float, found: bool
) -> tuple[int, float, bool]:
    """One kind's argmin so far (pick, best, found), given offer j of rank v if ``hit``."""
    if not hit:
        return pick, best, found
    if _better(j, v, best):
        return j, v, True
    return pick, best, True


@inline
def _dyad(
    b: int, i: int, j: int, s: FloatArray, r: FloatArray, reference: bool, q: float, t: int,
    tab: FloatArray, t1: FloatArray, t2: FloatArray, half: FloatArray, D: FloatArray,
    dmu: FloatArray, P: FloatArray, usq_i: float,
) -> tuple[float, float]:  # fmt: skip
    """E^i(U_ij) and E(U_ji) (i's view in reference mode, j's own in paper mode), from the
    powers in ``tab`` (t1, t2: its tables 1 and 2 for problem b)."""
    d, ri = D[i, j], r[b, i]
    us = _utility(t1[i, j], _base(1, d, 0.0), ri)
    uf = _utility(t2[i, j], _base(2, d, 0.0), ri)
    a = _eu(P[i, j], s[b, j], us, uf, usq_i, q)
    if reference:  # j's challenge, judged with i's exponent
        e = _eu(P[j, i], s[b, i], us, uf, usq_i, q)
    else:  # j judges its own challenge
        us = _utility(t1[j, i], _base(1, d, 0.0), r[b, j])
        uf = _utility(t2[j, i], _base(2, d, 0.0), r[b, j])
        e = _eu(P[j, i], s[b, i], us, uf, 2.0 - 4.0 * half[b, j], q)
    if q != 1.0:
        a = _eu_rest_table(a, tab, b, i, j, 3, d, dmu[i], ri, q, t)
        if reference:
            e = _eu_rest_table(e, tab, b, i, j, 5, d, dmu[j], ri, q, t)
        else:
            e = _eu_rest_table(e, tab, b, j, i, 3, d, dmu[j], r[b, j], q, t)
    return a, e


@jit
def _decide(
    b: int, x: FloatArray, w: FloatArray, s: FloatArray, mask: BoolArray, R: FloatArray,
    reference: bool, q: float, t: int, fix: bool, mu: FloatArray, r: FloatArray,
    tab: FloatArray, half: FloatArray, P_all: FloatArray, new_x: FloatArray, new_mu: FloatArray,
    work: FloatArray, D: FloatArray, P: FloatArray, todo: IntArray,
) -> None:  # fmt: skip
    """Problem b: probabilities, both EUs, offers (rounds._classify), the synchronous update
    (rounds._select) from the powers numpy put in ``tab`` and ``half``, and the median of the
    new positions (the next round's, and the trajectory's)."""
    n, xb = x.shape[1], x[b]
    target = work[n : 2 * n]
    dmu, rest = work[4 * n : 5 * n], work[5 * n + n * n :]
    dist = work[5 * n : 5 * n + n * n].reshape((n, n))
    _distances(xb, mu[b], R[b], D, dmu)
    if not reference:
        P = P_all[b]
    else:
        _powered(tab[0, b], D, r[b], dist)
        prob_reference(dist, w[b], mask[b], P, rest, todo)
    t1, t2 = tab[1, b], tab[2, b]
    for i in range(n):
        xi, usq_i = xb[i], 2.0 - 4.0 * half[b, i]
        # rounds._select: a confrontation it loses (the least move), else a compromise
        # (reference mode: the lowest EU-weighted average position; paper: least move), else a
        # capitulation (least move); each kind's argmin tracked as the offers come
        pick1, pick2, pick3, best1, best2, best3 = 0, 0, 0, np.inf, np.inf, np.inf
        found1, found2, found3 = False, False, False
        for j in range(n):
            xj = xb[j]
            a, e = _dyad(b, i, j, s, r, reference, q, t, tab, t1, t2, half, D, dmu, P, usq_i)
            kind = _offer(a, e, fix) if mask[b, i] and mask[b, j] and i != j else NONE
            if kind == COMPROMISE:
                target[j] = xi + (xj - xi) * (abs(a) / abs(e) if e != 0 else 0.0)
            else:
                target[j] = xi if kind == NONE else xj
            move = abs(target[j] - xi)
            pick1, best1, found1 = _track(kind == CONFRONTATION, j, move, pick1, best1, found1)
            if reference and kind == COMPROMISE:  # the key only ever ranks compromises
                weight = abs(a) + abs(e)
                move = (abs(a) * xi + abs(e) * xj) / weight if weight > 0 else 0.0
            pick2, best2, found2 = _track(kind == COMPROMISE, j, move, pick2, best2, found2)
            pick3, best3, found3 = _track(kind == CAPITULATION, j, move, pick3, best3, found3)
        pick = pick1 if found1 else (pick2 if found2 else (pick3 if found3 else -1))
        new_x[b, i] = target[pick] if pick >= 0 else xi
    new_mu[b] = _median(new_x[b], w[b], mask[b], work, todo, work[n:])


def _sources_digest() -> str:
    """A digest of the files _batch's helpers come from (empty if they cannot be read)."""
    try:
        parts = [path.read_bytes() for path in _HELPER_FILES]
    except OSError:
        return ""
    return hashlib.sha256(b"".join(parts)).hexdigest()


def _compile_batch(digest: str) -> Callable[..., None]:
    """The parallel driver, cached under a key that includes ``digest``."""

    @njit(cache=True, error_model="numpy", parallel=True)
    def _batch(
        stage: int, x: FloatArray, w: FloatArray, s: FloatArray, mask: BoolArray, R: FloatArray,
        reference: bool, q: float, t: int, fix: bool, mu: FloatArray, r: FloatArray,
        tab: FloatArray, half: FloatArray, P_all: FloatArray, new_x: FloatArray,
        new_mu: FloatArray,
    ) -> None:  # fmt: skip
        """Run one stage (MEDIAN, RISK or DECISION) over the batch, CHUNK problems per task."""
        B, n = x.shape
        if len(digest) < 0:  # never: it puts the digest into numba's cache key
            return
        for c in prange((B + CHUNK - 1) // CHUNK):
            work, todo = np.empty(n**3 + n * n + 8 * n + STACK), np.empty(STACK, np.int64)
            D, P = np.empty((n, n)), np.empty((n, n))
            for b in range(c * CHUNK, min(B, (c + 1) * CHUNK)):
                if stage == MEDIAN:
                    mu[b] = _median(x[b], w[b], mask[b], work, todo, work[n:])
                elif stage == RISK:
                    _risk(b, x, w, s, mask, R, reference, q, t, mu, r, tab, P_all, work, D, P,
                          todo)  # fmt: skip
                else:
                    _decide(b, x, w, s, mask, R, reference, q, t, fix, mu, r, tab, half, P_all,
                            new_x, new_mu, work, D, P, todo)  # fmt: skip

    return cast(Callable[..., None], _batch)


_batch = _compile_batch(_sources_digest())


def _float(*arrays: FloatArray) -> list[FloatArray]:
    return [np.ascontiguousarray(a, dtype=np.float64) for a in arrays]


def median(x: FloatArray, w: FloatArray, mask: BoolArray) -> FloatArray:
    """``core.median_position(x, w, mask)``, compiled."""
    if x.shape[-1] == 0:  # no actors: numpy's answer (an error)
        return median_position(x, w, mask)
    x, w = _float(x, w)
    mask = np.ascontiguousarray(mask, dtype=np.bool_)
    mu, tab, P = np.empty(x.shape[0]), np.empty((0, 0, 0, 0)), np.empty((0, 0, 0))
    with _launch(x.shape[0]):
        _batch(MEDIAN, x, w, x, mask, mu, True, 1.0, -1, False, mu, x, tab, x, P, x, mu)
    return mu


def step(
    x: FloatArray, w: FloatArray, s: FloatArray, mask: BoolArray, R: FloatArray, cfg: Settings,
    mu: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:  # fmt: skip
    """``play_round(x, w, s, mask, R, cfg)``'s ``(new_x, r)`` without the dyad tables, and
    ``median_position`` of ``new_x``, given ``mu``, that of ``x``: two launches a round."""
    if x.shape[-1] == 0:  # no actors: numpy's answer
        new_x, r = advance(x, w, s, mask, R, cfg)
        return new_x, r, median_position(new_x, w, mask)
    x, w, s, R, mu = _float(x, w, s, R, mu)
    mask = np.ascontiguousarray(mask, dtype=np.bool_)
    reference, q, fix = cfg.mode == "reference", float(cfg.q), bool(cfg.fix_capitulation)
    t = -1 if cfg.t is None else int(cfg.t)
    B, n = x.shape
    r, new_x, new_mu = np.empty((B, n)), np.empty((B, n)), np.empty(B)
    tab = np.empty((3 if q == 1.0 else (7 if reference else 5), B, n, n))
    P = np.empty((0 if reference else B, n, n))
    with _launch(B):
        _batch(RISK, x, w, s, mask, R, reference, q, t, fix, mu, r, tab, r, P, new_x, new_mu)
        if reference:  # each voter's exponent
            np.power(tab[0], r[:, None, :], out=tab[0])
        np.power(tab[1:], r[None, :, :, None], out=tab[1:])  # the receiver's (or own) exponent
        half = np.power(np.full_like(r, 0.5), r)
        _batch(DECISION, x, w, s, mask, R, reference, q, t, fix, mu, r, tab, half, P, new_x,
               new_mu)  # fmt: skip
    return new_x, r, new_mu


def advance(
    x: FloatArray, w: FloatArray, s: FloatArray, mask: BoolArray, R: FloatArray, cfg: Settings
) -> tuple[FloatArray, FloatArray]:
    """``play_round(x, w, s, mask, R, cfg)``'s ``(new_x, r)``, without the dyad tables."""
    if x.shape[-1] == 0:  # no actors: numpy's answer
        round_ = rounds.play_round(x, w, s, mask, R, cfg)
        return round_.new_x, round_.r
    new_x, r, _ = step(x, w, s, mask, R, cfg, median(x, w, mask))
    return new_x, r
