"""End to end in a real browser: Debian's Chromium driven by Playwright against a uvicorn server
started in a thread. Skipped cleanly when Chromium or Playwright is missing."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

SCREENSHOT = Path("/tmp/server_screenshot.png")  # for the lead to look at

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"needs {CHROMIUM}")


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
            cell.wait_for(timeout=30_000)
            before = cell.inner_text()
            slider = page.locator("#position-RUS")
            assert float(slider.input_value()) > 50  # Moscow wants Donbas
            slider.fill("0")  # Russia gives up its claim on Donbas
            page.wait_for_function(
                "b => document.querySelector('#fc-compromise-donbas').textContent !== b",
                arg=before,
                timeout=30_000,
            )
            after = cell.inner_text()
            assert float(after) < float(before)
            page.wait_for_selector("#packages tr >> nth=1", timeout=30_000)
            page.wait_for_function(
                "() => document.querySelector('#chart-timeline .main-svg') !== null",
                timeout=30_000,
            )
            page.click("#save")
            page.wait_for_selector("#save-status.saved", timeout=60_000)
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
