"""The pieces an HTML report is made of: sections holding text, tables, lists and figures.

Sections are plain data; the Jinja2 template lays them out and ``html.py`` hands the figures to
plotly.js. A section whose inputs are missing holds a ``missing`` block that says why.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from multipolar.errors import MultipolarError

Block = dict[str, Any]
Figure = dict[str, Any]

NOT_AVAILABLE = "Not available"


@dataclass(frozen=True)
class Section:
    """One part of the report: an anchor id, a title and its blocks, in order."""

    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    @property
    def figures(self) -> list[Figure]:
        return [b["figure"] for b in self.blocks if b["kind"] == "figure"]


def text(body: str) -> Block:
    return {"kind": "text", "text": body}


def lead(body: str) -> Block:
    """The paragraph that answers the report's question, shown first and prominently."""
    return {"kind": "lead", "text": body}


def heading(title: str) -> Block:
    return {"kind": "heading", "text": title}


def missing(reason: str) -> Block:
    """The block a section shows instead of results whose inputs are missing."""
    return {"kind": "missing", "text": f"{NOT_AVAILABLE}: {reason}"}


def note(body: str) -> Block:
    """A caveat: the section ran, on defaults or with a choice the reader should know."""
    return {"kind": "note", "text": f"Note: {body}"}


def bullets(items: Iterable[str]) -> Block:
    return {"kind": "list", "items": list(items)}


def table(head: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "") -> Block:
    """A table; numbers in ``rows`` should already be formatted as text."""
    return {
        "kind": "table",
        "caption": caption,
        "head": list(head),
        "rows": [[str(cell) for cell in row] for row in rows],
    }


def chart(fig: Figure, caption: str = "") -> Block:
    return {"kind": "figure", "figure": fig, "caption": caption}


def guarded(title: str, build: Callable[[], list[Block]]) -> list[Block]:
    """``build()``, or a ``missing`` block naming the engine's objection (one line, as the CLI
    would print it) when the analysis cannot run on this scenario."""
    try:
        return build()
    except MultipolarError as exc:
        return [missing(f"{title}: " + "; ".join(exc.lines()))]


def num(x: float | None, digits: int = 3) -> str:
    """A number for a table cell: fixed decimals, '–' for None or NaN, no '-0.000'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    out = f"{x:.{digits}f}"
    return out[1:] if out.startswith("-") and float(out) == 0 else out


def signed(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    out = f"{x:+.{digits}f}"
    return "+" + out[1:] if out.startswith("-") and float(out) == 0 else out


def pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"
