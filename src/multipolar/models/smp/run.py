"""The SMP run: turns until the stopping rule (KTAB ``Model::run``, ``smpStopFn``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from multipolar.models.smp.params import Config
from multipolar.models.smp.turn import (
    Chooser,
    Outcome,
    assess,
    first_max,
    play_turn,
    position_probs,
)
from multipolar.scenario.arrays import FloatArray

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


def state_distance(a: FloatArray, b: FloatArray) -> float:
    """KTAB ``stateDist``: the sum over actors of the Euclidean distance between positions."""
    return float(np.sum(np.sqrt(np.sum((a - b) ** 2, axis=1))))


def stochastic_chooser(rng: np.random.Generator) -> Chooser:
    """Stochastic transitions: draw a queue's winner from its PCE distribution (like KTAB
    ``probSel``: the first option whose cumulative probability reaches a uniform draw)."""

    def choose(_turn: int, _actor: int, p: FloatArray, _keys: object) -> int:
        u = float(rng.random())
        hits = np.nonzero(u <= np.cumsum(p))[0]
        return int(hits[0]) if hits.size else int(p.size - 1)

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
    keep_outcomes: bool = False,
) -> Run:
    """Run the SMP from positions ``pos0`` (ideals start there) until it stops.

    Stops after turn t when ``t >= max_turns``, or when ``t >= min_turns`` and the turn moved
    the actors less than ``stop_ratio`` times the first turn's move (plus 1e-4).
    ``choose`` defaults to deterministic transitions (first most probable bargain).
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
        out = play_turn(t - 1, pos, ideal, sal, cap, affinity, a, cfg, pick)
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
