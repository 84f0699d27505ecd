"""The web app's JSON API through FastAPI's TestClient (schemathesis: test_server_schema.py)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():  # starlette asks for httpx2 for its test client
    warnings.filterwarnings("ignore", message=".*httpx2")
    from fastapi.testclient import TestClient

from typer.testing import CliRunner

from multipolar.cli import app as cli_app
from multipolar.data import bundled_scenarios
from multipolar.models import forecast, names
from multipolar.report.palette import actor_colours, model_colours
from multipolar.scenario import dumps, load, validate
from multipolar.scenario.loader import parse_yaml
from multipolar.scenario.paths import with_value
from multipolar.server.app import create_app
from multipolar.server.limits import Limits
from multipolar.store import list_runs, scenario_hash
from tests.conftest import VALID

UKR = {"bundled": "ukraine_2025_08"}
EVENT = """
events:
  - id: e1
    date: 2025-01-02
    title: A moves
    effects:
      - {path: positions.A.t, shift: 20}
"""


def client(tmp_path: Path, **limits: float) -> TestClient:
    """An app whose analyses run in its own threads (``workers=0``, no process start-up per
    test); tests/test_server_limits.py runs the worker pool itself."""
    settings: dict[str, Any] = {"workers": 0, **limits}
    return TestClient(create_app(db_url=str(tmp_path / "runs.sqlite"), limits=Limits(**settings)))


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TestClient]:
    with client(tmp_path) as c:
        yield c


def error(response: Any, status: int) -> str:
    """The one-line error of a 4xx answer."""
    assert response.status_code == status, response.text
    body = response.json()
    assert "\n" not in body["error"]
    assert body["error"] == body["problems"][0]
    return str(body["error"])


def test_page_and_assets_are_served_from_the_package(web: TestClient) -> None:
    page = web.get("/")
    assert page.status_code == 200
    assert '<script src="/static/plotly.min.js"' in page.text
    script = web.get("/static/app.js")
    assert script.status_code == 200
    for text in (page.text, script.text, web.get("/static/app.css").text):
        assert "https://" not in text  # nothing from a CDN
    from plotly.offline import get_plotlyjs

    plotly = web.get("/static/plotly.min.js")
    assert plotly.headers["content-type"].startswith("text/javascript")
    assert plotly.text == get_plotlyjs()
    docs = web.get("/docs")
    assert docs.status_code == 200
    assert "/api/forecast" in docs.text
    assert "https://" not in docs.text
    assert web.get("/openapi.json").json()["paths"]["/api/forecast"]["post"]


def test_no_file_system_paths_from_clients(web: TestClient) -> None:
    assert web.get("/static/..%2Fapp.py").status_code == 404
    assert web.get("/static/index.html").status_code == 404  # only the listed assets
    path = str(bundled_scenarios()["ukraine_2025_08"])
    message = error(web.post("/api/scenario", json={"scenario": {"bundled": path}}), 404)
    assert "no bundled scenario" in message


def test_meta_lists_models_scenarios_and_limits(tmp_path: Path) -> None:
    with client(tmp_path, max_draws=123) as c:
        meta = c.get("/api/meta").json()
    assert [m["name"] for m in meta["models"]] == names()
    assert "ukraine_2025_08" in [b["name"] for b in meta["bundled"]]
    assert meta["limits"]["max_draws"] == 123
    assert meta["model_colours"] == model_colours(names())  # the report's palette


def test_scenario_info_carries_the_report_actor_colours(web: TestClient) -> None:
    scn = load(bundled_scenarios()["ukraine_2025_08"])
    info = web.post("/api/scenario", json={"scenario": UKR}).json()
    assert info["actor_colours"] == actor_colours(a.id for a in scn.actors)
    assert len(set(info["actor_colours"].values())) == len(scn.actors)


def test_scenario_edits_are_applied_and_validated(web: TestClient) -> None:
    scn = load(bundled_scenarios()["ukraine_2025_08"])
    info = web.post("/api/scenario", json={"scenario": UKR}).json()
    assert [a["id"] for a in info["actors"]] == scn.actor_ids
    assert info["positions"]["RUS"]["donbas"]["best"] == scn.positions["RUS"]["donbas"].best
    assert info["hash"] == scenario_hash(scn)
    edit = {"path": "positions.RUS.donbas", "value": 20}
    edited = web.post("/api/scenario", json={"scenario": UKR, "edits": [edit]}).json()
    assert edited["positions"]["RUS"]["donbas"]["best"] == 20
    assert edited["hash"] == scenario_hash(with_value(scn, "positions.RUS.donbas", 20))

    bad = {"scenario": UKR, "edits": [{"path": "salience.RUS.donbas", "value": 2}]}
    assert error(web.post("/api/scenario", json=bad), 422).startswith("salience.RUS.donbas:")
    text = {"scenario": UKR, "edits": [{"path": "actors.RUS.name", "value": 1}]}
    assert "edits[0].path" in error(web.post("/api/scenario", json=text), 400)


def test_forecast_follows_a_slider_edit(web: TestClient) -> None:
    scn = load(bundled_scenarios()["ukraine_2025_08"])
    edit = [{"path": "positions.RUS.donbas", "value": 10}]
    body = {"scenario": UKR, "edits": edit, "models": ["compromise", "median"]}
    data = web.post("/api/forecast", json=body).json()
    assert [f["model"] for f in data["forecasts"]] == ["compromise", "median"]
    moved = with_value(scn, "positions.RUS.donbas", 10)
    served = data["forecasts"][0]["forecast"]
    assert served["donbas"] == pytest.approx(forecast(moved, "compromise")["donbas"])
    assert served["donbas"] != pytest.approx(forecast(scn, "compromise")["donbas"])
    assert served["south"] == pytest.approx(forecast(scn, "compromise")["south"])
    unknown = web.post("/api/forecast", json={"scenario": UKR, "models": ["nope"]})
    assert "models[0]: Input should be 'compromise'" in error(unknown, 422)  # the schema's list


def test_uploaded_yaml_and_json_are_the_same_scenario(web: TestClient) -> None:
    scn = validate(parse_yaml(VALID)[0])
    as_yaml = web.post("/api/scenario", json={"scenario": {"text": VALID}}).json()
    as_json = web.post("/api/scenario", json={"scenario": {"text": dumps(scn, "json")}}).json()
    assert as_yaml["hash"] == as_json["hash"] == scenario_hash(scn)
    broken = VALID.replace("capability: 2}", "capability: -2}")
    message = error(web.post("/api/scenario", json={"scenario": {"text": broken}}), 422)
    assert message.startswith("upload:5:")
    assert "actors[0].capability" in message


def test_deals_and_timeline(web: TestClient) -> None:
    deals = web.post("/api/deals", json={"scenario": {"text": VALID}, "draws": 50}).json()
    assert deals["deals"]["monte_carlo"] == {"draws": 50, "seed": 0}
    assert all(0 <= p["p_accept"] <= 1 for p in deals["deals"]["packages"])
    ref = {"text": VALID + EVENT}
    light = web.post("/api/timeline", json={"scenario": ref}).json()["timeline"]
    full = web.post("/api/timeline", json={"scenario": ref, "attribution": True}).json()
    full_events = full["timeline"]["events"]
    assert [e["event"] for e in light["events"]] == ["e1"]
    # the quick timeline computes the same states as the one with attribution
    assert light["events"][0]["metrics_after"] == full_events[0]["metrics_after"]
    assert light["baseline"] == full["timeline"]["baseline"]
    changes = full_events[0]["changes"]["forecast_utility:compromise"]["A"]
    assert changes["total"] == pytest.approx(changes["positions.A.t shift 20"])


def test_limits_give_clear_4xx(tmp_path: Path) -> None:
    with client(tmp_path, max_actors=2) as c:
        assert "at most 2" in error(
            c.post("/api/scenario", json={"scenario": {"text": VALID}}), 422
        )
    with client(tmp_path, max_draws=10, max_body_bytes=5000) as c:
        body = {"scenario": {"text": VALID}, "draws": 11}
        assert "limit of 10" in error(c.post("/api/deals", json=body), 422)
        big = json.dumps({"scenario": {"text": "x" * 6000}}).encode()
        headers = {"content-type": "application/json"}
        assert "5000 bytes" in error(c.post("/api/scenario", content=big, headers=headers), 413)
        chunks = (big[i : i + 1000] for i in range(0, len(big), 1000))  # no content-length
        assert "5000 bytes" in error(c.post("/api/scenario", content=chunks, headers=headers), 413)
    with client(tmp_path, max_attribution_effects=2) as c:
        body = {"scenario": UKR, "attribution": True}
        assert "attribution" in error(c.post("/api/timeline", json=body), 422)
        # capabilities count as ratios (no overflow): a 1e308 capability simply dominates
        huge = [{"path": "actors.RUS.capability", "value": 1e308}]
        body = {"scenario": UKR, "edits": huge, "models": ["eum"]}
        answer = c.post("/api/forecast", json=body)
        assert answer.status_code == 200, answer.text
        shares = answer.json()["forecasts"][0]["actors"]
        assert all(issue["RUS"]["weight_share"] == 1.0 for issue in shares.values())


def test_yaml_is_loaded_safely(web: TestClient, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    attack = f'!!python/object/apply:os.system ["touch {marker}"]\n'
    error(web.post("/api/scenario", json={"scenario": {"text": attack}}), 422)
    assert not marker.exists()
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{k}: &{k} [{', '.join(['*' + p] * 10)}]\n"
        for p, k in zip("abcdef", "bcdefg", strict=True)
    )
    assert "aliases" in error(web.post("/api/scenario", json={"scenario": {"text": bomb}}), 422)
    deep = "[" * 50_000
    assert "nested" in error(web.post("/api/scenario", json={"scenario": {"text": deep}}), 422)


def test_save_list_show_and_diff_runs(web: TestClient, tmp_path: Path) -> None:
    base = {"scenario": {"text": VALID}, "draws": 20}
    first = web.post("/api/runs", json=base)
    assert first.status_code == 201, first.text
    edit = [{"path": "positions.A.t", "value": 30}]
    second = web.post("/api/runs", json={**base, "edits": edit, "kind": "forecast"}).json()
    listed = web.get("/api/runs").json()
    assert [r["id"] for r in listed] == [second["id"], first.json()["id"]]
    detail = web.get(f"/api/runs/{first.json()['id']}").json()
    assert set(detail["results"]) == {f"forecast:{m}" for m in names()} | {"deals", "timeline"}
    assert detail["parameters"]["source"] == "upload"
    diff = web.get(f"/api/runs/{first.json()['id']}/diff/{second['id']}").json()
    assert [c["path"] for c in diff["scenario"]] == ["positions.A.t"]
    assert diff["fields"]["kind"] == ["whatif", "forecast"]
    assert [r.id for r in list_runs(str(tmp_path / "runs.sqlite"))] == [r["id"] for r in listed]
    assert "run 999" in error(web.get("/api/runs/999"), 404)


def test_serve_binds_loopback_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kw: calls.append(kw))
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 0, result.output
    assert calls[0]["host"] == "127.0.0.1"
    assert calls[0]["port"] == 8000
    bad = CliRunner().invoke(cli_app, ["serve", "--db", str(tmp_path / "no" / "dir" / "r.db")])
    assert bad.exit_code == 2
    assert "cannot open the database" in bad.output


SLIDERS = [
    *(f"positions.{a}.{i}" for a in ("RUS", "UKR", "USA") for i in ("donbas", "aid")),
    *(f"salience.{a}.donbas" for a in ("RUS", "EUR")),
    *(f"actors.{a}.capability" for a in ("RUS", "TUR")),
]


def test_any_slider_value_gives_an_answer_or_a_4xx(tmp_path: Path) -> None:
    """Sliders (and API clients) may send any finite number: in range it is forecast, out of
    range or overflowing it is a one-line 422, never a server error."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    web = client(tmp_path)

    @settings(max_examples=25, database=None)
    @given(
        path=st.sampled_from(SLIDERS),
        value=st.floats(allow_nan=False, allow_infinity=False),
        model=st.sampled_from(names()),
    )
    def check(path: str, value: float, model: str) -> None:
        body = {"scenario": UKR, "edits": [{"path": path, "value": value}], "models": [model]}
        response = web.post("/api/forecast", json=body)
        upper = 1.0 if path.startswith("salience") else 100.0
        if path.endswith("capability"):
            upper = 1e6
        if 0 <= value <= upper:
            assert response.status_code == 200, response.text
            values = response.json()["forecasts"][0]["forecast"].values()
            assert all(0 <= v <= 100 for v in values)
        elif response.status_code != 200:
            error(response, 422)

    check()


def test_a_saved_run_opens_as_a_scenario(web: TestClient, tmp_path: Path) -> None:
    """``{"run": ID}`` names the scenario a saved run ran on (its edits included): it opens,
    reruns to the stored results, and takes further edits."""
    edit = [{"path": "positions.A.t", "value": 30}]
    saved = web.post(
        "/api/runs", json={"scenario": {"text": VALID}, "edits": edit, "draws": 20}
    ).json()
    ref = {"run": saved["id"]}
    info = web.post("/api/scenario", json={"scenario": ref}).json()
    assert info["hash"] == saved["scenario_hash"]
    assert info["positions"]["A"]["t"]["best"] == 30
    stored = web.get(f"/api/runs/{saved['id']}").json()["results"]
    again = web.post("/api/forecast", json={"scenario": ref, "models": ["compromise"]}).json()
    assert again["forecasts"][0]["forecast"] == stored["forecast:compromise"]["forecast"]
    deals = web.post("/api/deals", json={"scenario": ref, "draws": 20}).json()["deals"]
    assert deals["zone_of_agreement"] == stored["deals"]["zone_of_agreement"]
    moved = web.post(
        "/api/runs", json={"scenario": ref, "edits": [{"path": "positions.B.t", "value": 60}]}
    ).json()
    assert moved["parameters"]["source"] == f"run:{saved['id']}"
    diff = web.get(f"/api/runs/{saved['id']}/diff/{moved['id']}").json()
    assert [c["path"] for c in diff["scenario"]] == ["positions.B.t"]
    assert "run 999" in error(web.post("/api/scenario", json={"scenario": {"run": 999}}), 404)
    both = {"scenario": {"run": saved["id"], "bundled": "ukraine_2025_08"}}
    assert "exactly one" in error(web.post("/api/scenario", json=both), 422)
