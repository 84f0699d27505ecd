"""numba for the compiled kernels (EUM, SMP, exchange), loaded once, and lighter.

Every module that compiles a kernel takes numba's API from here (``from multipolar.models.jit
import njit, prange``), never from numba itself, so that whichever model loads first, numba
comes up the same way:

- its numpy support without its import-time probe of scipy's BLAS. numba/np/arraymath.py
  imports scipy.linalg.cython_blas when it loads, only to choose how np.cov and np.correlate
  take inner products in compiled code; that pulls in all of scipy.linalg (and, through scipy's
  array-API layer, numpy.f2py and numpy.testing): some 0.3 s of CPU and 17 MiB for kernels that
  use no BLAS. With the module hidden the probe fails at once; np.dot and np.linalg still find
  scipy when they compile (numba looks again then). The global import lock keeps other threads
  from importing scipy.linalg meanwhile.
- OpenMP workers that sleep between launches. numba's OpenMP workers spin-wait after each
  launch (GNU OpenMP: some 300,000 turns), burning a core while numpy computes between two
  launches (the EUM's powers): a third more CPU for 100,000 EUM draws. ``OMP_WAIT_POLICY`` is
  read once, when OpenMP loads (the first parallel launch); a value the user set is kept.
- kernels taken from the cache without numba's compiler registries. Before loading a cached
  kernel numba "refreshes" its target: it imports and installs every lowering and typing
  registry (its numpy, its typed containers, ...), some 0.35 s of CPU that only compiling
  needs. A cached kernel needs the runtime (NRT) alone, so here loading one initialises that;
  the registries are installed, as numba always does, when something is compiled
  (``compile_extra`` refreshes the target first), with the BLAS probe hidden as above. Only
  with the numba version this was checked against (``LAZY_REFRESH_NUMBA``); any other keeps
  numba's own loading.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

#: the numba release whose cache loading ``_lazy_refresh`` was checked against (pyproject pins it)
LAZY_REFRESH_NUMBA = "0.68.1"


def _import_arraymath() -> None:
    """Import numba's numpy support with scipy's BLAS module hidden (see the docstring)."""
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    import _imp

    _imp.acquire_lock()
    try:
        sys.modules.setdefault("scipy.linalg.cython_blas", None)  # type: ignore[arg-type]
        import numba.np.arraymath  # noqa: F401  (numba loads it with its registries: now)
    finally:
        if sys.modules.get("scipy.linalg.cython_blas", False) is None:
            del sys.modules["scipy.linalg.cython_blas"]
        _imp.release_lock()


def _lazy_refresh() -> bool:
    """Load cached kernels with the runtime only, and install the registries when compiling
    (see the docstring); False, and numba left as it is, with another numba release."""
    import numba
    from numba.core import caching, cpu
    from numba.core.runtime.nrt import rtsys

    if getattr(caching.Cache, "_multipolar", False):
        return True
    if numba.__version__ != LAZY_REFRESH_NUMBA:
        return False
    registries: Callable[[Any], None] = cpu.CPUContext.load_additional_registries

    def load_additional_registries(self: Any) -> None:
        _import_arraymath()
        registries(self)

    def load_overload(self: Any, sig: Any, target_context: Any) -> Any:
        rtsys.initialize(target_context)  # what a cached kernel needs of the refresh
        with self._guard_against_spurious_io_errors():
            return self._load_overload(sig, target_context)

    setattr(cpu.CPUContext, "load_additional_registries", load_additional_registries)  # noqa: B010
    setattr(caching.Cache, "load_overload", load_overload)  # noqa: B010
    setattr(caching.Cache, "_multipolar", True)  # noqa: B010
    return True


def load_numba() -> None:
    """Import numba as described above (nothing if already done)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        if not _lazy_refresh():
            _import_arraymath()
    except ImportError:  # pragma: no cover - numba missing: the numpy paths run
        pass


load_numba()

from numba import get_num_threads, njit, prange, set_num_threads  # noqa: E402

__all__ = ["get_num_threads", "load_numba", "njit", "prange", "set_num_threads"]
