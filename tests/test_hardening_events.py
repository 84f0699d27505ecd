"""Hostile events (issues 14 and 20, the input side): validate applies the events and names
the one that breaks the scenario; dates are bounded; event checks take linear time with caps
on events and effects; the timeline's attribution is bounded."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from multipolar.errors import ScenarioError, UsageError
from multipolar.scenario import limits, validate
from multipolar.scenario.loader import to_data
from multipolar.scenario.paths import get_estimate, with_value
from tests.conftest import VALID
from tests.fuzz_cases import SMALL
from tests.test_hardening_input import one_line_errors, with_event, write


def test_event_breaking_the_scenario_fails_validate_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, with_event(value=210))
    lines = one_line_errors(["validate", str(path)], "after event 'e1'")
    expected = (
        f"{path}:27:9: events[0].effects[0]: after event 'e1' (effect 'positions.A.t set 210'):"
        " position 210 is outside [0, 100]; fix: use a value in [0, 100]"
    )
    assert lines == [expected]


def test_event_states_are_checked_in_date_order(tmp_path: Path) -> None:
    """Two events that are fine together in file order but not in date order."""
    text = VALID + (
        "events:\n"
        "  - {id: late, date: 2025-02-01, title: L, effects: [{path: positions.A.t, shift: 80}]}\n"
        "  - {id: early, date: 2025-01-01, title: E,\n"
        "     effects: [{path: positions.A.t, shift: -50}]}\n"
    )
    one_line_errors(["validate", str(write(tmp_path, text))], "after event 'early'")


def test_leaving_actor_breaking_the_state_is_named(tmp_path: Path) -> None:
    """C alone holds nothing the others lack, but A alone has a position on g besides B: when
    A and B leave, nobody is positioned on g any more."""
    text = VALID.replace("  - {id: C, name: Gamma, kind: mediator, capability: 1}",
                         "  - {id: C, name: Gamma, kind: mediator, capability: 1}")  # fmt: skip
    text += "events:\n  - {id: go, date: 2025-01-01, title: G, effects: [{leave: A}, {leave: B}]}\n"
    one_line_errors(["validate", str(write(tmp_path, text))], "after event 'go'")


@pytest.mark.parametrize("date", ["0001-01-01", "0999-12-31", "3000-01-01"])
def test_event_dates_outside_the_range(tmp_path: Path, date: str) -> None:
    path = write(tmp_path, with_event(date=date))
    one_line_errors(["validate", str(path)], f"date {date} is outside")
    one_line_errors(["timeline", str(path)], f"date {date} is outside")


def test_event_date_reproducer_on_the_server() -> None:
    pytest.importorskip("fastapi")
    with warnings.catch_warnings():  # starlette asks for httpx2 for its test client
        warnings.filterwarnings("ignore", message=".*httpx2")
        from fastapi.testclient import TestClient
    from multipolar.server.app import create_app

    with TestClient(create_app(db_url="sqlite://")) as web:
        answer = web.post("/api/timeline", json={"scenario": {"text": with_event("0001-01-01")}})
    assert answer.status_code == 422, answer.text
    assert "date 0001-01-01 is outside" in answer.json()["error"]


def test_bad_effect_paths_never_hint_none(tmp_path: Path) -> None:
    text = VALID.replace("status_quo: 40", "status_quo: 40\n    anchors: [{value: 10, label: x}]")
    scn = validate(
        yaml.safe_load(text + "ideal_adjustment: [{actor: A, reference: B, weight: 1}]\n")
    )
    for path in ["issues.t.anchors.x", "ideal_adjustment.A", "positions.A.t.best.x",
                 "title.x", "positions.A.t.x", "sources.x", "events.x"]:  # fmt: skip
        with pytest.raises(UsageError) as caught:
            get_estimate(scn, path)
        assert "None" not in str(caught.value), str(caught.value)
    path = write(tmp_path, with_event(path="issues.t.anchors.x"))
    lines = one_line_errors(["validate", str(path)], "no entry 'x'")
    assert "None" not in lines[0]


def _many_events(n: int, effects: int = 1) -> dict[str, Any]:
    data = yaml.safe_load(VALID)
    start = dt.date(2000, 1, 1)
    data["events"] = [
        {"id": f"e{i}", "date": (start + dt.timedelta(days=i)).isoformat(), "title": "E",
         "effects": [{"path": "positions.A.t", "shift": 0.25 if (i + j) % 2 else -0.25}
                     for j in range(effects)]}
        for i in range(n)
    ]  # fmt: skip
    return data


def test_ten_thousand_events_validate_with_one_full_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation applies 10,000 events without re-validating the scenario per effect: the
    whole-scenario check runs a fixed number of times whatever the count (bench/run.py times
    it)."""
    from multipolar.scenario import checks, paths

    calls = {"check": 0}
    real = checks.check

    def counted(scn: Any) -> Any:
        calls["check"] += 1
        return real(scn)

    monkeypatch.setattr("multipolar.scenario.loader.check", counted)
    monkeypatch.setattr(paths, "with_value", None)  # the per-effect path is not used
    scn = validate(_many_events(10_000))
    assert len(scn.events) == 10_000
    assert calls["check"] <= 3
    with pytest.raises(ScenarioError, match="above the limit of 10,000"):
        validate(_many_events(10_001))


def test_effect_caps(tmp_path: Path) -> None:
    data = _many_events(1, effects=limits.MAX_EFFECTS_PER_EVENT + 1)
    with pytest.raises(ScenarioError, match="effects in one event, above the limit of 100"):
        validate(data)
    data = _many_events(300, effects=limits.MAX_EFFECTS // 300 + 1)
    with pytest.raises(ScenarioError, match="effects over all events"):
        validate(data)
    effects = "".join(f"      - {{path: positions.A.t, shift: {k % 2}}}\n" for k in range(5000))
    text = VALID + "events:\n  - id: e\n    date: 2025-01-01\n    title: E\n    effects:\n"
    path = write(tmp_path, text + effects)
    one_line_errors(["validate", str(path)], "5000 effects in one event")


def test_resolve_matches_effect_by_effect_application() -> None:
    """The linear replay gives the state that applying each effect through ``with_value``
    (a full validation per effect) gives."""
    from multipolar.dynamics.apply import resolve

    data = _many_events(40, effects=2)
    data["events"][3]["effects"].append({"path": "salience.B.g", "scale": 0.5})
    data["events"][5]["effects"].append({"path": "actors.B.capability", "set": 2.5})
    scn = validate(data)
    state = scn.model_copy(update={"events": []})
    for event in sorted(scn.events, key=lambda e: e.date):
        for eff in event.effects:
            assert eff.path is not None
            assert eff.value is not None
            state = with_value(state, eff.path, eff.value, mode=eff.mode)
    assert to_data(resolve(scn)) == to_data(state)


@settings(max_examples=25, deadline=None)
@given(
    path=st.sampled_from(
        ["positions.A.land", "positions.B.land", "salience.A.guard", "actors.B.capability",
         "issues.land.status_quo", "conflict.p", "conflict.discount", "conflict.costs.A",
         "deal.walk_away.M"]
    ),
    mode=st.sampled_from(["set", "shift", "scale"]),
    value=st.sampled_from([-1.0, -0.3, 0.0, 0.2, 0.5, 0.95, 1.0, 1.5, 7.0, 60.0, 150.0, 1e308]),
)  # fmt: skip
def test_local_effect_check_agrees_with_full_validation(path: str, mode: str, value: float) -> None:
    """Each effect is checked where it lands; the verdict and the state are those of applying
    it with a full validation of the scenario (``paths.with_value``)."""
    data = yaml.safe_load(SMALL)
    data["events"] = []
    base = validate(data)
    data["events"] = [{"id": "e", "date": "2025-01-01", "title": "E",
                       "effects": [{"path": path, mode: value}]}]  # fmt: skip
    try:
        full = with_value(base, path, value, mode=mode)
    except ScenarioError:
        full = None
    try:
        local = validate(data)
    except ScenarioError:
        local = None
    assert (full is None) == (local is None), (path, mode, value)
    if full is not None and local is not None:
        from multipolar.dynamics.apply import resolve

        assert to_data(resolve(local)) == to_data(resolve(full))


def test_attribution_beyond_six_effects_and_with_invalid_subsets() -> None:
    from multipolar.dynamics.timeline import attribute

    data = yaml.safe_load(VALID)
    data["events"] = [
        {"id": "big", "date": "2025-01-01", "title": "B",
         "effects": [{"path": "positions.A.t", "shift": 1.0 + k} for k in range(7)]},
        {"id": "order", "date": "2025-01-02", "title": "O",  # the shift alone leaves [0, 100]
         "effects": [{"path": "positions.B.t", "set": 20},
                     {"path": "positions.B.t", "shift": -15}]},
    ]  # fmt: skip
    scn = validate(data)
    state = scn.model_copy(update={"events": []})
    for event in scn.events:
        _, _, parts = attribute(state, event, ("compromise",), 0)
        for per_actor in parts.values():
            for row in per_actor.values():
                split = sum(v for k, v in row.items() if k != "total")
                assert split == pytest.approx(row["total"], abs=1e-9)
        from multipolar.dynamics.apply import apply_event

        state = apply_event(state, event)


def test_a_question_closing_outside_the_date_range_is_one_line(tmp_path: Path) -> None:
    import re

    from multipolar.scenario import load

    bundled = Path(__file__).resolve().parents[1] / "scenarios" / "ukraine_2025_08.yaml"
    text = bundled.read_text(encoding="utf-8")
    bad = re.sub(r"closes: \d{4}-\d{2}-\d{2}", "closes: 3001-01-01", text, count=1)
    assert bad != text
    path = tmp_path / "q.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load(path)
    message = str(err.value)
    assert "outside 1000-01-01 to 2999-12-31" in message
    assert "closes" in message
    assert len(message.splitlines()) == 1


def test_the_timeline_reports_its_progress_to_the_end() -> None:
    """``progress(done, total)``: events built first, then every state solved; the last call
    is (total, total) and nothing goes backwards."""
    from itertools import pairwise

    from multipolar.dynamics.timeline import timeline

    scn = validate(_many_events(6, effects=2))
    calls: list[tuple[int, int]] = []
    plain = timeline(scn)
    with_bar = timeline(scn, progress=lambda done, total: calls.append((done, total)))
    assert [c.as_dict() for c in with_bar[1]] == [c.as_dict() for c in plain[1]]
    assert calls[0] == (1, 12)
    # the events, then each distinct state: the baseline and 3 new subsets of each event
    assert calls[-1][0] == calls[-1][1] == 6 + 1 + 6 * 3
    assert all(b[0] > a[0] and b[1] >= a[1] for a, b in pairwise(calls))
