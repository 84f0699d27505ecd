"""The timeline's states after every subset of an event's effects, judged where each number
lands (scenario/incremental.py), equal those that replaying and validating each one gives."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from multipolar.dynamics.apply import apply_effect, drop_inactive
from multipolar.dynamics.states import effect_subsets
from multipolar.errors import ScenarioError
from multipolar.scenario import load
from multipolar.scenario.events import Event
from multipolar.scenario.incremental import Edits
from multipolar.scenario.loader import to_data
from multipolar.scenario.paths import set_value
from multipolar.scenario.replay import ordered
from multipolar.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[1]
CASES = [*sorted(ROOT.glob("scenarios/*.yaml")), ROOT / "tests" / "data" / "ledger_case.yaml"]


def _replayed(state: Scenario, event: Event) -> dict[frozenset[int], Scenario]:
    """Every subset's state by ``apply_effect``, each validated in full (what was done)."""
    effects = event.effects
    out = {frozenset(): state}
    for size in range(1, len(effects) + 1):
        for subset in combinations(range(len(effects)), size):
            parent = out[frozenset(subset[:-1])]
            out[frozenset(subset)] = apply_effect(parent, effects[subset[-1]], event.id)
    return out


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_subset_state_equals_the_replayed_one(path: Path) -> None:
    scn = load(path)
    events = ordered(scn.events)
    assert events, "a case with events"
    state = drop_inactive(scn.model_copy(update={"events": []}))
    for event in events:
        got, exact = effect_subsets(state, event)
        if not exact:  # some subset alone is invalid: then every subset is not asked for
            with pytest.raises(ScenarioError):
                _replayed(state, event)
            state = got[frozenset(range(len(event.effects)))]
            continue
        want = _replayed(state, event)
        assert got.keys() == want.keys()
        for key, scenario in want.items():
            assert got[key] == scenario
            assert to_data(got[key]) == to_data(scenario)
            assert got[key].model_dump() == scenario.model_dump()
        state = want[frozenset(range(len(event.effects)))]


def test_an_edit_with_provenance_equals_set_value() -> None:
    scn = load(ROOT / "scenarios" / "ukraine_2025_08.yaml")
    state = drop_inactive(scn.model_copy(update={"events": []}))
    source = state.sources[0].id
    provenance = {"source": source, "note": "a note"}
    for path, value, mode in (("positions.USA.aid", 5.0, "shift"),
                              ("salience.EUR.guarantees", 0.9, "set"),
                              ("conflict.p", 0.1, "shift")):  # fmt: skip
        edited = Edits(state).edit(path, value, mode, provenance)
        full = set_value(to_data(state), path, value, mode=mode, provenance=provenance)
        mine = edited if isinstance(edited, Scenario) else edited.scenario
        assert mine == full
        assert to_data(mine) == to_data(full)


def test_an_unknown_source_is_the_error_full_validation_gives() -> None:
    scn = load(ROOT / "scenarios" / "ukraine_2025_08.yaml")
    state = drop_inactive(scn.model_copy(update={"events": []}))
    provenance = {"source": "no_such_source"}
    with pytest.raises(ScenarioError) as full:
        set_value(to_data(state), "positions.USA.aid", 1.0, mode="shift", provenance=provenance)
    with pytest.raises(ScenarioError) as mine:
        Edits(state).edit("positions.USA.aid", 1.0, "shift", provenance)
    assert str(mine.value) == str(full.value)
