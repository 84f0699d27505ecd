"""Challenges and bargains of KTAB's SMP (``probEduChlg``, ``bestChallenge``, ``interpolateBrgn``).

``uh`` is one perspective's utility matrix: ``uh[a, b]`` is (h's estimate of) the utility to
actor a of actor b's position. ``w`` is each actor's voting weight in a contest, ``S_i c_i``
(total salience times capability), and ``total_sal`` is ``S``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from multipolar.models.smp.utility import total, vote
from multipolar.scenario.arrays import BoolArray, FloatArray

IntArray = NDArray[np.int_]

#: KTAB ``probEduChlg``: the empty coalition's strength
MIN_CONTEST = 1e-10
#: KTAB ``bestChallenge``: smallest expected gain worth a challenge
MIN_GAIN = 1e-5
#: KTAB ``interpBrgnSnPm`` / ``interpBrgnS2PMax``: keeps 0/0 away from the interpolation
MIN_BARGAIN_WEIGHT = 1e-6


def _pos(x: FloatArray) -> FloatArray:
    out: FloatArray = np.maximum(x, 0.0)
    return out


def _third_party_states(
    commit: str, uni: FloatArray, unj: FloatArray, unn: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Third party n's utility (sum over n, i, j's positions) of the four outcomes
    (n joins i and i wins, ... ) under ``ThirdPartyCommit`` (KTAB ``thirdPartyVoteSU``).

    As in KTAB, only ``semi_commit`` makes the two sides differ: with ``full_commit`` and
    ``no_commit`` the expected utilities of joining either side are equal, so third parties
    cast no vote.
    """
    if commit == "full_commit":
        return 3.0 * uni, 3.0 * unj, 3.0 * uni, 3.0 * unj
    if commit == "no_commit":
        return 2.0 * uni + unn, 2.0 * unj + unn, 2.0 * uni + unn, 2.0 * unj + unn
    return 2.0 * uni + unn, 3.0 * unj, 3.0 * uni, 2.0 * unj + unn


def contest(
    uh: FloatArray,
    i: int,
    js: IntArray,
    k: int,
    w: FloatArray,
    total_sal: FloatArray,
    rule: str,
    commit: str,
) -> tuple[FloatArray, FloatArray]:
    """For initiator ``i`` against each target in ``js`` (int array): the estimated probability
    that i wins and the expected gain to actor ``k`` of the challenge over the status quo.

    Third parties judge the "little contest" of the two principals plus themselves, then vote
    between joining i and joining j with utilities set by ``commit`` (``ThirdPartyCommit``).
    """
    n = uh.shape[0]
    jj = js
    vi = vote(rule, w[i], uh[i, i] - uh[i, jj])
    vj = vote(rule, w[jj], uh[jj, i] - uh[jj, jj])
    chij = MIN_CONTEST + _pos(vi) + _pos(vj)
    chji = MIN_CONTEST + _pos(-vi) + _pos(-vj)
    uni = uh[:, i][None, :]  # (1, n): third party n's utility of i's position
    unj = uh[:, jj].T  # (J, n)
    unn = np.diag(uh)[None, :]
    v0 = vote(rule, w[None, :], uni - unj)
    c_i = chij[:, None] + _pos(v0)
    c_j = chji[:, None] + _pos(-v0)
    pin = c_i / (c_i + c_j)
    ik_beats_j, j_beats_ik, i_beats_jk, jk_beats_i = _third_party_states(commit, uni, unj, unn)
    join_i = pin * ik_beats_j + (1.0 - pin) * j_beats_ik
    join_j = pin * i_beats_jk + (1.0 - pin) * jk_beats_i
    vn = vote(rule, w[None, :], join_i - join_j)
    third: BoolArray = np.ones((jj.size, n), dtype=bool)
    third[:, i] = False
    third[np.arange(jj.size), jj] = False
    chij = chij + total(np.where(third, _pos(vn), 0.0), 1)
    chji = chji + total(np.where(third, _pos(-vn), 0.0), 1)
    p_win = chij / (chij + chji)
    eu_sq = uh[k, i] + uh[k, jj]
    u_vict = np.full(jj.size, 2.0 * uh[k, i])
    u_loss = 2.0 * uh[k, jj]
    eu_contest = p_win * u_vict + (1.0 - p_win) * u_loss
    sj = total_sal[jj]
    eu_challenge = (1.0 - sj) * u_vict + sj * eu_contest
    gain: FloatArray = eu_challenge - eu_sq
    return p_win, gain


def best_target(gain: FloatArray, targets: IntArray) -> int:
    """The target with the largest expected gain (first on ties), or -1 if none exceeds 1e-5."""
    best, best_gain = -1, -1.0
    for j, g in zip(targets, gain, strict=True):
        if g > MIN_GAIN and g > best_gain:
            best, best_gain = int(j), float(g)
    return best


def round4(x: FloatArray) -> FloatArray:
    """KTAB rounds bargain coordinates to 4 decimals on the [0, 1] scale."""
    out: FloatArray = np.floor(0.5 + x * 10000.0) / 10000.0
    return out


def interpolate(
    xi: FloatArray,
    xj: FloatArray,
    si: FloatArray,
    sj: FloatArray,
    p_i: FloatArray | float,
    rule: str,
) -> tuple[FloatArray, FloatArray]:
    """The bargain ``(b_i, b_j)`` between positions ``xi`` and ``xj`` (``InterVecBrgn``).

    ``s2p2``/``s1p1``: per dimension, weights ``w = s^n p^n`` and a (salience, probability)
    weighted mean that both sides are offered; ``s2p_max``: only the weaker side moves.
    Positions and saliences are ``(..., k)``, ``p_i`` a float or ``(..., 1)``.
    """
    p_j = 1.0 - p_i
    if rule == "s2p_max":
        di, dj = _at_least_zero(p_j - p_i), _at_least_zero(p_i - p_j)
        si2, sj2 = si * si, sj * sj
        dik = di * sj2 / (di * sj2 + MIN_BARGAIN_WEIGHT + (1.0 - di) * si2)
        djk = dj * si2 / (dj * si2 + MIN_BARGAIN_WEIGHT + (1.0 - dj) * sj2)
        return xi + dik * (xj - xi), xj + djk * (xi - xj)
    if rule == "s1p1":
        wi, wj = si * p_i, sj * p_j
    else:  # squares as products, the same in numpy and in Python floats
        wi, wj = si * si * (p_i * p_i), sj * sj * (p_j * p_j)
    total = wi + MIN_BARGAIN_WEIGHT + wj
    bi = round4(((wi + MIN_BARGAIN_WEIGHT) * xi + wj * xj) / total)
    bj = round4((wi * xi + (MIN_BARGAIN_WEIGHT + wj) * xj) / total)
    return bi, bj


def _at_least_zero(x: FloatArray | float) -> FloatArray:
    """Python's ``max(0.0, x)`` elementwise (0 for NaN)."""
    out: FloatArray = np.where(x > 0.0, x, 0.0)
    return out
