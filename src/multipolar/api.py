"""The Python API: one function per question, each returning a result with ``to_dict()`` (what
the CLI's ``--format json`` prints) and ``to_frame()`` (a pandas table). Every function reads a
scenario (a path or a loaded :class:`~multipolar.scenario.schema.Scenario`) and uses the same
defaults as the CLI, the report and the web app (:mod:`multipolar.defaults`), so the same
question gets the same answer everywhere.

>>> import multipolar
>>> v = multipolar.verdict("scenarios/ukraine_2025_08.yaml")  # doctest: +SKIP
>>> v.zone, v.margin, v.binding  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from multipolar import params
from multipolar.defaults import DRAWS, SEED

if TYPE_CHECKING:
    from multipolar.coalitions.analysis import Coalitions
    from multipolar.coalitions.mediators import Mediators
    from multipolar.deals.analysis import DealReport
    from multipolar.deals.mediate import Mediation
    from multipolar.deals.ratify_report import Ratification
    from multipolar.deals.verdict import Verdict
    from multipolar.deals.whatif import WhatItTakes
    from multipolar.dynamics.timeline import Timeline
    from multipolar.models.api import Forecasts
    from multipolar.report.summary import Brief
    from multipolar.scenario.schema import Scenario
    from multipolar.uncertainty.feasibility import Feasibility
    from multipolar.uncertainty.montecarlo import Simulation
    from multipolar.uncertainty.sensitivity import Sobol
    from multipolar.war.report import WarReport


def _scenario(scn: Scenario | str | Path) -> Scenario:
    from multipolar.scenario import load

    return load(scn) if isinstance(scn, str | Path) else scn


def _checked(**values: Any) -> dict[str, Any]:
    """Each value checked against its declaration in :mod:`multipolar.params` (the same bounds
    as the command line's and the server's), before any work: a ``UsageError`` naming it."""
    declared = {"seed": params.SEED, "draws": params.DRAWS, "top": params.TOP,
                "n": params.SAMPLES.with_(name="n"), "bias": params.BIAS}  # fmt: skip
    return {name: declared[name].check(value, name) for name, value in values.items()}


def forecasts(
    scn: Scenario | str | Path, models: Iterable[str] | None = None, *, seed: int = SEED
) -> Forecasts:
    """Every (or each named) model's forecast of the scenario after its events."""
    from multipolar.dynamics.apply import resolve
    from multipolar.models.api import forecast_all

    seed = _checked(seed=seed)["seed"]
    return forecast_all(resolve(_scenario(scn)), models, seed=seed)


def verdict(scn: Scenario | str | Path, *, draws: int = DRAWS, seed: int = SEED) -> Verdict:
    """Is there a zone of agreement, what binds, by how much, and how likely over the ranges."""
    from multipolar.deals.analysis import deal_verdict

    checked = _checked(draws=draws, seed=seed)  # before any work
    return deal_verdict(_scenario(scn), **checked)


def deals(
    scn: Scenario | str | Path,
    *,
    top: int = params.TOP.default,
    draws: int = DRAWS,
    seed: int = SEED,
) -> DealReport:
    """The deal analysis: the verdict, then the best packages and who blocks them."""
    from multipolar.deals.analysis import analyse_deals

    checked = _checked(top=top, draws=draws, seed=seed)  # before any work
    return analyse_deals(_scenario(scn), **checked)


def war(scn: Scenario | str | Path) -> WarReport:
    """The war in the ``conflict:`` block: range, risk–return, commitment, attrition."""
    from multipolar.war.report import analyse_war

    return analyse_war(_scenario(scn))


def what_it_takes(scn: Scenario | str | Path, path: str) -> WhatItTakes:
    """The nearest value of one parameter (a dotted path) that opens or closes the zone."""
    from multipolar.deals.whatif import what_it_takes as run

    return run(_scenario(scn), path)


def mediate(
    scn: Scenario | str | Path, mediator: str, *, bias: float = 0.0, start: str = "status_quo"
) -> Mediation:
    """A mediator's single negotiating text, sequencing and value of information."""
    from multipolar.deals.mediate import mediate as run

    bias = _checked(bias=bias)["bias"]
    return run(_scenario(scn), mediator, bias=bias, start=start)  # type: ignore[arg-type]


def coalitions(
    scn: Scenario | str | Path,
    *,
    threshold: float = 0.7,
    leximin: bool = False,
    seed: int = SEED,
) -> Coalitions:
    """Blocs and cohesion after each event, a wedge per bloc and the deal's pivotal actors."""
    from multipolar.coalitions.analysis import analyse_coalitions

    return analyse_coalitions(_scenario(scn), threshold=threshold, leximin=leximin, seed=seed)


def ratification(
    scn: Scenario | str | Path, *, samples: int = 4096, seed: int = SEED
) -> Ratification:
    """Two-level ratification at the verdict's package: each actor's rule, pivotal
    constituency, margin and win-set (no actors when the scenario has no constituencies)."""
    from multipolar.deals.ratify_report import Ratification as Result
    from multipolar.deals.ratify_report import ratification as run

    if samples < 1:
        from multipolar.errors import UsageError

        raise UsageError(f"samples must be at least 1, not {samples}")
    return run(_scenario(scn), samples=samples, seed=seed) or Result({}, [], samples, seed)


def mediators(
    scn: Scenario | str | Path,
    *,
    bias: float | None = None,
    weights: tuple[float, float, float] = (0.5, 0.25, 0.25),
) -> Mediators:
    """Who can mediate: every actor's bridge score (closeness to both sides, capability share,
    its own single negotiating text), ranked with the reasons."""
    from multipolar.coalitions.mediators import mediators as run

    return run(_scenario(scn), bias=bias, weights=weights)


def timeline(
    scn: Scenario | str | Path, models: Iterable[str] = ("compromise",), *, seed: int = SEED
) -> Timeline:
    """The balance of advantage after each event, with who gained what and why."""
    from multipolar.dynamics.timeline import Timeline, baseline_date
    from multipolar.dynamics.timeline import timeline as run

    seed = _checked(seed=seed)["seed"]
    s = _scenario(scn)
    base, changes = run(s, tuple(models), seed=seed)
    return Timeline(s.id or s.title, baseline_date(s), seed, base, changes)


def simulate(
    scn: Scenario | str | Path,
    model: str = "compromise",
    *,
    draws: int = DRAWS,
    seed: int = SEED,
    **options: Any,
) -> Simulation | Feasibility:
    """Monte Carlo over the scenario's ranges: a model's forecasts, or with ``model="deals"``
    the deal re-solved in every draw. ``options``: backend, workers, address (see the CLI)."""
    params.SIMULATE_DRAWS.check(draws, "draws")
    seed = _checked(seed=seed)["seed"]
    if "workers" in options:
        options["workers"] = params.WORKERS.check(options["workers"], "workers")
    s = _scenario(scn)
    if model == "deals":
        from multipolar.uncertainty.feasibility import deal_feasibility

        return deal_feasibility(s, draws=draws, seed=seed, **options)
    from multipolar.uncertainty.montecarlo import simulate as run

    return run(s, model, draws=draws, seed=seed, **options)


def sensitivity(
    scn: Scenario | str | Path,
    target: str = "margin",
    *,
    actor: str | None = None,
    n: int = 256,
    seed: int = SEED,
) -> Sobol:
    """Sobol indices of a deal output (``agreement`` or ``margin``) over every ranged input."""
    from multipolar.uncertainty.sensitivity import deal_sobol

    checked = _checked(n=n, seed=seed)  # before any work
    return deal_sobol(_scenario(scn), target, actor, **checked)


def summary(scn: Scenario | str | Path, *, draws: int = DRAWS, seed: int = SEED) -> Brief:
    """The executive summary (the answer first), as ``multipolar summary`` prints it."""
    from multipolar.report.summary import brief

    checked = _checked(draws=draws, seed=seed)  # before any work
    return brief(_scenario(scn), **checked)


def analysis(scn: Scenario | str | Path, *, draws: int = DRAWS, seed: int = SEED) -> str:
    """The whole war-and-deals analysis as Markdown (``multipolar analysis``)."""
    from multipolar.report.analysis import analysis_markdown

    checked = _checked(draws=draws, seed=seed)  # before any work
    return analysis_markdown(_scenario(scn), **checked)


def report(
    scn: Scenario | str | Path,
    path: str | Path | None = None,
    *,
    draws: int = DRAWS,
    seed: int = SEED,
) -> str:
    """The self-contained HTML report: written to ``path`` (returned) or returned as HTML."""
    from multipolar.report.html import render_report, write_report

    draws, seed = _checked(draws=draws, seed=seed).values()
    s = _scenario(scn)
    if path is None:
        return render_report(s, draws=draws, seed=seed)
    return str(write_report(s, Path(path), draws=draws, seed=seed))
