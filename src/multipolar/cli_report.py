"""The ``report`` commands of the CLI (registered on ``multipolar.cli.app``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from multipolar import params
from multipolar.cli import _QUIET, ScenarioArg, _reported, app
from multipolar.defaults import DRAWS, SEED
from multipolar.errors import UsageError
from multipolar.params import check_output, output_option


def _pair(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 2 or not all(parts):
        raise UsageError(f"--pair {value!r}: expected two actor ids A,B; fix: e.g. --pair RUS,UKR")
    return parts[0], parts[1]


@app.command()
def report(
    file: ScenarioArg,
    output: Annotated[Path, output_option("-o", "--output", help="HTML file to write.")] = Path(
        "report.html"
    ),
    draws: Annotated[int, params.REPORT_DRAWS.option("--draws")] = DRAWS,
    seed: Annotated[int, params.SEED.option("--seed", help="Seed of every random draw.")] = SEED,
    pair: Annotated[
        str | None,
        typer.Option(help="Two actors A,B for the Pareto frontier (default: the belligerents)."),
    ] = None,
    ledger: Annotated[
        str | None,
        typer.Option(
            help="A run store whose ledger's grades (reliability diagram, PIT "
            "histogram) the report shows."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Write one self-contained HTML report (works offline): scenario and sources, actor maps,
    forecasts with trajectories, war and deals, timeline, Monte Carlo, sensitivity, assumptions.

    Example: `multipolar report scenarios/ukraine_2025_08.yaml -o report.html --draws 500`
    """
    from multipolar.report.html import write_report
    from multipolar.scenario import load

    start = time.perf_counter()

    def progress(step: str) -> None:
        if not (quiet or _QUIET["on"]):
            typer.echo(f"[{time.perf_counter() - start:5.1f}s] {step}", err=True)

    with _reported(spin=False):
        check_output(output)  # the default path too, before the seconds of analysis
        scn = load(file)
        write_report(
            scn,
            output,
            draws=draws,
            seed=seed,
            pair=_pair(pair),
            progress=progress,
            ledger=ledger,
        )
        progress("done")
    typer.echo(str(output))


#: What ``make run`` shows, in order: each step is a command line of this CLI.
RUN_STEPS = (
    ("validate", "{file}"),
    ("summary", "{file}"),
    ("forecast", "{file}"),
    ("war", "{file}"),
    ("deals", "{file}", "--top", "3"),
    ("report", "{file}", "-o", "{output}", "--quiet"),
)


_DRAWN = ("summary", "deals", "report")  # the steps with Monte Carlo draws


@app.command("run")
def run_all(
    ctx: typer.Context,
    file: ScenarioArg,
    output: Annotated[Path, output_option("-o", "--output", help="HTML file to write.")] = Path(
        "report.html"
    ),
    draws: Annotated[
        int,
        params.REPORT_DRAWS.option(
            "--draws", help="Monte Carlo draws of summary, deals and report (their default)."
        ),
    ] = DRAWS,
) -> None:
    """Validate, summarise, forecast, war, the top 3 deals, then write the report: the same
    output as those six commands run one after another, in one process (one start-up).

    Example: `multipolar run scenarios/ukraine_2025_08.yaml -o reports/ukraine.html`
    """
    from multipolar.report import offload

    # the command tree this run was parsed with, built once: each step runs through it, where
    # calling the Typer app again would rebuild it from every command's signature (~0.1 s)
    root = ctx.find_root().command
    check_output(output)
    _prefetch(file, draws)
    # every step loads the same text, so it gets the same scenario object (scenario.load keeps
    # the last few): what is kept per scenario object is computed once for all six steps
    try:
        for step in RUN_STEPS:
            args = [part.format(file=file, output=output) for part in step]
            if draws != DRAWS and step[0] in _DRAWN:  # the default: each step's own, the same
                args += ["--draws", str(draws)]
            code = root.main(args, prog_name="multipolar", standalone_mode=False)
            if code:
                raise typer.Exit(code)
    finally:
        offload.cancel_all()  # a report step that did not run leaves its child behind


def _prefetch(file: Path, draws: int) -> None:
    """Start the report's slowest parts in a forked child now, so they are computed while the
    other steps print (report/offload.py); a file the steps reject is left to them."""
    from multipolar.errors import MultipolarError
    from multipolar.report import offload
    from multipolar.report.html import check_settings
    from multipolar.scenario import load

    try:
        scn = load(file)
        check_settings(scn, draws, None)
    except MultipolarError:
        return
    offload.prefetch(scn, draws, SEED, None)
