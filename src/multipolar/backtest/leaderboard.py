"""The DEU III leaderboard: every model × capability scheme scored on the same issues.

Rows are scored on the full set and on the committed train and test splits, each metric with a
seeded bootstrap interval and a paired interval of its difference from the baseline (the
compromise model with every actor's capability 1, the published 23.64). Rows whose institution
weight was fitted (on train only) are marked ``fitted``; only their test scores are clean.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from multipolar.backtest.capabilities import SCHEMES, Scheme, observers
from multipolar.backtest.council import regime_at
from multipolar.backtest.data import DeuData
from multipolar.backtest.fit import (
    FIT_MODELS,
    Fit,
    Variant,
    fit_institution_weight,
    forecasts,
    forecasts_by_setting,
)
from multipolar.backtest.fit import variants as model_variants
from multipolar.backtest.score import (
    Counts,
    Interval,
    Metric,
    Resample,
    difference_of,
    intervals_dict,
    resample_counts,
    summary_of,
    values,
)
from multipolar.backtest.split import Side, split_for
from multipolar.errors import UsageError
from multipolar.scenario.arrays import FloatArray

SUBSETS = ("full", "train", "test")
PUBLISHED = {
    "best": 22.99,  # compromise with treaty-period Council weights (third party, 351 issues)
    "equal_compromise": 23.64,
    "equal_median": 28.31,
}
BASELINE = "compromise/equal"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Row:
    """One model variant under one capability scheme, with its forecast of every issue."""

    id: str
    variant: Variant
    scheme: Scheme
    institution_weight: float
    observer_weight: float
    fitted: bool
    forecasts: FloatArray

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "model": self.variant.model,
            "label": self.variant.label,
            "params": dict(self.variant.params),
            "capabilities": self.scheme,
            "institution_weight": self.institution_weight,
            "observer_weight": self.observer_weight,
            "fitted": self.fitted,
        }


@dataclass(frozen=True)
class Score:
    """A row's metrics on one subset, and their differences from the baseline."""

    n: int
    metrics: dict[Metric, Interval]
    diff: dict[Metric, Interval]
    diff_unfitted: dict[Metric, Interval] | None = None  # fitted rows: minus the same row at w=1

    def as_dict(self) -> dict[str, Any]:
        out = {"n": self.n, **intervals_dict(self.metrics), "diff": intervals_dict(self.diff)}
        if self.diff_unfitted is not None:
            out["diff_from_unfitted"] = intervals_dict(self.diff_unfitted)
        return out


@dataclass(frozen=True)
class Leaderboard:
    data: DeuData
    split: dict[str, Side]
    split_origin: str
    schemes: tuple[Scheme, ...]
    baseline: FloatArray
    rows: tuple[Row, ...]
    fits: tuple[Fit, ...]
    scores: dict[str, dict[str, Score]]  # row id -> subset -> score
    seed: int
    bootstrap: int
    resample: Resample

    @property
    def outcomes(self) -> FloatArray:
        return np.array([i.outcome for i in self.data.issues])

    def row(self, row_id: str) -> Row:
        for r in self.rows:
            if r.id == row_id:
                return r
        raise UsageError(f"no leaderboard row '{row_id}'")

    def issue_rows(self) -> list[dict[str, Any]]:
        """The per-issue table: identity, context, outcome and every row's forecast."""
        out = []
        for k, issue in enumerate(self.data.issues):
            out.append(
                {
                    "issue": issue.id,
                    "proposal": issue.proposal,
                    "name": issue.name,
                    "date": issue.date.isoformat(),
                    "date_source": issue.date_source,
                    "period": regime_at(issue.date).id,
                    "rule": issue.rule,
                    "procedure": issue.procedure,
                    "split": self.split[issue.id],
                    "actors": len(issue.actors),
                    "observers": list(observers(issue)),
                    "reference": issue.reference,
                    "outcome": issue.outcome,
                    "forecasts": {r.id: round(float(r.forecasts[k]), 6) for r in self.rows},
                }
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "data": data_summary(self),
            "settings": {
                "seed": self.seed,
                "bootstrap": self.bootstrap,
                "resample": self.resample,
                "capabilities": list(self.schemes),
                "split": self.split_origin,
                "baseline": f"{BASELINE}: compromise model, every actor's capability 1",
            },
            "published": PUBLISHED,
            "verdict": verdict(self),
            "fits": [f.as_dict() for f in self.fits],
            "rows": [
                {**r.describe(), **{s: self.scores[r.id][s].as_dict() for s in SUBSETS}}
                for r in self.rows
            ],
            "issues": self.issue_rows(),
        }


def data_summary(lb: Leaderboard) -> dict[str, Any]:
    issues = lb.data.issues
    periods: dict[str, int] = {}
    for i in issues:
        periods[regime_at(i.date).id] = periods.get(regime_at(i.date).id, 0) + 1
    return {
        "file": lb.data.file,
        "sha256": lb.data.sha256,
        "issues": len(issues),
        "proposals": len({i.proposal for i in issues}),
        "train_issues": sum(1 for i in issues if lb.split[i.id] == "train"),
        "test_issues": sum(1 for i in issues if lb.split[i.id] == "test"),
        "dates": {
            s: sum(1 for i in issues if i.date_source == s)
            for s in ("clean", "repaired", "proposal-id")
        },
        "periods": periods,
        "issues_with_observers": sum(1 for i in issues if observers(i)),
    }


def verdict(lb: Leaderboard) -> dict[str, Any]:
    """Does any row beat the best published MAE (22.99) on all issues? Fitted rows are left
    out: their full-set score includes the issues they were fitted on."""
    threshold = PUBLISHED["best"]
    clean = [r for r in lb.rows if not r.fitted]
    mae = {r.id: lb.scores[r.id]["full"].metrics["mae"] for r in clean}
    best = min(clean, key=lambda r: mae[r.id].value)
    return {
        "threshold": threshold,
        "best_row": best.id,
        "best_mae": mae[best.id].as_dict(),
        "best_diff_from_baseline": lb.scores[best.id]["full"].diff["mae"].as_dict(),
        "rows_below_threshold": [r.id for r in clean if mae[r.id].value < threshold],
        "rows_with_interval_below": [r.id for r in clean if mae[r.id].high < threshold],
        "fitted_rows_not_judged": [r.id for r in lb.rows if r.fitted],
    }


def _unfitted(rows: Sequence[Row], r: Row) -> Row | None:
    """The row with the same model and scheme and the institution weight not fitted."""
    for other in rows:
        if not other.fitted and other.variant == r.variant and other.scheme == r.scheme:
            return other
    return None


def _score_rows(rows: Sequence[Row], baseline: FloatArray, outcomes: FloatArray,
                groups: Sequence[str], sides: Sequence[str], bootstrap: int, seed: int,
                resample: Resample) -> dict[str, dict[str, Score]]:  # fmt: skip
    """Every row on every subset; one set of bootstrap counts per subset, shared by all rows."""
    rng = np.random.default_rng(seed)
    scores: dict[str, dict[str, Score]] = {r.id: {} for r in rows}
    for subset in SUBSETS:
        idx = np.array([k for k, s in enumerate(sides) if subset in ("full", s)])
        if idx.size == 0:
            raise UsageError(f"the {subset} split has no issues")
        counts = Counts.of(resample_counts([groups[k] for k in idx], bootstrap, rng, resample))
        base = values(np.abs(baseline[idx] - outcomes[idx]), counts)
        of = {r.id: values(np.abs(r.forecasts[idx] - outcomes[idx]), counts) for r in rows}
        for r in rows:
            plain = _unfitted(rows, r) if r.fitted else None
            scores[r.id][subset] = Score(
                int(idx.size),
                summary_of(of[r.id]),
                difference_of(of[r.id], base),
                None if plain is None else difference_of(of[r.id], of[plain.id]),
            )
    return scores


def run_backtest(
    data: DeuData,
    *,
    models: Sequence[str] | None = None,
    schemes: Sequence[Scheme] = SCHEMES,
    institution_weight: float = 1.0,
    observer_weight: float = 1.0,
    fit: bool = True,
    seed: int = 0,
    bootstrap: int = 2000,
    resample: Resample = "issue",
    progress: Progress | None = None,
) -> Leaderboard:
    """Score every model variant under every scheme; fit the institution weight on train."""
    if institution_weight < 0 or observer_weight < 0:
        raise UsageError(
            f"institution weight {institution_weight:g}, observer weight {observer_weight:g}: "
            "weights must be >= 0; fix: give 0 or more (1 = an average member state)"
        )
    issues = data.issues
    split, origin = split_for(issues)
    chosen = tuple(dict.fromkeys(schemes))
    todo = model_variants(models)
    base_variant = Variant("compromise", "compromise")
    baseline = forecasts(issues, base_variant, "equal", seed=seed)  # every capability 1
    rows_by: dict[tuple[str, str], Row] = {}
    for v in todo:  # every scheme of a variant in one batch (fit.forecasts_by_setting)
        start = time.perf_counter()
        every = forecasts_by_setting(issues, v, [(scheme, institution_weight) for scheme in chosen],
                                     observer_weight=observer_weight, seed=seed)  # fmt: skip
        for scheme, fc in zip(chosen, every, strict=True):
            rows_by[v.label, scheme] = Row(f"{v.label}/{scheme}", v, scheme, institution_weight,
                                           observer_weight, False, fc)  # fmt: skip
        if progress is not None:
            took = time.perf_counter() - start
            progress(f"{v.label}/{','.join(chosen)}: {len(issues)} issues in {took:.1f} s")
    rows: list[Row] = [rows_by[v.label, scheme] for scheme in chosen for v in todo]
    fits: list[Fit] = []
    if fit:
        train = [i for i in issues if split[i.id] == "train"]
        for scheme in chosen:
            for v in (v for v in todo if v.model in FIT_MODELS and not v.params):
                f = fit_institution_weight(train, v, scheme, observer_weight=observer_weight,
                                           seed=seed, progress=progress)  # fmt: skip
                fc = forecasts(issues, v, scheme, institution_weight=f.value,
                               observer_weight=observer_weight, seed=seed)  # fmt: skip
                rows.append(Row(f"{v.label}/{scheme}+fit", v, scheme, f.value, observer_weight,
                                True, fc))  # fmt: skip
                fits.append(f)
    outcomes = np.array([i.outcome for i in issues])
    scores = _score_rows(rows, baseline, outcomes, [i.proposal for i in issues],
                         [split[i.id] for i in issues], bootstrap, seed, resample)  # fmt: skip
    return Leaderboard(data, split, origin, chosen, baseline, tuple(rows), tuple(fits), scores,
                       seed, bootstrap, resample)  # fmt: skip
