"""Domestic ratification (Putnam 1988): the ``constituencies:`` block.

``constituencies: {ACTOR: {rule, threshold | share, members: [...]}}``: the domestic veto
players whose consent an actor needs before it can accept a package (level II of Putnam's
two-level game). Each member has positions and salience on the scenario's issues (points or
ranges, with sources like any estimate), a walk-away value or rule, and a weight. The actor's
rule says which members must consent: ``any_veto`` (every member), ``weighted_majority``
(members holding at least ``threshold`` of the total weight) or ``referendum`` (voter groups
holding at least ``share`` of the electorate). See docs/models/ratification.md.

Field rules live here; references to actors, issues and sources are checked by
``problems`` (called from ``checks.check``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import Field, FiniteFloat, model_validator

from multipolar.errors import Path, Problem, did_you_mean
from multipolar.scenario.base import Estimate, Id, _Strict, bad

if TYPE_CHECKING:
    from multipolar.scenario.schema import Issue, Scenario

Rule = Literal["any_veto", "weighted_majority", "referendum"]
WalkRule = Literal["actor", "status_quo"]


class Constituency(_Strict):
    """A domestic veto player (a parliament, an electorate, a member state, an elite group)."""

    id: Id = Field(description="Id; the deal row it adds is named ACTOR/ID.")
    name: str = Field(description="Display name.")
    positions: dict[Id, Estimate] = Field(
        description="Issue -> the point it prefers on the issue's scale (a point or a range)."
    )
    salience: dict[Id, Estimate] = Field(
        description="Issue -> its attention to the issue in [0, 1] (same issues as positions)."
    )
    walk_away: Estimate | None = Field(
        None,
        description="Utility (0–1) it needs to ratify; when absent, `walk_away_rule` sets it.",
    )
    walk_away_rule: WalkRule = Field(
        "actor",
        description=(
            "Without `walk_away`: `actor` (the actor's own walk-away value) or `status_quo` "
            "(its utility of the status quo package)."
        ),
    )
    weight: FiniteFloat = Field(
        1.0, gt=0.0, description="Votes, seats or electorate share (weighted rules), > 0."
    )
    source: Id | None = Field(None, description="Id of the source its veto rests on.")
    quote: str | None = Field(None, description="The source's own words (verbatim only).")
    note: str | None = Field(None, description="Analyst's reasoning (paraphrase).")


class Ratification(_Strict):
    """An actor's domestic ratification: its rule and the constituencies it applies to."""

    rule: Rule = Field(
        "any_veto",
        description=(
            "any_veto: every member must ratify (unanimity); weighted_majority: members holding "
            "≥ threshold of the total weight; referendum: voter groups holding ≥ share of the "
            "electorate."
        ),
    )
    threshold: FiniteFloat | None = Field(
        None, gt=0.0, le=1.0, description="weighted_majority only: share of weight needed."
    )
    share: FiniteFloat | None = Field(
        None, gt=0.0, lt=1.0, description="referendum only: share of the vote needed (0.5)."
    )
    members: list[Constituency] = Field(min_length=1, description="The constituencies.")
    source: Id | None = Field(None, description="Id of the source the rule rests on.")
    quote: str | None = Field(None, description="The source's own words (verbatim only).")
    note: str | None = Field(None, description="Analyst's reasoning (paraphrase).")

    @model_validator(mode="after")
    def _rule_fields(self) -> Ratification:
        if self.rule == "weighted_majority" and self.threshold is None:
            raise bad("weighted_majority needs a threshold", "add threshold: e.g. 0.667")
        if self.rule != "weighted_majority" and self.threshold is not None:
            raise bad(f"threshold is for weighted_majority, not {self.rule}", "remove threshold")
        if self.rule != "referendum" and self.share is not None:
            raise bad(f"share is for referendum, not {self.rule}", "remove share")
        return self

    @property
    def needed(self) -> float:
        """The share of the members' total weight whose consent passes the rule."""
        if self.rule == "weighted_majority":
            assert self.threshold is not None
            return self.threshold
        if self.rule == "referendum":
            return 0.5 if self.share is None else self.share
        return 1.0


def estimates(scn: Scenario) -> Iterator[tuple[Path, Estimate]]:
    """Every estimate of the block with its path (members by index, for error locations)."""
    for actor_id, rat in scn.constituencies.items():
        for j, member in enumerate(rat.members):
            where: Path = ("constituencies", actor_id, "members", j)
            for table in ("positions", "salience"):
                for issue_id, est in getattr(member, table).items():
                    yield (*where, table, issue_id), est
            if member.walk_away is not None:
                yield (*where, "walk_away"), member.walk_away


def _range(path: Path, est: Estimate, low: float, high: float, what: str) -> Iterator[Problem]:
    for name, value in (("best", est.best), ("low", est.lo), ("high", est.hi)):
        if not low <= value <= high:
            where = path if name == "best" and est.is_point else (*path, name)
            yield Problem(
                where, f"{what} {value:g} is outside [{low:g}, {high:g}]",
                f"use a value between {low:g} and {high:g}",
            )  # fmt: skip
            return


def problems(scn: Scenario) -> Iterator[Problem]:
    """Unknown actors, issues and sources; positions off the scale; unpaired entries."""
    actors, sources = set(scn.actor_ids), {s.id for s in scn.sources}
    issues = {i.id: i for i in scn.issues}
    for actor_id, rat in scn.constituencies.items():
        if actor_id not in actors:
            yield Problem(
                ("constituencies", actor_id), f"unknown actor '{actor_id}'",
                did_you_mean(actor_id, actors) + " (or add it under actors)",
            )  # fmt: skip
            continue
        for key, ident in (("source", rat.source),):
            if ident is not None and ident not in sources:
                yield Problem(
                    ("constituencies", actor_id, key), f"unknown source '{ident}'",
                    did_you_mean(ident, sources) + " (or add it under sources)",
                )  # fmt: skip
        seen: Counter[str] = Counter()
        for j, member in enumerate(rat.members):
            where: Path = ("constituencies", actor_id, "members", j)
            seen[member.id] += 1
            if seen[member.id] == 2:
                yield Problem((*where, "id"), f"duplicate constituency id '{member.id}'",
                              "give every member of one actor its own id")  # fmt: skip
            if member.source is not None and member.source not in sources:
                yield Problem(
                    (*where, "source"), f"unknown source '{member.source}'",
                    did_you_mean(member.source, sources) + " (or add it under sources)",
                )  # fmt: skip
            yield from _member(where, member, issues)


def _member(where: Path, member: Constituency, issues: dict[str, Issue]) -> Iterator[Problem]:
    for table in ("positions", "salience"):
        other = "salience" if table == "positions" else "positions"
        for issue_id, est in getattr(member, table).items():
            issue = issues.get(issue_id)
            if issue is None:
                yield Problem((*where, table, issue_id), f"unknown issue '{issue_id}'",
                              did_you_mean(issue_id, issues))  # fmt: skip
                continue
            if issue_id not in getattr(member, other):
                yield Problem(
                    (*where, table, issue_id),
                    f"'{member.id}' has a {table[:-1] if table == 'positions' else table} on "
                    f"'{issue_id}' but no {other[:-1] if other == 'positions' else other}",
                    f"add {other}: {{{issue_id}: ...}} to this constituency",
                )
            if table == "positions":
                yield from _range((*where, table, issue_id), est, *issue.scale, "position")
            else:
                yield from _range((*where, table, issue_id), est, 0.0, 1.0, "salience")
    if not member.positions:
        yield Problem((*where, "positions"), f"'{member.id}' has no positions",
                      "give a position and a salience on at least one issue")  # fmt: skip
    if member.walk_away is not None:
        yield from _range((*where, "walk_away"), member.walk_away, 0.0, 1.0, "walk-away utility")
