"""The analysis commands of the ``multipolar`` CLI: war, deals, what-it-takes, mediate,
analysis, timeline and leverage. They register on the app defined in ``multipolar.cli``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from multipolar import params
from multipolar.cli import (
    _QUIET,
    DbOption,
    OutputFormat,
    SaveOption,
    ScenarioArg,
    TableJson,
    TableOrJson,
    _emit,
    _record,
    _reported,
    _write,
    app,
)
from multipolar.defaults import DRAWS, SEED
from multipolar.params import output_option

DrawsOption = Annotated[
    int, params.DRAWS.option("--draws", help="Monte Carlo draws for P(zone), P(all accept).")
]
SeedOption = Annotated[int, params.SEED.option("--seed", help="Seed of the Monte Carlo draws.")]
ModelSeedOption = Annotated[int, params.SEED.option("--seed", help="Seed for stochastic models.")]


@app.command()
def war(
    file: ScenarioArg,
    fmt: TableOrJson = TableJson.table,
    save: SaveOption = False,
    db: DbOption = None,
) -> None:
    """The war in the `conflict:` block: bargaining range, risk-return, commitment, attrition.

    Example: `multipolar war scenarios/ukraine_2025_08.yaml --format json`
    """
    from multipolar.report.deals_console import war_table
    from multipolar.scenario import load
    from multipolar.war.report import analyse_war

    with _reported():
        scn = load(file)
        report = analyse_war(scn).as_dict()
        _emit(report, fmt, lambda: war_table(report))
        _record(save, db, scn, "war", {"war": report})


@app.command()
def deals(
    file: ScenarioArg,
    top: Annotated[int, params.TOP.option("--top")] = params.TOP.default,
    draws: DrawsOption = DRAWS,
    seed: SeedOption = SEED,
    fmt: TableOrJson = TableJson.table,
    save: SaveOption = False,
    db: DbOption = None,
) -> None:
    """Is there a package every party prefers to walking away? The best packages and who blocks.

    Example: `multipolar deals scenarios/ukraine_2025_08.yaml --top 5 --format json`
    """
    from multipolar.deals.analysis import analyse_deals
    from multipolar.report.deals_console import deals_table
    from multipolar.scenario import load

    with _reported():
        scn = load(file)
        report = analyse_deals(scn, top=top, draws=draws, seed=seed)
        _emit(report.as_dict(), fmt, lambda: deals_table(report))
        _record(save, db, scn, "deals", {"deals": report},
                parameters={"top": top, "draws": draws}, seed=seed)  # fmt: skip


@app.command("what-it-takes")
def what_it_takes(
    file: ScenarioArg,
    param: Annotated[str, typer.Option("--param", help="Dotted path, e.g. conflict.p.")],
    fmt: TableOrJson = TableJson.table,
) -> None:
    """The nearest value of one parameter that opens (or closes) the zone of agreement.

    Example: `multipolar what-it-takes s.yaml --param conflict.guarantee.credibility`
    """
    from multipolar.deals.whatif import what_it_takes as run
    from multipolar.report.deals_console import what_table
    from multipolar.scenario import load

    with _reported():
        result = run(load(file), param)
        _emit(result.as_dict(), fmt, lambda: what_table(result))


class StartDraft(StrEnum):
    status_quo = "status_quo"
    mediator = "mediator"
    compromise = "compromise"


@app.command()
def mediate(
    file: ScenarioArg,
    mediator: Annotated[str, typer.Option("--mediator", help="Actor id of the mediator.")],
    bias: Annotated[float, params.BIAS.option("--bias")] = params.BIAS.default,
    start: Annotated[StartDraft, typer.Option(help="First draft.")] = StartDraft.status_quo,
    fmt: TableOrJson = TableJson.table,
) -> None:
    """The mediator's workbench: single negotiating text, sequencing, value of information.

    Example: `multipolar mediate scenarios/ukraine_2025_08.yaml --mediator TUR`
    """
    from multipolar.deals.mediate import mediate as run
    from multipolar.report.deals_console import mediation_tables
    from multipolar.scenario import load

    with _reported():
        result = run(load(file), mediator, bias=bias, start=start.value)

        def tables() -> Any:
            from rich.console import Group

            return Group(*mediation_tables(result))

        _emit(result.as_dict(), fmt, tables)


@app.command()
def analysis(
    file: ScenarioArg,
    output: Annotated[Path | None, output_option("-o", "--output", help="Markdown file.")] = None,
    seed: SeedOption = SEED,
    draws: DrawsOption = DRAWS,
) -> None:
    """Write the war-and-deals analysis of a scenario as Markdown, generated from the engine.

    Example: `multipolar analysis s.yaml -o docs/analysis/s.md`
    """
    from multipolar.report.analysis import analysis_markdown
    from multipolar.scenario import load

    with _reported():
        _write(analysis_markdown(load(file), seed=seed, draws=draws), output)


@app.command()
def summary(
    file: ScenarioArg,
    seed: SeedOption = SEED,
    draws: DrawsOption = DRAWS,
    fmt: TableOrJson = TableJson.table,
) -> None:
    """The answer first: is there a zone of agreement, what binds, by how much, how likely,
    what would open or close it, and what each model forecasts (the opening of `analysis`
    and of the HTML report, word for word).

    Example: `multipolar summary scenarios/ukraine_2025_08.yaml`
    """
    from multipolar.report.summary import brief
    from multipolar.scenario import load

    with _reported():
        result = brief(load(file), draws=draws, seed=seed)

        def render() -> Any:
            from rich.markdown import Markdown

            return Markdown(f"## {result.title}\n\n" + result.markdown())

        _emit(result.as_dict(), fmt, render)


@app.command()
def timeline(
    file: ScenarioArg,
    model: Annotated[
        list[str] | None, typer.Option("-m", "--model", help="Forecast model(s) to track.")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="table, json or csv.")] = (
        OutputFormat.table
    ),
    seed: ModelSeedOption = SEED,
    save: SaveOption = False,
    db: DbOption = None,
) -> None:
    """Apply the scenario's events in date order: after each, forecasts, walk-away values,
    margins and the zone of agreement, with who gained or lost and which effect drove it.

    Example: `multipolar timeline scenarios/ukraine_2025_08.yaml --format json`
    """
    from multipolar.dynamics.timeline import baseline_date
    from multipolar.dynamics.timeline import timeline as run
    from multipolar.report import dynamics_console as render
    from multipolar.scenario import load

    with _reported(spin=False), _bar("timeline: states") as progress:
        scn = load(file)
        base, changes = run(scn, tuple(model or ["compromise"]), seed=seed, progress=progress)
        start = baseline_date(scn)
        if fmt is OutputFormat.csv:
            _write(render.timeline_csv(base, changes, start), None)
            return
        data = {
            "scenario": scn.id or scn.title,
            "seed": seed,
            "baseline": {"date": start, **base.as_dict()},
            "events": [c.as_dict() for c in changes],
        }
        wins: list[dict[str, Any]] = []
        if scn.constituencies:  # the win-sets at the baseline and after each event date
            from multipolar.deals.ratify_report import win_set_timeline

            wins = win_set_timeline(scn, seed=seed)
            data["ratification"] = {"win_sets": wins}

        def tables() -> Any:
            from rich.console import Group

            if wins:
                from multipolar.report.ratify_console import win_set_table

                return Group(*render.timeline_tables(base, changes), win_set_table(wins))
            return Group(*render.timeline_tables(base, changes))

        _emit(data, fmt, tables)
        _record(save, db, scn, "timeline", {"timeline": data},
                model=",".join(model or ["compromise"]), seed=seed)  # fmt: skip


@contextmanager
def _bar(label: str) -> Iterator[Any]:
    """A progress bar on stderr, told ``(done, total)``; None when ``--quiet`` or when stderr
    is not a terminal."""
    from rich.console import Console

    console = Console(stderr=True)
    if _QUIET["on"] or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@app.command()
def leverage(
    file: ScenarioArg,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Also list this actor's levers.")
    ] = None,
    model: Annotated[
        str, typer.Option("-m", "--model", help="Model for pull and levers.")
    ] = "compromise",
    fmt: TableOrJson = TableJson.table,
) -> None:
    """Each actor's weight share, voting power, pull on the forecast and room over walk-away.

    Example: `multipolar leverage scenarios/ukraine_2025_08.yaml --actor UKR`
    """
    from multipolar.dynamics.leverage import leverage as run
    from multipolar.report.dynamics_console import leverage_tables
    from multipolar.scenario import load

    with _reported():
        data = run(load(file), actor=actor, model=model)

        def tables() -> Any:
            from rich.console import Group

            return Group(*leverage_tables(data))

        _emit(data, fmt, tables)
