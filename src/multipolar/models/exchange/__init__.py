"""Stokman and Van Oosten's exchange model: actors trade voting positions on issues they care
little about for movement on issues they care about (logrolling), as decide implements it.

Every round, each pair of actors on opposite sides of the outcome on two issues is a candidate
exchange with equal utility gains; the best is realised, the others are recomputed from it,
until none is left; positions then move part of the way toward the voting positions. See
docs/models/exchange.md for the equations, the departures from decide and the replication of
decide's runs. The kernels are compiled (compiled.py, bargain.py, rounds.py, run.py) and load
on the model's first run, not when it registers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from multipolar.models.exchange.layout import SPAN
from multipolar.models.exchange.params import DEFAULTS, PARAMS, TIES, Config, config
from multipolar.models.exchange.records import EXTERNALITIES, exchange_rows
from multipolar.models.registry import ModelOutput, register
from multipolar.models.weights import effective_weights, hull
from multipolar.scenario.arrays import BoolArray, FloatArray, Inputs, IntArray

__all__ = [
    "DEFAULTS",
    "EXTERNALITIES",
    "TIES",
    "Config",
    "config",
    "exchange",
    "exchange_rows",
    "normalised",
]
_EPS = 1e-9


def _draw_keys(seed: int, draws: int) -> FloatArray:
    """One 64-bit stream key per batch member from ``seed`` (independent of the batch size)."""
    state = np.random.SeedSequence(seed).generate_state(draws, np.uint64)
    return np.asarray(state, dtype=np.uint64)


def canonical_order(x: FloatArray, s: FloatArray, c: FloatArray, mask: BoolArray) -> IntArray:
    """Per batch member ``(B, n)``: the actors ranked by their data (mask, position, salience,
    capability on each issue in turn), so that the ranking does not depend on their labels."""
    keys = []
    for i in range(x.shape[1]):
        keys += [~mask[:, i, :], x[:, i, :], s[:, i, :], c[:, i, :]]
    perm: IntArray = np.lexsort(keys[::-1], axis=-1)
    return perm


def _take(a: np.ndarray, perm: IntArray) -> np.ndarray:
    """``a`` (B, ..., n) with its last axis reordered by each member's ``perm`` (B, n)."""
    index = perm.reshape(perm.shape[0], *([1] * (a.ndim - 2)), perm.shape[1])
    return np.take_along_axis(a, np.broadcast_to(index, a.shape), axis=-1)


def normalised(inputs: Inputs) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray]:
    """Positions, saliences, capabilities and mask as ``(B, k, n)`` arrays, positions moved onto
    the model's 0..100 scale as decide does (0 where an actor has no position)."""
    lead, (k, n) = inputs.x.shape[:-2], inputs.x.shape[-2:]
    B = int(np.prod(lead, dtype=int))
    lo, hi = inputs.lo.reshape(B, k, 1), inputs.hi.reshape(B, k, 1)
    width = np.where(hi > lo, hi - lo, 1.0)
    mask = inputs.mask.reshape(B, k, n)
    x = np.where(mask, (inputs.x.reshape(B, k, n) - lo) * (SPAN / width), 0.0)
    s = np.where(mask, inputs.s.reshape(B, k, n), 0.0)
    c = np.broadcast_to(inputs.c, inputs.x.shape).reshape(B, k, n)
    return x, s, c, mask


def _simulate(inputs: Inputs, cfg: Config, seed: int) -> dict[str, FloatArray]:
    """The trajectory arrays, positions on the issues' scales."""
    # the compiled kernels (numba) load here, on the first run, never when the model registers
    from multipolar.models.exchange.run import BATCH, RECORD, run

    lead, (k, n) = inputs.x.shape[:-2], inputs.x.shape[-2:]
    x, s, c, mask = normalised(inputs)
    B = x.shape[0]
    perm = None
    if cfg.ties == "canonical":
        perm = canonical_order(x, s, c, mask)
        x, s, c, mask = (_take(a, perm) for a in (x, s, c, mask))
    keys = _draw_keys(seed, B) if cfg.random else np.zeros(B, dtype=np.uint64)
    record = len(lead) == 0
    voting, start, counts, ext, rec = run(
        x, s, c, mask, rounds=cfg.rounds, p=cfg.p, ties=1 if cfg.ties == "random" else 0,
        eps=_EPS, weights=(cfg.fixed_weight, cfg.salience_weight), keys=keys,
        mode=RECORD if record else BATCH,
    )  # fmt: skip
    if perm is not None:
        inverse = np.argsort(perm, axis=-1)
        voting, start = _take(voting, inverse), _take(start, inverse)
        ext = np.swapaxes(_take(np.swapaxes(ext, -1, -2), inverse), -1, -2)
        rec = _unpermute(rec, perm[0]) if record else rec
    lo = inputs.lo.reshape(B, 1, k, 1)
    scale = np.where(inputs.hi.reshape(B, 1, k, 1) > lo, inputs.hi.reshape(B, 1, k, 1) - lo,
                     1.0) / SPAN  # fmt: skip
    positioned = inputs.mask.reshape(B, 1, k, n)
    out = {
        "positions": np.where(positioned, voting * scale + lo, 0.0),
        "start": np.where(positioned, start * scale + lo, 0.0),
        "exchanges_per_round": counts.astype(float),
        "externalities": ext,
    }
    out = {name: a.reshape(*lead, *a.shape[1:]) for name, a in out.items()}
    if record:
        out["exchanges"] = rec
    return out


def _unpermute(rec: FloatArray, perm: IntArray) -> FloatArray:
    """Exchange records with the actors' input indices (the run saw them reordered)."""
    from multipolar.models.exchange.layout import R_ACTOR, R_PER_SIDE, R_SIDE

    out = rec.copy()
    for side in range(2):
        col = R_SIDE + side * R_PER_SIDE + R_ACTOR
        out[:, col] = perm[rec[:, col].astype(int)]
    return out


def _means(positions: FloatArray, inputs: Inputs) -> FloatArray:
    """The weighted mean (the model's outcome) of every round's positions (..., T+1, k)."""
    w = effective_weights(inputs)[..., None, :, :]  # c·s; equal weights if all are zero
    weighted = (w * positions).sum(axis=-1)
    total = np.broadcast_to(w.sum(axis=-1), weighted.shape)
    out: FloatArray = np.divide(weighted, total, out=np.zeros(weighted.shape), where=total > 0)
    return out


@register(
    "exchange",
    title="Exchange model (Stokman & Van Oosten; decide)",
    source=(
        "Stokman & Van Oosten (1994) in Bueno de Mesquita & Stokman (eds.), European Community "
        "Decision Making, 105-127; randomised variant: Dijkstra, Van Assen, Stokman & Draaijer "
        "(2018, draft). As implemented by decide (github foarsitter/decide-exchange-model, "
        "51dee66); reproduces its deterministic runs (docs/models/exchange.md)."
    ),
    params=PARAMS,
    properties=frozenset({"unanimity", "hull", "deterministic"}),
    stochastic=True,
    joint=True,
    draws_random=lambda p: config(p["rounds"], p["p"], p["ties"]).random,
)
def exchange(
    inputs: Inputs,
    *,
    rounds: int = 10,
    p: float = 0.0,
    ties: str = "order",
    salience_weight: float = 0.4,
    fixed_weight: float = 0.1,
    seed: int = 0,
    **_: Any,
) -> ModelOutput:
    """Rounds of equal-gain exchanges of voting positions between pairs of issues (logrolling).

    The forecast is the last round's outcome: the capability × salience weighted mean of the
    voting positions. The trajectory holds ``positions`` (..., T+1, k, n): the input, then each
    round's voting positions; ``mean`` (..., T+1, k) their outcome; ``start`` (..., T+1, k, n)
    and ``start_mean``: the positions each round starts from and their outcome;
    ``exchanges_per_round`` (..., T); ``externalities`` (..., T, n, 5): per actor the sums of
    ``EXTERNALITIES``; and, for an unbatched input, ``exchanges`` (rows, 30): every realised
    exchange, on the model's 0..100 scale (``exchange_rows`` reads them). Randomness
    (``p`` > 0 or ``ties="random"``) comes from ``seed``, one stream per batch member.
    """
    cfg = config(rounds, p, ties, salience_weight, fixed_weight)
    trajectory = _simulate(inputs, cfg, seed)
    trajectory["mean"] = _means(trajectory["positions"], inputs)
    trajectory["start_mean"] = _means(trajectory["start"], inputs)
    low, high = hull(inputs)
    forecast = np.clip(trajectory["mean"][..., -1, :], low, high)
    return ModelOutput(forecast=forecast, trajectory=trajectory)
