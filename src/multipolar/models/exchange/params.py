"""The exchange model's parameters: defaults (decide's) and their validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from multipolar.errors import UsageError, did_you_mean
from multipolar.params import MAX_ROUNDS, Param

#: tie rules: decide's deterministic reading (list order), decide's coin, or actor-order free
TIES = ("order", "random", "canonical")

#: the model's parameters and their defaults, which are decide's (equal gain, 10 rounds)
DEFAULTS: dict[str, Any] = {
    "rounds": 10,
    "p": 0.0,
    "ties": "order",
    "salience_weight": 0.4,
    "fixed_weight": 0.1,
}


#: the declarations the registry checks (`models: {exchange: {...}}`, the API, the server)
PARAMS = (
    Param("rounds", int, 10, "Rounds of exchanges (decide's iterations).", low=0, high=MAX_ROUNDS),
    Param("p", float, 0.0, "REX randomisation; 0 is the equal-gain model.", low=0.0, high=1.0),
    Param("ties", str, "order", "How equal gains are ordered.", choices=TIES),
    Param("salience_weight", float, 0.4, "Next round's start: weight of 1 − s.", low=0.0, high=1.0),
    Param("fixed_weight", float, 0.1, "Next round's start: fixed weight.", low=0.0, high=1.0),
)


@dataclass(frozen=True)
class Config:
    """Validated settings.

    ``rounds``: rounds of exchanges (decide's ``--iterations``; no convergence test).
    ``p``: REX randomisation in [0, 1] (Dijkstra et al. 2018); 0 is the equal-gain model.
    ``ties``: how equal gains (on 9 decimals) are ordered: ``order`` (the first in decide's
    candidate list, the deterministic reference), ``random`` (decide's coin between the first
    two), ``canonical`` (actors ranked by their data first, so relabelling actors changes
    nothing). ``salience_weight``, ``fixed_weight``: the next round starts at
    x + (fixed + salience_weight·(1 - s))·(y - x) (decide's 0.1 and 0.4).
    """

    rounds: int = 10
    p: float = 0.0
    ties: str = "order"
    salience_weight: float = 0.4
    fixed_weight: float = 0.1

    @property
    def random(self) -> bool:
        """Whether a run draws random numbers (REX or coin-flipped ties)."""
        return self.p > 0.0 or self.ties == "random"


def _number(name: str, value: Any, lo: float, hi: float) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise UsageError(f"exchange: {name} must be a number, not {value!r}") from None
    if not lo <= out <= hi:
        raise UsageError(f"exchange: {name} = {value!r} is outside [{lo:g}, {hi:g}]")
    return out


def config(
    rounds: Any = 10,
    p: Any = 0.0,
    ties: Any = "order",
    salience_weight: Any = 0.4,
    fixed_weight: Any = 0.1,
) -> Config:
    """A ``Config`` from the model's keyword parameters, or a one-line ``UsageError``."""
    if isinstance(rounds, bool) or not isinstance(rounds, int | float) or rounds != int(rounds):
        raise UsageError(f"exchange: rounds must be a whole number, not {rounds!r}")
    if not 0 <= int(rounds) <= 1000:
        raise UsageError(f"exchange: rounds = {rounds!r} is outside [0, 1000]")
    name = str(ties).strip().lower()
    if name not in TIES:
        raise UsageError(f"exchange: ties = {ties!r} is not a tie rule; {did_you_mean(name, TIES)}")
    sw = _number("salience_weight", salience_weight, 0.0, 1.0)
    fw = _number("fixed_weight", fixed_weight, 0.0, 1.0)
    if sw + fw > 1.0:
        raise UsageError(
            f"exchange: salience_weight + fixed_weight = {sw + fw:g} exceeds 1; fix: lower one"
        )
    return Config(int(rounds), _number("p", p, 0.0, 1.0), name, sw, fw)
