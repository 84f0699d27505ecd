"""The work behind each analysis endpoint, as plain functions of the request body: open the
scenario and apply the edits, check the request against the compute budget, run the analysis,
return JSON-ready data. They run in the worker processes of :mod:`multipolar.server.pool` (or,
with ``Limits(workers=0)``, in the server's own threads)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from multipolar.errors import MultipolarError, ScenarioError
from multipolar.scenario.schema import Scenario
from multipolar.server import cost
from multipolar.server import schemas as api
from multipolar.server.analyses import (
    check_attribution,
    model_names,
    run_deals,
    run_forecast,
    run_timeline,
)
from multipolar.server.edit import UnknownScenarioError, prepare, prepare_hashed, scenario_info
from multipolar.server.limits import LimitError, Limits, check_count
from multipolar.store import runs as store

OVERFLOW = "the analysis overflowed ({}); fix: use values closer to the scenario's own"


def status_of(exc: MultipolarError) -> int:
    """The HTTP status of a one-line error."""
    if isinstance(exc, LimitError):
        return exc.status
    if isinstance(exc, UnknownScenarioError | store.RunNotFoundError):
        return 404
    if isinstance(exc, ScenarioError):
        return 422
    return 400


def _timeline_models(req: api.TimelineRequest | api.SaveRequest, save: bool) -> list[str]:
    chosen = model_names(req.models, ["compromise"])
    return chosen[:1] if save else chosen  # the page's saved what-if tracks its first model


def _attribution(scn: Scenario, attribution: bool, limits: Limits) -> None:
    """Refuse, before estimating, an event with more effects than attribution takes."""
    if attribution:
        check_attribution(scn, limits)


def _draws(req: api.DealsRequest | api.SaveRequest, limits: Limits) -> int:
    """The draws asked for; left out, the default or this server's most if that is fewer."""
    if "draws" in req.model_fields_set:
        return req.draws
    return min(req.draws, limits.max_draws)


def _draws_fix(scn: Scenario, limits: Limits) -> str:
    return f"ask for at most {cost.most_draws(scn, limits)} draws on this scenario"


def scenario_job(req: api.ScenarioRequest, limits: Limits, db_url: str | None) -> dict[str, Any]:
    return scenario_info(prepare(req, limits, db_url)[0]).model_dump()


def forecast_job(req: api.ForecastRequest, limits: Limits, db_url: str | None) -> dict[str, Any]:
    scn, digest = prepare_hashed(req, limits, db_url)
    models = model_names(req.models)
    seconds = cost.forecast_cost(scn, models)
    cost.check_budget("forecast", seconds, limits, "choose fewer models or fewer rounds")
    return {
        "scenario_hash": digest,
        "forecasts": run_forecast(scn, models, req.seed),
    }


def deals_job(req: api.DealsRequest, limits: Limits, db_url: str | None) -> dict[str, Any]:
    scn, _ = prepare(req, limits, db_url)
    draws = _draws(req, limits)
    check_count("draws", draws, limits.max_draws)
    seconds = cost.deals_cost(scn, draws)
    cost.check_budget("deals", seconds, limits, _draws_fix(scn, limits))
    deals = run_deals(scn, draws, req.top, req.seed, limits)
    return {"scenario_hash": store.scenario_hash(scn), "deals": deals}


def timeline_job(req: api.TimelineRequest, limits: Limits, db_url: str | None) -> dict[str, Any]:
    scn, _ = prepare(req, limits, db_url)
    models = _timeline_models(req, save=False)
    _attribution(scn, req.attribution, limits)
    seconds = cost.timeline_cost(scn, models, req.attribution)
    fix = "set attribution to false, or track fewer models" if req.attribution else (
        "track fewer models, or send fewer events"
    )  # fmt: skip
    cost.check_budget("timeline", seconds, limits, fix)
    timeline = run_timeline(scn, models, req.seed, req.attribution, limits)
    return {"scenario_hash": store.scenario_hash(scn), "timeline": timeline}


def save_job(req: api.SaveRequest, limits: Limits, db_url: str | None) -> dict[str, Any]:
    """The analyses of a run to save (the server's process writes it to the run store):
    where the scenario came from, the edits and the analyses' settings as parameters."""
    scn, source = prepare(req, limits, db_url)
    kinds = ["forecast", "deals", "timeline"] if req.kind == "whatif" else [req.kind]
    params: dict[str, Any] = {"source": source, "edits": [e.model_dump() for e in req.edits]}
    models: list[str] = []
    tracked = _timeline_models(req, save=True)
    seconds = 0.0
    if "forecast" in kinds:
        models = model_names(req.models)
        seconds += cost.forecast_cost(scn, models)
    draws = _draws(req, limits)
    if "deals" in kinds:
        check_count("draws", draws, limits.max_draws)
        seconds += cost.deals_cost(scn, draws)
    if "timeline" in kinds:
        _attribution(scn, req.attribution, limits)
        seconds += cost.timeline_cost(scn, tracked, req.attribution)
    cost.check_budget(f"runs ({req.kind})", seconds, limits, "ask for fewer draws or models")
    results: dict[str, Any] = {}
    if "forecast" in kinds:
        for fc in run_forecast(scn, models, req.seed):
            results[f"forecast:{fc['model']}"] = fc
        params["models"] = models
    if "deals" in kinds:
        results["deals"] = run_deals(scn, draws, req.top, req.seed, limits)
        params.update(draws=draws, top=req.top)
    if "timeline" in kinds:
        results["timeline"] = run_timeline(scn, tracked, req.seed, req.attribution, limits)
        params.update(timeline_model=tracked[0], attribution=req.attribution)
        models = models or tracked
    return {
        "scenario": scn,
        "kind": req.kind,
        "results": results,
        "model": ",".join(models) or None,
        "parameters": params,
        "seed": req.seed,
    }


def warm_up() -> None:
    """Import and compile what the analyses use (a worker's first request is then fast): the
    compiled kernels, which a worker then uses for small work too (a what-if's SMP and EUM cost
    about a quarter less CPU than on their numpy paths, with the same numbers), and a forecast
    by every model, alone and as a batch of two edits (``server.whatif``)."""
    from multipolar.data import bundled_scenarios
    from multipolar.models.registry import names
    from multipolar.models.warm import load_compiled
    from multipolar.server.edit import bundled
    from multipolar.server.whatif import forecast_batch

    load_compiled()
    name = next(iter(bundled_scenarios()))
    run_forecast(bundled(name), names(), 0)
    ref = api.BundledRef(bundled=name)
    forecast_batch([api.ForecastRequest(scenario=ref) for _ in range(2)], Limits(), None)


def forecast_batch_job(
    reqs: list[api.ForecastRequest], limits: Limits, db_url: str | None
) -> list[tuple[Any, ...]]:
    """Several forecast requests at once (``server.whatif``): each one's ``run_job`` answer."""
    from multipolar.server.whatif import forecast_batch

    return forecast_batch(reqs, limits, db_url)


JOBS: dict[str, Callable[..., Any]] = {
    "scenario": scenario_job,
    "forecast": forecast_job,
    "forecast_batch": forecast_batch_job,
    "deals": deals_job,
    "timeline": timeline_job,
    "save": save_job,
    "warm_up": warm_up,
}


#: jobs whose answer is a response body: serialised where they run, once
JSON_JOBS = frozenset({"scenario", "forecast", "deals", "timeline"})


def encode(data: Any) -> bytes:
    """A response body as JSON bytes (as FastAPI would write it: no NaN)."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")


def call(func: str, args: tuple[Any, ...]) -> Any:
    """``JOBS[func](*args)``; a response body already as JSON bytes."""
    result = JOBS[func](*args)
    return encode(result) if func in JSON_JOBS else result


def run_job(func: str, args: tuple[Any, ...]) -> tuple[Any, ...]:
    """``call(func, args)`` as a message for the server: ``("ok", data)``, or ``("error",
    status, lines)`` for a one-line error, or ``("crash", text)`` for a bug."""
    try:
        return ("ok", call(func, args))
    except MultipolarError as exc:
        return ("error", status_of(exc), exc.lines())
    except FloatingPointError as exc:
        return ("error", 422, [OVERFLOW.format(exc)])
    except Exception as exc:  # a bug: the server answers 500 and logs it
        return ("crash", f"{type(exc).__name__}: {exc}")
