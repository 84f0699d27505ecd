"""Read and write scenario files (YAML or JSON), reporting problems by file, line and column."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import ValidationError

from multipolar.errors import Mark, Path, Problem, ScenarioError, did_you_mean
from multipolar.scenario.checks import check
from multipolar.scenario.schema import Scenario

Marks = dict[Path, Mark]  # where each value starts: (line, column), or a spreadsheet cell
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


class _Builder(yaml.SafeLoader):
    """Builds plain Python data from YAML nodes, recording where every value starts."""


def _build(loader: _Builder, node: yaml.Node, path: Path, marks: Marks) -> Any:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, list | dict):
                raise _problem(key_node, path, "a mapping key must be a plain value", "quote it")
            if key in out:
                raise _problem(
                    key_node, (*path, key), f"duplicate key '{key}'", "keep one entry per key"
                )
            out[key] = _build(loader, value_node, (*path, key), marks)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, child, (*path, i), marks) for i, child in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


class _MarkedError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _problem(node: yaml.Node, path: Path, message: str, fix: str) -> _MarkedError:
    mark = node.start_mark
    return _MarkedError(Problem(path, message, fix, mark.line + 1, mark.column + 1))


def parse_yaml(text: str) -> tuple[Any, Marks]:
    """Parse one YAML document into plain data plus a map from data path to (line, column)."""
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


def parse_json(text: str) -> tuple[Any, Marks]:
    try:
        data = json.loads(text)
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


def _locate(problem: Problem, marks: Marks) -> Problem:
    path = problem.path
    while True:
        if path in marks:
            return problem.placed(marks[path])
        if not path:
            return problem
        path = path[:-1]


def _known_fields(loc: Path) -> list[str]:
    """Field names allowed at the parent of ``loc`` (best effort, for did-you-mean hints)."""
    from multipolar.scenario import schema

    parents = {
        "actors": schema.Actor,
        "issues": schema.Issue,
        "sources": schema.Source,
        "anchors": schema.Anchor,
        "ideal_adjustment": schema.IdealAdjustment,
    }
    model: type[Any] = schema.Scenario
    if loc[0] in ("positions", "salience"):
        model = schema.Estimate
    for part in loc[:-1]:
        if isinstance(part, str) and part in parents:
            model = parents[part]
        elif part in ("capability", "status_quo"):
            model = schema.Estimate
    return list(model.model_fields)


def _missing(loc: Path, parent: Any) -> Problem:
    """A required field left out. An issue's ``scale`` has no default: positions, the status
    quo and utilities are read on it, and a silent 0-100 would change results."""
    if len(loc) == 3 and loc[0] == "issues" and loc[2] == "scale":
        ident = parent.get("id") if isinstance(parent, dict) else None
        which = f"issue '{ident}'" if isinstance(ident, str) else "this issue"
        return Problem(
            loc[:2], f"{which} has no scale", "add scale: [low, high], e.g. scale: [0, 100]"
        )
    return Problem(loc, f"required field '{loc[-1]}' is missing", f"add '{loc[-1]}'")


def _from_pydantic(err: Mapping[str, Any]) -> Problem:
    loc: Path = tuple(err["loc"])
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind == "multipolar":
        return Problem(loc, ctx["what"], ctx["fix"])
    if kind == "missing":
        return _missing(loc, value)
    if kind == "extra_forbidden":
        return Problem(
            loc, f"unknown field '{loc[-1]}'", did_you_mean(str(loc[-1]), _known_fields(loc))
        )
    if kind == "finite_number" or (isinstance(value, float) and not math.isfinite(value)):
        return Problem(
            loc, f"{value} is not a finite number", "give a finite number (no NaN or inf)"
        )
    if kind in ("float_type", "float_parsing", "int_type"):
        return Problem(
            loc, f"expected a number, got {value!r}", "write a plain number without quotes"
        )
    if kind == "string_type":
        return Problem(loc, f"expected text, got {value!r}", "quote the value")
    estimate = bool(loc) and (
        (loc[0] in ("positions", "salience") and len(loc) == 3)
        or loc[-1] in ("capability", "status_quo")
    )
    if estimate and kind in ("model_type", "model_attributes_type"):
        return Problem(
            loc,
            f"expected a number, got {value!r}",
            "write a number, or a range {low: .., best: .., high: ..}",
        )
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return Problem(loc, f"expected a mapping, got {value!r}", "write 'key: value' entries here")
    if kind in ("list_type", "tuple_type"):
        return Problem(loc, f"expected a list, got {value!r}", "write a list, e.g. [0, 100]")
    if kind == "too_short" and loc and loc[-1] in ("actors", "issues"):
        return Problem(
            loc, f"the scenario has no {loc[-1]}", f"add at least one entry under {loc[-1]}"
        )
    if kind == "literal_error":
        return Problem(
            loc, f"{value!r} is not allowed", f"use {ctx.get('expected', 'a listed value')}"
        )
    if kind == "string_pattern_mismatch":
        return Problem(
            loc, f"invalid id {value!r}", "use letters, digits, '_', '.' or '-' (no spaces)"
        )
    return Problem(loc, str(err["msg"]), "see `multipolar schema` for the expected form")


def validate(data: Any, file: str | None = None, marks: Marks | None = None) -> Scenario:
    """Turn parsed data into a valid ``Scenario`` or raise ``ScenarioError`` with every problem."""
    marks = marks or {}
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                _locate(
                    Problem(
                        (),
                        "the file holds no scenario mapping",
                        "start with 'title:', 'actors:', 'issues:', ...",
                    ),
                    marks,
                )
            ],
            file,
        )
    try:
        scn = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [_locate(_from_pydantic(e), marks) for e in exc.errors()]
        raise ScenarioError(problems, file) from None
    problems = [_locate(p, marks) for p in check(scn)]
    if problems:
        raise ScenarioError(problems, file)
    return scn


def read_text(path: str | FsPath) -> str:
    p = FsPath(path)
    try:
        return p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError([Problem((), "file not found", "check the path")], str(p)) from None
    except IsADirectoryError:
        raise ScenarioError([_directory(p)], str(p)) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem((), f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8")], str(p)
        ) from None


def _directory(p: FsPath) -> Problem:
    """A folder given where a scenario file is expected: name a scenario file inside it."""
    try:
        inside = sorted(f for f in p.iterdir() if f.suffix.lower() in SUFFIXES and f.is_file())
    except OSError:
        inside = []
    if inside:
        shown = " or ".join(str(f) for f in inside[:2])
        more = f" ({len(inside)} scenario files there)" if len(inside) > 2 else ""
        fix = f"pass one scenario file, e.g. {shown}{more}"
    else:
        fix = "pass a scenario file (.yaml, .yml or .json), not a folder"
    return Problem((), "is a directory, not a scenario file", fix)


def load(path: str | FsPath, kind: str | None = None) -> Scenario:
    """Load and validate a scenario file; ``kind`` ("yaml"/"json") defaults from the suffix."""
    p = FsPath(path)
    if p.is_dir():
        raise ScenarioError([_directory(p)], str(p))
    kind = kind or SUFFIXES.get(p.suffix.lower())
    if kind not in ("yaml", "json"):
        fix = "use .yaml, .yml or .json, or `multipolar import` for other formats"
        if p.suffix.lower() == ".xlsx":
            fix = f"multipolar import xlsx {p} -o {p.with_suffix('.yaml')}, then use the .yaml"
        raise ScenarioError([Problem((), f"unknown file type '{p.suffix}'", fix)], str(p))
    text = read_text(p)
    try:
        data, marks = parse_json(text) if kind == "json" else parse_yaml(text)
    except ScenarioError as exc:
        raise ScenarioError(exc.problems, str(p)) from None
    return validate(data, str(p), marks)


def to_data(scn: Scenario) -> dict[str, Any]:
    """Plain data for a scenario: points as plain numbers, defaults left out."""
    data = scn.model_dump(mode="json", exclude_defaults=True)
    data.setdefault("schema_version", scn.schema_version)

    def compact(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"best"}:
                return value["best"]
            return {k: compact(v) for k, v in value.items()}
        if isinstance(value, list):
            return [compact(v) for v in value]
        return value

    ordered = {"schema_version": data.pop("schema_version")}
    ordered.update(compact(data))
    return ordered


def dumps(scn: Scenario, fmt: str = "yaml") -> str:
    """Serialise a scenario to YAML or JSON text."""
    data = to_data(scn)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def save(scn: Scenario, path: str | FsPath) -> None:
    p = FsPath(path)
    fmt = SUFFIXES.get(p.suffix.lower(), "yaml")
    p.write_text(dumps(scn, fmt), encoding="utf-8")
