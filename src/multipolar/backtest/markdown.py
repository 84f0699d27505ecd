"""The leaderboard as a markdown page (docs/backtest/deu3.md): same seed, same bytes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from multipolar.backtest.council import regime_at, regimes
from multipolar.backtest.data import DeuIssue
from multipolar.backtest.leaderboard import (
    BASELINE,
    PUBLISHED,
    Leaderboard,
    Row,
    data_summary,
    verdict,
)
from multipolar.backtest.score import Interval
from multipolar.backtest.tables import fmt_interval, ranked

WORST = 10


def _ci(iv: Interval, signed: bool = False) -> str:
    return fmt_interval(iv, signed=signed)


def _baseline_mae(lb: Leaderboard, subset: str) -> float:
    idx = [k for k, i in enumerate(lb.data.issues) if subset in ("full", lb.split[i.id])]
    return float(np.mean(np.abs(lb.baseline[idx] - lb.outcomes[idx])))


def _verdict(lb: Leaderboard) -> list[str]:
    v = verdict(lb)
    threshold, n = v["threshold"], len(lb.data.issues)
    best = Interval(**v["best_mae"])
    diff = Interval(**v["best_diff_from_baseline"])
    below, sure = v["rows_below_threshold"], v["rows_with_interval_below"]
    if sure:
        head = (f"**Yes.** {', '.join(f'`{r}`' for r in sure)} score below {threshold} on all "
                f"{n} issues with the whole 95% interval below it.")  # fmt: skip
    elif below:
        head = (f"**Only as a point estimate.** {', '.join(f'`{r}`' for r in below)} score below "
                f"{threshold} on all {n} issues, but no interval lies wholly below {threshold}: "
                "the data cannot tell them apart from the published figure.")  # fmt: skip
    else:
        head = f"**No.** No model and capability scheme scores below {threshold} on all {n} issues."
    where = "contains" if best.low <= threshold <= best.high else "lies above"
    if best.high < threshold:
        where = "lies below"
    lines = [
        head,
        "",
        (
            f"The best row not fitted to anything is `{v['best_row']}`: MAE {_ci(best)}; its "
            f"interval {where} {threshold}. Against the baseline (`{BASELINE}`, "
            f"{PUBLISHED['equal_compromise']}) its paired difference is {_ci(diff, True)}."
        ),
    ]
    fitted = [r for r in lb.rows if r.fitted]
    if fitted:
        train_n = lb.scores[fitted[0].id]["train"].n
        test_n = lb.scores[fitted[0].id]["test"].n
        lines += [
            "",
            (
                "Rows with a fitted Commission/Parliament weight are not judged on all "
                f"{n} issues: their weight was chosen on the {train_n} train issues, which the "
                f"full set includes. On the {test_n} test issues, scored once:"
            ),
            "",
        ]
        for r in fitted:
            test = lb.scores[r.id]["test"]
            plain = test.diff_unfitted
            lines.append(
                f"- `{r.id}` (weight {r.institution_weight:g}): test MAE "
                f"{_ci(test.metrics['mae'])}; "
                + (f"{_ci(plain['mae'], True)} against the same row at weight 1, " if plain else "")
                + f"{_ci(test.diff['mae'], True)} against the baseline."
            )
        lines += [
            "",
            (
                f"The baseline scores {_baseline_mae(lb, 'test'):.2f} on these test issues "
                f"({_baseline_mae(lb, 'full'):.2f} on all {n}), so test MAEs compare with each "
                f"other and with the baseline on the same issues, not with {threshold}; and "
                "picking the best of them would itself use the test split."
            ),
        ]
    lines += [
        "",
        (
            f"The {threshold} figure (hamzagul07/schelling, unpublished, compromise model with "
            "treaty-period Council weights) could not be re-derived: how it weighted the "
            "Commission, the Parliament and states coded before accession is not documented."
        ),
    ]
    return lines


def _leaderboard(lb: Leaderboard) -> list[str]:
    lines = [
        (
            "| rank | model | capabilities | MAE [95% CI] | median AE | RMSE | within 10 "
            "| ΔMAE vs baseline [95% CI] | train MAE | test MAE |"
        ),
        "|---:|---|---|---|---:|---:|---:|---|---:|---:|",
    ]
    for k, r in enumerate(ranked(lb), start=1):
        full = lb.scores[r.id]["full"]
        rank = str(k) if not r.fitted else "–"
        caps = r.scheme + (f" + fitted w={r.institution_weight:g}" if r.fitted else "")
        lines.append(
            f"| {rank} | {r.variant.label} | {caps} | {_ci(full.metrics['mae'])} "
            f"| {full.metrics['median_ae'].value:.2f} | {full.metrics['rmse'].value:.2f} "
            f"| {full.metrics['within10'].value:.1%} | {_ci(full.diff['mae'], True)} "
            f"| {lb.scores[r.id]['train'].metrics['mae'].value:.2f} "
            f"| {lb.scores[r.id]['test'].metrics['mae'].value:.2f} |"
        )
    return lines


def _fits(lb: Leaderboard) -> list[str]:
    if not lb.fits:
        return ["No parameter was fitted (`--no-fit`)."]
    lines = [
        (
            "| model | capabilities | weight fitted on train | train MAE | test MAE [95% CI] "
            "| test ΔMAE vs weight 1 [95% CI] | test ΔMAE vs baseline [95% CI] | full MAE |"
        ),
        "|---|---|---:|---:|---|---|---|---:|",
    ]
    for f in lb.fits:
        row = f"{f.variant}/{f.scheme}+fit"
        test, full = lb.scores[row]["test"], lb.scores[row]["full"]
        vs_plain = _ci(test.diff_unfitted["mae"], True) if test.diff_unfitted else "–"
        lines.append(
            f"| {f.variant} | {f.scheme} | {f.value:g} | {f.train_mae:.2f} "
            f"| {_ci(test.metrics['mae'])} | {vs_plain} | {_ci(test.diff['mae'], True)} "
            f"| {full.metrics['mae'].value:.2f} |"
        )
    return lines


def _replication(lb: Leaderboard) -> list[str]:
    out = lb.outcomes
    base = float(np.mean(np.abs(lb.baseline - out)))
    lines = [
        "| figure | published | here |",
        "|---|---:|---:|",
        f"| compromise, every capability 1 | {PUBLISHED['equal_compromise']} | {base:.2f} |",
    ]
    median = next((r for r in lb.rows if r.id == "median/equal"), None)
    if median is None:  # the median was not run
        return lines
    mae = float(np.mean(np.abs(median.forecasts - out)))
    lines.append(
        f"| weighted median, every capability 1 | {PUBLISHED['equal_median']} | {mae:.2f} |"
    )
    return lines


def _groups(lb: Leaderboard, columns: Sequence[Row]) -> list[str]:
    issues = lb.data.issues
    keys: list[tuple[str, Callable[[DeuIssue], str]]] = [
        ("period", lambda i: regime_at(i.date).id),
        ("rule", lambda i: i.rule),
        ("procedure", lambda i: i.procedure),
    ]
    out = lb.outcomes
    head = "| group | issues | " + " | ".join(f"`{r.id}`" for r in columns) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(columns)]
    for name, key in keys:
        labels = [key(i) for i in issues]
        order = {r.id: k for k, r in enumerate(regimes())}
        for value in sorted(dict.fromkeys(labels), key=lambda lab: order.get(lab, 0)):
            idx = np.array([k for k, lab in enumerate(labels) if lab == value])
            maes = [float(np.mean(np.abs(r.forecasts[idx] - out[idx]))) for r in columns]
            cells = " | ".join(f"{m:.2f}" for m in maes)
            lines.append(f"| {name} {value} | {idx.size} | {cells} |")
    return lines


def _worst(lb: Leaderboard, columns: Sequence[Row]) -> list[str]:
    out = lb.outcomes
    err = np.abs(lb.baseline - out)
    order = np.argsort(-err, kind="stable")[:WORST]
    head = "| issue | proposal | outcome | " + " | ".join(f"`{r.id}`" for r in columns) + " |"
    lines = [head, "|---|---|---:|" + "---:|" * len(columns)]
    for k in order:
        i = lb.data.issues[k]
        cells = " | ".join(f"{r.forecasts[k]:.1f}" for r in columns)
        lines.append(f"| {i.id} | {i.name} ({i.proposal}) | {i.outcome:g} | {cells} |")
    return lines


def _periods(lb: Leaderboard) -> list[str]:
    counts = data_summary(lb)["periods"]
    head = ["| period | rule | proposals from | to (excl.) | issues |", "|---|---|---|---|---:|"]
    return head + [
        f"| `{r.id}` | {r.label} | {r.start} | {r.end} | {counts.get(r.id, 0)} |" for r in regimes()
    ]


def render(lb: Leaderboard, command: str) -> str:
    """The whole page."""
    data = data_summary(lb)
    columns = [r for r in lb.rows if r.scheme == "equal" and not r.fitted]
    best = lb.row(verdict(lb)["best_row"])
    columns += [best] if best not in columns else []
    plain = [r for r in lb.rows if not r.fitted] or list(lb.rows)
    observer, institution = plain[0].observer_weight, plain[0].institution_weight
    parts = [
        "# DEU III leaderboard",
        "",
        (
            f"Generated by `{command}` (seed {lb.seed}, {lb.bootstrap} bootstrap replicates "
            f"resampled by {lb.resample}). Do not edit by hand. Method, the treatment of the "
            "Commission and the Parliament, the split and the sources: "
            "[explanation](../explanation/backtest.md)."
        ),
        "",
        (
            f"Data: `{data['file']}` (sha256 `{data['sha256'][:12]}…`), {data['issues']} "
            f"scoreable issues from {data['proposals']} proposals; train split "
            f"{data['train_issues']} issues, test split {data['test_issues']} (by proposal, "
            f"{lb.split_origin}). Proposal dates: {data['dates']['clean']} read as written, "
            f"{data['dates']['repaired']} repaired from spreadsheet corruption, "
            f"{data['dates']['proposal-id']} taken from the proposal id. "
            f"{data['issues_with_observers']} issues position a state before its accession "
            f"(observer weight {observer:g}; Commission and Parliament weight {institution:g} "
            "unless fitted). Errors are absolute differences from the coded outcome on the 0–100 "
            "scale; the baseline is the compromise model with every capability 1."
        ),
        "",
        f"## Does any model beat {PUBLISHED['best']} on all {data['issues']} issues?",
        "",
        *_verdict(lb),
        "",
        "## Leaderboard",
        "",
        (
            "All issues; rows with a fitted weight last (their full-set scores include the "
            "issues they were fitted on). 95% percentile bootstrap intervals; ΔMAE is paired "
            "(both rows on the same resampled issues), negative is better than the baseline."
        ),
        "",
        *_leaderboard(lb),
        "",
        "## The fitted parameter: the Commission's and the Parliament's weight",
        "",
        (
            "One weight for both institutions, in multiples of the average member state, chosen "
            "on a grid 0, 0.1, …, 4 to minimise the train MAE, then scored once on the test split."
        ),
        "",
        *_fits(lb),
        "",
        "## Published baselines reproduced",
        "",
        *_replication(lb),
        "",
        "## Where the models fail",
        "",
        "MAE by Council period (at the proposal's date), voting rule and procedure:",
        "",
        *_groups(lb, columns),
        "",
        (
            f"The {WORST} issues the baseline misses most (forecasts on the 0–100 scale; the full "
            "per-issue table is in the JSON and the CSV):"
        ),
        "",
        *_worst(lb, columns),
        "",
        "## Council periods",
        "",
        *_periods(lb),
        "",
    ]
    return "\n".join(parts)
