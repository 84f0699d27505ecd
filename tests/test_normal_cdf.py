"""uncertainty/normal.py: the copula's normal CDF gives scipy.special.ndtr's numbers bit for
bit, so the draws of every seed stay what they were when scipy computed them."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from scipy.special import ndtr as scipy_ndtr

from multipolar.uncertainty.normal import ndtr

EDGES = [0.0, -0.0, 1.0, -1.0, np.sqrt(2), -np.sqrt(2), 8 * np.sqrt(2), -8 * np.sqrt(2), 37.5,
         -37.5, 38.6, -38.6, 1e300, -1e300, 5e-324, -5e-324, np.inf, -np.inf]  # fmt: skip


def _same_bits(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape
    np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64))


def test_normal_draws_and_branch_edges_match_scipy() -> None:
    rng = np.random.default_rng(15)
    z = np.concatenate([rng.standard_normal(100_000), rng.uniform(-40, 40, 20_000), EDGES])
    z = np.concatenate([z, np.nextafter(z[-len(EDGES) :], np.inf)])  # both sides of each edge
    _same_bits(ndtr(z), scipy_ndtr(z))
    _same_bits(ndtr(z.reshape(2, -1)), scipy_ndtr(z.reshape(2, -1)))  # any shape
    assert np.isnan(ndtr(np.array([np.nan]))).all()


@hsettings(max_examples=300, deadline=None, derandomize=True)
@given(st.floats(allow_nan=False))
def test_any_float_matches_scipy(a: float) -> None:
    _same_bits(ndtr(np.array([a])), scipy_ndtr(np.array([a])))
