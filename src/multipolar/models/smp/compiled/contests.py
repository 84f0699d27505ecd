"""The contests of a turn and the coalitions' votes, compiled."""

from __future__ import annotations

from typing import Any

import numpy as np

from multipolar.models.smp.challenge import MIN_CONTEST
from multipolar.models.smp.compiled.base import (
    RULES,
    _inline,
    _kernel,
    _pos,
    _quad,
    _state,
    _sum,
    _vote,
)
from multipolar.models.smp.contests import STATES
from multipolar.models.smp.pce import MIN_COALITION
from multipolar.scenario.arrays import FloatArray

#: the SHA-256 of base.py and models/pairwise.py, whose helpers the kernels here inline
BASE_DIGEST = "b0eec7f6fdbd90f2b83fe53961043f77d61f8674c54f5ab44bda3992bab9af68"


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
