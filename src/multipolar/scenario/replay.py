"""Apply a scenario's events to its data in time linear in the number of effects.

Every analysis works on the state after the events (``multipolar.dynamics.apply.resolve``) and
``validate`` checks that state, so both replay the events here. Each numeric effect is checked
where it lands: the estimate it produces must be a valid estimate, lie in the range its place
allows (a position on its issue's scale, a salience in [0, 1], a capability >= 0, ...) and keep
a range where a correlation needs one. That is every rule a change of one number can break, so
the scenario is validated in full once, at the end, instead of after every effect. Joins and
leaves change who takes part: the state without the inactive actors is validated in full after
each event that changes it (once per distinct set of inactive actors).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from multipolar.errors import Problem, ScenarioError, UsageError
from multipolar.memo import ObjectMemo
from multipolar.scenario.base import Estimate
from multipolar.scenario.events import Effect, Event
from multipolar.scenario.paths import changed, locate
from multipolar.scenario.schema import Scenario

INF = float("inf")
# (low, high, what, open at high) for every place an estimate may sit; issue scales are added
_RANGES: dict[tuple[str, ...], tuple[float, float, str, bool]] = {
    ("salience", "*", "*"): (0.0, 1.0, "salience", False),
    ("conflict", "p"): (0.0, 1.0, "p", False),
    ("conflict", "discount"): (0.0, 1.0, "discount factor", True),
    ("conflict", "costs", "*"): (0.0, INF, "cost", False),
    ("conflict", "power_shift", "now"): (0.0, 1.0, "probability", False),
    ("conflict", "power_shift", "next"): (0.0, 1.0, "probability", False),
    ("conflict", "guarantee", "credibility"): (0.0, 1.0, "credibility", False),
    ("conflict", "side_payment"): (0.0, INF, "side payment", False),
    ("deal", "walk_away", "*"): (0.0, 1.0, "walk-away utility", False),
}


def ordered(events: Sequence[Event]) -> list[Event]:
    """Events in date order, file order within a day (a stable sort)."""
    return sorted(events, key=lambda e: e.date)


class EffectError(Exception):
    """An effect that leaves the scenario invalid: what is wrong and the fix."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


_FIELDS = frozenset(("best", "low", "high", "dist", "source", "quote", "note"))
_DISTS = frozenset(("triangular", "uniform", "pert", "normal"))


class _Plain:
    """The numbers of an estimate already known to be valid."""

    __slots__ = ("best", "hi", "is_point", "lo")

    def __init__(self, lo: float, best: float, hi: float, is_point: bool) -> None:
        self.lo, self.best, self.hi, self.is_point = lo, best, hi, is_point


def _plain(est: dict[str, Any]) -> _Plain | None:
    """The estimate's numbers when it is plainly valid (the usual case: finite, ordered, known
    fields), else None so that the schema reports what is wrong."""
    best, low, high = est.get("best"), est.get("low"), est.get("high")
    if not _FIELDS.issuperset(est) or est.get("dist", "triangular") not in _DISTS:
        return None
    if not (isinstance(best, float) and math.isfinite(best)):
        return None
    if low is None and high is None:
        return _Plain(best, best, best, True)
    if not (isinstance(low, float) and isinstance(high, float)):
        return None
    if not (math.isfinite(low) and math.isfinite(high) and low <= best <= high):
        return None
    return _Plain(low, best, high, low == high == best)


def _outside(
    est: Estimate | _Plain, low: float, high: float, what: str, open_high: bool
) -> str | None:
    for value in (est.lo, est.best, est.hi):
        too_high = value >= high if open_high else value > high
        if value < low or too_high:
            bracket = ")" if open_high else "]"
            return f"{what} {value:g} is outside [{low:g}, {high:g}{bracket}"
    return None


class Replay:
    """A scenario's data (without its events) that effects change in place, each checked."""

    def __init__(self, scn: Scenario) -> None:
        from multipolar.scenario.loader import to_data

        self.data = to_data(scn.model_copy(update={"events": []}))
        self.data.pop("events", None)
        self.scales = {i.id: i.scale for i in scn.issues}
        self.correlated = {p for corr in scn.correlations for p in corr.between}
        self.inactive = frozenset(a.id for a in scn.actors if not a.active)
        self._dropped: dict[frozenset[str], ScenarioError | None] = {}
        self._places: dict[str, tuple[Any, str]] = {}
        self._rules: dict[str, tuple[float, float, str, bool] | None] = {}

    @classmethod
    def checker(cls, scn: Scenario) -> Replay:
        """A replay without data, whose ``check`` judges an estimate at a path as ``apply``
        would (for ``scenario.incremental``)."""
        state = cls.__new__(cls)
        state.scales = {i.id: i.scale for i in scn.issues}
        state.correlated = {p for corr in scn.correlations for p in corr.between}
        state._rules = {}
        return state

    def check(self, path: str, est: dict[str, Any]) -> tuple[str, str] | None:
        """What is wrong with ``est`` landing at ``path`` (message, fix), or None."""
        return self._check(path, est)

    # -- one effect ---------------------------------------------------------------------------
    def apply(self, eff: Effect) -> None:
        """Apply ``eff``; raise ``EffectError`` when the result would not be valid."""
        if eff.path is not None:
            value = eff.value
            assert value is not None
            self._number(eff.path, eff.mode, value, eff)
        elif eff.owner is not None:
            owners = self.data.setdefault("deal", {}).setdefault("owners", {})
            current = [a for a in owners.get(eff.owner.issue, []) if a not in eff.owner.remove]
            current += [a for a in eff.owner.add if a not in current]
            if current:
                owners[eff.owner.issue] = current
            else:
                owners.pop(eff.owner.issue, None)
        else:
            actor, active = (eff.join, True) if eff.join is not None else (eff.leave, False)
            for entry in self.data["actors"]:
                if entry["id"] == actor:
                    entry["active"] = active
            moved = {actor} if actor is not None else set()
            self.inactive = self.inactive - moved if active else self.inactive | moved

    def _number(self, path: str, mode: str, value: float, eff: Effect) -> None:
        """Set, shift or scale the estimate at ``path`` as ``paths.with_value`` does."""
        if path not in self._places:  # containers stay put: numbers change in place
            try:
                self._places[path] = locate(self.data, path)
            except UsageError as exc:
                fix = "name a number, e.g. positions.<actor>.<issue>"
                raise EffectError(str(exc), fix) from None
        node, leaf = self._places[path]
        est, fallback = changed(node[leaf], mode, value, eff.provenance)
        problem = self._check(path, est)
        if problem is not None and fallback is not None and self._check(path, fallback) is None:
            est, problem = fallback, None
        if problem is not None:
            raise EffectError(*problem)
        node[leaf] = est

    def _check(self, path: str, est: dict[str, Any]) -> tuple[str, str] | None:
        """What is wrong with ``est`` at ``path`` (message, fix), or None."""
        from multipolar.scenario.loader import problem_of

        checked: _Plain | Estimate | None = _plain(est)
        if checked is None:  # not a plain finite ordered estimate: ask the schema what is wrong
            try:
                checked = Estimate.model_validate(est)
            except ValidationError as exc:
                first = problem_of(exc.errors()[0])
                return first.message, first.fix
        if path not in self._rules:
            self._rules[path] = self._bounds(tuple(path.split(".")))
        bounds = self._rules[path]
        capability = bounds is not None and bounds[2] == "capability"
        if capability and checked.lo < 0:
            return (
                f"capability {checked.lo:g} is negative",
                "capability is a relative weight: use a value >= 0",
            )
        if bounds is not None and not capability:
            low, high, what, open_high = bounds
            wrong = _outside(checked, low, high, what, open_high)
            if wrong is not None:
                bracket = ")" if open_high else "]"
                return wrong, f"use a value in [{low:g}, {high:g}{bracket}"
        if path in self.correlated and checked.is_point:
            return (
                f"'{path}' is no longer a range, which its correlation needs",
                "keep low < high, or drop the correlation",
            )
        return None

    def _bounds(self, parts: tuple[str, ...]) -> tuple[float, float, str, bool] | None:
        if len(parts) == 3 and parts[0] == "actors" and parts[2] == "capability":
            return (0.0, INF, "capability", False)
        if len(parts) == 3 and parts[0] == "positions" and parts[2] in self.scales:
            return (*self.scales[parts[2]], "position", False)
        if len(parts) == 3 and parts[0] == "issues" and parts[2] == "status_quo":
            scale = self.scales.get(parts[1])
            return None if scale is None else (*scale, "status quo", False)
        for pattern, bounds in _RANGES.items():
            if len(pattern) == len(parts) and all(
                p in ("*", q) for p, q in zip(pattern, parts, strict=True)
            ):
                return bounds
        return None

    # -- states -------------------------------------------------------------------------------
    def state(self) -> Scenario:
        """The current state as a valid scenario (inactive actors kept, marked inactive)."""
        from multipolar.scenario.loader import validate

        return validate(self.data)

    def without_inactive(self) -> Scenario:
        """The current state without its inactive actors, validated."""
        from multipolar.scenario.loader import validate

        return validate(drop_inactive_data(self.data))

    def check_inactive(self) -> None:
        """Raise ``ScenarioError`` when the state without the inactive actors is not valid
        (checked in full once per distinct set of inactive actors)."""
        if not self.inactive:
            return
        if self.inactive not in self._dropped:
            try:
                self.without_inactive()
                self._dropped[self.inactive] = None
            except ScenarioError as exc:
                self._dropped[self.inactive] = exc
        error = self._dropped[self.inactive]
        if error is not None:
            raise error


def drop_inactive_data(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of scenario data without its inactive actors (and their positions, ownerships,
    vetoes, walk-away values and ideal adjustments); a belligerent cannot be inactive."""
    gone = {a["id"] for a in data["actors"] if not a.get("active", True)}
    out = dict(data)
    out.pop("events", None)
    if not gone:
        return out
    war = data.get("conflict")
    if war is not None and gone & set(war.get("belligerents", [])):
        who = sorted(gone & set(war["belligerents"]))[0]
        raise ScenarioError(
            [
                Problem(
                    ("actors",),
                    f"belligerent '{who}' is not active",
                    "a belligerent cannot leave; end the conflict block instead",
                )
            ]
        )
    out["actors"] = [a for a in data["actors"] if a["id"] not in gone]
    for table in ("positions", "salience"):
        out[table] = {a: row for a, row in data[table].items() if a not in gone}
    deal = dict(data.get("deal", {}))
    for table in ("owners", "veto"):
        if table in deal:
            kept = {k: [a for a in v if a not in gone] for k, v in deal[table].items()}
            deal[table] = {k: v for k, v in kept.items() if v}
    if "walk_away" in deal:
        deal["walk_away"] = {a: v for a, v in deal["walk_away"].items() if a not in gone}
    if "constituencies" in data:
        out["constituencies"] = {a: v for a, v in data["constituencies"].items() if a not in gone}
    if "deal" in data:
        out["deal"] = deal
    out["ideal_adjustment"] = [
        p for p in data.get("ideal_adjustment", [])
        if p["actor"] not in gone and p["reference"] not in gone
    ]  # fmt: skip
    return out


def _named(event: Event, eff: Effect, index: int, error: EffectError) -> ScenarioError:
    return ScenarioError(
        [
            Problem(
                ("events", event.id, "effects", index),
                f"event '{event.id}', effect '{eff.label()}': {error.message}",
                error.fix,
            )
        ]
    )


def replay(scn: Scenario, events: Iterable[Event], effects: Sequence[int] | None = None) -> Replay:
    """``scn``'s data after ``events`` (in the order given; with ``effects``, only those
    effects of each event). A bad effect raises ``ScenarioError`` naming its event."""
    state = Replay(scn)
    for event in events:
        chosen = range(len(event.effects)) if effects is None else effects
        for index in chosen:
            eff = event.effects[index]
            try:
                state.apply(eff)
            except EffectError as exc:
                raise _named(event, eff, index, exc) from None
    return state


#: validated scenarios whose final state is kept until asked for (the newest)
_FINAL: ObjectMemo[Scenario] = ObjectMemo(64)


def _keep_final(scn: Scenario, state: Scenario) -> None:
    """Keep the state after all of ``scn``'s events that ``event_problems`` validated, for the
    ``after_events(scn)`` that usually follows (the same replay, the same data, validated)."""
    _FINAL.put(scn, state)


def after_events(scn: Scenario, until: dt.date | None = None) -> Scenario:
    """The state after the events dated up to ``until`` (all by default), without events and
    without inactive actors."""
    if until is None:
        kept = _FINAL.take(scn)
        if kept is not None:
            return kept[0]
    events = [e for e in ordered(scn.events) if until is None or e.date <= until]
    return replay(scn, events).without_inactive()


def event_problems(scn: Scenario) -> list[Problem]:
    """Why the scenario stops being valid as its events apply (one problem naming the event
    and effect, or the event after which the actors left make it invalid), or none.

    Checks the state after every effect and, after every event that changes who takes part,
    the state without the inactive actors, which is what the timeline analyses.
    """
    if not scn.events:
        return []
    position = {id(e): i for i, e in enumerate(scn.events)}
    state = Replay(scn)
    for event in ordered(scn.events):
        i = position[id(event)]
        for j, eff in enumerate(event.effects):
            try:
                state.apply(eff)
            except EffectError as exc:
                return [
                    Problem(
                        ("events", i, "effects", j),
                        f"after event '{event.id}' (effect '{eff.label()}'): {exc.message}",
                        exc.fix,
                    )
                ]
        if any(eff.join is not None or eff.leave is not None for eff in event.effects):
            try:
                state.check_inactive()
            except ScenarioError as exc:
                first = exc.problems[0]
                return [
                    Problem(
                        ("events", i),
                        f"after event '{event.id}': {first.message}",
                        first.fix,
                    )
                ]
    try:
        final = state.without_inactive()  # what after_events(scn) gives: kept for it
    except ScenarioError as exc:  # a rule no single effect can break: name the last event
        first = exc.problems[0]
        last = ordered(scn.events)[-1]
        return [
            Problem(
                ("events", position[id(last)]),
                f"after the events (the last is '{last.id}'): {first.message}",
                first.fix,
            )
        ]
    _keep_final(scn, final)
    return []
