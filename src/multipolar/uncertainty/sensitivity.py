"""Which inputs matter: Sobol first-order and total indices (Saltelli sampling and Jansen/Sobol
estimators through SALib), and a one-at-a-time tornado.

Inputs are the scenario's ranged estimates. Sobol samples are drawn on the unit hypercube and
mapped through each estimate's inverse CDF, so the indices refer to the inputs' own
distributions (triangular by default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from SALib.analyze import sobol as sobol_analyze

from multipolar.dynamics.apply import resolve
from multipolar.errors import UsageError, did_you_mean
from multipolar.params import MAX_SEED
from multipolar.scenario.arrays import FloatArray
from multipolar.scenario.paths import get_estimate
from multipolar.scenario.schema import Scenario
from multipolar.uncertainty.montecarlo import (
    inputs_from_values,
    ppf,
    ranged_estimates,
    ranged_paths,
    run_model,
)

if TYPE_CHECKING:
    import pandas as pd

_SEED_ZERO = MAX_SEED + 1  # what seed 0 is to SALib's analysis (see sobol_indices)


@dataclass(frozen=True)
class Sobol:
    names: list[str]
    first: FloatArray
    total: FloatArray
    first_ci: FloatArray
    total_ci: FloatArray
    evaluations: int

    def as_dict(self) -> dict[str, Any]:
        rows = [
            {"input": n, "S1": float(f), "S1_conf": float(fc), "ST": float(t), "ST_conf": float(tc)}
            for n, f, fc, t, tc in zip(
                self.names, self.first, self.first_ci, self.total, self.total_ci, strict=True
            )
        ]
        return {"evaluations": self.evaluations, "indices": sorted(rows, key=lambda r: -r["ST"])}

    def to_dict(self) -> dict[str, Any]:
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per input, by total index: S1, ST and their confidence half-widths."""
        from multipolar.frames import records

        return records(self.as_dict()["indices"])


def sobol_indices(
    func: Callable[[FloatArray], FloatArray], names: list[str], n: int = 1024, seed: int = 0
) -> Sobol:
    """Sobol indices of ``func`` (uniforms (M, D) on [0, 1] -> outputs (M,)); N(D + 2) runs.
    An output that no input moves has every index 0."""
    if not names:
        raise UsageError("no ranged inputs: give some estimates a range {low, best, high}")
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    u = saltelli(problem, n, seed)
    y = np.asarray(func(u), dtype=float)
    if np.all(y == y[0]):  # an output no input moves: every index is 0 (not 0/0)
        zero = np.zeros(len(names))
        return Sobol(names, zero, zero, zero, zero.copy(), int(u.shape[0]))
    # SALib reads seed 0 as "no seed" and then bootstraps the confidence intervals from numpy's
    # global random state: seed 0 goes to it as MAX_SEED + 1, a seed no caller can give
    res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed or _SEED_ZERO)
    return Sobol(names, res["S1"], res["ST"], res["S1_conf"], res["ST_conf"], int(u.shape[0]))


def saltelli(problem: dict[str, Any], n: int, seed: int) -> FloatArray:
    """SALib's ``sobol.sample(problem, n, calc_second_order=False, seed=seed)``, bit for bit,
    without its loop over every number: per point i of the scrambled Sobol' sequence in 2D
    dimensions (A its first D, B its last D), the rows A, A with column k from B (k = 0..D−1),
    then B; scaled to the bounds by SALib."""
    from SALib.util import scale_samples
    from scipy.stats import qmc

    d = int(problem["num_vars"])
    base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(n)
    a, b = base[:, :d], base[:, d:]
    rows = np.empty((n, d + 2, d))
    rows[:, : d + 1] = a[:, None, :]
    cross = np.arange(d)
    rows[:, 1 + cross, cross] = b
    rows[:, d + 1] = b
    out: FloatArray = scale_samples(rows.reshape(n * (d + 2), d), problem)
    return out


def _output(
    scn: Scenario, model: str, issue: str, seed: int
) -> Callable[[dict[str, FloatArray], int], FloatArray]:
    k = scn.issue_ids.index(issue)

    def evaluate(values: dict[str, FloatArray], draws: int) -> FloatArray:
        return run_model(scn, model, inputs_from_values(scn, values, draws), seed)[:, k]

    return evaluate


def _target(scn: Scenario, issue: str | None) -> str:
    if issue is None:
        return scn.issue_ids[0]
    if issue not in scn.issue_ids:
        raise UsageError(f"unknown issue '{issue}': {did_you_mean(issue, scn.issue_ids)}")
    return issue


def _model_inputs(scn: Scenario) -> list[str]:
    """Ranged estimates the models read: positions, salience, capability, status quo."""
    heads = ("positions.", "salience.", "actors.", "issues.")
    return [p for p in ranged_paths(scn) if p.startswith(heads)]


Evaluator = Callable[[dict[str, FloatArray], int], FloatArray]


def _sobol(scn: Scenario, evaluate: Evaluator, paths: list[str], n: int, seed: int) -> Sobol:
    ranged = ranged_estimates(scn)
    ests = [ranged[p] if p in ranged else get_estimate(scn, p) for p in paths]

    def func(u: FloatArray) -> FloatArray:
        values = {p: ppf(e, u[:, j]) for j, (p, e) in enumerate(zip(paths, ests, strict=True))}
        return evaluate(values, u.shape[0])

    return sobol_indices(func, paths, n, seed)


def _tornado(scn: Scenario, evaluate: Evaluator, paths: list[str]) -> list[dict[str, Any]]:
    """Draw 0 has every input at its best value, draws 2j + 1 and 2j + 2 input j at its low and
    its high end: one batched run (every model gives each draw the numbers it gives alone)."""
    ests = ranged_estimates(scn)
    draws = 2 * len(paths) + 1
    values = {}
    for j, p in enumerate(paths):
        est = ests[p] if p in ests else get_estimate(scn, p)
        v = np.full(draws, float(est.best))
        v[2 * j + 1], v[2 * j + 2] = est.lo, est.hi
        values[p] = v
    out = np.asarray(evaluate(values, draws), dtype=float)
    base = float(out[0])
    rows = []
    for j, p in enumerate(paths):
        low, high = float(out[2 * j + 1]), float(out[2 * j + 2])
        rows.append(
            {"input": p, "at_low": low, "at_high": high, "swing": abs(high - low), "base": base}
        )
    return sorted(rows, key=lambda r: -r["swing"])


def forecast_sobol(
    scn: Scenario,
    model: str = "compromise",
    issue: str | None = None,
    *,
    n: int = 512,
    seed: int = 0,
) -> Sobol:
    """Sobol indices of one model's forecast on one issue (default: the first)."""
    scn = resolve(scn)
    evaluate = _output(scn, model, _target(scn, issue), seed)
    return _sobol(scn, evaluate, _model_inputs(scn), n, seed)


def tornado(
    scn: Scenario, model: str = "compromise", issue: str | None = None, *, seed: int = 0
) -> list[dict[str, Any]]:
    """One at a time: each ranged input at its low and its high, the others at best; sorted by
    the swing of the forecast."""
    scn = resolve(scn)
    return _tornado(scn, _output(scn, model, _target(scn, issue), seed), _model_inputs(scn))


DEAL_TARGETS = ("agreement", "margin")


def _deal_output(scn: Scenario, target: str, actor: str | None) -> Evaluator:
    """Per draw: 1 where a zone of agreement exists, else 0 (``agreement``: the indices split
    the variance of that indicator, whose mean is the probability of agreement); the max–min
    margin (``margin``); or, with ``actor``, that party's margin u_i − d_i in the max–min
    package of the best values."""
    from multipolar.deals.batch import maxmin_margins
    from multipolar.deals.solve import maxmin
    from multipolar.deals.space import build_space, slacks
    from multipolar.deals.verdict import TOL
    from multipolar.uncertainty.feasibility import value_sampler

    if target not in DEAL_TARGETS:
        raise UsageError(f"unknown target '{target}': {did_you_mean(target, list(DEAL_TARGETS))}")
    base = build_space(scn)
    column = None
    if actor is not None:
        if actor not in base.actors:
            raise UsageError(f"unknown actor '{actor}': {did_you_mean(actor, list(base.actors))}")
        column = base.actors.index(actor)
    point = maxmin(base).z

    def evaluate(values: dict[str, FloatArray], draws: int) -> FloatArray:
        space = build_space(scn, value_sampler(scn, values), draws)
        if column is not None:
            return slacks(space, point[None])[:, 0, column]
        margin, _ = maxmin_margins(space)
        return (margin >= -TOL).astype(float) if target == "agreement" else margin

    return evaluate


def deal_sobol(
    scn: Scenario, target: str = "margin", actor: str | None = None, *, n: int = 256, seed: int = 0
) -> Sobol:
    """Sobol indices of a deal output (see ``_deal_output``) over every ranged estimate."""
    scn = resolve(scn)
    return _sobol(scn, _deal_output(scn, target, actor), ranged_paths(scn), n, seed)


def deal_tornado(
    scn: Scenario, target: str = "margin", actor: str | None = None
) -> list[dict[str, Any]]:
    """The one-at-a-time tornado of a deal output over every ranged estimate."""
    scn = resolve(scn)
    return _tornado(scn, _deal_output(scn, target, actor), ranged_paths(scn))
