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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from multipolar.errors import Problem, UsageError, did_you_mean
from multipolar.params import Param, ParamError
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
    """A registered model: its function, what it is, where it comes from, what it guarantees,
    and its parameters, each declared with a type, bounds and a default (``params``)."""

    name: str
    fn: ModelFn
    title: str
    source: str
    summary: str
    params: tuple[Param, ...] = ()
    properties: frozenset[str] = frozenset()
    stochastic: bool = False
    joint: bool = False  # issues modelled jointly rather than one at a time
    prepare: Callable[[Scenario], dict[str, Any]] | None = None
    #: for a stochastic model, whether given parameters (defaults filled in) make a run draw
    #: random numbers; None: every run does
    draws_random: Callable[[Mapping[str, Any]], bool] | None = None

    @property
    def defaults(self) -> dict[str, Any]:
        """Each parameter's default, by name."""
        return {p.name: p.default for p in self.params}

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def problems(self, given: Mapping[str, Any], place: Sequence[str | int]) -> list[Problem]:
        """What is wrong with ``given`` parameter values (unknown names, wrong types, out of
        bounds), each a ``Problem`` at ``place + (name,)``, e.g. ``models.eum.rounds``."""
        out = []
        for name, value in given.items():
            where = (*place, name)
            try:
                self.param(name).coerce(value)
            except KeyError:
                known = [p.name for p in self.params]
                fix = did_you_mean(str(name), known) if known else "it takes no parameters"
                out.append(Problem(where, f"'{self.name}' has no parameter '{name}'", fix))
            except ParamError as exc:
                out.append(Problem(where, exc.what, exc.fix))
        return out

    def checked(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` normalised by their declarations, or the first problem as a one-line
        ``UsageError`` naming ``models.NAME.PARAM``."""
        problems = self.problems(params, ("models", self.name))
        if problems:
            raise UsageError(problems[0].format())
        return {name: self.param(name).coerce(value) for name, value in params.items()}

    def seeded(self, params: Mapping[str, Any]) -> bool:
        """Whether a run with ``params`` draws random numbers. Then batch member b draws from
        stream b of the seed, so a batch differs from separate runs; otherwise every member's
        answer is that of its own run, bit for bit (the contract tests check it)."""
        if not self.stochastic:
            return False
        if self.draws_random is None:
            return True
        return bool(self.draws_random({**self.defaults, **self.checked(params)}))

    def run(self, inputs: Inputs, *, seed: int = 0, **params: Any) -> ModelOutput:
        merged = {**self.defaults, **self.checked(params)}
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
    params: Sequence[Param] = (),
    properties: frozenset[str] = frozenset(),
    stochastic: bool = False,
    joint: bool = False,
    prepare: Callable[[Scenario], dict[str, Any]] | None = None,
    draws_random: Callable[[Mapping[str, Any]], bool] | None = None,
) -> Callable[[ModelFn], ModelFn]:
    """Decorator: register ``fn`` under ``name``; its docstring's first line is the summary.
    ``params`` declares every parameter (type, bounds, default, help)."""
    bad = properties - PROPERTIES
    if bad:
        raise ValueError(f"unknown model properties {sorted(bad)}")
    for p in params:
        p.coerce(p.default)  # a default outside its own bounds is a programming error

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
            params=tuple(params),
            properties=properties,
            stochastic=stochastic,
            joint=joint,
            prepare=prepare,
            draws_random=draws_random,
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


def model_problems(models: Mapping[str, Mapping[str, Any]], actors: int) -> list[Problem]:
    """Problems of a scenario's ``models:`` block: unknown model names, unknown parameters,
    values of the wrong type or out of bounds (each at ``models.NAME[.PARAM]``). Matrix
    parameters (type ``object``, e.g. ``smp.affinity``) must be ``actors`` × ``actors``."""
    out: list[Problem] = []
    for model, given in models.items():
        spec = _REGISTRY.get(model)
        if spec is None:
            fix = did_you_mean(model, _REGISTRY)
            out.append(Problem(("models", model), f"unknown model '{model}'", fix))
            continue
        found = spec.problems(given, ("models", model))
        out += found
        if found:
            continue
        for name, value in given.items():
            shape = np.shape(value) if spec.param(name).kind is object else None
            if value is not None and shape is not None and shape != (actors, actors):
                out.append(
                    Problem(
                        ("models", model, name),
                        f"a {shape[0]}×{shape[0]} matrix for {actors} actors",
                        f"give {actors} rows of {actors} numbers, in the order of the actors",
                    )
                )
    return out
