"""Fuzz: mutated scenario (YAML, JSON), BDM and KTAB (CSV, XML) files through `validate` and
`import`, in-process. Every outcome is exit 0 without NaN, or exit 2 with lines of the form
``FILE[:LINE[:COL]]: ...; fix: ...``: never a traceback. `make fuzz` runs ten thousand cases
with larger mutations (event floods, oversized files) under a time limit; this runs a few
hundred small ones, derandomised."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_cases import Seed, make_case, run_case, seeds

SEEDS = seeds()
# the small seeds often, the bundled scenario (slower to read) now and then
WEIGHTED = [s for s in SEEDS for _ in range(1 if s.name == "bundled.yaml" else 3)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.sampled_from(WEIGHTED), rng=st.randoms(use_true_random=False))
def test_mutated_inputs_end_in_a_result_or_one_line_errors(
    folder: Path, seed: Seed, rng: random.Random
) -> None:
    raw = make_case(seed, rng)
    outcome = run_case(seed.kind, raw, folder)
    assert outcome.kind in ("ok", "clean error"), (seed.name, outcome, raw[:2000])


def test_the_seeds_themselves_are_valid(folder: Path) -> None:
    for seed in SEEDS:
        assert run_case(seed.kind, seed.text.encode("utf-8"), folder).kind == "ok", seed.name
