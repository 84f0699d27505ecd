"""The analyses the web app runs on an (edited) scenario, as JSON-ready data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.models.registry import get
from multipolar.scenario.schema import Scenario
from multipolar.server.limits import LimitError, Limits, check_count
from multipolar.store.runs import plain

if TYPE_CHECKING:
    from multipolar.dynamics.timeline import Snapshot


def model_names(models: list[str] | None, default: list[str] | None = None) -> list[str]:
    """Requested models, each once, in order; unknown names are a ``UsageError``."""
    from multipolar.models.registry import names

    chosen = list(dict.fromkeys(models)) if models else (default or names())
    for name in chosen:
        get(name)
    return chosen


@contextmanager
def guarded() -> Iterator[None]:
    """Numbers that overflow (e.g. an edit setting a capability to 1e308) raise
    ``FloatingPointError`` (a 422 answer) instead of giving a meaningless result."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        yield


def check_attribution(scn: Scenario, limits: Limits) -> None:
    """Refuse attribution of an event with more effects than the limit (2^m states each)."""
    for event in scn.events:
        if len(event.effects) > limits.max_attribution_effects:
            raise LimitError(
                f"events.{event.id}: {len(event.effects)} effects, attribution takes at most "
                f"{limits.max_attribution_effects}; fix: set attribution to false"
            )


def run_forecast(scn: Scenario, models: list[str], seed: int) -> list[dict[str, Any]]:
    from multipolar.dynamics.apply import resolve
    from multipolar.models.api import forecast

    with guarded():
        state = resolve(scn)  # the events applied once for every model
        return [plain(forecast(state, m, seed=seed).as_dict()) for m in models]


def run_deals(scn: Scenario, draws: int, top: int, seed: int, limits: Limits) -> dict[str, Any]:
    from multipolar.deals.analysis import analyse_deals

    check_count("draws", draws, limits.max_draws)
    with guarded():
        return plain(analyse_deals(scn, top=top, draws=draws, seed=seed).as_dict())


def run_timeline(
    scn: Scenario, models: list[str], seed: int, attribution: bool, limits: Limits
) -> dict[str, Any]:
    """The balance of advantage after each event. Without ``attribution`` only the states are
    computed (one per event); with it, each change is also split among the event's effects."""
    from multipolar.dynamics.timeline import baseline_date

    with guarded():
        base, events = _timeline(scn, tuple(models), seed, attribution, limits)
        extra: dict[str, Any] = {}
        if scn.constituencies:  # each actor's win-set at the baseline and after each date
            from multipolar.deals.ratify_report import win_set_timeline

            extra["ratification"] = {"win_sets": win_set_timeline(scn, seed=seed)}
    return plain(
        {
            "scenario": scn.id or scn.title,
            "seed": seed,
            "models": list(models),
            "baseline": {"date": baseline_date(scn), **base.as_dict()},
            "events": events,
            **extra,
        }
    )


def _timeline(
    scn: Scenario, chosen: tuple[str, ...], seed: int, attribution: bool, limits: Limits
) -> tuple[Snapshot, list[dict[str, Any]]]:
    from multipolar.dynamics.apply import apply_event, ordered
    from multipolar.dynamics.timeline import snapshot, timeline

    events: list[dict[str, Any]] = []
    if attribution:
        check_attribution(scn, limits)
        base, changes = timeline(scn, chosen, seed=seed)
        events = [{**c.as_dict(), "metrics_after": c.after.metrics} for c in changes]
    else:
        state = scn.model_copy(update={"events": []})
        base = snapshot(state, chosen, seed)
        for event in ordered(scn.events):
            state = apply_event(state, event)
            after = snapshot(state, chosen, seed)
            events.append(
                {
                    "event": event.id,
                    "date": event.date.isoformat(),
                    "title": event.title,
                    "effects": [e.label() for e in event.effects],
                    "zone_after": after.zone,
                    "zone_margin_after": after.zone_margin,
                    "binding_after": list(after.binding),
                    "package_after": after.package,
                    "commitment_slack_after": after.commitment_slack,
                    "metrics_after": after.metrics,
                }
            )
    return base, events
