"""The server's limits: schema and methods as documented, model parameters and the compute
budget refused with one line (422), and the worker pool's hard time limit, cancellation when
the client leaves, and cheap requests answered while an analysis runs. No timed assertions:
the tests check outcomes (status, message, which process ran) and their order."""

from __future__ import annotations

import asyncio
import os
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():  # starlette asks for httpx2 for its test client
    warnings.filterwarnings("ignore", message=".*httpx2")
    from fastapi.testclient import TestClient

from multipolar.params import MAX_JSON_INT, MAX_SEED
from multipolar.server import schemas as api
from multipolar.server.app import create_app
from multipolar.server.limits import LimitError, Limits
from multipolar.server.runner import Runner
from multipolar.server.synthetic import synthetic
from tests.conftest import VALID
from tests.test_server import UKR, client, error

ENDPOINTS = ("/api/scenario", "/api/forecast", "/api/deals", "/api/timeline", "/api/runs")
BIG = synthetic(20, 12, 10, 6)  # the largest scenario the default limits admit
HEAVY = {  # minutes of work (640 states): far above any budget, so the pool tests lift it
    "scenario": {"text": BIG},
    "attribution": True,
}


def upload(models: str) -> dict[str, Any]:
    return {"scenario": {"text": f"{VALID}models:\n  {models}\n"}, "models": ["compromise"]}


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TestClient]:
    with client(tmp_path) as c:
        yield c


def test_an_empty_scenario_reference_is_refused_as_the_schema_says(web: TestClient) -> None:
    """``{"scenario": {}}``: the schema requires one of bundled, text or run (``anyOf`` of
    three forms, each with its field required), and every endpoint answers 422, one line."""
    spec = web.get("/openapi.json").json()
    forms = spec["components"]["schemas"]["ScenarioRequest"]["properties"]["scenario"]["anyOf"]
    assert sorted(tuple(f["required"]) for f in (_ref(spec, f) for f in forms)) == [
        ("bundled",), ("run",), ("text",)
    ]  # fmt: skip
    for url in ENDPOINTS:
        for ref in ({}, {"bundled": None}, {"bundled": "ukraine_2025_08", "run": 1}):
            assert "exactly one of" in error(web.post(url, json={"scenario": ref}), 422)


def _ref(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    name = schema["$ref"].rsplit("/", 1)[-1]
    return dict(spec["components"]["schemas"][name])


def test_a_405_lists_every_method_of_the_path(web: TestClient) -> None:
    runs = web.options("/api/runs")
    assert runs.status_code == 405
    assert {m.strip() for m in runs.headers["allow"].split(",")} == {"GET", "POST"}
    assert web.put("/api/forecast", json={}).headers["allow"] == "POST"
    assert web.delete("/api/runs/1").headers["allow"] == "GET"


@pytest.mark.parametrize(
    ("models", "needle"),
    [
        ("eum: {rounds: ten}", "models.eum.rounds: 'ten' is not a whole number"),
        ("eum: {rounds: 1.5}", "models.eum.rounds: 1.5 is not a whole number"),
        ("eum: {rounds: 10000000}", "above the ceiling of 1000"),
        ("smp: {affinity: x}", "models.smp.affinity: 'x' is not a matrix"),
        ("nash: {loss: x}", "models.nash.loss: 'x' is not a number"),
    ],
)
def test_uploaded_model_parameters_are_checked(web: TestClient, models: str, needle: str) -> None:
    message = error(web.post("/api/forecast", json=upload(models)), 422)
    assert message.startswith("upload:")
    assert needle in message


def test_the_compute_budget_refuses_at_once(web: TestClient) -> None:
    """Within every size limit, yet estimated at minutes: 422 with one line naming the budget
    and what to ask for instead (no computation starts)."""
    rounds = {"scenario": {"text": f"{BIG}models:\n  eum: {{rounds: 1000}}\n"}, "models": ["eum"]}
    assert "budget of 10 s" in error(web.post("/api/forecast", json=rounds), 422)
    draws = {"scenario": {"text": BIG}, "draws": 5000}
    message = error(web.post("/api/deals", json=draws), 422)
    most = int(message.split("ask for at most ")[1].split()[0])
    assert 0 < most < 5000
    timeline = {"scenario": {"text": BIG}, "attribution": True}
    assert "set attribution to false" in error(web.post("/api/timeline", json=timeline), 422)


def test_seeds_take_the_command_line_bounds_within_json(web: TestClient) -> None:
    """The seed's declaration, narrowed to the integers JSON carries exactly (2**53 - 1)."""
    body = {"scenario": {"text": VALID}, "models": ["compromise"]}
    assert web.post("/api/forecast", json={**body, "seed": MAX_JSON_INT}).status_code == 200
    for seed in (-1, MAX_JSON_INT + 1, MAX_SEED):
        assert "seed" in error(web.post("/api/forecast", json={**body, "seed": seed}), 422)
    assert "top" in error(web.post("/api/deals", json={"scenario": UKR, "top": 0}), 422)


def test_identical_requests_share_one_answer(web: TestClient) -> None:
    body = {"scenario": UKR, "edits": [{"path": "positions.RUS.donbas", "value": 33}]}
    first = web.post("/api/forecast", json=body)
    assert first.status_code == 200
    assert web.post("/api/forecast", json=body).json() == first.json()


@pytest.fixture(scope="module")
def pool_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One worker process, a 5 s time limit and no budget: only the time limit stops HEAVY."""
    limits = Limits(workers=1, max_seconds=5.0, max_cost=1e9)
    db = tmp_path_factory.mktemp("pool") / "runs.sqlite"
    app = create_app(db_url=str(db), limits=limits)
    with TestClient(app) as c:
        app.state.runner.pool._ensure_started()
        yield c


def test_the_time_limit_stops_a_computation_while_cheap_requests_go_on(
    pool_app: TestClient,
) -> None:
    """HEAVY computes in the only worker: /api/meta is answered meanwhile, HEAVY is stopped at
    the time limit (503, one line), and a new worker answers the next request."""
    pool = pool_app.app.state.runner.pool  # type: ignore[attr-defined]
    before = pool._all[0].process.pid
    outcome: dict[str, Any] = {}
    heavy = threading.Thread(
        target=lambda: outcome.update(heavy=pool_app.post("/api/timeline", json=HEAVY))
    )
    heavy.start()
    while pool._idle.qsize() and heavy.is_alive():  # until the worker has taken the request
        threading.Event().wait(0.01)
    metas = [pool_app.get("/api/meta").status_code for _ in range(20)]
    meta_done_first = heavy.is_alive()
    heavy.join()
    assert metas == [200] * 20
    assert meta_done_first  # answered while the analysis was still computing
    message = error(outcome["heavy"], 503)
    assert "time limit of 5 s" in message
    assert "fix:" in message
    small = {"scenario": {"text": VALID}, "models": ["compromise"]}
    again = pool_app.post("/api/forecast", json=small)
    assert again.status_code == 200, again.text  # a new worker
    assert pool._all[0].process.pid != before


class _LeavesOnceComputing:
    """A request whose client disconnects once its analysis has been computing a while."""

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self.busy_polls = 0

    async def is_disconnected(self) -> bool:
        if self.pool._idle.qsize() == 0:  # the worker has taken the job
            self.busy_polls += 1
        return self.busy_polls >= 2


def test_a_client_leaving_stops_its_computation(pool_app: TestClient) -> None:
    runner: Runner = pool_app.app.state.runner  # type: ignore[attr-defined]
    pool = runner.pool
    assert pool is not None
    before = pool._all[0].process
    req = api.TimelineRequest.model_validate(HEAVY)
    leaving = _LeavesOnceComputing(pool)
    with pytest.raises(LimitError, match="disconnected"):
        asyncio.run(runner(leaving, "timeline", (req, runner.limits, None)))  # type: ignore[arg-type]
    before.join(timeout=10)  # killed, not left computing for the time limit
    assert not before.is_alive()
    with pytest.raises(ProcessLookupError):
        os.kill(before.pid, 0)
