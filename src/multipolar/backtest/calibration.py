"""Calibration on real decisions: every model's predictive distribution of each DEU III outcome,
graded as a ledger of numeric forecasts on the committed test split.

The uncertainty model has one parameter, position noise ``sigma``: in every draw each positioned
actor's position moves by ``sigma × (high − low) × z`` with ``z`` standard normal, independent
across actors and draws, and is clipped to the issue's scale; saliences and capabilities stay as
coded. The model's forecasts over the draws are its predictive distribution. ``sigma`` is fitted
per model on the train split alone: the grid value with the lowest mean CRPS over the train
issues (its fair ensemble estimate; the first of equal minima). The draws of an issue depend
only on the seed and the issue's id (common random numbers across grid values and models), also
for the exchange model, which reads the issues of a proposal as one problem (``by_proposal``)
and moves each issue's positions by that issue's own draws (``calibration_noise``).
Grading on the test split (CRPS, the coverage of the central 50 % and 90 % intervals, the PIT,
all by ``multipolar.ledger.scores``, against the climatological forecast) is in
``calibration_grade``, the page in ``calibration_page``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from multipolar.backtest.calibration_grade import (
    CLIMATOLOGY,
    LEVELS,
    PIT_BINS,
    Summary,
    climatology,
    fair_crps,
    grade,
    summarise,
)
from multipolar.backtest.calibration_noise import noisy_inputs, proposal_predictive
from multipolar.backtest.capabilities import Scheme
from multipolar.backtest.data import DeuData, DeuIssue
from multipolar.backtest.fit import PROPOSAL_MODELS, Variant, variants
from multipolar.backtest.score import Resample, resample_counts
from multipolar.backtest.split import split_for
from multipolar.errors import UsageError
from multipolar.ledger.scores import crps_samples
from multipolar.scenario.arrays import FloatArray
from multipolar.uncertainty.backends import run_tasks
from multipolar.uncertainty.montecarlo import run_model

#: position noise tried when fitting, as a share of the issue's scale
GRID: tuple[float, ...] = (0.1, 0.2, 0.3, 0.5, 1.0)
DRAWS = 40  # draws per issue, divided by COST for the slow models
#: slow models get DRAWS // COST draws (a run of KTAB's SMP costs 10-200 ms, of the EUM ~3 ms,
#: of the exchange model on a noisy DEU proposal ~7 ms)
COST = {"eum": 4, "exchange": 4, "smp": 10}
Progress = Callable[[str], None]


def outcomes(issues: Sequence[DeuIssue]) -> FloatArray:
    return np.array([i.outcome for i in issues], dtype=float)


def _groups(issues: Sequence[DeuIssue]) -> list[list[int]]:
    """Indices of issues that can run as one batch, in order of first appearance: models see
    arrays, not names, so issues with as many actors batch together, unless a scenario carries
    data a model reads by name (ideal adjustments, model parameters: then the same actors)."""
    out: dict[tuple[object, ...], list[int]] = {}
    for k, issue in enumerate(issues):
        scn = issue.scenario
        named = bool(scn.ideal_adjustment or scn.models)
        key = (issue.actors if named else len(issue.actors), repr(scn.models))
        out.setdefault(key, []).append(k)
    return list(out.values())


def predictive(
    issues: Sequence[DeuIssue],
    variant: Variant,
    chosen: Scheme,
    sigmas: Sequence[float],
    *,
    draws: int,
    seed: int = 0,
) -> FloatArray:
    """The variant's forecast of every issue in every draw, per noise level: (sigmas, issues,
    draws). Each batch of issues (``_groups``) runs at once over noise levels, issues and draws;
    a proposal model (``fit.PROPOSAL_MODELS``) runs each proposal's issues as one problem."""
    if variant.model in PROPOSAL_MODELS:
        return proposal_predictive(issues, variant, chosen, sigmas, draws=draws, seed=seed)
    out = np.empty((len(sigmas), len(issues), draws))
    for idx in _groups(issues):
        batch = [issues[k] for k in idx]
        inputs = noisy_inputs(batch, chosen, sigmas, draws, seed)
        fc = run_model(batch[0].scenario, variant.model, inputs, seed, **variant.params)
        out[:, idx, :] = fc[..., 0]
    return out


@dataclass(frozen=True)
class NoiseFit:
    """The position noise with the lowest mean train CRPS (fair estimate), and that CRPS along
    the grid."""

    label: str
    value: float
    train_crps: float
    train_issues: int
    draws: int
    grid: tuple[float, ...]
    curve: tuple[float, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.label,
            "parameter": "position_noise",
            "value": self.value,
            "train_fair_crps": self.train_crps,
            "train_issues": self.train_issues,
            "draws": self.draws,
            "grid": list(self.grid),
            "train_fair_crps_by_value": list(self.curve),
        }


def chosen_fit(
    label: str, grid: Sequence[float], train_samples: Sequence[FloatArray], y: FloatArray
) -> NoiseFit:
    """The grid value whose train samples (issues, draws) have the lowest mean fair CRPS against
    the train outcomes ``y`` (the first of equal minima): the fair estimate does not penalise a
    wide distribution for being drawn few times."""
    curve = tuple(float(np.mean(fair_crps(smp, y))) for smp in train_samples)
    best = int(np.argmin(curve))
    draws = int(train_samples[0].shape[-1])
    return NoiseFit(
        label,
        float(grid[best]),
        curve[best],
        int(y.size),
        draws,
        tuple(float(g) for g in grid),
        curve,
    )


def fit_noise(
    train: Sequence[DeuIssue],
    variant: Variant,
    chosen: Scheme,
    *,
    grid: Sequence[float] = GRID,
    draws: int = DRAWS,
    seed: int = 0,
) -> NoiseFit:
    """Grid search of the position noise on the ``train`` issues alone (mean CRPS)."""
    if not train:
        raise UsageError("no train issues to fit the position noise on")
    if not grid or min(grid) < 0:
        raise UsageError("the position-noise grid needs values >= 0")
    samples = predictive(train, variant, chosen, grid, draws=draws, seed=seed)
    return chosen_fit(variant.label, grid, list(samples), outcomes(train))


def calibrated_variants(models: Sequence[str] | None = None) -> list[Variant]:
    """The variants the calibration grades: every registered model by default (the EUM in both
    modes), the exchange model over whole proposals (``calibration_noise``)."""
    return variants(models)


def draws_for(variant: Variant, draws: int) -> int:
    """Draws per issue for the variant: ``draws`` divided by its model's COST (at least 2)."""
    return max(2, draws // COST.get(variant.model, 1))


def _task(
    issues: Sequence[DeuIssue],
    variant: Variant,
    chosen: Scheme,
    sigma: float,
    draws: int,
    seed: int,
) -> tuple[FloatArray, float]:
    """One model at one noise level on some issues (a task for any worker): the samples
    (issues, draws) and the seconds taken."""
    start = time.perf_counter()
    samples = predictive(issues, variant, chosen, (sigma,), draws=draws, seed=seed)[0]
    return samples, time.perf_counter() - start


def _run(
    tasks: list[tuple[Any, ...]], cost: list[int], workers: int
) -> list[tuple[FloatArray, float]]:
    """The tasks, the costliest first (parallel workers then finish together), in task order."""
    order = sorted(range(len(tasks)), key=lambda k: -cost[k])
    done = run_tasks(_task, [tasks[k] for k in order], [1] * len(tasks), workers=workers)
    return [done[order.index(k)] for k in range(len(tasks))]


@dataclass(frozen=True)
class Calibration:
    data: DeuData
    split_origin: str
    scheme: Scheme
    seed: int
    bootstrap: int
    resample: Resample
    grid: tuple[float, ...]
    train_ids: tuple[str, ...]
    test_ids: tuple[str, ...]
    fits: tuple[NoiseFit, ...]
    climatology: Summary
    summaries: tuple[Summary, ...]

    def as_dict(self) -> dict[str, Any]:
        def per_issue(s: Summary) -> dict[str, list[float]]:
            g = s.per_issue
            return {
                "crps": [round(float(v), 6) for v in g.crps],
                "pit": [round(float(v), 6) for v in g.pit],
            }

        return {
            "data": {
                "file": self.data.file,
                "sha256": self.data.sha256,
                "issues": len(self.data.issues),
                "train_issues": len(self.train_ids),
                "test_issues": len(self.test_ids),
                "split": self.split_origin,
            },
            "settings": {
                "capabilities": self.scheme,
                "seed": self.seed,
                "bootstrap": self.bootstrap,
                "resample": self.resample,
                "grid": list(self.grid),
                "levels": list(LEVELS),
                "pit_bins": PIT_BINS,
            },
            "fits": [f.as_dict() for f in self.fits],
            "test": [s.as_dict() for s in (*self.summaries, self.climatology)],
            "test_issues": list(self.test_ids),
            "per_issue": {s.label: per_issue(s) for s in (*self.summaries, self.climatology)},
        }


def run_calibration(
    data: DeuData,
    *,
    models: Sequence[str] | None = None,
    scheme: Scheme = "equal",
    grid: Sequence[float] = GRID,
    draws: int = DRAWS,
    seed: int = 0,
    bootstrap: int = 2000,
    resample: Resample = "issue",
    workers: int = 1,
    progress: Progress | None = None,
) -> Calibration:
    """Fit every model's position noise on train and grade its predictive distribution on test."""
    if draws < 2:
        raise UsageError(f"draws {draws}: need at least 2 per issue; fix: give --draws 2 or more")
    split, origin = split_for(data.issues)
    train = [i for i in data.issues if split[i.id] == "train"]
    test = [i for i in data.issues if split[i.id] == "test"]
    if not train or not test:
        raise UsageError("the calibration needs issues on both sides of the train/test split")
    todo = calibrated_variants(models)
    grid_t = tuple(float(g) for g in grid)
    if not grid_t or min(grid_t) < 0:
        raise UsageError("the position-noise grid needs values >= 0")
    n_draws = [draws_for(v, draws) for v in todo]
    cost = [COST.get(v.model, 1) for v in todo]
    # phase 1: every model at every grid value on the train issues, and noise-free on test
    jobs = [(m, g) for m in range(len(todo)) for g in grid_t] + [
        (m, None) for m in range(len(todo))
    ]
    first = _run(
        [
            (test, todo[m], scheme, 0.0, 1, seed)
            if g is None
            else (train, todo[m], scheme, g, n_draws[m], seed)
            for m, g in jobs
        ],
        [cost[m] for m, _g in jobs],
        workers,
    )
    took = [
        sum(r[1] for (mm, _g), r in zip(jobs, first, strict=True) if mm == m)
        for m in range(len(todo))
    ]
    y_train, y = outcomes(train), outcomes(test)
    fits = [
        chosen_fit(
            v.label,
            grid_t,
            [r[0] for (mm, g), r in zip(jobs, first, strict=True) if mm == m and g is not None],
            y_train,
        )
        for m, v in enumerate(todo)
    ]
    free = {m: r[0][:, 0] for (m, g), r in zip(jobs, first, strict=True) if g is None}
    # phase 2: every model at its fitted noise on the test issues
    graded = _run(
        [
            (test, v, scheme, f.value, n_draws[m], seed)
            for m, (v, f) in enumerate(zip(todo, fits, strict=True))
        ],
        cost,
        workers,
    )
    counts = resample_counts(
        [i.proposal for i in test], bootstrap, np.random.default_rng(seed), resample
    )
    clim = grade(climatology(train, test), y, seed)
    summaries = []
    for m, (v, fit, (samples, secs)) in enumerate(zip(todo, fits, graded, strict=True)):
        if progress is not None:
            progress(
                f"{v.label}: noise {fit.value:g} fitted on {len(train)} train issues, "
                f"graded on {len(test)} test issues, {fit.draws} draws, "
                f"{took[m] + secs:.1f} s"
            )
        point_crps = float(np.mean(crps_samples(free[m][:, None], y)))
        summaries.append(
            summarise(
                v.label, fit.value, fit.draws, grade(samples, y, seed), clim, counts, point_crps
            )
        )
    clim_summary = summarise(CLIMATOLOGY, None, len(train), clim, clim, counts, None)
    return Calibration(
        data,
        origin,
        scheme,
        seed,
        bootstrap,
        resample,
        grid_t,
        tuple(i.id for i in train),
        tuple(i.id for i in test),
        tuple(fits),
        clim_summary,
        tuple(summaries),
    )
