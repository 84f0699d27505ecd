"""The DEU III calibration as a markdown page (docs/backtest/deu3-calibration.md) and JSON:
same seed, same bytes."""

from __future__ import annotations

import json
from collections import Counter

from multipolar.backtest.calibration import COST, GRID, Calibration, NoiseFit
from multipolar.backtest.calibration_grade import COVERAGES, LEVELS, PIT_BINS, Summary
from multipolar.backtest.fit import PROPOSAL_MODELS
from multipolar.backtest.score import Interval
from multipolar.backtest.tables import fmt_interval


def _p(v: float) -> str:
    return f"{v:.0%}".replace("%", " %")


def _pct(iv: Interval) -> str:
    return f"{_p(iv.value)} [{_p(iv.low)}, {_p(iv.high)}]"


def _best(cal: Calibration) -> Summary:
    return min(cal.summaries, key=lambda s: s.crps.value)


def _headline(cal: Calibration) -> list[str]:
    clim = cal.climatology
    best = _best(cal)
    better = [s.label for s in cal.summaries if s.diff.high < 0]
    worse = [s.label for s in cal.summaries if s.diff.low > 0]
    n = len(cal.test_ids)
    if better:
        names = ", ".join(f"`{b}`" for b in better)
        first = (
            f"**Yes:** on the {n} test issues {names} beat the climatology, with the "
            "paired interval of the difference below 0."
        )
    elif best.crps.value < clim.crps.value:
        first = (
            f"**No model clearly does.** On the {n} test issues the best, `{best.label}`, "
            f"scores a mean CRPS of {best.crps.value:.2f} against the climatology's "
            f"{clim.crps.value:.2f}, but the paired interval of the difference "
            f"({fmt_interval(best.diff, signed=True)}) contains 0."
        )
    else:
        first = (
            f"**No.** On the {n} test issues no model's mean CRPS is below the "
            f"climatology's {clim.crps.value:.2f}; the best, `{best.label}`, scores "
            f"{best.crps.value:.2f}."
        )
    lines = [first]
    if worse:
        lines += [
            "",
            "Worse than the climatology (interval of the difference above 0): "
            + ", ".join(f"`{w}`" for w in worse)
            + ".",
        ]
    fair_better = [s.label for s in cal.summaries if s.fair_diff.high < 0]
    fair_best = min(cal.summaries, key=lambda s: s.fair.value)
    lines += [
        "",
        "Without the handicap of few draws (the fair CRPS, see Method), better than the "
        "climatology with the interval below 0: "
        + (", ".join(f"`{b}`" for b in fair_better) if fair_better else "no model")
        + f"; the best is `{fair_best.label}`, {fair_best.fair.value:.2f} against "
        f"{clim.fair.value:.2f} ({fmt_interval(fair_best.fair_diff, signed=True)}).",
    ]
    calibrated = [s.label for s in cal.summaries if s.verdict.startswith("calibrated")]
    lines += [
        "",
        "Calibrated at both the 50 % and the 90 % level (PIT coverage): "
        + (", ".join(f"`{c}`" for c in calibrated) if calibrated else "no model")
        + f"; the climatology: {clim.verdict}.",
    ]
    return lines


def _scores(cal: Calibration) -> list[str]:
    head = [
        (
            "| model | position noise (train) | draws | test CRPS [95% CI] | "
            "ΔCRPS vs climatology [95% CI] | skill | fair CRPS | Δfair vs climatology [95% CI] "
            "| noise-free CRPS (= MAE) |"
        ),
        "|---|---:|---:|---|---|---:|---:|---|---:|",
    ]
    rows = [
        f"| {s.label} | {s.sigma:g} | {s.draws} | {fmt_interval(s.crps)} | "
        f"{fmt_interval(s.diff, signed=True)} | {s.skill:+.3f} | {s.fair.value:.2f} | "
        f"{fmt_interval(s.fair_diff, signed=True)} | {s.point_crps:.2f} |"
        for s in sorted(cal.summaries, key=lambda s: s.crps.value)
    ]
    c = cal.climatology
    rows.append(
        f"| *{c.label}* | – | {c.draws} train outcomes | {fmt_interval(c.crps)} | – | 0 | "
        f"{c.fair.value:.2f} | – | – |"
    )
    return head + rows


def _reliability(cal: Calibration) -> list[str]:
    head = [
        (
            "| model | 50 % interval holds | 90 % interval holds | PIT in [0.25, 0.75] "
            "(nominal 50 %) | PIT in [0.05, 0.95] (nominal 90 %) | mean PIT [95% CI] | "
            "χ² p (uniform PIT) | verdict |"
        ),
        "|---|---|---|---|---|---|---:|---|",
    ]
    rows = [
        f"| {s.label} | {_pct(s.coverage[0.5])} | {_pct(s.coverage[0.9])} | "
        f"{_pct(s.pit_coverage[0.5])} | {_pct(s.pit_coverage[0.9])} | "
        f"{fmt_interval(s.mean_pit, digits=3)} | {s.pit_p:.2g} | {s.verdict} |"
        for s in (*cal.summaries, cal.climatology)
    ]
    return head + rows


def _histogram(cal: Calibration) -> list[str]:
    edges = [f"{k / PIT_BINS:.1f}–{(k + 1) / PIT_BINS:.1f}" for k in range(PIT_BINS)]
    head = ["| model | " + " | ".join(edges) + " |", "|---|" + "---:|" * PIT_BINS]
    return head + [
        f"| {s.label} | " + " | ".join(str(c) for c in s.pit_counts) + " |"
        for s in (*cal.summaries, cal.climatology)
    ]


def _fits(cal: Calibration) -> list[str]:
    grid = cal.grid
    head = [
        "| model | draws | " + " | ".join(f"{g:g}" for g in grid) + " | fitted |",
        "|---|---:|" + "---:|" * len(grid) + "---:|",
    ]

    def cell(f: NoiseFit, g: float, v: float) -> str:
        return f"**{v:.2f}**" if g == f.value else f"{v:.2f}"

    rows = [
        f"| {f.label} | {f.draws} | "
        + " | ".join(cell(f, g, v) for g, v in zip(grid, f.curve, strict=True))
        + f" | {f.value:g} |"
        for f in cal.fits
    ]
    edge = [f.label for f in cal.fits if f.value == max(grid)]
    note = []
    if edge:
        note = [
            "",
            (
                f"Fitted at the grid's largest value ({max(grid):g} of the scale): "
                + ", ".join(f"`{e}`" for e in edge)
                + ". For these the train CRPS still "
                "falls as the coded positions are blurred towards noise: their "
                "distribution improves by leaning on the spread of the scale rather than "
                "on the positions."
            ),
        ]
    return head + rows + note


def _words(s: Summary, clim: Summary) -> str:
    cover = s.pit_coverage
    parts = [f"- `{s.label}` (position noise {s.sigma:g} of the scale): **{s.verdict}**."]
    parts.append(
        f"Its central 50 % and 90 % bands hold {_p(cover[0.5].value)} and "
        f"{_p(cover[0.9].value)} of the test outcomes (by PIT)."
    )
    if "over-confident" in s.verdict:
        parts.append(
            "The bands are too narrow: outcomes land in the tails, the PIT histogram "
            "piles up in its end bins."
        )
    elif "under-confident" in s.verdict:
        parts.append("The bands are too wide: the PIT histogram is humped in the middle.")
    if "too low" in s.verdict:
        parts.append("Outcomes fall above its forecasts more often than below.")
    elif "too high" in s.verdict:
        parts.append("Outcomes fall below its forecasts more often than above.")

    def relation(iv: Interval) -> str:
        return "below" if iv.high < 0 else "above" if iv.low > 0 else "not clearly apart from"

    parts.append(
        f"Its test CRPS {s.crps.value:.2f} is {relation(s.diff)} the climatology's "
        f"{clim.crps.value:.2f} ({fmt_interval(s.diff, signed=True)}); its fair CRPS "
        f"{s.fair.value:.2f} is {relation(s.fair_diff)} the climatology's {clim.fair.value:.2f} "
        f"({fmt_interval(s.fair_diff, signed=True)}); noise-free, its CRPS is its MAE, "
        f"{s.point_crps:.2f}."
    )
    return " ".join(parts)


def _proposals(cal: Calibration) -> list[str]:
    """How a proposal model (the exchange model) is run and perturbed, if one is graded."""
    joint = [f.label for f in cal.fits if f.label in PROPOSAL_MODELS]
    if not joint:
        return []
    sizes = Counter(Counter(i.proposal for i in cal.data.issues).values())
    single = sizes.get(1, 0)
    return [
        (
            "**Proposal models** ("
            + ", ".join(f"`{j}`" for j in joint)
            + "). The exchange model trades between issues, so, as on the "
            "[leaderboard](deu3.md), its problem is a whole proposal: the issues of one "
            f"legislative proposal together ({sum(sizes.values()) - single} proposals of "
            f"{min((k for k in sizes if k > 1), default=2)}–{max(sizes)} issues), each with "
            f"its own capabilities; a proposal with a single issue ({single} of "
            f"{sum(sizes.values())}) is a one-issue problem, where nothing can be traded and the "
            "model forecasts the compromise. The noise is the same as for the other models: "
            "each issue's positions move by that issue's own normal draws, the numbers it gets "
            "when it runs alone, so an issue's noise does not depend on its grouping. Its one "
            "parameter σ is fitted on the train proposals' issues like every other model's "
            "(the split keeps each proposal on one side), and each draw of a proposal is one "
            "run of the model over all its issues."
        ),
        "",
    ]


def _method(cal: Calibration) -> list[str]:
    grid = ", ".join(f"{g:g}" for g in cal.grid)
    counts = sorted({f.draws for f in cal.fits}, reverse=True)
    per = "; ".join(
        f"{d}: " + ", ".join(f"`{f.label}`" for f in cal.fits if f.draws == d) for d in counts
    )
    slow = ", ".join(f"{m} by {COST[m]}" for m in sorted(COST))
    handicap = ", ".join(
        f"`{x.label}` {x.per_issue.handicap.mean():.2f}"
        for x in sorted(cal.summaries, key=lambda x: -x.per_issue.handicap.mean())
    )
    draws = (
        f"draws per issue {per}: the slow models' draws are divided ({slow}) for run time. "
        "The CRPS of m draws is the CRPS of their empirical distribution, which exceeds the "
        "CRPS of the distribution they come from by half its mean absolute spread divided by m, "
        "so fewer draws handicap a model; measured on the test issues as the CRPS minus its "
        f"unbiased (fair) estimate, the handicap is {handicap}"
    )
    return [
        *_proposals(cal),
        (
            "**Uncertainty model.** One parameter, the position noise σ: in every draw each "
            "positioned actor's position moves by σ × (scale width) × z, z standard normal and "
            "independent across actors and draws, and is clipped to the issue's scale; saliences "
            f"and capabilities stay as coded (capabilities: `{cal.scheme}`). The model runs on "
            f"every draw; its forecasts over the draws are its predictive distribution ({draws}). "
            "An issue's normal draws depend only on the seed and the issue's id, so every grid "
            "value and every model sees the same draws (common random numbers)."
        ),
        "",
        (
            f"**Fitting rule.** For each model σ is chosen on the grid {grid} "
            f"(shares of the scale) to minimise the mean CRPS over the {len(cal.train_ids)} train "
            "issues, in its fair estimate (so that a model drawn few times is not pushed "
            "towards narrow distributions; the first of equal minima); the test issues are not "
            "read. The fitted distribution is then graded once on the test issues."
        ),
        "",
        (
            "**Grading** (all by `multipolar.ledger.scores`): the CRPS of the draws "
            "(`crps_samples`), the coverage of the central 50 % and 90 % intervals read off the "
            f"draws' quantiles at {', '.join(f'{q:g}' for q in LEVELS)} (`covered`), and the "
            "randomised PIT (`pit`, of the outcome among the draws and itself) with its "
            f"{PIT_BINS}-bin histogram (`pit_histogram`); the fair CRPS is scoringrules' "
            '`crps_ensemble(estimator="fair")`. The reference is the climatological forecast: '
            "the train split's outcomes, as shares of their scales, on the issue's scale. Skill "
            "is 1 − CRPS / climatology CRPS. Intervals are 95 % percentile intervals over "
            f"{cal.bootstrap} bootstrap resamples of the test issues (by {cal.resample}, seed "
            f"{cal.seed}), paired across models."
        ),
    ]


def render(cal: Calibration, command: str) -> str:
    """The whole page."""
    n_test = len(cal.test_ids)
    clim = cal.climatology
    parts = [
        "# DEU III calibration",
        "",
        (
            f"Generated by `{command}` (seed {cal.seed}). Do not edit by hand. Each model's "
            "forecast of each DEU III outcome becomes a predictive distribution under a fitted "
            "uncertainty model and is graded as a ledger of numeric forecasts. Point forecasts: "
            "the [leaderboard](deu3.md); data, split and sources: "
            "[explanation](../explanation/backtest.md)."
        ),
        "",
        (
            f"Data: `{cal.data.file}` (sha256 `{cal.data.sha256[:12]}…`), "
            f"{len(cal.data.issues)} scoreable issues; fitted on the {len(cal.train_ids)} train "
            f"issues, graded on the {n_test} test issues ({cal.split_origin}). Outcomes are on "
            "the 0–100 scale."
        ),
        "",
        "## Does any model beat the climatology?",
        "",
        *_headline(cal),
        "",
        (
            "Lower CRPS is better; ΔCRPS is paired (both on the same resampled issues), "
            "negative is better than the climatology. The test CRPS is the ledger's CRPS of the "
            "draws; the fair CRPS estimates the CRPS of the distribution they are drawn from "
            "(no handicap for few draws). The noise-free CRPS is the CRPS of the point "
            "forecast, i.e. the test MAE of the [leaderboard](deu3.md)."
        ),
        "",
        *_scores(cal),
        "",
        "## Reliability",
        "",
        (
            "The interval columns give the share of test outcomes inside the central 50 % and "
            "90 % intervals read off the draws' quantiles (the ledger's `covered`). Two things "
            "keep that share off its nominal value for a calibrated forecast: a distribution "
            "with mass on single values (the ends of the scale, or one actor's position in most "
            "draws) has intervals whose ends sit on those values and cover more (the "
            "climatology's 90 % interval is the whole scale), and the quantiles of a few draws "
            "make intervals that cover less. The randomised rank PIT has neither problem: the "
            "outcome's rank among the draws and itself, ties broken at random, is uniform for a "
            "calibrated forecast whatever the number of draws, so the share of PIT values in the "
            "central band is nominal; the verdicts use it. Over-confident: a nominal level lies "
            "above the 95 % interval of its PIT coverage (bands too narrow); under-confident: "
            "below it (bands too wide). Outcomes falling mostly above (below) the forecasts make "
            "the mean PIT's interval exclude 0.5 upwards (downwards)."
        ),
        "",
        *_reliability(cal),
        "",
        (
            f"PIT histogram (counts of the {n_test} test issues per tenth; a calibrated forecast "
            f"puts about {n_test / PIT_BINS:.1f} in each; U-shaped = over-confident, humped = "
            "under-confident, sloped = biased):"
        ),
        "",
        *_histogram(cal),
        "",
        "## In plain words",
        "",
        *[_words(s, clim) for s in sorted(cal.summaries, key=lambda s: s.crps.value)],
        "",
        "## Method",
        "",
        *_method(cal),
        "",
        "## The fit: train CRPS along the grid",
        "",
        "Mean fair CRPS over the train issues at each position noise (bold: the fitted value).",
        "",
        *_fits(cal),
        "",
    ]
    return "\n".join(parts)


def to_json(cal: Calibration) -> str:
    """The calibration as JSON (settings, fits, test grades, per-issue CRPS and PIT)."""
    out = cal.as_dict()
    out["settings"]["coverages"] = list(COVERAGES)
    out["settings"]["default_grid"] = list(GRID)
    return json.dumps(out, indent=1, ensure_ascii=False) + "\n"
