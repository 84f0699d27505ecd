"""One SMP turn (KTAB ``SMPState::doBCN``): assess, challenge, bargain, resolve, adjust ideals.

State arrays are on the [0, 1] scale: positions and ideals ``(n, k)``, saliences ``sal``
``(n, k)``, capabilities ``cap`` ``(n,)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from multipolar.models.smp.challenge import best_target, contest, interpolate
from multipolar.models.smp.params import Config
from multipolar.models.smp.pce import scalar_pce
from multipolar.models.smp.utility import (
    distances,
    perspective_risk,
    quad_utility,
    risk_from_prob,
    total,
)
from multipolar.scenario.arrays import FloatArray

IntArray = NDArray[np.intp]

#: KTAB ``SMPModel::posTol``: positions closer than this count as one (reported probabilities)
POS_TOL = 1e-3

#: ``(init, rcvr, view)``: a bargain's key; view 0 is the initiator's estimate, 1 the target's.
#: The status quo of actor k is ``(k, k, 0)``.
Key = tuple[int, int, int]
#: ``choose(turn, actor, probabilities, keys) -> index`` picks the winner of an actor's queue
Chooser = Callable[[int, int, FloatArray, list[Key]], int]
#: ``arrange(turn, actor, keys) -> permutation``: the order of a queue's options in its PCE
Arranger = Callable[[int, int, list[Key]], list[int]]


@dataclass(frozen=True)
class Assessment:
    """A state's risk attitudes and utilities (KTAB ``setAllAUtil``)."""

    d: FloatArray  # d[i, j]: distance from i's ideal to j's position, with i's saliences
    big_r: FloatArray  # R_i, each actor's risk attitude
    r: FloatArray  # r[h, i]: h's estimate of R_i
    own: FloatArray  # own[a, b] = u(d[a, b], R_a): a's own utility of b's position

    def perspective(self, h: int) -> FloatArray:
        """``U^h[a, b] = u(d[a, b], r[h, a])``: h's estimate of every actor's utilities."""
        return quad_utility(self.d, self.r[h][:, None])


@dataclass(frozen=True)
class Bargain:
    """A proposed pair of new positions for an initiator and its target."""

    init: int
    rcvr: int
    view: int
    b_init: FloatArray
    b_rcvr: FloatArray

    @property
    def key(self) -> Key:
        return (self.init, self.rcvr, self.view)


@dataclass(frozen=True)
class Outcome:
    """What one turn did: the new positions and ideals, offers, queues and choices."""

    positions: FloatArray
    ideals: FloatArray
    targets: FloatArray  # (n,) each actor's chosen target, -1 for none
    queues: list[list[Key]]
    probs: list[FloatArray]
    chosen: list[int]


def assess(
    pos: FloatArray, ideal: FloatArray, sal: FloatArray, cap: FloatArray, cfg: Config
) -> Assessment:
    """Risk attitudes from a risk-neutral PCE over all positions, then utilities."""
    d = distances(ideal, pos, sal)
    neutral = quad_utility(d, 0.0)
    p = scalar_pce(neutral, cap, cfg.voting_rule, cfg.victory_prob_model, cfg.pce_model)
    big_r = risk_from_prob(p, cfg.big_r_range)
    r = perspective_risk(big_r, cfg.big_r_adjust)
    return Assessment(d=d, big_r=big_r, r=r, own=quad_utility(d, big_r[..., :, None]))


def propose(
    pos: FloatArray, sal: FloatArray, cap: FloatArray, a: Assessment, cfg: Config
) -> tuple[FloatArray, list[Bargain]]:
    """Each actor's best target and the bargains offered, in initiator order."""
    n = pos.shape[0]
    sums = total(sal, -1)
    w = sums * cap
    targets = np.full(n, -1.0)
    bargains: list[Bargain] = []
    args = (w, sums, cfg.voting_rule, cfg.third_party_commit)
    for i in range(n):
        js = np.array([j for j in range(n) if j != i])
        p_win, gain = contest(a.perspective(i), i, js, i, *args)
        j = best_target(gain, js)
        if j < 0:
            continue
        targets[i] = j
        p_i = float(p_win[js == j][0])
        mine = interpolate(pos[i], pos[j], sal[i], sal[j], p_i, cfg.inter_vec_brgn)
        if cfg.bargn_model == "init_only_interp":
            bargains.append(Bargain(i, j, 0, *mine))
            continue
        p_j = float(contest(a.perspective(j), i, np.array([j]), i, *args)[0][0])
        theirs = interpolate(pos[i], pos[j], sal[i], sal[j], p_j, cfg.inter_vec_brgn)
        if cfg.bargn_model == "init_rcvr_interp":
            bargains += [Bargain(i, j, 0, *mine), Bargain(i, j, 1, *theirs)]
            continue
        wi, wj = w[i], w[j]
        share = 0.5 if wi + wj <= 0.0 else wi / (wi + wj)
        b_i = share * mine[0] + (1.0 - share) * theirs[0]
        b_j = share * mine[1] + (1.0 - share) * theirs[1]
        bargains.append(Bargain(i, j, 0, b_i, b_j))
    return targets, bargains


def bargain_utilities(
    bargains: list[Bargain], ref: FloatArray, sal: FloatArray, a: Assessment
) -> tuple[FloatArray, FloatArray]:
    """Utility to every actor of the status quo ``(n,)`` and of each bargain ``(n, B)``.

    The state after a bargain keeps every position but the two principals'; its utility is the
    mean over the n positions (KTAB ``brgnUtil``). ``ref`` is where each actor evaluates new
    positions from: its ideal, as in KTAB's 2017 reference runs.
    """
    n = a.own.shape[0]
    base = total(a.own, -1)
    if not bargains:
        return base / n, np.zeros((n, 0))
    b_init = np.array([b.b_init for b in bargains])
    b_rcvr = np.array([b.b_rcvr for b in bargains])
    ri = a.big_r[:, None]
    u_init = quad_utility(distances(ref, b_init, sal), ri)
    u_rcvr = quad_utility(distances(ref, b_rcvr, sal), ri)
    init = np.array([b.init for b in bargains])
    rcvr = np.array([b.rcvr for b in bargains])
    return base / n, state_utilities(a.own, u_init, u_rcvr, init, rcvr)


def state_utilities(
    own: FloatArray, u_init: FloatArray, u_rcvr: FloatArray, init: IntArray, rcvr: IntArray
) -> FloatArray:
    """``(1/n) sum_m`` (utility to actor a of the m-th position of the state after bargain s),
    ``(..., n, S)``, summed over the n positions in actor order.

    ``own`` ``(..., n, n)`` is each actor's utility of each current position, ``u_init`` and
    ``u_rcvr`` ``(..., n, S)`` of the two principals' new positions, ``init`` and ``rcvr``
    ``(..., S)`` (a negative ``rcvr``, a slot without a bargain, gives a value to ignore).
    Summing whole states in one order (as KTAB does) gives two bargains that lead
    to the same state the same utility, bit for bit, e.g. i's offer to j and j's to i when both
    end at one point, or an offer that moves nobody and the status quo (``total(own)/n``); the
    binary voting rule turns any difference between them, however small, into a full vote.
    """
    n, shape = own.shape[-1], u_init.shape
    states = np.empty((*shape, n))  # (..., n, S, n): a, bargain, position
    states[...] = own[..., :, None, :]
    for who, u in ((init, u_init), (rcvr, u_rcvr)):
        at = np.broadcast_to(np.maximum(who, 0)[..., None, :, None], (*shape, 1))
        np.put_along_axis(states, at, u[..., None], axis=-1)
    out: FloatArray = total(states, -1) / n
    return out


def first_max(p: FloatArray) -> int:
    """Deterministic transitions: the most probable option, the first one on ties."""
    return int(np.argmax(p))


def resolve(
    turn: int,
    pos: FloatArray,
    ideal: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    a: Assessment,
    bargains: list[Bargain],
    cfg: Config,
    choose: Chooser,
    arrange: Arranger | None = None,
) -> tuple[FloatArray, list[list[Key]], list[FloatArray], list[int]]:
    """Every actor's queue (status quo, then its bargains in order) goes to a PCE among all
    actors; each queue is resolved independently and the actor takes its side of the winner.

    ``arrange`` runs each PCE over the queue's options in another order (the probabilities
    come back in queue order): only ``asym_prosp`` votes depend on it (``pce.coalitions``).
    The replication of KTAB's logs uses it to replay KTAB's thread order."""
    n = pos.shape[0]
    models = (cfg.victory_prob_model, cfg.pce_model)
    sq, ub = bargain_utilities(bargains, ideal, sal, a)
    new = pos.copy()
    queues, probs, chosen = [], [], []
    for k in range(n):
        mine = [m for m, b in enumerate(bargains) if k in (b.init, b.rcvr)]
        keys: list[Key] = [(k, k, 0)] + [bargains[m].key for m in mine]
        u = np.column_stack([sq, ub[:, mine]])
        perm = np.arange(len(keys)) if arrange is None else np.array(arrange(turn, k, keys))
        p = np.empty(len(keys))
        p[perm] = scalar_pce(u[:, perm], cap, cfg.voting_rule, *models)
        pick = choose(turn, k, p, keys)
        if pick > 0:
            b = bargains[mine[pick - 1]]
            new[k] = b.b_init if b.init == k else b.b_rcvr
        queues.append(keys)
        probs.append(p)
        chosen.append(pick)
    return new, queues, probs, chosen


def new_ideals(ideal: FloatArray, pos: FloatArray, affinity: FloatArray | None) -> FloatArray:
    """``q_i <- sum_j a_ij x_j + (1 - sum_j a_ij) q_i``; no affinity means A = I (ideal =
    position, KTAB's default)."""
    if affinity is None:
        return pos.copy()
    lag = 1.0 - total(affinity, 1, keepdims=True)
    out: FloatArray = affinity @ pos + lag * ideal
    return out


def play_turn(
    turn: int,
    pos: FloatArray,
    ideal: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    affinity: FloatArray | None,
    a: Assessment,
    cfg: Config,
    choose: Chooser,
    arrange: Arranger | None = None,
) -> Outcome:
    """One turn from a state (positions, ideals) whose assessment is ``a``."""
    targets, bargains = propose(pos, sal, cap, a, cfg)
    args = (turn, pos, ideal, sal, cap, a, bargains, cfg, choose, arrange)
    new, queues, probs, chosen = resolve(*args)
    return Outcome(new, new_ideals(ideal, new, affinity), targets, queues, probs, chosen)


def unique_classes(pos: FloatArray, tol: float = POS_TOL) -> tuple[FloatArray, FloatArray]:
    """KTAB ``ueIndices``: the representatives and each actor's class.

    Actors are taken in order: one within ``tol`` of no representative so far becomes one.
    Then each actor joins the class of the *last* representative within ``tol`` of it, as KTAB
    does: an actor near two distinct representatives (possibly one that came after it) is
    counted with the later one."""
    n = pos.shape[0]
    gap = np.sqrt(total((pos[:, None, :] - pos[None, :, :]) ** 2, -1))
    reps: list[int] = []
    for i in range(n):
        if not np.any(gap[i, reps] < tol):
            reps.append(i)
    cls = np.array([np.nonzero(gap[i, reps] < tol)[0][-1] for i in range(n)], dtype=int)
    return np.array(reps, dtype=int), cls


def position_probs(pos: FloatArray, cap: FloatArray, a: Assessment, cfg: Config) -> FloatArray:
    """The probability of the position each actor holds (KTAB ``pDist(-1)``/``posProb``): a PCE
    over the unique positions with each actor's own utilities and capabilities as weights (the
    model's voting rule, as in KTAB's 2017 reference runs)."""
    reps, cls = unique_classes(pos)
    p = scalar_pce(a.own[:, reps], cap, cfg.voting_rule, cfg.victory_prob_model, cfg.pce_model)
    out: FloatArray = p[cls]
    return out
