"""Plotly figures as plain dicts (``{"id", "data", "layout"}``) for the HTML report: actor maps,
forecasts, trajectories and uncertainty. Pure functions of numbers; plotly.js draws them.

Every figure carries an explicit div id, so the same inputs give the same bytes. Issues are drawn
on their own scales; actors and models take their colours from ``multipolar.report.palette``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from multipolar.report.blocks import Figure
from multipolar.report.charts_base import (
    DASHES,
    axis,
    axis_key,
    figure,
    grid,
    place_labels,
    scale_unit,
    short,
)
from multipolar.report.palette import INK, model_colour, other_colour

__all__ = ["axis_key", "figure", "grid", "short"]

#: The narrowest plot area (pixels) an actor map's labels are laid out for.
ACTOR_MAP_MIN_WIDTH = 480
ACTOR_MAP_HEIGHT = 380
ACTOR_MAP_MARGIN = {"l": 70, "r": 20, "t": 20, "b": 70}


def marker_size(salience: float) -> float:
    """Marker diameter (px) of an actor of this salience on an actor map."""
    return 12 + 48 * math.sqrt(max(salience, 0.0))


def actor_map(
    fig_id: str,
    scale: tuple[float, float],
    actors: Sequence[Mapping[str, Any]],
    lines: Sequence[tuple[str, float]],
    axis_title: str,
    colours: Mapping[str, str],
) -> Figure:
    """Actors on one issue: position (x, on the issue's scale, with its range) × capability
    (y); marker area grows with salience; each actor labelled (labels placed apart). ``lines``
    mark the status quo and each model's forecast (in the legend, in the model's colour)."""
    data: list[dict[str, Any]] = []
    for a in actors:
        col = colours[a["id"]]
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": a["id"],
                "legendgroup": a["id"],
                "showlegend": False,
                "x": [a["position"]],
                "y": [a["capability"]],
                "marker": {
                    "size": [marker_size(a["salience"])],
                    "color": col,
                    "opacity": 0.75,
                    "line": {"width": 1, "color": "#333333"},
                },
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [a["high"] - a["position"]],
                    "arrayminus": [a["position"] - a["low"]],
                    "color": col,
                    "thickness": 1.5,
                },
                "hovertemplate": (
                    f"{a['name']}<br>position %{{x:.3g}} (range {a['low']:.3g}–{a['high']:.3g})"
                    f"<br>capability %{{y:.3g}}<br>salience {a['salience']:.2f}<extra></extra>"
                ),
            }
        )
    lo, hi = scale
    pad = 0.04 * (hi - lo)
    top = max([a["capability"] for a in actors] + [1e-9])
    top = 1.3 * top if top < 1e300 else top  # headroom, without overflowing
    for j, (label, value) in enumerate(lines):
        sq = label == "status quo"
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{label} {value:.3g}",
                "legendgroup": label,
                "x": [value, value],
                "y": [0, top],
                "line": {
                    "color": INK if sq else model_colour(label),
                    "width": 2 if sq else 1.5,
                    "dash": "dash" if sq else DASHES[j % len(DASHES)],
                },
                "hovertemplate": f"{label}: %{{x:.4g}}<extra></extra>",
            }
        )
    xrange = (lo - pad, hi + pad)
    m = ACTOR_MAP_MARGIN
    size = (ACTOR_MAP_MIN_WIDTH, ACTOR_MAP_HEIGHT - m["t"] - m["b"])
    points = [
        (a["position"], a["capability"], marker_size(a["salience"]) / 2, a["id"]) for a in actors
    ]
    offsets = place_labels(points, xrange, (0, top), size)
    notes = [
        {
            "text": a["id"],
            "x": a["position"],
            "y": a["capability"],
            "xref": "x",
            "yref": "y",
            "ax": 0,
            "ay": dy,
            "xanchor": "center",
            "yanchor": "middle",
            "showarrow": True,
            "arrowhead": 0,
            "arrowwidth": 1,
            "arrowcolor": colours[a["id"]],
            "standoff": marker_size(a["salience"]) / 2,
            "font": {"size": 11, "color": "#1d2330"},
        }
        for a, dy in zip(actors, offsets, strict=True)
    ]
    layout = {
        "xaxis": axis(axis_title, range=list(xrange)),
        "yaxis": axis("capability (scenario's units)", range=[0, top]),
        "annotations": notes,
        "margin": dict(m),
    }
    return figure(fig_id, data, layout, height=ACTOR_MAP_HEIGHT)


def forecast_dots(
    fig_id: str,
    issues: Sequence[tuple[str, float, float]],
    forecasts: Mapping[str, Sequence[float]],
    status_quo: Sequence[float | None],
) -> Figure:
    """Each model's forecast of each issue, one panel per issue on the issue's own scale; the
    status quo on a row of its own."""
    rows = [*forecasts, "status quo"]
    layout, refs, height = grid(
        [short(name, 50) for name, _, _ in issues], cols=2, panel=40 + 24 * len(rows), gap=90
    )
    data: list[dict[str, Any]] = []
    for k, ((name, lo, hi), (xref, yref)) in enumerate(zip(issues, refs, strict=True)):
        for model, values in forecasts.items():
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": model,
                    "legendgroup": model,
                    "showlegend": k == 0,
                    "x": [values[k]],
                    "y": [model],
                    "xaxis": xref,
                    "yaxis": yref,
                    "marker": {"size": 11, "color": model_colour(model)},
                    "hovertemplate": f"{model}: %{{x:.4g}}<extra>{short(name, 40)}</extra>",
                }
            )
        if status_quo[k] is not None:
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": "status quo",
                    "legendgroup": "status quo",
                    "showlegend": not any(d["name"] == "status quo" for d in data),
                    "x": [status_quo[k]],
                    "y": ["status quo"],
                    "xaxis": xref,
                    "yaxis": yref,
                    "marker": {"size": 14, "color": INK, "symbol": "line-ns-open"},
                    "hovertemplate": f"status quo: %{{x:.4g}}<extra>{short(name, 40)}</extra>",
                }
            )
        pad = 0.03 * (hi - lo)
        layout[axis_key("x", k)].update(
            axis(f"forecast ({scale_unit(lo, hi)})", range=[lo - pad, hi + pad])
        )
        layout[axis_key("y", k)].update(
            axis("model", type="category", categoryorder="array", categoryarray=rows[::-1])
        )
    return figure(fig_id, data, layout, height=height)


def trajectories(
    fig_id: str,
    issues: Sequence[tuple[str, float, float]],
    actors: Sequence[str],
    positions: Sequence[Sequence[Sequence[float | None]]],
    centre: tuple[str, Sequence[Sequence[float]]] | None,
    colours: Mapping[str, str],
) -> Figure:
    """A dynamic model's rounds: each actor's position per issue (``positions[t][k][n]``, None
    where unpositioned) and the model's own per-round centre (median or expected outcome)."""
    layout, refs, height = grid([short(name, 50) for name, _, _ in issues], cols=2)
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
                    "showlegend": not any(d["name"] == actor for d in data),
                    "x": rounds,
                    "y": ys,
                    "xaxis": xref,
                    "yaxis": yref,
                    "line": {"color": colours[actor], "width": 1.5},
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
                    "line": {"color": INK, "width": 2.5, "dash": "dash"},
                }
            )
        _, lo, hi = issues[k]
        layout[axis_key("x", k)].update(axis("round (0 = the input)", dtick=_dtick(len(rounds))))
        layout[axis_key("y", k)].update(axis(f"position ({scale_unit(lo, hi)})", range=[lo, hi]))
    return figure(fig_id, data, layout, height=height)


def _dtick(n: int) -> int:
    return max(1, math.ceil(n / 10))


def mc_boxes(
    fig_id: str, issues: Sequence[tuple[str, float, float]], summaries: Mapping[str, Any]
) -> Figure:
    """Per issue, each model's forecast distribution: 5–95% whiskers, 25–75% box, median,
    mean (from the simulation's summary, not the raw draws)."""
    layout, refs, height = grid([short(name, 50) for name, _, _ in issues], cols=2)
    data: list[dict[str, Any]] = []
    for k, (xref, yref) in enumerate(refs):
        for model, summary in summaries.items():
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
                    "marker": {"color": model_colour(model)},
                    "hoverinfo": "y+name",
                }
            )
        _, lo, hi = issues[k]
        layout[axis_key("x", k)].update(axis("model", type="category"))
        layout[axis_key("y", k)].update(axis(f"forecast ({scale_unit(lo, hi)})", range=[lo, hi]))
    return figure(fig_id, data, layout, height=height)


def mc_histograms(
    fig_id: str,
    issues: Sequence[tuple[str, float, float]],
    summary: Sequence[Mapping[str, Any]],
    model: str,
) -> Figure:
    """Per issue, the histogram of one model's forecasts over the draws."""
    layout, refs, height = grid([short(name, 50) for name, _, _ in issues], cols=2, panel=180)
    data: list[dict[str, Any]] = []
    for k, (xref, yref) in enumerate(refs):
        edges = summary[k]["histogram"]["edges"]
        counts = summary[k]["histogram"]["counts"]
        data.append(
            {
                "type": "bar",
                "name": model,
                "legendgroup": model,
                "showlegend": k == 0,
                "x": [(a + b) / 2 for a, b in itertools.pairwise(edges)],
                "y": counts,
                "width": [b - a for a, b in itertools.pairwise(edges)],
                "xaxis": xref,
                "yaxis": yref,
                "marker": {"color": model_colour(model), "line": {"width": 0.5, "color": "#fff"}},
                "hovertemplate": "%{x:.3g}: %{y} draws<extra></extra>",
            }
        )
        _, lo, hi = issues[k]
        layout[axis_key("x", k)].update(axis(f"forecast ({scale_unit(lo, hi)})", range=[lo, hi]))
        layout[axis_key("y", k)].update(axis("draws (count)", rangemode="tozero"))
    return figure(fig_id, data, layout, height=height)


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
            ("input at its low", "at_low", other_colour(2)),
            ("input at its high", "at_high", other_colour(1)),
        )
    ]
    layout = {
        "barmode": "overlay",
        "xaxis": axis(axis_title),
        "yaxis": axis("ranged input", type="category"),
        "margin": {"l": 20, "r": 20, "t": 20, "b": 70},
    }
    return figure(fig_id, data, layout, height=max(280, 100 + 26 * len(names)))


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
            ("total (ST)", "ST", other_colour(3)),
            ("first order (S1)", "S1", other_colour(5)),
        )
    ]
    layout = {
        "barmode": "group",
        "xaxis": axis("share of the forecast's variance (0–1)"),
        "yaxis": axis("ranged input", type="category"),
        "margin": {"l": 20, "r": 20, "t": 20, "b": 70},
    }
    return figure(fig_id, data, layout, height=max(280, 100 + 34 * len(names)))
