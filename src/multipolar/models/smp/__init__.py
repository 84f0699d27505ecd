"""KTAB's Spatial Model of Politics (SMP): all issues are the dimensions of one negotiation.

Each turn every actor picks the most advantageous challenge, proposes a bargain to its target,
and every actor's queue of bargains is resolved by a probabilistic Condorcet election among all
actors (KAPSARC's KTAB). See docs/models/smp.md for the equations, the departures from KTAB and
the replication of KTAB's reference runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from multipolar.models.registry import ModelOutput, register
from multipolar.models.smp.inputs import affinity_matrix, from_unit, prepare, to_unit
from multipolar.models.smp.params import DEFAULTS, Config, config
from multipolar.models.smp.run import (
    Run,
    deterministic_chooser,
    simulate,
    stochastic_chooser,
)
from multipolar.models.smp.turn import Chooser, unique_classes
from multipolar.models.weights import hull
from multipolar.scenario.arrays import FloatArray, Inputs

__all__ = ["Config", "Run", "config", "expected_positions", "prepare", "simulate", "smp"]


def expected_positions(positions: FloatArray, prob: FloatArray, mask: FloatArray) -> FloatArray:
    """Per issue, the mean of the positioned actors' positions weighted by the probability of
    the position each holds, shared equally among the actors holding it.

    ``positions`` ``(n, k)``, ``prob`` ``(n,)``, ``mask`` ``(n, k)``. This is the
    probability-weighted mean over KTAB's unique positions, restricted to actors who have a
    position on the issue.
    """
    _, cls = unique_classes(positions)
    share = prob / np.bincount(cls)[cls]
    w = np.where(mask > 0, share[:, None], 0.0)
    total = np.sum(w, axis=0)
    plain = np.where(mask > 0, 1.0, 0.0)
    w = np.where(total > 0.0, w, plain)
    total = np.maximum(np.sum(w, axis=0), 1e-300)
    out: FloatArray = np.sum(w * positions, axis=0) / total
    return out


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
    }


def _stack(members: list[dict[str, FloatArray]], name: str, batch: tuple[int, ...]) -> FloatArray:
    """Stack one array of every member, padding shorter runs with their final state."""
    arrays = [m[name] for m in members]
    longest = max(a.shape[0] for a in arrays)
    padded = [np.concatenate([a, np.repeat(a[-1:], longest - a.shape[0], axis=0)]) for a in arrays]
    out: FloatArray = np.array(padded).reshape(*batch, *padded[0].shape)
    return out


@register(
    "smp",
    title="Spatial Model of Politics (KTAB)",
    source=(
        "KAPSARC Toolkit for Behavioral Analysis (KTAB), SMP as implemented in KTAB's C++ "
        "(smp.cpp, smpbcn.cpp, kmodel.cpp); Wise, Lester, Efird et al., KAPSARC. Reproduces "
        "KTAB's 2017 reference runs (docs/models/smp.md)."
    ),
    defaults={**DEFAULTS, "max_turns": 100, "min_turns": 2, "stop_ratio": 0.02, "affinity": None},
    properties=frozenset({"unanimity", "hull", "deterministic"}),
    stochastic=True,
    joint=True,
    prepare=prepare,
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
    """
    cfg = config(max_turns=max_turns, min_turns=min_turns, stop_ratio=stop_ratio, **params)
    batch = tuple(inputs.x.shape[:-2])
    rng = np.random.default_rng(seed)
    choose = stochastic_chooser(rng) if cfg.stochastic else deterministic_chooser
    a_mat = affinity_matrix(affinity, inputs.x.shape[-1])
    members = [_member(inputs, idx, cfg, a_mat, choose) for idx in np.ndindex(*batch)]
    trajectory = {name: _stack(members, name, batch) for name in members[0]}
    turns = [float(m["prob"].shape[0] - 1) for m in members]
    trajectory["turns"] = np.array(turns).reshape(batch)
    lo, hi = hull(inputs)
    forecast = np.clip(trajectory["expected"][..., -1, :], lo, hi)
    return ModelOutput(forecast=forecast, trajectory=trajectory)
