"""What every chart of the report shares: the base layout, small-multiple grids laid out in
pixels, axis titles with units, and the placement of point labels so that none overlap.

Layout rules that keep labels apart: the legend stands to the right of the plot (plotly widens
the right margin for it, so it never meets an axis title); small multiples leave room below each
panel for its tick labels and axis title before the next panel's title.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from multipolar.report.blocks import Figure

DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
LEGEND = {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top"}


def figure(
    fig_id: str, data: list[dict[str, Any]], layout: dict[str, Any], height: int = 380
) -> Figure:
    base: dict[str, Any] = {
        "height": height,
        "margin": {"l": 70, "r": 20, "t": 30, "b": 70},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "size": 12},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#f8f9fb",
        "hovermode": "closest",
        "legend": dict(LEGEND),
    }
    return {"id": fig_id, "data": data, "layout": {**base, **layout}}


def axis(title: str, **extra: Any) -> dict[str, Any]:
    """An axis with its title (say the unit in it) and room made for its labels."""
    return {"title": {"text": title}, "automargin": True, **extra}


def scale_unit(lo: float, hi: float) -> str:
    """The unit of an issue's values: its own scale."""
    return f"{lo:g}–{hi:g} scale"


def axis_key(kind: str, i: int) -> str:
    return f"{kind}axis" if i == 0 else f"{kind}axis{i + 1}"


def _ref(kind: str, i: int) -> str:
    return kind if i == 0 else f"{kind}{i + 1}"


def short(label: str, width: int = 38) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def grid(
    titles: Sequence[str],
    cols: int,
    *,
    panel: int = 200,
    gap: int = 100,
    hgap: float = 0.12,
    top: int = 40,
    bottom: int = 80,
) -> tuple[dict[str, Any], list[tuple[str, str]], int]:
    """Small multiples, one panel per title, row by row: the layout entries (axes, titles and
    margins), each panel's (xaxis, yaxis) references for its traces, and the figure's height.
    Heights are in pixels: ``panel`` per panel, ``gap`` between rows (room for the upper
    panel's tick labels and axis title and the lower panel's title)."""
    n = len(titles)
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    plot = rows * panel + (rows - 1) * gap
    w = (1 - (cols - 1) * hgap) / cols
    margin = {"l": 70, "r": 20, "t": top, "b": bottom}
    layout: dict[str, Any] = {"annotations": [], "margin": margin}
    refs = []
    for i, title in enumerate(titles):
        r, c = divmod(i, cols)
        x0 = c * (w + hgap)
        y1 = 1 - r * (panel + gap) / plot
        layout[axis_key("x", i)] = {"domain": [x0, x0 + w], "anchor": _ref("y", i)}
        layout[axis_key("y", i)] = {"domain": [y1 - panel / plot, y1], "anchor": _ref("x", i)}
        layout["annotations"].append(
            {
                "text": title,
                "x": x0 + w / 2,
                "y": y1,
                "yshift": 4,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12},
            }
        )
        refs.append((_ref("x", i), _ref("y", i)))
    return layout, refs, top + bottom + plot


def text_box(text: str, font: int) -> tuple[float, float]:
    """A generous estimate of a one-line label's width and height in pixels."""
    return 0.72 * font * len(text) + 6, 1.45 * font


def place_labels(
    points: Sequence[tuple[float, float, float, str]],
    xrange: tuple[float, float],
    yrange: tuple[float, float],
    size: tuple[float, float],
    font: int = 11,
) -> list[float]:
    """Vertical offsets (pixels, negative = up) of labels centred above or below their points
    so that no two labels overlap. ``points`` are (x, y, marker radius in px, text) in data
    units; ``size`` is the plot area's (width, height) in pixels, the width the narrowest it
    will be drawn at. The labels stay centred on their points' x, so labels apart at that width
    stay apart at any wider one; vertically the plot keeps its height."""
    width, height = size
    (x0, x1), (y0, y1) = xrange, yrange

    def px(x: float, y: float) -> tuple[float, float]:
        return (x - x0) / (x1 - x0) * width, (1 - (y - y0) / (y1 - y0)) * height

    placed: list[tuple[float, float, float, float]] = []  # boxes: left, top, right, bottom
    order = sorted(range(len(points)), key=lambda i: (-points[i][1], points[i][0], i))
    offsets = [0.0] * len(points)
    for i in order:
        x, y, radius, text = points[i]
        cx, cy = px(x, y)
        w, h = text_box(text, font)
        step = h + 2
        candidates = [
            sign * (radius + h / 2 + 2 + level * step) for level in range(12) for sign in (-1, 1)
        ]
        inside = [dy for dy in candidates if h / 2 <= cy + dy <= height - h / 2]
        chosen = None
        for dy in inside + [dy for dy in candidates if dy not in inside]:
            box = (cx - w / 2 - 1, cy + dy - h / 2 - 1, cx + w / 2 + 1, cy + dy + h / 2 + 1)
            if not any(_overlap(box, other) for other in placed):
                chosen = dy, box
                break
        if chosen is None:  # crowded beyond twelve levels: stack above everything placed
            dy = min(min(b[1] for b in placed) - cy - h / 2 - 2, -(radius + h / 2 + 2))
            chosen = dy, (cx - w / 2 - 1, cy + dy - h / 2 - 1, cx + w / 2 + 1, cy + dy + h / 2 + 1)
        offsets[i] = chosen[0]
        placed.append(chosen[1])
    return offsets


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
