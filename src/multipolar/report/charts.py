"""Plotly figures as plain dicts (``{"id", "data", "layout"}``) for the HTML report: actor maps,
forecasts, trajectories and uncertainty. Pure functions of numbers; plotly.js draws them.

Every figure carries an explicit div id, so the same inputs give the same bytes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from multipolar.report.blocks import Figure

PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def figure(
    fig_id: str, data: list[dict[str, Any]], layout: dict[str, Any], height: int = 380
) -> Figure:
    base: dict[str, Any] = {
        "height": height,
        "margin": {"l": 70, "r": 20, "t": 50, "b": 60},
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', sans-serif", "size": 12},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#f8f9fb",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.18},
    }
    return {"id": fig_id, "data": data, "layout": {**base, **layout}}


def axis_key(kind: str, i: int) -> str:
    return f"{kind}axis" if i == 0 else f"{kind}axis{i + 1}"


def _ref(kind: str, i: int) -> str:
    return kind if i == 0 else f"{kind}{i + 1}"


def grid(
    titles: Sequence[str], cols: int, *, hgap: float = 0.07, vgap: float = 0.16
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Layout entries for small multiples (one subplot per title, row by row) and each
    subplot's (xaxis, yaxis) references for its traces."""
    n = len(titles)
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    w = (1 - (cols - 1) * hgap) / cols
    h = (1 - (rows - 1) * vgap) / rows if rows > 1 else 0.86
    layout: dict[str, Any] = {"annotations": []}
    refs = []
    for i, title in enumerate(titles):
        r, c = divmod(i, cols)
        x0 = c * (w + hgap)
        y1 = 1 - r * (h + vgap) if rows > 1 else 0.9
        layout[axis_key("x", i)] = {"domain": [x0, x0 + w], "anchor": _ref("y", i)}
        layout[axis_key("y", i)] = {"domain": [y1 - h, y1], "anchor": _ref("x", i)}
        layout["annotations"].append(
            {
                "text": title,
                "x": x0 + w / 2,
                "y": y1,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 12},
            }
        )
        refs.append((_ref("x", i), _ref("y", i)))
    return layout, refs


def short(label: str, width: int = 38) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def actor_map(
    fig_id: str,
    scale: tuple[float, float],
    actors: Sequence[Mapping[str, Any]],
    lines: Sequence[tuple[str, float]],
    axis_title: str,
) -> Figure:
    """Actors on one issue: position (x, with its range) × capability (y); marker area grows
    with salience. ``lines`` mark the status quo and the forecasts."""
    data = []
    for i, a in enumerate(actors):
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": a["id"],
                "x": [a["position"]],
                "y": [a["capability"]],
                "text": [a["id"]],
                "textposition": "top center",
                "marker": {
                    "size": [12 + 48 * math.sqrt(max(a["salience"], 0.0))],
                    "color": colour(i),
                    "opacity": 0.75,
                    "line": {"width": 1, "color": "#333333"},
                },
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [a["high"] - a["position"]],
                    "arrayminus": [a["position"] - a["low"]],
                    "color": colour(i),
                    "thickness": 1.5,
                },
                "hovertemplate": (
                    f"{a['name']}<br>position %{{x:.3g}} (range {a['low']:.3g}–{a['high']:.3g})"
                    f"<br>capability %{{y:.3g}}<br>salience {a['salience']:.2f}<extra></extra>"
                ),
            }
        )
    shapes, notes = [], []
    for j, (label, value) in enumerate(lines):
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": value,
                "x1": value,
                "y0": 0,
                "y1": 1,
                "line": {"color": "#555555", "width": 1, "dash": DASHES[j % len(DASHES)]},
            }
        )
        notes.append(
            {
                "text": label,
                "x": value,
                "y": 1.0 - 0.07 * (j % 6),
                "xref": "x",
                "yref": "paper",
                "showarrow": False,
                "xanchor": "left",
                "font": {"size": 10, "color": "#444444"},
            }
        )
    pad = 0.04 * (scale[1] - scale[0])
    top = max([a["capability"] for a in actors] + [1e-9])
    layout = {
        "xaxis": {"title": {"text": axis_title}, "range": [scale[0] - pad, scale[1] + pad]},
        "yaxis": {"title": {"text": "capability"}, "range": [0, 1.3 * top]},
        "shapes": shapes,
        "annotations": notes,
        "showlegend": False,
        "margin": {"l": 70, "r": 20, "t": 20, "b": 60},
    }
    return figure(fig_id, data, layout, height=360)


def forecast_dots(
    fig_id: str,
    issues: Sequence[tuple[str, float, float]],
    forecasts: Mapping[str, Sequence[float]],
    status_quo: Sequence[float | None],
) -> Figure:
    """Each model's forecast of each issue as a share of the issue's scale (hover: the value)."""
    names = [name for name, _, _ in issues]

    def share(values: Sequence[float | None]) -> list[float | None]:
        return [
            None if v is None else 100 * (v - lo) / (hi - lo)
            for v, (_, lo, hi) in zip(values, issues, strict=True)
        ]

    data: list[dict[str, Any]] = []
    for i, (model, values) in enumerate(forecasts.items()):
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": model,
                "x": share(values),
                "y": names,
                "customdata": list(values),
                "marker": {"size": 11, "color": colour(i), "symbol": i % 10},
                "hovertemplate": f"{model}: %{{customdata:.4g}}<extra>%{{y}}</extra>",
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": "status quo",
            "x": share(status_quo),
            "y": names,
            "customdata": [None if v is None else v for v in status_quo],
            "marker": {"size": 14, "color": "#000000", "symbol": "line-ns-open"},
            "hovertemplate": "status quo: %{customdata:.4g}<extra>%{y}</extra>",
        }
    )
    layout = {
        "xaxis": {"title": {"text": "forecast, % of the issue's scale"}, "range": [-3, 103]},
        "yaxis": {"automargin": True, "autorange": "reversed"},
        "margin": {"l": 20, "r": 20, "t": 20, "b": 60},
    }
    return figure(fig_id, data, layout, height=max(260, 60 + 45 * len(names)))


def trajectories(
    fig_id: str,
    issues: Sequence[tuple[str, float, float]],
    actors: Sequence[str],
    positions: Sequence[Sequence[Sequence[float | None]]],
    centre: tuple[str, Sequence[Sequence[float]]] | None,
) -> Figure:
    """A dynamic model's rounds: each actor's position per issue (``positions[t][k][n]``, None
    where unpositioned) and the model's own per-round centre (median or expected outcome)."""
    layout, refs = grid([short(name, 44) for name, _, _ in issues], cols=3)
    rounds = list(range(len(positions)))
    data: list[dict[str, Any]] = []
    for k, (xref, yref) in enumerate(refs):
        for j, actor in enumerate(actors):
            ys = [positions[t][k][j] for t in rounds]
            if all(y is None for y in ys):
                continue
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": actor,
                    "legendgroup": actor,
                    "showlegend": k == 0,
                    "x": rounds,
                    "y": ys,
                    "xaxis": xref,
                    "yaxis": yref,
                    "line": {"color": colour(j), "width": 1.5},
                    "marker": {"size": 4},
                }
            )
        if centre is not None:
            label, values = centre
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": label,
                    "legendgroup": label,
                    "showlegend": k == 0,
                    "x": rounds,
                    "y": [values[t][k] for t in rounds],
                    "xaxis": xref,
                    "yaxis": yref,
                    "line": {"color": "#000000", "width": 2.5, "dash": "dash"},
                }
            )
        _, lo, hi = issues[k]
        layout[axis_key("y", k)]["range"] = [lo, hi]
    rows = math.ceil(len(issues) / 3)
    layout["margin"] = {"l": 50, "r": 20, "t": 40, "b": 40}
    return figure(fig_id, data, layout, height=120 + 240 * rows)


def mc_boxes(
    fig_id: str, issues: Sequence[tuple[str, float, float]], summaries: Mapping[str, Any]
) -> Figure:
    """Per issue, each model's forecast distribution: 5–95% whiskers, 25–75% box, median,
    mean (from the simulation's summary, not the raw draws)."""
    layout, refs = grid([short(name, 44) for name, _, _ in issues], cols=3)
    data: list[dict[str, Any]] = []
    for k, (xref, yref) in enumerate(refs):
        for i, (model, summary) in enumerate(summaries.items()):
            s = summary[k]
            q = s["quantiles"]
            data.append(
                {
                    "type": "box",
                    "name": model,
                    "legendgroup": model,
                    "showlegend": k == 0,
                    "x": [model],
                    "q1": [q["0.25"]],
                    "median": [q["0.50"]],
                    "q3": [q["0.75"]],
                    "lowerfence": [q["0.05"]],
                    "upperfence": [q["0.95"]],
                    "mean": [s["mean"]],
                    "xaxis": xref,
                    "yaxis": yref,
                    "marker": {"color": colour(i)},
                    "hoverinfo": "y+name",
                }
            )
        _, lo, hi = issues[k]
        layout[axis_key("y", k)]["range"] = [lo, hi]
    rows = math.ceil(len(issues) / 3)
    layout["margin"] = {"l": 50, "r": 20, "t": 40, "b": 40}
    return figure(fig_id, data, layout, height=120 + 240 * rows)


def mc_histograms(
    fig_id: str, issues: Sequence[tuple[str, float, float]], summary: Sequence[Mapping[str, Any]]
) -> Figure:
    """Per issue, the histogram of one model's forecasts over the draws."""
    layout, refs = grid([short(name, 44) for name, _, _ in issues], cols=3)
    data: list[dict[str, Any]] = []
    for k, (xref, yref) in enumerate(refs):
        edges = summary[k]["histogram"]["edges"]
        counts = summary[k]["histogram"]["counts"]
        data.append(
            {
                "type": "bar",
                "name": issues[k][0],
                "showlegend": False,
                "x": [(a + b) / 2 for a, b in itertools.pairwise(edges)],
                "y": counts,
                "width": [b - a for a, b in itertools.pairwise(edges)],
                "xaxis": xref,
                "yaxis": yref,
                "marker": {"color": colour(0), "line": {"width": 0.5, "color": "#ffffff"}},
                "hovertemplate": "%{x:.3g}: %{y} draws<extra></extra>",
            }
        )
        _, lo, hi = issues[k]
        layout[axis_key("x", k)]["range"] = [lo, hi]
    rows = math.ceil(len(issues) / 3)
    layout["margin"] = {"l": 50, "r": 20, "t": 40, "b": 40}
    return figure(fig_id, data, layout, height=100 + 220 * rows)


def tornado(fig_id: str, rows: Sequence[Mapping[str, Any]], axis_title: str) -> Figure:
    """One at a time: the forecast with each input at its low and its high end (bars from the
    base forecast), the widest swing on top."""
    shown = list(reversed(rows))
    names = [r["input"] for r in shown]
    base = rows[0]["base"] if rows else 0.0
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": label,
            "y": names,
            "x": [r[key] - base for r in shown],
            "base": [base] * len(shown),
            "customdata": [r[key] for r in shown],
            "marker": {"color": col},
            "hovertemplate": f"{label}: %{{customdata:.4g}}<extra>%{{y}}</extra>",
        }
        for label, key, col in (
            ("input at its low", "at_low", "#1f77b4"),
            ("input at its high", "at_high", "#d62728"),
        )
    ]
    layout = {
        "barmode": "overlay",
        "xaxis": {"title": {"text": axis_title}},
        "yaxis": {"automargin": True},
        "margin": {"l": 20, "r": 20, "t": 20, "b": 60},
    }
    return figure(fig_id, data, layout, height=max(260, 80 + 26 * len(names)))


def sobol(fig_id: str, rows: Sequence[Mapping[str, Any]]) -> Figure:
    """Sobol first-order (S1) and total (ST) indices with their confidence half-widths."""
    shown = list(reversed(rows))
    names = [r["input"] for r in shown]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "name": label,
            "y": names,
            "x": [r[key] for r in shown],
            "error_x": {"type": "data", "array": [r[f"{key}_conf"] for r in shown]},
            "marker": {"color": col},
        }
        for label, key, col in (
            ("total (ST)", "ST", "#9467bd"),
            ("first order (S1)", "S1", "#bcbd22"),
        )
    ]
    layout = {
        "barmode": "group",
        "xaxis": {"title": {"text": "share of the forecast's variance"}},
        "yaxis": {"automargin": True},
        "margin": {"l": 20, "r": 20, "t": 20, "b": 60},
    }
    return figure(fig_id, data, layout, height=max(260, 80 + 34 * len(names)))
