"""decide's input files (the exchange model's desktop program): one record per row.

Row types (first cell): ``#A key name [comment]`` an actor; ``#P key name [description]`` an
issue; ``#M issue value [meaning]`` a point on an issue's scale; ``#D actor issue position
salience power [comment]`` an actor's data on an issue; ``#/`` a comment (column headings);
``#O`` free text. The separator is ';', a tab or ',' (whichever the first row uses most), and
cells may be quoted with ' or ". Any other row type is an error, as in decide.

An issue's scale is [lowest, highest] of its ``#M`` values (decide's lower and upper bounds;
[0, 100] without any), the meanings of those two become the ends' labels and the others
anchors. decide's power is per actor and issue; a scenario has one capability per actor, so an
actor's power must be the same on every issue. Salience on 0-1 or 0-100 (any value above 1
means 0-100) is stored on 0-1. An actor without ``#D`` rows takes part in no issue (capability
0). ``write`` gives back such a file (';'-separated), so ``read(write(s))`` is ``s`` for
scenarios of point estimates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from multipolar.errors import Problem, ScenarioError, did_you_mean
from multipolar.scenario.formats.common import (
    Collector,
    IdMaker,
    Imported,
    first_line,
    fmt_num,
    make_id,
    read_text,
    sniff_delimiter,
    tidy,
)
from multipolar.scenario.formats.sniff import refuse_other
from multipolar.scenario.loader import validate
from multipolar.scenario.schema import Scenario

LAYOUT = "rows '#A;key;name', '#P;key;name', '#M;issue;value' and '#D;actor;issue;x;s;c'"
KINDS = ("#A", "#P", "#M", "#D", "#/", "#O")


@dataclass
class _Actor:
    line: int
    name: str
    comment: str
    power: float | None = None
    power_line: int = 0


@dataclass
class _Issue:
    line: int
    name: str
    description: str
    points: list[tuple[float, str, int]] = field(default_factory=list)


@dataclass
class _File:
    actors: dict[str, _Actor] = field(default_factory=dict)
    issues: dict[str, _Issue] = field(default_factory=dict)
    data: dict[tuple[str, str], tuple[int, float, float]] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)


def _cell(cells: list[str], i: int) -> str:
    return cells[i].strip() if i < len(cells) else ""


def _known(c: Collector, line: int, kind: str, key: str, table: dict[str, Any]) -> bool:
    if key in table:
        return True
    row = "#A" if kind == "actor" else "#P"
    hint = did_you_mean(key, table) if table else f"declare it with a {row} row first"
    c.add(line, f"unknown {kind} '{key}'", hint)
    return False


def _declare(c: Collector, line: int, cells: list[str], f: _File) -> None:
    kind, key = cells[0], _cell(cells, 1)
    if not key:
        c.add(line, f"the {kind} row has no key", "write the key in the second cell")
        return
    table: dict[str, Any] = f.actors if kind == "#A" else f.issues
    if key in table:
        c.add(line, f"'{key}' is declared twice (first on line {table[key].line})",
              "keep one row per key")  # fmt: skip
        return
    name = _cell(cells, 2) or key
    extra = " ".join(x for x in (_cell(cells, i) for i in range(3, len(cells))) if x)
    if kind == "#A":
        f.actors[key] = _Actor(line, name, extra)
    else:
        f.issues[key] = _Issue(line, name, extra)


def _datum(c: Collector, line: int, cells: list[str], f: _File) -> None:
    actor, issue = _cell(cells, 1), _cell(cells, 2)
    ok = _known(c, line, "actor", actor, f.actors) & _known(c, line, "issue", issue, f.issues)
    x = c.number(_cell(cells, 3), line, "position")
    s = c.number(_cell(cells, 4), line, "salience", 0.0, 100.0)
    p = c.number(_cell(cells, 5), line, "power", 0.0)
    if not ok or x is None or s is None or p is None:
        return
    if (actor, issue) in f.data:
        first = f.data[(actor, issue)][0]
        c.add(line, f"'{actor}' on '{issue}' is given twice (first on line {first})",
              "keep one #D row per actor and issue")  # fmt: skip
        return
    a = f.actors[actor]
    if a.power is None:
        a.power, a.power_line = p, line
    elif p != a.power:
        c.add(line, f"power {p:g} of '{actor}' differs from {a.power:g} on line {a.power_line}",
              "a scenario gives an actor one capability: use one power on every issue")  # fmt: skip
        return
    f.data[(actor, issue)] = (line, x, s)


def _rows(text: str, file: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with the line each starts on; cells stripped. Cells may be quoted with '
    (decide's own files) or "."""
    line1 = first_line(text)
    quote = "'" if line1.lstrip().startswith("'") else '"'
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(line1), quotechar=quote,
                        skipinitialspace=True)  # fmt: skip
    rows, start = [], 1
    try:
        for cells in reader:
            stripped = [x.strip() for x in cells]
            if any(stripped):
                rows.append((start, stripped))
            start = reader.line_num + 1
    except csv.Error as exc:
        problem = Problem((), f"malformed CSV: {exc}", "check quotes and separators", start)
        raise ScenarioError([problem], file) from None
    return rows


def _parse(c: Collector, text: str) -> _File:
    rows = _rows(text, c.file)
    f = _File()
    for line, cells in rows:
        kind = cells[0].upper()
        if kind not in KINDS:
            refuse_other(c, line, text, "decide", "a decide input file")
            c.fail(line, f"unknown row type {cells[0][:20]!r}",
                   "start every row with #A, #P, #M, #D, #/ or #O")  # fmt: skip
        cells[0] = kind
        if kind in ("#A", "#P"):
            _declare(c, line, cells, f)
        elif kind == "#M":
            issue = _cell(cells, 1)
            value = c.number(_cell(cells, 2), line, "scale value")
            if _known(c, line, "issue", issue, f.issues) and value is not None:
                f.issues[issue].points.append((value, _cell(cells, 3), line))
        elif kind == "#D":
            _datum(c, line, cells, f)
        elif kind == "#O":
            f.text.append(" ".join(x for x in cells[1:] if x))
    if not f.actors or not f.issues:
        c.add(None, "the file declares no actor or no issue", f"give {LAYOUT}")
    c.check()
    return f


def _issue_data(key: str, issue: _Issue, ident: str, c: Collector) -> dict[str, Any]:
    points = sorted(issue.points, key=lambda p: p[0])
    lo, hi = (points[0][0], points[-1][0]) if points else (0.0, 100.0)
    if points and lo == hi:
        c.add(points[0][2], f"issue '{key}' has one scale value {lo:g}",
              "give #M rows for both ends of its scale")  # fmt: skip
    out: dict[str, Any] = {"id": ident, "name": issue.name, "scale": [lo, hi]}
    if issue.description:
        out["description"] = issue.description
    ends = [p for p in points if p[0] in (lo, hi)]
    for value, label, _ in ends:
        if label:
            out["low_label" if value == lo else "high_label"] = label
    anchors = [{"value": v, "label": lab} for v, lab, _ in points if lo < v < hi and lab]
    if anchors:
        out["anchors"] = anchors
    return out


def read(path: Path) -> Imported:
    """Import a decide input file as one scenario (see the module docstring for the rules)."""
    c = Collector(str(path))
    f = _parse(c, read_text(path, LAYOUT))
    actor_ids, issue_ids = IdMaker("actor"), IdMaker("issue")
    aid = {k: actor_ids(k) for k in f.actors}
    iid = {k: issue_ids(k) for k in f.issues}
    issues = [_issue_data(k, v, iid[k], c) for k, v in f.issues.items()]
    scales = {i["id"]: i["scale"] for i in issues}
    over = max((s for _, _, s in f.data.values()), default=0.0) > 1.0
    notes = []
    if over:
        notes.append("salience read on a 0-100 scale (a value is above 1) and divided by 100")
    positions: dict[str, dict[str, float]] = {aid[a]: {} for a in f.actors}
    salience: dict[str, dict[str, float]] = {aid[a]: {} for a in f.actors}
    for (actor, issue), (line, x, s) in f.data.items():
        lo, hi = scales[iid[issue]]
        if not lo <= x <= hi:
            c.add(line, f"position {x:g} of '{actor}' is outside the scale [{lo:g}, {hi:g}] of "
                  f"'{issue}'", "correct it or add a #M row that widens the scale")  # fmt: skip
        positions[aid[actor]][iid[issue]] = x
        salience[aid[actor]][iid[issue]] = tidy(s / 100.0) if over else s
    c.check()
    idle = [k for k, a in f.actors.items() if a.power is None]
    if idle:
        notes.append(f"actor(s) without #D rows take part in no issue (capability 0): "
                     f"{', '.join(idle)}")  # fmt: skip
    data: dict[str, Any] = {
        "id": make_id(path.stem, "decide"),
        "title": path.stem,
        "actors": [
            {
                "id": aid[k],
                "name": a.name,
                "capability": a.power or 0.0,
                **({"notes": a.comment} if a.comment else {}),
            }
            for k, a in f.actors.items()
        ],
        "issues": issues,
        "positions": positions,
        "salience": salience,
    }
    if f.text:
        data["description"] = "\n".join(f.text)
    notes += actor_ids.note("actor") + issue_ids.note("issue")
    return Imported([validate(data, c.file)], notes)


def write(scn: Scenario) -> str:
    """The scenario as a decide input file (';'-separated, LF line ends; best values)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    if scn.description:
        for line in scn.description.splitlines():
            w.writerow(["#O", line])
    w.writerow(["#/", "ID", "Full name", "Comment"])
    for a in scn.actors:
        w.writerow(["#A", a.id, a.name, *([a.notes] if a.notes else [])])
    w.writerow(["#/", "ID", "Full name", "Description"])
    for i in scn.issues:
        w.writerow(["#P", i.id, i.name, *([i.description] if i.description else [])])
        points: Sequence[tuple[float, str]] = [
            (i.low, i.low_label),
            *((a.value, a.label) for a in sorted(i.anchors, key=lambda a: a.value)),
            (i.high, i.high_label),
        ]
        for value, label in points:
            w.writerow(["#M", i.id, fmt_num(value), *([label] if label else [])])
    w.writerow(["#/", "actor", "issue", "position", "salience", "power"])
    for a in scn.actors:
        for i in scn.issues:
            pos = scn.positions.get(a.id, {}).get(i.id)
            sal = scn.salience.get(a.id, {}).get(i.id)
            if pos is not None and sal is not None:
                w.writerow(["#D", a.id, i.id, fmt_num(pos.best), fmt_num(sal.best),
                            fmt_num(a.capability.best)])  # fmt: skip
    return buf.getvalue()
