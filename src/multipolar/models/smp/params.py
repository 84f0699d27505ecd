"""The nine KTAB SMP model parameters, with KTAB's defaults and snake_case spellings.

The spellings are those the KTAB XML importer writes into ``scenario.models["smp"]``
(``PropCbc`` -> ``prop_cbc``). CamelCase spellings are accepted too, and KTAB's two spellings
of two values: its XSD's ``Proportional`` and ``No``, its binary's ``Prop`` and ``None`` (the
same options), so a value copied from a KTAB file or log works as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from multipolar.errors import UsageError, did_you_mean
from multipolar.params import MAX_ROUNDS, Param, ParamError

#: parameter -> allowed values; the first is KTAB's default
CHOICES: dict[str, tuple[str, ...]] = {
    "victory_prob_model": ("linear", "square", "quartic", "octic", "binary"),
    "pce_model": ("conditional", "markov_incentive", "markov_uniform"),
    "state_transitions": ("deterministic", "stochastic"),
    "voting_rule": ("proportional", "binary", "prop_bin", "prop_cbc", "cubic", "asym_prosp"),
    "big_r_adjust": ("one_third", "full", "two_thirds", "half", "no"),
    "big_r_range": ("mid", "min", "max"),
    "third_party_commit": ("semi_commit", "no_commit", "full_commit"),
    "inter_vec_brgn": ("s2p2", "s1p1", "s2p_max"),
    "bargn_model": ("init_only_interp", "init_rcvr_interp", "pw_comp_interp"),
}
DEFAULTS: dict[str, str] = {name: values[0] for name, values in CHOICES.items()}
_ALIASES = {"prop": "proportional", "none": "no", "norisk": "no"}


def _key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def choice(name: str, value: Any) -> str:
    """The canonical spelling of ``value`` for parameter ``name``, or a ``UsageError``."""
    allowed = CHOICES[name]
    key = _key(str(value))
    key = _key(_ALIASES.get(key, key))
    for option in allowed:
        if _key(option) == key:
            return option
    raise UsageError(f"smp: {name} = {value!r} is not a KTAB value; " + did_you_mean(key, allowed))


@dataclass(frozen=True)
class Config:
    """Validated SMP settings (KTAB's nine parameters plus the stopping rule)."""

    victory_prob_model: str = "linear"
    pce_model: str = "conditional"
    state_transitions: str = "deterministic"
    voting_rule: str = "proportional"
    big_r_adjust: str = "one_third"
    big_r_range: str = "mid"
    third_party_commit: str = "semi_commit"
    inter_vec_brgn: str = "s2p2"
    bargn_model: str = "init_only_interp"
    max_turns: int = 100
    min_turns: int = 2
    stop_ratio: float = 0.02

    @property
    def stochastic(self) -> bool:
        return self.state_transitions == "stochastic"


def config(max_turns: int = 100, min_turns: int = 2, stop_ratio: float = 0.02, **kw: Any) -> Config:
    """A ``Config`` from keyword parameters (unknown names are a ``UsageError``)."""
    unknown = set(kw) - set(CHOICES)
    if unknown:
        name = sorted(unknown)[0]
        raise UsageError(f"smp has no parameter '{name}': " + did_you_mean(name, CHOICES))
    if int(max_turns) < 0 or int(min_turns) < 0:
        raise UsageError("smp: max_turns and min_turns must be >= 0")
    if not float(stop_ratio) >= 0.0:
        raise UsageError(f"smp: stop_ratio must be >= 0, not {stop_ratio!r}")
    values = {name: choice(name, kw.get(name, DEFAULTS[name])) for name in CHOICES}
    return Config(
        **values, max_turns=int(max_turns), min_turns=int(min_turns), stop_ratio=float(stop_ratio)
    )


def _affinity(value: Any) -> Any:
    """A square matrix of finite numbers in [0, 1] (its size is checked against the actors
    when the model runs), else ``ParamError``."""
    fix = "give a list of rows, one per actor, each of numbers from 0 to 1"
    try:
        a = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ParamError(f"{value!r} is not a matrix of numbers", fix) from None
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ParamError(f"a matrix of shape {a.shape} is not square", fix)
    if not np.all(np.isfinite(a)) or np.any(a < 0.0) or np.any(a > 1.0):
        raise ParamError("entries must be finite numbers from 0 to 1", fix)
    return value


def _choice_param(name: str) -> Param:
    allowed = CHOICES[name]
    return Param(name, str, allowed[0], f"KTAB's {name} (first: KTAB's default).",
                 choices=allowed, canonical=lambda v: choice(name, v))  # fmt: skip


#: every SMP parameter, declared once (type, bounds, default): the registry checks them
PARAMS: tuple[Param, ...] = (
    *(_choice_param(name) for name in CHOICES),
    Param("max_turns", int, 100, "Most turns.", low=0, high=MAX_ROUNDS),
    Param(
        "min_turns", int, 2, "Fewest turns before the stop rule applies.", low=0, high=MAX_ROUNDS
    ),
    Param(
        "stop_ratio", float, 0.02, "Stop when the change falls below this share.", low=0.0, high=1.0
    ),
    Param(
        "affinity",
        object,
        None,
        "an n×n matrix of numbers from 0 to 1",
        optional=True,
        validator=_affinity,
    ),
)
