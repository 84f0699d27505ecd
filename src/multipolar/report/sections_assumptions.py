"""The report's last section: the assumptions behind every other section (the state analysed,
the draws, the deal space's rules, who must accept, the seed and the version)."""

from __future__ import annotations

from collections import Counter

from multipolar import __version__
from multipolar.report.blocks import Section, bullets, heading, table
from multipolar.report.context import DRAW_CAP, SENSITIVITY_MODEL, SOBOL_N, Context
from multipolar.scenario.checks import estimates
from multipolar.scenario.schema import Scenario


def assumptions_section(ctx: Context) -> Section:
    scn, state = ctx.scn, ctx.state
    deal = state.deal
    given = scn.model_fields_set
    all_est = [e for _, e in estimates(scn)]
    dists = Counter(e.dist for e in all_est if not e.is_point)
    unsourced = sum(e.source is None for e in all_est)
    open_issues = [i.id for i in state.issues if i.status_quo is None]
    items = [
        (
            f"Every analysis uses the state after the scenario's {len(scn.events)} event(s) "
            f"(the last on {max(e.date for e in scn.events).isoformat()}); the timeline starts "
            "from the file's baseline."
            if scn.events
            else "The scenario has no events: the file's numbers are the state analysed."
        ),
        "Point analyses (forecasts, war, deals) use each estimate's best value; "
        + (
            "the Monte Carlo draws ranged estimates from their distributions ("
            + ", ".join(f"{n} {d}" for d, n in sorted(dists.items()))
            + ")."
            if dists
            else "no estimate has a range."
        ),
        f"{unsourced} of {len(all_est)} estimates cite no source.",
        "Deal space: "
        + ("" if "deal" in given else "no deal: block, so the defaults apply; ")
        + f"utility {deal.utility} (deal.utility); "
        + (
            f"issues without a status quo ({', '.join(open_issues)}) are valued by the rule "
            f"deal.unsettled = {deal.unsettled} when nobody agrees."
            if open_issues
            else "every issue has a status quo, so deal.unsettled does not apply."
        ),
        _must_accept(state),
        "Walk-away values: the war lottery (p × victory + (1 − p) × defeat − cost) for the "
        "belligerents, the status quo package for everyone else"
        + (", except the values given in deal.walk_away." if deal.walk_away else "."),
        f"Seed {ctx.seed}; {ctx.draws} Monte Carlo draws per model"
        + "".join(f" ({m}: at most {c})" for m, c in DRAW_CAP.items())
        + f"; tornado and Sobol indices of the {SENSITIVITY_MODEL} model, Sobol N = {SOBOL_N}.",
        f"multipolar {__version__}.",
    ]
    params = [
        [fc.model, ", ".join(f"{k} = {v}" for k, v in sorted(fc.params.items())) or "–"]
        for fc in ctx.forecasts
    ]
    blocks = [bullets(items), heading("Model parameters"), table(["model", "parameters"], params)]
    return Section("assumptions", "Assumptions", blocks)


def _must_accept(state: Scenario) -> str:
    deal, war = state.deal, state.conflict
    why: dict[str, list[str]] = {}
    if war is not None:
        for a in war.belligerents:
            why.setdefault(a, []).append("belligerent")
    for kind, table_ in (("owns", deal.owners), ("vetoes", deal.veto)):
        for issue, members in table_.items():
            for m in members:
                why.setdefault(m, []).append(f"{kind} {issue}")
    if not why:
        return "Who must accept: nobody is named (no conflict, owners or veto), so every actor."
    parts = [f"{a} ({', '.join(reasons)})" for a, reasons in why.items()]
    return "Who must accept a package: " + "; ".join(parts) + "."
