"""Snapshots of many states at once: every state's deal space is built, the spaces that share
their actors, issues and rows are stacked, and their leximin packages are solved as one batch
(:func:`multipolar.deals.solve.leximin_points`); the rest of each snapshot reads that package.

A timeline needs the baseline, the state after each event and, for the attribution, the states
after every subset of each event's effects: ``effect_subsets`` builds those with one effect
application each (a subset's state is its parent subset's state plus its last effect, which is
what applying the subset's effects in order gives).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from typing import TYPE_CHECKING, Any

from multipolar.dynamics.apply import apply_effect, drop_inactive
from multipolar.scenario.schema import Scenario

#: ``progress(done, total)``: told of work done, for a progress bar
Progress = Callable[[int, int], None]

if TYPE_CHECKING:
    from multipolar.deals.solve import Point
    from multipolar.deals.space import DealSpace
    from multipolar.dynamics.timeline import Snapshot
    from multipolar.scenario.events import Effect
    from multipolar.scenario.incremental import Edited


def effect_subsets(state: Scenario, event: Any) -> tuple[dict[frozenset[int], Scenario], bool]:
    """The state after every subset of the event's effects (the empty subset is ``state``), in
    the order of subset size, then of ``itertools.combinations``, and ``True`` (exact Shapley
    attribution); or, beyond ``ATTRIBUTION_MAX_EFFECTS`` effects or when a subset alone leaves
    what the scenario allows, the m + 1 prefixes in file order and ``False``."""
    from multipolar.errors import ScenarioError
    from multipolar.scenario.limits import ATTRIBUTION_MAX_EFFECTS

    m = len(event.effects)
    if m <= ATTRIBUTION_MAX_EFFECTS:
        out: dict[frozenset[int], Scenario] = {frozenset(): state}
        made: dict[frozenset[int], Edited | None] = {}  # how each state was made, if edited
        try:
            for size in range(1, m + 1):
                for subset in combinations(range(m), size):
                    parent = frozenset(subset[:-1])
                    out[frozenset(subset)], made[frozenset(subset)] = _applied(
                        out[parent], made.get(parent), event.effects[subset[-1]], event.id
                    )
            return out, True
        except ScenarioError:
            pass  # some subset alone is invalid: split in file order (the whole may be valid)
    prefixes: dict[frozenset[int], Scenario] = {frozenset(): state}
    for j in range(m):
        prefixes[frozenset(range(j + 1))] = apply_effect(
            prefixes[frozenset(range(j))], event.effects[j], event.id
        )
    return prefixes, False


def _applied(
    state: Scenario, made: Edited | None, eff: Effect, event: str
) -> tuple[Scenario, Edited | None]:
    """``apply_effect(state, eff, event)`` (an equal scenario, or a ``ScenarioError`` where it
    raises one), and the ``Edited`` it was made as, if it was: a number's change is judged
    where it lands (``scenario.incremental``) rather than by validating the whole state again.
    ``made`` is how ``state`` was made (its edits come from there), or None."""
    from multipolar.scenario.incremental import Edited, Edits

    if eff.path is None or eff.value is None:  # who owns or takes part: the whole replay
        return apply_effect(state, eff, event), None
    edits = made.edits() if made is not None else Edits(state)
    edited = edits.edit(eff.path, eff.value, eff.mode, eff.provenance)
    if isinstance(edited, Edited):
        return edited.scenario, edited
    return edited, None


def _key(space: DealSpace) -> tuple[Any, ...]:
    """What spaces must share to be stacked (see ``multipolar.deals.space.stack``)."""
    return (
        space.actors, space.issues, space.lo.tobytes(), space.hi.tobytes(), space.quadratic,
        space.veto.tobytes(), space.commit_a is None, space.guarantee_issue,
        space.stake_values is None,
    )  # fmt: skip


def leximin_all(spaces: list[DealSpace]) -> list[Point]:
    """The leximin package of each (one-draw) space, the compatible ones solved together."""
    from multipolar.deals.solve import leximin_points
    from multipolar.deals.space import stack

    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, space in enumerate(spaces):
        groups.setdefault(_key(space), []).append(i)
    out: list[Point | None] = [None] * len(spaces)
    for members in groups.values():
        stacked = stack([spaces[i] for i in members])
        assert stacked is not None  # the key holds everything stack compares
        for i, point in zip(members, leximin_points(stacked), strict=True):
            out[i] = point
    return [p for p in out if p is not None]


def snapshots(
    states: list[Scenario],
    models: tuple[str, ...] = ("compromise",),
    seed: int = 0,
    *,
    progress: Progress | None = None,
) -> list[Snapshot]:
    """The snapshot of each state (a scenario without pending events); a state given twice
    (the same object) is computed once. ``progress(done, total)`` after each state solved."""
    from multipolar.deals.space import build_space

    unique: dict[int, int] = {}
    for state in states:
        unique.setdefault(id(state), len(unique))
    firsts = {unique[id(state)]: state for state in reversed(states)}
    prepared = [
        drop_inactive(firsts[i].model_copy(update={"events": []})) for i in range(len(unique))
    ]
    spaces = [build_space(state) for state in prepared]
    points = leximin_all(spaces)
    done = []
    for state, space, point in zip(prepared, spaces, points, strict=True):
        done.append(_finish(state, space, point, models, seed))
        if progress is not None:
            progress(len(done), len(prepared))
    return [done[unique[id(state)]] for state in states]


def _finish(
    state: Scenario, space: DealSpace, point: Point, models: tuple[str, ...], seed: int
) -> Snapshot:
    """The metrics of a prepared state at its leximin package."""
    from multipolar.deals.analysis import verdict_of
    from multipolar.deals.space import utilities
    from multipolar.dynamics.timeline import Snapshot
    from multipolar.models.api import forecast

    u_best = utilities(space, point.z[None])[0, 0]
    metrics: dict[str, dict[str, float]] = {}
    for model in models:
        fc = forecast(state, model, seed=seed)
        z = space.to_unit(fc.values)
        u = utilities(space, z[None])[0, 0]
        metrics[f"forecast_utility:{model}"] = dict(zip(space.actors, map(float, u), strict=True))
    walk = space.walk_away[0]
    metrics["walk_away"] = dict(zip(space.actors, map(float, walk), strict=True))
    metrics["margin"] = dict(zip(space.actors, map(float, u_best - walk), strict=True))
    package = dict(zip(space.issues, map(float, space.to_scale(point.z)), strict=True))
    commitment = None
    if space.commit_a is not None and space.commit_b is not None:
        level = point.z[space.guarantee_issue] if space.guarantee_issue is not None else 0.0
        commitment = float(space.commit_a[0] + space.commit_b[0] * level)
    verdict = verdict_of(state, space, point.z, draws=0, seed=seed)  # the deals' own verdict
    return Snapshot(verdict.zone, verdict.margin, package, metrics, commitment, verdict.binding)
