"""Two-level ratification (Putnam 1988): constituencies as rows of the deal space."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from multipolar.cli import app
from multipolar.deals.analysis import analyse_deals
from multipolar.deals.ratify import rule_margin, sample_packages, switch, winning
from multipolar.deals.ratify_report import ratification, win_set_timeline
from multipolar.deals.solve import maxmin
from multipolar.deals.space import DealSpace, binding, build_space, slacks
from multipolar.deals.verdict import TOL
from multipolar.scenario import load, validate
from tests.conftest import SCENARIOS

runner = CliRunner()
UKRAINE = SCENARIOS / "ukraine_2025_08.yaml"

SMALL = """\
title: Two parties and their parliaments
actors:
  - {id: A, name: Alpha, capability: 1}
  - {id: B, name: Beta, capability: 1}
issues:
  - {id: x, name: X, scale: [0, 100], status_quo: 50}
  - {id: y, name: Y, scale: [0, 10], status_quo: 5}
positions:
  A: {x: 10, y: 2}
  B: {x: 90, y: 8}
salience:
  A: {x: 0.8, y: 0.4}
  B: {x: 0.6, y: 0.7}
deal:
  walk_away: {A: 0.6, B: 0.6}
constituencies:
  A:
    rule: weighted_majority
    threshold: 0.6
    members:
      - {id: left, name: Left, weight: 3, positions: {x: 0}, salience: {x: 1},
         walk_away: 0.7}
      - {id: centre, name: Centre, weight: 2, positions: {x: 30, y: 3},
         salience: {x: 0.5, y: 0.5}}
      - {id: right, name: Right, weight: 1, positions: {x: 60}, salience: {x: 1},
         walk_away_rule: status_quo}
  B:
    rule: referendum
    share: 0.5
    members:
      - {id: north, name: North, weight: 0.55, positions: {x: 80}, salience: {x: 1},
         walk_away: 0.8}
      - {id: south, name: South, weight: 0.45, positions: {x: 100, y: 10},
         salience: {x: 1, y: 1}, walk_away: 0.8}
"""


def _data() -> dict:  # type: ignore[type-arg]
    out: dict = yaml.safe_load(SMALL)  # type: ignore[type-arg]
    return out


# --- with no constituencies nothing changes ---------------------------------------------------


def _without_block(text: str) -> str:
    """The scenario's text with its constituencies: block cut out (as if never written)."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("constituencies:"))
    end = next(i for i in range(start + 1, len(lines))
               if lines[i].strip() and not lines[i].startswith((" ", "#")))  # fmt: skip
    return "".join(lines[:start] + lines[end:])


def test_no_constituencies_gives_the_same_bytes(tmp_path: Path) -> None:
    """The Ukraine scenario with its block cut out of the text and with the block emptied in
    the data give byte-identical `deals` JSON, without any ratification key or row."""
    never = tmp_path / "never.yaml"
    never.write_text(_without_block(UKRAINE.read_text(encoding="utf-8")), encoding="utf-8")
    data = yaml.safe_load(UKRAINE.read_text(encoding="utf-8"))
    data["constituencies"] = {}
    emptied = tmp_path / "emptied.yaml"
    emptied.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    outs = []
    for path in (never, emptied):
        result = runner.invoke(app, ["deals", str(path), "--draws", "20", "--format", "json"])
        assert result.exit_code == 0, result.stderr
        outs.append(result.stdout)
    assert outs[0] == outs[1]
    parsed = json.loads(outs[0])
    assert "ratification" not in parsed
    assert all("/" not in row for row in parsed["verdict"]["rows"])
    space = build_space(load(never))
    assert space.rat_rows == ()
    assert space.rat_ideal is None
    assert binding(space).size == space.veto.size + 1  # the parties and the commitment


# --- the rules -------------------------------------------------------------------------------


@st.composite
def _members(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    c = draw(st.integers(1, 5))
    slack = np.array(draw(st.lists(st.floats(-1, 1), min_size=c, max_size=c)))
    weight = np.array(draw(st.lists(st.floats(0.1, 5), min_size=c, max_size=c)))
    return slack, weight


@settings(max_examples=60)
@given(_members(), st.floats(0.05, 1.0))
def test_rule_margin_is_the_pivotal_member(members: tuple[np.ndarray, np.ndarray],
                                           needed: float) -> None:  # fmt: skip
    """The rule passes iff the members that ratify hold the share needed; unanimity is the
    intersection of the members' acceptance sets (every slack ≥ 0)."""
    slack, weight = members
    margin, pivot = rule_margin(slack, weight, needed)
    assert margin == slack[pivot]
    holding = weight[slack >= margin].sum() / weight.sum()
    assert holding >= needed - 1e-12
    passes = weight[slack >= 0].sum() / weight.sum() >= needed - 1e-12
    assert (margin >= 0) == passes
    unanimity, _ = rule_margin(slack, weight, 1.0)
    assert unanimity == slack.min()
    assert (unanimity >= 0) == bool(np.all(slack >= 0))


def test_minimal_winning_coalitions() -> None:
    w = np.array([0.45, 0.35, 0.2])
    assert winning(w, 0.5) == [(0, 1), (0, 2), (1, 2)]
    assert winning(w, 1.0) == [(0, 1, 2)]
    assert winning(np.array([3.0, 2.0, 1.0]), 0.6) == [(0, 1), (0, 2)]


Params = tuple[np.ndarray, np.ndarray, np.ndarray]


def _params(data: st.DataObject, k: int = 2) -> Params:
    x = np.array([data.draw(st.lists(st.floats(0, 1), min_size=k, max_size=k)) for _ in "AB"])
    w = np.array([data.draw(st.lists(st.floats(0.1, 1), min_size=k, max_size=k)) for _ in "AB"])
    d = np.array(data.draw(st.lists(st.floats(0.3, 0.9), min_size=2, max_size=2)))
    return x, w / w.sum(axis=1, keepdims=True), d


def _space(params: Params, walk_c: float) -> DealSpace:
    """Two parties; A's constituency C shares A's ideal and salience and walks away at
    ``walk_c`` (a harder line than A's own when above d_A)."""
    x, w, d = params
    k = x.shape[1]
    base = DealSpace(
        ("A", "B"), tuple(f"i{j}" for j in range(k)), np.zeros(k), np.ones(k), x[None],
        w[None], True, d[None], np.ones(2, dtype=bool), np.full((1, k), 0.5), None, None, None,
    )  # fmt: skip
    return replace(base, rat_rows=("A/C",), rat_ideal=x[None, :1], rat_weight=w[None, :1],
                   rat_walk=np.array([[walk_c]]), rat_on=np.ones((1, 1), dtype=bool))  # fmt: skip


def _zone_share(space: DealSpace, grid: np.ndarray) -> float:
    return float(np.mean(np.all(slacks(space, grid)[0][:, binding(space)] >= -TOL, axis=1)))


@settings(max_examples=25)
@given(st.data(), st.floats(0.3, 0.95), st.floats(0.0, 0.3))
def test_tied_hands(data: st.DataObject, walk: float, rise: float) -> None:
    """Shrinking A's win-set (its constituency asks more) never enlarges the zone and moves the
    max–min package toward A (Putnam's "tied hands")."""
    params = _params(data)
    loose, tight = _space(params, walk), _space(params, walk + rise)
    grid = sample_packages(2, 512, 0)
    assert _zone_share(tight, grid) <= _zone_share(loose, grid)
    before, after = maxmin(loose, leximin=True), maxmin(tight, leximin=True)
    assert after.margin <= before.margin + 1e-7
    u = [float(slacks(s, p.z[None])[0, 0, 0]) for s, p in ((loose, before), (tight, after))]
    assert u[1] >= u[0] - 1e-6


@settings(max_examples=20)
@given(st.data())
def test_any_veto_rows_are_the_intersection(data: st.DataObject) -> None:
    """Under any_veto a package passes the actor's rows iff every member accepts it."""
    k = 2
    space = _space(_params(data, k), data.draw(st.floats(0.5, 0.95)))
    extra = data.draw(st.lists(st.floats(0, 1), min_size=k, max_size=k))
    rows = replace(space, rat_rows=("A/C", "A/D"),
                   rat_ideal=np.concatenate([space.rat_ideal, [[extra]]], axis=1),  # type: ignore[list-item]
                   rat_weight=np.concatenate([space.rat_weight, space.rat_weight], axis=1),  # type: ignore[list-item]
                   rat_walk=np.array([[0.7, 0.8]]), rat_on=np.ones((1, 2), dtype=bool))  # fmt: skip
    grid = sample_packages(k, 256, 1)
    s = slacks(rows, grid)[0]
    members = s[:, 2:4]
    both = np.all(members >= 0, axis=1)
    margin, _ = rule_margin(members, np.ones(2), 1.0)
    assert np.array_equal(margin >= 0, both)


def test_switched_off_rows_never_bind() -> None:
    space = build_space(validate(_data()))
    assert space.rat_on is not None
    off = switch(space, np.zeros_like(space.rat_on))
    z = maxmin(off).z
    assert np.all(slacks(off, z[None])[0, 0, 2 : 2 + len(space.rat_rows)] >= 100)


# --- scenarios -------------------------------------------------------------------------------


def test_majority_rules_choose_the_best_winning_coalition() -> None:
    """The rows of a majority rule are those of the winning coalition with the largest
    max–min margin: no other combination does better."""
    scn = validate(_data())
    space = build_space(scn)
    assert space.rat_rows == ("A/left", "A/centre", "A/right", "B/north", "B/south")
    chosen = maxmin(space, leximin=True).margin
    a = [(0, 1), (0, 2)]
    b = [(3,)]  # North alone holds 55%; South alone (45%) is not enough
    best = -np.inf
    for ca, cb in itertools.product(a, b):
        on = np.zeros((1, 5), dtype=bool)
        on[0, list(ca + cb)] = True
        best = max(best, maxmin(switch(space, on), leximin=True).margin)
    assert chosen >= best - 1e-7


def test_report_and_frames() -> None:
    scn = validate(_data())
    report = analyse_deals(scn, draws=0)
    assert report.ratification is not None
    rows = report.verdict.rows
    assert any(r.startswith("A/") for r in rows)
    assert any(r.startswith("B/") for r in rows)
    frame = report.ratification.to_frame()
    assert set(frame["actor"]) == {"A", "B"}
    assert {"member_margin", "rule_margin", "win_set"} <= set(frame.columns)
    again = ratification(scn)
    assert again is not None
    assert [a.win_set for a in again.actors] == [a.win_set for a in report.ratification.actors]
    assert all(0.0 <= a.win_set <= 1.0 for a in again.actors)
    import multipolar

    api = multipolar.ratification(scn, samples=256)
    assert len(api.to_frame()) == 5
    assert api.to_dict()["win_set"]["samples"] == 256
    none = multipolar.ratification(validate({**_data(), "constituencies": {}}))
    assert none.actors == []
    assert none.to_frame().empty


def test_ukraine_deals_name_a_ratification_row() -> None:
    """The must-show line: `deals` names at least one ratification constraint and its margin."""
    result = runner.invoke(app, ["deals", str(UKRAINE), "--draws", "0", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    rat_rows = {r: m for r, m in data["verdict"]["rows"].items() if "/" in r}
    assert "UKR/referendum" in rat_rows
    assert "EUR/hungary" in rat_rows
    assert all(np.isfinite(m) for m in rat_rows.values())
    actors = {a["actor"]: a for a in data["ratification"]["actors"]}
    assert actors["UKR"]["rule"] == "any_veto"
    assert 0 < actors["UKR"]["win_set"] < 1


def test_win_sets_move_with_events() -> None:
    rows = win_set_timeline(load(UKRAINE), samples=512)
    assert [r["date"] for r in rows][1:] == ["2025-08-15", "2025-08-18"]
    assert rows[0]["win_set"]["RUS"] != rows[-1]["win_set"]["RUS"]  # RUS's war value moves


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["constituencies"].update(Z=d["constituencies"]["A"]), "unknown actor 'Z'"),
        (lambda d: d["constituencies"]["A"].pop("threshold"), "needs a threshold"),
        (
            lambda d: d["constituencies"]["B"]["members"][0]["positions"].update(x=200),
            "position 200 is outside",
        ),
        (
            lambda d: d["constituencies"]["B"]["members"][0]["salience"].update(q=1),
            "unknown issue 'q'",
        ),
    ],
)
def test_bad_constituencies_are_one_line(tmp_path: Path, edit: object, message: str) -> None:
    data = _data()
    edit(data)  # type: ignore[operator]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    result = runner.invoke(app, ["deals", str(path), "--draws", "0"])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line
    assert message in line
    assert "bad.yaml:" in line
    assert "fix:" in line


def test_web_app_json_carries_ratification() -> None:
    """The server's deals and timeline answers gain fields; nothing else moves."""
    from multipolar.server.analyses import run_deals, run_timeline
    from multipolar.server.limits import Limits

    scn = validate(_data())
    deals = run_deals(scn, 0, 3, 0, Limits())
    assert {a["actor"] for a in deals["ratification"]["actors"]} == {"A", "B"}
    timeline = run_timeline(scn, ["compromise"], 0, False, Limits())
    assert timeline["ratification"]["win_sets"][0]["date"] == "now"
    bare = validate({**_data(), "constituencies": {}})
    assert "ratification" not in run_timeline(bare, ["compromise"], 0, False, Limits())


def test_what_it_takes_scans_a_constituency() -> None:
    """A constituency's walk-away is a lever like any estimate; the package there names the
    ratification rows and their margins."""
    from multipolar.deals.whatif import what_it_takes

    scn = validate(_data())
    result = what_it_takes(scn, "constituencies.B.members.north.walk_away")
    assert result.domain == (0.0, 1.0)
    assert result.open_now
    assert result.value is not None
    assert result.package is not None
    assert result.package.ratification is not None
    assert "B/north" in result.package.ratification
    assert min(result.package.rows.values()) >= -1e-6  # the last package still open
