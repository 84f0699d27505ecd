"""The coalition analysis of a scenario: blocs and cohesion at every revision point, a wedge
per bloc of the current state (after every event) and the pivotal actors of the deal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from multipolar.coalitions.alignment import LINKAGE
from multipolar.coalitions.blocs import BlocState, bloc_timeline
from multipolar.coalitions.defaults import THRESHOLD
from multipolar.coalitions.shapley import EXACT_LIMIT, SAMPLES, Pivots, pivots
from multipolar.coalitions.wedge import Wedge, deal_state, wedge
from multipolar.deals.space import build_space
from multipolar.defaults import SEED
from multipolar.dynamics.apply import resolve
from multipolar.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Coalitions:
    """Blocs per revision point, a wedge per bloc of the current state, and the Shapley
    values of the deal's coalition game (see docs/models/coalitions.md)."""

    scenario: str
    threshold: float
    states: list[BlocState]  # the baseline, then the state after each event
    wedges: list[Wedge]  # one per bloc of two or more in the current state
    pivots: Pivots
    leximin: bool = False

    def as_dict(self) -> dict[str, Any]:
        """Plain data: what ``to_dict`` returns."""
        return {
            "scenario": self.scenario,
            "alignment": "1 - salience-weighted mean distance on shared issues (0-1 scales)",
            "clustering": {"linkage": LINKAGE, "threshold": self.threshold},
            "deal_package": "egalitarian (leximin)" if self.leximin else "max-min",
            "states": [s.as_dict() for s in self.states],
            "wedges": [w.as_dict() for w in self.wedges],
            "pivots": self.pivots.as_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as ``multipolar coalitions --format json`` prints it."""
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per revision point and bloc: date, event, bloc, size, cohesion and the
        alignment at which it would join its nearest bloc (``.pivots.to_frame()`` gives the
        Shapley values)."""
        from multipolar.frames import records

        return records(
            {"date": s.date, "event": s.event, "bloc": b.name, "size": len(b.members),
             "cohesion": b.cohesion, "joins_at": b.joins_at}
            for s in self.states
            for b in s.blocs
        )  # fmt: skip


def analyse_coalitions(
    scn: Scenario,
    *,
    threshold: float = THRESHOLD,
    leximin: bool = False,
    exact_limit: int = EXACT_LIMIT,
    samples: int = SAMPLES,
    seed: int = SEED,
) -> Coalitions:
    """Blocs and cohesion at the baseline and after each event, the wedge of every bloc of two
    or more in the state after the last event, and the pivotal actors of its deal. The deal is
    read at the max–min package (``leximin``: at the ``deals`` verdict's egalitarian package;
    same zone and binding margin, slower). ``exact_limit``, ``samples`` and ``seed`` set the
    Shapley computation (exact up to ``exact_limit`` must-accept actors)."""
    states = bloc_timeline(scn, threshold)
    state = resolve(scn)
    before = deal_state(state, leximin=leximin)
    wedges = [
        wedge(state, b.members, threshold=threshold, before=before, leximin=leximin)
        for b in states[-1].blocs
        if len(b.members) >= 2
    ]
    space = build_space(state)
    war = state.conflict
    owner = None
    if war is not None and war.power_shift is not None:
        owner = state.actor_ids.index(war.power_shift.declining)
    pivot = pivots(space, owner, exact_limit=exact_limit, samples=samples, seed=seed)
    return Coalitions(scn.id or scn.title, threshold, states, wedges, pivot, leximin)
