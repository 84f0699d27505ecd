"""DEU III calibration: predictive distributions fitted on train, graded on test by the ledger's
scores (CRPS, coverage, PIT) against the climatology."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from multipolar.backtest import DeuData, load_deu
from multipolar.backtest.calibration import (
    COST,
    calibrated_variants,
    draws_for,
    fit_noise,
    outcomes,
    predictive,
    run_calibration,
)
from multipolar.backtest.calibration_grade import (
    COVERAGES,
    LEVELS,
    climatology,
    fair_crps,
    grade,
    rank_pit,
    verdict,
)
from multipolar.backtest.calibration_noise import noisy_inputs, normals, proposal_noisy_inputs
from multipolar.backtest.calibration_page import render, to_json
from multipolar.backtest.fit import forecasts, variants
from multipolar.backtest.score import Interval
from multipolar.backtest.split import read_split
from multipolar.cli import app
from multipolar.ledger.scores import covered, crps_samples, pit
from tests.conftest import ROOT, shared_path

runner = CliRunner()
PAGE = ROOT / "docs" / "backtest" / "deu3-calibration.md"
# two cheap models; every model is checked noise-free against the leaderboard below
CHEAP = ["compromise", "median"]
TRAIN = ("d00032", "d00184", "d95341", "d96085")
TEST = ("d00062", "d00067", "d96112", "d96161")

# --- grading, without ../shared -----------------------------------------------------------------


def test_grade_is_the_ledgers_scores() -> None:
    rng = np.random.default_rng(1)
    samples = rng.uniform(0, 100, (30, 25))
    y = rng.uniform(0, 100, 30)
    g = grade(samples, y, seed=5)
    np.testing.assert_array_equal(g.crps, crps_samples(samples, y))
    q = np.quantile(samples, LEVELS, axis=-1).T
    for c in COVERAGES:
        np.testing.assert_array_equal(g.covered[c], covered(q, LEVELS, y, c))
    np.testing.assert_array_equal(g.pit, pit(np.column_stack([samples, y]), y, 5))
    np.testing.assert_allclose(g.handicap, crps_samples(samples, y) - fair_crps(samples, y))
    assert np.all(g.handicap >= 0)
    point = grade(np.full((3, 4), 40.0), np.array([40.0, 10.0, 100.0]))
    np.testing.assert_allclose(point.crps, [0.0, 30.0, 60.0])  # a point mass: absolute error
    assert point.covered[0.9].tolist() == [1.0, 0.0, 0.0]


def test_rank_pit_is_uniform_for_few_draws() -> None:
    """Outcome and four draws from one distribution: the rank PIT is uniform (each tenth holds
    10 % within 2 points), where the PIT of the four draws alone puts a fifth at each end."""
    rng = np.random.default_rng(3)
    samples, y = rng.normal(size=(20000, 4)), rng.normal(size=20000)
    counts = np.histogram(rank_pit(samples, y), bins=10, range=(0, 1))[0] / y.size
    assert np.all(np.abs(counts - 0.1) < 0.02)
    assert float(np.mean(pit(samples, y) == 0.0)) == pytest.approx(0.2, abs=0.02)


def test_pit_coverage_is_nominal_with_atoms_where_interval_coverage_is_not() -> None:
    """Forecast and outcome from the same distribution with atoms at the scale's ends (a
    calibrated forecast): the PIT bands hold their nominal share within 3 points; the quantile
    interval at 90 % covers more, since its ends sit on the atoms."""
    rng = np.random.default_rng(7)
    samples = np.clip(rng.normal(50, 40, (4000, 40)), 0, 100)
    y = np.clip(rng.normal(50, 40, 4000), 0, 100)
    g = grade(samples, y, seed=0)
    for c in COVERAGES:
        assert abs(float(g.pit_inside(c).mean()) - c) < 0.03
    assert float(g.covered[0.9].mean()) > 0.95


@settings(max_examples=60)
@given(
    st.lists(st.floats(0, 1), min_size=6, max_size=6),
    st.floats(0.3, 0.7),
)
def test_verdict_follows_the_coverage_intervals(bounds: list[float], centre: float) -> None:
    lo50, hi50 = sorted(bounds[:2])
    lo90, hi90 = sorted(bounds[2:4])
    cover = {0.5: Interval(lo50, lo50, hi50), 0.9: Interval(lo90, lo90, hi90)}
    words = verdict(cover, Interval(centre, centre - 0.01, centre + 0.01))
    narrow = [hi < c for c, (_lo, hi) in ((0.5, (lo50, hi50)), (0.9, (lo90, hi90)))]
    wide = [lo > c for c, (lo, _hi) in ((0.5, (lo50, hi50)), (0.9, (lo90, hi90)))]
    assert words.startswith("calibrated") == (not any(narrow) and not any(wide))
    assert words.startswith("over-confident") == (any(narrow) and not any(wide))
    assert words.startswith("under-confident") == (any(wide) and not any(narrow))
    assert ("too low" in words) == (centre - 0.01 > 0.5)
    assert ("too high" in words) == (centre + 0.01 < 0.5)


def test_slow_models_get_fewer_draws() -> None:
    by_model = {v.model: draws_for(v, 40) for v in calibrated_variants()}
    assert by_model["compromise"] == 40
    assert by_model["eum"] == 40 // COST["eum"]
    assert by_model["smp"] == 40 // COST["smp"]
    assert by_model["exchange"] == 40 // COST["exchange"]  # every model, the exchange one too
    assert min(draws_for(v, 2) for v in calibrated_variants()) == 2


def test_committed_page_is_the_json_in_words() -> None:
    data = json.loads(PAGE.with_suffix(".json").read_text(encoding="utf-8"))
    page = PAGE.read_text(encoding="utf-8")
    assert data["data"]["issues"] == 351
    assert data["data"]["test_issues"] == len(data["test_issues"]) == 183
    labels = {v.label for v in calibrated_variants()}
    assert {f["model"] for f in data["fits"]} == labels
    for row in data["test"]:
        crps = row["crps"]
        cell = f"{crps['value']:.2f} [{crps['low']:.2f}, {crps['high']:.2f}]"
        assert re.search(rf"\| \*?{row['model']}\*? \|[^\n]*{re.escape(cell)}", page)
        assert sum(row["pit_histogram"]) == 183
    assert "docs/backtest/deu3-calibration.md" in (ROOT / "mkdocs.yml").read_text() or (
        "backtest/deu3-calibration.md" in (ROOT / "mkdocs.yml").read_text()
    )


# --- on DEU III issues (skipped without ../shared) -----------------------------------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DEU III file with the issues of four train and four test proposals."""
    lines = shared_path("data", "deu", "deu3.csv").read_text(encoding="utf-8").splitlines()
    keep = [ln for ln in lines[1:] if ln.split("\t")[2].strip('"') in TRAIN + TEST]
    path = tmp_path_factory.mktemp("deu") / "deu3-small.csv"
    path.write_text("\n".join([lines[0], *keep]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def deu(small: Path) -> DeuData:
    return load_deu(small)


def test_the_subset_is_on_the_committed_split(deu: DeuData) -> None:
    split = read_split()
    sides = {i.proposal: split[i.id] for i in deu.issues}
    assert sides == {**dict.fromkeys(TRAIN, "train"), **dict.fromkeys(TEST, "test")}


def test_noise_free_draws_are_the_leaderboard_forecasts(deu: DeuData) -> None:
    few = sorted(deu.issues, key=lambda i: len(i.actors))[:2]  # two small issues, and two
    pair = [i for i in deu.issues if i.proposal == "d00032"][:2]  # with one actor list: a batch
    picked = [*few, *pair]
    assert len({len(i.actors) for i in picked}) == 3
    for v in calibrated_variants():
        got = predictive(picked, v, "council", (0.0,), draws=2)
        want = forecasts(picked, v, "council")
        np.testing.assert_allclose(got[0], np.repeat(want[:, None], 2, axis=1), atol=1e-9)


def test_draws_depend_on_the_seed_and_the_issue_only(deu: DeuData) -> None:
    v = variants(["compromise"])[0]
    every = predictive(deu.issues, v, "equal", (0.1, 0.3), draws=5, seed=3)
    some = predictive(deu.issues[2:6], v, "equal", (0.3,), draws=5, seed=3)
    np.testing.assert_array_equal(every[1, 2:6], some[0])
    assert not np.array_equal(normals(deu.issues[0], 5, 3), normals(deu.issues[0], 5, 4))
    assert not np.array_equal(normals(deu.issues[0], 5, 3), normals(deu.issues[1], 5, 3))
    assert np.all((every >= 0) & (every <= 100))
    assert every[1].std(axis=-1).mean() > every[0].std(axis=-1).mean()  # more noise, more spread


def test_fit_minimises_the_fair_train_crps(deu: DeuData) -> None:
    split = read_split()
    train = [i for i in deu.issues if split[i.id] == "train"]
    v = variants(["median"])[0]
    fit = fit_noise(train, v, "equal", grid=(0.1, 0.5, 1.0), draws=6, seed=2)
    y = outcomes(train)
    for g, value in zip(fit.grid, fit.curve, strict=True):
        samples = predictive(train, v, "equal", (g,), draws=6, seed=2)[0]
        assert value == pytest.approx(float(np.mean(fair_crps(samples, y))))
    assert fit.train_crps == min(fit.curve)
    assert fit.value == fit.grid[fit.curve.index(min(fit.curve))]


def test_climatology_is_the_train_outcomes_on_the_scale(deu: DeuData) -> None:
    split = read_split()
    train = [i for i in deu.issues if split[i.id] == "train"]
    test = [i for i in deu.issues if split[i.id] == "test"]
    clim = climatology(train, test)
    assert clim.shape == (len(test), len(train))
    np.testing.assert_array_equal(clim[0], outcomes(train))  # every DEU scale is 0-100


def test_the_fit_never_reads_a_test_outcome(deu: DeuData) -> None:
    split = read_split()
    flipped = tuple(
        dataclasses.replace(i, outcome=100.0 - i.outcome) if split[i.id] == "test" else i
        for i in deu.issues
    )
    runs = [
        run_calibration(d, models=CHEAP, grid=(0.1, 0.5), draws=6, bootstrap=50, seed=1)
        for d in (deu, dataclasses.replace(deu, issues=flipped))
    ]
    assert [f.as_dict() for f in runs[0].fits] == [f.as_dict() for f in runs[1].fits]
    assert runs[0].summaries[0].crps != runs[1].summaries[0].crps


def test_same_seed_same_bytes(deu: DeuData) -> None:
    def run(seed: int) -> tuple[str, str]:
        cal = run_calibration(deu, models=CHEAP, grid=(0.1, 0.5), draws=6, bootstrap=50,
                              seed=seed)  # fmt: skip
        return to_json(cal), render(cal, "multipolar backtest calibration deu3-small.csv")

    first = run(4)
    assert first == run(4)
    assert first[0] != run(5)[0]
    page = first[1]
    for heading in ("## Does any model beat the climatology?", "## Reliability", "## Method"):
        assert heading in page
    report = json.loads(first[0])
    assert [row["model"] for row in report["test"]] == [*CHEAP, "climatology"]
    assert report["data"]["test_issues"] == 11


def test_cli_calibration_writes_the_page_and_fails_in_one_line(small: Path, tmp_path: Path) -> None:
    page, data = tmp_path / "page.md", tmp_path / "page.json"
    args = ["backtest", "calibration", str(small), "-m", "compromise", "--draws", "4",
            "--bootstrap", "20", "-q", "-o", str(page), "--json-out", str(data)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert page.read_text(encoding="utf-8").startswith("# DEU III calibration")
    assert "--draws 4" in page.read_text(encoding="utf-8")
    assert json.loads(data.read_text(encoding="utf-8"))["fits"][0]["draws"] == 4
    bad = runner.invoke(app, ["backtest", "calibration", str(small), "-c", "councl"])
    assert bad.exit_code == 2
    assert bad.stderr.strip().count("\n") == 0
    assert "did you mean 'council'" in bad.stderr
    missing = runner.invoke(app, ["backtest", "calibration", str(tmp_path / "nope.csv"), "-q"])
    assert missing.exit_code == 2
    assert "Traceback" not in missing.stderr


# --- the exchange model: a proposal's issues as one problem, each issue with its own noise -------


def test_exchange_noise_is_each_issues_own(deu: DeuData) -> None:
    """In a proposal's problem every issue's actors move by the numbers the issue gets alone."""
    group = [i for i in deu.issues if i.proposal == "d00032"]
    assert len(group) > 1
    joint = proposal_noisy_inputs(group, "council", (0.0, 0.3), 3, seed=2)
    assert joint.x.shape == (2, 3, len(group), len(joint.actors))
    for k, issue in enumerate(group):
        alone = noisy_inputs([issue], "council", (0.0, 0.3), 3, seed=2)
        cols = [joint.actors.index(a) for a in issue.actors]
        np.testing.assert_array_equal(joint.x[:, :, k, cols], alone.x[:, 0, :, 0, :])
        np.testing.assert_array_equal(joint.mask[:, :, k, cols], alone.mask[:, 0, :, 0, :])
        others = np.setdiff1d(np.arange(len(joint.actors)), cols)
        assert not joint.mask[:, :, k, others].any()  # not positioned there: not moved either
    np.testing.assert_array_equal(joint.x[0], np.broadcast_to(joint.x[0, 0], joint.x[0].shape))


def test_exchange_on_a_lone_issue_is_the_compromise_under_the_same_noise(deu: DeuData) -> None:
    """One issue of a proposal alone is a one-issue problem (nothing to trade): the exchange
    model's draws are the compromise model's, so the two see the very same noise."""
    lone = [i for i in deu.issues if i.proposal == "d00062"][:1]
    exchange, compromise = variants(["exchange", "compromise"])
    got = predictive(lone, exchange, "equal", (0.3,), draws=4, seed=1)
    want = predictive(lone, compromise, "equal", (0.3,), draws=4, seed=1)
    assert got.std() > 0
    np.testing.assert_allclose(got, want, atol=1e-9)


def test_exchange_is_fitted_on_train_and_graded_on_test(deu: DeuData) -> None:
    cal = run_calibration(deu, models=["exchange"], grid=(0.1, 1.0), draws=8, bootstrap=20)
    (fit,) = cal.fits
    assert fit.label == "exchange"
    assert fit.draws == 8 // COST["exchange"]
    assert fit.train_issues == 14
    assert fit.value in (0.1, 1.0)
    assert fit.train_crps == min(fit.curve)
    report = json.loads(to_json(cal))
    row = report["test"][0]
    assert row["model"] == "exchange"
    assert sum(row["pit_histogram"]) == 11
    assert 0.0 <= row["coverage"]["50%"]["value"] <= row["coverage"]["90%"]["value"] <= 1.0
    assert "**Proposal models** (`exchange`)" in render(cal, "multipolar backtest calibration x")
