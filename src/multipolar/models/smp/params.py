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

from multipolar.errors import UsageError, did_you_mean

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
