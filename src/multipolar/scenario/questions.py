"""Questions: what a scenario's forecasts will be held to (``questions:``).

A question is answered by the engine from the Monte Carlo draws of the scenario's ranges, with
the documented mapping below and no hidden constant:

- ``binary`` questions give a probability.

  - ``answer: {by: zone}``: the share of draws in which a zone of agreement exists (the deal
    re-solved in each draw; the verdict's ``p_zone``).
  - ``answer: {by: accept, package: leximin}``: the share of draws in which every party accepts
    the named package, fixed at its value under the best estimates (``p_accept``). Packages:
    ``leximin`` (egalitarian), ``nash``, ``ks`` (Kalai-Smorodinsky).
  - ``answer: {by: threshold, model: compromise, issue: donbas, above: 50}``: the share of draws
    in which that model's forecast of that issue is above (or, with ``below``, below) the value.

- ``numeric`` questions give quantiles of one model's forecast of one issue over the draws
  (``issue``, ``model``, ``quantiles``).

Outcomes are not part of a scenario: they are recorded in the ledger when a question resolves
(``multipolar ledger resolve``), so that a case written "as of" a date holds nothing later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field, FiniteFloat, field_validator, model_validator

from multipolar.errors import Path, Problem, did_you_mean
from multipolar.scenario.base import Id, _Strict, bad
from multipolar.scenario.events import in_range

PACKAGES = {
    "leximin": "egalitarian (leximin)",
    "nash": "Nash",
    "ks": "Kalai-Smorodinsky",
}
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


class Answer(_Strict):
    """How the engine answers a binary question."""

    by: Literal["zone", "accept", "threshold"] = Field(
        description="zone: P(a zone of agreement exists); accept: P(every party accepts "
        "`package`); threshold: P(`model`'s forecast of `issue` is above/below a value)."
    )
    package: Literal["leximin", "nash", "ks"] | None = Field(
        None, description="With by: accept: leximin (egalitarian), nash or ks (Kalai-Smorodinsky)."
    )
    model: str | None = Field(None, description="With by: threshold: a registered model.")
    issue: Id | None = Field(None, description="With by: threshold: the issue forecast.")
    above: FiniteFloat | None = Field(None, description="With by: threshold: yes if > this.")
    below: FiniteFloat | None = Field(None, description="With by: threshold: yes if < this.")

    @model_validator(mode="after")
    def _fields(self) -> Answer:
        if self.by == "accept" and self.package is None:
            raise bad("by: accept needs a package", "add package: leximin, nash or ks")
        if self.by == "threshold":
            if self.model is None or self.issue is None:
                raise bad("by: threshold needs a model and an issue", "add model: and issue:")
            if (self.above is None) == (self.below is None):
                raise bad("by: threshold needs one of above or below", "give exactly one")
        extra = {
            "zone": ("package", "model", "issue", "above", "below"),
            "accept": ("model", "issue", "above", "below"),
            "threshold": ("package",),
        }[self.by]
        given = [k for k in extra if getattr(self, k) is not None]
        if given:
            raise bad(f"by: {self.by} takes no {given[0]}", f"remove {given[0]}")
        return self


class Question(_Strict):
    """A forecast question with a resolution rule and a closing date."""

    id: Id = Field(description="Question id, unique among questions; the ledger's key.")
    kind: Literal["binary", "numeric"] = Field(
        description="binary: a probability; numeric: quantiles of an issue's outcome."
    )
    text: str = Field(min_length=1, description="The question, e.g. 'Do they sign a ceasefire?'.")
    resolution: str = Field(
        min_length=1,
        description="Resolution criteria: what counts as yes (binary) or how the value is read.",
    )
    closes: dt.date = Field(description="When the question resolves (YYYY-MM-DD).")
    answer: Answer | None = Field(None, description="Binary questions: how the engine answers.")
    issue: Id | None = Field(None, description="Numeric questions: the issue forecast.")
    model: str | None = Field(None, description="Numeric questions: the model whose forecast.")
    quantiles: list[FiniteFloat] = Field(
        default_factory=lambda: list(QUANTILES),
        description="Numeric questions: quantile levels stored in the ledger, in (0, 1).",
    )

    @field_validator("closes", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value

    @field_validator("closes")
    @classmethod
    def _date_range(cls, value: dt.date) -> dt.date:
        return in_range(value) or value

    @model_validator(mode="after")
    def _kind(self) -> Question:
        if self.kind == "binary":
            if self.answer is None:
                raise bad("a binary question needs an answer", "add answer: {by: zone}")
            for key in ("issue", "model"):
                if getattr(self, key) is not None:
                    raise bad(f"a binary question takes no {key}", f"move {key} into answer:")
        else:
            if self.answer is not None:
                raise bad("a numeric question takes no answer", "give issue: and model:")
            if self.issue is None or self.model is None:
                raise bad("a numeric question needs an issue and a model", "add issue: and model:")
        levels = self.quantiles
        if not levels or any(not 0.0 < q < 1.0 for q in levels) or levels != sorted(set(levels)):
            raise bad(
                "quantiles must be distinct, increasing and inside (0, 1)",
                "e.g. quantiles: [0.05, 0.25, 0.5, 0.75, 0.95]",
            )
        return self


def check_questions(scn: Any) -> Iterator[Problem]:
    """Cross-field rules for ``questions:``: unique ids, known issues and models, a conflict for
    deal questions, thresholds on the issue's scale, closing dates after the scenario's date."""
    if not scn.questions:
        return
    from multipolar.models.registry import names

    models = set(names())
    issues = {i.id: i for i in scn.issues}
    seen: set[str] = set()
    for i, q in enumerate(scn.questions):
        where: Path = ("questions", i)
        if q.id in seen:
            yield Problem(
                (*where, "id"), f"duplicate question id '{q.id}'", "give every one its own id"
            )
        seen.add(q.id)
        if scn.date is not None and q.closes < scn.date:
            yield Problem(
                (*where, "closes"),
                f"question '{q.id}' closes {q.closes} before the scenario's date {scn.date}",
                "give a closing date on or after the scenario's date",
            )
        answer = q.answer
        if answer is not None and answer.by in ("zone", "accept") and scn.conflict is None:
            yield Problem(
                (*where, "answer", "by"),
                f"by: {answer.by} needs a deal analysis, and the scenario has no conflict:",
                "add a conflict: block, or answer by: threshold",
            )
        model, issue = (answer.model, answer.issue) if answer is not None else (q.model, q.issue)
        base = (*where, "answer") if answer is not None else where
        if model is not None and model not in models:
            yield Problem((*base, "model"), f"unknown model '{model}'", did_you_mean(model, models))
        if issue is not None and issue not in issues:
            yield Problem((*base, "issue"), f"unknown issue '{issue}'", did_you_mean(issue, issues))
        elif issue is not None and answer is not None:
            low, high = issues[issue].scale
            for key in ("above", "below"):
                value = getattr(answer, key)
                if value is not None and not low <= value <= high:
                    yield Problem(
                        (*base, key),
                        f"{key} {value:g} is outside the scale [{low:g}, {high:g}] of '{issue}'",
                        "give a value on the issue's scale",
                    )
