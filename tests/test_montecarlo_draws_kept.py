"""The Monte Carlo's draws of a scenario object are drawn once per settings and shared: every
caller gets the numbers a fresh draw gives, in arrays of its own."""

from __future__ import annotations

import numpy as np

from multipolar.dynamics.apply import resolve
from multipolar.scenario import load
from multipolar.uncertainty import montecarlo
from multipolar.uncertainty.montecarlo import draw_values
from tests.conftest import SCENARIOS


def test_kept_draws_are_fresh_draws_and_callers_own_their_arrays() -> None:
    state = resolve(load(SCENARIOS / "ukraine_2025_08.yaml"))
    first = draw_values(state, 50, 3)
    fresh = montecarlo._draw_values(state, 50, 3, None)
    assert list(first) == list(fresh)
    assert all(np.array_equal(first[p], fresh[p]) for p in fresh)
    for v in first.values():
        v[:] = -1.0  # a caller writing into its arrays changes no later caller's draws
    again = draw_values(state, 50, 3)
    assert all(np.array_equal(again[p], fresh[p]) for p in fresh)
    other = draw_values(state, 50, 4)  # another seed: other draws
    assert any(not np.array_equal(other[p], fresh[p]) for p in fresh)
    pair = next(iter(fresh))
    rho = {(pair, list(fresh)[1]): 0.9}
    correlated, want = draw_values(state, 50, 3, rho), montecarlo._draw_values(state, 50, 3, rho)
    assert all(np.array_equal(correlated[p], want[p]) for p in fresh)
    large = montecarlo._KEEP_DRAWS + 1  # large runs are not kept (memory), still the same draws
    drawn, want = draw_values(state, large, 3), montecarlo._draw_values(state, large, 3, None)
    assert all(np.array_equal(drawn[p], want[p]) for p in fresh)
    assert montecarlo._DRAWN.find(state, (large, 3, None)) is None
