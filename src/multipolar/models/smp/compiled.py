"""The contests of a turn (``contests.contests``) compiled with numba, for large batches.

One pass over (pair, target, third party) computes each third party's votes without the
``(P, J, n)`` temporaries of the numpy path, so the batch (the DEU backtest's issues × schemes)
is no longer bound by memory traffic. Every value is the same IEEE operation on the same
operands, in the same order, as in ``contests.contests``; the sum over third parties follows
numpy's pairwise order (``_sum``; as ``models/eum/npcompat.py`` does for the EUM). So the
results are equal bit for bit (tests/test_smp_compiled.py), and which path runs never changes a
number. Voting rules with a cube (``prop_cbc``, ``cubic``) stay on the numpy path: numba's
``**`` is not numpy's.

Importing this module loads numba: ``batch`` imports it only for work big enough to repay it
(``KERNEL_WORK``) or once it is loaded. The kernel is cached in ``__pycache__``; it calls only
functions of this file, so numba's cache key (this file) covers all of its code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numba import njit

from multipolar.models.smp.challenge import MIN_CONTEST
from multipolar.models.smp.contests import STATES
from multipolar.models.smp.pce import _BINARY_MIN, _BINARY_THRESHOLD, MIN_COALITION
from multipolar.models.smp.utility import BINARY_TOL
from multipolar.scenario.arrays import FloatArray

#: voting rules the kernel computes, by code
RULES = {"proportional": 0, "binary": 1, "prop_bin": 2, "asym_prosp": 3}
_njit: Any = njit
Fn = TypeVar("Fn", bound=Callable[..., object])


def _kernel(fn: Fn) -> Fn:
    """Compiled with numpy's error model (x / 0 is inf or nan) and cached in __pycache__."""
    return cast(Fn, _njit(error_model="numpy", cache=True)(fn))


def _inline(fn: Fn) -> Fn:
    """As ``_kernel``, and inlined into its callers by numba (in its IR)."""
    return cast(Fn, _njit(error_model="numpy", inline="always", cache=True)(fn))


@_inline
def _quad(d: float, r: float) -> float:
    """``utility.quad_utility`` of one value."""
    if d <= 1.0:
        return (1.0 - d) * (1.0 + r * d)
    return (1.0 - d) * (1.0 + r)


@_inline
def _pos(x: float) -> float:
    """``np.maximum(x, 0.0)`` (a sign of zero may differ; every use adds it to a positive)."""
    return 0.0 if x < 0.0 else x


@_inline
def _vote(rule: int, w: float, du: float) -> float:
    """``utility.vote`` of one value, for the rules in ``RULES``."""
    if rule == 0:
        return w * du
    x = du / BINARY_TOL
    clipped = -1.0 if x < -1.0 else (1.0 if x > 1.0 else x)
    if rule == 1:
        return w * clipped
    if rule == 2:
        return w * (0.8 * du + 0.2 * clipped)
    if du < 0.0:
        return w * du
    return (2.0 / 3.0) * w * du


@_inline
def _state(factor: float, own: float, u: float, unn: float) -> float:
    """``contests._state``: ``factor * u`` plus ``unn`` if ``own``."""
    s = factor * u
    if own != 0.0:
        s += unn
    return s


@_inline
def _block(a: FloatArray, lo: int, m: int) -> float:
    """numpy's pairwise_sum of ``a[lo:lo + m]`` for m <= 128: 8 interleaved partial sums."""
    if m < 8:
        res = -0.0
        for k in range(lo, lo + m):
            res += a[k]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i, end = lo + 8, lo + m - m % 8
    while i < end:
        r0, r1, r2, r3 = r0 + a[i], r1 + a[i + 1], r2 + a[i + 2], r3 + a[i + 3]
        r4, r5, r6, r7 = r4 + a[i + 4], r5 + a[i + 5], r6 + a[i + 6], r7 + a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for k in range(i, lo + m):
        res += a[k]
    return res


@_kernel
def _long_sum(a: FloatArray, n: int) -> float:
    """numpy's pairwise sum of ``a[:n]`` for n > 128: runs halved at a multiple of 8, the left
    half first, on an explicit stack (numba caches no recursion)."""
    stack_lo = np.empty(192, dtype=np.int64)
    stack_n = np.empty(192, dtype=np.int64)
    vals = np.empty(192)
    stack_lo[0], stack_n[0] = 0, n
    top, nv = 1, 0
    while top > 0:
        top -= 1
        lo, m = stack_lo[top], stack_n[top]
        if m < 0:  # both halves done: add them
            nv -= 1
            vals[nv - 1] = vals[nv - 1] + vals[nv]
        elif m <= 128:
            vals[nv] = _block(a, lo, m)
            nv += 1
        else:
            half = m // 2 - (m // 2) % 8
            stack_lo[top], stack_n[top] = 0, -1
            stack_lo[top + 1], stack_n[top + 1] = lo + half, m - half
            stack_lo[top + 2], stack_n[top + 2] = lo, half
            top += 3
    return vals[0]


@_inline
def _sum(a: FloatArray, n: int) -> float:
    """``np.sum(a[:n])`` of a contiguous run: the identity 0 plus numpy's pairwise sum."""
    if n <= 128:
        return 0.0 + _block(a, 0, n)
    return 0.0 + _long_sum(a, n)


@_inline
def _third_parties(
    rule: int, drow: FloatArray, rp: FloatArray, wb: FloatArray, uni: FloatArray,
    s1: FloatArray, s3: FloatArray, unn: FloatArray, f2: float, o2: float, f4: float,
    o4: float, chij: float, chji: float, up: FloatArray, down: FloatArray,
) -> None:  # fmt: skip
    """Each third party a's votes for i (``up``) and for j (``down``) against target j, whose
    distances are ``drow`` (``d[b, a, j]``); ``s1``, ``s3``: a's utility of the outcomes where
    i wins (``contests.STATES``), which do not depend on j."""
    if rule == 0:  # proportional: the common case, without the rule's branches
        for a in range(drow.size):
            unj = _quad(drow[a], rp[a])  # uh[a, j]
            wa = wb[a]
            v0 = wa * (uni[a] - unj)
            c_i = _pos(v0) + chij
            pin = c_i / (c_i + (_pos(-v0) + chji))
            rest = 1.0 - pin
            join_i = pin * s1[a] + rest * _state(f2, o2, unj, unn[a])
            join_j = pin * s3[a] + rest * _state(f4, o4, unj, unn[a])
            vn = wa * (join_i - join_j)
            up[a] = _pos(vn)
            down[a] = _pos(-vn)
        return
    for a in range(drow.size):
        unj = _quad(drow[a], rp[a])
        wa = wb[a]
        v0 = _vote(rule, wa, uni[a] - unj)
        c_i = _pos(v0) + chij
        pin = c_i / (c_i + (_pos(-v0) + chji))
        rest = 1.0 - pin
        join_i = pin * s1[a] + rest * _state(f2, o2, unj, unn[a])
        join_j = pin * s3[a] + rest * _state(f4, o4, unj, unn[a])
        vn = _vote(rule, wa, join_i - join_j)
        up[a] = _pos(vn)
        down[a] = _pos(-vn)


@_kernel
def _contests(
    dt: FloatArray,
    draw: Any,
    init: Any,
    js: Any,
    r: FloatArray,
    w: FloatArray,
    sums: FloatArray,
    rule: int,
    states: FloatArray,
    p_win: FloatArray,
    gain: FloatArray,
) -> None:
    """``contests.contests`` of every pair into ``p_win`` and ``gain`` ``(P, J)``."""
    n = dt.shape[1]
    uni, unn, s1, s3 = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
    up, down = np.empty(n), np.empty(n)
    f1, o1, f2, o2 = states[0], states[1], states[2], states[3]
    f3, o3, f4, o4 = states[4], states[5], states[6], states[7]
    for p in range(draw.size):
        b, i = draw[p], init[p]
        at = b * n
        rp, wb = r[p], w[b]
        for a in range(n):
            uni[a] = _quad(dt[at + i, a], rp[a])  # uh[a, i]
            unn[a] = _quad(dt[at + a, a], rp[a])  # uh[a, a]
            s1[a] = _state(f1, o1, uni[a], unn[a])
            s3[a] = _state(f3, o3, uni[a], unn[a])
        u_ii = uni[i]
        wi = wb[i]
        for q in range(js.shape[1]):
            j = js[p, q]
            u_ij = _quad(dt[at + j, i], rp[i])
            vi = _vote(rule, wi, u_ii - u_ij)
            vj = _vote(rule, wb[j], uni[j] - unn[j])
            chij = MIN_CONTEST + _pos(vi) + _pos(vj)
            chji = MIN_CONTEST + _pos(-vi) + _pos(-vj)
            _third_parties(rule, dt[at + j], rp, wb, uni, s1, s3, unn, f2, o2, f4, o4, chij,
                           chji, up, down)  # fmt: skip
            up[i], up[j], down[i], down[j] = 0.0, 0.0, 0.0, 0.0
            chij = chij + _sum(up, n)
            chji = chji + _sum(down, n)
            pw = chij / (chij + chji)
            u_vict, u_loss = 2.0 * u_ii, 2.0 * u_ij
            eu = pw * u_vict + (1.0 - pw) * u_loss
            sj = sums[b, j]
            p_win[p, q] = pw
            gain[p, q] = (1.0 - sj) * u_vict + sj * eu - (u_ii + u_ij)


def contests(
    dt: FloatArray,
    draw: Any,
    init: Any,
    js: Any,
    r: FloatArray,
    w: FloatArray,
    sums: FloatArray,
    rule: str,
    commit: str,
) -> tuple[FloatArray, FloatArray]:
    """``contests.contests`` of pairs (``draw``, ``init``) against targets ``js`` ``(P, J)``
    judged with risk estimates ``r`` ``(P, n)``; ``w`` and ``sums`` are per draw ``(B, n)``.
    ``rule`` must be in ``RULES``."""
    states = np.array([v for factor, own in STATES[commit] for v in (factor, float(own))])
    p_win, gain = np.empty(js.shape), np.empty(js.shape)
    _contests(
        np.ascontiguousarray(dt, dtype=float),
        np.ascontiguousarray(draw, dtype=np.int64),
        np.ascontiguousarray(init, dtype=np.int64),
        np.ascontiguousarray(js, dtype=np.int64),
        np.ascontiguousarray(r, dtype=float),
        np.ascontiguousarray(w, dtype=float),
        np.ascontiguousarray(sums, dtype=float),
        RULES[rule],
        states,
        p_win,
        gain,
    )
    return p_win, gain


@_kernel
def _coalitions(u: FloatArray, w: FloatArray, rule: int, sign: float, c: FloatArray) -> None:
    """``pce._coalitions`` of every problem g into ``c`` ``(G, m, m)``: the votes of the n
    voters added in voter order (numpy's order for a sum over a leading axis)."""
    G, n, m = u.shape
    for g in range(G):
        for a in range(m):
            for b in range(m):
                acc = 0.0
                for k in range(n):
                    v = _vote(rule, w[g, k], u[g, k, a] - u[g, k, b])
                    if sign < 0.0:
                        v = -v
                    acc += _pos(v)
                c[g, a, b] = MIN_COALITION + acc
            c[g, a, a] = MIN_COALITION


def coalitions(u: FloatArray, w: FloatArray, rule: str, sign: float) -> FloatArray:
    """``pce._coalitions`` (``u`` ``(..., n, m)``, ``w`` ``(..., n)``); ``rule`` in ``RULES``."""
    lead, (n, m) = u.shape[:-2], u.shape[-2:]
    flat = np.ascontiguousarray(u, dtype=float).reshape(-1, n, m)
    c = np.empty((flat.shape[0], m, m))
    wk = np.ascontiguousarray(np.broadcast_to(w, (*lead, n)), dtype=float).reshape(-1, n)
    _coalitions(flat, wk, RULES[rule], float(sign), c)
    return c.reshape(*lead, m, m)


#: victory probability models the PCE kernels compute (``pce.victory_prob``), by code: numpy
#: evaluates ``c ** 1`` and ``c ** 2`` exactly (as ``c`` and ``c * c``), not so higher powers
VICTORY = {"linear": 0, "square": 1, "binary": 2}


@_inline
def _strength(rule: int, V: FloatArray, w: FloatArray, b: int, ca: int, cb: int) -> float:
    """``pce._coalitions``' ``C[a, b]`` (a != b) for options in columns ``ca``, ``cb``: the
    voters' positive votes added in voter order."""
    acc = 0.0
    for k in range(V.shape[1]):
        acc += _pos(_vote(rule, w[b, k], V[b, k, ca] - V[b, k, cb]))
    return MIN_COALITION + acc


@_inline
def _strength_against(rule: int, V: FloatArray, w: FloatArray, b: int, ca: int, cb: int) -> float:
    """``1e-8 + sum_k max(0, -v_k(b:a))``: ``asym_prosp``'s ``C[a, b]`` for a < b."""
    acc = 0.0
    for k in range(V.shape[1]):
        acc += _pos(-_vote(rule, w[b, k], V[b, k, cb] - V[b, k, ca]))
    return MIN_COALITION + acc


@_inline
def _symmetric_strengths(
    rule: int, V: FloatArray, w: FloatArray, cols: Any, m: int, vk: FloatArray, c: FloatArray
) -> None:
    """``C`` (m × m, into ``c``) for a rule whose votes are antisymmetric, as every rule's but
    ``asym_prosp`` is bit for bit (``v(b:a) = -v(a:b)``: negation is exact): each voter's
    vote on a pair adds to ``C[a, b]`` if positive and to ``C[b, a]`` if negative. Every
    entry still sums the voters in voter order, from 0."""
    for x in range(m * m):
        c[x] = 0.0
    for k in range(V.shape[0]):
        wk = w[k]
        for a in range(m):
            vk[a] = V[k, cols[a]]
        for a in range(m):
            for e in range(a + 1, m):
                v = _vote(rule, wk, vk[a] - vk[e])
                c[a * m + e] += _pos(v)
                c[e * m + a] += _pos(-v)
    for a in range(m):
        for e in range(m):
            c[a * m + e] = MIN_COALITION if a == e else MIN_COALITION + c[a * m + e]


@_inline
def _beats(model: int, cab: float, cba: float) -> float:
    """``pce.victory_prob``'s ``P[a, b]`` (a != b) from ``C[a, b]`` and ``C[b, a]``."""
    if model == 0:
        x1, x2 = cab, cba
    elif model == 1:
        x1, x2 = cab * cab, cba * cba
    else:
        big, low = _BINARY_THRESHOLD, _BINARY_MIN
        ratio = cab / (cab + cba)
        ramp = (ratio * (big + 1.0) - 1.0) / (big - 1.0)
        if cab >= big * cba:
            x1, x2 = 1.0, low
        elif cba >= big * cab:
            x1, x2 = low, 1.0
        else:
            x1, x2 = ramp, 1.0 - ramp
    return x1 / (x1 + x2)


@_kernel
def _victory(
    V: FloatArray,
    draw: Any,
    cols: Any,
    ms: Any,
    w: FloatArray,
    rule: int,
    asym: bool,
    model: int,
    p: FloatArray,
    off: Any,
) -> None:
    """``victory_prob(coalitions(u))`` of each problem g with m > 1 options into ``p`` (its
    m × m block at ``off[g]``): voters ``V[draw[g]]`` rated option a ``V[draw[g], :,
    cols[g, a]]``, with weights ``w[draw[g]]``."""
    c = np.empty(cols.shape[1] * cols.shape[1])
    vk = np.empty(cols.shape[1])
    for g in range(draw.size):
        m, b = ms[g], draw[g]
        if m < 2:
            continue
        if asym:
            for a in range(m):
                for e in range(m):
                    if a == e:
                        c[a * m + e] = MIN_COALITION
                    elif a < e:
                        c[a * m + e] = _strength_against(rule, V, w, b, cols[g, a], cols[g, e])
                    else:
                        c[a * m + e] = _strength(rule, V, w, b, cols[g, a], cols[g, e])
        else:
            _symmetric_strengths(rule, V[b], w[b], cols[g], m, vk, c)
        o = off[g]
        for a in range(m):
            for e in range(m):
                if a == e:
                    p[o + a * m + e] = 0.5
                    continue
                p[o + a * m + e] = _beats(model, c[a * m + e], c[e * m + a])


@_kernel
def _row_logs(logs: FloatArray, ms: Any, off: Any, at: Any, out: FloatArray) -> None:
    """``pce.conditional``'s ``logp - max(logp)`` of each problem into ``out`` at ``at[g]``,
    ``logp`` the row sums of its ``log(max(p, 1e-300))`` block (``logs``); 0 for one option."""
    for g in range(ms.size):
        m = ms[g]
        o, q = off[g], at[g]
        if m < 2:
            out[q] = 0.0
            continue
        for a in range(m):
            if m <= 128:
                out[q + a] = 0.0 + _block(logs, o + a * m, m)
            else:
                out[q + a] = 0.0 + _long_sum(logs[o + a * m : o + a * m + m], m)
        top = out[q]
        for a in range(1, m):
            v = out[q + a]
            if v > top or np.isnan(v):
                top = v
        for a in range(m):
            out[q + a] = out[q + a] - top


@_kernel
def _normalise_pick(
    e: FloatArray, ms: Any, at: Any, uniform: FloatArray, stochastic: bool, prob: FloatArray,
    pick: Any,
) -> None:  # fmt: skip
    """Each problem's probabilities ``e / sum(e)`` (1 for a single option) into ``prob`` at
    ``at[g]``, and its winner: the first most probable, or the first whose cumulative
    probability reaches ``uniform[g]`` (``batch._pick``)."""
    for g in range(ms.size):
        m, q = ms[g], at[g]
        if m < 2:
            prob[q] = 1.0
        else:
            tot = 0.0 + _block(e, q, m) if m <= 128 else 0.0 + _long_sum(e[q : q + m], m)
            for a in range(m):
                prob[q + a] = e[q + a] / tot
        best = 0
        if stochastic:
            best = m - 1
            acc = 0.0
            for a in range(m):
                acc += prob[q + a]
                if uniform[g] <= acc:
                    best = a
                    break
        else:
            for a in range(1, m):
                if prob[q + a] > prob[q + best] or (
                    np.isnan(prob[q + a]) and not np.isnan(prob[q + best])
                ):
                    best = a
        pick[g] = best


def conditional_pce(
    V: FloatArray,
    draw: Any,
    cols: Any,
    ms: Any,
    w: FloatArray,
    rule: str,
    model: str,
    uniform: FloatArray | None = None,
) -> tuple[FloatArray, Any, Any]:
    """``pce.scalar_pce`` with the conditional PCE for many problems of any sizes at once.

    Problem g: the voters of draw ``draw[g]`` (weights ``w[draw[g]]``, ``(B, n)``) rate its
    ``ms[g]`` options, option a as column ``cols[g, a]`` of ``V[draw[g]]`` (``(B, n, X)``).
    Returns every problem's probabilities (flat: problem g's at ``at[g]``), ``at``, and each
    problem's winner (``uniform`` ``(G,)`` given: drawn as ``run.select`` does; else the first
    most probable). The logs and exponentials are numpy's, between compiled passes."""
    ms = np.ascontiguousarray(ms, dtype=np.int64)
    many = np.where(ms > 1, ms, 0)
    off = np.concatenate([[0], np.cumsum(many * many)]).astype(np.int64)
    at = np.concatenate([[0], np.cumsum(ms)]).astype(np.int64)
    p = np.empty(int(off[-1]))
    code = RULES[rule]
    _victory(
        np.ascontiguousarray(V, dtype=float), np.ascontiguousarray(draw, dtype=np.int64),
        np.ascontiguousarray(cols, dtype=np.int64), ms, np.ascontiguousarray(w, dtype=float),
        code, rule == "asym_prosp", VICTORY[model], p, off,
    )  # fmt: skip
    shifted = np.empty(int(at[-1]))
    _row_logs(np.log(np.maximum(p, 1e-300)), ms, off, at, shifted)
    e = np.exp(shifted)
    prob, pick = np.empty(int(at[-1])), np.empty(ms.size, dtype=np.int64)
    u = np.zeros(ms.size) if uniform is None else np.ascontiguousarray(uniform, dtype=float)
    _normalise_pick(e, ms, at, u, uniform is not None, prob, pick)
    return prob, at[:-1], pick


@_inline
def _near(pos: FloatArray, tol: float, sq: FloatArray, near: Any) -> None:
    """Which actors are within ``tol`` of each other: ``sqrt(total((x_i - x_j)**2, -1))``."""
    n, k = pos.shape
    for i in range(n):
        for j in range(n):
            for e in range(k):
                diff = pos[i, e] - pos[j, e]
                sq[e] = diff * diff
            near[i, j] = np.sqrt(_sum(sq, k)) < tol


@_kernel
def _classes(pos: FloatArray, tol: float, cls: Any, reps: Any, count: Any) -> None:
    """``batch.classes`` of every draw of ``pos`` ``(B, n, k)`` into ``cls``, ``reps`` ``(B, n)``
    and ``count`` ``(B,)``; distances as ``sqrt(total((x_i - x_j)**2, -1))``."""
    B, n, k = pos.shape
    near = np.empty((n, n), dtype=np.bool_)
    is_rep = np.empty(n, dtype=np.bool_)
    rank = np.empty(n, dtype=np.int64)
    sq = np.empty(k)
    for b in range(B):
        _near(pos[b], tol, sq, near)
        m = 0
        for i in range(n):
            rep = True
            for j in range(i):
                if is_rep[j] and near[i, j]:
                    rep = False
                    break
            is_rep[i] = rep
            rank[i] = m if rep else m - 1
            if rep:
                reps[b, m] = i
                m += 1
        count[b] = m
        rest = m
        for i in range(n):
            if not is_rep[i]:
                reps[b, rest] = i
                rest += 1
        for i in range(n):
            last = n - 1  # as argmax over none (NaN positions)
            for j in range(n):
                if is_rep[j] and near[i, j]:
                    last = j
            cls[b, i] = rank[last]


def classes(pos: FloatArray, tol: float) -> tuple[Any, Any, Any]:
    """``batch.classes``: each actor's class, the representatives in order, their count."""
    B, n = pos.shape[:2]
    cls, reps = np.empty((B, n), dtype=np.intp), np.empty((B, n), dtype=np.intp)
    count = np.empty(B, dtype=np.intp)
    _classes(np.ascontiguousarray(pos, dtype=float), float(tol), cls, reps, count)
    return cls, reps, count


@_inline
def _utility_of(
    ideal: FloatArray, sal: FloatArray, den: float, x: FloatArray, r: float, tmp: FloatArray
) -> float:
    """``quad_utility(distances(ideal, x, sal), r)`` of one actor and one position."""
    k = x.size
    for e in range(k):
        v = sal[e] * (ideal[e] - x[e])
        tmp[e] = v * v
    num = _sum(tmp, k)
    return _quad(np.sqrt(num / den if den > 0.0 else 0.0), r)


@_kernel
def _bargains(
    own: FloatArray, big_r: FloatArray, ideal: FloatArray, sal: FloatArray,
    b_init: FloatArray, b_rcvr: FloatArray, init: Any, rcvr: Any, out: FloatArray,
) -> None:  # fmt: skip
    """``turn.state_utilities`` of the bargains' new positions (``b_init``, ``b_rcvr``
    ``(B, S, k)``), each valued by every actor a from its ideal with ``big_r[b, a]``
    (``batch._bargain_utilities``), into ``out`` ``(B, n, S)``."""
    B, n, S = out.shape
    k = sal.shape[2]
    state, tmp = np.empty(n), np.empty(k)
    for b in range(B):
        for a in range(n):
            for e in range(k):
                tmp[e] = sal[b, a, e] * sal[b, a, e]
            den = _sum(tmp, k)
            r = big_r[b, a]
            for s in range(S):
                u_init = _utility_of(ideal[b, a], sal[b, a], den, b_init[b, s], r, tmp)
                u_rcvr = _utility_of(ideal[b, a], sal[b, a], den, b_rcvr[b, s], r, tmp)
                for m in range(n):
                    state[m] = own[b, a, m]
                state[max(init[s], 0)] = u_init
                state[max(rcvr[b, s], 0)] = u_rcvr
                out[b, a, s] = _sum(state, n) / n


def bargain_states(
    own: FloatArray, big_r: FloatArray, ideal: FloatArray, sal: FloatArray,
    b_init: FloatArray, b_rcvr: FloatArray, init: Any, rcvr: Any,
) -> FloatArray:  # fmt: skip
    """``batch._bargain_utilities``' utilities of every slot to every actor ``(B, n, S)``."""
    B, n = big_r.shape
    out = np.empty((B, n, b_init.shape[1]))
    f = np.ascontiguousarray
    _bargains(f(own, dtype=float), f(big_r, dtype=float), f(ideal, dtype=float),
              f(sal, dtype=float), f(b_init, dtype=float), f(b_rcvr, dtype=float),
              f(init, dtype=np.int64), f(rcvr, dtype=np.int64), out)  # fmt: skip
    return out
