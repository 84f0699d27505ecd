"""DEU III ("Decision-making in the European Union"): one scenario per issue row.

Columns: ``p<actor>`` position and ``s<actor>`` salience on 0-100 (salience divided by 100),
``rp`` reference point (the issue's status quo), ``out`` outcome, and proposal metadata; 999
means missing. Actors are the Commission (com), the Parliament (ep) and the member states. An
actor is positioned on an issue iff its position is present and not 999. DEU has no capability
column: every capability is 1.0. A row is scoreable iff its outcome is in [0, 100] and at least
3 actors are positioned. The separator is a tab (or ';' or ',' if the header has no tab).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multipolar.errors import ScenarioError, UsageError, did_you_mean
from multipolar.scenario.formats.common import (
    Collector,
    Imported,
    close_column,
    csv_rows,
    first_line,
    fmt_num,
    fmt_percent,
    make_id,
    opt_bool,
    read_text,
    sniff_delimiter,
    tidy,
    to_percent,
)
from multipolar.scenario.formats.sniff import refuse_other
from multipolar.scenario.loader import validate
from multipolar.scenario.schema import Scenario

META = ("prnrnmc", "isnrnmc", "prnr", "prname", "isnr", "type", "council", "proc", "counvte",
        "proccde", "issues", "intro", "finact")  # fmt: skip
ACTORS = {
    "com": "European Commission", "ep": "European Parliament", "at": "Austria",
    "be": "Belgium", "bu": "Bulgaria", "cr": "Croatia", "cy": "Cyprus", "cz": "Czech Republic",
    "dk": "Denmark", "ee": "Estonia", "fi": "Finland", "fr": "France", "de": "Germany",
    "el": "Greece", "hu": "Hungary", "ie": "Ireland", "it": "Italy", "lv": "Latvia",
    "lt": "Lithuania", "lu": "Luxembourg", "mt": "Malta", "nl": "Netherlands", "pl": "Poland",
    "pt": "Portugal", "ro": "Romania", "si": "Slovenia", "sk": "Slovakia", "es": "Spain",
    "se": "Sweden", "uk": "United Kingdom",
}  # fmt: skip
MISSING = 999.0
MIN_ACTORS = 3
LAYOUT = "a header with isnr, p<actor>, s<actor>, rp and out columns and one row per issue"
REASONS = (
    "without an outcome in [0, 100]",
    "with fewer than 3 positioned actors",
    "with no positioned actor",
)
SCALE_NOTE = (
    "salience read on DEU's 0-100 scale and divided by 100; positions, reference points "
    "(status quo) and outcomes kept on 0-100: every issue has scale [0, 100]"
)
CAPABILITY_NOTE = "DEU has no capability column: every actor's capability is 1.0 (equal)"


def _value(c: Collector, cell: str, line: int, place: str) -> float | None:
    """A 0-100 value, or None when empty or 999 (missing)."""
    if not cell.strip():
        return None
    value = c.number(cell, line, place)
    if value is None or value == MISSING:
        return None
    if not 0.0 <= value <= 100.0:
        c.add(line, f"{value:g} is outside [0, 100]", "use 0-100, or 999 for missing", place)
        return None
    return value


def _title(get: dict[str, str], isnr: str) -> str:
    title = get.get("prname") or isnr
    if get.get("prnr"):
        title += f" ({get['prnr']})"
    number = re.search(r"i(\d+)$", isnr)
    return f"{title}, issue {number.group(1)}" if number else title


def _is_gdp(get: dict[str, str], codes: list[str]) -> bool:
    """blksv's extra row: no ids or metadata, no rp/out, numbers in the member-state columns."""
    if any(get.get(m) for m in (*META, "rp", "out")):
        return False
    return any(re.fullmatch(r"[\d.]+", get.get(f"p{a}", "")) for a in codes[2:])


def _scenario(
    c: Collector, line: int, get: dict[str, str], isnr: str, codes: list[str]
) -> tuple[dict[str, Any], float | None, int]:
    """Scenario data (without outcome), the raw outcome, and how many saliences were missing."""
    ident = make_id(isnr, "issue")
    positions: dict[str, dict[str, float]] = {}
    salience: dict[str, dict[str, float]] = {}
    missing = 0
    for a in codes:
        pos = _value(c, get.get(f"p{a}", ""), line, f"p{a}")
        sal = _value(c, get.get(f"s{a}", ""), line, f"s{a}")
        if pos is None:
            continue
        missing += sal is None
        positions[a] = {ident: pos}
        salience[a] = {ident: 0.0 if sal is None else tidy(sal / 100.0)}
    rp = _value(c, get.get("rp", ""), line, "rp")
    out_cell = get.get("out", "").strip()
    out = c.number(out_cell, line, "out") if out_cell else None
    title = _title(get, isnr)
    issue: dict[str, Any] = {"id": ident, "name": title, "scale": [0.0, 100.0]}
    if rp is not None:
        issue["status_quo"] = rp
    data = {
        "id": ident,
        "title": title,
        "actors": [{"id": a, "name": ACTORS[a], "capability": 1.0} for a in positions],
        "issues": [issue],
        "positions": positions,
        "salience": salience,
        "metadata": {
            "deu": {m: get[m] for m in META if get.get(m)},
            "capability": CAPABILITY_NOTE,
        },
    }
    return data, out, missing


def _skipped(reasons: dict[str, list[str]]) -> str:
    parts = []
    for why, ids in reasons.items():
        if ids:
            shown = ", ".join(ids[:12]) + (", ..." if len(ids) > 12 else "")
            parts.append(f"{len(ids)} {why} ({shown})")
    return "; ".join(parts)


@dataclass
class _Tally:
    """What was skipped or patched while reading, for the notes."""

    only: bool
    reasons: dict[str, list[str]] = field(default_factory=lambda: {r: [] for r in REASONS})
    missing: int = 0
    no_outcome: int = 0

    def notes(self, kept: int, rows: int) -> list[str]:
        notes = [SCALE_NOTE, CAPABILITY_NOTE]
        if self.missing:
            notes.append(
                f"{self.missing} positioned actor(s) had no salience (empty or 999): set to 0"
            )
        skipped = sum(len(v) for v in self.reasons.values())
        if skipped:
            hint = "; pass scoreable_only=False to keep them" if self.only else ""
            what = "unscoreable DEU issues" if self.only else "DEU issues"
            notes.append(f"skipped {skipped} {what}: {_skipped(self.reasons)}{hint}")
        if self.no_outcome:
            notes.append(
                f"{self.no_outcome} issue(s) kept without an outcome (missing or outside [0, 100])"
            )
        notes.append(f"imported {kept} issue(s) from {rows} issue row(s)")
        return notes


def _issue(
    c: Collector, line: int, get: dict[str, str], codes: list[str], tally: _Tally
) -> Scenario | None:
    """The scenario of one issue row, or None when the row is skipped (reason in ``tally``)."""
    isnr = get["isnr"]
    data, out, lacking = _scenario(c, line, get, isnr, codes)
    n = len(data["positions"])
    scoreable = out is not None and 0.0 <= out <= 100.0
    if n == 0 or (tally.only and (not scoreable or n < MIN_ACTORS)):
        why = REASONS[2] if n == 0 else REASONS[0] if not scoreable else REASONS[1]
        tally.reasons[why].append(isnr)
        return None
    if scoreable:
        data["outcomes"] = {data["issues"][0]["id"]: out}
    else:
        tally.no_outcome += 1
    tally.missing += lacking
    try:
        return validate(data, c.file)
    except ScenarioError as exc:
        c.problems += [p.at(line, None) for p in exc.problems]
        return None


def _header(c: Collector, line: int, header: list[str], text: str) -> tuple[list[str], list[str]]:
    """Lower-case column names and the actor codes that have a position column."""
    names = [h.lower() for h in header]
    if "isnr" not in names:
        refuse_other(c, line, text, "deu", "a DEU III table")
        close = close_column("isnr", names)
        fix = f"rename '{close}' to 'isnr'" if close else "add it (is this a DEU III file?)"
        c.fail(line, "missing column 'isnr' (the issue id)", fix)
    codes = [a for a in ACTORS if f"p{a}" in names]
    if not codes:
        c.fail(line, "no actor position columns", "add columns such as pcom, pep, pde")
    return names, codes


def read(path: Path, scoreable_only: Any = True) -> Imported:
    """Import DEU III: scoreable issues only by default (see the module docstring)."""
    tally = _Tally(opt_bool("scoreable_only", scoreable_only))
    c = Collector(str(path))
    text = read_text(path, LAYOUT)
    head = first_line(text)
    rows = csv_rows(text, "\t" if "\t" in head else sniff_delimiter(head), c.file, LAYOUT)
    names, codes = _header(c, *rows[0], text)
    gdp: list[str] = []
    scenarios: list[Scenario] = []
    seen: dict[str, int] = {}
    for line, cells in rows[1:]:
        if len(cells) != len(names):
            c.add(
                line,
                f"the row has {len(cells)} values but the header has {len(names)}",
                "give one value per column (separated by tabs)",
            )
            continue
        get = dict(zip(names, cells, strict=True))
        isnr = get["isnr"]
        if not isnr and _is_gdp(get, codes):
            gdp.append(
                f"skipped line {line}: a GDP row (no proposal or issue id, numbers in the "
                "member-state columns)"
            )
        elif not isnr:
            c.add(line, "the row has no issue id", "fill the isnr column", "isnr")
        elif isnr in seen:
            c.add(
                line,
                f"duplicate issue '{isnr}' (first on line {seen[isnr]})",
                "give every issue row its own isnr",
                "isnr",
            )
        else:
            seen[isnr] = line
            scenario = _issue(c, line, get, codes, tally)
            scenarios += [scenario] if scenario else []
    c.check()
    return Imported(scenarios, gdp + tally.notes(len(scenarios), len(seen)))


def _row(scn: Scenario) -> list[str]:
    if len(scn.issues) != 1:
        raise UsageError(
            f"a DEU row holds one issue but scenario '{scn.id or scn.title}' has "
            f"{len(scn.issues)}; split it into one scenario per issue"
        )
    issue = scn.issues[0]
    for actor in scn.actors:
        if actor.id not in ACTORS:
            raise UsageError(
                f"actor '{actor.id}' of '{scn.id or scn.title}' is not a DEU actor; "
                + did_you_mean(actor.id, ACTORS)
            )
    deu = scn.metadata.get("deu")
    meta = {k: str(v) for k, v in deu.items()} if isinstance(deu, dict) else {}
    meta.update(isnr=issue.id, prname=meta.get("prname", scn.title))
    cells = [meta.get(m, "") for m in META]
    for table in ("positions", "salience"):
        for a in ACTORS:
            est = getattr(scn, table).get(a, {}).get(issue.id)
            if est is None:
                cells.append(fmt_num(MISSING))
            elif table == "positions":
                cells.append(fmt_num(to_percent(est.best, issue.scale)))
            else:
                cells.append(fmt_percent(est.best))
    sq, out = issue.status_quo, scn.outcomes.get(issue.id)
    cells.append(fmt_num(MISSING if sq is None else to_percent(sq.best, issue.scale)))
    cells.append(fmt_num(MISSING if out is None else to_percent(out, issue.scale)))
    return cells


def write(scenarios: Sequence[Scenario]) -> str:
    """A tab-separated DEU-style file, one row per single-issue scenario, 999 for missing.

    Actor ids must be DEU codes (com, ep, de, ...); positions, reference points and outcomes
    are moved linearly onto 0-100 if an issue has another scale; capabilities are not written.
    """
    header = [*META, *(f"p{a}" for a in ACTORS), *(f"s{a}" for a in ACTORS), "rp", "out"]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(_row(scn) for scn in scenarios)
    return buf.getvalue()
