"""The balance of advantage over time: metrics after each event, and who gained what, why.

After the baseline and after each event (in date order) the timeline records, per actor:
``forecast_utility`` (its utility of each model's forecast package), ``walk_away``, ``margin``
(its utility of the leximin package minus its walk-away value; how much room it has), and per
scenario whether a zone of agreement exists. Each event's change is split among its effects by
the Shapley value over effects (order-independent; the parts sum to the total change).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import combinations
from math import factorial
from typing import Any

import numpy as np

from multipolar.deals.solve import maxmin
from multipolar.deals.space import build_space, utilities
from multipolar.dynamics.apply import _without_inactive, apply_event, ordered
from multipolar.models.api import forecast
from multipolar.scenario.schema import Scenario

ACTOR_METRICS = ("forecast_utility", "walk_away", "margin")


@dataclass(frozen=True)
class Snapshot:
    """Metrics of one state: per actor and model for forecast utility; per actor otherwise."""

    zone: bool
    zone_margin: float
    package: dict[str, float]
    metrics: dict[str, dict[str, float]]  # metric -> actor -> value (forecast per model)


def snapshot(scn: Scenario, models: tuple[str, ...] = ("compromise",), seed: int = 0) -> Snapshot:
    """The metrics of a state (a scenario without pending events)."""
    state = _without_inactive(scn.model_copy(update={"events": []}))
    space = build_space(state)
    point = maxmin(space, leximin=True)
    u_best = utilities(space, point.z[None])[0, 0]
    metrics: dict[str, dict[str, float]] = {}
    for model in models:
        fc = forecast(state, model, seed=seed)
        z = space.to_unit(fc.values)
        u = utilities(space, z[None])[0, 0]
        metrics[f"forecast_utility:{model}"] = dict(zip(space.actors, map(float, u), strict=True))
    walk = space.walk_away[0]
    metrics["walk_away"] = dict(zip(space.actors, map(float, walk), strict=True))
    metrics["margin"] = dict(zip(space.actors, map(float, u_best - walk), strict=True))
    package = dict(zip(space.issues, map(float, space.to_scale(point.z)), strict=True))
    return Snapshot(point.margin >= 0, point.margin, package, metrics)


@dataclass(frozen=True)
class EventChange:
    event: str
    date: dt.date
    title: str
    effects: list[str]
    before: Snapshot
    after: Snapshot
    # metric -> actor -> {"total": x, effect label: part, ...}
    attribution: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "date": self.date.isoformat(),
            "title": self.title,
            "effects": self.effects,
            "zone_before": self.before.zone,
            "zone_after": self.after.zone,
            "zone_margin_after": self.after.zone_margin,
            "package_after": self.after.package,
            "changes": self.attribution,
            "summary": summary(self),
        }


def _shapley(values: dict[frozenset[int], float], m: int) -> list[float]:
    parts = []
    for j in range(m):
        total = 0.0
        others = [i for i in range(m) if i != j]
        for size in range(m):
            weight = factorial(size) * factorial(m - size - 1) / factorial(m)
            for subset in combinations(others, size):
                s = frozenset(subset)
                total += weight * (values[s | {j}] - values[s])
        parts.append(total)
    return parts


def attribute(
    state: Scenario, event: Any, models: tuple[str, ...], seed: int
) -> tuple[Snapshot, Snapshot, dict[str, dict[str, dict[str, float]]]]:
    """Snapshots before and after ``event`` and the Shapley split of every change over its
    effects (2^m states for m effects)."""
    m = len(event.effects)
    snaps: dict[frozenset[int], Snapshot] = {}
    for size in range(m + 1):
        for subset in combinations(range(m), size):
            snaps[frozenset(subset)] = snapshot(
                apply_event(state, event, list(subset)), models, seed
            )
    before, after = snaps[frozenset()], snaps[frozenset(range(m))]
    labels = [eff.label() for eff in event.effects]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for metric, per_actor in after.metrics.items():
        out[metric] = {}
        for actor in per_actor:
            values = {k: s.metrics[metric].get(actor, np.nan) for k, s in snaps.items()}
            if any(np.isnan(v) for v in values.values()):
                continue  # the actor is not there throughout (joined or left)
            parts = _shapley(values, m)
            row = {"total": per_actor[actor] - before.metrics[metric][actor]}
            row.update({label: float(p) for label, p in zip(labels, parts, strict=True)})
            out[metric][actor] = row
    return before, after, out


def summary(change: EventChange, metric: str = "margin") -> list[str]:
    """Sentences: who gained and lost room (margin over walk-away), and the effect that drove it."""
    lines = []
    for actor, row in sorted(
        change.attribution.get(metric, {}).items(), key=lambda kv: -kv[1]["total"]
    ):
        total = row["total"]
        if abs(total) < 1e-6:
            continue
        parts = {k: v for k, v in row.items() if k != "total"}
        driver = max(parts, key=lambda k: abs(parts[k])) if parts else "-"
        verb = "gained" if total > 0 else "lost"
        lines.append(
            f"{actor} {verb} {abs(total):.3f} of {metric}, "
            f"mostly from '{driver}' ({parts.get(driver, 0):+.3f})"
        )
    if change.before.zone != change.after.zone:
        lines.append("a zone of agreement " + ("opened" if change.after.zone else "closed"))
    return lines


def timeline(
    scn: Scenario, models: tuple[str, ...] = ("compromise",), seed: int = 0
) -> tuple[Snapshot, list[EventChange]]:
    """The baseline snapshot and, for each event in date order, its change and attribution."""
    state = scn.model_copy(update={"events": []})
    base = snapshot(state, models, seed)
    changes = []
    for event in ordered(scn.events):
        before, after, parts = attribute(state, event, models, seed)
        changes.append(
            EventChange(
                event.id,
                event.date,
                event.title,
                [e.label() for e in event.effects],
                before,
                after,
                parts,
            )
        )
        state = apply_event(state, event)
    return base, changes


def timeline_rows(
    base: Snapshot, changes: list[EventChange], baseline_date: str
) -> list[dict[str, Any]]:
    """Tidy rows: date, event, actor, metric, value (actor '*' for scenario-wide metrics)."""
    rows: list[dict[str, Any]] = []

    def add(date: str, event: str, snap: Snapshot) -> None:
        rows.append(
            {
                "date": date,
                "event": event,
                "actor": "*",
                "metric": "zone",
                "value": float(snap.zone),
            }
        )
        rows.append(
            {
                "date": date,
                "event": event,
                "actor": "*",
                "metric": "zone_margin",
                "value": snap.zone_margin,
            }
        )
        for metric, per_actor in snap.metrics.items():
            for actor, value in per_actor.items():
                rows.append(
                    {"date": date, "event": event, "actor": actor, "metric": metric, "value": value}
                )

    add(baseline_date, "baseline", base)
    for change in changes:
        add(change.date.isoformat(), change.event, change.after)
    return rows
