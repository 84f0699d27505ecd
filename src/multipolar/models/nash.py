"""The (asymmetric) Nash bargaining solution on each issue, with quadratic-loss utilities."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from multipolar.errors import UsageError
from multipolar.models.registry import ModelOutput, register
from multipolar.models.weights import effective_weights, hull
from multipolar.params import Param
from multipolar.scenario.arrays import FloatArray, Inputs

Disagreement = Literal["reference", "fixed"]
_ITERATIONS = 64  # bisection halvings on a unit interval: below double precision


def _bisect(
    z: FloatArray, w: FloatArray, loss: FloatArray, a: FloatArray, b: FloatArray
) -> FloatArray:
    """Root of the first-order condition sum_i w_i (z_i - y) / (loss_i - (y - z_i)^2) = 0 on [a, b].

    The objective is strictly concave where every gain is positive, so the derivative is
    decreasing and bisection converges to the unique maximiser, vectorised over all issues.
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # gain is 0 only where a == b
        for _ in range(_ITERATIONS):
            y = (a + b) / 2
            gain = loss - (y[..., None] - z) ** 2
            terms = np.where(w > 0, w * (z - y[..., None]) / np.where(w > 0, gain, 1.0), 0.0)
            up = np.sum(terms, axis=-1) > 0
            a = np.where(up, y, a)
            b = np.where(up, b, y)
    return (a + b) / 2


@register(
    "nash",
    title="Nash bargaining solution (weighted, per issue)",
    source=(
        "Nash (1950) Econometrica 18:155-162; asymmetric form of Kalai (1977); weights c_i s_i "
        "as in Achen (2006), who derives the compromise model as its first-order approximation."
    ),
    params=(
        Param(
            "disagreement",
            str,
            "reference",
            "The status quo, or a fixed loss, as d.",
            choices=("reference", "fixed"),
        ),
        Param(
            "loss",
            float,
            1.0,
            "Disagreement loss in squared scale widths (fixed d).",
            low=0.0,
            low_open=True,
            high=1e6,
        ),
    ),
    properties=frozenset(
        {"unanimity", "permutation", "translation", "scale", "hull", "monotone", "deterministic"}
    ),
)
def nash(
    inputs: Inputs, *, disagreement: Disagreement = "reference", loss: float = 1.0, **_: Any
) -> ModelOutput:
    """Maximise sum_i c_i s_i log(u_i(x) - u_i(d)) with u_i(x) = -((x - x_i) / width)^2.

    The disagreement point d is the issue's reference point (status quo) when it has one and
    ``disagreement="reference"``; then only outcomes every weighted actor prefers to d count,
    and if there are none the status quo stands (the forecast is d). Otherwise every actor's
    disagreement utility is ``-loss`` (1.0 = the loss of being a whole scale width away). As
    ``loss`` grows the solution tends to the compromise model (weighted mean).
    """
    if disagreement not in ("reference", "fixed"):
        raise UsageError(f"nash: disagreement must be 'reference' or 'fixed', not {disagreement!r}")
    if not loss > 0:
        raise UsageError(f"nash: loss must be > 0, not {loss!r}")
    width = (inputs.hi - inputs.lo)[..., None]
    z = (inputs.x - inputs.lo[..., None]) / width
    w = effective_weights(inputs)
    d = (inputs.ref - inputs.lo) / width[..., 0]
    use_ref = np.isfinite(d) if disagreement == "reference" else np.zeros(d.shape, dtype=bool)
    dz = np.where(use_ref, d, 0.0)[..., None]
    dist = np.where(use_ref[..., None], (dz - z) ** 2, loss)
    radius = np.sqrt(dist)
    active = w > 0
    feasible_lo = np.max(np.where(active, z - radius, -np.inf), axis=-1)
    feasible_hi = np.min(np.where(active, z + radius, np.inf), axis=-1)
    zmin = np.min(np.where(active, z, np.inf), axis=-1)
    zmax = np.max(np.where(active, z, -np.inf), axis=-1)
    a = np.maximum(feasible_lo, zmin)
    b = np.minimum(feasible_hi, zmax)
    empty = feasible_lo >= feasible_hi
    y = _bisect(z, w, dist, np.where(empty, 0.0, a), np.where(empty, 0.0, np.maximum(a, b)))
    y = np.where(empty, np.where(use_ref, d, 0.5), y)
    forecast = y * width[..., 0] + inputs.lo
    lo, hi = hull(inputs)
    return ModelOutput(np.where(empty & use_ref, forecast, np.clip(forecast, lo, hi)))
