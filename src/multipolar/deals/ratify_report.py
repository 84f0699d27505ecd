"""What ratification does to a deal, for every surface: each actor's rule at the verdict's
package (pivotal member, margin, whether it passes), its win-set, and how the win-sets move
with the scenario's events. See :mod:`multipolar.deals.ratify` for the definitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.deals.ratify import all_members, member_slacks, rule_margin, sample_packages
from multipolar.deals.verdict import TOL
from multipolar.defaults import SEED

if TYPE_CHECKING:
    import pandas as pd

    from multipolar.scenario.arrays import FloatArray
    from multipolar.scenario.schema import Scenario

SAMPLES = 4096  # packages the win-sets are estimated on
RULES = {
    "any_veto": "every member must ratify",
    "weighted_majority": "members holding {share:.0%} of the weight must ratify",
    "referendum": "voter groups holding {share:.0%} of the electorate must ratify",
}


def row_label(scn: Scenario, row: str) -> str:
    """A ratification row in words."""
    actor, member = row.split("/", 1)
    name = next((m.name for m in scn.constituencies[actor].members if m.id == member), member)
    return f"ratification of {actor}'s deal by {name} ({row})"


@dataclass(frozen=True)
class ActorRatification:
    """One actor's ratification at a package, and its win-set."""

    actor: str
    rule: str
    needed: float
    must_accept: bool  # whether the actor must accept a deal (only then its rule is a row)
    margins: dict[str, float]  # member -> u_c − d_c at the package
    margin: float  # the rule's margin: the pivotal member's slack (+ = ratifies)
    pivotal: str
    win_set: float  # share of the package space its constituencies ratify
    win_set_se: float

    @property
    def passes(self) -> bool:
        return self.margin >= -TOL

    def as_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor, "rule": self.rule, "needed": self.needed,
            "rule_text": RULES[self.rule].format(share=self.needed),
            "must_accept": self.must_accept, "member_margins": self.margins,
            "margin": self.margin, "pivotal": f"{self.actor}/{self.pivotal}",
            "passes": self.passes, "win_set": self.win_set, "win_set_se": self.win_set_se,
        }  # fmt: skip


@dataclass(frozen=True)
class Ratification:
    """Every actor's ratification at ``package`` (the verdict's), with win-sets estimated on
    ``samples`` seeded uniform packages."""

    package: dict[str, float]
    actors: list[ActorRatification]
    samples: int
    seed: int
    blockers: list[str] = field(default_factory=list)  # rows ACTOR/ID that block the package

    def as_dict(self) -> dict[str, Any]:
        return {
            "package": self.package,
            "actors": [a.as_dict() for a in self.actors],
            "blockers": self.blockers,
            "win_set": {"samples": self.samples, "seed": self.seed,
                        "definition": "share of packages drawn uniformly from the issues' "
                                      "scales that the actor's constituencies ratify"},
        }  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per actor and member: its margin at the package, the rule's margin and
        whether it passes, and the actor's win-set."""
        from multipolar.frames import records

        return records(
            {"actor": a.actor, "rule": a.rule, "member": m, "member_margin": v,
             "pivotal": m == a.pivotal, "rule_margin": a.margin, "passes": a.passes,
             "win_set": a.win_set, "win_set_se": a.win_set_se}
            for a in self.actors for m, v in a.margins.items()
        )  # fmt: skip

    def lines(self) -> list[str]:
        """The ratification in sentences, one per actor."""
        out = []
        for a in self.actors:
            verb = "ratifies" if a.passes else "blocks"
            out.append(
                f"{a.actor} ({RULES[a.rule].format(share=a.needed)}): {a.actor}/{a.pivotal} "
                f"is pivotal and {verb}, margin {a.margin:+.4f}; win-set "
                f"{a.win_set:.1%} ± {a.win_set_se:.1%} of the package space"
                + ("" if a.must_accept else " (not a party that must accept: no row)")
            )
        return out


def ratification(
    scn: Scenario, z: FloatArray | None = None, *, samples: int = SAMPLES, seed: int = SEED
) -> Ratification | None:
    """Every actor's ratification at the normalised package ``z`` (default: the verdict's
    egalitarian package); None when the scenario has no constituencies."""
    from multipolar.deals.solve import maxmin
    from multipolar.deals.space import build_space
    from multipolar.dynamics.apply import resolve

    scn = resolve(scn)
    if not scn.constituencies:
        return None
    space = build_space(scn)
    if z is None:
        z = maxmin(space, leximin=True).z
    grid = sample_packages(len(space.issues), samples, seed)
    out = []
    for m in all_members(scn, space, lambda e: np.asarray(e.best, float), 1):
        at = member_slacks(m, z[None])[0]
        margin, pivot = rule_margin(at, m.weight, m.needed)
        ok = rule_margin(member_slacks(m, grid), m.weight, m.needed)[0] >= -TOL
        share = float(ok.mean())
        out.append(ActorRatification(
            m.actor, m.rule, m.needed, bool(space.veto[space.actors.index(m.actor)]),
            dict(zip(m.ids, map(float, at), strict=True)), float(margin), m.ids[int(pivot)],
            share, float(np.sqrt(share * (1 - share) / samples)),
        ))  # fmt: skip
    terms = dict(zip(space.issues, map(float, space.to_scale(z)), strict=True))
    from multipolar.deals.analysis import describe

    rows = describe(space, "package", z).ratification or {}
    return Ratification(terms, out, samples, seed, [r for r, v in rows.items() if v < -TOL])


def win_set_timeline(
    scn: Scenario, *, samples: int = SAMPLES, seed: int = SEED
) -> list[dict[str, Any]]:
    """Each actor's win-set and its rule's margin at the verdict's package at the baseline and
    after every event date (the same ``samples`` packages at every date)."""
    from multipolar.dynamics.apply import resolve

    dates = sorted({e.date for e in scn.events})
    if not scn.constituencies:
        return []
    states: list[tuple[str, Scenario]] = []
    if dates:
        first = dates[0] - dt.timedelta(days=1)
        states.append((f"baseline (before {dates[0].isoformat()})", resolve(scn, first)))
        states += [(d.isoformat(), resolve(scn, d)) for d in dates]
    else:
        states.append(("now", resolve(scn)))
    out = []
    for label, state in states:
        rat = ratification(state, samples=samples, seed=seed)
        if rat is None:
            continue
        out.append({
            "date": label,
            "win_set": {a.actor: a.win_set for a in rat.actors},
            "margin": {a.actor: a.margin for a in rat.actors},
            "passes": {a.actor: a.passes for a in rat.actors},
        })  # fmt: skip
    return out
