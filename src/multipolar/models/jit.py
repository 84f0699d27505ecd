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
"""

from __future__ import annotations

import os
import sys


def load_numba() -> None:
    """Import numba and its numpy support as described above (nothing if already done)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if "numba.np.arraymath" in sys.modules or "scipy.linalg" in sys.modules:
        return
    import _imp

    _imp.acquire_lock()
    try:
        sys.modules.setdefault("scipy.linalg.cython_blas", None)  # type: ignore[arg-type]
        import numba.np.arraymath  # noqa: F401  (numba loads it with the first kernel: now)
    except ImportError:  # pragma: no cover - numba missing: the numpy paths run
        pass
    finally:
        if sys.modules.get("scipy.linalg.cython_blas", False) is None:
            del sys.modules["scipy.linalg.cython_blas"]
        _imp.release_lock()


load_numba()

from numba import get_num_threads, njit, prange, set_num_threads  # noqa: E402

__all__ = ["get_num_threads", "load_numba", "njit", "prange", "set_num_threads"]
