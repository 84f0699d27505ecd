"""Many what-if forecasts at once: the requests for ``/api/forecast`` that wait together are
answered by one job, whose models run once per batch of edited scenarios
(``models.api.forecast_many``) rather than once per request.

Each request's answer is the one ``jobs.run_job("forecast", ...)`` gives it alone, byte for
byte: the same scenario preparation, checks and errors, and model runs whose batch members
equal separate runs (a run that draws random numbers is made alone). A request that fails
anywhere is answered by that single-request path, so that its error is the one it gets alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from multipolar.scenario.schema import Scenario
from multipolar.server import cost
from multipolar.server import schemas as api
from multipolar.server.analyses import guarded, model_names
from multipolar.server.edit import prepare_hashed
from multipolar.server.jobs import run_job
from multipolar.server.limits import Limits
from multipolar.store.runs import plain

if TYPE_CHECKING:
    from multipolar.models.api import Forecast

#: the most requests one job answers (larger batches make the first answer wait longer)
MAX_BATCH = 32
FIX = "choose fewer models or fewer rounds"


def _dumps(value: Any) -> str:
    """JSON text as ``jobs.encode`` writes it."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _str_keys(value: Any) -> bool:
    """Whether every mapping key in ``value`` is a ``str`` (so that JSON writes each key as
    ``plain`` would: ``str(key)``; JSON writes True, False and None keys otherwise)."""
    if isinstance(value, Mapping):
        return all(type(k) is str and _str_keys(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_str_keys(v) for v in value)
    return True


def forecast_json(fc: Forecast) -> str:
    """``_dumps(plain(fc.as_dict()))``, the forecast's part of its answer, written directly
    when that gives the same text: JSON writes finite floats (numpy's too), str keys, lists
    and tuples as ``plain`` leaves them, and refuses the rest (NaN, numpy integers, other
    objects), which then go through ``plain``."""
    data = fc.as_dict()
    names = [*fc.issues, *fc.actors]
    if all(type(name) is str for name in names) and _str_keys(data["params"]):
        try:
            return _dumps(data)
        except (TypeError, ValueError):
            pass
    return _dumps(plain(data))


def _prepared(
    req: api.ForecastRequest, limits: Limits, db_url: str | None
) -> tuple[Scenario, list[str], str]:
    """As ``jobs.forecast_job`` checks a request: the edited scenario, its models, its hash."""
    scn, digest = prepare_hashed(req, limits, db_url)
    models = model_names(req.models)
    cost.check_budget("forecast", cost.forecast_cost(scn, models), limits, FIX)
    return scn, models, digest


def forecast_batch(
    reqs: list[api.ForecastRequest], limits: Limits, db_url: str | None
) -> list[tuple[Any, ...]]:
    """Each request's answer as ``run_job("forecast", (req, limits, db_url))`` gives it."""
    from multipolar.dynamics.apply import resolve
    from multipolar.models.api import forecast_many

    answers: list[tuple[Any, ...] | None] = [None] * len(reqs)
    ready: dict[int, tuple[Scenario, list[str], str]] = {}
    for i, req in enumerate(reqs):
        try:
            ready[i] = _prepared(req, limits, db_url)
        except Exception:  # answered by the single-request path, with its own error
            answers[i] = run_job("forecast", (req, limits, db_url))
    done: dict[int, dict[str, str]] = {i: {} for i in ready}
    groups: dict[tuple[str, int], list[int]] = {}
    for i, (_, models, _) in ready.items():
        for model in models:
            groups.setdefault((model, reqs[i].seed), []).append(i)
    states: dict[int, Scenario] = {}  # each request's state after its events, resolved once
    for (model, seed), group in groups.items():
        members = [i for i in group if answers[i] is None]
        try:
            with guarded():
                for i in members:
                    if i not in states:
                        states[i] = resolve(ready[i][0])
                forecasts = forecast_many([states[i] for i in members], model, seed=seed)
                for i, fc in zip(members, forecasts, strict=True):
                    done[i][model] = forecast_json(fc)
        except Exception:  # e.g. one member overflows: each alone, with its own answer
            for i in members:
                answers[i] = run_job("forecast", (reqs[i], limits, db_url))
    for i, (_, models, digest) in ready.items():
        if answers[i] is None:
            texts = ",".join(done[i][m] for m in models)
            body = '{"scenario_hash":' + _dumps(digest) + ',"forecasts":[' + texts + "]}"
            answers[i] = ("ok", body.encode("utf-8"))
    return [a for a in answers if a is not None]
