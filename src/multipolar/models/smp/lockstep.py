"""The SMP run for many draws in lock-step (``run.simulate`` over a leading draw axis).

Every turn plays the draws still running (batch.py) and freezes those that have stopped: each
draw stops at its own turn by ``run.simulate``'s rule, and a stopped draw's state is carried
unchanged to the end, as ``smp`` pads shorter runs. Each draw's history equals ``run.simulate``
of that draw alone, bit for bit (tests/test_smp_batch.py); in stochastic mode draw b's queue
winners come from its own stream (``run.uniforms`` with key ``keys[b]``), i.e.
``run.keyed_chooser(keys[b], n)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from multipolar.models.smp.batch import IntArray, propose, resolve, subset
from multipolar.models.smp.batch import position_probs as batch_probs
from multipolar.models.smp.params import Config
from multipolar.models.smp.run import (
    MIN_ACTORS,
    MIN_FIRST_STEP,
    UIntArray,
    state_distances,
    uniforms,
)
from multipolar.models.smp.turn import assess, new_ideals
from multipolar.models.smp.utility import total
from multipolar.scenario.arrays import FloatArray


@dataclass(frozen=True)
class Batch:
    """Histories on the [0, 1] scale, padded with each draw's final state: ``positions``
    ``(B, T+1, n, k)``, the probability of each actor's position and the risk attitudes
    ``(B, T+1, n)``, the probability-weighted mean positions ``(B, T+1, k)`` (``expected``), and
    each draw's turns ``(B,)``."""

    positions: FloatArray
    prob: FloatArray
    risk: FloatArray
    expected: FloatArray
    turns: IntArray


def expected(
    positions: FloatArray, prob: FloatArray, cls: IntArray, mask: FloatArray
) -> FloatArray:
    """``expected_positions`` over leading axes, given each actor's class ``cls`` (``(..., n)``,
    ``turn.unique_classes``): ``(..., n, k)`` positions and mask to ``(..., k)``."""
    n = cls.shape[-1]
    counts = np.sum(cls[..., :, None] == np.arange(n), axis=-2)
    share = prob / np.take_along_axis(counts, cls, axis=-1)
    w = np.where(mask > 0, share[..., :, None], 0.0)
    sums = total(w, -2)
    plain = np.where(mask > 0, 1.0, 0.0)
    w = np.where(sums[..., None, :] > 0.0, w, plain)
    sums = np.maximum(total(w, -2), 1e-300)
    out: FloatArray = total(w * positions, -2) / sums
    return out


def simulate_batch(
    pos0: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    mask: FloatArray,
    cfg: Config,
    *,
    affinity: FloatArray | None = None,
    keys: UIntArray | None = None,
) -> Batch:
    """Run the SMP from positions ``pos0`` ``(B, n, k)`` for every draw until each stops.

    ``sal`` and ``mask`` ``(B, n, k)``, ``cap`` ``(B, n)`` (``inputs.to_unit_all``); ``keys``
    ``(B,)`` (``run.draw_keys``) gives stochastic transitions with each draw's own stream, None
    deterministic ones (``cfg.stochastic`` needs keys).
    """
    if cfg.stochastic and keys is None:
        raise ValueError("stochastic transitions need one key per draw")
    B, n, _ = pos0.shape
    pos, ideal = np.array(pos0, dtype=float), np.array(pos0, dtype=float)
    a = assess(pos, ideal, sal, cap, cfg)
    prob, cls = batch_probs(pos, cap, a.own, cfg)
    history = [(pos, prob, a.big_r, expected(pos, prob, cls, mask))]
    turns = np.zeros(B, dtype=np.intp)
    first = np.zeros(B)
    live = np.arange(B)  # the draws still running; ``a`` is their assessment
    for t in range(1, (cfg.max_turns if n >= MIN_ACTORS else 0) + 1):
        if live.size == 0:
            break
        p, q, s, c = pos[live], ideal[live], sal[live], cap[live]
        u = uniforms(keys[live], t - 1, n) if cfg.stochastic and keys is not None else None
        new = resolve(p, q, s, c, a, propose(p, s, c, a, cfg), cfg, u)
        ideal[live] = new_ideals(q, new, affinity)
        step = state_distances(p, new)
        a = assess(new, ideal[live], s, c, cfg)
        new_prob, cls = batch_probs(new, c, a.own, cfg)
        pos, prob, risk, means = (h.copy() for h in history[-1])
        pos[live], prob[live], risk[live] = new, new_prob, a.big_r
        means[live] = expected(new, new_prob, cls, mask[live])
        history.append((pos, prob, risk, means))
        if t == 1:
            first[live] = step + MIN_FIRST_STEP
        turns[live] = t
        going = ~((t >= cfg.min_turns) & (step / first[live] < cfg.stop_ratio))
        live, a = live[going], subset(a, going)
    positions, probs, risks, means = (np.stack(h, axis=1) for h in zip(*history, strict=True))
    return Batch(positions, probs, risks, means, turns)
