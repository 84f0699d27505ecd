"""The backtest's batches (fit.forecasts_by_setting: issues × capability schemes in one model
run, one run per distinct issue and capabilities) against one ``multipolar.forecast`` per issue
and scheme, bit for bit, on small DEU III issues (skipped without ../shared)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multipolar.backtest import DeuData, load_deu
from multipolar.backtest.capabilities import capabilities, capability_vector
from multipolar.backtest.fit import Variant, _one, forecasts_by_setting
from tests.conftest import shared_path

SETTINGS = [("equal", 1.0), ("council", 1.0), ("council-ssi", 1.0), ("council", 2.5)]


@pytest.fixture(scope="module")
def small() -> DeuData:
    """DEU III issues with at most 12 actors (cheap for SMP one at a time)."""
    data = load_deu(shared_path("data", "deu", "deu3.csv"))
    return data.subset([i.id for i in data.issues if len(i.actors) <= 12])


def test_capability_vector_is_the_capabilities_in_actor_order(small: DeuData) -> None:
    for issue in small.issues:
        for scheme, weight in SETTINGS:
            caps = capabilities(issue, scheme, institution_weight=weight, observer_weight=0.5)
            want = np.array([caps[a] for a in issue.actors])
            got = capability_vector(issue, scheme, institution_weight=weight, observer_weight=0.5)
            assert got.tobytes() == want.tobytes()


@settings(max_examples=4, deadline=None)
@given(data=st.data(), model=st.sampled_from(["smp", "compromise", "eum"]))
def test_batches_equal_one_issue_at_a_time(small: DeuData, data: st.DataObject,
                                           model: str) -> None:  # fmt: skip
    pool = small.issues
    unanimity = [i for i in pool if i.rule == "unanimity"][:1]  # equal and council-ssi agree
    assert unanimity
    picked = data.draw(st.lists(st.sampled_from(pool), min_size=2, max_size=4, unique_by=id))
    issues = [*unanimity, *picked]
    variant = Variant(model, model, {"mode": "reference"} if model == "eum" else {})
    got = forecasts_by_setting(issues, variant, SETTINGS, seed=3)
    for w, (scheme, weight) in enumerate(SETTINGS):
        for k, issue in enumerate(issues):
            want = _one(issue, variant, scheme, weight, 1.0, 3)
            assert np.float64(got[w, k]).tobytes() == np.float64(want).tobytes()
