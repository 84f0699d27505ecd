"""Render forecasts and scenario summaries as rich tables, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table

if TYPE_CHECKING:
    from multipolar.models.api import Forecast
    from multipolar.models.registry import ModelSpec
    from multipolar.scenario.schema import Scenario


def forecasts_json(scn: Scenario, forecasts: Sequence[Forecast]) -> str:
    """Every model's forecast per issue, then each model's full result with diagnostics."""
    data: dict[str, Any] = {
        "scenario": scn.id or scn.title,
        "title": scn.title,
        "seed": forecasts[0].seed if forecasts else 0,
        "issues": {i.id: {"name": i.name, "scale": list(i.scale)} for i in scn.issues},
        "forecasts": {f.model: f.as_dict()["forecast"] for f in forecasts},
        "models": [f.as_dict() for f in forecasts],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def forecasts_csv(forecasts: Sequence[Forecast]) -> str:
    """Tidy rows: model, issue, forecast."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["model", "issue", "forecast"])
    for f in forecasts:
        for issue, value in zip(f.issues, f.values, strict=True):
            writer.writerow([f.model, issue, f"{value:.6f}"])
    return buf.getvalue()


def reading(scn: Scenario, issue_id: str, value: float) -> str:
    """Words for a point on an issue's scale: the named point it is close to (within 10% of the
    scale), or the two named points it lies between."""
    issue = scn.issue(issue_id)
    named = [(a.value, a.label) for a in issue.anchors]
    named += [(issue.low, issue.low_label), (issue.high, issue.high_label)]
    named = sorted((v, label) for v, label in named if label)
    if not named:
        return ""
    near = min(named, key=lambda p: abs(p[0] - value))
    if abs(near[0] - value) <= 0.1 * (issue.high - issue.low):
        return f"~ {near[1]}"
    below = [p for p in named if p[0] <= value]
    above = [p for p in named if p[0] >= value]
    if below and above:
        return f"between {below[-1][0]:g} ({below[-1][1]}) and {above[0][0]:g} ({above[0][1]})"
    return f"near {near[0]:g} ({near[1]})"


def forecasts_table(scn: Scenario, forecasts: Sequence[Forecast]) -> Table:
    """Issues as rows, models as columns; the last column reads the first model's forecast."""
    table = Table(title=f"Forecasts: {scn.title}", title_justify="left")
    table.add_column("issue", max_width=32, no_wrap=True, overflow="ellipsis")
    table.add_column("scale", justify="right")
    for f in forecasts:
        table.add_column(f.model, justify="right", min_width=len(f.model))
    table.add_column(
        f"reading ({forecasts[0].model})" if forecasts else "reading",
        max_width=48,
        no_wrap=True,
        overflow="ellipsis",
    )
    for i, issue in enumerate(scn.issues):
        values = [f"{f.values[i]:.2f}" for f in forecasts]
        text = reading(scn, issue.id, float(forecasts[0].values[i])) if forecasts else ""
        table.add_row(issue.name, f"{issue.low:g}-{issue.high:g}", *values, text)
    return table


def diagnostics_table(fc: Forecast) -> Table:
    """Per actor and issue: position, weight share and distance to the forecast."""
    table = Table(title=f"{fc.model}: actors", title_justify="left")
    for col in ("issue", "actor", "position", "weight share", "distance"):
        table.add_column(col, justify="left" if col in ("issue", "actor") else "right")
    frame = fc.diagnostics()
    for row in frame.itertuples(index=False):
        table.add_row(
            str(row.issue),
            str(row.actor),
            f"{row.position:.2f}",
            f"{row.weight_share:.1%}",
            f"{row.distance:.2f}",
        )
    return table


def models_table(specs: Sequence[ModelSpec]) -> Table:
    table = Table(title="Registered models", title_justify="left")
    for col in ("name", "what", "properties", "source"):
        table.add_column(col, overflow="fold")
    for spec in specs:
        table.add_row(spec.name, spec.summary, ", ".join(sorted(spec.properties)), spec.source)
    return table


def scenario_summary(scn: Scenario) -> str:
    ranged = sum(
        not est.is_point
        for table in (scn.positions, scn.salience)
        for row in table.values()
        for est in row.values()
    )
    pairs = sum(len(row) for row in scn.positions.values())
    return (
        f"{_count(len(scn.actors), 'actor')}, {_count(len(scn.issues), 'issue')}, "
        f"{_count(pairs, 'position')} ({ranged} of {2 * pairs} position/salience estimates "
        f"are ranges), {_count(len(scn.sources), 'source')}"
        + (f", {_count(len(scn.events), 'event')}" if scn.events else "")
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


TRACE_COLUMNS = ["model", "round", "issue", "actor", "position", "risk", "median", "mean"]


def trace_csv(forecasts: Sequence[Forecast]) -> str:
    """Every dynamic model's per-round trajectory as tidy CSV (blank where not reported)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, TRACE_COLUMNS, lineterminator="\n", restval="")
    writer.writeheader()
    for fc in forecasts:
        for row in fc.trace_rows():
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buf.getvalue()


def trace_tables(fc: Forecast) -> list[Table]:
    """One table per issue: rounds as rows, actors' positions as columns, then median/mean."""
    positions = fc.trajectory.get("positions")
    if positions is None:
        return []
    tables = []
    for i, issue in enumerate(fc.issues):
        table = Table(title=f"{fc.model} trace: {issue}", title_justify="left")
        actors = [j for j in range(len(fc.actors)) if fc.mask[i, j]]
        table.add_column("round", justify="right")
        for j in actors:
            table.add_column(fc.actors[j], justify="right")
        extra = [k for k in ("median", "mean") if k in fc.trajectory]
        for key in extra:
            table.add_column(key, justify="right")
        for t in range(positions.shape[0]):
            cells = [f"{positions[t, i, j]:.3f}" for j in actors]
            cells += [f"{fc.trajectory[key][t, i]:.3f}" for key in extra]
            table.add_row(str(t), *cells)
        tables.append(table)
    return tables


def exchanges_table(scn: Scenario, fc: Forecast) -> Table | None:
    """The exchange model's realised exchanges in order: who gave way on which issue, from
    where to where, in return for whom, and the equal gain; None for other models."""
    from multipolar.models.exchange import exchange_rows

    lo = [scn.issue(i).low for i in fc.issues]
    hi = [scn.issue(i).high for i in fc.issues]
    rows = exchange_rows(fc.trajectory, fc.actors, fc.issues, lo, hi)
    if not rows:
        return None
    table = Table(title=f"{fc.model}: exchanges ({len(rows)})", title_justify="left")
    for col in ("round", "#", "actor", "gives way on", "from", "to", "partner", "gives way on",
                "from", "to", "gain"):  # fmt: skip
        table.add_column(col, justify="right" if col in ("round", "#", "from", "to", "gain")
                         else "left")  # fmt: skip
    for r in rows:
        table.add_row(
            str(r["round"]), str(r["order"]),
            r["i_actor"], r["i_supplies"], f"{r['i_from']:.2f}", f"{r['i_to']:.2f}",
            r["j_actor"], r["j_supplies"], f"{r['j_from']:.2f}", f"{r['j_to']:.2f}",
            f"{r['gain']:.4f}",
        )  # fmt: skip
    return table
