"""The deal verdict: one max–min over every row a deal must meet (the parties that must accept
and the commitment constraint), its binding row, cost to close and probabilities."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import multipolar
from multipolar.deals.analysis import describe
from multipolar.deals.batch import maxmin_margins
from multipolar.deals.solve import maxmin
from multipolar.deals.space import DealSpace, binding, slacks
from multipolar.deals.verdict import COMMITMENT, TOL
from multipolar.scenario import validate

COMMIT_CASE = Path(__file__).parent / "data" / "commitment_binds.yaml"


def test_commitment_binds_although_every_party_gains() -> None:
    """The Iran-style reproducer: every party's margin is positive, the declining side would
    rather fight before the shift, so there is no zone; the commitment row blocks by its own
    name (no invented issue) and the cost to close is its shortfall."""
    scn = multipolar.load(COMMIT_CASE)
    v = multipolar.verdict(scn, draws=0)
    parties = {r: m for r, m in v.rows.items() if r != COMMITMENT}
    assert set(parties) == {"A", "B", "O"}
    assert min(parties.values()) > 0.1
    assert not v.zone
    assert v.binding == (COMMITMENT,)
    assert v.blockers == [COMMITMENT]
    assert v.margin == pytest.approx(v.rows[COMMITMENT])
    assert v.margin < 0
    assert v.cost_to_close == pytest.approx(-v.margin)
    assert v.cost_to_close > 0
    assert "B, the declining side" in v.labels[COMMITMENT]
    assert "guarantees" not in " ".join(v.blockers)
    assert "short by" in v.sentence()
    # without the power shift the same parties have a zone: the commitment is what closes it
    data = yaml.safe_load(COMMIT_CASE.read_text(encoding="utf-8"))
    del data["conflict"]["power_shift"]
    assert multipolar.verdict(validate(data), draws=0).zone


def test_headline_margin_is_the_binding_row_when_commitment_is_tight() -> None:
    """A commitment slack smaller than every party's margin is the headline margin."""
    data = yaml.safe_load(COMMIT_CASE.read_text(encoding="utf-8"))
    data["conflict"]["power_shift"]["next"] = 0.31  # pressure 0.9·0.09 just under 0.09
    v = multipolar.verdict(validate(data), draws=0)
    assert v.zone
    assert v.binding == (COMMITMENT,)
    assert 0 < v.margin < min(m for r, m in v.rows.items() if r != COMMITMENT)
    assert v.margin == pytest.approx(min(v.rows.values()))
    assert v.cost_to_close == 0
    assert v.blockers == []


def _space(data: st.DataObject, commit: bool) -> DealSpace:
    n = data.draw(st.integers(2, 3))
    k = data.draw(st.integers(1, 2))
    unit = st.floats(0, 1)
    ideal = np.array(data.draw(st.lists(st.lists(unit, min_size=k, max_size=k), min_size=n,
                                        max_size=n)))  # fmt: skip
    raw = np.array(data.draw(st.lists(st.lists(st.floats(0.05, 1), min_size=k, max_size=k),
                                      min_size=n, max_size=n)))  # fmt: skip
    walk = np.array(data.draw(st.lists(st.floats(0.3, 1.0), min_size=n, max_size=n)))
    quadratic = data.draw(st.booleans())
    ca = cb = None
    g = None
    if commit:
        ca = np.array([data.draw(st.floats(-0.3, 0.3))])
        cb = np.array([data.draw(st.floats(0.0, 0.5))])
        g = data.draw(st.sampled_from([None, 0]))
    return DealSpace(
        tuple(f"a{i}" for i in range(n)), tuple(f"i{j}" for j in range(k)), np.zeros(k),
        np.ones(k), ideal[None], (raw / raw.sum(1, keepdims=True))[None], quadratic,
        walk[None], np.ones(n, bool), np.full((1, k), 0.5), ca, cb, g,
    )  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(data=st.data(), commit=st.booleans())
def test_maxmin_is_the_binding_row_and_beats_every_sampled_package(
    data: st.DataObject, commit: bool
) -> None:
    """Bounds and optimality: the margin is the smallest row slack at the package (commitment
    included), no sampled package does better on its worst row, and the batched solver agrees."""
    space = _space(data, commit)
    point = maxmin(space, leximin=data.draw(st.booleans()))
    rows = slacks(space, point.z[None])[0, 0][binding(space)]
    assert point.margin == pytest.approx(float(rows.min()), abs=1e-12)
    samples = np.random.default_rng(0).uniform(0, 1, (3000, len(space.issues)))
    best_sampled = float(np.max(np.min(slacks(space, samples)[0][:, binding(space)], axis=1)))
    assert point.margin >= best_sampled - 1e-7
    batch, _ = maxmin_margins(space)
    assert batch[0] == pytest.approx(point.margin, abs=2e-6)
    pkg = describe(space, "p", point.z)
    assert pkg.min_margin == pytest.approx(point.margin, abs=1e-12)
    assert (pkg.cost_to_close > 0) == bool(pkg.blockers)
    assert all(b in (*space.actors, COMMITMENT) for b in pkg.blockers)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), lift=st.floats(0.0, 0.5))
def test_margin_rises_with_the_commitment_slack(data: st.DataObject, lift: float) -> None:
    """Monotonicity: raising the commitment slack never lowers the max–min margin."""
    space = _space(data, commit=True)
    assert space.commit_a is not None
    higher = replace(space, commit_a=space.commit_a + lift)
    assert maxmin(higher).margin >= maxmin(space).margin - 1e-7


def test_unanimity_everyone_wants_the_same_package() -> None:
    """All parties share an ideal and walk away to less: the verdict's package is that ideal,
    each party's margin is its gain, and the zone exists with every party binding equally."""
    data = {
        "title": "unanimity",
        "actors": [{"id": x, "name": x, "capability": 1} for x in "ABC"],
        "issues": [{"id": "t", "name": "T", "scale": [0, 10], "status_quo": 0}],
        "positions": {x: {"t": 7} for x in "ABC"},
        "salience": {x: {"t": 1} for x in "ABC"},
    }
    v = multipolar.verdict(validate(data), draws=50)
    assert v.zone
    assert v.package["t"] == pytest.approx(7, abs=1e-5)
    assert v.margin == pytest.approx(1 - (1 - 0.7**2), abs=1e-6)  # 1 − walk-away (0.51)
    assert set(v.binding) == {"A", "B", "C"}
    assert v.p_zone is not None
    assert v.p_zone.value == 1.0
    assert v.p_zone.draws == 50


def test_probabilities_say_their_draws_and_seed() -> None:
    v = multipolar.verdict(COMMIT_CASE, draws=120, seed=3)
    assert v.p_zone is not None
    assert v.p_accept is not None
    assert (v.p_zone.draws, v.p_zone.seed) == (120, 3)
    assert "120 draws (seed 3)" in v.sentence()
    assert v.to_dict()["p_accept"] == {"value": v.p_accept.value, "draws": 120, "seed": 3}
    assert multipolar.verdict(COMMIT_CASE, draws=0).p_zone is None
    assert TOL < 1e-6
