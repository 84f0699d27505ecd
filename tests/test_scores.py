"""Proper scores: hand-computed values and the properties that define them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multipolar.ledger import scores as sc

probs = st.lists(st.floats(0, 1), min_size=1, max_size=30)


def test_hand_computed_values() -> None:
    assert sc.brier([0.8, 0.3], [1, 0]).tolist() == pytest.approx([0.04, 0.09])
    assert sc.log_score([0.8, 0.3], [1, 0]).tolist() == pytest.approx([-np.log(0.8), -np.log(0.7)])
    # CRPS of an ensemble {1, 2, 5} at 3: mean |x − y| − ½ mean |x − x'| = 5/3 − 8/9
    assert float(sc.crps_samples(np.array([1.0, 2.0, 5.0]), 3.0)) == pytest.approx(7 / 9)
    m = sc.murphy([0.2, 0.2, 0.8, 0.8], [0, 1, 1, 1])
    # bins 0.2 (observed 0.5) and 0.8 (observed 1); base rate 0.75
    assert m.reliability == pytest.approx((2 * 0.3**2 + 2 * 0.2**2) / 4)
    assert m.resolution == pytest.approx((2 * 0.25**2 + 2 * 0.25**2) / 4)
    assert m.uncertainty == pytest.approx(0.75 * 0.25)


@given(probs, st.lists(st.booleans(), min_size=30, max_size=30))
@settings(max_examples=80)
def test_murphy_decomposition_sums_to_the_brier_score(p: list[float], hits: list[bool]) -> None:
    y = [float(h) for h in hits[: len(p)]]
    m = sc.murphy(p, y)
    assert m.reliability - m.resolution + m.uncertainty == pytest.approx(m.brier, abs=1e-12)
    assert m.reliability >= 0
    assert m.resolution >= 0
    assert 0 <= m.uncertainty <= 0.25


@given(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3))
@settings(max_examples=60)
def test_crps_of_a_point_mass_is_the_absolute_error(x: float, y: float) -> None:
    levels = [0.05, 0.25, 0.5, 0.75, 0.95]
    assert float(sc.crps_quantiles(np.full(5, x), levels, y)) == pytest.approx(abs(x - y), abs=1e-9)
    assert float(sc.crps_samples(np.full(7, x), y)) == pytest.approx(abs(x - y), abs=1e-9)


@given(st.floats(0.01, 0.99))
@settings(max_examples=40)
def test_brier_and_log_score_are_proper(q: float) -> None:
    """The expected score under belief q is smallest when q is reported."""
    grid = np.linspace(0.01, 0.99, 99)
    for score in (sc.brier, sc.log_score):
        expected = q * score(grid, np.ones_like(grid)) + (1 - q) * score(grid, np.zeros_like(grid))
        assert abs(grid[int(np.argmin(expected))] - q) <= 0.011


def test_calibrated_forecasts_cover_their_nominal_share() -> None:
    """10,000 outcomes drawn from the forecast distributions themselves: the 50 % and 90 %
    central intervals cover within ±3 points of nominal and the PIT is flat."""
    rng = np.random.default_rng(7)
    n, levels = 10_000, [0.05, 0.25, 0.5, 0.75, 0.95]
    mu, sigma = rng.uniform(0, 100, n), rng.uniform(1, 10, n)
    y = rng.normal(mu, sigma)
    from scipy.stats import norm

    q = mu[:, None] + sigma[:, None] * norm.ppf(levels)[None, :]
    assert abs(sc.covered(q, levels, y, 0.5).mean() - 0.5) <= 0.03
    assert abs(sc.covered(q, levels, y, 0.9).mean() - 0.9) <= 0.03
    samples = mu[:, None] + sigma[:, None] * rng.standard_normal((n, 200))
    hist = np.array(sc.pit_histogram(sc.pit(samples, y)))
    assert np.all(np.abs(hist / n - 0.1) <= 0.03)


def test_overconfident_forecasts_undercover() -> None:
    rng = np.random.default_rng(8)
    n, levels = 10_000, [0.05, 0.25, 0.5, 0.75, 0.95]
    y = rng.normal(0, 2, n)  # truth twice as spread as the forecast
    from scipy.stats import norm

    q = np.tile(norm.ppf(levels), (n, 1))
    assert sc.covered(q, levels, y, 0.9).mean() < 0.7


def test_time_weights() -> None:
    w = sc.time_weights(["2026-01-01", "2026-01-04"], "2026-01-10")
    assert w.tolist() == pytest.approx([3 / 9, 6 / 9])
    assert sc.time_averaged([1.0, 0.0], ["2026-01-01", "2026-01-04"], "2026-01-10") == (
        pytest.approx(1 / 3)
    )
    # every forecast made on the closing day: equal weights, never a division by zero
    assert sc.time_weights(["2026-01-10", "2026-01-10"], "2026-01-10").tolist() == [0.5, 0.5]


def test_pit_from_quantiles() -> None:
    levels = [0.05, 0.25, 0.5, 0.75, 0.95]
    q = np.array([[10.0, 20.0, 30.0, 40.0, 50.0]])
    assert sc.pit_quantiles(q, levels, np.array([30.0])).tolist() == pytest.approx([0.5])
    assert sc.pit_quantiles(q, levels, np.array([5.0])).tolist() == [0.0]
    assert sc.pit_quantiles(q, levels, np.array([35.0])).tolist() == pytest.approx([0.625])
