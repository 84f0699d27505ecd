"""Model-specific checks of the baseline models beyond the shared contract."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multipolar.models import get
from multipolar.scenario.arrays import from_arrays

EMISSION_X = [4, 7, 4, 4, 10, 10, 10, 7, 4, 7]
EMISSION_C = [0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08]
EMISSION_S = [0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7]


def forecast(model: str, *args: object, **kwargs: object) -> float:
    params = {k: kwargs.pop(k) for k in list(kwargs) if k in ("tie", "disagreement", "loss")}
    return float(get(model).run(from_arrays(*args, **kwargs), **params).forecast[0])


def test_compromise_is_the_weighted_mean_by_hand() -> None:
    x, c, s = np.array([0.0, 60.0, 100.0]), np.array([1.0, 2.0, 1.0]), np.array([1.0, 0.5, 0.5])
    expected = (0 * 1 + 60 * 1 + 100 * 0.5) / (1 + 1 + 0.5)
    assert forecast("compromise", x, c, s) == pytest.approx(expected, abs=1e-12)


def test_median_tie_rules() -> None:
    # two equal halves: lower, upper and midpoint differ
    x, c, s = [10.0, 30.0], [1.0, 1.0], [1.0, 1.0]
    assert forecast("median", x, c, s, tie="lower") == 10.0
    assert forecast("median", x, c, s, tie="upper") == 30.0
    assert forecast("median", x, c, s, tie="mid") == 20.0


def test_median_follows_weight_not_headcount() -> None:
    assert forecast("median", [0.0, 10.0, 90.0], [1.0, 1.0, 5.0], [1.0, 1.0, 1.0]) == 90.0


def test_nash_symmetric_configuration_coincides_with_weighted_mean() -> None:
    # positions symmetric about 40 with mirrored weights: both solutions are exactly 40
    x, c, s = [10.0, 30.0, 50.0, 70.0], [1.0, 3.0, 3.0, 1.0], [0.5, 0.8, 0.8, 0.5]
    assert forecast("nash", x, c, s) == pytest.approx(40.0, abs=1e-9)
    assert forecast("compromise", x, c, s) == pytest.approx(40.0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    x=st.lists(st.floats(0, 100), min_size=2, max_size=6),
    data=st.data(),
)
def test_nash_tends_to_weighted_mean_as_disagreement_worsens(
    x: list[float], data: st.DataObject
) -> None:
    n = len(x)
    c = data.draw(st.lists(st.floats(0.1, 5), min_size=n, max_size=n))
    s = data.draw(st.lists(st.floats(0.1, 1), min_size=n, max_size=n))
    mean = forecast("compromise", x, c, s)
    gaps = [
        abs(forecast("nash", x, c, s, disagreement="fixed", loss=d) - mean)
        for d in (1, 100, 10_000)
    ]
    assert gaps[2] <= gaps[1] + 1e-9 <= gaps[0] + 2e-9
    assert gaps[2] <= 100 * 0.5 / 10_000 + 1e-7  # first-order gap shrinks like 1/loss


def test_nash_keeps_status_quo_when_no_deal_beats_it_for_all() -> None:
    # status quo 50 lies between the actors: any move hurts someone, so d stands
    assert forecast("nash", [20.0, 80.0], [1.0, 1.0], [1.0, 1.0], ref=50.0) == 50.0


def test_nash_with_status_quo_outside_the_actors() -> None:
    # d = 10 lies below both actors; the solution maximises
    # log(20^2 - (x - 30)^2) + log(40^2 - (x - 50)^2) on the feasible interval (10, 50)
    value = forecast("nash", [30.0, 50.0], [1.0, 1.0], [1.0, 1.0], ref=10.0, lo=0.0, hi=100.0)
    grid = np.linspace(10.0001, 49.9999, 400_001)
    objective = np.log(400 - (grid - 30) ** 2) + np.log(1600 - (grid - 50) ** 2)
    assert value == pytest.approx(grid[np.argmax(objective)], abs=1e-3)
    assert 30.0 <= value <= 50.0


def test_emission_case_from_arrays() -> None:
    x, c, s = EMISSION_X, EMISSION_C, EMISSION_S
    assert forecast("compromise", x, c, s, lo=4, hi=10) == pytest.approx(7.39, abs=0.01)
    assert forecast("median", x, c, s, lo=4, hi=10) == 7.0


def test_unknown_parameter_is_a_usage_error() -> None:
    from multipolar.errors import UsageError

    with pytest.raises(UsageError, match="did you mean 'loss'"):
        get("nash").run(from_arrays([1.0], [1.0], [1.0]), los=2.0)
    with pytest.raises(UsageError, match="unknown model"):
        get("nsh")


def test_batched_inputs_match_one_by_one() -> None:
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, (5, 4, 6))
    c = rng.uniform(0, 2, (5, 1, 6))
    s = rng.uniform(0, 1, (5, 4, 6))
    for name in ("compromise", "median", "nash"):
        batch = get(name).run(from_arrays(x, c, s)).forecast
        single = np.array(
            [
                [
                    get(name).run(from_arrays(x[b, i], c[b, 0], s[b, i])).forecast[0]
                    for i in range(4)
                ]
                for b in range(5)
            ]
        )
        np.testing.assert_allclose(batch, single, atol=1e-12)
