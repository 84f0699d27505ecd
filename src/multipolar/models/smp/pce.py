"""Coalitions, victory probabilities and the probabilistic Condorcet election (PCE) of KTAB.

``u`` is ``(n, m)``: the utility to each of n voters of each of m options; ``w`` is ``(n,)``.
"""

from __future__ import annotations

import numpy as np

from multipolar.models.smp.utility import vote
from multipolar.scenario.arrays import FloatArray

#: KTAB ``Model::coalitions``: every coalition starts with this strength (no 0/0)
MIN_COALITION = 1e-8
_POWER = {"linear": 1, "square": 2, "quartic": 4, "octic": 8}
_BINARY_THRESHOLD = 1.10  # a 10% advantage in strength wins for sure
_BINARY_MIN = 1e-6
_UNIFORM_TOL = 1e-6  # KTAB markovUniformPCE
_INCENTIVE_TOL = 1e-8  # KTAB markovIncentivePCE
_INCENTIVE_EPS = 1e-10
_MAX_ITER = 10_000  # KTAB stops with an error after 1000; we return the last iterate


def coalitions(u: FloatArray, w: FloatArray, rule: str) -> FloatArray:
    """``C[a, b] = 1e-8 + sum_k max(0, v_k(a:b))``, the strength of the coalition for a over b."""
    du = u[:, :, None] - u[:, None, :]
    v = vote(rule, w[:, None, None], du)
    c: FloatArray = MIN_COALITION + np.sum(np.maximum(v, 0.0), axis=0)
    np.fill_diagonal(c, MIN_COALITION)
    return c


def victory_prob(c: FloatArray, model: str) -> FloatArray:
    """``P[a, b]``, the probability that a beats b (KTAB ``vProb``); ``P[a, a] = 1/2``."""
    ct = c.T
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
        x1, x2 = c**nu, ct**nu
    p: FloatArray = x1 / (x1 + x2)
    np.fill_diagonal(p, 0.5)
    return p


def conditional(p: FloatArray) -> FloatArray:
    """``P(a) ∝ prod_b P[a, b]`` (KTAB ``condPCE``), computed in logs so it never underflows."""
    logp = np.sum(np.log(np.maximum(p, 1e-300)), axis=1)
    e = np.exp(logp - np.max(logp))
    out: FloatArray = e / np.sum(e)
    return out


def markov_uniform(p: FloatArray) -> FloatArray:
    """Markov PCE with uniform challenges (KTAB ``markovUniformPCE``), averaged iteration."""
    m = p.shape[0]
    dist = np.full(m, 1.0 / m)
    for _ in range(_MAX_ITER):
        q = (p @ np.ones(m) * dist + p @ dist) / m
        change = float(np.max(np.abs(q - dist)))
        dist = (dist + q) / 2.0
        if change <= _UNIFORM_TOL:
            break
    out: FloatArray = dist / np.sum(dist)
    return out


def markov_incentive(c: FloatArray, p: FloatArray) -> FloatArray:
    """Markov PCE where challenges follow incentives (KTAB ``markovIncentivePCE``).

    n[a->b] = C[a, b] P[a, b] (+eps on the diagonal); P[a->b | b] = n[a->b] / sum_x n[x->b];
    C_t(a, b) = p_a P[b->a | a]; q_a = sum_b P[a, b] (C_t(a, b) + C_t(b, a)); p <- (p + q)/2.
    """
    m = p.shape[0]
    incentive = c * p + _INCENTIVE_EPS * np.eye(m)
    challenge = incentive / np.sum(incentive, axis=0, keepdims=True)
    dist = np.full(m, 1.0 / m)
    for _ in range(_MAX_ITER):
        ct = dist[:, None] * challenge.T
        q = np.sum(p * (ct + ct.T), axis=1)
        change = float(np.max(np.abs(q - dist)))
        dist = (dist + q) / 2.0
        if change <= _INCENTIVE_TOL:
            break
    out: FloatArray = dist / np.sum(dist)
    return out


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
    if u.shape[1] == 1:
        return np.ones(1)
    return pce(coalitions(u, w, rule), vpm, pcem)
