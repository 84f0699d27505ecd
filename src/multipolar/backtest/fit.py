"""Forecasting DEU issues with a model under a capability scheme, and fitting the one free
parameter (the Commission's and the Parliament's weight) on the train split only."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from multipolar.backtest.capabilities import (
    Scheme,
    capabilities,
    capability_vector,
    with_capabilities,
)
from multipolar.backtest.data import DeuIssue
from multipolar.errors import UsageError, did_you_mean
from multipolar.models.api import forecast
from multipolar.models.registry import get, names
from multipolar.models.smp.params import DEFAULTS as SMP_DEFAULTS
from multipolar.scenario.arrays import FloatArray, Inputs

#: institution weights tried when fitting (multiples of the average member state)
GRID: tuple[float, ...] = tuple(k / 10 for k in range(41))
#: models whose institution weight is fitted (cheap enough to refit on a grid)
FIT_MODELS = ("compromise",)
EUM_MODES = ("reference", "paper")
#: models whose issue space is a whole proposal: the exchange model trades between its issues
PROPOSAL_MODELS = ("exchange",)


@dataclass(frozen=True)
class Variant:
    """A registered model with fixed parameters, as one leaderboard entry."""

    label: str
    model: str
    params: Mapping[str, Any] = field(default_factory=dict)


def variants(models: Sequence[str] | None = None) -> list[Variant]:
    """The model variants to score: every registered model by default, the EUM in both modes.

    ``eum`` means both modes; ``eum-reference`` or ``eum-paper`` picks one.
    """
    chosen = list(models) if models else names()
    out: list[Variant] = []
    for name in chosen:
        if name == "eum":
            out += [Variant(f"eum-{m}", "eum", {"mode": m}) for m in EUM_MODES]
        elif name in (f"eum-{m}" for m in EUM_MODES):
            out.append(Variant(name, "eum", {"mode": name.removeprefix("eum-")}))
        elif name in names():
            get(name)
            out.append(Variant(name, name))
        else:
            choices = [*names(), *(f"eum-{m}" for m in EUM_MODES)]
            raise UsageError(f"unknown model '{name}'; " + did_you_mean(name, choices))
    unique: dict[str, Variant] = {}
    for v in out:
        unique.setdefault(v.label, v)
    return list(unique.values())


def forecasts(
    issues: Sequence[DeuIssue],
    variant: Variant,
    chosen: Scheme,
    *,
    institution_weight: float = 1.0,
    observer_weight: float = 1.0,
    seed: int = 0,
) -> FloatArray:
    """The variant's forecast of every issue, with capabilities from the scheme ``chosen``.

    Models in ``PROPOSAL_MODELS`` read the issues of one proposal together (``by_proposal``);
    the others read each issue on its own."""
    return forecasts_by_weight(
        issues, variant, chosen, [institution_weight], observer_weight=observer_weight, seed=seed
    )[0]


def _one(
    issue: DeuIssue, variant: Variant, chosen: Scheme, weight: float, observer_weight: float,
    seed: int,
) -> float:  # fmt: skip
    """One issue through ``multipolar.forecast`` (what the batches reproduce)."""
    caps = capabilities(issue, chosen, institution_weight=weight, observer_weight=observer_weight)
    scn = with_capabilities(issue.scenario, caps)
    return float(forecast(scn, variant.model, seed=seed, **variant.params)[issue.id])


def _batchable(variant: Variant, issue: DeuIssue) -> tuple[Any, ...] | None:
    """What issues must share to run in one batch (None: run this issue alone): the model's
    parameters for it, which must not depend on which batch member it is. Deterministic models
    give every batch member the numbers it gets alone; a stochastic one draws per member."""
    spec = get(variant.model)
    derived = spec.prepare(issue.scenario) if spec.prepare is not None else {}
    merged = {**derived, **issue.scenario.models.get(variant.model, {}), **variant.params}
    transitions = merged.get("state_transitions", SMP_DEFAULTS["state_transitions"])
    if spec.stochastic and (variant.model != "smp" or transitions == "stochastic"):
        return None
    try:
        return tuple(sorted((k, v, hash(v)) for k, v in merged.items()))
    except TypeError:  # an array parameter (e.g. SMP's affinity): alone
        return None


def _stacked(inputs: list[Inputs], name: str) -> Any:
    return np.stack([getattr(one, name) for one in inputs])


def forecasts_by_weight(
    issues: Sequence[DeuIssue],
    variant: Variant,
    chosen: Scheme,
    weights: Sequence[float],
    *,
    observer_weight: float = 1.0,
    seed: int = 0,
) -> FloatArray:
    """The variant's forecast of every issue (columns) for each institution weight (rows), the
    issues with as many actors and the same parameters run as one batch through the model."""
    settings = [(chosen, weight) for weight in weights]
    return forecasts_by_setting(issues, variant, settings, observer_weight=observer_weight,
                                seed=seed)  # fmt: skip


def forecasts_by_setting(
    issues: Sequence[DeuIssue],
    variant: Variant,
    settings: Sequence[tuple[Scheme, float]],
    *,
    observer_weight: float = 1.0,
    seed: int = 0,
) -> FloatArray:
    """The variant's forecast of every issue (columns) for each (capability scheme,
    institution weight) setting (rows). Issues with as many actors and the same parameters run
    as one batch through the model, every setting in the same batch (a setting changes only
    the capabilities, and a batch member gets the numbers it gets alone)."""
    if variant.model in PROPOSAL_MODELS:
        return np.stack([
            by_proposal(issues, variant, chosen, institution_weight=weight,
                        observer_weight=observer_weight, seed=seed)
            for chosen, weight in settings
        ])  # fmt: skip
    spec = get(variant.model)
    out = np.empty((len(settings), len(issues)))
    groups: dict[tuple[Any, ...], list[tuple[int, int, FloatArray]]] = {}
    inputs = {}
    for k, issue in enumerate(issues):
        key = _batchable(variant, issue)
        for w, (chosen, weight) in enumerate(settings):
            if key is None:
                out[w, k] = _one(issue, variant, chosen, weight, observer_weight, seed)
                continue
            c = capability_vector(
                issue, chosen, institution_weight=weight, observer_weight=observer_weight
            )
            groups.setdefault((len(issue.actors), key), []).append((w, k, c))
            if k not in inputs:
                inputs[k] = issue.inputs
    for (_, key), every in groups.items():
        # one batch member per distinct (issue, capabilities): settings that give an issue the
        # same capabilities (e.g. equal and council-ssi on a unanimity issue) share its run
        slot: dict[tuple[int, bytes], int] = {}
        members: list[tuple[int, int, FloatArray]] = []
        for w, k, c in every:
            if slot.setdefault((k, c.tobytes()), len(members)) == len(members):
                members.append((w, k, c))
        base = [inputs[k] for _, k, _ in members]
        columns = [np.broadcast_to(c, b.x.shape) for (*_, c), b in zip(members, base, strict=True)]
        x, s, mask, lo, hi, ref = (_stacked(base, f) for f in ("x", "s", "mask", "lo", "hi", "ref"))
        batch = Inputs(x, np.stack(columns), s, mask, lo, hi, ref, base[0].actors, base[0].issues)
        params = {name: value for name, value, _ in key}
        values = np.asarray(spec.run(batch, seed=seed, **params).forecast, dtype=float)
        for w, k, c in every:
            out[w, k] = values[slot[k, c.tobytes()], 0]
    return out


def proposal_inputs(group: Sequence[DeuIssue], caps: Sequence[dict[str, float]]) -> Inputs:
    """The issues of one proposal as one problem: every actor positioned on any of them, each
    issue with its own capabilities (``caps``, one mapping per issue) and scale."""
    actors = list(dict.fromkeys(a for issue in group for a in issue.actors))
    k, n = len(group), len(actors)
    x, s, c = np.zeros((k, n)), np.zeros((k, n)), np.zeros((k, n))
    mask = np.zeros((k, n), dtype=bool)
    lo, hi, ref = np.empty(k), np.empty(k), np.empty(k)
    for i, issue in enumerate(group):
        one = issue.inputs
        cols = [actors.index(a) for a in one.actors]
        x[i, cols], s[i, cols], mask[i, cols] = one.x[0], one.s[0], one.mask[0]
        c[i, cols] = [caps[i][a] for a in one.actors]
        lo[i], hi[i], ref[i] = one.lo[0], one.hi[0], one.ref[0]
    issues = tuple(issue.id for issue in group)
    return Inputs(x, c, s, mask, lo, hi, ref, tuple(actors), issues)


def by_proposal(
    issues: Sequence[DeuIssue],
    variant: Variant,
    chosen: Scheme,
    *,
    institution_weight: float = 1.0,
    observer_weight: float = 1.0,
    seed: int = 0,
) -> FloatArray:
    """The variant's forecast of every issue, the issues of each proposal forming one problem
    (in the order of ``issues``). A proposal with one issue is a one-issue problem: the exchange
    model then has nothing to trade and forecasts the compromise (weighted mean)."""
    groups: dict[str, list[int]] = {}
    for k, issue in enumerate(issues):
        groups.setdefault(issue.proposal, []).append(k)
    spec = get(variant.model)
    out = np.empty(len(issues))
    for members in groups.values():
        group = [issues[k] for k in members]
        caps = [capabilities(i, chosen, institution_weight=institution_weight,
                             observer_weight=observer_weight) for i in group]  # fmt: skip
        out[members] = spec.run(proposal_inputs(group, caps), seed=seed, **variant.params).forecast
    return out


@dataclass(frozen=True)
class Fit:
    """The institution weight that minimises the train MAE, and the train MAE along the grid."""

    variant: str
    scheme: Scheme
    value: float
    train_mae: float
    train_issues: int
    grid: tuple[float, ...]
    curve: tuple[float, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.variant,
            "capabilities": self.scheme,
            "parameter": "institution_weight",
            "value": self.value,
            "train_mae": self.train_mae,
            "train_issues": self.train_issues,
            "grid": list(self.grid),
            "train_mae_by_value": list(self.curve),
        }


def fit_institution_weight(
    train: Sequence[DeuIssue],
    variant: Variant,
    chosen: Scheme,
    *,
    observer_weight: float = 1.0,
    seed: int = 0,
    grid: Sequence[float] = GRID,
    progress: Callable[[str], None] | None = None,
) -> Fit:
    """Grid search of the Commission/Parliament weight on the ``train`` issues alone (the first
    of equal minima wins, so the grid order breaks ties)."""
    if not train:
        raise UsageError("no train issues to fit on")
    outcomes = np.array([i.outcome for i in train])
    every = forecasts_by_weight(train, variant, chosen, grid, observer_weight=observer_weight,
                                seed=seed)  # fmt: skip
    curve = [float(np.mean(np.abs(fc - outcomes))) for fc in every]
    best = int(np.argmin(curve))
    if progress is not None:
        progress(f"fitted {variant.label}/{chosen}: institution weight {grid[best]:g} on train")
    return Fit(variant.label, chosen, float(grid[best]), curve[best], len(train), tuple(grid),
               tuple(curve))  # fmt: skip
