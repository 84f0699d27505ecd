"""Read YAML scenario text into plain data and the place of every value, within the limits.

libyaml's event parser (PyYAML's when libyaml is missing) feeds an explicit stack, so no depth
can overflow Python's recursion, and every limit (nesting, aliases, values once aliases are
expanded, integer size) is checked event by event: the work is linear in the text.
"""

from __future__ import annotations

from typing import Any

import yaml

from multipolar.errors import Path, Problem, ScenarioError
from multipolar.scenario.limits import MAX_ALIASES, MAX_DEPTH, MAX_FLOAT, MAX_INT_CHARS, MAX_NODES
from multipolar.scenario.parse import MarkedError, Marks, at, check_size, too_deep

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
            raise at(
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
            raise at(
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
            raise at(
                event.start_mark, path, f"cannot read {event.value[:40]!r}: {exc}", "check it"
            ) from None
        self.loader.constructed_objects.pop(node, None)
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_FLOAT:
            raise at(
                event.start_mark,
                path,
                f"the integer {event.value[:20]}... is beyond the float range",
                "give a number below 1e308",
            )
        if isinstance(value, bytes):  # !!binary: a scenario holds what JSON can
            raise at(event.start_mark, path, "binary data (!!binary)", "write it as text")
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
                raise at(mark, top.path, "a mapping key must be a plain value", "quote it")
            if value in top.value:
                where = (*top.path, value)
                raise at(mark, where, f"duplicate key '{value}'", "keep one entry per key")
            top.key = value
        elif top.key is _MERGE:
            merged = value if isinstance(value, list) else [value]
            if not all(isinstance(m, dict) for m in merged):
                raise at(mark, top.path, "'<<' merges mappings only", "give *alias of a mapping")
            top.merges.extend(merged)
            top.key = _NO_KEY
        else:
            top.value[top.key] = value
            top.key = _NO_KEY

    def _open(self, event: Any, value: dict[Any, Any] | list[Any]) -> None:
        if self._is_key():
            raise at(
                event.start_mark,
                self.stack[-1].path,
                "a mapping key must be a plain value",
                "quote it",
            )
        if len(self.stack) >= MAX_DEPTH:
            raise too_deep(event.start_mark)
        path = self._here(event.start_mark)
        self._count(1, event.start_mark)
        self.stack.append(_Frame(value, path, event.anchor, self.expanded - 1))

    def _close(self, event: Any) -> None:
        frame = self.stack.pop()
        if isinstance(frame.value, dict):
            if frame.key is not _NO_KEY:  # cannot happen with a well-formed event stream
                raise at(event.start_mark, frame.path, "a key has no value", "add its value")
            for merged in frame.merges:  # explicit keys win, then earlier merges
                for key, val in merged.items():
                    frame.value.setdefault(key, val)
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.value, self.expanded - frame.before)
        self._place(frame.value, event.start_mark, plain=False)

    def _alias(self, event: Any) -> None:
        self.aliases += 1
        if self.aliases > MAX_ALIASES:
            raise at(
                event.start_mark,
                (),
                f"more than {MAX_ALIASES} YAML aliases",
                "write the values out instead of repeating anchors",
            )
        if event.anchor not in self.anchors:
            raise at(
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
                    raise at(
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
    except MarkedError as exc:
        raise ScenarioError([exc.problem]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = (exc.problem or exc.context or "malformed YAML").strip()
        if "nesting depth" in what:  # libyaml's own limit, met while it reads ahead
            raise ScenarioError([too_deep(mark).problem]) from None
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
