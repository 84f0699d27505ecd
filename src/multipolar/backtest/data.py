"""DEU III issues for the backtest: the importer's scenarios plus a reliable proposal date.

The copy of DEU III in ../shared has spreadsheet-corrupted dates: a ``dd-mm-yy`` cell such as
``14-07-04`` (14 July 2004) was read as year 2014, month 07, day 04 and written back as
``2014-07-04``. Such a ``yyyy-mm-dd`` cell is repaired to day ``yyyy mod 100``, month ``mm``,
year ``dd`` (two-digit years: 00-49 are 20xx, 50-99 19xx). Clean cells are ``dd-mm-yy`` or
``dd-mm-yyyy``. The proposal id (``prnr``: a letter and the year's two digits, ``d04209``,
``d160280``) fixes the year independently: a parsed date must fall in that year or the next
(the Commission's document number and its transmission can straddle a new year); otherwise,
or when the cell is missing, the date is 1 July of the id's year.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from multipolar.errors import UsageError
from multipolar.scenario.arrays import Inputs, to_inputs
from multipolar.scenario.formats import import_file
from multipolar.scenario.schema import Scenario

DateSource = Literal["clean", "repaired", "proposal-id"]
Rule = Literal["qmv", "unanimity"]
INSTITUTIONS = ("com", "ep")  # the Commission and the European Parliament in DEU's codes
_DMY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{2}|\d{4})$")
_YMD = re.compile(r"^((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})$")
_ID_YEAR = re.compile(r"^[A-Za-z](\d{2})")


def _year(two_or_four: str) -> int:
    value = int(two_or_four)
    if len(two_or_four) == 4:
        return value
    return 2000 + value if value < 50 else 1900 + value


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(cell: str) -> tuple[dt.date | None, DateSource | None]:
    """A DEU date cell as a date and how it was read, or ``(None, None)`` if unreadable."""
    text = cell.strip().strip('"')
    clean = _DMY.match(text)
    if clean:
        day, month, year = clean.groups()
        got = _date(_year(year), int(month), int(day))
        return (got, "clean") if got else (None, None)
    corrupted = _YMD.match(text)
    if corrupted:
        yyyy, month, dd = corrupted.groups()
        got = _date(_year(f"{int(dd):02d}"), int(month), int(yyyy) % 100)
        return (got, "repaired") if got else (None, None)
    return None, None


def proposal_year(proposal: str) -> int | None:
    """The year in a DEU proposal id (``d04209`` -> 2004, ``d160280`` -> 2016)."""
    match = _ID_YEAR.match(proposal)
    return _year(match.group(1)) if match else None


def proposal_date(intro: str, proposal: str) -> tuple[dt.date, DateSource]:
    """The proposal's date from the ``intro`` cell, checked against the id's year."""
    day, how = parse_date(intro)
    year = proposal_year(proposal)
    if day is not None and how is not None and (year is None or day.year in (year, year + 1)):
        return day, how
    if year is None:
        raise UsageError(
            f"proposal '{proposal}': no readable date ({intro!r}) and no year in its id; "
            "fix: give intro as dd-mm-yy"
        )
    return dt.date(year, 7, 1), "proposal-id"


@dataclass(frozen=True)
class DeuIssue:
    """One scoreable DEU III issue with what the backtest needs to know about it."""

    id: str
    proposal: str
    name: str
    date: dt.date
    date_source: DateSource
    rule: Rule
    procedure: str
    outcome: float
    reference: float | None
    scenario: Scenario

    @cached_property
    def actors(self) -> tuple[str, ...]:
        return tuple(self.scenario.actor_ids)

    @cached_property
    def inputs(self) -> Inputs:
        """``to_inputs(scenario)``, built once (read-only: batches stack copies of it)."""
        return to_inputs(self.scenario)


@dataclass(frozen=True)
class DeuData:
    """The scoreable issues of one DEU III file, with its name and checksum."""

    file: str
    sha256: str
    issues: tuple[DeuIssue, ...]
    notes: tuple[str, ...]

    def subset(self, ids: Sequence[str]) -> DeuData:
        keep = set(ids)
        return DeuData(self.file, self.sha256, tuple(i for i in self.issues if i.id in keep),
                       self.notes)  # fmt: skip


def _issue(scn: Scenario) -> DeuIssue:
    meta = scn.metadata.get("deu", {})
    issue = scn.issues[0]
    proposal = str(meta.get("prnr", scn.id or issue.id))
    day, how = proposal_date(str(meta.get("intro", "")), proposal)
    vote = str(meta.get("counvte", "")).lower()
    return DeuIssue(
        id=issue.id,
        proposal=proposal,
        name=str(meta.get("prname", scn.title)),
        date=day,
        date_source=how,
        rule="unanimity" if vote.startswith("unan") else "qmv",
        procedure=str(meta.get("proc", "")),
        outcome=float(scn.outcomes[issue.id]),
        reference=None if issue.status_quo is None else issue.status_quo.best,
        scenario=scn,
    )


def load_deu(path: str | Path) -> DeuData:
    """The scoreable issues of a DEU III file (see ``multipolar.scenario.formats.deu``)."""
    p = Path(path)
    imported = import_file("deu", p)
    issues = tuple(_issue(scn) for scn in imported.scenarios if len(scn.issues) == 1)
    if not issues:
        raise UsageError(f"{p}: no scoreable DEU issue; fix: check the file is DEU III")
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    return DeuData(p.name, digest, issues, tuple(imported.notes))
