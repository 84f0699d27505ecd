"""multipolar: turn a multi-party negotiation into an explicit model and answer questions of it.

>>> import multipolar
>>> scn = multipolar.load("scenarios/ukraine_2025_08.yaml")  # doctest: +SKIP
>>> multipolar.forecast(scn, model="compromise")  # doctest: +SKIP
"""

from multipolar.errors import MultipolarError, ScenarioError, UsageError
from multipolar.models import Forecast, forecast, forecast_all
from multipolar.scenario import Scenario, load

__version__ = "0.1.0"
__all__ = [
    "Forecast",
    "MultipolarError",
    "Scenario",
    "ScenarioError",
    "UsageError",
    "__version__",
    "forecast",
    "forecast_all",
    "load",
]
