"""The report's sections on the scenario itself and its forecasts. Each function reads a
``Context`` (context.py) and returns a ``Section``; the assumptions are sections_assumptions.py."""

from __future__ import annotations

from collections.abc import Sequence

from multipolar.report import charts
from multipolar.report.blocks import (
    Block,
    Section,
    bullets,
    chart,
    guarded,
    heading,
    lead,
    missing,
    num,
    table,
    text,
)
from multipolar.report.console import reading
from multipolar.report.context import (
    DRAW_CAP,
    SENSITIVITY_MODEL,
    SOBOL_N,
    TOP_PACKAGES,
    Context,
)
from multipolar.scenario.base import Estimate
from multipolar.scenario.checks import estimates
from multipolar.scenario.schema import Scenario

__all__ = [
    "DRAW_CAP",
    "SENSITIVITY_MODEL",
    "SOBOL_N",
    "TOP_PACKAGES",
    "Context",
    "actors_section",
    "brief_section",
    "forecasts_section",
    "markdown_blocks",
    "path_name",
    "summary_section",
]


def brief_section(ctx: Context) -> Section:
    """The answer first: the executive summary, word for word as ``multipolar summary``."""
    from multipolar.report.summary import brief

    def build() -> list[Block]:
        summary = brief(
            ctx.state,
            draws=ctx.draws,
            seed=ctx.seed,
            verdict=ctx.deals().verdict,
            lever_results=ctx.levers(),
            forecasts=ctx.forecasts,
        )
        return markdown_blocks(summary.lines())

    return Section("brief", "In brief", guarded("summary", build))


def markdown_blocks(lines: Sequence[str]) -> list[Block]:
    """Blocks of the summary's Markdown: the first paragraph leads, '- ' lines are a list."""
    blocks: list[Block] = []
    items: list[str] = []
    for line in [*lines, ""]:
        plain = line.replace("**", "").replace("`", "")
        if plain.startswith("- "):
            items.append(plain[2:])
            continue
        if items:
            blocks.append(bullets(items))
            items = []
        if plain:
            blocks.append(lead(plain) if not blocks else text(plain))
    return blocks


def _range(est: Estimate, digits: int = 3) -> str:
    best = f"{est.best:.{digits}g}"
    return best if est.is_point else f"{best} [{est.lo:.{digits}g}–{est.hi:.{digits}g}]"


def path_name(scn: Scenario, path: Sequence[str | int]) -> str:
    """``("actors", 0, "capability")`` -> ``actors.RUS.capability``."""
    parts = [str(p) for p in path]
    if parts[0] == "actors" and isinstance(path[1], int):
        parts[1] = scn.actors[path[1]].id
    if parts[0] == "issues" and isinstance(path[1], int):
        parts[1] = scn.issues[path[1]].id
    return ".".join(parts)


def _citations(scn: Scenario) -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]]]:
    """Per source id, the (place, quote) pairs that cite it; and quotes without a source."""
    cited: dict[str, list[tuple[str, str]]] = {s.id: [] for s in scn.sources}
    loose: list[tuple[str, str]] = []

    def add(source: str | None, place: str, quote: str | None) -> None:
        if source is None:
            if quote:
                loose.append((place, quote))
            return
        cited.setdefault(source, []).append((place, quote or ""))

    for path, est in estimates(scn):
        add(est.source, path_name(scn, path), est.quote)
    for event in scn.events:
        for src in event.sources:
            add(src, f"event {event.id}", None)
        for eff in event.effects:
            add(eff.source, f"event {event.id}: {eff.label()}", eff.quote)
    return cited, loose


def _sources_block(scn: Scenario) -> Block:
    cited, _ = _citations(scn)
    items = []
    for s in scn.sources:
        meta = [x for x in (s.author, s.publisher, s.date.isoformat() if s.date else None) if x]
        quotes = [(place, quote) for place, quote in cited.get(s.id, []) if quote]
        bare = [place for place, quote in cited.get(s.id, []) if not quote]
        items.append(
            {
                "id": s.id,
                "title": s.title,
                "meta": ", ".join(meta),
                "url": s.url or "",
                "note": s.note or "",
                "quotes": quotes,
                "bare": bare,
            }
        )
    return {"kind": "sources", "items": items}


def summary_section(ctx: Context) -> Section:
    scn, state = ctx.scn, ctx.state
    all_est = [e for _, e in estimates(scn)]
    ranged = sum(not e.is_point for e in all_est)
    blocks: list[Block] = []
    if scn.description:
        blocks.append(text(scn.description))
    blocks.append(
        table(
            ["scenario", "date", "actors", "issues", "sources", "events", "ranged estimates"],
            [
                [
                    scn.id or scn.title,
                    scn.date.isoformat() if scn.date else "–",
                    len(state.actors),
                    len(state.issues),
                    len(scn.sources),
                    len(scn.events),
                    f"{ranged} of {len(all_est)}",
                ]
            ],
        )
    )
    note = " (as of the last event)" if scn.events else ""
    blocks.append(heading("Actors"))
    blocks.append(
        table(
            ["id", "name", "kind", f"capability{note}", "notes"],
            [[a.id, a.name, a.kind, _range(a.capability), a.notes] for a in state.actors],
        )
    )
    blocks.append(heading("Issues"))
    blocks.append(
        table(
            ["id", "name", "scale", "low end", "high end", f"status quo{note}"],
            [
                [
                    i.id,
                    i.name,
                    f"{i.low:g}–{i.high:g}",
                    i.low_label,
                    i.high_label,
                    "none" if i.status_quo is None else _range(i.status_quo),
                ]
                for i in state.issues
            ],
        )
    )
    blocks.append(heading("Sources"))
    if scn.sources:
        blocks.append(_sources_block(scn))
    else:
        blocks.append(missing("the scenario cites no sources; add sources: and cite them"))
    _, loose = _citations(scn)
    if loose:
        blocks.append(heading("Quotes without a source"))
        blocks.append(bullets(f"{place}: “{quote}”" for place, quote in loose))
    return Section("summary", "Scenario and sources", blocks)


def actors_section(ctx: Context) -> Section:
    state = ctx.state
    blocks: list[Block] = [
        text(
            "Each actor's position on the issue (with its range) against its capability; the "
            "marker's area grows with the actor's salience of the issue. Lines mark the status "
            "quo and each model's forecast."
        )
    ]
    for k, issue in enumerate(state.issues):
        actors = []
        for actor in state.actors:
            pos = state.positions.get(actor.id, {}).get(issue.id)
            if pos is None:
                continue
            sal = state.salience.get(actor.id, {}).get(issue.id)
            actors.append(
                {
                    "id": actor.id,
                    "name": actor.name,
                    "position": pos.best,
                    "low": pos.lo,
                    "high": pos.hi,
                    "capability": actor.capability.best,
                    "salience": 0.0 if sal is None else sal.best,
                }
            )
        lines = [] if issue.status_quo is None else [("status quo", issue.status_quo.best)]
        lines += [(fc.model, float(fc.values[k])) for fc in ctx.forecasts]
        axis = (
            f"position ({issue.low:g}–{issue.high:g}: "
            f"{charts.short(issue.low_label or str(issue.low), 36)} → "
            f"{charts.short(issue.high_label or str(issue.high), 36)})"
        )
        blocks.append(heading(issue.name))
        if not actors:
            blocks.append(missing("no actor takes a position on this issue"))
            continue
        fig = charts.actor_map(f"fig-actors-{k}", issue.scale, actors, lines, axis, ctx.colours())
        anchors = "; ".join(f"{a.value:g}: {a.label}" for a in issue.anchors)
        blocks.append(chart(fig, f"Anchors: {anchors}" if anchors else ""))
    return Section("actors", "Actor maps", blocks)


def forecasts_section(ctx: Context) -> Section:
    state, fcs = ctx.state, ctx.forecasts
    rows = []
    for k, issue in enumerate(state.issues):
        first = float(fcs[0].values[k]) if fcs else 0.0
        rows.append(
            [issue.name, f"{issue.low:g}–{issue.high:g}"]
            + [num(float(fc.values[k]), 2) for fc in fcs]
            + [reading(state, issue.id, first)]
        )
    head = ["issue", "scale", *[fc.model for fc in fcs], f"reading ({fcs[0].model})" if fcs else ""]
    status_quo = [None if i.status_quo is None else i.status_quo.best for i in state.issues]
    blocks: list[Block] = [
        table(head, rows),
        chart(
            charts.forecast_dots(
                "fig-forecasts",
                ctx.issue_axes(),
                {fc.model: [float(v) for v in fc.values] for fc in fcs},
                status_quo,
            ),
            "Each issue on its own scale; the bar marks the status quo.",
        ),
    ]
    for fc in fcs:
        positions = fc.trajectory.get("positions")
        if positions is None:
            continue
        mask = fc.mask
        grid = [
            [
                [float(p[k, j]) if mask[k, j] else None for j in range(mask.shape[1])]
                for k in range(mask.shape[0])
            ]
            for p in positions
        ]
        centre = None
        for key, label in (("median", "median"), ("expected", "expected outcome"),
                           ("mean", "outcome")):  # fmt: skip
            if key in fc.trajectory:
                arr = fc.trajectory[key]
                centre = (f"{label} ({fc.model})", [[float(v) for v in row] for row in arr])
                break
        blocks.append(heading(f"Trajectory: {fc.model}"))
        blocks.append(
            chart(
                charts.trajectories(
                    f"fig-trajectory-{fc.model}",
                    ctx.issue_axes(),
                    fc.actors,
                    grid,
                    centre,
                    ctx.colours(),
                ),
                f"Positions round by round ({len(positions) - 1} rounds; round 0 is the input).",
            )
        )
    return Section("forecasts", "Forecasts by model", blocks)
