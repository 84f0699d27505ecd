"""The run-store part of the API: save a what-if run, list, read and compare saved runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from multipolar import params
from multipolar.server import schemas as api
from multipolar.server.limits import Limits
from multipolar.server.runner import Runner
from multipolar.store import runs as store

RunId = Annotated[int, Path(ge=1, le=params.MAX_SEED, description="Run id.")]
RUN_LINKS = {
    "GetRun": {
        "operationId": "run_api_runs__run_id__get",
        "parameters": {"run_id": "$response.body#/id"},
        "description": "The saved run.",
    },
    "DiffRuns": {
        "operationId": "diff_api_runs__a__diff__b__get",
        "parameters": {"a": "$response.body#/id", "b": "$response.body#/id"},
        "description": "The run compared with itself.",
    },
}


def summary(record: store.RunRecord) -> api.RunSummary:
    data = record.as_dict()
    data.pop("scenario", None)
    data.pop("results", None)
    return api.RunSummary(**data)


def runs_router(db_url: str | None, limits: Limits, runner: Runner) -> APIRouter:
    router = APIRouter(prefix="/api/runs", tags=["runs"])

    def save_run(done: dict[str, Any]) -> api.RunSummary:
        run_id = store.save_run(
            done["scenario"],
            done["kind"],
            done["results"],
            model=done["model"],
            parameters=done["parameters"],
            seed=done["seed"],
            db=db_url,
        )
        return summary(store.get_run(run_id, db_url))

    @router.post(
        "",
        response_model=api.RunSummary,
        status_code=201,
        responses={201: {"description": "The saved run", "links": RUN_LINKS}},
    )
    async def save(req: api.SaveRequest, request: Request) -> api.RunSummary:
        """Run the analyses of ``kind`` on the edited scenario and save them as one run."""
        done = await runner(request, "save", (req, limits, db_url))
        return await run_in_threadpool(save_run, done)

    @router.get("", response_model=list[api.RunSummary])
    def runs(
        limit: Annotated[int, Query(ge=1, le=500, description="How many, latest first.")] = 50,
    ) -> list[api.RunSummary]:
        """The latest saved runs."""
        return [summary(r) for r in store.list_runs(db_url, limit=limit)]

    @router.get("/{run_id}", response_model=api.RunDetail)
    def run(run_id: RunId) -> api.RunDetail:
        """One saved run with its scenario and results."""
        return api.RunDetail(**store.get_run(run_id, db_url).as_dict())

    @router.get("/{a}/diff/{b}", response_model=api.RunDiff)
    def diff(a: RunId, b: RunId) -> api.RunDiff:
        """What changed from run ``a`` to run ``b``: parameters, scenario and results."""
        return api.RunDiff(**store.diff_runs(store.get_run(a, db_url), store.get_run(b, db_url)))

    return router
