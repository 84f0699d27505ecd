"""``challenge.contest`` for many (draw, initiator) pairs at once, in reusable buffers.

Pair p is initiator ``i[p]`` of draw ``draw[p]`` judged from the view of an actor whose
estimates of every actor's risk attitude are ``r[p]``; its targets are ``js[p]``. Rather than
build each pair's whole perspective ``uh`` ``(n, n)``, only the utilities the contest reads are
computed, from the transposed distances ``dt`` (``dt[b*n + c, a] = d[b, a, c]``).

Every value is the same IEEE operation on the same operands as in ``contest`` (the operand
order of a commutative + or * may differ), so the results are equal bit for bit
(tests/test_smp_batch.py). The ``(P, J, n)`` arrays of the third parties' votes live in a
``Workspace`` reused from block to block: fresh temporaries of that size cost more in page
faults than in arithmetic.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from multipolar.models.smp.challenge import MIN_CONTEST, MIN_GAIN
from multipolar.models.smp.utility import quad_utility, total, vote
from multipolar.scenario.arrays import BoolArray, FloatArray

IntArray = NDArray[np.intp]
#: ``challenge._third_party_states`` as (factor, plus n's own utility) per outcome: n joins i
#: and i wins, n joins i and j wins, n joins j and i wins, n joins j and j wins
STATES = {
    "semi_commit": ((2.0, True), (3.0, False), (3.0, False), (2.0, True)),
    "full_commit": ((3.0, False),) * 4,
    "no_commit": ((2.0, True),) * 4,
}


class Workspace:
    """Five ``(P, J, n)`` float buffers and a boolean one, for blocks of up to P pairs."""

    def __init__(self, pairs: int, targets: int, n: int) -> None:
        shape = (pairs, targets, n)
        self.floats = [np.empty(shape) for _ in range(5)]
        self.mask: BoolArray = np.empty(shape, dtype=bool)

    def take(self, pairs: int) -> tuple[list[FloatArray], BoolArray]:
        return [f[:pairs] for f in self.floats], self.mask[:pairs]


def _vote(rule: str, w: FloatArray, du: FloatArray) -> FloatArray:
    """``vote``, in ``du``'s buffer for the proportional rule."""
    if rule == "proportional":
        out: FloatArray = np.multiply(w, du, out=du)
        return out
    return vote(rule, w, du)


def _quad_into(
    d: FloatArray, r: FloatArray, out: FloatArray, tmp: FloatArray, le: BoolArray
) -> None:
    """``out = quad_utility(d, r)``, step by step in the given buffers."""
    np.subtract(1.0, d, out=out)
    np.multiply(r, d, out=tmp)
    np.add(1.0, tmp, out=tmp)
    np.multiply(out, tmp, out=tmp)  # (1 - d)(1 + r d)
    np.multiply(out, 1.0 + r, out=out)  # (1 - d)(1 + r)
    np.less_equal(d, 1.0, out=le)
    np.copyto(out, tmp, where=le)


def _state(
    factor: float, own: bool, u: FloatArray, unn: FloatArray, out: FloatArray | None = None
) -> FloatArray:
    """``factor * u (+ unn)``: a third party's utility of an outcome (``STATES``)."""
    state: FloatArray = np.multiply(factor, u, out=out)
    if own:
        state += unn
    return state


def _third_votes(
    chij: FloatArray,
    chji: FloatArray,
    uni: FloatArray,
    unn: FloatArray,
    w: FloatArray,
    where: tuple[IntArray, IntArray],
    rule: str,
    commit: str,
    bufs: list[FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """The third parties' summed votes for i and for j ``(P, J)``. ``bufs[0]`` holds their
    utilities of j's positions ``unj``; ``where`` = (i, js) are the principals, who cast none."""
    unj, a, b, c, e = bufs
    ik_beats_j, j_beats_ik, i_beats_jk, jk_beats_i = STATES[commit]
    v0 = _vote(rule, w, np.subtract(uni, unj, out=a))
    c_i = np.add(np.maximum(v0, 0.0, out=b), chij[..., None], out=b)
    c_j = np.maximum(np.negative(v0, out=v0), 0.0, out=v0)
    c_j += chji[..., None]
    pin = np.divide(c_i, np.add(c_i, c_j, out=c_j), out=c_i)
    rest = np.subtract(1.0, pin, out=c_j)
    join_i = np.multiply(pin, _state(*ik_beats_j, uni, unn), out=c)
    join_i += np.multiply(rest, _state(*j_beats_ik, unj, unn, e), out=e)
    join_j = np.multiply(pin, _state(*i_beats_jk, uni, unn), out=pin)
    _state(*jk_beats_i, unj, unn, unj)
    join_j += np.multiply(rest, unj, out=unj)
    vn = _vote(rule, w, np.subtract(join_i, join_j, out=join_i))
    up = np.maximum(vn, 0.0, out=e)
    down = np.maximum(np.negative(vn, out=vn), 0.0, out=vn)
    pair = (np.arange(vn.shape[0])[:, None], np.arange(vn.shape[1]))
    for votes in (up, down):  # zeroed in place of contest's mask
        votes[(*pair, where[0][:, None])] = 0.0
        votes[(*pair, where[1])] = 0.0
    return total(up, -1), total(down, -1)


def contests(
    dt: FloatArray,
    draw: IntArray,
    i: IntArray,
    js: IntArray,
    r: FloatArray,
    w: FloatArray,
    total_sal: FloatArray,
    rule: str,
    commit: str,
    work: Workspace,
) -> tuple[FloatArray, FloatArray]:
    """For each pair p: the probability that initiator ``i[p]`` beats each target ``js[p]``
    and the expected gain to the initiator, ``(P, J)``, as ``contest(uh, i, js, i, ...)`` with
    ``uh = quad_utility(d[draw[p]], r[p][:, None])``. ``r``, ``w`` (``S_i c_i``) and
    ``total_sal`` are ``(P, n)``; ``work`` has room for P pairs of J targets."""
    P, n = draw.size, dt.shape[-1]
    rows, actors = np.arange(P), np.arange(n)
    at = draw * n  # the row of dt where draw p's columns start
    uni = quad_utility(dt[at + i], r)  # uh[n, i]
    unn = quad_utility(dt[at[:, None] + actors, actors], r)  # uh[n, n]
    u_ii = uni[rows, i][:, None]
    u_ij = quad_utility(dt[at[:, None] + js, i[:, None]], r[rows, i][:, None])  # uh[i, j]
    u_ji, u_jj = np.take_along_axis(uni, js, axis=1), np.take_along_axis(unn, js, axis=1)
    vi = vote(rule, w[rows, i][:, None], u_ii - u_ij)
    vj = vote(rule, np.take_along_axis(w, js, axis=1), u_ji - u_jj)
    chij = MIN_CONTEST + np.maximum(vi, 0.0) + np.maximum(vj, 0.0)
    chji = MIN_CONTEST + np.maximum(-vi, 0.0) + np.maximum(-vj, 0.0)
    bufs, le = work.take(P)
    np.take(dt, at[:, None] + js, axis=0, out=bufs[1], mode="clip")  # d[draw, n, j]
    _quad_into(bufs[1], r[:, None, :], bufs[0], bufs[2], le)  # unj = uh[n, j]
    wn = w[:, None, :]
    for_i, for_j = _third_votes(
        chij, chji, uni[:, None, :], unn[:, None, :], wn, (i, js), rule, commit, bufs
    )
    chij = chij + for_i
    chji = chji + for_j
    p_win = chij / (chij + chji)
    u_vict, u_loss = 2.0 * u_ii, 2.0 * u_ij
    eu_contest = p_win * u_vict + (1.0 - p_win) * u_loss
    sj = np.take_along_axis(total_sal, js, axis=1)
    gain: FloatArray = (1.0 - sj) * u_vict + sj * eu_contest - (u_ii + u_ij)
    return p_win, gain


def best_targets(gain: FloatArray, i: IntArray) -> IntArray:
    """``challenge.best_target`` for each row of ``gain`` ``(P, n)`` (targets 0..n-1 but
    ``i``): the first largest gain above ``MIN_GAIN``, or -1."""
    ok = (np.arange(gain.shape[-1]) != i[:, None]) & (gain > MIN_GAIN)
    best = np.argmax(np.where(ok, gain, -np.inf), axis=-1)
    out: IntArray = np.where(np.any(ok, axis=-1), best, -1)
    return out
