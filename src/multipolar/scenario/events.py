"""Events: dated changes to a scenario's parameters (``events:``).

An effect either changes one number — ``{path: positions.USA.agreement, set: 80}``,
``{path: conflict.p, shift: 0.05}``, ``{path: actors.RUS.capability, scale: 1.1}`` — or changes
who takes part: ``{owner: {issue: sanctions, add: [TUR]}}`` (or ``remove``), ``{join: TUR}``
(an actor declared with ``active: false`` enters), ``{leave: USA}``. Every effect may cite a
source and quote the sentence it rests on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field, FiniteFloat, field_validator, model_validator

from multipolar.scenario.base import Id, _Strict, bad
from multipolar.scenario.limits import (
    MAX_EFFECTS,
    MAX_EFFECTS_PER_EVENT,
    MAX_EVENTS,
    date_problem,
)


class OwnerChange(_Strict):
    """A change of who controls an issue (its owners in ``deal.owners``)."""

    issue: Id = Field(description="The issue whose owners change.")
    add: list[Id] = Field(default_factory=list, description="Actors who become owners.")
    remove: list[Id] = Field(default_factory=list, description="Actors who stop being owners.")


class Effect(_Strict):
    """One change an event makes."""

    path: str | None = Field(None, description="Dotted path of a number, e.g. conflict.p.")
    set: FiniteFloat | None = Field(
        None, description="New best value of `path` (a range not containing it shifts along)."
    )
    shift: FiniteFloat | None = Field(
        None, description="Added to `path` (a range moves with its best value)."
    )
    scale: FiniteFloat | None = Field(
        None, description="Factor `path` is multiplied by (a range too)."
    )
    owner: OwnerChange | None = Field(None, description="Owners of an issue added or removed.")
    join: Id | None = Field(None, description="An actor declared `active: false` enters.")
    leave: Id | None = Field(None, description="An actor leaves.")
    source: Id | None = Field(None, description="Id of the source this effect rests on.")
    quote: str | None = Field(None, description="The sentence of the source it rests on.")
    note: str | None = Field(None, description="Analyst's reasoning.")

    @model_validator(mode="after")
    def _one_change(self) -> Effect:
        numeric = [k for k in ("set", "shift", "scale") if getattr(self, k) is not None]
        other = [k for k in ("owner", "join", "leave") if getattr(self, k) is not None]
        if len(numeric) + len(other) != 1:
            raise bad(
                "an effect needs exactly one change",
                "give one of: set, shift, scale (with path), owner, join, leave",
            )
        if numeric and not self.path:
            raise bad(f"'{numeric[0]}' needs a path", "add path: e.g. positions.RUS.donbas")
        if other and self.path:
            raise bad(f"'{other[0]}' takes no path", "remove path")
        return self

    @property
    def mode(self) -> str:
        for key in ("set", "shift", "scale", "owner", "join", "leave"):
            if getattr(self, key) is not None:
                return key
        raise AssertionError("validated effects have one change")

    @property
    def provenance(self) -> dict[str, str]:
        """The source, quote and note it gives (those set), as it writes them into the
        estimate it changes."""
        return {k: t for k in ("source", "quote", "note") if (t := getattr(self, k))}

    @property
    def value(self) -> float | None:
        return (
            self.set
            if self.set is not None
            else self.shift
            if self.shift is not None
            else self.scale
        )

    def label(self) -> str:
        if self.path is not None:
            return f"{self.path} {self.mode} {self.value:g}"
        if self.owner is not None:
            parts = [f"+{a}" for a in self.owner.add] + [f"-{a}" for a in self.owner.remove]
            return f"owners of {self.owner.issue} {' '.join(parts)}"
        return f"{self.mode} {self.join or self.leave}"


class Event(_Strict):
    """A dated event and what it changed."""

    id: Id = Field(description="Event id, unique among events.")
    date: dt.date = Field(
        description="When (YYYY-MM-DD); events apply in date order, file order within a day."
    )
    title: str = Field(description="Short title shown in the timeline.")
    description: str = Field("", description="Free text.")
    sources: list[Id] = Field(default_factory=list, description="Ids of sources on the event.")
    effects: list[Effect] = Field(min_length=1, description="What it changed: one or more effects.")

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value

    @field_validator("date")
    @classmethod
    def _date_range(cls, value: dt.date) -> dt.date:
        out = in_range(value)
        assert out is not None
        return out

    @field_validator("effects", mode="before")
    @classmethod
    def _few_effects(cls, value: Any) -> Any:
        if isinstance(value, list) and len(value) > MAX_EFFECTS_PER_EVENT:
            raise bad(
                f"{len(value)} effects in one event, above the limit of {MAX_EFFECTS_PER_EVENT}",
                "split the event into several on the same date",
            )
        return value


def in_range(value: dt.date | None) -> dt.date | None:
    """``value`` if it lies within the dates a scenario may use (``limits.DATE_MIN``..``MAX``)."""
    wrong = None if value is None else date_problem(value)
    if wrong is not None:
        raise bad(*wrong)
    return value


def few_events(value: Any) -> Any:
    """The raw ``events:`` list, refused before its items are read when it is over the caps."""
    if not isinstance(value, list):
        return value
    if len(value) > MAX_EVENTS:
        raise bad(
            f"{len(value):,} events, above the limit of {MAX_EVENTS:,}",
            "keep the events that move the analysis, or split the scenario by period",
        )
    effects = sum(
        len(e["effects"])
        for e in value
        if isinstance(e, dict) and isinstance(e.get("effects"), list)
    )
    if effects > MAX_EFFECTS:
        raise bad(
            f"{effects:,} effects over all events, above the limit of {MAX_EFFECTS:,}",
            "keep the effects that move the analysis, or split the scenario by period",
        )
    return value
