"""Alignment between actors, blocs by hierarchical clustering, and a bloc's cohesion.

Pure functions over arrays. Positions ``x`` are normalised to [0, 1] per issue (the issue's
scale), saliences ``s`` are ≥ 0 and ``has`` marks the positions an actor holds; all three are
``(..., n, k)`` for n actors and k issues (leading axes are batches, e.g. candidate moves).

Alignment of actors i and j, over the issues K_ij both hold positions on:

    a_ij = 1 − Σ_k w_ijk |x_ik − x_jk| / Σ_k w_ijk,    w_ijk = √(s_ik · s_jk)

the salience-weighted mean distance on a [0, 1] scale, subtracted from 1: 1 = the same
positions on everything both weigh, 0 = opposite ends of every scale. The weight of an issue is
the geometric mean of the two saliences (an issue counts as much as both care about it), so
rescaling one actor's salience row leaves its alignments unchanged. Degenerate pairs get a
defined value: zero salience on every shared issue -> equal weights over the shared issues; no
shared issue -> 0.5 (no evidence either way); a_ii = 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.cluster import hierarchy

from multipolar.coalitions.defaults import THRESHOLD
from multipolar.errors import UsageError
from multipolar.scenario.arrays import BoolArray, FloatArray, IntArray
from multipolar.scenario.schema import Scenario

NO_SHARED = 0.5  # alignment of two actors without a shared issue

LINKAGE = "average"  # UPGMA: the distance of two groups is their mean pairwise distance


def alignment(x: FloatArray, s: FloatArray, has: BoolArray) -> FloatArray:
    """Alignment of every pair of actors: ``(..., n, k)`` -> ``(..., n, n)`` (module doc)."""
    x = np.asarray(x, dtype=float)
    s = np.clip(np.asarray(s, dtype=float), 0.0, None)
    has = np.asarray(has, dtype=bool)
    both = has[..., :, None, :] & has[..., None, :, :]  # (..., n, n, k)
    w = np.sqrt(s[..., :, None, :] * s[..., None, :, :]) * both
    gap = np.abs(x[..., :, None, :] - x[..., None, :, :])
    total = w.sum(axis=-1)
    shared = both.sum(axis=-1)
    weighted = (w * gap).sum(axis=-1) / np.where(total > 0, total, 1.0)
    equal = (both * gap).sum(axis=-1) / np.maximum(shared, 1)
    dist = np.where(total > 0, weighted, np.where(shared > 0, equal, 1.0 - NO_SHARED))
    out = 1.0 - dist
    n = out.shape[-1]
    out[..., np.arange(n), np.arange(n)] = 1.0
    return out


def cohesion(align: FloatArray, members: Sequence[int] | IntArray) -> FloatArray:
    """A bloc's cohesion: the mean alignment over its pairs of members (1 for a single actor).
    ``align`` is ``(..., n, n)``; the result has the leading shape."""
    idx = np.asarray(members, dtype=int)
    if idx.size < 2:
        return np.ones(np.asarray(align).shape[:-2])
    sub = np.asarray(align)[..., idx[:, None], idx[None, :]]
    m = idx.size
    return (sub.sum(axis=(-2, -1)) - np.trace(sub, axis1=-2, axis2=-1)) / (m * (m - 1))


def blocs(align: FloatArray, threshold: float = THRESHOLD) -> tuple[list[list[int]], FloatArray]:
    """Blocs by average-linkage (UPGMA) hierarchical clustering on the distance 1 − a_ij, cut
    where the distance between groups exceeds 1 − ``threshold``: two groups are one bloc when
    their mean pairwise alignment is at least ``threshold``.

    Returns the blocs (actor indices, in order; blocs by size, then by their first actor) and
    the linkage's merge heights as alignments (the alignment at which each merge happens, in
    merge order), which say how far each bloc is from the cut.
    """
    if not 0.0 <= threshold <= 1.0:
        raise UsageError(f"threshold must lie in [0, 1], not {threshold}")
    a = np.asarray(align, dtype=float)
    n = a.shape[0]
    if n < 2:
        return [list(range(n))], np.zeros(0)
    dist = np.clip(1.0 - (a + a.T) / 2, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    from scipy.spatial.distance import squareform

    link = hierarchy.linkage(squareform(dist, checks=False), method=LINKAGE)
    labels = hierarchy.fcluster(link, t=1.0 - threshold + 1e-12, criterion="distance")
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    ordered = sorted(groups.values(), key=lambda g: (-len(g), g[0]))
    return ordered, 1.0 - link[:, 2]


def arrays(scn: Scenario) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Normalised positions, saliences and which positions are held, (n, k) each, from the
    best values of a scenario (as it stands: apply its events first)."""
    n, k = len(scn.actors), len(scn.issues)
    x, s = np.zeros((n, k)), np.zeros((n, k))
    has = np.zeros((n, k), dtype=bool)
    for a, actor in enumerate(scn.actor_ids):
        for j, issue in enumerate(scn.issues):
            est = scn.positions.get(actor, {}).get(issue.id)
            if est is None:
                continue
            x[a, j] = (est.best - issue.low) / (issue.high - issue.low)
            s[a, j] = scn.salience[actor][issue.id].best
            has[a, j] = True
    return x, s, has
