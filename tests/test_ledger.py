"""The ledger: questions answered as the other surfaces answer them, sealed append-only and
hash-chained, resolved, graded; tampering detected."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.errors import UsageError
from multipolar.ledger import answer_all, grade, resolve, seal
from multipolar.ledger import scores as sc
from multipolar.scenario import load
from multipolar.store.ledger import entries, verify
from tests.conftest import ROOT

CASE = ROOT / "tests" / "data" / "ledger_case.yaml"
DRAWS = 100
runner = CliRunner()


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("ledger") / "l.sqlite"
    result = runner.invoke(
        app,
        [
            "ledger",
            "seal",
            str(CASE),
            "--timeline",
            "--db",
            str(db),
            "--draws",
            str(DRAWS),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    return db


def _copy(db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.sqlite"
    target.write_bytes(db.read_bytes())
    return target


def test_timeline_seal_has_a_forecast_per_question_per_revision(sealed: Path) -> None:
    result = runner.invoke(app, ["ledger", "list", "--db", str(sealed), "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)["entries"]
    scn = load(CASE)
    pairs = {(e["question"], e["data"]["as_of"]) for e in listed}
    dates = {"2026-01-04", "2026-01-05"}  # the baseline (day before the event), the event
    assert pairs == {(f"ledger_case:{q.id}", d) for q in scn.questions for d in dates}
    first = listed[0]
    assert first["prev"] == "0" * 64
    for before, after in itertools.pairwise(listed):
        assert after["prev"] == before["hash"]
    data = first["data"]
    assert data["draws"] == DRAWS
    assert data["seed"] == 0
    assert len(data["scenario_hash"]) == 64
    assert data["version"]
    dt.datetime.fromisoformat(first["sealed"])  # UTC time of sealing


def test_answers_are_the_verdicts_probabilities() -> None:
    """A zone question's probability is the verdict's P(zone): the same number as every
    other surface, with the same draws and seed."""
    from multipolar.deals.analysis import deal_verdict

    scn = load(CASE)
    final = {a.question: a for a in answer_all(scn, draws=DRAWS, seed=3)}
    verdict = deal_verdict(scn, draws=DRAWS, seed=3)
    assert verdict.p_zone is not None
    assert final["ledger_case:deal"].probability == verdict.p_zone.value
    land = final["ledger_case:land"].quantiles
    assert list(land) == ["0.05", "0.25", "0.5", "0.75", "0.95"]
    assert list(land.values()) == sorted(land.values())


def test_verify_passes_then_names_the_tampered_entry(sealed: Path, tmp_path: Path) -> None:
    db = _copy(sealed, tmp_path)
    ok = runner.invoke(app, ["ledger", "verify", "--db", str(db)])
    assert ok.exit_code == 0
    assert "chain intact" in ok.output
    with closing(sqlite3.connect(db)) as con:
        content = json.loads(con.execute("SELECT content FROM ledger WHERE seq = 3").fetchone()[0])
        content["probability"] = 0.99
        con.execute("UPDATE ledger SET content = ? WHERE seq = 3", (json.dumps(content),))
        con.commit()
    bad = runner.invoke(app, ["ledger", "verify", "--db", str(db)])
    assert bad.exit_code == 1
    assert "entry 3" in bad.output
    assert "edited" in bad.output


def test_verify_detects_a_deleted_or_rehashed_entry(sealed: Path, tmp_path: Path) -> None:
    db = _copy(sealed, tmp_path)
    with closing(sqlite3.connect(db)) as con:
        con.execute("DELETE FROM ledger WHERE seq = 2")
        con.commit()
    result = verify(f"sqlite:///{db}")
    assert not result.ok
    assert "entry 2 is missing" in result.problem
    db2 = tmp_path / "b.sqlite"
    db2.write_bytes(sealed.read_bytes())
    with closing(sqlite3.connect(db2)) as con:  # an edit that recomputes its own hash
        con.execute("UPDATE ledger SET hash = ? WHERE seq = 4", ("f" * 64,))
        con.commit()
    result = verify(str(db2))
    assert not result.ok
    assert "entry 4" in result.problem


def test_resolve_and_grade(sealed: Path, tmp_path: Path) -> None:
    db = str(_copy(sealed, tmp_path))
    resolve("deal", "yes", "Test wire, 2026-06-30", db=db, date=dt.date(2026, 6, 30))
    with pytest.raises(UsageError, match="outside the issue's scale"):
        resolve("land", "101", "x", db=db)
    resolve("ledger_case:land", "58", "Test map", db=db, date=dt.date(2026, 6, 30))
    with pytest.raises(UsageError, match="resolved already"):
        resolve("deal", "no", "again", db=db)
    with pytest.raises(UsageError, match="yes or no"):
        resolve("land_high", "maybe", "x", db=db)
    with pytest.raises(UsageError, match="no sealed forecast"):
        resolve("dael", "yes", "x", db=db)
    grades = grade(entries(db))
    by_q = {g.question: g for g in grades.questions}
    deal = by_q["ledger_case:deal"]
    sealed_p = [e.data["probability"] for e in entries(db, question="ledger_case:deal")
                if e.kind == "forecast"]  # fmt: skip
    assert [r.forecast for r in deal.revisions] == sealed_p
    assert deal.final["brier"] == pytest.approx((1 - sealed_p[-1]) ** 2)
    assert deal.final["log"] == pytest.approx(-np.log(max(sealed_p[-1], sc.EPS)))
    # the baseline stood one day (4 → 5 Jan), the event's forecast until 30 June
    w = np.array([1.0, (dt.date(2026, 6, 30) - dt.date(2026, 1, 5)).days])
    briers = [(1 - p) ** 2 for p in sealed_p]
    assert deal.time_averaged == pytest.approx(float(np.dot(w / w.sum(), briers)))
    assert deal.revisions[1].events == ("talks",)
    assert deal.revisions[1].change == pytest.approx(briers[1] - briers[0])
    assert "ledger_case:land_high" in grades.unresolved
    models = {m.model: m for m in grades.models}
    assert models["deals"].binary == 1
    assert models["compromise"].numeric == 1
    html_out = tmp_path / "g.html"
    result = runner.invoke(app, ["ledger", "grade", "--db", db, "-f", "html", "-o", str(html_out)])
    assert result.exit_code == 0, result.output
    page = html_out.read_text(encoding="utf-8")
    assert 'id="reliability"' in page
    assert 'id="pit"' in page


def test_appending_never_rewrites(sealed: Path, tmp_path: Path) -> None:
    db = str(_copy(sealed, tmp_path))
    before = [e.hash for e in entries(db)]
    scn = load(CASE)
    more = seal(scn, db=db, draws=20, seed=1)
    after = entries(db)
    assert [e.hash for e in after[: len(before)]] == before
    assert more[0].prev == before[-1]
    assert verify(db).ok


def test_reading_never_creates_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite"
    result = runner.invoke(app, ["ledger", "list", "--db", str(missing)])
    assert result.exit_code == 2
    assert not missing.exists()
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ("answer: {by: zone}", "answer: {by: nowhere}"),
        ("model: compromise\n", "model: compromis\n"),
        (
            "closes: 2026-06-30\n    answer: {by: zone}",
            "closes: 2025-06-30\n    answer: {by: zone}",
        ),
        ("issue: land, above: 60", "issue: land, above: 600"),
    ],
)
def test_bad_questions_get_one_line(tmp_path: Path, edit: str, message: str) -> None:
    text = CASE.read_text(encoding="utf-8")
    assert edit in text
    path = tmp_path / "q.yaml"
    path.write_text(text.replace(edit, message, 1), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{path}:")
    assert "questions[" in lines[0]
    assert "fix:" in lines[0]


def test_seal_without_questions_is_an_error(valid_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["ledger", "seal", str(valid_file), "--db",
                                 str(tmp_path / "x.sqlite")])  # fmt: skip
    assert result.exit_code == 2
    assert "no questions" in result.output
