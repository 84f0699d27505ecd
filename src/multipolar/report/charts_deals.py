"""Plotly figures (plain dicts) for the war, the deal space and the timeline of the balance of
advantage. Pure functions of numbers, with explicit div ids."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from multipolar.report.blocks import Figure
from multipolar.report.charts import axis_key, colour, figure, grid, short


def bargaining_range(
    fig_id: str, a: str, b: str, low: float, high: float, marks: Sequence[tuple[str, float]]
) -> Figure:
    """Fearon's bargaining range on a's share of the stakes, with marked shares (the war's
    odds, the Nash split, each side's optimal demand read as a's share)."""
    rows = ["both prefer a deal", *[label for label, _ in marks]]
    data: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "name": "bargaining range",
            "y": [rows[0]],
            "x": [max(high - low, 0.0)],
            "base": [low],
            "marker": {"color": "#2ca02c", "opacity": 0.6},
            "hovertemplate": f"{a}'s share in [{low:.3f}, {high:.3f}]<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": "shares",
            "y": [label for label, _ in marks],
            "x": [value for _, value in marks],
            "text": [f"{value:.3f}" for _, value in marks],
            "textposition": "middle right",
            "marker": {"size": 12, "color": [colour(i + 1) for i in range(len(marks))]},
            "hovertemplate": "%{y}: %{x:.3f}<extra></extra>",
        },
    ]
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": low,
            "x1": high,
            "y0": 0,
            "y1": 1,
            "fillcolor": "#2ca02c",
            "opacity": 0.08,
            "line": {"width": 0},
        }
    ]
    layout = {
        "xaxis": {"title": {"text": f"{a}'s share of the stakes (1 − {b}'s)"}, "range": [0, 1.05]},
        "yaxis": {"automargin": True, "autorange": "reversed", "categoryorder": "array",
                  "categoryarray": rows},
        "shapes": shapes,
        "showlegend": False,
        "margin": {"l": 20, "r": 20, "t": 20, "b": 60},
    }  # fmt: skip
    return figure(fig_id, data, layout, height=max(240, 80 + 40 * len(rows)))


def feasible_set(
    fig_id: str,
    pair: tuple[str, str],
    cloud: Sequence[tuple[float, float, bool]],
    front: Sequence[tuple[float, float]],
    walk: tuple[float, float],
    packages: Sequence[tuple[str, float, float]],
) -> Figure:
    """The two parties' utilities of sampled packages (green where every party that must accept
    does), their Pareto frontier, their walk-away values and the named packages."""
    a, b = pair
    data: list[dict[str, Any]] = []
    for label, ok, col in (
        ("sampled package: someone blocks", False, "#b0b0b0"),
        ("sampled package: every party accepts", True, "#2ca02c"),
    ):
        pts = [(x, y) for x, y, acc in cloud if acc == ok]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": label,
                "x": [x for x, _ in pts],
                "y": [y for _, y in pts],
                "marker": {"size": 4, "color": col, "opacity": 0.6},
                "hoverinfo": "skip",
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"Pareto frontier of {a} and {b}",
            "x": [x for x, _ in front],
            "y": [y for _, y in front],
            "line": {"color": "#000000", "width": 2},
            "hovertemplate": f"{a} %{{x:.3f}}, {b} %{{y:.3f}}<extra>frontier</extra>",
        }
    )
    symbols = ("diamond", "star", "triangle-up", "square", "cross", "x", "pentagon", "hexagon")
    for i, (name, x, y) in enumerate(packages):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": [x],
                "y": [y],
                "marker": {"size": 11, "color": colour(i + 1), "symbol": symbols[i % len(symbols)],
                           "line": {"width": 1, "color": "#222222"}},
                "hovertemplate": f"{name}<br>{a} %{{x:.3f}}, {b} %{{y:.3f}}<extra></extra>",
            }
        )  # fmt: skip
    shapes = [
        {"type": "line", "xref": "x", "yref": "paper", "x0": walk[0], "x1": walk[0],
         "y0": 0, "y1": 1, "line": {"color": "#1f77b4", "dash": "dash", "width": 1.5}},
        {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
         "y0": walk[1], "y1": walk[1], "line": {"color": "#1f77b4", "dash": "dash", "width": 1.5}},
    ]  # fmt: skip
    notes = [
        {"text": f"{a} walks away", "x": walk[0], "y": 1, "xref": "x", "yref": "paper",
         "showarrow": False, "xanchor": "left", "font": {"size": 10, "color": "#1f77b4"}},
        {"text": f"{b} walks away", "x": 1, "y": walk[1], "xref": "paper", "yref": "y",
         "showarrow": False, "xanchor": "right", "yanchor": "bottom",
         "font": {"size": 10, "color": "#1f77b4"}},
    ]  # fmt: skip
    layout = {
        "xaxis": {"title": {"text": f"utility of {a}"}},
        "yaxis": {"title": {"text": f"utility of {b}"}},
        "shapes": shapes,
        "annotations": notes,
    }
    return figure(fig_id, data, layout, height=520)


def package_margins(
    fig_id: str, packages: Sequence[str], margins: Mapping[str, Sequence[float | None]]
) -> Figure:
    """Each party's margin (utility minus walk-away value) in each package; below zero it
    blocks."""
    data = [
        {
            "type": "bar",
            "name": party,
            "x": [short(p, 24) for p in packages],
            "y": list(values),
            "marker": {"color": colour(i)},
            "hovertemplate": f"{party}: %{{y:+.4f}}<extra>%{{x}}</extra>",
        }
        for i, (party, values) in enumerate(margins.items())
    ]
    layout = {
        "barmode": "group",
        "yaxis": {"title": {"text": "margin over walk-away (utility)"}, "zeroline": True,
                  "zerolinewidth": 2},
        "xaxis": {"automargin": True},
    }  # fmt: skip
    return figure(fig_id, data, layout, height=420)


def timeline(
    fig_id: str,
    states: Sequence[str],
    panels: Mapping[str, Mapping[str, Sequence[float | None]]],
) -> Figure:
    """Small multiples of metrics over the states (baseline, then after each event): one
    panel per metric, one line per actor (or '*' for scenario-wide values)."""
    titles = list(panels)
    layout, refs = grid(titles, cols=2, vgap=0.22)
    actors = list(dict.fromkeys(a for per in panels.values() for a in per if a != "*"))
    index = {actor: i for i, actor in enumerate(actors)}
    seen: set[str] = set()
    data: list[dict[str, Any]] = []
    for (xref, yref), title in zip(refs, titles, strict=True):
        for actor, values in panels[title].items():
            name = "zone of agreement (leximin margin)" if actor == "*" else actor
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": name,
                    "legendgroup": name,
                    "showlegend": name not in seen,
                    "x": list(states),
                    "y": list(values),
                    "xaxis": xref,
                    "yaxis": yref,
                    "line": {"color": "#000000" if actor == "*" else colour(index[actor])},
                    "hovertemplate": f"{name}: %{{y:+.4f}}<extra>%{{x}}</extra>",
                }
            )
            seen.add(name)
    for k in range(len(titles)):
        layout[axis_key("x", k)]["type"] = "category"
    rows = math.ceil(len(titles) / 2)
    layout["margin"] = {"l": 60, "r": 20, "t": 40, "b": 60}
    return figure(fig_id, data, layout, height=160 + 280 * rows)
