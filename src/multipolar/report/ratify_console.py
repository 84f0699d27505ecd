"""Terminal tables of two-level ratification (``multipolar deals``, ``timeline``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from multipolar.deals.ratify_report import RULES, Ratification


def ratification_table(rat: Ratification) -> Table:
    """Each actor's rule at the verdict's package: pivotal member, margin, win-set."""
    table = Table(
        title="Ratification at the egalitarian package (Putnam's level II; + = ratifies)",
        title_justify="left",
    )
    for name, justify in (
        ("actor", "left"),
        ("rule", "left"),
        ("pivotal row", "left"),
        ("margin", "right"),
        ("ratifies", "left"),
        ("members' margins", "left"),
        (f"win-set ({rat.samples:,} packages, seed {rat.seed})", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for a in rat.actors:
        table.add_row(
            a.actor + ("" if a.must_accept else " (no row)"),
            RULES[a.rule].format(share=a.needed),
            f"{a.actor}/{a.pivotal}",
            f"{a.margin:+.4f}",
            "yes" if a.passes else "no",
            ", ".join(f"{m} {v:+.3f}" for m, v in a.margins.items()),
            f"{a.win_set:.1%} ± {a.win_set_se:.1%}",
        )
    return table


def win_set_table(rows: list[dict[str, Any]]) -> Table:
    """Each actor's win-set at the baseline and after every event date."""
    table = Table(title="Win-sets by date (share of the package space ratified)",
                  title_justify="left")  # fmt: skip
    actors = list(rows[0]["win_set"]) if rows else []
    table.add_column("date")
    for a in actors:
        table.add_column(a, justify="right")
    for row in rows:
        table.add_row(row["date"], *[
            f"{row['win_set'][a]:.1%} ({row['margin'][a]:+.3f})" for a in actors
        ])  # fmt: skip
    return table
