"""Rules that relate a scenario's fields to each other; each broken rule is one ``Problem``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from multipolar.errors import Path, Problem, did_you_mean
from multipolar.scenario.conflict import Conflict
from multipolar.scenario.questions import check_questions
from multipolar.scenario.schema import Estimate, Scenario


def _duplicates(kind: str, ids: list[str]) -> Iterator[Problem]:
    seen: Counter[str] = Counter()
    for index, ident in enumerate(ids):
        seen[ident] += 1
        if seen[ident] == 2:
            yield Problem(
                (kind, index, "id"),
                f"duplicate {kind[:-1]} id '{ident}'",
                "give every entry its own id",
            )


def estimates(scn: Scenario) -> Iterator[tuple[Path, Estimate]]:
    """Every estimate with its path: capabilities, status quos, positions, salience."""
    for i, actor in enumerate(scn.actors):
        yield ("actors", i, "capability"), actor.capability
    for i, issue in enumerate(scn.issues):
        if issue.status_quo is not None:
            yield ("issues", i, "status_quo"), issue.status_quo
    for table in ("positions", "salience"):
        for actor_id, row in getattr(scn, table).items():
            for issue_id, est in row.items():
                yield (table, actor_id, issue_id), est
    if scn.conflict is not None:
        yield from _conflict_estimates(scn)
    for actor_id, est in scn.deal.walk_away.items():
        yield ("deal", "walk_away", actor_id), est
    if scn.constituencies:
        from multipolar.scenario import constituencies

        yield from constituencies.estimates(scn)


def _conflict_estimates(scn: Scenario) -> Iterator[tuple[Path, Estimate]]:
    war = scn.conflict
    assert war is not None
    yield ("conflict", "p"), war.p
    yield ("conflict", "discount"), war.discount
    for actor_id, est in war.costs.items():
        yield ("conflict", "costs", actor_id), est
    if war.power_shift is not None:
        if war.power_shift.now is not None:
            yield ("conflict", "power_shift", "now"), war.power_shift.now
        yield ("conflict", "power_shift", "next"), war.power_shift.next
    if war.guarantee is not None:
        yield ("conflict", "guarantee", "credibility"), war.guarantee.credibility
    if war.side_payment is not None:
        yield ("conflict", "side_payment"), war.side_payment


def _in_range(path: Path, est: Estimate, low: float, high: float, what: str) -> Iterator[Problem]:
    for name, value in (("best", est.best), ("low", est.lo), ("high", est.hi)):
        if not low <= value <= high:
            where = path if name == "best" and est.is_point else (*path, name)
            yield Problem(
                where,
                f"{what} {value:g} is outside [{low:g}, {high:g}]",
                f"use a value between {low:g} and {high:g}",
            )
            return


def _table_keys(scn: Scenario, table: str) -> Iterator[Problem]:
    actors, issues = set(scn.actor_ids), set(scn.issue_ids)
    for actor_id, row in getattr(scn, table).items():
        if actor_id not in actors:
            yield Problem(
                (table, actor_id),
                f"unknown actor '{actor_id}'",
                did_you_mean(actor_id, actors) + " (or add it under actors)",
            )
            continue
        for issue_id in row:
            if issue_id not in issues:
                yield Problem(
                    (table, actor_id, issue_id),
                    f"unknown issue '{issue_id}'",
                    did_you_mean(issue_id, issues) + " (or add it under issues)",
                )


def _pairs(scn: Scenario) -> Iterator[Problem]:
    for actor_id, row in scn.positions.items():
        for issue_id in row:
            if issue_id not in scn.salience.get(actor_id, {}):
                yield Problem(
                    ("positions", actor_id, issue_id),
                    f"'{actor_id}' has a position on '{issue_id}' but no salience",
                    f"add salience.{actor_id}.{issue_id} (a value in [0, 1])",
                )
    for actor_id, row in scn.salience.items():
        for issue_id in row:
            if issue_id not in scn.positions.get(actor_id, {}):
                yield Problem(
                    ("salience", actor_id, issue_id),
                    f"'{actor_id}' has a salience on '{issue_id}' but no position",
                    f"add positions.{actor_id}.{issue_id} or remove this salience",
                )


def _values(scn: Scenario) -> Iterator[Problem]:
    issues = {i.id: i for i in scn.issues}
    for i, actor in enumerate(scn.actors):
        if actor.capability.lo < 0:
            yield Problem(
                ("actors", i, "capability"),
                f"capability {actor.capability.lo:g} is negative",
                "capability is a relative weight: use a value >= 0",
            )
    for actor_id, row in scn.salience.items():
        for issue_id, est in row.items():
            yield from _in_range(("salience", actor_id, issue_id), est, 0.0, 1.0, "salience")
    for actor_id, row in scn.positions.items():
        for issue_id, est in row.items():
            if issue_id in issues:
                lo, hi = issues[issue_id].scale
                yield from _in_range(("positions", actor_id, issue_id), est, lo, hi, "position")


def _issue_values(scn: Scenario) -> Iterator[Problem]:
    issues = {i.id: i for i in scn.issues}
    for i, issue in enumerate(scn.issues):
        if issue.status_quo is not None:
            yield from _in_range(
                ("issues", i, "status_quo"), issue.status_quo, *issue.scale, "status quo"
            )
        for j, anchor in enumerate(issue.anchors):
            if not issue.low <= anchor.value <= issue.high:
                yield Problem(
                    ("issues", i, "anchors", j, "value"),
                    f"anchor {anchor.value:g} is outside the scale [{issue.low:g}, {issue.high:g}]",
                    "move the anchor inside the scale or widen the scale",
                )
        if not any(issue.id in row for row in scn.positions.values()):
            yield Problem(
                ("issues", i),
                f"nobody has a position on issue '{issue.id}'",
                f"add positions.<actor>.{issue.id} for at least one actor, or remove the issue",
            )
    for issue_id, value in scn.outcomes.items():
        if issue_id not in issues:
            yield Problem(
                ("outcomes", issue_id),
                f"unknown issue '{issue_id}'",
                did_you_mean(issue_id, issues),
            )
        elif not issues[issue_id].low <= value <= issues[issue_id].high:
            lo, hi = issues[issue_id].scale
            yield Problem(
                ("outcomes", issue_id),
                f"outcome {value:g} is outside [{lo:g}, {hi:g}]",
                "use a value on the issue's scale",
            )


def _references(scn: Scenario) -> Iterator[Problem]:
    sources = {s.id for s in scn.sources}
    for path, est in estimates(scn):
        if est.source is not None and est.source not in sources:
            yield Problem(
                (*path, "source"),
                f"unknown source '{est.source}'",
                did_you_mean(est.source, sources) + " (or add it under sources)",
            )
    actors = set(scn.actor_ids)
    for i, pair in enumerate(scn.ideal_adjustment):
        for field in ("actor", "reference"):
            ident = getattr(pair, field)
            if ident not in actors:
                yield Problem(
                    ("ideal_adjustment", i, field),
                    f"unknown actor '{ident}'",
                    did_you_mean(ident, actors),
                )


def _known(path: Path, ident: str, valid: set[str], kind: str) -> Iterator[Problem]:
    if ident not in valid:
        yield Problem(path, f"unknown {kind} '{ident}'", did_you_mean(ident, valid))


def _unknown_belligerents(
    war: Conflict, unknown: list[tuple[int, str]], actors: set[str]
) -> Iterator[Problem]:
    """One line per unknown belligerent. The intended actor is most likely the one the costs
    (or the power shift) name that is not a belligerent yet: suggest it before a spelling match."""
    named = [*war.costs, *([war.power_shift.declining] if war.power_shift else [])]
    spare = [a for a in dict.fromkeys(named) if a in actors and a not in war.belligerents]
    for i, actor_id in unknown:
        if len(unknown) == 1 and len(spare) == 1:
            hint = f"did you mean '{spare[0]}'? (conflict.costs names it)"
        else:
            hint = did_you_mean(actor_id, actors)
        yield Problem(("conflict", "belligerents", i), f"unknown actor '{actor_id}'", hint)


def _costs(war: Conflict) -> Iterator[Problem]:
    """Costs for exactly the two belligerents; one misspelt key gives one line."""
    extra = [a for a in war.costs if a not in war.belligerents]
    lacking = [a for a in war.belligerents if a not in war.costs]
    if len(extra) == 1 and len(lacking) == 1:
        yield Problem(
            ("conflict", "costs", extra[0]),
            f"'{extra[0]}' is not a belligerent",
            f"rename it to '{lacking[0]}'",
        )
        return
    for actor_id in extra:
        yield Problem(
            ("conflict", "costs", actor_id),
            f"'{actor_id}' is not a belligerent",
            f"give costs for {' and '.join(war.belligerents)} only",
        )
    for actor_id in lacking:
        yield Problem(
            ("conflict", "costs"),
            f"no cost of war for '{actor_id}'",
            f"add conflict.costs.{actor_id}",
        )


def _war(scn: Scenario) -> Iterator[Problem]:
    actors, issues = set(scn.actor_ids), set(scn.issue_ids)
    war = scn.conflict
    if war is None:
        return
    unknown = [(i, a) for i, a in enumerate(war.belligerents) if a not in actors]
    if unknown:  # costs and the power shift name the intended actor: point to it only
        yield from _unknown_belligerents(war, unknown, actors)
    else:
        yield from _costs(war)
        if war.power_shift is not None and war.power_shift.declining not in war.belligerents:
            yield Problem(
                ("conflict", "power_shift", "declining"),
                f"'{war.power_shift.declining}' is not a belligerent",
                f"use one of {', '.join(war.belligerents)}",
            )
    for i, issue_id in enumerate(war.stakes):
        yield from _known(("conflict", "stakes", i), issue_id, issues, "issue")
    if war.guarantee is not None and war.guarantee.issue is not None:
        yield from _known(("conflict", "guarantee", "issue"), war.guarantee.issue, issues, "issue")


def _deal(scn: Scenario) -> Iterator[Problem]:
    actors, issues = set(scn.actor_ids), set(scn.issue_ids)
    for table in ("owners", "veto"):
        for issue_id, members in getattr(scn.deal, table).items():
            yield from _known(("deal", table, issue_id), issue_id, issues, "issue")
            for i, actor_id in enumerate(members):
                yield from _known(("deal", table, issue_id, i), actor_id, actors, "actor")
    for actor_id in scn.deal.walk_away:
        yield from _known(("deal", "walk_away", actor_id), actor_id, actors, "actor")


def _ratification(scn: Scenario) -> Iterator[Problem]:
    if scn.constituencies:
        from multipolar.scenario.constituencies import problems

        yield from problems(scn)


def _events(scn: Scenario) -> Iterator[Problem]:
    from multipolar.errors import UsageError
    from multipolar.scenario.paths import estimate_in

    actors, issues = set(scn.actor_ids), set(scn.issue_ids)
    sources = {s.id for s in scn.sources}
    dumped = scn.model_dump(mode="json", exclude={"events"}) if scn.events else {}
    named: dict[str, str | None] = {}  # path -> why it names no number (None: it does)
    yield from _duplicates("events", [e.id for e in scn.events])
    for i, event in enumerate(scn.events):
        for j, source in enumerate(event.sources):
            yield from _known(("events", i, "sources", j), source, sources, "source")
        for j, eff in enumerate(event.effects):
            where = ("events", i, "effects", j)
            if eff.path is not None:
                if eff.path not in named:  # one look-up per distinct path
                    try:
                        estimate_in(dumped, eff.path)
                        named[eff.path] = None
                    except UsageError as exc:
                        named[eff.path] = str(exc)
                wrong = named[eff.path]
                if wrong is not None:
                    yield Problem(
                        (*where, "path"),
                        f"event '{event.id}': {wrong}",
                        "name a number in the scenario, e.g. positions.<actor>.<issue>",
                    )
            if eff.owner is not None:
                yield from _known((*where, "owner", "issue"), eff.owner.issue, issues, "issue")
                for k, actor in enumerate([*eff.owner.add, *eff.owner.remove]):
                    yield from _known((*where, "owner", k), actor, actors, "actor")
            for key in ("join", "leave"):
                ident = getattr(eff, key)
                if ident is not None:
                    yield from _known((*where, key), ident, actors, "actor")
            if eff.source is not None:
                yield from _known((*where, "source"), eff.source, sources, "source")


def _correlations(scn: Scenario) -> Iterator[Problem]:
    import numpy as np

    if not scn.correlations:  # nothing to check (and the ranged paths cost ~1 ms to list)
        return
    from multipolar.uncertainty.montecarlo import ranged_paths

    ranged = ranged_paths(scn)
    sources = {s.id for s in scn.sources}
    seen: set[frozenset[str]] = set()
    ok = True
    for i, corr in enumerate(scn.correlations):
        for j, path in enumerate(corr.between):
            if path not in ranged:
                ok = False
                yield Problem(
                    ("correlations", i, "between", j),
                    f"'{path}' is not a ranged estimate",
                    f"{did_you_mean(path, ranged)}; only estimates with low < high are drawn",
                )
        pair = frozenset(corr.between)
        if len(pair) == 1 or pair in seen:
            ok = False
            yield Problem(
                ("correlations", i, "between"),
                "a correlation needs two different estimates, each pair once",
                "name two different paths and list each pair once",
            )
        seen.add(pair)
        if corr.source is not None:
            yield from _known(("correlations", i, "source"), corr.source, sources, "source")
    if ok and scn.correlations:
        index = {p: k for k, p in enumerate(ranged)}
        matrix = np.eye(len(ranged))
        for corr in scn.correlations:
            a, b = (index[p] for p in corr.between)
            matrix[a, b] = matrix[b, a] = corr.rho
        if np.linalg.eigvalsh(matrix).min() <= 1e-10:
            yield Problem(
                ("correlations",),
                "these correlations cannot hold together (the matrix is not positive definite)",
                "weaken some of them",
            )


def check(scn: Scenario) -> list[Problem]:
    """Every cross-field problem in ``scn``; an empty list means the scenario is valid."""
    problems = [
        *_duplicates("actors", scn.actor_ids),
        *_duplicates("issues", scn.issue_ids),
        *_duplicates("sources", [s.id for s in scn.sources]),
        *_table_keys(scn, "positions"),
        *_table_keys(scn, "salience"),
    ]
    if problems:  # later rules assume ids resolve
        return problems
    return [
        *_pairs(scn),
        *_values(scn),
        *_issue_values(scn),
        *_references(scn),
        *_war(scn),
        *_deal(scn),
        *_ratification(scn),
        *_events(scn),
        *_correlations(scn),
        *check_questions(scn),
        *_models(scn),
    ]


def _models(scn: Scenario) -> list[Problem]:
    """The ``models:`` block, checked against each model's declared parameters."""
    from multipolar.models import registry  # the package import registers every model

    return registry.model_problems(scn.models, len(scn.actors)) if scn.models else []
