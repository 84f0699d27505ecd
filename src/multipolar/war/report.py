"""The war analysis of a scenario's ``conflict:`` block: bargaining range, Nash split, the
risk–return trade-off under the analyst's cost ranges, the commitment test, the war of
attrition, and each belligerent's walk-away value in the deal space.

Every share lies in [0, 1] with its ``corner`` named, margins are peace margins (positive =
room for a deal), and ``warnings`` lists inputs the reader must see (:mod:`multipolar.war.limits`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats

from multipolar.deals.space import DealSpace, build_space
from multipolar.errors import UsageError
from multipolar.scenario.schema import Estimate, Scenario
from multipolar.war.attrition import war_of_attrition
from multipolar.war.commitment import commitment_test
from multipolar.war.fearon import bargaining_range, nash_split
from multipolar.war.information import optimal_demand

if TYPE_CHECKING:
    import pandas as pd

from multipolar.war.limits import PEACE_SIGN, range_corner, share, stake_warnings


def belief(est: Estimate) -> Any:
    """The analyst's range of a cost as a scipy distribution (the estimate's ``dist``)."""
    lo, hi = est.lo, est.hi
    width = hi - lo
    if est.dist == "uniform":
        return stats.uniform(loc=lo, scale=width)
    if est.dist == "pert":
        a = 1 + 4 * (est.best - lo) / width
        return stats.beta(a, 1 + 4 * (hi - est.best) / width, loc=lo, scale=width)
    if est.dist == "normal":
        sd = width / 4
        return stats.truncnorm((lo - est.best) / sd, (hi - est.best) / sd, loc=est.best, scale=sd)
    return stats.triang((est.best - lo) / width, loc=lo, scale=width)


@dataclass(frozen=True)
class WarReport:
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return self.data

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as the CLI's ``--format json`` prints it."""
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """Every figure as a row: ``path`` (e.g. ``risk_return.RUS.demand``) and ``value``."""
        from multipolar.frames import key_values

        return key_values(self.data)


def capability_share(ca: float, cb: float) -> float:
    """``ca / (ca + cb)`` (0 when both are 0), computed on ratios when the sum overflows."""
    total = ca + cb
    if not np.isfinite(total):
        top = max(ca, cb)
        ca, cb = ca / top, cb / top
        total = ca + cb
    return ca / max(total, 1e-12)


def analyse_war(scn: Scenario) -> WarReport:
    """Everything the war models say about ``scn`` (best values; ranges feed the beliefs)."""
    from multipolar.dynamics.apply import resolve

    scn = resolve(scn)
    war = scn.conflict
    if war is None:
        raise UsageError("the scenario has no conflict: block; add one to analyse the war")
    a, b = war.belligerents
    space = build_space(scn)
    value_a, value_b = stake_values(space)
    p, c_a, c_b = war.p.best, war.costs[a].best, war.costs[b].best
    ca_rel, cb_rel = c_a / value_a, c_b / value_b  # costs in units of the stakes (Fearon)
    ends = bargaining_range(p, ca_rel, cb_rel)
    low, high = share(float(ends[0]))[0], share(float(ends[1]))[0]
    alpha = capability_share(scn.actor(a).capability.best, scn.actor(b).capability.best)
    split, split_corner = share(float(nash_split(p, ca_rel, cb_rel, alpha)))
    out: dict[str, Any] = {
        "belligerents": [a, b],
        "p": p,
        "stakes": list(war.stakes),
        "value_of_stakes": {a: value_a, b: value_b},
        "cost_per_period": {a: c_a, b: c_b},
        "bargaining_range": {
            "share_of": a,
            "low": low,
            "high": high,
            "corner": range_corner(low, high),
            "note": f"{a}'s share of the stakes both prefer to fighting (Fearon 1995)",
        },
        "nash_split": {"share_of": a, "alpha": alpha, "share": split, "corner": split_corner},
        "walk_away": {x: float(space.walk_away[0, space.actors.index(x)]) for x in (a, b)},
    }
    out["risk_return"] = _risk_return(war.costs[a], war.costs[b], p, value_a, value_b, a, b)
    if war.power_shift is not None:
        out["commitment"] = _commitment(scn, space)
    att = war_of_attrition(value_a, value_b, max(c_a, 1e-9), max(c_b, 1e-9))
    out["attrition"] = {
        "a_outlasts_b": float(att.a_wins),
        "expected_duration_periods": float(att.expected_duration),
        "paradox": bool(att.paradox),
        "note": att.note,
    }
    out["warnings"] = stake_warnings(out["value_of_stakes"], out["cost_per_period"], {a: b, b: a})
    return WarReport(out)


def demand_under_uncertainty(
    chance: float, own_cost: float, their_cost: Estimate, own_value: float, their_value: float
) -> tuple[float, float]:
    """(demand, P(war)) of a proposer with probability ``chance`` of prevailing, unsure of the
    other side's cost (the analyst's range); costs in units of each side's stakes. The demand
    is a share of the stakes in [``chance``, 1]: no more than everything."""
    if their_cost.is_point:
        return min(chance + their_cost.best / their_value, 1.0), 0.0
    scaled = their_cost.model_copy(
        update={
            "best": their_cost.best / their_value,
            "low": their_cost.lo / their_value,
            "high": their_cost.hi / their_value,
        }
    )
    demand = optimal_demand(chance, own_cost / own_value, belief(scaled), (scaled.lo, scaled.hi))
    return float(demand.demand), float(demand.war_probability)


def _risk_return(
    cost_a: Estimate, cost_b: Estimate, p: float, value_a: float, value_b: float, a: str, b: str
) -> dict[str, Any]:
    """Each side proposing to the other, uncertain of the other's cost (the analyst's range)."""
    out: dict[str, Any] = {}
    for who, other, chance, own, theirs, v_own, v_other in (
        (a, b, p, cost_a, cost_b, value_a, value_b),
        (b, a, 1 - p, cost_b, cost_a, value_b, value_a),
    ):
        raw, war = demand_under_uncertainty(chance, own.best, theirs, v_own, v_other)
        demand, corner = share(raw)
        out[who] = {
            "share_of": who,
            "demand": demand,
            "corner": corner,
            "war_probability": war,
            "note": f"{who} demands a share of the stakes from {other}, unsure of {other}'s cost",
        }
    return out


def stake_values(space: DealSpace) -> tuple[float, float]:
    """What winning the stakes is worth to each belligerent, u(own victory) − u(the other's),
    valued exactly as the deal space values the war's outcomes."""
    if space.stake_values is None:
        raise UsageError("the scenario has no conflict: block; add one to analyse the war")
    return float(space.stake_values[0, 0]), float(space.stake_values[0, 1])


def powell_inputs(scn: Scenario, space: DealSpace) -> dict[str, float]:
    """Best values for Powell's test on the scenario, the declining side's cost in units of
    what the stakes are worth to it (as the deal space uses them)."""
    from multipolar.deals.space import commitment_inputs
    from multipolar.uncertainty.sampling import best_values

    war = scn.conflict
    assert war is not None
    assert war.power_shift is not None
    t = {k: float(v[0]) for k, v in commitment_inputs(scn, best_values, 1).items()}
    value_a, value_b = stake_values(space)
    value_d = value_a if war.power_shift.declining == war.belligerents[0] else value_b
    t["cost"] = t["cost"] / value_d
    return t


def _commitment(scn: Scenario, space: DealSpace) -> dict[str, Any]:
    war = scn.conflict
    assert war is not None
    assert war.power_shift is not None
    t = powell_inputs(scn, space)
    plain = commitment_test(t["delta"], t["now"], t["next"], t["cost"], side_payment=t["side"])
    out: dict[str, Any] = {
        "declining": war.power_shift.declining,
        "chance_now": t["now"],
        "chance_after_shift": t["next"],
        "war_without_guarantee": bool(plain.war),
        "peace_margin_without_guarantee": float(plain.peace_margin),
        "sign": PEACE_SIGN,
    }
    if war.guarantee is not None:
        cap = (1 - t["credibility"]) * max(t["now"] - t["next"], 0.0)
        capped = commitment_test(
            t["delta"], t["now"], t["next"], t["cost"], cap=cap, side_payment=t["side"]
        )
        out["war_with_full_guarantee"] = bool(capped.war)
        out["peace_margin_with_full_guarantee"] = float(capped.peace_margin)
        out["guarantee_issue"] = war.guarantee.issue
    return out
