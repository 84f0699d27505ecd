"""Two-level ratification in the written analysis and the HTML report: each actor's rule at the
verdict's package, its win-set, and the win-sets after every event date. Shown only for
scenarios with a ``constituencies:`` block."""

from __future__ import annotations

from typing import TYPE_CHECKING

from multipolar.deals.ratify_report import RULES, Ratification, win_set_timeline
from multipolar.report.blocks import Block, Section, guarded, table, text

if TYPE_CHECKING:
    from multipolar.deals.analysis import DealReport
    from multipolar.report.context import Context
    from multipolar.scenario.schema import Scenario

INTRO = (
    "A party that must accept a package accepts it only if its domestic ratification rule "
    "passes (Putnam's two-level game; docs/models/ratification.md). Each constituency whose "
    "consent is needed is a row ACTOR/ID of the deal, with its margin u − d in utility units "
    "(+ = it ratifies). The win-set is the share of packages, drawn uniformly from the issues' "
    "scales, that the actor's constituencies ratify."
)


def _actor_rows(rat: Ratification) -> list[list[str]]:
    return [
        [a.actor + ("" if a.must_accept else " (no row)"), RULES[a.rule].format(share=a.needed),
         f"{a.actor}/{a.pivotal}", f"{a.margin:+.4f}", "yes" if a.passes else "no",
         f"{a.win_set:.1%} ± {a.win_set_se:.1%}"]
        for a in rat.actors
    ]  # fmt: skip


HEAD = ["actor", "rule", "pivotal row", "margin", "ratifies", "win-set"]


def ratification_markdown(scn: Scenario, deals: DealReport, *, seed: int) -> list[str]:
    """The analysis document's ratification section (empty without constituencies)."""
    rat = deals.ratification
    if rat is None:
        return []
    out = ["", "## Does the package survive ratification at home?", "", INTRO, ""]
    out += [f"- {line}" for line in rat.lines()]
    rows = {r: m for r, m in deals.verdict.rows.items() if "/" in r}
    binding = [r for r in deals.verdict.binding if "/" in r]
    out += ["", "Ratification rows at the egalitarian package: "
            + ", ".join(f"{r} {m:+.4f}" for r, m in rows.items()) + "."]  # fmt: skip
    if binding:
        out.append(f"Of these, {', '.join(binding)} bind (the smallest margin of the deal).")
    if rat.blockers:
        out.append(f"Blocking at that package: {', '.join(rat.blockers)}.")
    wins = win_set_timeline(scn, samples=rat.samples, seed=seed)
    if len(wins) > 1:
        actors = list(wins[0]["win_set"])
        out += ["", f"Win-sets by date ({rat.samples:,} packages, seed {seed}):", "",
                "| date | " + " | ".join(actors) + " |",
                "|---|" + "---:|" * len(actors)]  # fmt: skip
        out += [
            f"| {w['date']} | " + " | ".join(f"{w['win_set'][a]:.1%}" for a in actors) + " |"
            for w in wins
        ]
    return out


def ratification_section(ctx: Context) -> Section:
    """The HTML report's section (only built for scenarios with constituencies)."""
    return Section("ratification", "Ratification at home (two-level game)",
                   guarded("ratification", lambda: _blocks(ctx)))  # fmt: skip


def _blocks(ctx: Context) -> list[Block]:
    rat = ctx.deals().ratification
    if rat is None:
        return []
    blocks: list[Block] = [text(INTRO)]
    blocks.append(table(HEAD, _actor_rows(rat), f"At the egalitarian package; win-sets on "
                        f"{rat.samples:,} packages (seed {rat.seed})."))  # fmt: skip
    wins = win_set_timeline(ctx.scn, samples=rat.samples, seed=ctx.seed)
    if len(wins) > 1:
        actors = list(wins[0]["win_set"])
        rows = [[w["date"], *[f"{w['win_set'][a]:.1%}" for a in actors]] for w in wins]
        blocks.append(table(["date", *actors], rows, "Win-sets after each event date."))
    return blocks
