"""The web app: one page for what-if analysis and a JSON API (documented at ``/docs``).

``create_app(db_url=..., limits=...)`` builds a FastAPI application. The API is stateless: each
request names its scenario (a bundled one by name, or the file's text in the body) and the edits
to apply, and gets the analysis back; ``POST /api/runs`` also saves it to the run store.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from multipolar.errors import MultipolarError, format_path
from multipolar.server import schemas as api
from multipolar.server.docs import docs_html
from multipolar.server.edit import bundled
from multipolar.server.editor_api import editor_router
from multipolar.server.jobs import OVERFLOW, status_of
from multipolar.server.limits import AllowAllMethods, BodySizeLimit, Limits
from multipolar.server.runner import Runner, request_key
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


REF_TAGS = ("BundledRef", "TextRef", "RunRef")  # pydantic's names of ScenarioRef's forms


def _validation_lines(exc: RequestValidationError) -> list[str]:
    lines: list[str] = []
    for err in exc.errors():
        loc = [p if isinstance(p, int) else str(p) for p in err.get("loc", ())]
        tag = next((i for i, p in enumerate(loc) if p in REF_TAGS), None)
        if tag is not None:  # one line for the scenario reference, not one per form
            line = (
                f"{format_path(loc[:tag])}: give exactly one of 'bundled' (a name), 'text' "
                "(a scenario file's content) or 'run' (a saved run's id); fix: see /docs"
            )
        else:
            msg = err.get("msg", "invalid")
            line = f"{format_path(loc)}: {msg}; fix: see /docs for the request body"
        if line not in lines:
            lines.append(line)
    return lines


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(MultipolarError)
    async def _multipolar(_: Request, exc: MultipolarError) -> JSONResponse:
        headers = {"Retry-After": "5"} if status_of(exc) == 503 else None
        return _error(status_of(exc), exc.lines(), headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _validation_lines(exc))

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, [str(exc.detail)], exc.headers)

    @app.exception_handler(FloatingPointError)
    async def _numeric(_: Request, exc: FloatingPointError) -> JSONResponse:
        return _error(422, [OVERFLOW.format(exc)])


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": api.ErrorResponse, "description": text}
    for code, text in (
        (400, "Bad request: unknown model, bad path, ..."),
        (404, "No such bundled scenario or run"),
        (413, "Request body too large"),
        (422, "Invalid scenario, edit or request body, or above a limit or the compute budget"),
        (503, "Busy, or past the time limit (the analysis was stopped): try again or ask less"),
    )
}


def create_app(
    db_url: str | None = None, limits: Limits | None = None, *, warm_up: bool = False
) -> FastAPI:
    """The web app, saving runs to ``db_url`` (default: ``multipolar.store.default_url()``).
    With ``warm_up``, the worker processes start with the server and load the models at once
    (``multipolar serve``); otherwise they start with the first analysis request."""
    limits = limits or Limits()
    connect(db_url)  # fail early, with one line, on a bad URL
    runner = Runner(limits)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm_up and runner.pool is not None:
            threading.Thread(target=runner.pool.warm_up, daemon=True).start()
        try:
            yield
        finally:
            runner.close()

    app = FastAPI(
        lifespan=lifespan,
        title="multipolar",
        summary="What-if analysis of multi-party negotiations: forecasts, deals, timeline.",
        version=store.package_version(),
        responses=ERRORS,
        docs_url=None,  # FastAPI's Swagger UI loads from a CDN; /docs is rendered here instead
        redoc_url=None,
    )
    _openapi_with_limits(app, limits)
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    app.add_middleware(AllowAllMethods)
    app.state.runner = runner
    _handlers(app)
    _page(app)
    _analyses(app, limits, db_url, runner)
    app.include_router(runs_router(db_url, limits, runner))
    app.include_router(editor_router(db_url, limits))
    return app


class JSONBody(Response):
    media_type = "application/json"


def _openapi_with_limits(app: FastAPI, limits: Limits) -> None:
    """The published schema states this server's own limits on draws and edits, so that what
    the schema allows is what the server accepts (the request models allow any server's);
    ``draws`` left out means the default, or this server's most if that is fewer."""
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = plain_openapi()
            for schema in spec.get("components", {}).get("schemas", {}).values():
                props = schema.get("properties", {})
                if "draws" in props:
                    draws = props["draws"]
                    draws["maximum"] = min(draws["maximum"], limits.max_draws)
                    draws["default"] = min(draws["default"], limits.max_draws)
                if "edits" in props:
                    props["edits"]["maxItems"] = limits.max_edits
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


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


def _analyses(app: FastAPI, limits: Limits, db_url: str | None, runner: Runner) -> None:
    from multipolar.data import bundled_scenarios
    from multipolar.models.registry import specs
    from multipolar.report.palette import model_colours

    def describe() -> api.MetaResponse:
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

    described: list[api.MetaResponse] = []

    @app.get("/api/meta", response_model=api.MetaResponse)
    async def meta() -> api.MetaResponse:
        """Package version, registered models, bundled scenarios and this server's limits."""
        if not described:  # the same answer for the server's life: computed once
            described.append(await run_in_threadpool(describe))
        return described[0]

    # every analysis runs through the runner: cached answers, shared identical requests, the
    # worker pool (compute budget, time limit, stopped when the client leaves); the body comes
    # back as JSON bytes, serialised once where it was computed (response_model documents it)
    def job(name: str, req: Any) -> tuple[str, tuple[Any, ...], str]:
        return name, (req, limits, db_url), request_key(name, req)

    @app.post("/api/scenario", response_model=api.ScenarioInfo)
    async def scenario(req: api.ScenarioRequest, request: Request) -> Any:
        """Open a scenario (bundled, sent as text, or a saved run's), apply the edits, and
        describe it."""
        return JSONBody(await runner(request, *job("scenario", req)))

    @app.post("/api/forecast", response_model=api.ForecastResponse)
    async def forecast(req: api.ForecastRequest, request: Request) -> Any:
        """Forecast every issue with the chosen models (after the scenario's events)."""
        return JSONBody(await runner(request, *job("forecast", req)))

    @app.post("/api/deals", response_model=api.DealsResponse)
    async def deals(req: api.DealsRequest, request: Request) -> Any:
        """Zone of agreement, best packages, who blocks them and P(all accept)."""
        return JSONBody(await runner(request, *job("deals", req)))

    @app.post("/api/timeline", response_model=api.TimelineResponse)
    async def timeline(req: api.TimelineRequest, request: Request) -> Any:
        """The balance of advantage after each of the scenario's events."""
        return JSONBody(await runner(request, *job("timeline", req)))
