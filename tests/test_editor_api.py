"""The scenario editor's API: validation with the engine's messages, opening (new, bundled,
uploaded, saved run) and downloads that load back to the same scenario."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("fastapi")
with warnings.catch_warnings():  # starlette asks for httpx2 for its test client
    warnings.filterwarnings("ignore", message=".*httpx2")
    from fastapi.testclient import TestClient

from typer.testing import CliRunner

from multipolar.cli import app as cli_app
from multipolar.data import bundled_scenarios
from multipolar.scenario import load, to_data, validate
from multipolar.server.app import create_app
from multipolar.server.limits import Limits
from tests.conftest import VALID


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(db_url=str(tmp_path / "runs.sqlite"), limits=Limits(workers=0))
    with TestClient(app) as c:
        yield c


def opened(web: TestClient, **ref: Any) -> dict[str, Any]:
    res = web.post("/api/editor/open", json=ref)
    assert res.status_code == 200, res.text
    body: dict[str, Any] = res.json()
    return body


def test_validate_gives_the_text_of_multipolar_validate_with_its_place(
    web: TestClient, tmp_path: Path
) -> None:
    data = opened(web, new={"actors": 3, "issues": 2})["scenario"]
    data["salience"]["PARTY_A"]["issue1"] = 7
    data["actors"][1]["capability"] = -3
    out = web.post("/api/validate", json={"data": data}).json()
    assert out["valid"] is False
    places = {p["place"]: p for p in out["problems"]}
    assert set(places) == {"salience.PARTY_A.issue1", "actors[1].capability"}
    assert places["salience.PARTY_A.issue1"]["message"] == "salience 7 is outside [0, 1]"
    assert places["salience.PARTY_A.issue1"]["path"] == ["salience", "PARTY_A", "issue1"]
    assert places["actors[1].capability"]["path"] == ["actors", 1, "capability"]
    # the command line prints FILE:LINE:COL: then the same text
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["validate", str(path)])
    assert result.exit_code == 2
    cli = [line for line in result.output.splitlines() if line.startswith(str(path))]
    assert len(cli) == len(out["problems"])
    for problem in out["problems"]:
        assert problem["text"].startswith(f"{problem['place']}: {problem['message']}; fix: ")
        assert any(line.endswith(": " + problem["text"]) for line in cli), problem["text"]
    data["salience"]["PARTY_A"]["issue1"] = 0.7
    data["actors"][1]["capability"] = 3
    data["positions"]["MEDIATOR"]["issue2"] = "abc"  # text where a number belongs
    typed = web.post("/api/validate", json={"data": data}).json()["problems"]
    expected = (
        "positions.MEDIATOR.issue2: expected a number, got 'abc'; fix: write a number, "
        "or a range {low: .., best: .., high: ..}"
    )
    assert [p["text"] for p in typed] == [expected]
    data["positions"]["MEDIATOR"]["issue2"] = 40
    assert web.post("/api/validate", json={"data": data}).json() == {
        "valid": True,
        "problems": [],
    }


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_every_bundled_scenario_downloads_unchanged_to_the_same_scenario(
    web: TestClient, fmt: str
) -> None:
    for name, path in bundled_scenarios().items():
        body = opened(web, bundled=name)
        assert body["valid"] is True
        assert body["source"] == f"bundled:{name}"
        res = web.post("/api/editor/download", json={"data": body["scenario"], "format": fmt})
        assert res.status_code == 200
        assert res.headers["x-multipolar-valid"] == "true"
        assert f'.{fmt}"' in res.headers["content-disposition"]
        data = json.loads(res.text) if fmt == "json" else yaml.safe_load(res.text)
        assert validate(data) == load(path), name


def test_new_scenario_is_the_starter_and_valid(web: TestClient) -> None:
    body = opened(web, new={"actors": 3, "issues": 2, "name": "demo"})
    data = body["scenario"]
    assert body["valid"] is True
    assert [a["id"] for a in data["actors"]] == ["PARTY_A", "PARTY_B", "MEDIATOR"]
    assert [i["id"] for i in data["issues"]] == ["issue1", "issue2"]
    assert {"conflict", "events", "sources"} <= set(data)  # deal: the defaults, left out


def test_upload_says_comments_are_dropped_and_keeps_invalid_data_to_fix(web: TestClient) -> None:
    body = opened(web, text="# a comment\n" + VALID)
    assert body["comments_dropped"] is True
    assert body["valid"] is True
    assert (
        opened(web, text=json.dumps(to_data(validate(yaml.safe_load(VALID)))))["comments_dropped"]
        is False
    )
    broken = VALID.replace("title: Two-issue test", "title: Two-issue test\ndate: 2025-01-02")
    broken = broken.replace("scale: [0, 100]", "scale: [100, 0]", 1)
    body = opened(web, text=broken)
    assert body["valid"] is False
    assert body["scenario"]["date"] == "2025-01-02"  # dates as text in the editor's data
    assert "reversed" in body["problems"][0]["message"]
    res = web.post("/api/editor/download", json={"data": body["scenario"]})
    assert res.headers["x-multipolar-valid"] == "false"
    assert res.text.startswith("# NOT VALID YET: ")
    assert yaml.safe_load(res.text) == body["scenario"]  # the work is kept as it stands
    bad = web.post("/api/editor/open", json={"text": "title: [unclosed"})
    assert bad.status_code == 422
    assert bad.json()["error"].startswith("upload:")


def test_open_a_saved_run_gives_its_scenario_and_results(web: TestClient) -> None:
    request = {"scenario": {"bundled": "ukraine_2025_08"}, "kind": "forecast"}
    saved = web.post("/api/runs", json=request)
    assert saved.status_code == 201, saved.text
    body = opened(web, run=saved.json()["id"])
    assert body["source"] == f"run:{saved.json()['id']}"
    assert body["valid"] is True
    assert body["scenario"]["id"] == "ukraine_2025_08"
    assert any(k.startswith("forecast") for k in body["run"]["results"])
    assert web.post("/api/editor/open", json={"run": 99}).status_code == 404
    assert web.post("/api/editor/open", json={"bundled": "x", "run": 1}).status_code == 422
    assert web.post("/api/editor/open", json={"bundled": "nope"}).status_code == 404


def test_editor_page_and_assets_are_served(web: TestClient) -> None:
    page = web.get("/editor")
    assert page.status_code == 200
    scripts = [s.split('"')[0] for s in page.text.split('src="/editor/static/')[1:]]
    assert scripts
    for name in scripts:
        res = web.get(f"/editor/static/{name}")
        assert res.status_code == 200
        assert res.headers["content-type"].startswith("text/javascript")
    assert "comments in an uploaded yaml file are dropped" in page.text.lower()
    assert web.get("/editor/static/..%2Fapp.py").status_code == 404


def test_data_nested_too_deeply_is_a_one_line_422(web: TestClient) -> None:
    body = '{"data": {"title": ' + "[" * 500 + "]" * 500 + "}}"
    headers = {"content-type": "application/json"}
    checked = web.post("/api/validate", content=body, headers=headers)
    assert checked.status_code == 200
    assert checked.json()["problems"][0]["message"].startswith("expected text, got [[[")
    res = web.post("/api/editor/download", content=body, headers=headers)
    assert res.status_code == 422
    assert res.json()["error"].startswith("data: nested too deeply to write; fix: ")
