"""The exchange model's compile decorators and random stream, for its kernels (bargain.py,
rounds.py, run.py). Importing this module loads numba; only running the model does (the
package's ``__init__`` imports run.py on first use), never registering it.

Random numbers come from SplitMix64 outputs of a per-draw key and a running counter, so every
draw has its own reproducible stream whatever other draws run beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

from multipolar.models.jit import njit

Fn = TypeVar("Fn", bound=Callable[..., object])
_njit: Any = njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def jit(fn: Fn) -> Fn:
    """Compiled with numpy's error model (x / 0 is inf or nan, never an exception). Not cached
    on its own: run.py caches the driver, whose cache key covers this package's files."""
    return cast(Fn, _njit(error_model="numpy")(fn))


def once(fn: Fn) -> Fn:
    """As ``jit``, for a function with one call site: inlined there (in numba's IR), which
    spares compiling it on its own."""
    return cast(Fn, _njit(error_model="numpy", inline="always")(fn))


def leaf(fn: Fn) -> Fn:
    """As ``jit``, for functions that never allocate nor return an array: without reference
    counting of the arrays passed to them (``_nrt=False``), which otherwise costs more than
    their arithmetic."""
    return cast(Fn, _njit(error_model="numpy", _nrt=False)(fn))


def inline_leaf(fn: Fn) -> Fn:
    """As ``leaf``, inlined (in numba's IR) at its call sites, which must be ``leaf`` functions
    too: a call passing the model's tables costs more than the arithmetic of a small kernel."""
    return cast(Fn, _njit(error_model="numpy", _nrt=False, inline="always")(fn))


@leaf
def uniform(key: np.uint64, counter: np.ndarray) -> float:
    """The next uniform in [0, 1) of the stream ``key``; ``counter[0]`` counts the draws."""
    counter[0] += 1
    z = key + np.uint64(counter[0]) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return float(z >> np.uint64(11)) * 2.0**-53
