"""Pivotal actors: the Shapley value (Shapley 1953) of the deal's coalition game.

The game. Players are the scenario's actors N (after its events). For a coalition S ⊆ N, let
R(S) be the rows of the deal that S brings: the must-accept actors in S (owners, vetoes,
belligerents; see :mod:`multipolar.deals.space`) and, when the war has a commitment problem,
the commitment constraint, which belongs to the declining belligerent. Then

    v(S) = max_z min_{r ∈ R(S)} slack_r(z)   (the max–min margin over S's rows), v(∅) = 0,

and v(S) = 0 when R(S) is empty (no member must accept anything). v(N) is the deal verdict's
binding margin. An actor that need not accept adds no row, so it is a null player: φ = 0.

φ_i = Σ_{S ⊆ N∖{i}} |S|!(n − |S| − 1)!/n! · (v(S ∪ {i}) − v(S)): i's average marginal effect
on the best common margin as the coalition of those whose acceptance is required grows in a
random order. Efficiency: Σ_i φ_i = v(N) − v(∅). Exact by enumeration of the 2^m coalitions
of the m players with rows when m ≤ ``EXACT_LIMIT``; beyond, the mean over seeded random orders
(each order's contributions sum to v(N) exactly) with a standard error per player.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import combinations
from math import factorial
from typing import TYPE_CHECKING, Any

import numpy as np

from multipolar.deals.solve import maxmin
from multipolar.deals.space import DealSpace, binding, slacks
from multipolar.deals.verdict import TOL
from multipolar.scenario.arrays import FloatArray

if TYPE_CHECKING:
    import pandas as pd

EXACT_LIMIT = 12  # players with rows up to which the Shapley value is exact
SAMPLES = 200  # random orders beyond it


def shapley(
    value: Callable[[frozenset[int]], float],
    players: int,
    *,
    exact_limit: int = EXACT_LIMIT,
    samples: int = SAMPLES,
    seed: int = 0,
) -> tuple[FloatArray, FloatArray, str]:
    """Shapley values of the game ``value`` (a function of a coalition of player indices
    0..players−1), with standard errors (0 when exact) and the method ("exact" or
    "sampled"). ``value`` is called once per coalition it needs (results are cached)."""
    cache: dict[frozenset[int], float] = {}

    def v(s: frozenset[int]) -> float:
        if s not in cache:
            cache[s] = float(value(s))
        return cache[s]

    phi = np.zeros(players)
    if players <= exact_limit:
        weights = [factorial(k) * factorial(players - k - 1) / factorial(players)
                   for k in range(players)]  # fmt: skip
        for size in range(players):
            for subset in combinations(range(players), size):
                s = frozenset(subset)
                base = v(s)
                for j in range(players):
                    if j not in s:
                        phi[j] += weights[size] * (v(s | {j}) - base)
        return phi, np.zeros(players), "exact"
    rng = np.random.default_rng(seed)
    draws = np.zeros((samples, players))
    for t in range(samples):
        grown: frozenset[int] = frozenset()
        prev = v(grown)
        for j in rng.permutation(players):
            grown = grown | {int(j)}
            now = v(grown)
            draws[t, j] = now - prev
            prev = now
    se = draws.std(axis=0, ddof=1) / np.sqrt(samples) if samples > 1 else np.zeros(players)
    return draws.mean(axis=0), se, "sampled"


def coalition_space(space: DealSpace, members: np.ndarray, commit_owner: int | None) -> DealSpace:
    """The deal space whose rows are those of ``members`` (a boolean mask over actors): their
    must-accept rows, and the commitment row when its owner is a member."""
    from multipolar.deals.ratify import restrict

    keep = commit_owner is not None and bool(members[commit_owner])
    veto = space.veto & members
    space = restrict(space, veto)  # the members' ratification rows only
    return (
        replace(space, veto=veto)
        if keep
        else replace(space, veto=veto, commit_a=None, commit_b=None)
    )


def coalition_value(space: DealSpace, members: np.ndarray, commit_owner: int | None) -> float:
    """v(S): the max–min margin over the rows of coalition ``members``; 0 with no row."""
    sub = coalition_space(space, members, commit_owner)
    if not sub.veto.any() and sub.commit_a is None:
        return 0.0
    margin = maxmin(sub).margin
    if np.isfinite(margin):
        return float(margin)
    z = sub.status_quo[0]  # the solver found nothing: the status quo's margin instead
    return float(np.min(slacks(sub, z[None])[0, 0][binding(sub)]))


def _clean(x: float) -> float:
    """Differences below the solvers' precision are 0 (so that ties rank as ties)."""
    return 0.0 if abs(x) < TOL else x


@dataclass(frozen=True)
class Pivots:
    """The Shapley value of each actor in the deal's coalition game (module doc), and how much
    the best common margin would rise if the actor's acceptance were not required."""

    actors: tuple[str, ...]
    phi: dict[str, float]
    se: dict[str, float]
    without: dict[str, float]  # v(N ∖ {i}) − v(N)
    alone: dict[str, float]  # v({i}): the room the actor's rows leave on their own
    grand: float  # v(N): the binding margin of the deal
    method: str  # "exact" or "sampled"
    samples: int
    seed: int
    null: tuple[str, ...]  # actors that need not accept: φ = 0

    def ranking(self) -> list[str]:
        """Actors from the most constraining (the lowest φ: requiring its acceptance costs the
        common margin more than the room it brings), ties by the largest ``without``."""
        order = {a: i for i, a in enumerate(self.actors)}
        return sorted(self.actors, key=lambda a: (self.phi[a], -self.without[a], order[a]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "samples": self.samples if self.method == "sampled" else None,
            "seed": self.seed,
            "grand_coalition_value": self.grand,
            "empty_coalition_value": 0.0,
            "ranking": self.ranking(),
            "actors": {
                a: {
                    "shapley": self.phi[a],
                    "se": self.se[a],
                    "alone": self.alone[a],
                    "without": self.without[a],
                    "must_accept": a not in self.null,
                }
                for a in self.actors
            },
        }

    def to_dict(self) -> dict[str, Any]:
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per actor, ranked: Shapley value, its standard error and ``without``."""
        from multipolar.frames import records

        return records(
            {"actor": a, "shapley": self.phi[a], "se": self.se[a], "alone": self.alone[a],
             "without": self.without[a], "must_accept": a not in self.null}
            for a in self.ranking()
        )  # fmt: skip


def pivots(
    space: DealSpace,
    commit_owner: int | None,
    *,
    exact_limit: int = EXACT_LIMIT,
    samples: int = SAMPLES,
    seed: int = 0,
) -> Pivots:
    """The Shapley values of the deal's coalition game on ``space`` (best values, draw 0);
    ``commit_owner`` is the index of the declining belligerent (owner of the commitment
    row), None without a commitment problem."""
    n = len(space.actors)
    owner = commit_owner if space.commit_a is not None else None
    players = [i for i in range(n) if space.veto[i] or i == owner]

    cache: dict[frozenset[int], float] = {}

    def value(s: frozenset[int]) -> float:
        if s not in cache:
            mask = np.zeros(n, dtype=bool)
            mask[[players[j] for j in s]] = True
            cache[s] = coalition_value(space, mask, owner)
        return cache[s]

    phi_p, se_p, method = shapley(
        value, len(players), exact_limit=exact_limit, samples=samples, seed=seed
    )
    everyone = frozenset(range(len(players)))
    grand = value(everyone)
    phi = dict.fromkeys(space.actors, 0.0)
    se = dict.fromkeys(space.actors, 0.0)
    without = dict.fromkeys(space.actors, 0.0)
    alone = dict.fromkeys(space.actors, 0.0)
    for j, i in enumerate(players):
        a = space.actors[i]
        phi[a], se[a] = float(phi_p[j]), float(se_p[j])
        alone[a] = value(frozenset({j}))
        without[a] = _clean(value(everyone - {j}) - grand)
    null = tuple(a for i, a in enumerate(space.actors) if i not in players)
    return Pivots(tuple(space.actors), phi, se, without, alone, grand, method, samples, seed, null)
