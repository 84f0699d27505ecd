"""User-facing errors: one line each, naming the file, the place, what is wrong and the fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

PathPart = str | int
Path = tuple[PathPart, ...]
Mark = tuple[int, int] | str  # (line, column) in a text file, or a cell such as "positions!C4"


def format_path(path: Sequence[PathPart]) -> str:
    """``("actors", 2, "capability")`` -> ``actors[2].capability``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A short hint naming the closest choice, or listing the valid ones."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    shown = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
    return f"use one of: {shown}" if options else "none are defined"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, with where it is and how to fix it."""

    path: Path
    message: str
    fix: str
    line: int | None = None
    column: int | None = None
    cell: str | None = None  # a spreadsheet cell, "sheet!C4", in place of line and column

    def at(self, line: int | None, column: int | None) -> Problem:
        return replace(self, line=line, column=column)

    def placed(self, mark: Mark) -> Problem:
        """This problem at ``mark``: a (line, column) pair or a spreadsheet cell."""
        return replace(self, cell=mark) if isinstance(mark, str) else self.at(*mark)

    def format(self, file: str | None = None) -> str:
        where = [file] if file else []
        if self.cell is not None:
            where.append(self.cell)
        elif self.line is not None:
            where.append(str(self.line))
            if self.column is not None:
                where.append(str(self.column))
        prefix = ":".join(where)
        place = format_path(self.path)
        parts = [p for p in (prefix, place) if p]
        text = f"{self.message}; fix: {self.fix}" if self.fix else self.message
        return ": ".join([*parts, text]).replace("\n", " ")


class MultipolarError(Exception):
    """Base class for errors the CLI reports as one line each with exit code 2."""

    def lines(self) -> list[str]:
        return [str(self).replace("\n", " ")]


class ScenarioError(MultipolarError, ValueError):
    """A scenario (or an imported file) is malformed or inconsistent."""

    def __init__(self, problems: Sequence[Problem], file: str | None = None) -> None:
        self.problems = list(problems)
        self.file = file
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [p.format(self.file) for p in self.problems]


class UsageError(MultipolarError, ValueError):
    """A request that cannot be honoured (unknown model, bad option value)."""
