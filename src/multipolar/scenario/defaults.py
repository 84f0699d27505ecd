"""The defaults a scenario leaves implicit that change results (``multipolar validate --explain``).

``explain_defaults(scn)`` is a pure function of a valid scenario: it reads which fields the file
set (pydantic's ``model_fields_set``, so writing a default value explicitly counts as setting it)
and lists every default the engine would then apply that moves a forecast, a deal verdict, a war
figure or a Monte Carlo draw. Each entry says the value used, which results it moves, the places
in the file it applies to and how to write it explicitly. A default that cannot matter for this
scenario (``deal.unsettled`` when every issue has a status quo, ``conflict.side_payment`` without
a power shift) is not listed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from multipolar.scenario.schema import Estimate, Scenario

FORECASTS = "forecast, simulate, report"
DEALS = "deals, what-it-takes, mediate, analysis, timeline, report, simulate -m deals"
WAR = "war and every deal analysis (the belligerents' walk-away values)"
DRAWS = "simulate, sensitivity, deal feasibility, report (Monte Carlo draws)"
#: model parameters a scenario sets through a field of its own rather than ``models:``
_FROM_FIELDS = {"affinity": "ideal_adjustment"}


@dataclass(frozen=True)
class Default:
    """One implicit default that changes results."""

    setting: str  # what is defaulted, e.g. ``deal.utility``
    value: str  # the value the engine uses
    affects: str  # which results it moves
    explicit: str  # how to write it explicitly in the scenario file
    paths: tuple[str, ...] = field(default_factory=tuple)  # places it applies to, if several
    yaml: str | None = None  # YAML that writes this very value (same results), where one exists

    def as_dict(self) -> dict[str, Any]:
        return {
            "setting": self.setting,
            "value": self.value,
            "affects": self.affects,
            "explicit": self.explicit,
            "paths": list(self.paths),
            "yaml": self.yaml,
        }


def _set(model: Any, name: str) -> bool:
    return name in model.model_fields_set


def _deal(scn: Scenario) -> list[Default]:
    deal, out = scn.deal, []
    if not _set(deal, "utility"):
        out.append(
            Default(
                "deal.utility",
                "quadratic (default): per issue 1 − (distance/width)²",
                DEALS,
                "deal: {utility: quadratic}  (or linear: 1 − distance/width)",
                yaml="deal: {utility: quadratic}",
            )
        )
    open_issues = tuple(f"issues.{i.id}.status_quo" for i in scn.issues if i.status_quo is None)
    if open_issues and not _set(deal, "unsettled"):
        out.append(
            Default(
                "deal.unsettled",
                "average (default): walking away (or a war) is worth, on an issue without a "
                "status quo, each actor's average utility on the settled issues",
                DEALS,
                "deal: {unsettled: average}  (or nothing, or midpoint)",
                open_issues,
                "deal: {unsettled: average}",
            )
        )
    if not (_set(deal, "owners") or _set(deal, "veto")):
        if scn.conflict is None:
            who = "every actor must accept a package (no conflict, owners or veto given)"
        else:
            pair = " and ".join(scn.conflict.belligerents)
            who = f"only the belligerents {pair} must accept a package (no owners or veto given)"
        out.append(Default("deal.veto", who, DEALS, "deal: {veto: {ISSUE: [ACTOR, ...]}}"))
    out.extend(_walk_away(scn))
    return out


def _walk_away(scn: Scenario) -> list[Default]:
    fighting = set(scn.conflict.belligerents) if scn.conflict is not None else set()
    given = set(scn.deal.walk_away)
    missing = tuple(
        f"deal.walk_away.{a}" for a in scn.actor_ids if a not in fighting and a not in given
    )
    if not missing:
        return []
    return [
        Default(
            "deal.walk_away",
            "derived: the actor's utility of the no-deal package (the status quo, see "
            "deal.unsettled for issues without one)",
            DEALS,
            "deal: {walk_away: {ACTOR: 0.6}}  (a utility in [0, 1])",
            missing,
        )
    ]


def _conflict(scn: Scenario) -> list[Default]:
    war = scn.conflict
    if war is None:
        return []
    out = []
    if not _set(war, "stakes"):
        out.append(
            Default(
                "conflict.stakes",
                "[] (default): the war decides no issue, so winning and losing both leave "
                "the status quo",
                WAR,
                f"conflict: {{stakes: [{', '.join(scn.issue_ids[:2])}]}}",
            )
        )
    shift = war.power_shift
    if shift is None:
        return out
    if shift.now is None:
        first = shift.declining == war.belligerents[0]
        now = war.p.best if first else 1 - war.p.best
        rule = "p" if first else "1 − p"
        out.append(
            Default(
                "conflict.power_shift.now",
                f"taken from p: {rule} = {now:.6g} ({shift.declining}'s chance now"
                + ("; in Monte Carlo, from each draw of p)" if not war.p.is_point else ")"),
                WAR,
                f"conflict: {{power_shift: {{now: {now:.6g}}}}}",
                # a point 'now' matches draws only when p is a point too
                yaml=f"conflict: {{power_shift: {{now: {now!r}}}}}" if war.p.is_point else None,
            )
        )
    if war.side_payment is None:
        out.append(
            Default(
                "conflict.side_payment",
                "0 (no third party adds a transfer)",
                WAR,
                "conflict: {side_payment: 0}",
                yaml="conflict: {side_payment: 0}",
            )
        )
    if war.guarantee is None:
        out.append(
            Default(
                "conflict.guarantee",
                "none: credibility 0, nothing caps the power shift",
                WAR,
                "conflict: {guarantee: {credibility: 0}}",
                yaml="conflict: {guarantee: {credibility: 0}}",
            )
        )
    return out


def _issues(scn: Scenario) -> list[Default]:
    missing = tuple(f"issues.{i.id}.status_quo" for i in scn.issues if i.status_quo is None)
    if not missing:
        return []
    return [
        Default(
            "status_quo",
            "none: the nash model uses a fixed disagreement loss instead; walking away (or a "
            "war, off its stakes) leaves the issue unsettled (see deal.unsettled)",
            f"{FORECASTS} (nash); {DEALS}",
            "add status_quo: VALUE to the issue (a point on its scale)",
            missing,
        )
    ]


def _positions(scn: Scenario) -> list[Default]:
    missing = tuple(
        f"positions.{a}.{i}"
        for a in scn.actor_ids
        for i in scn.issue_ids
        if i not in scn.positions.get(a, {})
    )
    if not missing:
        return []
    return [
        Default(
            "positions",
            "none: the actor takes no part in forecasts of that issue and the issue counts "
            "nothing in its deal utility",
            f"{FORECASTS}; {DEALS}",
            "add positions.ACTOR.ISSUE and salience.ACTOR.ISSUE (salience 0 if it does not care)",
            missing,
        )
    ]


def _salience(scn: Scenario) -> list[Default]:
    out = []
    totals = {a: sum(est.best for est in row.values()) for a, row in scn.salience.items()}
    off = {a: t for a, t in totals.items() if abs(t - 1.0) > 1e-9}
    if off:
        shown = ", ".join(f"{a} {t:.4g}" for a, t in off.items())
        out.append(
            Default(
                "salience normalisation",
                f"deal utilities divide each actor's saliences by their total ({shown}"
                + ("; all 0: its issues weigh equally" if 0 in off.values() else "")
                + "); forecasting models use capability × salience as written",
                DEALS,
                "no switch: saliences that sum to 1 per actor make the division a no-op "
                "(rescaling them changes forecasts too)",
                tuple(f"salience.{a}" for a in off),
            )
        )
    for issue_id in scn.issue_ids:
        weights = [
            actor.capability.best * scn.salience[actor.id][issue_id].best
            for actor in scn.actors
            if issue_id in scn.positions.get(actor.id, {})
        ]
        if weights and sum(weights) <= 0:
            out.append(
                Default(
                    "zero weights",
                    f"every positioned actor has capability × salience 0 on '{issue_id}': "
                    "forecasting models weigh them equally",
                    FORECASTS,
                    f"give salience.ACTOR.{issue_id} (or capability) a positive value",
                    (f"salience.*.{issue_id}",),
                )
            )
    return out


def _draws(scn: Scenario) -> list[Default]:
    from multipolar.uncertainty.montecarlo import ranged_estimates

    ranged: dict[str, Estimate] = ranged_estimates(scn)
    out = []
    triangular = tuple(p for p, est in ranged.items() if not _set(est, "dist"))
    if triangular:
        out.append(
            Default(
                "dist",
                "triangular (default): the range is drawn with its mode at best",
                DRAWS,
                "add dist: triangular to each range (or uniform, pert, normal)",
                triangular,
            )
        )
    if len(ranged) >= 2 and not _set(scn, "correlations"):
        out.append(
            Default(
                "correlations",
                f"none: the {len(ranged)} ranged estimates are drawn independently",
                DRAWS,
                "correlations: []  (or list pairs: [{between: [conflict.p, "
                "conflict.discount], rho: 0.3}])",
                yaml="correlations: []",
            )
        )
    return out


def _models(scn: Scenario) -> list[Default]:
    from multipolar.models.registry import get, names

    out = []
    known = set(names())
    for model, given in scn.models.items():
        if model not in known:
            continue  # an unknown model name is reported when the model is run
        spec = get(model)
        derived = spec.prepare(scn) if spec.prepare is not None else {}
        for param, value in spec.defaults.items():
            if param in given or param in derived or param in _FROM_FIELDS:
                continue
            shown = json.dumps(value)
            out.append(
                Default(
                    f"models.{model}.{param}",
                    f"{shown} (default)",
                    f"{model} forecasts",
                    f"models: {{{model}: {{{param}: {shown}}}}}",
                    yaml=f"models: {{{model}: {{{param}: {shown}}}}}",
                )
            )
    return out


def explain_defaults(scn: Scenario) -> list[Default]:
    """Every default that changes results and that ``scn`` leaves implicit, in the order:
    issues and positions, salience, deal space, conflict, Monte Carlo, model parameters."""
    return [
        *_issues(scn),
        *_positions(scn),
        *_salience(scn),
        *_deal(scn),
        *_conflict(scn),
        *_draws(scn),
        *_models(scn),
    ]
