"""End to end in a real browser: Debian's Chromium driven by Playwright against a uvicorn server
started in a thread. Skipped cleanly when Chromium or Playwright is missing."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chart_checks import chart_problems, measure
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, VALID

SCREENSHOT = Path("/tmp/server_screenshot.png")  # for the lead to look at

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs {CHROMIUM}")
PANELS = ("forecasts", "deals", "timeline")
# How long to wait for the app (ms): on a fresh clone the first forecasts also compile the
# numba kernels (no cache yet) while the other test worker loads the machine. A bound, not a
# speed check (speed is measured by `make bench`).
WAIT = 180_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A real uvicorn server on a free loopback port; yields (base URL, database URL)."""
    uvicorn = pytest.importorskip("uvicorn")
    from multipolar.server.app import create_app

    db = str(tmp_path / "runs.sqlite")
    port = free_port()
    config = uvicorn.Config(
        create_app(db_url=db), host="127.0.0.1", port=port, log_level="warning", ws="none"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", db
    srv.should_exit = True
    thread.join(timeout=10)


def test_move_a_slider_see_the_forecast_change_and_save(
    server: tuple[str, str], tmp_path: Path
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from multipolar.store import list_runs

    base, db = server
    errors: list[str] = []
    requested: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda r: requested.append(r.url))
            page.goto(base + "/")
            page.wait_for_selector("#bundled option[value=ukraine_2025_08]", state="attached")
            page.select_option("#bundled", "ukraine_2025_08")
            page.click("#open-bundled")
            cell = page.locator("#fc-compromise-donbas")
            cell.wait_for(timeout=WAIT)
            before = cell.inner_text()
            slider = page.locator("#position-RUS")
            assert float(slider.input_value()) > 50  # Moscow wants Donbas
            slider.fill("0")  # Russia gives up its claim on Donbas
            page.wait_for_function(
                "b => document.querySelector('#fc-compromise-donbas').textContent !== b",
                arg=before,
                timeout=WAIT,
            )
            after = cell.inner_text()
            assert float(after) < float(before)
            page.wait_for_selector("#packages tr >> nth=1", timeout=WAIT)
            page.wait_for_function(
                "() => document.querySelector('#chart-timeline .main-svg') !== null",
                timeout=WAIT,
            )
            page.click("#save")
            page.wait_for_selector("#save-status.saved", timeout=WAIT)
            saved = page.locator("#save-status").inner_text()
            page.wait_for_selector("#runs tr >> nth=1", timeout=10_000)
            page.screenshot(path=str(tmp_path / "server.png"), full_page=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            page.goto(base + "/docs")
            assert "/api/forecast" in page.content()
        finally:
            browser.close()
    runs = list_runs(db)
    assert len(runs) == 1
    assert f"#{runs[0].id}" in saved
    assert runs[0].parameters["edits"] == [{"path": "positions.RUS.donbas", "value": 0.0}]
    assert runs[0].kind == "whatif"
    assert (tmp_path / "server.png").stat().st_size > 10_000
    assert errors == []
    # offline: every request went to the app itself (no CDN), the API reference included
    assert any(url.endswith("/static/plotly.min.js") for url in requested)
    assert all(url.startswith(base) for url in requested), requested


UP_TO_DATE = "() => document.querySelector('#status-text').textContent === 'Up to date'"
COLOURS = """
() => [...document.querySelectorAll('#results .js-plotly-plot')].flatMap((gd) =>
  gd.data.filter((t) => t.legendgroup).map((t) => [gd.id, t.legendgroup,
    t.marker && typeof t.marker.color === 'string' ? t.marker.color : t.line && t.line.color]))
"""


def panel_states(page: Any) -> dict[str, str]:
    return {p: page.get_attribute(f"#state-{p}", "data-state") for p in PANELS}


def open_bundled(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.wait_for_selector("#bundled option[value=ukraine_2025_08]", state="attached")
    page.select_option("#bundled", "ukraine_2025_08")
    page.click("#open-bundled")


def test_status_says_up_to_date_only_when_every_panel_is(server: tuple[str, str]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    base, _ = server
    held: list[Any] = []
    release = [False]

    def hold(route: Any) -> None:
        if release[0]:
            route.continue_()
        else:
            held.append(route)

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.route("**/api/timeline", hold)  # the timeline's answer is late
            open_bundled(page, base)
            page.wait_for_function(
                "() => ['forecasts', 'deals'].every((p) =>"
                " document.querySelector('#state-' + p).dataset.state === 'ok')",
                timeout=WAIT,
            )
            for _ in range(600):  # until the held request reaches the test's handler
                if held:
                    break
                page.wait_for_timeout(50)
            waiting = panel_states(page), page.inner_text("#status-text")
            release[0] = True
            for route in held:
                route.continue_()
            page.wait_for_function(UP_TO_DATE, timeout=WAIT)
            done = panel_states(page)

            refused = {"error": "deals: refused on purpose", "problems": ["refused"]}
            page.route(
                "**/api/deals",
                lambda route: route.fulfill(status=422, json=refused),
            )
            page.click("#rerun")
            page.wait_for_function(
                "() => ['forecasts', 'timeline'].every((p) =>"
                " document.querySelector('#state-' + p).dataset.state === 'ok')"
                " && document.querySelector('#state-deals').dataset.state === 'error'",
                timeout=WAIT,
            )
            failed = panel_states(page), page.inner_text("#status-text")
            status_class = page.get_attribute("#status", "class") or ""
        finally:
            browser.close()
    states, text = waiting
    assert len(held) == 1
    assert states == {"forecasts": "ok", "deals": "ok", "timeline": "computing"}
    assert "up to date" not in text.lower()
    assert "timeline" in text
    assert done == dict.fromkeys(PANELS, "ok")
    states, text = failed
    assert states == {"forecasts": "ok", "deals": "error", "timeline": "ok"}
    assert "refused on purpose" in text
    assert "up to date" not in text.lower()
    assert "error" in status_class.split()


def report_colours(scn: Any) -> dict[str, str]:
    """Each legend group's colour in the report's charts of ``scn`` (its actors, forecasts,
    deals and timeline sections)."""
    from multipolar.dynamics.apply import resolve
    from multipolar.models.api import forecast_all
    from multipolar.report.sections import Context, actors_section, forecasts_section
    from multipolar.report.sections_deals import deals_section, timeline_section

    state = resolve(scn)
    ctx = Context(scn, state, forecast_all(state, seed=0), 0, 0)
    found: dict[str, set[str]] = {}
    for section in (actors_section, forecasts_section, deals_section, timeline_section):
        for fig in section(ctx).figures:
            for trace in fig["data"]:
                colour = trace.get("marker", {}).get("color") or trace.get("line", {}).get("color")
                if trace.get("legendgroup") and isinstance(colour, str):
                    found.setdefault(trace["legendgroup"], set()).add(colour)
    assert all(len(c) == 1 for c in found.values()), found  # one colour per group
    return {group: colours.pop() for group, colours in found.items()}


def test_charts_share_the_report_palette_and_keep_labels_apart(server: tuple[str, str]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from multipolar.data import bundled_scenarios
    from multipolar.models import names
    from multipolar.scenario import load

    base, _ = server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            open_bundled(page, base)
            page.wait_for_function(UP_TO_DATE, timeout=WAIT)
            app_verdict = page.locator("#deals-summary").inner_text()
            app_margin = page.get_attribute("#deals-summary", "data-margin")
            ukraine_charts = measure(page, "#results .js-plotly-plot")
            colours = page.evaluate(COLOURS)
            page.click("#controls summary")
            page.fill("#upload-text", VALID)  # a 0–100 and a 0–10 issue
            page.click("#open-upload")
            page.wait_for_function(
                "() => document.querySelector('#scenario-title').textContent === 'Two-issue test'"
            )
            page.wait_for_function(UP_TO_DATE, timeout=WAIT)
            small_charts = measure(page, "#results .js-plotly-plot")
        finally:
            browser.close()
    scn = load(bundled_scenarios()["ukraine_2025_08"])
    report = report_colours(scn)
    app: dict[str, set[str]] = {}
    for _chart, group, colour in colours:
        app.setdefault(group, set()).add(colour)
    groups = set(scn.actor_ids) | set(names())
    assert groups <= set(app)  # every actor and every model is drawn in the app
    for group in groups:
        assert app[group] == {report[group]}, group  # one colour, the report's
    charts = ukraine_charts + small_charts
    assert {c["id"] for c in ukraine_charts} == {
        "chart-actors", "chart-forecasts", "chart-deals", "chart-timeline"
    }  # fmt: skip
    assert chart_problems(charts) == []
    forecasts = next(c for c in small_charts if c["id"] == "chart-forecasts")
    scales = sorted((a["title"], a["range"]) for a in forecasts["axes"] if "scale" in a["title"])
    assert [t for t, _ in scales] == ["forecast (0–10 scale)", "forecast (0–100 scale)"]
    low, high = scales[0][1]  # the 0–10 issue on 0–10, not on 0–100
    assert -0.5 <= low <= 0
    assert 10 <= high <= 10.5
    # the deals panel states the engine's verdict (the app's default draws and seed)
    import multipolar

    verdict = multipolar.verdict(scn)
    assert app_verdict == verdict.sentence()
    assert app_margin == f"{verdict.margin:.4f}"


def save_two_runs(page: Any, base: str) -> None:
    """Save the Ukraine case as run 1, then with Russia's Donbas position at 0 as run 2."""
    open_bundled(page, base)
    page.wait_for_function(UP_TO_DATE, timeout=WAIT)
    page.click("#save")
    page.wait_for_selector("#runs tr >> nth=1", timeout=WAIT)
    before = page.inner_text("#fc-compromise-donbas")
    page.locator("#position-RUS").fill("0")
    page.wait_for_function(
        "b => document.querySelector('#fc-compromise-donbas').textContent !== b",
        arg=before,
        timeout=WAIT,
    )
    page.wait_for_function(UP_TO_DATE, timeout=WAIT)
    page.click("#save")
    page.wait_for_selector("#runs tr >> nth=2", timeout=WAIT)


def test_saved_runs_open_and_compare(server: tuple[str, str]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from multipolar.store import get_run

    base, db = server
    errors: list[str] = []
    bodies: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on(
                "request",
                lambda r: bodies.append(r.post_data or "") if "/api/forecast" in r.url else None,
            )
            save_two_runs(page, base)
            page.check("#pick-1")
            page.check("#pick-2")
            page.click("#compare")
            page.wait_for_selector("#compare-results", timeout=WAIT)
            inputs = page.inner_text("#compare-inputs")
            first_result = page.inner_text("#compare-results tr >> nth=1")
            summary = page.inner_text("#compare-summary")

            page.click("#open-run-1")
            page.wait_for_function(
                "() => document.querySelector('#state-timeline').dataset.state === 'saved'"
            )
            opened = panel_states(page), page.inner_text("#status-text")
            shown_1 = page.inner_text("#fc-compromise-donbas")
            slider_1 = page.locator("#position-RUS").input_value()
            page.click("#open-run-2")
            page.wait_for_function(
                "() => document.querySelector('#scenario-title').textContent.includes('#2')"
            )
            slider_2 = page.locator("#position-RUS").input_value()
            shown_2 = page.inner_text("#fc-compromise-donbas")
            page.locator("#position-UKR").fill("20")  # edit on top of the saved run
            page.wait_for_function(UP_TO_DATE, timeout=WAIT)
        finally:
            browser.close()
    run_1, run_2 = get_run(1, db), get_run(2, db)
    stored = [r.results["forecast:compromise"]["forecast"]["donbas"] for r in (run_1, run_2)]
    assert float(shown_1) == pytest.approx(stored[0], abs=0.005)
    assert float(shown_2) == pytest.approx(stored[1], abs=0.005)
    assert float(slider_1) == run_1.scenario["positions"]["RUS"]["donbas"]["best"] > 50
    assert float(slider_2) == 0
    assert opened[0] == dict.fromkeys(PANELS, "saved")
    assert "saved run #1" in opened[1]
    assert "scenario.positions.RUS.donbas.best" in inputs
    assert "parameters.edits" in inputs
    assert "forecast" in first_result  # forecasts first among the changed results
    assert "run #1" in summary
    assert "run #2" in summary
    assert json.loads(bodies[-1])["scenario"] == {"run": 2}
    assert errors == []


def test_the_deal_verdict_comes_first_and_the_monte_carlo_streams_in(
    server: tuple[str, str],
) -> None:
    """The deals panel asks for the verdict without draws first and draws it; the Monte Carlo
    request follows, and until it answers the panel says so (its badge and the P(accept)
    column); then the probabilities replace the dots."""
    sync_api = pytest.importorskip("playwright.sync_api")
    base, _ = server
    held: list[Any] = []
    release = [False]

    def hold_monte_carlo(route: Any) -> None:
        if (route.request.post_data_json or {}).get("draws", 0) > 0 and not release[0]:
            held.append(route)
        else:
            route.continue_()

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.route("**/api/deals", hold_monte_carlo)
            open_bundled(page, base)
            page.wait_for_function(
                "() => document.querySelector('#state-deals').dataset.state === 'streaming'",
                timeout=WAIT,
            )
            verdict = page.inner_text("#deals-summary")
            first_cell = page.inner_text("#packages tr:nth-child(2) td:last-child")
            streaming = page.inner_text("#state-deals"), page.inner_text("#packages tr")
            for _ in range(600):
                if held:
                    break
                page.wait_for_timeout(50)
            release[0] = True
            for route in held:
                route.continue_()
            page.wait_for_function(UP_TO_DATE, timeout=WAIT)
            last_cell = page.inner_text("#packages tr:nth-child(2) td:last-child")
            ratification = page.locator("#ratification tr").all_inner_texts()
        finally:
            browser.close()
    assert verdict  # the engine's sentence, from the answer without draws
    assert first_cell == "…"
    badge, head = streaming
    assert "Monte Carlo" in badge
    assert "computing" in head
    assert last_cell.endswith("%")
    # Putnam's level II beside the packages: a row per party with constituencies
    from multipolar.scenario import load

    bundled = Path(__file__).resolve().parents[1] / "scenarios" / "ukraine_2025_08.yaml"
    parties = load(bundled).constituencies
    assert len(ratification) == 1 + len(parties)
    assert any("UKR/referendum" in row for row in ratification)
