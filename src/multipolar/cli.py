"""The ``multipolar`` command line: a thin layer over the Python API."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from multipolar.cli_errors import OneLineErrors
from multipolar.errors import MultipolarError, UsageError
from multipolar.params import SEED, output_option

# A command builds a large heap of objects that live as long as it does (numba's typing
# registries, pydantic's validators, the imported modules): collecting the young generation every
# 50,000 allocations rather than every 700 spares rescanning that heap, which took 0.1-0.3 s of a
# command (gc.callbacks, `simulate` and `report`). Garbage cycles are still collected.
gc.set_threshold(50_000, 20, 20)

app = typer.Typer(
    name="multipolar",
    cls=OneLineErrors,
    help="Model multi-party negotiations: validate scenarios, import data, forecast outcomes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
out = Console(soft_wrap=False, width=140)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class TableJson(StrEnum):
    table = "table"
    json = "json"


_QUIET = {"on": False}
SPINNER_DELAY = 1.0  # seconds before a spinner appears on stderr


@app.callback()
def _options(
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or spinners on stderr.")
    ] = False,
) -> None:
    """Model multi-party negotiations: validate scenarios, import data, forecast outcomes."""
    _QUIET["on"] = quiet


@contextmanager
def _spinner() -> Iterator[None]:
    """A rich spinner on stderr for work that lasts longer than SPINNER_DELAY, only when stderr
    is a terminal and ``--quiet`` is off."""
    import threading

    err = Console(stderr=True)
    if _QUIET["on"] or not err.is_terminal:
        yield
        return
    status = err.status("working…", spinner="dots")
    lock, state = threading.Lock(), {"done": False, "shown": False}

    def show() -> None:
        with lock:
            if not state["done"]:
                status.start()
                state["shown"] = True

    timer = threading.Timer(SPINNER_DELAY, show)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["shown"]:
                status.stop()


@contextmanager
def _reported(*, spin: bool = True) -> Iterator[None]:
    """Turn the package's errors into one line each on stderr and exit code 2; with ``spin``,
    a spinner on stderr while the work lasts more than a second (commands with a progress bar
    of their own, and the server, pass ``spin=False``)."""
    try:
        with _spinner() if spin else nullcontext():
            yield
    except MultipolarError as exc:
        for line in exc.lines():
            typer.echo(line, err=True)
        raise typer.Exit(2) from None


def _write(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"{output}: cannot write ({exc.strerror}); fix: check the path"
            ) from None


OutputOption = Annotated[Path | None, output_option("-o", "--output", help="Write to a file.")]
ScenarioArg = Annotated[Path, typer.Argument(help="Scenario file (.yaml, .yml or .json).")]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Run store: an SQLite file or a SQLAlchemy URL "
        "(default: $MULTIPOLAR_DB, else multipolar-runs.sqlite here).",
    ),
]
SaveOption = Annotated[
    bool, typer.Option("--save", help="Record this run in the run store (see --db).")
]


def _record(save: bool, db: str | None, scn: Any, kind: str, results: Any, **meta: Any) -> None:
    """With ``--save``, keep the run (scenario, parameters, seed, version, results) in the
    run store and say which id it got, on stderr."""
    if not save:
        return
    try:
        from multipolar.store.runs import save_run
    except ImportError:
        raise UsageError(
            "--save needs the run store; fix: pip install 'multipolar[server]'"
        ) from None
    run_id = save_run(scn, kind, results, db=db, **meta)
    typer.echo(f"saved run {run_id} (multipolar runs show {run_id})", err=True)


@app.command()
def validate(
    file: ScenarioArg,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Also list every default that changes results and that the file leaves "
            "implicit: its value, what it moves, where it applies and how to set it.",
        ),
    ] = False,
    fmt: Annotated[TableJson, typer.Option("--format", "-f", help="Output format.")] = (
        TableJson.table
    ),
) -> None:
    """Check a scenario file; print one line per problem (exit 2) or a summary (exit 0).

    With `--explain`, also list the defaults the file leaves implicit that change results
    (`deal.utility`, `deal.unsettled`, who must accept, derived walk-away values,
    `conflict.stakes`, `conflict.power_shift.now` taken from p, issues without a status quo,
    missing positions, salience normalisation, range distributions and correlations, and the
    parameters of models named under `models:`). Writing a default explicitly removes it
    from the list.

    Examples: `multipolar validate scenarios/ukraine_2025_08.yaml`;
    `multipolar validate s.yaml --explain --format json`
    """
    from multipolar.report.console import scenario_summary
    from multipolar.scenario import load
    from multipolar.scenario.defaults import explain_defaults

    with _reported():
        scn = load(file)
        entries = explain_defaults(scn) if explain else []
        if fmt is TableJson.json:
            data: dict[str, Any] = {"file": str(file), "valid": True}
            data["summary"] = scenario_summary(scn)
            if explain:
                data["defaults"] = [d.as_dict() for d in entries]
            _write(json.dumps(data, indent=2, ensure_ascii=False) + "\n", None)
            return
        typer.echo(f"{file}: valid: {scenario_summary(scn)}")
        if explain:
            out.print(_defaults_table(entries))


def _defaults_table(entries: list[Any]) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=f"{len(entries)} implicit defaults that change results"
        if entries
        else "no implicit defaults that change results",
        show_lines=True,
    )
    for name in ("setting", "value used", "applies to", "affects", "set it explicitly"):
        table.add_column(name, overflow="fold")
    for d in entries:
        more = f", … {len(d.paths) - 4} more" if len(d.paths) > 4 else ""
        cells = (d.setting, d.value, ", ".join(d.paths[:4]) + more, d.affects, d.explicit)
        table.add_row(*(Text(c) for c in cells))
    return table


@app.command()
def schema(
    output: OutputOption = None,
) -> None:
    """Print the JSON Schema of the scenario format.

    Example: `multipolar schema -o scenario.schema.json`
    """
    from multipolar.scenario.schema import Scenario

    with _reported():
        _write(json.dumps(Scenario.model_json_schema(), indent=2) + "\n", output)


@app.command()
def models() -> None:
    """List the registered forecasting models, their guarantees and sources.

    Example: `multipolar models`
    """
    from multipolar.models import specs
    from multipolar.report.console import models_table

    out.print(models_table(specs()))


@app.command()
def forecast(
    file: ScenarioArg,
    model: Annotated[
        list[str] | None,
        typer.Option("-m", "--model", help="Model name (repeatable); default: every model."),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = (
        OutputFormat.table
    ),
    seed: Annotated[int, SEED.option("--seed", help="Seed for stochastic models.")] = SEED.default,
    actors: Annotated[
        bool, typer.Option("--actors", help="Table format: also show per-actor diagnostics.")
    ] = False,
    output: OutputOption = None,
    trace: Annotated[
        bool,
        typer.Option(
            "--trace",
            help="Also print dynamic models' per-round positions (and the exchange model's "
            "exchanges).",
        ),
    ] = False,
    trace_out: Annotated[
        Path | None,
        output_option(
            "--trace-out",
            help="Write the per-round table (round, actor, issue, position, ...) as CSV.",
        ),
    ] = None,
    save: SaveOption = False,
    db: DbOption = None,
) -> None:
    """Forecast every issue with one or more models.

    Examples: `multipolar forecast scenarios/ukraine_2025_08.yaml`;
    `multipolar forecast s.yaml -m compromise -m nash --format json -o out.json`;
    `multipolar forecast emission.yaml -m eum --trace --trace-out trace.csv`
    """
    from multipolar.models import forecast_all
    from multipolar.report import console
    from multipolar.scenario import load

    with _reported():
        scn = load(file)
        results = forecast_all(scn, model, seed=seed)
        if fmt is OutputFormat.json:
            _write(console.forecasts_json(scn, results) + "\n", output)
        elif fmt is OutputFormat.csv:
            _write(console.forecasts_csv(results), output)
        else:
            with nullcontext() if output is None else output.open("w") as fh:
                target = out if fh is None else Console(file=fh, width=140)
                target.print(console.forecasts_table(scn, results))
                if actors:
                    for fc in results:
                        target.print(console.diagnostics_table(fc))
                if trace:
                    for fc in results:
                        for table in console.trace_tables(fc):
                            target.print(table)
                        exchanges = console.exchanges_table(scn, fc)
                        if exchanges is not None:
                            target.print(exchanges)
        if trace_out is not None:
            _write(console.trace_csv(results), trace_out)
        _record(save, db, scn, "forecast", {fc.model: fc for fc in results},
                model=",".join(fc.model for fc in results), seed=seed)  # fmt: skip


TableOrJson = Annotated[TableJson, typer.Option("--format", "-f", help="table or json.")]


def _emit(data: dict[str, Any], fmt: OutputFormat | TableJson, table: Any) -> None:
    if fmt.value == "json":
        _write(json.dumps(data, indent=2, ensure_ascii=False) + "\n", None)
    elif fmt.value == "csv":
        raise UsageError("this command writes table or json, not csv")
    else:
        out.print(table())


def main() -> None:
    """The console script: the app, then a quick exit (multipolar/cli_exit.py)."""
    from multipolar.cli_exit import run

    run(app)


# Analysis commands register themselves on `app` (kept in their own module for size).
from multipolar import (  # noqa: E402, F401
    cli_analyses,
    cli_backtest,
    cli_coalitions,
    cli_formats,
    cli_ledger,
    cli_new,
    cli_report,
    cli_server,
    cli_uncertainty,
)
