"""Forecasting models behind one registry (see ``registry`` for the contract)."""

from multipolar.models import compromise, median, nash
from multipolar.models.registry import ModelOutput, ModelSpec, get, names, register, specs

__all__ = [
    "ModelOutput",
    "ModelSpec",
    "compromise",
    "get",
    "median",
    "names",
    "nash",
    "register",
    "specs",
]
