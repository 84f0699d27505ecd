"""The scenario schema: one pydantic v2 model for YAML and JSON files.

Field-level rules (types, finiteness, ranges of a single value) live here and in ``base.py`` and
``conflict.py``; rules that relate fields to each other (unknown ids, positions outside an
issue's scale) live in ``checks.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, FiniteFloat, field_validator

from multipolar.scenario.base import SCHEMA_VERSION, Estimate, Id, _Strict, bad
from multipolar.scenario.conflict import Conflict, Deal
from multipolar.scenario.constituencies import Ratification
from multipolar.scenario.events import Event, few_events, in_range
from multipolar.scenario.limits import scale_problem
from multipolar.scenario.questions import Question

__all__ = [
    "SCHEMA_VERSION",
    "Actor",
    "Anchor",
    "Estimate",
    "IdealAdjustment",
    "Issue",
    "Scenario",
    "Source",
    "bad",
]

ActorKind = Literal["party", "mediator", "outside_power", "domestic"]


class Source(_Strict):
    """A citation that estimates can point to by id."""

    id: Id = Field(description="Id that estimates' and events' `source` fields refer to.")
    title: str = Field(description="Title of the document.")
    author: str | None = Field(None, description="Author(s).")
    publisher: str | None = Field(None, description="Publisher or outlet.")
    date: dt.date | None = Field(None, description="Publication date (YYYY-MM-DD).")
    url: str | None = Field(None, description="Where to find it.")
    note: str | None = Field(None, description="What the source is, how it was used.")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value


class Actor(_Strict):
    """A party to the negotiation, a mediator, an outside power or a domestic player."""

    id: Id = Field(description="Id used in positions, salience, conflict, deal and events.")
    name: str = Field(description="Display name.")
    kind: ActorKind = Field(
        "party",
        description="Role (descriptive: who must accept a deal is set by `conflict:` and `deal:`).",
    )
    capability: Estimate = Field(description="Relative capability/influence, >= 0.")
    notes: str = Field("", description="Free text.")
    active: bool = Field(True, description="False: enters later, through an event's join.")


class Anchor(_Strict):
    """A named point on an issue's scale."""

    value: FiniteFloat = Field(description="A point inside the issue's scale.")
    label: str = Field(description="What that point means.")


class Issue(_Strict):
    """One dimension of the negotiation: a continuum between two labelled ends."""

    id: Id = Field(description="Id used in positions, salience, conflict, deal and events.")
    name: str = Field(description="Display name.")
    scale: tuple[FiniteFloat, FiniteFloat] = Field(
        description="[low, high] ends of the scale (required: positions, the status quo and "
        "utilities are read on it, so it has no default)."
    )
    low_label: str = Field("", description="What the low end of the scale means.")
    high_label: str = Field("", description="What the high end of the scale means.")
    anchors: list[Anchor] = Field(
        default_factory=list, description="Named points inside the scale."
    )
    status_quo: Estimate | None = Field(None, description="Reference point / status quo.")
    description: str = Field("", description="Free text.")

    @field_validator("scale", mode="before")
    @classmethod
    def _scale_list(cls, value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    @field_validator("scale")
    @classmethod
    def _scale(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not value[0] < value[1]:
            raise bad(
                f"scale [{value[0]:g}, {value[1]:g}] is empty or reversed",
                "give [low, high] with low < high",
            )
        wrong = scale_problem(*value)
        if wrong is not None:
            raise bad(*wrong)
        return value

    @property
    def low(self) -> float:
        return self.scale[0]

    @property
    def high(self) -> float:
        return self.scale[1]


class IdealAdjustment(_Strict):
    """KTAB's ideal-adjustment (affinity) pair: how far ``actor``'s ideal follows ``reference``."""

    actor: Id = Field(description="Actor whose ideal moves.")
    reference: Id = Field(description="Actor whose position it follows.")
    weight: FiniteFloat = Field(
        ge=0.0, le=1.0, description="How far it follows: 0 not at all, 1 entirely."
    )


class Correlation(_Strict):
    """Rank correlation of two ranged estimates in Monte Carlo draws (a Gaussian copula)."""

    between: list[str] = Field(
        min_length=2, max_length=2, description="Two dotted paths, e.g. conflict.p."
    )
    rho: FiniteFloat = Field(ge=-0.99, le=0.99, description="Correlation of the normal scores.")
    source: Id | None = Field(None, description="Id of the source this correlation rests on.")
    note: str = Field("", description="Analyst's reasoning.")


Table = dict[Id, dict[Id, Estimate]]


class Scenario(_Strict):
    """A multi-party negotiation: actors, issues, positions, salience, sources."""

    schema_version: Literal[1] = Field(1, description="Format version, for future migrations.")
    id: Id | None = Field(None, description="Short identifier of the scenario.")
    title: str = Field(description="Title shown in every output.")
    description: str = Field("", description="Free text: what the scenario describes.")
    date: dt.date | None = Field(None, description="The date the scenario describes (YYYY-MM-DD).")
    sources: list[Source] = Field(
        default_factory=list, description="Citations that estimates and events point to by id."
    )
    actors: list[Actor] = Field(min_length=1, description="Who takes part.")
    issues: list[Issue] = Field(min_length=1, description="What is negotiated.")
    positions: Table = Field(description="positions[actor][issue]: a point on the issue scale.")
    salience: Table = Field(description="salience[actor][issue]: share of attention in [0, 1].")
    outcomes: dict[Id, FiniteFloat] = Field(
        default_factory=dict, description="Observed outcomes per issue (for backtests)."
    )
    ideal_adjustment: list[IdealAdjustment] = Field(
        default_factory=list, description="KTAB SMP's ideal-adjustment (affinity) pairs."
    )
    conflict: Conflict | None = Field(None, description="The war a deal must beat.")
    deal: Deal = Field(default_factory=Deal, description="Deal-space settings.")
    constituencies: dict[Id, Ratification] = Field(
        default_factory=dict,
        description="Actor -> its domestic ratification: rule and constituencies (Putnam).",
    )
    events: list[Event] = Field(default_factory=list, description="Dated changes, in any order.")
    correlations: list[Correlation] = Field(
        default_factory=list, description="Correlated estimates in Monte Carlo draws."
    )
    questions: list[Question] = Field(
        default_factory=list, description="Forecast questions the ledger seals and grades."
    )
    models: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Model parameters by model name."
    )
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="Anything else: kept, not interpreted."
    )

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value

    @field_validator("date")
    @classmethod
    def _date_range(cls, value: dt.date | None) -> dt.date | None:
        return in_range(value)

    @field_validator("events", mode="before")
    @classmethod
    def _few_events(cls, value: Any) -> Any:
        return few_events(value)

    @property
    def actor_ids(self) -> list[str]:
        return [a.id for a in self.actors]

    @property
    def issue_ids(self) -> list[str]:
        return [i.id for i in self.issues]

    def actor(self, actor_id: str) -> Actor:
        return next(a for a in self.actors if a.id == actor_id)

    def issue(self, issue_id: str) -> Issue:
        return next(i for i in self.issues if i.id == issue_id)
