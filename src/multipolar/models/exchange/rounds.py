"""Rounds of the exchange model (reference §3.1-3.8 and §4), compiled: the candidate list of a
round, the sequential realisation of the best exchange and its effects on the others, the
externalities, and the new positions. ``run_batch`` runs every batch member (Monte Carlo draw)
through all rounds.

Tie rules (``ties``): 0 takes the first of the gains equal on 9 decimals in list order (decide's
deterministic reading, reference §5); 1 flips decide's coin between the first two equal gains
(its shipped CLI rule, without the duplicate list entry it also makes).
"""

from __future__ import annotations

import numpy as np

from multipolar.models.exchange.bargain import calculate, commit, new_history
from multipolar.models.exchange.compiled import inline_leaf, jit, leaf, once, uniform
from multipolar.models.exchange.layout import (
    F_DP,
    F_DQ,
    F_EU,
    F_GAIN,
    F_KEY,
    F_LAST,
    F_N0,
    F_N1,
    F_TAU,
    F_USUM,
    F_XI,
    F_Y,
    I_ACT,
    I_GROUP,
    I_INDEX,
    I_PAIR,
    I_SUP,
    I_VALID,
    NF,
    NI,
    NR,
    R_ACTOR,
    R_DP,
    R_DQ,
    R_EU,
    R_GAIN,
    R_GROUP,
    R_MOVE,
    R_N0,
    R_N1,
    R_ORDER,
    R_PER_SIDE,
    R_POWER,
    R_ROUND,
    R_SAL_DEMAND,
    R_SAL_SUPPLY,
    R_SIDE,
    R_SUPPLY,
    R_TARGET,
    R_X,
    R_Y,
    X_IN,
    X_IP,
    X_ON,
    X_OP,
    X_OWN,
    Problem,
    State,
)

ORDER, RANDOM = 0, 1


@jit
def groups(x: np.ndarray, mask: np.ndarray, nbs: np.ndarray) -> np.ndarray:
    """Each actor's group per issue pair (reference §3.2): 0 = a (right of the outcome on both),
    1 = b (left on p), 2 = c (left on q), 3 = d (left on both), -1 = not on both issues."""
    k, n = x.shape
    out = np.full((k * (k - 1) // 2, n), -1, dtype=np.int64)
    pair = 0
    for p in range(k):
        for q in range(p + 1, k):
            for a in range(n):
                if mask[p, a] and mask[q, a]:
                    out[pair, a] = int(x[p, a] <= nbs[p]) + 2 * int(x[q, a] <= nbs[q])
            pair += 1
    return out


@leaf
def copy(src: np.ndarray, dst: np.ndarray) -> None:
    """``dst[...] = src`` for 2-D arrays of one shape (a loop compiles faster than numpy's
    broadcasting assignment). It returns nothing: an array returned by a function compiled
    without reference counting would be freed twice."""
    for i in range(src.shape[0]):
        for j in range(src.shape[1]):
            dst[i, j] = src[i, j]


@leaf
def _add(
    ci: np.ndarray, cf: np.ndarray, e: int, first: int, second: int, p: int, q: int,
    pair: int, group: int, x: np.ndarray, s: np.ndarray,
) -> None:  # fmt: skip
    """Candidate ``e`` between ``first`` (group a or b) and ``second`` (d or c) on issues p < q:
    the one with the higher salience ratio s_p / s_q supplies q and demands p (side 0, i)."""
    ratio_1 = s[p, first] / s[q, first] if s[q, first] > 0.0 else np.inf
    ratio_2 = s[p, second] / s[q, second] if s[q, second] > 0.0 else np.inf
    i, j = (second, first) if ratio_1 < ratio_2 else (first, second)
    ci[e, I_ACT], ci[e, I_ACT + 1] = i, j
    ci[e, I_SUP], ci[e, I_SUP + 1] = q, p
    ci[e, I_GROUP], ci[e, I_PAIR], ci[e, I_INDEX] = group, pair, e
    cf[e, F_XI], cf[e, F_XI + 1] = x[q, i], x[p, j]
    cf[e, F_TAU], cf[e, F_TAU + 1] = x[q, j], x[p, i]
    new_history(cf, e)


@jit
def candidates(
    x: np.ndarray, s: np.ndarray, grp: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """The round's candidate list in decide's order: issue pairs in input order, then a x d and
    b x c, each in actor order (the outer loop over the first group)."""
    k, n = x.shape
    count = 0
    for pair in range(grp.shape[0]):
        size = np.zeros(4, dtype=np.int64)
        for a in range(n):
            if grp[pair, a] >= 0:
                size[grp[pair, a]] += 1
        count += size[0] * size[3] + size[1] * size[2]
    ci = np.zeros((count, NI), dtype=np.int64)
    cf = np.zeros((count, NF))
    added = np.zeros(1, dtype=np.int64)  # (an array: numba would type a constant 0 as a literal)
    for p in range(k):
        for q in range(p + 1, k):
            pair = p * (2 * k - p - 1) // 2 + q - p - 1  # combinations order
            for group in range(2):
                g1, g2 = (0, 3) if group == 0 else (1, 2)
                for a in range(n):
                    if grp[pair, a] == g1:
                        for b in range(n):
                            if grp[pair, b] == g2:
                                _add(ci, cf, added[0], a, b, p, q, pair, group, x, s)
                                added[0] += 1
    return ci, cf


@leaf
def _record_update(
    e: int, slot: int, actor: int, y: float, prob: Problem, st: State
) -> None:  # fmt: skip
    """Reference §3.7 b: the demand match records the mover's new position in E's update map;
    an existing entry keeps, of the two, the one nearer the mover's round-start position."""
    x, _s, w, _W, _xw = prob
    _ci, cf, upd, has = st
    issue = st[0][e, I_SUP + slot]
    start = x[issue, actor]
    old = upd[e, slot, actor] if has[e, slot, actor] else start
    new = y
    if has[e, slot, actor]:
        new = min(old, y) if start <= old else max(old, y)
    has[e, slot, actor] = True
    upd[e, slot, actor] = new
    cf[e, F_USUM + slot] += w[issue, actor] * (new - old)


@inline_leaf
def recalculate(
    e: int, r: int, prob: Problem, st: State, p: float, eps: float, key: np.uint64,
    counter: np.ndarray,
) -> None:  # fmt: skip
    """Reference §3.7 a-c: how realising ``r`` changes candidate ``e``."""
    ci, cf, _upd, _has = st
    touched = False
    for side in range(2):  # a. supply match: the side starts from r's voting position
        for rs in range(2):
            same_actor = ci[e, I_ACT + side] == ci[r, I_ACT + rs]
            if same_actor and ci[e, I_SUP + side] == ci[r, I_SUP + rs]:
                cf[e, F_XI + side] = cf[r, F_Y + rs]
                commit(cf, e, side)
                touched = True
                break
    for d in (1, 0):  # b. demand match: (R.j, R.i), then (R.i, R.j)
        mover = 1 - d
        demand = ci[r, I_SUP + mover]  # d's demand issue is the mover's supply issue
        hit = False
        for side in range(2):
            if ci[e, I_ACT + side] == ci[r, I_ACT + d] and ci[e, I_SUP + 1 - side] == demand:
                hit = True
        if hit:
            slot = 0 if ci[e, I_SUP] == demand else 1
            _record_update(e, slot, ci[r, I_ACT + mover], cf[r, F_Y + mover], prob, st)
            touched = True
    if touched:
        calculate(e, prob, st, p, eps, key, counter)


@leaf
def _sort(order: np.ndarray, size: int, cf: np.ndarray) -> None:
    """Stable sort of the list by rounded gain, highest first (insertion sort: the list stays
    nearly sorted between picks)."""
    for a in range(1, size):
        cur = order[a]
        b = a - 1
        while b >= 0 and cf[order[b], F_KEY] < cf[cur, F_KEY]:
            order[b + 1] = order[b]
            b -= 1
        order[b + 1] = cur


@leaf
def _externalities(
    r: int, prob: Problem, st: State, mask: np.ndarray, grp: np.ndarray, ext: np.ndarray
) -> None:  # fmt: skip
    """Reference §4: every actor's externality of realising ``r``, added to ``ext`` (n, 5)."""
    x, s, _w, _W, _xw = prob
    ci, cf, _upd, _has = st
    q, p = ci[r, I_SUP], ci[r, I_SUP + 1]
    inner = (0, 3) if ci[r, I_GROUP] == 0 else (1, 2)
    for a in range(x.shape[1]):
        if a in (ci[r, I_ACT], ci[r, I_ACT + 1]):
            ext[a, X_OWN] += cf[r, F_GAIN]
            continue
        if not (mask[p, a] and mask[q, a]):
            continue
        value = s[p, a] * (abs(cf[r, F_N0 + 1] - x[p, a]) - abs(cf[r, F_N1 + 1] - x[p, a]))
        value += s[q, a] * (abs(cf[r, F_N0] - x[q, a]) - abs(cf[r, F_N1] - x[q, a]))
        g = grp[ci[r, I_PAIR], a]
        is_inner = g in (inner[0], inner[1])
        if value > 0.0:
            ext[a, X_IP if is_inner else X_OP] += value
        else:
            ext[a, X_IN if is_inner else X_ON] += value


@leaf
def _record(
    rec: np.ndarray, row: int, rnd: int, order: int, r: int, s: np.ndarray, c: np.ndarray,
    ci: np.ndarray, cf: np.ndarray,
) -> None:  # fmt: skip
    rec[row, R_ROUND], rec[row, R_ORDER], rec[row, R_GROUP] = rnd, order, ci[r, I_GROUP]
    rec[row, R_GAIN], rec[row, R_DP], rec[row, R_DQ] = cf[r, F_GAIN], cf[r, F_DP], cf[r, F_DQ]
    for side in range(2):
        o = R_SIDE + side * R_PER_SIDE
        a, sup, dem = ci[r, I_ACT + side], ci[r, I_SUP + side], ci[r, I_SUP + 1 - side]
        rec[row, o + R_ACTOR], rec[row, o + R_SUPPLY] = a, sup
        rec[row, o + R_X], rec[row, o + R_MOVE] = cf[r, F_XI + side], cf[r, F_LAST + side]
        rec[row, o + R_Y], rec[row, o + R_TARGET] = cf[r, F_Y + side], cf[r, F_TAU + side]
        rec[row, o + R_SAL_SUPPLY], rec[row, o + R_SAL_DEMAND] = s[sup, a], s[dem, a]
        rec[row, o + R_POWER], rec[row, o + R_EU] = c[sup, a], cf[r, F_EU + side]
        rec[row, o + R_N0], rec[row, o + R_N1] = cf[r, F_N0 + side], cf[r, F_N1 + side]


@jit
def first_list(
    x: np.ndarray, s: np.ndarray, w: np.ndarray, W: np.ndarray, mask: np.ndarray, p: float,
    eps: float, key: np.uint64, counter: np.ndarray,
) -> tuple[Problem, np.ndarray, State]:  # fmt: skip
    """The round's problem tuple, groups, and candidate list with every candidate calculated
    from the round-start positions (before any realisation)."""
    k, n = x.shape
    xw = np.zeros(k)
    nbs = np.zeros(k)
    for i in range(k):
        for a in range(n):
            xw[i] += w[i, a] * x[i, a]
        if W[i] > 0.0:
            nbs[i] = xw[i] / W[i]
    prob = (x, s, w, W, xw)
    grp = groups(x, mask, nbs)
    ci, cf = candidates(x, s, grp)
    size = ci.shape[0]
    st = (ci, cf, np.zeros((size, 2, n)), np.zeros((size, 2, n), dtype=np.bool_))
    _calculate_all(prob, st, p, eps, key, counter)
    return prob, grp, st


@leaf
def _calculate_all(
    prob: Problem, st: State, p: float, eps: float, key: np.uint64, counter: np.ndarray
) -> None:  # fmt: skip
    """Every candidate of the list calculated from the round-start positions, in list order."""
    for e in range(st[0].shape[0]):
        calculate(e, prob, st, p, eps, key, counter)


@once
def play_round(
    x: np.ndarray, s: np.ndarray, c: np.ndarray, w: np.ndarray, W: np.ndarray,
    mask: np.ndarray, rnd: int, p: float, ties: int, eps: float, weights: np.ndarray,
    key: np.uint64, counter: np.ndarray, ext: np.ndarray, rec: np.ndarray, rows: int,
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray, int]:  # fmt: skip
    """One round from round-start positions ``x``: the voting positions, the next round's start
    positions, the number of realised exchanges, and the exchange records (``rec`` grown as
    needed, ``rows`` used; pass a zero-row ``rec`` to keep none). ``weights`` holds decide's
    (fixed, salience) weights of the next start position."""
    prob, grp, st = first_list(x, s, w, W, mask, p, eps, key, counter)
    ci, cf = st[0], st[1]
    size = ci.shape[0]
    order = np.arange(size)
    done = np.empty(size, dtype=np.int64)
    count = 0
    while size > 0:
        _sort(order, size, cf)
        tie = ties == RANDOM and size > 1 and cf[order[1], F_KEY] == cf[order[0], F_KEY]
        if tie and uniform(key, counter) >= 0.5:  # the first goes to the end, the second wins
            first = order[0]
            for a in range(size - 1):
                order[a] = order[a + 1]
            order[size - 1] = first
        r = order[0]
        size -= 1
        for a in range(size):
            order[a] = order[a + 1]
        if ci[r, I_VALID] == 0:
            continue
        done[count] = r
        count += 1
        _externalities(r, prob, st, mask, grp, ext)
        if rec.shape[0] > 0:
            if rows == rec.shape[0]:
                grown = np.zeros((2 * rows, NR))
                for a in range(rows):
                    for b in range(NR):
                        grown[a, b] = rec[a, b]
                rec = grown
            _record(rec, rows, rnd, count, r, s, c, ci, cf)
            rows += 1
        size = _propagate(r, order, size, prob, st, p, eps, key, counter)
    voting, start = _positions(x, s, ci, cf, done[:count], weights)
    return voting, start, count, rec, rows


@leaf
def _propagate(
    r: int, order: np.ndarray, size: int, prob: Problem, st: State, p: float, eps: float,
    key: np.uint64, counter: np.ndarray,
) -> int:  # fmt: skip
    """Reference §3.7 step 2: update every valid candidate after realising ``r``; the list keeps
    the valid ones, in order. Returns its new length."""
    ci = st[0]
    kept = 0
    ri, rj = ci[r, I_ACT], ci[r, I_ACT + 1]
    for a in range(size):
        e = order[a]
        if ci[e, I_VALID] == 1:
            ei, ej = ci[e, I_ACT], ci[e, I_ACT + 1]
            if ei in (ri, rj) or ej in (ri, rj):  # else nothing can match
                recalculate(e, r, prob, st, p, eps, key, counter)
            if ci[e, I_VALID] == 1:
                order[kept] = e
                kept += 1
    return kept


@once
def _positions(
    x: np.ndarray, s: np.ndarray, ci: np.ndarray, cf: np.ndarray, done: np.ndarray,
    weights: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Reference §3.8: the voting positions of the round (the realised exchanges' y in order)
    and the next round's start positions x + (fixed + salience weight·(1 - s))·(y - x)."""
    voting, start = np.empty(x.shape), np.empty(x.shape)
    copy(x, voting)
    copy(x, start)
    for r in done:
        for side in range(2):
            i, actor = ci[r, I_SUP + side], ci[r, I_ACT + side]
            y = cf[r, F_Y + side]
            voting[i, actor] = y
            shift = (1.0 - s[i, actor]) * weights[1]
            start[i, actor] = shift * y + weights[0] * y + (1.0 - shift - weights[0]) * x[i, actor]
    return voting, start
