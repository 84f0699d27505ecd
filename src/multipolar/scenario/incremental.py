"""Validate a change of one estimate of a valid scenario without validating all of it again.

``Edits(scn).edit(path, value, mode)`` answers exactly as ``paths.set_value(copy_path(
to_data(scn), path), path, value, mode=mode)`` does: an equal scenario (the same values and the
same fields set at every level, hence the same ``to_data``, hash and defaults), or a
``ScenarioError`` with the same one line; and, as ``validate`` does, it keeps the state after the
events for the ``after_events``/``resolve`` that follows. It is used where one valid scenario is
changed many times: the server's what-if edits, what it would take.

Why the answer is the same. ``scn`` is valid, and the edit changes the numbers of one estimate
(a position, salience or capability, or one of the war's or the deal's numbers). Of every rule
``validate`` applies, only these read an estimate's numbers: the estimate's own schema (finite,
ordered), the range its place allows (a position on its issue's scale, a salience in [0, 1], a
capability >= 0, the war's probabilities, costs and discount, walk-away utilities), and the
correlations (which need their estimates ranged; a scenario with correlations is validated in
full here). Every other rule reads ids, keys, dates and settings, which the edit leaves as they
were, so they hold as they held for ``scn``. So the changed scenario is valid exactly when the
changed estimate meets its rules, and its one problem is that estimate's, in the words of the
rule that ``validate`` reports first. With events, the replay changes the edited estimate only
through the effects at its path, which are applied and checked here as ``replay.Replay`` does;
every other effect, join and leave acts as it did on ``scn`` (valid then, so valid now), and the
states ``validate`` checks after joins and leaves and at the end differ from ``scn``'s only in
that estimate, which has met its rules at each step. Anything else (another path, an estimate
the schema rejects, a scenario with correlations, provenance naming an unknown source) is
validated in full.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from multipolar.errors import Problem, ScenarioError, UsageError
from multipolar.scenario.base import Estimate
from multipolar.scenario.checks import _in_range
from multipolar.scenario.events import Effect, Event
from multipolar.scenario.loader import problem_of, to_data, validate
from multipolar.scenario.paths import changed, copy_path, locate, set_value
from multipolar.scenario.replay import Replay, _keep_final, after_events, ordered
from multipolar.scenario.schema import Scenario

_CONFLICT = {
    ("conflict", "p"),
    ("conflict", "discount"),
    ("conflict", "side_payment"),
    ("conflict", "guarantee", "credibility"),
    ("conflict", "power_shift", "now"),
    ("conflict", "power_shift", "next"),
}


def _kind(parts: tuple[str, ...]) -> str | None:
    """Which rules judge the estimate at ``parts`` (None: not handled here)."""
    if len(parts) == 3 and parts[0] in ("positions", "salience"):
        return parts[0]
    if len(parts) == 3 and parts[0] == "actors" and parts[2] == "capability":
        return "capability"
    if parts in _CONFLICT or (len(parts) == 3 and parts[:2] == ("conflict", "costs")):
        return "conflict"
    if len(parts) == 3 and parts[:2] == ("deal", "walk_away"):
        return "deal"
    return None


def compact(est: Estimate) -> Any:
    """The estimate as ``to_data`` writes it: a plain number for a point."""
    data = est.model_dump(mode="json", exclude_defaults=True)
    return data["best"] if set(data) == {"best"} else data


@dataclass(frozen=True)
class _Plan:
    """Where an edited estimate sits and what acts on it."""

    path: str
    parts: tuple[str, ...]
    kind: str
    node: Any  # the container of the estimate in the scenario's data, and its key
    leaf: str
    chain: tuple[tuple[int, Event, Effect], ...]  # the effects at the path, as replayed
    actor: str | None  # the actor whose leaving drops the estimate from the state after events


@dataclass(frozen=True)
class _Good:
    estimate: Estimate  # the edited estimate
    final: Any  # its data after the events


class Edited:
    """A valid edited scenario, with what further edits and its hash need."""

    def __init__(self, parent: Edits, plan: _Plan, scenario: Scenario, final: Scenario | None):
        self.scenario = scenario
        self._parent, self._plan, self._final = parent, plan, final
        self._data: dict[str, Any] | None = None

    @property
    def data(self) -> dict[str, Any]:
        """``to_data(self.scenario)``, from the parent's data with the one estimate changed."""
        if self._data is None:
            plan = self._plan
            data = copy_path(self._parent.norm_data, plan.path)
            node, leaf = locate(data, plan.path)
            node[leaf] = compact(_estimate_at(self.scenario, plan.parts))
            self._data = data
        return self._data

    def canonical_text(self) -> str:
        """``json.dumps(self.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
        allow_nan=False)``, reusing the parent's text of every unchanged top-level entry
        (``ValueError``/``TypeError`` as ``json.dumps`` raises them)."""
        data, texts = self.data, self._parent.texts()
        head = self._plan.parts[0]
        parts = [
            json.dumps(key, ensure_ascii=False)
            + ":"
            + (_dumps(data[key]) if key == head else texts[key])
            for key in sorted(data)
        ]
        return "{" + ",".join(parts) + "}"

    def edits(self) -> Edits:
        """Edits of this scenario (its data and its state after events already known)."""
        return Edits(self.scenario, data=self.data, norm=self.scenario, final=self._final)


def _dumps(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


class Edits:
    """Single-estimate edits of one valid scenario ``scn`` (see the module docstring)."""

    def __init__(
        self,
        scn: Scenario,
        *,
        data: dict[str, Any] | None = None,
        norm: Scenario | None = None,
        final: Scenario | None = None,
    ) -> None:
        self.scn = scn
        self.data = to_data(scn) if data is None else data
        self._norm, self._final = norm, final
        self._norm_data: dict[str, Any] | None = data if norm is not None else None
        self._texts: dict[str, str] | None = None
        self._plans: dict[str, _Plan | None] = {}
        self._checker = Replay.checker(scn)
        self._lock = threading.Lock()

    # what a changed scenario is built from -----------------------------------------------------
    @property
    def norm(self) -> Scenario:
        """``validate(self.data)``: what every full validation of an edit starts from."""
        with self._lock:  # the server's threads may share one scenario's edits
            if self._norm is None:
                norm = validate(self.data)
                if self.scn.events:
                    self._final = after_events(norm)  # the state that validate kept
                self._norm = norm
            return self._norm

    @property
    def norm_data(self) -> dict[str, Any]:
        if self._norm_data is None:
            self._norm_data = to_data(self.norm)
        return self._norm_data

    def final(self) -> Scenario:
        norm = self.norm
        with self._lock:
            if self._final is None:
                self._final = after_events(norm)
            return self._final

    def texts(self) -> dict[str, str]:
        """The canonical JSON text of each top-level entry of ``norm_data``."""
        if self._texts is None:
            self._texts = {key: _dumps(value) for key, value in self.norm_data.items()}
        return self._texts

    # edits ----------------------------------------------------------------------------------
    def set(self, path: str, value: float, mode: str = "set") -> Scenario:
        """``set_value(copy_path(to_data(scn), path), path, value, mode=mode)``."""
        edited = self.edit(path, value, mode)
        return edited if isinstance(edited, Scenario) else edited.scenario

    def valid(self, path: str, value: float, mode: str = "set") -> bool:
        """Whether ``set`` gives a scenario (rather than raising ``ScenarioError``)."""
        plan = self._plan(path)
        if plan is not None:
            est, fallback = changed(plan.node[plan.leaf], mode, value)
            first = self._judge(plan, est)
            if isinstance(first, _Good):
                return True
            if isinstance(first, Problem) and fallback is None:
                return False
            if isinstance(first, Problem) and fallback is not None:
                second = self._judge(plan, fallback)
                if second is not None:
                    return isinstance(second, _Good)
        try:
            self._full(path, value, mode)
        except ScenarioError:
            return False
        return True

    def edit(
        self, path: str, value: float, mode: str = "set",
        provenance: dict[str, str] | None = None,
    ) -> Edited | Scenario:  # fmt: skip
        """As ``set`` (with ``provenance``, the source, quote and note written into the
        estimate, as an event's effect writes them); an ``Edited`` where the edit was judged
        here, else the scenario that full validation gave. The one rule of the whole scenario
        that provenance meets, a known source, is checked here too."""
        plan = self._plan(path)
        source = (provenance or {}).get("source")
        if plan is None or (source is not None and source not in self._sources()):
            return self._full(path, value, mode, provenance)
        est, fallback = changed(plan.node[plan.leaf], mode, value, provenance)
        first = self._judge(plan, est)
        if isinstance(first, _Good):
            return self._made(plan, first)
        if first is None:
            return self._full(path, value, mode, provenance)
        if fallback is not None:
            second = self._judge(plan, fallback)
            if second is None:
                return self._full(path, value, mode, provenance)
            if isinstance(second, _Good):
                return self._made(plan, second)
        raise ScenarioError([Problem((path,), first.message, first.fix)])

    def _sources(self) -> frozenset[str]:
        return frozenset(s.id for s in self.scn.sources)

    def _full(
        self, path: str, value: float, mode: str, provenance: dict[str, str] | None = None
    ) -> Scenario:
        data = copy_path(self.data, path)
        scn: Scenario = set_value(data, path, value, mode=mode, provenance=provenance)
        return scn

    def _plan(self, path: str) -> _Plan | None:
        if path not in self._plans:
            self._plans[path] = self._make_plan(path)
        return self._plans[path]

    def _make_plan(self, path: str) -> _Plan | None:
        parts = tuple(path.split("."))
        kind = _kind(parts)
        if kind is None or self.scn.correlations:
            return None
        try:  # what the results are built from (valid, unless to_data lost something)
            self.norm  # noqa: B018 - validated once, here
        except ScenarioError:  # pragma: no cover - then every edit is validated in full
            return None
        try:
            node, leaf = locate(self.data, path)
        except UsageError:
            return None
        old = node[leaf]
        if not (isinstance(old, dict) and "best" in old) and type(old) is not float:
            return None
        chain = []
        position = {id(e): i for i, e in enumerate(self.scn.events)}
        for event in ordered(self.scn.events):
            for eff in event.effects:
                if eff.path is None:
                    continue
                try:
                    where = locate(self.data, eff.path)
                except UsageError:  # pragma: no cover - a valid scenario's paths all resolve
                    return None
                if where[0] is node and where[1] == leaf:
                    chain.append((position[id(event)], event, eff))
        actor = parts[1] if kind in ("positions", "salience", "capability") else None
        actor = parts[2] if kind == "deal" else actor
        return _Plan(path, parts, kind, node, leaf, tuple(chain), actor)

    def _judge(self, plan: _Plan, est: Any) -> _Good | Problem | None:
        """The estimate ``est`` at the plan's place: good (with its value after the events),
        the one problem full validation reports first, or None to validate in full."""
        try:
            new = Estimate.model_validate(est)
        except ValidationError as exc:  # the estimate's own first error, worded as in place
            first = exc.errors()[0]
            if first["type"] not in ("multipolar", "finite_number"):
                return None
            found = problem_of(first)
            return Problem((plan.path,), found.message, found.fix)
        wrong = self._initial(plan, new, est)
        if wrong is not None:
            return Problem((plan.path,), *wrong)
        current = compact(new)
        check = self._checker.check
        for _, event, eff in plan.chain:
            assert eff.value is not None
            after, fallback = changed(current, eff.mode, eff.value, eff.provenance)
            problem = check(plan.path, after)
            if problem is not None and fallback is not None and check(plan.path, fallback) is None:
                after, problem = fallback, None
            if problem is not None:
                message = f"after event '{event.id}' (effect '{eff.label()}'): {problem[0]}"
                return Problem((plan.path,), message, problem[1])
            current = after
        return _Good(new, current)

    def _initial(self, plan: _Plan, new: Estimate, est: Any) -> tuple[str, str] | None:
        """The problem ``validate`` reports first for the edited scenario before its events."""
        if plan.kind in ("positions", "salience"):
            low, high = (0.0, 1.0) if plan.kind == "salience" else self._scale(plan.parts[2])
            what = "salience" if plan.kind == "salience" else "position"
            found = next(iter(_in_range(plan.parts, new, low, high, what)), None)
            return None if found is None else (found.message, found.fix)
        if plan.kind == "capability":
            if new.lo < 0:
                return (
                    f"capability {new.lo:g} is negative",
                    "capability is a relative weight: use a value >= 0",
                )
            return None
        return self._checker.check(plan.path, est)  # the conflict's and the deal's own rules

    def _scale(self, issue: str) -> tuple[float, float]:
        return next(i.scale for i in self.scn.issues if i.id == issue)

    def _made(self, plan: _Plan, good: _Good) -> Edited:
        scenario = _replaced(self.norm, plan.parts, good.estimate)
        final = None
        if self.scn.events:
            final = self.final()
            if plan.actor is None or plan.actor in final.actor_ids:
                final = _replaced(final, plan.parts, Estimate.model_validate(good.final))
            _keep_final(scenario, final)
        return Edited(self, plan, scenario, final)


def _estimate_at(scn: Scenario, parts: tuple[str, ...]) -> Estimate:
    head = parts[0]
    if head in ("positions", "salience"):
        est: Estimate = getattr(scn, head)[parts[1]][parts[2]]
        return est
    if head == "actors":
        return scn.actor(parts[1]).capability
    if head == "deal":
        return scn.deal.walk_away[parts[2]]
    node: Any = scn.conflict
    for part in parts[1:-1]:
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    found: Estimate = node[parts[-1]] if isinstance(node, dict) else getattr(node, parts[-1])
    return found


def _replaced(scn: Scenario, parts: tuple[str, ...], est: Estimate) -> Scenario:
    """``scn`` with the estimate at ``parts`` replaced by ``est`` (everything else shared)."""
    head = parts[0]
    if head in ("positions", "salience"):
        table = getattr(scn, head)
        row = {**table[parts[1]], parts[2]: est}
        return scn.model_copy(update={head: {**table, parts[1]: row}})
    if head == "actors":
        actors = [
            a.model_copy(update={"capability": est}) if a.id == parts[1] else a for a in scn.actors
        ]
        return scn.model_copy(update={"actors": actors})
    if head == "deal":
        walk_away = {**scn.deal.walk_away, parts[2]: est}
        return scn.model_copy(update={"deal": scn.deal.model_copy(update={"walk_away": walk_away})})
    assert scn.conflict is not None
    return scn.model_copy(update={"conflict": _set(scn.conflict, parts[1:], est)})


def _set(model: BaseModel, parts: tuple[str, ...], est: Estimate) -> BaseModel:
    head = parts[0]
    value = getattr(model, head)
    if len(parts) == 1:
        return model.model_copy(update={head: est})
    if isinstance(value, dict):  # conflict.costs.<actor>
        return model.model_copy(update={head: {**value, parts[1]: est}})
    return model.model_copy(update={head: _set(value, parts[1:], est)})
