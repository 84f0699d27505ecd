"""numpy's arithmetic, reproduced in numba for the EUM kernels (kernel.py): the pairwise sum
and the decorators (models/pairwise.py, shared with SMP's kernels), and ``positive``."""

from __future__ import annotations

from multipolar.models.pairwise import STACK, IntArray, inline, jit, total

__all__ = ["STACK", "IntArray", "inline", "jit", "positive", "total"]


@jit
def positive(v: float) -> float:
    """np.maximum(v, 0.0) (NaN stays NaN)."""
    return 0.0 if v < 0.0 else v
