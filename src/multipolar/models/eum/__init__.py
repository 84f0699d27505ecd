"""Bueno de Mesquita's expected utility model (EUM), applied to each issue separately.

Two modes: ``reference`` reproduces the replication code behind Scholz, Calbert & Smith's
published table; ``paper`` follows the equations as printed. See docs/models/eum.md.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from multipolar.errors import UsageError
from multipolar.models.eum.core import mean_position, median_position
from multipolar.models.eum.rounds import OFFER_NAMES, Mode, Round, Settings, play_round
from multipolar.models.registry import ModelOutput, register
from multipolar.models.weights import effective_weights
from multipolar.params import MAX_ROUNDS, Param
from multipolar.scenario.arrays import BoolArray, FloatArray, Inputs

__all__ = ["OFFER_NAMES", "Round", "Settings", "eum", "play_round", "settings"]
#: a round and the median after it: (x, w, s, mask, R, cfg, median of x) -> (new_x, r, median)
Step = Callable[
    [FloatArray, FloatArray, FloatArray, BoolArray, FloatArray, Settings, FloatArray],
    tuple[FloatArray, FloatArray, FloatArray],
]
Median = Callable[[FloatArray, FloatArray, BoolArray], FloatArray]


def settings(
    mode: str = "reference",
    q: float = 1.0,
    t: int | None = None,
    fix_capitulation: bool | None = None,
) -> Settings:
    """Validated settings; ``fix_capitulation`` defaults to False in reference mode, True in
    paper mode."""
    if mode not in ("reference", "paper"):
        raise UsageError(f"eum: mode must be 'reference' or 'paper', not {mode!r}")
    if not 0.0 <= q <= 1.0:
        raise UsageError(f"eum: q (probability of the status quo) must be in [0, 1], not {q!r}")
    if t not in (None, 0, 1):
        raise UsageError(f"eum: t must be 0, 1 or unset (the rule), not {t!r}")
    fix = (mode == "paper") if fix_capitulation is None else bool(fix_capitulation)
    chosen: Mode = "reference" if mode == "reference" else "paper"
    return Settings(mode=chosen, q=float(q), t=t, fix_capitulation=fix)


def _step_numpy(
    x: FloatArray, w: FloatArray, s: FloatArray, mask: BoolArray, R: FloatArray, cfg: Settings,
    mu: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:  # fmt: skip
    del mu  # play_round finds it again
    step = play_round(x, w, s, mask, R, cfg)
    return step.new_x, step.r, median_position(step.new_x, w, mask)


#: below this much work (problems × actors³ per round) numpy's rounds beat loading numba
KERNEL_WORK = 100_000


def _round_functions(work: int = KERNEL_WORK) -> tuple[Step, Median]:
    """The round and median for ``work`` (problems × actors³): numpy's for small work, unless
    the compiled kernels are loaded already; the compiled ones (kernel.py: the same numbers,
    bit for bit, batched fast) otherwise. Numba loads on first use, never at start-up."""
    if work < KERNEL_WORK and "multipolar.models.eum.kernel" not in sys.modules:
        return _step_numpy, median_position
    return _compiled()


@cache
def _compiled() -> tuple[Step, Median]:
    """The compiled round and median; numpy's when numba is missing."""
    try:
        from multipolar.models.eum.kernel import median, step
    except ImportError:  # pragma: no cover
        return _step_numpy, median_position
    return step, median


@register(
    "eum",
    title="Expected utility model (Bueno de Mesquita; Scholz et al. 2011)",
    source=(
        "Bueno de Mesquita (1985) APSR 79:156-177; Bueno de Mesquita & Lalman (1986) APSR "
        "80:1113-1129; reconstructed by Scholz, Calbert & Smith (2011) ICAART pp. 18-30. "
        "Reference mode follows the replication code that reproduces their Table 2."
    ),
    params=(
        Param(
            "mode",
            str,
            "reference",
            "reference (replication code) or paper (equations).",
            choices=("reference", "paper"),
        ),
        Param("q", float, 1.0, "Probability of the status quo.", low=0.0, high=1.0),
        Param(
            "t",
            int,
            None,
            "Challenger's term 0 or 1; null: the mode's rule.",
            low=0,
            high=1,
            optional=True,
        ),
        Param(
            "fix_capitulation",
            bool,
            None,
            "Fix the capitulation offer; null: by mode.",
            optional=True,
        ),
        Param("rounds", int, 10, "Rounds of bargaining.", low=0, high=MAX_ROUNDS),
        Param(
            "epsilon",
            float,
            None,
            "Stop once the median moves less than this.",
            low=0.0,
            high=1e12,
            optional=True,
        ),
        Param(
            "patience",
            int,
            3,
            "Calm rounds in a row before stopping (with epsilon).",
            low=1,
            high=MAX_ROUNDS,
        ),
    ),
    properties=frozenset({"unanimity", "hull", "deterministic"}),  # ties go by actor order
)
def eum(
    inputs: Inputs,
    *,
    mode: str = "reference",
    q: float = 1.0,
    t: int | None = None,
    fix_capitulation: bool | None = None,
    rounds: int = 10,
    epsilon: float | None = None,
    patience: int = 3,
    **_: Any,
) -> ModelOutput:
    """Rounds of challenges, compromises and concessions; the forecast is the final median.

    Runs ``rounds`` rounds, or stops earlier once the median has moved less than ``epsilon``
    for ``patience`` consecutive rounds. The trajectory holds positions, median, mean and the
    risk exponents used in each round (round 0 = the input; its risk is NaN).
    """
    cfg = settings(mode, q, t, fix_capitulation)
    if rounds < 0 or patience < 1:
        raise UsageError("eum: rounds must be >= 0 and patience >= 1")
    lead, n = inputs.x.shape[:-1], inputs.x.shape[-1]  # lead = (..., k)
    step, median_of = _round_functions(int(np.prod(lead, dtype=int)) * n**3)
    x = inputs.x.reshape(-1, n).astype(float)
    s = inputs.s.reshape(-1, n)
    mask = inputs.mask.reshape(-1, n)
    w = effective_weights(inputs).reshape(-1, n)  # c·s; equal weights if all are zero
    lo = np.min(np.where(mask, x, np.inf), axis=1)
    hi = np.max(np.where(mask, x, -np.inf), axis=1)
    spread = np.where(np.isfinite(hi - lo), hi - lo, 0.0)
    R = np.where(spread > 0, spread, 1.0)  # fixed from the initial positions
    still = spread > 0  # one distinct position: nothing to bargain about
    history, risk = [x], [np.full(x.shape, np.nan)]
    medians = [median_of(x, w, mask)]
    calm = np.zeros(x.shape[0], dtype=int)
    for _round in range(rounds):
        if not still.any():
            break
        new_x, r, new_median = step(x, w, s, mask, R, cfg, medians[-1])
        x = np.where(still[:, None], new_x, x)
        history.append(x)
        risk.append(np.where(still[:, None] & mask, r, np.nan))
        medians.append(np.where(still, new_median, medians[-1]))  # = median_of(x)
        if epsilon is not None:
            calm = np.where(np.abs(medians[-1] - medians[-2]) < epsilon, calm + 1, 0)
            still &= calm < patience
    depth = len(lead)  # trajectories put rounds before issues: (..., T+1, k, ...)
    median = np.stack(medians, axis=1)
    mean = np.stack([mean_position(h, w) for h in history], axis=1)
    return ModelOutput(
        forecast=median[:, -1].reshape(lead),
        trajectory={
            "positions": np.moveaxis(np.stack(history, 1).reshape(*lead, -1, n), depth, depth - 1),
            "median": np.moveaxis(median.reshape(*lead, -1), depth, depth - 1),
            "mean": np.moveaxis(mean.reshape(*lead, -1), depth, depth - 1),
            "risk": np.moveaxis(np.stack(risk, 1).reshape(*lead, -1, n), depth, depth - 1),
        },
    )
