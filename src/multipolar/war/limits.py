"""What keeps the war outputs possible: shares pinned to [0, 1] with their corners named, and
the warnings a reader needs when the inputs put a belligerent outside the models' useful range.

Corner rule: every share, demand, range end and split lies in [0, 1]. When a model's
unconstrained optimum leaves [0, 1] the output is the bound and its ``corner`` says which one
("lower" = 0, "upper" = 1; a range may have "both"); ``None`` means an interior value.

Sign convention: a *peace margin* is positive when there is room for peace or a deal, negative
when the side fights (see :mod:`multipolar.war.commitment`).
"""

from __future__ import annotations

from typing import Any, Literal

Corner = Literal["lower", "upper", "both"] | None

TOL = 1e-9  # a share within this of 0 or 1 sits on the bound
WORTHLESS = 1e-9  # the deal space floors a stake value at this: the stakes are worth nothing
PEACE_SIGN = (
    "peace margin > 0: the declining side prefers the deal to fighting now (room for a deal); "
    "< 0: it prefers to fight before the shift. Units: shares of the stakes per period."
)


def share(value: float) -> tuple[float, Corner]:
    """``value`` clipped to [0, 1], snapped onto a bound within ``TOL``, and its corner."""
    if value >= 1 - TOL:
        return 1.0, "upper"
    if value <= TOL:
        return 0.0, "lower"
    return float(value), None


def range_corner(low: float, high: float) -> Corner:
    """Which ends of a bargaining range sit on a bound of [0, 1]."""
    at_low, at_high = low <= TOL, high >= 1 - TOL
    if at_low and at_high:
        return "both"
    return "lower" if at_low else "upper" if at_high else None


def stake_warnings(
    value: dict[str, float], cost: dict[str, float], other: dict[str, str]
) -> list[dict[str, Any]]:
    """One warning per belligerent whose per-period cost of war exceeds what the stakes are
    worth to it (V = u(it wins) − u(the other wins)), or for whom the stakes are worth nothing."""
    out: list[dict[str, Any]] = []
    for who, v in value.items():
        c = cost[who]
        if v <= WORTHLESS:
            message = (
                f"the stakes are worth nothing to {who} (u({who} wins) − u({other[who]} wins) = "
                f"{v:.3g} ≤ 0, per-period cost {c:.3g}): {who} takes no position on the stakes or "
                f"prefers {other[who]}'s outcome, so the war models cannot value its fight; check "
                f"that {who} is a belligerent and that the stakes are the issues it fights over"
            )
            out.append(_warning("stakes_worth_nothing", who, c, v, message))
        elif c > v:
            message = (
                f"{who}'s cost of war per period ({c:.3f}) exceeds what the stakes are worth to it "
                f"({v:.3f} = u({who} wins) − u({other[who]} wins)), {c / v:.1f} times: one period "
                f"of fighting costs {who} more than winning every stake would bring, so it "
                f"prefers conceding all the stakes to fighting and the bargaining range reaches "
                f"the corner where {other[who]} takes them all; check the cost (utility units of "
                "the deal space, 0–1) and the stakes"
            )
            out.append(_warning("cost_exceeds_stakes", who, c, v, message))
    return out


def _warning(code: str, who: str, cost: float, value: float, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "actor": who,
        "cost_per_period": cost,
        "value_of_stakes": value,
        "message": message,
    }
