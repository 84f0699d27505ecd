"""The ``backtest`` commands of the CLI (registered on ``multipolar.cli.app``)."""

from __future__ import annotations

import io
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from multipolar import params
from multipolar.cli import _QUIET, _reported, _write, app, out
from multipolar.params import output_option

backtest_app = typer.Typer(
    help="Score every model against real decisions (DEU III): a leaderboard with bootstrap "
    "intervals.\n\n"
    "Example: `multipolar backtest deu ../shared/data/deu/deu3.csv --format markdown -o deu3.md`",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(backtest_app, name="backtest")


class BacktestFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


class ResampleUnit(StrEnum):
    issue = "issue"
    proposal = "proposal"


def _schemes(values: list[str] | None) -> list[str]:
    """``--capabilities`` values, repeated and/or comma-separated; default every scheme."""
    from multipolar.backtest.capabilities import SCHEMES, scheme

    if not values:
        return list(SCHEMES)
    names = [v.strip() for value in values for v in value.split(",") if v.strip()]
    return [scheme(n) for n in names]


def _command(path: Path, schemes: list[str], models: list[str] | None, seed: int,
             bootstrap: int, resample: ResampleUnit, institution_weight: float,
             observer_weight: float, fit: bool) -> str:  # fmt: skip
    """The command line that reproduces a run (shown in the markdown page)."""
    from multipolar.backtest.capabilities import SCHEMES

    parts = ["multipolar backtest deu", str(path)]
    if schemes != list(SCHEMES):
        parts.append("--capabilities " + ",".join(schemes))
    parts += [f"-m {m}" for m in models or []]
    if seed != 0:
        parts.append(f"--seed {seed}")
    if bootstrap != 2000:
        parts.append(f"--bootstrap {bootstrap}")
    if resample is not ResampleUnit.issue:
        parts.append(f"--resample {resample.value}")
    if institution_weight != 1.0:
        parts.append(f"--institution-weight {institution_weight:g}")
    if observer_weight != 1.0:
        parts.append(f"--observer-weight {observer_weight:g}")
    if not fit:
        parts.append("--no-fit")
    return " ".join([*parts, "--format markdown"])


@backtest_app.command("deu")
def deu(
    path: Annotated[Path, typer.Argument(help="DEU III file (tab-separated, one issue a row).")],
    capabilities: Annotated[
        list[str] | None,
        typer.Option(
            "--capabilities",
            "-c",
            help="equal, council, council-ssi (repeatable or comma-separated); default: all.",
        ),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(
            "-m", "--model", help="Model (repeatable; eum = both modes); default: every model."
        ),
    ] = None,
    fmt: Annotated[
        BacktestFormat, typer.Option("--format", "-f", help="table, json or markdown.")
    ] = BacktestFormat.table,
    output: Annotated[Path | None, output_option("-o", "--output", help="Write to a file.")] = None,
    seed: Annotated[
        int, params.SEED.option("--seed", help="Seed of the bootstrap and stochastic models.")
    ] = params.SEED.default,
    bootstrap: Annotated[int, params.BOOTSTRAP.option("--bootstrap")] = params.BOOTSTRAP.default,
    resample: Annotated[
        ResampleUnit, typer.Option(help="Bootstrap unit: issue, or whole proposals.")
    ] = ResampleUnit.issue,
    institution_weight: Annotated[
        float,
        params.WEIGHT.option(
            "--institution-weight",
            help="Commission and Parliament capability, × the average member state.",
        ),
    ] = params.WEIGHT.default,
    observer_weight: Annotated[
        float,
        params.WEIGHT.option(
            "--observer-weight",
            help="Capability of states coded before accession, × the average.",
        ),
    ] = params.WEIGHT.default,
    fit: Annotated[
        bool, typer.Option("--fit/--no-fit", help="Fit the institution weight on the train split.")
    ] = True,
    json_out: Annotated[
        Path | None, output_option("--json-out", help="Also write the JSON leaderboard here.")
    ] = None,
    issues_csv: Annotated[
        Path | None,
        output_option("--issues-csv", help="Write the per-issue table (every forecast) as CSV."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress on stderr.")] = False,
) -> None:
    """Backtest every model × capability scheme on the scoreable DEU III issues.

    Reports MAE, median absolute error, RMSE and the share within 10 points on all issues and
    on the committed train/test split, with seeded bootstrap intervals and paired differences
    from the compromise model with equal capabilities. The full run takes about 9-11 s of CPU
    (KTAB's SMP dominates; its kernels compile once, at install or on the first run).

    Example: `multipolar backtest deu ../shared/data/deu/deu3.csv --format markdown -o
    docs/backtest/deu3.md --json-out docs/backtest/deu3.json`;
    `multipolar backtest deu deu3.csv -m compromise -m median -c equal,council`
    """
    from rich.console import Console

    from multipolar.backtest import load_deu, run_backtest
    from multipolar.backtest.capabilities import scheme
    from multipolar.backtest.markdown import render
    from multipolar.backtest.tables import issues_csv as issues_table
    from multipolar.backtest.tables import leaderboard_table

    with _reported(spin=False):
        schemes = [scheme(s) for s in _schemes(capabilities)]
        data = load_deu(path)
        progress = (
            None
            if quiet or _QUIET["on"]
            else (lambda line: typer.echo(f"backtest: {line}", err=True))
        )
        lb = run_backtest(
            data,
            models=model,
            schemes=schemes,
            institution_weight=institution_weight,
            observer_weight=observer_weight,
            fit=fit,
            seed=seed,
            bootstrap=bootstrap,
            resample="proposal" if resample is ResampleUnit.proposal else "issue",
            progress=progress,
        )
        report = json.dumps(lb.as_dict(), indent=1, ensure_ascii=False) + "\n"
        if fmt is BacktestFormat.json:
            _write(report, output)
        elif fmt is BacktestFormat.markdown:
            command = _command(path, list(schemes), model, seed, bootstrap, resample,
                               institution_weight, observer_weight, fit)  # fmt: skip
            _write(render(lb, command), output)
        elif output is None:
            out.print(leaderboard_table(lb))
        else:
            buffer = io.StringIO()
            Console(file=buffer, width=160).print(leaderboard_table(lb))
            _write(buffer.getvalue(), output)
        if json_out is not None:
            _write(report, json_out)
        if issues_csv is not None:
            _write(issues_table(lb), issues_csv)


# The calibration command registers itself on `backtest_app` (kept in its own module for size).
from multipolar import cli_calibration  # noqa: E402, F401
