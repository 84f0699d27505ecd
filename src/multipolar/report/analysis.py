"""A written analysis of a scenario's war and deal space, generated from the engine's output.

Every figure in the document comes from the engine; the text around it only reads the figures.
The same scenario and seed give the same bytes.
"""

from __future__ import annotations

from typing import Any

from multipolar import __version__
from multipolar.deals.analysis import DealReport, Package, analyse_deals
from multipolar.deals.mediate import Mediation, mediate
from multipolar.deals.verdict import COMMITMENT
from multipolar.deals.whatif import WhatItTakes, what_it_takes_all
from multipolar.defaults import DRAWS, SEED
from multipolar.report.sections_ratify import ratification_markdown
from multipolar.report.summary import brief, levers
from multipolar.report.war_rows import range_words, share_words
from multipolar.scenario.schema import Scenario
from multipolar.war.report import analyse_war


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _package_rows(report: DealReport, issues: list[str]) -> list[str]:
    head = (
        "| package | "
        + " | ".join(issues)
        + " | smallest margin | blocked by | cost to close | P(all accept) |"
    )
    rows = [head, "|" + "---|" * (len(issues) + 5)]
    for p in report.packages:
        terms = " | ".join(f"{p.terms[i]:.1f}" for i in issues)
        pa = "–" if p.p_accept is None else f"{p.p_accept:.1%}"
        rows.append(
            f"| {p.name} | {terms} | {p.min_margin:+.4f} | "
            f"{', '.join(p.blockers) or '–'} | {p.cost_to_close:.3f} | {pa} |"
        )
    return rows


def _blocker_sentence(p: Package) -> str:
    if not p.blockers:
        return "nobody blocks it"
    parts = []
    for b in p.blockers:
        what = "the commitment constraint" if b == COMMITMENT else b
        parts.append(f"{what} (`{b}`, short by {-p.rows[b]:.4f})" if b == COMMITMENT else
                     f"{what} (short by {-p.rows[b]:.4f})")  # fmt: skip
    return "blocked by " + "; ".join(parts)


def _what_rows(results: list[WhatItTakes]) -> list[str]:
    rows = [
        "| parameter | now | smallest margin now | zone opens / closes at | change |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        verb = "closes" if r.open_now else "opens"
        where = "never in its range" if r.value is None else f"{verb} at {r.value:.4g}"
        change = "–" if r.change is None else f"{r.change:+.4g}"
        rows.append(
            f"| `{r.path}` | {r.current:.4g} | {r.current_margin:+.4f} | {where} | {change} |"
        )
    return rows


def _corner(words: str) -> str:
    return f"; {words}" if words else ""


def _mediation_lines(m: Mediation, who: str) -> list[str]:
    last = m.steps[-1].package
    verdict = (
        "every party accepts its final draft"
        if m.accepted
        else "no draft was found that every party accepts"
    )
    lines = [
        f"Starting from the status quo, {who}'s single negotiating text took "
        f"{len(m.steps) - 1} revisions; {verdict}. Final draft: "
        + ", ".join(f"{k} {v:.1f}" for k, v in last.terms.items())
        + f"; {_blocker_sentence(last)}.",
    ]
    edits = [s.edit for s in m.steps[1:]]
    if edits:
        lines.append(
            "Revisions, in order: " + "; ".join(edits[:8]) + ("; …" if len(edits) > 8 else "") + "."
        )
    seq = m.sequencing
    if "ceasefire_first" in seq:
        cf, cp = seq["ceasefire_first"], seq["comprehensive_first"]
        lines.append(
            f"Sequencing ({seq['declining']} is the declining side): ceasefire first → "
            f"{'war' if cf['war'] else 'peace holds'} (peace margin {cf['peace_margin']:+.3f}); "
            f"comprehensive deal with its guarantee → {'war' if cp['war'] else 'peace holds'} "
            f"(peace margin {cp['peace_margin']:+.3f}, credibility in the package "
            f"{cp['guarantee_credibility_in_package']:.2f}). A peace margin is positive when the "
            "declining side prefers the deal to fighting now (room for a deal)."
        )
    if m.information:
        first, last_row = m.information[0], m.information[-1]
        lines.append(
            f"Value of information: narrowing the belief about the second belligerent's cost from "
            f"[{first['low']:.3f}, {first['high']:.3f}] to its best estimate lowers P(war) in the "
            f"risk–return model from {first['war_probability']:.3f} to {last_row['war_probability']:.3f}."
        )
    return lines


def _feasibility_sentences(report: DealReport) -> list[str]:
    """Over the draws: the spread of the max–min margin and which rows bind how often."""
    v = report.verdict
    if v.p_zone is None or v.spread is None:
        return []
    binds = sorted(v.spread["binding_share"].items(), key=lambda kv: -kv[1])
    who = ", ".join(f"{name} ({share:.0%})" for name, share in binds if share > 0)
    q = v.spread["margin_quantiles"]
    spread = f" (max–min margin 5–95%: {q['0.05']:+.3f} to {q['0.95']:+.3f})" if q else ""
    return [
        f"Re-solving the deal in each of the {v.p_zone.draws:,} draws (seed {v.p_zone.seed}), a "
        f"zone of agreement exists in {v.p_zone.value:.1%} of them{spread}, against "
        f"{v.p_accept.value if v.p_accept else 0:.1%} that accept the {v.package_name} package "
        "fixed on the best values: a deal is likelier if the text is written after the "
        "uncertainty resolves than if it is fixed now. The rows that bind at the max–min "
        f"package, by share of draws: {who}.",
    ]


def analysis_markdown(scn: Scenario, *, seed: int = SEED, draws: int = DRAWS, top: int = 5) -> str:
    """The analysis document of ``scn`` (Markdown), as of its last event. It opens with the
    executive summary (``multipolar summary``), word for word."""
    from multipolar.dynamics.apply import resolve

    original, scn = scn, resolve(scn)
    deals = analyse_deals(scn, top=top, draws=draws, seed=seed)
    war: dict[str, Any] | None = analyse_war(scn).as_dict() if scn.conflict else None
    lever_results = what_it_takes_all(scn, levers(scn))
    summary = brief(scn, draws=draws, seed=seed, verdict=deals.verdict, lever_results=lever_results)
    mediators = [a.id for a in scn.actors if a.kind == "mediator"]
    issues = list(scn.issue_ids)
    out = [
        f"# Analysis: {scn.title}",
        "",
        f"Generated by `multipolar analysis` (multipolar {__version__}, seed {seed}, {draws} Monte "
        f"Carlo draws) from `{scn.id or scn.title}`. Every figure below is the engine's output; "
        "regenerate the file rather than edit it.",
        "",
        "## In brief",
        "",
        *summary.lines(),
        "",
        "## Is there a zone of agreement?",
        "",
        deals.verdict.sentence(),
        "",
        "Every margin is in utility units (0–1) with one sign convention: + = room for a deal. "
        "The rows a deal must meet and their margins at the "
        f"{deals.verdict.package_name} package:",
        "",
    ]
    out += [f"- {deals.verdict.labels.get(r, r)}: {m:+.4f}" for r, m in deals.verdict.rows.items()]
    out += [
        "",
        "Walk-away values (utility 0–1 of continuing the war, or of the status quo for those not fighting):",
        "",
    ]
    out += [
        f"- {a}: {v:.3f}" + (" (must accept)" if a in deals.must_accept else "")
        for a, v in deals.walk_away.items()
    ]
    if war is not None:
        rng = war["bargaining_range"]
        out += [
            "",
            f"The war model: {war['belligerents'][0]} prevails with probability {war['p']:.2f}; on the "
            f"stakes ({', '.join(war['stakes'])}) both sides prefer any share for "
            f"{rng['share_of']} in [{rng['low']:.3f}, {rng['high']:.3f}] to fighting (Fearon's range"
            f"{_corner(range_words(rng['corner'], *war['belligerents']))}); the Nash split is "
            f"{war['nash_split']['share']:.3f}"
            f"{_corner(share_words(war['nash_split']['corner'], rng['share_of'], demand=False))}.",
        ]
        out += [f"**Warning:** {w['message']}." for w in war["warnings"]]
        if "commitment" in war:
            c = war["commitment"]
            out.append(
                f"Commitment problem ({c['declining']} declining): war without a guarantee "
                f"{'yes' if c['war_without_guarantee'] else 'no'} (peace margin "
                f"{c['peace_margin_without_guarantee']:+.3f})"
                + (
                    f"; with the full guarantee {'yes' if c['war_with_full_guarantee'] else 'no'} "
                    f"(peace margin {c['peace_margin_with_full_guarantee']:+.3f})"
                    if "war_with_full_guarantee" in c
                    else ""
                )
                + "; a peace margin is positive when the declining side prefers the deal to "
                "fighting now."
            )
    out += ratification_markdown(original, deals, seed=seed)
    out += ["", "## Which packages come closest, and who blocks them", ""]
    out += _package_rows(deals, issues)
    out += [
        "",
        "Margins are in utility units (+ = room for a deal); the smallest margin counts every "
        f"row, the commitment constraint included; P(all accept) is over {draws:,} draws of the "
        f"scenario's ranges (seed {seed}).",
    ]
    if draws > 0:
        out += ["", *_feasibility_sentences(deals)]
    if deals.logrolls:
        out += ["", "Trades suggested by how differently parties weigh issues:", ""]
        out += [f"- {r['suggestion']} (ratio {r['ratio']:.2f})" for r in deals.logrolls]
    out += ["", "## What it would take to open one (or to close it)", ""]
    out += (
        _what_rows(lever_results)
        if lever_results
        else ["The scenario has no conflict block to vary."]
    )
    opened = [r for r in lever_results if r.value is not None and not r.open_now]
    if opened:
        nearest = min(
            opened, key=lambda r: abs(r.change or 0) / max(r.domain[1] - r.domain[0], 1e-12)
        )
        assert nearest.package is not None
        out += [
            "",
            f"The smallest change relative to its range is `{nearest.path}` from {nearest.current:.4g} "
            f"to {nearest.value:.4g}; the package it opens: "
            + ", ".join(f"{k} {v:.1f}" for k, v in nearest.package.terms.items())
            + ".",
        ]
    out += ["", "## What a facilitator should table", ""]
    if not mediators:
        out.append("The scenario names no mediator (an actor of kind `mediator`).")
    else:
        out += ["### A neutral single negotiating text", ""]
        out += _mediation_lines(mediate(scn, mediators[0]), "a neutral facilitator")
        out += [
            "",
            "An unbiased text does not depend on who drafts it. With each mediator giving its own interests a weight of 0.25:",
            "",
        ]
        for m in mediators:
            result = mediate(scn, m, bias=0.25)
            last = result.steps[-1].package
            status = "accepted by all" if result.accepted else _blocker_sentence(last)
            out.append(
                f"- {scn.actor(m).name} ({m}): "
                + ", ".join(f"{k} {v:.1f}" for k, v in last.terms.items())
                + f" — {status}; its own utility {last.utility[m]:.3f}."
            )
    return "\n".join(out).rstrip() + "\n"
