"""The shared pieces of SMP's compiled kernels: the decorators, the voting rules and numpy's
pairwise sum (``_sum``) as inlined helpers.

numba keys a kernel's cache on the file the kernel is in, not on the files of the helpers it
inlines. So every kernel file of this package carries ``BASE_DIGEST``, the SHA-256 of this
file: editing this file changes the digest (tests/test_smp_compiled.py says the new one), and
writing it into the kernel files changes them, so their cached kernels are compiled again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

from multipolar.models.jit import njit
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


@_inline
def _block(a: FloatArray, lo: int, m: int) -> float:
    """numpy's pairwise_sum of ``a[lo:lo + m]`` for m <= 128: 8 interleaved partial sums."""
    if m < 8:
        res = -0.0
        for k in range(lo, lo + m):
            res += a[k]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i, end = lo + 8, lo + m - m % 8
    while i < end:
        r0, r1, r2, r3 = r0 + a[i], r1 + a[i + 1], r2 + a[i + 2], r3 + a[i + 3]
        r4, r5, r6, r7 = r4 + a[i + 4], r5 + a[i + 5], r6 + a[i + 6], r7 + a[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for k in range(i, lo + m):
        res += a[k]
    return res


@_kernel
def _long_sum(a: FloatArray, n: int) -> float:
    """numpy's pairwise sum of ``a[:n]`` for n > 128: runs halved at a multiple of 8, the left
    half first, on an explicit stack (numba caches no recursion)."""
    stack_lo = np.empty(192, dtype=np.int64)
    stack_n = np.empty(192, dtype=np.int64)
    vals = np.empty(192)
    stack_lo[0], stack_n[0] = 0, n
    top, nv = 1, 0
    while top > 0:
        top -= 1
        lo, m = stack_lo[top], stack_n[top]
        if m < 0:  # both halves done: add them
            nv -= 1
            vals[nv - 1] = vals[nv - 1] + vals[nv]
        elif m <= 128:
            vals[nv] = _block(a, lo, m)
            nv += 1
        else:
            half = m // 2 - (m // 2) % 8
            stack_lo[top], stack_n[top] = 0, -1
            stack_lo[top + 1], stack_n[top + 1] = lo + half, m - half
            stack_lo[top + 2], stack_n[top + 2] = lo, half
            top += 3
    return vals[0]


@_inline
def _sum(a: FloatArray, n: int) -> float:
    """``np.sum(a[:n])`` of a contiguous run: the identity 0 plus numpy's pairwise sum."""
    if n <= 128:
        return 0.0 + _block(a, 0, n)
    return 0.0 + _long_sum(a, n)
