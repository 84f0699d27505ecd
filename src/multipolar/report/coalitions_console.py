"""Console tables of the coalition analysis and the mediator ranking."""

from __future__ import annotations

from rich.table import Table

from multipolar.coalitions.analysis import Coalitions
from multipolar.coalitions.mediators import DRIVERS, Mediators


def _signed(value: float) -> str:
    text = f"{value:+.4f}"
    return "+0.0000" if text == "-0.0000" else text


def bloc_table(result: Coalitions) -> Table:
    t = Table(
        title=f"Blocs at each revision point (average linkage, cut at alignment "
        f"{result.threshold:g}); cohesion = mean pairwise alignment",
        title_justify="left",
    )
    for col in ("date", "event", "bloc", "cohesion", "joins nearest at", "change"):
        t.add_column(col, justify="right" if col in ("cohesion", "joins nearest at") else "left")
    for state in result.states:
        notes = [f"{'+'.join(c.members)} {_signed(c.after - c.before)}" for c in state.changes]
        notes += state.reformed
        for n, bloc in enumerate(state.blocs):
            joins = "-" if bloc.joins_at is None else f"{bloc.joins_at:.3f}"
            t.add_row(
                state.date if n == 0 else "",
                state.event if n == 0 else "",
                bloc.name,
                f"{bloc.cohesion:.3f}",
                joins,
                "\n".join(notes) if n == 0 else "",
            )
    return t


def wedge_table(result: Coalitions) -> Table:
    t = Table(
        title="Wedges: each bloc member's most divisive move within its range (the bloc's "
        "wedge first) and what it does to the deal",
        title_justify="left",
        show_lines=True,
    )
    for col in ("bloc", "move", "cohesion", "bloc splits", "zone, binding margin", "margins Δ"):
        t.add_column(col, overflow="fold")
    for w in result.wedges:
        if not w.splits:
            t.add_row("+".join(w.bloc), "no move within the ranges divides it",
                      f"{w.cohesion:.3f}", "no", "", "")  # fmt: skip
            continue
        for n, s in enumerate(w.splits):
            before, after = w.before, s.after
            zone = (
                f"{'yes' if before.zone else 'no'} {before.margin:+.4f} -> "
                f"{'yes' if after.zone else 'no'} {after.margin:+.4f}"
            )
            deltas = "\n".join(
                f"{r}: {_signed(after.rows[r] - m)}"
                for r, m in before.rows.items()
                if r in after.rows
            )
            splits = tuple(sorted(w.bloc)) not in {tuple(sorted(b)) for b in s.blocs_after}
            t.add_row(
                "+".join(w.bloc) if n == 0 else "",
                ("wedge: " if n == 0 else "") + s.move.text(),
                f"{w.cohesion:.3f} -> {s.move.cohesion:.3f}",
                "yes: " + ", ".join("+".join(b) for b in s.blocs_after) if splits else "no",
                zone,
                deltas,
            )
    return t


def pivot_table(result: Coalitions) -> Table:
    p = result.pivots
    how = "exact" if p.method == "exact" else f"{p.samples} sampled orders, seed {p.seed}"
    t = Table(
        title=f"Pivotal actors: Shapley values of the deal's coalition game ({how}); "
        f"they sum to v(all) = {p.grand:+.4f}",
        title_justify="left",
    )
    for col in ("actor", "must accept", "Shapley φ", "± se", "v(alone)", "without it"):
        t.add_column(col, justify="left" if col in ("actor", "must accept") else "right")
    for a in p.ranking():
        t.add_row(a, "no" if a in p.null else "yes", _signed(p.phi[a]), f"{p.se[a]:.4f}",
                  _signed(p.alone[a]), _signed(p.without[a]))  # fmt: skip
    return t


def coalition_tables(result: Coalitions) -> list[Table]:
    return [bloc_table(result), wedge_table(result), pivot_table(result)]


def mediator_tables(result: Mediators, actor: str | None = None) -> list[Table]:
    w = dict(zip(DRIVERS, result.weights, strict=True))
    t = Table(
        title=f"Who can mediate between {result.sides[0]} and {result.sides[1]}: bridge = "
        f"{w['closeness']:g}·closeness + {w['capability']:g}·capability share + "
        f"{w['text']:g}·text",
        title_justify="left",
        show_lines=True,
    )
    for col in ("rank", "actor", "bridge", "closeness", "capability", "text", "reasons"):
        t.add_column(col, justify="right" if col not in ("actor", "reasons") else "left",
                     overflow="fold")  # fmt: skip
    for n, b in enumerate(result.ranking):
        t.add_row(str(n + 1) if b.eligible else "-", b.actor, f"{b.score:.3f}",
                  f"{b.closeness:.3f}", f"{b.capability:.3f}", f"{b.text:.2f}",
                  "\n".join(b.reasons))  # fmt: skip
    adv = result.advantage(actor)
    lines = Table(show_header=False, box=None, padding=(0, 1))
    lines.add_column("advantage")
    if adv["over"] is not None:
        lines.add_row(f"• {adv['text']}")
    return [t, lines]
