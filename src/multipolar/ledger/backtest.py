"""The case library's backtest: seal every case's questions, resolve them from the library's
outcomes file, and grade the engine against the base rate and against "always 50 %".

A library is a folder of scenario files, each written as of a date before its outcome, and an
``outcomes.yaml`` beside them::

    outcomes:
      - case: dayton_1995            # the scenario file's stem
        question: deal               # a question id in that file
        outcome: yes                 # yes/no, or a number for a numeric question
        resolved: 1995-11-21
        source: {title: ..., publisher: ..., date: 1995-11-22, url: ...}
        note: one sentence on what happened

The base rate each case is compared with is the share of yes among the *other* cases' binary
outcomes (leave one out), so that no case's own outcome enters its baseline.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from multipolar.defaults import DRAWS, SEED
from multipolar.errors import UsageError

BOOTSTRAP = 2000  # resamples of the cases for the intervals
OUTCOMES = "outcomes.yaml"


@dataclass(frozen=True)
class CaseRow:
    case: str
    title: str
    as_of: str
    question: str
    probability: float
    outcome: int
    base_rate: float
    zone: bool
    binding: str
    resolved: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _outcomes(folder: Path) -> list[dict[str, Any]]:
    from multipolar.scenario.loader import parse_yaml

    path = folder / OUTCOMES
    if not path.is_file():
        raise UsageError(f"{path}: no outcomes file; fix: add {OUTCOMES} (see cases/README.md)")
    data, _marks = parse_yaml(path.read_text(encoding="utf-8"))
    rows = data.get("outcomes") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise UsageError(f"{path}: no 'outcomes:' list; fix: see cases/README.md")
    for i, row in enumerate(rows):
        missing = [k for k in ("case", "question", "outcome", "resolved", "source")
                   if not isinstance(row, dict) or k not in row]  # fmt: skip
        if missing:
            raise UsageError(f"{path}: outcomes[{i}]: '{missing[0]}' is missing; fix: add it")
    return rows


def _source(src: Any) -> str:
    if isinstance(src, dict):
        parts = [str(src.get(k)) for k in ("title", "publisher", "date") if src.get(k)]
        return ", ".join(parts)
    return str(src)


def _bound(scn: Any) -> tuple[bool, str]:
    from multipolar.deals.analysis import deal_verdict

    verdict = deal_verdict(scn, draws=0)
    return verdict.zone, ", ".join(verdict.binding)


def run_cases(
    folder: Path, *, draws: int = DRAWS, seed: int = SEED, db: str | None = None
) -> list[CaseRow]:
    """Seal, resolve and read back every case of the library in ``folder``."""
    import datetime as dt

    from multipolar.ledger.seal import resolve, seal
    from multipolar.scenario import load
    from multipolar.store.ledger import entries

    outcomes = _outcomes(folder)
    files = sorted(p for p in folder.glob("*.yaml") if p.name != OUTCOMES)
    if not files:
        raise UsageError(f"{folder}: no case files (*.yaml); fix: give the library's folder")
    by_case = {str(o["case"]): o for o in outcomes}
    with tempfile.TemporaryDirectory() as tmp:
        store = db or str(Path(tmp) / "ledger.sqlite")
        rows: list[CaseRow] = []
        for path in files:
            scn = load(path)
            out = by_case.get(path.stem)
            if out is None:
                raise UsageError(
                    f"{folder / OUTCOMES}: no outcome for case '{path.stem}'; "
                    f"fix: add one, or move {path.name} out of the library"
                )
            q = next((q for q in scn.questions if q.id == out["question"]), None)
            if q is None or q.kind != "binary":
                raise UsageError(
                    f"{folder / OUTCOMES}: case '{path.stem}' has no binary "
                    f"question '{out['question']}'; fix: name one of its questions"
                )
            sealed = seal(scn, db=store, draws=draws, seed=seed)
            key = next(e.question for e in sealed if e.question.endswith(f":{q.id}"))
            resolved = out["resolved"]
            when = resolved if isinstance(resolved, dt.date) else dt.date.fromisoformat(resolved)
            resolve(key, str(out["outcome"]).lower() if isinstance(out["outcome"], str)
                    else ("yes" if out["outcome"] else "no"), _source(out["source"]),
                    db=store, date=when)  # fmt: skip
            mine = entries(store, question=key)
            final = [e for e in mine if e.kind == "forecast"][-1]
            result = [e for e in mine if e.kind == "resolution"][-1]
            zone, binding = _bound(scn)
            rows.append(CaseRow(
                case=path.stem, title=scn.title, as_of=scn.date.isoformat() if scn.date else "",
                question=q.text, probability=float(final.data["probability"]),
                outcome=1 if result.data["outcome"] == "yes" else 0, base_rate=0.0,
                zone=zone, binding=binding, resolved=when.isoformat(),
                source=_source(out["source"]),
            ))  # fmt: skip
    y = np.array([r.outcome for r in rows], dtype=float)
    n = len(rows)
    loo = [(y.sum() - y[i]) / (n - 1) if n > 1 else 0.5 for i in range(n)]
    return [
        CaseRow(**{**r.to_dict(), "base_rate": float(b)}) for r, b in zip(rows, loo, strict=True)
    ]


@dataclass(frozen=True)
class Summary:
    n: int
    scores: dict[str, dict[str, float]]  # forecaster -> {brier, log}
    intervals: dict[str, tuple[float, float]]  # "<forecaster> <score>" and differences
    better_than_base: bool

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "scores": self.scores,
                "intervals": {k: list(v) for k, v in self.intervals.items()},
                "better_than_base": self.better_than_base}  # fmt: skip


def summarise(rows: list[CaseRow], *, seed: int = SEED, resamples: int = BOOTSTRAP) -> Summary:
    """Mean Brier and log score of the engine, the leave-one-out base rate and always 50 %,
    with 95 % bootstrap intervals (cases resampled with replacement, seeded)."""
    from multipolar.ledger import scores as sc

    y = np.array([r.outcome for r in rows], dtype=float)
    forecasts = {
        "engine": np.array([r.probability for r in rows]),
        "base rate": np.array([r.base_rate for r in rows]),
        "always 50%": np.full(len(rows), 0.5),
    }
    per = {name: {"brier": sc.brier(p, y), "log": sc.log_score(p, y)}
           for name, p in forecasts.items()}  # fmt: skip
    scores = {name: {k: float(v.mean()) for k, v in s.items()} for name, s in per.items()}
    idx = np.random.default_rng(seed).integers(0, len(rows), size=(resamples, len(rows)))
    intervals: dict[str, tuple[float, float]] = {}
    for name, s in per.items():
        for k, v in s.items():
            intervals[f"{name} {k}"] = _interval(v[idx].mean(axis=1))
    for other in ("base rate", "always 50%"):
        for k in ("brier", "log"):
            diff = per["engine"][k] - per[other][k]
            intervals[f"engine − {other} {k}"] = _interval(diff[idx].mean(axis=1))
    better = intervals["engine − base rate brier"][1] < 0
    return Summary(len(rows), scores, intervals, better)


def _interval(values: np.ndarray) -> tuple[float, float]:
    lo, hi = np.quantile(values, [0.025, 0.975])
    return float(lo), float(hi)


def _pct(p: float) -> str:
    return f"{p:.1%}"


def render(rows: list[CaseRow], summary: Summary, *, command: str, draws: int, seed: int) -> str:
    """The library's page (docs/backtest/cases.md): the verdict in words, the scores with their
    intervals, one row per case."""
    iv = summary.intervals
    brier = summary.scores
    diff = iv["engine − base rate brier"]
    if summary.better_than_base:
        words = (
            f"**Yes, on these {summary.n} cases.** The engine's mean Brier score is below "
            "the base rate's, and the 95% interval of the difference lies below zero."
        )
    elif diff[0] > 0:
        words = (
            f"**No: the engine does worse than the base rate** on these {summary.n} "
            "cases; the 95% interval of the difference in Brier score lies above zero."
        )
    else:
        words = (
            f"**No: the engine does no better than the base rate** on these {summary.n} "
            "cases; the 95% interval of the difference in Brier score contains zero."
        )
    lines = [
        "# Case library: does the deal model beat the base rate?",
        "",
        (
            f"Generated by `{command}` ({draws:,} draws, seed {seed}; {BOOTSTRAP:,} bootstrap "
            "resamples of the cases). Do not edit by hand. Each case is a scenario written as of a "
            "date before its outcome, citing only sources published before that date; its binary "
            "question is answered by the engine (the probability that a zone of agreement exists, "
            "or that a named package is accepted, over the Monte Carlo draws) and graded against "
            "the outcome in `cases/outcomes.yaml`. The base rate for a case is the share of "
            "agreements among the other cases (leave one out)."
        ),
        "",
        words,
        "",
        "| forecaster | mean Brier [95% CI] | mean log score [95% CI] |",
        "|---|---|---|",
    ]
    for name in ("engine", "base rate", "always 50%"):
        b, lg = iv[f"{name} brier"], iv[f"{name} log"]
        lines.append(
            f"| {name} | {brier[name]['brier']:.3f} [{b[0]:.3f}, {b[1]:.3f}] | "
            f"{brier[name]['log']:.3f} [{lg[0]:.3f}, {lg[1]:.3f}] |"
        )
    lines += ["", "Differences (engine minus the other; negative is better for the engine):", ""]
    for other in ("base rate", "always 50%"):
        b, lg = iv[f"engine − {other} brier"], iv[f"engine − {other} log"]
        db = brier["engine"]["brier"] - brier[other]["brier"]
        dl = brier["engine"]["log"] - brier[other]["log"]
        lines.append(
            f"- vs {other}: Brier {db:+.3f} [{b[0]:+.3f}, {b[1]:+.3f}], "
            f"log score {dl:+.3f} [{lg[0]:+.3f}, {lg[1]:+.3f}]"
        )
    lines += [
        "",
        "## Cases",
        "",
        (
            "| case | as of | question | engine P(yes) | outcome | base rate | zone at best "
            "estimates | what binds | resolved | source of the outcome |"
        ),
        "|---|---|---|---:|---|---:|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.title} | {r.as_of} | {r.question} | {_pct(r.probability)} | "
            f"{'yes' if r.outcome else 'no'} | {_pct(r.base_rate)} | "
            f"{'yes' if r.zone else 'no'} | {r.binding or '-'} | {r.resolved} | {r.source} |"
        )
    return "\n".join(line.replace("\n", " ") for line in lines) + "\n"
