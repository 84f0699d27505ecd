"""The deal space: walk-away values from the war, feasibility, bargaining solutions, frontier."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from multipolar.deals.solutions import frontier, is_dominated, solve
from multipolar.deals.solve import maxmin
from multipolar.deals.space import DealSpace, build_space, slacks, utilities
from multipolar.scenario import validate


def make_space(
    ideal: np.ndarray, weight: np.ndarray, walk: np.ndarray, quadratic: bool = True
) -> DealSpace:
    n, k = ideal.shape
    return DealSpace(
        tuple(f"a{i}" for i in range(n)), tuple(f"i{j}" for j in range(k)), np.zeros(k),
        np.ones(k), ideal[None], weight[None], quadratic, walk[None], np.ones(n, bool),
        np.full((1, k), 0.5), None, None, None,
    )  # fmt: skip


def test_two_party_quadratic_frontier_matches_analytic() -> None:
    ideal = np.array([[0.1, 0.8], [0.9, 0.2]])
    weight = np.array([[0.7, 0.3], [0.25, 0.75]])
    space = make_space(ideal, weight, np.zeros(2))
    points = frontier(space, samples=201)
    (a0, a1), (b0, b1) = weight
    for z in points[1:-1]:
        # analytic: z_k = (λ a_k A_k + (1−λ) b_k B_k) / (λ a_k + (1−λ) b_k) with one λ for all k
        lam = b0 * (ideal[1, 0] - z[0]) / (a0 * (z[0] - ideal[0, 0]) + b0 * (ideal[1, 0] - z[0]))
        expected = (lam * a1 * ideal[0, 1] + (1 - lam) * b1 * ideal[1, 1]) / (
            lam * a1 + (1 - lam) * b1
        )
        assert z[1] == pytest.approx(expected, abs=1e-6)
    # and no point of a fine grid dominates a frontier point
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 101), np.linspace(0, 1, 101)), -1).reshape(-1, 2)
    for z in points[::20]:
        assert not is_dominated(space, z, grid)


@settings(max_examples=220, deadline=None)
@given(data=st.data())
def test_feasibility_agrees_with_brute_force_grid(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 3))
    k = data.draw(st.integers(1, 2))
    quadratic = data.draw(st.booleans())
    unit = st.floats(0, 1)
    ideal = np.array(
        data.draw(st.lists(st.lists(unit, min_size=k, max_size=k), min_size=n, max_size=n))
    )
    raw = np.array(
        data.draw(
            st.lists(st.lists(st.floats(0.05, 1), min_size=k, max_size=k), min_size=n, max_size=n)
        )
    )
    weight = raw / raw.sum(axis=1, keepdims=True)
    walk = np.array(data.draw(st.lists(st.floats(0.3, 1.0), min_size=n, max_size=n)))
    space = make_space(ideal, weight, walk, quadratic)
    h = 1 / 100
    axes = [np.linspace(0, 1, 101)] * k
    grid = np.stack(np.meshgrid(*axes), -1).reshape(-1, k)
    grid_best = float(np.max(np.min(slacks(space, grid)[0], axis=1)))
    solver = maxmin(space).margin
    assert solver >= grid_best - 1e-7  # the optimiser is at least as good as any grid point
    lipschitz = 2.0 if quadratic else 1.0  # |Δu| <= L·max|Δz_k| since weights sum to 1
    assert solver <= grid_best + lipschitz * h / 2 + 1e-9
    assert (grid_best >= 0) <= (solver >= -1e-9)
    if solver > lipschitz * h / 2:
        assert grid_best >= 0


CONFLICT = """
title: two belligerents and an owner
actors:
  - {id: A, name: A, capability: 1}
  - {id: B, name: B, capability: 1}
  - {id: O, name: Owner, kind: outside_power, capability: 1}
issues:
  - {id: land, name: Land, scale: [0, 100], status_quo: 50}
  - {id: guard, name: Guarantees, scale: [0, 10], status_quo: 0}
positions:
  A: {land: 100, guard: 0}
  B: {land: 0, guard: 10}
  O: {guard: 6}
salience:
  A: {land: 0.8, guard: 0.2}
  B: {land: 0.5, guard: 0.5}
  O: {guard: 1.0}
conflict:
  belligerents: [A, B]
  p: 0.6
  costs: {A: 0.1, B: 0.15}
  discount: 0.9
  stakes: [land]
deal:
  owners: {guard: [O]}
"""


def test_walk_away_values_from_the_war() -> None:
    space = build_space(validate(yaml.safe_load(CONFLICT)))
    # A wins (0.6): land at 100, guard at status quo 0. B wins: land at 0.
    u_a_win = 0.8 * 1 + 0.2 * 1
    u_a_lose = 0.8 * 0 + 0.2 * 1
    assert space.walk_away[0, 0] == pytest.approx(0.6 * u_a_win + 0.4 * u_a_lose - 0.1)
    u_b_win = 0.5 * 1 + 0.5 * 0
    u_b_lose = 0.5 * 0 + 0.5 * 0
    assert space.walk_away[0, 1] == pytest.approx(0.4 * u_b_win + 0.6 * u_b_lose - 0.15)
    # the owner walks away to the status quo on its issue: (0 - 0.6)² → 1 − 0.36
    assert space.walk_away[0, 2] == pytest.approx(0.64)
    assert space.veto.tolist() == [True, True, True]


def test_solutions_are_feasible_and_ordered() -> None:
    space = build_space(validate(yaml.safe_load(CONFLICT)))
    sol = solve(space)
    assert sol.feasible
    for point in (sol.egalitarian, sol.nash, sol.kalai_smorodinsky):
        assert point is not None
        assert point.margin >= -1e-7
    u = utilities(space, np.stack([sol.nash.z, sol.egalitarian.z]))[0]  # type: ignore[union-attr]
    gains = u - space.walk_away[0]
    # Nash maximises the product of gains, the egalitarian point the smallest gain
    assert np.prod(gains[0]) >= np.prod(gains[1]) - 1e-7
    assert np.min(gains[1]) >= np.min(gains[0]) - 1e-7


def test_commitment_problem_needs_guarantees() -> None:
    data = yaml.safe_load(CONFLICT)
    data["conflict"]["power_shift"] = {"declining": "B", "now": 0.4, "next": 0.1}
    data["conflict"]["guarantee"] = {"credibility": 0.9, "issue": "guard"}
    space = build_space(validate(data))
    # the stakes are worth V_B = u_B(B wins) − u_B(A wins) = 0.5 − 0 to B, so its cost 0.15 is
    # 0.3 of the stakes; rhs = 0.1·(1 − 0.4 + 0.3) = 0.09; pressure δΔq = 0.27
    a, b = 0.5 * (0.09 - 0.27), 0.5 * 0.9 * 0.27
    assert space.commit_a[0] == pytest.approx(a)  # type: ignore[index]
    assert space.commit_b[0] == pytest.approx(b)  # type: ignore[index]
    point = maxmin(space)
    assert point.margin >= 0
    assert point.z[1] >= -a / b - 1e-6  # the package's guarantee level closes the problem
    data["conflict"]["guarantee"]["credibility"] = 0.5  # 0.5 < 1 − 0.09/0.27: nothing closes it
    assert maxmin(build_space(validate(data))).margin < 0


def test_chance_now_defaults_to_p() -> None:
    data = yaml.safe_load(CONFLICT)
    data["conflict"]["power_shift"] = {"declining": "B", "next": 0.1}
    implied = build_space(validate(data))
    data["conflict"]["power_shift"]["now"] = 0.4  # 1 − p
    explicit = build_space(validate(data))
    assert implied.commit_a == pytest.approx(explicit.commit_a)


@pytest.mark.parametrize("quadratic", [True, False])
def test_eight_actors_eight_issues(quadratic: bool) -> None:
    rng = np.random.default_rng(11)
    ideal = rng.uniform(0, 1, (8, 8))
    raw = rng.uniform(0.1, 1, (8, 8))
    space = make_space(ideal, raw / raw.sum(1, keepdims=True), np.full(8, 0.55), quadratic)
    sol = solve(space)
    samples = rng.uniform(0, 1, (20_000, 8))
    best_sampled = float(np.max(np.min(slacks(space, samples)[0], axis=1)))
    # the optimiser's max-min margin beats every one of 20,000 random packages
    assert sol.egalitarian.margin >= best_sampled - 1e-7
    if sol.feasible:
        for point in (sol.nash, sol.kalai_smorodinsky):
            assert point is not None
            assert point.margin >= -1e-7
    front = frontier(space, samples=200, seed=2)
    assert front.shape == (200, 8)
    for z in front[:10]:
        assert not is_dominated(space, z, samples)
