"""Replication of published numbers from ../shared/data (skipped cleanly without ../shared)."""

from __future__ import annotations

import numpy as np
import pytest

import multipolar
from multipolar.scenario.formats import import_file
from tests.conftest import shared_path


def test_emission_case_compromise_and_median() -> None:
    (scn,) = import_file("bdm", shared_path("data", "eum", "emission_standards.csv")).scenarios
    assert len(scn.actors) == 10
    assert multipolar.forecast(scn, "compromise").values[0] == pytest.approx(7.39, abs=0.01)
    assert multipolar.forecast(scn, "median").values[0] == 7.0


@pytest.fixture(scope="module")
def deu() -> list[multipolar.Scenario]:
    return import_file("deu", shared_path("data", "deu", "deu3.csv")).scenarios


def _mae(scenarios: list[multipolar.Scenario], model: str) -> float:
    errors = []
    for scn in scenarios:
        issue = scn.issues[0].id
        errors.append(abs(multipolar.forecast(scn, model)[issue] - scn.outcomes[issue]))
    return float(np.mean(errors))


def test_deu3_scoreable_issue_count(deu: list[multipolar.Scenario]) -> None:
    assert len(deu) == 351
    for scn in deu:
        issue = scn.issues[0].id
        assert 0 <= scn.outcomes[issue] <= 100
        assert sum(issue in row for row in scn.positions.values()) >= 3


def test_deu3_equal_capability_baselines(deu: list[multipolar.Scenario]) -> None:
    assert _mae(deu, "compromise") == pytest.approx(23.64, abs=0.01)
    assert _mae(deu, "median") == pytest.approx(28.31, abs=0.01)
