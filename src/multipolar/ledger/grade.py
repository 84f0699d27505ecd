"""Grading the ledger: every resolved question's forecasts scored, per question and per model.

A question's *trajectory* under one model is its latest sealed forecast at each revision date
(``as_of``), in date order. Its final forecast is the last one; its time-averaged score weights
each revision's score by how long that forecast stood (to the next revision, the last to the
question's closing date), and the change in score from one revision to the next is attributed
to the events applied at the later revision.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.ledger import scores

if TYPE_CHECKING:  # the store (SQLAlchemy) loads only where entries are read or written
    from multipolar.store.ledger import Entry


@dataclass(frozen=True)
class Revision:
    as_of: str
    events: tuple[str, ...]
    score: float  # Brier (binary) or CRPS (numeric)
    forecast: float | dict[str, float]
    change: float | None  # score minus the previous revision's (None for the first)


@dataclass(frozen=True)
class Graded:
    """One resolved question under one model."""

    question: str
    model: str
    kind: str
    outcome: float
    closes: str
    revisions: tuple[Revision, ...]
    final: dict[str, float]  # brier, log (binary) or crps, in50, in90, pit (numeric)
    time_averaged: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "model": self.model,
            "kind": self.kind,
            "outcome": self.outcome,
            "closes": self.closes,
            "final": self.final,
            "time_averaged": self.time_averaged,
            "revisions": [
                {
                    "as_of": r.as_of,
                    "events": list(r.events),
                    "forecast": r.forecast,
                    "score": r.score,
                    "change": r.change,
                }
                for r in self.revisions
            ],
        }


@dataclass(frozen=True)
class ModelGrade:
    """Scores of one model over every resolved question it forecast."""

    model: str
    binary: int
    numeric: int
    brier: float | None = None
    log: float | None = None
    murphy: scores.Murphy | None = None
    reliability: list[dict[str, float]] = field(default_factory=list)
    crps: float | None = None
    coverage50: float | None = None
    coverage90: float | None = None
    pit_histogram: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "binary": self.binary,
            "numeric": self.numeric,
            "brier": self.brier,
            "log": self.log,
            "murphy": self.murphy.to_dict() if self.murphy else None,
            "reliability": self.reliability,
            "crps": self.crps,
            "coverage50": self.coverage50,
            "coverage90": self.coverage90,
            "pit_histogram": self.pit_histogram,
        }


@dataclass(frozen=True)
class Grades:
    questions: tuple[Graded, ...]
    models: tuple[ModelGrade, ...]
    unresolved: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "models": [m.to_dict() for m in self.models],
            "questions": [q.to_dict() for q in self.questions],
            "unresolved": list(self.unresolved),
        }


def _outcome(data: dict[str, Any]) -> float:
    value = data["outcome"]
    return (
        float({"yes": 1.0, "no": 0.0}.get(value, value)) if isinstance(value, str) else float(value)
    )


def _score(kind: str, data: dict[str, Any], y: float) -> tuple[float, float | dict[str, float]]:
    if kind == "binary":
        p = float(data["probability"])
        return float(scores.brier([p], [y])[0]), p
    q = {k: float(v) for k, v in data["quantiles"].items()}
    levels = [float(k) for k in q]
    return float(scores.crps_quantiles(np.array(list(q.values())), levels, y)), q


def _final(kind: str, data: dict[str, Any], y: float) -> dict[str, float]:
    if kind == "binary":
        p = float(data["probability"])
        return {
            "brier": float(scores.brier([p], [y])[0]),
            "log": float(scores.log_score([p], [y])[0]),
        }
    q = np.array([float(v) for v in data["quantiles"].values()])
    levels = [float(k) for k in data["quantiles"]]
    out = {
        "crps": float(scores.crps_quantiles(q, levels, y)),
        "pit": float(scores.pit_quantiles(q, levels, np.array(y))),
    }
    for cover, key in ((0.5, "in50"), (0.9, "in90")):
        with contextlib.suppress(ValueError):  # the sealed levels do not span this interval
            out[key] = float(scores.covered(q, levels, np.array(y), cover))
    return out


def grade(entries: list[Entry]) -> Grades:
    """Score every resolved question in ``entries`` (a ledger read in order)."""
    resolutions = {e.question: e.data for e in entries if e.kind == "resolution"}
    latest: dict[tuple[str, str], dict[str, Entry]] = defaultdict(dict)
    for e in entries:
        if e.kind == "forecast":
            latest[(e.question, e.data["model"])][e.data["as_of"]] = e  # later seals win
    graded: list[Graded] = []
    for (question, model), by_date in sorted(latest.items()):
        if question not in resolutions:
            continue
        y = _outcome(resolutions[question])
        revs: list[Revision] = []
        for as_of in sorted(by_date):
            data = by_date[as_of].data
            score, shown = _score(data["kind"], data, y)
            change = None if not revs else score - revs[-1].score
            revs.append(Revision(as_of, tuple(data.get("events", ())), score, shown, change))
        last = by_date[max(by_date)].data
        closes = str(last["closes"])
        graded.append(
            Graded(
                question,
                model,
                last["kind"],
                y,
                closes,
                tuple(revs),
                _final(last["kind"], last, y),
                scores.time_averaged([r.score for r in revs], [r.as_of for r in revs], closes),
            )
        )
    unresolved = sorted({q for q, _m in latest} - set(resolutions))
    return Grades(tuple(graded), tuple(_by_model(graded)), tuple(unresolved))


def _by_model(graded: list[Graded]) -> list[ModelGrade]:
    out = []
    for model in sorted({g.model for g in graded}):
        mine = [g for g in graded if g.model == model]
        binary = [g for g in mine if g.kind == "binary"]
        numeric = [g for g in mine if g.kind == "numeric"]
        kw: dict[str, Any] = {}
        if binary:
            p = np.array([float(g.revisions[-1].forecast) for g in binary])  # type: ignore[arg-type]
            y = np.array([g.outcome for g in binary])
            kw.update(
                brier=float(scores.brier(p, y).mean()),
                log=float(scores.log_score(p, y).mean()),
                murphy=scores.murphy(p, y),
                reliability=scores.reliability_table(p, y),
            )
        if numeric:
            kw["crps"] = float(np.mean([g.final["crps"] for g in numeric]))
            for key, name in (("in50", "coverage50"), ("in90", "coverage90")):
                hits = [g.final[key] for g in numeric if key in g.final]
                kw[name] = float(np.mean(hits)) if hits else None
            kw["pit_histogram"] = scores.pit_histogram(np.array([g.final["pit"] for g in numeric]))
        out.append(ModelGrade(model, len(binary), len(numeric), **kw))
    return out
