"""Monte Carlo of deal feasibility: in how many draws of the scenario's ranges is there a
package every party that must accept prefers to walking away, by what margin, which party binds,
and where the max–min package lies.

Every ranged estimate is drawn as in :mod:`multipolar.uncertainty.montecarlo` (same seed, same
draws, optional Gaussian copula), the deal space is built for all draws at once and the max–min
problem of every draw is solved by the batched solver of :mod:`multipolar.deals.batch`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.deals.batch import maxmin_margins
from multipolar.deals.solve import maxmin
from multipolar.deals.space import DealSpace, binding, build_space, slacks
from multipolar.deals.verdict import COMMITMENT, TIE, TOL
from multipolar.defaults import DRAWS, SEED
from multipolar.dynamics.apply import resolve
from multipolar.memo import ObjectMemo
from multipolar.scenario.arrays import BoolArray, FloatArray
from multipolar.scenario.schema import Estimate, Scenario
from multipolar.uncertainty.backends import Backend, Progress, map_chunks
from multipolar.uncertainty.montecarlo import distribution, draw_values, ranged_estimates
from multipolar.uncertainty.sampling import Sampler

if TYPE_CHECKING:
    import pandas as pd


def value_sampler(scn: Scenario, values: dict[str, FloatArray]) -> Sampler:
    """A sampler giving the drawn values of the estimates at ``values``' paths and the best
    value of every other estimate."""
    objects = ranged_estimates(scn)
    by_id = {id(objects[p]): v for p, v in values.items()}

    def sample(est: Estimate) -> FloatArray:
        return by_id.get(id(est), np.asarray(est.best, dtype=float))

    return sample


def _columns(space: DealSpace) -> list[str]:
    names = [a for a, v in zip(space.actors, space.veto, strict=True) if v] + list(space.rat_rows)
    return [*names, COMMITMENT] if space.commit_a is not None else names


def _deal_chunk(
    values: dict[str, FloatArray], n: int, _seed: int, scn: Scenario
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Margins (n,), max–min packages (n, k) and their binding slacks (n, c) for one chunk of
    draws (a task for any backend)."""
    space = build_space(scn, value_sampler(scn, values), n)
    margin, z = maxmin_margins(space)
    at_z = slacks(space, z[:, None, :])[:, 0][:, binding(space)]
    return margin, space.to_scale(z), at_z


Solved = tuple[dict[str, FloatArray], FloatArray, FloatArray, FloatArray]
_SOLVED: ObjectMemo[Solved] = ObjectMemo(2)
_SOLVED_MAX_DRAWS = 10_000  # larger runs are not kept (a few MB each)


def _solved(
    scn: Scenario, draws: int, seed: int, correlations: dict[tuple[str, str], float] | None,
    run: Any,
) -> Solved:  # fmt: skip
    """The draws and every draw's max–min solution; the same (resolved) scenario, draws, seed
    and correlations give the same numbers on every backend, so they are solved once (the
    verdict and the report's uncertainty section both ask)."""
    corr = None if correlations is None else tuple(sorted(correlations.items()))

    def solve() -> Solved:
        values = draw_values(scn, draws, seed, correlations)
        out = run(values)
        return (
            values,
            np.concatenate([o[0] for o in out]),
            np.concatenate([o[1] for o in out]),
            np.concatenate([o[2] for o in out]),
        )

    return _SOLVED.get_or(scn, solve, (draws, seed, corr), keep=draws <= _SOLVED_MAX_DRAWS)


@dataclass(frozen=True)
class Feasibility:
    draws: int
    seed: int
    parties: tuple[str, ...]  # the columns that must be ≥ 0: veto parties, then commitment
    issues: tuple[str, ...]
    scale: list[tuple[float, float]]
    margin: FloatArray  # (D,) max–min margin
    packages: FloatArray  # (D, k) a max–min package, on the issues' scales
    binds: BoolArray  # (D, c) parties whose slack at the max–min package is the smallest (ties)
    point_package: FloatArray  # (k,) the egalitarian package of the best values
    point_accepts: FloatArray  # (D,) whether every row accepts the point package

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as ``multipolar simulate -m deals --format json`` prints it."""
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per draw: the max–min margin, whether a zone exists, whether the fixed
        package is accepted, and the max–min package's terms."""
        import pandas as pd

        frame = pd.DataFrame(self.packages, columns=list(self.issues))
        frame.insert(0, "accepts_fixed_package", self.point_accepts)
        frame.insert(0, "zone", self.margin >= -TOL)
        frame.insert(0, "margin", self.margin)
        frame.index.name = "draw"
        return frame

    @property
    def p_zone(self) -> float:
        return float(np.mean(self.margin >= -TOL))

    def as_dict(self) -> dict[str, Any]:
        m = self.margin
        zone = m >= -TOL
        finite = m[np.isfinite(m)]
        out: dict[str, Any] = {
            "model": "deals",
            "draws": self.draws,
            "seed": self.seed,
            "p_zone": self.p_zone,
            "p_accept_point_package": float(self.point_accepts.mean()),
            "point_package": dict(zip(self.issues, map(float, self.point_package), strict=True)),
            "margin": distribution(finite, (float(finite.min()), float(finite.max())))
            if finite.size
            else None,
            "binding_party": {  # share of draws in which each party binds (ties: several)
                name: {
                    "share": float(np.mean(self.binds[:, j])),
                    "share_without_zone": float(np.mean(self.binds[~zone, j]))
                    if (~zone).any()
                    else 0.0,
                }
                for j, name in enumerate(self.parties)
            },
            "package": {
                issue: distribution(self.packages[:, k], self.scale[k])
                for k, issue in enumerate(self.issues)
            },
        }
        return out


def deal_feasibility(
    scn: Scenario,
    *,
    draws: int = DRAWS,
    seed: int = SEED,
    package: FloatArray | None = None,
    correlations: dict[tuple[str, str], float] | None = None,
    backend: Backend | str = Backend.local,
    workers: int = 1,
    address: str | None = None,
    progress: Progress | None = None,
) -> Feasibility:
    """The deal analysis of ``draws`` seeded draws of every ranged estimate. ``package`` is the
    package fixed now whose acceptance is counted (normalised; default: the egalitarian
    package of the best values, as in the verdict)."""
    scn = resolve(scn)
    base = build_space(scn)
    point = maxmin(base, leximin=True).z if package is None else np.asarray(package, float)

    def run(values: dict[str, FloatArray]) -> list[Any]:
        return map_chunks(
            _deal_chunk, values, draws, seed, (scn,), backend=backend, workers=workers,
            address=address, progress=progress,
        )  # fmt: skip

    values, margin, packages, at_z = _solved(scn, draws, seed, correlations, run)
    space = build_space(scn, value_sampler(scn, values), draws)
    at_point = slacks(space, point[None])[:, 0][:, binding(space)]
    return Feasibility(
        draws=draws,
        seed=seed,
        parties=tuple(_columns(base)),
        issues=base.issues,
        scale=[(float(a), float(b)) for a, b in zip(base.lo, base.hi, strict=True)],
        margin=margin,
        packages=packages,
        binds=at_z <= np.min(at_z, axis=1, keepdims=True) + TIE if at_z.shape[1] else at_z > 0,
        point_package=base.to_scale(point),
        point_accepts=np.all(at_point >= -TOL, axis=1),
    )
