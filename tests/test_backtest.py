"""The DEU III backtest: dates, Council tables, exact power indices, metrics, split, CLI, doc."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from multipolar.backtest import DeuData, load_deu, run_backtest
from multipolar.backtest.capabilities import capabilities, member_power, observers
from multipolar.backtest.council import population, population_year, regime, regime_at, regimes
from multipolar.backtest.data import INSTITUTIONS, parse_date, proposal_date, proposal_year
from multipolar.backtest.fit import Variant, forecasts, variants
from multipolar.backtest.score import (
    METRICS,
    paired_difference,
    point,
    resample_counts,
    summarise,
    weighted_median,
)
from multipolar.backtest.split import make_split, read_split
from multipolar.backtest.ssi import population_quota, shapley_shubik
from multipolar.cli import app
from multipolar.dynamics.power import power_indices
from multipolar.errors import UsageError
from tests.conftest import ROOT, shared_path

runner = CliRunner()
DOC = ROOT / "docs" / "backtest" / "deu3.md"

# --- dates -------------------------------------------------------------------------------------


def test_dates_clean_and_spreadsheet_corrupted() -> None:
    assert parse_date("26-01-00") == (dt.date(2000, 1, 26), "clean")
    assert parse_date("07-02-96") == (dt.date(1996, 2, 7), "clean")
    assert parse_date("14-09-2016") == (dt.date(2016, 9, 14), "clean")
    # "14-07-04" (14 July 2004) read by a spreadsheet as 2014-07-04
    assert parse_date("2014-07-04") == (dt.date(2004, 7, 14), "repaired")
    assert parse_date("1930-05-05") == (dt.date(2005, 5, 30), "repaired")
    assert parse_date("999") == (None, None)
    assert parse_date("31-02-05") == (None, None)


def test_proposal_id_year_checks_the_date() -> None:
    assert proposal_year("d04209") == 2004
    assert proposal_year("d160280") == 2016
    assert proposal_year("n96114") == 1996
    assert proposal_date("2022-09-04", "d04209") == (dt.date(2004, 9, 22), "repaired")
    assert proposal_date("07-02-96", "d95341") == (dt.date(1996, 2, 7), "clean")  # next year ok
    assert proposal_date("999", "d05127") == (dt.date(2005, 7, 1), "proposal-id")
    assert proposal_date("26-01-00", "d98001") == (dt.date(1998, 7, 1), "proposal-id")
    with pytest.raises(UsageError):
        proposal_date("999", "x")


# --- Council tables ----------------------------------------------------------------------------

TREATY = {  # total votes, qualified majority, members (treaties and acts of accession)
    "amsterdam_15": (87, 62, 15),
    "accession_25": (124, 88, 25),
    "nice_25": (321, 232, 25),
    "nice_27": (345, 255, 27),
    "nice_28": (352, 260, 28),
}


@pytest.mark.parametrize(("rid", "expected"), TREATY.items())
def test_weighted_votes_match_the_treaties(rid: str, expected: tuple[int, int, int]) -> None:
    r = regime(rid)
    assert (sum(r.votes.values()), r.quota_votes, len(r.members)) == expected
    assert r.votes["de"] == r.votes["fr"] == r.votes["it"] == r.votes["uk"] == max(r.votes.values())


@pytest.mark.parametrize(
    ("day", "rid"),
    [
        ("2004-04-30", "amsterdam_15"),
        ("2004-05-01", "accession_25"),
        ("2004-10-31", "accession_25"),
        ("2004-11-01", "nice_25"),
        ("2007-01-01", "nice_27"),
        ("2013-06-30", "nice_27"),
        ("2013-07-01", "nice_28"),
        ("2014-10-31", "nice_28"),
        ("2014-11-01", "lisbon_28"),
        ("1990-01-01", "amsterdam_15"),  # before the tables: the first period
    ],
)
def test_period_in_force(day: str, rid: str) -> None:
    assert regime_at(dt.date.fromisoformat(day)).id == rid


def test_periods_tile_time_and_lisbon_has_populations() -> None:
    table = regimes()
    assert all(a.end == b.start for a, b in itertools.pairwise(table))
    lisbon = regime("lisbon_28")
    assert (lisbon.min_members, lisbon.blocking_members, lisbon.quota_population_pct) == (16, 4, 65)
    assert math.ceil(0.55 * len(lisbon.members)) == lisbon.min_members
    for year in (2015, 2016, 2017, 2018):
        assert set(population(year)) == set(lisbon.members)
    # 65% of Eurostat's EU-28 total on 1 January 2017 (511 523 613 persons)
    pop = population(2017)
    assert population_quota(list(pop.values()), 65) == 332_490_349
    assert sum(population(2018).values()) == pytest.approx(512.4e6, abs=0.05e6)
    assert population_year(dt.date(2021, 3, 1)) == 2018


# --- exact Shapley-Shubik ----------------------------------------------------------------------


def _brute_force(w: list[int], quota: int, min_members: int, blocking: int) -> np.ndarray:
    """The definition: over every order of the players, who turns the coalition into a winner."""
    n = len(w)

    def wins(members: list[int]) -> bool:
        big = len(members) >= min_members and sum(w[i] for i in members) >= quota
        return big or (blocking > 0 and n - len(members) < blocking)

    hits = np.zeros(n)
    for order in itertools.permutations(range(n)):
        for k in range(n):
            if not wins(list(order[:k])) and wins(list(order[: k + 1])):
                hits[order[k]] += 1
                break
    return hits / math.factorial(n)


@given(
    w=st.lists(st.integers(0, 9), min_size=1, max_size=6),
    share=st.floats(0.3, 1.0),
    min_members=st.integers(0, 4),
    blocking=st.integers(0, 3),
)
def test_ssi_matches_the_definition(w: list[int], share: float, min_members: int,
                                    blocking: int) -> None:  # fmt: skip
    quota = max(1, math.ceil(share * sum(w)))
    got = shapley_shubik(np.array(w), quota, min_members=min_members, blocking_members=blocking)
    assert got == pytest.approx(_brute_force(w, quota, min_members, blocking), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    w=st.lists(st.integers(0, 10**7), min_size=1, max_size=9),
    quota=st.integers(-2, 10**8),
    min_members=st.integers(0, 12),
    blocking=st.integers(0, 12),
)
def test_ssi_matches_the_definition_with_large_weights(w: list[int], quota: int, min_members: int,
                                                       blocking: int) -> None:  # fmt: skip
    """Populations as weights, any quota (none, some or every coalition wins), odd and even
    numbers of players (the two halves of the count differ by one)."""
    n = len(w)

    def wins(count: int, weight: int) -> bool:
        big = count >= min_members and weight >= quota
        return big or (blocking > 0 and n - count < blocking)

    expected = np.zeros(n)
    for i in range(n):  # the definition by coalitions: i turns the others' S into a winner
        others = [j for j in range(n) if j != i]
        for size in range(n):
            share = math.factorial(size) * math.factorial(n - 1 - size) / math.factorial(n)
            for members in itertools.combinations(others, size):
                weight = sum(w[j] for j in members)
                if not wins(size, weight) and wins(size + 1, weight + w[i]):
                    expected[i] += share
    got = shapley_shubik(np.array(w), quota, min_members=min_members, blocking_members=blocking)
    assert got == pytest.approx(expected, abs=1e-12)


def test_ssi_agrees_with_dynamics_power_on_the_council() -> None:
    eu15 = regime("amsterdam_15")
    w = [eu15.votes[m] for m in eu15.members]
    exact = power_indices(w, eu15.quota_votes or 0).shapley_shubik  # enumeration, 15 players
    assert shapley_shubik(np.array(w), eu15.quota_votes or 0) == pytest.approx(exact, abs=1e-12)
    nice = regime("nice_27")
    w = [nice.votes[m] for m in nice.members]
    sampled = power_indices(w, nice.quota_votes or 0, samples=20_000, seed=3)
    ours = shapley_shubik(np.array(w), nice.quota_votes or 0)
    assert sampled.shapley_shubik_se is not None
    assert np.all(np.abs(ours - sampled.shapley_shubik) <= 4 * sampled.shapley_shubik_se + 1e-3)


def test_lisbon_ssi_sums_to_one_and_follows_population() -> None:
    pop = population(2017)
    members = list(pop)
    weights = np.array([pop[m] for m in members])
    ssi = shapley_shubik(weights, population_quota(weights, 65), min_members=16,
                         blocking_members=4)  # fmt: skip
    assert ssi.sum() == pytest.approx(1.0)
    order = np.argsort(weights)
    assert np.all(np.diff(ssi[order]) >= -1e-12)  # more people: never less power
    unanimity = shapley_shubik(weights, int(weights.sum()))
    assert unanimity == pytest.approx(np.full(len(members), 1 / len(members)))


def test_member_power_is_normalised_and_unanimity_is_equal() -> None:
    eu15 = regime("amsterdam_15")
    votes = member_power(eu15, "council", "qmv", 2000)
    assert np.mean(list(votes.values())) == pytest.approx(1.0)
    assert votes["de"] / votes["lu"] == pytest.approx(10 / 2)
    assert set(member_power(eu15, "council-ssi", "unanimity", 2000).values()) == {1.0}
    lisbon = regime("lisbon_28")
    assert member_power(lisbon, "council", "qmv", 2017) == member_power(
        lisbon, "council-ssi", "qmv", 2017
    )


# --- metrics and bootstrap ---------------------------------------------------------------------

errors = st.lists(st.floats(0, 100, allow_nan=False), min_size=2, max_size=40)


def test_metrics_of_a_perfect_forecast() -> None:
    m = point(np.zeros(25))
    assert (m["mae"], m["median_ae"], m["rmse"], m["within10"]) == (0.0, 0.0, 0.0, 1.0)


@given(a=errors, seed=st.integers(0, 2**16))
def test_bootstrap_intervals_contain_the_estimate_and_self_difference_is_zero(
    a: list[float], seed: int
) -> None:
    err = np.array(a)
    counts = resample_counts([str(k) for k in range(err.size)], 300, np.random.default_rng(seed))
    intervals = summarise(err, counts)
    for name in ("mae", "rmse", "within10"):
        iv = intervals[name]
        assert iv.low - 1e-9 <= iv.value <= iv.high + 1e-9
    same = paired_difference(err, err.copy(), counts)
    for name in METRICS:
        assert (same[name].value, same[name].low, same[name].high) == (0.0, 0.0, 0.0)


@given(a=errors, data=st.data())
def test_weighted_median_is_the_median_of_the_resample(a: list[float], data: st.DataObject) -> None:
    err = np.array(a)
    counts = np.array(data.draw(st.lists(st.integers(0, 3), min_size=err.size,
                                         max_size=err.size).filter(any)))  # fmt: skip
    assert weighted_median(err, counts)[0] == pytest.approx(np.median(np.repeat(err, counts)))


def test_resampling_by_proposal_keeps_issues_together() -> None:
    groups = ["p1", "p1", "p2", "p3", "p3", "p3"]
    counts = resample_counts(groups, 200, np.random.default_rng(1), "proposal")
    assert np.all(counts[:, 0] == counts[:, 1])
    assert np.all(counts[:, 3] == counts[:, 5])
    by_issue = resample_counts(groups, 200, np.random.default_rng(1), "issue")
    assert np.all(by_issue.sum(axis=1) == len(groups))


def test_model_variants_cover_the_registry() -> None:
    labels = [v.label for v in variants()]
    assert {"compromise", "median", "nash", "eum-reference", "eum-paper", "smp"} <= set(labels)
    assert [v.label for v in variants(["eum-paper"])] == ["eum-paper"]
    with pytest.raises(UsageError, match="did you mean"):
        variants(["medain"])


# --- on DEU III (skipped without ../shared) ------------------------------------------------------


@pytest.fixture(scope="module")
def deu() -> DeuData:
    return load_deu(shared_path("data", "deu", "deu3.csv"))


def test_deu_issues_dates_and_periods(deu: DeuData) -> None:
    assert len(deu.issues) == 351
    assert len({i.proposal for i in deu.issues}) == 137
    for i in deu.issues:
        assert i.date.year - (proposal_year(i.proposal) or 0) in (0, 1)
    assert sum(i.date_source == "repaired" for i in deu.issues) > 100
    assert {regime_at(i.date).id for i in deu.issues} == {r.id for r in regimes()}


def test_equal_capability_baselines_through_the_backtest(deu: DeuData) -> None:
    lb = run_backtest(deu, models=["compromise", "median"], schemes=["equal"], fit=False,
                      bootstrap=200)  # fmt: skip
    full = {r.id: lb.scores[r.id]["full"] for r in lb.rows}
    assert full["compromise/equal"].n == 351
    assert full["compromise/equal"].metrics["mae"].value == pytest.approx(23.64, abs=0.01)
    assert full["median/equal"].metrics["mae"].value == pytest.approx(28.31, abs=0.01)
    assert full["compromise/equal"].diff["mae"].as_dict() == {"value": 0, "low": 0, "high": 0}


def test_capabilities_of_actual_issues(deu: DeuData) -> None:
    early = next(i for i in deu.issues if regime_at(i.date).id == "amsterdam_15"
                 and {"de", "lu", "com"} <= set(i.actors))  # fmt: skip
    caps = capabilities(early, "council", institution_weight=2.5)
    assert caps["de"] / caps["lu"] == pytest.approx(5.0)
    assert caps["com"] == 2.5
    assert set(capabilities(early, "equal").values()) == {1.0}
    observed = next(i for i in deu.issues if observers(i))
    caps = capabilities(observed, "council", observer_weight=0.5)
    assert all(caps[a] == 0.5 for a in observers(observed))
    assert all(a not in INSTITUTIONS for a in observers(observed))


def test_committed_split_is_reproducible_and_by_proposal(deu: DeuData) -> None:
    committed = read_split()
    assert committed == make_split(deu.issues)
    assert set(committed) == {i.id for i in deu.issues}
    side = {}
    for i in deu.issues:
        assert side.setdefault(i.proposal, committed[i.id]) == committed[i.id]
    assert 0.4 < sum(s == "train" for s in committed.values()) / len(committed) < 0.6


def test_fitted_weight_never_sees_the_test_outcomes(deu: DeuData) -> None:
    split = read_split()
    scrambled = tuple(
        dataclasses.replace(i, outcome=100.0 - i.outcome) if split[i.id] == "test" else i
        for i in deu.issues
    )
    other = dataclasses.replace(deu, issues=scrambled)
    runs = [run_backtest(d, models=["compromise"], schemes=["council"], bootstrap=50)
            for d in (deu, other)]  # fmt: skip
    assert runs[0].fits[0].value == runs[1].fits[0].value
    assert runs[0].fits[0].train_mae == runs[1].fits[0].train_mae
    row = "compromise/council+fit"
    assert runs[0].scores[row]["test"].metrics["mae"] != runs[1].scores[row]["test"].metrics["mae"]


def test_every_model_runs_on_a_subset(deu: DeuData) -> None:
    split = read_split()
    picked = [i.id for i in deu.issues if i.proposal in ("d04209", "d160280", "n99047", "d00060")]
    sub = deu.subset(picked)
    assert {split[i] for i in picked} == {"train", "test"}
    lb = run_backtest(sub, schemes=["council"], bootstrap=50, fit=False)
    assert {r.variant.label for r in lb.rows} >= {"smp", "eum-reference", "eum-paper", "nash"}
    for r in lb.rows:
        assert np.all((r.forecasts >= 0) & (r.forecasts <= 100))
    issues = lb.as_dict()["issues"]
    assert [row["issue"] for row in issues] == picked
    assert set(issues[0]["forecasts"]) == {r.id for r in lb.rows}


def test_cli_backtest_json_csv_and_errors(deu: DeuData, tmp_path: Path) -> None:
    path = shared_path("data", "deu", "deu3.csv")
    csv_out = tmp_path / "issues.csv"
    result = runner.invoke(app, ["backtest", "deu", str(path), "-m", "compromise", "-c", "equal",
                                 "--no-fit", "--bootstrap", "100", "--format", "json", "-q",
                                 "--issues-csv", str(csv_out)])  # fmt: skip
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rows"][0]["id"] == "compromise/equal"
    assert report["rows"][0]["full"]["mae"]["value"] == pytest.approx(23.64, abs=0.01)
    assert len(report["issues"]) == 351
    lines = csv_out.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(",outcome,compromise/equal")
    assert len(lines) == 352
    bad = runner.invoke(app, ["backtest", "deu", str(path), "-c", "councl"])
    assert bad.exit_code == 2
    assert bad.stderr.strip().count("\n") == 0
    assert "did you mean 'council'" in bad.stderr
    missing = runner.invoke(app, ["backtest", "deu", str(tmp_path / "nope.csv"), "-q"])
    assert missing.exit_code == 2
    assert "Traceback" not in missing.stderr


@pytest.mark.parametrize("args", [["backtest", "--help"], ["backtest", "deu", "--help"]])
def test_backtest_help_has_an_example(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "Example" in result.stdout


def _doc_rows() -> dict[tuple[str, str], list[str]]:
    rows = {}
    section = DOC.read_text(encoding="utf-8").split("## Leaderboard", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 10 and cells[0] not in ("rank", "---:"):
            rows[(cells[1], cells[2])] = cells
    return rows


def test_generated_doc_matches_a_fresh_run_of_the_cheap_models(deu: DeuData) -> None:
    """The full page takes minutes (SMP); its rows for the cheap models must match a fresh run
    with the same seed and replicates exactly, and its verdict must follow from its table."""
    rows = _doc_rows()
    labels = {label for label, _ in rows}
    assert {"compromise", "median", "nash", "eum-reference", "eum-paper", "smp"} <= labels
    assert {caps for _, caps in rows} >= {"equal", "council", "council-ssi"}
    lb = run_backtest(deu, models=["compromise", "median"], schemes=["equal", "council"])
    for r in lb.rows:
        caps = r.scheme + (f" + fitted w={r.institution_weight:g}" if r.fitted else "")
        full = lb.scores[r.id]["full"].metrics["mae"]
        assert (
            rows[(r.variant.label, caps)][3]
            == f"{full.value:.2f} [{full.low:.2f}, {full.high:.2f}]"
        )
        test = lb.scores[r.id]["test"].metrics["mae"].value
        assert rows[(r.variant.label, caps)][9] == f"{test:.2f}"
    clean = [float(c[3].split()[0]) for (_, caps), c in rows.items() if "fitted" not in caps]
    text = DOC.read_text(encoding="utf-8")
    assert ("**No.**" in text) == (min(clean) >= 22.99)


def test_exchange_reads_each_proposal_as_one_problem(deu: DeuData) -> None:
    """The exchange model runs on each DEU III proposal's issues together; a proposal of one
    issue gets the compromise; the committed leaderboard's exchange rows are a fresh run's."""
    from multipolar.backtest.fit import by_proposal, proposal_inputs
    from multipolar.models import get

    sizes = {p: sum(i.proposal == p for i in deu.issues) for p in {i.proposal for i in deu.issues}}
    group = [i for i in deu.issues if i.proposal == max(sizes, key=lambda p: (sizes[p], p))]
    single = next(i for i in deu.issues if sizes[i.proposal] == 1)
    exchange, compromise = Variant("exchange", "exchange"), Variant("compromise", "compromise")
    got = by_proposal([*group, single], exchange, "council")
    inputs = proposal_inputs(group, [capabilities(i, "council") for i in group])
    assert got[:-1].tobytes() == get("exchange").run(inputs).forecast.tobytes()
    assert not np.allclose(got[:-1], forecasts(group, compromise, "council"))
    assert got[-1] == pytest.approx(forecasts([single], compromise, "council")[0], abs=1e-9)
    rows, split = _doc_rows(), read_split()
    test = np.array([split[i.id] == "test" for i in deu.issues])
    for scheme in ("equal", "council"):
        err = np.abs(forecasts(deu.issues, exchange, scheme) - [i.outcome for i in deu.issues])
        assert rows[("exchange", scheme)][3].startswith(f"{err.mean():.2f} [")
        assert rows[("exchange", scheme)][9] == f"{err[test].mean():.2f}"
