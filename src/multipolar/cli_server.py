"""The ``serve`` and ``runs`` commands of the CLI (registered on ``multipolar.cli.app``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from multipolar import params
from multipolar.cli import DbOption, TableJson, TableOrJson, _emit, _reported, app, out

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to bind; other than 127.0.0.1 exposes it.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, params.PORT.option("--port")] = params.PORT.default,
) -> None:
    """Start the web app for what-if analysis (sliders, forecasts, deals, timeline, saved runs).

    Example: `multipolar serve --db runs.sqlite --port 8000` then open http://127.0.0.1:8000/
    """
    with _reported(spin=False):
        import uvicorn

        from multipolar.server.app import create_app
        from multipolar.store.db import display_url, resolve_url

        web = create_app(db_url=db, warm_up=True)
        if host not in LOOPBACK:
            typer.echo(
                f"warning: binding {host}: anyone who can reach this machine can use the app "
                "(there is no authentication)",
                err=True,
            )
        typer.echo(f"runs are saved to {display_url(resolve_url(db))}", err=True)
        typer.echo(f"open http://{host}:{port}/ (API documented at /docs)", err=True)
        uvicorn.run(web, host=host, port=port, log_level="warning", ws="none")


runs_app = typer.Typer(
    help="The run store: list, show and compare saved runs.\n\n"
    "Example: `multipolar runs list --db runs.sqlite`",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(runs_app, name="runs")


def _short(value: Any, width: int = 60) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


@runs_app.command("list")
def list_(
    db: DbOption = None,
    limit: Annotated[int, params.RUNS_LIMIT.option("--limit")] = params.RUNS_LIMIT.default,
    kind: Annotated[str | None, typer.Option(help="Only runs of this kind.")] = None,
    fmt: TableOrJson = TableJson.table,
) -> None:
    """List saved runs, latest first, and name the database they are in. Reading never
    creates a database: a missing one is an error.

    Example: `multipolar runs list --db runs.sqlite --limit 10`
    """
    from rich.table import Table

    from multipolar.store import list_runs
    from multipolar.store.db import store_name

    with _reported(spin=False):
        records = list_runs(db, limit=limit, kind=kind)
        name = store_name(db)

        def table() -> Table:
            t = Table(title=f"Saved runs: {len(records)}", title_justify="left")
            for col in ("id", "created", "kind", "model", "seed", "scenario", "hash", "version"):
                t.add_column(col, justify="right" if col in ("id", "seed") else "left")
            for r in records:
                t.add_row(str(r.id), r.created, r.kind, r.model or "-", str(r.seed),
                          _short(r.title, 40), r.scenario_hash[:12], r.version)  # fmt: skip
            return t

        if fmt is TableJson.table:  # the first line names the store, unwrapped
            out.print(f"run store: {name}", soft_wrap=True, markup=False, highlight=False)
        _emit({"database": name, "runs": [r.as_dict() for r in records]}, fmt, table)


@runs_app.command()
def show(
    run_id: Annotated[int, params.RUN_ID.argument("ID", help="Run id (see `runs list`).")],
    db: DbOption = None,
    fmt: TableOrJson = TableJson.table,
) -> None:
    """Show one run: what ran, on which scenario, with which parameters, and its results.

    Example: `multipolar runs show 3 --format json`
    """
    from rich.console import Group
    from rich.table import Table

    from multipolar.store import get_run
    from multipolar.store.runs import flatten

    with _reported(spin=False):
        record = get_run(run_id, db)

        def tables() -> Group:
            meta = Table(title=f"Run {record.id}", title_justify="left", show_header=False)
            meta.add_column("field")
            meta.add_column("value")
            for field in ("created", "kind", "model", "seed", "version", "title", "scenario_hash"):
                meta.add_row(field, str(getattr(record, field)))
            for path, value in flatten(record.parameters).items():
                meta.add_row(f"parameters.{path}", _short(value))
            parts = Table(title="Results", title_justify="left")
            parts.add_column("part")
            parts.add_column("summary")
            for name, data in (record.results or {}).items():
                if isinstance(data, dict) and isinstance(data.get("forecast"), dict):
                    text = ", ".join(f"{k} {v:.2f}" for k, v in data["forecast"].items())
                else:
                    text = f"{len(flatten(data))} values (see --format json)"
                parts.add_row(name, text)
            return Group(meta, parts)

        _emit(record.as_dict(), fmt, tables)


@runs_app.command()
def diff(
    first: Annotated[int, params.RUN_ID.argument("ID1", help="The earlier run.")],
    second: Annotated[int, params.RUN_ID.argument("ID2", help="The later run.")],
    db: DbOption = None,
    limit: Annotated[int, params.DIFF_LIMIT.option("--limit")] = params.DIFF_LIMIT.default,
    fmt: TableOrJson = TableJson.table,
) -> None:
    """What changed between two runs: parameters, scenario values (by path) and results.

    Example: `multipolar runs diff 3 4`
    """
    from rich.console import Group
    from rich.table import Table

    from multipolar.store import diff_runs, get_run

    with _reported(spin=False):
        data = diff_runs(get_run(first, db), get_run(second, db))

        def tables() -> Group:
            out_tables = []
            if data["fields"]:
                t = Table(title="Run fields", title_justify="left")
                for col in ("field", f"run {first}", f"run {second}"):
                    t.add_column(col)
                for name, (a, b) in data["fields"].items():
                    t.add_row(name, str(a), str(b))
                out_tables.append(t)
            for section in ("parameters", "scenario", "results"):
                rows = data[section]
                t = Table(title=f"{section}: {len(rows)} changed", title_justify="left")
                for col in ("path", f"run {first}", f"run {second}", "change"):
                    t.add_column(col, justify="left" if col == "path" else "right")
                for row in rows[:limit]:
                    delta = f"{row['delta']:+.4g}" if "delta" in row else ""
                    t.add_row(row["path"], _short(row["a"], 30), _short(row["b"], 30), delta)
                if len(rows) > limit:
                    t.add_row(
                        f"... and {len(rows) - limit} more (--limit, --format json)", "", "", ""
                    )
                out_tables.append(t)
            return Group(*out_tables)

        _emit(data, fmt, tables)
        if fmt is TableJson.table and not any(
            data[s] for s in ("fields", "parameters", "scenario", "results")
        ):
            out.print("the two runs are the same")
