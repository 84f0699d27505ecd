"""The report's sections on the scenario itself and its forecasts, and the assumptions behind
every section. Each function reads a ``Context`` and returns a ``Section``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from multipolar import __version__
from multipolar.models.api import Forecast
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
from multipolar.report.palette import actor_colours
from multipolar.scenario.base import Estimate
from multipolar.scenario.checks import estimates
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
