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

Marks = dict[Path, tuple[int, int]]


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


def _int_value(text: str, mark: Any, path: Path, value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_FLOAT:
        raise _at(
            mark,
            path,
            f"the integer {text[:20]}... is beyond the float range",
            "give a number below 1e308",
        )
    return value


class _Builder(yaml.SafeLoader):
    """Builds plain Python data from YAML nodes, recording where every value starts, within
    the limits on nesting, aliases and expanded size."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.aliases = 0
        self.expanded = 0  # values composed so far, aliases counted by what they expand to
        self.sizes: dict[int, int] = {}  # id(anchored node) -> values it expands to

    def _count(self, n: int, mark: Any) -> None:
        self.expanded += n
        if self.expanded > MAX_NODES:
            raise _at(
                mark,
                (),
                f"more than {MAX_NODES:,} values (an alias counts as the values it repeats)",
                "write the values out instead of repeating anchors",
            )

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise _at(
                    event.start_mark,
                    (),
                    f"more than {MAX_ALIASES} YAML aliases",
                    "write the values out instead of repeating anchors",
                )
            node = super().compose_node(parent, index)
            size = self.sizes.get(id(node))
            if size is None:  # the alias points into its own anchor, which is still open
                raise _at(
                    event.start_mark,
                    (),
                    f"alias *{event.anchor} refers to a value that contains it",
                    "remove the alias: a scenario cannot contain itself",
                )
            self._count(size, event.start_mark)
            return node
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep(event.start_mark)
        before = self.expanded
        self._count(1, event.start_mark)
        node = super().compose_node(parent, index)
        self.depth -= 1
        if getattr(event, "anchor", None) is not None:
            self.sizes[id(node)] = self.expanded - before
        return node

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        text = str(node.value)
        if len(text) > MAX_INT_CHARS:
            raise _at(
                node.start_mark,
                (),
                f"the integer {text[:20]}... has {len(text)} characters",
                "give a number below 1e308",
            )
        return super().construct_yaml_int(node)


_Builder.add_constructor("tag:yaml.org,2002:int", _Builder.construct_yaml_int)


def _scalar(loader: _Builder, node: yaml.Node, path: Path) -> Any:
    try:
        value = loader.construct_object(node, deep=True)
    except (ValueError, OverflowError) as exc:  # e.g. a date 2025-02-30
        raise _at(
            node.start_mark, path, f"cannot read {node.value!r}: {exc}", "check the value"
        ) from None
    return _int_value(str(getattr(node, "value", "")), node.start_mark, path, value)


def _build(loader: _Builder, node: yaml.Node, path: Path, marks: Marks) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _at(
                    key_node.start_mark, path, "a mapping key must be a plain value", "quote it"
                )
            key = _scalar(loader, key_node, path)
            if key in out:
                raise _at(
                    key_node.start_mark,
                    (*path, key),
                    f"duplicate key '{key}'",
                    "keep one entry per key",
                )
            out[key] = _build(loader, value_node, (*path, key), marks)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, child, (*path, i), marks) for i, child in enumerate(node.value)]
    return _scalar(loader, node, path)


def parse_yaml(text: str) -> tuple[Any, Marks]:
    """Parse one YAML document into plain data plus a map from data path to (line, column)."""
    check_size(text)
    marks: Marks = {}
    loader: _Builder | None = None
    try:
        loader = _Builder(text)
        node = loader.get_single_node()
        return (None if node is None else _build(loader, node, (), marks)), marks
    except _MarkedError as exc:
        raise ScenarioError([exc.problem]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = (exc.problem or exc.context or "malformed YAML").strip()
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
        if loader is not None:
            loader.dispose()


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
    try:  # JSON is (nearly) YAML: borrow YAML's marks for line numbers where it parses
        _, marks = parse_yaml(text)
    except ScenarioError:
        marks = {}
    return data, marks
