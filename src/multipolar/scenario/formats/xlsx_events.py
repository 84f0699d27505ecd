"""The ``events`` sheet of a scenario workbook: one row per effect.

Rows with the same ``event`` id make one event; its date, title, description and sources are on
its first row (a later row may leave them empty or repeat them). ``change`` is what the effect
does: ``set``, ``shift`` or ``scale`` a number (``path`` and ``value``), change an issue's
``owner``s (``issue``, ``add``, ``remove``), or ``join``/``leave`` (``actor``).
"""

from __future__ import annotations

from typing import Any

from multipolar.errors import Path as DataPath
from multipolar.errors import did_you_mean
from multipolar.scenario.formats import xlsx_layout as lay
from multipolar.scenario.formats.xlsx_cells import Book, Sheet

_USES = {
    "set": ("path", "value"),
    "shift": ("path", "value"),
    "scale": ("path", "value"),
    "owner": ("issue", "add", "remove"),
    "join": ("actor",),
    "leave": ("actor",),
}
_EFFECT_COLUMNS = ("path", "value", "issue", "add", "remove", "actor")


def _field(sheet: Sheet, row: int, col: int, field: str, place: DataPath) -> Any:
    if field == "date":
        return sheet.date(row, col, place)
    if field == "sources":
        return sheet.ids(row, col)
    return sheet.text(row, col)


def _event_fields(
    sheet: Sheet, row: int, cols: dict[str, int], event: dict[str, Any], place: DataPath, first: int
) -> None:
    """The event's fields on ``row``: its first row (``first == row``) or a later one."""
    for field in lay.EVENT_FIELDS:
        col = cols.get(field)
        if col is None or sheet.raw(row, col) is None:
            continue
        value = _field(sheet, row, col, field, (*place, field))
        if value is None:
            continue
        if field not in event:
            event[field] = value
            sheet.mark((*place, field), row, col)
            if field == "sources":
                for k in range(len(value)):
                    sheet.mark((*place, field, k), row, col)
        elif value != event[field]:
            sheet.problem(
                row,
                col,
                (*place, field),
                f"event '{event['id']}' has another {field} here than on row {first}",
                f"give the event's {field} on its first row only",
            )


def _number(sheet: Sheet, row: int, col: dict[str, int], change: str, place: DataPath) -> Any:
    """A set/shift/scale effect: its path and value."""
    path, value = sheet.ident(row, col["path"]), sheet.number(row, col["value"], place)
    for name, got in (("path", path), ("value", value)):
        where = col[name] or col["change"]
        sheet.mark((*place, change if name == "value" else name), row, where)
        if got is None and sheet.raw(row, col[name]) is None:
            fix = "write it, e.g. path positions.RUS.donbas, value 5"
            sheet.problem(row, where, place, f"a '{change}' change needs a {name}", fix)
    return {"path": path, change: value}


def _owner(sheet: Sheet, row: int, col: dict[str, int], place: DataPath) -> dict[str, Any]:
    """An owner effect: the issue, and the actors added and removed."""
    owner: dict[str, Any] = {"issue": sheet.ident(row, col["issue"])}
    sheet.mark((*place, "owner"), row, col["issue"] or col["change"])
    sheet.mark((*place, "owner", "issue"), row, col["issue"] or col["change"])
    k = 0
    for name in ("add", "remove"):
        members = sheet.ids(row, col[name]) or []
        if members:
            owner[name] = members
        for _ in members:
            sheet.mark((*place, "owner", k), row, col[name])
            k += 1
    return {"owner": owner}


def _who(sheet: Sheet, row: int, col: dict[str, int], change: str, place: DataPath) -> Any:
    """A join or leave effect: the actor."""
    where = col["actor"] or col["change"]
    sheet.mark((*place, change), row, where)
    actor = sheet.ident(row, col["actor"])
    if actor is None:
        sheet.problem(row, where, place, f"a '{change}' change needs an actor", "write its id")
    return {change: actor}


def _effect(sheet: Sheet, row: int, cols: dict[str, int], place: DataPath) -> dict[str, Any] | None:
    col = {n: cols.get(n, 0) for n in ("change", *_EFFECT_COLUMNS, "source", "quote", "note")}
    sheet.mark(place, row, col["change"])
    text = sheet.ident(row, col["change"])
    change = lay.norm(text or "")
    if change not in _USES:
        what = f"unknown change '{text}'" if text else "no change"
        sheet.problem(row, col["change"], place, what, did_you_mean(change, lay.CHANGES))
        return None
    for name in _EFFECT_COLUMNS:
        if name not in _USES[change] and sheet.raw(row, col[name]) is not None:
            what = f"'{name}' is not used by a '{change}' change"
            sheet.problem(row, col[name], place, what, "clear it, or choose a change that uses it")
    if change == "owner":
        effect = _owner(sheet, row, col, place)
    elif change in ("join", "leave"):
        effect = _who(sheet, row, col, change, place)
    else:
        effect = _number(sheet, row, col, change, place)
    for name in ("source", "quote", "note"):
        sheet.mark((*place, name), row, col[name] or col["change"])
        value = sheet.ident(row, col[name]) if name == "source" else sheet.text(row, col[name])
        if value is not None:
            effect[name] = value
    return effect


def read_events(book: Book, data: dict[str, Any]) -> None:
    """The ``events`` sheet into ``data["events"]`` (nothing when the sheet is absent)."""
    found = book.table("events")
    if found is None:
        return
    sheet, cols, rows = found
    events: list[dict[str, Any]] = []
    first: dict[str, tuple[int, int]] = {}  # event id -> (index, first row)
    for row in rows:
        ident = sheet.ident(row, cols["event"])
        if ident is None:
            sheet.problem(
                row,
                cols["event"],
                (),
                "the event id is empty",
                "give every row the id of its event",
            )
            continue
        if ident not in first:
            first[ident] = (len(events), row)
            events.append({"id": ident, "effects": []})
            sheet.mark(("events", len(events) - 1), row, cols["event"])
            sheet.mark(("events", len(events) - 1, "id"), row, cols["event"])
            for field in lay.EVENT_FIELDS:
                if field in cols:
                    sheet.mark(("events", len(events) - 1, field), row, cols[field])
        index, first_row = first[ident]
        event, place = events[index], ("events", index)
        _event_fields(sheet, row, cols, event, place, first_row)
        effect = _effect(sheet, row, cols, (*place, "effects", len(event["effects"])))
        if effect is not None:
            event["effects"].append(effect)
    if events:
        data["events"] = events
