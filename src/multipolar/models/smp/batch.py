"""One SMP turn for many draws at once: ``turn.py``'s steps over arrays with a leading draw axis.

States are ``(B, n, k)`` (draws, actors, dimensions), capabilities ``(B, n)``; the assessment is
``turn.assess`` of the whole batch. Actors, initiators and queues are vectorised too: the
contests of all (draw, initiator) pairs run in blocks, and the queues are grouped by length, so
Python loops run over blocks, queue lengths and actors (``classes``), never over draws.

Each draw gets what ``turn.play_turn`` gives it alone, bit for bit: the same numpy operations on
the same values, and sums in the same order (``utility.total``); tests/test_smp_batch.py checks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from multipolar.models.smp.challenge import interpolate
from multipolar.models.smp.contests import Workspace, best_targets, contests
from multipolar.models.smp.params import Config
from multipolar.models.smp.pce import scalar_pce
from multipolar.models.smp.switch import pce_compiled, use_compiled
from multipolar.models.smp.turn import POS_TOL, Assessment, state_utilities
from multipolar.models.smp.utility import distances, quad_utility, total
from multipolar.scenario.arrays import BoolArray, FloatArray

IntArray = NDArray[np.intp]
#: elements of one block of perspectives ``(pairs, n, n)`` in the contests (256 kB: in cache)
BLOCK = 1 << 15


@dataclass(frozen=True)
class Offers:
    """The bargains of a turn, one slot per initiator (two with ``init_rcvr_interp``: the
    initiator's view, then the target's), in ``turn.propose``'s order; ``valid`` marks the slots
    of initiators that found a target."""

    init: IntArray  # (S,) the initiator of each slot
    rcvr: IntArray  # (B, S) its target (-1 for none)
    valid: BoolArray  # (B, S)
    b_init: FloatArray  # (B, S, k) the initiator's new position
    b_rcvr: FloatArray  # (B, S, k) the target's


def subset(a: Assessment, rows: IntArray | BoolArray) -> Assessment:
    """The assessment of some draws."""
    return Assessment(d=a.d[rows], big_r=a.big_r[rows], r=a.r[rows], own=a.own[rows])


def classes(pos: FloatArray, tol: float = POS_TOL) -> tuple[IntArray, IntArray, IntArray]:
    """``turn.unique_classes`` of every draw: each actor's class ``(B, n)``, the representatives
    in order ``(B, n)`` (the first ``count`` of a row) and their ``count`` ``(B,)``. An actor
    near several representatives joins the last one, as in ``unique_classes``."""
    B, n = pos.shape[:2]
    if use_compiled("", B * n * n * pos.shape[2]):
        from multipolar.models.smp import compiled

        return compiled.classes(pos, tol)
    near = np.sqrt(total((pos[:, :, None, :] - pos[:, None, :, :]) ** 2, -1)) < tol
    is_rep = np.ones((B, n), dtype=bool)
    maybe = np.any(np.tril(near, -1), axis=(0, 2))  # some earlier actor is near in some draw
    for i in np.nonzero(maybe)[0]:
        is_rep[:, i] = ~np.any(is_rep[:, :i] & near[:, i, :i], axis=1)
    hit = is_rep[:, None, :] & near  # (B, n, n): the representatives near each actor
    joins = n - 1 - np.argmax(hit[:, :, ::-1], axis=2)  # the last of them
    rank = np.cumsum(is_rep, axis=1) - 1
    cls: IntArray = np.take_along_axis(rank, joins, axis=1)
    reps: IntArray = np.argsort(~is_rep, axis=1, kind="stable")
    return cls, reps, np.sum(is_rep, axis=1)


def position_probs(
    pos: FloatArray, cap: FloatArray, own: FloatArray, cfg: Config
) -> tuple[FloatArray, IntArray]:
    """``turn.position_probs`` of every draw, and each actor's class (``classes``)."""
    cls, reps, count = classes(pos)
    B, n = pos.shape[:2]
    if pce_compiled(cfg.voting_rule, cfg.victory_prob_model, cfg.pce_model, B * n**3):
        from multipolar.models.smp import compiled

        flat, at, _ = compiled.conditional_pce(
            own, np.arange(B), reps, count, cap, cfg.voting_rule, cfg.victory_prob_model
        )
        return flat[at[:, None] + cls], cls
    prob = np.empty(cls.shape)
    for m in np.unique(count):
        rows = np.nonzero(count == m)[0]
        u = own[rows[:, None, None], np.arange(n)[:, None], reps[rows, None, :m]]
        p = scalar_pce(u, cap[rows], cfg.voting_rule, cfg.victory_prob_model, cfg.pce_model)
        prob[rows] = np.take_along_axis(p, cls[rows], axis=1)
    return prob, cls


def _contests(
    a: Assessment,
    draw: IntArray,
    init: IntArray,
    view: IntArray,
    js: IntArray,
    w: FloatArray,
    sums: FloatArray,
    cfg: Config,
) -> tuple[FloatArray, FloatArray]:
    """``contests.contests`` of initiators ``init`` in draws ``draw`` against targets ``js``,
    each judged by actor ``view``, in blocks of about ``BLOCK`` elements."""
    n = a.d.shape[-1]
    if use_compiled(cfg.voting_rule, draw.size * js.shape[1] * n):
        from multipolar.models.smp import compiled

        dt = np.swapaxes(a.d, 1, 2).reshape(-1, n)
        rule, commit = cfg.voting_rule, cfg.third_party_commit
        return compiled.contests(dt, draw, init, js, a.r[draw, view], w, sums, rule, commit)
    size = max(1, BLOCK // (js.shape[1] * n))  # pairs per block
    work = Workspace(min(size, draw.size), js.shape[1], n)
    dt = np.ascontiguousarray(np.swapaxes(a.d, 1, 2)).reshape(-1, n)
    p_win, gain = np.empty(js.shape), np.empty(js.shape)
    rule, commit = cfg.voting_rule, cfg.third_party_commit
    for lo in range(0, draw.size, size):
        s = slice(lo, lo + size)
        b = draw[s]
        p_win[s], gain[s] = contests(
            dt, b, init[s], js[s], a.r[b, view[s]], w[b], sums[b], rule, commit, work
        )
    return p_win, gain


def propose(
    pos: FloatArray, sal: FloatArray, cap: FloatArray, a: Assessment, cfg: Config
) -> Offers:
    """``turn.propose`` of every draw: each actor's best target and the bargains offered."""
    B, n, k = pos.shape
    sums = total(sal, -1)
    w = sums * cap
    draw, init = np.divmod(np.arange(B * n), n)
    js = np.broadcast_to(np.arange(n), (B * n, n))
    p_win, gain = _contests(a, draw, init, init, js, w, sums, cfg)
    best = best_targets(gain, init)
    target = best.reshape(B, n)
    p_i = p_win[np.arange(B * n), np.maximum(best, 0)].reshape(B, n, 1)
    to = np.maximum(target, 0)[:, :, None]
    xj, sj = np.take_along_axis(pos, to, axis=1), np.take_along_axis(sal, to, axis=1)
    with np.errstate(all="ignore"):  # slots without a target are computed, then ignored
        mine = interpolate(pos, xj, sal, sj, p_i, cfg.inter_vec_brgn)
    actors = np.arange(n)
    if cfg.bargn_model == "init_only_interp":
        return Offers(actors, target, target >= 0, *mine)
    p_j = np.full((B * n, 1), 0.5)  # the target's estimate that the initiator wins
    some = best >= 0
    p_j[some] = _contests(a, draw[some], init[some], best[some], best[some, None], w, sums, cfg)[0]
    with np.errstate(all="ignore"):
        theirs = interpolate(pos, xj, sal, sj, p_j.reshape(B, n, 1), cfg.inter_vec_brgn)
    if cfg.bargn_model == "init_rcvr_interp":
        pairs = [
            np.stack([m, t], axis=2).reshape(B, 2 * n, k) for m, t in zip(mine, theirs, strict=True)
        ]
        rcvr = np.repeat(target, 2, axis=1)
        return Offers(np.repeat(actors, 2), rcvr, rcvr >= 0, pairs[0], pairs[1])
    wi, wj = w[:, :, None], np.take_along_axis(w, to[:, :, 0], axis=1)[:, :, None]
    with np.errstate(all="ignore"):
        share = np.where(wi + wj <= 0.0, 0.5, wi / (wi + wj))
    b_i = share * mine[0] + (1.0 - share) * theirs[0]
    b_j = share * mine[1] + (1.0 - share) * theirs[1]
    return Offers(actors, target, target >= 0, b_i, b_j)


def _bargain_utilities(
    offers: Offers, ideal: FloatArray, sal: FloatArray, a: Assessment
) -> tuple[FloatArray, FloatArray]:
    """``turn.bargain_utilities`` of every draw: the status quo's ``(B, n)`` and every slot's
    utility to every actor ``(B, n, S)``."""
    n = a.own.shape[-1]
    base = total(a.own, -1)
    if use_compiled("", a.own.size * offers.b_init.shape[1]):
        from multipolar.models.smp import compiled

        states = compiled.bargain_states(a.own, a.big_r, ideal, sal, offers.b_init,
                                         offers.b_rcvr, offers.init, offers.rcvr)  # fmt: skip
        return base / n, states
    ri = a.big_r[:, :, None]
    u_init = quad_utility(distances(ideal, offers.b_init, sal), ri)
    u_rcvr = quad_utility(distances(ideal, offers.b_rcvr, sal), ri)
    return base / n, state_utilities(a.own, u_init, u_rcvr, offers.init, offers.rcvr)


def _pick(p: FloatArray, u: FloatArray | None) -> IntArray:
    """The winner of each queue (rows of ``p``): the first most probable (deterministic), or the
    first whose cumulative probability reaches the uniform ``u`` (``run.select``)."""
    if u is None:
        first: IntArray = np.argmax(p, axis=-1)
        return first
    hit = u[:, None] <= np.cumsum(p, axis=-1)
    out: IntArray = np.where(np.any(hit, axis=-1), np.argmax(hit, axis=-1), p.shape[-1] - 1)
    return out


def resolve(
    pos: FloatArray,
    ideal: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    a: Assessment,
    offers: Offers,
    cfg: Config,
    uniform: FloatArray | None,
) -> FloatArray:
    """``turn.resolve`` of every draw: the new positions. ``uniform`` ``(B, n)`` holds each
    actor's uniform draw (stochastic transitions) or is None (deterministic)."""
    n = pos.shape[1]
    sq, ub = _bargain_utilities(offers, ideal, sal, a)
    actors = np.arange(n)
    mine = offers.valid[:, None, :] & (
        (offers.init == actors[:, None]) | (offers.rcvr[:, None, :] == actors[:, None])
    )
    count = np.sum(mine, axis=-1)
    order = np.argsort(~mine, axis=-1, kind="stable")  # each queue's slots first, in order
    new = pos.copy()
    B, S = count.shape[0], order.shape[-1]
    if pce_compiled(cfg.voting_rule, cfg.victory_prob_model, cfg.pce_model, B * n**3):
        from multipolar.models.smp import compiled

        draw, k = np.nonzero(count > 0)  # a queue holding only the status quo keeps it
        cols = np.zeros((draw.size, S + 1), dtype=np.intp)  # status quo, then the slots
        cols[:, 1:] = order[draw, k] + 1
        options = np.concatenate([sq[:, :, None], ub], axis=-1)
        rule, model = cfg.voting_rule, cfg.victory_prob_model
        u = None if uniform is None else uniform[draw, k]
        pick = compiled.conditional_pce(options, draw, cols, count[draw, k] + 1, cap, rule,
                                        model, u)[2]  # fmt: skip
        moved = pick > 0
        draw, k = draw[moved], k[moved]
        slot = order[draw, k, pick[moved] - 1]
        own_side = (offers.init[slot] == k)[:, None]
        new[draw, k] = np.where(own_side, offers.b_init[draw, slot], offers.b_rcvr[draw, slot])
        return new
    for m in np.unique(count[count > 0]):  # a queue holding only the status quo keeps it
        draw, k = np.nonzero(count == m)
        slots = order[draw, k, :m]
        u = np.concatenate(
            [sq[draw][:, :, None], ub[draw[:, None, None], actors[:, None], slots[:, None, :]]],
            axis=-1,
        )
        p = scalar_pce(u, cap[draw], cfg.voting_rule, cfg.victory_prob_model, cfg.pce_model)
        pick = _pick(p, None if uniform is None else uniform[draw, k])
        moved = pick > 0
        draw, k = draw[moved], k[moved]
        slot = slots[moved, pick[moved] - 1]
        own_side = (offers.init[slot] == k)[:, None]
        new[draw, k] = np.where(own_side, offers.b_init[draw, slot], offers.b_rcvr[draw, slot])
    return new
