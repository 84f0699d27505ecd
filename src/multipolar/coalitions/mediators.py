"""Who can mediate: each actor's bridge score, ranked, with its reasons.

    bridge_i = w_close · closeness_i + w_cap · capability share_i + w_text · text_i

- **closeness**: min(a_iA, a_iB), the actor's alignment (:mod:`.alignment`, salience-weighted)
  with the side of the conflict it is farther from; A and B are the belligerents (without a
  conflict, the two must-accept actors least aligned with each other).
- **capability share**: c_i / Σ_j c_j (best values): the leverage it brings to the table.
- **text**: the mediator workbench's single negotiating text (:mod:`multipolar.deals.mediate`)
  drafted from the actor's own positions (``start="mediator"``) and weighing its own utility by
  ``bias`` (by default its own stake: its mean salience over the issues it holds positions on):
  1 when every party accepts the final draft, else the share of the deal's rows that accept it.

The weights default to 0.5, 0.25 and 0.25. A belligerent is scored but not eligible (it cannot
mediate its own war) and ranks after every eligible actor. The score is a weighted sum, so the
gap between two actors splits exactly into its three drivers (``advantage``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.coalitions.alignment import alignment, arrays
from multipolar.deals.mediate import single_text
from multipolar.deals.space import build_space
from multipolar.dynamics.apply import resolve
from multipolar.errors import UsageError, did_you_mean
from multipolar.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

WEIGHTS = (0.5, 0.25, 0.25)  # closeness, capability share, text
DRIVERS = ("closeness", "capability", "text")


@dataclass(frozen=True)
class Bridge:
    """One actor's bridge score and what it rests on."""

    actor: str
    score: float
    closeness: float
    alignment: dict[str, float]  # with each side
    capability: float  # share of total capability
    text: float
    accepted: bool
    rounds: int
    bias: float
    blockers: tuple[str, ...]
    eligible: bool
    reasons: tuple[str, ...]

    def parts(self, weights: tuple[float, float, float]) -> dict[str, float]:
        """The score's three weighted terms."""
        values = (self.closeness, self.capability, self.text)
        return {d: w * v for d, w, v in zip(DRIVERS, weights, values, strict=True)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "score": self.score,
            "eligible": self.eligible,
            "closeness": self.closeness,
            "alignment_with_sides": self.alignment,
            "capability_share": self.capability,
            "text": self.text,
            "text_accepted": self.accepted,
            "text_rounds": self.rounds,
            "text_bias": self.bias,
            "text_blockers": list(self.blockers),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Mediators:
    """The bridge ranking: eligible actors by score, then the belligerents."""

    sides: tuple[str, str]
    weights: tuple[float, float, float]
    ranking: list[Bridge]

    def get(self, actor: str) -> Bridge:
        """One actor's bridge score (a usage error naming the actors when unknown)."""
        for b in self.ranking:
            if b.actor == actor:
                return b
        raise UsageError(f"unknown actor '{actor}': {did_you_mean(actor, self.actors)}")

    @property
    def actors(self) -> list[str]:
        """The actors in rank order."""
        return [b.actor for b in self.ranking]

    def advantage(self, actor: str | None = None) -> dict[str, Any]:
        """``actor``'s score (default: the top-ranked) minus the best other eligible actor's,
        split into its drivers (the weighted terms' differences; they sum to the gap)."""
        me = self.get(actor) if actor is not None else self.ranking[0]
        rivals = [b for b in self.ranking if b.eligible and b.actor != me.actor]
        if not rivals:
            return {"actor": me.actor, "over": None, "advantage": 0.0, "drivers": {}}
        rival = rivals[0]
        mine, theirs = me.parts(self.weights), rival.parts(self.weights)
        drivers = {d: mine[d] - theirs[d] for d in DRIVERS}
        return {
            "actor": me.actor,
            "over": rival.actor,
            "advantage": me.score - rival.score,
            "drivers": drivers,
            "text": _advantage_text(me.actor, rival.actor, me.score - rival.score, drivers),
        }

    def as_dict(self, actor: str | None = None) -> dict[str, Any]:
        """Plain data, with ``actor``'s advantage (default: the top-ranked's)."""
        return {
            "sides": list(self.sides),
            "weights": dict(zip(DRIVERS, self.weights, strict=True)),
            "ranking": [b.as_dict() for b in self.ranking],
            "advantage": self.advantage(actor),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as ``multipolar mediators --format json`` prints it."""
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per actor, ranked: score, its three drivers and whether it is eligible."""
        from multipolar.frames import records

        return records(
            {"rank": r + 1, "actor": b.actor, "score": b.score, "eligible": b.eligible,
             "closeness": b.closeness, "capability_share": b.capability, "text": b.text,
             "text_accepted": b.accepted}
            for r, b in enumerate(self.ranking)
        )  # fmt: skip


def _advantage_text(me: str, rival: str, gap: float, drivers: dict[str, float]) -> str:
    parts = ", ".join(
        f"{d} {v:+.3f}" for d, v in sorted(drivers.items(), key=lambda kv: -abs(kv[1]))
    )
    word = "ahead of" if gap >= 0 else "behind"
    return f"{me} is {abs(gap):.3f} {word} {rival} ({parts})"


def _sides(scn: Scenario, align: np.ndarray) -> tuple[int, int]:
    ids = scn.actor_ids
    if scn.conflict is not None:
        a, b = scn.conflict.belligerents
        return ids.index(a), ids.index(b)
    veto = build_space(scn).veto
    pool = [i for i in range(len(ids)) if veto[i]]
    pool = pool if len(pool) >= 2 else list(range(len(ids)))
    if len(pool) < 2:
        return 0, 0
    pairs = [(align[i, j], i, j) for n, i in enumerate(pool) for j in pool[n + 1 :]]
    _, i, j = min(pairs)
    return i, j


def _stake(scn: Scenario, actor: str) -> float:
    row = scn.salience.get(actor, {})
    return float(np.mean([e.best for e in row.values()])) if row else 0.0


def mediators(
    scn: Scenario,
    *,
    bias: float | None = None,
    weights: tuple[float, float, float] = WEIGHTS,
) -> Mediators:
    """The bridge score of every actor on the scenario's state after its events (module doc);
    ``bias`` overrides every actor's own stake as the weight of its interest in its text."""
    if len(weights) != 3 or min(weights) < 0 or sum(weights) <= 0:
        raise UsageError(f"weights must be three non-negative numbers, not all 0: {weights}")
    if bias is not None and not 0.0 <= bias <= 1.0:
        raise UsageError(f"bias must lie in [0, 1], not {bias}")
    scn = resolve(scn)
    ids = scn.actor_ids
    align = alignment(*arrays(scn))
    a, b = _sides(scn, align)
    sides = (ids[a], ids[b])
    cap = np.array([act.capability.best for act in scn.actors], dtype=float)
    share = cap / cap.sum() if cap.sum() > 0 else np.full(len(ids), 1 / len(ids))
    space = build_space(scn)
    rows = int(space.veto.sum()) + len(space.rat_rows) + (space.commit_a is not None)
    out = []
    for i, actor in enumerate(ids):
        own = _stake(scn, actor) if bias is None else bias
        steps, accepted = single_text(scn, actor, bias=own, start="mediator")
        last = steps[-1].package
        text = 1.0 if accepted else (rows - len(last.blockers)) / max(rows, 1)
        close = float(min(align[i, a], align[i, b]))
        eligible = i not in (a, b)
        score = float(np.dot(weights, (close, share[i], text)))
        sided = {sides[0]: float(align[i, a]), sides[1]: float(align[i, b])}
        why = _reasons(sides, align[i, [a, b]], cap[i], share[i], own, accepted,
                       len(steps) - 1, last.blockers, eligible)  # fmt: skip
        out.append(
            Bridge(
                actor,
                score,
                close,
                sided,
                float(share[i]),
                text,
                accepted,
                len(steps) - 1,
                own,
                tuple(last.blockers),
                eligible,
                why,
            )
        )
    order = {x: n for n, x in enumerate(ids)}
    ranked = sorted(out, key=lambda r: (not r.eligible, -r.score, order[r.actor]))
    return Mediators(sides, (float(weights[0]), float(weights[1]), float(weights[2])), ranked)


def _reasons(
    sides: tuple[str, str], aligned: np.ndarray, cap: float, share: float,
    bias: float, accepted: bool, rounds: int, blockers: list[str], eligible: bool,
) -> tuple[str, ...]:  # fmt: skip
    far = sides[int(np.argmin(aligned))]
    out = [
        f"alignment {aligned[0]:.2f} with {sides[0]} and {aligned[1]:.2f} with {sides[1]} "
        f"(closeness {min(aligned):.2f}, limited by {far})"
        if sides[0] != sides[1]
        else "the only actor: there are no two sides to bridge",
        f"capability {cap:g}, {share:.1%} of the total",
    ]
    if accepted:
        out.append(
            f"its single negotiating text (own draft, own interest weighted {bias:.2f}) is "
            f"accepted by every party after {rounds} rounds"
        )
    else:
        out.append(
            f"its single negotiating text (own draft, own interest weighted {bias:.2f}) stalls "
            f"after {rounds} rounds: {', '.join(blockers)} still reject it"
        )
    if not eligible:
        out.append("one of the two sides: cannot mediate between them")
    return tuple(out)
