"""What analysts ask of a deal space: is there a zone of agreement, which packages come closest,
who blocks them, how likely all are to accept under the scenario's ranges, what it would cost a
third party to close the gap, and which issues to trade."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from multipolar.deals.solutions import Solutions, frontier, solve
from multipolar.deals.solve import Point
from multipolar.deals.space import DealSpace, binding, build_space, slacks, utilities
from multipolar.scenario.arrays import FloatArray
from multipolar.scenario.schema import Scenario

COMMITMENT = "commitment (guarantees)"


@dataclass(frozen=True)
class Package:
    """A package on the issues' own scales, with each actor's utility and margin."""

    name: str
    terms: dict[str, float]
    utility: dict[str, float]
    margin: dict[str, float]  # u_i − d_i for the parties that must accept (+ commitment)
    blockers: list[str]
    cost_to_close: float
    commitment: float | None = None  # guarantee level above what closing it needs (< 0: open)
    p_accept: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "terms": self.terms,
            "utility": self.utility,
            "margin": self.margin,
            "blockers": self.blockers,
            "cost_to_close": self.cost_to_close,
            "commitment_slack": self.commitment,
            "p_accept": self.p_accept,
        }


@dataclass(frozen=True)
class DealReport:
    feasible: bool
    walk_away: dict[str, float]
    must_accept: list[str]
    packages: list[Package]
    logrolls: list[dict[str, Any]] = field(default_factory=list)
    draws: int = 0
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "zone_of_agreement": self.feasible,
            "walk_away": self.walk_away,
            "must_accept": self.must_accept,
            "packages": [p.as_dict() for p in self.packages],
            "logrolls": self.logrolls,
            "monte_carlo": {"draws": self.draws, "seed": self.seed},
        }


def _columns(space: DealSpace) -> list[str]:
    names = [a for a, v in zip(space.actors, space.veto, strict=True) if v]
    return names + ([COMMITMENT] if space.commit_a is not None else [])


def describe(space: DealSpace, name: str, z: FloatArray) -> Package:
    """A normalised package read on the issues' scales, for the best-values draw."""
    u = utilities(space, z[None])[0, 0]
    s = slacks(space, z[None])[0, 0][binding(space)]
    cols = _columns(space)
    margins = {c: float(v) for c, v in zip(cols, s, strict=True)}
    commitment = margins.pop(COMMITMENT, None)
    blockers = [c for c, v in margins.items() if v < -1e-9]
    if commitment is not None and commitment < -1e-9:
        blockers.append(COMMITMENT)
    return Package(
        name=name,
        terms={i: float(v) for i, v in zip(space.issues, space.to_scale(z), strict=True)},
        utility={a: float(v) for a, v in zip(space.actors, u, strict=True)},
        margin=margins,
        blockers=blockers,
        cost_to_close=float(sum(max(0.0, -v) for v in margins.values())),
        commitment=commitment,
    )


def acceptance(space: DealSpace, z: FloatArray) -> float:
    """Share of the space's draws in which every party that must accept does (and the
    commitment holds)."""
    s = slacks(space, z[None])[:, 0, :][:, binding(space)]
    return float(np.mean(np.all(s >= 0, axis=1)))


def logrolls(space: DealSpace, top: int = 5) -> list[dict[str, Any]]:
    """Issue pairs to trade between two parties that must accept, ordered by how differently
    they weigh the two issues: (s_Ak/s_Bk)/(s_Al/s_Bl) far from 1 means A can concede l to win k
    cheaply, and B the reverse."""
    parties = [i for i, v in enumerate(space.veto) if v]
    w = space.weight[0]
    out: list[dict[str, Any]] = []
    for x, a in enumerate(parties):
        for b in parties[x + 1 :]:
            for k in range(len(space.issues)):
                for m in range(k + 1, len(space.issues)):
                    if min(w[a, k], w[b, k], w[a, m], w[b, m]) <= 0:
                        continue
                    ratio = float((w[a, k] / w[b, k]) / (w[a, m] / w[b, m]))
                    first, second = (k, m) if ratio >= 1 else (m, k)
                    out.append(
                        {
                            "between": [space.actors[a], space.actors[b]],
                            "issues": [space.issues[first], space.issues[second]],
                            "ratio": max(ratio, 1 / ratio),
                            "suggestion": (
                                f"{space.actors[a]} gets its way on {space.issues[first]}, "
                                f"{space.actors[b]} on {space.issues[second]}"
                            ),
                        }
                    )
    return sorted(out, key=lambda r: -float(r["ratio"]))[:top]


def _candidates(space: DealSpace, sol: Solutions, seed: int) -> list[tuple[str, FloatArray]]:
    named: list[tuple[str, FloatArray]] = [("egalitarian (leximin)", sol.egalitarian.z)]
    for label, point in (("Nash", sol.nash), ("Kalai-Smorodinsky", sol.kalai_smorodinsky)):
        if isinstance(point, Point):
            named.append((label, point.z))
    named.append(("status quo", space.status_quo[0]))
    front = frontier(space, seed=seed)
    margin = np.min(slacks(space, front)[0][:, binding(space)], axis=1)
    for rank, idx in enumerate(np.argsort(-margin, kind="stable")[:20]):
        named.append((f"frontier #{rank + 1}", front[idx]))
    return named


def _draws(scn: Scenario, draws: int, seed: int) -> DealSpace:
    """The deal space over ``draws`` seeded draws of the ranges: the same draws (and
    correlations) as every other Monte Carlo run of the scenario."""
    from multipolar.dynamics.apply import resolve
    from multipolar.uncertainty.feasibility import value_sampler
    from multipolar.uncertainty.montecarlo import draw_values

    state = resolve(scn)
    return build_space(state, value_sampler(state, draw_values(state, draws, seed)), draws)


def analyse_deals(scn: Scenario, *, top: int = 5, draws: int = 2000, seed: int = 0) -> DealReport:
    """The deal analysis of a scenario: zone of agreement, the best packages (bargaining
    solutions and frontier points, ranked by their smallest margin), who blocks each, cost to
    close, and the probability all accept under the scenario's ranges (``draws`` seeded draws)."""
    space = build_space(scn)
    sol = solve(space)
    mc = _draws(scn, draws, seed) if draws > 0 else None
    seen: list[FloatArray] = []
    packages = []
    for name, z in _candidates(space, sol, seed):
        if any(np.allclose(z, other, atol=1e-6) for other in seen):
            continue
        seen.append(z)
        pkg = describe(space, name, z)
        if mc is not None:
            pkg = Package(**{**pkg.__dict__, "p_accept": acceptance(mc, z)})
        packages.append(pkg)
    solutions = ("egalitarian (leximin)", "Nash", "Kalai-Smorodinsky")
    fixed = [p for p in packages if p.name in solutions]
    rest = sorted(  # packages nobody blocks first, then by the worst-off party's margin
        (p for p in packages if p.name not in solutions),
        key=lambda p: (bool(p.blockers), -min(p.margin.values())),
    )
    return DealReport(
        feasible=sol.feasible,
        walk_away={a: float(v) for a, v in zip(space.actors, space.walk_away[0], strict=True)},
        must_accept=_columns(space),
        packages=(fixed + rest)[: max(top, len(fixed))],
        logrolls=logrolls(space),
        draws=draws,
        seed=seed,
    )
