"""The c·s votes of the expected utility model for one problem, compiled (see kernel.py): the
median and both probabilities of winning, with numpy's order of summation (npcompat.py)."""

from __future__ import annotations

from multipolar.models.eum.npcompat import IntArray, inline, jit, positive, total
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


@inline
def _term(w: FloatArray, di: FloatArray, dj: FloatArray, ij: FloatArray, ji: FloatArray, k: int
          ) -> tuple[float, float]:  # fmt: skip
    """Vote term k of (i, j), v = w_k (dj_k − di_k): |v| into ij and ji; max(v, 0), max(−v, 0)."""
    v = w[k] * (dj[k] - di[k])
    ij[k] = ji[k] = abs(v)
    return positive(v), positive(-v)


@inline
def _pair(
    w: FloatArray, di: FloatArray, dj: FloatArray, ij: FloatArray, ji: FloatArray, n: int
) -> tuple[float, float]:
    """P's numerators for (i, j) and (j, i), n <= 128: numpy's sums of max(v, 0) and max(−v, 0)
    (npcompat._block's order, its 8 lanes kept in registers), the terms |v| into ij and ji."""
    if n < 8:
        sp, sn = -0.0, -0.0
        for k in range(n):
            a, b = _term(w, di, dj, ij, ji, k)
            sp, sn = sp + a, sn + b
        return 0.0 + sp, 0.0 + sn
    p0, q0 = _term(w, di, dj, ij, ji, 0)
    p1, q1 = _term(w, di, dj, ij, ji, 1)
    p2, q2 = _term(w, di, dj, ij, ji, 2)
    p3, q3 = _term(w, di, dj, ij, ji, 3)
    p4, q4 = _term(w, di, dj, ij, ji, 4)
    p5, q5 = _term(w, di, dj, ij, ji, 5)
    p6, q6 = _term(w, di, dj, ij, ji, 6)
    p7, q7 = _term(w, di, dj, ij, ji, 7)
    for k in range(8, n - n % 8, 8):
        a0, b0 = _term(w, di, dj, ij, ji, k)
        a1, b1 = _term(w, di, dj, ij, ji, k + 1)
        a2, b2 = _term(w, di, dj, ij, ji, k + 2)
        a3, b3 = _term(w, di, dj, ij, ji, k + 3)
        a4, b4 = _term(w, di, dj, ij, ji, k + 4)
        a5, b5 = _term(w, di, dj, ij, ji, k + 5)
        a6, b6 = _term(w, di, dj, ij, ji, k + 6)
        a7, b7 = _term(w, di, dj, ij, ji, k + 7)
        p0, p1, p2, p3, p4, p5, p6, p7 = (
            p0 + a0, p1 + a1, p2 + a2, p3 + a3, p4 + a4, p5 + a5, p6 + a6, p7 + a7
        )  # fmt: skip
        q0, q1, q2, q3, q4, q5, q6, q7 = (
            q0 + b0, q1 + b1, q2 + b2, q3 + b3, q4 + b4, q5 + b5, q6 + b6, q7 + b7
        )  # fmt: skip
    sp = ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7))
    sn = ((q0 + q1) + (q2 + q3)) + ((q4 + q5) + (q6 + q7))
    for k in range(n - n % 8, n):
        a, b = _term(w, di, dj, ij, ji, k)
        sp, sn = sp + a, sn + b
    return 0.0 + sp, 0.0 + sn


@jit
def prob_reference(
    dist: FloatArray, w: FloatArray, mask: BoolArray, P: FloatArray, work: FloatArray,
    todo: IntArray,
) -> None:  # fmt: skip
    """core.win_probability_reference for one problem, from dist[a, k] = (|x_a−x_k|/R)^r_k.

    The terms for (j, i) are those for (i, j) negated. ``work`` receives their absolute values
    (n³, for the global normaliser) and, past 128 actors, the positive parts for (i, j) and
    (j, i) (2n)."""
    n, cube = w.size, w.size**3
    flat, vals = work[:cube], work[cube + 2 * n :]
    pos, neg = work[cube : cube + n], work[cube + n : cube + 2 * n]
    for i in range(n):
        di = dist[i]
        for j in range(i, n):
            ij = flat[(i * n + j) * n : (i * n + j + 1) * n]
            ji = flat[(j * n + i) * n : (j * n + i + 1) * n]
            if mask[i] and mask[j] and i != j:
                dj = dist[j]
                if n <= 128:
                    P[i, j], P[j, i] = _pair(w, di, dj, ij, ji, n)
                else:  # numpy's halvings: the parts go through work
                    for k in range(n):
                        v = w[k] * (dj[k] - di[k])
                        ij[k] = ji[k] = abs(v)
                        pos[k], neg[k] = positive(v), positive(-v)
                    P[i, j], P[j, i] = total(pos, 0, n, todo, vals), total(neg, 0, n, todo, vals)
            else:
                ij[:] = 0.0
                ji[:] = 0.0
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
