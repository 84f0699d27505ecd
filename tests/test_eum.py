"""Bueno de Mesquita's expected utility model: replication of the reference code and Scholz's
Table 2 on the EC emission-standards case, paper mode, options and edge cases."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from multipolar.errors import UsageError
from multipolar.models import get
from multipolar.models.eum import OFFER_NAMES, play_round, settings
from multipolar.models.eum.core import median_position
from multipolar.scenario.arrays import from_arrays
from multipolar.scenario.formats import import_file
from tests.conftest import shared_path

NAMES = ["Netherlands", "Belgium", "Luxembourg", "Germany", "France", "Italy", "UK", "Ireland",
         "Denmark", "Greece"]  # fmt: skip
X = np.array([4, 7, 4, 4, 10, 10, 10, 7, 4, 7], dtype=float)
C = np.array([0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08])
S = np.array([0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7])
TOL = 1e-6


def emission_inputs():  # type: ignore[no-untyped-def]
    (scn,) = import_file("bdm", shared_path("data", "eum", "emission_standards.csv")).scenarios
    from multipolar.scenario import to_inputs

    inputs = to_inputs(scn)
    assert list(inputs.actors) == NAMES
    return inputs


def _rows(name: str) -> list[dict[str, str]]:
    with shared_path("data", "eum", name).open(newline="") as f:
        return list(csv.DictReader(f))


def test_reference_trajectory_rounds_0_to_10_within_1e6() -> None:
    traj = get("eum").run(emission_inputs(), rounds=10).trajectory
    rows = _rows("eum_emission_reference_trajectory.csv")
    assert len(rows) == 11
    assert traj["positions"].shape == (11, 1, 10)
    for t, row in enumerate(rows):
        assert traj["median"][t, 0] == pytest.approx(float(row["median"]), abs=TOL)
        assert traj["mean"][t, 0] == pytest.approx(float(row["mean"]), abs=TOL)
        expected = [float(row[f"x_{n}"]) for n in NAMES]
        np.testing.assert_allclose(traj["positions"][t, 0], expected, atol=TOL)
        if t == 0:
            assert np.isnan(traj["risk"][0, 0]).all()
        else:
            np.testing.assert_allclose(
                traj["risk"][t, 0], [float(row[f"r_{n}"]) for n in NAMES], atol=TOL
            )


def test_reference_round1_dyads_within_1e6() -> None:
    step = play_round(
        X[None], (C * S)[None], S[None], np.ones((1, 10), bool), np.array([6.0]),
        settings("reference"),
    )  # fmt: skip
    rows = _rows("eum_emission_round1_dyads.csv")
    assert len(rows) == 90
    for row in rows:
        i, j = NAMES.index(row["i"]), NAMES.index(row["j"])
        assert step.r[0, i] == pytest.approx(float(row["r_i"]), abs=TOL)
        assert step.P[0, i, j] == pytest.approx(float(row["P_i_beats_j"]), abs=TOL)
        assert step.eu_i[0, i, j] == pytest.approx(float(row["EU_i_challenges_j__i_view"]), abs=TOL)
        assert step.eu_j[0, i, j] == pytest.approx(float(row["EU_j_challenges_i__i_view"]), abs=TOL)
        assert OFFER_NAMES[int(step.offer[0, i, j])] == row["offer_type_for_i"]
        if row["new_x_i_if_accepted"]:
            assert step.target[0, i, j] == pytest.approx(float(row["new_x_i_if_accepted"]), abs=TOL)


def test_scholz_table2_within_01_except_round2_median() -> None:
    traj = get("eum").run(emission_inputs(), rounds=8).trajectory
    for row in _rows("scholz2011_icaart_table2.csv"):
        t = int(row["round"])
        assert traj["mean"][t, 0] == pytest.approx(float(row["mean_voter_position"]), abs=0.1)
        if t != 2:  # reference code 9.61 vs published 9.9 (documented in docs/models/eum.md)
            assert traj["median"][t, 0] == pytest.approx(
                float(row["median_voter_position"]), abs=0.1
            )


def test_forecast_is_final_median() -> None:
    out = get("eum").run(from_arrays(X, C, S, lo=4, hi=10), rounds=10)
    assert out.forecast[0] == pytest.approx(out.trajectory["median"][-1, 0])


def test_capitulation_fix_leaves_emission_case_unchanged() -> None:
    inputs = from_arrays(X, C, S, lo=4, hi=10)
    plain = get("eum").run(inputs).trajectory["positions"]
    fixed = get("eum").run(inputs, fix_capitulation=True).trajectory["positions"]
    np.testing.assert_allclose(plain, fixed)


def test_capitulation_fix_matters_elsewhere() -> None:
    # actor 2 (at 8) faces actor 0 (at 0) with a < 0 < b and |a| > b: the reference code's
    # typo ignores that capitulation; the fixed rule makes actor 2 give in fully
    x, c, s = np.array([[0.0, 8.0, 8.0]]), np.array([[0.8, 0.2, 0.1]]), np.array([[0.8, 0.1, 0.5]])
    mask, R = np.ones((1, 3), bool), np.array([8.0])
    plain = play_round(x, c * s, s, mask, R, settings("reference"))
    fixed = play_round(x, c * s, s, mask, R, settings("reference", fix_capitulation=True))
    assert not (plain.offer == 3).any()
    assert fixed.offer[0, 2, 0] == 3
    assert plain.new_x[0, 2] == 8.0
    assert fixed.new_x[0, 2] == 0.0
    assert fixed.new_x[0, 1] == plain.new_x[0, 1]


def test_paper_mode_does_not_reproduce_table2() -> None:
    traj = get("eum").run(from_arrays(X, C, S, lo=4, hi=10), mode="paper").trajectory
    # eum.md §A.4.1: the printed probability collapses the case towards 7.0
    assert traj["median"][1, 0] != pytest.approx(8.4, abs=0.1)
    assert np.all(np.isfinite(traj["positions"]))
    p = play_round(X[None], (C * S)[None], S[None], np.ones((1, 10), bool), np.array([6.0]),
                   settings("paper")).P  # fmt: skip
    np.testing.assert_allclose(p + p.transpose(0, 2, 1), 1.0)  # P^i + P^j = 1 as printed


def test_paper_mode_with_q_and_t() -> None:
    inputs = from_arrays(X, C, S, lo=4, hi=10)
    base = get("eum").run(inputs, mode="paper", q=1.0).forecast
    for t in (None, 0, 1):
        out = get("eum").run(inputs, mode="paper", q=0.5, t=t)
        assert np.all(np.isfinite(out.forecast))
        assert 4 <= out.forecast[0] <= 10
    assert np.isfinite(base).all()


def test_epsilon_stopping() -> None:
    inputs = from_arrays(X, C, S, lo=4, hi=10)
    out = get("eum").run(inputs, rounds=50, epsilon=1e-9, patience=2)
    medians = out.trajectory["median"][:, 0]
    # rounds 3-5 keep the median at 9.96198: two calm rounds stop the run after round 5
    assert len(medians) == 6
    assert medians[-1] == pytest.approx(9.96198, abs=TOL)


def test_sequential_median_is_a_weighted_median() -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(0, 10, (50, 7)).astype(float)
    w = rng.uniform(0.1, 1, (50, 7))
    mu = median_position(x, w, np.ones_like(x, bool))
    for b in range(50):
        left = w[b][x[b] < mu[b]].sum()
        right = w[b][x[b] > mu[b]].sum()
        assert left <= w[b].sum() / 2 + 1e-12
        assert right <= w[b].sum() / 2 + 1e-12


@pytest.mark.parametrize(
    "params",
    [{"mode": "other"}, {"q": 1.5}, {"t": 2}, {"rounds": -1}],
)
def test_bad_parameters(params: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        get("eum").run(from_arrays(X, C, S, lo=4, hi=10), **params)


@pytest.mark.parametrize(
    ("x", "first"),
    [
        ([3.0, 8.0, 3.0, 8.0], 3.0),
        ([8.0, 3.0, 8.0, 3.0], 8.0),
        ([3.0, 3.0, 8.0, 8.0], 3.0),
        ([8.0, 8.0, 3.0, 3.0], 8.0),
        ([3.0, 6.0, 6.0, 3.0], 3.0),
        ([6.0, 3.0, 3.0, 6.0], 6.0),
    ],
)
def test_median_tie_goes_to_the_first_actor_in_scenario_order(x: list[float], first: float) -> None:
    """docs/models/eum.md, "Median ties": four actors with equal c·s, the weight split exactly in
    half. μ is the first actor's position (the reference code would pick by the hash order of
    a Python set of the positions instead, e.g. 8 for {3, 8} but 3 for {3, 6}, whatever the
    actors' order); nobody moves, so that is also the forecast. The `median` model resolves the
    same tie by position (lower by default)."""
    inputs = from_arrays(x, [1.0] * 4, [0.5] * 4)
    out = get("eum").run(inputs)
    np.testing.assert_array_equal(out.trajectory["median"], first)
    assert out.forecast[0] == first
    both = np.array([x, x[::-1]])
    assert list(median_position(both, np.ones_like(both), np.ones_like(both, bool))) == [
        first,
        x[-1],
    ]
    assert get("median").run(inputs).forecast[0] == min(x)
