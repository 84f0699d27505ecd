"""The ``new`` command of the CLI (registered on ``multipolar.cli.app``): a starter scenario."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer

from multipolar.cli import _reported, app
from multipolar.errors import UsageError
from multipolar.params import Param

_SUFFIXES = (".yaml", ".yml", ".xlsx")


def _target(name: str, xlsx: bool) -> Path:
    path = Path(name)
    if not path.name or path.stem in ("", ".", ".."):
        raise UsageError(f"'{name}' is not a file name; fix: e.g. multipolar new my_case")
    suffix = path.suffix.lower()
    if suffix in _SUFFIXES:
        path = path.with_suffix("")
    return path.with_name(path.name + (".xlsx" if xlsx or suffix == ".xlsx" else suffix or ".yaml"))


NEW_ACTORS = Param("actors", int, 4, "Actors: two parties, a mediator, an outside power, then "
                   "parties.", low=2, high=26)  # fmt: skip
NEW_ISSUES = Param(
    "issues", int, 2, "Issues, each on a 0-100 scale.", low=1, high=12
)  # starter.MAX_ACTORS, MAX_ISSUES


@app.command()
def new(
    name: Annotated[str, typer.Argument(help="File to write: NAME.yaml (or NAME.xlsx).")],
    actors: Annotated[int, NEW_ACTORS.option("--actors")] = 4,
    issues: Annotated[int, NEW_ISSUES.option("--issues")] = 2,
    xlsx: Annotated[bool, typer.Option("--xlsx", help="Write a workbook (.xlsx) instead.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a starter scenario: valid as it is, commented, every value a marked placeholder.

    Two parties, a mediator and an outside power (more with `--actors`), two issues (more with
    `--issues`), sourced ranges, a `conflict:`, a `deal:` and one event. Replace the
    placeholders, then validate, forecast and report.

    Examples: `multipolar new my_case && multipolar report my_case.yaml -o my_case.html`;
    `multipolar new talks --actors 6 --issues 3 --xlsx` (edit it in a spreadsheet, then
    `multipolar import xlsx talks.xlsx -o talks.yaml`)
    """
    from multipolar.scenario.loader import parse_yaml, validate
    from multipolar.scenario.starter import starter_yaml

    with _reported():
        path = _target(name, xlsx)
        text = starter_yaml(path.name, actors, issues)
        if path.exists() and not force:
            raise UsageError(
                f"{path}: already exists; fix: choose another NAME, or add --force to overwrite it"
            )
        if path.suffix == ".xlsx":
            from multipolar.scenario.formats import export_file

            export_file("xlsx", [validate(parse_yaml(text)[0], str(path))], path)
            yaml_path = shlex.quote(str(path.with_suffix(".yaml")))
            then = f"multipolar import xlsx {shlex.quote(str(path))} -o {yaml_path}"
        else:
            try:
                path.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise UsageError(
                    f"{path}: cannot write ({exc.strerror}); fix: check the folder exists"
                ) from None
            then = f"multipolar validate {shlex.quote(str(path))}"
        typer.echo(f"wrote {path}: replace every PLACEHOLDER, then {then}", err=True)
