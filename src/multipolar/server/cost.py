"""What a request will cost, estimated before it runs, from the scenario's size and the
request's settings: seconds of one core of the reference machine (2 cores, a 2020s laptop).

The server refuses, at once and with one line (422), a request whose estimate is above its
budget (``Limits.max_cost``), instead of starting hours of work; whatever the estimate misses,
the hard time limit (``Limits.max_seconds``) stops. The rates below were measured on synthetic
scenarios of 5 to 20 actors and 6 to 12 issues with ranges on every estimate (bench/load.py
builds them) and rounded up; they are deliberately simple: work grows with actors × issues,
with draws, with rounds (cubically in actors for the expected utility model), with events,
and with 2^effects per event for the timeline's attribution.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from multipolar.models.registry import get
from multipolar.scenario.schema import Scenario
from multipolar.server.limits import LimitError, Limits

DEAL_BASE = 0.5  # solving the deal space once (SLSQP max-min, packages, verdict)
DEAL_PER_CELL = 2e-3  # ... per actor × issue
DRAW_BASE = 6e-4  # one Monte Carlo draw of the deal's feasibility
DRAW_PER_CELL = 2.5e-5  # ... per actor × issue
EUM_PER_UNIT = 8e-7  # one round × issue × actor³
SMP_PER_UNIT = 1.2e-6  # one turn × (actors³ + actors² × issues)
MODEL_BASE = 0.02  # any model's fixed cost (arrays, events applied)


def _model_params(scn: Scenario, model: str) -> dict[str, Any]:
    spec = get(model)
    return {**spec.defaults, **spec.checked(scn.models.get(model, {}))}


def model_cost(scn: Scenario, model: str) -> float:
    """One forecast by ``model`` (with the scenario's own parameters for it)."""
    n, k = len(scn.actors), len(scn.issues)
    p = _model_params(scn, model)
    if model == "eum":
        return MODEL_BASE + EUM_PER_UNIT * p["rounds"] * k * n**3
    if model == "smp":
        return MODEL_BASE + SMP_PER_UNIT * p["max_turns"] * (n**3 + n * n * k)
    if model == "nash":
        return MODEL_BASE + 1e-5 * n * k
    return MODEL_BASE


def forecast_cost(scn: Scenario, models: Iterable[str]) -> float:
    return sum(model_cost(scn, m) for m in models)


def deal_base(scn: Scenario) -> float:
    return DEAL_BASE + DEAL_PER_CELL * len(scn.actors) * len(scn.issues)


def deals_cost(scn: Scenario, draws: int) -> float:
    cells = len(scn.actors) * len(scn.issues)
    return deal_base(scn) + draws * (DRAW_BASE + DRAW_PER_CELL * cells)


def timeline_cost(scn: Scenario, models: Iterable[str], attribution: bool) -> float:
    """A state per event and the baseline; with attribution, 2^effects states per event."""
    state = deal_base(scn) + forecast_cost(scn, models)
    states = len(scn.events) + 1
    if attribution:
        states += sum(2 ** min(len(e.effects), 60) for e in scn.events)
    return states * state


def check_budget(what: str, seconds: float, limits: Limits, fix: str) -> None:
    """Refuse work estimated above the server's compute budget (422, one line)."""
    if seconds > limits.max_cost:
        raise LimitError(
            f"{what}: estimated at {seconds:.1f} s of computing, above this server's budget of "
            f"{limits.max_cost:g} s; fix: {fix}, or run it with the command line (`multipolar`)"
        )


def most_draws(scn: Scenario, limits: Limits) -> int:
    """The most draws a deals request on ``scn`` may ask for within the budget."""
    cells = len(scn.actors) * len(scn.issues)
    room = limits.max_cost - deal_base(scn)
    return max(0, int(room / (DRAW_BASE + DRAW_PER_CELL * cells)))


def request_cost(kind: str, scn: Scenario, req: Mapping[str, Any]) -> float:
    """The estimate for one analysis ``kind`` (forecast, deals, timeline) of a request."""
    if kind == "forecast":
        return forecast_cost(scn, req["models"])
    if kind == "deals":
        return deals_cost(scn, req["draws"])
    return timeline_cost(scn, req["models"], req["attribution"])
