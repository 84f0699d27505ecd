"""The SMP run: turns until the stopping rule (KTAB ``Model::run``, ``smpStopFn``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from multipolar.models.smp.params import Config
from multipolar.models.smp.turn import (
    Arranger,
    Chooser,
    Outcome,
    assess,
    first_max,
    play_turn,
    position_probs,
)
from multipolar.models.smp.utility import total
from multipolar.scenario.arrays import FloatArray

UIntArray = NDArray[np.uint64]
#: SplitMix64's increment (Steele, Lea & Flood 2014) and its usual 64-bit finaliser's multipliers
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
#: KTAB needs at least three actors; below that nothing moves
MIN_ACTORS = 3
#: KTAB ``configExec``: ``minSigDelta`` guards the first step's distance against 0/0
MIN_FIRST_STEP = 1e-4


@dataclass(frozen=True)
class Run:
    """A run's history on the [0, 1] scale: ``positions``/``ideals`` ``(T+1, n, k)``, the
    probability of each actor's position and the risk attitudes ``(T+1, n)``."""

    positions: FloatArray
    ideals: FloatArray
    prob: FloatArray
    risk: FloatArray
    ratios: list[float] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def turns(self) -> int:
        return int(self.positions.shape[0]) - 1


def state_distances(a: FloatArray, b: FloatArray) -> FloatArray:
    """``state_distance`` of every batch member: ``(..., n, k)`` states to ``(...)``."""
    return total(np.sqrt(total((a - b) ** 2, -1)), -1)


def state_distance(a: FloatArray, b: FloatArray) -> float:
    """KTAB ``stateDist``: the sum over actors of the Euclidean distance between positions."""
    return float(state_distances(a, b))


def select(u: float, p: FloatArray) -> int:
    """The first option whose cumulative probability reaches ``u`` (the last if none does)."""
    hits = np.nonzero(u <= np.cumsum(p))[0]
    return int(hits[0]) if hits.size else int(p.size - 1)


def draw_keys(seed: int, draws: int) -> UIntArray:
    """One 64-bit key per draw from ``seed`` (``SeedSequence``); a draw's key does not depend
    on how many draws there are."""
    state = np.random.SeedSequence(seed).generate_state(draws, np.uint64)
    keys: UIntArray = np.asarray(state, dtype=np.uint64)
    return keys


def uniforms(keys: UIntArray, turn: int, n: int) -> FloatArray:
    """Each draw's uniforms ``(B, n)`` for the n queues of ``turn``: outputs ``turn*n + 1`` to
    ``turn*n + n`` of SplitMix64 started at the draw's key. Counter-based, so every draw has its
    own stream, reproducible whichever other draws run beside it."""
    z = keys[:, None] + (np.uint64(turn * n) + np.arange(1, n + 1, dtype=np.uint64)) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    out: FloatArray = (z >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return out


def keyed_chooser(key: int, n: int) -> Chooser:
    """Stochastic transitions with a draw's own stream (``uniforms``): what the batched model
    does for the draw whose key is ``key``."""
    keys = np.array([key], dtype=np.uint64)

    def choose(turn: int, actor: int, p: FloatArray, _keys: object) -> int:
        return select(float(uniforms(keys, turn, n)[0, actor]), p)

    return choose


def deterministic_chooser(_turn: int, _actor: int, p: FloatArray, _keys: object) -> int:
    return first_max(p)


def simulate(
    pos0: FloatArray,
    sal: FloatArray,
    cap: FloatArray,
    cfg: Config,
    *,
    affinity: FloatArray | None = None,
    choose: Chooser | None = None,
    arrange: Arranger | None = None,
    keep_outcomes: bool = False,
) -> Run:
    """Run the SMP from positions ``pos0`` (ideals start there) until it stops.

    Stops after turn t when ``t >= max_turns``, or when ``t >= min_turns`` and the turn moved
    the actors less than ``stop_ratio`` times the first turn's move (plus 1e-4).
    ``choose`` defaults to deterministic transitions (first most probable bargain);
    ``arrange`` reorders each queue's options in its PCE (``turn.resolve``).
    """
    pick = choose or deterministic_chooser
    pos, ideal = pos0.copy(), pos0.copy()
    a = assess(pos, ideal, sal, cap, cfg)
    positions, ideals = [pos], [ideal]
    prob, risk = [position_probs(pos, cap, a, cfg)], [a.big_r]
    ratios: list[float] = []
    outcomes: list[Outcome] = []
    first = 0.0
    turns = cfg.max_turns if pos.shape[0] >= MIN_ACTORS else 0
    for t in range(1, turns + 1):
        out = play_turn(t - 1, pos, ideal, sal, cap, affinity, a, cfg, pick, arrange)
        step = state_distance(pos, out.positions)
        pos, ideal = out.positions, out.ideals
        a = assess(pos, ideal, sal, cap, cfg)
        positions.append(pos)
        ideals.append(ideal)
        prob.append(position_probs(pos, cap, a, cfg))
        risk.append(a.big_r)
        if keep_outcomes:
            outcomes.append(out)
        if t == 1:
            first = step + MIN_FIRST_STEP
        ratios.append(step / first)
        if t >= cfg.min_turns and ratios[-1] < cfg.stop_ratio:
            break
    return Run(
        positions=np.array(positions),
        ideals=np.array(ideals),
        prob=np.array(prob),
        risk=np.array(risk),
        ratios=ratios,
        outcomes=outcomes,
    )
