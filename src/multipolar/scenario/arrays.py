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
TINY_SALIENCE = 1e-150  # below this, an issue's saliences are rescaled for the weights
CAPABILITY_UNIT = 100.0  # the largest capability, after normalisation (KTAB's usual scale)
CAPABILITY_DIGITS = 12  # significant digits capability ratios are read to


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

    def __post_init__(self) -> None:
        object.__setattr__(self, "c", relative(self.c))

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.x.shape)

    @property
    def weights(self) -> FloatArray:
        """c·s on positioned actors, 0 elsewhere. The models read them per issue as ratios, so
        an issue whose saliences are all below 1e-150 has them divided by the largest first:
        the products keep their precision instead of sinking into subnormal numbers."""
        s = self.s
        top = np.max(np.where(self.mask, s, 0.0), axis=-1, keepdims=True)
        tiny = (top > 0) & (top < TINY_SALIENCE)
        if tiny.any():
            s = np.where(tiny, s / np.where(tiny, top, 1.0), s)
        return np.where(self.mask, self.c * s, 0.0)


def relative(c: FloatArray) -> FloatArray:
    """Capabilities as percentages of the largest of their scenario (per draw when batched),
    to ``CAPABILITY_DIGITS`` significant digits.

    Only ratios of capabilities matter, so every model sees values in [0, 100] whatever the
    file's units, and no sum or product of capabilities can overflow. (KTAB's SMP adds a fixed
    1e-8 to coalition strengths, so it would see the units: fixing them makes it ratio-only
    too.) Scaling every capability by a factor changes the last bits of the ratios by rounding;
    reading them to 12 significant digits, far finer than any estimate, drops that noise, so
    1e-300 or 1e300 times the capabilities give the same forecasts, bit for bit, and a scenario
    whose largest capability is 100 keeps its numbers exactly. All zero stays all zero (the
    models then weigh actors equally).
    """
    c = np.asarray(c, dtype=float)
    if c.ndim < 2:
        top = np.max(c, keepdims=True) if c.size else c
    else:
        top = np.max(c, axis=(-2, -1), keepdims=True) if c.size else c
    ratio = np.where(top > 0, CAPABILITY_UNIT * (c / np.where(top > 0, top, 1.0)), 0.0)
    digits = np.floor(np.log10(np.where(ratio > 0, ratio, 1.0)))
    scale = 10.0 ** (CAPABILITY_DIGITS - 1 - np.maximum(digits, -280.0))
    rounded = np.round(ratio * scale) / scale
    out: FloatArray = np.where(digits >= -280, rounded, ratio)  # below 1e-280: as it is
    return out


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
