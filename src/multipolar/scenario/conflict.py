"""Scenario blocks for the war and the deal space: ``conflict:`` and ``deal:``.

Numbers are ``Estimate``s (a point or a sourced range). Ranges of single values are checked here;
references to actors and issues are checked in ``checks.py``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from multipolar.scenario.base import Estimate, Id, _Strict, bad


def _in(
    est: Estimate | None, low: float, high: float, what: str, *, open_high: bool = False
) -> None:
    if est is None:
        return
    for value in (est.lo, est.best, est.hi):
        too_high = value >= high if open_high else value > high
        if value < low or too_high:
            bracket = ")" if open_high else "]"
            raise bad(
                f"{what} {value:g} is outside [{low:g}, {high:g}{bracket}",
                f"use a value in [{low:g}, {high:g}{bracket}",
            )


class PowerShift(_Strict):
    """A projected shift in power (Powell 2006): the declining side's chance of prevailing in a
    war now and after the shift (e.g. after a ceasefire lets the other side rearm)."""

    declining: Id = Field(description="The belligerent whose chance of prevailing falls.")
    now: Estimate | None = Field(
        None, description="Declining side's chance now; default: from p (p or 1 − p)."
    )
    next: Estimate = Field(description="Declining side's chance after the shift, in [0, 1].")

    @model_validator(mode="after")
    def _probabilities(self) -> PowerShift:
        _in(self.now, 0.0, 1.0, "probability")
        _in(self.next, 0.0, 1.0, "probability")
        return self


class Guarantee(_Strict):
    """How far a security guarantee is believed to cap the power shift.

    ``credibility`` 0 = worthless, 1 = caps the shift entirely. With ``issue``, a package's
    credibility is ``credibility`` × its normalised level on that issue (so a deal with weak
    guarantees gets little of it).
    """

    credibility: Estimate = Field(
        description="Share of the power shift it cancels: 0 worthless, 1 entirely; in [0, 1]."
    )
    issue: Id | None = Field(
        None, description="Issue whose normalised level scales a package's credibility."
    )

    @field_validator("credibility")
    @classmethod
    def _credibility(cls, value: Estimate) -> Estimate:
        _in(value, 0.0, 1.0, "credibility")
        return value


class Conflict(_Strict):
    """The war the deal must beat, as a rationalist bargaining model (Fearon 1995; Powell 2006).

    The first belligerent prevails with probability ``p``; each pays its per-period ``costs``
    (in the deal space's utility units, 0–1) while the war goes on. A victory imposes the
    victor's positions on the ``stakes`` issues; other issues stay at their status quo.
    """

    belligerents: tuple[Id, Id] = Field(
        description="The two actors at war (different); `p` is the first one's chance."
    )
    p: Estimate = Field(description="Probability that the first belligerent prevails.")
    costs: dict[Id, Estimate] = Field(description="Per-period cost of war per belligerent (>= 0).")
    discount: Estimate = Field(description="Common per-period discount factor δ in [0, 1).")
    stakes: list[Id] = Field(default_factory=list, description="Issues the war decides.")
    power_shift: PowerShift | None = Field(
        None, description="A projected shift in power: Powell's commitment problem."
    )
    guarantee: Guarantee | None = Field(
        None, description="A security guarantee that caps the power shift."
    )
    side_payment: Estimate | None = Field(
        None, description="Transfer a third party can add (>= 0)."
    )

    @field_validator("belligerents", mode="before")
    @classmethod
    def _pair(cls, value: object) -> object:
        return tuple(value) if isinstance(value, list) else value

    @model_validator(mode="after")
    def _values(self) -> Conflict:
        if self.belligerents[0] == self.belligerents[1]:
            raise bad("the two belligerents are the same actor", "name two different actors")
        _in(self.p, 0.0, 1.0, "p")
        _in(self.discount, 0.0, 1.0, "discount factor", open_high=True)
        for est in self.costs.values():
            _in(est, 0.0, float("inf"), "cost")
        _in(self.side_payment, 0.0, float("inf"), "side payment")
        return self


class Deal(_Strict):
    """Settings of the multi-issue deal space."""

    utility: Literal["quadratic", "linear"] = Field(
        "quadratic", description="Per-issue utility: 1 − (distance/width)² or 1 − distance/width."
    )
    owners: dict[Id, list[Id]] = Field(
        default_factory=dict, description="Issue -> actors who control it and must accept."
    )
    veto: dict[Id, list[Id]] = Field(
        default_factory=dict, description="Issue -> further actors who can block a package."
    )
    walk_away: dict[Id, Estimate] = Field(
        default_factory=dict, description="Given walk-away utilities (0–1); others are derived."
    )
    unsettled: Literal["average", "nothing", "midpoint"] = Field(
        "average",
        description=(
            "What walking away (or a war) yields on an issue without a status quo, which only an "
            "agreement can settle: each actor's average utility on the settled issues (neutral), "
            "nothing (utility 0), or the middle of the scale."
        ),
    )

    @model_validator(mode="after")
    def _walk_away(self) -> Deal:
        for est in self.walk_away.values():
            _in(est, 0.0, 1.0, "walk-away utility")
        return self
