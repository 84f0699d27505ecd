"""Console tables for the war, deal and what-it-takes analyses."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from multipolar.deals.analysis import DealReport
from multipolar.deals.mediate import Mediation
from multipolar.deals.whatif import WhatItTakes
from multipolar.report.blocks import signed
from multipolar.report.war_rows import PEACE_MARGIN, war_rows


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def war_table(data: dict[str, Any]) -> Table:
    a, b = data["belligerents"]
    table = Table(title=f"War between {a} and {b}", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value")
    for what, value in war_rows(data):
        table.add_row(what, value)
    return table


def deals_table(report: DealReport) -> Group:
    """The verdict in words, then the packages with every row's margin (+ = room for a deal)."""
    verdict = report.verdict
    table = Table(title=verdict.headline(), title_justify="left")
    first = report.packages[0] if report.packages else None
    issues = list(first.terms) if first else []
    table.add_column("package", no_wrap=True)
    for issue in issues:
        table.add_column(issue, justify="right", no_wrap=True)
    table.add_column("min margin (+ = room)", justify="right")
    table.add_column("binding row (blocks if < 0)")
    table.add_column("to close", justify="right", no_wrap=True)
    head = f"P(accept), {report.draws:,} draws" if report.draws else "P(accept)"
    table.add_column(head, justify="right")
    for pkg in report.packages:
        table.add_row(
            pkg.name,
            *[f"{pkg.terms[i]:.1f}" for i in issues],
            f"{pkg.min_margin:+.4f}",
            ", ".join(pkg.blockers) or ", ".join(pkg.binding),
            f"{pkg.cost_to_close:.4f}",
            "-" if pkg.p_accept is None else f"{pkg.p_accept:.1%}",
        )
    how = (
        f"Monte Carlo: {report.draws:,} draws of the ranges, seed {report.seed}."
        if report.draws
        else "No Monte Carlo draws (--draws 0)."
    )
    if report.ratification is not None:
        from multipolar.report.ratify_console import ratification_table

        return Group(Text(verdict.sentence()), table, Text(how, style="dim"),
                     ratification_table(report.ratification))  # fmt: skip
    return Group(Text(verdict.sentence()), table, Text(how, style="dim"))


def what_table(result: WhatItTakes) -> Table:
    table = Table(
        title=f"What it would take: {result.path}", title_justify="left", show_header=False
    )
    table.add_column("what")
    table.add_column("value")
    table.add_row("current value", _fmt(result.current))
    table.add_row("smallest margin now (+ = room)", f"{result.current_margin:+.4f}")
    verb = "zone closes at" if result.open_now else "zone opens at"
    if result.value is None:
        table.add_row(verb, f"never in [{result.domain[0]:g}, {result.domain[1]:g}]")
        return table
    table.add_row(verb, _fmt(result.value))
    table.add_row("change", f"{result.change:+.4g}")
    if result.package is not None:
        for issue, value in result.package.terms.items():
            table.add_row(f"  package: {issue}", f"{value:.2f}")
        for row, margin in (result.package.ratification or {}).items():
            table.add_row(f"  ratification: {row}", f"{margin:+.4f}")
        if result.package.ratification:
            table.add_row("  binding there", ", ".join(result.package.binding))
    return table


def mediation_tables(m: Mediation) -> list[Table]:
    steps = Table(
        title=f"Single negotiating text by {m.mediator} (bias {m.bias:g}, start {m.start}): "
        + ("accepted by all" if m.accepted else "no draft every party accepts"),
        title_justify="left",
    )
    steps.add_column("round", justify="right")
    steps.add_column("edit")
    steps.add_column("min margin (+ = room for a deal)", justify="right")
    steps.add_column("blocked by")
    shown = m.steps if len(m.steps) <= 12 else [*m.steps[:6], *m.steps[-6:]]
    for s in shown:
        steps.add_row(
            str(s.round), s.edit, f"{min(s.package.margin.values()):+.3f}",
            ", ".join(s.package.blockers) or "-",
        )  # fmt: skip
    last = m.steps[-1].package
    final = Table(title="Final draft", title_justify="left")
    final.add_column("issue")
    final.add_column("value", justify="right")
    for issue, value in last.terms.items():
        final.add_row(issue, f"{value:.2f}")
    tables = [steps, final]
    seq = m.sequencing
    if "ceasefire_first" in seq:
        t = Table(title=f"Sequencing ({seq['declining']} declining)", title_justify="left")
        t.add_column("order")
        t.add_column("war?")
        t.add_column(PEACE_MARGIN, justify="right")
        for key in ("ceasefire_first", "comprehensive_first"):
            t.add_row(
                key.replace("_", " "), _fmt(seq[key]["war"]), signed(seq[key]["peace_margin"])
            )
        tables.append(t)
    if m.information:
        t = Table(
            title="Value of information: P(war) as the cost range narrows", title_justify="left"
        )
        for col in ("width", "range", "P(war)"):
            t.add_column(col, justify="right")
        for row in m.information:
            t.add_row(f"{row['width']:.0%}", f"[{row['low']:.3f}, {row['high']:.3f}]",
                      f"{row['war_probability']:.3f}")  # fmt: skip
        tables.append(t)
    return tables
