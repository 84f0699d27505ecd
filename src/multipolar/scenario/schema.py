"""The scenario schema: one pydantic v2 model for YAML and JSON files.

Field-level rules (types, finiteness, ranges of a single value) live here; rules that relate
fields to each other (unknown ids, positions outside an issue's scale) live in ``checks.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    GetJsonSchemaHandler,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

SCHEMA_VERSION = 1

Id = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="Identifier: letters, digits, '_', '.', '-'; starts with a letter or digit.",
    ),
]
ActorKind = Literal["party", "mediator", "outside_power", "domestic"]
Distribution = Literal["triangular", "uniform", "pert", "normal"]


def bad(what: str, fix: str) -> PydanticCustomError:
    """A validation error that carries its fix to the one-line error report."""
    return PydanticCustomError("multipolar", "{what}", {"what": what, "fix": fix})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Estimate(_Strict):
    """A number an analyst estimated: a point, or a range ``{low, best, high}``.

    In a file a plain number ``0.7`` means ``{best: 0.7}``. Forecasts use ``best``; Monte Carlo
    draws from ``dist`` over ``[low, high]``.
    """

    best: FiniteFloat = Field(description="Best estimate; what point forecasts use.")
    low: FiniteFloat | None = Field(None, description="Lowest plausible value (default: best).")
    high: FiniteFloat | None = Field(None, description="Highest plausible value (default: best).")
    dist: Distribution = Field("triangular", description="Distribution over [low, high].")
    source: Id | None = Field(None, description="Id of the source this estimate rests on.")
    quote: str | None = Field(None, description="The sentence of the source it rests on.")
    note: str | None = Field(None, description="Analyst's reasoning.")

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, data: Any) -> Any:
        if isinstance(data, int | float) and not isinstance(data, bool):
            return {"best": float(data)}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Estimate:
        if (self.low is None) != (self.high is None):
            raise bad("a range needs both low and high", "give both, or neither for a point")
        if self.low is not None and self.high is not None:
            if self.low > self.high:
                raise bad(f"range has low {self.low:g} > high {self.high:g}", "swap low and high")
            if not self.low <= self.best <= self.high:
                raise bad(
                    f"best {self.best:g} is outside [low {self.low:g}, high {self.high:g}]",
                    "make low <= best <= high",
                )
        return self

    @property
    def lo(self) -> float:
        return self.best if self.low is None else self.low

    @property
    def hi(self) -> float:
        return self.best if self.high is None else self.high

    @property
    def is_point(self) -> bool:
        return self.low is None or self.low == self.high == self.best

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        obj = handler(core_schema)
        return {"anyOf": [{"type": "number"}, obj]}


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


class Anchor(_Strict):
    """A named point on an issue's scale."""

    value: FiniteFloat
    label: str


class Issue(_Strict):
    """One dimension of the negotiation: a continuum between two labelled ends."""

    id: Id
    name: str
    scale: tuple[FiniteFloat, FiniteFloat] = Field(
        (0.0, 100.0), description="[low, high] ends of the scale."
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
