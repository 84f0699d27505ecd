"""Grading a DEU III predictive distribution as a ledger of numeric forecasts: CRPS, central-
interval coverage and the PIT (all by ``multipolar.ledger.scores``), the climatological
reference, seeded paired bootstrap intervals over the graded issues, and a verdict in words."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from multipolar.backtest.data import DeuIssue
from multipolar.backtest.score import IntArray, Interval
from multipolar.errors import UsageError
from multipolar.ledger.scores import (
    covered,
    crps_samples,
    pit,
    pit_histogram,
    sr,  # scoringrules on its numpy backend (see there)
)
from multipolar.scenario.arrays import FloatArray

LEVELS = (0.05, 0.25, 0.5, 0.75, 0.95)  # quantiles kept of each predictive distribution
COVERAGES = (0.5, 0.9)
PIT_BINS = 10
CLIMATOLOGY = "climatology"


def scale(issue: DeuIssue) -> tuple[float, float]:
    iss = issue.scenario.issues[0]
    return float(iss.low), float(iss.high)


def climatology(train: Sequence[DeuIssue], issues: Sequence[DeuIssue]) -> FloatArray:
    """The climatological forecast of each issue (issues, len(train)): the train outcomes as
    shares of their scales, put on the issue's scale."""
    if not train:
        raise UsageError("no train issues for the climatological forecast")
    share = np.array(
        [(i.outcome - lo) / (hi - lo) if hi > lo else 0.0 for i in train for lo, hi in [scale(i)]]
    )
    spans = np.array([scale(i) for i in issues]).reshape(-1, 2)
    return spans[:, :1] + share[None, :] * (spans[:, 1:] - spans[:, :1])


@dataclass(frozen=True)
class Graded:
    """Per-issue grades of a predictive distribution (samples) on the graded issues."""

    crps: FloatArray
    covered: dict[float, FloatArray]  # nominal coverage -> 0/1 per issue (quantile interval)
    pit: FloatArray
    handicap: FloatArray  # CRPS of the draws minus its unbiased ("fair") estimate, ≥ 0

    def pit_inside(self, c: float) -> FloatArray:
        """1 where the PIT falls in the central ``c`` band: the interval coverage that stays
        nominal for a calibrated forecast with atoms (ties share the atom's probability)."""
        return np.asarray((self.pit >= (1 - c) / 2) & (self.pit <= (1 + c) / 2), dtype=float)


def fair_crps(samples: FloatArray, y: FloatArray) -> FloatArray:
    """The unbiased estimate of the CRPS of the distribution the draws (..., m ≥ 2) come from
    (scoringrules' ``fair`` ensemble estimator): the CRPS of the m draws themselves exceeds it
    by half their mean absolute difference divided by m."""
    return np.asarray(sr.crps_ensemble(y, samples, estimator="fair"), dtype=float)


def rank_pit(samples: FloatArray, y: FloatArray, seed: int = 0) -> FloatArray:
    """The randomised rank PIT: the ledger's randomised PIT of the outcome among the draws and
    itself, (draws below + U × (draws equal + 1)) / (m + 1), uniform on [0, 1] for any number
    of draws m when the outcome is exchangeable with them (the ledger's PIT of m draws alone
    puts 1/(m + 1) at each end, which only vanishes for many draws)."""
    ya = np.asarray(y, dtype=float)
    return pit(np.concatenate([samples, ya[..., None]], axis=-1), ya, seed)


def grade(samples: FloatArray, y: FloatArray, seed: int = 0) -> Graded:
    """CRPS, central-interval coverage (from the samples' LEVELS quantiles) and the randomised
    PIT, all by ``multipolar.ledger.scores``; and how much the CRPS of the draws exceeds the
    fair estimate of their distribution's CRPS (the few-draws handicap)."""
    q = np.moveaxis(np.quantile(samples, LEVELS, axis=-1), 0, -1)
    crps = crps_samples(samples, y)
    return Graded(
        crps,
        {c: covered(q, LEVELS, y, c) for c in COVERAGES},
        rank_pit(samples, y, seed),
        crps - fair_crps(samples, y),
    )


def _interval(values: FloatArray, counts: IntArray) -> Interval:
    reps = (counts @ values) / counts.sum(axis=1)
    low, high = np.percentile(reps, [2.5, 97.5])
    return Interval(float(values.mean()), float(low), float(high))


def _side(iv: Interval, nominal: float) -> str:
    if iv.high < nominal:
        return "too narrow"
    if iv.low > nominal:
        return "too wide"
    return "about right"


def verdict(cover: dict[float, Interval], mean_pit: Interval) -> str:
    """Words for a forecast's calibration from its (PIT) coverage intervals and mean PIT: a
    nominal level outside a coverage's 95 % interval means too narrow or too wide intervals;
    0.5 outside the mean PIT's interval means outcomes fall mostly on one side."""
    sides = {_side(iv, c) for c, iv in cover.items()}
    if sides == {"about right"}:
        words = "calibrated"
    elif "too wide" not in sides:
        words = "over-confident"
    elif "too narrow" not in sides:
        words = "under-confident"
    else:
        words = "mis-shaped"
    if mean_pit.high < 0.5:
        words += ", forecasts too high"
    elif mean_pit.low > 0.5:
        words += ", forecasts too low"
    return words


@dataclass(frozen=True)
class Summary:
    """One forecaster's test grades with bootstrap intervals, paired with the climatology."""

    label: str
    sigma: float | None  # None for the climatology
    draws: int
    crps: Interval
    diff: Interval  # CRPS minus the climatology's, paired
    fair: Interval  # the fair CRPS (no few-draws handicap)
    fair_diff: Interval  # fair CRPS minus the climatology's, paired
    skill: float  # 1 − CRPS / climatology CRPS
    point_crps: float | None  # CRPS of the noise-free forecast (its absolute error)
    coverage: dict[float, Interval]  # outcome inside the central interval of the quantiles
    pit_coverage: dict[float, Interval]  # PIT inside the central band (atom-aware)
    mean_pit: Interval
    pit_counts: list[int]
    pit_p: float  # chi-square test of PIT uniformity over PIT_BINS bins
    verdict: str
    per_issue: Graded

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.label,
            "position_noise": self.sigma,
            "draws": self.draws,
            "crps": self.crps.as_dict(),
            "crps_minus_climatology": self.diff.as_dict(),
            "fair_crps": self.fair.as_dict(),
            "fair_crps_minus_climatology": self.fair_diff.as_dict(),
            "skill": self.skill,
            "point_forecast_crps": self.point_crps,
            "few_draws_handicap": float(self.per_issue.handicap.mean()),
            "coverage": {f"{c:.0%}": iv.as_dict() for c, iv in self.coverage.items()},
            "pit_coverage": {f"{c:.0%}": iv.as_dict() for c, iv in self.pit_coverage.items()},
            "mean_pit": self.mean_pit.as_dict(),
            "pit_histogram": self.pit_counts,
            "pit_uniformity_p": self.pit_p,
            "verdict": self.verdict,
        }


def summarise(
    label: str,
    sigma: float | None,
    draws: int,
    g: Graded,
    clim: Graded,
    counts: IntArray,
    point_crps: float | None,
) -> Summary:
    cover = {c: _interval(g.covered[c], counts) for c in COVERAGES}
    pit_cover = {c: _interval(g.pit_inside(c), counts) for c in COVERAGES}
    mean_pit = _interval(g.pit, counts)
    hist = pit_histogram(g.pit, PIT_BINS)
    p = float(stats.chisquare(hist).pvalue) if sum(hist) else 1.0
    return Summary(
        label,
        sigma,
        draws,
        _interval(g.crps, counts),
        _interval(g.crps - clim.crps, counts),
        _interval(g.crps - g.handicap, counts),
        _interval((g.crps - g.handicap) - (clim.crps - clim.handicap), counts),
        float(1.0 - g.crps.mean() / clim.crps.mean()) if clim.crps.mean() > 0 else 0.0,
        point_crps,
        cover,
        pit_cover,
        mean_pit,
        hist,
        p,
        verdict(pit_cover, mean_pit),
        g,
    )
