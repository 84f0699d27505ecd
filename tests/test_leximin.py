"""The batched interior-point leximin (deals/ipm.py, deals/leximin.py) against the one-draw SLSQP
path it replaced (kept as its fallback), and the batched backtest forecasts against one issue
at a time."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from multipolar.deals import solve
from multipolar.deals.space import DealSpace, slacks, stack
from tests.conftest import shared_path


def _space(seed: int) -> DealSpace:
    """A random one-draw quadratic deal space: 2-4 parties that must accept (and a bystander),
    2-4 issues, walk-away values that leave room or not, sometimes a commitment row."""
    rng = np.random.default_rng(seed)
    m, k = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    n = m + 1
    ideal = rng.uniform(0, 1, (1, n, k))
    weight = rng.uniform(0.05, 1, (1, n, k))
    weight /= weight.sum(axis=-1, keepdims=True)
    walk = rng.uniform(0.3, 0.95, (1, n))
    commit = rng.random() < 0.5
    guarantee = int(rng.integers(0, k)) if commit and rng.random() < 0.7 else None
    return DealSpace(
        actors=tuple(f"a{i}" for i in range(n)), issues=tuple(f"i{j}" for j in range(k)),
        lo=np.zeros(k), hi=np.ones(k), ideal=ideal, weight=weight, quadratic=True,
        walk_away=walk, veto=np.array([True] * m + [False]), status_quo=np.full((1, k), 0.5),
        commit_a=rng.uniform(-0.05, 0.05, 1) if commit else None,
        commit_b=rng.uniform(0, 0.1, 1) if commit else None, guarantee_issue=guarantee,
    )  # fmt: skip


def _levels(space: DealSpace, z: np.ndarray) -> np.ndarray:
    """Every row's slack at z, sorted: what leximin maximises, lexicographically."""
    return np.sort(slacks(space, z[None])[0, 0][solve.binding(space)])


@settings(max_examples=15, deadline=None, derandomize=True)
@given(st.integers(0, 2**31))
def test_leximin_agrees_with_the_slsqp_rounds(seed: int) -> None:
    space = _space(seed)
    fast = solve.leximin_points(space)[0]
    slow = solve._maxmin(space, 0, leximin=True)
    assert abs(fast.margin - slow.margin) < 1e-7
    # the binding levels agree to the solvers' precision; the later ones to its square root:
    # SLSQP's floors hold to ~1e-12, and a row tied at the optimum then leaves the package
    # ~sqrt(1e-12 / curvature) of room, which its later rounds spend on the next levels
    a, b = _levels(space, fast.z), _levels(space, slow.z)
    np.testing.assert_allclose(a[0], b[0], atol=1e-7)
    np.testing.assert_allclose(a, b, atol=2e-5)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(st.integers(0, 2**31))
def test_each_partys_best_package_agrees_with_slsqp(seed: int) -> None:
    space = _space(seed)
    egal = solve.leximin_points(space)[0]
    if egal.margin < 1e-4:  # nothing strictly feasible: the programme has no interior
        return
    parties = np.nonzero(space.veto)[0]
    for i, point in enumerate(solve.best_each(space)):
        slow = solve._best_for(space, i)
        u_fast = slacks(space, point.z[None])[0, 0, parties[i]]
        u_slow = slacks(space, slow.z[None])[0, 0, parties[i]]
        assert abs(u_fast - u_slow) < 1e-6
        assert point.margin >= -1e-9  # feasible


def test_a_batch_of_draws_gives_each_draw_its_own_answer() -> None:
    spaces = [_space(s) for s in range(12)]
    same = [s for s in spaces if s.ideal.shape == spaces[0].ideal.shape]
    batch = stack([_shape_like(s, same[0]) for s in same])
    assert batch is not None
    together = solve.leximin_points(batch)
    for d, space in enumerate(same):
        alone = solve.leximin_points(_shape_like(space, same[0]))[0]
        np.testing.assert_array_equal(together[d].z, alone.z)


def _shape_like(space: DealSpace, like: DealSpace) -> DealSpace:
    """``space``'s numbers with ``like``'s rows (who must accept, the commitment), so that the
    two stack."""
    commit = like.commit_a is not None
    return DealSpace(
        like.actors, like.issues, like.lo, like.hi, space.ideal, space.weight, True,
        space.walk_away, like.veto, space.status_quo,
        (space.commit_a if space.commit_a is not None else np.zeros(1)) if commit else None,
        (space.commit_b if space.commit_b is not None else np.zeros(1)) if commit else None,
        like.guarantee_issue,
    )  # fmt: skip


def test_backtest_batches_give_each_issue_its_own_forecast() -> None:
    from multipolar.backtest import load_deu
    from multipolar.backtest.fit import _one, forecasts_by_weight, variants

    data = load_deu(shared_path("data", "deu", "deu3.csv"))
    issues = [i for i in data.issues if len(i.actors) in (15, 16)][:6]
    for variant in variants(["compromise", "eum-reference", "smp"]):
        batched = forecasts_by_weight(issues, variant, "council", [1.0, 2.5])
        for w, weight in enumerate((1.0, 2.5)):
            alone = [_one(i, variant, "council", weight, 1.0, 0) for i in issues]
            np.testing.assert_array_equal(batched[w], alone)
