"""One sign convention in every war output: a peace margin is positive when there is room for a
deal (the declining side prefers the deal to fighting now), and every surface prints the same
number under a label that says so."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.report.analysis import analysis_markdown
from multipolar.report.sections import Context
from multipolar.report.sections_deals import war_section
from multipolar.report.war_rows import PEACE_MARGIN
from multipolar.scenario import validate
from multipolar.war import commitment_test
from tests.test_deals import CONFLICT

runner = CliRunner()


def shifting(next_chance: float) -> dict[str, Any]:
    """B declines from 0.4 to ``next_chance``; its cost is 0.15, 0.3 of the stakes (worth 0.5
    to it), so Powell's right side is (1 − 0.9)(1 − 0.4 + 0.3) = 0.09."""
    data: dict[str, Any] = yaml.safe_load(CONFLICT)
    data["actors"][2]["kind"] = "mediator"
    data["conflict"]["power_shift"] = {"declining": "B", "now": 0.4, "next": next_chance}
    data["conflict"]["guarantee"] = {"credibility": 0.9, "issue": "guard"}
    data["conflict"]["costs"]["B"] = 0.15
    return data


@pytest.mark.parametrize(
    ("next_chance", "expected", "war"),
    [
        (0.1, 0.09 - 0.9 * 0.3, True),  # a commitment problem: no room for a deal
        (0.38, 0.09 - 0.9 * 0.02, False),  # a small shift: room for a deal
    ],
)
def test_peace_margin_is_one_number_on_every_surface(
    tmp_path: Path, next_chance: float, expected: float, war: bool
) -> None:
    data = shifting(next_chance)
    path = tmp_path / "shift.yaml"
    path.write_text(yaml.safe_dump(data))
    shown = f"{expected:+.3f}"

    out = runner.invoke(app, ["war", str(path), "-f", "json"])
    assert out.exit_code == 0, out.stderr
    c = json.loads(out.stdout)["commitment"]
    assert c["peace_margin_without_guarantee"] == pytest.approx(expected)
    assert c["war_without_guarantee"] is war
    assert (c["peace_margin_without_guarantee"] < 0) is war
    assert "peace margin > 0" in c["sign"]

    table = runner.invoke(app, ["war", str(path)], terminal_width=200).stdout
    row = next(line for line in table.splitlines() if f"{PEACE_MARGIN}, no guarantee" in line)
    assert shown in row

    med = runner.invoke(app, ["mediate", str(path), "--mediator", "O", "-f", "json"])
    assert med.exit_code == 0, med.stderr
    seq = json.loads(med.stdout)["sequencing"]
    assert seq["ceasefire_first"]["peace_margin"] == pytest.approx(expected)
    assert seq["ceasefire_first"]["war"] is war
    assert "peace margin > 0" in seq["note"]

    med_table = runner.invoke(app, ["mediate", str(path), "--mediator", "O"], terminal_width=200)
    assert PEACE_MARGIN in med_table.stdout
    row = next(line for line in med_table.stdout.splitlines() if "ceasefire first" in line)
    assert shown in row

    scn = validate(data)
    rows = next(b for b in war_section(Context(scn, scn, [], 0, 0)).blocks if b["kind"] == "table")
    assert [f"  {PEACE_MARGIN}, no guarantee", shown] in rows["rows"]

    text = analysis_markdown(scn, draws=0)
    assert f"(peace margin {shown})" in text  # the war paragraph
    assert f"{'war' if war else 'peace holds'} (peace margin {shown})" in text  # sequencing
    assert "positive when the declining side prefers the deal" in text


def test_a_full_guarantee_turns_the_margin_positive(tmp_path: Path) -> None:
    """With the full guarantee (credibility 0.9) the shift is capped at 0.03: 0.09 − 0.027."""
    path = tmp_path / "shift.yaml"
    path.write_text(yaml.safe_dump(shifting(0.1)))
    c = json.loads(runner.invoke(app, ["war", str(path), "-f", "json"]).stdout)["commitment"]
    assert c["peace_margin_with_full_guarantee"] == pytest.approx(0.09 - 0.9 * 0.03)
    assert c["war_with_full_guarantee"] is False


@given(
    delta=st.floats(0.0, 0.99), now=st.floats(0.0, 1.0), nxt=st.floats(0.0, 1.0),
    cost=st.floats(0.0, 10.0), side=st.floats(0.0, 2.0),
)  # fmt: skip
def test_war_exactly_when_the_peace_margin_is_negative(
    delta: float, now: float, nxt: float, cost: float, side: float
) -> None:
    out = commitment_test(delta, now, nxt, cost, side_payment=side)
    assert float(out.peace_margin) == float(out.rhs - out.lhs)
    assert bool(out.war) == (float(out.peace_margin) < 0)
