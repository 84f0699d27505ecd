"""The shared pieces of SMP's compiled kernels: the decorators, the voting rules and numpy's
pairwise sum (``_sum``, from ``models/pairwise.py``) as inlined helpers.

numba keys a kernel's cache on the file the kernel is in, not on the files of the helpers it
inlines. So every kernel file of this package carries ``BASE_DIGEST``, the SHA-256 of this file
and models/pairwise.py: editing either changes the digest (tests/test_smp_compiled.py says the
new one), and writing it into the kernel files changes them, so their kernels compile again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

from multipolar.models.jit import njit
from multipolar.models.pairwise import STACK, _block, _total_long
from multipolar.models.smp.utility import BINARY_TOL
from multipolar.scenario.arrays import FloatArray

_njit: Any = njit
Fn = TypeVar("Fn", bound=Callable[..., object])


def _kernel(fn: Fn) -> Fn:
    """Compiled with numpy's error model (x / 0 is inf or nan) and cached in __pycache__."""
    return cast(Fn, _njit(error_model="numpy", cache=True)(fn))


def _inline(fn: Fn) -> Fn:
    """As ``_kernel``, and inlined into its callers by numba (in its IR)."""
    return cast(Fn, _njit(error_model="numpy", inline="always", cache=True)(fn))


#: voting rules the kernel computes, by code
RULES = {"proportional": 0, "binary": 1, "prop_bin": 2, "asym_prosp": 3}


@_inline
def _quad(d: float, r: float) -> float:
    """``utility.quad_utility`` of one value."""
    if d <= 1.0:
        return (1.0 - d) * (1.0 + r * d)
    return (1.0 - d) * (1.0 + r)


@_inline
def _pos(x: float) -> float:
    """``np.maximum(x, 0.0)`` (a sign of zero may differ; every use adds it to a positive)."""
    return 0.0 if x < 0.0 else x


@_inline
def _vote(rule: int, w: float, du: float) -> float:
    """``utility.vote`` of one value, for the rules in ``RULES``."""
    if rule == 0:
        return w * du
    x = du / BINARY_TOL
    clipped = -1.0 if x < -1.0 else (1.0 if x > 1.0 else x)
    if rule == 1:
        return w * clipped
    if rule == 2:
        return w * (0.8 * du + 0.2 * clipped)
    if du < 0.0:
        return w * du
    return (2.0 / 3.0) * w * du


@_inline
def _state(factor: float, own: float, u: float, unn: float) -> float:
    """``contests._state``: ``factor * u`` plus ``unn`` if ``own``."""
    s = factor * u
    if own != 0.0:
        s += unn
    return s


@_kernel
def _long_sum(a: FloatArray, n: int) -> float:
    """numpy's pairwise sum of ``a[:n]``, n > 128 (``models/pairwise.py``, on fresh stacks)."""
    return _total_long(a, 0, n, np.empty(STACK, np.int64), np.empty(STACK))


@_inline
def _sum(a: FloatArray, n: int) -> float:
    """``np.sum(a[:n])`` of a contiguous run: the identity 0 plus numpy's pairwise sum."""
    if n <= 128:
        return 0.0 + _block(a, 0, n)
    return _long_sum(a, n)
