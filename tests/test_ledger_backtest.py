"""The case-library backtest: seal, resolve from outcomes.yaml, grade against the base rate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.ledger.backtest import run_cases, summarise
from tests.conftest import ROOT

CASE = ROOT / "tests" / "data" / "ledger_case.yaml"
runner = CliRunner()
OUTCOMES = """\
outcomes:
  - case: one
    question: deal
    outcome: "yes"
    resolved: 2026-06-01
    source: {title: Test wire, publisher: Tests, date: 2026-06-02}
  - case: two
    question: deal
    outcome: "no"
    resolved: 2026-06-30
    source: {title: Test wire, publisher: Tests, date: 2026-07-01}
  - case: three
    question: nash_accepted
    outcome: "no"
    resolved: 2026-06-30
    source: Test wire
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    text = CASE.read_text(encoding="utf-8")
    for name in ("one", "two", "three"):
        (tmp_path / f"{name}.yaml").write_text(text.replace("id: ledger_case", f"id: {name}"))
    (tmp_path / "outcomes.yaml").write_text(OUTCOMES, encoding="utf-8")
    return tmp_path


def test_library_is_graded_against_leave_one_out_base_rates(library: Path) -> None:
    rows = run_cases(library, draws=40, seed=2)
    assert [r.case for r in rows] == ["one", "three", "two"]
    assert [r.outcome for r in rows] == [1, 0, 0]
    assert [r.base_rate for r in rows] == [0.0, 0.5, 0.5]  # the other cases' share of yes
    summary = summarise(rows, seed=2, resamples=200)
    p, y = np.array([r.probability for r in rows]), np.array([1, 0, 0])
    assert summary.scores["engine"]["brier"] == pytest.approx(float(np.mean((p - y) ** 2)))
    assert summary.scores["always 50%"]["brier"] == pytest.approx(0.25)
    lo, hi = summary.intervals["engine brier"]
    assert lo <= summary.scores["engine"]["brier"] <= hi


def test_page_is_byte_identical_on_a_rerun(library: Path, tmp_path: Path) -> None:
    pages = []
    for i in range(2):
        out = tmp_path / f"cases{i}.md"
        result = runner.invoke(app, ["ledger", "backtest", str(library), "--draws", "30",
                                     "-o", str(out), "--format", "json"])  # fmt: skip
        assert result.exit_code == 0, result.output
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]
    text = pages[0].decode("utf-8")
    assert text.count("| Ledger test case") == 3
    assert "base rate" in text


def test_missing_outcome_is_one_line(library: Path) -> None:
    (library / "four.yaml").write_text(CASE.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["ledger", "backtest", str(library), "--draws", "10"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "no outcome for case 'four'" in result.output
