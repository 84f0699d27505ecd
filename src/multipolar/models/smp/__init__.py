"""KTAB's Spatial Model of Politics (SMP): all issues are the dimensions of one negotiation.

Each turn every actor picks the most advantageous challenge, proposes a bargain to its target,
and every actor's queue of bargains is resolved by a probabilistic Condorcet election among all
actors (KAPSARC's KTAB). See docs/models/smp.md for the equations, the departures from KTAB and
the replication of KTAB's reference runs.

``smp`` runs all batch members (Monte Carlo draws) in lock-step (lockstep.py, batch.py);
``smp_reference`` runs them one at a time through ``run.simulate`` (turn.py), the code that
replicates KTAB's logs. Both give the same numbers, bit for bit (tests/test_smp_batch.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from multipolar.models.registry import ModelOutput, register
from multipolar.models.smp.inputs import affinity_matrix, from_unit, prepare, to_unit, to_unit_all
from multipolar.models.smp.lockstep import expected, simulate_batch
from multipolar.models.smp.params import PARAMS, Config, config
from multipolar.models.smp.run import (
    Run,
    deterministic_chooser,
    draw_keys,
    keyed_chooser,
    simulate,
)
from multipolar.models.smp.turn import Chooser, unique_classes
from multipolar.models.weights import hull
from multipolar.scenario.arrays import FloatArray, Inputs

__all__ = [
    "Config",
    "Run",
    "config",
    "expected_positions",
    "prepare",
    "simulate",
    "smp",
    "smp_reference",
]
Body = Callable[[Inputs, Config, FloatArray | None, int], dict[str, FloatArray]]


def expected_positions(positions: FloatArray, prob: FloatArray, mask: FloatArray) -> FloatArray:
    """Per issue, the mean of the positioned actors' positions weighted by the probability of
    the position each holds, shared equally among the actors holding it.

    ``positions`` ``(n, k)``, ``prob`` ``(n,)``, ``mask`` ``(n, k)``. This is the
    probability-weighted mean over KTAB's unique positions, restricted to actors who have a
    position on the issue.
    """
    cls = np.asarray(unique_classes(positions)[1], dtype=np.intp)
    return expected(positions, prob, cls, mask)


def _member(
    inputs: Inputs,
    idx: tuple[int, ...],
    cfg: Config,
    affinity: FloatArray | None,
    choose: Chooser,
) -> dict[str, FloatArray]:
    """One batch member's run as trajectory arrays on the issue scale."""
    pos0, sal, cap, mask = to_unit(inputs, idx)
    run = simulate(pos0, sal, cap, cfg, affinity=affinity, choose=choose)
    lo, hi = inputs.lo[idx], inputs.hi[idx]
    pairs = zip(run.positions, run.prob, strict=True)
    means = np.array([expected_positions(p, q, mask) for p, q in pairs])
    k = lo.size
    return {
        "positions": np.swapaxes(from_unit(run.positions, lo, hi), -1, -2),
        "prob": run.prob,
        "risk": np.repeat(run.risk[:, None, :], k, axis=1),
        "expected": from_unit(means, lo, hi),
        "turns": np.array(float(run.turns)),
    }


def _stack(members: list[dict[str, FloatArray]], name: str, batch: tuple[int, ...]) -> FloatArray:
    """Stack one array of every member, padding shorter runs with their final state."""
    arrays = [m[name] for m in members]
    if name == "turns":
        return np.array(arrays).reshape(batch)
    longest = max(a.shape[0] for a in arrays)
    padded = [np.concatenate([a, np.repeat(a[-1:], longest - a.shape[0], axis=0)]) for a in arrays]
    out: FloatArray = np.array(padded).reshape(*batch, *padded[0].shape)
    return out


def _one_at_a_time(
    inputs: Inputs, cfg: Config, affinity: FloatArray | None, seed: int
) -> dict[str, FloatArray]:
    """The trajectory, running ``run.simulate`` on each batch member in turn."""
    batch = tuple(inputs.x.shape[:-2])
    n = inputs.x.shape[-1]
    choosers: list[Chooser] = [deterministic_chooser] * int(np.prod(batch, dtype=int))
    if cfg.stochastic:
        choosers = [keyed_chooser(int(key), n) for key in draw_keys(seed, len(choosers))]
    members = [
        _member(inputs, idx, cfg, affinity, choose)
        for choose, idx in zip(choosers, np.ndindex(*batch), strict=True)
    ]
    return {name: _stack(members, name, batch) for name in members[0]}


def _lockstep(
    inputs: Inputs, cfg: Config, affinity: FloatArray | None, seed: int
) -> dict[str, FloatArray]:
    """The trajectory, running all batch members at once (``lockstep.simulate_batch``)."""
    lead = tuple(inputs.x.shape[:-2])
    k, n = inputs.x.shape[-2:]
    B = int(np.prod(lead, dtype=int))
    pos, sal, cap, mask = (a.reshape(B, *a.shape[len(lead) :]) for a in to_unit_all(inputs))
    keys = draw_keys(seed, B) if cfg.stochastic else None
    run = simulate_batch(pos, sal, cap, mask, cfg, affinity=affinity, keys=keys)
    lo, hi = inputs.lo.reshape(B, 1, k), inputs.hi.reshape(B, 1, k)
    T1 = run.positions.shape[1]
    positions = np.ascontiguousarray(np.swapaxes(run.positions, -1, -2))  # (B, T+1, k, n)
    positions *= (hi - lo)[:, :, :, None]  # from_unit, in place
    positions += lo[:, :, :, None]
    return {
        "positions": positions.reshape(*lead, T1, k, n),
        "prob": run.prob.reshape(*lead, T1, n),
        "risk": np.repeat(run.risk[:, :, None, :], k, axis=2).reshape(*lead, T1, k, n),
        "expected": from_unit(run.expected, lo, hi).reshape(*lead, T1, k),
        "turns": run.turns.astype(float).reshape(lead),
    }


def _run(
    body: Body, inputs: Inputs, seed: int, affinity: Any, params: dict[str, Any]
) -> ModelOutput:
    cfg = config(**params)
    a_mat = affinity_matrix(affinity, inputs.x.shape[-1])
    trajectory = body(inputs, cfg, a_mat, seed)
    lo, hi = hull(inputs)
    forecast = np.clip(trajectory["expected"][..., -1, :], lo, hi)
    return ModelOutput(forecast=forecast, trajectory=trajectory)


@register(
    "smp",
    title="Spatial Model of Politics (KTAB)",
    source=(
        "KAPSARC Toolkit for Behavioral Analysis (KTAB), SMP as implemented in KTAB's C++ "
        "(smp.cpp, smpbcn.cpp, kmodel.cpp); Wise, Lester, Efird et al., KAPSARC. Reproduces "
        "KTAB's 2017 reference runs (docs/models/smp.md)."
    ),
    params=PARAMS,
    properties=frozenset({"unanimity", "hull", "deterministic"}),
    stochastic=True,
    joint=True,
    prepare=prepare,
    draws_random=lambda p: p["state_transitions"] == "stochastic",  # Config.stochastic
)
def smp(
    inputs: Inputs,
    *,
    max_turns: int = 100,
    min_turns: int = 2,
    stop_ratio: float = 0.02,
    affinity: Any = None,
    seed: int = 0,
    **params: Any,
) -> ModelOutput:
    """Challenges, S2P2 bargains and PCE-resolved queues until positions settle (KTAB SMP).

    The forecast is the final state's probability-weighted mean position per issue. The
    trajectory holds ``positions`` ``(..., T+1, k, n)``, the probability of each actor's position
    ``prob`` ``(..., T+1, n)``, the risk attitudes ``risk`` ``(..., T+1, k, n)``, the
    probability-weighted mean per turn ``expected`` ``(..., T+1, k)`` and ``turns`` ``(...)``.
    Batch members (draws) run in lock-step, each to its own stopping turn; in stochastic mode
    member b draws from its own stream (``run.draw_keys(seed, B)[b]``, ``run.uniforms``).
    """
    turns = {"max_turns": max_turns, "min_turns": min_turns, "stop_ratio": stop_ratio}
    return _run(_lockstep, inputs, seed, affinity, {**turns, **params})


def smp_reference(
    inputs: Inputs,
    *,
    max_turns: int = 100,
    min_turns: int = 2,
    stop_ratio: float = 0.02,
    affinity: Any = None,
    seed: int = 0,
    **params: Any,
) -> ModelOutput:
    """``smp``, one batch member at a time through ``run.simulate`` (the KTAB replication path):
    the reference the lock-step ``smp`` is tested against. Same arguments, same output."""
    turns = {"max_turns": max_turns, "min_turns": min_turns, "stop_ratio": stop_ratio}
    return _run(_one_at_a_time, inputs, seed, affinity, {**turns, **params})
