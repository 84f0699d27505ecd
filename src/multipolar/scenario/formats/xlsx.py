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

import yaml

from multipolar.errors import Path as DataPath
from multipolar.errors import Problem, did_you_mean
from multipolar.scenario import loader
from multipolar.scenario.formats import xlsx_layout as L
from multipolar.scenario.formats.common import Imported
from multipolar.scenario.formats.xlsx_cells import Book, Sheet
from multipolar.scenario.formats.xlsx_events import read_events
from multipolar.scenario.formats.xlsx_write import write

__all__ = ["read", "write"]

def _fields(cols: dict[str, int], prefix: str) -> dict[str, int]:
    return {f: cols[f"{prefix} {f}"] for f in L.ESTIMATE if f"{prefix} {f}" in cols}


def _row_id(sheet: Sheet, row: int, col: int, kind: str) -> str | None:
    ident = sheet.ident(row, col)
    if ident is None:
        sheet.problem(row, col, (), f"the {kind} id is empty",
                      f"give every {kind} an id (letters, digits, '_', '.', '-')")  # fmt: skip
    return ident


def _record(sheet: Sheet, row: int, cols: dict[str, int], place: DataPath) -> None:
    for name, col in cols.items():
        sheet.mark((*place, name), row, col)


def _put_text(out: dict[str, Any], sheet: Sheet, row: int, cols: dict[str, int], *names: str) -> None:
    for name in names:
        if name in cols and (text := sheet.text(row, cols[name])) is not None:
            out[name] = text


def _scenario(book: Book, data: dict[str, Any]) -> None:
    found = book.table("scenario")
    if found is None:
        return
    sheet, cols, rows = found
    known = {L.norm(k): k for k in L.SCENARIO_KEYS}
    for row in rows:
        key_text = sheet.ident(row, cols["key"])
        key = known.get(L.norm(key_text or ""))
        if key is None:
            sheet.problem(row, cols["key"], (), f"unknown key '{key_text or ''}'",
                          did_you_mean(key_text or "", L.SCENARIO_KEYS))  # fmt: skip
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
        _record(sheet, row, cols, place)
        source: dict[str, Any] = {"id": _row_id(sheet, row, cols["id"], "source")}
        _put_text(source, sheet, row, cols, "title", "author", "publisher", "url", "note")
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
        _record(sheet, row, cols, place)
        actor: dict[str, Any] = {"id": _row_id(sheet, row, cols["id"], "actor")}
        _put_text(actor, sheet, row, cols, "name", "notes")
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
        _record(sheet, row, cols, place)
        issue: dict[str, Any] = {"id": _row_id(sheet, row, cols["id"], "issue")}
        _put_text(issue, sheet, row, cols, "name", "low_label", "high_label", "description")
        ends = [sheet.number(row, cols.get(f"scale {e}", 0), (*place, "scale")) for e in L.ENDS]
        given = [c for e, c in zip(L.ENDS, ends, strict=True) if c is not None]
        if len(given) == 2:
            issue["scale"] = given
            sheet.mark((*place, "scale"), row, cols["scale low"])
        elif given:
            empty = "scale high" if ends[0] is not None else "scale low"
            sheet.problem(row, cols.get(empty, cols["id"]), (*place, "scale"),
                          f"'{empty}' is empty", "give both ends of the scale")  # fmt: skip
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
            sheet.problem(row, cols["issue"], (), f"unknown issue '{ident or ''}'",
                          did_you_mean(ident or "", index) + " (or add it under issues)")  # fmt: skip
            continue
        anchors = issues[index[ident]].setdefault("anchors", [])
        place: DataPath = ("issues", index[ident], "anchors", len(anchors))
        sheet.mark(place, row, cols["value"])
        _record(sheet, row, cols, place)
        anchor: dict[str, Any] = {"value": sheet.number(row, cols["value"], (*place, "value"))}
        _put_text(anchor, sheet, row, cols, "label")
        anchors.append(anchor)


def _grid(book: Book, name: str, data: dict[str, Any]) -> None:
    """An actors x issues grid: row 1 issue ids (over a group of columns), row 2 fields."""
    sheet = book.sheet(name)
    if sheet is None:
        return
    groups: dict[str, dict[str, int]] = {}
    issue: str | None = None
    for col in range(2, sheet.cols + 1):
        issue = sheet.ident(1, col) or issue
        field = sheet.ident(2, col)
        if field is None:
            sheet._headless(col, 3)
        elif issue is None:
            sheet.problem(1, col, (), "no issue id above this column",
                          "write the issue's id in row 1 over its group of columns")  # fmt: skip
        elif L.norm(field) not in L.ESTIMATE:
            sheet.problem(2, col, (), f"unknown column '{field}'",
                          did_you_mean(L.norm(field), L.ESTIMATE))  # fmt: skip
        elif L.norm(field) in groups.setdefault(issue, {}):
            sheet.problem(2, col, (), f"a second '{field}' column for issue '{issue}'",
                          "delete one of them")  # fmt: skip
        else:
            groups[issue][L.norm(field)] = col
    for issue_id, fields in groups.items():
        if "best" not in fields:
            col = min(fields.values())
            sheet.problem(2, col, (), f"issue '{issue_id}' has no 'best' column",
                          "add a column headed 'best' in its group")  # fmt: skip
    table: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    sheet.mark((name,), 3, 1)
    for row in range(3, sheet.rows + 1):
        cols = [c for f in groups.values() for c in f.values()]
        actor = sheet.ident(row, 1)
        if not sheet.present(row, cols):
            continue
        if actor is None:
            sheet.problem(row, 1, (), "values but no actor id in column A",
                          "write the actor's id in column A")  # fmt: skip
            continue
        if actor in seen:
            sheet.problem(row, 1, (name, actor), f"a second row for actor '{actor}'",
                          f"merge it into row {seen[actor]}")  # fmt: skip
            continue
        seen[actor] = row
        sheet.mark((name, actor), row, 1)
        for issue_id, fields in groups.items():
            est = sheet.estimate(row, fields, (name, actor, issue_id))
            if est is not None:
                table.setdefault(actor, {})[issue_id] = est
    data[name] = table


def _key(sheet: Sheet, row: int, col: int, known: tuple[str, ...], keyed: tuple[str, ...]) -> tuple[str, str | None] | None:  # fmt: skip
    """A key/value sheet's key: (a known key, None) or (a keyed prefix, its id)."""
    text = sheet.ident(row, col) or ""
    head, _, rest = text.partition(".")
    prefixes = {L.norm(k): k for k in keyed}
    if L.norm(head) in prefixes and rest.strip():
        return prefixes[L.norm(head)], rest.strip()
    lookup = {L.norm(k): k for k in known}
    if L.norm(text) in lookup:
        return lookup[L.norm(text)], None
    shown = [*known, *(f"{k}.<id>" for k in keyed)]
    sheet.problem(row, col, (), f"unknown key '{text}'", did_you_mean(text, shown))
    return None


def _kv_fields(cols: dict[str, int]) -> dict[str, int]:
    return {("best" if f == "value" else f): c for f, c in cols.items() if f != "key"}


def _unused(sheet: Sheet, row: int, cols: dict[str, int], key: str) -> None:
    for name, col in cols.items():
        if name not in ("key", "value") and sheet.raw(row, col) is not None:
            sheet.problem(row, col, (), f"'{name}' is not used by '{key}'", "clear the cell")


def _conflict(book: Book, data: dict[str, Any]) -> None:
    found = book.table("conflict")
    if found is None:
        return
    sheet, cols, rows = found
    war: dict[str, Any] = {}
    fixed = tuple(k for k in L.CONFLICT_ORDER if k != "costs")
    for row in rows:
        parsed = _key(sheet, row, cols["key"], fixed, ("costs",))
        if parsed is None:
            continue
        key, ident = parsed
        parts = (key, ident) if ident is not None else tuple(key.split("."))
        place: DataPath = ("conflict", *parts)
        value: Any
        if key in L.CONFLICT_ESTIMATES:
            value = sheet.estimate(row, _kv_fields(cols), place)
        else:
            _unused(sheet, row, cols, key)
            col = cols["value"]
            value = sheet.ids(row, col) if key in L.CONFLICT_IDS else sheet.ident(row, col)
            sheet.mark(place, row, col)
        if value is None:
            continue
        sheet.mark(("conflict",), row, cols["key"])
        sheet.mark(("conflict", parts[0]), row, cols["key"])
        node = war
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if parts[-1] in node:
            sheet.problem(row, cols["key"], place, f"a second row for '{'.'.join(parts)}'",
                          "keep one row per key")  # fmt: skip
        node[parts[-1]] = value
    if war:
        data["conflict"] = war


def _deal(book: Book, data: dict[str, Any]) -> None:
    found = book.table("deal")
    if found is None:
        return
    sheet, cols, rows = found
    deal: dict[str, Any] = {}
    for row in rows:
        parsed = _key(sheet, row, cols["key"], ("utility", "unsettled"), L.DEAL_KEYS[2:])
        if parsed is None:
            continue
        key, ident = parsed
        place: DataPath = ("deal", key) if ident is None else ("deal", key, ident)
        value: Any
        if key == "walk_away":
            value = sheet.estimate(row, _kv_fields(cols), place)
        else:
            _unused(sheet, row, cols, key)
            col = cols["value"]
            value = sheet.ident(row, col) if ident is None else sheet.ids(row, col)
            sheet.mark(place, row, col)
        if value is None:
            continue
        sheet.mark(("deal",), row, cols["key"])
        node = deal if ident is None else deal.setdefault(key, {})
        name = key if ident is None else ident
        if name in node:
            sheet.problem(row, cols["key"], place, "a second row for this key",
                          "keep one row per key")  # fmt: skip
        node[name] = value
    if deal:
        data["deal"] = deal


def _value(sheet: Sheet, row: int, col: int, place: DataPath) -> Any:
    """A models/metadata value: a number or TRUE/FALSE as typed, text read as YAML."""
    value = sheet.raw(row, col)
    if value is None:
        sheet.problem(row, col, place, "the value is empty", "write a value (null for none)")
        return None
    if not isinstance(value, str):
        return value if isinstance(value, bool | int | float) else sheet.text(row, col)
    try:
        return L.decode(value)
    except yaml.YAMLError as exc:
        what = str(getattr(exc, "problem", None) or "malformed")
        sheet.problem(row, col, place, f"cannot read {value!r} as a value ({what})",
                      "quote text with '\"', e.g. \"a: b\"")  # fmt: skip
        return None


def _others(book: Book, data: dict[str, Any]) -> None:
    if found := book.table("correlations"):
        sheet, cols, rows = found
        for i, row in enumerate(rows):
            place: DataPath = ("correlations", i)
            sheet.mark(place, row, cols["estimate 1"])
            sheet.mark((*place, "between"), row, cols["estimate 1"])
            for j, name in enumerate(("estimate 1", "estimate 2")):
                sheet.mark((*place, "between", j), row, cols[name])
            _record(sheet, row, cols, place)
            ends = [sheet.ident(row, cols[n]) for n in ("estimate 1", "estimate 2")]
            corr: dict[str, Any] = {"between": [e for e in ends if e is not None]}
            corr["rho"] = sheet.number(row, cols["rho"], (*place, "rho"))
            if "source" in cols and (source := sheet.ident(row, cols["source"])):
                corr["source"] = source
            _put_text(corr, sheet, row, cols, "note")
            data.setdefault("correlations", []).append(corr)
    if found := book.table("ideal_adjustment"):
        sheet, cols, rows = found
        for i, row in enumerate(rows):
            place = ("ideal_adjustment", i)
            _record(sheet, row, cols, place)
            pair = {n: sheet.ident(row, cols[n]) for n in ("actor", "reference")}
            weight = sheet.number(row, cols["weight"], (*place, "weight"))
            data.setdefault("ideal_adjustment", []).append({**pair, "weight": weight})
    if found := book.table("models"):
        sheet, cols, rows = found
        for row in rows:
            model = sheet.ident(row, cols["model"]) or ""
            params = data.setdefault("models", {}).setdefault(model, {})
            name = sheet.ident(row, cols["parameter"])
            if name is not None:
                params[name] = _value(sheet, row, cols["value"], ("models", model, name))
                sheet.mark(("models", model, name), row, cols["value"])
            sheet.mark(("models", model), row, cols["model"])
    if found := book.table("metadata"):
        sheet, cols, rows = found
        for row in rows:
            key = sheet.ident(row, cols["key"]) or ""
            meta = data.setdefault("metadata", {})
            meta[key] = _value(sheet, row, cols["value"], ("metadata", key))
            sheet.mark(("metadata", key), row, cols["value"])


def read(path: str | Path) -> Imported:
    """Read the workbook ``path`` into one valid scenario (``ScenarioError`` naming cells)."""
    book = Book(Path(path))
    missing = [n for n in L.REQUIRED if L.norm(n) not in book.sheets]
    if missing:
        book.problems += [
            Problem((), f"the workbook has no sheet '{n}'",
                    f"add a sheet named '{n}' (multipolar export xlsx writes every sheet)")
            for n in missing
        ]  # fmt: skip
        book.check()
    layout = {L.norm(n) for n in L.SHEETS}
    ignored = [ws.title for key, ws in book.sheets.items() if key not in layout]
    if ignored:
        book.notes.append(f"ignored sheets not in the layout: {', '.join(ignored)}")
    data: dict[str, Any] = {}
    _scenario(book, data)
    _sources(book, data)
    _actors(book, data)
    _issues(book, data)
    for name in L.GRIDS:
        _grid(book, name, data)
    _conflict(book, data)
    _deal(book, data)
    read_events(book, data)
    _others(book, data)
    book.check()
    scn = loader.validate(data, book.file, dict(book.marks))
    return Imported([scn], book.notes)
