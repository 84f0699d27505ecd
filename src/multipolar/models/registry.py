"""One registry and one contract for every forecasting model.

The contract: a model is a pure function ``fn(inputs: Inputs, **params) -> ModelOutput``.
``inputs`` arrays are ``(..., k, n)`` (issues × actors, with optional leading batch axes) and the
forecast is ``(..., k)``. Stochastic models also receive ``seed: int``. Models never touch global
random state and never return NaN for valid input.

Dynamic models also return a trajectory (``ModelOutput.trajectory``), by convention:
``positions`` ``(..., T+1, k, n)`` (round 0 = the input), and optionally per-round ``median``
and ``mean`` ``(..., T+1, k)`` and ``risk`` ``(..., T+1, k, n)`` (NaN where a round has none).
A model that needs scenario data beyond the arrays (e.g. KTAB's affinity matrix) declares
``prepare(scenario) -> params``; ``multipolar.forecast`` calls it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from multipolar.errors import UsageError, did_you_mean
from multipolar.scenario.arrays import FloatArray, Inputs
from multipolar.scenario.schema import Scenario

#: Properties a model may declare; the shared contract tests check every declared one.
PROPERTIES = frozenset(
    {
        "unanimity",  # all positioned actors agree -> that position
        "permutation",  # relabelling actors changes nothing
        "translation",  # shifting positions and scale shifts the forecast
        "scale",  # stretching positions and scale stretches the forecast
        "hull",  # forecast within [min, max] of the positions
        "monotone",  # forecast weakly increases with any actor's position
        "deterministic",  # same input (and seed) -> same output
    }
)


@dataclass(frozen=True)
class ModelOutput:
    """A model's answer: the forecast per issue, and optional per-round trajectory arrays."""

    forecast: FloatArray
    trajectory: Mapping[str, FloatArray] = field(default_factory=dict)


#: ``fn(inputs, **params) -> ModelOutput``; parameters are keyword-only with defaults.
ModelFn = Callable[..., ModelOutput]


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: its function, what it is, where it comes from, what it guarantees."""

    name: str
    fn: ModelFn
    title: str
    source: str
    summary: str
    defaults: Mapping[str, Any] = field(default_factory=dict)
    properties: frozenset[str] = frozenset()
    stochastic: bool = False
    joint: bool = False  # issues modelled jointly rather than one at a time
    prepare: Callable[[Scenario], dict[str, Any]] | None = None

    def run(self, inputs: Inputs, *, seed: int = 0, **params: Any) -> ModelOutput:
        unknown = set(params) - set(self.defaults)
        if unknown:
            name = sorted(unknown)[0]
            raise UsageError(
                f"model '{self.name}' has no parameter '{name}': "
                + did_you_mean(name, self.defaults)
            )
        merged = {**self.defaults, **params}
        if self.stochastic:
            merged["seed"] = seed
        out = self.fn(inputs, **merged)
        if not np.all(np.isfinite(out.forecast)):
            raise FloatingPointError(f"model '{self.name}' produced a non-finite forecast")
        return out


_REGISTRY: dict[str, ModelSpec] = {}


def register(
    name: str,
    *,
    title: str,
    source: str,
    defaults: Mapping[str, Any] | None = None,
    properties: frozenset[str] = frozenset(),
    stochastic: bool = False,
    joint: bool = False,
    prepare: Callable[[Scenario], dict[str, Any]] | None = None,
) -> Callable[[ModelFn], ModelFn]:
    """Decorator: register ``fn`` under ``name``; its docstring's first line is the summary."""
    bad = properties - PROPERTIES
    if bad:
        raise ValueError(f"unknown model properties {sorted(bad)}")

    def wrap(fn: ModelFn) -> ModelFn:
        if name in _REGISTRY:
            raise ValueError(f"model '{name}' is registered twice")
        doc = (fn.__doc__ or "").strip().splitlines()
        _REGISTRY[name] = ModelSpec(
            name=name,
            fn=fn,
            title=title,
            source=source,
            summary=doc[0] if doc else title,
            defaults=dict(defaults or {}),
            properties=properties,
            stochastic=stochastic,
            joint=joint,
            prepare=prepare,
        )
        return fn

    return wrap


def names() -> list[str]:
    """Registered model names, in registration order."""
    return list(_REGISTRY)


def get(name: str) -> ModelSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UsageError(f"unknown model '{name}': {did_you_mean(name, _REGISTRY)}") from None


def specs() -> list[ModelSpec]:
    return list(_REGISTRY.values())
