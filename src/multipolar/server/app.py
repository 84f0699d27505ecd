"""The web app: one page for what-if analysis and a JSON API (documented at ``/docs``).

``create_app(db_url=..., limits=...)`` builds a FastAPI application. The API is stateless: each
request names its scenario (a bundled one by name, or the file's text in the body) and the edits
to apply, and gets the analysis back; ``POST /api/runs`` also saves it to the run store.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from multipolar.errors import MultipolarError, ScenarioError, format_path
from multipolar.server import schemas as api
from multipolar.server.analyses import model_names, run_deals, run_forecast, run_timeline
from multipolar.server.docs import docs_html
from multipolar.server.edit import UnknownScenarioError, bundled, prepare, scenario_info
from multipolar.server.limits import BodySizeLimit, LimitError, Limits
from multipolar.server.runs_api import runs_router
from multipolar.store import runs as store
from multipolar.store.db import connect

STATIC = {
    "app.js": "text/javascript",
    "charts.js": "text/javascript",
    "runs.js": "text/javascript",
    "app.css": "text/css",
}


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    import importlib

    return str(importlib.import_module("plotly.offline").get_plotlyjs())


def _asset(name: str) -> str:
    return (files("multipolar.server") / "static" / name).read_text(encoding="utf-8")


def _error(status: int, lines: list[str], headers: Mapping[str, str] | None = None) -> JSONResponse:
    lines = [line.replace("\n", " ") for line in lines] or ["error"]
    content = {"error": lines[0], "problems": lines}
    return JSONResponse(status_code=status, content=content, headers=headers)


def _status(exc: MultipolarError) -> int:
    if isinstance(exc, LimitError):
        return exc.status
    if isinstance(exc, UnknownScenarioError | store.RunNotFoundError):
        return 404
    if isinstance(exc, ScenarioError):
        return 422
    return 400


def _validation_lines(exc: RequestValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        place = format_path([p if isinstance(p, int) else str(p) for p in err.get("loc", ())])
        lines.append(f"{place}: {err.get('msg', 'invalid')}; fix: see /docs for the request body")
    return lines


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(MultipolarError)
    async def _multipolar(_: Request, exc: MultipolarError) -> JSONResponse:
        return _error(_status(exc), exc.lines())

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _validation_lines(exc))

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, [str(exc.detail)], exc.headers)

    @app.exception_handler(FloatingPointError)
    async def _numeric(_: Request, exc: FloatingPointError) -> JSONResponse:
        message = f"the analysis overflowed ({exc}); fix: use values closer to the scenario's own"
        return _error(422, [message])


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": api.ErrorResponse, "description": text}
    for code, text in (
        (400, "Bad request: unknown model, bad path, ..."),
        (404, "No such bundled scenario or run"),
        (413, "Request body too large"),
        (422, "Invalid scenario, edit or request body, or above a limit"),
    )
}


def create_app(db_url: str | None = None, limits: Limits | None = None) -> FastAPI:
    """The web app, saving runs to ``db_url`` (default: ``multipolar.store.default_url()``)."""
    limits = limits or Limits()
    connect(db_url)  # fail early, with one line, on a bad URL
    app = FastAPI(
        title="multipolar",
        summary="What-if analysis of multi-party negotiations: forecasts, deals, timeline.",
        version=store.package_version(),
        responses=ERRORS,
        docs_url=None,  # FastAPI's Swagger UI loads from a CDN; /docs is rendered here instead
        redoc_url=None,
    )
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    _handlers(app)
    _page(app)
    _analyses(app, limits, db_url)
    app.include_router(runs_router(db_url, limits))
    return app


def _page(app: FastAPI) -> None:
    """The page and its assets (plotly.js from the installed plotly package: no CDN), and the
    API reference at /docs."""

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(docs_html(app.openapi()))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(_asset("index.html"))

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(_plotly_js(), media_type="text/javascript", headers=headers)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name not in STATIC:  # a fixed list: no paths from the client reach the file system
            raise HTTPException(404, f"/static/{name}: no such file")
        return Response(_asset(name), media_type=STATIC[name])


def _analyses(app: FastAPI, limits: Limits, db_url: str | None) -> None:
    from multipolar.data import bundled_scenarios
    from multipolar.models.registry import specs
    from multipolar.report.palette import model_colours

    @app.get("/api/meta", response_model=api.MetaResponse)
    def meta() -> api.MetaResponse:
        """Package version, registered models, bundled scenarios and this server's limits."""
        return api.MetaResponse(
            version=store.package_version(),
            models=[
                api.ModelInfo(name=s.name, title=s.title, stochastic=s.stochastic) for s in specs()
            ],
            model_colours=model_colours(s.name for s in specs()),
            bundled=[
                api.BundledInfo(name=name, title=bundled(name).title)
                for name in bundled_scenarios()
            ],
            limits=api.LimitsInfo(**limits.as_dict()),
        )

    @app.post("/api/scenario", response_model=api.ScenarioInfo)
    def scenario(req: api.ScenarioRequest) -> api.ScenarioInfo:
        """Open a scenario (bundled, sent as text, or a saved run's), apply the edits, and
        describe it."""
        return scenario_info(prepare(req, limits, db_url)[0])

    @app.post("/api/forecast", response_model=api.ForecastResponse)
    def forecast(req: api.ForecastRequest) -> api.ForecastResponse:
        """Forecast every issue with the chosen models (after the scenario's events)."""
        scn, _ = prepare(req, limits, db_url)
        models = model_names(req.models)
        return api.ForecastResponse(
            scenario_hash=store.scenario_hash(scn), forecasts=run_forecast(scn, models, req.seed)
        )

    @app.post("/api/deals", response_model=api.DealsResponse)
    def deals(req: api.DealsRequest) -> api.DealsResponse:
        """Zone of agreement, best packages, who blocks them and P(all accept)."""
        scn, _ = prepare(req, limits, db_url)
        report = run_deals(scn, req.draws, req.top, req.seed, limits)
        return api.DealsResponse(scenario_hash=store.scenario_hash(scn), deals=report)

    @app.post("/api/timeline", response_model=api.TimelineResponse)
    def timeline(req: api.TimelineRequest) -> api.TimelineResponse:
        """The balance of advantage after each of the scenario's events."""
        scn, _ = prepare(req, limits, db_url)
        models = model_names(req.models, ["compromise"])
        report = run_timeline(scn, models, req.seed, req.attribution, limits)
        return api.TimelineResponse(scenario_hash=store.scenario_hash(scn), timeline=report)
