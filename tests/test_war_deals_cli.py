"""The war, deals and what-it-takes commands, and bad conflict:/deal: input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.deals.whatif import what_it_takes
from multipolar.scenario import validate
from tests.test_deals import CONFLICT

runner = CliRunner()


@pytest.fixture
def conflict_file(tmp_path: Path) -> Path:
    data = yaml.safe_load(CONFLICT)
    data["conflict"]["power_shift"] = {"declining": "B", "now": 0.4, "next": 0.1}
    data["conflict"]["guarantee"] = {"credibility": 0.9, "issue": "guard"}
    data["conflict"]["costs"]["B"] = {"low": 0.05, "best": 0.15, "high": 0.3}
    path = tmp_path / "conflict.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_war_command(conflict_file: Path) -> None:
    result = runner.invoke(app, ["war", str(conflict_file), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["belligerents"] == ["A", "B"]
    assert 0 <= data["bargaining_range"]["low"] <= data["bargaining_range"]["high"] <= 1
    assert data["commitment"]["war_without_guarantee"] is True
    assert data["attrition"]["paradox"] in (True, False)
    assert 0 < data["risk_return"]["A"]["war_probability"] < 1
    table = runner.invoke(app, ["war", str(conflict_file)])
    assert "bargaining range" in table.stdout


def test_deals_command_is_reproducible(conflict_file: Path) -> None:
    args = ["deals", str(conflict_file), "--format", "json", "--seed", "3", "--draws", "500"]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["zone_of_agreement"] is True
    names = [p["name"] for p in data["packages"]]
    assert names[:3] == ["egalitarian (leximin)", "Nash", "Kalai-Smorodinsky"]
    for pkg in data["packages"][:3]:
        assert min(pkg["margin"].values()) >= -1e-7
        assert pkg["blockers"] == []
        assert 0 <= pkg["p_accept"] <= 1


def test_what_it_takes_finds_the_boundary(conflict_file: Path) -> None:
    data = yaml.safe_load(conflict_file.read_text())
    data["conflict"]["guarantee"]["credibility"] = 0.5  # too weak: no package closes the gap
    scn = validate(data)
    result = what_it_takes(scn, "conflict.guarantee.credibility")
    assert result.current_margin < 0
    assert result.value is not None
    # δΔq = 0.27, rhs = 0.09: κ must reach 1 − 0.09/0.27 with the full guarantee (z_g = 1)
    assert result.value == pytest.approx(1 - 0.09 / 0.27, abs=1e-6)
    assert result.package is not None
    assert result.package.terms["guard"] == pytest.approx(10.0, abs=1e-4)
    out = runner.invoke(
        app, ["what-it-takes", str(conflict_file), "--param", "conflict.p", "-f", "json"]
    )
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["path"] == "conflict.p"


def test_what_it_takes_unknown_path(conflict_file: Path) -> None:
    out = runner.invoke(app, ["what-it-takes", str(conflict_file), "--param", "conflict.q"])
    assert out.exit_code == 2
    assert "conflict.q" in out.stderr


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda d: d["conflict"].update(p=1.4), "p 1.4 is outside [0, 1]"),
        (lambda d: d["conflict"]["costs"].update(A=-0.1), "cost -0.1 is outside"),
        (lambda d: d["conflict"].update(discount=1.0), "discount factor 1 is outside [0, 1)"),
        (lambda d: d["deal"]["owners"].update(guard=["X"]), "unknown actor 'X'"),
        (lambda d: d["conflict"].update(belligerents=["A", "Z"]), "unknown actor 'Z'"),
        (lambda d: d["conflict"].update(stakes=["sea"]), "unknown issue 'sea'"),
        (lambda d: d["conflict"]["costs"].pop("B"), "no cost of war for 'B'"),
        (
            lambda d: d["conflict"].update(power_shift={"declining": "O", "now": 0.4, "next": 0.1}),
            "'O' is not a belligerent",
        ),
    ],
)
def test_bad_conflict_input(tmp_path: Path, edit: object, fragment: str) -> None:
    data = yaml.safe_load(CONFLICT)
    edit(data)  # type: ignore[operator]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = runner.invoke(app, ["deals", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert any(fragment in line for line in lines), lines
    assert all(line.startswith(f"{path}:") for line in lines)
    assert "Traceback" not in result.stderr


def test_war_without_conflict_block(tmp_path: Path, valid_file: Path) -> None:
    result = runner.invoke(app, ["war", str(valid_file)])
    assert result.exit_code == 2
    assert "no conflict: block" in result.stderr
