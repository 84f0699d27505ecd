"""The Python API (load, forecast, results) and the CLI commands end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import multipolar
from multipolar.cli import app
from multipolar.models import names
from multipolar.scenario import dumps, load, validate

runner = CliRunner()


def test_load_and_forecast(valid_file: Path) -> None:
    scn = multipolar.load(valid_file)
    fc = multipolar.forecast(scn, model="compromise")
    # t: weights A 2*.9, B 2*.8, C 1*.3 on positions 10, 90, 50
    expected = (1.8 * 10 + 1.6 * 90 + 0.3 * 50) / (1.8 + 1.6 + 0.3)
    assert fc["t"] == pytest.approx(expected)
    assert fc.values.shape == (2,)
    assert "compromise" in repr(fc)
    assert "t=" in repr(fc)
    frame = fc.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["model", "issue", "forecast"]
    diag = fc.diagnostics()
    assert set(diag["actor"]) == {"A", "B", "C"}
    shares = diag.groupby("issue")["weight_share"].sum()
    assert shares.to_numpy() == pytest.approx([1.0, 1.0])
    assert (diag["distance"] >= 0).all()


def test_forecast_all_uses_every_model(valid_file: Path) -> None:
    results = multipolar.forecast_all(multipolar.load(valid_file))
    assert [r.model for r in results] == names()


def test_scenario_parameters_feed_the_model(valid_text: str) -> None:
    data = yaml.safe_load(valid_text)
    scn = validate(data)
    default = multipolar.forecast(scn, "median")
    data["models"] = {"median": {"tie": "upper"}}
    tuned = multipolar.forecast(validate(data), "median")
    assert tuned.params["tie"] == "upper"
    assert default.params["tie"] == "lower"


def test_yaml_and_json_round_trip(valid_file: Path, tmp_path: Path) -> None:
    scn = load(valid_file)
    for fmt in ("yaml", "json"):
        path = tmp_path / f"again.{fmt}"
        path.write_text(dumps(scn, fmt))
        assert load(path) == scn


def test_cli_forecast_formats(valid_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["forecast", str(valid_file), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["forecasts"]) == set(names())
    for per_issue in data["forecasts"].values():
        assert set(per_issue) == {"t", "g"}
    result = runner.invoke(app, ["forecast", str(valid_file), "-m", "median", "-f", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "model,issue,forecast"
    assert len(result.stdout.splitlines()) == 3
    result = runner.invoke(app, ["forecast", str(valid_file), "--actors"])
    assert result.exit_code == 0
    assert "weight share" in result.stdout
    out = tmp_path / "f.json"
    result = runner.invoke(app, ["forecast", str(valid_file), "-f", "json", "-o", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text())["scenario"]


def test_cli_unknown_model_exit_2(valid_file: Path) -> None:
    result = runner.invoke(app, ["forecast", str(valid_file), "-m", "medain"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "unknown model 'medain': did you mean 'median'?"


def test_cli_schema_is_json_schema(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Scenario"
    assert {"actors", "issues", "positions", "salience", "sources"} <= set(schema["properties"])
    estimate = schema["$defs"]["Estimate"]
    assert {"type": "number"} in estimate["anyOf"]


def test_cli_models_lists_sources() -> None:
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0
    for name in names():
        assert name in result.stdout


COMMANDS = ["validate", "schema", "import", "export", "new", "forecast", "models", "war", "deals",
            "what-it-takes", "mediate", "analysis", "timeline", "leverage", "simulate",
            "sensitivity", "report", "serve", "runs", "runs list", "runs show",
            "runs diff", "backtest deu"]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_an_example(command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_cli_trace_for_dynamic_models(valid_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "trace.csv"
    result = runner.invoke(
        app, ["forecast", str(valid_file), "-m", "eum", "-m", "compromise", "--trace",
              "--trace-out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "eum trace: t" in result.stdout
    frame = pd.read_csv(out)
    assert list(frame.columns) == [
        "model",
        "round",
        "issue",
        "actor",
        "position",
        "risk",
        "median",
        "mean",
    ]
    assert set(frame["model"]) == {"eum"}  # static models have no trajectory
    rounds = frame["round"].max() + 1
    assert len(frame) == rounds * 5  # 3 actors on t, 2 on g
    assert frame.loc[frame["round"] == 0, "risk"].isna().all()
    assert frame.loc[frame["round"] > 0, "risk"].between(0.5, 2.0).all()


def test_top_level_analysis_api(tmp_path: Path) -> None:
    import yaml as _yaml

    from tests.test_deals import CONFLICT

    scn = validate(_yaml.safe_load(CONFLICT))
    assert multipolar.analyse_war(scn).as_dict()["belligerents"] == ["A", "B"]
    assert multipolar.analyse_deals(scn, draws=50).feasible
    assert multipolar.what_it_takes(scn, "conflict.p").path == "conflict.p"
    with pytest.raises(AttributeError):
        _ = multipolar.no_such_thing  # type: ignore[attr-defined]
