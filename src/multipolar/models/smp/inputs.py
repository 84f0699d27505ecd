"""From ``Inputs`` (issues × actors, any scale) to KTAB's SMP arrays (actors × dimensions on
[0, 1]) and back; the affinity (ideal adjustment) matrix.

Missing positions: KTAB needs every actor on every dimension. An actor without a position on an
issue is given salience 0 there (it does not care about it) and, as a placeholder coordinate,
the capability-weighted mean of the positioned actors (their plain mean if all capabilities
are 0). It is left out of that issue's forecast.

Saliences: each actor's saliences are scaled down to sum to 1 when they sum to more (KTAB
requires a sum of at most 1; KTAB files always satisfy this).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from multipolar.errors import UsageError
from multipolar.models.smp.utility import total
from multipolar.scenario.arrays import BoolArray, FloatArray, Inputs
from multipolar.scenario.schema import Scenario


def to_unit(
    inputs: Inputs, idx: tuple[int, ...]
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Positions ``(n, k)`` on [0, 1], saliences ``(n, k)``, capabilities ``(n,)`` and the
    mask ``(n, k)`` of batch member ``idx``."""
    arrays = (inputs.x, inputs.c, inputs.s, inputs.mask, inputs.lo, inputs.hi)
    return _unit(*(a[idx] for a in arrays))


def to_unit_all(inputs: Inputs) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """``to_unit`` of every batch member at once: ``(..., n, k)``, ``(..., n)`` arrays."""
    return _unit(inputs.x, inputs.c, inputs.s, inputs.mask, inputs.lo, inputs.hi)


def _actor_major(a: FloatArray) -> FloatArray:
    out: FloatArray = np.ascontiguousarray(np.swapaxes(a, -1, -2), dtype=float)
    return out


def _unit(
    x: FloatArray, c: FloatArray, s: FloatArray, mask: BoolArray, lo: FloatArray, hi: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Inputs ``(..., k, n)`` to C-contiguous actor-major arrays (see ``to_unit``)."""
    x, s = _actor_major(x), _actor_major(s)
    m = np.ascontiguousarray(np.swapaxes(mask, -1, -2))
    lo, hi = lo[..., None, :], hi[..., None, :]
    span = hi - lo
    z = np.divide(x - lo, span, out=np.zeros_like(x), where=span > 0)
    z = np.clip(np.where(np.isfinite(z), z, 0.0), 0.0, 1.0)
    cap = np.maximum(np.nan_to_num(total(c, -2) / c.shape[-2]), 0.0)
    w = np.where(m, cap[..., :, None], 0.0)
    sums = total(w, -2)
    w = np.where(sums[..., None, :] > 0, w, m.astype(float))
    fill = total(w * z, -2) / np.maximum(total(w, -2), 1e-300)
    pos = np.where(m, z, fill[..., None, :])
    sal = np.clip(np.where(m, np.nan_to_num(s), 0.0), 0.0, None)
    sal = sal / np.maximum(total(sal, -1, keepdims=True), 1.0)
    return pos, sal, cap, m.astype(float)


def from_unit(z: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Back from [0, 1] to the issue scale ``[lo, hi]`` (broadcasting)."""
    out: FloatArray = lo + z * (hi - lo)
    return out


def affinity_matrix(affinity: Any, n: int) -> FloatArray | None:
    """A validated ``n × n`` affinity matrix, or None (the identity: ideal = position).

    Entries must be in [0, 1]. KTAB requires every row to sum to at most 1; a row that sums to
    more is scaled down to sum to 1.
    """
    if affinity is None:
        return None
    a = np.asarray(affinity, dtype=float)
    if a.shape != (n, n):
        raise UsageError(f"smp: affinity must be a {n}×{n} matrix, not shape {a.shape}")
    if not np.all(np.isfinite(a)) or np.any(a < 0.0) or np.any(a > 1.0):
        raise UsageError("smp: affinity entries must be finite and in [0, 1]")
    rows = np.sum(a, axis=1, keepdims=True)
    out: FloatArray = a / np.maximum(rows, 1.0)
    return out


def prepare(scn: Scenario) -> dict[str, Any]:
    """``{"affinity": A}`` from the scenario's ideal adjustments, or ``{}`` when it has none.

    As KTAB's XML reader does, A starts as the identity and each listed pair sets
    ``A[actor, reference] = weight``; an actor with no listed pair keeps ``A[i, i] = 1``
    (its ideal follows its position). If a row then sums to more than 1 (a listed pair but no
    listed self-weight) the self-weight is lowered to make the row sum to 1 (KTAB would stop).
    """
    if not scn.ideal_adjustment:
        return {}
    ids = list(scn.actor_ids)
    where = {a: i for i, a in enumerate(ids)}
    a = np.eye(len(ids))
    for pair in scn.ideal_adjustment:
        a[where[pair.actor], where[pair.reference]] = pair.weight
    for i in range(len(ids)):
        excess = float(np.sum(a[i])) - 1.0
        if excess > 1e-12:
            a[i, i] = max(0.0, a[i, i] - excess)
    return {"affinity": a}
