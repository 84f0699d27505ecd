"""Reading a workbook cell by cell: typed values, with every problem naming its sheet and cell.

``Book`` opens the file (an unreadable or non-xlsx file is one ``ScenarioError``), collects
problems as ``Problem``s whose ``cell`` is ``sheet!C4``, and records where each scenario value
came from (``marks``) so that the schema's and the cross-field checks' problems name cells too.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
import zipfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from multipolar.errors import Path as DataPath
from multipolar.errors import Problem, ScenarioError, did_you_mean
from multipolar.scenario.formats import sniff
from multipolar.scenario.formats.common import NUMBER, fmt_num
from multipolar.scenario.formats.xlsx_layout import ESTIMATE, REQUIRED_COLUMNS, TABLES, norm

_SPLIT = re.compile(r"[,;\s]+")
_WORKBOOK_FIX = "save it as an Excel workbook (.xlsx), e.g. with Save As in Excel or LibreOffice"


def _load(path: Path, data_only: bool) -> Workbook:
    with warnings.catch_warnings():  # openpyxl warns about features it drops (e.g. slicers)
        warnings.simplefilter("ignore")
        return load_workbook(path, data_only=data_only)


def _not_a_workbook(path: Path) -> Problem:
    try:
        head = path.read_bytes()[:65536].decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        head = ""
    found = sniff.guess(head, path) if head.strip() else None
    if found is not None:
        return Problem((), f"this looks like {found.what}, not an .xlsx workbook", found.fix)
    if path.suffix.lower() in (".xls", ".ods", ".csv"):
        return Problem((), f"a {path.suffix} file is not an .xlsx workbook", _WORKBOOK_FIX)
    return Problem((), "not an .xlsx workbook (it is not a zip of Excel's XML)", _WORKBOOK_FIX)


class Book:
    """An open workbook, its problems, notes and the cell each scenario value came from."""

    def __init__(self, path: Path) -> None:
        self.path, self.file = path, str(path)
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.marks: dict[DataPath, str] = {}
        if path.is_dir():
            self.fail(Problem((), "is a directory", "give an .xlsx file"))
        if not path.exists():
            self.fail(Problem((), "file not found", "check the path"))
        try:
            self.formulas = _load(path, data_only=False)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, EOFError):
            self.fail(_not_a_workbook(path))
        except OSError as exc:
            self.fail(Problem((), f"cannot read the file ({exc.strerror})", "check permissions"))
        self._values: Workbook | None = None
        self.sheets = {norm(ws.title): ws for ws in self.formulas.worksheets}

    def fail(self, problem: Problem) -> Any:
        raise ScenarioError([problem], self.file)

    def check(self) -> None:
        if self.problems:
            raise ScenarioError(list(dict.fromkeys(self.problems)), self.file)

    def cached(self, ws: Worksheet, row: int, col: int) -> Any:
        """The value a formula had when the workbook was last saved (None if never computed)."""
        if self._values is None:
            self._values = _load(self.path, data_only=True)
        return self._values[ws.title].cell(row=row, column=col).value

    def sheet(self, name: str) -> Sheet | None:
        ws = self.sheets.get(norm(name))
        return None if ws is None else Sheet(self, ws)

    def table(self, name: str) -> tuple[Sheet, dict[str, int], list[int]] | None:
        """The table sheet ``name``: its columns by name and its rows holding values; None
        when the sheet is absent or lacks a required column (a problem is recorded)."""
        sheet = self.sheet(name)
        if sheet is None:
            return None
        cols = sheet.header(TABLES[name], REQUIRED_COLUMNS[name])
        return None if cols is None else (sheet, cols, sheet.data_rows(cols))


class Sheet:
    """One worksheet: resolved cell values and typed readers that record problems."""

    def __init__(self, book: Book, ws: Worksheet) -> None:
        self.book, self.ws, self.name = book, ws, ws.title

    @property
    def rows(self) -> int:
        return self.ws.max_row

    @property
    def cols(self) -> int:
        return self.ws.max_column

    def ref(self, row: int, col: int) -> str:
        return f"{self.name}!{get_column_letter(col)}{row}"

    def problem(self, row: int, col: int, place: DataPath, what: str, fix: str) -> None:
        self.book.problems.append(Problem(place, what, fix, cell=self.ref(row, col)))

    def mark(self, place: DataPath, row: int, col: int) -> None:
        self.book.marks.setdefault(place, self.ref(row, col))

    def raw(self, row: int, col: int) -> Any:
        """The cell's value (a formula's saved result); None when empty or only spaces."""
        if col < 1:
            return None
        cell = self.ws.cell(row=row, column=col)
        value = cell.value
        if cell.data_type == "f":
            value = self.book.cached(self.ws, row, col)
            if value is None:
                self.problem(
                    row,
                    col,
                    (),
                    "a formula with no saved value",
                    "open and save the workbook in Excel or LibreOffice, or type the value",
                )
                return None
        if cell.data_type == "e" or (isinstance(value, str) and value in _EXCEL_ERRORS):
            self.problem(row, col, (), f"the cell holds the error {value}", "type a value")
            return None
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def present(self, row: int, cols: Collection[int]) -> bool:
        return any(self.ws.cell(row=row, column=c).value not in (None, "") for c in cols if c > 0)

    # --- typed readers: None when empty, or after recording a problem --------------------------

    def number(self, row: int, col: int, place: DataPath) -> float | None:
        value = self.raw(row, col)
        if value is None:
            return None
        if isinstance(value, bool):
            self.problem(row, col, place, f"{str(value).upper()} is not a number", "write a number")
            return None
        if isinstance(value, int | float):
            if not math.isfinite(value):
                self.problem(
                    row, col, place, f"{value} is not a finite number", "write a plain number"
                )
                return None
            return float(value)
        if isinstance(value, dt.date | dt.time):
            self.problem(
                row,
                col,
                place,
                f"a date or time ({value}) where a number belongs",
                "format the cell as a number and type the value again",
            )
            return None
        text = str(value).strip()
        if NUMBER.fullmatch(text):
            return float(text)
        fix = "write a plain number such as 0.5 (no units, NaN or inf)"
        if re.fullmatch(r"[+-]?\d+,\d+", text):
            fix = "use '.' as the decimal point"
        self.problem(row, col, place, f"{text!r} is not a number", fix)
        return None

    def text(self, row: int, col: int) -> str | None:
        value = self.raw(row, col)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return str(value).upper()
        if isinstance(value, int | float):
            return fmt_num(value)
        if isinstance(value, dt.datetime) and value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat() if isinstance(value, dt.date | dt.time) else str(value)

    def ident(self, row: int, col: int) -> str | None:
        text = self.text(row, col)
        return None if text is None else text.strip()

    def ids(self, row: int, col: int) -> list[str] | None:
        text = self.text(row, col)
        return None if text is None else [p for p in _SPLIT.split(text) if p]

    def date(self, row: int, col: int, place: DataPath) -> dt.date | None:
        value = self.raw(row, col)
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            if value.time() == dt.time():
                return value.date()
        elif isinstance(value, dt.date):
            return value
        elif isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        shown = value if isinstance(value, str) else self.text(row, col)
        self.problem(
            row,
            col,
            place,
            f"{shown!r} is not a date",
            "write the date as YYYY-MM-DD, e.g. 2025-08-20",
        )
        return None

    def boolean(self, row: int, col: int, place: DataPath) -> bool | None:
        value = self.raw(row, col)
        if value is None or isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        self.problem(row, col, place, f"{value!r} is not TRUE or FALSE", "write TRUE or FALSE")
        return None

    # --- headers and estimates ------------------------------------------------------------------

    def header(self, names: tuple[str, ...], required: tuple[str, ...]) -> dict[str, int] | None:
        """Columns by name from the header in row 1 (case, '_' and spaces ignored; an
        estimate's best column may be headed by the field alone, e.g. ``capability``).
        None, after recording problems, when a required column is missing."""
        known = {norm(n): n for n in names}
        known |= {norm(n.removesuffix(" best")): n for n in names if n.endswith(" best")}
        cols: dict[str, int] = {}
        for col in range(1, self.cols + 1):
            head = self.text(1, col)
            if head is None:
                self.headless(col, 2)
                continue
            name = known.get(norm(head))
            if name is None:
                self.problem(
                    1,
                    col,
                    (),
                    f"unknown column '{head}'",
                    f"{did_you_mean(head, names)} (or delete the column)",
                )
            elif name in cols:
                self.problem(1, col, (), f"a second column '{head}'", "delete one of them")
            else:
                cols[name] = col
        missing = [n for n in required if n not in cols]
        for name in missing:
            self.problem(
                1,
                self.cols + 1,
                (),
                f"no column '{name}'",
                f"add a column headed '{name}' in row 1",
            )
        return None if missing else cols

    def headless(self, col: int, first: int) -> None:
        for row in range(first, self.rows + 1):
            if self.raw(row, col) is not None:
                self.problem(
                    row,
                    col,
                    (),
                    "a value in a column with no header",
                    "name the column in the header row, or clear it",
                )
                return

    def data_rows(self, cols: dict[str, int], first: int = 2) -> list[int]:
        """Rows from ``first`` with a value in any of ``cols``."""
        where = list(cols.values())
        return [r for r in range(first, self.rows + 1) if self.present(r, where)]

    def estimate(self, row: int, fields: dict[str, int], place: DataPath) -> dict[str, Any] | None:
        """The estimate in ``fields`` (its columns by field: low, best, ...) of ``row``."""
        col = {f: fields.get(f, 0) for f in ESTIMATE}
        if not self.present(row, col.values()):
            return None
        for field, c in col.items():
            if c:
                self.mark((*place, field), row, c)
        first = col["low"] if self.raw(row, col["low"]) is not None else col["best"]
        self.mark(place, row, first or next(c for c in col.values() if c))
        out: dict[str, Any] = {}
        for field in ("low", "best", "high"):
            value = self.number(row, col[field], (*place, field))
            if value is not None:
                out[field] = value
        for field in ("source", "dist"):
            value_id = self.ident(row, col[field])
            if value_id is not None:
                out[field] = value_id
        for field in ("quote", "note"):
            text = self.text(row, col[field])
            if text is not None:
                out[field] = text
        if not self.present(row, [col["best"]]):
            c = col["best"] or next(c for c in col.values() if c)
            self.problem(
                row,
                c,
                (*place, "best"),
                "no best value",
                "write the best estimate (a range also needs low and high)",
            )
        elif ("low" in out) != ("high" in out):
            empty = "high" if "low" in out else "low"
            c = col[empty] or col["best"]
            self.problem(
                row,
                c,
                place,
                "a range needs both low and high",
                f"write {empty} too, or clear the other for a point",
            )
        return out


_EXCEL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!")
