"""Events: validation of effects, applying them in date order, joining and leaving, power."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import multipolar
from multipolar.cli import app
from multipolar.dynamics.apply import resolve
from multipolar.dynamics.power import power_indices
from multipolar.errors import ScenarioError
from multipolar.scenario import validate
from tests.test_deals import CONFLICT

EVENTS = [
    {
        "id": "summit",
        "date": "2025-08-15",
        "title": "Summit",
        "effects": [
            {"path": "conflict.p", "shift": 0.1},
            {"path": "positions.O.guard", "set": 4},
            {"owner": {"issue": "land", "add": ["O"]}},
        ],
    },
    {
        "id": "meeting",
        "date": "2025-08-18",
        "title": "Meeting",
        "effects": [{"path": "salience.A.land", "scale": 0.5}, {"leave": "O"}],
    },
]


def scenario(events: list[dict] | None = None) -> multipolar.Scenario:  # type: ignore[type-arg]
    data = yaml.safe_load(CONFLICT)
    data["events"] = EVENTS if events is None else events
    return validate(data)


def test_resolve_applies_events_in_date_order() -> None:
    scn = scenario(list(reversed(EVENTS)))  # file order does not matter across dates
    after_summit = resolve(scn, dt.date(2025, 8, 16))
    assert after_summit.conflict is not None
    assert after_summit.conflict.p.best == pytest.approx(0.7)
    assert after_summit.positions["O"]["guard"].best == 4
    assert after_summit.deal.owners["land"] == ["O"]
    final = resolve(scn)
    assert final.salience["A"]["land"].best == pytest.approx(0.4)
    assert "O" not in final.actor_ids
    assert "O" not in final.deal.owners.get("guard", [])
    assert final.events == []
    assert resolve(scn, dt.date(2025, 1, 1)).conflict.p.best == 0.6  # type: ignore[union-attr]


def test_analyses_use_the_state_after_events() -> None:
    scn = scenario()
    assert multipolar.forecast(scn, "compromise").actors == ("A", "B")
    space_before = multipolar.analyse_deals(resolve(scn, dt.date(2025, 1, 1)), draws=0)
    assert "O" in space_before.must_accept


def test_join_brings_an_inactive_actor_in() -> None:
    data = yaml.safe_load(CONFLICT)
    data["actors"][2]["active"] = False
    data["events"] = [{"id": "j", "date": "2025-01-01", "title": "J", "effects": [{"join": "O"}]}]
    scn = validate(data)
    assert "O" not in resolve(scn, dt.date(2024, 12, 31)).actor_ids
    assert "O" in resolve(scn).actor_ids


@pytest.mark.parametrize(
    ("effect", "fragment"),
    [
        ({"path": "positions.Q.land", "set": 1}, "event 'e': path 'positions.Q.land'"),
        ({"path": "conflict.pp", "shift": 0.1}, "nothing at 'pp'"),
        ({"owner": {"issue": "sea", "add": ["A"]}}, "unknown issue 'sea'"),
        ({"leave": "Z"}, "unknown actor 'Z'"),
        ({"path": "conflict.p", "set": 0.5, "shift": 0.1}, "exactly one change"),
        ({"set": 0.5}, "needs a path"),
    ],
)
def test_bad_effects_one_line_exit_2(tmp_path: Path, effect: dict, fragment: str) -> None:  # type: ignore[type-arg]
    data = yaml.safe_load(CONFLICT)
    data["events"] = [{"id": "e", "date": "2025-01-01", "title": "E", "effects": [effect]}]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert any(fragment in line for line in result.stderr.splitlines()), result.stderr
    assert result.stderr.startswith(f"{path}:")


def test_effect_that_breaks_the_scenario_names_the_event() -> None:
    bad = [{"id": "bad", "date": "2025-01-01", "title": "B",
            "effects": [{"path": "conflict.p", "shift": 0.9}]}]  # fmt: skip
    with pytest.raises(ScenarioError, match="after event 'bad'"):  # validate applies the events
        scenario(bad)
    data = yaml.safe_load(CONFLICT)
    data["events"] = bad
    unchecked = multipolar.Scenario.model_validate(data)  # the schema alone, no cross-checks
    with pytest.raises(ScenarioError, match="event 'bad'"):
        resolve(unchecked)


def test_power_indices_textbook_games() -> None:
    third = power_indices([49, 48, 3], 51)
    np.testing.assert_allclose(third.shapley_shubik, 1 / 3)
    np.testing.assert_allclose(third.banzhaf, 1 / 3)
    # UN Security Council: 5 permanent members with a veto, 10 others, 9 votes to pass
    unsc = power_indices([7] * 5 + [1] * 10, 39, [True] * 5 + [False] * 10)
    assert unsc.shapley_shubik[0] == pytest.approx(0.19627, abs=1e-5)
    assert unsc.shapley_shubik[5] == pytest.approx(0.001865, abs=1e-6)
    assert unsc.banzhaf[0] == pytest.approx(0.1669, abs=1e-4)
    assert unsc.shapley_shubik.sum() == pytest.approx(1.0)


def test_power_indices_sampled_beyond_twenty_players() -> None:
    weights = np.ones(24)
    out = power_indices(weights, 13, samples=3000, seed=4)
    assert not out.exact
    assert out.shapley_shubik_se is not None
    # symmetric players: each index within four standard errors of 1/24
    assert np.all(np.abs(out.shapley_shubik - 1 / 24) <= 4 * out.shapley_shubik_se + 1e-9)
    assert (
        power_indices(weights, 13, samples=3000, seed=4).shapley_shubik.tobytes()
        == out.shapley_shubik.tobytes()
    )


def test_attribution_parts_sum_to_the_total() -> None:
    from multipolar.dynamics.timeline import timeline

    _, changes = timeline(scenario(), ("compromise", "median"))
    assert [c.event for c in changes] == ["summit", "meeting"]
    for change in changes:
        for metric, per_actor in change.attribution.items():
            for actor, row in per_actor.items():
                parts = sum(v for k, v in row.items() if k != "total")
                assert parts == pytest.approx(row["total"], abs=1e-9), (change.event, metric, actor)


@settings(max_examples=10, deadline=None)
@given(
    shifts=st.lists(st.floats(-0.2, 0.2), min_size=1, max_size=3),
    paths=st.lists(
        st.sampled_from(["conflict.p", "conflict.costs.A", "conflict.costs.B", "salience.A.land"]),
        min_size=3, max_size=3,
    ),
)  # fmt: skip
def test_attribution_sums_property(shifts: list[float], paths: list[str]) -> None:
    from multipolar.dynamics.timeline import attribute

    effects = [{"path": p, "shift": round(s, 3)} for p, s in zip(paths, shifts, strict=False)]
    data = yaml.safe_load(CONFLICT)
    data["conflict"]["costs"] = {"A": 0.3, "B": 0.3}  # room for shifts either way
    data["salience"]["A"]["land"] = 0.5
    data["events"] = [{"id": "e", "date": "2025-01-01", "title": "E", "effects": effects}]
    try:
        scn = validate(data)
        _, _, parts = attribute(
            scn.model_copy(update={"events": []}), scn.events[0], ("compromise",), 0
        )
    except ScenarioError:
        return  # a shift that leaves the allowed range is rejected, as it should be
    for per_actor in parts.values():
        for row in per_actor.values():
            assert sum(v for k, v in row.items() if k != "total") == pytest.approx(
                row["total"], abs=1e-9
            )


def test_timeline_command_is_reproducible(tmp_path: Path) -> None:
    data = yaml.safe_load(CONFLICT)
    data["events"] = EVENTS
    path = tmp_path / "ev.yaml"
    path.write_text(yaml.safe_dump(data))
    args = ["timeline", str(path), "--format", "json", "-m", "compromise", "-m", "eum"]
    first, second = CliRunner().invoke(app, args), CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    out = json.loads(first.stdout)
    assert [e["event"] for e in out["events"]] == ["summit", "meeting"]
    assert "margin" in out["events"][0]["changes"]
    assert any("mostly '" in line for line in out["events"][0]["summary"])
    csv_out = CliRunner().invoke(app, ["timeline", str(path), "--format", "csv"])
    assert csv_out.stdout.splitlines()[0] == "date,event,actor,metric,value"
    lev = CliRunner().invoke(app, ["leverage", str(path), "--actor", "A", "--format", "json"])
    assert lev.exit_code == 0, lev.stderr
    data_lev = json.loads(lev.stdout)
    assert data_lev["actors"]["A"]["veto"] is True
    assert data_lev["levers"]["persuade"]


def test_pull_closed_form_matches_finite_differences() -> None:
    from multipolar.dynamics.leverage import pull

    scn = resolve(scenario())
    closed = pull(scn, "compromise")
    numeric = pull(scn, "compromise", method="difference")
    np.testing.assert_allclose(numeric, closed, atol=1e-9)
    np.testing.assert_allclose(closed.sum(axis=1), 1.0)
