"""Console output for the timeline and leverage analyses."""

from __future__ import annotations

import csv
import io
from typing import Any

from rich.table import Table

from multipolar.dynamics.timeline import EventChange, Snapshot, summary, timeline_rows


def timeline_csv(base: Snapshot, changes: list[EventChange], baseline_date: str) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, ["date", "event", "actor", "metric", "value"], lineterminator="\n")
    writer.writeheader()
    for row in timeline_rows(base, changes, baseline_date):
        writer.writerow({**row, "value": f"{row['value']:.6f}"})
    return buf.getvalue()


def timeline_tables(base: Snapshot, changes: list[EventChange]) -> list[Table]:
    tables = []
    metric = "margin"
    head = Table(title="Room over walk-away (margin at the leximin package)", title_justify="left")
    head.add_column("actor")
    head.add_column("baseline", justify="right")
    for c in changes:
        head.add_column(f"{c.date.isoformat()}\n{c.event}", justify="right")
    for actor in base.metrics[metric]:
        cells = [f"{base.metrics[metric][actor]:+.3f}"]
        cells += [
            f"{c.after.metrics[metric][actor]:+.3f}" if actor in c.after.metrics[metric] else "–"
            for c in changes
        ]
        head.add_row(actor, *cells)

    def zone(s: Snapshot) -> str:
        return f"{'yes' if s.zone else 'no'} {s.zone_margin:+.4f}\n({', '.join(s.binding)})"

    head.add_row(
        "zone of agreement,\nbinding margin (row)",
        zone(base),
        *[zone(c.after) for c in changes],
    )
    tables.append(head)
    for c in changes:
        t = Table(
            title=f"{c.date.isoformat()} {c.title}: who gained, who lost, and why",
            title_justify="left",
        )
        t.add_column("actor")
        t.add_column("Δ margin", justify="right")
        for label in c.effects:
            t.add_column(label, justify="right", overflow="fold")
        for actor, row in c.attribution.get(metric, {}).items():
            t.add_row(actor, _signed(row["total"]), *[_signed(row[label]) for label in c.effects])
        tables.append(t)
        lines = Table(show_header=False, box=None, padding=(0, 1))
        lines.add_column("summary")
        for line in summary(c):
            lines.add_row(f"• {line}")
        tables.append(lines)
    return tables


def _signed(value: float) -> str:
    text = f"{value:+.4f}"
    return "+0.0000" if text == "-0.0000" else text


def leverage_tables(data: dict[str, Any]) -> list[Table]:
    t = Table(title=f"Leverage (decision rule: {data['decision_rule']})", title_justify="left")
    for col in ("actor", "veto", "weight share", "Shapley-Shubik", "Banzhaf", "margin"):
        t.add_column(col, justify="left" if col == "actor" else "right")
    for actor, row in data["actors"].items():
        t.add_row(
            actor,
            "yes" if row["veto"] else "no",
            f"{row['mean_weight_share']:.1%}",
            f"{row['shapley_shubik']:.3f}",
            f"{row['banzhaf']:.3f}",
            f"{row['margin_over_walk_away']:+.3f}",
        )
    tables = [t]
    if "levers" in data:
        lev = data["levers"]
        p = Table(
            title="Whom to persuade (gain in own utility of the forecast)", title_justify="left"
        )
        for col in ("actor", "issue", "move to", "gain"):
            p.add_column(col, justify="left" if col in ("actor", "issue") else "right")
        for row in lev["persuade"]:
            p.add_row(row["actor"], row["issue"], f"{row['to']:.1f}", f"{row['gain']:+.4f}")
        o = Table(title="Own moves", title_justify="left")
        for col in ("issue", "move", "gain"):
            o.add_column(col)
        for row in lev["own_moves"]:
            o.add_row(row["issue"], row["move"], f"{row['gain']:+.4f}")
        tables += [p, o]
    return tables
