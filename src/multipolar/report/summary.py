"""The executive summary: the answer first, in the same words on every surface.

``multipolar summary`` prints it, ``multipolar analysis`` opens with it and the HTML report's
first section is it. It reads one :class:`~multipolar.deals.verdict.Verdict` (is there a zone of
agreement, what binds, by how much, with what probability), the what-it-takes scan of the
scenario's levers (what would open or close the zone) and every model's forecast per issue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from multipolar.deals.verdict import Verdict
from multipolar.deals.whatif import WhatItTakes
from multipolar.defaults import DRAWS, SEED
from multipolar.models.api import Forecast
from multipolar.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd


def levers(scn: Scenario) -> list[str]:
    """The parameters worth asking 'what would it take' about: the war's odds, costs and
    guarantee, and each belligerent's position on the stakes."""
    war = scn.conflict
    if war is None:
        return []
    paths = ["conflict.p"]
    paths += [f"conflict.costs.{a}" for a in war.belligerents]
    if war.guarantee is not None:
        paths.append("conflict.guarantee.credibility")
    for issue in war.stakes:
        for actor in war.belligerents:
            if issue in scn.positions.get(actor, {}):
                paths.append(f"positions.{actor}.{issue}")
    return paths


@dataclass(frozen=True)
class Brief:
    """What the executive summary reads."""

    title: str
    verdict: Verdict
    levers: list[WhatItTakes]
    forecasts: list[Forecast]
    readings: dict[str, dict[str, str]]  # issue -> model -> words for its forecast
    issue_names: dict[str, str]
    scales: dict[str, tuple[float, float]]

    def lines(self) -> list[str]:
        """The summary as Markdown lines (no heading)."""
        v = self.verdict
        out = [("**Yes.** " if v.zone else "**No.** ") + v.sentence(), ""]
        out += _lever_lines(self.levers, v.zone)
        if self.forecasts:
            out += ["", "What each model forecasts, issue by issue:", ""]
            for issue, name in self.issue_names.items():
                lo, hi = self.scales[issue]
                groups: dict[str, list[str]] = {}  # models that read the same, together
                for f in self.forecasts:
                    groups.setdefault(self.readings[issue][f.model], []).append(
                        f"{f.model} {f[issue]:.1f}"
                    )
                parts = [
                    ", ".join(models) + (f" ({words})" if words else "")
                    for words, models in groups.items()
                ]
                out.append(f"- **{name}** (scale {lo:g}–{hi:g}): " + "; ".join(parts) + ".")
        return out

    def markdown(self) -> str:
        return "\n".join(self.lines()).rstrip() + "\n"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as ``multipolar summary --format json`` prints it."""
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """The forecasts behind the summary: one row per issue, one column per model."""
        from multipolar.frames import records

        return records(
            {"issue": i, **{f.model: f[i] for f in self.forecasts}} for i in self.issue_names
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.as_dict(),
            "levers": [r.as_dict() for r in self.levers],
            "forecasts": {
                f.model: dict(zip(f.issues, map(float, f.values), strict=True))
                for f in self.forecasts
            },
            "text": self.markdown(),
        }


def _relative(r: WhatItTakes) -> float:
    return abs(r.change or 0.0) / max(r.domain[1] - r.domain[0], 1e-12)


def _lever_lines(results: Sequence[WhatItTakes], zone: bool) -> list[str]:
    """What would open (or close) the zone: the levers that change the answer within their
    range, nearest first (relative to the range), and those that never do."""
    if not results:
        return ["What would change the answer: the scenario has no `conflict:` block to vary."]
    moving = sorted((r for r in results if r.value is not None), key=_relative)
    still = [r.path for r in results if r.value is None]
    verb = "closes" if zone else "opens"
    if not moving:
        return [f"No single lever tried {verb} the zone within its range ({', '.join(still)})."]
    out = [f"What would {'close' if zone else 'open'} it, nearest first (one lever at a time):", ""]
    for r in moving[:4]:
        assert r.value is not None
        assert r.change is not None
        out.append(
            f"- `{r.path}` from {r.current:.4g} to {r.value:.4g} ({r.change:+.4g}, "
            f"{_relative(r):.0%} of its range)"
        )
    if still:
        out += ["", f"Within their ranges these never {verb[:-1]} it: {', '.join(still)}."]
    return out


def brief(
    scn: Scenario,
    *,
    draws: int = DRAWS,
    seed: int = SEED,
    verdict: Verdict | None = None,
    lever_results: list[WhatItTakes] | None = None,
    forecasts: list[Forecast] | None = None,
) -> Brief:
    """The executive summary of ``scn`` as of its last event. Pass what a caller has already
    computed (the verdict, the lever scan, the forecasts) to reuse it."""
    from multipolar.deals.analysis import deal_verdict
    from multipolar.deals.whatif import what_it_takes_all
    from multipolar.dynamics.apply import resolve
    from multipolar.models.api import forecast_all
    from multipolar.report.console import reading

    state = resolve(scn)
    if verdict is None:
        verdict = deal_verdict(state, draws=draws, seed=seed)
    if lever_results is None:
        lever_results = what_it_takes_all(state, levers(state))
    if forecasts is None:
        forecasts = forecast_all(state, seed=seed)
    return Brief(
        title=state.title,
        verdict=verdict,
        levers=lever_results,
        forecasts=forecasts,
        readings={
            i.id: {f.model: reading(state, i.id, f[i.id]) for f in forecasts} for i in state.issues
        },
        issue_names={i.id: i.name for i in state.issues},
        scales={i.id: (i.low, i.high) for i in state.issues},
    )
