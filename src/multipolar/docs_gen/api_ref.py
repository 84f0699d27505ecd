"""The Python API reference, generated from ``multipolar.__all__``: signatures and docstrings.

Whatever the package exports is documented, in four groups (functions, classes, errors, other);
a class's public methods and properties follow it, and the classes that exported functions
return (``DealReport``, ``WarReport``, ...) get a section of their own even when they are not
exported themselves. A name is looked up with ``getattr``, so lazily imported names count.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from multipolar.docs_gen.markdown import cell, docstring, table

PAGE = "docs/reference/api.md"
KIND = {"Functions": "function", "Classes": "class", "Errors": "exception", "Other": "other"}
WIDTH = 90  # longer signatures get one parameter per line


def _annotation(value: Any) -> str:
    if value is inspect.Parameter.empty:
        return ""
    return value if isinstance(value, str) else inspect.formatannotation(value)


def signature(name: str, obj: Callable[..., Any]) -> str:
    """``name(params) -> return`` with annotations as written in the source (no quotes)."""
    sig = inspect.signature(obj)
    params: list[str] = []
    star_done = False
    for i, p in enumerate(sig.parameters.values()):
        if i == 0 and p.name in ("self", "cls"):
            continue
        if p.kind is p.KEYWORD_ONLY and not star_done:
            params.append("*")
        star_done = star_done or p.kind in (p.KEYWORD_ONLY, p.VAR_POSITIONAL)
        stars: dict[object, str] = {p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}
        text = stars.get(p.kind, "") + p.name
        if p.annotation is not p.empty:
            text += f": {_annotation(p.annotation)}"
        if p.default is not p.empty:
            text += f" = {p.default!r}" if p.annotation is not p.empty else f"={p.default!r}"
        params.append(text)
    ret = (
        f" -> {_annotation(sig.return_annotation)}"
        if sig.return_annotation is not sig.empty
        else ""
    )
    one_line = f"{name}({', '.join(params)}){ret}"
    if len(one_line) <= WIDTH or not params:
        return one_line
    inner = "".join(f"    {p},\n" for p in params)
    return f"{name}(\n{inner}){ret}"


def _code(text: str) -> list[str]:
    return ["```python", text, "```", ""]


def _members(cls: type) -> list[tuple[str, Any]]:
    """Public methods and properties defined in the class itself (not inherited)."""
    found = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        func = value.__func__ if isinstance(value, classmethod | staticmethod) else value
        if isinstance(func, property) or inspect.isfunction(func):
            found.append((name, value))
    return found


def _member(cls: type, name: str, value: Any) -> list[str]:
    title = f"{cls.__name__}.{name}"
    if isinstance(value, property):
        target = value.fget
        returns = _annotation(inspect.signature(target).return_annotation) if target else ""
        shown = f"{title}: {returns}  # property" if returns else f"{title}  # property"
    else:
        target = value.__func__ if isinstance(value, classmethod | staticmethod) else value
        shown = signature(title, target)
    doc = docstring(target) if target else ""
    return [f"#### `{title}`", "", *_code(shown), *([doc, ""] if doc else [])]


def _class(cls: type, qualified: str) -> list[str]:
    lines = []
    if issubclass(cls, BaseModel):
        lines += [
            (
                "A pydantic model; its fields are documented in the "
                f"[scenario format](scenario-format.md#{cls.__name__.lower()})."
            ),
            "",
        ]
    else:
        init = vars(cls).get("__init__")
        shown = signature(qualified, init) if init else qualified
        if dataclasses.is_dataclass(cls) or not issubclass(cls, BaseException):
            shown = signature(qualified, cls)
        base = cls.__mro__[1].__name__
        note = f"  # subclass of {base}" if issubclass(cls, BaseException) else ""
        lines += _code(f"class {shown.split(' -> ')[0]}{note}")
    doc = _class_doc(cls)
    if doc:
        lines += [doc, ""]
    if dataclasses.is_dataclass(cls):
        rows = [[f"`{f.name}`", cell(f"`{_annotation(f.type)}`")] for f in dataclasses.fields(cls)]
        lines += [*table(["field", "type"], rows), ""]
    for name, value in _members(cls):
        lines += _member(cls, name, value)
    return lines


def _class_doc(cls: type) -> str:
    """The class's docstring; a dataclass without one gets its signature as ``__doc__``,
    which is no documentation."""
    doc = docstring(cls)
    generated = dataclasses.is_dataclass(cls) and doc.startswith(f"{cls.__name__}(")
    return "" if generated else doc


def _slug(text: str) -> str:
    """The anchor Python-Markdown's toc (and GitHub) give a heading."""
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _returned(func: Callable[..., Any]) -> list[type]:
    """The multipolar classes a function returns, as far as its annotation can be resolved."""
    annotation = inspect.signature(func).return_annotation
    if isinstance(annotation, str):
        try:
            annotation = eval(annotation, getattr(func, "__globals__", {}))
        except (NameError, AttributeError, SyntaxError, TypeError):
            return []
    found = [annotation, *typing.get_args(annotation)]
    return [t for t in found if isinstance(t, type) and t.__module__.startswith("multipolar")]


def _group(obj: Any) -> str:
    if isinstance(obj, type):
        return "Errors" if issubclass(obj, BaseException) else "Classes"
    return "Functions" if callable(obj) else "Other"


def generate() -> str:
    """The generated part of the API reference."""
    import multipolar

    exported = {name: getattr(multipolar, name) for name in multipolar.__all__}
    groups: dict[str, list[str]] = {"Functions": [], "Classes": [], "Errors": [], "Other": []}
    for name, obj in exported.items():
        groups[_group(obj)].append(name)
    returned: list[type] = []
    for obj in exported.values():
        if inspect.isfunction(obj):
            returned += [
                t for t in _returned(obj) if t not in exported.values() and t not in returned
            ]

    summary = [
        [f"[`{name}`](#{_slug(_heading(name, exported[name]))})", KIND[group],
         cell(_first(exported[name]))]
        for group, names in groups.items()
        for name in names
    ]  # fmt: skip
    lines = [*table(["name", "kind", "summary"], summary), ""]
    for group, names in groups.items():
        if not names:
            continue
        lines += [f"## {group}", ""]
        for name in names:
            lines += _entry(name, exported[name])
    if returned:
        lines += ["## Result types", "", "Returned by the functions above; not exported.", ""]
        for cls in returned:
            lines += [f"### class `{cls.__name__}`", "", f"`{cls.__module__}.{cls.__name__}`", ""]
            lines += _class(cls, cls.__name__)
    return "\n".join(lines)


def _first(obj: Any) -> str:
    if not (callable(obj) or isinstance(obj, type)):
        return "The version of the package." if isinstance(obj, str) else ""
    doc = _class_doc(obj) if isinstance(obj, type) else docstring(obj)
    return doc.split("\n\n")[0]


def _heading(name: str, obj: Any) -> str:
    if isinstance(obj, type):
        kind = "exception" if issubclass(obj, BaseException) else "class"
        return f"{kind} `multipolar.{name}`"
    return f"`multipolar.{name}()`" if callable(obj) else f"`multipolar.{name}`"


def _entry(name: str, obj: Any) -> list[str]:
    qualified = f"multipolar.{name}"
    lines = [f"### {_heading(name, obj)}", ""]
    if isinstance(obj, type):
        return lines + _class(obj, qualified)
    if callable(obj):
        lines += _code(signature(qualified, obj))
        doc = docstring(obj)
        return lines + ([doc, ""] if doc else [])
    kind = type(obj).__name__
    return [*lines, *_code(f"{qualified}: {kind}"), _first(obj), ""]
