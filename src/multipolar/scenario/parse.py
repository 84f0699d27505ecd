"""Parse scenario text safely, reporting problems by line and column: the limits shared by
every reader, and JSON (YAML is read by ``yaml_reader``).

One reader for every entry point (command line, Python API, web app uploads, the importers'
YAML/JSON): the text may be at most ``MAX_FILE_BYTES`` long and nest at most ``MAX_DEPTH``
levels; YAML may use at most ``MAX_ALIASES`` aliases and expand to at most ``MAX_NODES`` values
(no "billion laughs"); integers beyond the float range are refused. Every check runs while the
text is read, so a hostile file fails in time linear in its size, with a ``ScenarioError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from multipolar.errors import Mark, Path, Problem, ScenarioError
from multipolar.scenario.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_FLOAT, MAX_INT_CHARS

Marks = Mapping[Path, Mark]  # (line, column), or a spreadsheet cell


class MarkedError(Exception):
    """A problem found while reading, with its place (raised as ``ScenarioError``)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def at(mark: Any, path: Path, message: str, fix: str) -> MarkedError:
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return MarkedError(Problem(path, message, fix, line, col))


def check_size(text: str) -> None:
    """Refuse text longer than ``MAX_FILE_BYTES`` (in UTF-8)."""
    if len(text) <= MAX_FILE_BYTES // 4:
        return
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        raise ScenarioError([too_big(size)])


def too_big(size: int) -> Problem:
    return Problem(
        (),
        f"the file is {size:,} bytes, above the limit of {MAX_FILE_BYTES:,}",
        "split the scenario, or leave long notes out of it",
    )


def too_deep(mark: Any) -> MarkedError:
    return at(
        mark,
        (),
        f"nested more than {MAX_DEPTH} levels deep",
        "flatten this part: a scenario needs only a few levels",
    )


class _LazyMarks(Mapping[Path, Mark]):
    """The marks of JSON text, computed (through the YAML reader) only when an error needs
    a line number: valid JSON is read once, by ``json``."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._marks: Marks | None = None

    def _get(self) -> Marks:
        if self._marks is None:
            from multipolar.scenario.yaml_reader import parse_yaml

            try:  # JSON is (nearly) YAML: borrow YAML's marks where it parses
                self._marks = parse_yaml(self._text)[1]
            except ScenarioError:
                self._marks = {}
        return self._marks

    def __getitem__(self, path: Path) -> Mark:
        return self._get()[path]

    def __iter__(self) -> Iterator[Path]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _json_depth(text: str) -> None:
    """Refuse JSON nested deeper than ``MAX_DEPTH``, naming the first bracket too deep."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, col = _position(text, match.start())
                raise ScenarioError([too_deep(None).problem.at(line, col)])
        elif char in "]}":
            depth -= 1


class _BigIntError(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _json_int(text: str) -> int:
    if len(text) > MAX_INT_CHARS:
        raise _BigIntError(text)
    value = int(text)
    if abs(value) > MAX_FLOAT:
        raise _BigIntError(text)
    return value


def parse_json(text: str) -> tuple[Any, Marks]:
    """Parse JSON into plain data plus the (line, column) of every value YAML can place."""
    check_size(text)
    _json_depth(text)
    try:
        data = json.loads(text, parse_int=_json_int)
    except _BigIntError as exc:
        offset = text.find(exc.text)
        line, col = _position(text, offset) if offset >= 0 else (None, None)
        problem = Problem(
            (),
            f"the integer {exc.text[:20]}... is beyond the float range",
            "give a number below 1e308",
        )
        raise ScenarioError([problem.at(line, col)]) from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            [
                Problem(
                    (),
                    f"malformed JSON: {exc.msg}",
                    "check commas, quotes and brackets",
                    exc.lineno,
                    exc.colno,
                )
            ]
        ) from None
    return data, _LazyMarks(text)
