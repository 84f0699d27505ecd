"""Blocs and their cohesion at every revision point of a scenario: the baseline (before any
event) and the state after each event in date order, as :mod:`multipolar.dynamics.timeline`
walks them; with each event, how the previous blocs' cohesion moved and which blocs formed anew."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from multipolar.coalitions.alignment import alignment, arrays, blocs, cohesion
from multipolar.coalitions.defaults import THRESHOLD
from multipolar.dynamics.apply import apply_event, drop_inactive, ordered
from multipolar.dynamics.timeline import baseline_date
from multipolar.scenario.arrays import FloatArray
from multipolar.scenario.schema import Scenario


@dataclass(frozen=True)
class Bloc:
    """A group of actors, its cohesion (mean pairwise alignment) and the alignment at which
    it would merge with its nearest other bloc (None: the only bloc)."""

    members: tuple[str, ...]
    cohesion: float
    joins_at: float | None = None

    @property
    def name(self) -> str:
        return "+".join(self.members)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "members": list(self.members),
            "cohesion": self.cohesion,
            "joins_at": self.joins_at,
        }


@dataclass(frozen=True)
class BlocChange:
    """A bloc of the previous state, its cohesion before and after an event."""

    members: tuple[str, ...]
    before: float
    after: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "bloc": "+".join(self.members),
            "cohesion_before": self.before,
            "cohesion_after": self.after,
            "change": self.after - self.before,
        }


@dataclass(frozen=True)
class BlocState:
    """The blocs of one state: the baseline or the state after one event."""

    event: str  # "baseline" or the event's id
    date: str
    title: str
    actors: tuple[str, ...]
    alignment: FloatArray  # (n, n)
    blocs: list[Bloc]
    changes: list[BlocChange] = field(default_factory=list)  # the previous state's blocs
    reformed: list[str] = field(default_factory=list)  # "RUS+USA forms from RUS, EUR+USA+TUR"

    def bloc_of(self, actor: str) -> Bloc:
        return next(b for b in self.blocs if actor in b.members)

    def as_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "date": self.date,
            "title": self.title,
            "blocs": [b.as_dict() for b in self.blocs],
            "alignment": {
                a: {b: float(self.alignment[i, j]) for j, b in enumerate(self.actors)}
                for i, a in enumerate(self.actors)
            },
            "cohesion_changes": [c.as_dict() for c in self.changes],
            "reformed": self.reformed,
        }


def _joins_at(align: FloatArray, groups: list[list[int]]) -> list[float | None]:
    """For each bloc, the highest mean alignment with another bloc (average linkage's merge
    level had the cut been lower)."""
    out: list[float | None] = []
    for g in groups:
        best = None
        for h in groups:
            if h is g:
                continue
            level = float(align[g][:, h].mean())
            best = level if best is None else max(best, level)
        out.append(best)
    return out


def bloc_state(
    scn: Scenario, event: str, date: str, title: str, threshold: float = THRESHOLD
) -> BlocState:
    """Alignment, blocs and cohesion of one state (a scenario without pending events)."""
    x, s, has = arrays(scn)
    align = alignment(x, s, has)
    groups, _ = blocs(align, threshold)
    ids = scn.actor_ids
    found = [
        Bloc(tuple(ids[i] for i in g), float(cohesion(align, g)), joins)
        for g, joins in zip(groups, _joins_at(align, groups), strict=True)
    ]
    return BlocState(event, date, title, tuple(ids), align, found)


def _compare(before: BlocState, after: BlocState) -> BlocState:
    """``after`` with the previous blocs' cohesion now, and the blocs that formed anew."""
    index = {a: i for i, a in enumerate(after.actors)}
    changes = []
    for bloc in before.blocs:
        kept = [index[m] for m in bloc.members if m in index]
        if len(bloc.members) < 2 or len(kept) < 2:
            continue
        changes.append(
            BlocChange(bloc.members, bloc.cohesion, float(cohesion(after.alignment, kept)))
        )
    moved = []
    old_sets = [set(b.members) for b in before.blocs]
    for bloc in after.blocs:
        if set(bloc.members) in old_sets:
            continue
        origin = [b.name for b in before.blocs if set(b.members) & set(bloc.members)]
        joined = [m for m in bloc.members if m not in before.actors]
        parts = origin + [f"{m} (joins)" for m in joined]
        moved.append(f"{bloc.name} forms from {', '.join(parts)}")
    moved += [f"{a} leaves" for a in before.actors if a not in index]
    return BlocState(
        after.event, after.date, after.title, after.actors, after.alignment, after.blocs,
        changes, moved,
    )  # fmt: skip


def bloc_timeline(scn: Scenario, threshold: float = THRESHOLD) -> list[BlocState]:
    """The blocs at the baseline and after each event (date order, file order within a day)."""
    state = scn.model_copy(update={"events": []})
    first = bloc_state(drop_inactive(state), "baseline", baseline_date(scn), "baseline", threshold)
    out = [first]
    for event in ordered(scn.events):
        state = apply_event(state, event)
        now = bloc_state(
            drop_inactive(state), event.id, event.date.isoformat(), event.title, threshold
        )
        out.append(_compare(out[-1], now))
    return out
