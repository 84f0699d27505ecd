"""Rationalist models of war as bargaining: walk-away values and the risk of fighting.

Closed forms where they exist, vectorised over numpy arrays (any argument may be an array; the
results broadcast). Formulas and checked test vectors: ``shared/reference/war_and_deals.md``.
"""

from multipolar.war.attrition import Attrition, war_of_attrition
from multipolar.war.battles import battle_chain, update_win_rate
from multipolar.war.commitment import Commitment, commitment_path, commitment_test
from multipolar.war.fearon import bargaining_range, nash_split, nash_split_derivatives
from multipolar.war.information import Demand, optimal_demand, optimal_demand_uniform

__all__ = [
    "Attrition",
    "Commitment",
    "Demand",
    "bargaining_range",
    "battle_chain",
    "commitment_path",
    "commitment_test",
    "nash_split",
    "nash_split_derivatives",
    "optimal_demand",
    "optimal_demand_uniform",
    "update_win_rate",
    "war_of_attrition",
]

from multipolar._callable import make_callable

make_callable(__name__, "war")  # multipolar.war(...) is multipolar.api.war(...)
