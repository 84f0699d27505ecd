"""Coalitions: alignment, blocs over events, wedges, the Shapley value of the deal's coalition
game, who can mediate, and their CLI and Python API."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import multipolar
from multipolar.cli import app
from multipolar.coalitions.alignment import NO_SHARED, alignment, arrays, blocs, cohesion
from multipolar.coalitions.analysis import analyse_coalitions
from multipolar.coalitions.blocs import bloc_timeline
from multipolar.coalitions.defaults import THRESHOLD
from multipolar.coalitions.mediators import DRIVERS, mediators
from multipolar.coalitions.shapley import coalition_value, pivots, shapley
from multipolar.coalitions.wedge import wedge
from multipolar.deals.solve import maxmin
from multipolar.deals.space import build_space
from multipolar.dynamics.apply import resolve
from multipolar.scenario import validate
from tests.conftest import SCENARIOS

runner = CliRunner()
UKRAINE = SCENARIOS / "ukraine_2025_08.yaml"
CASE = Path(__file__).parent / "data" / "commitment_binds.yaml"


def scenario(
    positions: dict[str, dict[str, Any]],
    salience: dict[str, dict[str, Any]] | None = None,
    **extra: Any,
) -> multipolar.Scenario:
    """A scenario on 0–100 issues with the given positions (salience 0.5 by default)."""
    actors = list(positions)
    issues = sorted({k for row in positions.values() for k in row})
    sal = salience or {a: dict.fromkeys(row, 0.5) for a, row in positions.items()}
    return validate({
        "title": "Synthetic coalition case",
        "actors": [{"id": a, "name": a, "capability": 10 * (i + 1)} for i, a in enumerate(actors)],
        "issues": [{"id": k, "name": k, "scale": [0, 100], "status_quo": 50} for k in issues],
        "positions": positions,
        "salience": sal,
        **extra,
    })  # fmt: skip


def rng_range(best: float) -> dict[str, float]:
    return {"low": max(best - 10, 0), "best": best, "high": min(best + 10, 100)}


TWO_BLOCS = {
    "A1": {"x": rng_range(10), "y": rng_range(15), "z": rng_range(20)},
    "A2": {"x": rng_range(15), "y": rng_range(10), "z": rng_range(15)},
    "A3": {"x": rng_range(20), "y": rng_range(20), "z": rng_range(10)},
    "B1": {"x": rng_range(85), "y": rng_range(90), "z": rng_range(80)},
    "B2": {"x": rng_range(90), "y": rng_range(85), "z": rng_range(90)},
}
DEFECTION = [{  # A3 crosses over
    "id": "defect", "date": "2025-01-10", "title": "A3 changes sides",
    "effects": [{"path": f"positions.A3.{k}", "set": 88} for k in "xyz"],
}]  # fmt: skip


# --- alignment: definitions and properties -------------------------------------------------


def test_two_planted_blocs_are_recovered_and_follow_an_event() -> None:
    scn = scenario(TWO_BLOCS, events=DEFECTION)
    states = bloc_timeline(scn)
    assert [s.event for s in states] == ["baseline", "defect"]
    assert [set(b.members) for b in states[0].blocs] == [{"A1", "A2", "A3"}, {"B1", "B2"}]
    assert [set(b.members) for b in states[1].blocs] == [{"A3", "B1", "B2"}, {"A1", "A2"}]
    assert states[1].reformed  # both blocs formed anew
    change = states[1].changes[0]  # the old bloc A1+A2+A3 is far less cohesive now
    assert change.members == ("A1", "A2", "A3")
    assert change.after < change.before - 0.3
    for state in states:
        for bloc in state.blocs:
            assert 0.9 < bloc.cohesion <= 1.0
            assert bloc.joins_at is not None
            assert bloc.joins_at < THRESHOLD


@settings(max_examples=25)
@given(
    st.integers(0, 2**31),
    st.integers(2, 5),
    st.integers(1, 5),
    st.integers(1, 4),
)
def test_planted_blocs_are_recovered(seed: int, size_a: int, size_b: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    centre = rng.uniform(0, 0.15, k)
    far = 1 - rng.uniform(0, 0.15, k)
    x = np.vstack([centre + rng.uniform(0, 0.1, (size_a, k)),
                   far - rng.uniform(0, 0.1, (size_b, k))])  # fmt: skip
    s = rng.uniform(0.1, 1.0, x.shape)
    order = rng.permutation(len(x))
    found, _ = blocs(alignment(x[order], s[order], np.ones(x.shape, bool)))
    planted = [{i for i, o in enumerate(order) if o < size_a},
               {i for i, o in enumerate(order) if o >= size_a}]  # fmt: skip
    assert sorted(map(set, found), key=min) == sorted(planted, key=min)


positions = st.integers(2, 6).flatmap(
    lambda n: st.tuples(
        st.lists(st.lists(st.floats(0, 1), min_size=3, max_size=3), min_size=n, max_size=n),
        st.lists(st.lists(st.floats(0, 1), min_size=3, max_size=3), min_size=n, max_size=n),
        st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=n, max_size=n),
        st.randoms(use_true_random=False),
    )
)


@settings(max_examples=60)
@given(positions)
def test_alignment_properties(case: Any) -> None:
    x, s, has, rnd = np.array(case[0]), np.array(case[1]), np.array(case[2]), case[3]
    a = alignment(x, s, has)
    assert np.all(np.isfinite(a))
    assert np.all((a >= -1e-12) & (a <= 1 + 1e-12))
    np.testing.assert_allclose(a, a.T)  # symmetric
    np.testing.assert_allclose(np.diag(a), 1.0)
    perm = list(range(len(x)))
    rnd.shuffle(perm)
    np.testing.assert_allclose(alignment(x[perm], s[perm], has[perm]), a[np.ix_(perm, perm)])
    issues = [2, 0, 1]  # the order of issues does not matter
    np.testing.assert_allclose(alignment(x[:, issues], s[:, issues], has[:, issues]), a)
    scaled = s.copy()
    scaled[0] *= 3.7  # rescaling one actor's salience row changes none of its alignments
    np.testing.assert_allclose(alignment(x, scaled, has), a, atol=1e-12)
    groups, heights = blocs(a)
    assert sorted(i for g in groups for i in g) == list(range(len(x)))
    assert np.all(np.isfinite(heights))
    for g in groups:
        assert 0.0 <= float(cohesion(a, g)) <= 1.0


def test_alignment_values_and_degenerate_pairs() -> None:
    x = np.array([[0.0, 0.0], [1.0, 0.5], [0.2, 0.0]])
    s = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    has = np.array([[True, True], [True, True], [False, True]])
    a = alignment(x, s, has)
    # A0–A1: issue 1 has weight √(1·0) = 0, so only issue 0 counts: 1 − 1 = 0
    assert a[0, 1] == pytest.approx(0.0)
    # A0–A2: the only shared issue has zero weight: equal weights over shared issues
    assert a[0, 2] == pytest.approx(1.0)
    assert a[1, 2] == pytest.approx(0.5)
    no_shared = alignment(x[:2], s[:2], np.array([[True, False], [False, True]]))
    assert no_shared[0, 1] == NO_SHARED
    assert float(cohesion(a, [1])) == 1.0
    assert float(cohesion(a, [0, 1, 2])) == pytest.approx((0.0 + 1.0 + 0.5) / 3)


# --- Shapley values -----------------------------------------------------------------------


def test_shapley_textbook_games_exact_and_sampled() -> None:
    weights = np.array([0.3, -0.1, 0.0, 0.5])

    def additive(s: frozenset[int]) -> float:
        return float(sum(weights[list(s)]))

    phi, se, method = shapley(additive, 4)
    assert method == "exact"
    assert np.allclose(phi, weights)
    assert not se.any()

    def glove(s: frozenset[int]) -> float:  # players 0, 1 hold left gloves, 2 a right one
        return float(min(len(s & {0, 1}), len(s & {2})))

    phi, _, _ = shapley(glove, 4)
    np.testing.assert_allclose(phi, [1 / 6, 1 / 6, 2 / 3, 0.0])  # symmetry, null player
    sampled, se, method = shapley(glove, 4, exact_limit=2, samples=400, seed=5)
    assert method == "sampled"
    assert sampled.sum() == pytest.approx(1.0)  # each order's contributions sum to v(N)
    assert np.all(np.abs(sampled - phi) <= 4 * se + 1e-12)
    again, _, _ = shapley(glove, 4, exact_limit=2, samples=400, seed=5)
    np.testing.assert_array_equal(sampled, again)  # one seed, one answer


@pytest.mark.parametrize("path", [UKRAINE, CASE], ids=["ukraine", "commitment_binds"])
def test_deal_game_is_efficient_and_its_grand_value_is_the_verdict(path: Path) -> None:
    state = resolve(multipolar.load(path))
    space = build_space(state)
    war = state.conflict
    assert war is not None
    assert war.power_shift is not None
    owner = state.actor_ids.index(war.power_shift.declining)
    p = pivots(space, owner)
    assert sum(p.phi.values()) == pytest.approx(p.grand - 0.0, abs=1e-12)
    assert p.grand == pytest.approx(maxmin(space).margin, abs=1e-7)
    for actor in p.null:  # need not accept: a null player
        assert p.phi[actor] == 0.0
        assert p.without[actor] == 0.0
    nobody = np.zeros(len(space.actors), dtype=bool)
    assert coalition_value(space, nobody, owner) == 0.0
    sampled = pivots(space, owner, exact_limit=1, samples=60, seed=2)
    assert sum(sampled.phi.values()) == pytest.approx(p.grand, abs=1e-12)
    for a in space.actors:
        assert abs(sampled.phi[a] - p.phi[a]) <= 4 * sampled.se[a] + 1e-9


# --- wedges, degenerate input, the whole analysis ------------------------------------------


def finite(data: Any) -> None:
    """JSON without NaN or infinity anywhere."""
    json.dumps(data, allow_nan=False)


def test_wedges_stay_in_range_and_are_finite() -> None:
    state = resolve(multipolar.load(UKRAINE))
    result = analyse_coalitions(multipolar.load(UKRAINE))
    finite(result.to_dict())
    assert len(result.wedges) == sum(len(b.members) >= 2 for b in result.states[-1].blocs) >= 1
    for w in result.wedges:
        assert w.splits, "every Ukraine bloc has a divisive move"
        assert [s.move.cohesion for s in w.splits] == sorted(s.move.cohesion for s in w.splits)
        for s in w.splits:
            m = s.move
            assert m.actor in w.bloc
            assert m.low <= m.after <= m.high
            assert m.after != m.before
            assert m.cohesion < w.cohesion
            est = (state.positions if m.kind == "position" else state.salience)[m.actor][m.issue]
            assert (est.lo, est.best, est.hi) == (m.low, m.before, m.high)
            assert set(s.after.rows) == set(w.before.rows)
            assert all(math.isfinite(v) for v in s.after.rows.values())


def test_wedge_of_the_planted_bloc_and_a_point_estimate_bloc() -> None:
    scn = scenario(TWO_BLOCS)
    w = wedge(scn, ("A1", "A2", "A3"))
    assert w.move is not None
    assert w.move.cohesion < w.cohesion
    assert w.move.kind == "position"  # moving toward 0 or 100 divides more than any salience
    assert w.before.rows.keys() == w.splits[0].after.rows.keys()
    points = scenario({"P": {"x": 20, "y": 30}, "Q": {"x": 25, "y": 30}})
    still = wedge(points, ("P", "Q"))  # ranges are points: nothing can move
    assert still.move is None
    assert still.splits == []
    assert still.as_dict()["deal"] is None


@pytest.mark.parametrize(
    "case",
    [
        {"positions": {"A": {"x": 30}}},
        {"positions": {"A": {"x": 40, "y": 60}, "B": {"x": 40, "y": 60}, "C": {"x": 40, "y": 60}}},
        {
            "positions": {"A": {"x": 10}, "B": {"x": 90}, "C": {"x": 50}},
            "salience": {"A": {"x": 0.0}, "B": {"x": 0.0}, "C": {"x": 0.0}},
        },
    ],
    ids=["one actor", "all agree", "zero salience"],
)
def test_degenerate_input_gives_a_defined_answer(case: dict[str, Any]) -> None:
    scn = scenario(case["positions"], case.get("salience"))
    result = analyse_coalitions(scn)
    data = result.to_dict()
    finite(data)
    finite(mediators(scn).to_dict())
    assert sum(len(b["members"]) for b in data["states"][0]["blocs"]) == len(scn.actors)
    assert sum(result.pivots.phi.values()) == pytest.approx(result.pivots.grand, abs=1e-12)
    frame = result.to_frame()
    assert len(frame) == len(result.states[0].blocs)
    assert frame["cohesion"].notna().all()
    if len(scn.actors) == 3 and "salience" not in case:  # all agree: one bloc, cohesion 1
        assert [b.cohesion for b in result.states[0].blocs] == [1.0]


# --- mediators ------------------------------------------------------------------------------


def test_mediators_on_ukraine() -> None:
    result = mediators(multipolar.load(UKRAINE))
    finite(result.to_dict())
    assert result.sides == ("RUS", "UKR")
    ranked = [b.actor for b in result.ranking]
    assert ranked[-2:] in (["RUS", "UKR"], ["UKR", "RUS"])  # the sides cannot mediate
    assert all(b.eligible for b in result.ranking[:-2])
    scores = [b.score for b in result.ranking[:-2]]
    assert scores == sorted(scores, reverse=True)
    for b in result.ranking:
        parts = b.parts(result.weights)
        assert sum(parts.values()) == pytest.approx(b.score)
        assert b.closeness == pytest.approx(min(b.alignment.values()))
        assert 0 <= b.text <= 1
        assert (b.text == 1) == b.accepted
        assert len(b.reasons) >= 3
    assert sum(b.capability for b in result.ranking) == pytest.approx(1.0)
    adv = result.advantage("TUR")
    assert adv["over"] != "TUR"
    assert sum(adv["drivers"].values()) == pytest.approx(adv["advantage"])
    assert set(adv["drivers"]) == set(DRIVERS)
    frame = result.to_frame()
    assert list(frame["actor"]) == ranked


def test_mediators_without_a_conflict_take_the_least_aligned_parties() -> None:
    result = mediators(scenario(TWO_BLOCS))
    assert set(result.sides) <= {"A1", "A2", "A3", "B1", "B2"}
    assert result.sides[0][0] != result.sides[1][0]  # one side from each bloc
    with pytest.raises(multipolar.UsageError):
        mediators(scenario(TWO_BLOCS), bias=1.5)


# --- CLI and Python API -----------------------------------------------------------------------


def test_coalitions_command_json_and_table() -> None:
    result = runner.invoke(app, ["coalitions", str(UKRAINE), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [s["date"] for s in data["states"]] == ["2025-08-14", "2025-08-15", "2025-08-18"]
    last = data["states"][-1]["blocs"]
    assert len(data["wedges"]) == sum(len(b["members"]) >= 2 for b in last)
    assert all(w["move"] is not None and w["deal"] is not None for w in data["wedges"])
    assert set(data["pivots"]["actors"]) == {"RUS", "UKR", "USA", "EUR", "TUR"}
    table = runner.invoke(app, ["coalitions", str(CASE)])
    assert table.exit_code == 0
    assert "Pivotal actors" in table.stdout


def test_mediators_command_and_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["mediators", str(CASE), "--format", "json", "--actor", "O"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["advantage"]["actor"] == "O"
    assert data["sides"] == ["A", "B"]
    bad = runner.invoke(app, ["mediators", str(CASE), "--actor", "OO"])
    assert bad.exit_code == 2
    assert "unknown actor 'OO'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    bad = runner.invoke(app, ["coalitions", str(CASE), "--threshold", "1.5"])
    assert bad.exit_code == 2
    assert "--threshold: 1.5 is above the ceiling of 1" in bad.stderr
    missing = runner.invoke(app, ["coalitions", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2
    assert "Traceback" not in missing.stderr


def test_python_api() -> None:
    import multipolar.coalitions.analysis  # the package stays callable once imported

    assert "coalitions" in multipolar.__all__
    assert "mediators" in multipolar.__all__
    result = multipolar.coalitions(CASE)
    assert result.to_dict()["clustering"]["threshold"] == THRESHOLD
    assert list(result.to_frame().columns)[:3] == ["date", "event", "bloc"]
    assert list(result.pivots.to_frame()["actor"]) == result.pivots.ranking()
    assert not multipolar.mediators(CASE).to_frame().empty
    x, s, has = arrays(resolve(multipolar.load(CASE)))
    assert x.shape == s.shape == has.shape == (3, 2)
