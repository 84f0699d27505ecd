"""Start-up: the command line imports only what a command needs. Heavy libraries (plotting,
compiled kernels, sensitivity analysis, databases, clusters, the web stack, optimisers, data
frames) load when a command uses them, never on ``import multipolar.cli`` or ``--help``."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

HEAVY = (
    "plotly", "numba", "llvmlite", "SALib", "sqlalchemy", "ray", "fastapi", "uvicorn",
    "scipy.optimize", "scipy.stats", "pandas", "jinja2",
)  # fmt: skip


def _modules(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _heavy(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if m in HEAVY or m.split(".")[0] in HEAVY)


def test_import_cli_pulls_in_no_heavy_library() -> None:
    loaded = _modules("import multipolar.cli")
    assert _heavy(loaded) == []
    # nor numpy or the scenario schema: --help needs neither
    assert "numpy" not in loaded
    assert "multipolar.scenario.schema" not in loaded


def test_help_pulls_in_no_heavy_library() -> None:
    code = (
        "import contextlib, io, multipolar.cli as c\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    c.app(['--help'])"
    )
    assert _heavy(_modules(code)) == []


def test_import_multipolar_is_light_and_loads_on_use() -> None:
    assert _heavy(_modules("import multipolar")) == []
    loaded = _modules("import multipolar\nmultipolar.load")
    assert "multipolar.scenario.schema" in loaded
    assert _heavy(loaded) == []


def test_a_small_forecast_does_not_load_numba() -> None:
    """The compiled EUM kernels load for large batches (Monte Carlo), not for one forecast:
    numpy's rounds give the same numbers (tests/test_eum_kernel.py). Registering the exchange
    model (every model is registered here) loads none of its compiled kernels either."""
    scenario = ROOT / "scenarios" / "ukraine_2025_08.yaml"
    # every model but the exchange model, whose only kernels are compiled (numba)
    code = (
        f"import multipolar\nscn = multipolar.load({str(scenario)!r})\n"
        "for m in ('compromise', 'eum', 'median', 'nash', 'smp'):\n"
        "    multipolar.forecast(scn, m)\n"
        "from multipolar.models import names\n"
        "assert 'exchange' in names()"
    )
    loaded = _modules(code)
    assert "multipolar.models.eum" in loaded
    assert "multipolar.models.exchange" in loaded
    assert "multipolar.models.eum.kernel" not in loaded
    assert "multipolar.models.exchange.run" not in loaded
    assert _heavy(loaded) == []


def test_running_the_exchange_model_loads_its_kernels() -> None:
    """The exchange model's kernels load when it runs (and only then, as above)."""
    scenario = ROOT / "scenarios" / "ukraine_2025_08.yaml"
    code = (
        f"import multipolar\nscn = multipolar.load({str(scenario)!r})\n"
        "multipolar.forecast(scn, 'exchange')"
    )
    loaded = _modules(code)
    assert {"multipolar.models.exchange.run", "numba"} <= loaded


def test_answering_questions_does_not_load_the_store() -> None:
    """The report's questions section answers questions without the ledger's database."""
    loaded = _modules("import multipolar.ledger.answer")
    assert "sqlalchemy" not in loaded
    assert "multipolar.store" not in loaded


def test_scoringrules_loads_on_its_numpy_backend() -> None:
    """scoringrules compiles or loads about thirty numba gufuncs when it is imported beside
    numba (5-7 s of CPU); ``ledger.scores`` imports it with numba hidden. Every module that
    scores goes through there: importing the DEU III calibration grading loads no numba."""
    loaded = _modules("import multipolar.backtest.calibration_grade")
    assert "scoringrules" in loaded
    assert "numba" not in loaded
    src = ROOT / "src" / "multipolar"
    found = [p for p in src.rglob("*.py") if _imports_scoringrules(p)]
    importers = sorted(str(p.relative_to(ROOT)) for p in found)
    assert importers == ["src/multipolar/ledger/scores.py"]


def _imports_scoringrules(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        if any(name.split(".")[0] == "scoringrules" for name in names):
            return True
    return False
