"""What it takes builds one deal space for every parameter's values at once: bit for bit the
spaces built one parameter at a time and stacked (as the what-if scan first did)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multipolar.deals.space import DealSpace, build_space, stack
from multipolar.deals.whatif import _estimate_at, _values_space, domain
from multipolar.dynamics.apply import resolve
from multipolar.report.summary import levers
from multipolar.scenario import load
from multipolar.scenario.schema import Estimate, Scenario

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    name: resolve(load(ROOT / "scenarios" / f"{name}.yaml"))
    for name in ("ukraine_2025_08", "iran_nuclear_2015_03", "black_sea_grain_2022_06")
}


def _one_at_a_time(scn: Scenario, asked: list[tuple[str, np.ndarray]]) -> DealSpace:
    spaces = []
    for path, values in asked:
        target = _estimate_at(scn, path)
        drawn = np.asarray(values, dtype=float)

        def value(est: Estimate, target: Estimate = target, drawn: np.ndarray = drawn) -> Any:
            return drawn if est is target else np.asarray(est.best, dtype=float)

        spaces.append(build_space(scn, value, len(drawn)))
    out = stack(spaces)
    assert out is not None
    return out


def _assert_same(a: DealSpace, b: DealSpace) -> None:
    for f in fields(DealSpace):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype
            assert x.shape == y.shape, f.name
            assert np.array_equal(x.view(np.uint8), y.view(np.uint8)), f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=4, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), repeat=st.booleans())
def test_one_space_is_the_stack_of_one_per_parameter(name: str, seed: int, repeat: bool) -> None:
    scn = CASES[name]
    paths = levers(scn)
    assert paths
    rng = np.random.default_rng(seed)
    if repeat:  # the same parameter twice: each of its value runs where it was asked
        paths = [*paths, paths[0]]
    asked = []
    for path in paths:
        lo, hi = domain(scn, path)
        asked.append((path, rng.uniform(lo, hi, int(rng.integers(1, 6)))))
    _assert_same(_values_space(scn, asked), _one_at_a_time(scn, asked))
