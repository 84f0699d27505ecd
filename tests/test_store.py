"""The run store: round trip, deduplicated scenarios, diff, transactional saves, CLI."""

from __future__ import annotations

import json
import math
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.errors import UsageError
from multipolar.models import forecast
from multipolar.scenario import Scenario, validate
from multipolar.scenario.loader import parse_yaml
from multipolar.scenario.paths import with_value
from multipolar.store import (
    connect,
    diff_runs,
    get_run,
    list_runs,
    resolve_url,
    save_run,
    scenario_hash,
)
from multipolar.store.db import ResultRow, RunRow, ScenarioRow, StoreMissingError
from multipolar.store.runs import RunNotFoundError, plain
from tests.conftest import VALID

runner = CliRunner()


@pytest.fixture
def scn() -> Scenario:
    return validate(parse_yaml(VALID)[0])


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "runs.sqlite")


def counts(db: str) -> dict[str, int]:
    with Session(connect(db)) as session:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
            for table in (ScenarioRow, RunRow, ResultRow)
        }


def test_round_trip_keeps_everything(scn: Scenario, db: str) -> None:
    fc = forecast(scn, "compromise", seed=3)
    run_id = save_run(
        scn, "forecast", {"compromise": fc}, model="compromise", parameters={"a": 1}, seed=3, db=db
    )
    record = get_run(run_id, db)
    assert (record.kind, record.model, record.seed) == ("forecast", "compromise", 3)
    assert record.version == version("multipolar")
    assert record.parameters == {"a": 1}
    assert record.title == scn.title
    # the stored content is the scenario: it validates back to one with the same hash
    assert record.scenario is not None
    assert scenario_hash(validate(record.scenario)) == record.scenario_hash == scenario_hash(scn)
    assert record.results is not None
    stored = record.results["compromise"]
    assert stored["forecast"] == pytest.approx({"t": fc["t"], "g": fc["g"]})
    assert stored["seed"] == 3


def test_scenarios_are_stored_once_and_runs_listed_latest_first(scn: Scenario, db: str) -> None:
    first = save_run(scn, "forecast", {"x": 1}, db=db)
    second = save_run(scn, "deals", {"x": 2}, db=db)
    other = with_value(scn, "positions.A.t", 30)
    third = save_run(other, "forecast", {"x": 3}, db=db)
    assert counts(db) == {"scenarios": 2, "runs": 3, "results": 3}
    assert [r.id for r in list_runs(db)] == [third, second, first]
    assert [r.id for r in list_runs(db, kind="forecast")] == [third, first]
    assert [r.id for r in list_runs(db, limit=1)] == [third]
    assert scenario_hash(other) != scenario_hash(scn)


def test_diff_names_changed_parameters_scenario_paths_and_results(scn: Scenario, db: str) -> None:
    a = save_run(scn, "forecast", {"fc": forecast(scn)}, parameters={"draws": 10}, db=db)
    moved = with_value(scn, "positions.A.t", 30)
    b = save_run(
        moved, "forecast", {"fc": forecast(moved)}, parameters={"draws": 20}, seed=1, db=db
    )
    diff = diff_runs(get_run(a, db), get_run(b, db))
    assert diff["fields"]["seed"] == [0, 1]
    assert diff["parameters"] == [{"path": "draws", "a": 10, "b": 20, "delta": 10}]
    assert [row["path"] for row in diff["scenario"]] == ["positions.A.t"]
    assert diff["scenario"][0]["a"] == 10
    assert diff["scenario"][0]["b"] == 30
    changed = {row["path"]: row for row in diff["results"]}
    # the compromise forecast of t moves by A's weight share times the 20-point move
    share = 1.8 / (1.8 + 1.6 + 0.3)
    assert changed["fc.forecast.t"]["delta"] == pytest.approx(20 * share)
    assert "fc.forecast.g" not in changed  # g did not change
    same = diff_runs(get_run(a, db), get_run(a, db))
    assert not any(same[k] for k in ("fields", "parameters", "scenario", "results"))


def test_failed_serialisation_midway_leaves_no_record(scn: Scenario, db: str) -> None:
    save_run(scn, "forecast", {"ok": 1}, db=db)
    before = counts(db)
    other = with_value(scn, "positions.A.t", 20)  # a new scenario row would be added too
    with pytest.raises(TypeError, match="cannot store"):
        save_run(other, "forecast", {"first": {"v": 1.0}, "second": object()}, db=db)
    assert counts(db) == before


KILLER = """
import os, signal, sys
from multipolar.scenario import validate
from multipolar.scenario.loader import parse_yaml
from multipolar.store import save_run

class Killer:
    def as_dict(self):
        os.kill(os.getpid(), signal.SIGKILL)  # dies while serialising the second part

scn = validate(parse_yaml(sys.argv[2])[0])
save_run(scn, "forecast", {"first": list(range(10_000)), "second": Killer()}, db=sys.argv[1])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_run_killed_midway_leaves_no_record(db: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLER), db, VALID],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    # the transaction had written to the file (a hot journal is left behind) but not committed
    assert Path(db + "-journal").exists()
    assert counts(db) == {"scenarios": 0, "runs": 0, "results": 0}
    assert list_runs(db) == []


def test_plain_data_for_results() -> None:
    data = plain({"a": np.float64(1.5), "b": np.array([1, 2]), "c": math.nan, "d": (True, None)})
    assert data == {"a": 1.5, "b": [1, 2], "c": None, "d": [True, None]}
    assert json.dumps(data)


def test_urls_and_default_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MULTIPOLAR_DB", str(tmp_path / "env.sqlite"))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'env.sqlite'}"
    assert resolve_url("x.sqlite") == "sqlite:///x.sqlite"
    assert resolve_url("postgresql+psycopg://h/db") == "postgresql+psycopg://h/db"
    monkeypatch.delenv("MULTIPOLAR_DB")
    assert resolve_url(None) == "sqlite:///multipolar-runs.sqlite"


def test_missing_run_and_bad_urls_are_one_line(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    connect(db)  # an empty store
    with pytest.raises(RunNotFoundError, match=r"run 7: not in sqlite.*runs list"):
        get_run(7, db)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # the driver is missing (import fails)
    with pytest.raises(UsageError, match=r"driver is not installed") as info:
        connect("postgresql+psycopg://user:secret@localhost/db")
    assert "secret" not in str(info.value)
    assert "\n" not in str(info.value)
    with pytest.raises(UsageError, match="not a database URL"):
        connect("nosuchdialect://x")


def test_cli_list_show_diff(scn: Scenario, db: str) -> None:
    a = save_run(scn, "forecast", {"fc": forecast(scn)}, model="compromise", db=db)
    moved = with_value(scn, "salience.B.t", 0.2)
    b = save_run(moved, "forecast", {"fc": forecast(moved)}, model="compromise", db=db)

    listed = runner.invoke(app, ["runs", "list", "--db", db, "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert [r["id"] for r in json.loads(listed.output)["runs"]] == [b, a]
    assert json.loads(listed.output)["database"] == str(Path(db).resolve())
    table = runner.invoke(app, ["runs", "list", "--db", db])
    assert table.exit_code == 0
    assert "forecast" in table.output
    assert str(Path(db).resolve()) in table.output.splitlines()[0]  # names what it reads

    shown = runner.invoke(app, ["runs", "show", str(a), "--db", db, "--format", "json"])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.output)
    assert data["scenario"]["title"] == scn.title
    assert data["results"]["fc"]["forecast"]["t"] == pytest.approx(forecast(scn)["t"])
    assert "fc" in runner.invoke(app, ["runs", "show", str(a), "--db", db]).output

    diffed = runner.invoke(app, ["runs", "diff", str(a), str(b), "--db", db, "--format", "json"])
    assert diffed.exit_code == 0, diffed.output
    paths = [row["path"] for row in json.loads(diffed.output)["scenario"]]
    assert paths == ["salience.B.t"]
    table = runner.invoke(app, ["runs", "diff", str(a), str(b), "--db", db])
    assert "salience.B.t" in table.output

    missing = runner.invoke(app, ["runs", "show", "99", "--db", db])
    assert missing.exit_code == 2
    assert len(missing.output.strip().splitlines()) == 1
    assert "fix:" in missing.output

    bad = runner.invoke(app, ["runs", "list", "--db", "postgresql+nosuchdriver://u:pw@h/db"])
    assert bad.exit_code == 2
    assert "fix:" in bad.output
    assert "pw@" not in bad.output


@pytest.mark.parametrize("command", ["serve", "runs", "runs list", "runs show", "runs diff"])
def test_help_has_an_example(command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_cli_runs_are_saved_with_save(tmp_path: Path) -> None:
    flagship = Path(__file__).resolve().parents[1] / "scenarios" / "ukraine_2025_08.yaml"
    db = str(tmp_path / "cli.sqlite")
    runner = CliRunner()
    commands = [
        ["forecast", str(flagship), "-m", "compromise", "-m", "median", "--seed", "3"],
        ["war", str(flagship)],
        ["simulate", str(flagship), "--draws", "200", "-m", "deals", "--quiet"],
    ]
    for args in commands:
        res = runner.invoke(app, [*args, "--save", "--db", db])
        assert res.exit_code == 0, res.stderr
        assert "saved run" in res.stderr
    unsaved = runner.invoke(app, ["war", str(flagship), "--db", db])
    assert "saved run" not in unsaved.stderr
    listing = runner.invoke(app, ["runs", "list", "--db", db, "--format", "json"])
    runs = json.loads(listing.stdout)["runs"]
    assert sorted(r["kind"] for r in runs) == ["forecast", "simulate", "war"]
    shown = runner.invoke(app, ["runs", "show", "1", "--db", db, "--format", "json"])
    run = json.loads(shown.stdout)
    assert run["seed"] == 3
    assert run["model"] == "compromise,median"
    expected = forecast(load_flagship(flagship), "compromise").as_dict()["forecast"]
    assert run["results"]["compromise"]["forecast"] == pytest.approx(expected)


def load_flagship(path: Path) -> Scenario:
    from multipolar.scenario import load

    return load(path)


@pytest.mark.parametrize(
    "command", [["runs", "list"], ["runs", "show", "1"], ["runs", "diff", "1", "2"]]
)
@pytest.mark.parametrize("explicit", [False, True])
def test_reading_never_creates_a_database(
    command: list[str], explicit: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MULTIPOLAR_DB", raising=False)
    args = [*command, "--db", "elsewhere.sqlite"] if explicit else command
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    name = "elsewhere.sqlite" if explicit else "multipolar-runs.sqlite"
    assert str(tmp_path / name) in lines[0]
    assert "fix:" in lines[0]
    assert list(tmp_path.iterdir()) == []  # nothing created, no journal either
    with pytest.raises(StoreMissingError):
        list_runs(name)
    assert list(tmp_path.iterdir()) == []


def test_list_names_the_default_database_and_refuses_a_foreign_file(
    scn: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MULTIPOLAR_DB", raising=False)
    save_run(scn, "forecast", {"fc": forecast(scn)})  # to the default store, here
    listed = runner.invoke(app, ["runs", "list"])
    assert listed.exit_code == 0, listed.output
    first = listed.output.splitlines()[0]
    assert str(tmp_path / "multipolar-runs.sqlite") in first
    assert "the default" in first
    other = tmp_path / "notes.sqlite"
    with closing(sqlite3.connect(other)) as conn:  # a database, but not a run store
        conn.execute("CREATE TABLE notes (x TEXT)")
    foreign = runner.invoke(app, ["runs", "list", "--db", str(other)])
    assert foreign.exit_code == 2
    assert "not a run store" in foreign.output
