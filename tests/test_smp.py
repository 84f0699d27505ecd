"""KTAB's Spatial Model of Politics: replication of KTAB's reference runs, pieces against
hand-computed values, degenerate input and random scenarios."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from multipolar.errors import UsageError
from multipolar.models import registry
from multipolar.models.api import forecast
from multipolar.models.smp import config, expected_positions, prepare, simulate, smp
from multipolar.models.smp.challenge import contest, interpolate, round4
from multipolar.models.smp.inputs import to_unit
from multipolar.models.smp.params import choice
from multipolar.models.smp.pce import (
    coalitions,
    conditional,
    markov_incentive,
    markov_uniform,
    pce,
    scalar_pce,
    victory_prob,
)
from multipolar.models.smp.run import state_distance
from multipolar.models.smp.turn import assess, new_ideals, play_turn, unique_classes
from multipolar.models.smp.utility import (
    distances,
    perspective_risk,
    quad_utility,
    risk_from_prob,
    vote,
)
from multipolar.scenario.arrays import Inputs, from_arrays, to_inputs
from multipolar.scenario.formats import import_file
from multipolar.scenario.schema import Scenario
from tests.conftest import shared_path
from tests.ktab_logs import KtabLog, KtabPrng, log_chooser, read_log

PER_TURN_TOL = 0.1  # 0-100 scale
FINAL_TOL = 0.05
REFERENCE = {
    "dummyData_3Dim.csv": ("20170530_ref-dummyData_3Dim.txt", 11),
    "SOE-Pol-Comp.csv": ("20170530_ref-SOE-Pol-Comp.txt", 28),
    "smpExample.xml": ("20170530_ref-smpExample.txt", 15),
}


def ktab(name: str) -> tuple[Scenario, KtabLog]:
    log_name, _ = REFERENCE[name]
    scn = import_file("ktab", shared_path("data", "ktab", name)).scenarios[0]
    return scn, read_log(shared_path("data", "ktab", log_name))


def deviations(positions: np.ndarray, log: KtabLog) -> tuple[float, float]:
    """Max |ours - KTAB| over every turn after the first state, and over the final state.

    ``positions`` is ``(T+1, n, k)`` on the 0-100 scale."""
    per_turn = float(np.max(np.abs(positions[1:] - log.positions)))
    final = float(np.max(np.abs(positions[-1] - log.positions[-1])))
    return per_turn, final


# --- (a) replication of KTAB's reference runs -------------------------------------------------


@pytest.mark.shared
@pytest.mark.parametrize("name", ["dummyData_3Dim.csv", "SOE-Pol-Comp.csv"])
def test_replicates_deterministic_reference_runs(name: str) -> None:
    scn, log = ktab(name)
    fc = forecast(scn, "smp")
    states = REFERENCE[name][1]
    assert log.states == states
    assert fc.trajectory["turns"] == states - 1
    positions = np.swapaxes(fc.trajectory["positions"], -1, -2)  # (T+1, n, k)
    assert positions.shape[0] == states
    np.testing.assert_allclose(positions[0], fc.positions.T)
    per_turn, final = deviations(positions, log)
    assert per_turn <= PER_TURN_TOL
    assert final <= FINAL_TOL
    # the probabilities of each actor's position, as KTAB reports them (4 decimals)
    logged = np.array(list(log.prob.values())).T  # actors in input order
    np.testing.assert_allclose(fc.trajectory["prob"], logged, atol=1e-4)
    # the inferred risk attitudes of every state (3 decimals)
    np.testing.assert_allclose(fc.trajectory["risk"][:, 0, :], np.array(log.risk), atol=1e-3)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["dummyData_3Dim.csv", "SOE-Pol-Comp.csv"])
def test_every_turns_choices_match_the_log(name: str) -> None:
    """Targets, queues, queue probabilities and chosen bargains, turn by turn."""
    scn, log = ktab(name)
    pos, sal, cap, _ = to_unit(to_inputs(scn), ())
    run = simulate(pos, sal, cap, config(), keep_outcomes=True)
    for out, logged in zip(run.outcomes, log.turns, strict=True):
        assert {i: int(j) for i, j in enumerate(out.targets) if j >= 0} == logged.targets
        for k, keys in enumerate(out.queues):
            assert sorted(keys) == sorted((i, j, 0) for _, i, j in logged.queues[k])
            order = [keys.index((i, j, 0)) for _, i, j in logged.queues[k]]
            np.testing.assert_allclose(out.probs[k][order], logged.probs[k], atol=1e-4)
            # the same bargain, or one tied with it (KTAB breaks ties in its thread order)
            ours, theirs = out.probs[k][out.chosen[k]], out.probs[k][order[logged.chosen[k]]]
            assert ours == pytest.approx(theirs, rel=1e-9)
    ratios = np.array(run.ratios)
    np.testing.assert_allclose(ratios, log.ratios[: ratios.size], atol=1e-4)
    assert ratios[-1] < 0.02 <= np.min(ratios[1:-1])


@pytest.mark.shared
def test_replicates_stochastic_smp_example_with_ktab_prng() -> None:
    """smpExample.xml: StateTransitions=Stochastic, PCE MarkovIncentive, votes PropCbc, and an
    ideal-adjustment matrix. KTAB drew from its PRNG (MT19937-64 + qTrans, the XML seed) once
    per actor and turn, in the order its threads resolved the queues, over queues filled in
    thread order. Replaying those logged orders with KTAB's PRNG reproduces the run exactly."""
    scn, log = ktab("smpExample.xml")
    pos, sal, cap, _ = to_unit(to_inputs(scn), ())
    cfg = config(**scn.models["smp"])
    assert cfg.stochastic
    assert cfg.pce_model == "markov_incentive"
    assert cfg.voting_rule == "prop_cbc"
    seed = int(scn.metadata["ktab"]["prng_seed"])
    n = pos.shape[0]
    choose = log_chooser(log, seed, n)
    affinity = prepare(scn)["affinity"]
    run = simulate(pos, sal, cap, cfg, affinity=affinity, choose=choose)
    assert log.states == 15
    assert run.turns == 14
    per_turn, final = deviations(100 * run.positions, log)
    assert per_turn <= PER_TURN_TOL
    assert final <= FINAL_TOL
    np.testing.assert_allclose(100 * run.ideals[1:], log.ideals, atol=1e-3)
    logged = np.array(list(log.prob.values())).T  # actors in input order
    np.testing.assert_allclose(run.prob, logged, atol=1e-4)


@pytest.mark.shared
def test_ktab_prng_explains_the_first_stochastic_turn() -> None:
    """The first five draws of KTAB's PRNG pick exactly the logged bargains of turn 0."""
    scn, log = ktab("smpExample.xml")
    prng = KtabPrng(int(scn.metadata["ktab"]["prng_seed"]))
    turn = log.turns[0]
    assert turn.order == [0, 1, 2, 3, 4]
    for k in turn.order:
        u = prng.uniform()
        cum = np.cumsum(turn.probs[k])
        assert int(np.searchsorted(cum - 5e-5, u)) == turn.chosen[k]  # logged to 4 decimals


@pytest.mark.shared
def test_smp_example_in_our_own_modes() -> None:
    """Deterministic mode, and seeded stochastic mode (numpy's generator), run to a stop."""
    scn, _ = ktab("smpExample.xml")
    det = forecast(scn, "smp", state_transitions="deterministic")
    assert det.trajectory["turns"] < 100
    first = forecast(scn, "smp", seed=11)
    again = forecast(scn, "smp", seed=11)
    assert first.values.tobytes() == again.values.tobytes()
    for fc in (det, first):
        assert np.all((fc.values >= 0.0) & (fc.values <= 100.0))


@pytest.mark.shared
def test_prepare_builds_ktab_affinity() -> None:
    path = shared_path("data", "ktab", "smpExample.xml")
    scn = import_file("ktab", path).scenarios[0]
    expected = np.eye(5)
    expected[0, 0], expected[1, 1], expected[1, 0] = 0.87, 0.75, 0.07
    expected[2, 2], expected[2, 3], expected[3, 3] = 0.65, 0.13, 0.57
    np.testing.assert_allclose(prepare(scn)["affinity"], expected)
    csv = import_file("ktab", shared_path("data", "ktab", "dummyData_3Dim.csv")).scenarios[0]
    assert prepare(csv) == {}


# --- (b) a large scenario ------------------------------------------------------------------


@pytest.mark.shared
def test_160_actors_converge() -> None:
    scn = import_file("ktab", shared_path("data", "ktab", "dummyData-a160.csv")).scenarios[0]
    start = time.perf_counter()
    out = smp(to_inputs(scn))
    elapsed = time.perf_counter() - start
    turns = int(out.trajectory["turns"])
    assert turns < 100
    assert np.all(np.isfinite(out.trajectory["positions"]))
    assert 0.0 <= out.forecast[0] <= 100.0
    assert elapsed < 30.0


# --- (c) the pieces against hand-computed values ---------------------------------------------


def test_quadratic_utility() -> None:
    d = np.array([0.0, 0.5, 0.5, 0.5, 1.0, 1.2])
    r = np.array([0.3, 0.0, 1.0, -1.0, 0.5, 0.5])
    np.testing.assert_allclose(quad_utility(d, r), [1.0, 0.5, 0.75, 0.25, 0.0, -0.3])


def test_salience_weighted_distance() -> None:
    ideal = np.array([[0.0, 0.0], [0.5, 0.5]])
    pos = np.array([[0.0, 0.0], [0.3, 0.4]])
    sal = np.array([[0.6, 0.8], [0.0, 0.0]])
    d = distances(ideal, pos, sal)
    # sqrt(((0.6*0.3)^2 + (0.8*0.4)^2) / (0.36 + 0.64)) = sqrt(0.0324 + 0.1024)
    assert d[0, 1] == pytest.approx(np.sqrt(0.1348))
    assert d[0, 0] == 0.0
    np.testing.assert_array_equal(d[1], 0.0)  # no salience: indifferent


def test_risk_attitudes_from_probabilities() -> None:
    p = np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(risk_from_prob(p, "mid"), [-0.5, 0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(risk_from_prob(p, "min"), [0.0, 1 / 3, 1.0], atol=1e-12)
    np.testing.assert_allclose(risk_from_prob(p, "max"), [-1.0, -1 / 3, 1.0], atol=1e-12)
    np.testing.assert_array_equal(risk_from_prob(np.full(3, 1 / 3), "mid"), 0.0)
    r = perspective_risk(np.array([1.0, -0.5]), "one_third")
    np.testing.assert_allclose(r, [[1.0, 0.5], [0.0, -0.5]])
    np.testing.assert_allclose(perspective_risk(np.array([1.0, -0.5]), "full")[0], [1.0, -0.5])
    np.testing.assert_allclose(perspective_risk(np.array([1.0, -0.5]), "no")[0], [1.0, 1.0])


@pytest.mark.parametrize(
    ("rule", "up", "down"),
    [
        ("proportional", 1.0, -1.0),
        ("binary", 2.0, -2.0),
        ("prop_bin", 1.2, -1.2),
        ("prop_cbc", 0.625, -0.625),
        ("cubic", 0.25, -0.25),
        ("asym_prosp", 2 / 3, -1.0),
    ],
)
def test_vote_rules(rule: str, up: float, down: float) -> None:
    v = vote(rule, 2.0, np.array([0.5, -0.5, 0.0]))
    np.testing.assert_allclose(v, [up, down, 0.0])


def test_victory_probability_models() -> None:
    c = np.array([[1e-8, 3.0], [1.0, 1e-8]])
    assert victory_prob(c, "linear")[0, 1] == pytest.approx(0.75)
    assert victory_prob(c, "square")[0, 1] == pytest.approx(0.9)
    assert victory_prob(c, "quartic")[0, 1] == pytest.approx(81 / 82)
    assert victory_prob(c, "binary")[0, 1] == pytest.approx(1 / (1 + 1e-6))
    near = np.array([[1e-8, 1.05], [1.0, 1e-8]])
    ratio = 1.05 / 2.05
    assert victory_prob(near, "binary")[0, 1] == pytest.approx((ratio * 2.1 - 1) / 0.1)
    p = victory_prob(c, "octic")
    np.testing.assert_allclose(np.diag(p), 0.5)
    np.testing.assert_allclose(p + p.T, 1.0)


def test_coalitions_and_scalar_pce() -> None:
    u = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    w = np.array([2.0, 1.0, 5.0])
    c = coalitions(u, w, "proportional")
    np.testing.assert_allclose(c, [[1e-8, 2.0 + 1e-8], [1.0 + 1e-8, 1e-8]])
    np.testing.assert_allclose(
        scalar_pce(u, w, "proportional", "linear", "conditional"), [2 / 3, 1 / 3]
    )


def test_conditional_pce() -> None:
    p = np.array([[0.5, 0.6, 0.7], [0.4, 0.5, 0.8], [0.3, 0.2, 0.5]])
    # products 0.21, 0.16, 0.03 over their sum 0.40
    np.testing.assert_allclose(conditional(p), [0.525, 0.4, 0.075])


def test_markov_uniform_pce() -> None:
    p = np.array([[0.5, 0.7], [0.3, 0.5]])
    np.testing.assert_allclose(markov_uniform(p), [0.7, 0.3], atol=1e-5)  # fixed point p = P[a>b]
    three = np.array([[0.5, 0.6, 0.7], [0.4, 0.5, 0.8], [0.3, 0.2, 0.5]])
    dist = markov_uniform(three)
    fixed = (three.sum(axis=1) * dist + three @ dist) / 3
    np.testing.assert_allclose(fixed, dist, atol=2e-6)
    assert dist.sum() == pytest.approx(1.0)


def test_markov_incentive_pce() -> None:
    c = np.array([[1e-8, 3.0], [1.0, 1e-8]])
    # a challenges b with all the incentive, so the chain sits where P[a>b] puts it
    np.testing.assert_allclose(pce(c, "linear", "markov_incentive"), [0.75, 0.25], atol=1e-6)
    np.testing.assert_allclose(markov_incentive(c, victory_prob(c, "linear")).sum(), 1.0)


def test_contest_by_hand() -> None:
    """Initiator 0 against 1 with third party 2: P = 8/17, expected gain to 0 = 4/17."""
    uh = np.array([[1.0, 0.5, 0.2], [0.4, 1.0, 0.6], [0.3, 0.7, 1.0]])
    w, total = np.ones(3), np.full(3, 0.5)
    p, gain = contest(uh, 0, np.array([1]), 0, w, total, "proportional", "semi_commit")
    assert p[0] == pytest.approx(8 / 17)
    assert gain[0] == pytest.approx(4 / 17)
    # full and no commitment: third parties do not vote, P = 0.5/1.1
    p_full, _ = contest(uh, 0, np.array([1]), 0, w, total, "proportional", "full_commit")
    assert p_full[0] == pytest.approx(0.5 / 1.1)


@pytest.mark.shared
def test_contest_matches_the_logged_estimates() -> None:
    """dummyData_3Dim turn 0: 'Est by 0 of prob 0.7643 that [0>6], gain to 0 +0.0947' and
    'Est by 6 of prob 0.7660 that [0>6], gain to 0 +0.0925, gain to 6 -0.1514'."""
    scn, _ = ktab("dummyData_3Dim.csv")
    pos, sal, cap, _ = to_unit(to_inputs(scn), ())
    a = assess(pos, pos, sal, cap, config())
    args = (sal.sum(axis=1) * cap, sal.sum(axis=1), "proportional", "semi_commit")
    p, gain = contest(a.perspective(0), 0, np.array([6]), 0, *args)
    assert (round(p[0], 4), round(gain[0], 4)) == (0.7643, 0.0947)
    p6, gain6 = contest(a.perspective(6), 0, np.array([6]), 6, *args)
    assert (round(p6[0], 4), round(gain6[0], 4)) == (0.7660, -0.1514)


def test_s2p2_and_other_bargains() -> None:
    xi, xj, s = np.array([0.2]), np.array([0.8]), np.array([0.5])
    # w_i = 0.25*0.75^2, w_j = 0.25*0.25^2: (0.140625*0.2 + 0.015625*0.8) / 0.15625 = 0.26
    bi, bj = interpolate(xi, xj, s, s, 0.75, "s2p2")
    np.testing.assert_allclose([bi[0], bj[0]], [0.26, 0.26])
    bi, bj = interpolate(xi, xj, s, s, 0.75, "s1p1")  # (0.375*0.2 + 0.125*0.8)/0.5 = 0.35
    np.testing.assert_allclose([bi[0], bj[0]], [0.35, 0.35])
    bi, bj = interpolate(xi, xj, s, s, 0.25, "s2p_max")  # only the weaker side (i) moves
    assert bi[0] == pytest.approx(0.2 + 0.6 * 0.125 / (0.25 + 1e-6))
    assert bj[0] == pytest.approx(0.8)
    bi, bj = interpolate(xi, xj, np.zeros(1), np.zeros(1), 0.9, "s2p2")  # nobody cares
    np.testing.assert_allclose([bi[0], bj[0]], [0.2, 0.8])
    np.testing.assert_allclose(round4(np.array([0.123449, 0.12345])), [0.1234, 0.1235])


def test_stopping_ratio_and_state_distance() -> None:
    a = np.array([[0.0, 0.0], [1.0, 1.0]])
    b = np.array([[0.3, 0.4], [1.0, 1.0]])
    assert state_distance(a, b) == pytest.approx(0.5)
    inputs = from_arrays([[10.0, 90.0, 50.0, 30.0]], [1.0, 1.0, 2.0, 1.0], [0.9, 0.5, 0.4, 0.8])
    pos, sal, cap, _ = to_unit(inputs, ())
    run = simulate(pos, sal, cap, config())
    first = state_distance(run.positions[0], run.positions[1]) + 1e-4
    steps = [
        state_distance(p, q) / first
        for p, q in zip(run.positions[:-1], run.positions[1:], strict=True)
    ]
    np.testing.assert_allclose(run.ratios, steps)
    assert run.turns == 100 or (run.ratios[-1] < 0.02 and run.turns >= 2)
    assert all(r >= 0.02 for r in run.ratios[1:-1])


def test_ideal_adjustment() -> None:
    ideal = np.array([[0.0], [1.0]])
    pos = np.array([[0.5], [0.5]])
    a = np.array([[0.5, 0.25], [0.0, 0.0]])
    # q0 = 0.5*0.5 + 0.25*0.5 + 0.25*0 ; q1 stays (idealistic)
    np.testing.assert_allclose(new_ideals(ideal, pos, a), [[0.375], [1.0]])
    np.testing.assert_allclose(new_ideals(ideal, pos, None), pos)


def test_unique_positions() -> None:
    pos = np.array([[0.1], [0.1005], [0.5], [0.1009], [0.5]])
    reps, cls = unique_classes(pos)
    assert list(reps) == [0, 2]
    assert list(cls) == [0, 0, 1, 0, 1]


def test_forecast_definition() -> None:
    """Probability of each unique position, shared by the actors holding it."""
    pos = np.array([[0.1], [0.1], [0.5]])
    prob = np.array([0.6, 0.6, 0.4])
    np.testing.assert_allclose(expected_positions(pos, prob, np.ones((3, 1))), [0.26])
    mask = np.array([[1.0], [1.0], [0.0]])  # actor 2 has no position on the issue
    np.testing.assert_allclose(expected_positions(pos, prob, mask), [0.1])


@pytest.mark.parametrize("model", ["init_rcvr_interp", "pw_comp_interp"])
def test_other_bargain_models(model: str) -> None:
    inputs = from_arrays([[10.0, 90.0, 40.0, 60.0]], [1.0, 2.0, 1.5, 1.0], [0.9, 0.5, 0.4, 0.8])
    pos, sal, cap, _ = to_unit(inputs, ())
    cfg = config(bargn_model=model)
    out = play_turn(0, pos, pos, sal, cap, None, assess(pos, pos, sal, cap, cfg), cfg, lambda *_: 0)
    offers = [key for keys in out.queues for key in keys if key[0] != key[1]]
    assert offers
    views = {key[2] for key in offers}
    assert views == ({0, 1} if model == "init_rcvr_interp" else {0})
    for k, keys in enumerate(out.queues):
        assert keys[0] == (k, k, 0)
        assert all(k in key[:2] for key in keys)


def test_parameter_spellings() -> None:
    assert choice("voting_rule", "Proportional") == "proportional"
    assert choice("voting_rule", "prop") == "proportional"
    assert choice("voting_rule", "PropCbc") == "prop_cbc"
    assert choice("big_r_adjust", "None") == "no"
    assert choice("inter_vec_brgn", "S2PMax") == "s2p_max"
    with pytest.raises(UsageError):
        choice("pce_model", "markov")
    with pytest.raises(UsageError):
        registry.get("smp").run(from_arrays([[1.0, 2.0, 3.0]], 1.0, 0.5), turns=3)
    defaults = registry.get("smp").defaults
    assert defaults["voting_rule"] == "proportional"
    assert defaults["max_turns"] == 100
    assert defaults["affinity"] is None


# --- degenerate input and the output's form --------------------------------------------------


def run_smp(inputs: Inputs, **params: Any) -> Any:
    return registry.get("smp").run(inputs, seed=3, **params)


@pytest.mark.parametrize(
    ("x", "c", "s", "turns"),
    [
        ([35.0, 35.0, 35.0], [1.0, 2.0, 3.0], [0.5, 0.5, 0.5], 2),
        ([20.0], [1.0], [0.5], 0),
        ([20.0, 80.0], [1.0, 2.0], [0.5, 0.5], 0),
        ([20.0, 80.0, 50.0], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0], 2),
        ([20.0, 80.0, 50.0], [0.0, 0.0, 0.0], [0.5, 0.5, 0.5], 2),
        ([20.0, 80.0, 50.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0], 2),
    ],
    ids=["all-equal", "one-actor", "two-actors", "zero-salience", "zero-capability", "zeros"],
)
@pytest.mark.parametrize("transitions", ["deterministic", "stochastic"])
def test_degenerate_input(
    x: list[float], c: list[float], s: list[float], turns: int, transitions: str
) -> None:
    out = run_smp(from_arrays(x, c, s), state_transitions=transitions)
    if transitions == "deterministic" or turns == 0:  # random moves among equal options
        assert int(out.trajectory["turns"]) == turns
    for value in out.trajectory.values():
        assert np.all(np.isfinite(value))
    assert min(x) <= out.forecast[0] <= max(x)
    if turns == 0:  # fewer than 3 actors: nothing moves
        np.testing.assert_array_equal(out.trajectory["positions"][-1, 0], x)
    if len(set(x)) == 1:
        assert out.forecast[0] == pytest.approx(x[0])


def test_missing_positions_and_batches() -> None:
    x = np.array([[[10.0, 90.0, 40.0, 60.0], [5.0, 0.0, 7.0, 9.0]]] * 2)
    x[1] += 1.0
    mask = np.array([[True, True, True, True], [True, False, True, True]])
    inputs = from_arrays(
        x,
        [1.0, 2.0, 1.5, 1.0],
        [[0.5, 0.4, 0.3, 0.2], [0.5, 0.6, 0.7, 0.8]],
        lo=[0.0, 0.0],
        hi=[100.0, 10.0],
        mask=mask,
    )
    out = run_smp(inputs)
    assert out.forecast.shape == (2, 2)
    turns = out.trajectory["turns"]
    assert turns.shape == (2,)
    longest = int(turns.max()) + 1
    assert out.trajectory["positions"].shape == (2, longest, 2, 4)
    assert out.trajectory["prob"].shape == (2, longest, 4)
    assert out.trajectory["expected"].shape == (2, longest, 2)
    np.testing.assert_allclose(out.trajectory["positions"][:, 0][:, mask], x[:, mask])
    # the unpositioned actor starts at the capability-weighted mean of the others
    assert out.trajectory["positions"][0, 0, 1, 1] == pytest.approx((5 + 1.5 * 7 + 9) / 3.5)
    assert np.all((out.forecast[:, 1] >= 5.0) & (out.forecast[:, 1] <= 10.0))


def test_affinity_parameter() -> None:
    inputs = from_arrays([[10.0, 90.0, 40.0, 60.0]], [1.0, 2.0, 1.5, 1.0], [0.5, 0.4, 0.3, 0.2])
    fixed = run_smp(inputs, affinity=np.zeros((4, 4)))  # idealistic: ideals never move
    assert np.all(np.isfinite(fixed.forecast))
    with pytest.raises(UsageError):
        run_smp(inputs, affinity=np.eye(3))


# --- (d) random small scenarios ----------------------------------------------------------------


@st.composite
def scenarios(draw: st.DrawFn) -> Inputs:
    n = draw(st.integers(3, 6))
    k = draw(st.integers(1, 3))
    grid = st.floats(0, 100).map(lambda v: round(v, 2))
    x = draw(arrays(float, (k, n), elements=grid))
    c = draw(arrays(float, (n,), elements=st.floats(0, 200).map(lambda v: round(v, 2))))
    s = draw(arrays(float, (k, n), elements=st.floats(0, 1).map(lambda v: round(v, 2))))
    return from_arrays(x, c, s / k)


OPTIONS = st.fixed_dictionaries(
    {
        "victory_prob_model": st.sampled_from(["linear", "square", "quartic", "binary"]),
        "pce_model": st.sampled_from(["conditional", "markov_incentive", "markov_uniform"]),
        "voting_rule": st.sampled_from(["proportional", "prop_cbc", "binary", "asym_prosp"]),
        "big_r_range": st.sampled_from(["mid", "min", "max"]),
        "bargn_model": st.sampled_from(["init_only_interp", "init_rcvr_interp", "pw_comp_interp"]),
        "inter_vec_brgn": st.sampled_from(["s2p2", "s1p1", "s2p_max"]),
        "state_transitions": st.sampled_from(["deterministic", "stochastic"]),
    }
)


@settings(max_examples=60, deadline=None)
@given(inputs=scenarios(), options=OPTIONS, seed=st.integers(0, 2**32))
def test_random_scenarios(inputs: Inputs, options: dict[str, str], seed: int) -> None:
    spec = registry.get("smp")
    first = spec.run(inputs, seed=seed, max_turns=20, **options)
    second = spec.run(inputs, seed=seed, max_turns=20, **options)
    assert first.forecast.tobytes() == second.forecast.tobytes()
    assert first.trajectory["positions"].tobytes() == second.trajectory["positions"].tobytes()
    assert np.all(np.isfinite(first.forecast))
    assert np.all((first.forecast >= 0.0) & (first.forecast <= 100.0))
    positions = first.trajectory["positions"]
    assert np.all(np.isfinite(positions))
    assert np.all((positions >= 0.0) & (positions <= 100.0))
    prob = first.trajectory["prob"]
    assert np.all((prob >= 0.0) & (prob <= 1.0 + 1e-12))
