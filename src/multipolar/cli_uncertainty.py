"""The uncertainty commands of the CLI: ``simulate`` (Monte Carlo of any model or of deal
feasibility, on local processes or Ray) and ``sensitivity`` (Sobol indices and a tornado)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from multipolar import params
from multipolar.cli import (
    _QUIET,
    DbOption,
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
from multipolar.defaults import DRAWS
from multipolar.errors import UsageError
from multipolar.params import output_option
from multipolar.uncertainty.backends import Backend

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def _forecast_table(result: dict[str, Any]) -> Any:
    from rich.table import Table

    t = Table(title=f"{result['model']}: {result['draws']} draws, seed {result['seed']}",
              title_justify="left")  # fmt: skip
    for col in ("issue", "mean", "sd", "5%", "50%", "95%"):
        t.add_column(col, justify="left" if col == "issue" else "right")
    for issue, row in result["issues"].items():
        q = row["quantiles"]
        t.add_row(issue, f"{row['mean']:.2f}", f"{row['sd']:.2f}", f"{q['0.05']:.2f}",
                  f"{q['0.50']:.2f}", f"{q['0.95']:.2f}")  # fmt: skip
    return t


def _deals_table(result: dict[str, Any]) -> Any:
    from rich.console import Group
    from rich.table import Table

    head = Table(title=f"Deal feasibility: {result['draws']} draws, seed {result['seed']}",
                 title_justify="left", show_header=False)  # fmt: skip
    head.add_row("P(zone of agreement), re-solved per draw", f"{result['p_zone']:.1%}")
    head.add_row(
        "P(all accept the egalitarian package fixed now)",
        f"{result['p_accept_point_package']:.1%}",
    )
    if result["margin"] is not None:
        q = result["margin"]["quantiles"]
        head.add_row("max–min margin 5% / 50% / 95%",
                     f"{q['0.05']:+.4f} / {q['0.50']:+.4f} / {q['0.95']:+.4f}")  # fmt: skip
    parties = Table(
        title="What binds at the max–min package (share of draws)", title_justify="left"
    )
    for col in ("row", "all draws", "draws without a zone"):
        parties.add_column(col, justify="left" if col == "row" else "right")
    for name, row in result["binding_party"].items():
        parties.add_row(name, f"{row['share']:.3f}", f"{row['share_without_zone']:.3f}")
    pkg = Table(title="Max–min package", title_justify="left")
    for col in ("issue", "best values", "5%", "50%", "95%"):
        pkg.add_column(col, justify="left" if col == "issue" else "right")
    for issue, row in result["package"].items():
        q = row["quantiles"]
        pkg.add_row(issue, f"{result['point_package'][issue]:.1f}", f"{q['0.05']:.1f}",
                    f"{q['0.50']:.1f}", f"{q['0.95']:.1f}")  # fmt: skip
    return Group(head, parties, pkg)


@app.command()
def simulate(
    file: ScenarioArg,
    draws: Annotated[int, params.SIMULATE_DRAWS.option("--draws")] = DRAWS,
    seed: Annotated[
        int, params.SEED.option("--seed", help="Seed: the same seed gives the same output.")
    ] = params.SEED.default,
    model: Annotated[
        str, typer.Option("-m", "--model", help="Forecasting model, or `deals` for feasibility.")
    ] = "compromise",
    backend: Annotated[Backend, typer.Option(help="Where draws run.")] = Backend.local,
    workers: Annotated[int, params.WORKERS.option("--workers")] = params.WORKERS.default,
    address: Annotated[
        str | None, typer.Option(help="Ray cluster address (with --backend ray).")
    ] = None,
    quiet: Quiet = False,
    fmt: TableOrJson = TableJson.table,
    output: Annotated[Path | None, output_option("-o", "--output", help="Write JSON here.")] = None,
    save: SaveOption = False,
    db: DbOption = None,
) -> None:
    """Monte Carlo over every ranged estimate: forecast distributions per issue, or (`-m deals`)
    the probability of a zone of agreement, the margin and who binds.

    Example: `multipolar simulate scenarios/ukraine_2025_08.yaml --draws 10000 --seed 1 -m eum`
    """
    from multipolar.scenario import load
    from multipolar.uncertainty.backends import progress_bar

    with _reported(spin=False):
        scn = load(file)
        with progress_bar(f"{model}: draws", draws, quiet=quiet or _QUIET["on"]) as tick:
            if model == "deals":
                from multipolar.uncertainty.feasibility import deal_feasibility

                result = deal_feasibility(
                    scn, draws=draws, seed=seed, progress=tick, backend=backend, workers=workers,
                    address=address,
                )  # fmt: skip
                data = result.as_dict()
                table = _deals_table
            else:
                from multipolar.uncertainty.montecarlo import simulate as run

                sim = run(
                    scn, model, draws=draws, seed=seed, progress=tick, backend=backend,
                    workers=workers, address=address,
                )  # fmt: skip
                data = sim.as_dict()
                table = _forecast_table
        _record(save, db, scn, "simulate", {"simulation": data}, model=model, seed=seed,
                parameters={"draws": draws})  # fmt: skip
        if output is not None:
            _write(json.dumps(data, indent=2) + "\n", output)
            return
        _emit(data, fmt, lambda: table(data))


@app.command()
def sensitivity(
    file: ScenarioArg,
    model: Annotated[str, typer.Option("-m", "--model", help="Forecasting model.")] = "compromise",
    issue: Annotated[str | None, typer.Option(help="Issue whose forecast to explain.")] = None,
    target: Annotated[
        str, typer.Option(help="forecast, agreement (zone exists) or margin (max–min, or --actor).")
    ] = "forecast",
    actor: Annotated[
        str | None, typer.Option(help="With --target margin: this party's margin.")
    ] = None,
    samples: Annotated[int, params.SAMPLES.option("--samples")] = params.SAMPLES.default,
    seed: Annotated[
        int, params.SEED.option("--seed", help="Seed of the Sobol sequence.")
    ] = params.SEED.default,
    fmt: TableOrJson = TableJson.table,
    output: Annotated[Path | None, output_option("--output", "-o", help="Write JSON here.")] = None,
) -> None:
    """Which inputs drive an output: Sobol first-order and total indices, and a tornado.

    Example: `multipolar sensitivity scenarios/ukraine_2025_08.yaml --target agreement -o s.json`
    """
    from multipolar.scenario import load
    from multipolar.uncertainty import sensitivity as sens

    with _reported():
        scn = load(file)
        if target == "forecast":
            what = issue or scn.issue_ids[0]
            label = f"{model} forecast of {what}"
            sobol = sens.forecast_sobol(scn, model, what, n=samples, seed=seed)
            rows = sens.tornado(scn, model, what, seed=seed)
        else:
            if actor is not None and target != "margin":
                raise UsageError("--actor goes with --target margin")
            label = f"{actor}'s margin" if actor else target
            sobol = sens.deal_sobol(scn, target, actor, n=samples, seed=seed)
            rows = sens.deal_tornado(scn, target, actor)
        result: dict[str, Any] = {
            "target": target, "model": model if target == "forecast" else None,
            "issue": what if target == "forecast" else None, "actor": actor, "seed": seed,
            "sobol": sobol.as_dict(), "tornado": rows,
        }  # fmt: skip
        if output is not None:
            _write(json.dumps(result, indent=2) + "\n", output)
            return

        def table() -> Any:
            from rich.console import Group
            from rich.table import Table

            s = Table(title=f"Sobol indices: {label}", title_justify="left")
            for col in ("input", "S1", "±", "ST", "± "):
                s.add_column(col, justify="left" if col == "input" else "right")
            for row in result["sobol"]["indices"][:15]:
                s.add_row(row["input"], f"{row['S1']:.3f}", f"{row['S1_conf']:.3f}",
                          f"{row['ST']:.3f}", f"{row['ST_conf']:.3f}")  # fmt: skip
            t = Table(title="Tornado (one at a time: low / high)", title_justify="left")
            for col in ("input", "at low", "at high", "swing"):
                t.add_column(col, justify="left" if col == "input" else "right")
            for row in result["tornado"][:15]:
                t.add_row(row["input"], f"{row['at_low']:.4g}", f"{row['at_high']:.4g}",
                          f"{row['swing']:.4g}")  # fmt: skip
            return Group(s, t)

        _emit(result, fmt, table)
