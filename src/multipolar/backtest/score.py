"""Accuracy metrics and seeded paired bootstrap intervals.

Every metric is a function of the absolute errors ``a`` (one per issue) and of how many times
each issue counts: ones for the point estimate, a row of resampling counts for a bootstrap
replicate. All models are scored on the same count rows, so a difference between two models is
paired, and the difference of a model with itself is exactly 0 in every replicate.
Resampling is by issue (default) or by proposal (all issues of a drawn proposal enter
together, for the dependence between issues of one proposal). Intervals are percentile
intervals of the replicates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from multipolar.errors import UsageError
from multipolar.scenario.arrays import FloatArray

Metric = Literal["mae", "median_ae", "rmse", "within10"]
METRICS: tuple[Metric, ...] = ("mae", "median_ae", "rmse", "within10")
LOWER_IS_BETTER = {"mae": True, "median_ae": True, "rmse": True, "within10": False}
Resample = Literal["issue", "proposal"]
IntArray = npt.NDArray[np.int64]
WITHIN = 10.0  # points on the 0-100 scale


@dataclass(frozen=True)
class Interval:
    """A point estimate with its 95% bootstrap interval."""

    value: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high}


def weighted_median(a: FloatArray, counts: npt.NDArray[np.integer]) -> FloatArray:
    """Per row of ``counts`` (replicates × issues), the median of ``a`` with each value repeated
    as often as its count: ``np.median(np.repeat(a, row))``, vectorised."""
    c = np.atleast_2d(counts)
    order = np.argsort(a, kind="stable")
    sorted_a = a[order]
    cum = np.cumsum(c[:, order], axis=1, dtype=_narrow(c))
    total = cum[:, -1]
    k_low, k_high = (total - 1) // 2, total // 2  # 0-based positions of the middle value(s)
    low = sorted_a[np.argmax(cum > k_low[:, None], axis=1)]
    high = sorted_a[np.argmax(cum > k_high[:, None], axis=1)]
    out: FloatArray = (low + high) / 2
    return out


def _narrow(c: npt.NDArray[np.integer]) -> type[np.signedinteger[Any]]:
    """The narrowest integer type that holds every row total of ``c`` (same sums, less
    memory to stream through)."""
    most = int(np.max(np.sum(c, axis=1, dtype=np.int64))) if c.size else 0
    return np.int16 if most < 2**15 else (np.int32 if most < 2**31 else np.int64)


@dataclass(frozen=True)
class Counts:
    """Bootstrap counts with what every model's metrics read from them, computed once: the
    counts in a narrow integer type, as floats, and each replicate's number of issues."""

    narrow: npt.NDArray[np.integer]
    floats: FloatArray
    n: FloatArray

    @classmethod
    def of(cls, counts: npt.NDArray[np.integer]) -> Counts:
        c = np.atleast_2d(counts)
        floats = c.astype(float)
        return cls(c.astype(_narrow(c)), floats, floats.sum(axis=1))


def metric_values(
    a: FloatArray, counts: npt.NDArray[np.integer] | Counts
) -> dict[Metric, FloatArray]:
    """Every metric for each row of ``counts`` (replicates × issues)."""
    k = counts if isinstance(counts, Counts) else Counts.of(counts)
    c, n = k.floats, k.n
    return {
        "mae": (c @ a) / n,
        "median_ae": weighted_median(a, k.narrow),
        "rmse": np.sqrt((c @ (a * a)) / n),
        "within10": (c @ (a <= WITHIN).astype(float)) / n,
    }


def point(a: FloatArray) -> dict[Metric, float]:
    """The metrics of absolute errors ``a`` (no resampling)."""
    values = metric_values(a, np.ones((1, a.size), dtype=np.int64))
    return {m: float(v[0]) for m, v in values.items()}


def resample_counts(
    groups: Sequence[str], replicates: int, rng: np.random.Generator, unit: Resample = "issue"
) -> IntArray:
    """Bootstrap counts (replicates × issues): how often each issue enters each replicate.

    ``groups`` gives each issue's proposal; with ``unit="proposal"`` whole proposals are drawn.
    """
    n = len(groups)
    if n == 0 or replicates < 1:
        raise UsageError("the bootstrap needs at least one issue and one replicate")
    if unit == "issue":
        return _tally(rng.integers(0, n, size=(replicates, n)), n)
    if unit != "proposal":
        raise UsageError(f"resample by 'issue' or 'proposal', not {unit!r}")
    names, group_of = np.unique(np.asarray(groups), return_inverse=True)
    per_group = _tally(rng.integers(0, names.size, size=(replicates, names.size)), names.size)
    return per_group[:, group_of]


def _tally(draws: IntArray, n: int) -> IntArray:
    """How often each of ``n`` values occurs in each row of ``draws`` (one ``bincount``)."""
    rows = draws.shape[0]
    flat = (np.arange(rows)[:, None] * n + draws).ravel()
    counts: IntArray = np.bincount(flat, minlength=rows * n).astype(np.int64).reshape(rows, n)
    return counts


def _interval(value: float, replicates: FloatArray) -> Interval:
    low, high = np.percentile(replicates, [2.5, 97.5])
    return Interval(value, float(low), float(high))


Values = tuple[dict[Metric, float], dict[Metric, FloatArray]]  # point estimates, replicates


def values(a: FloatArray, counts: IntArray | Counts) -> Values:
    """The metrics of absolute errors ``a`` and of every replicate (computed once per model and
    subset, read by its summary and by every difference it enters)."""
    return point(a), metric_values(a, counts)


def summary_of(v: Values) -> dict[Metric, Interval]:
    est, boot = v
    return {m: _interval(est[m], boot[m]) for m in METRICS}


def difference_of(a: Values, base: Values) -> dict[Metric, Interval]:
    (est_a, boot_a), (est_b, boot_b) = a, base
    return {m: _interval(est_a[m] - est_b[m], boot_a[m] - boot_b[m]) for m in METRICS}


def summarise(a: FloatArray, counts: IntArray) -> dict[Metric, Interval]:
    """Each metric of the absolute errors ``a`` with its bootstrap interval."""
    return summary_of(values(a, counts))


def paired_difference(a: FloatArray, base: FloatArray, counts: IntArray) -> dict[Metric, Interval]:
    """Metric of ``a`` minus metric of ``base`` (same issues), with paired bootstrap intervals."""
    if a.shape != base.shape:
        raise UsageError("paired differences need the same issues for both models")
    return difference_of(values(a, counts), values(base, counts))


def intervals_dict(values: Mapping[Metric, Interval]) -> dict[str, dict[str, float]]:
    return {m: v.as_dict() for m, v in values.items()}
