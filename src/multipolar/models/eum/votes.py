"""The c·s votes of the expected utility model for one problem, compiled (see kernel.py): the
median and both probabilities of winning, with numpy's order of summation (npcompat.py)."""

from __future__ import annotations

from multipolar.models.eum.npcompat import IntArray, jit, positive, total
from multipolar.scenario.arrays import BoolArray, FloatArray


@jit
def median(
    x: FloatArray, w: FloatArray, mask: BoolArray, row: FloatArray, todo: IntArray, vals: FloatArray
) -> float:
    """core.median_position for one problem."""
    n, first = x.size, 0
    for k in range(n):
        if mask[k]:
            first = k
            break
    winner = x[first]
    for cand in range(n):
        if mask[cand]:
            for k in range(n):
                row[k] = w[k] * (abs(x[k] - winner) - abs(x[k] - x[cand]))
            if total(row, 0, n, todo, vals) > 0:
                winner = x[cand]
    return winner


@jit
def prob_reference(
    dist: FloatArray, w: FloatArray, mask: BoolArray, P: FloatArray, work: FloatArray,
    todo: IntArray,
) -> None:  # fmt: skip
    """core.win_probability_reference for one problem, from dist[a, k] = (|x_a−x_k|/R)^r_k.

    The terms for (j, i) are those for (i, j) negated. ``work`` receives their absolute values
    (n³, for the global normaliser) and the positive parts for (i, j) and (j, i) (2n)."""
    n, cube = w.size, w.size**3
    flat, vals = work[:cube], work[cube + 2 * n :]
    pos, neg = work[cube : cube + n], work[cube + n : cube + 2 * n]
    for i in range(n):
        for j in range(i, n):
            ij = flat[(i * n + j) * n : (i * n + j + 1) * n]
            ji = flat[(j * n + i) * n : (j * n + i + 1) * n]
            if mask[i] and mask[j] and i != j:
                di, dj = dist[i], dist[j]
                for k in range(n):
                    v = w[k] * (dj[k] - di[k])
                    ij[k] = ji[k] = abs(v)
                    pos[k], neg[k] = positive(v), positive(-v)
                P[i, j], P[j, i] = total(pos, 0, n, todo, vals), total(neg, 0, n, todo, vals)
            else:
                ij[:] = ji[:] = 0.0
                P[i, j] = P[j, i] = 0.0
    den = total(flat, 0, cube, todo, vals)
    for i in range(n):
        for j in range(n):
            P[i, j] = P[i, j] / den if den > 0 else 0.0


@jit
def prob_paper(
    x: FloatArray, w: FloatArray, P: FloatArray, work: FloatArray, todo: IntArray
) -> None:
    """core.win_probability_paper for one problem."""
    n = x.size
    rows, vals = work[: 3 * n], work[3 * n :]
    for i in range(n):
        for j in range(i, n):
            for k in range(n):
                v = w[k] * (abs(x[k] - x[j]) - abs(x[k] - x[i]))
                rows[k], rows[n + k], rows[2 * n + k] = positive(v), positive(-v), abs(v)
            den = total(rows, 2 * n, n, todo, vals)
            P[i, j] = total(rows, 0, n, todo, vals) / den if den > 0 else 0.5
            P[j, i] = total(rows, n, n, todo, vals) / den if den > 0 else 0.5
