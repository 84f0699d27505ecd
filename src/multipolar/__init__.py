"""multipolar: turn a multi-party negotiation into an explicit model and answer questions of it.

>>> import multipolar
>>> scn = multipolar.load("scenarios/ukraine_2025_08.yaml")  # doctest: +SKIP
>>> multipolar.forecast(scn, model="compromise")  # doctest: +SKIP
"""

from multipolar.errors import MultipolarError, ScenarioError, UsageError
from multipolar.models import Forecast, forecast, forecast_all
from multipolar.scenario import Scenario, load

__version__ = "0.1.0"

_LAZY = {  # heavier analyses load on first use, keeping `import multipolar` fast
    "analyse_war": "multipolar.war.report",
    "analyse_deals": "multipolar.deals.analysis",
    "what_it_takes": "multipolar.deals.whatif",
    "mediate": "multipolar.deals.mediate",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'multipolar' has no attribute {name!r}")


__all__ = [
    "Forecast",
    "MultipolarError",
    "Scenario",
    "ScenarioError",
    "UsageError",
    "__version__",
    "analyse_deals",
    "analyse_war",
    "forecast",
    "forecast_all",
    "load",
    "mediate",
    "what_it_takes",
]
