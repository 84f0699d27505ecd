"""The conditional PCE: victory probabilities and the pick of each queue, compiled."""

from __future__ import annotations

from typing import Any

import numpy as np

from multipolar.models.pairwise import _block
from multipolar.models.smp.compiled.base import (
    RULES,
    _inline,
    _kernel,
    _long_sum,
    _pos,
    _vote,
)
from multipolar.models.smp.pce import _BINARY_MIN, _BINARY_THRESHOLD, MIN_COALITION
from multipolar.scenario.arrays import FloatArray

#: the SHA-256 of base.py and models/pairwise.py, whose helpers the kernels here inline
BASE_DIGEST = "b0eec7f6fdbd90f2b83fe53961043f77d61f8674c54f5ab44bda3992bab9af68"


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
