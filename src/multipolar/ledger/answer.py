"""The engine's answer to each of a scenario's questions, at its state after its events or at
every revision point of its timeline (see :mod:`multipolar.scenario.questions` for the mapping
from a question to what the engine computes)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from multipolar.defaults import DRAWS, SEED
from multipolar.scenario.questions import PACKAGES, Question
from multipolar.scenario.schema import Scenario

DEALS = "deals"  # the model name recorded for questions the deal analysis answers


@dataclass(frozen=True)
class Answer:
    """One question's forecast at one revision point: a probability (binary) or quantiles of the
    outcome on the issue's scale (numeric), with how it was computed."""

    question: str  # the ledger key: "<scenario id>:<question id>"
    kind: str
    model: str
    as_of: str  # the date of the state forecast (YYYY-MM-DD)
    events: tuple[str, ...]  # the events applied on that date (empty for the baseline)
    draws: int
    seed: int
    probability: float | None = None
    quantiles: dict[str, float] = field(default_factory=dict)  # level -> value

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "kind": self.kind,
            "model": self.model,
            "as_of": self.as_of,
            "events": list(self.events),
            "draws": self.draws,
            "seed": self.seed,
        }
        if self.kind == "binary":
            out["probability"] = self.probability
        else:
            out["quantiles"] = dict(self.quantiles)
        return out


def question_key(scn: Scenario, q: Question) -> str:
    """The ledger's key of a question: the scenario's id (or its title) and the question id."""
    return f"{scn.id or scn.title}:{q.id}"


def _level(q: float) -> str:
    return f"{q:g}"


class State:
    """One revision point's scenario state with its Monte Carlo results computed once and shared
    by every question that needs them. ``verdict`` (P(zone), P(accept) of the leximin package)
    and ``sims`` (model -> Simulation) may be given when already computed with the same draws
    and seed, as the report does."""

    def __init__(
        self,
        scn: Scenario,
        draws: int,
        seed: int,
        *,
        verdict: Any = None,
        sims: dict[str, Any] | None = None,
    ) -> None:
        self.scn, self.draws, self.seed = scn, draws, seed
        self._deal: dict[str, float] = {}
        if verdict is not None and verdict.p_zone is not None and verdict.p_accept is not None:
            self._deal = {"zone": verdict.p_zone.value, "leximin": verdict.p_accept.value}
        self._sims: dict[str, Any] = dict(sims or {})

    def deal(self, key: str) -> float:
        """P(zone) (``zone``) or P(accept) of a named package (``leximin``, ``nash``, ``ks``)
        over the draws, as the verdict reports them."""
        if key not in self._deal:
            from multipolar.deals.analysis import _draws, acceptance, verdict_of
            from multipolar.deals.solutions import solve
            from multipolar.deals.solve import Point
            from multipolar.deals.space import build_space

            space = build_space(self.scn)
            sol = solve(space)
            if "zone" not in self._deal:
                verdict = verdict_of(
                    self.scn, space, sol.egalitarian.z, draws=self.draws, seed=self.seed
                )
                assert verdict.p_zone is not None
                assert verdict.p_accept is not None
                self._deal.update(zone=verdict.p_zone.value, leximin=verdict.p_accept.value)
            if key in ("nash", "ks"):
                mc = _draws(self.scn, self.draws, self.seed)
                for name, point in (("nash", sol.nash), ("ks", sol.kalai_smorodinsky)):
                    # a solution that does not exist (no zone) is a package nobody is offered
                    self._deal[name] = acceptance(mc, point.z) if isinstance(point, Point) else 0.0
        return self._deal[key]

    def forecasts(self, model: str, issue: str) -> np.ndarray:
        """The model's forecast of ``issue`` in every draw."""
        if model not in self._sims:
            from multipolar.uncertainty.montecarlo import simulate

            self._sims[model] = simulate(self.scn, model, draws=self.draws, seed=self.seed)
        sim = self._sims[model]
        return np.asarray(sim.values[:, sim.issues.index(issue)], dtype=float)


def answer(
    state: State,
    key: str,
    q: Question,
    *,
    as_of: str,
    events: tuple[str, ...],
    model: str | None = None,
) -> Answer:
    """The forecast of question ``q`` at ``state``; ``model`` overrides the question's model
    for questions a forecasting model answers (thresholds and numeric questions)."""
    common: dict[str, Any] = {
        "question": key,
        "kind": q.kind,
        "as_of": as_of,
        "events": events,
        "draws": state.draws,
        "seed": state.seed,
    }
    if q.kind == "binary":
        assert q.answer is not None
        a = q.answer
        if a.by == "zone":
            return Answer(model=DEALS, probability=state.deal("zone"), **common)
        if a.by == "accept":
            assert a.package is not None
            return Answer(model=DEALS, probability=state.deal(a.package), **common)
        assert a.model is not None
        assert a.issue is not None
        used = model or a.model
        values = state.forecasts(used, a.issue)
        hit = values > a.above if a.above is not None else values < float(a.below or 0.0)
        return Answer(model=used, probability=float(np.mean(hit)), **common)
    assert q.issue is not None
    assert q.model is not None
    used = model or q.model
    values = state.forecasts(used, q.issue)
    levels = np.quantile(values, q.quantiles)
    quantiles = {_level(lv): float(v) for lv, v in zip(q.quantiles, levels, strict=True)}
    return Answer(model=used, quantiles=quantiles, **common)


def revision_points(scn: Scenario) -> list[tuple[str, tuple[str, ...], dt.date | None]]:
    """The timeline's revision points: the baseline (dated the day before the first event),
    then every event date with the events applied on it; ``until`` for ``resolve``."""
    from multipolar.dynamics.apply import ordered
    from multipolar.dynamics.timeline import baseline_date

    if not scn.events:
        return [(scn.date.isoformat() if scn.date else "", (), None)]
    points: list[tuple[str, tuple[str, ...], dt.date | None]] = [
        (baseline_date(scn), (), dt.date.min)
    ]
    for event in ordered(scn.events):
        if points[-1][2] == event.date:
            date, names, until = points[-1]
            points[-1] = (date, (*names, event.id), until)
        else:
            points.append((event.date.isoformat(), (event.id,), event.date))
    return points


def answer_all(
    scn: Scenario,
    *,
    model: str | None = None,
    draws: int = DRAWS,
    seed: int = SEED,
    timeline: bool = False,
) -> list[Answer]:
    """Every question's forecast after the scenario's events (or, with ``timeline``, at every
    revision point: the baseline and each event date)."""
    from multipolar.dynamics.apply import resolve

    if not scn.questions:
        return []
    points = revision_points(scn)
    if not timeline:
        last = points[-1]
        date = scn.date.isoformat() if scn.date else last[0]
        points = [(date, last[1], None)]
    out: list[Answer] = []
    for as_of, events, until in points:
        state = State(resolve(scn, until), draws, seed)
        for q in scn.questions:
            key = question_key(scn, q)
            out.append(answer(state, key, q, as_of=as_of, events=events, model=model))
    return out


__all__ = ["DEALS", "PACKAGES", "Answer", "State", "answer_all", "question_key", "revision_points"]
