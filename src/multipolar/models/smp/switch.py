"""When SMP's hot loops run compiled (``compiled.py``, numba) rather than in numpy.

Both give the same numbers bit for bit (tests/test_smp_compiled.py), so the choice is about
time only: numba costs about a second to load, repaid by large batches (the DEU backtest), not
by one small scenario. Voting rules with a cube stay in numpy (numba's ``**`` is not numpy's).
"""

from __future__ import annotations

import sys

#: work (elements of one call's innermost loop) from which a call runs compiled
KERNEL_WORK = 1 << 16
#: True or False runs every call compiled or in numpy (tests); None chooses by the work
COMPILED: bool | None = None
_NUMPY_ONLY = ("prop_cbc", "cubic")


def use_compiled(rule: str, work: int) -> bool:
    """Whether a call of ``work`` elements under voting ``rule`` runs compiled: for the rules
    the kernels know, when the work repays loading numba or the kernels are loaded already."""
    if rule in _NUMPY_ONLY:
        return False
    if COMPILED is not None:
        return COMPILED
    return work >= KERNEL_WORK or "multipolar.models.smp.compiled" in sys.modules


def pce_compiled(rule: str, victory: str, pce: str, work: int) -> bool:
    """``use_compiled`` for a batch of conditional PCEs (``compiled.conditional_pce``): the
    victory models whose powers numpy computes exactly (``c``, ``c * c``) or has none."""
    return (pce == "conditional" and victory in ("linear", "square", "binary")) and use_compiled(
        rule, work
    )
