"""multipolar: turn a multi-party negotiation into an explicit model and answer questions of it.

>>> import multipolar
>>> scn = multipolar.load("scenarios/ukraine_2025_08.yaml")  # doctest: +SKIP
>>> multipolar.forecast(scn, model="compromise")  # doctest: +SKIP
>>> multipolar.verdict(scn).sentence()  # doctest: +SKIP

Every question has one function here (``forecasts``, ``verdict``, ``deals``, ``war``,
``what_it_takes``, ``mediate``, ``timeline``, ``coalitions``, ``mediators``, ``ratification``,
``simulate``,
``sensitivity``, ``summary``, ``analysis``, ``report``; see :mod:`multipolar.api`), each
result with ``to_dict()`` and ``to_frame()``.
"""

from multipolar.errors import MultipolarError, ScenarioError, UsageError

__version__ = "0.1.0"

_API = (  # multipolar.api: one function per question, loaded on first use
    "analysis", "coalitions", "deals", "forecasts", "mediate", "mediators", "ratification",
    "report", "sensitivity", "simulate", "summary", "timeline", "verdict", "war", "what_it_takes",
)  # fmt: skip
_PACKAGES = ("coalitions", "deals", "report", "war")  # packages that are also API functions
_LAZY = {  # everything but the errors loads on first use, keeping `import multipolar` fast
    "Forecast": "multipolar.models",
    "forecast": "multipolar.models",
    "forecast_all": "multipolar.models",
    "Scenario": "multipolar.scenario",
    "load": "multipolar.scenario",
    "analyse_war": "multipolar.war.report",
    "analyse_deals": "multipolar.deals.analysis",
    "Coalitions": "multipolar.coalitions.analysis",
    "Mediators": "multipolar.coalitions.mediators",
    "Ratification": "multipolar.deals.ratify_report",
    "DealReport": "multipolar.deals.analysis",
    "Verdict": "multipolar.deals.verdict",
    "Timeline": "multipolar.dynamics.timeline",
    "Forecasts": "multipolar.models.api",
    **dict.fromkeys(_API, "multipolar.api"),
}


def __getattr__(name: str) -> object:
    if name in _PACKAGES:  # callable packages (see multipolar._callable)
        import importlib

        return importlib.import_module(f"multipolar.{name}")
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'multipolar' has no attribute {name!r}")


__all__ = [
    "Coalitions",
    "DealReport",
    "Forecast",
    "Forecasts",
    "Mediators",
    "MultipolarError",
    "Ratification",
    "Scenario",
    "ScenarioError",
    "Timeline",
    "UsageError",
    "Verdict",
    "__version__",
    "analyse_deals",
    "analyse_war",
    "analysis",
    "coalitions",
    "deals",
    "forecast",
    "forecast_all",
    "forecasts",
    "load",
    "mediate",
    "mediators",
    "ratification",
    "report",
    "sensitivity",
    "simulate",
    "summary",
    "timeline",
    "verdict",
    "war",
    "what_it_takes",
]
