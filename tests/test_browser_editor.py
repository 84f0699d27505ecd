"""The scenario editor end to end in a real browser (Debian's Chromium driven by Playwright
against a uvicorn server in a thread): build a scenario from *New scenario*, see the engine's
messages beside the field, run the forecast, download it; open and compare saved runs.
Skipped cleanly when Chromium or Playwright is missing. Screenshots (1400×900) go to
reports/screenshots/ (ignored by git)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs {CHROMIUM}")
SHOTS = Path(__file__).resolve().parents[1] / "reports" / "screenshots"
VIEW = {"width": 1400, "height": 900}
WAIT = 120_000  # a bound for a loaded machine (the first forecast may compile kernels)
READY = """() => document.querySelector('#validity').dataset.state === 'valid'
  && document.querySelector('#state-forecast').dataset.state === 'ok'"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A real uvicorn server on a free loopback port, its analyses in its own threads;
    yields (base URL, database URL)."""
    uvicorn = pytest.importorskip("uvicorn")
    from multipolar.server.app import create_app
    from multipolar.server.limits import Limits
    from tests.test_browser import free_port

    db = str(tmp_path_factory.mktemp("editor") / "runs.sqlite")
    port = free_port()
    app = create_app(db_url=db, limits=Limits(workers=0))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
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


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser for the module; each test opens its own context (its own storage)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any) -> tuple[Any, list[str]]:
    """A page at 1400×900 in a fresh context; console errors, page errors and failed
    requests are collected."""
    page = browser.new_context(viewport=VIEW, accept_downloads=True).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "response", lambda r: errors.append(f"{r.url}: {r.status}") if r.status >= 400 else None
    )
    return page, errors


def at(path: str) -> str:
    return f'[data-path="{path}"]'


def focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id"))


PASTE = """([id, text]) => {
  const data = new DataTransfer();
  data.setData('text/plain', text);
  document.getElementById(id).dispatchEvent(
    new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
}"""


def build(page: Any) -> None:
    """From *New scenario*: type into the grid (one range), paste a block, add a source, cite
    it on the range, add an event and edit its effects."""
    page.click("#new")
    page.wait_for_selector("#cell-positions-PARTY_A-issue1")
    page.click("#cell-positions-PARTY_A-issue1")
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    page.keyboard.press("Tab")  # along the row, as in a spreadsheet
    assert focused(page) == "cell-positions-PARTY_A-issue2"
    page.keyboard.type("25")
    page.keyboard.press("Enter")  # down the column
    assert focused(page) == "cell-positions-PARTY_B-issue2"
    page.keyboard.type("60/70/80")  # a range: low/best/high
    page.keyboard.press("ArrowUp")
    assert focused(page) == "cell-positions-PARTY_A-issue2"
    page.evaluate(PASTE, ["cell-salience-PARTY_A-issue1", "0.9\t0.2\n0.3\t0.8\n"])
    page.wait_for_function(
        "() => /Pasted 4 cells/.test(document.querySelector('#paste-status').textContent)"
    )
    page.click("#add-source")
    page.fill(at("sources[1].id"), "un_2022")
    page.fill(at("sources[1].title"), "Statement on the talks")
    page.fill(at("sources[1].publisher"), "United Nations")
    page.fill(at("sources[1].date"), "2026-01-20")
    page.fill(at("sources[1].url"), "https://example.org/statement")
    page.click("#cell-positions-PARTY_B-issue2")
    page.select_option("#detail-source", "un_2022")
    page.fill("#detail-note", "Paraphrase of the statement's second paragraph.")
    page.click("#add-event")
    page.fill(at("events[1].title"), "Talks resume")
    page.fill(at("events[1].date"), "2026-02-10")
    page.fill(at("events[1].effects[0].path"), "positions.PARTY_B.issue1")
    page.fill(at("events[1].effects[0].shift"), "-5")
    page.click(f"{at('events[1]')} .add-effect")
    page.wait_for_selector(at("events[1].effects[1]"))
    page.click(f"{at('events[1].effects[1]')} button.del")
    page.wait_for_selector(at("events[1].effects[1]"), state="detached")


def check_download(file: Path) -> Any:
    """`multipolar validate` accepts the downloaded file, and it holds what was typed."""
    from multipolar.cli import app as cli_app
    from multipolar.scenario import load

    result = CliRunner().invoke(cli_app, ["validate", str(file)])
    assert result.exit_code == 0, result.output
    scn = load(file)
    assert scn.actor_ids == ["PARTY_A", "PARTY_B", "MEDIATOR"]
    assert scn.issue_ids == ["issue1", "issue2"]
    rng = scn.positions["PARTY_B"]["issue2"]
    assert (rng.low, rng.best, rng.high, rng.source) == (60, 70, 80, "un_2022")
    assert rng.note == "Paraphrase of the statement's second paragraph."
    assert scn.positions["PARTY_A"]["issue1"].best == 30
    assert scn.salience["PARTY_A"]["issue1"].best == 0.7
    assert scn.salience["PARTY_B"]["issue2"].best == 0.8  # pasted
    source = next(s for s in scn.sources if s.id == "un_2022")
    assert (source.publisher, str(source.date)) == ("United Nations", "2026-01-20")
    event = next(e for e in scn.events if e.title == "Talks resume")
    assert [(e.path, e.shift) for e in event.effects] == [("positions.PARTY_B.issue1", -5)]
    assert yaml.safe_load(file.read_text(encoding="utf-8"))["title"]
    return scn


def reload_undo_discard(page: Any, salience: str) -> tuple[str, str, str, str, int]:
    """Edits survive a reload; undo and redo step through them; Discard drops them."""
    page.reload()
    page.wait_for_selector("#cell-positions-PARTY_A-issue1")
    kept = page.input_value("#cell-positions-PARTY_A-issue1")
    notice = page.inner_text("#notice")
    page.click("#undo")  # the last edit: the pasted salience typed over (7, then 0.7)
    undone = page.input_value(salience)
    page.click("#redo")
    redone = page.input_value(salience)
    page.click("#discard")
    page.reload()
    page.wait_for_selector("#editor .hint")
    return kept, notice, undone, redone, page.locator("#cell-positions-PARTY_A-issue1").count()


def test_build_a_scenario_from_new_validate_forecast_and_download(
    server: tuple[str, str], chromium: Any, tmp_path: Path
) -> None:
    base, _ = server
    page, errors = new_page(chromium)
    try:
        page.goto(base + "/editor")
        build(page)
        salience = "#cell-salience-PARTY_A-issue1"
        page.fill(salience, "7")
        problem = page.locator('td[data-path="salience.PARTY_A.issue1"] .problem')
        problem.wait_for(timeout=WAIT)
        message = problem.inner_text()
        waiting = page.get_attribute("#state-forecast", "data-state")
        page.fill(salience, "0.7")
        problem.wait_for(state="detached", timeout=WAIT)
        page.wait_for_function(READY, timeout=WAIT)
        forecast = page.inner_text("#fc-compromise-issue1")
        page.wait_for_selector("#state-deals[data-state=ok]", timeout=WAIT)  # after a pause
        verdict = page.inner_text("#verdict")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator("#section-positions").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "editor-new-scenario.png"))
        with page.expect_download() as dl:
            page.click("#download-yaml")
        file = tmp_path / "built.yaml"
        dl.value.save_as(str(file))
        kept, notice, undone, redone, after_discard = reload_undo_discard(page, salience)
    finally:
        page.context.close()
    assert message == "salience 7 is outside [0, 1]; fix: use a value between 0 and 1"
    assert waiting == "waiting"
    scn = check_download(file)
    from multipolar.api import verdict as engine_verdict
    from multipolar.dynamics.apply import resolve
    from multipolar.models.api import forecast as engine_forecast

    expected = engine_forecast(resolve(scn), "compromise", seed=0).as_dict()["forecast"]
    assert float(forecast) == pytest.approx(expected["issue1"], abs=0.005)  # the engine's
    assert verdict == engine_verdict(scn, draws=0).sentence()  # word for word
    assert kept == "30"
    assert "Restored" in notice
    assert (undone, redone) == ("0.9", "0.7")
    assert after_discard == 0
    assert errors == [], "\n".join(errors)


def test_open_two_saved_runs_and_compare_them(server: tuple[str, str], chromium: Any) -> None:
    from multipolar.store import get_run

    base, db = server
    donbas = "#cell-positions-RUS-donbas"
    page, errors = new_page(chromium)
    try:
        page.goto(base + "/editor?bundled=ukraine_2025_08")
        page.wait_for_function(READY, timeout=WAIT)
        original = page.input_value(donbas)
        page.click("#save-run")
        page.wait_for_selector("#open-run-1", timeout=WAIT)
        stamp = page.get_attribute("#forecast-table", "data-stamp")
        page.fill(donbas, "0")
        page.press(donbas, "Enter")
        page.wait_for_function(
            "s => document.querySelector('#forecast-table').dataset.stamp !== s"
            " && document.querySelector('#state-forecast').dataset.state === 'ok'",
            arg=stamp,
            timeout=WAIT,
        )
        page.click("#save-run")
        page.wait_for_selector("#open-run-2", timeout=WAIT)
        page.check("#pick-1")
        page.check("#pick-2")
        page.click("#compare")
        page.wait_for_selector("#compare-results", timeout=WAIT)
        inputs = page.inner_text("#compare-inputs")
        results = page.inner_text("#compare-results")
        page.locator("#compare-view").scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "editor-runs-compare.png"))
        page.click("#open-run-1")
        page.wait_for_selector("#state-forecast[data-state=saved]", timeout=WAIT)
        reopened = page.input_value(donbas)
        shown = page.inner_text("#fc-compromise-donbas")
    finally:
        page.context.close()
    run_1 = get_run(1, db)
    assert run_1.results is not None
    assert run_1.scenario is not None
    stored = run_1.results["forecast:compromise"]["forecast"]["donbas"]
    assert float(original.split("/")[1]) == run_1.scenario["positions"]["RUS"]["donbas"]["best"]
    assert reopened == original
    assert float(shown) == pytest.approx(stored, abs=0.005)
    assert "scenario.positions.RUS.donbas.best" in inputs
    assert "forecast" in results
    assert errors == []
