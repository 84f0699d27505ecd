"""The calibration's uncertainty model, position noise, as model inputs: for batches of issues
read one at a time, and for whole proposals (the exchange model's problems, ``fit.by_proposal``).

An issue's noise is ``normals(issue, draws, seed)``, one standard normal per draw and actor of
the issue, a function of the seed and the issue's id alone: the same numbers move the issue's
positions whether the issue runs alone, in a batch of issues or with the other issues of its
proposal. A position moves by ``sigma × (high − low) × z`` and is clipped to its issue's scale.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from multipolar.backtest.capabilities import Scheme, capabilities, with_capabilities
from multipolar.backtest.data import DeuIssue
from multipolar.backtest.fit import Variant, proposal_inputs
from multipolar.models.registry import get
from multipolar.scenario.arrays import FloatArray, Inputs, to_inputs


def normals(issue: DeuIssue, draws: int, seed: int) -> FloatArray:
    """The issue's standard normals (draws, actors): a function of the seed and the issue id."""
    key = zlib.crc32(issue.id.encode("utf-8"))
    return np.random.default_rng([seed, key]).standard_normal((draws, len(issue.actors)))


def _moved(
    x: FloatArray, mask: Any, lo: FloatArray, hi: FloatArray, z: FloatArray, sigmas: Sequence[float]
) -> FloatArray:
    """Positions ``x`` (..., k, n) moved by ``sigma × (hi − lo) × z`` per noise level (on a new
    first axis of ``z``'s leading shape), clipped to each issue's scale; 0 where unpositioned."""
    sig = np.asarray(sigmas, dtype=float).reshape(-1, *([1] * (z.ndim - 1)))
    moved = np.clip(x + sig * (hi - lo)[..., None] * z, lo[..., None], hi[..., None])
    return np.where(mask, moved, 0.0)


def noisy_inputs(
    batch: Sequence[DeuIssue], chosen: Scheme, sigmas: Sequence[float], draws: int, seed: int
) -> Inputs:
    """Model inputs (sigmas, issues, draws, 1, actors) for one batch of single-issue problems
    with as many actors each; the actor labels are the first issue's (models read arrays)."""
    base = [to_inputs(with_capabilities(i.scenario, capabilities(i, chosen))) for i in batch]
    lead = (len(sigmas), len(batch), draws)

    def stacked(name: str) -> Any:
        a = np.stack([getattr(b, name) for b in base])  # (G, 1, n) or (G, 1)
        return np.broadcast_to(a[None, :, None], (*lead, *a.shape[1:])).copy()

    x, mask, lo, hi = stacked("x"), stacked("mask"), stacked("lo"), stacked("hi")
    z = np.stack([normals(i, draws, seed) for i in batch])[None, :, :, None, :]
    return Inputs(
        _moved(x, mask, lo, hi, z, sigmas), stacked("c"), stacked("s"), mask, lo, hi,
        stacked("ref"), base[0].actors, base[0].issues,
    )  # fmt: skip


def proposal_noisy_inputs(
    group: Sequence[DeuIssue], chosen: Scheme, sigmas: Sequence[float], draws: int, seed: int
) -> Inputs:
    """Model inputs (sigmas, draws, k, n) for the issues of one proposal as one problem
    (``fit.proposal_inputs``: every actor positioned on any of them); issue i's actors move by
    that issue's own ``normals``, so an issue's noise does not depend on its grouping."""
    base = proposal_inputs(group, [capabilities(i, chosen) for i in group])
    k, n = base.x.shape
    z = np.zeros((draws, k, n))
    for i, issue in enumerate(group):
        z[:, i, [base.actors.index(a) for a in issue.actors]] = normals(issue, draws, seed)
    lead = (len(sigmas), draws)

    def spread(a: Any) -> Any:
        return np.broadcast_to(a, (*lead, *a.shape)).copy()

    x = _moved(base.x, base.mask, base.lo, base.hi, z[None], sigmas)
    return Inputs(
        x, spread(base.c), spread(base.s), spread(base.mask), spread(base.lo), spread(base.hi),
        spread(base.ref), base.actors, base.issues,
    )  # fmt: skip


def proposal_predictive(
    issues: Sequence[DeuIssue],
    variant: Variant,
    chosen: Scheme,
    sigmas: Sequence[float],
    *,
    draws: int,
    seed: int = 0,
) -> FloatArray:
    """A proposal model's forecast of every issue in every draw, per noise level (sigmas,
    issues, draws): the issues of each proposal among ``issues`` form one problem, run at once
    over noise levels and draws, as the leaderboard runs it (``fit.by_proposal``; a proposal
    with one issue is a one-issue problem)."""
    groups: dict[str, list[int]] = {}
    for k, issue in enumerate(issues):
        groups.setdefault(issue.proposal, []).append(k)
    spec = get(variant.model)
    out = np.empty((len(sigmas), len(issues), draws))
    for members in groups.values():
        inputs = proposal_noisy_inputs([issues[k] for k in members], chosen, sigmas, draws, seed)
        fc = np.asarray(spec.run(inputs, seed=seed, **variant.params).forecast, dtype=float)
        out[:, members, :] = np.moveaxis(fc, -1, 1)  # (sigmas, draws, k) -> (sigmas, k, draws)
    return out
