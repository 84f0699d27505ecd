"""Forecasting models behind one registry (see ``registry`` for the contract)."""

from multipolar.models import compromise, eum, exchange, median, nash, smp
from multipolar.models.api import Forecast, forecast, forecast_all, forecast_many
from multipolar.models.registry import ModelOutput, ModelSpec, get, names, register, specs

__all__ = [
    "Forecast",
    "ModelOutput",
    "ModelSpec",
    "compromise",
    "eum",
    "exchange",
    "forecast",
    "forecast_all",
    "forecast_many",
    "get",
    "median",
    "names",
    "nash",
    "register",
    "smp",
    "specs",
]
