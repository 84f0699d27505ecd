"""Effective weights shared by the baseline models, with a defined answer for zero weights."""

from __future__ import annotations

import numpy as np

from multipolar.scenario.arrays import FloatArray, Inputs


def effective_weights(inputs: Inputs) -> FloatArray:
    """c·s on positioned actors; where an issue's total is 0, every positioned actor weighs 1.

    Zero salience everywhere (or zero capability everywhere) is valid input. Rather than divide
    by zero, the models then treat the positioned actors as equals, so the answer is defined.
    """
    w = inputs.weights
    total = w.sum(axis=-1, keepdims=True)
    out: FloatArray = np.where(total > 0, w, inputs.mask.astype(float))
    return out


def weight_share(inputs: Inputs) -> FloatArray:
    """Each actor's share of the issue's effective weight (sums to 1 over positioned actors)."""
    w = effective_weights(inputs)
    total = w.sum(axis=-1, keepdims=True)
    share: FloatArray = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
    return share


def hull(inputs: Inputs) -> tuple[FloatArray, FloatArray]:
    """[min, max] of positions per issue; an issue nobody is positioned on collapses to its
    reference point, or to the middle of its scale when it has none."""
    lo = np.min(np.where(inputs.mask, inputs.x, np.inf), axis=-1)
    hi = np.max(np.where(inputs.mask, inputs.x, -np.inf), axis=-1)
    empty = ~inputs.mask.any(axis=-1)
    default = np.where(np.isnan(inputs.ref), (inputs.lo + inputs.hi) / 2, inputs.ref)
    return np.where(empty, default, lo), np.where(empty, default, hi)
