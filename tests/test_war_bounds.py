"""War outputs that cannot be impossible: every share, demand, range and split in [0, 1] with
its corner named, and a warning when a belligerent's cost of war exceeds the stakes' value."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.report.sections import Context
from multipolar.report.sections_deals import war_section
from multipolar.scenario import validate
from multipolar.war import bargaining_range, nash_split, optimal_demand, optimal_demand_uniform
from multipolar.war.report import analyse_war

runner = CliRunner()

# A new user's case: the USA fights B over land that B hardly cares about (salience 0.1, so
# the stakes are worth 0.1 to B) while B's cost of war is 0.26 a period: before the fix, USA's
# demand was p + c_B/V_B = 0.6 + 2.6 = 3.2 of the stakes.
USA_CASE = """
title: a belligerent with little at stake
actors:
  - {id: USA, name: United States, capability: 1}
  - {id: B, name: B, capability: 1}
issues:
  - {id: land, name: Land, scale: [0, 100], status_quo: 50}
  - {id: guard, name: Guarantees, scale: [0, 10], status_quo: 0}
positions:
  USA: {land: 100, guard: 0}
  B: {land: 0, guard: 10}
salience:
  USA: {land: 0.8, guard: 0.2}
  B: {land: 0.1, guard: 0.9}
conflict:
  belligerents: [USA, B]
  p: 0.6
  costs: {USA: 0.1, B: 0.26}
  discount: 0.9
  stakes: [land]
"""


def usa_case(**costs: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(USA_CASE)
    data["conflict"]["costs"].update(costs)
    return data


SHARES = re.compile(r"\d+\.\d+")


def _assert_shares_possible(out: dict[str, Any]) -> None:
    """Every share in ``analyse_war``'s output lies in [0, 1] and its corner matches it."""
    rng, nash = out["bargaining_range"], out["nash_split"]
    assert 0.0 <= rng["low"] <= rng["high"] <= 1.0
    expected = {(False, False): None, (True, False): "lower", (False, True): "upper"}
    assert rng["corner"] == expected.get((rng["low"] == 0.0, rng["high"] == 1.0), "both")
    assert 0.0 <= nash["share"] <= 1.0
    assert (nash["corner"] is not None) == (nash["share"] in (0.0, 1.0))
    a, b = out["belligerents"]
    for who, chance in ((a, out["p"]), (b, 1 - out["p"])):
        rr = out["risk_return"][who]
        assert 0.0 <= rr["demand"] <= 1.0
        assert rr["demand"] >= chance - 1e-9  # never less than its odds of winning the war
        assert 0.0 <= rr["war_probability"] <= 1.0
        assert rr["corner"] == {1.0: "upper", 0.0: "lower"}.get(rr["demand"])
    assert 0.0 <= out["attrition"]["a_outlasts_b"] <= 1.0


def test_the_impossible_demand_is_a_corner() -> None:
    """The reproducer: the unconstrained demand 3.2 leaves [0, 1]; the output is 1, flagged."""
    out = analyse_war(validate(usa_case())).as_dict()
    usa = out["risk_return"]["USA"]
    assert usa["demand"] == 1.0
    assert usa["corner"] == "upper"
    assert usa["war_probability"] == 0.0
    assert out["bargaining_range"]["corner"] == "upper"  # B concedes everything rather than fight
    _assert_shares_possible(out)


def test_uncertain_cost_above_what_is_left_is_a_corner_too() -> None:
    """The other root cause: B's whole cost range, in units of its stakes, lies above 1 − p;
    the search used to start at the range's low end and return p + low > 1."""
    out = analyse_war(validate(usa_case(B={"low": 0.2, "best": 0.26, "high": 0.4}))).as_dict()
    assert out["risk_return"]["USA"]["demand"] == 1.0
    assert out["risk_return"]["USA"]["corner"] == "upper"
    _assert_shares_possible(out)


def test_the_table_says_corner_in_words(tmp_path: Path) -> None:
    path = tmp_path / "usa.yaml"
    path.write_text(yaml.safe_dump(usa_case()))
    data = json.loads(runner.invoke(app, ["war", str(path), "-f", "json"]).stdout)
    assert data["risk_return"]["USA"]["corner"] == "upper"
    result = runner.invoke(app, ["war", str(path)], terminal_width=250)
    assert result.exit_code == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "USA's optimal demand" in line)
    assert "1.000 / 0.000" in row
    assert "corner: USA demands all of the stakes" in row
    for name in ("bargaining range", "Nash split", "optimal demand"):
        line = next(x for x in result.stdout.splitlines() if name in x)
        value = line.split("│")[2]  # the value column (labels hold α and such)
        assert all(float(x) <= 1.0 for x in SHARES.findall(value.split("(")[0])), line


def test_cost_beyond_the_stakes_warns_everywhere(tmp_path: Path) -> None:
    """B's cost 0.5 is five times what the stakes are worth to it (0.1): warn by name, with both
    numbers and what it means, in the JSON, the console table and the report."""
    data = usa_case(B=0.5)
    out = analyse_war(validate(data)).as_dict()
    (warning,) = out["warnings"]
    assert warning["code"] == "cost_exceeds_stakes"
    assert warning["actor"] == "B"
    assert warning["cost_per_period"] == pytest.approx(0.5)
    assert warning["value_of_stakes"] == pytest.approx(out["value_of_stakes"]["B"])
    assert out["value_of_stakes"]["B"] == pytest.approx(0.1)
    for fragment in ("B's cost of war per period (0.500)", "(0.100 = u(B wins)", "5.0 times",
                     "prefers conceding all the stakes to fighting"):  # fmt: skip
        assert fragment in warning["message"]
    path = tmp_path / "costly.yaml"
    path.write_text(yaml.safe_dump(data))
    table = runner.invoke(app, ["war", str(path)], terminal_width=400).stdout
    assert "warning" in table
    assert "B's cost of war per period (0.500) exceeds" in table
    scn = validate(data)
    blocks = war_section(Context(scn, scn, [], 0, 0)).blocks
    notes = [b["text"] for b in blocks if b["kind"] == "note"]
    assert any("B's cost of war per period (0.500) exceeds" in text for text in notes)


def test_no_warning_when_costs_are_below_the_stakes() -> None:
    out = analyse_war(validate(usa_case(B=0.05))).as_dict()
    assert out["warnings"] == []


def test_stakes_worth_nothing_warns() -> None:
    """A 'belligerent' that takes no position on the stakes: its stakes are worth nothing."""
    data = usa_case()
    data["positions"]["B"] = {"guard": 10}
    data["salience"]["B"] = {"guard": 1.0}
    out = analyse_war(validate(data)).as_dict()
    codes = {(w["actor"], w["code"]) for w in out["warnings"]}
    assert codes == {("B", "stakes_worth_nothing")}
    _assert_shares_possible(out)


costs = st.one_of(
    st.floats(0.0, 20.0),
    st.lists(st.floats(0.0, 20.0), min_size=3, max_size=3, unique=True).map(
        lambda v: dict(zip(("low", "best", "high"), sorted(v), strict=True))
    ),
)


@settings(max_examples=60)
@given(
    p=st.floats(0.0, 1.0),
    cost_usa=costs,
    cost_b=costs,
    dist=st.sampled_from(["uniform", "triangular", "pert", "normal"]),
    sal_usa=st.floats(0.0, 1.0),
    sal_b=st.floats(0.0, 1.0),
    pos_b=st.floats(0.0, 100.0),
)
def test_every_war_share_is_possible(
    p: float, cost_usa: Any, cost_b: Any, dist: str, sal_usa: float, sal_b: float, pos_b: float
) -> None:
    """Over generated odds, extreme costs (up to 20× a stake worth at most 1), beliefs and
    stakes, every share lies in [0, 1], corners match the values, and a warning names exactly
    the belligerents whose cost exceeds what the stakes are worth to them."""
    for c in (cost_usa, cost_b):
        if isinstance(c, dict):
            c["dist"] = dist
    data = usa_case(USA=cost_usa, B=cost_b)
    data["conflict"]["p"] = p
    data["salience"]["USA"]["land"] = sal_usa
    data["salience"]["B"]["land"] = sal_b
    data["positions"]["B"]["land"] = pos_b
    out = analyse_war(validate(data)).as_dict()
    _assert_shares_possible(out)
    best = {
        k: (v["best"] if isinstance(v, dict) else v) for k, v in (("USA", cost_usa), ("B", cost_b))
    }
    value = out["value_of_stakes"]
    warned = {w["actor"] for w in out["warnings"]}
    assert warned == {x for x in best if best[x] > value[x] or value[x] <= 1e-9}


@given(
    p=st.floats(0.0, 1.0),
    c_a=st.floats(0.0, 50.0),
    ends=st.lists(st.floats(0.0, 50.0), min_size=2, max_size=2).map(sorted),
)
def test_risk_return_kernels_stay_in_the_unit_interval(
    p: float, c_a: float, ends: list[float]
) -> None:
    low, high = ends
    closed = optimal_demand_uniform(p, c_a, low, high)
    assert 0.0 <= float(closed.demand) <= 1.0
    assert 0.0 <= float(closed.war_probability) <= 1.0
    if high > low:
        general = optimal_demand(p, c_a, stats.uniform(low, high - low), (low, high), grid=201)
        assert 0.0 <= float(general.demand) <= 1.0
        assert float(general.demand) == pytest.approx(float(closed.demand), abs=1e-2)
    if low > 1 - p:  # every type of B prefers conceding everything: A takes it all, no war
        assert float(closed.demand) == 1.0
        assert float(closed.war_probability) == 0.0


@given(
    p=st.floats(0.0, 1.0), c_a=st.floats(0.0, 1e3), c_b=st.floats(0.0, 1e3),
    rho=st.floats(0.05, 1.0), alpha=st.floats(0.0, 1.0),
)  # fmt: skip
def test_range_and_split_stay_in_the_unit_interval(
    p: float, c_a: float, c_b: float, rho: float, alpha: float
) -> None:
    low, high = bargaining_range(p, c_a, c_b, rho)
    assert 0.0 <= float(low) <= float(high) <= 1.0
    split = float(nash_split(p, c_a, c_b, alpha))
    assert 0.0 <= split <= 1.0
    assert np.isfinite(split)
