"""The coalition commands of the ``multipolar`` CLI: coalitions and mediators. They register on
the app defined in ``multipolar.cli``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from multipolar import params
from multipolar.cli import ScenarioArg, TableJson, TableOrJson, _emit, _reported, app
from multipolar.coalitions.defaults import THRESHOLD
from multipolar.defaults import SEED

MEDIATOR_BIAS = params.BIAS.with_(
    default=None, optional=True,
    help="Weight of each mediator's own interest in its text (default: each actor's mean "
    "salience).",
)  # fmt: skip
THRESHOLD_PARAM = params.Param(
    "threshold", float, THRESHOLD, "Cut of the clustering: groups form one bloc while their "
    "mean alignment is at least this.", low=0.0, high=1.0,
)  # fmt: skip


@app.command()
def coalitions(
    file: ScenarioArg,
    threshold: Annotated[float, THRESHOLD_PARAM.option()] = THRESHOLD,
    leximin: Annotated[
        bool,
        typer.Option("--leximin", help="Read the deal at the `deals` verdict's egalitarian "
                     "package (same zone and binding margin; slower)."),
    ] = False,
    seed: Annotated[int, params.SEED.option()] = SEED,
    fmt: TableOrJson = TableJson.table,
) -> None:  # fmt: skip
    """Blocs and their cohesion at the baseline and after each event, the wedge that most
    divides each bloc (and what it does to the deal), and the pivotal actors of the deal
    (Shapley values of its coalition game).

    Example: `multipolar coalitions scenarios/ukraine_2025_08.yaml --format json`
    """
    from multipolar.coalitions.analysis import analyse_coalitions
    from multipolar.report.coalitions_console import coalition_tables
    from multipolar.scenario import load

    with _reported():
        result = analyse_coalitions(load(file), threshold=threshold, leximin=leximin, seed=seed)

        def tables() -> Any:
            from rich.console import Group

            return Group(*coalition_tables(result))

        _emit(result.as_dict(), fmt, tables)


@app.command()
def mediators(
    file: ScenarioArg,
    actor: Annotated[
        str | None,
        typer.Option("--actor", help="Whose advantage over the best other to explain "
                     "(default: the top-ranked)."),
    ] = None,
    bias: Annotated[float | None, MEDIATOR_BIAS.option("--bias")] = None,
    fmt: TableOrJson = TableJson.table,
) -> None:  # fmt: skip
    """Who can mediate: each actor's bridge score (closeness to both sides of the conflict,
    capability share, and whether its own single negotiating text is accepted), ranked with
    the reasons, and one actor's advantage over the best other, by driver.

    Example: `multipolar mediators scenarios/ukraine_2025_08.yaml --actor TUR`
    """
    from multipolar.coalitions.mediators import mediators as run
    from multipolar.report.coalitions_console import mediator_tables
    from multipolar.scenario import load

    with _reported():
        result = run(load(file), bias=bias)
        if actor is not None:
            result.get(actor)  # an unknown actor is a usage error, before any output

        def tables() -> Any:
            from rich.console import Group

            return Group(*mediator_tables(result, actor))

        _emit(result.as_dict(actor), fmt, tables)
