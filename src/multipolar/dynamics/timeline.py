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
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.dynamics.apply import ordered
from multipolar.dynamics.states import Progress, effect_subsets, snapshots
from multipolar.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Snapshot:
    """Metrics of one state: per actor and model for forecast utility; per actor otherwise."""

    zone: bool
    zone_margin: float  # the deal verdict's binding margin (+ = room for a deal)
    package: dict[str, float]
    metrics: dict[str, dict[str, float]]  # metric -> actor -> value (forecast per model)
    commitment_slack: float | None = None  # at the leximin package (declining side's utility)
    binding: tuple[str, ...] = ()  # the verdict's binding rows (actors, conflict.power_shift)

    def as_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "zone_margin": self.zone_margin,
            "binding": list(self.binding),
            "package": self.package,
            "commitment_slack": self.commitment_slack,
            "metrics": self.metrics,
        }


def snapshot(scn: Scenario, models: tuple[str, ...] = ("compromise",), seed: int = 0) -> Snapshot:
    """The metrics of a state (a scenario without pending events)."""
    return snapshots([scn], models, seed)[0]


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
            "binding_after": list(self.after.binding),
            "package_after": self.after.package,
            "commitment_slack_after": self.after.commitment_slack,
            "changes": self.attribution,
            "summary": summary(self),
        }


@dataclass(frozen=True)
class Timeline:
    """The balance of advantage over a scenario's events: the baseline state and, per event in
    date order, the state after it and who gained what, why."""

    scenario: str
    start: str  # the baseline's date (see baseline_date)
    seed: int
    baseline: Snapshot
    changes: list[EventChange]

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "baseline": {"date": self.start, **self.baseline.as_dict()},
            "events": [c.as_dict() for c in self.changes],
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as ``multipolar timeline --format json`` prints it."""
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """Long format: one row per (state, metric, actor) with its value; the states are the
        baseline and each event, in order; ``zone_margin`` rows carry the deal verdict."""
        from multipolar.frames import records

        states = [("baseline", self.start, self.baseline)]
        states += [(c.event, c.date.isoformat(), c.after) for c in self.changes]
        rows: list[dict[str, Any]] = []
        for name, date, snap in states:
            for metric, values in snap.metrics.items():
                rows += [{"state": name, "date": date, "metric": metric, "actor": a, "value": v}
                         for a, v in values.items()]  # fmt: skip
            rows.append({"state": name, "date": date, "metric": "zone_margin", "actor": "*",
                         "value": snap.zone_margin})  # fmt: skip
        return records(rows)


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


def _in_order(values: dict[frozenset[int], float], m: int) -> list[float]:
    """Each effect's contribution when the effects apply in file order."""
    return [values[frozenset(range(j + 1))] - values[frozenset(range(j))] for j in range(m)]


def attribute(
    state: Scenario,
    event: Any,
    models: tuple[str, ...],
    seed: int,
) -> tuple[Snapshot, Snapshot, dict[str, dict[str, dict[str, float]]]]:
    """Snapshots before and after ``event`` and the split of every change over its effects:
    the Shapley value (2^m states for m effects) up to ``ATTRIBUTION_MAX_EFFECTS`` effects,
    otherwise, or when some subset of the effects alone leaves what the scenario allows, each
    effect's contribution in file order (m + 1 states). Both sum to the total change. The
    states are solved as one batch."""
    subsets, exact = effect_subsets(state, event)
    snaps = dict(zip(subsets, snapshots(list(subsets.values()), models, seed), strict=True))
    return _attribution(event, snaps, exact)


def _attribution(
    event: Any, snaps: dict[frozenset[int], Snapshot], exact: bool
) -> tuple[Snapshot, Snapshot, dict[str, dict[str, dict[str, float]]]]:
    """Before, after and the split (Shapley when ``exact``, else in file order), from the
    snapshots of the subsets of effects."""
    m = len(event.effects)
    before, after = snaps[frozenset()], snaps[frozenset(range(m))]
    labels = [eff.label() for eff in event.effects]
    out: dict[str, dict[str, dict[str, float]]] = {}
    for metric, per_actor in after.metrics.items():
        out[metric] = {}
        for actor in per_actor:
            values = {k: s.metrics[metric].get(actor, np.nan) for k, s in snaps.items()}
            if any(np.isnan(v) for v in values.values()):
                continue  # the actor is not there throughout (joined or left)
            parts = _shapley(values, m) if exact else _in_order(values, m)
            row = {"total": per_actor[actor] - before.metrics[metric][actor]}
            for label, part in zip(labels, parts, strict=True):
                row[label] = row.get(label, 0.0) + float(part)  # the same change twice: summed
            out[metric][actor] = row
    return before, after, out


_NOISE = 5e-4  # changes below this are not worth a sentence (they print as 0.000)


def _driver(row: dict[str, float]) -> tuple[str, float]:
    parts = {k: v for k, v in row.items() if k != "total"}
    if not parts:
        return "-", 0.0
    key = max(parts, key=lambda k: abs(parts[k]))
    return key, parts[key]


def summary(change: EventChange) -> list[str]:
    """Who gained and who lost with the event, and why: each actor's change in its utility of
    the (first model's) forecast, in its walk-away value (its outside option: for a belligerent,
    the war) and in its margin in a deal, each with the effect that drove it most."""
    forecast_metric = next(
        (m for m in change.attribution if m.startswith("forecast_utility")), None
    )
    lines = []
    actors = list(change.attribution.get("margin", {}))
    for actor in actors:
        parts = []
        measures = (
            (forecast_metric, "utility of the forecast"),
            ("walk_away", "walk-away value"),
            ("margin", "margin in a deal"),
        )
        for metric, words in measures:
            row = change.attribution.get(metric or "", {}).get(actor)
            if row is None or abs(row["total"]) < _NOISE:
                continue
            driver, part = _driver(row)
            parts.append(f"{words} {row['total']:+.3f} (mostly '{driver}', {part:+.3f})")
        if parts:
            lines.append(f"{actor}: " + "; ".join(parts))
    if change.before.zone != change.after.zone:
        lines.append("a zone of agreement " + ("opened" if change.after.zone else "closed"))
    return lines


def timeline(
    scn: Scenario,
    models: tuple[str, ...] = ("compromise",),
    seed: int = 0,
    *,
    progress: Progress | None = None,
) -> tuple[Snapshot, list[EventChange]]:
    """The baseline snapshot and, for each event in date order, its change and attribution.
    Every state (each subset of each event's effects) is built first, then all of them are
    solved as one batch. ``progress(done, total)`` is told of each state built and solved
    (``total`` is known once the states are built: until then it counts the events)."""
    state = scn.model_copy(update={"events": []})
    events = ordered(scn.events)
    subsets = []
    for done, event in enumerate(events, 1):
        subsets.append(effect_subsets(state, event))
        state = subsets[-1][0][frozenset(range(len(event.effects)))]
        if progress is not None:
            progress(done, 2 * len(events))
    first = subsets[0][0][frozenset()] if subsets else state
    states = [first] + [s for per_event, _exact in subsets for s in per_event.values()]
    solved = iter(snapshots(states, models, seed, progress=_after(len(events), progress)))
    base = next(solved)
    changes = []
    for event, (per_event, exact) in zip(events, subsets, strict=True):
        snaps = {key: next(solved) for key in per_event}
        before, after, parts = _attribution(event, snaps, exact)
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
    return base, changes


def _after(offset: int, progress: Progress | None) -> Progress | None:
    """``progress`` with ``offset`` units already done."""
    if progress is None:
        return None
    report = progress
    return lambda done, total: report(offset + done, offset + total)


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


def baseline_date(scn: Scenario) -> str:
    """The date the baseline stands for: the day before the first event (the scenario's own
    date describes it only when it has no events)."""
    if scn.events:
        return (min(e.date for e in scn.events) - dt.timedelta(days=1)).isoformat()
    return scn.date.isoformat() if scn.date else "baseline"
