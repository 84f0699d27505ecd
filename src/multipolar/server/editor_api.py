"""The scenario editor's part of the API and its page (``/editor``).

The editor holds a scenario as plain data (what ``multipolar.scenario.to_data`` gives) and
sends it here to be checked (``POST /api/validate``: the engine's own messages, the same text
as ``multipolar validate``, each with the place it names), opened (``POST /api/editor/open``:
a new starter scenario, a bundled one, an uploaded file or a saved run's) and written out
(``POST /api/editor/download``: YAML or JSON through the engine's own writer). The analyses
run through the app's existing endpoints (``/api/forecast``, ``/api/deals``, ``/api/runs``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib.resources import files
from typing import Any, Literal

import yaml
from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from multipolar import params
from multipolar.errors import MultipolarError, Problem, ScenarioError, format_path
from multipolar.scenario.loader import dumps, parse_json, parse_yaml, to_data, validate
from multipolar.scenario.starter import MAX_ACTORS, MAX_ISSUES, starter_yaml
from multipolar.server.edit import bundled
from multipolar.server.limits import LimitError, Limits, check_scenario, check_yaml
from multipolar.store import runs as store

ASSETS = {
    "editor.css": "text/css",
    "ed-model.js": "text/javascript",
    "ed-fields.js": "text/javascript",
    "ed-grid.js": "text/javascript",
    "ed-blocks.js": "text/javascript",
    "ed-panels.js": "text/javascript",
    "ed-app.js": "text/javascript",
}
TOO_DEEP = "data: nested too deeply to write; fix: send a scenario as the editor holds it"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ValidateRequest(_Body):
    data: dict[str, Any] = Field(description="The scenario as data (a parsed file's content).")


class ProblemOut(BaseModel):
    path: list[str | int] = Field(description="Where: the data path the message names.")
    place: str = Field(description="The same place as text, e.g. salience.RUS.donbas.")
    message: str
    fix: str
    text: str = Field(description="The line `multipolar validate` prints (without the file).")


class ValidateResponse(BaseModel):
    valid: bool
    problems: list[ProblemOut]


class NewScenario(_Body):
    actors: int = Field(3, ge=2, le=MAX_ACTORS, description="How many actors.")
    issues: int = Field(2, ge=1, le=MAX_ISSUES, description="How many issues.")
    name: str = Field(
        "new-scenario",
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$",
        description="Name for its id and title.",
    )


class OpenNew(_Body):
    """A new starter scenario (the one `multipolar new` writes)."""

    new: NewScenario


class OpenBundled(_Body):
    """A bundled scenario, by name (see /api/meta)."""

    bundled: str = Field(max_length=200, description="Name of a bundled scenario.")


class OpenText(_Body):
    """A scenario file's content (its comments are dropped)."""

    text: str = Field(description="A scenario file's content (YAML or JSON).")
    format: Literal["yaml", "json"] | None = Field(
        None, description="Format of `text` (default: JSON when it starts with '{', else YAML)."
    )


class OpenRun(_Body):
    """The scenario a saved run ran on, with the run's results."""

    run: int = Field(ge=1, le=params.MAX_JSON_INT, description="Id of a saved run.")


#: Which scenario to open: exactly one of the four forms.
OpenRequest = OpenNew | OpenBundled | OpenText | OpenRun


class OpenResponse(BaseModel):
    scenario: dict[str, Any]
    source: str
    valid: bool
    problems: list[ProblemOut]
    comments_dropped: bool = Field(False, description="The uploaded YAML had comments.")
    run: dict[str, Any] | None = Field(None, description="The saved run (results included).")


class DownloadRequest(ValidateRequest):
    format: Literal["yaml", "json"] = "yaml"


def _plain(value: Any) -> Any:
    """Parsed file data as JSON data: dates as ISO text."""
    return json.loads(json.dumps(value, default=_iso))


def _iso(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _out(p: Problem) -> ProblemOut:
    return ProblemOut(
        path=list(p.path),
        place=format_path(p.path),
        message=p.message,
        fix=p.fix,
        text=p.format(),
    )


def check_data(data: dict[str, Any], limits: Limits) -> tuple[Any, list[ProblemOut]]:
    """The valid scenario (or ``None``) and the engine's problems with ``data``."""
    try:
        plain = _plain(data)
    except RecursionError:
        raise LimitError(TOO_DEEP) from None
    try:
        scn = validate(plain)
        check_scenario(scn, limits)
    except ScenarioError as exc:
        return None, [_out(p) for p in exc.problems]
    except MultipolarError as exc:  # a server limit: one line, naming its place first
        line = exc.lines()[0]
        return None, [ProblemOut(path=[], place="", message=line, fix="", text=line)]
    return scn, []


def _opened(data: Any, source: str, limits: Limits, **extra: Any) -> OpenResponse:
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem((), "the file holds no scenario mapping", "start with 'title:'")], source
        )
    scn, problems = check_data(data, limits)
    shown = to_data(scn) if scn is not None else _plain(data)
    return OpenResponse(
        scenario=shown, source=source, valid=scn is not None, problems=problems, **extra
    )


_COMMENT = re.compile(r"(^|\s)#")


def open_any(req: OpenRequest, limits: Limits, db_url: str | None) -> OpenResponse:
    if isinstance(req, OpenNew):
        text = starter_yaml(req.new.name, req.new.actors, req.new.issues)
        return _opened(parse_yaml(text)[0], "new", limits)
    if isinstance(req, OpenBundled):
        from multipolar.data import bundled_scenarios

        if req.bundled not in bundled_scenarios():
            raise HTTPException(404, f"bundled: no bundled scenario '{req.bundled}'")
        return _opened(to_data(bundled(req.bundled)), f"bundled:{req.bundled}", limits)
    if isinstance(req, OpenRun):
        record = store.get_run(req.run, db_url)
        return _opened(record.scenario or {}, f"run:{req.run}", limits, run=record.as_dict())
    text = req.text
    fmt = req.format or ("json" if text.lstrip().startswith("{") else "yaml")
    check_yaml(text, limits.max_yaml_nodes)
    try:
        data = (parse_json(text) if fmt == "json" else parse_yaml(text))[0]
    except ScenarioError as exc:
        raise ScenarioError(exc.problems, "upload") from None
    comments = fmt == "yaml" and any(_COMMENT.search(line) for line in text.splitlines())
    return _opened(data, "upload", limits, comments_dropped=comments)


def _printable(text: str) -> str:
    """``text`` safe in a YAML comment: each character that does not print becomes ``\\u``
    and its code point in four hex digits (``\\u0007`` for a bell)."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def download_text(req: DownloadRequest, limits: Limits) -> tuple[str, bool]:
    """The file's text, and whether the scenario is valid. A valid scenario is written by the
    engine (``dumps``): it loads back to the same scenario. An invalid one is written as it
    stands, so that work is never lost, with its problems on top (YAML) to fix later."""
    scn, problems = check_data(req.data, limits)
    if scn is not None:
        return dumps(scn, req.format), True
    data = _plain(req.data)
    if req.format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n", False
    head = "".join(f"# NOT VALID YET: {_printable(p.text)}\n" for p in problems)
    try:
        body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    except RecursionError:
        raise LimitError(TOO_DEEP) from None
    return head + body, False


DOWNLOADED: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The scenario file (YAML or JSON, as asked).",
        "content": {
            "application/yaml": {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
        "headers": {
            "X-Multipolar-Valid": {
                "description": "true: the scenario validates; false: written as it stands.",
                "schema": {"type": "string", "enum": ["true", "false"]},
            },
            "Content-Disposition": {
                "description": "attachment; filename=ID.FORMAT",
                "schema": {"type": "string"},
            },
        },
    }
}


def _asset(name: str) -> str:
    return (files("multipolar.server") / "static" / name).read_text(encoding="utf-8")


def editor_router(db_url: str | None, limits: Limits) -> APIRouter:
    router = APIRouter(tags=["editor"])

    @router.get("/editor", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(_asset("editor.html"))

    @router.get("/editor/static/{name}", include_in_schema=False)
    def asset(name: str) -> Response:
        if name not in ASSETS:  # a fixed list: no paths from the client reach the file system
            raise HTTPException(404, f"/editor/static/{name}: no such file")
        return Response(_asset(name), media_type=ASSETS[name])

    @router.post("/api/validate", response_model=ValidateResponse)
    async def check(req: ValidateRequest) -> ValidateResponse:
        """Check a scenario given as data: the engine's messages (the text of
        ``multipolar validate``), each with the place it names."""
        _, problems = await run_in_threadpool(check_data, req.data, limits)
        return ValidateResponse(valid=not problems, problems=problems)

    @router.post("/api/editor/open", response_model=OpenResponse)
    async def open_scenario(req: OpenRequest) -> OpenResponse:
        """A scenario as data for the editor: a new starter, a bundled one, an uploaded file
        (its comments are dropped) or a saved run's (with the run's results)."""
        return await run_in_threadpool(open_any, req, limits, db_url)

    @router.post("/api/editor/download", response_class=Response, responses=DOWNLOADED)
    async def download(req: DownloadRequest) -> Response:
        """The scenario as a YAML or JSON file (header ``X-Multipolar-Valid``)."""
        text, valid = await run_in_threadpool(download_text, req, limits)
        ident = req.data.get("id")
        stem = (
            ident
            if isinstance(ident, str) and re.fullmatch(r"[\w.\-]{1,64}", ident)
            else "scenario"
        )
        media = "application/json" if req.format == "json" else "application/yaml"
        headers = {
            "Content-Disposition": f'attachment; filename="{stem}.{req.format}"',
            "X-Multipolar-Valid": "true" if valid else "false",
        }
        return Response(text, media_type=media, headers=headers)

    return router
