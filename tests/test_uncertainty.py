"""Monte Carlo and sensitivity: distributions, seeds, copulas, Sobol indices."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats
from typer.testing import CliRunner

import multipolar
from multipolar.cli import app
from multipolar.scenario import Estimate, validate
from multipolar.uncertainty.montecarlo import ppf, simulate, uniforms
from multipolar.uncertainty.sensitivity import sobol_indices, tornado
from tests.conftest import SCENARIOS, VALID

FLAGSHIP = SCENARIOS / "ukraine_2025_08.yaml"


@pytest.mark.parametrize("model", ["compromise", "median", "nash", "eum"])
def test_monte_carlo_mean_without_ranges_equals_deterministic(model: str) -> None:
    data = yaml.safe_load(VALID)
    data["actors"][1]["capability"] = 2  # VALID has one ranged capability: make it a point
    scn = validate(data)
    result = simulate(scn, model, draws=50, seed=3)
    expected = multipolar.forecast(scn, model).values
    np.testing.assert_allclose(result.values.mean(axis=0), expected, atol=1e-12)


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    outs = []
    for _ in range(2):
        path = tmp_path / f"mc{len(outs)}.json"
        result = CliRunner().invoke(
            app, ["simulate", str(FLAGSHIP), "--draws", "300", "--seed", "7", "-o", str(path)]
        )
        assert result.exit_code == 0, result.stderr
        outs.append(path.read_bytes())
    assert outs[0] == outs[1]
    other = simulate(multipolar.load(FLAGSHIP), draws=300, seed=8).as_dict()
    assert json.dumps(other).encode() != outs[0]


@pytest.mark.parametrize("dist", ["triangular", "uniform", "pert", "normal"])
def test_inverse_cdfs_stay_in_range_and_hit_the_mode(dist: str) -> None:
    est = Estimate(best=3.0, low=1.0, high=9.0, dist=dist)  # type: ignore[arg-type]
    u = np.linspace(0.0005, 0.9995, 2000)
    values = ppf(est, u)
    assert values.min() >= 1.0 - 1e-9
    assert values.max() <= 9.0 + 1e-9
    assert np.all(np.diff(values) >= -1e-12)  # monotone
    if dist == "triangular":  # median of the triangular (1, 3, 9) by the closed form
        assert float(ppf(est, np.array([0.5]))[0]) == pytest.approx(9 - np.sqrt(0.5 * 8 * 6))
    if dist == "uniform":
        assert float(ppf(est, np.array([0.25]))[0]) == pytest.approx(3.0)


def test_gaussian_copula_correlates_draws() -> None:
    u = uniforms(["a", "b", "c"], 20_000, 1, {("a", "b"): 0.8})
    rho_ab = stats.spearmanr(u["a"], u["b"]).statistic
    rho_ac = stats.spearmanr(u["a"], u["c"]).statistic
    assert rho_ab == pytest.approx(6 / np.pi * np.arcsin(0.4), abs=0.02)  # Spearman of a 0.8 copula
    assert abs(rho_ac) < 0.03


def test_sobol_ishigami_within_005() -> None:
    def ishigami(u: np.ndarray) -> np.ndarray:
        x = -np.pi + 2 * np.pi * u
        return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])

    res = sobol_indices(ishigami, ["x1", "x2", "x3"], n=2048, seed=2)
    # analytic values for a = 7, b = 0.1
    np.testing.assert_allclose(res.first, [0.3139, 0.4424, 0.0], atol=0.05)
    np.testing.assert_allclose(res.total, [0.5576, 0.4424, 0.2437], atol=0.05)


def test_sensitivity_command_and_tornado(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    result = CliRunner().invoke(
        app,
        [
            "sensitivity",
            str(FLAGSHIP),
            "--issue",
            "donbas",
            "--samples",
            "64",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text())
    names = [r["input"] for r in data["sobol"]["indices"]]
    assert "positions.UKR.donbas" in names
    rows = tornado(multipolar.load(FLAGSHIP), issue="donbas")
    swings = [r["swing"] for r in rows]
    assert swings == sorted(swings, reverse=True)
    assert rows[0]["input"] == data["tornado"][0]["input"]


def test_sobol_of_an_output_no_input_moves_is_zero_not_nan() -> None:
    """Degenerate but valid: a constant output gets indices of 0 (SALib alone divides 0/0)."""
    from multipolar.uncertainty.sensitivity import sobol_indices

    res = sobol_indices(lambda u: np.full(len(u), 3.0), ["a", "b"], n=64, seed=1)
    assert np.array_equal(res.first, [0.0, 0.0])
    assert np.array_equal(res.total, [0.0, 0.0])
    assert res.evaluations == 64 * 4


def test_sobol_intervals_with_seed_0_do_not_read_the_global_random_state() -> None:
    """SALib takes seed 0 for "no seed"; the engine's seed 0 still fixes every number."""
    from multipolar.uncertainty.sensitivity import sobol_indices

    def f(u: np.ndarray) -> np.ndarray:
        return u[:, 0] + 2 * u[:, 1] ** 2

    first = sobol_indices(f, ["a", "b"], n=64, seed=0)
    second = sobol_indices(f, ["a", "b"], n=64, seed=0)  # SALib alone: other intervals
    assert np.array_equal(first.first_ci, second.first_ci)
    assert np.array_equal(first.total_ci, second.total_ci)
    assert not np.array_equal(first.total_ci, sobol_indices(f, ["a", "b"], n=64, seed=1).total_ci)


def test_draws_read_the_same_estimates_as_the_paths_name() -> None:
    """The draws take each ranged estimate from the scenario's own objects (no dump per path):
    they are the estimates the dotted paths name, so the draws are those of get_estimate."""
    from multipolar.dynamics.apply import resolve
    from multipolar.scenario import load
    from multipolar.scenario.paths import get_estimate
    from multipolar.uncertainty.montecarlo import draw_values, ranged_estimates

    scn = resolve(load(FLAGSHIP))
    ests = ranged_estimates(scn)
    assert len(ests) > 10
    for path, est in ests.items():
        assert get_estimate(scn, path) == est, path
    values = draw_values(scn, 20, 5)
    u = uniforms(list(ests), 20, 5, {(c.between[0], c.between[1]): c.rho for c in scn.correlations})
    for path, v in values.items():
        np.testing.assert_array_equal(v, ppf(get_estimate(scn, path), u[path]))
