"""Scenarios: the schema, validation, loading/saving, and conversion to model arrays."""

from multipolar.scenario.arrays import Inputs, to_inputs
from multipolar.scenario.checks import check
from multipolar.scenario.loader import dumps, load, save, to_data, validate
from multipolar.scenario.schema import (
    Actor,
    Anchor,
    Estimate,
    IdealAdjustment,
    Issue,
    Scenario,
    Source,
)

__all__ = [
    "Actor",
    "Anchor",
    "Estimate",
    "IdealAdjustment",
    "Inputs",
    "Issue",
    "Scenario",
    "Source",
    "check",
    "dumps",
    "load",
    "save",
    "to_data",
    "to_inputs",
    "validate",
]
