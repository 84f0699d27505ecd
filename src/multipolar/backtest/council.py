"""The Council's voting rules by period: weighted votes, membership and populations.

The tables ship as CSV under ``multipolar/data/council/`` (sources in their header comments
and in docs/explanation/backtest.md): ``regimes.csv`` (one row per period and its qualified-
majority rule), ``votes.csv`` (weighted votes per member per period) and ``population.csv``
(Eurostat population on 1 January, for Lisbon's double majority).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

from multipolar.errors import UsageError

Game = Literal["votes", "double_majority"]


@dataclass(frozen=True)
class Regime:
    """One period's qualified-majority rule and who votes in it."""

    id: str
    label: str
    start: dt.date
    end: dt.date  # exclusive
    game: Game
    quota_votes: int | None
    quota_population_pct: float | None
    min_members: int
    blocking_members: int
    votes: Mapping[str, int]  # weighted votes by DEU code; empty for double_majority
    members: tuple[str, ...]  # DEU codes, in table order

    def covers(self, day: dt.date) -> bool:
        return self.start <= day < self.end


def _rows(name: str) -> list[dict[str, str]]:
    """The rows of a shipped table, skipping its ``#`` header comments."""
    text = (files("multipolar.data") / "council" / name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))


def _opt_int(cell: str) -> int | None:
    return int(cell) if cell.strip() else None


@cache
def regimes() -> tuple[Regime, ...]:
    """Every period, in date order."""
    votes = _rows("votes.csv")
    everyone = tuple(row["deu"] for row in votes)
    out = []
    for row in _rows("regimes.csv"):
        game: Game = "votes" if row["game"] == "votes" else "double_majority"
        weights = {r["deu"]: int(r[row["id"]]) for r in votes if game == "votes" and r[row["id"]]}
        members = tuple(weights) if game == "votes" else everyone
        pct = row["quota_population_pct"].strip()
        out.append(
            Regime(
                id=row["id"],
                label=row["label"],
                start=dt.date.fromisoformat(row["start"]),
                end=dt.date.fromisoformat(row["end"]),
                game=game,
                quota_votes=_opt_int(row["quota_votes"]),
                quota_population_pct=float(pct) if pct else None,
                min_members=int(row["min_members"]),
                blocking_members=int(row["blocking_members"]),
                votes=weights,
                members=members,
            )
        )
    return tuple(sorted(out, key=lambda r: r.start))


def regime(regime_id: str) -> Regime:
    for r in regimes():
        if r.id == regime_id:
            return r
    raise UsageError(f"no Council period '{regime_id}'; use one of {[r.id for r in regimes()]}")


def regime_at(day: dt.date) -> Regime:
    """The period in force on ``day``; dates outside the tables get the nearest period."""
    table = regimes()
    for r in table:
        if r.covers(day):
            return r
    return table[0] if day < table[0].start else table[-1]


@cache
def _population_table() -> dict[int, dict[str, int]]:
    rows = _rows("population.csv")
    years = sorted(int(k[4:]) for k in rows[0] if k.startswith("pop_"))
    return {y: {r["deu"]: int(r[f"pop_{y}"]) for r in rows} for y in years}


def population_year(day: dt.date) -> int:
    """The population column used for a proposal of ``day``: its year, clipped to the table."""
    years = sorted(_population_table())
    return min(max(day.year, years[0]), years[-1])


def population(year: int) -> dict[str, int]:
    """Population on 1 January of ``year`` by DEU code (``year`` must be in the table)."""
    table = _population_table()
    if year not in table:
        raise UsageError(f"no population figures for {year}; the table has {sorted(table)}")
    return dict(table[year])
