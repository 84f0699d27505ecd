"""The compromise model: the capability × salience weighted mean of positions."""

from __future__ import annotations

from typing import Any

import numpy as np

from multipolar.models.registry import ModelOutput, register
from multipolar.models.weights import hull, weight_share
from multipolar.scenario.arrays import Inputs


@register(
    "compromise",
    title="Compromise model (weighted mean)",
    source=(
        "Van den Bos (1991), Dutch EC policy making; Achen (2006) in Thomson et al. (eds.), "
        "The European Union Decides, ch. 10: first-order approximation of the Nash bargaining "
        "solution. O = sum(c_i s_i x_i) / sum(c_i s_i)."
    ),
    properties=frozenset(
        {"unanimity", "permutation", "translation", "scale", "hull", "monotone", "deterministic"}
    ),
)
def compromise(inputs: Inputs, **_: Any) -> ModelOutput:
    """Capability × salience weighted mean of the actors' positions."""
    share = weight_share(inputs)
    forecast = np.sum(share * inputs.x, axis=-1)
    lo, hi = hull(inputs)  # guards against rounding just outside the positions
    return ModelOutput(np.clip(forecast, lo, hi))
