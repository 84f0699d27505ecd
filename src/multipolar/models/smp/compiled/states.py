"""Unique-position classes and the bargain states' utilities, compiled."""

from __future__ import annotations

from typing import Any

import numpy as np

from multipolar.models.smp.compiled.base import _inline, _kernel, _quad, _sum
from multipolar.scenario.arrays import FloatArray

#: the SHA-256 of base.py and models/pairwise.py, whose helpers the kernels here inline
BASE_DIGEST = "b0eec7f6fdbd90f2b83fe53961043f77d61f8674c54f5ab44bda3992bab9af68"


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
