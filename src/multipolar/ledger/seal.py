"""Sealing forecasts into the ledger and resolving questions."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from multipolar.defaults import DRAWS, SEED
from multipolar.errors import UsageError, did_you_mean
from multipolar.ledger.answer import Answer, answer_all, question_key
from multipolar.scenario.schema import Scenario

if TYPE_CHECKING:  # the store (SQLAlchemy) loads when sealing or resolving, not on import
    from multipolar.store.ledger import Entry


def forecast_data(scn: Scenario, a: Answer, digest: str, version: str) -> dict[str, Any]:
    """What a forecast entry stores: the answer, the question it answers and how it was made."""
    q = next(q for q in scn.questions if question_key(scn, q) == a.question)
    data = a.to_dict()
    del data["question"]
    data.update(
        scenario=scn.id or scn.title,
        scenario_hash=digest,
        version=version,
        text=q.text,
        criteria=q.resolution,
        closes=q.closes.isoformat(),
    )
    if q.kind == "numeric":
        assert q.issue is not None
        data.update(issue=q.issue, scale=list(scn.issue(q.issue).scale))
    return data


def seal(
    scn: Scenario,
    *,
    db: str | None = None,
    model: str | None = None,
    draws: int = DRAWS,
    seed: int = SEED,
    timeline: bool = False,
    now: dt.datetime | None = None,
) -> list[Entry]:
    """Compute every question's forecast (at every revision point with ``timeline``) and seal
    them in the ledger in one transaction."""
    from multipolar.store.runs import package_version, scenario_hash

    if not scn.questions:
        raise UsageError(
            "the scenario has no questions: nothing to seal; fix: add a questions: block "
            "(see docs/reference/scenario-format.md)"
        )
    answers = answer_all(scn, model=model, draws=draws, seed=seed, timeline=timeline)
    digest, version = scenario_hash(scn), package_version()
    items = [("forecast", a.question, forecast_data(scn, a, digest, version)) for a in answers]
    from multipolar.store.ledger import append

    return append(db, items, now=now)


def _match(ledger: list[Entry], question: str) -> tuple[str, dict[str, Any]]:
    """The ledger key ``question`` names (a full key, or a question id unique in the ledger),
    with its latest forecast's data."""
    forecasts = [e for e in ledger if e.kind == "forecast"]
    keys = {e.question: e.data for e in forecasts}
    if question in keys:
        return question, keys[question]
    short = [k for k in keys if k.split(":", 1)[-1] == question]
    if len(short) == 1:
        return short[0], keys[short[0]]
    if short:
        raise UsageError(
            f"question '{question}' is in several scenarios ({', '.join(sorted(short))}); "
            "fix: give the full key SCENARIO:QUESTION"
        )
    raise UsageError(
        f"no sealed forecast of question '{question}'; fix: {did_you_mean(question, keys)} "
        "(see `multipolar ledger list`), or seal one first"
    )


def parse_outcome(kind: str, text: str, scale: list[float] | None = None) -> float | str:
    """A binary outcome as ``yes``/``no``; a numeric one as a number (on the issue's scale)."""
    word = text.strip().lower()
    if kind == "binary":
        yes, no = ("yes", "y", "true", "1"), ("no", "n", "false", "0")
        if word in yes or word in no:
            return "yes" if word in yes else "no"
        raise UsageError(
            f"--outcome {text!r}: a binary question resolves yes or no; fix: "
            "give --outcome yes or --outcome no"
        )
    try:
        value = float(word)
    except ValueError:
        raise UsageError(
            f"--outcome {text!r} is not a number; fix: give the outcome on the issue's scale"
        ) from None
    if not math.isfinite(value):
        raise UsageError(
            f"--outcome {text!r} is not a finite number; fix: give the outcome on the issue's scale"
        )
    if scale is not None and not scale[0] <= value <= scale[1]:
        raise UsageError(
            f"--outcome {value:g} is outside the issue's scale "
            f"[{scale[0]:g}, {scale[1]:g}]; fix: give a value on the scale"
        )
    return value


def resolve(
    question: str,
    outcome: str,
    source: str,
    *,
    db: str | None = None,
    date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Entry:
    """Record a question's outcome (once: the ledger is append-only)."""
    if not source.strip():
        raise UsageError("--source is empty; fix: name where the outcome is reported")
    from multipolar.store.ledger import append, entries

    ledger = entries(db)
    key, data = _match(ledger, question)
    done = [e for e in ledger if e.question == key and e.kind == "resolution"]
    if done:
        raise UsageError(
            f"question '{key}' was resolved already ({done[0].data['outcome']}, entry "
            f"{done[0].seq}); the ledger is append-only; fix: nothing to do"
        )
    value = parse_outcome(data["kind"], outcome, data.get("scale"))
    record = {
        "outcome": value,
        "source": source.strip(),
        "resolved": (date or dt.datetime.now(dt.UTC).date()).isoformat(),
    }
    return append(db, [("resolution", key, record)], now=now)[0]
