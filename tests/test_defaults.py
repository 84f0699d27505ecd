"""`validate --explain`: every implicit default that changes results is listed, and writing it
explicitly removes it from the list without changing any result."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.deals.space import build_space
from multipolar.models import forecast
from multipolar.scenario import Scenario, load, validate
from multipolar.scenario.defaults import Default, explain_defaults
from multipolar.uncertainty.montecarlo import draw_values
from tests.conftest import SCENARIOS, VALID

runner = CliRunner()

WAR = """conflict:
  belligerents: [A, B]
  p: 0.6
  costs: {A: 0.1, B: 0.2}
  discount: 0.9
  power_shift: {declining: B, next: 0.3}
"""


def _data(text: str = VALID + WAR) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _listed(data: dict[str, Any]) -> dict[str, Default]:
    return {d.setting: d for d in explain_defaults(validate(data))}


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _results(scn: Scenario) -> list[Any]:
    """Numbers the listed defaults can move: the deal space, Monte Carlo draws, forecasts."""
    space = build_space(scn)
    draws = draw_values(scn, 64, seed=3)
    fcs = [forecast(scn, m).values for m in ("compromise", "nash", "median")]
    return [space.walk_away, space.weight, space.commit_a, space.commit_b, draws, fcs]


def _same(a: Any, b: Any) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, list):
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif a is None:
        assert b is None
    else:
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0)


def test_implicit_defaults_are_listed() -> None:
    listed = _listed(_data())
    # what the file leaves out, read off the file itself
    assert "scale" not in listed  # a scale is required, never a default
    assert listed["status_quo"].paths == ("issues.g.status_quo",)
    assert listed["positions"].paths == ("positions.C.g",)
    assert listed["deal.unsettled"].paths == ("issues.g.status_quo",)
    assert listed["deal.walk_away"].paths == ("deal.walk_away.C",)
    assert listed["dist"].paths == ("actors.B.capability",)
    assert set(listed["salience normalisation"].paths) == {"salience.A", "salience.B", "salience.C"}
    assert "only the belligerents A and B" in listed["deal.veto"].value
    assert "1 − p = 0.4" in listed["conflict.power_shift.now"].value
    for setting in ("deal.utility", "conflict.stakes", "conflict.side_payment",
                    "conflict.guarantee"):  # fmt: skip
        assert setting in listed
    assert "correlations" not in listed  # a single ranged estimate: nothing to correlate


def test_no_conflict_no_war_defaults() -> None:
    listed = _listed(_data(VALID))
    assert not [s for s in listed if s.startswith("conflict.")]
    assert "every actor must accept" in listed["deal.veto"].value
    assert listed["deal.walk_away"].paths == tuple(f"deal.walk_away.{a}" for a in "ABC")


@pytest.mark.parametrize(
    "setting",
    ["deal.utility", "deal.unsettled", "conflict.power_shift.now", "conflict.side_payment",
     "conflict.guarantee", "correlations", "models.nash.disagreement"],
)  # fmt: skip
def test_writing_the_default_removes_it_and_changes_nothing(setting: str) -> None:
    data = _data()
    data["actors"][0]["capability"] = {"low": 1, "best": 2, "high": 4}  # a second range
    data["models"] = {"nash": {"loss": 1.0}}
    before = _listed(data)
    entry = before[setting]
    assert entry.yaml is not None
    explicit = copy.deepcopy(data)
    _merge(explicit, yaml.safe_load(entry.yaml))
    after = _listed(explicit)
    assert setting not in after
    assert set(after) == set(before) - {setting}
    _same(_results(validate(data)), _results(validate(explicit)))


@pytest.mark.parametrize(
    ("setting", "edit"),
    [
        ("status_quo", lambda d: d["issues"][1].update(status_quo=5)),
        ("positions", lambda d: (d["positions"]["C"].update(g=5), d["salience"]["C"].update(g=0))),
        ("deal.walk_away", lambda d: d.setdefault("deal", {}).update(walk_away={"C": 0.5})),
        ("deal.veto", lambda d: d.setdefault("deal", {}).update(veto={"t": ["C"]})),
        ("conflict.stakes", lambda d: d["conflict"].update(stakes=["t"])),
        ("dist", lambda d: d["actors"][1]["capability"].update(dist="triangular")),
        ("salience normalisation", lambda d: d.update(salience={
            "A": {"t": 0.5, "g": 0.5}, "B": {"t": 0.5, "g": 0.5}, "C": {"t": 1.0}})),
    ],
)  # fmt: skip
def test_setting_it_removes_it(setting: str, edit: Any) -> None:
    data = _data()
    assert setting in _listed(data)
    edit(data)
    assert setting not in _listed(data)


def test_model_parameters_listed_only_for_models_named() -> None:
    data = _data()
    assert not [s for s in _listed(data) if s.startswith("models.")]
    data["models"] = {"median": {"tie": "lower"}, "nash": {"loss": 2.0}}
    models = [s for s in _listed(data) if s.startswith("models.")]
    assert models == ["models.nash.disagreement"]


def test_fully_explicit_scenario_lists_nothing() -> None:
    data = _data()
    data["issues"][1]["status_quo"] = 5
    data["positions"]["C"]["g"] = 5
    data["salience"] = {"A": {"t": 0.5, "g": 0.5}, "B": {"t": 0.4, "g": 0.6},
                        "C": {"t": 0.5, "g": 0.5}}  # fmt: skip
    data["actors"][1]["capability"]["dist"] = "pert"
    data["deal"] = {"utility": "linear", "veto": {}, "walk_away": {"C": 0.5}}
    data["conflict"].update(stakes=["t"], side_payment=0, guarantee={"credibility": 0.2})
    data["conflict"]["power_shift"]["now"] = 0.45
    assert explain_defaults(validate(data)) == []


def _ranges(node: Any) -> int:
    """Ranged estimates without a dist, counted in the raw file."""
    if isinstance(node, list):
        return sum(_ranges(v) for v in node)
    if not isinstance(node, dict):
        return 0
    if "best" in node and "low" in node:
        return int("dist" not in node and node["low"] < node["high"])
    return sum(_ranges(v) for v in node.values())


def test_bundled_ukraine_lists_exactly_what_the_file_leaves_out() -> None:
    path = SCENARIOS / "ukraine_2025_08.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    listed = {d.setting: d for d in explain_defaults(load(path))}
    deal, war = raw.get("deal", {}), raw.get("conflict", {})
    no_sq = {f"issues.{i['id']}.status_quo" for i in raw["issues"] if "status_quo" not in i}
    absent = {
        "deal.utility": "utility" not in deal,
        "deal.unsettled": "unsettled" not in deal and bool(no_sq),
        "deal.veto": "owners" not in deal and "veto" not in deal,
        "status_quo": bool(no_sq),
        "conflict.stakes": "stakes" not in war,
        "conflict.power_shift.now": "now" not in war.get("power_shift", {"now": 0}),
        "conflict.side_payment": "side_payment" not in war and "power_shift" in war,
        "conflict.guarantee": "guarantee" not in war and "power_shift" in war,
        "dist": _ranges(raw) > 0,
        "correlations": "correlations" not in raw,
        "positions": any(
            i["id"] not in raw["positions"].get(a["id"], {})
            for a in raw["actors"]
            for i in raw["issues"]
        ),
    }
    for setting, missing in absent.items():
        assert (setting in listed) == missing, setting
    if no_sq:
        assert set(listed["status_quo"].paths) == no_sq
    assert len(listed["dist"].paths) == _ranges(raw)
    fighting = set(war.get("belligerents", []))
    walk = {
        f"deal.walk_away.{a['id']}"
        for a in raw["actors"]
        if a["id"] not in fighting and a["id"] not in deal.get("walk_away", {})
    }
    assert set(listed["deal.walk_away"].paths) == walk
    assert not [s for s in listed if s.startswith("models.")]  # no models block


def test_cli_explain_table_and_json(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(VALID + WAR, encoding="utf-8")
    plain = runner.invoke(app, ["validate", str(path)])
    assert plain.exit_code == 0
    assert "deal.utility" not in plain.stdout
    table = runner.invoke(app, ["validate", str(path), "--explain"])
    assert table.exit_code == 0, table.stderr
    assert "valid" in table.stdout
    entries = explain_defaults(load(path))
    assert f"{len(entries)} implicit defaults" in table.stdout
    for d in entries:
        assert d.setting in table.stdout
    result = runner.invoke(app, ["validate", str(path), "--explain", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["valid"] is True
    assert data["defaults"] == [d.as_dict() for d in entries]
    refused = runner.invoke(app, ["validate", str(path), "--explain", "--format", "csv"])
    assert refused.exit_code == 2  # not offered, so refused by the option parser
