"""The mediator's workbench: Raiffa's single negotiating text, ceasefire-first versus
comprehensive sequencing, the value of information, and the mediator's own bias.

Single negotiating text (Fisher; Raiffa 1982, The Art and Science of Negotiation): the mediator
drafts one complete package; parties only criticise it; the mediator revises; repeat. Here each
party that does not yet accept the draft names the issue whose move toward its ideal helps it
most; the mediator tries moving each named issue by a step toward the critic and keeps the edit
that most improves its objective, provided nobody who already accepts stops accepting. When no
edit helps, the step halves; the text stops when every party accepts or the step is negligible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from multipolar.deals.analysis import Package, describe
from multipolar.deals.solve import maxmin
from multipolar.deals.space import DealSpace, build_space, party_rows, slacks, utilities
from multipolar.errors import UsageError, did_you_mean
from multipolar.scenario.arrays import FloatArray
from multipolar.scenario.schema import Scenario
from multipolar.war.commitment import commitment_test
from multipolar.war.limits import PEACE_SIGN
from multipolar.war.report import demand_under_uncertainty, powell_inputs, stake_values

if TYPE_CHECKING:
    import pandas as pd

Start = Literal["status_quo", "mediator", "compromise"]
_MIN_STEP = 1e-4
_MAX_ROUNDS = 500


@dataclass(frozen=True)
class TextStep:
    round: int
    edit: str  # e.g. "donbas -> 42.5 (for UKR)"
    package: Package


@dataclass(frozen=True)
class Mediation:
    mediator: str
    bias: float
    start: str
    steps: list[TextStep]
    accepted: bool
    sequencing: dict[str, Any] = field(default_factory=dict)
    information: list[dict[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as ``multipolar mediate --format json`` prints it."""
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per draft of the single negotiating text: round, edit, terms, margin."""
        from multipolar.frames import records

        return records(
            {"round": s.round, "edit": s.edit, **s.package.terms,
             "min_margin": s.package.min_margin, "blockers": ", ".join(s.package.blockers)}
            for s in self.steps
        )  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {
            "mediator": self.mediator,
            "bias": self.bias,
            "start": self.start,
            "accepted_by_all": self.accepted,
            "single_negotiating_text": [
                {"round": s.round, "edit": s.edit, **s.package.as_dict()} for s in self.steps
            ],
            "sequencing": self.sequencing,
            "value_of_information": self.information,
        }


def _rows(space: DealSpace, z: FloatArray) -> FloatArray:
    """The slacks u − d of the parties that must accept, then of the ratification rows."""
    s = slacks(space, z[None])[0, 0]
    n = len(space.actors)
    return np.concatenate([s[:n][space.veto], s[n : n + len(space.rat_rows)]])


def _objective(space: DealSpace, z: FloatArray, mediator: int, bias: float) -> float:
    """(1 − bias)·the smallest margin of a party (its ratification rows included) + bias·the
    mediator's own utility."""
    s = _rows(space, z)
    own = float(utilities(space, z[None])[0, 0, mediator])
    return (1 - bias) * float(np.min(s)) + bias * own


def _edits(
    space: DealSpace, z: FloatArray, critics: list[int], h: float
) -> list[tuple[FloatArray, str]]:
    """Candidate drafts: each critic's issues moved by up to ``h`` toward its ideal (a critic is
    a row of ``_rows``: a party or a constituency it needs); with no critic but an open
    commitment problem, the guarantee issue raised by ``h``."""
    out = []
    ideal, weight, _ = party_rows(space)
    names = [a for a, v in zip(space.actors, space.veto, strict=True) if v] + list(space.rat_rows)
    for i in critics:
        for k in np.nonzero(weight[0, i] > 0)[0]:
            cand = z.copy()
            cand[k] += float(np.clip(ideal[0, i, k] - z[k], -h, h))
            if cand[k] != z[k]:
                where = space.to_scale(cand)[k]
                out.append((cand, f"{space.issues[k]} -> {where:.4g} (for {names[i]})"))
    if not critics and space.guarantee_issue is not None:
        g = space.guarantee_issue
        cand = z.copy()
        cand[g] = min(1.0, z[g] + h)
        if cand[g] != z[g]:
            where = space.to_scale(cand)[g]
            out.append(
                (cand, f"{space.issues[g]} -> {where:.4g} (to close the commitment problem)")
            )
    return out


def _draft(space: DealSpace, scn: Scenario, start: Start, mediator: int) -> FloatArray:
    if start == "status_quo":
        return space.status_quo[0].copy()
    if start == "mediator":
        z = space.status_quo[0].copy()
        cares = space.weight[0, mediator] > 0
        z[cares] = space.ideal[0, mediator, cares]
        return z
    from multipolar.models import forecast

    return space.to_unit(forecast(scn, "compromise").values)


def single_text(
    scn: Scenario,
    mediator: str,
    *,
    bias: float = 0.0,
    start: Start = "status_quo",
    step: float = 0.1,
) -> tuple[list[TextStep], bool]:
    """Run the single negotiating text; returns its drafts and whether all accept the last."""
    space = build_space(scn)
    if mediator not in space.actors:
        raise UsageError(f"unknown mediator '{mediator}': {did_you_mean(mediator, space.actors)}")
    if not 0.0 <= bias <= 1.0:
        raise UsageError(f"bias must lie in [0, 1], not {bias}")
    me = space.actors.index(mediator)
    z = _draft(space, scn, start, me)
    steps = [TextStep(0, f"mediator's draft ({start})", describe(space, "draft 0", z))]
    h = step
    for rnd in range(1, _MAX_ROUNDS + 1):
        s, rows = slacks(space, z[None])[0, 0], _rows(space, z)
        critics = [i for i, v in enumerate(rows) if v < 0]
        commit_open = space.commit_a is not None and s[-1] < -1e-12
        if not critics and not commit_open:
            return steps, True
        accepting = [i for i, v in enumerate(rows) if v >= 0]
        best, best_value, label = None, _objective(space, z, me, bias), ""
        for cand, text in _edits(space, z, critics, h):
            new, new_rows = slacks(space, cand[None])[0, 0], _rows(space, cand)
            if any(new_rows[j] < 0 for j in accepting):
                continue  # a row that accepted the last draft must still accept
            closes = not critics and commit_open and new[-1] > s[-1]
            value = _objective(space, cand, me, bias)
            if value > best_value + 1e-12 or (closes and best is None):
                best, best_value, label = cand, value, text
        if best is None:
            h /= 2
            if h < _MIN_STEP:
                return steps, False
            continue
        z = best
        steps.append(TextStep(rnd, label, describe(space, f"draft {rnd}", z)))
    return steps, False


def sequencing(scn: Scenario) -> dict[str, Any]:
    """Ceasefire first versus a comprehensive deal, through Powell's commitment test.

    Ceasefire first: the fighting stops, the projected shift happens, and the guarantee comes (if
    ever) with the later settlement: the declining side faces the whole shift. Comprehensive
    first: the guarantee is in the same package, at the level of the best package (the max–min
    package), capping the shift at (1 − κ)Δq. Each order's ``peace_margin`` is Powell's
    rhs − lhs: positive = the declining side prefers the deal to fighting now (as in
    ``multipolar war``'s ``commitment``).
    """
    war = scn.conflict
    if war is None or war.power_shift is None:
        return {"note": "no conflict.power_shift: sequencing needs a projected shift in power"}
    shift = war.power_shift
    space = build_space(scn)
    t = powell_inputs(scn, space)
    delta, now, nxt, c_d, side = t["delta"], t["now"], t["next"], t["cost"], t["side"]
    first = commitment_test(delta, now, nxt, c_d, side_payment=side)
    z = maxmin(space).z
    kappa = 0.0
    if war.guarantee is not None:
        level = (
            1.0
            if war.guarantee.issue is None
            else float(z[scn.issue_ids.index(war.guarantee.issue)])
        )
        kappa = t["credibility"] * level
    comp = commitment_test(
        delta, now, nxt, c_d, cap=(1 - kappa) * max(now - nxt, 0.0), side_payment=side
    )
    return {
        "declining": shift.declining,
        "ceasefire_first": {"war": bool(first.war), "peace_margin": float(first.peace_margin)},
        "comprehensive_first": {
            "war": bool(comp.war),
            "peace_margin": float(comp.peace_margin),
            "guarantee_credibility_in_package": kappa,
        },
        "note": PEACE_SIGN,
    }


def value_of_information(
    scn: Scenario, widths: tuple[float, ...] = (1.0, 0.75, 0.5, 0.25, 0.0)
) -> list[dict[str, float]]:
    """Pr(war) in the risk–return model as the mediator narrows the first belligerent's
    uncertainty about the second's cost: the range shrinks around its best estimate."""
    war = scn.conflict
    if war is None:
        return []
    a, b = war.belligerents
    value_a, value_b = stake_values(build_space(scn))
    est = war.costs[b]
    out = []
    for frac in widths:
        lo = est.best - frac * (est.best - est.lo)
        hi = est.best + frac * (est.hi - est.best)
        narrowed = est.model_copy(update={"low": lo, "high": hi})
        _, war_p = demand_under_uncertainty(
            war.p.best, war.costs[a].best, narrowed, value_a, value_b
        )
        out.append({"width": frac, "low": lo, "high": hi, "war_probability": war_p})
    return out


def mediate(
    scn: Scenario, mediator: str, *, bias: float = 0.0, start: Start = "status_quo"
) -> Mediation:
    """The whole workbench for one mediator (on the state after the scenario's events)."""
    from multipolar.dynamics.apply import resolve

    scn = resolve(scn)
    steps, accepted = single_text(scn, mediator, bias=bias, start=start)
    return Mediation(
        mediator=mediator,
        bias=bias,
        start=start,
        steps=steps,
        accepted=accepted,
        sequencing=sequencing(scn),
        information=value_of_information(scn),
    )
