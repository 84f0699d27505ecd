"""Write a scenario as a workbook (``.xlsx``): the layout of ``xlsx_layout``, with data
validation lists for ids, kinds and distributions.

Numbers that Excel's 16 significant digits would round are written as text (the reader reads
them back exactly); text that Excel would take for a formula stays text.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from multipolar.errors import UsageError
from multipolar.scenario import loader
from multipolar.scenario.base import Estimate
from multipolar.scenario.formats import xlsx_layout as lay
from multipolar.scenario.schema import Scenario

Row = Sequence[Any]
_BOLD = Font(bold=True)
_HEAD = PatternFill("solid", fgColor="DDE4EE")
_WIDE = (
    "title",
    "description",
    "quote",
    "note",
    "notes",
    "label",
    "url",
    "low_label",
    "high_label",
    "name",
    "path",
    "value",
)


def exact(value: float) -> float | str:
    """``value``, or its text when Excel's 16 significant digits would round it."""
    return value if float(f"{value:.16g}") == value else repr(value)


def encode(value: Any) -> Any:
    """A value of ``models:`` or ``metadata:`` for one cell; the reader reads cells as YAML."""
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return repr(value) if value.is_integer() else exact(value)  # 5.0 stays a float
    if isinstance(value, str):
        try:
            same = lay.decode(value) == value
        except yaml.YAMLError:
            same = False
        return value if same else json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


def _put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        raise UsageError(
            f"{ws.title}: {value[:40]!r} holds a control character a workbook cannot store; "
            "fix: remove it from the scenario"
        )
    cell = ws.cell(row=row, column=col)
    if isinstance(value, float):
        cell.value = exact(value)
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text, not a formula


def _ids(values: Iterable[str]) -> str | None:
    text = ", ".join(values)
    return text or None


def _est(est: Estimate | None) -> list[Any]:
    if est is None:
        return [None] * len(lay.ESTIMATE)
    dist = None if est.dist == "triangular" else est.dist
    return [est.low, est.best, est.high, est.source, est.quote, est.note, dist]


def _table(ws: Worksheet, header: Sequence[str], rows: Iterable[Row], start: int = 1) -> int:
    """Write a header on row ``start`` and ``rows`` below it; the number of the last row."""
    for col, name in enumerate(header, 1):
        _put(ws, start, col, name)
        cell = ws.cell(row=start, column=col)
        cell.font, cell.fill = _BOLD, _HEAD
        wide = name.split(" ")[-1] in _WIDE or name in _WIDE
        ws.column_dimensions[get_column_letter(col)].width = 30 if wide else 13
    row = start
    for row, values in enumerate(rows, start + 1):
        for col, value in enumerate(values, 1):
            _put(ws, row, col, value)
    ws.freeze_panes = f"B{start + 1}"
    return row


def _validate(ws: Worksheet, formula: str, columns: Iterable[int], first: int = 2) -> None:
    """A drop-down list on ``columns`` from row ``first`` on (blank allowed)."""
    cols = list(columns)
    if not cols:
        return
    dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=True)
    dv.error = "Choose a value from the list (edit the list's sheet to add one)."
    ws.add_data_validation(dv)
    for col in cols:
        letter = get_column_letter(col)
        dv.add(f"{letter}{first}:{letter}{lay.LAST_ROW}")


def _choices(values: Sequence[str]) -> str:
    return '"' + ",".join(values) + '"'


def _column_list(sheet: str) -> str:
    return f"{sheet}!$A$2:$A${lay.LAST_ROW}"


SOURCES, ACTORS, ISSUES = (_column_list(s) for s in ("sources", "actors", "issues"))


def _cols(header: Sequence[str], *names: str) -> list[int]:
    return [i for i, h in enumerate(header, 1) if h in names or h.split(" ")[-1] in names]


def _estimate_lists(ws: Worksheet, header: Sequence[str], first: int = 2) -> None:
    _validate(ws, SOURCES, _cols(header, "source"), first)
    _validate(ws, _choices(lay.DISTS), _cols(header, "dist"), first)


def _about(ws: Worksheet) -> None:
    ws.column_dimensions["A"].width = 120
    for row, text in enumerate(lay.ABOUT_TEXT, 1):
        _put(ws, row, 1, text)
        ws.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(row=1, column=1).font = _BOLD


def _scenario(ws: Worksheet, scn: Scenario) -> None:
    values = (scn.schema_version, scn.id, scn.title, scn.description or None, scn.date)
    _table(ws, lay.KEY_VALUE, zip(lay.SCENARIO_KEYS, values, strict=True))


def _sources(ws: Worksheet, scn: Scenario) -> None:
    rows = ([s.id, s.title, s.author, s.publisher, s.date, s.url, s.note] for s in scn.sources)
    _table(ws, lay.SOURCES, rows)


def _actors(ws: Worksheet, scn: Scenario) -> None:
    rows = (
        [a.id, a.name, a.kind, *_est(a.capability), a.notes or None, a.active] for a in scn.actors
    )
    _table(ws, lay.ACTORS, rows)
    _validate(ws, _choices(lay.KINDS), _cols(lay.ACTORS, "kind"))
    _validate(ws, _choices(("TRUE", "FALSE")), _cols(lay.ACTORS, "active"))
    _estimate_lists(ws, lay.ACTORS)


def _issues(ws: Worksheet, anchors: Worksheet, scn: Scenario) -> None:
    rows = (
        [
            i.id,
            i.name,
            *i.scale,
            i.low_label or None,
            i.high_label or None,
            *_est(i.status_quo),
            scn.outcomes.get(i.id),
            i.description or None,
        ]
        for i in scn.issues
    )
    _table(ws, lay.ISSUES, rows)
    _estimate_lists(ws, lay.ISSUES)
    _table(anchors, lay.ANCHORS, ([i.id, a.value, a.label] for i in scn.issues for a in i.anchors))
    _validate(anchors, ISSUES, [1])


def _grid(ws: Worksheet, scn: Scenario, name: str) -> None:
    table = getattr(scn, name)
    issues = list(dict.fromkeys([*scn.issue_ids, *(i for row in table.values() for i in row)]))
    _put(ws, 1, 1, "issue")
    _put(ws, 2, 1, "actor")
    width = len(lay.ESTIMATE)
    for k, issue in enumerate(issues):
        first = 2 + k * width
        _put(ws, 1, first, issue)
        ws.merge_cells(start_row=1, start_column=first, end_row=1, end_column=first + width - 1)
        for j, field in enumerate(lay.ESTIMATE):
            _put(ws, 2, first + j, field)
            ws.column_dimensions[get_column_letter(first + j)].width = 24 if j in (4, 5) else 9
        ws.column_dimensions.group(
            get_column_letter(first + 4), get_column_letter(first + 6), outline_level=1
        )
    for row in (1, 2):
        for col in range(1, 2 + len(issues) * width):
            cell = ws.cell(row=row, column=col)
            cell.font, cell.fill = _BOLD, _HEAD
    ws.column_dimensions["A"].width = 14
    actors = list(dict.fromkeys([*scn.actor_ids, *table]))
    for r, actor in enumerate(actors, 3):
        _put(ws, r, 1, actor)
        for k, issue in enumerate(issues):
            for j, value in enumerate(_est(table.get(actor, {}).get(issue))):
                _put(ws, r, 2 + k * width + j, value)
    ws.freeze_panes = "B3"
    _validate(ws, ACTORS, [1], first=3)
    header = ["actor", *(f for _ in issues for f in lay.ESTIMATE)]
    _estimate_lists(ws, header, first=3)


def _conflict(ws: Worksheet, scn: Scenario) -> None:
    war = scn.conflict
    rows: list[Row] = []
    for key in lay.CONFLICT_ORDER:
        if key == "costs":
            costs = war.costs if war is not None else {}
            rows += [[f"costs.{a}", *_kv(est)] for a, est in costs.items()] or [["costs.ACTOR"]]
            continue
        value: Any = war
        for part in key.split("."):
            value = getattr(value, part, None)
        if key in lay.CONFLICT_IDS:
            rows.append([key, _ids(value or ())])
        elif key in lay.CONFLICT_ID:
            rows.append([key, value])
        else:
            rows.append([key, *_kv(value)])
    _table(ws, lay.ESTIMATE_ROWS, rows)
    _estimate_lists(ws, lay.ESTIMATE_ROWS)


def _kv(est: Estimate | None) -> list[Any]:
    """An estimate in a key/value row: value (best), low, high, source, quote, note, dist."""
    low, best, high, *rest = _est(est)
    return [best, low, high, *rest]


def _deal(ws: Worksheet, scn: Scenario) -> None:
    deal = scn.deal
    rows: list[Row] = [["utility", deal.utility], ["unsettled", deal.unsettled]]
    for table in ("owners", "veto"):
        members: dict[str, list[str]] = getattr(deal, table)
        issues = dict.fromkeys([*scn.issue_ids, *members])
        rows.extend([f"{table}.{i}", _ids(members.get(i, ()))] for i in issues)
    actors = dict.fromkeys([*scn.actor_ids, *deal.walk_away])
    rows.extend([f"walk_away.{a}", *_kv(deal.walk_away.get(a))] for a in actors)
    _table(ws, lay.ESTIMATE_ROWS, rows)
    _estimate_lists(ws, lay.ESTIMATE_ROWS)
    for row, key in ((2, lay.UTILITIES), (3, lay.UNSETTLED)):
        dv = DataValidation(type="list", formula1=_choices(key), showErrorMessage=True)
        ws.add_data_validation(dv)
        dv.add(f"B{row}")


def _events(ws: Worksheet, scn: Scenario) -> None:
    rows: list[Row] = []
    for event in scn.events:
        for j, eff in enumerate(event.effects):
            first = [event.date, event.title, event.description or None, _ids(event.sources)]
            owner = eff.owner
            rows.append(
                [
                    event.id,
                    *(first if j == 0 else [None] * 4),
                    eff.mode,
                    eff.path,
                    eff.value,
                    owner.issue if owner else None,
                    _ids(owner.add) if owner else None,
                    _ids(owner.remove) if owner else None,
                    eff.join or eff.leave,
                    eff.source,
                    eff.quote,
                    eff.note,
                ]
            )
    _table(ws, lay.EVENTS, rows)
    _validate(ws, _choices(lay.CHANGES), _cols(lay.EVENTS, "change"))
    _validate(ws, ISSUES, _cols(lay.EVENTS, "issue"))
    _validate(ws, ACTORS, _cols(lay.EVENTS, "actor"))
    _validate(ws, SOURCES, _cols(lay.EVENTS, "source"))


def _others(book: Workbook, scn: Scenario) -> None:
    data = loader.to_data(scn)  # plain JSON values for models and metadata
    ws = book["correlations"]
    rows = ([*c.between, c.rho, c.source, c.note or None] for c in scn.correlations)
    _table(ws, lay.CORRELATIONS, rows)
    _validate(ws, SOURCES, _cols(lay.CORRELATIONS, "source"))
    ws = book["ideal_adjustment"]
    _table(ws, lay.IDEAL, ([p.actor, p.reference, p.weight] for p in scn.ideal_adjustment))
    _validate(ws, ACTORS, [1, 2])
    questions: list[Row] = []
    for q in data.get("questions", []):
        questions += [[q["id"], k, encode(v)] for k, v in q.items() if k != "id"]
    _table(book["questions"], lay.QUESTIONS, questions)
    block: list[Row] = []
    for actor, rat in data.get("constituencies", {}).items():
        for key, value in rat.items():
            rows_ = value if key == "members" else [value]
            block += [[actor, "member" if key == "members" else key, encode(v)] for v in rows_]
    _table(book["constituencies"], lay.CONSTITUENCIES, block)
    models: list[Row] = []
    for model, params in data.get("models", {}).items():
        models += [[model, k, encode(v)] for k, v in params.items()] or [[model]]
    _table(book["models"], lay.MODELS, models)
    rows = ([k, encode(v)] for k, v in data.get("metadata", {}).items())
    _table(book["metadata"], lay.KEY_VALUE, rows)


def workbook(scn: Scenario) -> Workbook:
    """The workbook of ``scn`` (every sheet of the layout, in order)."""
    book = Workbook()
    book.active.title = lay.ABOUT  # type: ignore[union-attr]
    for name in lay.SHEETS[1:]:
        book.create_sheet(name)
    _about(book[lay.ABOUT])
    _scenario(book["scenario"], scn)
    _sources(book["sources"], scn)
    _actors(book["actors"], scn)
    _issues(book["issues"], book["anchors"], scn)
    for name in lay.GRIDS:
        _grid(book[name], scn, name)
    _conflict(book["conflict"], scn)
    _deal(book["deal"], scn)
    _events(book["events"], scn)
    _others(book, scn)
    return book


def write(scn: Scenario, path: str | Path) -> None:
    """Write ``scn`` to the workbook ``path``; ``UsageError`` when it cannot be written."""
    p = Path(path)
    book = workbook(scn)
    try:
        book.save(p)
    except OSError as exc:
        raise UsageError(f"cannot write {p}: {exc.strerror}; check the directory exists") from None
