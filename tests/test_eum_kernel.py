"""The compiled EUM round (models/eum/kernel.py) against the numpy reference (rounds.play_round):
the same new positions and risk exponents, on the emission case and on random batches with
masked actors, tied positions and zero weights. The first run compiles the kernels (numba
caches them under src/multipolar/models/eum/__pycache__)."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import multipolar.models.eum as eum_module
from multipolar.models import get
from multipolar.models.eum import Settings, play_round, settings
from multipolar.models.eum.core import median_position
from multipolar.models.warm import EMISSION_C, EMISSION_S, EMISSION_X, emission_draws
from multipolar.scenario.arrays import BoolArray, FloatArray

kernel = pytest.importorskip("multipolar.models.eum.kernel")
npcompat = pytest.importorskip("multipolar.models.eum.npcompat")

TOL = 1e-12
X, C, S = EMISSION_X, EMISSION_C, EMISSION_S
OPTIONS = [
    {"mode": "reference"},
    {"mode": "reference", "fix_capitulation": True},
    {"mode": "reference", "q": 0.5},
    {"mode": "reference", "q": 0.0, "t": 1, "fix_capitulation": True},
    {"mode": "paper"},
    {"mode": "paper", "q": 0.5, "t": 0},
    {"mode": "paper", "q": 0.3, "fix_capitulation": False},
]


Batch = tuple[FloatArray, FloatArray, FloatArray, BoolArray, FloatArray]


def _same_round(batch: Batch, cfg: Settings) -> None:
    x, w, s, mask, R = batch
    new_x, r = kernel.advance(x, w, s, mask, R, cfg)
    with np.errstate(all="ignore"):  # problems without actors make numpy warn (inf − inf)
        step = play_round(x, w, s, mask, R, cfg)
    np.testing.assert_allclose(new_x, step.new_x, rtol=0, atol=TOL)
    np.testing.assert_allclose(r, step.r, rtol=0, atol=TOL)
    with np.errstate(all="ignore"):
        mu, new_mu = median_position(x, w, mask), median_position(step.new_x, w, mask)
    fused = kernel.step(x, w, s, mask, R, cfg, mu)  # the round and the median after it
    for got, want in zip(fused, (step.new_x, step.r, new_mu), strict=True):
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_emission_rounds_match_numpy(options: dict[str, Any]) -> None:
    cfg = settings(**options)
    x, w, s = X[None].copy(), (C * S)[None], S[None]
    mask, R = np.ones((1, 10), bool), np.array([6.0])
    for _ in range(10):
        _same_round((x, w, s, mask, R), cfg)
        x = play_round(x, w, s, mask, R, cfg).new_x


@pytest.mark.parametrize("options", OPTIONS[:2] + OPTIONS[4:6], ids=str)
def test_eum_fast_path_matches_numpy_path(
    options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    inputs = emission_draws(300)
    assert eum_module._round_functions() == (kernel.step, kernel.median)  # numba is used
    fast = get("eum").run(inputs, rounds=10, **options)
    numpy_path = (eum_module._step_numpy, median_position)
    monkeypatch.setattr(eum_module, "_round_functions", lambda *_: numpy_path)
    slow = get("eum").run(inputs, rounds=10, **options)
    for name, values in slow.trajectory.items():
        np.testing.assert_allclose(fast.trajectory[name], values, rtol=0, atol=TOL)
    np.testing.assert_allclose(fast.forecast, slow.forecast, rtol=0, atol=TOL)


@st.composite
def batches(draw: st.DrawFn) -> Batch:
    """B problems × n actors: tied positions on a grid or arbitrary ones, zero capabilities and
    saliences, masked actors (rows with one or no actor included)."""
    b, n = draw(st.integers(1, 5)), draw(st.integers(1, 10))
    grid = draw(st.sampled_from([st.integers(0, 4).map(float), st.floats(-50, 50, width=32)]))
    x = draw(arrays(float, (b, n), elements=grid))
    weight = st.one_of(st.just(0.0), st.floats(0, 1), st.sampled_from([0.25, 0.5, 1.0]))
    c, s = (
        draw(arrays(float, (b, n), elements=weight)),
        draw(arrays(float, (b, n), elements=weight)),
    )
    mask = draw(arrays(bool, (b, n), elements=st.booleans()))
    x, s = np.where(mask, x, 0.0), np.where(mask, s, 0.0)
    w = np.where(mask, c * s, 0.0)  # raw c·s: whole problems may have zero weight
    lo = np.min(np.where(mask, x, np.inf), axis=1)
    hi = np.max(np.where(mask, x, -np.inf), axis=1)
    spread = np.where(np.isfinite(hi - lo), hi - lo, 0.0)
    return x, w, s, mask, np.where(spread > 0, spread, 1.0)


@hsettings(max_examples=150, deadline=None)
@given(
    batch=batches(),
    mode=st.sampled_from(["reference", "paper"]),
    q=st.sampled_from([1.0, 0.5, 0.0]),
    t=st.sampled_from([None, 0, 1]),
    fix=st.booleans(),
)
def test_random_batches_match_numpy(
    batch: Batch, mode: str, q: float, t: int | None, fix: bool
) -> None:
    _same_round(batch, settings(mode, q, t, fix))
    x, w, _, mask, _ = batch
    np.testing.assert_array_equal(kernel.median(x, w, mask), median_position(x, w, mask))


@pytest.mark.parametrize("n", [15, 16, 17, 24, 33, 129])
def test_many_actors_match_numpy(n: int) -> None:
    """Past 8 actors the vote sums run in numpy's 8 lanes, past 16 through its loop, past 128
    through its halvings: each layout, with ties and a masked actor, against numpy."""
    rng = np.random.default_rng(n)
    x = rng.integers(0, 6, (2, n)).astype(float)  # ties on a grid
    x[1] = rng.normal(0, 20, n)
    c, s = rng.uniform(0, 1, (2, n)), rng.uniform(0, 1, (2, n))
    mask = np.ones((2, n), dtype=bool)
    mask[0, n // 2] = False
    span = np.ptp(x, axis=1)
    for cfg in (settings("reference"), settings("paper", q=0.5)):
        _same_round((x, np.where(mask, c * s, 0.0), s, mask, np.where(span > 0, span, 1.0)), cfg)


@pytest.mark.parametrize("n", [*range(20), 127, 128, 129, 136, 300, 1000, 1331, 4096])
def test_sums_in_numpys_order(n: int) -> None:
    rng = np.random.default_rng(n)
    a = rng.normal(size=n + 3) * 10.0 ** rng.integers(-8, 8, n + 3)  # order shows in the bits
    todo, vals = np.empty(npcompat.STACK, np.int64), np.empty(npcompat.STACK)
    assert npcompat.total(a, 3, n, todo, vals) == np.sum(a[3:])


def test_concurrent_callers_are_safe() -> None:
    inputs = emission_draws(64, seed=1)
    with ThreadPoolExecutor(4) as pool:
        outs = list(pool.map(lambda _: get("eum").run(inputs).forecast, range(8)))
    for out in outs[1:]:
        np.testing.assert_array_equal(out, outs[0])


def test_small_forecasts_take_numpy_rounds_until_the_kernel_is_loaded() -> None:
    """Little work runs numpy's rounds (the same numbers) so a forecast need not load numba;
    once the kernel is loaded, every size uses it."""
    assert eum_module._round_functions(eum_module.KERNEL_WORK) == (kernel.step, kernel.median)
    # kernel.py is imported by this module, so small work uses it too
    assert eum_module._round_functions(1) == (kernel.step, kernel.median)


def test_loading_the_kernel_skips_scipy_linalg_and_leaves_blas_usable() -> None:
    """numba's import-time BLAS probe is skipped (no scipy.linalg), nothing stays hidden, and
    compiled code can still call BLAS (np.dot), in a fresh process."""
    code = (
        "import sys, numpy as np\n"
        "import multipolar.models.eum as e\n"
        "step, median = e._compiled()\n"
        "median(np.zeros((1, 3)), np.ones((1, 3)), np.ones((1, 3), bool))\n"
        "assert 'scipy.linalg' not in sys.modules\n"
        "assert 'scipy.linalg.cython_blas' not in sys.modules\n"
        "from numba import njit\n"
        "print(njit(lambda a: np.dot(a, a))(np.ones(3)))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3.0"
