"""One exchange of voting positions: its equal-gain moves, validity and overshoot check, and the
randomised (REX) variant. Compiled kernels over the tables of layout.py.

Notation (docs/models/exchange.md): ``x`` (k, n) round-start positions on 0..100, ``s``
saliences, ``w`` = capability × salience of positioned actors (0 elsewhere), ``W`` (k,) its
sum per issue and ``xw`` (k,) the sum of w·x; they travel together as ``prob``, the round's
candidate tables as ``st`` (layout.py). Candidate ``e`` has side 0 (*i*, supplies q and demands
p) and side 1 (*j*, supplies p and demands q); each side moves on its supply issue toward the
partner's round-start position there (``F_TAU``).
"""

from __future__ import annotations

import math

import numpy as np

from multipolar.models.exchange.compiled import inline_leaf, leaf, uniform
from multipolar.models.exchange.layout import (
    F_DP,
    F_DQ,
    F_EU,
    F_EUMAX,
    F_GAIN,
    F_HMAX,
    F_HMIN,
    F_HSUM,
    F_KEY,
    F_LAST,
    F_N0,
    F_N1,
    F_TAU,
    F_U,
    F_USUM,
    F_V,
    F_XI,
    F_Y,
    F_Z,
    FLOOR,
    I_ACT,
    I_SUP,
    I_VALID,
    SPAN,
    Problem,
    State,
)


@leaf
def outcome(e: int, side: int, pos: float, prob: Problem, st: State) -> float:
    """The outcome (weighted mean) on ``side``'s supply issue with the round-start positions,
    the candidate's update map applied and then the side's actor at ``pos`` (reference §3.6:
    N0 and N1)."""
    _x, _s, w, W, xw = prob
    ci, cf, upd, has = st
    issue = ci[e, I_SUP + side]
    me = ci[e, I_ACT + side]
    if W[issue] <= 0.0:
        return 0.0
    total = xw[issue] + cf[e, F_USUM + side]  # the map's shift is in F_USUM
    if has[e, side, me]:
        total += w[issue, me] * (pos - upd[e, side, me])
    else:
        total += w[issue, me] * (pos - _x[issue, me])
    return total / W[issue]


@leaf
def outcome_star(e: int, side: int, pos: float, prob: Problem, st: State) -> float:
    """decide's N*: ``outcome`` with the actor put at ``pos`` *before* the map, so the map's
    entry for the actor itself, if any, wins."""
    me = st[0][e, I_ACT + side]
    if st[3][e, side, me]:
        pos = st[2][e, side, me]
    return outcome(e, side, pos, prob, st)


@leaf
def both_valid(cf: np.ndarray, e: int, eps: float) -> bool:
    """Both sides' moves are valid (``side_valid``)."""
    ok = True
    for side in range(2):
        ok = ok and side_valid(cf, e, side, eps)
    return ok


@leaf
def side_valid(cf: np.ndarray, e: int, side: int, eps: float) -> bool:
    """Reference §3.5: the move is a move (1e-10 < |m| <= 100), the position stays on the scale,
    the history sums to at most 100 and all its entries have the same strict sign."""
    m = cf[e, F_LAST + side]
    if abs(m) > SPAN or abs(m) <= FLOOR:
        return False
    y = cf[e, F_XI + side] + m
    if y < -eps or y > SPAN + eps:
        return False
    if cf[e, F_HSUM + side] + m > SPAN:
        return False
    lo = min(cf[e, F_HMIN + side], m)
    hi = max(cf[e, F_HMAX + side], m)
    return (lo < 0.0 and hi < 0.0) or (lo > 0.0 and hi > 0.0)


@leaf
def crossing(tau: float, n0: float, n1: float, eps: float) -> bool:
    """Whether the outcome passes the target: strictly opposite sides before and after, neither
    within ``eps`` of it (the exact-arithmetic reading of decide's test, reference §5)."""
    a = tau - n0
    b = tau - n1
    if abs(a) <= eps or abs(b) <= eps:
        return False
    return (a > 0.0 and b < 0.0) or (a < 0.0 and b > 0.0)


@leaf
def set_gain(cf: np.ndarray, e: int, gain: float) -> None:
    cf[e, F_GAIN] = gain
    cf[e, F_KEY] = math.floor(gain * 1e9 + 0.5)  # ranked on 9 decimals (reference §5)


@inline_leaf
def check_overshoot(e: int, k: int, prob: Problem, st: State, eps: float) -> None:
    """Reference §3.6 for side ``k``: if its move carries the outcome on its supply issue past
    the partner's target, rescale both moves so that the outcome lands on the target."""
    _x, s, w, W, _xw = prob
    ci, cf, _upd, _has = st
    l = 1 - k  # noqa: E741
    sig, rho = ci[e, I_SUP + k], ci[e, I_SUP + l]
    ak, al = ci[e, I_ACT + k], ci[e, I_ACT + l]
    tau = cf[e, F_TAU + k]
    n0 = outcome(e, k, cf[e, F_XI + k], prob, st)
    n1 = outcome(e, k, cf[e, F_Y + k], prob, st)
    cf[e, F_N0 + k] = n0
    cf[e, F_N1 + k] = n1
    if not crossing(tau, n0, n1, eps):
        return
    d_sig = abs(tau - outcome_star(e, k, cf[e, F_XI + k], prob, st))
    d_rho = d_sig * (s[sig, ak] + s[sig, al]) / (s[rho, ak] + s[rho, al])
    mk = d_sig * W[sig] / w[sig, ak]
    ml = d_rho * W[rho] / w[rho, al]
    if cf[e, F_XI + l] > cf[e, F_TAU + l]:
        ml = -ml
    if cf[e, F_XI + k] > tau:
        mk = -mk
    cf[e, F_LAST + k] = mk
    cf[e, F_LAST + l] = ml
    cf[e, F_Y + k] = cf[e, F_XI + k] + mk
    cf[e, F_Y + l] = cf[e, F_XI + l] + ml
    set_gain(cf, e, abs(d_rho * s[rho, al] - d_sig * s[sig, al]))
    cf[e, F_DP] = d_sig
    cf[e, F_DQ] = d_rho
    cf[e, F_N1 + k] = outcome(e, k, cf[e, F_Y + k], prob, st)


@inline_leaf
def calculate(
    e: int, prob: Problem, st: State, p: float, eps: float, key: np.uint64, counter: np.ndarray
) -> None:
    """Reference §3.4-3.6 (and §6 when ``p`` > 0): the moves, gain and validity of candidate
    ``e`` from its current supply positions. The moves become the sides' last history entries."""
    _x, s, w, W, _xw = prob
    ci, cf, _upd, _has = st
    ai, aj = ci[e, I_ACT], ci[e, I_ACT + 1]
    q, pp = ci[e, I_SUP], ci[e, I_SUP + 1]
    xi, xj = cf[e, F_XI], cf[e, F_XI + 1]
    ti, tj = cf[e, F_TAU], cf[e, F_TAU + 1]
    d_i, d_j = abs(ti - xi), abs(tj - xj)
    s_ip, s_iq, s_jp, s_jq = s[pp, ai], s[q, ai], s[pp, aj], s[q, aj]
    w_iq, w_jp = w[q, ai], w[pp, aj]
    dp = dq = mi = mj = 0.0
    if w_iq > 0.0 and w_jp > 0.0:  # else neither move shifts an outcome: no gain, invalid
        dp = d_j * w_jp / W[pp]  # j moves fully to i's position on p
        dq = dp * (s_ip + s_jp) / (s_iq + s_jq)  # the equal-gain shift on q
        mi, mj = dq * W[q] / w_iq, d_j
        if mi > d_i:  # i cannot move that far: i moves fully instead
            dq = d_i * w_iq / W[q]
            dp = dq * (s_iq + s_jq) / (s_ip + s_jp)
            mi, mj = d_i, dp * W[pp] / w_jp
    if xi > ti:
        mi = -mi
    if xj > tj:
        mj = -mj
    cf[e, F_LAST], cf[e, F_LAST + 1] = mi, mj
    cf[e, F_Y], cf[e, F_Y + 1] = xi + mi, xj + mj
    gain = abs(dq * s_iq - dp * s_ip)
    set_gain(cf, e, gain)
    cf[e, F_EU] = cf[e, F_EU + 1] = gain
    cf[e, F_DP], cf[e, F_DQ] = dp, dq
    valid = both_valid(cf, e, eps) and gain >= FLOOR
    if valid:
        for side in range(2):
            check_overshoot(e, side, prob, st, eps)
        valid = both_valid(cf, e, eps)
        if p > 0.0:
            u = uniform(key, counter)
            v = uniform(key, counter)
            z = uniform(key, counter)
            cf[e, F_U], cf[e, F_V], cf[e, F_Z] = u, v, z
            max_utility(e, prob, st)
            valid = randomised(e, 0 if u < 0.5 else 1, v, z, p, prob, st, eps)
    ci[e, I_VALID] = 1 if valid else 0


@leaf
def max_utility(e: int, prob: Problem, st: State) -> None:
    """REX (reference §6): each side's maximum utility ``F_EUMAX`` from the outcome shifts the
    two full moves would make."""
    x, s, _w, _W, _xw = prob
    ci, cf, _upd, _has = st
    ai, aj = ci[e, I_ACT], ci[e, I_ACT + 1]
    q, pp = ci[e, I_SUP], ci[e, I_SUP + 1]
    s_ip, s_iq, s_jp, s_jq = s[pp, ai], s[q, ai], s[pp, aj], s[q, aj]
    flag_i = x[pp, ai] == cf[e, F_Y]  # x on the demand issue equals y on the supply issue
    flag_j = x[q, aj] == cf[e, F_Y + 1]
    d_i = d_j = 0.0
    for side in range(2):  # the outcome shift if the side moved fully
        to = cf[e, F_Y + side] if (flag_i, flag_j)[side] else cf[e, F_TAU + side]
        shift = abs(cf[e, F_N0 + side] - outcome(e, side, to, prob, st))
        if side == 0:
            d_i = shift
        else:
            d_j = shift
    g_i, l_i, g_j, l_j = d_j * s_ip, d_i * s_iq, d_i * s_jq, d_j * s_jp
    if g_i > g_j:
        a, g, lam, s_a, s_b = 1, g_j, l_i, s_jp, s_ip
    else:
        a, g, lam, s_a, s_b = 0, g_i, l_j, s_iq, s_jq
    cf[e, F_EUMAX + a] = g - lam * s_a / s_b
    best_b = g * s_b / s_a - lam
    if flag_i and g_j - l_j > 0.0:
        best_b = g_i - l_j * s_iq / s_jq
    elif flag_j and g_i - l_i > 0.0:
        best_b = g_j - l_i * s_jp / s_ip
    cf[e, F_EUMAX + 1 - a] = best_b


@leaf
def randomised(
    e: int, k: int, v: float, z: float, p: float, prob: Problem, st: State, eps: float
) -> bool:
    """REX (reference §6) with side ``k`` drawn: its utility is moved from the equal gain toward
    its maximum (v < 1/2) or toward 0 by p·z, and the moves are solved for it. Returns the
    validity. Follows decide's paths, including those that leave a move uncapped or turned."""
    _x, s, w, W, _xw = prob
    ci, cf, _upd, _has = st
    l = 1 - k  # noqa: E741
    sig, rho = ci[e, I_SUP + k], ci[e, I_SUP + l]
    ak, al = ci[e, I_ACT + k], ci[e, I_ACT + l]
    g = cf[e, F_GAIN]
    uk = g + p * z * (cf[e, F_EUMAX + k] - g) if v < 0.5 else g - p * z * g
    xk, xl = cf[e, F_XI + k], cf[e, F_XI + l]
    tk, tl = cf[e, F_TAU + k], cf[e, F_TAU + l]
    s_ks, s_kd, s_ls, s_ld = s[sig, ak], s[rho, ak], s[rho, al], s[sig, al]
    mk = abs(xk - tk)  # k moves fully
    dk = mk * w[sig, ak] / W[sig]
    dl = (uk + dk * s_ks) / s_kd
    ml = dl * W[rho] / w[rho, al]
    ul = abs(dl * s_ls - dk * s_ld)
    if abs(ml) > abs(xl - tl):  # the partner cannot move that far: it moves fully
        dl = abs(xl - tl) * w[rho, al] / W[rho]
        dk = abs((uk - dl * s_kd) / s_ks)
        ml = abs(xl - tl)
        mk = dk * W[sig] / w[sig, ak]
        if abs(mk) < abs(xk - tk):
            ul = abs(dl * s_ls - dk * s_ld)  # decide's overshoot test here compares N1 with itself
    else:
        signed = -mk if xk > tk else mk
        n1 = outcome(e, k, xk + signed, prob, st)
        if crossing(tk, cf[e, F_N0 + k], n1, eps):
            d_sig = abs(tk - outcome_star(e, k, xk, prob, st))
            dk = d_sig
            dl = (uk + dk * s_ks) / s_kd
            ml = dl * W[rho] / w[rho, al]
            ul = abs(dl * s_ls - dk * s_ld)
            mk = signed  # decide keeps the full move, already signed (and signs it again)
    cf[e, F_EU + k], cf[e, F_EU + l] = uk, ul
    if xk > tk:
        mk = -mk
    if xl > tl:
        ml = -ml
    cf[e, F_LAST + k], cf[e, F_LAST + l] = mk, ml
    cf[e, F_Y + k], cf[e, F_Y + l] = xk + mk, xl + ml
    valid = both_valid(cf, e, eps)
    for side in range(2):
        cf[e, F_N0 + side] = outcome(e, side, cf[e, F_XI + side], prob, st)
        cf[e, F_N1 + side] = outcome(e, side, cf[e, F_Y + side], prob, st)
    return valid


@leaf
def new_history(cf: np.ndarray, e: int) -> None:
    """An empty move history on both sides (a new candidate)."""
    for side in range(2):
        cf[e, F_HSUM + side] = 0.0
        cf[e, F_HMIN + side] = np.inf
        cf[e, F_HMAX + side] = -np.inf


@leaf
def commit(cf: np.ndarray, e: int, side: int) -> None:
    """Keep the side's last move in its history (a recalculation then adds a new last move)."""
    m = cf[e, F_LAST + side]
    cf[e, F_HSUM + side] += m
    cf[e, F_HMIN + side] = min(cf[e, F_HMIN + side], m)
    cf[e, F_HMAX + side] = max(cf[e, F_HMAX + side], m)
