"""BDM tables: one row per actor (per issue) with Actor, Capability, Position, Salience.

Headers are case-insensitive; the separator is ',', ';' or a tab (whichever the header uses
most); CR, LF and CRLF line ends all work. Optional columns: ``Issue`` (a long table, one row
per actor per issue) and ``Name`` (the actor's display name; default the Actor text). Salience
on 0-1 or 0-100 (any value above 1 means 0-100) is stored on 0-1. An issue's scale is the
``scale`` option or else [min, max] of its positions (widened by 1 each way if they are equal).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from multipolar.scenario.formats.common import (
    Collector,
    IdMaker,
    Imported,
    close_column,
    csv_rows,
    first_line,
    fmt_num,
    make_id,
    opt_scale,
    read_text,
    sniff_delimiter,
    tidy,
)
from multipolar.scenario.formats.sniff import refuse_other
from multipolar.scenario.loader import validate
from multipolar.scenario.schema import Scenario

REQUIRED = ("Actor", "Capability", "Position", "Salience")
OPTIONAL = ("Issue", "Name")
LAYOUT = "a header 'Actor,Capability,Position,Salience' and one row per actor"
DEFAULT_ISSUE = "issue"


@dataclass
class _Row:
    line: int
    actor: str
    name: str
    issue: str
    capability: float
    position: float
    salience: float


#: headers often used for the required columns (compared without case, spaces or punctuation)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "Actor": ("stakeholder", "stakeholders", "player", "party", "participant", "agent",
              "country", "organisation", "organization", "group", "name", "actors"),
    "Capability": ("resources", "resource", "influence", "power", "clout", "capabilities",
                   "capacity", "weight", "strength", "potentialpower", "cap"),
    "Position": ("stance", "preference", "idealpoint", "policyposition", "pos", "pstn",
                 "positions"),
    "Salience": ("importance", "priority", "interest", "intensity", "saliency", "sal",
                 "saliences"),
}  # fmt: skip
WIDE_FIX = (
    "for several issues write one row per actor per issue and add an Issue column "
    "(Issue,Actor,Capability,Position,Salience); for one issue keep a single {0} column"
)


#: a wide table's per-issue columns start so ("Position Policy", "Pstn1", "Sal1" ...)
_STEMS = {"Position": ("pos", "pstn"), "Salience": ("sal",)}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _repeated(c: Collector, line: int, header: list[str]) -> None:
    """Fail on a column name given twice, saying what repeated Position or Salience mean."""
    where: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        where.setdefault(name.lower(), []).append(i + 1)
    for key, cols in where.items():
        if len(cols) < 2:
            continue
        name = header[cols[0] - 1]
        shown = f"column '{name}' appears {len(cols)} times (columns {', '.join(map(str, cols))})"
        if key in ("position", "salience"):
            c.fail(
                line,
                f"{shown}: a BDM table gives one {key} per row, so these look like one "
                f"{name} column per issue (a wide table)",
                WIDE_FIX.format(name),
            )
        c.fail(line, shown, "keep one column of each name")


def _rename(want: str, unused: list[str]) -> tuple[str | None, str | None]:
    """For a missing column: (a rename to suggest, or an explanation of several candidates)."""
    if want in _STEMS:
        several = [h for h in unused if _key(h).startswith(_STEMS[want])]
        if len(several) > 1:
            return None, f"{len(several)} {want.lower()} columns ({', '.join(several[:4])})"
    synonyms = {_key(s) for s in SYNONYMS[want]}
    hit = next((h for h in unused if _key(h).rstrip("0123456789") in synonyms), None)
    if hit is None:
        close = close_column(want.lower(), [h.lower() for h in unused])
        hit = next((h for h in unused if h.lower() == close), None)
    return hit, None


def _columns(
    c: Collector, line: int, header: list[str], text: str
) -> tuple[dict[str, int], list[str]]:
    """Column index by lower-case name, and the names of ignored columns.

    A missing required column is one error line: renames for common headers (``Stakeholder``
    -> Actor, ``Resources``/``Influence`` -> Capability ...), else "add the column". A file
    of another supported format says so (``sniff``)."""
    if not {w.lower() for w in REQUIRED} <= {h.lower() for h in header}:
        refuse_other(c, line, text, "bdm", "a BDM table")
    _repeated(c, line, header)
    index = {name.lower(): i for i, name in enumerate(header)}
    if len(header) == 1:
        c.fail(
            line,
            f"the header has one column {header[0][:40]!r}",
            f"give the columns {', '.join(REQUIRED)}, separated by ',', ';' or a tab",
        )
    known = {k.lower() for k in (*REQUIRED, *OPTIONAL)}
    extra = [h for h in header if h.lower() not in known]
    missing = [want for want in REQUIRED if want.lower() not in index]
    if missing:
        unused = [h for h in header if h.lower() not in {w.lower() for w in REQUIRED}]
        renames, adds, wide = [], [], []
        for want in missing:
            hit, several = _rename(want, unused)
            if several:
                wide.append(several)
            elif hit is not None:
                renames.append(f"'{hit}' to '{want}'")
                unused.remove(hit)
            else:
                adds.append(f"'{want}'")
        names = ", ".join(f"'{w}'" for w in missing)
        message = f"missing column{'s' if len(missing) > 1 else ''} {names}"
        plural = "s" if len(renames) > 1 else ""
        fixes = [f"rename column{plural} {', '.join(renames)}"] if renames else []
        if adds:
            fixes.append(f"add {', '.join(adds)} (needed: {', '.join(REQUIRED)}; "
                         "optional: Issue, Name)")  # fmt: skip
        if wide:
            message += f"; {' and '.join(wide)} look like one per issue (a wide table)"
            fixes.append(WIDE_FIX.format("Position and Salience"))
        c.fail(line, message, "; ".join(fixes))
    return index, extra


def _rows(c: Collector, path: Path, issue_id: str) -> tuple[list[_Row], list[str]]:
    text = read_text(path, LAYOUT)
    rows = csv_rows(text, sniff_delimiter(first_line(text)), c.file, LAYOUT)
    header_line, header = rows[0]
    col, extra = _columns(c, header_line, header, text)
    out: list[_Row] = []
    for line, cells in rows[1:]:
        if len(cells) != len(header):
            c.add(
                line,
                f"the row has {len(cells)} values but the header has {len(header)}",
                "give one value per column (check for a stray separator)",
            )
            continue
        actor = cells[col["actor"]]
        if not actor:
            c.add(line, "the actor is empty", "write the actor's name", "Actor")
        issue = cells[col["issue"]] if "issue" in col else issue_id
        if not issue:
            c.add(line, "the issue is empty", "write the issue's name", "Issue")
        cap = c.number(cells[col["capability"]], line, "Capability", 0.0)
        pos = c.number(cells[col["position"]], line, "Position")
        sal = c.number(cells[col["salience"]], line, "Salience", 0.0, 100.0)
        name = cells[col["name"]] if "name" in col else ""
        if cap is not None and pos is not None and sal is not None and actor and issue:
            out.append(_Row(line, actor, name or actor, issue, cap, pos, sal))
    if not out and not c.problems:
        c.add(header_line + 1, "the table has no rows", "add one row per actor")
    c.check()
    notes = [f"ignored column(s): {', '.join(extra)}"] if extra else []
    return out, notes


def _consistent(c: Collector, rows: list[_Row]) -> None:
    seen: dict[tuple[str, str], int] = {}
    first: dict[str, _Row] = {}
    for row in rows:
        key = (row.actor, row.issue)
        if key in seen:
            on = f" on issue '{row.issue}'" if row.issue != DEFAULT_ISSUE else ""
            c.add(
                row.line,
                f"duplicate actor '{row.actor}'{on} (first on line {seen[key]})",
                "keep one row per actor per issue",
            )
        seen.setdefault(key, row.line)
        ref = first.setdefault(row.actor, row)
        for what in ("capability", "name"):
            if getattr(row, what) != getattr(ref, what):
                c.add(
                    row.line,
                    f"{what} of '{row.actor}' differs from line {ref.line}",
                    f"give each actor one {what}",
                    what.capitalize(),
                )
    c.check()


def read(
    path: Path, scale: Any = None, title: str | None = None, issue: str = DEFAULT_ISSUE
) -> Imported:
    """Import a BDM table as one scenario (see the module docstring for the rules)."""
    c = Collector(str(path))
    fixed = None if scale is None else opt_scale(scale)
    rows, notes = _rows(c, path, str(issue))
    _consistent(c, rows)
    over = next((r for r in rows if r.salience > 1.0), None)
    if over is None:
        notes.append("salience read on a 0-1 scale (no value above 1)")
    else:
        notes.append(
            f"salience read on a 0-100 scale (line {over.line} has {over.salience:g}) "
            "and divided by 100"
        )
    factor = 1.0 if over is None else 100.0
    actor_ids, issue_ids = IdMaker("actor"), IdMaker("issue")
    aid = {a: actor_ids(a) for a in dict.fromkeys(r.actor for r in rows)}
    iid = {i: issue_ids(i) for i in dict.fromkeys(r.issue for r in rows)}
    issues = []
    for raw, ident in iid.items():
        values = [r.position for r in rows if r.issue == raw]
        lo, hi = fixed or (min(values), max(values))
        if fixed is None:
            widened = lo == hi
            lo, hi = (lo - 1.0, hi + 1.0) if widened else (lo, hi)
            how = "the positions, widened by 1 as all are equal" if widened else "the positions"
            notes.append(
                f"issue '{ident}': scale [{lo:g}, {hi:g}] is the range of {how}; "
                "set it with --scale LO,HI (Python: scale=(lo, hi))"
            )
        for r in rows:
            if r.issue == raw and not lo <= r.position <= hi:
                c.add(
                    r.line,
                    f"position {r.position:g} is outside the scale [{lo:g}, {hi:g}]",
                    "correct the position or pass a wider scale",
                    "Position",
                )
        issues.append({"id": ident, "name": raw, "scale": [lo, hi]})
    c.check()
    first = {r.actor: r for r in reversed(rows)}
    data: dict[str, Any] = {
        "id": make_id(path.stem, "bdm"),
        "title": title or path.stem,
        "actors": [
            {"id": aid[a], "name": first[a].name, "capability": first[a].capability} for a in aid
        ],
        "issues": issues,
        "positions": {aid[a]: {} for a in aid},
        "salience": {aid[a]: {} for a in aid},
    }
    for r in rows:
        data["positions"][aid[r.actor]][iid[r.issue]] = r.position
        data["salience"][aid[r.actor]][iid[r.issue]] = (
            r.salience if factor == 1.0 else tidy(r.salience / factor)
        )
    notes += actor_ids.note("actor") + issue_ids.note("issue")
    return Imported([validate(data, c.file)], notes)


def _label(name: str, ident: str) -> str:
    """The name when it reads back as the same id, else the id."""
    return name if make_id(name, "") == ident else ident


def write(scn: Scenario) -> str:
    """Actor,Capability,Position,Salience rows with LF line ends; salience on 0-1.

    An Issue column (first) is written when there are several issues or the issue's id is not
    the default 'issue'; a Name column when some actor's name differs from its id. Scales,
    status quo and outcomes are not part of the format.
    """
    with_issue = len(scn.issues) > 1 or scn.issues[0].id != DEFAULT_ISSUE
    with_name = any(a.name != a.id for a in scn.actors)
    header: Sequence[str] = [
        *(["Issue"] if with_issue else []),
        "Actor",
        *(["Name"] if with_name else []),
        "Capability",
        "Position",
        "Salience",
    ]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for issue in scn.issues:
        for actor in scn.actors:
            pos = scn.positions.get(actor.id, {}).get(issue.id)
            sal = scn.salience.get(actor.id, {}).get(issue.id)
            if pos is None or sal is None:
                continue
            writer.writerow(
                [
                    *([_label(issue.name, issue.id)] if with_issue else []),
                    actor.id,
                    *([actor.name] if with_name else []),
                    fmt_num(actor.capability.best),
                    fmt_num(pos.best),
                    fmt_num(sal.best),
                ]
            )
    return buf.getvalue()
