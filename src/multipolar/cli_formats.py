"""The ``import`` and ``export`` commands of the CLI (registered on ``multipolar.cli.app``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from multipolar.cli import _reported, _write, app
from multipolar.errors import UsageError
from multipolar.params import output_option


def _parse_scale(scale: str | None) -> tuple[float, float] | None:
    if scale is None:
        return None
    try:
        lo, hi = (float(v) for v in scale.split(","))
    except ValueError:
        raise UsageError(f"--scale {scale!r}: expected LOW,HIGH, e.g. --scale 0,100") from None
    return lo, hi


@app.command("import")
def import_(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="ktab, bdm, deu, decide or xlsx.")],
    file: Annotated[Path, typer.Argument(help="File to import.")],
    output: Annotated[
        Path | None,
        output_option(
            "-o", "--output", help="Scenario file (.yaml/.json), or a folder for many.", folder=True
        ),
    ] = None,
    scale: Annotated[
        str | None, typer.Option(help="bdm: issue scale LOW,HIGH (default: range of positions).")
    ] = None,
    all_rows: Annotated[
        bool, typer.Option("--all", help="deu: keep unscoreable issues too.")
    ] = False,
) -> None:
    """Import a KTAB, BDM, DEU III or decide file, or a workbook, as multipolar scenario(s).

    Examples: `multipolar import bdm emission_standards.csv -o emission.yaml`;
    `multipolar import deu deu3.csv -o deu3/` (one scenario per issue);
    `multipolar import decide "verkiezing 2012.csv" -o dutch2012.yaml` (decide's input format);
    `multipolar import xlsx case.xlsx -o case.yaml` (errors name the sheet and cell).
    """
    from multipolar.scenario.formats import import_file
    from multipolar.scenario.loader import dumps, save

    with _reported():
        options: dict[str, Any] = {}
        if fmt == "bdm" and scale is not None:
            options["scale"] = _parse_scale(scale)
        if fmt == "deu" and all_rows:
            options["scoreable_only"] = False
        result = import_file(fmt, file, **options)
        for note in result.notes:
            typer.echo(f"note: {note}", err=True)
        scenarios = result.scenarios
        if output is None:
            if len(scenarios) != 1:
                raise UsageError(
                    f"{file}: holds {len(scenarios)} scenarios; fix: give -o FOLDER to write them"
                )
            _write(dumps(scenarios[0]), None)
        elif len(scenarios) == 1 and output.suffix.lower() in (".yaml", ".yml", ".json"):
            save(scenarios[0], output)
            typer.echo(f"wrote {output}", err=True)
        else:
            output.mkdir(parents=True, exist_ok=True)
            for scn in scenarios:
                save(scn, output / f"{scn.id or 'scenario'}.yaml")
            typer.echo(f"wrote {len(scenarios)} scenarios to {output}/", err=True)


@app.command()
def export(
    fmt: Annotated[
        str, typer.Argument(metavar="FORMAT", help="ktab, bdm, deu, decide, xlsx, yaml, json.")
    ],
    file: Annotated[
        Path | None,
        typer.Argument(help="Scenario file; alone (no FORMAT), the format follows -o's suffix."),
    ] = None,
    output: Annotated[Path | None, output_option("-o", "--output", help="Output file.")] = None,
) -> None:
    """Write a scenario in another tool's format or as a workbook (the inverse of `import`).

    Examples: `multipolar export ktab scenario.yaml -o scenario.csv`;
    `multipolar export xlsx s.yaml -o s.xlsx` (or `multipolar export s.yaml -o s.xlsx`)
    """
    from multipolar.scenario import load
    from multipolar.scenario.formats import export_file, export_text, format_of

    with _reported():
        if file is None:  # `export SCENARIO -o OUT.xlsx`
            fmt, file = format_of(output), Path(fmt)
        scn = load(file)
        if output is None:
            _write(export_text(fmt, [scn]), None)
        else:
            export_file(fmt, [scn], output)
