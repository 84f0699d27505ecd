"""What-if forecasts in batches: ``models.api.forecast_many`` equals separate forecasts, the
server's batch job answers each request as it is answered alone (byte for byte, errors
included), and the runner's queue answers concurrent requests together and correctly."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multipolar.models.api import forecast, forecast_many
from multipolar.models.registry import get, names, specs
from multipolar.scenario import load, validate
from multipolar.scenario.loader import parse_yaml
from multipolar.scenario.paths import with_value
from multipolar.store.runs import plain
from tests.conftest import VALID

pytest.importorskip("fastapi")

from multipolar.server import schemas as api
from multipolar.server.jobs import run_job
from multipolar.server.limits import Limits
from multipolar.server.runner import Runner
from multipolar.server.whatif import forecast_batch

ROOT = Path(__file__).resolve().parents[1]
UKRAINE = load(ROOT / "scenarios" / "ukraine_2025_08.yaml")
SMALL = validate(parse_yaml(VALID)[0])


def as_json(fc: Any) -> str:
    return json.dumps(plain(fc.as_dict()), sort_keys=True)


@settings(max_examples=4, derandomize=True, deadline=None)
@given(
    values=st.lists(st.floats(0, 100, allow_nan=False), min_size=1, max_size=4),
    salience=st.floats(0, 1, allow_nan=False),
)
def test_a_batch_equals_separate_forecasts_for_every_model(
    values: list[float], salience: float
) -> None:
    """Edited Ukraine scenarios and a different small scenario in one call: each answer is the
    separate forecast's, bit for bit (diagnostics and parameters too)."""
    scns = [with_value(UKRAINE, "positions.RUS.donbas", v) for v in values]
    scns += [with_value(UKRAINE, "salience.UKR.donbas", salience), SMALL]
    for model in names():
        many = forecast_many(scns, model, seed=3)
        assert [as_json(f) for f in many] == [as_json(forecast(s, model, seed=3)) for s in scns]


def test_a_run_that_draws_random_numbers_is_made_alone() -> None:
    """SMP with stochastic transitions draws from the seed: in a batch each member would get
    another stream, so each runs alone and gets its own run's answer."""
    smp = get("smp")
    assert not smp.seeded({})
    assert smp.seeded({"state_transitions": "stochastic"})
    assert get("exchange").seeded({"p": 0.5})
    assert not get("exchange").seeded({})
    assert not any(s.seeded({}) for s in specs() if not s.stochastic)
    stochastic = [
        s.model_copy(update={"models": {"smp": {"state_transitions": "stochastic"}}})
        for s in (with_value(UKRAINE, "positions.RUS.donbas", v) for v in (20.0, 60.0))
    ]
    many = forecast_many(stochastic, "smp", seed=5)
    assert [as_json(f) for f in many] == [as_json(forecast(s, "smp", seed=5)) for s in stochastic]


def request(**body: Any) -> api.ForecastRequest:
    return api.ForecastRequest.model_validate({"scenario": {"bundled": "ukraine_2025_08"}, **body})


REQUESTS = [
    request(edits=[{"path": "positions.RUS.donbas", "value": 40}]),
    request(edits=[{"path": "positions.RUS.donbas", "value": 41.5}], seed=9),
    request(edits=[{"path": "positions.RUS.donbas", "value": 250}]),  # outside the scale
    request(edits=[{"path": "positions.RUS.nowhere", "value": 1}]),  # no such issue
    request(models=["eum", "compromise"]),
    api.ForecastRequest.model_validate(  # a mistyped model parameter
        {"scenario": {"text": VALID + "models:\n  eum: {rounds: ten}\n"}}
    ),
    request(edits=[{"path": "actors.USA.capability", "value": 1e308}]),  # overflows
    api.ForecastRequest.model_validate({"scenario": {"text": VALID}, "models": ["median"]}),
]


def test_the_batch_job_answers_each_request_as_alone() -> None:
    limits = Limits()
    together = forecast_batch(REQUESTS, limits, None)
    alone = [run_job("forecast", (req, limits, None)) for req in REQUESTS]
    assert together == alone
    kinds = [answer[0] for answer in together]
    assert kinds.count("ok") >= 4
    assert kinds.count("error") >= 3


class _Staying:
    """A request whose client stays."""

    async def is_disconnected(self) -> bool:
        return False


@pytest.mark.parametrize("workers", [0, 1])
def test_concurrent_requests_are_answered_together_and_as_alone(workers: int) -> None:
    """Requests queued together (in the server's threads, or one worker process) get the
    answers they get alone; errors stay each request's own."""
    limits = Limits(workers=workers)
    runner = Runner(limits)
    try:
        if runner.pool is not None:
            runner.pool.warm_up()

        async def all_at_once() -> list[Any]:
            calls = [runner(_Staying(), "forecast", (req, limits, None)) for req in REQUESTS]  # type: ignore[arg-type]
            return await asyncio.gather(*calls, return_exceptions=True)

        answers = asyncio.run(all_at_once())
    finally:
        runner.close()
    for req, answer in zip(REQUESTS, answers, strict=True):
        alone = run_job("forecast", (req, limits, None))
        if alone[0] == "ok":
            assert answer == alone[1]
        else:
            assert isinstance(answer, Exception)
            assert str(answer) == alone[2][0]
    assert not runner._queued["forecast"]


def test_the_fast_scenario_hash_is_the_canonical_one() -> None:
    """``scenario_hash`` skips ``plain`` on the JSON-mode data: the digest stays that of the
    canonical JSON (model parameters with tuples and infinities included)."""
    import hashlib

    from multipolar.scenario.loader import to_data
    from multipolar.store.runs import canonical_json, scenario_hash

    odd = SMALL.model_copy(update={"models": {"eum": {"pair": (1, 2), "x": float("inf")}}})
    for scn in (UKRAINE, with_value(UKRAINE, "positions.RUS.donbas", 41.5), SMALL, odd):
        text = canonical_json(to_data(scn))
        assert scenario_hash(scn) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_diagnostics_are_each_element_as_a_float() -> None:
    """``Forecast.as_dict`` converts whole arrays at once: the same floats as element by
    element, for every model (on the forecasts of the batch path, whose arrays are shared)."""
    scns = [with_value(UKRAINE, "positions.RUS.donbas", 33.3), SMALL]
    for model in names():
        for fc in forecast_many(scns, model):
            data = fc.as_dict()
            values = zip(fc.issues, fc.values, strict=True)
            assert data["forecast"] == {k: float(v) for k, v in values}
            for i, issue in enumerate(fc.issues):
                shown = {a: j for j, a in enumerate(fc.actors) if fc.mask[i, j]}
                assert list(data["actors"][issue]) == list(shown)
                for actor, j in shown.items():
                    row = data["actors"][issue][actor]
                    assert row == {
                        "position": float(fc.positions[i, j]),
                        "weight_share": float(fc.share[i, j]),
                        "distance": float(fc.distance[i, j]),
                    }
                    assert all(type(v) is float for v in row.values())


def test_the_state_kept_by_validation_is_the_replayed_one() -> None:
    """``validate`` replays the events to check the final state and keeps it for the
    ``after_events`` that follows (each what-if is resolved once): it is the state a fresh
    replay gives, and it is handed out once."""
    from multipolar.scenario.loader import to_data
    from multipolar.scenario.replay import after_events, ordered, replay

    for value in (12.5, 77.0):
        scn = with_value(UKRAINE, "positions.RUS.donbas", value)
        fresh = replay(scn, ordered(scn.events)).without_inactive()
        kept = after_events(scn)
        again = after_events(scn)  # nothing kept any more: replayed
        assert kept is not again
        assert to_data(kept) == to_data(fresh) == to_data(again)
        assert json.dumps(to_data(kept)) == json.dumps(to_data(fresh))
