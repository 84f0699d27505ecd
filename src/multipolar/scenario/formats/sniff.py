"""Which supported format a file looks like: the error of an importer given another format's
file names that format and the command that reads it.

Only cheap, unambiguous signs are used: KTAB XML's ``<Scenario>`` root, a multipolar scenario's
top-level ``actors:`` and ``issues:``, DEU III's ``isnr`` and ``p<actor>`` columns, a BDM
header with Position and Salience columns, KTAB CSV's first line ``name, description,
actors, dimensions``, and decide's row marks (``#A``, ``#P``, ``#M``, ``#D``, ``#/``, ``#O``).
"""

from __future__ import annotations

import csv
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from multipolar.scenario.formats.common import Collector, first_line, sniff_delimiter

_POSITION = re.compile(r"^(?:position|pos|pstn|stance|preference)")
_SALIENCE = re.compile(r"^(?:salience|sal|importance|priority)")
_DEU_ACTOR = re.compile(r"^p(?:com|ep|[a-z]{2})$")
_WHOLE = re.compile(r"\d+")
_DECIDE = re.compile(r"""^['"]?#[APMDO/]['"]?\s*[;\t,]""")


@dataclass(frozen=True)
class Guess:
    """A supported format a file looks like: ``fmt``, a description, the command to use."""

    fmt: str
    what: str
    fix: str


def _key(cell: str) -> str:
    return re.sub(r"[^a-z0-9]", "", cell.lower())


def _header(text: str) -> list[str]:
    line = first_line(text)
    delimiter = "\t" if "\t" in line else sniff_delimiter(line)
    cells = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
    return [c.strip() for c in cells]


def ktab_csv_line1(cells: list[str]) -> bool:
    """KTAB CSV's first line: name, description, a number of actors and of dimensions."""
    return len(cells) >= 4 and all(
        _WHOLE.fullmatch(c.strip()) and len(c.strip()) <= 9 and int(c) > 0 for c in cells[2:4]
    )


def guess(text: str, path: Path | str) -> Guess | None:
    """The supported format ``text`` (the contents of ``path``) looks like, or None."""
    file = shlex.quote(str(path))
    head = text.lstrip()
    if head.startswith("<"):
        if "<Scenario" in head[:4000]:
            what = "a KTAB SMP XML file (root <Scenario>)"
            return Guess("ktab", what, f"multipolar import ktab {file}")
        return None
    json_scenario = head.startswith("{") and '"actors"' in head
    yaml_scenario = re.search(r"(?m)^actors\s*:", text) and re.search(r"(?m)^issues\s*:", text)
    if json_scenario or yaml_scenario:
        what = "a multipolar scenario already (top-level actors and issues)"
        return Guess("yaml", what, f"use it as it is, e.g. multipolar validate {file}")
    if _DECIDE.match(first_line(text).lstrip()):
        what = "a decide input file (rows #A, #P, #M, #D)"
        return Guess("decide", what, f"multipolar import decide {file}")
    cells = _header(text)
    keys = [_key(c) for c in cells]
    if "isnr" in keys and any(_DEU_ACTOR.match(k) for k in keys):
        what = "a DEU III table (columns isnr, p<actor>, s<actor>, rp, out)"
        return Guess("deu", what, f"multipolar import deu {file} -o FOLDER/")
    comma = next(csv.reader([first_line(text)], skipinitialspace=True), [])
    if ktab_csv_line1(comma):
        what = (
            f"a KTAB SMP CSV file (line 1: name, description, {comma[2].strip()} actors, "
            f"{comma[3].strip()} dimensions)"
        )
        return Guess("ktab", what, f"multipolar import ktab {file}")
    if any(_POSITION.match(k) for k in keys) and any(_SALIENCE.match(k) for k in keys):
        shown = ", ".join(cells[:6]) + (", ..." if len(cells) > 6 else "")
        return Guess("bdm", f"a BDM table (header {shown})", f"multipolar import bdm {file}")
    return None


def refuse_other(c: Collector, line: int, text: str, fmt: str, this: str) -> None:
    """Fail with "this looks like <another format>" when ``text`` looks like a supported format
    other than ``fmt`` (``this`` describes ``fmt``'s files); else do nothing."""
    found = guess(text, c.file)
    if found is not None and found.fmt != fmt:
        c.fail(line, f"this looks like {found.what}, not {this}", found.fix)
