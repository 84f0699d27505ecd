"""The report's uncertainty section: Monte Carlo distributions of every model's forecasts over
the scenario's ranges, a one-at-a-time tornado and Sobol indices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from multipolar.report import charts
from multipolar.report.blocks import (
    Block,
    Section,
    chart,
    guarded,
    heading,
    missing,
    num,
    pct,
    signed,
    table,
)
from multipolar.report.charts_base import scale_unit
from multipolar.report.context import DRAW_CAP, SENSITIVITY_MODEL, SOBOL_N, Context
from multipolar.scenario.schema import Scenario

TORNADO_ROWS = 12


def _model_inputs(paths: list[str]) -> list[str]:
    heads = ("positions.", "salience.", "actors.", "issues.")
    return [p for p in paths if p.startswith(heads)]


def _focus_issue(state: Scenario) -> str:
    if state.conflict is not None and state.conflict.stakes:
        return state.conflict.stakes[0]
    return state.issue_ids[0]


def _monte_carlo(ctx: Context) -> list[Block]:
    from multipolar.uncertainty.montecarlo import simulate

    summaries: dict[str, list[dict[str, Any]]] = {}
    counts = {}
    for fc in ctx.forecasts:
        n = min(ctx.draws, DRAW_CAP.get(fc.model, ctx.draws))
        sim = simulate(ctx.state, fc.model, draws=n, seed=ctx.seed)
        if n == ctx.draws:  # shared with the questions section (same draws, same seed)
            ctx.cache.setdefault("simulations", {})[fc.model] = sim
        summary = sim.summary()
        summaries[fc.model] = [summary[i] for i in ctx.state.issue_ids]
        counts[fc.model] = n

    def cell(s: dict[str, Any]) -> str:
        q = s["quantiles"]
        return f"{s['mean']:.1f} [{q['0.05']:.1f} – {q['0.95']:.1f}]"

    rows = [
        [issue.name, *[cell(s[k]) for s in summaries.values()]]
        for k, issue in enumerate(ctx.state.issues)
    ]
    blocks: list[Block] = [
        chart(
            charts.mc_boxes("fig-mc-boxes", ctx.issue_axes(), summaries),
            "Box: 25–75%, whiskers: 5–95%, line: median, dashed: mean.",
        )
    ]
    first = next(iter(summaries))
    blocks.append(
        chart(
            charts.mc_histograms("fig-mc-hist", ctx.issue_axes(), summaries[first], first),
            f"Histograms of the {first} model's forecasts over {counts[first]} draws.",
        )
    )
    head = ["issue", *[f"{model} ({counts[model]} draws)" for model in summaries]]
    blocks.append(table(head, rows, "Mean forecast [5% – 95%] per model."))
    return blocks


def _feasibility(ctx: Context) -> list[Block]:
    from multipolar.uncertainty.feasibility import deal_feasibility

    res = deal_feasibility(ctx.state, draws=ctx.draws, seed=ctx.seed).as_dict()
    blocks: list[Block] = [heading("Deal feasibility over the ranges")]
    if res["margin"] is None:
        return [*blocks, missing("no party must accept a package, so every package is a deal")]
    q = res["margin"]["quantiles"]
    blocks.append(
        table(
            ["", "value"],
            [
                ["P(zone of agreement), the deal re-solved in each draw", pct(res["p_zone"])],
                [
                    "P(all accept the max–min package of the best values)",
                    pct(res["p_accept_point_package"]),
                ],
                [
                    "max–min margin: 5% / 50% / 95%",
                    f"{signed(q['0.05'])} / {signed(q['0.50'])} / {signed(q['0.95'])}",
                ],
            ],
            f"{res['draws']} draws of every ranged estimate (seed {res['seed']}).",
        )
    )
    blocks.append(
        table(
            ["party", "binds in (all draws)", "binds in (draws without a zone)"],
            [
                [name, pct(row["share"]), pct(row["share_without_zone"])]
                for name, row in res["binding_party"].items()
            ],
            "Parties whose margin is the smallest at the max–min package (ties count for each).",
        )
    )
    return blocks


def _sensitivity(ctx: Context) -> list[Block]:
    from multipolar.uncertainty.sensitivity import forecast_sobol, tornado

    state, model = ctx.state, SENSITIVITY_MODEL
    focus = _focus_issue(state)
    widest = []
    rows_focus: list[dict[str, Any]] = []
    for issue in state.issues:
        rows = tornado(state, model, issue.id, seed=ctx.seed)
        if issue.id == focus:
            rows_focus = rows
        top = rows[0]
        widest.append(
            [
                issue.name,
                top["input"],
                num(top["base"], 2),
                f"{top['at_low']:.2f} / {top['at_high']:.2f}",
                num(top["swing"], 2),
            ]
        )
    name = state.issue(focus).name
    sob = forecast_sobol(state, model, focus, n=SOBOL_N, seed=ctx.seed).as_dict()
    return [
        heading(f"Tornado: {name} ({model} model)"),
        chart(
            charts.tornado(
                "fig-tornado",
                rows_focus[:TORNADO_ROWS],
                f"forecast of {charts.short(name, 40)} ({scale_unit(*state.issue(focus).scale)})",
            ),
            "Each ranged input at its low and its high end, the others at their best values.",
        ),
        table(
            ["issue", "widest-swing input", "forecast", "at low / high", "swing"],
            widest,
            "The input that moves each issue's forecast most, one at a time.",
        ),
        heading(f"Sobol indices: {name} ({model} model)"),
        chart(
            charts.sobol("fig-sobol", sob["indices"][:TORNADO_ROWS]),
            f"Saltelli sampling with N = {SOBOL_N} ({sob['evaluations']} model runs); "
            "bars show the 95% confidence half-width.",
        ),
    ]


#: the section's parts by title: each a pure function of the context (report/offload.py may
#: compute one in another process and leave its blocks in ``ctx.cache["part:" + title]``)
PARTS: dict[str, Callable[[Context], list[Block]]] = {
    "Monte Carlo": _monte_carlo,
    "deal feasibility": _feasibility,
    "sensitivity": _sensitivity,
}


def planned(ctx: Context) -> list[str]:
    """The titles of the parts ``uncertainty_section`` computes for this context, in order."""
    from multipolar.uncertainty.montecarlo import ranged_paths

    paths = ranged_paths(ctx.state)
    if not paths:
        return []
    out = [] if ctx.draws <= 0 else ["Monte Carlo", "deal feasibility"]
    return [*out, "sensitivity"] if _model_inputs(paths) else out


def part(ctx: Context, title: str) -> list[Block]:
    """The blocks of part ``title``: computed already (by report/offload.py), or now."""
    kept: list[Block] | None = ctx.cache.pop(f"part:{title}", None)
    return kept if kept is not None else guarded(title, lambda: PARTS[title](ctx))


def uncertainty_section(ctx: Context) -> Section:
    from multipolar.uncertainty.montecarlo import ranged_paths

    paths = ranged_paths(ctx.state)
    blocks: list[Block] = [heading("Monte Carlo distributions")]
    if not paths:
        reason = "the scenario has no ranged estimates; give estimates a range {low, best, high}"
        return Section("uncertainty", "Uncertainty", [*blocks, missing(reason)])
    if ctx.draws <= 0:
        blocks.append(missing("Monte Carlo skipped (0 draws); run with --draws N"))
    else:
        blocks += part(ctx, "Monte Carlo")
        blocks += part(ctx, "deal feasibility")
    if _model_inputs(paths):
        blocks += part(ctx, "sensitivity")
    else:
        blocks += [
            heading("Sensitivity"),
            missing("no ranged position, salience, capability or status quo to vary"),
        ]
    return Section("uncertainty", "Uncertainty", blocks)
