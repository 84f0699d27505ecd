"""Coalitions, victory probabilities and the probabilistic Condorcet election (PCE) of KTAB.

``u`` is ``(..., n, m)``: the utility to each of n voters of each of m options; ``w`` is
``(..., n)``. Leading axes are independent problems (queues, draws): each gets exactly what it
would get alone; the Markov chains iterate in lock-step, each stopping at its own iteration.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from multipolar.models.smp.switch import pce_compiled, use_compiled
from multipolar.models.smp.utility import total, vote
from multipolar.scenario.arrays import FloatArray

IntArray = NDArray[np.intp]
#: KTAB ``Model::coalitions``: every coalition starts with this strength (no 0/0)
MIN_COALITION = 1e-8
_POWER = {"linear": 1, "square": 2, "quartic": 4, "octic": 8}
_BINARY_THRESHOLD = 1.10  # a 10% advantage in strength wins for sure
_BINARY_MIN = 1e-6
_UNIFORM_TOL = 1e-6  # KTAB markovUniformPCE
_INCENTIVE_TOL = 1e-8  # KTAB markovIncentivePCE
_INCENTIVE_EPS = 1e-10
_MAX_ITER = 10_000  # KTAB stops with an error after 1000; we return the last iterate
_BLOCK = 1 << 16  # votes per block of coalitions


def _diagonal(m: int) -> tuple[IntArray, IntArray]:
    i = np.arange(m)
    return i, i


def coalitions(u: FloatArray, w: FloatArray, rule: str) -> FloatArray:
    """``C[a, b] = 1e-8 + sum_k max(0, v_k(a:b))``, the strength of the coalition for a over b.

    As KTAB's ``Model::coalitions`` does, each pair is voted on once, as ``v_k(a:b)`` with
    a > b, and the votes against a count for b: ``C[b, a] = 1e-8 + sum_k max(0, -v_k(a:b))``.
    That is the formula above for every voting rule but ``asym_prosp``, the one whose votes are
    not antisymmetric (``v(b:a) != -v(a:b)``)."""
    if rule == "asym_prosp":
        pro = _coalitions(u, w, rule, 1.0)
        con = _coalitions(u, w, rule, -1.0)
        lower = np.tri(u.shape[-1], k=-1, dtype=bool)  # a > b
        out: FloatArray = np.where(lower, pro, np.swapaxes(con, -1, -2))
        return out
    return _coalitions(u, w, rule, 1.0)


def _coalitions(u: FloatArray, w: FloatArray, rule: str, sign: float) -> FloatArray:
    """``1e-8 + sum_k max(0, sign * v_k(a:b))`` (``coalitions``), on a zero diagonal.

    Computed in blocks of problems, or of rows a of one large problem (each ``C[a, b]`` is
    still summed over the voters k in order), so that the votes stay in cache."""
    lead, (n, m) = u.shape[:-2], u.shape[-2:]
    if use_compiled(rule, u.size * m):
        from multipolar.models.smp import compiled

        return compiled.coalitions(u, w, rule, sign)
    flat, wk = np.ascontiguousarray(u).reshape(-1, n, m), w.reshape(-1, n, 1, 1)
    c: FloatArray = np.empty((flat.shape[0], m, m))
    size = max(1, _BLOCK // (n * m * m))  # problems per block
    rows = m if n * m * m <= _BLOCK else max(1, _BLOCK // (n * m))  # rows a per block
    for g in range(0, flat.shape[0], size):
        for lo in range(0, m, rows):
            b, a = slice(g, g + size), slice(lo, lo + rows)
            v = vote(rule, wk[b], flat[b, :, a, None] - flat[b, :, None, :])
            if sign < 0.0:
                v = np.negative(v, out=v)
            c[b, a] = MIN_COALITION + total(np.maximum(v, 0.0), -3)
    c[(..., *_diagonal(m))] = MIN_COALITION
    return c.reshape(*lead, m, m)


def victory_prob(c: FloatArray, model: str) -> FloatArray:
    """``P[a, b]``, the probability that a beats b (KTAB ``vProb``); ``P[a, a] = 1/2``."""
    ct = np.swapaxes(c, -1, -2)
    if model == "binary":
        ratio = c / (c + ct)
        ramp = (ratio * (_BINARY_THRESHOLD + 1.0) - 1.0) / (_BINARY_THRESHOLD - 1.0)
        x1 = np.where(
            c >= _BINARY_THRESHOLD * ct,
            1.0,
            np.where(ct >= _BINARY_THRESHOLD * c, _BINARY_MIN, ramp),
        )
        x2 = np.where(
            c >= _BINARY_THRESHOLD * ct,
            _BINARY_MIN,
            np.where(ct >= _BINARY_THRESHOLD * c, 1.0, 1.0 - ramp),
        )
    else:
        nu = _POWER[model]
        x1, x2 = np.ascontiguousarray(c) ** nu, np.ascontiguousarray(ct) ** nu
    p: FloatArray = np.ascontiguousarray(x1 / (x1 + x2))
    p[(..., *_diagonal(p.shape[-1]))] = 0.5
    return p


def conditional(p: FloatArray) -> FloatArray:
    """``P(a) ∝ prod_b P[a, b]`` (KTAB ``condPCE``), computed in logs so it never underflows."""
    logp = total(np.log(np.maximum(p, 1e-300)), -1)
    e = np.exp(logp - np.max(logp, axis=-1, keepdims=True))
    out: FloatArray = e / total(e, -1, keepdims=True)
    return out


def _lockstep(
    m: int, operands: tuple[FloatArray, ...], step: Callable[..., FloatArray], tol: float
) -> FloatArray:
    """Iterate ``dist <- (dist + q)/2``, ``q = step(*operands, dist)``, from the uniform
    distribution over m options, for every problem (leading row of the ``operands``) at once.
    A problem stops after the iteration in which no probability changed by more than ``tol``,
    or after ``_MAX_ITER`` iterations; stopped problems leave the batch."""
    G = operands[0].shape[0]
    dist = np.empty((G, m))
    rows, d = np.arange(G), np.full((G, m), 1.0 / m)
    for _ in range(_MAX_ITER):
        q = step(*operands, d)
        change = np.max(np.abs(q - d), axis=-1)
        d = (d + q) / 2.0
        moving = ~(change <= tol)
        if not moving.all():
            dist[rows] = d
            rows, d = rows[moving], d[moving]
            operands = tuple(o[moving] for o in operands)
            if rows.size == 0:
                break
    dist[rows] = d
    out: FloatArray = dist / total(dist, -1, keepdims=True)
    return out


def _uniform_step(wins: FloatArray, p: FloatArray, d: FloatArray) -> FloatArray:
    m = d.shape[-1]
    q: FloatArray = (wins * d + (p @ d[:, :, None])[:, :, 0]) / m
    return q


def markov_uniform(p: FloatArray) -> FloatArray:
    """Markov PCE with uniform challenges (KTAB ``markovUniformPCE``), averaged iteration."""
    lead, m = p.shape[:-2], p.shape[-1]
    flat = np.ascontiguousarray(p).reshape(-1, m, m)
    return _lockstep(m, (flat @ np.ones(m), flat), _uniform_step, _UNIFORM_TOL).reshape(*lead, m)


def _incentive_step(back: FloatArray, p: FloatArray, d: FloatArray) -> FloatArray:
    ct = d[:, :, None] * back
    return total(p * (ct + np.swapaxes(ct, -1, -2)), -1)


def markov_incentive(c: FloatArray, p: FloatArray) -> FloatArray:
    """Markov PCE where challenges follow incentives (KTAB ``markovIncentivePCE``).

    n[a->b] = C[a, b] P[a, b] (+eps on the diagonal); P[a->b | b] = n[a->b] / sum_x n[x->b];
    C_t(a, b) = p_a P[b->a | a]; q_a = sum_b P[a, b] (C_t(a, b) + C_t(b, a)); p <- (p + q)/2.
    """
    lead, m = p.shape[:-2], p.shape[-1]
    incentive = c * p + _INCENTIVE_EPS * np.eye(m)
    challenge = incentive / total(incentive, -2, keepdims=True)
    back = np.ascontiguousarray(np.swapaxes(challenge, -1, -2)).reshape(-1, m, m)
    flat = np.ascontiguousarray(p).reshape(-1, m, m)
    return _lockstep(m, (back, flat), _incentive_step, _INCENTIVE_TOL).reshape(*lead, m)


def pce(c: FloatArray, vpm: str, pcem: str) -> FloatArray:
    """Option probabilities from coalition strengths (KTAB ``probCE2``)."""
    p = victory_prob(c, vpm)
    if pcem == "markov_uniform":
        return markov_uniform(p)
    if pcem == "markov_incentive":
        return markov_incentive(c, p)
    return conditional(p)


def scalar_pce(u: FloatArray, w: FloatArray, rule: str, vpm: str, pcem: str) -> FloatArray:
    """KTAB ``scalarPCE``: voters with weights ``w`` and utilities ``u`` choose among options."""
    if u.shape[-1] == 1:
        return np.ones((*u.shape[:-2], 1))
    lead, (n, m) = u.shape[:-2], u.shape[-2:]
    if pce_compiled(rule, vpm, pcem, u.size * m):
        from multipolar.models.smp import compiled

        G = int(np.prod(lead, dtype=int))
        flat = np.ascontiguousarray(u, dtype=float).reshape(G, n, m)
        weights = np.broadcast_to(w, (*lead, n)).reshape(G, n)
        cols, ms = np.broadcast_to(np.arange(m), (G, m)), np.full(G, m)
        p = compiled.conditional_pce(flat, np.arange(G), cols, ms, weights, rule, vpm)[0]
        return p.reshape(*lead, m)
    return pce(coalitions(u, w, rule), vpm, pcem)
