"""Building blocks of the scenario schema: ids, estimates and the strict base model."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    FiniteFloat,
    GetJsonSchemaHandler,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from multipolar.scenario.limits import MAX_FLOAT

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
Distribution = Literal["triangular", "uniform", "pert", "normal"]


def bad(what: str, fix: str) -> PydanticCustomError:
    """A validation error that carries its fix to the one-line error report."""
    return PydanticCustomError("multipolar", "{what}", {"what": what, "fix": fix})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _reorder(est: Estimate) -> str:
    """A fix that leaves a disordered range valid, computed from its three values."""
    assert est.low is not None
    assert est.high is not None
    if est.high <= est.best <= est.low:  # only low and high are the wrong way round
        return f"swap low and high: low {est.high:g}, best {est.best:g}, high {est.low:g}"
    lo, mid, hi = sorted((est.low, est.best, est.high))
    return (
        f"sort them: low {lo:g}, best {mid:g}, high {hi:g} "
        f"(or, to keep best {est.best:g}: low {lo:g}, high {hi:g})"
    )


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
            if isinstance(data, int) and abs(data) > MAX_FLOAT:  # float() cannot hold it
                raise bad("an integer beyond the float range", "give a number below 1e308")
            return {"best": float(data)}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Estimate:
        if (self.low is None) != (self.high is None):
            raise bad("a range needs both low and high", "give both, or neither for a point")
        if self.low is not None and self.high is not None:
            if self.low > self.high:
                raise bad(f"range has low {self.low:g} > high {self.high:g}", _reorder(self))
            if not self.low <= self.best <= self.high:
                raise bad(
                    f"best {self.best:g} is outside [low {self.low:g}, high {self.high:g}]",
                    _reorder(self),
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
