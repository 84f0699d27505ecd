"""Helpers shared by the field-format importers: text, CSV rows with line numbers, numbers, ids.

Every problem with an input file becomes a ``Problem`` with the file's line number and a fix, and
is raised as one ``ScenarioError``; no raw ``ValueError``/``csv.Error``/``UnicodeDecodeError``
escapes for a bad file.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
import shlex
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from multipolar.errors import Problem, ScenarioError, UsageError, did_you_mean
from multipolar.scenario.limits import MAX_FILE_BYTES
from multipolar.scenario.parse import too_big
from multipolar.scenario.schema import Scenario

Row = tuple[int, list[str]]
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ID_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")


@dataclass(frozen=True)
class Imported:
    """What an importer read: valid scenarios, and remarks on how the file was interpreted."""

    scenarios: list[Scenario]
    notes: list[str]


class Collector:
    """Gathers the problems of one file; ``check`` raises them together as one error."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, line: int | None, message: str, fix: str, place: str | None = None) -> None:
        self.problems.append(Problem((place,) if place else (), message, fix, line))

    def fail(self, line: int | None, message: str, fix: str, place: str | None = None) -> NoReturn:
        self.add(line, message, fix, place)
        raise ScenarioError(self.problems, self.file)

    def check(self) -> None:
        if self.problems:
            raise ScenarioError(self.problems, self.file)

    def number(
        self,
        cell: str,
        line: int,
        place: str,
        low: float | None = None,
        high: float | None = None,
    ) -> float | None:
        """``cell`` as a finite number in [low, high], or ``None`` after recording a problem."""
        text = cell.strip()
        if not text:
            self.add(line, "the cell is empty", "write a number here", place)
            return None
        if not NUMBER.fullmatch(text):
            fix = "write a plain number such as 0.5 (no units, NaN or inf)"
            if re.fullmatch(r"[+-]?\d+,\d+", text):
                fix = "use '.' as the decimal point"
            self.add(line, f"{text!r} is not a number", fix, place)
            return None
        value = float(text)
        if not math.isfinite(value):
            self.add(line, f"{text!r} is not a finite number", "write a plain number", place)
            return None
        if low is not None and high is None and value < low:
            self.add(line, f"{text} is below {low:g}", f"use a value >= {low:g}", place)
            return None
        if low is not None and high is not None and not low <= value <= high:
            span = f"[{low:g}, {high:g}]"
            self.add(line, f"{text} is outside {span}", f"use a value in {span}", place)
            return None
        return value


def read_text(path: Path, expected: str) -> str:
    """The text of ``path`` (UTF-8, BOM dropped, line ends made ``\\n``), or a ``ScenarioError``.

    ``expected`` describes the file's layout for the fix of an empty-file error.
    """
    file = str(path)
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError([Problem((), "file not found", "check the path")], file) from None
    except IsADirectoryError:
        raise ScenarioError([Problem((), "is a directory", "give a file")], file) from None
    except OSError as exc:
        raise ScenarioError(
            [Problem((), f"cannot read the file ({exc.strerror})", "check its permissions")], file
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError([too_big(path.stat().st_size if path.is_file() else len(raw))], file)
    if raw.startswith(b"PK\x03\x04"):  # a zip archive, as an .xlsx workbook is
        problem = Problem(
            (),
            "this looks like an .xlsx workbook (a zip archive), not a text file",
            f"multipolar import xlsx {shlex.quote(file)} -o SCENARIO.yaml",
        )
        raise ScenarioError([problem], file)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = len(raw[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"))
        problem = Problem((), f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8", line)
        raise ScenarioError([problem], file) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ScenarioError([Problem((), "the file is empty", f"give {expected}", 1)], file)
    return text


def first_line(text: str) -> str:
    return next((line for line in text.split("\n") if line.strip()), "")


def sniff_delimiter(line: str) -> str:
    """The most frequent of tab, ';' and ',' in a header line (',' when there is none)."""
    counts = {d: line.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_rows(text: str, delimiter: str, file: str, expected: str, trim: bool = False) -> list[Row]:
    """Non-blank CSV rows (at least one) with the line each starts on; cells stripped.

    ``trim`` drops empty cells at the end of a row (KTAB writes trailing commas); ``expected``
    describes the layout for the fix when the file holds no values.
    """
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            stripped = [c.strip() for c in cells]
            if trim:
                while stripped and not stripped[-1]:
                    stripped.pop()
            if any(stripped):
                rows.append((start, stripped))
            start = reader.line_num + 1
    except csv.Error as exc:
        problem = Problem((), f"malformed CSV: {exc}", "check quotes and separators", start)
        raise ScenarioError([problem], file) from None
    if not rows:
        raise ScenarioError([Problem((), "the file holds no values", f"give {expected}", 1)], file)
    return rows


class IdMaker:
    """Schema-valid, unique ids made from free text, remembering which texts were changed."""

    def __init__(self, fallback: str) -> None:
        self.fallback = fallback
        self.used: set[str] = set()
        self.changed: list[str] = []

    def __call__(self, text: str) -> str:
        base = make_id(text, f"{self.fallback}{len(self.used) + 1}")
        ident, n = base, 1
        while ident in self.used:
            n += 1
            ident = f"{base[:60]}_{n}"
        self.used.add(ident)
        if ident != text:
            self.changed.append(f"'{text}' -> '{ident}'")
        return ident

    def note(self, what: str) -> list[str]:
        if not self.changed:
            return []
        shown = ", ".join(self.changed[:8]) + (", ..." if len(self.changed) > 8 else "")
        return [f"{len(self.changed)} {what} names made into ids: {shown}"]


def make_id(text: str, fallback: str) -> str:
    """``text`` as an id matching ``^[A-Za-z0-9][A-Za-z0-9_.-]*$`` (accents dropped)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ident = _ID_BAD.sub("_", plain.strip()).lstrip("_.-").rstrip("_")[:64]
    return ident or fallback


def fmt_num(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` ("4" for 4.0)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def tidy(value: float) -> float:
    """``value`` to 15 significant digits: 32.3 / 100 gives 0.323, not 0.32299999999999995.

    Scaling by 100 and tidying both ways reads back exactly for data with up to 15 digits.
    """
    return float(f"{value:.15g}")


def fmt_percent(value: float) -> str:
    """A 0-1 value as text on 0-100 (0.323 -> "32.3")."""
    return fmt_num(tidy(value * 100.0))


def to_percent(value: float, scale: tuple[float, float]) -> float:
    """``value`` moved linearly from ``scale`` onto [0, 100] (unchanged when already so)."""
    lo, hi = scale
    if (lo, hi) == (0.0, 100.0):
        return value
    return tidy((value - lo) / (hi - lo) * 100.0)


def check_options(fmt: str, options: Mapping[str, Any], allowed: Collection[str]) -> None:
    for name in options:
        if name not in allowed:
            hint = did_you_mean(name, allowed) if allowed else f"'{fmt}' takes no options"
            raise UsageError(f"unknown option '{name}' for format '{fmt}'; {hint}")


def opt_bool(name: str, value: Any) -> bool:
    """A boolean option; the strings true/false/yes/no/1/0 are accepted too (from a CLI)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise UsageError(f"option {name}={value!r} is not a boolean; use true or false")


def opt_scale(value: Any) -> tuple[float, float]:
    """A ``(lo, hi)`` option; the string "lo,hi" is accepted too (from a CLI)."""
    parts: Sequence[Any] = value.split(",") if isinstance(value, str) else value
    try:
        lo, hi = (float(v) for v in parts)
    except (TypeError, ValueError):
        raise UsageError(f"option scale={value!r} is not two numbers; use e.g. (0, 100)") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise UsageError(f"option scale={value!r} needs finite lo < hi; use e.g. (0, 100)")
    return lo, hi


def close_column(missing: str, present: Collection[str]) -> str | None:
    close = difflib.get_close_matches(missing, list(present), n=1, cutoff=0.6)
    return close[0] if close else None


def one(scenarios: Sequence[Scenario], fmt: str) -> Scenario:
    """The single scenario a one-scenario format can hold, or a ``UsageError``."""
    if len(scenarios) != 1:
        raise UsageError(
            f"a {fmt} file holds one scenario but {len(scenarios)} were given; "
            "export one file per scenario"
        )
    return scenarios[0]
