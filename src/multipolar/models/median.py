"""The weighted median: the median voter's position with capability × salience weights."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from multipolar.errors import UsageError
from multipolar.models.registry import ModelOutput, register
from multipolar.models.weights import effective_weights, hull
from multipolar.params import Param
from multipolar.scenario.arrays import BoolArray, FloatArray, Inputs

Tie = Literal["lower", "upper", "mid"]
_RTOL = 1e-12  # cumulative sums of equal weights added in another order may differ by rounding


def _lower_median(x: FloatArray, w: FloatArray, mask: BoolArray) -> FloatArray:
    """Smallest position at which the cumulative weight, from the lowest position, reaches half."""
    key = np.where(mask, x, np.inf)
    order = np.argsort(key, axis=-1, kind="stable")
    xs = np.take_along_axis(key, order, axis=-1)
    cum = np.cumsum(np.take_along_axis(w, order, axis=-1), axis=-1)
    half = cum[..., -1:] / 2
    idx = np.argmax(cum >= half * (1 - _RTOL), axis=-1)
    return np.take_along_axis(xs, idx[..., None], axis=-1)[..., 0]


@register(
    "median",
    title="Weighted median (median voter)",
    source=(
        "Black (1948) median voter theorem; as used in DEU model comparisons (Thomson et al. "
        "2006). Weights c_i s_i; the forecast is the position where the cumulative weight from "
        "the lowest position first reaches half of the total."
    ),
    params=(
        Param(
            "tie",
            str,
            "lower",
            "How an exact half split is resolved.",
            choices=("lower", "upper", "mid"),
        ),
    ),
    properties=frozenset(
        {"unanimity", "permutation", "translation", "scale", "hull", "monotone", "deterministic"}
    ),
)
def median(inputs: Inputs, *, tie: Tie = "lower", **_: Any) -> ModelOutput:
    """Position of the weighted median actor (c·s weights; exact halves resolved by ``tie``).

    ``tie="lower"`` (default) takes the lowest position that gathers half the weight: the rule
    that reproduces the published DEU III figure (MAE 28.31). ``"upper"`` takes the highest,
    ``"mid"`` the midpoint of the two; they differ only when weights split exactly in half.
    """
    if tie not in ("lower", "upper", "mid"):
        raise UsageError(f"median: tie must be 'lower', 'upper' or 'mid', not {tie!r}")
    w = effective_weights(inputs)
    lower = _lower_median(inputs.x, w, inputs.mask)
    upper = -_lower_median(-inputs.x, w, inputs.mask)
    forecast = {"lower": lower, "upper": upper, "mid": (lower + upper) / 2}[tie]
    lo, hi = hull(inputs)
    empty = ~inputs.mask.any(axis=-1)
    return ModelOutput(np.where(empty, lo, np.clip(forecast, lo, hi)))
