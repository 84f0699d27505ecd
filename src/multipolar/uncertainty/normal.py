"""The standard normal CDF of the Gaussian copula (montecarlo.uniforms) without scipy.

``ndtr`` gives scipy.special.ndtr's numbers bit for bit (tested): the same rational
approximations of Cephes (Moshier), evaluated operation for operation in the same order, with
the C library's ``exp`` (``math.exp``, which scipy's compiled code calls too). Importing
scipy.special costs about 0.3 s of start-up, as much as drawing 100,000 × 30 values.

ndtr(a) = ½ + ½ erf(a/√2) when |a/√2| < 1, else ½ erfc(|a|/√2), mirrored for a > 0.
"""

from __future__ import annotations

import math

import numpy as np

from multipolar.scenario.arrays import FloatArray

SQRT1_2 = 0.70710678118654752440  # 1/√2, C's M_SQRT1_2
MAXLOG = 7.09782712893383996843e2  # log(largest double): exp(-x²) underflows beyond
# erf(x) = x T(x²) / U(x²) on |x| < 1 (U monic); erfc(x) = exp(−x²) P(x) / Q(x) on 1 ≤ x < 8,
# exp(−x²) R(x) / S(x) beyond (Q, S monic). Cephes' coefficients, highest power first.
T = (9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
     7.00332514112805075473e3, 5.55923013010394962768e4)  # fmt: skip
U = (3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
     2.26290000613890934246e4, 4.92673942608635921086e4)  # fmt: skip
P = (2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
     4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
     9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2)  # fmt: skip
Q = (1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
     9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
     1.65666309194161350182e3, 5.57535340817727675546e2)  # fmt: skip
R = (5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
     6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0)  # fmt: skip
S = (2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
     1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0)  # fmt: skip


def _horner(x: FloatArray, coef: tuple[float, ...], monic: bool = False) -> FloatArray:
    """Σ coef x^k by Horner's rule, with a leading 1 when ``monic`` (Cephes' p1evl)."""
    acc = x + coef[0] if monic else x * coef[0] + coef[1]
    for c in coef[1:] if monic else coef[2:]:
        acc *= x
        acc += c
    return acc


def _erf(x: FloatArray) -> FloatArray:
    """Cephes' erf for |x| < 1 (odd: computed at |x|, the sign put back)."""
    a = np.abs(x)
    z = a * a
    y = a * _horner(z, T)
    y /= _horner(z, U, monic=True)
    return np.where(x < 0.0, -y, y)


def _erfc(a: FloatArray) -> FloatArray:
    """Cephes' erfc for a ≥ 1 (0 once exp(−a²) underflows; a is never NaN here)."""
    z = -a * a
    under = z < -MAXLOG
    out = np.fromiter(map(math.exp, np.where(under, 0.0, z).tolist()), float, z.size)
    near = a < 8.0
    if near.all():
        out *= _horner(a, P)
        out /= _horner(a, Q, monic=True)
    else:
        far = a[~near]
        out[near] = out[near] * _horner(a[near], P) / _horner(a[near], Q, monic=True)
        out[~near] = out[~near] * _horner(far, R) / _horner(far, S, monic=True)
    out[under] = 0.0
    return out


def _ndtr(x: FloatArray) -> FloatArray:
    """ndtr of a flat run, given x = a/√2."""
    z = np.abs(x)
    out = np.full_like(x, np.nan)
    small = z < 1.0
    out[small] = 0.5 + 0.5 * _erf(x[small])
    big = z >= 1.0
    with np.errstate(over="ignore", invalid="ignore"):  # ±inf: exp(−inf) P/Q is 0 · nan
        y = 0.5 * _erfc(z[big])
    out[big] = np.where(x[big] > 0, 1.0 - y, y)
    return out


BLOCK = 1 << 16  # values per pass: the temporaries stay small (100,000 draws × 30: 24 MB each)


def ndtr(a: FloatArray) -> FloatArray:
    """The standard normal CDF at ``a``, as scipy.special.ndtr computes it."""
    x = (np.asarray(a, dtype=float) * SQRT1_2).ravel()
    for lo in range(0, x.size, BLOCK):
        x[lo : lo + BLOCK] = _ndtr(x[lo : lo + BLOCK])
    return x.reshape(np.shape(a))
