"""The ledger's grades as a console table and as an HTML page (reliability diagram and PIT
histogram per model)."""

from __future__ import annotations

import html
import io
import json
from typing import Any

from multipolar.ledger.grade import Grades


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def grades_table(grades: Grades) -> Any:
    from rich.console import Group
    from rich.table import Table

    models = Table(title="Grades by model (lower is better)", title_justify="left")
    for col in ("model", "binary", "Brier", "reliability", "resolution", "uncertainty", "log",
                "numeric", "CRPS", "in 50%", "in 90%"):  # fmt: skip
        models.add_column(col, justify="left" if col == "model" else "right")
    for m in grades.models:
        mu = m.murphy
        models.add_row(
            m.model, str(m.binary), _num(m.brier), _num(mu.reliability if mu else None),
            _num(mu.resolution if mu else None), _num(mu.uncertainty if mu else None),
            _num(m.log), str(m.numeric), _num(m.crps),
            _num(m.coverage50, 2), _num(m.coverage90, 2),
        )  # fmt: skip
    questions = Table(title="Resolved questions", title_justify="left")
    for col in ("question", "model", "outcome", "final forecast", "final score",
                "time-averaged", "revisions"):  # fmt: skip
        questions.add_column(col)
    for g in grades.questions:
        last = g.revisions[-1].forecast
        shown = f"{last:.1%}" if isinstance(last, float) else f"median {last.get('0.5', 0):.4g}"
        trail = " → ".join(
            f"{r.as_of} {r.score:.3f}" + (f" ({', '.join(r.events)})" if r.events else "")
            for r in g.revisions
        )
        questions.add_row(
            g.question,
            g.model,
            f"{g.outcome:g}",
            shown,
            f"{g.revisions[-1].score:.3f}",
            f"{g.time_averaged:.3f}",
            trail,
        )
    parts: list[Any] = [models, questions]
    if grades.unresolved:
        parts.append(f"unresolved: {', '.join(grades.unresolved)}")
    return Group(*parts)


def figures(grades: Grades) -> list[dict[str, Any]]:
    """Plotly figures: the reliability diagram of binary forecasts and the PIT histogram of
    numeric ones, one trace per model."""
    from multipolar.report.charts_base import axis, figure
    from multipolar.report.palette import model_colour

    rel = [{"x": [0, 1], "y": [0, 1], "mode": "lines", "name": "perfect calibration",
            "line": {"dash": "dot", "color": "#888888"}}]  # fmt: skip
    pit = []
    for m in grades.models:
        colour = model_colour(m.model)
        if m.reliability:
            rel.append({
                "x": [b["forecast"] for b in m.reliability],
                "y": [b["observed"] for b in m.reliability],
                "text": [f"{int(b['count'])} forecasts" for b in m.reliability],
                "mode": "lines+markers", "name": m.model, "line": {"color": colour},
            })  # fmt: skip
        if m.pit_histogram:
            bins = len(m.pit_histogram)
            pit.append(
                {
                    "type": "bar",
                    "name": m.model,
                    "marker": {"color": colour},
                    "x": [(i + 0.5) / bins for i in range(bins)],
                    "y": m.pit_histogram,
                }
            )
    out = [figure("reliability", rel, {
        "xaxis": axis("forecast probability (mean per bin)", range=[0, 1]),
        "yaxis": axis("observed frequency", range=[0, 1]),
    })]  # fmt: skip
    if pit:
        out.append(figure("pit", pit, {
            "xaxis": axis("PIT (forecast CDF at the outcome)", range=[0, 1]),
            "yaxis": axis("questions"), "barmode": "group",
        }))  # fmt: skip
    return out


def grades_html(grades: Grades) -> str:
    """A standalone page: the grades table, the reliability diagram and the PIT histogram."""
    from rich.console import Console

    from multipolar.report.html import plotly_js

    console = Console(record=True, width=140, file=io.StringIO())
    console.print(grades_table(grades))
    text = console.export_text()
    figs = figures(grades)
    divs = "\n".join(f'<div id="{f["id"]}"></div>' for f in figs)
    calls = "\n".join(
        f"Plotly.newPlot({json.dumps(f['id'])}, {json.dumps(f['data'])}, "
        f"{json.dumps(f['layout'])}, {{responsive: true}});"
        for f in figs
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>multipolar ledger grades</title>"
        f"<script>{plotly_js()}</script></head><body>"
        "<h1>Ledger grades</h1>"
        "<p>Lower is better for every score. The reliability diagram plots each model's binary "
        "forecasts, grouped in tenths, against how often the event happened; the PIT histogram "
        "of numeric forecasts is flat when they are calibrated.</p>"
        f"<pre>{html.escape(text)}</pre>{divs}<script>{calls}</script></body></html>\n"
    )
