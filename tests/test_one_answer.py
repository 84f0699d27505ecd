"""One question, one answer: the deal verdict read on every surface (the CLI's table and JSON,
what-it-takes, the summary, the analysis document, the HTML report, the web app's JSON API, the
timeline and the Python API) is the same number, with the same draws and seed."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

import multipolar
from multipolar.cli import app
from multipolar.deals.verdict import Verdict
from tests.conftest import SCENARIOS

CASES = {
    "ukraine": SCENARIOS / "ukraine_2025_08.yaml",
    "commitment binds": Path(__file__).parent / "data" / "commitment_binds.yaml",
}
DRAWS = 200


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module", params=list(CASES))
def case(request: pytest.FixtureRequest) -> tuple[Path, Verdict]:
    path = CASES[request.param]
    return path, multipolar.verdict(path, draws=DRAWS, seed=0)


def test_cli_json_table_and_what_it_takes_agree(case: tuple[Path, Verdict]) -> None:
    path, v = case
    assert v.p_zone is not None
    assert v.p_accept is not None
    data = json.loads(cli("deals", str(path), "--draws", str(DRAWS), "--format", "json"))
    assert data["verdict"]["margin"] == v.margin
    assert data["verdict"]["binding"] == list(v.binding)
    assert data["verdict"]["p_zone"] == v.p_zone.as_dict()
    assert data["verdict"]["p_accept"] == v.p_accept.as_dict()
    assert data["packages"][0]["min_margin"] == v.margin
    assert data["packages"][0]["p_accept"] == v.p_accept.value
    table = cli("deals", str(path), "--draws", str(DRAWS))
    assert f"binding margin {v.margin:+.4f}" in table
    assert f"{v.p_accept.value:.1%}" in table
    assert f"{DRAWS} draws" in table
    what = json.loads(cli("what-it-takes", str(path), "--param", "conflict.p", "--format", "json"))
    assert what["current_margin"] == pytest.approx(v.margin, abs=1e-7)
    assert what["zone_open_now"] == v.zone
    shown = cli("what-it-takes", str(path), "--param", "conflict.p")
    assert f"{v.margin:+.4f}" in shown


def test_summary_analysis_and_timeline_agree(case: tuple[Path, Verdict]) -> None:
    path, v = case
    summary = json.loads(cli("summary", str(path), "--draws", str(DRAWS), "--format", "json"))
    assert summary["verdict"] == json.loads(json.dumps(v.to_dict()))
    assert v.sentence() in summary["text"]
    doc = multipolar.analysis(path, draws=DRAWS, seed=0)
    assert v.sentence() in doc
    assert doc.index(v.sentence()) < doc.index("## Is there a zone of agreement?")
    tl = multipolar.timeline(path)
    last = tl.changes[-1].after if tl.changes else tl.baseline
    assert last.zone_margin == pytest.approx(v.margin, abs=1e-9)
    assert last.binding == v.binding


def test_web_app_api_agrees(case: tuple[Path, Verdict], tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    with warnings.catch_warnings():  # starlette asks for httpx2 for its test client
        warnings.filterwarnings("ignore", message=".*httpx2")
        from fastapi.testclient import TestClient

    from multipolar.server.app import create_app

    path, v = case
    body = {"scenario": {"text": path.read_text(encoding="utf-8")}, "draws": DRAWS, "seed": 0}
    with TestClient(create_app(db_url=str(tmp_path / "runs.sqlite"))) as web:
        data = web.post("/api/deals", json=body).json()["deals"]
    assert data["verdict"]["margin"] == v.margin
    assert data["verdict"]["sentence"] == v.sentence()
    assert data["monte_carlo"] == {"draws": DRAWS, "seed": 0}


def test_report_states_the_same_verdict_first() -> None:
    """The report's first section is the summary and holds the verdict sentence verbatim
    (the Ukraine report is checked in test_report_html, in a browser too)."""
    pytest.importorskip("plotly")
    from markupsafe import escape

    path = CASES["commitment binds"]
    v = multipolar.verdict(path, draws=DRAWS, seed=0)
    page = multipolar.report(path, draws=DRAWS, seed=0)
    first = page.index('<section id="brief">')
    assert first < page.index("<section", first + 1) or page.count("<section") == 1
    assert str(escape(v.sentence())) in page[first : page.index("</section>", first)]
    assert f"{v.margin:+.4f}" in page


def test_every_default_is_the_same() -> None:
    """One default draw count and seed for the CLI, the report, the API and the web app."""
    import inspect

    from multipolar import api, defaults
    from multipolar.report.html import DEFAULT_DRAWS
    from multipolar.server.schemas import DealsRequest

    assert DEFAULT_DRAWS == defaults.DRAWS
    assert DealsRequest.model_fields["draws"].default == defaults.DRAWS
    for fn in (api.verdict, api.deals, api.summary, api.analysis, api.report, api.simulate):
        assert inspect.signature(fn).parameters["draws"].default == defaults.DRAWS
    for command in ("deals", "analysis", "summary", "simulate", "report"):
        assert f"default: {defaults.DRAWS}" in " ".join(cli(command, "--help").split())


def test_deals_top_and_formats_mean_what_they_say() -> None:
    """`--top 1` lists one package; `--help` offers only the formats the command writes."""
    path = CASES["commitment binds"]
    data = json.loads(cli("deals", str(path), "--top", "1", "--draws", "0", "--format", "json"))
    assert [p["name"] for p in data["packages"]] == ["egalitarian (leximin)"]
    for command in ("deals", "war", "what-it-takes", "mediate", "summary", "leverage"):
        text = " ".join(cli(command, "--help").split())
        assert "<table|json>" in text
        assert "csv" not in text
    refused = CliRunner().invoke(app, ["deals", str(path), "--format", "csv"])
    assert refused.exit_code == 2
