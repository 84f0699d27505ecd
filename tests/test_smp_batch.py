"""The lock-step SMP (all draws at once) against the one-draw-at-a-time reference path.

``smp`` runs every batch member in lock-step; ``smp_reference`` runs each through
``run.simulate``, the code that replicates KTAB's logs (tests/test_smp.py). Their outputs must
be equal bit for bit: forecasts and every trajectory array, deterministic and stochastic."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import multipolar
from multipolar.models import registry
from multipolar.models.registry import ModelOutput
from multipolar.models.smp import prepare, smp, smp_reference
from multipolar.models.smp.batch import classes
from multipolar.models.smp.pce import pce
from multipolar.models.smp.run import draw_keys, uniforms
from multipolar.models.smp.turn import unique_classes
from multipolar.scenario.arrays import Inputs, from_arrays, to_inputs
from multipolar.scenario.formats import import_file
from multipolar.uncertainty.montecarlo import draw_inputs
from tests.conftest import SCENARIOS, shared_path

DEFAULTS = registry.get("smp").defaults


def both(inputs: Inputs, **params: Any) -> tuple[ModelOutput, ModelOutput]:
    merged = {**DEFAULTS, **params}
    return smp(inputs, **merged), smp_reference(inputs, **merged)


def assert_identical(batched: ModelOutput, reference: ModelOutput) -> None:
    """Same forecast and trajectory arrays, to the last bit."""
    assert batched.forecast.shape == reference.forecast.shape
    assert batched.forecast.tobytes() == reference.forecast.tobytes()
    assert set(batched.trajectory) == set(reference.trajectory)
    for name, want in reference.trajectory.items():
        got = np.asarray(batched.trajectory[name])
        assert got.shape == np.shape(want), name
        assert got.tobytes() == np.asarray(want).tobytes(), name


def take(inputs: Inputs, rows: Any) -> Inputs:
    """Some draws of a batch."""
    arrays_ = (inputs.x, inputs.c, inputs.s, inputs.mask, inputs.lo, inputs.hi, inputs.ref)
    return Inputs(*(a[rows] for a in arrays_), inputs.actors, inputs.issues)


# --- random batches: masks, ties, zero salience and capability, every option ------------------

GRID = [0.0, 10.0, 25.0, 50.0, 50.04, 75.0, 100.0]  # exact ties and near ties (within 1e-3)


@st.composite
def batches(draw: st.DrawFn) -> Inputs:
    b, n, k = draw(st.integers(1, 4)), draw(st.integers(3, 8)), draw(st.integers(1, 3))
    value = st.one_of(st.sampled_from(GRID), st.floats(0, 100))
    x = draw(arrays(float, (b, k, n), elements=value))
    c = draw(arrays(float, (b, 1, n), elements=st.sampled_from([0.0, 1.0, 2.5, 40.0, 200.0])))
    s = draw(arrays(float, (b, k, n), elements=st.sampled_from([0.0, 0.1, 0.35, 0.5, 1.0])))
    mask = draw(arrays(bool, (b, k, n)))
    mask[..., 0] = True  # every issue has a positioned actor
    return from_arrays(x, c, s / k, mask=mask)


OPTIONS = st.fixed_dictionaries(
    {
        "victory_prob_model": st.sampled_from(["linear", "square", "quartic", "octic", "binary"]),
        "pce_model": st.sampled_from(["conditional", "markov_incentive", "markov_uniform"]),
        "voting_rule": st.sampled_from(
            ["proportional", "binary", "prop_bin", "prop_cbc", "cubic", "asym_prosp"]
        ),
        "big_r_adjust": st.sampled_from(["one_third", "full", "two_thirds", "half", "no"]),
        "big_r_range": st.sampled_from(["mid", "min", "max"]),
        "third_party_commit": st.sampled_from(["semi_commit", "no_commit", "full_commit"]),
        "bargn_model": st.sampled_from(["init_only_interp", "init_rcvr_interp", "pw_comp_interp"]),
        "inter_vec_brgn": st.sampled_from(["s2p2", "s1p1", "s2p_max"]),
        "state_transitions": st.sampled_from(["deterministic", "stochastic"]),
        "max_turns": st.integers(1, 12),
        "min_turns": st.integers(0, 3),
        "stop_ratio": st.sampled_from([0.0, 0.02, 0.3]),
    }
)


@settings(max_examples=80, deadline=None)
@given(
    inputs=batches(),
    options=OPTIONS,
    seed=st.integers(0, 2**32),
    affine=st.booleans(),
    data=st.data(),
)
def test_random_batches_equal_the_reference(
    inputs: Inputs, options: dict[str, Any], seed: int, affine: bool, data: st.DataObject
) -> None:
    n = inputs.x.shape[-1]
    affinity = None
    if affine:
        weights = st.sampled_from([0.0, 0.1, 0.5, 1.0])
        affinity = data.draw(arrays(float, (n, n), elements=weights))
    batched, reference = both(inputs, seed=seed, affinity=affinity, **options)
    assert_identical(batched, reference)
    assert np.all(np.isfinite(batched.forecast))


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("transitions", ["deterministic", "stochastic"])
def test_few_actors_and_no_turns(n: int, transitions: str) -> None:
    """Fewer than three actors never move; ``max_turns=0`` stops at once."""
    x = np.array([[[20.0, 80.0, 50.0][:n]], [[30.0, 30.0, 30.0][:n]]])
    inputs = from_arrays(x, [1.0, 2.0, 3.0][:n], [0.5, 0.2, 0.9][:n])
    for turns in (0, 5):
        batched, reference = both(inputs, state_transitions=transitions, max_turns=turns)
        assert_identical(batched, reference)
        moved = batched.trajectory["turns"] > 0
        assert not np.any(moved) if n < 3 or turns == 0 else np.all(moved)


# --- the flagship scenario's Monte Carlo draws -----------------------------------------------


def test_ukraine_draws_equal_the_reference() -> None:
    scn = multipolar.load(SCENARIOS / "ukraine_2025_08.yaml")
    inputs, _ = draw_inputs(scn, 120, seed=4)
    batched, reference = both(inputs, **prepare(scn))
    assert_identical(batched, reference)
    turns = batched.trajectory["turns"]
    assert np.unique(turns).size > 3  # draws stop at different turns: frozen ones stay put
    stochastic, again = both(take(inputs, slice(0, 40)), state_transitions="stochastic", seed=9)
    assert_identical(stochastic, again)


def test_copies_of_the_point_scenario_all_give_the_point_forecast() -> None:
    """Without ranges every draw is the point scenario: each draw's forecast is the unbatched
    deterministic forecast, to the last bit."""
    scn = multipolar.load(SCENARIOS / "ukraine_2025_08.yaml")
    point = to_inputs(scn)
    fields = (point.x, point.c, point.s, point.mask, point.lo, point.hi, point.ref)
    copies = take(Inputs(*(a[None] for a in fields)), np.zeros(6, dtype=int))
    alone = smp(point, **DEFAULTS).forecast
    many = smp(copies, **DEFAULTS).forecast
    assert many.shape == (6, *alone.shape)
    for row in many:
        assert row.tobytes() == alone.tobytes()


def test_each_draw_equals_that_draw_alone() -> None:
    """Lock-step freezing: draw b of a batch is what the batched path gives draw b by itself,
    whatever turn the other draws stop at (deterministic); in stochastic mode draw 0's stream
    does not depend on the batch size."""
    scn = multipolar.load(SCENARIOS / "ukraine_2025_08.yaml")
    inputs, _ = draw_inputs(scn, 12, seed=2)
    together = smp(inputs, **DEFAULTS)
    for b in range(12):
        alone = smp(take(inputs, slice(b, b + 1)), **DEFAULTS)
        turns = int(alone.trajectory["turns"][0])
        assert together.trajectory["turns"][b] == turns
        assert together.forecast[b].tobytes() == alone.forecast[0].tobytes()
        mine = together.trajectory["positions"][b, : turns + 1]
        assert mine.tobytes() == alone.trajectory["positions"][0].tobytes()
        padding = together.trajectory["positions"][b, turns:]
        assert np.all(padding == padding[0])  # a stopped draw keeps its final state
    params = {**DEFAULTS, "state_transitions": "stochastic", "seed": 5}
    first = smp(take(inputs, slice(0, 1)), **params)
    assert first.forecast[0].tobytes() == smp(inputs, **params).forecast[0].tobytes()


# --- KTAB's reference scenarios -----------------------------------------------------------------


def jitter(inputs: Inputs, draws: int, seed: int) -> Inputs:
    """``draws`` copies of a scenario with positions and saliences perturbed."""
    rng = np.random.default_rng(seed)
    x = np.clip(inputs.x + rng.normal(0.0, 3.0, (draws, *inputs.x.shape)), 0.0, 100.0)
    s = np.clip(inputs.s * rng.uniform(0.8, 1.2, (draws, *inputs.s.shape)), 0.0, 1.0)
    x[0], s[0] = inputs.x, inputs.s  # draw 0 is the scenario itself
    lead = (draws, *inputs.lo.shape)
    return Inputs(
        x,
        np.broadcast_to(inputs.c, x.shape).copy(),
        s,
        np.broadcast_to(inputs.mask, x.shape).copy(),
        np.broadcast_to(inputs.lo, lead).copy(),
        np.broadcast_to(inputs.hi, lead).copy(),
        np.broadcast_to(inputs.ref, lead).copy(),
    )


@pytest.mark.shared
@pytest.mark.parametrize("name", ["dummyData_3Dim.csv", "SOE-Pol-Comp.csv"])
def test_ktab_scenarios_equal_the_reference(name: str) -> None:
    scn = import_file("ktab", shared_path("data", "ktab", name)).scenarios[0]
    inputs = to_inputs(scn)
    single, reference = both(inputs)
    assert_identical(single, reference)
    batched, reference = both(jitter(inputs, 3, seed=len(name)))
    assert_identical(batched, reference)
    assert batched.forecast[0].tobytes() == single.forecast.tobytes()


@pytest.mark.shared
def test_smp_example_equals_the_reference() -> None:
    """smpExample.xml: PropCbc votes, Markov-incentive PCE, an affinity matrix, stochastic."""
    scn = import_file("ktab", shared_path("data", "ktab", "smpExample.xml")).scenarios[0]
    params = {**scn.models["smp"], **prepare(scn)}
    inputs = jitter(to_inputs(scn), 3, seed=1)
    assert_identical(*both(inputs, **params, seed=3))
    assert_identical(*both(inputs, **{**params, "state_transitions": "deterministic"}))


@pytest.mark.shared
@pytest.mark.parametrize("name", ["A", "B", "P", "ap", "bin"])
def test_ktab_variants_equal_the_reference(name: str) -> None:
    """SOE-Pol-Comp under KTAB's non-default parameter sets (tests/test_smp_variants.py)."""
    path = shared_path("data", "ktab", "variants", f"SOE-Pol-Comp-{name}.xml")
    scn = import_file("ktab", path).scenarios[0]
    params = scn.models["smp"]
    assert_identical(*both(to_inputs(scn), **params))
    assert_identical(*both(jitter(to_inputs(scn), 2, seed=5), **params))


# --- the pieces ------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    c=st.integers(1, 5).flatmap(
        lambda g: st.integers(2, 12).flatmap(
            lambda m: arrays(float, (g, m, m), elements=st.sampled_from([1e-8, 0.3, 1.0, 7.5]))
        )
    ),
    vpm=st.sampled_from(["linear", "square", "quartic", "octic", "binary"]),
    pcem=st.sampled_from(["conditional", "markov_incentive", "markov_uniform"]),
)
def test_pce_of_a_batch_is_the_pce_of_each_problem(c: np.ndarray, vpm: str, pcem: str) -> None:
    together = pce(c, vpm, pcem)
    for g in range(c.shape[0]):
        assert together[g].tobytes() == pce(c[g], vpm, pcem).tobytes()
    np.testing.assert_allclose(np.sum(together, axis=-1), 1.0)


@settings(max_examples=40, deadline=None)
@given(
    pos=st.integers(1, 4).flatmap(
        lambda b: st.integers(1, 9).flatmap(
            lambda n: arrays(
                float, (b, n, 2), elements=st.sampled_from([0.0, 0.0006, 0.0012, 0.5, 0.5009])
            )
        )
    )
)
def test_classes_are_ktab_unique_positions(pos: np.ndarray) -> None:
    """Near ties are not transitive (0 ~ 0.0006 ~ 0.0012, 0 !~ 0.0012): the greedy order counts."""
    cls, reps, count = classes(pos)
    for b in range(pos.shape[0]):
        want_reps, want_cls = unique_classes(pos[b])
        assert list(cls[b]) == list(want_cls)
        assert list(reps[b, : count[b]]) == list(want_reps)


def test_draw_streams() -> None:
    keys = draw_keys(7, 1000)
    assert keys.tobytes()[:80] == draw_keys(7, 10).tobytes()  # a draw's key ignores the others
    u = uniforms(keys, 3, 5)
    assert u.shape == (1000, 5)
    assert np.all((u >= 0.0) & (u < 1.0))
    assert abs(float(u.mean()) - 0.5) < 0.02
    assert uniforms(keys[400:], 3, 5).tobytes() == u[400:].tobytes()  # counter-based
    assert not np.array_equal(u, uniforms(keys, 4, 5))
    assert abs(float(np.corrcoef(u[:, 0], uniforms(keys, 4, 5)[:, 0])[0, 1])) < 0.1


def test_stochastic_runs_are_seeded() -> None:
    inputs = from_arrays(
        np.array([[10.0, 90.0, 40.0, 60.0, 55.0]]) + np.arange(6.0)[:, None, None],
        [1.0, 2.0, 1.5, 1.0, 3.0],
        [0.9, 0.5, 0.4, 0.8, 0.6],
    )
    params = {**DEFAULTS, "state_transitions": "stochastic"}
    first, again = smp(inputs, **params, seed=1), smp(inputs, **params, seed=1)
    assert first.trajectory["positions"].tobytes() == again.trajectory["positions"].tobytes()
    other = smp(inputs, **params, seed=2)
    assert first.trajectory["positions"].tobytes() != other.trajectory["positions"].tobytes()
