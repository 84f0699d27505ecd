"""Read and write scenario files (YAML or JSON), reporting problems by file, line and column."""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path as FsPath
from typing import Any

import yaml
from pydantic import ValidationError

from multipolar.errors import Path, Problem, ScenarioError, did_you_mean
from multipolar.scenario.checks import check
from multipolar.scenario.limits import MAX_FILE_BYTES, MAX_FLOAT
from multipolar.scenario.parse import Marks, parse_json, too_big
from multipolar.scenario.replay import event_problems
from multipolar.scenario.schema import Scenario
from multipolar.scenario.yaml_reader import parse_yaml

__all__ = ["Marks", "dumps", "load", "parse_json", "parse_yaml", "read_text", "save", "to_data"]
__all__ += ["validate"]

SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


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


def _show(value: Any) -> str:
    """``repr(value)``, shortened to one readable piece."""
    text = repr(value)
    return text if len(text) <= 60 else text[:50] + "..." + text[-6:]


def problem_of(err: Mapping[str, Any]) -> Problem:
    value = err.get("input")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_FLOAT:
        loc: Path = tuple(err["loc"])
        return Problem(loc, "an integer beyond the float range", "give a number below 1e308")
    return _from_pydantic(err)


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
            loc, f"{_show(value)} is not a finite number", "give a finite number (no NaN or inf)"
        )
    if kind in ("float_type", "float_parsing", "int_type"):
        return Problem(
            loc, f"expected a number, got {_show(value)}", "write a plain number without quotes"
        )
    if kind == "string_type":
        return Problem(loc, f"expected text, got {_show(value)}", "quote the value")
    estimate = bool(loc) and (
        (loc[0] in ("positions", "salience") and len(loc) == 3)
        or loc[-1] in ("capability", "status_quo")
    )
    if estimate and kind in ("model_type", "model_attributes_type"):
        return Problem(
            loc,
            f"expected a number, got {_show(value)}",
            "write a number, or a range {low: .., best: .., high: ..}",
        )
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return Problem(
            loc, f"expected a mapping, got {_show(value)}", "write 'key: value' entries here"
        )
    if kind in ("list_type", "tuple_type"):
        return Problem(loc, f"expected a list, got {_show(value)}", "write a list, e.g. [0, 100]")
    if kind == "too_short" and loc and loc[-1] in ("actors", "issues"):
        return Problem(
            loc, f"the scenario has no {loc[-1]}", f"add at least one entry under {loc[-1]}"
        )
    if kind == "literal_error":
        return Problem(
            loc, f"{_show(value)} is not allowed", f"use {ctx.get('expected', 'a listed value')}"
        )
    if kind == "string_pattern_mismatch":
        return Problem(
            loc, f"invalid id {_show(value)}", "use letters, digits, '_', '.' or '-' (no spaces)"
        )
    return Problem(loc, str(err["msg"]), "see `multipolar schema` for the expected form")


def validate(data: Any, file: str | None = None, marks: Marks | None = None) -> Scenario:
    """Turn parsed data into a valid ``Scenario`` or raise ``ScenarioError`` with every problem."""
    marks = {} if marks is None else marks
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
        problems = [_locate(problem_of(e), marks) for e in exc.errors()]
        raise ScenarioError(problems, file) from None
    problems = [_locate(p, marks) for p in check(scn) or event_problems(scn)]
    if problems:
        raise ScenarioError(problems, file)
    return scn


def read_text(path: str | FsPath) -> str:
    """The UTF-8 text of a scenario file (at most ``MAX_FILE_BYTES``), or a ``ScenarioError``."""
    p = FsPath(path)
    try:
        with p.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError([Problem((), "file not found", "check the path")], str(p)) from None
    except IsADirectoryError:
        raise ScenarioError([_directory(p)], str(p)) from None
    except OSError as exc:
        raise ScenarioError(
            [Problem((), f"cannot read the file ({exc.strerror})", "check its permissions")], str(p)
        ) from None
    if len(raw) > MAX_FILE_BYTES:
        size = p.stat().st_size if p.is_file() else len(raw)
        raise ScenarioError([too_big(size)], str(p))
    try:
        return raw.decode("utf-8-sig")
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
    key = (str(p), kind, hashlib.sha256(text.encode("utf-8")).hexdigest())
    with _LOADED_LOCK:
        if key in _LOADED:
            _LOADED.move_to_end(key)
            return _LOADED[key]
    try:
        data, marks = parse_json(text) if kind == "json" else parse_yaml(text)
    except ScenarioError as exc:
        raise ScenarioError(exc.problems, str(p)) from None
    scn = validate(data, str(p), marks)
    with _LOADED_LOCK:
        _LOADED[key] = scn
        while len(_LOADED) > 8:
            _LOADED.popitem(last=False)
    return scn


#: the last scenarios loaded, by file name, kind and content: loading the same text again gives
#: the same (immutable) scenario object, so the analyses kept per scenario object (its state
#: after the events, the deal Monte Carlo, what it would take) are shared, e.g. by the steps of
#: ``multipolar run``; a file whose content changed is read afresh
_LOADED: OrderedDict[tuple[str, str, str], Scenario] = OrderedDict()
_LOADED_LOCK = threading.Lock()


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
