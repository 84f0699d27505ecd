"""The report's charts as data: one colour per actor and per model (the palette the web app
also serves), issues on their own scales, every axis titled, actor labels placed apart."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from multipolar.models import names
from multipolar.report.charts_base import place_labels, text_box
from multipolar.report.html import render_report
from multipolar.report.palette import (
    ACTOR_PALETTE,
    MODEL_PALETTE,
    actor_colours,
    model_colour,
    model_colours,
)
from multipolar.scenario import Scenario, validate
from tests.test_report_html import SMALL, _figures

# where each chart draws an issue's values: figure id prefix -> axis letter
ISSUE_AXES = {"fig-forecasts": "x", "fig-mc-hist": "x", "fig-mc-boxes": "y", "fig-trajectory": "y"}


@pytest.fixture(scope="module")
def small() -> Scenario:
    return validate(yaml.safe_load(SMALL))


@pytest.fixture(scope="module")
def figures(small: Scenario) -> list[dict[str, Any]]:
    return _figures(render_report(small, draws=40, seed=2))


def trace_colour(trace: dict[str, Any]) -> str | None:
    for key in ("marker", "line"):
        colour = trace.get(key, {}).get("color")
        if isinstance(colour, str):
            return colour
    return None


def test_palettes_are_fixed_and_distinct() -> None:
    registered = model_colours(names())
    assert len(set(registered.values())) == len(registered)
    assert set(registered.values()) <= set(MODEL_PALETTE)
    assert model_colour("a-new-model") == model_colour("a-new-model")  # by name, every time
    ids = [f"A{i}" for i in range(len(ACTOR_PALETTE))]
    assert len(set(actor_colours(ids).values())) == len(ids)
    assert not set(ACTOR_PALETTE) & set(MODEL_PALETTE)  # an actor never looks like a model


def test_one_colour_per_actor_and_per_model_in_every_chart(
    small: Scenario, figures: list[dict[str, Any]]
) -> None:
    actors = actor_colours(a.id for a in small.actors)
    seen: dict[str, set[str]] = {}
    for fig in figures:
        for trace in fig["data"]:
            group = trace.get("legendgroup")
            expected = actors.get(group) or (group in names() and model_colour(group))
            if not expected:
                continue
            assert trace_colour(trace) == expected, (fig["id"], group)
            seen.setdefault(group, set()).add(fig["id"])
    # each actor and each model is drawn in several charts, always in its colour
    assert {a for a, charts in seen.items() if len(charts) >= 3} >= {"A", "B", *names()}


def test_issues_are_drawn_on_their_own_scales(
    small: Scenario, figures: list[dict[str, Any]]
) -> None:
    checked = 0
    for fig in figures:
        letter = next((v for k, v in ISSUE_AXES.items() if fig["id"].startswith(k)), None)
        if fig["id"].startswith("fig-actors-"):
            k = int(fig["id"].rsplit("-", 1)[1])
            axes = [(small.issues[k], fig["layout"]["xaxis"])]
        elif letter is not None:
            axes = [
                (issue, fig["layout"][f"{letter}axis" + (str(k + 1) if k else "")])
                for k, issue in enumerate(small.issues)
            ]
        else:
            continue
        for issue, ax in axes:
            lo, hi = ax["range"]
            width = issue.high - issue.low
            assert lo <= issue.low, (fig["id"], issue.id)
            assert hi >= issue.high, (fig["id"], issue.id)
            assert issue.low - lo <= 0.05 * width
            assert hi - issue.high <= 0.05 * width
            assert f"{issue.low:g}–{issue.high:g}" in ax["title"]["text"]  # the unit: its scale
            checked += 1
    assert checked >= 10
    guard = next(i for i in small.issues if i.id == "guard")
    assert guard.scale == (0, 10)  # the case the issue reported: not drawn on 0–100


def test_every_axis_has_a_title(figures: list[dict[str, Any]]) -> None:
    for fig in figures:
        axes = [k for k in fig["layout"] if k.startswith(("xaxis", "yaxis"))]
        assert axes, fig["id"]
        for key in axes:
            assert fig["layout"][key]["title"]["text"], (fig["id"], key)


points = st.lists(
    st.tuples(
        st.floats(0, 100),
        st.floats(0, 10),
        st.floats(6, 30),
        st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8),
    ),
    min_size=1,
    max_size=12,
)


@given(points, st.sampled_from([480, 700, 1200]))
def test_placed_labels_never_overlap(
    pts: list[tuple[float, float, float, str]], width: int
) -> None:
    size = (480.0, 290.0)
    offsets = place_labels(pts, (-4, 104), (0, 13), size)
    assert len(offsets) == len(pts)
    boxes = []
    for (x, y, radius, text), dy in zip(pts, offsets, strict=True):
        w, h = text_box(text, 11)
        cx = (x + 4) / 108 * width  # drawn at least as wide as laid out
        cy = (1 - y / 13) * size[1] + dy
        assert abs(dy) >= radius  # clear of its own marker
        boxes.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    for a, b in itertools.combinations(boxes, 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
