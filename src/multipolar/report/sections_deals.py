"""The report's sections on the war, the deal space (feasible set, Pareto frontier, best
packages, what it would take) and the timeline of the balance of advantage."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from multipolar.report import charts_deals
from multipolar.report.blocks import (
    Block,
    Section,
    bullets,
    chart,
    guarded,
    heading,
    missing,
    note,
    num,
    pct,
    signed,
    table,
    text,
)
from multipolar.report.context import Context
from multipolar.report.palette import other_colour

CLOUD = 1200  # sampled packages drawn for the picture of the feasible set
FRONTIER_POINTS = 201
NO_CONFLICT = (
    "the scenario has no conflict: block; add one (belligerents, p, costs, discount, stakes) "
    "to analyse the war"
)


def war_section(ctx: Context) -> Section:
    if ctx.state.conflict is None:
        return Section("war", "War analysis", [missing(NO_CONFLICT)])
    return Section("war", "War analysis", guarded("war analysis", lambda: _war(ctx)))


def _war(ctx: Context) -> list[Block]:
    from multipolar.report.war_rows import war_rows
    from multipolar.war.report import analyse_war

    data = analyse_war(ctx.state).as_dict()
    a, b = data["belligerents"]
    rng, rr = data["bargaining_range"], data["risk_return"]
    rows = [list(row) for row in war_rows(data, warnings=False)]
    marks = [
        (f"P({a} prevails)", float(data["p"])),
        ("Nash split", float(data["nash_split"]["share"])),
        (f"{a}'s optimal demand", float(rr[a]["demand"])),
        (f"{b}'s optimal demand (as {a}'s share)", 1 - float(rr[b]["demand"])),
    ]
    colours = ctx.colours()
    mark_colours = [other_colour(0), other_colour(1), colours[a], colours[b]]
    fig = charts_deals.bargaining_range(
        "fig-war", a, b, rng["low"], rng["high"], marks, mark_colours
    )
    return [
        *[{"kind": "note", "text": f"Warning: {w['message']}."} for w in data["warnings"]],
        table(["", "value"], rows),
        chart(
            fig,
            rng["note"] + f". Marked: the war's odds, the Nash split, and each side's optimal "
            f"demand when unsure of the other's cost, all read as {a}'s share.",
        ),
    ]


def _pair(ctx: Context, actors: tuple[str, ...], veto: Any) -> tuple[str, str] | None:
    if ctx.pair is not None:
        return ctx.pair
    if ctx.state.conflict is not None:
        a, b = ctx.state.conflict.belligerents
        return a, b
    must = [x for x, v in zip(actors, veto, strict=True) if v]
    pool = must if len(must) >= 2 else list(actors)
    return (pool[0], pool[1]) if len(pool) >= 2 else None


def _feasible(ctx: Context, report: Any) -> list[Block]:
    from multipolar.deals.solutions import frontier
    from multipolar.deals.space import binding, build_space, slacks, utilities

    space = build_space(ctx.state)
    pair = _pair(ctx, space.actors, space.veto)
    if pair is None:
        return [missing("a Pareto frontier needs two actors")]
    ia, ib = (space.actors.index(x) for x in pair)
    two = np.zeros_like(space.veto)
    two[[ia, ib]] = True
    front = frontier(
        replace(space, veto=two, commit_a=None, commit_b=None), samples=FRONTIER_POINTS
    )
    rng = np.random.default_rng(ctx.seed)
    k = len(space.issues)
    best = space.to_unit(np.array([report.packages[0].terms[i] for i in space.issues]))
    near = np.clip(best + rng.normal(0.0, 0.06, (CLOUD // 2, k)), 0.0, 1.0)
    cloud_z = np.concatenate([rng.uniform(0.0, 1.0, (CLOUD - CLOUD // 2, k)), near])
    u = utilities(space, cloud_z)[0]
    ok = np.all(slacks(space, cloud_z)[0][:, binding(space)] >= 0, axis=1)
    fu = utilities(space, front)[0]
    order = np.argsort(fu[:, ia], kind="stable")
    cloud = [(float(x), float(y), bool(o)) for x, y, o in zip(u[:, ia], u[:, ib], ok, strict=True)]
    walk = (float(space.walk_away[0, ia]), float(space.walk_away[0, ib]))
    named = [(p.name, p.utility[pair[0]], p.utility[pair[1]]) for p in report.packages]
    fig = charts_deals.feasible_set(
        "fig-feasible",
        pair,
        cloud,
        [(float(fu[i, ia]), float(fu[i, ib])) for i in order],
        walk,
        named,
        ctx.colours(),
    )
    share = float(ok.mean())
    return [
        heading(f"Feasible set and Pareto frontier: {pair[0]} and {pair[1]}"),
        chart(
            fig,
            f"{CLOUD} packages sampled (seed {ctx.seed}: half uniformly, half near the "
            f"egalitarian package); {share:.1%} of them are accepted by every party that must "
            f"accept. The frontier is exact for {pair[0]} and {pair[1]} alone "
            f"({FRONTIER_POINTS} weightings).",
        ),
    ]


def deals_section(ctx: Context) -> Section:
    return Section("deals", "Deal analysis", guarded("deal analysis", lambda: _deals(ctx)))


def _deals(ctx: Context) -> list[Block]:
    report = ctx.deals()
    blocks: list[Block] = []
    if "deal" not in ctx.scn.model_fields_set:
        blocks.append(
            note(
                "the scenario has no deal: block; the defaults apply (quadratic utility; "
                "every actor must accept unless a conflict names belligerents)"
            )
        )
    best = report.packages[0]
    verdict = report.verdict
    blocks.append(text(verdict.sentence()))
    blocks.append(
        table(
            ["row a deal must meet", "margin (+ = room for a deal)", "binds"],
            [
                [verdict.labels.get(r, r), signed(m, 4), "yes" if r in verdict.binding else ""]
                for r, m in verdict.rows.items()
            ],
            f"At the {verdict.package_name} package; utility units (0–1).",
        )
    )
    blocks.append(
        table(
            ["actor", "walk-away value", "must accept"],
            [
                [a, num(v), "yes" if a in report.must_accept else "no"]
                for a, v in report.walk_away.items()
            ],
        )
    )
    blocks += guarded("feasible set", lambda: _feasible(ctx, report))
    issues = list(best.terms)
    mc = (
        f"P(all accept) over {report.draws:,} draws (seed {report.seed})"
        if report.draws
        else "P(all accept) not drawn"
    )
    blocks.append(heading("Best packages"))
    blocks.append(
        table(
            ["package", *issues, "min margin", "blocked by", "cost to close", "P(all accept)"],
            [
                [
                    p.name,
                    *[num(p.terms[i], 1) for i in issues],
                    signed(p.min_margin, 4),
                    ", ".join(p.blockers) or "–",
                    num(p.cost_to_close),
                    pct(p.p_accept),
                ]
                for p in report.packages
            ],
            "Margins in utility units, + = room for a deal; the smallest counts every row, "
            f"the commitment constraint included; {mc}.",
        )
    )
    parties = list(best.margin)
    blocks.append(
        chart(
            charts_deals.package_margins(
                "fig-packages",
                [p.name for p in report.packages],
                {x: [p.margin.get(x) for p in report.packages] for x in parties},
                ctx.colours(),
            ),
            "Each party's margin in each package; a bar below zero blocks the package.",
        )
    )
    if report.logrolls:
        blocks.append(heading("Trades suggested by how differently parties weigh issues"))
        blocks.append(
            bullets(f"{r['suggestion']} (ratio {r['ratio']:.2f})" for r in report.logrolls)
        )
    blocks.append(heading("What it would take"))
    blocks += guarded("what it would take", lambda: _what_it_takes(ctx))
    return blocks


def _what_it_takes(ctx: Context) -> list[Block]:
    results = ctx.levers()
    if not results:
        return [missing(NO_CONFLICT + " (the levers are its odds, costs, guarantee and stakes)")]
    rows = []
    for r in results:
        path = r.path
        verb = "closes" if r.open_now else "opens"
        where = "never in its range" if r.value is None else f"{verb} at {r.value:.4g}"
        rows.append(
            [
                path,
                f"{r.current:.4g}",
                signed(r.current_margin, 4),
                where,
                "–" if r.change is None else f"{r.change:+.4g}",
            ]
        )
    return [
        table(
            ["parameter", "now", "smallest margin now", "zone of agreement", "change"],
            rows,
            "The nearest value of each parameter, alone, at which the zone of agreement opens "
            "(or closes).",
        )
    ]


def timeline_section(ctx: Context) -> Section:
    title = "Timeline of the balance of advantage"
    if not ctx.scn.events:
        reason = "the scenario has no events; add dated events: to follow the balance of advantage"
        return Section("timeline", title, [missing(reason)])
    return Section("timeline", title, guarded("timeline", lambda: _timeline(ctx)))


def _timeline(ctx: Context) -> list[Block]:
    from multipolar.dynamics.timeline import baseline_date, summary, timeline

    model = "compromise"
    base, changes = timeline(ctx.scn, (model,), seed=ctx.seed)
    snaps = [base, *[c.after for c in changes]]
    states = [f"baseline<br>{baseline_date(ctx.scn)}"]
    states += [f"{c.event}<br>{c.date.isoformat()}" for c in changes]
    actors = list(dict.fromkeys(a for s in snaps for a in s.metrics["margin"]))

    def series(metric: str) -> dict[str, list[float | None]]:
        return {a: [s.metrics[metric].get(a) for s in snaps] for a in actors}

    panels: dict[str, dict[str, list[float | None]]] = {
        "margin in a deal (leximin package)": series("margin"),
        "walk-away value": series("walk_away"),
        f"utility of the {model} forecast": series(f"forecast_utility:{model}"),
        "zone of agreement (smallest margin)": {"*": [s.zone_margin for s in snaps]},
    }
    blocks: list[Block] = [
        text(
            "After the baseline and after each event: each actor's room in a deal (its utility "
            "of the egalitarian package minus its walk-away value), its walk-away value and its "
            f"utility of the {model} forecast; and whether a zone of agreement exists."
        ),
        chart(charts_deals.timeline("fig-timeline", states, panels, ctx.colours())),
        table(
            ["state", "zone of agreement", "binding margin (+ = room)", "what binds"],
            [
                [
                    st.replace("<br>", " "),
                    "yes" if s.zone else "no",
                    signed(s.zone_margin, 4),
                    ", ".join(s.binding),
                ]
                for st, s in zip(states, snaps, strict=True)
            ],
        ),
    ]
    for c in changes:
        blocks.append(heading(f"{c.date.isoformat()} {c.title}: who gained, who lost, and why"))
        rows = [
            [actor, signed(row["total"], 4), *[signed(row[e], 4) for e in c.effects]]
            for actor, row in c.attribution.get("margin", {}).items()
        ]
        blocks.append(
            table(
                ["actor", "Δ margin", *c.effects],
                rows,
                "Shapley split of each change in margin over the event's effects.",
            )
        )
        lines = summary(c)
        blocks.append(bullets(lines) if lines else text("No change worth a sentence."))
    return blocks
