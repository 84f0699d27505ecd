"""The incremental validator of one-estimate edits answers exactly as full validation does:
the same scenario (values, fields set at every level, data, hash, state after the events) or
the same one-line error, on random scenarios with events (joins, leaves, effects on the edited
estimate) and edits that break them."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from multipolar.errors import ScenarioError, UsageError
from multipolar.scenario import load
from multipolar.scenario.incremental import Edited, Edits
from multipolar.scenario.loader import to_data, validate
from multipolar.scenario.paths import copy_path, set_value
from multipolar.scenario.replay import after_events, ordered, replay
from multipolar.scenario.schema import Scenario
from multipolar.store.runs import scenario_hash

UKRAINE = Path(__file__).resolve().parents[1] / "scenarios" / "ukraine_2025_08.yaml"
ACTORS = ["A0", "A1", "A2", "A3"]
ISSUES = ["I0", "I1"]
SCALES = {"I0": [0.0, 100.0], "I1": [-1.0, 1.0]}
PATHS = [
    *(f"positions.{a}.{i}" for a in ACTORS for i in ISSUES),
    *(f"salience.{a}.{i}" for a in ACTORS for i in ISSUES),
    *(f"actors.{a}.capability" for a in ACTORS),
    "conflict.p",
    "conflict.discount",
    "conflict.costs.A0",
    "conflict.costs.A1",
    "conflict.guarantee.credibility",
    "conflict.power_shift.next",
    "deal.walk_away.A2",
    "issues.I0.status_quo",  # not handled incrementally: validated in full
]
VALUES = st.one_of(
    st.sampled_from([-1.0, -0.5, 0.0, 0.5, 0.999, 1.0, 1.5, 50.0, 100.0, 101.0, 1e308]),
    st.sampled_from([-0.98, 0.02, 0.6, 0.95, 0.99, 5.0, 95.0, 99.0]),  # near a bound
    st.floats(-120, 120, allow_nan=False),
)


def _place(path: str) -> tuple[float, float]:
    """The low end and the width of the values an estimate at ``path`` may take."""
    if path.startswith("positions"):
        low, high = SCALES[path.rsplit(".", 1)[1]]
        return low, high - low
    return 0.0, 10.0 if path.endswith("capability") else 1.0


NEAR = st.sampled_from([0.99, 0.01, -0.01, 0.0, 0.5, 0.9, 1.0, 1.01])


def _effect(path: str, data: st.DataObject) -> dict[str, Any]:
    """A numeric effect at ``path`` of a size that usually keeps the scenario valid."""
    width = _place(path)[1]
    mode = data.draw(st.sampled_from(["set", "shift", "shift", "scale"]))
    if mode == "scale":
        return {"path": path, "scale": data.draw(st.sampled_from([0.9, 1.1]))}
    if mode == "set":
        return {"path": path, "set": data.draw(st.sampled_from([0.0, 0.3, 0.5])) * width}
    return {"path": path, "shift": data.draw(st.sampled_from([-0.2, -0.05, 0.05, 0.2])) * width}


def _estimate(draw: Any, low: float, high: float) -> Any:
    best = draw(st.floats(low, high, allow_nan=False))
    if draw(st.booleans()):
        return best
    width = (high - low) / 10
    return {"low": max(low, best - width), "best": best, "high": min(high, best + width)}


@st.composite
def scenarios(draw: Any) -> Scenario:
    """A small valid scenario: 4 actors (A2 may leave, A3 may join), 2 issues, a war, a deal,
    events that change numbers (some to invalid values, filtered out), joins and leaves."""
    issues = [{"id": i, "name": i, "scale": SCALES[i], "status_quo": SCALES[i][0]} for i in ISSUES]
    late = draw(st.booleans())
    actors = [
        {"id": a, "name": a, "capability": _estimate(draw, 0.0, 10.0)}
        | ({"active": False} if a == "A3" and late else {})
        for a in ACTORS
    ]
    data: dict[str, Any] = {
        "title": "t",
        "actors": actors,
        "issues": issues,
        "positions": {a: {i: _estimate(draw, *SCALES[i]) for i in ISSUES} for a in ACTORS},
        "salience": {a: {i: _estimate(draw, 0.0, 1.0) for i in ISSUES} for a in ACTORS},
        "conflict": {
            "belligerents": ["A0", "A1"],
            "p": _estimate(draw, 0.0, 1.0),
            "costs": {"A0": _estimate(draw, 0.0, 0.5), "A1": 0.1},
            "discount": 0.9,
            "stakes": ["I0"],
            "guarantee": {"credibility": _estimate(draw, 0.0, 1.0)},
            "power_shift": {"declining": "A1", "next": _estimate(draw, 0.0, 1.0)},
        },
        "deal": {"walk_away": {"A2": _estimate(draw, 0.0, 1.0)}},
    }
    if draw(st.booleans()):
        data["correlations"] = [{"between": ["conflict.p", "conflict.costs.A0"], "rho": 0.3}]
    other = [{"join": "A3"}, {"leave": "A2"}, {"owner": {"issue": "I1", "add": ["A2"]}}]
    effect = st.one_of(
        st.builds(_effect, st.sampled_from(PATHS[:-1]), st.data()), st.sampled_from(other)
    )
    events = draw(st.lists(st.lists(effect, min_size=1, max_size=3), max_size=4))
    data["events"] = [
        {"id": f"e{n}", "date": f"2025-0{1 + n % 2}-0{1 + n}", "title": "e", "effects": effects}
        for n, effects in enumerate(events)
    ]
    try:
        return validate(data)
    except ScenarioError:
        assume(False)
        raise


def _same_models(a: Any, b: Any, where: str = "") -> None:
    """Equal values, types and fields set at every level (pydantic's == ignores fields set)."""
    assert type(a) is type(b), where
    if isinstance(a, BaseModel):
        assert a.model_fields_set == b.model_fields_set, where
        for name in type(a).model_fields:
            _same_models(getattr(a, name), getattr(b, name), f"{where}.{name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same_models(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            _same_models(x, y, f"{where}[{k}]")
    else:
        assert a == b, where


def _full(scn: Scenario, path: str, value: float, mode: str) -> Scenario | str:
    try:
        out: Scenario = set_value(copy_path(to_data(scn), path), path, value, mode=mode)
    except (ScenarioError, UsageError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return out


def _fast(edits: Edits, path: str, value: float, mode: str) -> Edited | Scenario | str:
    try:
        return edits.edit(path, value, mode)
    except (ScenarioError, UsageError) as exc:
        return f"{type(exc).__name__}: {exc}"


def _agree(scn: Scenario, edits: Edits, path: str, value: float, mode: str) -> Edited | None:
    """Full and incremental validation of one edit agree; the edited result, if judged here."""
    expected, got = _full(scn, path, value, mode), _fast(edits, path, value, mode)
    try:
        valid: bool | str = edits.valid(path, value, mode)
    except UsageError as exc:
        valid = f"UsageError: {exc}"
    usage = isinstance(expected, str) and expected.startswith("UsageError")
    assert valid == (expected if usage else not isinstance(expected, str))
    if isinstance(expected, str) or isinstance(got, str):
        assert got == expected
        return None
    made = got.scenario if isinstance(got, Edited) else got
    assert made == expected
    _same_models(made, expected)
    assert to_data(made) == to_data(expected)
    assert scenario_hash(made) == scenario_hash(expected)
    if made.events:  # the state after the events: kept by the fast path, replayed afresh here
        state = replay(expected, ordered(expected.events)).without_inactive()
        after = after_events(made)
        _same_models(after, state)
    if isinstance(got, Edited):
        assert got.data == to_data(expected)
        text = got.canonical_text().encode("utf-8")
        assert hashlib.sha256(text).hexdigest() == scenario_hash(expected)
        return got
    return None


@settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(scenarios(), st.data())
def test_an_edit_validates_as_in_full(scn: Scenario, data: st.DataObject) -> None:
    moved = sorted({e.path for event in scn.events for e in event.effects if e.path})
    paths = st.sampled_from(PATHS) | (st.sampled_from(moved) if moved else st.nothing())
    edit = st.tuples(paths, st.sampled_from(["near", "near", "set", "shift", "scale"]))
    incremental = Edits(scn)
    for path, how in data.draw(st.lists(edit, min_size=1, max_size=3)):
        low, width = _place(path)
        mode = "set" if how == "near" else how
        value = low + data.draw(NEAR) * width if how == "near" else data.draw(VALUES)
        got = _agree(scn, incremental, path, value, mode)
        if got is not None:  # the next edit starts from this one, as the server chains them
            scn, incremental = got.scenario, got.edits()


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("positions.RUS.donbas", 40.0),  # fine
        ("positions.RUS.donbas", 0.3),  # a range shifted below the scale: falls back to a point
        ("positions.USA.agreement", 150.0),  # off the scale
        ("positions.USA.agreement", 50.0),  # fine here, but the Alaska shift (+55) breaks it
        ("salience.EUR.guarantees", 0.95),  # +0.1 by an event: over 1
        ("actors.RUS.capability", -3.0),
        ("conflict.p", 0.99),  # +0.03 by an event
        ("conflict.guarantee.credibility", 1.2),
        ("conflict.discount", 1.0),
        ("conflict.power_shift.next", 0.5),
        ("positions.RUS.nowhere", 1.0),  # no such issue: the full path's error
    ],
)
def test_ukraine_edits_validate_as_in_full(path: str, value: float) -> None:
    scn = load(UKRAINE)
    _agree(scn, Edits(scn), path, value, "set")


def test_ukraine_edits_of_what_its_events_move_validate_as_in_full() -> None:
    """Every estimate an event of the Ukraine case moves, set near its bounds: edits that the
    event then pushes out of bounds fail 'after event ...' as in full validation."""
    scn = load(UKRAINE)
    edits, failed_after = Edits(scn), 0
    for event in scn.events:
        for eff in event.effects:
            assert eff.path is not None
            assert eff.value is not None
            low, width = (0.0, 100.0) if eff.path.startswith("positions") else (0.0, 1.0)
            width = 150.0 if eff.path.endswith("capability") else width
            step = abs(eff.value) / 2 if eff.mode == "shift" else 0.01
            for value in (low + step, low + width - step, low + width / 2, low - step):
                _agree(scn, edits, eff.path, value, "set")
                failed_after += "after event" in _full(scn, eff.path, value, "set")  # type: ignore[operator]
    assert failed_after >= 2
