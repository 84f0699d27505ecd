"""War-bargaining formulas against the checked test vectors of war_and_deals.md §6.3, plus
brute-force and property checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from multipolar.deals import (
    baron_ferejohn_share,
    rubinstein_share,
    rubinstein_share_continuous,
    unanimity_share,
)
from multipolar.errors import UsageError
from multipolar.war import (
    bargaining_range,
    battle_chain,
    commitment_path,
    commitment_test,
    nash_split,
    nash_split_derivatives,
    optimal_demand,
    optimal_demand_uniform,
    update_win_rate,
    war_of_attrition,
)


def test_fearon_range_and_nash_point() -> None:
    low, high = bargaining_range(0.6, 0.1, 0.15)
    assert (float(low), float(high)) == pytest.approx((0.5, 0.75))
    assert float(nash_split(0.6, 0.1, 0.15, 0.5)) == pytest.approx(0.625)
    assert nash_split_derivatives(0.3)["c_a"] == pytest.approx(-0.7)


@given(
    p=st.floats(0.05, 0.95), c_a=st.floats(0.01, 0.3), c_b=st.floats(0.01, 0.3),
    rho=st.floats(0.2, 1.0),
)  # fmt: skip
def test_risk_aversion_widens_the_range(p: float, c_a: float, c_b: float, rho: float) -> None:
    lo1, hi1 = bargaining_range(p, c_a, c_b)
    lo, hi = bargaining_range(p, c_a, c_b, rho)
    assert lo <= lo1 + 1e-12
    assert hi >= hi1 - 1e-12
    # both prefer any share in the range to war (CRRA utilities)
    for x in np.linspace(float(lo), float(hi), 7):
        assert x**rho >= p - c_a - 1e-9
        assert (1 - x) ** rho >= 1 - p - c_b - 1e-9


@pytest.mark.parametrize(
    ("low", "high", "demand", "war"),
    [(0.0, 0.3, 0.7, 1 / 3), (0.1, 0.3, 0.7, 0.0), (0.05, 0.4, 0.75, 0.2857)],
)
def test_risk_return_uniform_vectors(low: float, high: float, demand: float, war: float) -> None:
    out = optimal_demand_uniform(0.6, 0.1, low, high)
    assert float(out.demand) == pytest.approx(demand)
    assert float(out.war_probability) == pytest.approx(war, abs=1e-4)


@pytest.mark.parametrize(("low", "high"), [(0.0, 0.3), (0.1, 0.3), (0.05, 0.4)])
def test_risk_return_any_cdf_matches_closed_form(low: float, high: float) -> None:
    belief = stats.uniform(loc=low, scale=high - low)
    general = optimal_demand(0.6, 0.1, belief, (low, high))
    closed = optimal_demand_uniform(0.6, 0.1, low, high)
    assert float(general.demand) == pytest.approx(float(closed.demand), abs=1e-6)
    assert float(general.war_probability) == pytest.approx(float(closed.war_probability), abs=1e-6)


def test_risk_return_by_brute_force_for_a_normal_belief() -> None:
    belief = stats.truncnorm(-2, 2, loc=0.15, scale=0.05)
    out = optimal_demand(0.5, 0.05, belief, (0.05, 0.25))
    z = np.linspace(0.05, 0.25, 200_001)
    f = belief.cdf(z)
    utility = (0.5 + z) * (1 - f) + (0.5 - 0.05) * f
    assert float(out.demand) == pytest.approx(0.5 + z[np.argmax(utility)], abs=1e-5)


def test_powell_vector_and_guarantee() -> None:
    out = commitment_test(0.9, 0.5, 0.3, 0.05)
    assert float(out.lhs) == pytest.approx(0.18)
    assert float(out.rhs) == pytest.approx(0.055)
    assert bool(out.war)
    assert float(out.peace_margin) == pytest.approx(-0.125)  # negative: no room for a deal
    capped = commitment_test(0.9, 0.5, 0.3, 0.05, cap=0.05)
    assert not bool(capped.war)  # 0.045 < 0.055
    paid = commitment_test(0.9, 0.5, 0.3, 0.05, side_payment=1.5)
    assert float(paid.rhs) == pytest.approx(0.205)
    assert not bool(paid.war)


def test_powell_path() -> None:
    war, first, margins = commitment_path(0.9, [0.5, 0.48, 0.46, 0.2], 0.05)
    assert war
    assert first == 2
    assert margins.shape == (3,)
    assert np.all(margins[:2] >= 0)  # peace margins: the failing step is the negative one
    assert margins[2] < 0


def test_war_of_attrition_vector_and_paradox() -> None:
    out = war_of_attrition(1.0, 1.0, 0.1, 0.2)
    assert float(out.a_wins) == pytest.approx(1 / 3)
    assert float(out.expected_duration) == pytest.approx(10 / 3)
    assert bool(out.paradox)  # A has the lower cost-to-value ratio yet wins less often
    assert "paradox" in out.note


@pytest.mark.parametrize(("pi", "win", "battles"), [(0.55, 0.7317, 23.17), (0.5, 0.5, 25.0)])
def test_gamblers_ruin_vectors(pi: float, win: float, battles: float) -> None:
    p, e = battle_chain(10, 5, pi)
    assert float(p) == pytest.approx(win, abs=1e-4)
    assert float(e) == pytest.approx(battles, abs=0.01)


def test_gamblers_ruin_by_simulation() -> None:
    rng = np.random.default_rng(5)
    wins, total = 0, 0
    for _ in range(4000):
        k, steps = 3, 0
        while 0 < k < 8:
            k += 1 if rng.random() < 0.6 else -1
            steps += 1
        wins += k == 8
        total += steps
    p, e = battle_chain(8, 3, 0.6)
    assert wins / 4000 == pytest.approx(float(p), abs=0.03)
    assert total / 4000 == pytest.approx(float(e), rel=0.05)


def test_win_rate_learning() -> None:
    assert float(update_win_rate(1, 1, 3, 1)) == pytest.approx(4 / 6)


def test_bargaining_shares_vectors() -> None:
    assert float(rubinstein_share(0.9, 0.95)) == pytest.approx(0.3448, abs=1e-4)
    assert float(rubinstein_share_continuous(0.9, 0.95)) == pytest.approx(0.3274, abs=1e-4)
    assert float(unanimity_share(3, 0.9)) == pytest.approx(0.3690, abs=1e-4)
    assert float(baron_ferejohn_share(3, 0.9)) == pytest.approx(0.7)


@pytest.mark.parametrize(
    "call",
    [
        lambda: bargaining_range(1.2, 0.1, 0.1),
        lambda: bargaining_range(0.5, -0.1, 0.1),
        lambda: commitment_test(1.0, 0.5, 0.3, 0.05),
        lambda: commitment_test(0.9, 0.5, 0.3, float("nan")),
        lambda: baron_ferejohn_share(4, 0.9),
    ],
)
def test_bad_parameters_are_usage_errors(call: object) -> None:
    with pytest.raises(UsageError):
        call()  # type: ignore[operator]
