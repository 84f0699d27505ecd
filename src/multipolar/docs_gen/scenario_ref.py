"""The scenario format reference, generated from the pydantic schema.

Every model reachable from ``Scenario`` gets a section (its docstring and a table of its fields:
type, required or default, constraints, description), in the order a reader meets them. A
field without a ``description=`` is reported by ``undocumented()`` (and a test fails on it).
"""

from __future__ import annotations

import datetime as dt
import json
import types
import typing
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from multipolar.docs_gen.markdown import cell, docstring, table
from multipolar.scenario.base import Estimate, Id
from multipolar.scenario.schema import Scenario

PAGE = "docs/reference/scenario-format.md"
_ID_INFO: FieldInfo = get_args(Id)[1]
_PLAIN = {str: "text", bool: "boolean", float: "number", int: "integer", dt.date: "date"}


def _hints(model: type[BaseModel]) -> dict[str, Any]:
    return typing.get_type_hints(model, include_extras=True)


def models(root: type[BaseModel] = Scenario) -> list[type[BaseModel]]:
    """The models reachable from ``root``, depth first in field order (each once)."""
    seen: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.append(model)
        for hint in _hints(model).values():
            for inner in _nested(hint):
                visit(inner)

    visit(root)
    return seen


def _nested(hint: Any) -> list[type[BaseModel]]:
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return [hint]
    if get_origin(hint) is Annotated:
        return _nested(get_args(hint)[0])
    return [m for arg in get_args(hint) for m in _nested(arg)]


def _is_id(hint: Any) -> bool:
    return get_origin(hint) is Annotated and _ID_INFO in get_args(hint)[1:]


def type_text(hint: Any) -> str:
    """A field's type in words, with links to the sections of nested models."""
    if _is_id(hint):
        return "[id](#identifiers)"
    if get_origin(hint) is Annotated:
        return type_text(get_args(hint)[0])
    if hint is type(None):
        return "null"
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        name = hint.__name__
        return f"[{name}](#{name.lower()})"
    if hint in _PLAIN:
        return _PLAIN[hint]
    if hint is Any:
        return "any"
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(type_text(a) for a in args if a is not type(None))
    if origin is Literal:
        return " ".join(_or([f"`{_yaml(a)}`" for a in args]))
    if origin is list:
        return f"list of {type_text(args[0])}"
    if origin is tuple:
        return "[" + ", ".join(type_text(a) for a in args) + "]"
    if origin is dict:
        return f"{{{type_text(args[0])}: {type_text(args[1])}}}"
    raise TypeError(f"no words for the type {hint!r}; add it to scenario_ref.type_text")


def _or(items: list[str]) -> list[str]:
    if len(items) < 2:
        return items
    return [", ".join(items[:-1]), "or", items[-1]]


def _yaml(value: Any) -> str:
    """A value as it is written in a scenario file."""
    if isinstance(value, BaseModel):
        return "{}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value if value else '""'
    return json.dumps(value)


def default_text(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        factory = typing.cast("typing.Callable[[], Any]", info.default_factory)
        value = factory()
        shown = f"`{_yaml(value)}`"
        return f"{shown} (all defaults)" if isinstance(value, BaseModel) else shown
    if info.default is None:
        return "none"
    return f"`{_yaml(info.default)}`"


_BOUNDS = ((at.Ge, "ge", "≥"), (at.Le, "le", "≤"), (at.Gt, "gt", ">"), (at.Lt, "lt", "<"))


def _items(lo: int | None, hi: int | None, unit: str = "item") -> list[str]:
    if lo is not None and lo == hi:
        return [f"exactly {lo} {unit}s"]
    if unit == "character" and lo == 1 and hi is None:
        return ["not empty"]
    parts = [] if lo is None else [f"at least {lo} {unit}{'s' if lo != 1 else ''}"]
    return parts + ([] if hi is None else [f"at most {hi} {unit}s"])


def constraints_text(hint: Any, info: FieldInfo) -> str:
    """Constraints the schema states of this field, besides those of its type (an id's rules
    are in 'Identifiers'; every number is finite)."""
    skip: list[Any] = []
    if get_origin(hint) is Annotated:
        for meta in get_args(hint)[1:]:
            skip += meta.metadata if isinstance(meta, FieldInfo) else [meta]
    lo = hi = None
    bounds: list[str] = []
    for m in info.metadata:
        if m in skip:
            continue
        if isinstance(m, at.MinLen):
            lo = m.min_length
        elif isinstance(m, at.MaxLen):
            hi = m.max_length
        elif bound := next(((a, s) for kind, a, s in _BOUNDS if isinstance(m, kind)), None):
            bounds.append(f"{bound[1]} {getattr(m, bound[0]):g}")
        else:
            raise TypeError(f"no words for the constraint {m!r}; add it to scenario_ref")
    unit = "character" if hint is str else "item"
    return ", ".join(_items(lo, hi, unit) + bounds)


def undocumented(root: type[BaseModel] = Scenario) -> list[str]:
    """``Model.field`` of every field without its own description, and models without a
    docstring (``Model``)."""
    missing: list[str] = []
    for model in models(root):
        if not docstring(model):
            missing.append(model.__name__)
        hints = _hints(model)
        for name, info in model.model_fields.items():
            inherited = _is_id(hints[name]) and info.description == _ID_INFO.description
            if not (info.description or "").strip() or inherited:
                missing.append(f"{model.__name__}.{name}")
    return missing


def _used_in(model: type[BaseModel], everything: list[type[BaseModel]]) -> list[str]:
    places = []
    for parent in everything:
        for name, hint in _hints(parent).items():
            if model in _nested(hint):
                places.append(f"[{parent.__name__}](#{parent.__name__.lower()}).`{name}`")
    return places


def _section(model: type[BaseModel], everything: list[type[BaseModel]]) -> list[str]:
    lines = [f"## {model.__name__}", ""]
    used = _used_in(model, everything)
    if used:
        lines += [f"Used in {', '.join(used)}.", ""]
    lines += [docstring(model), ""]
    hints = _hints(model)
    rows = [
        [
            f"`{name}`",
            cell(type_text(hints[name])),
            default_text(info),
            cell(constraints_text(hints[name], info)),
            cell(info.description or ""),
        ]
        for name, info in model.model_fields.items()
    ]
    lines += table(["field", "type", "required / default", "constraints", "description"], rows)
    return [*lines, ""]


def generate() -> str:
    """The generated part of the scenario format reference."""
    everything = models()
    pattern = next(m.pattern for m in _ID_INFO.metadata if hasattr(m, "pattern"))
    length = [m for m in _ID_INFO.metadata if isinstance(m, at.MinLen | at.MaxLen)]
    lo = next(m.min_length for m in length if isinstance(m, at.MinLen))
    hi = next(m.max_length for m in length if isinstance(m, at.MaxLen))
    lines = [
        "## Identifiers",
        "",
        f"An **id** is {lo}–{hi} characters matching `{pattern}`: {_ID_INFO.description}",
        "",
        (
            "A **number** is finite: NaN and infinity are rejected everywhere. Where the type "
            "is [Estimate](#estimate), a plain number is a point estimate."
        ),
        "",
    ]
    lines += limits_section()
    ordered: list[type[BaseModel]] = [m for m in everything if m is not Estimate] + [Estimate]
    for model in ordered:  # the estimate, used everywhere, last
        lines += _section(model, everything)
    return "\n".join(lines)


def limits_section() -> list[str]:
    """The limits of ``multipolar.scenario.limits`` as a table (why: explanation/limits.md)."""
    from multipolar.scenario import limits as lim

    rows = [
        ["file size", f"at most {lim.MAX_FILE_BYTES:,} bytes (scenario files and imported files)"],
        ["nesting", f"at most {lim.MAX_DEPTH} levels of mappings and lists"],
        ["YAML aliases", f"at most {lim.MAX_ALIASES} (`*name`) in a file"],
        ["values", f"at most {lim.MAX_NODES:,}, counting an alias as the values it repeats"],
        ["integers", "within the float range (about ±1.8e308); longer literals are refused"],
        ["dates", f"scenario and event dates from {lim.DATE_MIN} to {lim.DATE_MAX}"],
        [
            "issue scales",
            (
                f"ends within ±{lim.MAX_SCALE_END:g}; width at least {lim.MIN_SCALE_WIDTH:g} × "
                "max(1, |low|, |high|)"
            ),
        ],
        ["events", f"at most {lim.MAX_EVENTS:,} per scenario"],
        [
            "effects",
            (f"at most {lim.MAX_EFFECTS_PER_EVENT} per event and {lim.MAX_EFFECTS:,} in all"),
        ],
    ]
    return [
        "## Limits",
        "",
        (
            "Every input is held to these limits (`multipolar.scenario.limits`); a breach is a "
            "one-line error with exit code 2. Why each exists: "
            "[Limits and numbers](../explanation/limits.md)."
        ),
        "",
        *table(["what", "limit"], [[cell(a), cell(b)] for a, b in rows]),
        "",
    ]
