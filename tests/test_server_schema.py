"""schemathesis over the web API: every built-in check (server errors, status codes, content
types, response schemas and headers, schema-valid data accepted and schema-invalid data
refused, methods and ``Allow``, ...) on every operation, and stateful sequences that follow the
schema's links (save a run, then read it and compare it)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("schemathesis")
pytest.importorskip("fastapi")
with warnings.catch_warnings():  # starlette asks for httpx2 for its test client
    warnings.filterwarnings("ignore", message=".*httpx2")
    import schemathesis

from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode

from multipolar.server.app import create_app
from multipolar.server.limits import Limits
from tests.test_server import EVENT, VALID

SMALL = {"text": VALID + EVENT}  # every analysis of it takes milliseconds
FUZZ = settings(
    max_examples=6,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


def _real_scenario(case: Any) -> None:
    """A schema-valid request gets a real scenario and no edits: which scenario text is valid,
    and which edit paths it has, the schema cannot say (they are checked, with 422 or 400,
    by the server; the negative cases show it). Everything else stays as generated."""
    positive = case.meta is None or case.meta.generation.mode.is_positive
    if positive and isinstance(case.body, dict) and "scenario" in case.body:
        case.body["scenario"] = SMALL
        case.body["edits"] = []
    elif positive and isinstance(case.body, dict) and "text" in case.body:  # the editor's open
        case.body.update(text=SMALL["text"], format="yaml")


@pytest.fixture
def schema(tmp_path: Path) -> Any:
    limits = Limits(max_draws=10, max_attribution_effects=2, max_body_bytes=100_000, workers=0)
    app = create_app(db_url=str(tmp_path / "fuzz.sqlite"), limits=limits)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_schemathesis_all_checks_on_every_operation(schema: Any) -> None:
    load_all_checks()
    checks = CHECKS.get_all()
    assert len(checks) >= 14  # every built-in check, negative and positive data included
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12  # 9, and the editor's validate, open and download
    statuses: dict[str, set[int]] = {op.label: set() for op in operations}

    def call(case: Any) -> None:
        _real_scenario(case)
        response = case.call_and_validate(checks=checks)
        statuses[case.operation.label].add(response.status_code)

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                FUZZ(given(case=operation.as_strategy(generation_mode=mode))(call))()
            except Unsatisfiable:  # nothing to negate (GET /api/meta takes no input)
                assert mode is GenerationMode.NEGATIVE
                assert operation.label == "GET /api/meta"
    # the run reached the analyses, not only the validation of requests
    reached = {label for label, codes in statuses.items() if codes & {200, 201}}
    assert {"POST /api/forecast", "POST /api/deals", "POST /api/timeline"} <= reached, statuses
    assert all(code < 500 for codes in statuses.values() for code in codes), statuses


def test_schemathesis_stateful_links(schema: Any) -> None:
    steps: list[tuple[str, int]] = []

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def before_call(self, case: Any) -> None:
            _real_scenario(case)

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            steps.append((case.operation.label, response.status_code))

    Machine.run(settings=settings(FUZZ, stateful_step_count=4))
    followed = {label for label, status in steps if status == 200}
    assert "GET /api/runs/{run_id}" in followed  # reached through the link from a saved run
    assert all(status < 500 for _, status in steps)
