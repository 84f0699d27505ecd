"""Markdown helpers shared by the generators: table cells and generated regions of a page."""

from __future__ import annotations

import html
import inspect
import re

START = "<!-- generated:start"
END = "<!-- generated:end -->"


def cell(text: str) -> str:
    """Text fit for one cell of a Markdown table: lines joined, pipes escaped.

    A pipe inside a code span becomes ``<code>…&#124;…</code>``: GitHub and Python-Markdown
    disagree on ``\\|`` inside backticks, but both render the entity in inline HTML.
    """
    joined = " ".join(line.strip() for line in text.strip().splitlines())
    parts = re.split(r"(`[^`]*`)", joined)
    return "".join(
        (f"<code>{html.escape(p[1:-1]).replace('|', '&#124;')}</code>" if "|" in p else p)
        if p.startswith("`") and p.endswith("`") and len(p) > 1
        else p.replace("|", "\\|")
        for p in parts
    )


def row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table (cells are escaped by the caller with ``cell``)."""
    return [row(*header), row(*(["---"] * len(header))), *(row(*r) for r in rows)]


def rst_to_md(text: str) -> str:
    """Docstrings write code as ``x`` (reStructuredText); Markdown wants `x`."""
    return re.sub(r"``(.+?)``", r"`\1`", text)


def docstring(obj: object) -> str:
    """The object's own docstring, dedented, in Markdown ('' when it has none)."""
    doc = obj.__doc__ if isinstance(obj, type) else inspect.getdoc(obj)
    return rst_to_md(inspect.cleandoc(doc)) if doc else ""


def splice(page: str, generated: str, source: str) -> str:
    """Replace the region between the generated markers of ``page`` with ``generated``.

    The start marker names the command that regenerates the region, so a reader of the raw
    Markdown knows not to edit it by hand.
    """
    begin, end = page.find(START), page.find(END)
    if begin < 0 or end < begin:
        raise ValueError(f"{source}: no '{START} ... -->' / '{END}' markers")
    head = page[:begin]
    tail = page[end + len(END) :]
    marker = f"{START}: python -m multipolar.docs_gen; do not edit by hand -->"
    return f"{head}{marker}\n{generated.strip()}\n{END}{tail}"
