"""Applying events: a scenario's baseline plus its dated events gives its state on any date.

The file's numbers are the baseline (before the first event). ``resolve(scn, until)`` applies
the events dated up to ``until`` (all by default) in date order (file order within a day),
drops actors that are not active, and returns a plain scenario without events, which is what
every analysis works on. The work is linear in the number of effects
(``multipolar.scenario.replay``).
"""

from __future__ import annotations

import datetime as dt

from multipolar.errors import Problem, ScenarioError
from multipolar.memo import ObjectMemo
from multipolar.scenario.events import Effect, Event
from multipolar.scenario.loader import to_data, validate
from multipolar.scenario.replay import after_events, drop_inactive_data, ordered, replay
from multipolar.scenario.schema import Scenario

__all__ = ["apply_effect", "apply_event", "drop_inactive", "ordered", "resolve"]


def _state(scn: Scenario, event: Event, effects: list[int] | None) -> Scenario:
    try:
        return replay(scn, [event], effects).state()
    except ScenarioError as exc:
        if exc.problems and exc.problems[0].path[:1] == ("events",):
            raise
        first = exc.problems[0]  # a rule of the whole scenario: name the event too
        raise ScenarioError(
            [
                Problem(
                    ("events", event.id, "effects"),
                    f"event '{event.id}': {first.message}",
                    first.fix,
                )
            ]
        ) from None


def apply_effect(scn: Scenario, eff: Effect, event: str = "") -> Scenario:
    """``scn`` after one effect (validated: an effect that breaks the scenario is an error
    naming the event)."""
    one = Event(id=event or "event", date=dt.date(2000, 1, 1), title=event, effects=[eff])
    return _state(scn, one, None)


def apply_event(scn: Scenario, event: Event, effects: list[int] | None = None) -> Scenario:
    """``scn`` after ``event`` (or only the effects with the given indices, in order)."""
    return _state(scn, event, effects)


def drop_inactive(scn: Scenario) -> Scenario:
    """The scenario without its inactive actors (and their positions, ownerships, vetoes)."""
    if all(a.active for a in scn.actors) and not scn.events:
        return scn
    return validate(drop_inactive_data(to_data(scn)))


_RESOLVED: ObjectMemo[Scenario] = ObjectMemo(32)  # scenarios whose state is kept (the newest)


def resolve(scn: Scenario, until: dt.date | None = None) -> Scenario:
    """The scenario's state after its events up to ``until`` (all by default), without events
    and without inactive actors. Scenarios are immutable, so the state of the same scenario
    object is computed once (the latest few are kept) and every analysis of it shares it."""
    if not scn.events and all(a.active for a in scn.actors):
        return scn
    return _RESOLVED.get_or(scn, lambda: after_events(scn, until), until)
