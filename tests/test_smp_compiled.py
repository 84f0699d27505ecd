"""SMP's compiled hot loops (models/smp/compiled.py) against its numpy code, bit for bit.

Which path runs is chosen by the size of the work (switch.py); the numbers must not depend on
it. Each test runs the same batch with every call compiled and with every call in numpy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from multipolar.models.smp import compiled, smp, switch
from multipolar.models.smp.batch import classes
from multipolar.models.smp.contests import Workspace, contests
from multipolar.models.smp.pce import coalitions, scalar_pce
from multipolar.models.smp.turn import state_utilities
from multipolar.models.smp.utility import distances, quad_utility
from multipolar.scenario.arrays import Inputs, from_arrays
from tests.test_smp_batch import DEFAULTS, GRID, OPTIONS, assert_identical

RULES = ["proportional", "binary", "prop_bin", "asym_prosp"]


@contextmanager
def path(on: bool) -> Iterator[None]:
    saved = switch.COMPILED
    switch.COMPILED = on
    try:
        yield
    finally:
        switch.COMPILED = saved


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 300),
    data=st.data(),
)
def test_sum_is_numpys_pairwise_sum(n: int, data: st.DataObject) -> None:
    scale = st.sampled_from([1e-9, 1e-3, 1.0, 7.0, 1e6])
    a = data.draw(arrays(float, n, elements=st.floats(-1, 1))) * data.draw(scale)
    a = np.ascontiguousarray(a)
    assert np.float64(compiled._sum(a, n)).tobytes() == np.sum(a).tobytes()


@st.composite
def big_batches(draw: st.DrawFn) -> Inputs:
    """Batches with up to 20 actors (numpy's pairwise sums start at 8 terms)."""
    b, n, k = draw(st.integers(1, 3)), draw(st.integers(3, 20)), draw(st.integers(1, 2))
    value = st.one_of(st.sampled_from(GRID), st.floats(0, 100))
    x = draw(arrays(float, (b, k, n), elements=value))
    c = draw(arrays(float, (b, 1, n), elements=st.sampled_from([0.0, 1.0, 2.5, 40.0, 200.0])))
    s = draw(arrays(float, (b, k, n), elements=st.sampled_from([0.0, 0.1, 0.35, 0.5, 1.0])))
    mask = draw(arrays(bool, (b, k, n)))
    mask[..., 0] = True
    return from_arrays(x, c, s / k, mask=mask)


@settings(max_examples=40, deadline=None)
@given(inputs=big_batches(), options=OPTIONS, seed=st.integers(0, 2**32))
def test_compiled_runs_equal_numpy_runs(inputs: Inputs, options: dict[str, Any], seed: int) -> None:
    merged = {**DEFAULTS, **options, "max_turns": min(options["max_turns"], 6)}
    with path(True):
        fast = smp(inputs, seed=seed, **merged)
    with path(False):
        slow = smp(inputs, seed=seed, **merged)
    assert_identical(fast, slow)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(2, 18),
    rule=st.sampled_from(RULES),
    commit=st.sampled_from(["semi_commit", "no_commit", "full_commit"]),
    data=st.data(),
)
def test_contests_equal_numpy(n: int, rule: str, commit: str, data: st.DataObject) -> None:
    B = data.draw(st.integers(1, 3))
    unit = st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0, 1.5))
    d = data.draw(arrays(float, (B, n, n), elements=unit))
    r = data.draw(arrays(float, (B * n, n), elements=st.floats(-0.5, 1)))
    w = data.draw(arrays(float, (B, n), elements=st.sampled_from([0.0, 0.3, 1.0, 40.0])))
    sums = data.draw(arrays(float, (B, n), elements=st.sampled_from([0.0, 0.5, 1.0])))
    draw, init = np.divmod(np.arange(B * n), n)
    js = np.ascontiguousarray(np.broadcast_to(np.arange(n), (B * n, n)))
    dt = np.ascontiguousarray(np.swapaxes(d, 1, 2)).reshape(-1, n)
    want = contests(dt, draw, init, js, r, w[draw], sums[draw], rule, commit,
                    Workspace(B * n, n, n))  # fmt: skip
    got = compiled.contests(dt, draw, init, js, r, w, sums, rule, commit)
    for g, x in zip(got, want, strict=True):
        assert g.tobytes() == x.tobytes()


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 12),
    m=st.integers(2, 10),
    rule=st.sampled_from(RULES),
    victory=st.sampled_from(list(compiled.VICTORY)),
    data=st.data(),
)
def test_coalitions_and_pces_equal_numpy(
    n: int, m: int, rule: str, victory: str, data: st.DataObject
) -> None:
    G = data.draw(st.integers(1, 4))
    u = data.draw(arrays(float, (G, n, m), elements=st.sampled_from([0.0, 0.2, 0.5, 1.0])
                         | st.floats(-1, 1)))  # fmt: skip
    w = data.draw(arrays(float, (G, n), elements=st.sampled_from([0.0, 1.0, 2.5, 40.0])))
    with path(False):
        c = coalitions(u, w, rule)
        want = scalar_pce(u, w, rule, victory, "conditional")
    if rule != "asym_prosp":
        assert compiled.coalitions(u, w, rule, 1.0).tobytes() == c.tobytes()
    sizes = np.array(data.draw(st.lists(st.integers(1, m), min_size=G, max_size=G)))
    cols = np.tile(np.arange(m), (G, 1))
    prob, at, pick = compiled.conditional_pce(u, np.arange(G), cols, sizes, w, rule, victory)
    for g in range(G):
        with path(False):
            one = scalar_pce(u[g, :, : sizes[g]], w[g], rule, victory, "conditional")
        assert prob[at[g] : at[g] + sizes[g]].tobytes() == one.tobytes()
        assert pick[g] == np.argmax(one)
    full = compiled.conditional_pce(u, np.arange(G), cols, np.full(G, m), w, rule, victory)[0]
    assert full.tobytes() == want.tobytes()


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 14), S=st.integers(0, 6), k=st.integers(1, 9), data=st.data())
def test_bargain_states_equal_numpy(n: int, S: int, k: int, data: st.DataObject) -> None:
    B = data.draw(st.integers(1, 3))
    own = data.draw(arrays(float, (B, n, n), elements=st.floats(-1, 1)))
    big_r = data.draw(arrays(float, (B, n), elements=st.floats(-0.5, 1)))
    ideal = data.draw(arrays(float, (B, n, k), elements=st.floats(0, 1)))
    sal = data.draw(arrays(float, (B, n, k), elements=st.sampled_from([0.0, 0.1, 0.5, 1.0])))
    offer = st.floats(0, 1) | st.just(np.nan)  # slots without a target hold anything
    b_init = data.draw(arrays(float, (B, S, k), elements=offer))
    b_rcvr = data.draw(arrays(float, (B, S, k), elements=offer))
    init = data.draw(arrays(np.intp, S, elements=st.integers(0, n - 1)))
    rcvr = data.draw(arrays(np.intp, (B, S), elements=st.integers(-1, n - 1)))
    with np.errstate(all="ignore"):
        u_init = quad_utility(distances(ideal, b_init, sal), big_r[:, :, None])
        u_rcvr = quad_utility(distances(ideal, b_rcvr, sal), big_r[:, :, None])
    want = state_utilities(own, u_init, u_rcvr, init, rcvr)
    got = compiled.bargain_states(own, big_r, ideal, sal, b_init, b_rcvr, init, rcvr)
    assert got.tobytes() == want.tobytes()


def test_the_switch_keeps_cubic_rules_in_numpy() -> None:
    with path(True):
        assert not switch.use_compiled("cubic", 1 << 30)
        assert not switch.pce_compiled("proportional", "quartic", "conditional", 1 << 30)
        assert not switch.pce_compiled("proportional", "linear", "markov_uniform", 1 << 30)
        assert switch.pce_compiled("binary", "binary", "conditional", 0)
    with path(False):
        assert not switch.use_compiled("proportional", 1 << 30)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 12),
    k=st.integers(1, 9),
    data=st.data(),
)
def test_classes_equal_numpy(n: int, k: int, data: st.DataObject) -> None:
    B = data.draw(st.integers(1, 3))
    grid = st.sampled_from([0.0, 0.0005, 0.001, 0.3, 0.3004, 1.0, np.nan])
    pos = data.draw(arrays(float, (B, n, k), elements=grid | st.floats(0, 1)))
    with path(False):
        want = classes(pos)
    with path(True):
        got = classes(pos)
    for g, x in zip(got, want, strict=True):
        assert g.tobytes() == x.tobytes()


def test_kernel_files_carry_the_digest_of_the_helpers_they_inline() -> None:
    """numba keys each kernel's cache on its own file: a kernel file names the digest of base.py
    and models/pairwise.py (whose helpers it inlines), so an edit there must change every kernel
    file too."""
    import hashlib
    from importlib import import_module
    from pathlib import Path

    base = Path(compiled.__file__).with_name("base.py")
    pairwise = Path(compiled.__file__).parents[2] / "pairwise.py"
    digest = hashlib.sha256(base.read_bytes() + pairwise.read_bytes()).hexdigest()
    for name in ("contests", "pce", "states"):
        module = import_module(f"multipolar.models.smp.compiled.{name}")
        assert digest == module.BASE_DIGEST, (
            f"base.py or pairwise.py changed: set BASE_DIGEST = {digest!r} in compiled/{name}.py"
        )
