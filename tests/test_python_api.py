"""The Python API: one top-level function per question, every result with ``to_dict()`` and
``to_frame()``, and the notebook-style how-to executed cell by cell."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest

import multipolar
from tests.conftest import ROOT

CASE = Path(__file__).parent / "data" / "commitment_binds.yaml"
HOWTO = ROOT / "docs" / "how-to" / "python-api.md"


def test_every_question_is_a_top_level_function() -> None:
    for name in ("forecasts", "verdict", "deals", "war", "what_it_takes", "mediate", "timeline",
                 "simulate", "sensitivity", "summary", "analysis", "report"):  # fmt: skip
        assert name in multipolar.__all__
        assert callable(getattr(multipolar, name))
    import importlib

    importlib.import_module("multipolar.deals.analysis")  # the package of the same name
    importlib.import_module("multipolar.war.report")  # stays callable once imported

    assert (
        multipolar.deals(CASE, draws=0).verdict.margin == multipolar.verdict(CASE, draws=0).margin
    )
    assert multipolar.war(CASE).to_dict()["belligerents"] == ["A", "B"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: multipolar.forecasts(CASE),
        lambda: multipolar.verdict(CASE, draws=60),
        lambda: multipolar.deals(CASE, draws=60, top=2),
        lambda: multipolar.war(CASE),
        lambda: multipolar.what_it_takes(CASE, "conflict.p"),
        lambda: multipolar.mediate(CASE, "O"),
        lambda: multipolar.timeline(CASE),
        lambda: multipolar.simulate(CASE, draws=40),
        lambda: multipolar.simulate(CASE, "deals", draws=40),
        lambda: multipolar.sensitivity(CASE, n=16),
        lambda: multipolar.summary(CASE, draws=40),
        lambda: multipolar.forecast(multipolar.load(CASE), "median"),
    ],
    ids=[
        "forecasts",
        "verdict",
        "deals",
        "war",
        "what_it_takes",
        "mediate",
        "timeline",
        "simulate",
        "simulate-deals",
        "sensitivity",
        "summary",
        "forecast",
    ],
)
def test_every_result_has_a_dict_and_a_frame(make: object) -> None:
    result = make()  # type: ignore[operator]
    data = result.to_dict()
    assert isinstance(data, dict)
    assert data
    json.dumps(data)  # JSON-ready
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) > 0
    assert len(frame.columns) > 0


def test_the_how_to_runs_cell_by_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```python block of docs/how-to/python-api.md runs in one namespace, in order."""
    pytest.importorskip("plotly")
    cells = re.findall(r"^```python\n(.*?)^```", HOWTO.read_text(encoding="utf-8"), re.S | re.M)
    assert len(cells) >= 5
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__howto__"}
    for i, cell in enumerate(cells):
        try:
            exec(compile(cell, f"{HOWTO.name}, cell {i + 1}", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message names the cell
            pytest.fail(f"{HOWTO.name}, cell {i + 1}: {type(exc).__name__}: {exc}")
    assert os.path.getsize(tmp_path / "ukraine.html") > 100_000
