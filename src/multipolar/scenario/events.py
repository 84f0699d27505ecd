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


class OwnerChange(_Strict):
    issue: Id
    add: list[Id] = Field(default_factory=list)
    remove: list[Id] = Field(default_factory=list)


class Effect(_Strict):
    """One change an event makes."""

    path: str | None = Field(None, description="Dotted path of a number, e.g. conflict.p.")
    set: FiniteFloat | None = None
    shift: FiniteFloat | None = None
    scale: FiniteFloat | None = None
    owner: OwnerChange | None = None
    join: Id | None = None
    leave: Id | None = None
    source: Id | None = None
    quote: str | None = None
    note: str | None = None

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

    id: Id
    date: dt.date
    title: str
    description: str = ""
    sources: list[Id] = Field(default_factory=list)
    effects: list[Effect] = Field(min_length=1)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
