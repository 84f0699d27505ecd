"""numpy's pairwise sum reproduced in numba, and the decorators of compiled helpers that never
allocate: shared by the EUM's kernels (``models/eum``) and SMP's (``models/smp/compiled``).

``np.sum`` over a contiguous run of float64 is the identity 0 plus numpy's pairwise sum: blocks
of at most 128 terms are added into 8 interleaved partial sums, longer runs are halved (at a
multiple of 8) and the halves added. Kernels give numpy's results bit for bit only because they
add in this order.

numba keys a kernel's cache on the kernel's own file, so each kernel's cache key also carries a
digest of this file (models/eum/kernel.py, models/smp/compiled/base.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from multipolar.models.jit import njit
from multipolar.scenario.arrays import FloatArray

Fn = TypeVar("Fn", bound=Callable[..., object])
IntArray = NDArray[np.int64]
STACK = 400  # room for the halvings of any run shorter than 2**63
_njit: Any = njit  # numba's annotations omit its private option _nrt
_U1, _U2, _U3, _U4 = np.uint64(1), np.uint64(2), np.uint64(3), np.uint64(4)
_U5, _U6, _U7, _U8 = np.uint64(5), np.uint64(6), np.uint64(7), np.uint64(8)


def jit(fn: Fn) -> Fn:
    """Compiled (not cached on its own: the kernels that call it are), with numpy's error
    model (x / 0 is inf or nan) and without reference counting (``_nrt=False``): these
    functions never allocate, and counting the arrays passed to them took a third of the time."""
    return cast(Fn, _njit(error_model="numpy", _nrt=False)(fn))


def inline(fn: Fn) -> Fn:
    """As ``jit``, and inlined by numba into its callers (LLVM leaves such calls alone)."""
    return cast(Fn, _njit(error_model="numpy", _nrt=False, inline="always")(fn))


@inline
def _block(a: FloatArray, lo: int, n: int) -> float:
    """numpy's pairwise_sum of a[lo:lo + n] for n <= 128, operation for operation. Past the
    first 8 terms it indexes with unsigned integers: numba wraps negative signed indices, which
    kept LLVM from unrolling the loop (3-4 times slower on 128 terms)."""
    if n < 8:
        res = -0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    u, end = np.uint64(lo) + _U8, np.uint64(lo + n - n % 8)
    while u < end:
        r0, r1, r2, r3 = r0 + a[u], r1 + a[u + _U1], r2 + a[u + _U2], r3 + a[u + _U3]
        r4, r5, r6, r7 = r4 + a[u + _U4], r5 + a[u + _U5], r6 + a[u + _U6], r7 + a[u + _U7]
        u += _U8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for k in range(lo + n - n % 8, lo + n):
        res += a[k]
    return res


@jit
def _total_long(a: FloatArray, lo: int, n: int, todo: IntArray, vals: FloatArray) -> float:
    """np.sum(a[lo:lo + n]) for any n; the halving runs on the stacks ``todo`` and ``vals``
    (``STACK`` long), as numba cannot cache a recursive function."""
    todo[0], todo[1] = lo, n
    top, nv = 2, 0
    while top > 0:
        top -= 2
        start, m = todo[top], todo[top + 1]
        if m < 0:  # both halves done: add them
            nv -= 1
            vals[nv - 1] = vals[nv - 1] + vals[nv]
        elif m <= 128:
            vals[nv] = _block(a, start, m)
            nv += 1
        else:  # the left half first, then the right half, then their sum
            half = m // 2 - (m // 2) % 8
            todo[top], todo[top + 1], todo[top + 2] = 0, -1, start + half
            todo[top + 3], todo[top + 4], todo[top + 5] = m - half, start, half
            top += 6
    return 0.0 + vals[0]


@inline
def total(a: FloatArray, lo: int, n: int, todo: IntArray, vals: FloatArray) -> float:
    """np.sum(a[lo:lo + n]); ``todo`` and ``vals`` are scratch for runs longer than 128."""
    if n <= 128:
        return 0.0 + _block(a, lo, n)
    return _total_long(a, lo, n, todo, vals)
