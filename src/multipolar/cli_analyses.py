"""The analysis commands of the ``multipolar`` CLI: war, deals, what-it-takes, mediate,
analysis, timeline and leverage. They register on the app defined in ``multipolar.cli``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from multipolar.cli import (
    OutputFormat,
    ScenarioArg,
    TableOrJson,
    _emit,
    _reported,
    _write,
    app,
)
from multipolar.errors import UsageError


@app.command()
def war(file: ScenarioArg, fmt: TableOrJson = OutputFormat.table) -> None:
    """The war in the `conflict:` block: bargaining range, risk-return, commitment, attrition.

    Example: `multipolar war scenarios/ukraine_2025_08.yaml --format json`
    """
    from multipolar.report.deals_console import war_table
    from multipolar.scenario import load
    from multipolar.war.report import analyse_war

    with _reported():
        report = analyse_war(load(file)).as_dict()
        _emit(report, fmt, lambda: war_table(report))


@app.command()
def deals(
    file: ScenarioArg,
    top: Annotated[int, typer.Option(help="How many packages to list.")] = 5,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws for P(all accept).")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo draws.")] = 0,
    fmt: TableOrJson = OutputFormat.table,
) -> None:
    """Is there a package every party prefers to walking away? The best packages and who blocks.

    Example: `multipolar deals scenarios/ukraine_2025_08.yaml --top 5 --format json`
    """
    from multipolar.deals.analysis import analyse_deals
    from multipolar.report.deals_console import deals_table
    from multipolar.scenario import load

    with _reported():
        report = analyse_deals(load(file), top=top, draws=draws, seed=seed)
        _emit(report.as_dict(), fmt, lambda: deals_table(report))


@app.command("what-it-takes")
def what_it_takes(
    file: ScenarioArg,
    param: Annotated[str, typer.Option("--param", help="Dotted path, e.g. conflict.p.")],
    fmt: TableOrJson = OutputFormat.table,
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
    bias: Annotated[float, typer.Option(help="Weight of the mediator's own interest, 0-1.")] = 0.0,
    start: Annotated[StartDraft, typer.Option(help="First draft.")] = StartDraft.status_quo,
    fmt: TableOrJson = OutputFormat.table,
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
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Markdown file.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo draws.")] = 0,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws for P(all accept).")] = 2000,
) -> None:
    """Write the war-and-deals analysis of a scenario as Markdown, generated from the engine.

    Example: `multipolar analysis s.yaml -o docs/analysis/s.md`
    """
    from multipolar.report.analysis import analysis_markdown
    from multipolar.scenario import load

    with _reported():
        _write(analysis_markdown(load(file), seed=seed, draws=draws), output)


@app.command()
def timeline(
    file: ScenarioArg,
    model: Annotated[
        list[str] | None, typer.Option("-m", "--model", help="Forecast model(s) to track.")
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="table, json or csv.")] = (
        OutputFormat.table
    ),
    seed: Annotated[int, typer.Option(help="Seed for stochastic models.")] = 0,
) -> None:
    """Apply the scenario's events in date order: after each, forecasts, walk-away values,
    margins and the zone of agreement, with who gained or lost and which effect drove it.

    Example: `multipolar timeline scenarios/ukraine_2025_08.yaml --format json`
    """
    from multipolar.dynamics.timeline import baseline_date
    from multipolar.dynamics.timeline import timeline as run
    from multipolar.report import dynamics_console as render
    from multipolar.scenario import load

    with _reported():
        scn = load(file)
        base, changes = run(scn, tuple(model or ["compromise"]), seed=seed)
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

        def tables() -> Any:
            from rich.console import Group

            return Group(*render.timeline_tables(base, changes))

        _emit(data, fmt, tables)


@app.command()
def leverage(
    file: ScenarioArg,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Also list this actor's levers.")
    ] = None,
    model: Annotated[
        str, typer.Option("-m", "--model", help="Model for pull and levers.")
    ] = "compromise",
    fmt: TableOrJson = OutputFormat.table,
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


@app.command()
def simulate(
    file: ScenarioArg,
    draws: Annotated[int, typer.Option(help="Number of Monte Carlo draws.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same output.")] = 0,
    model: Annotated[str, typer.Option("-m", "--model", help="Forecasting model.")] = "compromise",
    fmt: TableOrJson = OutputFormat.table,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write JSON here.")] = None,
) -> None:
    """Monte Carlo over every ranged estimate: forecast distributions per issue.

    Example: `multipolar simulate scenarios/ukraine_2025_08.yaml --draws 10000 --seed 1 -m eum`
    """
    import json

    from multipolar.scenario import load
    from multipolar.uncertainty.montecarlo import simulate as run

    with _reported():
        if draws < 2:
            raise UsageError("--draws must be at least 2")
        result = run(load(file), model, draws=draws, seed=seed).as_dict()
        if output is not None:
            _write(json.dumps(result, indent=2) + "\n", output)
            return

        def table() -> Any:
            from rich.table import Table

            t = Table(title=f"{model}: {draws} draws, seed {seed}", title_justify="left")
            for col in ("issue", "mean", "sd", "5%", "50%", "95%"):
                t.add_column(col, justify="left" if col == "issue" else "right")
            for issue, row in result["issues"].items():
                q = row["quantiles"]
                t.add_row(issue, f"{row['mean']:.2f}", f"{row['sd']:.2f}", f"{q['0.05']:.2f}",
                          f"{q['0.50']:.2f}", f"{q['0.95']:.2f}")  # fmt: skip
            return t

        _emit(result, fmt, table)


@app.command()
def sensitivity(
    file: ScenarioArg,
    model: Annotated[str, typer.Option("-m", "--model", help="Forecasting model.")] = "compromise",
    issue: Annotated[str | None, typer.Option(help="Issue whose forecast to explain.")] = None,
    samples: Annotated[int, typer.Option(help="Sobol base sample N (N(D+2) runs).")] = 512,
    seed: Annotated[int, typer.Option(help="Seed of the Sobol sequence.")] = 0,
    fmt: TableOrJson = OutputFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write JSON here.")] = None,
) -> None:
    """Which inputs drive a forecast: Sobol first-order and total indices, and a tornado.

    Example: `multipolar sensitivity scenarios/ukraine_2025_08.yaml --issue donbas --output s.json`
    """
    import json

    from multipolar.scenario import load
    from multipolar.uncertainty.sensitivity import forecast_sobol, tornado

    with _reported():
        scn = load(file)
        target = issue or scn.issue_ids[0]
        result: dict[str, Any] = {
            "model": model,
            "issue": target,
            "seed": seed,
            "sobol": forecast_sobol(scn, model, target, n=samples, seed=seed).as_dict(),
            "tornado": tornado(scn, model, target, seed=seed),
        }
        if output is not None:
            _write(json.dumps(result, indent=2) + "\n", output)
            return

        def table() -> Any:
            from rich.console import Group
            from rich.table import Table

            s = Table(title=f"Sobol indices: {model} forecast of {target}", title_justify="left")
            for col in ("input", "S1", "±", "ST", "± "):
                s.add_column(col, justify="left" if col == "input" else "right")
            for row in result["sobol"]["indices"][:15]:
                s.add_row(row["input"], f"{row['S1']:.3f}", f"{row['S1_conf']:.3f}",
                          f"{row['ST']:.3f}", f"{row['ST_conf']:.3f}")  # fmt: skip
            t = Table(title="Tornado (one at a time: low / high)", title_justify="left")
            for col in ("input", "at low", "at high", "swing"):
                t.add_column(col, justify="left" if col == "input" else "right")
            for row in result["tornado"][:15]:
                t.add_row(row["input"], f"{row['at_low']:.2f}", f"{row['at_high']:.2f}",
                          f"{row['swing']:.2f}")  # fmt: skip
            return Group(s, t)

        _emit(result, fmt, table)
