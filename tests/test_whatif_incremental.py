"""The server's what-if path with incremental validation answers as the unoptimised path: each
edit validated in full (``paths.with_value``), the hash from ``to_data``, every forecast through
``plain`` and ``jobs.encode``, byte for byte, for several edits and chained edits."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from multipolar.errors import MultipolarError
from multipolar.models.api import forecast
from multipolar.models.registry import names
from multipolar.scenario import load
from multipolar.scenario.paths import with_value
from multipolar.store.runs import plain, scenario_hash

pytest.importorskip("fastapi")

from multipolar.server import schemas as api
from multipolar.server.analyses import model_names, run_forecast
from multipolar.server.jobs import encode, run_job
from multipolar.server.limits import Limits
from multipolar.server.whatif import _dumps, forecast_batch, forecast_json

UKRAINE = Path(__file__).resolve().parents[1] / "scenarios" / "ukraine_2025_08.yaml"
EDITS = [
    [("positions.RUS.donbas", 40.0)],
    [("positions.RUS.donbas", 0.3)],  # the range shifts below the scale: a point instead
    [("positions.USA.agreement", 50.0)],  # the Alaska event then pushes it past 100
    [("salience.EUR.guarantees", 0.5), ("conflict.p", 0.4)],
    [("actors.RUS.capability", 60.0), ("positions.RUS.donbas", 70.0)],
    [("conflict.guarantee.credibility", 0.9)],
    [("issues.donbas.status_quo", 30.0)],  # validated in full
]


def _unoptimised(edits: list[tuple[str, float]], models: list[str], seed: int) -> Any:
    """The answer as the server gave it before incremental validation, or the error line."""
    scn = load(UKRAINE)
    try:
        for path, value in edits:
            scn = with_value(scn, path, value)
        body = {"scenario_hash": scenario_hash(scn), "forecasts": run_forecast(scn, models, seed)}
    except MultipolarError as exc:
        return str(exc).split("\n")[0]
    return encode(body)


def test_what_ifs_answer_as_the_unoptimised_path() -> None:
    limits = Limits()
    reqs = [
        api.ForecastRequest.model_validate(
            {
                "scenario": {"bundled": "ukraine_2025_08"},
                "edits": [{"path": p, "value": v} for p, v in edits],
                "models": ["compromise", "smp"],
                "seed": 3,
            }
        )
        for edits in EDITS
    ]
    models = model_names(reqs[0].models)
    together = forecast_batch(reqs, limits, None)
    for edits, req, answer in zip(EDITS, reqs, together, strict=True):
        assert answer == run_job("forecast", (req, limits, None))
        expected = _unoptimised(edits, models, 3)
        if isinstance(expected, bytes):
            assert answer == ("ok", expected)
        else:
            assert answer[0] == "error"
            assert expected in answer[2][0]
    kinds = [a[0] for a in together]
    assert kinds.count("ok") >= 5
    assert kinds.count("error") >= 1


def test_a_forecast_is_written_as_plain_writes_it() -> None:
    """Written directly where JSON gives ``plain``'s text, through ``plain`` elsewhere: NaN,
    numpy integers, True/None keys."""
    scn = with_value(load(UKRAINE), "positions.RUS.donbas", 55.0)
    fcs = [forecast(scn, m) for m in names()]
    fc = fcs[0]
    odd = [
        dataclasses.replace(fc, params={"n": np.int64(3), "x": np.float64(0.5)}),
        dataclasses.replace(fc, params={True: 1, None: 2}),
        dataclasses.replace(fc, params={"nested": {"t": (1.0, float("inf"))}}),
        dataclasses.replace(fc, values=np.full_like(fc.values, np.nan)),
    ]
    for item in [*fcs, *odd]:
        assert forecast_json(item) == _dumps(plain(item.as_dict()))
        json.loads(forecast_json(item))
