"""Applying events: a scenario's baseline plus its dated events gives its state on any date.

The file's numbers are the baseline (before the first event). ``resolve(scn, until)`` applies
the events dated up to ``until`` (all by default) in date order (file order within a day),
drops actors that are not active, and returns a plain scenario without events, which is what
every analysis works on.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any

from multipolar.errors import Problem, ScenarioError, UsageError
from multipolar.scenario.events import Effect, Event
from multipolar.scenario.loader import to_data, validate
from multipolar.scenario.paths import with_value
from multipolar.scenario.schema import Scenario


def ordered(events: list[Event]) -> list[Event]:
    """Events in date order, file order within a day (a stable sort)."""
    return sorted(events, key=lambda e: e.date)


def _set_active(data: dict[str, Any], actor: str, active: bool) -> None:
    for entry in data["actors"]:
        if entry["id"] == actor:
            entry["active"] = active


def _owners(data: dict[str, Any], eff: Effect) -> None:
    assert eff.owner is not None
    owners = data.setdefault("deal", {}).setdefault("owners", {})
    current = [a for a in owners.get(eff.owner.issue, []) if a not in eff.owner.remove]
    current += [a for a in eff.owner.add if a not in current]
    if current:
        owners[eff.owner.issue] = current
    else:
        owners.pop(eff.owner.issue, None)


def apply_effect(scn: Scenario, eff: Effect, event: str = "") -> Scenario:
    """``scn`` after one effect (validated: an effect that breaks the scenario is an error
    naming the event)."""
    try:
        if eff.path is not None:
            value = eff.value
            assert value is not None
            provenance = {
                k: v
                for k, v in (("source", eff.source), ("quote", eff.quote), ("note", eff.note))
                if v
            }
            return with_value(scn, eff.path, value, mode=eff.mode, provenance=provenance)
        data = to_data(scn)
        if eff.owner is not None:
            _owners(data, eff)
        elif eff.join is not None:
            _set_active(data, eff.join, True)
        elif eff.leave is not None:
            _set_active(data, eff.leave, False)
        return validate(data)
    except (ScenarioError, UsageError) as exc:
        text = exc.problems[0].message if isinstance(exc, ScenarioError) else str(exc)
        raise ScenarioError(
            [
                Problem(
                    ("events", event, "effects"),
                    f"event '{event}', effect '{eff.label()}': {text}",
                    "check the effect's path and value",
                )
            ]
        ) from None


def apply_event(scn: Scenario, event: Event, effects: list[int] | None = None) -> Scenario:
    """``scn`` after ``event`` (or only the effects with the given indices, in order)."""
    chosen = range(len(event.effects)) if effects is None else effects
    for index in chosen:
        scn = apply_effect(scn, event.effects[index], event.id)
    return scn


def drop_inactive(scn: Scenario) -> Scenario:
    """The scenario without its inactive actors (and their positions, ownerships, vetoes)."""
    gone = {a.id for a in scn.actors if not a.active}
    if not gone:
        return scn
    if scn.conflict is not None and gone & set(scn.conflict.belligerents):
        who = sorted(gone & set(scn.conflict.belligerents))[0]
        raise ScenarioError(
            [
                Problem(
                    ("actors",),
                    f"belligerent '{who}' is not active",
                    "a belligerent cannot leave; end the conflict block instead",
                )
            ]
        )
    data = to_data(scn)
    data["actors"] = [a for a in data["actors"] if a["id"] not in gone]
    for table in ("positions", "salience"):
        data[table] = {a: row for a, row in data[table].items() if a not in gone}
    deal = data.get("deal", {})
    for table in ("owners", "veto"):
        if table in deal:
            deal[table] = {k: [a for a in v if a not in gone] for k, v in deal[table].items()}
            deal[table] = {k: v for k, v in deal[table].items() if v}
    if "walk_away" in deal:
        deal["walk_away"] = {a: v for a, v in deal["walk_away"].items() if a not in gone}
    data["ideal_adjustment"] = [
        p for p in data.get("ideal_adjustment", [])
        if p["actor"] not in gone and p["reference"] not in gone
    ]  # fmt: skip
    data.pop("events", None)
    return validate(data)


_RESOLVED: OrderedDict[tuple[int, dt.date | None], tuple[Scenario, Scenario]] = OrderedDict()
_RESOLVED_SIZE = 32  # scenarios whose state is kept (the newest)
_LOCK = threading.Lock()


def resolve(scn: Scenario, until: dt.date | None = None) -> Scenario:
    """The scenario's state after its events up to ``until`` (all by default), without events
    and without inactive actors. Scenarios are immutable, so the state of the same scenario
    object is computed once (the latest few are kept) and every analysis of it shares it."""
    if not scn.events and all(a.active for a in scn.actors):
        return scn
    key = (id(scn), until)
    with _LOCK:
        hit = _RESOLVED.get(key)
        if hit is not None and hit[0] is scn:  # the key holds scn alive: its id is its own
            _RESOLVED.move_to_end(key)
            return hit[1]
    state = _resolve(scn, until)
    with _LOCK:
        _RESOLVED[key] = (scn, state)
        while len(_RESOLVED) > _RESOLVED_SIZE:
            _RESOLVED.popitem(last=False)
    return state


def _resolve(scn: Scenario, until: dt.date | None) -> Scenario:
    state = scn.model_copy(update={"events": []})
    for event in ordered(scn.events):
        if until is not None and event.date > until:
            break
        state = apply_event(state, event)
    return drop_inactive(state)
