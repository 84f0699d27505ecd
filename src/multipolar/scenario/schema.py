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
from multipolar.scenario.events import Event

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

    id: Id
    title: str
    author: str | None = None
    publisher: str | None = None
    date: dt.date | None = None
    url: str | None = None
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value


class Actor(_Strict):
    """A party to the negotiation, a mediator, an outside power or a domestic player."""

    id: Id
    name: str
    kind: ActorKind = "party"
    capability: Estimate = Field(description="Relative capability/influence, >= 0.")
    notes: str = ""
    active: bool = Field(True, description="False: enters later, through an event's join.")


class Anchor(_Strict):
    """A named point on an issue's scale."""

    value: FiniteFloat
    label: str


class Issue(_Strict):
    """One dimension of the negotiation: a continuum between two labelled ends."""

    id: Id
    name: str
    scale: tuple[FiniteFloat, FiniteFloat] = Field(
        description="[low, high] ends of the scale (required: positions, the status quo and "
        "utilities are read on it, so it has no default)."
    )
    low_label: str = ""
    high_label: str = ""
    anchors: list[Anchor] = Field(default_factory=list)
    status_quo: Estimate | None = Field(None, description="Reference point / status quo.")
    description: str = ""

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
        return value

    @property
    def low(self) -> float:
        return self.scale[0]

    @property
    def high(self) -> float:
        return self.scale[1]


class IdealAdjustment(_Strict):
    """KTAB's ideal-adjustment (affinity) pair: how far ``actor``'s ideal follows ``reference``."""

    actor: Id
    reference: Id
    weight: FiniteFloat = Field(ge=0.0, le=1.0)


class Correlation(_Strict):
    """Rank correlation of two ranged estimates in Monte Carlo draws (a Gaussian copula)."""

    between: list[str] = Field(
        min_length=2, max_length=2, description="Two dotted paths, e.g. conflict.p."
    )
    rho: FiniteFloat = Field(ge=-0.99, le=0.99, description="Correlation of the normal scores.")
    source: Id | None = None
    note: str = ""


Table = dict[Id, dict[Id, Estimate]]


class Scenario(_Strict):
    """A multi-party negotiation: actors, issues, positions, salience, sources."""

    schema_version: Literal[1] = 1
    id: Id | None = None
    title: str
    description: str = ""
    date: dt.date | None = None
    sources: list[Source] = Field(default_factory=list)
    actors: list[Actor] = Field(min_length=1)
    issues: list[Issue] = Field(min_length=1)
    positions: Table = Field(description="positions[actor][issue]: a point on the issue scale.")
    salience: Table = Field(description="salience[actor][issue]: share of attention in [0, 1].")
    outcomes: dict[Id, FiniteFloat] = Field(
        default_factory=dict, description="Observed outcomes per issue (for backtests)."
    )
    ideal_adjustment: list[IdealAdjustment] = Field(default_factory=list)
    conflict: Conflict | None = Field(None, description="The war a deal must beat.")
    deal: Deal = Field(default_factory=Deal, description="Deal-space settings.")
    events: list[Event] = Field(default_factory=list, description="Dated changes, in any order.")
    correlations: list[Correlation] = Field(
        default_factory=list, description="Correlated estimates in Monte Carlo draws."
    )
    models: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Model parameters by model name."
    )
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value

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
