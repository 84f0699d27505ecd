"""The Saltelli sample of the Sobol indices (uncertainty/sensitivity.saltelli) is SALib's
``sobol.sample`` without its per-number loop: the same numbers, bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from SALib.sample import sobol as sobol_sample

from multipolar.uncertainty.sensitivity import saltelli


@settings(max_examples=30, deadline=None)
@given(d=st.integers(1, 45), n=st.sampled_from([1, 2, 5, 64, 128]), seed=st.integers(0, 2**63 - 1))
def test_saltelli_is_salibs_sample(d: int, n: int, seed: int) -> None:
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}
    mine = dict(problem)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Sobol' balance warnings when n is not a power of 2
        want = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
        got = saltelli(mine, n, seed)
    assert got.shape == want.shape == (n * (d + 2), d)
    assert np.array_equal(got.view(np.int64), want.view(np.int64))
    assert mine == problem  # SALib marks the problem as scaled; so does this
