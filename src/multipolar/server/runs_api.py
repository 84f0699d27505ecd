"""The run-store part of the API: save a what-if run, list, read and compare saved runs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from multipolar.server import schemas as api
from multipolar.server.analyses import model_names, run_deals, run_forecast, run_timeline
from multipolar.server.edit import prepare
from multipolar.server.limits import Limits
from multipolar.store import runs as store

RunId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Run id.")]


def summary(record: store.RunRecord) -> api.RunSummary:
    data = record.as_dict()
    data.pop("scenario", None)
    data.pop("results", None)
    return api.RunSummary(**data)


def run_and_save(req: api.SaveRequest, db_url: str | None, limits: Limits) -> int:
    """Run the analyses the request's kind names on its edited scenario; save them as one run
    (parameters: where the scenario came from, the edits and the analyses' settings)."""
    scn, source = prepare(req, limits, db_url)
    kinds = ["forecast", "deals", "timeline"] if req.kind == "whatif" else [req.kind]
    params: dict[str, Any] = {"source": source, "edits": [e.model_dump() for e in req.edits]}
    results: dict[str, Any] = {}
    models: list[str] = []
    if "forecast" in kinds:
        models = model_names(req.models)
        for fc in run_forecast(scn, models, req.seed):
            results[f"forecast:{fc['model']}"] = fc
        params["models"] = models
    if "deals" in kinds:
        results["deals"] = run_deals(scn, req.draws, req.top, req.seed, limits)
        params.update(draws=req.draws, top=req.top)
    if "timeline" in kinds:
        tracked = model_names(req.models, ["compromise"])[:1]  # as the page: the first model
        results["timeline"] = run_timeline(scn, tracked, req.seed, req.attribution, limits)
        params.update(timeline_model=tracked[0], attribution=req.attribution)
        models = models or tracked
    return store.save_run(
        scn,
        req.kind,
        results,
        model=",".join(models) or None,
        parameters=params,
        seed=req.seed,
        db=db_url,
    )


def runs_router(db_url: str | None, limits: Limits) -> APIRouter:
    router = APIRouter(prefix="/api/runs", tags=["runs"])

    @router.post("", response_model=api.RunSummary, status_code=201)
    def save(req: api.SaveRequest) -> api.RunSummary:
        """Run the analyses of ``kind`` on the edited scenario and save them as one run."""
        return summary(store.get_run(run_and_save(req, db_url, limits), db_url))

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
