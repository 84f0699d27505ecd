"""What it would take validates the changed scenarios lazily: the same answers as validating
every value where the margin says the zone is open (the eager ``_margins_all``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from multipolar.deals.verdict import TOL
from multipolar.deals.whatif import _first_other, _margins_all, what_it_takes_all
from multipolar.dynamics.apply import resolve
from multipolar.report.summary import levers
from multipolar.scenario import load

UKRAINE = Path(__file__).resolve().parents[1] / "scenarios" / "ukraine_2025_08.yaml"


def _eager_first(
    margins: np.ndarray, valid: np.ndarray, order: list[int], open_now: bool
) -> int | None:
    checked = np.where((margins >= -TOL) & ~valid, -np.inf, margins)
    other = [j for j in order if bool(checked[j] >= -TOL) != open_now]
    return other[0] if other else None


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([-1.0, -TOL / 2, 0.0, 0.3, float("nan")]), st.booleans()),
        min_size=1,
        max_size=12,
    ),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_the_lazy_search_finds_what_validating_every_value_finds(
    cells: list[tuple[float, bool]], open_now: bool, rnd: object
) -> None:
    margins = np.array([m for m, _ in cells])
    valid = np.array([v for _, v in cells])
    order = list(range(len(cells)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    asked: list[int] = []

    def is_valid(j: int) -> bool:
        asked.append(j)
        return bool(valid[j])

    assert _first_other(margins, order, open_now, is_valid) == _eager_first(
        margins, valid, order, open_now
    )
    assert all(margins[j] >= -TOL for j in asked)  # closed values are never validated


def test_the_ukraine_levers_match_the_eager_scan() -> None:
    scn = resolve(load(UKRAINE))  # what_it_takes_all varies the state after the events
    paths = levers(scn)[:3]
    results = what_it_takes_all(scn, paths)
    for path, res in zip(paths, results, strict=True):
        lo, hi = res.domain
        grid = np.linspace(lo, hi, 41)
        margins = _margins_all(scn, [(path, grid)])[0]
        open_now = res.current_margin >= -TOL
        other = np.nonzero((margins >= -TOL) != open_now)[0]
        assert (res.value is None) == (other.size == 0)
        if res.value is not None:
            assert lo <= res.value <= hi


def test_the_answers_are_kept_per_scenario_object() -> None:
    path = Path(__file__).parent / "data" / "commitment_binds.yaml"
    scn, twin = load(path), load(path)
    paths = levers(scn)[:2]
    first = what_it_takes_all(scn, paths)
    again = what_it_takes_all(scn, paths)
    assert again == first  # the same answers
    assert again is not first  # in a new list
    assert [r.as_dict() for r in what_it_takes_all(twin, paths)] == [r.as_dict() for r in first]
