"""Plotly figures (plain dicts) for the war, the deal space and the timeline of the balance of
advantage. Pure functions of numbers, with explicit div ids; actors take their colours from
``multipolar.report.palette`` (passed in as ``colours``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from multipolar.report.blocks import Figure
from multipolar.report.charts_base import axis, axis_key, figure, grid, short
from multipolar.report.palette import INK, other_colour

UTILITY = "utility units"


def bargaining_range(
    fig_id: str,
    a: str,
    b: str,
    low: float,
    high: float,
    marks: Sequence[tuple[str, float]],
    mark_colours: Sequence[str] | None = None,
) -> Figure:
    """Fearon's bargaining range on a's share of the stakes, with marked shares (the war's
    odds, the Nash split, each side's optimal demand read as a's share)."""
    rows = ["both prefer a deal", *[label for label, _ in marks]]
    cols = list(mark_colours or [other_colour(i) for i in range(len(marks))])
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
            "textposition": ["middle left" if v > 0.85 else "middle right" for _, v in marks],
            "marker": {"size": 12, "color": cols},
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
        "xaxis": axis(f"{a}'s share of the stakes (0–1; {b} gets the rest)", range=[0, 1.05]),
        "yaxis": axis("share marked", autorange="reversed", categoryorder="array",
                      categoryarray=rows, type="category"),
        "shapes": shapes,
        "showlegend": False,
        "margin": {"l": 20, "r": 20, "t": 20, "b": 70},
    }  # fmt: skip
    return figure(fig_id, data, layout, height=max(260, 100 + 40 * len(rows)))


def _span(values: Sequence[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    pad = 0.05 * (hi - lo) if hi > lo else 0.05
    return lo - pad, hi + pad


def feasible_set(
    fig_id: str,
    pair: tuple[str, str],
    cloud: Sequence[tuple[float, float, bool]],
    front: Sequence[tuple[float, float]],
    walk: tuple[float, float],
    packages: Sequence[tuple[str, float, float]],
    colours: Mapping[str, str],
) -> Figure:
    """The two parties' utilities of sampled packages (green where every party that must accept
    does), their Pareto frontier, their walk-away values (in each party's colour) and the
    named packages."""
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
            "name": "Pareto frontier",
            "x": [x for x, _ in front],
            "y": [y for _, y in front],
            "line": {"color": INK, "width": 2},
            "hovertemplate": f"{a} %{{x:.3f}}, {b} %{{y:.3f}}<extra>frontier</extra>",
        }
    )
    symbols = ("diamond", "star", "triangle-up", "square", "cross", "x", "pentagon", "hexagon")
    for i, (name, x, y) in enumerate(packages):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": short(name, 30),
                "x": [x],
                "y": [y],
                "marker": {"size": 11, "color": other_colour(i),
                           "symbol": symbols[i % len(symbols)],
                           "line": {"width": 1, "color": "#222222"}},
                "hovertemplate": f"{name}<br>{a} %{{x:.3f}}, {b} %{{y:.3f}}<extra></extra>",
            }
        )  # fmt: skip
    xs = [x for x, _, _ in cloud] + [x for x, _ in front] + [walk[0]] + [p[1] for p in packages]
    ys = [y for _, y, _ in cloud] + [y for _, y in front] + [walk[1]] + [p[2] for p in packages]
    xr, yr = _span(xs), _span(ys)
    walk_lines = ((a, [walk[0]] * 2, list(yr)), (b, list(xr), [walk[1]] * 2))
    for who, xline, yline in walk_lines:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{who} walks away",
                "legendgroup": who,
                "x": xline,
                "y": yline,
                "line": {"color": colours[who], "dash": "dash", "width": 1.5},
                "hovertemplate": f"{who}'s walk-away value<extra></extra>",
            }
        )
    layout = {
        "xaxis": axis(f"utility of {a} ({UTILITY})", range=list(xr)),
        "yaxis": axis(f"utility of {b} ({UTILITY})", range=list(yr)),
    }
    return figure(fig_id, data, layout, height=520)


def package_margins(
    fig_id: str,
    packages: Sequence[str],
    margins: Mapping[str, Sequence[float | None]],
    colours: Mapping[str, str],
) -> Figure:
    """Each party's margin (utility minus walk-away value) in each package; below zero it
    blocks."""
    data = [
        {
            "type": "bar",
            "name": party,
            "legendgroup": party,
            "x": [short(p, 24) for p in packages],
            "y": list(values),
            "marker": {"color": colours[party]},
            "hovertemplate": f"{party}: %{{y:+.4f}}<extra>%{{x}}</extra>",
        }
        for party, values in margins.items()
    ]
    layout = {
        "barmode": "group",
        "yaxis": axis(f"margin over walk-away ({UTILITY})", zeroline=True, zerolinewidth=2),
        "xaxis": axis("package", type="category"),
    }
    return figure(fig_id, data, layout, height=440)


def timeline(
    fig_id: str,
    states: Sequence[str],
    panels: Mapping[str, Mapping[str, Sequence[float | None]]],
    colours: Mapping[str, str],
) -> Figure:
    """Small multiples of metrics over the states (baseline, then after each event): one
    panel per metric, one line per actor (or '*' for scenario-wide values). Every metric is in
    utility units."""
    titles = list(panels)
    layout, refs, height = grid(titles, cols=2, panel=220, gap=130, bottom=110)
    seen: set[str] = set()
    data: list[dict[str, Any]] = []
    for (xref, yref), title in zip(refs, titles, strict=True):
        for actor, values in panels[title].items():
            name = "zone of agreement (smallest margin)" if actor == "*" else actor
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
                    "line": {"color": INK if actor == "*" else colours[actor]},
                    "hovertemplate": f"{name}: %{{y:+.4f}}<extra>%{{x}}</extra>",
                }
            )
            seen.add(name)
    for k in range(len(titles)):
        layout[axis_key("x", k)].update(axis("state (baseline, then each event)", type="category"))
        layout[axis_key("y", k)].update(axis(f"value ({UTILITY})"))
    return figure(fig_id, data, layout, height=height)
