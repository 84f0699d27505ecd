"""The report's "Questions" section: the engine's answer to each of the scenario's questions
(the numbers `multipolar ledger seal` would store, with the report's draws and seed) and, with
a ledger, its track record: grades, the reliability diagram and the PIT histogram."""

from __future__ import annotations

from multipolar.report.blocks import Block, Section, bullets, chart, note, table, text
from multipolar.report.context import Context

HOW = {
    "zone": "P(a zone of agreement exists)",
    "accept": "P(every party accepts the {package} package)",
    "threshold": "P({model}'s forecast of {issue} {side} {value:g})",
}


def _how(q: object) -> str:
    a = getattr(q, "answer", None)
    if a is None:
        return f"quantiles of {q.model}'s forecast of {q.issue}"  # type: ignore[attr-defined]
    side, value = ("above", a.above) if a.above is not None else ("below", a.below)
    return HOW[a.by].format(package=a.package, model=a.model, issue=a.issue, side=side,
                            value=value or 0.0)  # fmt: skip


def _answers(ctx: Context) -> list[Block]:
    from multipolar.ledger.answer import State, answer, question_key

    if ctx.draws < 1:
        return [note("the report ran without Monte Carlo draws (--draws 0), and every question "
                     "is answered over the draws")]  # fmt: skip
    verdict = ctx.deals().verdict if ctx.state.conflict is not None else None
    sims = ctx.cache.get("simulations", {})
    state = State(ctx.state, ctx.draws, ctx.seed, verdict=verdict, sims=sims)
    date = ctx.scn.date.isoformat() if ctx.scn.date else ""
    rows = []
    for q in ctx.scn.questions:
        a = answer(state, question_key(ctx.scn, q), q, as_of=date, events=())
        if a.probability is not None:
            shown = f"{a.probability:.1%}"
        else:
            qs = a.quantiles
            shown = f"median {qs.get('0.5', float('nan')):.4g}; " + ", ".join(
                f"q{k} {v:.4g}" for k, v in qs.items() if k != "0.5"
            )
        rows.append([q.text, q.closes.isoformat(), shown, _how(q)])
    return [
        table(
            ["question", "closes", "engine's answer", "how"],
            rows,
            caption=f"Over {ctx.draws:,} draws of the scenario's ranges, seed {ctx.seed}; the "
            "zone and leximin figures are the verdict's P(zone) and P(accept).",
        ),
        text(
            "Seal these forecasts before the outcome is known: `multipolar ledger seal FILE "
            "--timeline` stores one per question at the baseline and at every event date, "
            "hash-chained, to be resolved and graded later (docs/how-to/ledger.md)."
        ),
    ]


def _track_record(ledger: str) -> list[Block]:
    from multipolar.ledger.grade import grade
    from multipolar.ledger.render import figures
    from multipolar.store.ledger import entries

    grades = grade(entries(ledger))
    if not grades.questions:
        return [note(f"the ledger {ledger} holds no resolved question yet")]
    items = []
    for m in grades.models:
        parts = []
        if m.brier is not None and m.murphy is not None:
            parts.append(
                f"Brier {m.brier:.3f} (reliability {m.murphy.reliability:.3f}, "
                f"resolution {m.murphy.resolution:.3f}) on {m.binary} binary"
            )
        if m.crps is not None:
            cov = "" if m.coverage90 is None else f", {m.coverage90:.0%} inside the 90% interval"
            parts.append(f"CRPS {m.crps:.3g} on {m.numeric} numeric{cov}")
        items.append(f"{m.model}: " + "; ".join(parts))
    captions = {
        "reliability": "Reliability diagram: binary forecasts grouped in tenths against how "
        "often the event happened (the diagonal is perfect calibration).",
        "pit": "PIT histogram of numeric forecasts: flat when calibrated, U-shaped when too "
        "narrow.",
    }
    return [text(f"Track record in the ledger {ledger}, lower is better:"), bullets(items)] + [
        chart(fig, captions[fig["id"]]) for fig in figures(grades)
    ]


def questions_section(ctx: Context) -> Section:
    blocks: list[Block] = []
    if not ctx.scn.questions:
        blocks.append(text("The scenario asks no forecast questions. Add a `questions:` block to "
                           "have the engine answer them and to seal the answers in the ledger "
                           "(docs/how-to/ledger.md)."))  # fmt: skip
    else:
        blocks += _answers(ctx)
    ledger = ctx.cache.get("ledger")
    if ledger:
        blocks += _track_record(str(ledger))
    return Section("questions", "Questions and track record", blocks)
