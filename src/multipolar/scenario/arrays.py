"""The array form of a scenario that every model consumes.

Shapes: ``x``, ``c``, ``s`` and ``mask`` are ``(..., k, n)`` for k issues and n actors; ``lo``,
``hi`` and ``ref`` are ``(..., k)``. Leading axes (``...``) are batches, e.g. Monte Carlo draws.
Where ``mask`` is False the actor has no position on that issue; ``x`` and ``s`` hold 0 there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from multipolar.scenario.schema import Estimate, Scenario

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]
Pick = Literal["best", "low", "high"]


@dataclass(frozen=True)
class Inputs:
    """Positions, capabilities, saliences and scales as arrays, with actor and issue labels."""

    x: FloatArray
    c: FloatArray
    s: FloatArray
    mask: BoolArray
    lo: FloatArray
    hi: FloatArray
    ref: FloatArray
    actors: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.x.shape)

    @property
    def weights(self) -> FloatArray:
        """c·s on positioned actors, 0 elsewhere."""
        return np.where(self.mask, self.c * self.s, 0.0)


def _value(est: Estimate, pick: Pick) -> float:
    return {"best": est.best, "low": est.lo, "high": est.hi}[pick]


def to_inputs(scn: Scenario, pick: Pick = "best") -> Inputs:
    """Arrays of one value (``best`` by default) of every estimate in a valid scenario."""
    actors, issues = scn.actor_ids, scn.issue_ids
    k, n = len(issues), len(actors)
    x = np.zeros((k, n))
    s = np.zeros((k, n))
    mask = np.zeros((k, n), dtype=bool)
    for j, actor_id in enumerate(actors):
        for i, issue_id in enumerate(issues):
            est = scn.positions.get(actor_id, {}).get(issue_id)
            if est is not None:
                x[i, j] = _value(est, pick)
                s[i, j] = _value(scn.salience[actor_id][issue_id], pick)
                mask[i, j] = True
    c = np.broadcast_to(
        np.array([_value(a.capability, pick) for a in scn.actors], dtype=float), (k, n)
    ).copy()
    lo = np.array([iss.low for iss in scn.issues], dtype=float)
    hi = np.array([iss.high for iss in scn.issues], dtype=float)
    ref = np.array(
        [np.nan if iss.status_quo is None else _value(iss.status_quo, pick) for iss in scn.issues]
    )
    return Inputs(x, c, s, mask, lo, hi, ref, tuple(actors), tuple(issues))


def from_arrays(
    x: object,
    c: object,
    s: object,
    *,
    lo: float | object = 0.0,
    hi: float | object = 100.0,
    mask: object | None = None,
    ref: float | object = np.nan,
) -> Inputs:
    """Build ``Inputs`` straight from arrays (broadcast to a common ``(..., k, n)`` shape).

    One-dimensional ``x`` means one issue. Handy for tests and for other tools' data.
    """
    xa = np.atleast_2d(np.asarray(x, dtype=float))
    ca, sa = np.asarray(c, dtype=float), np.asarray(s, dtype=float)
    shape = np.broadcast_shapes(xa.shape, ca.shape, sa.shape)
    m = np.ones(shape, dtype=bool) if mask is None else np.broadcast_to(np.asarray(mask), shape)
    xb = np.where(m, np.broadcast_to(xa, shape), 0.0)
    sb = np.where(m, np.broadcast_to(sa, shape), 0.0)
    cb = np.broadcast_to(ca, shape).astype(float)
    kshape = shape[:-1]
    return Inputs(
        x=xb,
        c=cb,
        s=sb,
        mask=m.astype(bool),
        lo=np.broadcast_to(np.asarray(lo, dtype=float), kshape).astype(float),
        hi=np.broadcast_to(np.asarray(hi, dtype=float), kshape).astype(float),
        ref=np.broadcast_to(np.asarray(ref, dtype=float), kshape).astype(float),
    )
