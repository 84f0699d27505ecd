"""Parse scenario text (YAML or JSON) safely, reporting problems by line and column.

One parser for every entry point (command line, Python API, web app uploads, the importers'
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

import yaml

from multipolar.errors import Path, Problem, ScenarioError
from multipolar.scenario.limits import (
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_FLOAT,
    MAX_INT_CHARS,
    MAX_NODES,
)

Marks = Mapping[Path, tuple[int, int]]


class _MarkedError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _at(mark: Any, path: Path, message: str, fix: str) -> _MarkedError:
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return _MarkedError(Problem(path, message, fix, line, col))


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


def _too_deep(mark: Any) -> _MarkedError:
    return _at(
        mark,
        (),
        f"nested more than {MAX_DEPTH} levels deep",
        "flatten this part: a scenario needs only a few levels",
    )


_Base: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Merge:
    """The key ``<<`` (a YAML merge)."""


_NO_KEY: Any = object()
_MERGE = _Merge()


class _Loader(_Base):  # type: ignore[misc]
    """libyaml's event parser (PyYAML's when libyaml is missing) with PyYAML's safe scalar
    constructors; integer literals longer than ``MAX_INT_CHARS`` are refused unconverted."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        text = str(node.value)
        if len(text) > MAX_INT_CHARS:
            raise _at(
                node.start_mark,
                (),
                f"the integer {text[:20]}... has {len(text):,} characters",
                "give a number below 1e308",
            )
        return super().construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


class _Frame:
    """A mapping or list still open while the events are read."""

    __slots__ = ("anchor", "before", "key", "merges", "path", "value")

    def __init__(self, value: dict[Any, Any] | list[Any], path: Path, anchor: Any, before: int):
        self.value = value
        self.path = path
        self.anchor = anchor
        self.before = before  # values counted before it opened
        self.key: Any = _NO_KEY  # the key waiting for its value (mappings)
        self.merges: list[dict[Any, Any]] = []


class _Reader:
    """Builds plain data from the parser's events with an explicit stack (no recursion, so
    no depth can overflow it), recording where every value starts and enforcing the limits
    event by event: the work is linear in the text."""

    def __init__(self, text: str) -> None:
        self.loader = _Loader(text)
        self.marks: dict[Path, tuple[int, int]] = {}
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}  # name -> (value, values it stands for)
        self.aliases = 0
        self.expanded = 0
        self.root: Any = None

    def _count(self, n: int, mark: Any) -> None:
        self.expanded += n
        if self.expanded > MAX_NODES:
            raise _at(
                mark,
                (),
                f"more than {MAX_NODES:,} values (an alias counts as the values it repeats)",
                "write the values out instead of repeating anchors",
            )

    def _is_key(self) -> bool:
        top = self.stack[-1] if self.stack else None
        return top is not None and isinstance(top.value, dict) and top.key is _NO_KEY

    def _here(self, mark: Any) -> Path:
        """The path of the value starting at ``mark``, recorded unless it is a key."""
        if not self.stack:
            path: Path = ()
        else:
            top = self.stack[-1]
            if isinstance(top.value, list):
                path = (*top.path, len(top.value))
            elif top.key is _NO_KEY or top.key is _MERGE:
                return top.path
            else:
                path = (*top.path, top.key)
        self.marks[path] = (mark.line + 1, mark.column + 1)
        return path

    def _scalar(self, event: Any, path: Path) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _MERGE_TAG:
            return _MERGE
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            value = self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:  # e.g. a date 2025-02-30
            raise _at(
                event.start_mark, path, f"cannot read {event.value[:40]!r}: {exc}", "check it"
            ) from None
        self.loader.constructed_objects.pop(node, None)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_FLOAT:
            raise _at(
                event.start_mark,
                path,
                f"the integer {event.value[:20]}... is beyond the float range",
                "give a number below 1e308",
            )
        return value

    def _place(self, value: Any, mark: Any, plain: bool) -> None:
        """Put a finished value into the open collection (or make it the document)."""
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if isinstance(top.value, list):
            top.value.append(value)
        elif top.key is _NO_KEY:
            if not plain or isinstance(value, list | dict):
                raise _at(mark, top.path, "a mapping key must be a plain value", "quote it")
            if value in top.value:
                where = (*top.path, value)
                raise _at(mark, where, f"duplicate key '{value}'", "keep one entry per key")
            top.key = value
        elif top.key is _MERGE:
            merged = value if isinstance(value, list) else [value]
            if not all(isinstance(m, dict) for m in merged):
                raise _at(mark, top.path, "'<<' merges mappings only", "give *alias of a mapping")
            top.merges.extend(merged)
            top.key = _NO_KEY
        else:
            top.value[top.key] = value
            top.key = _NO_KEY

    def _open(self, event: Any, value: dict[Any, Any] | list[Any]) -> None:
        if self._is_key():
            raise _at(
                event.start_mark,
                self.stack[-1].path,
                "a mapping key must be a plain value",
                "quote it",
            )
        if len(self.stack) >= MAX_DEPTH:
            raise _too_deep(event.start_mark)
        path = self._here(event.start_mark)
        self._count(1, event.start_mark)
        self.stack.append(_Frame(value, path, event.anchor, self.expanded - 1))

    def _close(self, event: Any) -> None:
        frame = self.stack.pop()
        if isinstance(frame.value, dict):
            if frame.key is not _NO_KEY:  # cannot happen with a well-formed event stream
                raise _at(event.start_mark, frame.path, "a key has no value", "add its value")
            for merged in frame.merges:  # explicit keys win, then earlier merges
                for key, val in merged.items():
                    frame.value.setdefault(key, val)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.value, self.expanded - frame.before)
        self._place(frame.value, event.start_mark, plain=False)

    def _alias(self, event: Any) -> None:
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise _at(
                event.start_mark,
                (),
                f"more than {MAX_ALIASES} YAML aliases",
                "write the values out instead of repeating anchors",
            )
        if event.anchor not in self.anchors:
            raise _at(
                event.start_mark,
                (),
                f"alias *{event.anchor} names no complete anchor before it",
                "define &name before *name, and not around it",
            )
        value, size = self.anchors[event.anchor]
        key = self._is_key()
        if not key:
            self._here(event.start_mark)
        self._count(size, event.start_mark)
        self._place(value, event.start_mark, plain=not isinstance(value, list | dict))

    def read(self) -> Any:
        documents = 0
        while True:
            event = self.loader.get_event()
            if isinstance(event, yaml.ScalarEvent):
                key = self._is_key()
                path = self.stack[-1].path if key else self._here(event.start_mark)
                self._count(1, event.start_mark)
                value = self._scalar(event, path)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
                self._place(value, event.start_mark, plain=True)
            elif isinstance(event, yaml.AliasEvent):
                self._alias(event)
            elif isinstance(event, yaml.MappingStartEvent):
                self._open(event, {})
            elif isinstance(event, yaml.SequenceStartEvent):
                self._open(event, [])
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                self._close(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _at(
                        event.start_mark,
                        (),
                        "more than one YAML document",
                        "keep one scenario per file (remove the second '---')",
                    )
            elif isinstance(event, yaml.StreamEndEvent):
                return self.root


def parse_yaml(text: str) -> tuple[Any, Marks]:
    """Parse one YAML document into plain data plus a map from data path to (line, column)."""
    check_size(text)
    reader: _Reader | None = None
    try:
        reader = _Reader(text)
        return reader.read(), reader.marks
    except _MarkedError as exc:
        raise ScenarioError([exc.problem]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = (exc.problem or exc.context or "malformed YAML").strip()
        if "nesting depth" in what:  # libyaml's own limit, met while it reads ahead
            raise ScenarioError([_too_deep(mark).problem]) from None
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise ScenarioError(
            [
                Problem(
                    (), f"malformed YAML: {what}", "check indentation, colons and quotes", line, col
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem((), f"malformed YAML: {exc}", "check the file")]) from None
    finally:
        if reader is not None:
            reader.loader.dispose()


class _LazyMarks(Mapping[Path, tuple[int, int]]):
    """The marks of JSON text, computed (through the YAML reader) only when an error needs
    a line number: valid JSON is read once, by ``json``."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._marks: Mapping[Path, tuple[int, int]] | None = None

    def _get(self) -> Mapping[Path, tuple[int, int]]:
        if self._marks is None:
            try:  # JSON is (nearly) YAML: borrow YAML's marks where it parses
                self._marks = parse_yaml(self._text)[1]
            except ScenarioError:
                self._marks = {}
        return self._marks

    def __getitem__(self, path: Path) -> tuple[int, int]:
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
                raise ScenarioError([_too_deep(None).problem.at(line, col)])
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
