"""SMP's hot loops compiled with numba, for large batches: the contests of a turn
(``contests.contests``, contests.py), the conditional PCE (pce.py), the unique-position classes
and the bargain states (states.py), with the helpers they share (base.py).

One pass over (pair, target, third party) computes each third party's votes without the
``(P, J, n)`` temporaries of the numpy path, so the batch (the DEU backtest's issues × schemes)
is no longer bound by memory traffic. Every value is the same IEEE operation on the same
operands, in the same order, as in ``contests.contests``; the sum over third parties follows
numpy's pairwise order (``_sum``, from ``models/pairwise.py``, shared with the EUM). So the
results are equal bit for bit (tests/test_smp_compiled.py), and which path runs never changes a
number. Voting rules with a cube (``prop_cbc``, ``cubic``) stay on the numpy path: numba's
``**`` is not numpy's.

Importing this module loads numba: ``batch`` imports it only for work big enough to repay it
(``KERNEL_WORK``) or once it is loaded. The kernels are cached in ``__pycache__``; base.py says
how a change to the helpers they share reaches their cache.
"""

from multipolar.models.smp.compiled.base import RULES, _sum
from multipolar.models.smp.compiled.contests import coalitions, contests
from multipolar.models.smp.compiled.pce import VICTORY, conditional_pce
from multipolar.models.smp.compiled.states import bargain_states, classes

__all__ = [
    "RULES",
    "VICTORY",
    "_sum",
    "bargain_states",
    "classes",
    "coalitions",
    "conditional_pce",
    "contests",
]
