"""Scenario workbooks (``.xlsx``): ``read`` a workbook into a valid scenario, ``write`` one.

The layout (one sheet per part of the scenario) is in ``xlsx_layout``; ``xlsx_write`` writes
it, this module reads it. Every problem names its sheet and cell, ``S.xlsx:positions!C4:
positions.RUS.donbas.best: 'abc' is not a number; fix: ...``: first what cannot be read as a
value, then (on the values read) the schema's and the cross-field checks' problems. Writing a
scenario and reading it back gives an identical scenario.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from multipolar.errors import Path as DataPath
from multipolar.errors import Problem, did_you_mean
from multipolar.scenario import loader
from multipolar.scenario.formats import xlsx_layout as lay
from multipolar.scenario.formats.common import Imported
from multipolar.scenario.formats.xlsx_blocks import (
    put_text,
    read_conflict,
    read_deal,
    read_others,
    record,
)
from multipolar.scenario.formats.xlsx_cells import Book, Sheet
from multipolar.scenario.formats.xlsx_events import read_events
from multipolar.scenario.formats.xlsx_write import write

__all__ = ["read", "write"]


def _fields(cols: dict[str, int], prefix: str) -> dict[str, int]:
    return {f: cols[f"{prefix} {f}"] for f in lay.ESTIMATE if f"{prefix} {f}" in cols}


def _row_id(sheet: Sheet, row: int, col: int, kind: str) -> str | None:
    ident = sheet.ident(row, col)
    if ident is None:
        sheet.problem(
            row,
            col,
            (),
            f"the {kind} id is empty",
            f"give every {kind} an id (letters, digits, '_', '.', '-')",
        )
    return ident


def _scenario(book: Book, data: dict[str, Any]) -> None:
    found = book.table("scenario")
    if found is None:
        return
    sheet, cols, rows = found
    known = {lay.norm(k): k for k in lay.SCENARIO_KEYS}
    for row in rows:
        key_text = sheet.ident(row, cols["key"])
        key = known.get(lay.norm(key_text or ""))
        if key is None:
            sheet.problem(
                row,
                cols["key"],
                (),
                f"unknown key '{key_text or ''}'",
                did_you_mean(key_text or "", lay.SCENARIO_KEYS),
            )
            continue
        col = cols["value"]
        sheet.mark((key,), row, col)
        value: Any
        if key == "schema_version":
            number = sheet.number(row, col, (key,))
            value = int(number) if number is not None and number.is_integer() else number
        elif key == "date":
            value = sheet.date(row, col, (key,))
        else:
            value = sheet.ident(row, col) if key == "id" else sheet.text(row, col)
        if value is not None:
            data[key] = value


def _sources(book: Book, data: dict[str, Any]) -> None:
    found = book.table("sources")
    if found is None:
        return
    sheet, cols, rows = found
    for i, row in enumerate(rows):
        place: DataPath = ("sources", i)
        sheet.mark(place, row, cols["id"])
        record(sheet, row, cols, place)
        source: dict[str, Any] = {"id": _row_id(sheet, row, cols["id"], "source")}
        put_text(source, sheet, row, cols, "title", "author", "publisher", "url", "note")
        if "date" in cols and (day := sheet.date(row, cols["date"], (*place, "date"))):
            source["date"] = day
        data.setdefault("sources", []).append(source)


def _actors(book: Book, data: dict[str, Any]) -> None:
    found = book.table("actors")
    if found is None:
        return
    sheet, cols, rows = found
    data["actors"] = []
    sheet.mark(("actors",), 2, cols["id"])
    for i, row in enumerate(rows):
        place: DataPath = ("actors", i)
        sheet.mark(place, row, cols["id"])
        record(sheet, row, cols, place)
        actor: dict[str, Any] = {"id": _row_id(sheet, row, cols["id"], "actor")}
        put_text(actor, sheet, row, cols, "name", "notes")
        if "kind" in cols and (kind := sheet.ident(row, cols["kind"])) is not None:
            actor["kind"] = kind
        cap = sheet.estimate(row, _fields(cols, "capability"), (*place, "capability"))
        if cap is not None:
            actor["capability"] = cap
        if "active" in cols:
            active = sheet.boolean(row, cols["active"], (*place, "active"))
            if active is not None:
                actor["active"] = active
        data["actors"].append(actor)


def _issues(book: Book, data: dict[str, Any]) -> None:
    found = book.table("issues")
    if found is None:
        return
    sheet, cols, rows = found
    data["issues"] = []
    sheet.mark(("issues",), 2, cols["id"])
    for i, row in enumerate(rows):
        place: DataPath = ("issues", i)
        sheet.mark(place, row, cols["id"])
        record(sheet, row, cols, place)
        issue: dict[str, Any] = {"id": _row_id(sheet, row, cols["id"], "issue")}
        put_text(issue, sheet, row, cols, "name", "low_label", "high_label", "description")
        ends = [sheet.number(row, cols.get(f"scale {e}", 0), (*place, "scale")) for e in lay.ENDS]
        given = [c for e, c in zip(lay.ENDS, ends, strict=True) if c is not None]
        if len(given) == 2:
            issue["scale"] = given
            sheet.mark((*place, "scale"), row, cols["scale low"])
        elif given:
            empty = "scale high" if ends[0] is not None else "scale low"
            sheet.problem(
                row,
                cols.get(empty, cols["id"]),
                (*place, "scale"),
                f"'{empty}' is empty",
                "give both ends of the scale",
            )
        sq = sheet.estimate(row, _fields(cols, "status_quo"), (*place, "status_quo"))
        if sq is not None:
            issue["status_quo"] = sq
        if "outcome" in cols:
            outcome = sheet.number(row, cols["outcome"], ("outcomes", issue["id"] or ""))
            if outcome is not None and issue["id"]:
                data.setdefault("outcomes", {})[issue["id"]] = outcome
                sheet.mark(("outcomes", issue["id"]), row, cols["outcome"])
        data["issues"].append(issue)
    _anchors(book, data["issues"])


def _anchors(book: Book, issues: list[dict[str, Any]]) -> None:
    found = book.table("anchors")
    if found is None:
        return
    sheet, cols, rows = found
    index = {issue["id"]: i for i, issue in enumerate(issues) if issue["id"]}
    for row in rows:
        ident = sheet.ident(row, cols["issue"])
        if ident not in index:
            sheet.problem(
                row,
                cols["issue"],
                (),
                f"unknown issue '{ident or ''}'",
                did_you_mean(ident or "", index) + " (or add it under issues)",
            )
            continue
        anchors = issues[index[ident]].setdefault("anchors", [])
        place: DataPath = ("issues", index[ident], "anchors", len(anchors))
        sheet.mark(place, row, cols["value"])
        record(sheet, row, cols, place)
        anchor: dict[str, Any] = {"value": sheet.number(row, cols["value"], (*place, "value"))}
        put_text(anchor, sheet, row, cols, "label")
        anchors.append(anchor)


def _groups(sheet: Sheet) -> dict[str, dict[str, int]]:
    """A grid's header: issue id (row 1, over its group) -> field (row 2) -> column."""
    groups: dict[str, dict[str, int]] = {}
    issue: str | None = None
    for col in range(2, sheet.cols + 1):
        issue = sheet.ident(1, col) or issue
        field = sheet.ident(2, col)
        if field is None:
            sheet.headless(col, 3)
        elif issue is None:
            sheet.problem(1, col, (), "no issue id above this column",
                          "write the issue's id in row 1 over its group of columns")  # fmt: skip
        elif lay.norm(field) not in lay.ESTIMATE:
            fix = did_you_mean(lay.norm(field), lay.ESTIMATE)
            sheet.problem(2, col, (), f"unknown column '{field}'", fix)
        elif lay.norm(field) in groups.setdefault(issue, {}):
            what = f"a second '{field}' column for issue '{issue}'"
            sheet.problem(2, col, (), what, "delete one of them")
        else:
            groups[issue][lay.norm(field)] = col
    for issue_id, fields in groups.items():
        if "best" not in fields:
            sheet.problem(2, min(fields.values()), (), f"issue '{issue_id}' has no 'best' column",
                          "add a column headed 'best' in its group")  # fmt: skip
    return groups


def _grid(book: Book, name: str, data: dict[str, Any]) -> None:
    """An actors x issues grid: row 1 issue ids (over a group of columns), row 2 fields."""
    sheet = book.sheet(name)
    if sheet is None:
        return
    groups = _groups(sheet)
    table: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    sheet.mark((name,), 3, 1)
    for row in range(3, sheet.rows + 1):
        cols = [c for f in groups.values() for c in f.values()]
        actor = sheet.ident(row, 1)
        if not sheet.present(row, cols):
            continue
        if actor is None:
            fix = "write the actor's id in column A"
            sheet.problem(row, 1, (), "values but no actor id in column A", fix)
            continue
        if actor in seen:
            what, fix = f"a second row for actor '{actor}'", f"merge it into row {seen[actor]}"
            sheet.problem(row, 1, (name, actor), what, fix)
            continue
        seen[actor] = row
        sheet.mark((name, actor), row, 1)
        for issue_id, fields in groups.items():
            est = sheet.estimate(row, fields, (name, actor, issue_id))
            if est is not None:
                table.setdefault(actor, {})[issue_id] = est
    data[name] = table


def read(path: str | Path) -> Imported:
    """Read the workbook ``path`` into one valid scenario (``ScenarioError`` naming cells)."""
    book = Book(Path(path))
    missing = [n for n in lay.REQUIRED if lay.norm(n) not in book.sheets]
    if missing:
        book.problems += [
            Problem(
                (),
                f"the workbook has no sheet '{n}'",
                f"add a sheet named '{n}' (multipolar export xlsx writes every sheet)",
            )
            for n in missing
        ]
        book.check()
    layout = {lay.norm(n) for n in lay.SHEETS}
    ignored = [ws.title for key, ws in book.sheets.items() if key not in layout]
    if ignored:
        book.notes.append(f"ignored sheets not in the layout: {', '.join(ignored)}")
    data: dict[str, Any] = {}
    _scenario(book, data)
    _sources(book, data)
    _actors(book, data)
    _issues(book, data)
    for name in lay.GRIDS:
        _grid(book, name, data)
    read_conflict(book, data)
    read_deal(book, data)
    read_events(book, data)
    read_others(book, data)
    book.check()
    scn = loader.validate(data, book.file, dict(book.marks))
    return Imported([scn], book.notes)
