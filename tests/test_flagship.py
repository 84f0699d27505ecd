"""The flagship scenario: valid, fully sourced, and forecast by every registered model."""

from __future__ import annotations

import functools
import json
import re

from typer.testing import CliRunner

import multipolar
from multipolar.cli import app
from multipolar.models import names
from multipolar.scenario.checks import estimates
from tests.conftest import SCENARIOS, shared_path

FLAGSHIP = SCENARIOS / "ukraine_2025_08.yaml"
REQUIRED_ACTORS = {"RUS", "UKR", "USA", "EUR", "TUR"}
REQUIRED_ISSUES = {"donbas", "south", "guarantees", "sanctions", "agreement", "aid"}


def test_flagship_actors_and_issues() -> None:
    scn = multipolar.load(FLAGSHIP)
    assert set(scn.actor_ids) >= REQUIRED_ACTORS
    assert set(scn.issue_ids) >= REQUIRED_ISSUES
    assert scn.actor("TUR").kind == "mediator"
    for issue in scn.issues:
        assert issue.low_label
        assert issue.high_label
        assert issue.anchors


def test_every_estimate_is_a_sourced_range() -> None:
    scn = multipolar.load(FLAGSHIP)
    found = list(estimates(scn))
    assert len(found) >= 60
    for path, est in found:
        assert est.low is not None, path
        assert est.low < est.high, path
        if path[0] == "constituencies":  # a quote only for verbatim words; else a paraphrase
            member = scn.constituencies[str(path[1])].members[int(path[3])]
            assert est.quote or est.note or member.note, path
            assert est.source or member.source or member.note, path
            continue
        assert est.source, path
        assert est.quote, path


def _words(text: str) -> str:
    return re.sub(
        r"\s+", " ", text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    )


def test_article_quotes_are_verbatim() -> None:
    article = _words(shared_path("seed", "000_fd945fe258de211a.txt").read_text(encoding="utf-8"))
    scn = multipolar.load(FLAGSHIP)
    quoted = [est.quote for _, est in estimates(scn) if est.source == "seed" and est.quote]
    assert quoted
    for quote in quoted:
        assert _words(quote).strip(' ."…') in article, quote


def test_forecast_json_has_every_model_and_issue() -> None:
    result = CliRunner().invoke(app, ["forecast", str(FLAGSHIP), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    scn = multipolar.load(FLAGSHIP)
    assert set(data["forecasts"]) == set(names())
    for model, per_issue in data["forecasts"].items():
        assert set(per_issue) == set(scn.issue_ids), model
        for issue_id, value in per_issue.items():
            low, high = scn.issue(issue_id).scale
            assert low <= value <= high


def test_analysis_document_regenerates_identically() -> None:
    """The committed analysis is exactly what the engine writes for seed 0 (no hand edits)."""
    from multipolar.report.analysis import analysis_markdown

    scn = multipolar.load(FLAGSHIP)
    text = analysis_markdown(scn, seed=0)
    committed = (SCENARIOS.parent / "docs" / "analysis" / "ukraine-2025-08.md").read_text()
    regenerate = (
        "multipolar analysis scenarios/ukraine_2025_08.yaml -o docs/analysis/ukraine-2025-08.md"
    )
    assert text == committed, f"the document is stale: {regenerate}"


def test_flagship_deals_and_what_it_takes_run() -> None:
    result = CliRunner().invoke(app, ["deals", str(FLAGSHIP), "--format", "json", "--draws", "200"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"RUS", "UKR", "USA", "EUR"} <= set(data["must_accept"])
    out = CliRunner().invoke(
        app,
        ["what-it-takes", str(FLAGSHIP), "--param", "conflict.guarantee.credibility", "-f", "json"],
    )
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["path"] == "conflict.guarantee.credibility"


# --- events: the Alaska summit and the White House meeting ---------------------------------------

TIMELINE_ARGS = ["timeline", str(FLAGSHIP), "--format", "json"]


def _timeline_json() -> str:
    result = CliRunner().invoke(app, TIMELINE_ARGS)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@functools.cache
def _first_timeline_json() -> str:
    return _timeline_json()


def test_flagship_timeline_lists_both_events_with_margins_and_drivers() -> None:
    data = json.loads(_first_timeline_json())
    events = data["events"]
    assert [e["event"] for e in events] == ["alaska", "white_house"]
    assert [e["date"] for e in events] == ["2025-08-15", "2025-08-18"]
    actors = set(data["baseline"]["metrics"]["margin"])
    assert actors == REQUIRED_ACTORS
    for event in events:
        margin = event["changes"]["margin"]
        assert set(margin) == actors, event["event"]
        for actor, row in margin.items():
            parts = {k: v for k, v in row.items() if k != "total"}
            assert set(parts) == set(event["effects"]), (event["event"], actor)
            # the Shapley parts sum to the total change
            assert abs(sum(parts.values()) - row["total"]) < 1e-9, (event["event"], actor)
        assert event["summary"], event["event"]
        for line in event["summary"]:
            if line.startswith("a zone of agreement"):
                continue
            drivers = re.findall(r"mostly '(.+?)', [+-]", line)
            assert drivers, line
            assert all(d in event["effects"] for d in drivers), line


def test_flagship_timeline_json_is_identical_across_runs() -> None:
    assert _timeline_json() == _first_timeline_json()


def test_event_quotes_are_sourced_and_verbatim() -> None:
    article = _words(shared_path("seed", "000_fd945fe258de211a.txt").read_text(encoding="utf-8"))
    scn = multipolar.load(FLAGSHIP)
    assert {e.id for e in scn.events} == {"alaska", "white_house"}
    for event in scn.events:
        assert 2 <= len(event.effects) <= 5, event.id
        for eff in event.effects:
            assert eff.source, (event.id, eff.label())
            assert eff.quote, (event.id, eff.label())
            assert eff.note, (event.id, eff.label())
            if eff.source == "seed":
                assert _words(eff.quote).strip(' ."…') in article, eff.quote


def test_flagship_state_after_events_keeps_every_range() -> None:
    """Every estimate the events change is still a range afterwards (a `set` outside the
    baseline range would silently drop it and change every Monte Carlo figure)."""
    from multipolar.dynamics.apply import resolve

    base = dict(estimates(multipolar.load(FLAGSHIP)))
    after = dict(estimates(resolve(multipolar.load(FLAGSHIP))))
    assert after.keys() == base.keys()
    for path, est in after.items():
        assert est.low is not None, path
        assert est.high is not None, path
        assert est.low <= est.best <= est.high, path
    moved = [path for path in base if base[path].best != after[path].best]
    assert len(moved) == 9, moved
