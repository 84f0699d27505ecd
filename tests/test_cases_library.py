"""The case library (cases/): historical negotiations written "as of" a date before their outcome.

Checked here, without any Monte Carlo: every case file validates; it is dated, and nothing in it
(a source, an event) is dated after that date; it asks exactly one binary question; and
cases/outcomes.yaml resolves that question with a named source, after the case date.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from multipolar.scenario import load
from multipolar.scenario.schema import Scenario

CASES = Path(__file__).resolve().parents[1] / "cases"
OUTCOMES = CASES / "outcomes.yaml"
CASE_FILES = sorted(p for p in CASES.glob("*.yaml") if p.name != OUTCOMES.name)
SOURCE_FIELDS = ("title", "publisher", "date", "url")


def _outcomes() -> list[dict[str, Any]]:
    data = yaml.safe_load(OUTCOMES.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "outcomes.yaml holds a mapping with an `outcomes:` list"
    assert set(data) == {"outcomes"}, f"unexpected top-level keys {sorted(data)}"
    entries = data["outcomes"]
    assert isinstance(entries, list)
    return entries


@cache
def _case(path: Path) -> Scenario:
    return load(path)


def test_the_library_has_at_least_eight_cases_with_both_outcomes() -> None:
    assert len(CASE_FILES) >= 8
    outcomes = {e["outcome"] for e in _outcomes()}
    assert outcomes == {"yes", "no"}, "a library of one outcome cannot tell skill from a base rate"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case_validates_and_is_dated(path: Path) -> None:
    scn = _case(path)
    assert scn.id == path.stem, "the case id is the file stem (outcomes.yaml refers to it)"
    assert scn.date is not None, "a case is written as of a date"
    assert scn.conflict is not None, "a case has a conflict: block so the deal analysis runs"
    assert 3 <= len(scn.actors) <= 7
    assert 2 <= len(scn.issues) <= 6


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_nothing_in_a_case_postdates_it(path: Path) -> None:
    scn = _case(path)
    assert scn.date is not None
    assert scn.sources, "every estimate rests on a named source"
    for src in scn.sources:
        assert src.date is not None, f"source '{src.id}' has no date"
        assert src.date <= scn.date, f"source '{src.id}' ({src.date}) is after the case date"
        assert src.title.strip()
    for event in scn.events:
        assert event.date <= scn.date, f"event '{event.id}' ({event.date}) is after the case"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_every_estimate_names_a_source(path: Path) -> None:
    scn = _case(path)
    estimates = [("capability", a.id, a.capability) for a in scn.actors]
    estimates += [("status_quo", i.id, i.status_quo) for i in scn.issues if i.status_quo]
    for table in ("positions", "salience"):
        for actor, row in getattr(scn, table).items():
            estimates += [(table, f"{actor}.{issue}", est) for issue, est in row.items()]
    missing = [f"{kind} {where}" for kind, where, est in estimates if est.source is None]
    assert not missing, f"estimates without a source: {missing}"


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case_asks_exactly_one_binary_question(path: Path) -> None:
    scn = _case(path)
    assert scn.date is not None
    assert len(scn.questions) == 1
    (question,) = scn.questions
    assert question.kind == "binary"
    assert question.answer is not None
    assert question.answer.by in ("zone", "accept")
    assert question.closes > scn.date


def test_every_case_has_one_outcome_with_a_named_source() -> None:
    entries = _outcomes()
    by_case: dict[str, dict[str, Any]] = {}
    for entry in entries:
        assert entry["case"] not in by_case, f"two outcomes for {entry['case']}"
        by_case[entry["case"]] = entry
    assert set(by_case) == {p.stem for p in CASE_FILES}
    for path in CASE_FILES:
        scn = _case(path)
        assert scn.date is not None
        entry = by_case[path.stem]
        (question,) = scn.questions
        assert entry["question"] == question.id
        assert entry["outcome"] in ("yes", "no"), "write outcome as the string 'yes' or 'no'"
        resolved = entry["resolved"]
        assert isinstance(resolved, dt.date)
        assert resolved > scn.date, f"{path.stem}: resolved {resolved} is not after the case"
        assert resolved <= question.closes, f"{path.stem}: resolved after the question closed"
        source = entry["source"]
        for key in SOURCE_FIELDS:
            assert str(source.get(key, "")).strip(), f"{path.stem}: outcome source lacks {key}"
        assert str(entry.get("note", "")).strip()
