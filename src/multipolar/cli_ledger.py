"""The ``ledger`` commands: seal forecasts, list, resolve, grade and verify them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from multipolar.cli import (
    DbOption,
    ScenarioArg,
    TableJson,
    TableOrJson,
    _emit,
    _reported,
    _write,
    app,
    out,
)
from multipolar.cli_analyses import DrawsOption, SeedOption
from multipolar.defaults import DRAWS, SEED
from multipolar.errors import UsageError

ledger_app = typer.Typer(
    help="Accountable forecasts: seal each question's forecast in an append-only, hash-chained "
    "ledger, resolve questions, grade forecasts with proper scores.\n\n"
    "Example: `multipolar ledger seal scenarios/ukraine_2025_08.yaml --timeline`",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(ledger_app, name="ledger")


def _forecast_text(data: dict[str, Any]) -> str:
    if data.get("kind") == "binary":
        return f"P(yes) {data['probability']:.1%}"
    q = data.get("quantiles", {})
    mid = q.get("0.5")
    return (f"median {mid:.4g}, " if mid is not None else "") + ", ".join(
        f"q{k} {v:.4g}" for k, v in q.items() if k != "0.5"
    )


@ledger_app.command("seal")
def seal_cmd(
    file: ScenarioArg,
    db: DbOption = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Model answering threshold and numeric questions (default: each question's own).",
        ),
    ] = None,
    draws: DrawsOption = DRAWS,
    seed: SeedOption = SEED,
    timeline: Annotated[
        bool,
        typer.Option(
            "--timeline",
            help="Seal one forecast per revision point: the baseline and every event date.",
        ),
    ] = False,
    fmt: TableOrJson = TableJson.table,
) -> None:
    """Answer every question of a scenario and seal the forecasts in the ledger.

    Each entry keeps the probability (binary) or quantiles (numeric), the scenario's content
    hash, the engine version, model, draws, seed and the UTC time.

    Example: `multipolar ledger seal scenarios/ukraine_2025_08.yaml --timeline --db runs.sqlite`
    """
    from multipolar.ledger.seal import seal
    from multipolar.scenario import load
    from multipolar.store.db import store_name

    with _reported():
        if draws < 1:
            raise UsageError(f"--draws {draws}: must be at least 1; fix: e.g. --draws {DRAWS}")
        scn = load(file)
        sealed = seal(scn, db=db, model=model, draws=draws, seed=seed, timeline=timeline)
        _entries_out(sealed, fmt, f"Sealed {len(sealed)} forecasts in {store_name(db)}")


def _entries_out(entries: list[Any], fmt: TableJson, title: str) -> None:
    from rich.table import Table

    def table() -> Table:
        t = Table(title=title, title_justify="left")
        for col in ("#", "kind", "question", "as of", "model", "forecast / outcome", "hash"):
            t.add_column(col, justify="right" if col == "#" else "left")
        for e in entries:
            d = e.data
            what = (_forecast_text(d) if e.kind == "forecast"
                    else f"{d['outcome']} ({d['source']})")  # fmt: skip
            t.add_row(str(e.seq), e.kind, e.question, d.get("as_of", d.get("resolved", "")),
                      d.get("model", "-"), what, e.hash[:12])  # fmt: skip
        return t

    _emit({"entries": [e.to_dict() for e in entries]}, fmt, table)


@ledger_app.command("list")
def list_cmd(
    db: DbOption = None,
    question: Annotated[str | None, typer.Option(help="Only this question's entries.")] = None,
    fmt: TableOrJson = TableJson.table,
) -> None:
    """List the ledger's entries in order (reading never creates a database).

    Example: `multipolar ledger list --format json`
    """
    from multipolar.store.db import store_name
    from multipolar.store.ledger import entries

    with _reported(spin=False):
        found = [e for e in entries(db)
                 if question is None or e.question == question
                 or e.question.split(":", 1)[-1] == question]  # fmt: skip
        _entries_out(found, fmt, f"Ledger {store_name(db)}: {len(found)} entries")


@ledger_app.command("resolve")
def resolve_cmd(
    question: Annotated[str, typer.Argument(help="Question key SCENARIO:ID, or its id alone.")],
    outcome: Annotated[str, typer.Option(help="yes/no (binary) or a value on the scale.")],
    source: Annotated[str, typer.Option(help="Where the outcome is reported (named).")],
    date: Annotated[
        str | None, typer.Option(help="When it resolved, YYYY-MM-DD (default: today, UTC).")
    ] = None,
    db: DbOption = None,
    fmt: TableOrJson = TableJson.table,
) -> None:
    """Record a question's outcome in the ledger (once; entries are never changed).

    Example: `multipolar ledger resolve deal_2025 --outcome no --source "Reuters, 31 Dec 2025"`
    """
    from multipolar.ledger.seal import resolve

    with _reported(spin=False):
        when = None
        if date is not None:
            try:
                when = dt.date.fromisoformat(date)
            except ValueError:
                raise UsageError(f"--date {date!r} is not a date; fix: give YYYY-MM-DD") from None
        entry = resolve(question, outcome, source, db=db, date=when)
        _entries_out([entry], fmt, f"Resolved {entry.question}")


@ledger_app.command("verify")
def verify_cmd(db: DbOption = None, fmt: TableOrJson = TableJson.table) -> None:
    """Recompute every entry's hash and check the chain; exit 1 naming the first entry that was
    edited, deleted or reordered.

    Example: `multipolar ledger verify --db runs.sqlite`
    """
    from multipolar.store.db import store_name
    from multipolar.store.ledger import entries, verify

    with _reported(spin=False):
        result = verify(db)
        head = entries(db)[-1].hash if result.ok and result.entries else None
        data = {"database": store_name(db), "entries": result.entries, "ok": result.ok,
                "problem": result.problem, "head": head}  # fmt: skip
        if fmt is TableJson.json:
            _emit(data, fmt, lambda: None)
        elif result.ok:
            out.print(
                f"ledger {data['database']}: {result.entries} entries, chain intact"
                + (f"; head {head}" if head else ""),
                soft_wrap=True,
                markup=False,
            )
        else:
            typer.echo(f"ledger {data['database']}: {result.problem}", err=True)
    if not result.ok:
        raise typer.Exit(1)


@ledger_app.command("grade")
def grade_cmd(
    db: DbOption = None,
    by: Annotated[str, typer.Option(help="Group the summary by: model.")] = "model",
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, json or html (html needs -o).")
    ] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
) -> None:
    """Score every resolved question: Brier (with Murphy's decomposition) and log score for
    binary questions, CRPS, 50 %/90 % coverage and PIT for numeric ones, per model, and each
    question's time-averaged score over its revisions.

    Example: `multipolar ledger grade --format html -o grades.html`
    """
    from multipolar.ledger.grade import grade
    from multipolar.ledger.render import grades_html, grades_table
    from multipolar.store.ledger import entries

    with _reported(spin=False):
        if by != "model":
            raise UsageError(f"--by {by!r}: grades are grouped by model; fix: --by model")
        if fmt not in ("table", "json", "html"):
            raise UsageError(f"--format {fmt!r}; fix: use table, json or html")
        grades = grade(entries(db))
        if fmt == "html":
            if output is None:
                raise UsageError("--format html writes a file; fix: add -o grades.html")
            _write(grades_html(grades), output)
        elif fmt == "json":
            import json

            _write(json.dumps(grades.to_dict(), indent=2, ensure_ascii=False) + "\n", output)
        else:
            out.print(grades_table(grades))


@ledger_app.command("backtest")
def backtest_cmd(
    folder: Annotated[Path, typer.Argument(help="The case library: scenarios + outcomes.yaml.")],
    draws: DrawsOption = DRAWS,
    seed: SeedOption = SEED,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Keep the sealed ledger here (default: a temporary one)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the Markdown page here.")
    ] = None,
    fmt: TableOrJson = TableJson.table,
) -> None:
    """Seal every case of a library as of its date, resolve it from the library's outcomes and
    grade the engine's Brier and log score against the base rate and "always 50 %", with
    bootstrap intervals.

    Example: `multipolar ledger backtest cases/ -o docs/backtest/cases.md`
    """
    from rich.table import Table

    from multipolar.ledger.backtest import render, run_cases, summarise

    with _reported():
        if draws < 1:
            raise UsageError(f"--draws {draws}: must be at least 1; fix: e.g. --draws {DRAWS}")
        if not folder.is_dir():
            raise UsageError(f"{folder}: not a folder; fix: give the case library's folder")
        rows = run_cases(folder, draws=draws, seed=seed, db=db)
        summary = summarise(rows, seed=seed)
        if output is not None:
            command = f"multipolar ledger backtest {folder.as_posix().rstrip('/')}/"
            if (draws, seed) != (DRAWS, SEED):
                command += f" --draws {draws} --seed {seed}"
            _write(render(rows, summary, command=command, draws=draws, seed=seed), output)

        def table() -> Table:
            t = Table(title=f"Case library: {summary.n} cases ({draws:,} draws, seed {seed})",
                      title_justify="left")  # fmt: skip
            for col in ("case", "as of", "P(yes)", "outcome", "base rate", "what binds"):
                t.add_column(col)
            for r in rows:
                t.add_row(r.case, r.as_of, f"{r.probability:.1%}", "yes" if r.outcome else "no",
                          f"{r.base_rate:.1%}", r.binding or "-")  # fmt: skip
            for name, s in summary.scores.items():
                t.add_row(f"mean score: {name}", "", f"Brier {s['brier']:.3f}", "",
                          f"log {s['log']:.3f}", "")  # fmt: skip
            return t

        _emit({"cases": [r.to_dict() for r in rows], "summary": summary.to_dict()}, fmt, table)
