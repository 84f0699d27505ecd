"""Proper scores for the ledger: pure functions over arrays, built on ``scoringrules``.

Conventions: lower is better for every score (Brier, log score, CRPS). Binary outcomes are 0/1.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


def _scoringrules() -> Any:
    """``scoringrules`` on its numpy backend. With numba installed (it is, for our kernels) the
    library compiles or loads about thirty numba gufuncs at import: 5 s of CPU even from its
    cache, for scores that take microseconds here. Hiding numba during that one import makes it
    take its pure-numpy code paths, which give the same values."""
    import sys

    if "scoringrules" in sys.modules:
        return sys.modules["scoringrules"]
    saved = sys.modules.get("numba")
    sys.modules["numba"] = None  # type: ignore[assignment]
    try:
        import scoringrules
    finally:
        if saved is None:
            del sys.modules["numba"]
        else:
            sys.modules["numba"] = saved
    return scoringrules


sr = _scoringrules()

FloatArray = np.ndarray[Any, np.dtype[np.float64]]
EPS = 1e-12  # probabilities are clipped to [EPS, 1 - EPS] in the log score (no infinite score)


def brier(p: Sequence[float] | FloatArray, y: Sequence[float] | FloatArray) -> FloatArray:
    """Brier score of each forecast probability ``p`` against outcome ``y`` (0 or 1)."""
    return np.asarray(sr.brier_score(np.asarray(y, float), np.asarray(p, float)), dtype=float)


def log_score(p: Sequence[float] | FloatArray, y: Sequence[float] | FloatArray) -> FloatArray:
    """Negative log likelihood of the outcome (natural log); ``p`` clipped to [EPS, 1 − EPS]."""
    clipped = np.clip(np.asarray(p, float), EPS, 1.0 - EPS)
    return np.asarray(sr.log_score(np.asarray(y, float), clipped), dtype=float)


@dataclass(frozen=True)
class Murphy:
    """Murphy's (1973) decomposition: brier = reliability − resolution + uncertainty, exact when
    forecasts are grouped by their distinct values (as here)."""

    brier: float
    reliability: float
    resolution: float
    uncertainty: float

    def to_dict(self) -> dict[str, float]:
        return {
            "brier": self.brier,
            "reliability": self.reliability,
            "resolution": self.resolution,
            "uncertainty": self.uncertainty,
        }


def murphy(p: Sequence[float] | FloatArray, y: Sequence[float] | FloatArray) -> Murphy:
    """The Brier score's reliability/resolution/uncertainty decomposition."""
    pa, ya = np.asarray(p, float), np.asarray(y, float)
    if pa.size == 0:
        return Murphy(0.0, 0.0, 0.0, 0.0)
    base = float(ya.mean())
    values, group = np.unique(pa, return_inverse=True)
    count = np.bincount(group).astype(float)
    hits = np.bincount(group, weights=ya) / count
    reliability = float(np.sum(count * (values - hits) ** 2) / pa.size)
    resolution = float(np.sum(count * (hits - base) ** 2) / pa.size)
    return Murphy(float(brier(pa, ya).mean()), reliability, resolution, base * (1 - base))


def reliability_table(
    p: Sequence[float] | FloatArray, y: Sequence[float] | FloatArray, bins: int = 10
) -> list[dict[str, float]]:
    """Forecasts grouped in ``bins`` equal bins of probability: mean forecast, observed
    frequency and count per non-empty bin (the reliability diagram's points)."""
    pa, ya = np.asarray(p, float), np.asarray(y, float)
    index = np.minimum((pa * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            out.append(
                {
                    "low": b / bins,
                    "high": (b + 1) / bins,
                    "forecast": float(pa[mask].mean()),
                    "observed": float(ya[mask].mean()),
                    "count": float(mask.sum()),
                }
            )
    return out


def crps_samples(samples: FloatArray, y: float | FloatArray) -> FloatArray:
    """CRPS of sample forecasts (``samples`` (..., m)) against outcomes ``y`` (...)."""
    return np.asarray(
        sr.crps_ensemble(np.asarray(y, float), np.asarray(samples, float)), dtype=float
    )


def crps_quantiles(
    quantiles: FloatArray, levels: Sequence[float] | FloatArray, y: float | FloatArray
) -> FloatArray:
    """CRPS approximated from quantile forecasts (twice the mean pinball loss over ``levels``);
    exact for a point mass (every quantile equal) and converging to the CRPS as the levels
    fill (0, 1)."""
    return np.asarray(
        sr.crps_quantile(
            np.asarray(y, float), np.asarray(quantiles, float), np.asarray(levels, float)
        ),
        dtype=float,
    )


def central_interval(
    quantiles: FloatArray, levels: Sequence[float] | FloatArray, coverage: float
) -> tuple[FloatArray, FloatArray]:
    """The central ``coverage`` interval read off quantile forecasts (…, L) by linear
    interpolation between the given levels."""
    lv = np.asarray(levels, float)
    lo_level, hi_level = (1 - coverage) / 2, (1 + coverage) / 2
    if lo_level < lv[0] - 1e-12 or hi_level > lv[-1] + 1e-12:
        raise ValueError(f"the levels {list(lv)} do not span the central {coverage:.0%}")
    q = np.asarray(quantiles, float)
    lo = np.apply_along_axis(lambda r: np.interp(lo_level, lv, r), -1, q)
    hi = np.apply_along_axis(lambda r: np.interp(hi_level, lv, r), -1, q)
    return lo, hi


def covered(
    quantiles: FloatArray, levels: Sequence[float] | FloatArray, y: FloatArray, coverage: float
) -> FloatArray:
    """Whether each outcome falls inside its forecast's central ``coverage`` interval."""
    lo, hi = central_interval(quantiles, levels, coverage)
    ya = np.asarray(y, float)
    return np.asarray((lo <= ya) & (ya <= hi), dtype=float)


def pit(samples: FloatArray, y: float | FloatArray, seed: int = 0) -> FloatArray:
    """Probability integral transform of outcomes under sample forecasts (…, m): the share of
    samples below the outcome, plus a seeded uniform share of the samples equal to it (the
    randomised PIT, uniform for a calibrated forecast even with ties)."""
    s = np.asarray(samples, float)
    ya = np.asarray(y, float)[..., None]
    below = np.mean(s < ya, axis=-1)
    equal = np.mean(s == ya, axis=-1)
    u = np.random.default_rng(seed).uniform(size=below.shape)
    return np.asarray(below + u * equal, dtype=float)


def pit_quantiles(
    quantiles: FloatArray, levels: Sequence[float] | FloatArray, y: FloatArray
) -> FloatArray:
    """PIT read off quantile forecasts: the forecast CDF at the outcome, interpolated linearly
    between the levels (0 below the lowest quantile, 1 above the highest)."""
    lv = np.asarray(levels, float)
    q = np.asarray(quantiles, float).reshape(-1, lv.size)
    ya = np.asarray(y, float).reshape(-1)
    out = np.empty(ya.size)
    for i, (row, obs) in enumerate(zip(q, ya, strict=True)):
        if obs < row[0]:
            out[i] = 0.0
        elif obs > row[-1]:
            out[i] = 1.0
        else:
            rising = np.maximum.accumulate(row + np.arange(row.size) * 1e-12)
            out[i] = float(np.interp(obs, rising, lv))
    return out.reshape(np.asarray(y).shape)


def pit_histogram(values: FloatArray, bins: int = 10) -> list[int]:
    """Counts of PIT values in ``bins`` equal bins of [0, 1]."""
    counts, _edges = np.histogram(np.asarray(values, float), bins=bins, range=(0.0, 1.0))
    return [int(c) for c in counts]


def time_weights(dates: Sequence[str], closes: str) -> FloatArray:
    """How long each forecast of a trajectory stood, in days: from its revision date to the next
    one (the last until the question closed); weights sum to 1. A trajectory whose forecasts all
    date from the closing day on weighs them equally."""
    days = [np.datetime64(d, "D") for d in dates] + [np.datetime64(closes, "D")]
    spans = np.array(
        [max(int((b - a) / np.timedelta64(1, "D")), 0) for a, b in itertools.pairwise(days)],
        dtype=float,
    )
    if spans.sum() <= 0:
        return np.full(len(dates), 1.0 / max(len(dates), 1))
    return spans / spans.sum()


def time_averaged(scores: Sequence[float] | FloatArray, dates: Sequence[str], closes: str) -> float:
    """A trajectory's score: each revision's score weighted by how long it stood."""
    return float(np.dot(time_weights(dates, closes), np.asarray(scores, float)))
