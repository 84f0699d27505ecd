"""The shared contract every registered model is checked against (Axelrod-style).

Each model declares its properties in the registry; the tests below check every declared one
on random inputs (hypothesis), plus what every model must do: finite output of the right shape,
determinism, and defined answers on degenerate input.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from multipolar.models import get, names, specs
from multipolar.models.registry import ModelSpec
from multipolar.scenario.arrays import Inputs, from_arrays

TOL = 1e-7
SETTINGS = settings(max_examples=60, deadline=None)
#: properties a model holds only with some parameters, checked with those: decide's tie rule
#: follows the actors' input order, the exchange model's canonical tie rule does not
VARIANTS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "permutation": [("exchange", {"ties": "canonical"})],
}


def having(prop: str) -> list[ModelSpec]:
    return [s for s in specs() if prop in s.properties]


def ids(models: list[ModelSpec]) -> list[str]:
    return [m.name for m in models]


def with_params(prop: str) -> list[Any]:
    """The models declaring ``prop`` (default parameters), then the variants holding it."""
    cases = [pytest.param(s, {}, id=s.name) for s in having(prop)]
    for name, params in VARIANTS.get(prop, []):
        label = ",".join(f"{k}={v}" for k, v in params.items())
        cases.append(pytest.param(get(name), params, id=f"{name}[{label}]"))
    return cases


@st.composite
def problems(draw: st.DrawFn, min_actors: int = 1) -> Inputs:
    """k issues × n actors on [0, 100], random weights, some actors unpositioned."""
    n = draw(st.integers(min_actors, 7))
    k = draw(st.integers(1, 3))
    grid = st.floats(0, 100, allow_nan=False).map(lambda v: round(v, 3))
    x = draw(arrays(float, (k, n), elements=grid))
    c = draw(arrays(float, (n,), elements=st.floats(0, 10).map(lambda v: round(v, 3))))
    s = draw(arrays(float, (k, n), elements=st.floats(0, 1).map(lambda v: round(v, 3))))
    mask = draw(arrays(bool, (k, n)))
    mask[:, 0] = True  # every issue has at least one positioned actor
    ref = draw(arrays(float, (k,), elements=st.one_of(st.just(np.nan), grid)))
    return from_arrays(x, c, s, lo=0.0, hi=100.0, mask=mask, ref=ref)


def run(spec: ModelSpec, inputs: Inputs, **params: Any) -> np.ndarray:
    return np.asarray(spec.run(inputs, seed=7, **params).forecast)


def transform(inputs: Inputs, a: float, b: float) -> Inputs:
    return from_arrays(
        a * inputs.x + b,
        inputs.c,
        inputs.s,
        lo=a * inputs.lo + b,
        hi=a * inputs.hi + b,
        mask=inputs.mask,
        ref=a * inputs.ref + b,
    )


@pytest.mark.parametrize("spec", specs(), ids=names())
@SETTINGS
@given(inputs=problems())
def test_finite_shape_deterministic(spec: ModelSpec, inputs: Inputs) -> None:
    first, second = run(spec, inputs), run(spec, inputs)
    assert first.shape == inputs.lo.shape
    assert np.all(np.isfinite(first))
    assert first.tobytes() == second.tobytes()


@pytest.mark.parametrize("spec", having("unanimity"), ids=ids(having("unanimity")))
@SETTINGS
@given(inputs=problems(), value=st.floats(0, 100))
def test_unanimity(spec: ModelSpec, inputs: Inputs, value: float) -> None:
    agreed = from_arrays(
        np.full(inputs.x.shape, value),
        inputs.c,
        inputs.s,
        lo=0.0,
        hi=100.0,
        mask=inputs.mask,
        ref=inputs.ref,
    )
    np.testing.assert_allclose(run(spec, agreed), value, atol=TOL)


@pytest.mark.parametrize(("spec", "params"), with_params("permutation"))
@SETTINGS
@given(inputs=problems(), data=st.data())
def test_permutation_invariance(
    spec: ModelSpec, params: dict[str, Any], inputs: Inputs, data: st.DataObject
) -> None:
    n = inputs.x.shape[-1]
    perm = np.array(data.draw(st.permutations(range(n))), dtype=int)
    shuffled = from_arrays(
        inputs.x[..., perm],
        inputs.c[..., perm],
        inputs.s[..., perm],
        lo=inputs.lo,
        hi=inputs.hi,
        mask=inputs.mask[..., perm],
        ref=inputs.ref,
    )
    np.testing.assert_allclose(run(spec, shuffled, **params), run(spec, inputs, **params), atol=TOL)


@pytest.mark.parametrize("spec", having("translation"), ids=ids(having("translation")))
@SETTINGS
@given(inputs=problems(), shift=st.floats(-1000, 1000))
def test_translation_equivariance(spec: ModelSpec, inputs: Inputs, shift: float) -> None:
    moved = run(spec, transform(inputs, 1.0, shift))
    np.testing.assert_allclose(moved, run(spec, inputs) + shift, atol=1e-6)


@pytest.mark.parametrize("spec", having("scale"), ids=ids(having("scale")))
@SETTINGS
@given(inputs=problems(), factor=st.floats(0.01, 100))
def test_scale_equivariance(spec: ModelSpec, inputs: Inputs, factor: float) -> None:
    stretched = run(spec, transform(inputs, factor, 0.0))
    np.testing.assert_allclose(stretched, run(spec, inputs) * factor, rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("spec", having("hull"), ids=ids(having("hull")))
@SETTINGS
@given(inputs=problems())
def test_within_positions(spec: ModelSpec, inputs: Inputs) -> None:
    out = run(spec, inputs)
    lo = np.min(np.where(inputs.mask, inputs.x, np.inf), axis=-1)
    hi = np.max(np.where(inputs.mask, inputs.x, -np.inf), axis=-1)
    # the Nash solution may keep the status quo when no deal beats it for everyone
    keep = np.isclose(out, inputs.ref) if spec.name == "nash" else np.zeros(out.shape, bool)
    assert np.all(keep | ((out >= lo - TOL) & (out <= hi + TOL)))


@pytest.mark.parametrize("spec", having("monotone"), ids=ids(having("monotone")))
@SETTINGS
@given(inputs=problems(), data=st.data())
def test_monotone_in_each_position(spec: ModelSpec, inputs: Inputs, data: st.DataObject) -> None:
    k, n = inputs.x.shape
    i, j = data.draw(st.integers(0, k - 1)), data.draw(st.integers(0, n - 1))
    up = data.draw(st.floats(0, 100))
    x = inputs.x.copy()
    x[i, j] = min(100.0, x[i, j] + up) if inputs.mask[i, j] else x[i, j]
    moved = from_arrays(x, inputs.c, inputs.s, lo=0.0, hi=100.0, mask=inputs.mask, ref=inputs.ref)
    assert np.all(run(spec, moved) >= run(spec, inputs) - TOL)


@pytest.mark.parametrize("spec", specs(), ids=names())
@pytest.mark.parametrize(
    "case",
    ["one-actor", "two-actors", "all-agree", "zero-salience", "zero-capability", "zero-everything"],
)
def test_degenerate_inputs_have_defined_answers(spec: ModelSpec, case: str) -> None:
    x = np.array([20.0, 80.0, 50.0])
    c = np.array([1.0, 2.0, 3.0])
    s = np.array([0.5, 0.5, 0.5])
    if case == "one-actor":
        x, c, s = x[:1], c[:1], s[:1]
    elif case == "two-actors":
        x, c, s = x[:2], c[:2], s[:2]
    elif case == "all-agree":
        x = np.full(3, 35.0)
    elif case == "zero-salience":
        s = np.zeros(3)
    elif case == "zero-capability":
        c = np.zeros(3)
    else:
        c, s = np.zeros(3), np.zeros(3)
    out = run(spec, from_arrays(x, c, s))
    assert np.all(np.isfinite(out))
    assert x.min() - TOL <= out[0] <= x.max() + TOL
    if case in ("one-actor", "all-agree"):
        assert out[0] == pytest.approx(x[0])
