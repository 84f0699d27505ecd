"""The mediator's workbench: single negotiating text, sequencing, value of information."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.deals.mediate import mediate, sequencing, single_text, value_of_information
from multipolar.scenario import validate
from tests.test_deals import CONFLICT

runner = CliRunner()


def scenario(**conflict: object) -> dict:  # type: ignore[type-arg]
    data = yaml.safe_load(CONFLICT)
    data["conflict"]["power_shift"] = {"declining": "B", "now": 0.4, "next": 0.1}
    data["conflict"]["guarantee"] = {"credibility": 0.9, "issue": "guard"}
    data["conflict"]["costs"]["B"] = {"low": 0.05, "best": 0.15, "high": 0.3}
    data["conflict"].update(conflict)
    return data


def test_single_text_reaches_a_package_all_accept() -> None:
    steps, accepted = single_text(validate(scenario()), "O")
    assert accepted
    last = steps[-1].package
    assert last.blockers == []
    assert min(last.margin.values()) >= 0
    # nobody who accepted a draft is ever dropped by a later one
    for before, after in itertools.pairwise(steps):
        for party, margin in before.package.margin.items():
            if margin >= 0:
                assert after.package.margin[party] >= -1e-12


def test_single_text_without_a_zone_stops_unaccepted() -> None:
    data = scenario()
    data["deal"]["walk_away"] = {"O": 1.0}  # the owner accepts only its ideal on guard...
    data["conflict"]["costs"] = {"A": 0.0, "B": 0.0}  # ...and war is free for both
    steps, accepted = single_text(validate(data), "O", start="compromise")
    assert not accepted
    assert steps[-1].package.blockers


def test_bias_pulls_toward_the_mediator() -> None:
    scn = validate(scenario())
    neutral = single_text(scn, "O", start="compromise")[0][-1].package
    biased = single_text(scn, "O", start="compromise", bias=0.9)[0][-1].package
    assert biased.utility["O"] >= neutral.utility["O"] - 1e-12


def test_sequencing_by_hand() -> None:
    out = sequencing(validate(scenario()))
    # δΔq = 0.9·0.3 = 0.27; B's cost is 0.3 of the stakes: rhs = 0.1·(1 − 0.4 + 0.3) = 0.09
    # peace margin = rhs − lhs: negative, the declining side fights
    assert out["ceasefire_first"]["war"] is True
    assert out["ceasefire_first"]["peace_margin"] == pytest.approx(-0.18)
    kappa = out["comprehensive_first"]["guarantee_credibility_in_package"]
    comprehensive = out["comprehensive_first"]["peace_margin"]
    assert comprehensive == pytest.approx(0.09 - 0.9 * (1 - kappa) * 0.3)
    assert out["comprehensive_first"]["war"] is (comprehensive < 0)
    assert "peace margin > 0" in out["note"]


def test_value_of_information_decreases_to_zero() -> None:
    curve = value_of_information(validate(scenario()))
    probs = [row["war_probability"] for row in curve]
    assert probs[-1] == 0.0
    assert np.all(np.diff(probs) <= 1e-12)


def test_mediate_command(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario()))
    result = runner.invoke(app, ["mediate", str(path), "--mediator", "O", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["accepted_by_all"] is True
    assert data["single_negotiating_text"][0]["round"] == 0
    assert mediate(validate(scenario()), "O").as_dict() == data
    bad = runner.invoke(app, ["mediate", str(path), "--mediator", "Q"])
    assert bad.exit_code == 2
    assert "unknown mediator 'Q'" in bad.stderr
