"""Deal feasibility over Monte Carlo draws: the batched max–min solver against the per-draw
solver, and the feasibility summary."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import multipolar
from multipolar.deals.batch import maxmin_margins
from multipolar.deals.solve import maxmin
from multipolar.deals.space import DealSpace, build_space
from multipolar.uncertainty.feasibility import deal_feasibility
from multipolar.uncertainty.sampling import sampler
from tests.test_uncertainty import FLAGSHIP


def random_space(rng: np.random.Generator, draws: int, quadratic: bool, commit: str) -> DealSpace:
    n, k = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    ideal = rng.choice([0.0, 1.0, 0.5, 0.3], size=(draws, n, k)) * (rng.random((draws, n, k)) < 0.5)
    ideal = np.where(rng.random((draws, n, k)) < 0.5, rng.random((draws, n, k)), ideal)
    weight = rng.random((draws, n, k)) * (rng.random((draws, n, k)) < 0.8)
    weight[:, :, 0] += 1e-3  # every party cares about something
    weight /= weight.sum(axis=2, keepdims=True)
    walk = rng.uniform(0.3, 1.0, (draws, n))
    veto = rng.random(n) < 0.8
    veto[0] = True
    a = b = None
    g = None
    if commit != "none":
        a = rng.uniform(-0.3, 0.1, draws)
        b = rng.uniform(0.0, 0.4, draws)
        g = int(rng.integers(0, k)) if commit == "tied" else None
    return DealSpace(
        tuple(f"a{i}" for i in range(n)), tuple(f"i{j}" for j in range(k)), np.zeros(k),
        np.ones(k), ideal, weight, quadratic, walk, veto, np.full((draws, k), 0.5), a, b, g,
    )  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    quadratic=st.booleans(),
    commit=st.sampled_from(["none", "tied", "untied"]),
)
def test_batched_margins_equal_the_per_draw_solver(seed: int, quadratic: bool, commit: str) -> None:
    space = random_space(np.random.default_rng(seed), 6, quadratic, commit)
    margin, z = maxmin_margins(space)
    assert np.all((z >= 0) & (z <= 1))
    for d in range(space.draws):
        ref = maxmin(space, d).margin
        assert margin[d] == pytest.approx(ref, abs=2e-6), (d, margin[d], ref)
        assert (margin[d] >= -1e-9) == (ref >= -1e-9) or abs(ref) < 2e-6


def test_batched_margins_on_the_flagship_draws() -> None:
    space = build_space(multipolar.load(FLAGSHIP), sampler(5, 120), 120)
    margin, _ = maxmin_margins(space)
    ref = np.array([maxmin(space, d).margin for d in range(120)])
    assert np.max(np.abs(margin - ref)) < 1e-6
    assert 0 < np.mean(margin >= 0) < 1  # the flagship's zone is thin: some draws close it


def test_nobody_must_accept_gives_an_infinite_margin() -> None:
    space = random_space(np.random.default_rng(0), 3, True, "none")
    free = DealSpace(**{**space.__dict__, "veto": np.zeros(len(space.actors), bool)})
    margin, _ = maxmin_margins(free)
    assert np.all(np.isinf(margin))


def test_feasibility_summary_and_seeded_bytes() -> None:
    scn = multipolar.load(FLAGSHIP)
    a = deal_feasibility(scn, draws=300, seed=4)
    b = deal_feasibility(scn, draws=300, seed=4)
    da, db = a.as_dict(), b.as_dict()
    assert json.dumps(da) == json.dumps(db)
    assert da["p_zone"] == pytest.approx(np.mean(a.margin >= -1e-9))
    # with the point package fixed, accepting it needs a zone: never more likely than a zone
    assert da["p_accept_point_package"] <= da["p_zone"]
    rows = set(da["binding_party"])
    assert {r for r in rows if "/" not in r} == {"RUS", "UKR", "USA", "EUR", "conflict.power_shift"}
    assert {r.split("/")[0] for r in rows if "/" in r} == {
        "RUS",
        "UKR",
        "USA",
        "EUR",
    }  # ratification
    for row in da["package"].values():
        assert sum(row["histogram"]["counts"]) == 300
    assert json.dumps(deal_feasibility(scn, draws=300, seed=5).as_dict()) != json.dumps(da)


def test_feasibility_without_ranges_is_the_point_analysis() -> None:
    scn = multipolar.load(FLAGSHIP)
    data = multipolar.scenario.to_data(multipolar.dynamics.apply.resolve(scn))
    text = json.dumps(data)
    for key in ("low", "high"):  # collapse every range onto its best value
        text = text.replace(f'"{key}":', f'"_{key}":')
    flat = json.loads(text)

    def strip(node: object) -> object:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if not k.startswith("_")}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    point = multipolar.scenario.validate(strip(flat))
    res = deal_feasibility(point, draws=50, seed=0)
    expected = maxmin(build_space(point)).margin
    assert np.allclose(res.margin, expected, atol=1e-7)
    assert res.as_dict()["p_zone"] == float(expected >= 0)


def test_sensitivity_of_agreement_and_margins() -> None:
    from typer.testing import CliRunner

    from multipolar.cli import app
    from multipolar.uncertainty.sensitivity import deal_sobol, deal_tornado

    scn = multipolar.load(FLAGSHIP)
    sob = deal_sobol(scn, "margin", n=64, seed=1).as_dict()
    assert sob["indices"][0]["ST"] >= sob["indices"][-1]["ST"]
    rows = deal_tornado(scn, "margin", "UKR")
    # UKR's margin in a fixed package moves with its own walk-away: the cost of war is an input
    assert any(r["input"] == "conflict.costs.UKR" and r["swing"] > 0 for r in rows)
    assert all(r["at_low"] == rows[0]["base"] for r in rows if r["input"] == "positions.RUS.aid")
    runner = CliRunner()
    res = runner.invoke(app, ["sensitivity", str(FLAGSHIP), "--target", "agreement",
                              "--samples", "32", "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["target"] == "agreement"
    assert {r["input"] for r in data["tornado"]} >= {"conflict.p"}
    bad = runner.invoke(app, ["sensitivity", str(FLAGSHIP), "--target", "agreemnt"])
    assert bad.exit_code == 2
    assert "agreement" in bad.stderr
    bad = runner.invoke(app, ["sensitivity", str(FLAGSHIP), "--target", "margin", "--actor", "XX"])
    assert bad.exit_code == 2


def test_correlations_in_the_scenario_file(tmp_path: object) -> None:
    from pathlib import Path

    import yaml
    from scipy import stats

    from multipolar.errors import ScenarioError
    from multipolar.uncertainty.montecarlo import draw_values

    data = yaml.safe_load(Path(FLAGSHIP).read_text())
    data["correlations"] = [{"between": ["conflict.p", "actors.RUS.capability"], "rho": 0.8}]
    path = Path(str(tmp_path)) / "corr.yaml"
    path.write_text(yaml.safe_dump(data))
    scn = multipolar.load(path)
    values = draw_values(multipolar.dynamics.apply.resolve(scn), 4000, 0)
    rho = stats.spearmanr(values["conflict.p"], values["actors.RUS.capability"])[0]
    assert 0.7 < rho < 0.85  # Spearman of a Gaussian copula with ρ = 0.8 is 0.786
    data["correlations"] = [
        {"between": ["conflict.p", "actors.RUS.capabilty"], "rho": 0.5},
        {"between": ["conflict.p", "conflict.p"], "rho": 0.5},
    ]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as err:
        multipolar.load(path)
    text = "\n".join(err.value.lines())
    assert "correlations[0].between[1]" in text
    assert "actors.RUS.capability" in text  # did you mean
    assert "two different estimates" in text
    data["correlations"] = [
        {"between": ["conflict.p", "actors.RUS.capability"], "rho": 0.95},
        {"between": ["conflict.p", "actors.UKR.capability"], "rho": 0.95},
        {"between": ["actors.RUS.capability", "actors.UKR.capability"], "rho": -0.95},
    ]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError, match="positive definite"):
        multipolar.load(path)
