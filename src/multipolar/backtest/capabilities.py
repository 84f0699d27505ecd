"""Actor capabilities for a DEU issue under each scheme.

Schemes (member states; the Commission, the Parliament and observers are treated below):

- ``equal``: every actor 1 (the importer's default; reproduces the published baselines).
- ``council``: the Council voting weight of the period in force at the proposal's date:
  weighted votes before 1 November 2014; from then on (Lisbon, no votes) the Shapley–Shubik
  index of the double-majority game on population.
- ``council-ssi``: the Shapley–Shubik index of the game that decides the issue: the period's
  qualified-majority game for QMV issues, and for unanimity issues the unanimity game, in which
  every member has the same index.

Member-state capabilities are divided by their mean over the period's members, so an average
member weighs 1 under every scheme and period. The Commission and the Parliament have no
Council vote but DEU codes their positions; each gets ``institution_weight`` times the average
member (default 1, i.e. like an average member state; fitted on the train split in the
leaderboard). A state DEU codes before its accession (an observer, e.g. Bulgaria and Romania on
proposals of 2004-06) gets ``observer_weight`` times the average member (default 1).
"""

from __future__ import annotations

from functools import cache
from typing import Literal, get_args

import numpy as np

from multipolar.backtest.council import Regime, population, population_year, regime_at
from multipolar.backtest.council import regime as council_regime
from multipolar.backtest.data import INSTITUTIONS, DeuIssue, Rule
from multipolar.backtest.ssi import population_quota, shapley_shubik
from multipolar.errors import UsageError, did_you_mean
from multipolar.scenario.arrays import BoolArray, FloatArray
from multipolar.scenario.base import Estimate
from multipolar.scenario.schema import Scenario

Scheme = Literal["equal", "council", "council-ssi"]
SCHEMES: tuple[Scheme, ...] = get_args(Scheme)


def scheme(name: str) -> Scheme:
    """``name`` as a capability scheme, or a one-line error naming the choices."""
    for s in SCHEMES:
        if s == name:
            return s
    raise UsageError(f"unknown capability scheme '{name}'; " + did_you_mean(name, SCHEMES))


def _normalised(values: dict[str, float]) -> dict[str, float]:
    mean = float(np.mean(list(values.values())))
    return {k: v / mean for k, v in values.items()}


@cache
def _ssi(regime_id: str, year: int) -> dict[str, float]:
    """Shapley–Shubik index of the period's qualified-majority game (``year``: population)."""
    regime = council_regime(regime_id)
    if regime.game == "votes":
        weights = [regime.votes[m] for m in regime.members]
        quota = int(regime.quota_votes or 0)
    else:
        pop = population(year)
        weights = [pop[m] for m in regime.members]
        quota = population_quota(weights, float(regime.quota_population_pct or 0.0))
    index = shapley_shubik(
        np.array(weights, dtype=np.int64),
        quota,
        min_members=regime.min_members,
        blocking_members=regime.blocking_members,
    )
    return dict(zip(regime.members, (float(v) for v in index), strict=True))


def member_power(regime: Regime, chosen: Scheme, rule: Rule, year: int) -> dict[str, float]:
    """Each member's capability under ``chosen``, normalised to mean 1 over the members."""
    return dict(_member_power(regime.id, chosen, rule, year))


@cache
def _member_power(regime_id: str, chosen: Scheme, rule: Rule, year: int) -> dict[str, float]:
    """``member_power`` of the period ``regime_id``, computed once (callers must not change
    the mapping: ``member_power`` hands out copies)."""
    regime = council_regime(regime_id)
    if chosen == "equal" or (chosen == "council-ssi" and rule == "unanimity"):
        return dict.fromkeys(regime.members, 1.0)
    if chosen == "council" and regime.game == "votes":
        return _normalised({m: float(v) for m, v in regime.votes.items()})
    return _normalised(_ssi(regime.id, year if regime.game == "double_majority" else 0))


def capabilities(
    issue: DeuIssue,
    chosen: Scheme,
    *,
    institution_weight: float = 1.0,
    observer_weight: float = 1.0,
) -> dict[str, float]:
    """Capability of every actor DEU positions on ``issue`` under the scheme ``chosen``."""
    regime = regime_at(issue.date)
    power = _member_power(regime.id, chosen, issue.rule, population_year(issue.date))
    out = {}
    for actor in issue.actors:
        if actor in INSTITUTIONS:
            out[actor] = institution_weight
        else:
            out[actor] = power.get(actor, observer_weight)
    return out


def capability_vector(
    issue: DeuIssue,
    chosen: Scheme,
    *,
    institution_weight: float = 1.0,
    observer_weight: float = 1.0,
) -> FloatArray:
    """``capabilities`` as an array in the order of ``issue.actors`` (the same floats)."""
    regime = regime_at(issue.date)
    year = population_year(issue.date)
    members, institution = _vector(regime.id, chosen, issue.rule, year, issue.actors,
                                   float(observer_weight))  # fmt: skip
    out: FloatArray = np.where(institution, float(institution_weight), members)
    return out


@cache
def _vector(regime_id: str, chosen: Scheme, rule: Rule, year: int, actors: tuple[str, ...],
            observer_weight: float) -> tuple[FloatArray, BoolArray]:  # fmt: skip
    """Every actor's capability but the institutions', and which actors are institutions."""
    power = _member_power(regime_id, chosen, rule, year)
    institution = np.array([a in INSTITUTIONS for a in actors], dtype=bool)
    members = np.array([0.0 if a in INSTITUTIONS else float(power.get(a, observer_weight))
                        for a in actors])  # fmt: skip
    members.flags.writeable = False
    institution.flags.writeable = False
    return members, institution


def observers(issue: DeuIssue) -> tuple[str, ...]:
    """Member states positioned on ``issue`` that were not members at the proposal's date."""
    members = set(regime_at(issue.date).members)
    return tuple(a for a in issue.actors if a not in INSTITUTIONS and a not in members)


def with_capabilities(scn: Scenario, caps: dict[str, float]) -> Scenario:
    """A copy of ``scn`` whose actors have the capabilities ``caps`` (point estimates)."""
    actors = [
        a.model_copy(update={"capability": Estimate(best=float(caps[a.id]))}) for a in scn.actors
    ]
    return scn.model_copy(update={"actors": actors})
