"""``multipolar new``: a starter scenario that validates, runs every analysis, and marks every
placeholder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.scenario import load, to_data
from multipolar.scenario.formats import import_file

runner = CliRunner()


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_new_writes_a_commented_valid_scenario_that_the_analyses_run_on(here: Path) -> None:
    result = runner.invoke(app, ["new", "demo"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "wrote demo.yaml: replace every PLACEHOLDER, then multipolar validate demo.yaml\n"
    )
    text = (here / "demo.yaml").read_text(encoding="utf-8")
    assert text.startswith("# demo: a starter scenario written by `multipolar new`.")
    scn = load(here / "demo.yaml")
    assert [a.kind for a in scn.actors] == ["party", "party", "mediator", "outside_power"]
    assert len(scn.issues) == 2
    assert scn.conflict is not None
    assert scn.deal.owners == {"issue2": ["OUTSIDE"]}
    assert [e.id for e in scn.events] == ["event1"]
    assert [s.id for s in scn.sources] == ["placeholder"]
    assert scn.sources[0].title.startswith("PLACEHOLDER")
    assert '"quote"' not in json.dumps(to_data(scn))  # no invented quotes: notes instead
    assert all(
        est.note and "PLACEHOLDER" in est.note
        for row in scn.positions.values()
        for est in row.values()
    )

    forecast = runner.invoke(app, ["forecast", "demo.yaml", "-f", "json"])
    assert forecast.exit_code == 0, forecast.output
    assert json.loads(forecast.stdout)
    deals = runner.invoke(app, ["deals", "demo.yaml", "--draws", "50", "-f", "json"])
    assert deals.exit_code == 0, deals.output
    assert "zone" in json.loads(deals.stdout)["verdict"]
    report = runner.invoke(
        app, ["report", "demo.yaml", "-o", "demo.html", "--draws", "20", "--quiet"]
    )
    assert report.exit_code == 0, report.output
    assert "demo (starter scenario" in (here / "demo.html").read_text(encoding="utf-8")


def test_more_actors_and_issues(here: Path) -> None:
    (here / "cases").mkdir()
    result = runner.invoke(app, ["new", "cases/big.yaml", "--actors", "7", "--issues", "3"])
    assert result.exit_code == 0, result.output
    scn = load(here / "cases" / "big.yaml")
    assert [a.id for a in scn.actors][4:] == ["ACTOR5", "ACTOR6", "ACTOR7"]
    assert len(scn.issues) == 3
    assert all(len(row) == 3 for row in scn.positions.values())
    two = runner.invoke(app, ["new", "two", "--actors", "2", "--issues", "1"])
    assert two.exit_code == 0, two.output
    assert [a.kind for a in load(here / "two.yaml").actors] == ["party", "party"]


def test_refuses_to_overwrite_unless_forced(here: Path) -> None:
    (here / "demo.yaml").write_text("mine\n", encoding="utf-8")
    result = runner.invoke(app, ["new", "demo"])
    assert result.exit_code == 2
    assert result.stderr == (
        "demo.yaml: already exists; fix: choose another NAME, or add --force to overwrite it\n"
    )
    assert (here / "demo.yaml").read_text(encoding="utf-8") == "mine\n"
    assert runner.invoke(app, ["new", "demo", "--force"]).exit_code == 0
    assert load(here / "demo.yaml").id == "demo"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--actors", "1"], "--actors: 1 is below 2; fix: give a whole number from 2 to 26"),
        (["--issues", "0"], "--issues: 0 is below 1; fix: give a whole number from 1 to 12"),
    ],
)
def test_bad_sizes_are_one_line_errors(here: Path, args: list[str], needle: str) -> None:
    result = runner.invoke(app, ["new", "demo", *args])
    assert result.exit_code == 2
    assert result.stderr == needle + "\n"


def test_xlsx_starter_is_the_same_scenario(here: Path) -> None:
    assert runner.invoke(app, ["new", "demo"]).exit_code == 0
    result = runner.invoke(app, ["new", "demo", "--xlsx"])
    assert result.exit_code == 0, result.output
    assert "multipolar import xlsx demo.xlsx -o demo.yaml" in result.stderr
    (scn,) = import_file("xlsx", here / "demo.xlsx").scenarios
    assert to_data(scn) == to_data(load(here / "demo.yaml"))


def test_same_arguments_same_bytes(here: Path) -> None:
    assert runner.invoke(app, ["new", "a", "--actors", "5"]).exit_code == 0
    first = (here / "a.yaml").read_bytes()
    assert runner.invoke(app, ["new", "a", "--actors", "5", "--force"]).exit_code == 0
    assert (here / "a.yaml").read_bytes() == first
    assert yaml.safe_load(first)["id"] == "a"
