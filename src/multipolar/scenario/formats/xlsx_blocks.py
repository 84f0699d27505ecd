"""Sheets of a scenario workbook besides the lists of sources, actors and issues and the grids:
``conflict`` and ``deal`` (one row per key), ``correlations``, ``ideal_adjustment``, ``models``
and ``metadata``, plus helpers the other readers share."""

from __future__ import annotations

from typing import Any

import yaml

from multipolar.errors import Path as DataPath
from multipolar.errors import did_you_mean
from multipolar.scenario.formats import xlsx_layout as lay
from multipolar.scenario.formats.xlsx_cells import Book, Sheet


def record(sheet: Sheet, row: int, cols: dict[str, int], place: DataPath) -> None:
    for name, col in cols.items():
        sheet.mark((*place, name), row, col)


def put_text(
    out: dict[str, Any], sheet: Sheet, row: int, cols: dict[str, int], *names: str
) -> None:
    for name in names:
        if name in cols and (text := sheet.text(row, cols[name])) is not None:
            out[name] = text


def _key(
    sheet: Sheet, row: int, col: int, known: tuple[str, ...], keyed: tuple[str, ...]
) -> tuple[str, str | None] | None:
    """A key/value sheet's key: (a known key, None) or (a keyed prefix, its id)."""
    text = sheet.ident(row, col) or ""
    head, _, rest = text.partition(".")
    prefixes = {lay.norm(k): k for k in keyed}
    if lay.norm(head) in prefixes and rest.strip():
        return prefixes[lay.norm(head)], rest.strip()
    lookup = {lay.norm(k): k for k in known}
    if lay.norm(text) in lookup:
        return lookup[lay.norm(text)], None
    shown = [*known, *(f"{k}.<id>" for k in keyed)]
    sheet.problem(row, col, (), f"unknown key '{text}'", did_you_mean(text, shown))
    return None


def _kv_fields(cols: dict[str, int]) -> dict[str, int]:
    return {("best" if f == "value" else f): c for f, c in cols.items() if f != "key"}


def _unused(sheet: Sheet, row: int, cols: dict[str, int], key: str) -> None:
    for name, col in cols.items():
        if name not in ("key", "value") and sheet.raw(row, col) is not None:
            sheet.problem(row, col, (), f"'{name}' is not used by '{key}'", "clear the cell")


def read_conflict(book: Book, data: dict[str, Any]) -> None:
    found = book.table("conflict")
    if found is None:
        return
    sheet, cols, rows = found
    war: dict[str, Any] = {}
    fixed = tuple(k for k in lay.CONFLICT_ORDER if k != "costs")
    for row in rows:
        parsed = _key(sheet, row, cols["key"], fixed, ("costs",))
        if parsed is None:
            continue
        key, ident = parsed
        parts = (key, ident) if ident is not None else tuple(key.split("."))
        place: DataPath = ("conflict", *parts)
        value: Any
        if key in lay.CONFLICT_ESTIMATES:
            value = sheet.estimate(row, _kv_fields(cols), place)
        else:
            _unused(sheet, row, cols, key)
            col = cols["value"]
            value = sheet.ids(row, col) if key in lay.CONFLICT_IDS else sheet.ident(row, col)
            sheet.mark(place, row, col)
        if value is None:
            continue
        sheet.mark(("conflict",), row, cols["key"])
        sheet.mark(("conflict", parts[0]), row, cols["key"])
        node = war
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if parts[-1] in node:
            sheet.problem(
                row,
                cols["key"],
                place,
                f"a second row for '{'.'.join(parts)}'",
                "keep one row per key",
            )
        node[parts[-1]] = value
    if war:
        data["conflict"] = war


def read_deal(book: Book, data: dict[str, Any]) -> None:
    found = book.table("deal")
    if found is None:
        return
    sheet, cols, rows = found
    deal: dict[str, Any] = {}
    for row in rows:
        parsed = _key(sheet, row, cols["key"], ("utility", "unsettled"), lay.DEAL_KEYS[2:])
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
            sheet.problem(
                row, cols["key"], place, "a second row for this key", "keep one row per key"
            )
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
        return lay.decode(value)
    except yaml.YAMLError as exc:
        what = str(getattr(exc, "problem", None) or "malformed")
        sheet.problem(
            row,
            col,
            place,
            f"cannot read {value!r} as a value ({what})",
            'quote text with \'"\', e.g. "a: b"',
        )
        return None


def _read_questions(book: Book, data: dict[str, Any]) -> None:
    """The questions sheet: one row per field of each question, values as in ``models``."""
    if found := book.table("questions"):
        sheet, cols, rows = found
        order: dict[str, dict[str, Any]] = {}
        for row in rows:
            ident = sheet.ident(row, cols["question"]) or ""
            if ident not in order:
                order[ident] = {"id": ident}
                sheet.mark(("questions", len(order) - 1), row, cols["question"])
            index = list(order).index(ident)
            key = sheet.ident(row, cols["field"])
            if key is not None:
                where: DataPath = ("questions", index, key)
                order[ident][key] = _value(sheet, row, cols["value"], where)
                sheet.mark(where, row, cols["value"])
        if order:
            data["questions"] = list(order.values())


def _read_constituencies(book: Book, data: dict[str, Any]) -> None:
    """The constituencies sheet: per actor, one row per field of its rule and one ``member``
    row per constituency (its block as YAML), values as in ``models``."""
    if found := book.table("constituencies"):
        sheet, cols, rows = found
        out: dict[str, dict[str, Any]] = {}
        for row in rows:
            actor = sheet.ident(row, cols["actor"]) or ""
            rat = out.setdefault(actor, {})
            sheet.mark(("constituencies", actor), row, cols["actor"])
            key = sheet.ident(row, cols["field"])
            if key is None:
                continue
            if key == "member":
                members = rat.setdefault("members", [])
                where: DataPath = ("constituencies", actor, "members", len(members))
                members.append(_value(sheet, row, cols["value"], where))
            else:
                where = ("constituencies", actor, key)
                rat[key] = _value(sheet, row, cols["value"], where)
            sheet.mark(where, row, cols["value"])
        if out:
            data["constituencies"] = out


def read_others(book: Book, data: dict[str, Any]) -> None:
    if found := book.table("correlations"):
        sheet, cols, rows = found
        for i, row in enumerate(rows):
            place: DataPath = ("correlations", i)
            sheet.mark(place, row, cols["estimate 1"])
            sheet.mark((*place, "between"), row, cols["estimate 1"])
            for j, name in enumerate(("estimate 1", "estimate 2")):
                sheet.mark((*place, "between", j), row, cols[name])
            record(sheet, row, cols, place)
            ends = [sheet.ident(row, cols[n]) for n in ("estimate 1", "estimate 2")]
            corr: dict[str, Any] = {"between": [e for e in ends if e is not None]}
            corr["rho"] = sheet.number(row, cols["rho"], (*place, "rho"))
            if "source" in cols and (source := sheet.ident(row, cols["source"])):
                corr["source"] = source
            put_text(corr, sheet, row, cols, "note")
            data.setdefault("correlations", []).append(corr)
    if found := book.table("ideal_adjustment"):
        sheet, cols, rows = found
        for i, row in enumerate(rows):
            place = ("ideal_adjustment", i)
            record(sheet, row, cols, place)
            pair = {n: sheet.ident(row, cols[n]) for n in ("actor", "reference")}
            weight = sheet.number(row, cols["weight"], (*place, "weight"))
            data.setdefault("ideal_adjustment", []).append({**pair, "weight": weight})
    _read_questions(book, data)
    _read_constituencies(book, data)
    if found := book.table("models"):
        sheet, cols, rows = found
        for row in rows:
            model = sheet.ident(row, cols["model"]) or ""
            params = data.setdefault("models", {}).setdefault(model, {})
            param = sheet.ident(row, cols["parameter"])
            if param is not None:
                params[param] = _value(sheet, row, cols["value"], ("models", model, param))
                sheet.mark(("models", model, param), row, cols["value"])
            sheet.mark(("models", model), row, cols["model"])
    if found := book.table("metadata"):
        sheet, cols, rows = found
        for row in rows:
            key = sheet.ident(row, cols["key"]) or ""
            meta = data.setdefault("metadata", {})
            meta[key] = _value(sheet, row, cols["value"], ("metadata", key))
            sheet.mark(("metadata", key), row, cols["value"])
