"""Helpers to accept scalars or arrays and to check parameter ranges with one-line errors."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from multipolar.errors import UsageError
from multipolar.scenario.arrays import FloatArray


def arr(value: npt.ArrayLike, name: str) -> FloatArray:
    """``value`` as a float array; NaN or infinity is refused."""
    out = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(out)):
        raise UsageError(f"{name} must be finite, got {value!r}")
    return out


def within(
    value: FloatArray, name: str, low: float, high: float, *, open_high: bool = False
) -> None:
    bad = (value < low) | ((value >= high) if open_high else (value > high))
    if np.any(bad):
        bracket = ")" if open_high else "]"
        raise UsageError(f"{name} must lie in [{low:g}, {high:g}{bracket}, got {value!r}")


def nonnegative(value: FloatArray, name: str) -> None:
    if np.any(value < 0):
        raise UsageError(f"{name} must be >= 0, got {value!r}")
