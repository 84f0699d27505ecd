"""What analysts ask of a deal space: is there a zone of agreement, which packages come closest,
who blocks them, how likely all are to accept under the scenario's ranges, what it would cost a
third party to close the gap, and which issues to trade."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.deals.ratify import active_rows
from multipolar.deals.solutions import Solutions, frontier, solve
from multipolar.deals.solve import Point
from multipolar.deals.space import DealSpace, binding, build_space, slacks, utilities
from multipolar.deals.verdict import (
    COMMITMENT,
    TOL,
    Probability,
    Verdict,
    binding_rows,
    blocking_rows,
    shortfall,
)
from multipolar.defaults import DRAWS, SEED
from multipolar.memo import ObjectMemo

if TYPE_CHECKING:
    import pandas as pd

    from multipolar.deals.ratify_report import Ratification
from multipolar.scenario.arrays import FloatArray
from multipolar.scenario.schema import Scenario


@dataclass(frozen=True)
class Package:
    """A package on the issues' own scales, with each actor's utility and the margin of every
    row it must meet (+ = room for a deal; see :mod:`multipolar.deals.verdict`)."""

    name: str
    terms: dict[str, float]
    utility: dict[str, float]
    margin: dict[str, float]  # u_i − d_i for the parties that must accept
    commitment: float | None = None  # the commitment row's margin (None: no such row)
    p_accept: float | None = None
    ratification: dict[str, float] | None = None  # u_c − d_c of the rows ACTOR/ID (if any)

    @property
    def rows(self) -> dict[str, float]:
        """Every row's margin: the parties', the ratification rows', then the commitment's."""
        extra = {} if self.commitment is None else {COMMITMENT: self.commitment}
        return {**self.margin, **(self.ratification or {}), **extra}

    @property
    def min_margin(self) -> float:
        return min(self.rows.values()) if self.rows else float("inf")

    @property
    def binding(self) -> list[str]:
        return binding_rows(self.rows)

    @property
    def blockers(self) -> list[str]:
        return blocking_rows(self.rows)

    @property
    def cost_to_close(self) -> float:
        return shortfall(self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "terms": self.terms,
            "utility": self.utility,
            "margin": self.margin,
            "commitment_margin": self.commitment,
            "min_margin": self.min_margin,
            "binding": self.binding,
            "blockers": self.blockers,
            "cost_to_close": self.cost_to_close,
            "p_accept": self.p_accept,
            **({"ratification_margin": self.ratification} if self.ratification else {}),
        }


@dataclass(frozen=True)
class DealReport:
    verdict: Verdict
    walk_away: dict[str, float]
    must_accept: list[str]
    packages: list[Package]
    logrolls: list[dict[str, Any]] = field(default_factory=list)
    draws: int = 0
    seed: int = 0
    ratification: Ratification | None = None  # None: the scenario has no constituencies

    @property
    def feasible(self) -> bool:
        return self.verdict.zone

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.as_dict(),
            "zone_of_agreement": self.verdict.zone,
            "walk_away": self.walk_away,
            "must_accept": self.must_accept,
            "packages": [p.as_dict() for p in self.packages],
            "logrolls": self.logrolls,
            "monte_carlo": {"draws": self.draws, "seed": self.seed},
            **({} if self.ratification is None else {"ratification": self.ratification.as_dict()}),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as ``multipolar deals --format json`` prints it."""
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per package: its terms, smallest margin, binding rows, blockers, cost to
        close and P(all accept); the verdict's package first."""
        from multipolar.frames import records

        return records(
            {"package": p.name, **p.terms, "min_margin": p.min_margin,
             "binding": ", ".join(p.binding), "blockers": ", ".join(p.blockers),
             "cost_to_close": p.cost_to_close, "p_accept": p.p_accept}
            for p in self.packages
        )  # fmt: skip


def _columns(space: DealSpace) -> list[str]:
    names = [a for a, v in zip(space.actors, space.veto, strict=True) if v]
    return names + list(space.rat_rows) + ([COMMITMENT] if space.commit_a is not None else [])


def row_labels(scn: Scenario, space: DealSpace) -> dict[str, str]:
    """Each row of the deal in words."""
    out = {a: f"{a}'s gain over walking away" for a in _columns(space) if a != COMMITMENT}
    if space.rat_rows:
        from multipolar.deals.ratify_report import row_label

        out.update({r: row_label(scn, r) for r in space.rat_rows})
    war = scn.conflict
    if space.commit_a is not None and war is not None and war.power_shift is not None:
        out[COMMITMENT] = (
            f"the commitment constraint ({COMMITMENT}: {war.power_shift.declining}, the "
            "declining side, must prefer the deal now to fighting before the power shift)"
        )
    return out


def describe(space: DealSpace, name: str, z: FloatArray) -> Package:
    """A normalised package read on the issues' scales, for the best-values draw."""
    u = utilities(space, z[None])[0, 0]
    s = slacks(space, z[None])[0, 0][binding(space)]
    margins = {c: float(v) for c, v in zip(_columns(space), s, strict=True)}
    commitment = margins.pop(COMMITMENT, None)
    on = set(active_rows(space))
    rat = {r: margins.pop(r) for r in space.rat_rows}
    return Package(
        name=name,
        terms={i: float(v) for i, v in zip(space.issues, space.to_scale(z), strict=True)},
        utility={a: float(v) for a, v in zip(space.actors, u, strict=True)},
        margin=margins,
        commitment=commitment,
        ratification={r: v for r, v in rat.items() if r in on} or None,
    )


def acceptance(space: DealSpace, z: FloatArray) -> float:
    """Share of the space's draws in which every party that must accept does (and the
    commitment holds)."""
    s = slacks(space, z[None])[:, 0, :][:, binding(space)]
    return float(np.mean(np.all(s >= -TOL, axis=1)))


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
    from multipolar.uncertainty.feasibility import value_sampler
    from multipolar.uncertainty.montecarlo import draw_values

    return build_space(scn, value_sampler(scn, draw_values(scn, draws, seed)), draws)


def verdict_of(scn: Scenario, space: DealSpace, z: FloatArray, *, draws: int, seed: int) -> Verdict:
    """The verdict at package ``z`` (normalised; the egalitarian package), with the Monte Carlo
    probabilities over ``draws`` seeded draws (none when ``draws`` is 0)."""
    pkg = describe(space, "egalitarian (leximin)", z)
    p_zone = p_accept = None
    spread: dict[str, Any] | None = None
    if draws > 0:
        from multipolar.uncertainty.feasibility import deal_feasibility

        feas = deal_feasibility(scn, draws=draws, seed=seed, package=z)
        p_zone = Probability(feas.p_zone, draws, seed)
        p_accept = Probability(float(feas.point_accepts.mean()), draws, seed)
        mc = feas.as_dict()
        spread = {
            "binding_share": {k: v["share"] for k, v in mc["binding_party"].items()},
            "margin_quantiles": mc["margin"]["quantiles"] if mc["margin"] else None,
        }
    return Verdict(
        zone=pkg.min_margin >= -TOL,
        margin=pkg.min_margin,
        binding=tuple(pkg.binding),
        rows=pkg.rows,
        labels=row_labels(scn, space),
        package=pkg.terms,
        package_name=pkg.name,
        p_zone=p_zone,
        p_accept=p_accept,
        spread=spread,
    )


def deal_verdict(scn: Scenario, *, draws: int = DRAWS, seed: int = SEED) -> Verdict:
    """The verdict of a scenario's deal space (after its events): see
    :mod:`multipolar.deals.verdict`."""
    from multipolar.deals.solve import maxmin
    from multipolar.dynamics.apply import resolve

    scn = resolve(scn)
    space = build_space(scn)
    return verdict_of(scn, space, maxmin(space, leximin=True).z, draws=draws, seed=seed)


def analyse_deals(
    scn: Scenario, *, top: int = 5, draws: int = DRAWS, seed: int = SEED
) -> DealReport:
    """The deal analysis of a scenario: the verdict (zone of agreement, what binds, P(zone) and
    P(accept)), then the best ``top`` packages (the three bargaining solutions first, then
    frontier points ranked by their smallest margin), who blocks each, cost to close, and the
    probability all accept under the scenario's ranges (the verdict's ``draws`` seeded draws)."""
    from multipolar.dynamics.apply import resolve

    scn = resolve(scn)
    # every package is ranked whatever ``top`` is: the analysis of a scenario object is made
    # once per settings (``multipolar run``'s deals step and its report both ask), and each
    # caller gets its own copy with its ``top`` packages
    full = _ANALYSED.get_or(scn, lambda: _analyse(scn, draws, seed), (draws, seed))
    out = copy.deepcopy(full)
    return replace(out, packages=out.packages[: max(top, 1)])


_ANALYSED: ObjectMemo[DealReport] = ObjectMemo(4)


def _analyse(scn: Scenario, draws: int, seed: int) -> DealReport:
    """``analyse_deals`` of a resolved scenario with every package."""
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
            pkg = replace(pkg, p_accept=acceptance(mc, z))
        packages.append(pkg)
    solutions = ("egalitarian (leximin)", "Nash", "Kalai-Smorodinsky")
    fixed = [p for p in packages if p.name in solutions]  # the verdict's package first
    rest = sorted(  # then packages nobody blocks, then by the smallest margin
        (p for p in packages if p.name not in solutions),
        key=lambda p: (bool(p.blockers), -p.min_margin),
    )
    verdict = verdict_of(scn, space, sol.egalitarian.z, draws=draws, seed=seed)
    return DealReport(
        verdict=verdict,
        walk_away={a: float(v) for a, v in zip(space.actors, space.walk_away[0], strict=True)},
        must_accept=_columns(space),
        packages=[*fixed, *rest],
        logrolls=logrolls(space),
        draws=draws,
        seed=seed,
        ratification=_ratification(scn, sol.egalitarian.z, seed),
    )


def _ratification(scn: Scenario, z: FloatArray, seed: int) -> Ratification | None:
    if not scn.constituencies:
        return None
    from multipolar.deals.ratify_report import ratification

    return ratification(scn, z, seed=seed)
