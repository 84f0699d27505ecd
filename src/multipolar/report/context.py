"""What every section of the report reads (``Context``) and the report's fixed settings: draw
caps, the sensitivity model and its Sobol sample, the number of deal packages shown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from multipolar.models.api import Forecast
from multipolar.report.palette import actor_colours
from multipolar.scenario.schema import Scenario

if TYPE_CHECKING:
    from multipolar.deals.analysis import DealReport
    from multipolar.deals.whatif import WhatItTakes

#: Monte Carlo draws of the slow models are capped (the spatial model runs ~10 ms per draw).
DRAW_CAP = {"smp": 100}
SOBOL_N = 128  # Saltelli base sample: N(D + 2) evaluations of the compromise model
SENSITIVITY_MODEL = "compromise"
TOP_PACKAGES = 5


@dataclass(frozen=True)
class Context:
    """What every section reads: the scenario as given (with its events), the state after the
    events (what the analyses use), every model's forecast of that state, and the settings."""

    scn: Scenario
    state: Scenario
    forecasts: list[Forecast]
    draws: int
    seed: int
    pair: tuple[str, str] | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # results several sections read

    def issue_axes(self) -> list[tuple[str, float, float]]:
        return [(i.name, i.low, i.high) for i in self.state.issues]

    def deals(self) -> DealReport:
        """The deal analysis (its verdict is the report's answer), computed once."""
        if "deals" not in self.cache:
            from multipolar.deals.analysis import analyse_deals

            self.cache["deals"] = analyse_deals(
                self.state, top=TOP_PACKAGES, draws=self.draws, seed=self.seed
            )
        report: DealReport = self.cache["deals"]
        return report

    def levers(self) -> list[WhatItTakes]:
        """What it would take, for each lever of the scenario, computed once."""
        if "levers" not in self.cache:
            from multipolar.deals.whatif import what_it_takes_all
            from multipolar.report.summary import levers

            self.cache["levers"] = what_it_takes_all(self.state, levers(self.state))
        results: list[WhatItTakes] = self.cache["levers"]
        return results

    def colours(self) -> dict[str, str]:
        """Each actor's colour, by its place in the scenario file (as in the web app)."""
        return actor_colours(a.id for a in self.scn.actors)
