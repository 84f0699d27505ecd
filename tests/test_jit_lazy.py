"""Cached kernels load without numba's compiler registries; compiling still installs them
(multipolar/models/jit.py), in fresh processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numba
import pytest

from multipolar.models import jit

CASE = Path(__file__).resolve().parents[1] / "scenarios" / "ukraine_2025_08.yaml"

# every model with a compiled kernel, a few draws each: their numbers, and which registries
# numba installed meanwhile (its numpy lowering lives in numba.np.npyimpl)
RUN = (
    "import sys, json\n"
    "import numpy as np\n"
    "from multipolar.scenario import load\n"
    "from multipolar.uncertainty.montecarlo import simulate\n"
    "import multipolar.models.jit as jit\n"
    "if sys.argv[1] == 'eager':\n"
    "    from numba.core.registry import cpu_target\n"
    "    cpu_target.target_context.refresh()\n"
    "scn = load(sys.argv[2])\n"
    "out = {m: simulate(scn, m, draws=400, seed=5).values.tolist()\n"
    "       for m in ('eum', 'smp', 'exchange')}\n"
    "loaded = 'numba.np.npyimpl' in sys.modules\n"
    "import numba.core.dispatcher as d, gc\n"
    "hits = sorted(o.py_func.__name__ for o in gc.get_objects()\n"
    "              if isinstance(o, d.Dispatcher) and o.stats.cache_hits)\n"
    "from numba import njit\n"
    "compiled = float(njit(lambda a: np.sqrt(a).sum())(np.arange(4.0)))\n"
    "print(json.dumps({'out': out, 'registries_before_compiling': loaded, 'hits': hits,\n"
    "                  'compiled': compiled, 'after': 'numba.np.npyimpl' in sys.modules,\n"
    "                  'blas': 'scipy.linalg' in sys.modules}))\n"
)


def _run(mode: str) -> dict[str, object]:
    import json

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", RUN, mode, str(CASE)], check=False, capture_output=True,
        text=True, env=env, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout)
    return result


@pytest.mark.skipif(numba.__version__ != jit.LAZY_REFRESH_NUMBA, reason="numba's own loading")
def test_cached_kernels_give_the_same_numbers_without_the_registries() -> None:
    lazy, eager = _run("lazy"), _run("eager")
    assert lazy["out"] == eager["out"]  # the same draws of every compiled model, exactly
    # EUM's and the exchange model's kernels came from the cache (SMP's numpy path runs
    # so few draws; every replication test of the suite loads its kernels this way too)
    assert lazy["hits"] == eager["hits"] == ["_batch", "_run"]
    assert lazy["registries_before_compiling"] is False
    assert eager["registries_before_compiling"] is True
    # compiling something new installs them, and still without scipy's BLAS probe
    assert lazy["compiled"] == eager["compiled"] == pytest.approx(1 + 2**0.5 + 3**0.5)
    assert lazy["after"] is True
    assert lazy["blas"] is False


def test_the_patch_is_applied_once_and_only_to_the_checked_release() -> None:
    from numba.core import caching

    assert getattr(caching.Cache, "_multipolar", False) is (
        numba.__version__ == jit.LAZY_REFRESH_NUMBA
    )
    patched = caching.Cache.load_overload
    jit.load_numba()  # again: nothing changes
    assert caching.Cache.load_overload is patched
