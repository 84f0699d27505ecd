"""The rows of the war table, shared by the console (`multipolar war`) and the HTML report so
that both say the same thing: shares with their corners in words, peace margins labelled with
their sign, and the warnings."""

from __future__ import annotations

from typing import Any

from multipolar.report.blocks import num, signed

PEACE_MARGIN = "peace margin (+ = room for a deal)"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def range_words(corner: str | None, a: str, b: str) -> str:
    """The bargaining range's corner in words ('' for an interior range)."""
    parts = []
    if corner in ("lower", "both"):
        parts.append(f"{a} prefers any share, even none, to fighting")
    if corner in ("upper", "both"):
        parts.append(f"{b} prefers conceding all the stakes to fighting")
    return f"corner: {'; '.join(parts)}" if parts else ""


def share_words(corner: str | None, who: str, *, demand: bool) -> str:
    """A share's (or a demand's) corner in words ('' when interior)."""
    if corner is None:
        return ""
    whole = "all" if corner == "upper" else "none"
    if demand:
        why = "its optimum capped at 1" if corner == "upper" else "its optimum floored at 0"
        return f"corner: {who} demands {whole} of the stakes, {why}"
    return f"corner: {whole} of the stakes to {who}"


def _with(value: str, words: str) -> str:
    return f"{value} ({words})" if words else value


def war_rows(data: dict[str, Any], *, warnings: bool = True) -> list[tuple[str, str]]:
    """(label, value) rows of ``analyse_war``'s output, values formatted as text; the input
    warnings come last unless ``warnings`` is False (the report shows them as notes)."""
    a, b = data["belligerents"]
    rng, nash = data["bargaining_range"], data["nash_split"]
    rows = [
        (f"P({a} prevails)", num(data["p"])),
        ("stakes", ", ".join(data["stakes"]) or "-"),
        (
            f"bargaining range ({a}'s share of the stakes)",
            _with(f"[{rng['low']:.3f}, {rng['high']:.3f}]", range_words(rng["corner"], a, b)),
        ),
        (
            f"Nash split ({a}'s share, α = {nash['alpha']:.2f})",
            _with(num(nash["share"]), share_words(nash["corner"], a, demand=False)),
        ),
    ]
    rows += [(f"walk-away value of {k}", num(v)) for k, v in data["walk_away"].items()]
    for who, rr in data["risk_return"].items():
        rows.append(
            (
                f"{who}'s optimal demand ({who}'s share) / P(war)",
                _with(
                    f"{rr['demand']:.3f} / {rr['war_probability']:.3f}",
                    share_words(rr["corner"], who, demand=True),
                ),
            )
        )
    if "commitment" in data:
        c = data["commitment"]
        rows.append(
            (f"commitment problem ({c['declining']} declining)", _yes(c["war_without_guarantee"]))
        )
        rows.append(
            (f"  {PEACE_MARGIN}, no guarantee", signed(c["peace_margin_without_guarantee"]))
        )
        if "war_with_full_guarantee" in c:
            rows.append(("  war even with a full guarantee", _yes(c["war_with_full_guarantee"])))
            rows.append(
                (f"  {PEACE_MARGIN}, full guarantee", signed(c["peace_margin_with_full_guarantee"]))
            )
    att = data["attrition"]
    rows.append((f"war of attrition: P({a} outlasts {b})", num(att["a_outlasts_b"])))
    rows.append(("  expected duration (periods)", num(att["expected_duration_periods"])))
    if att["paradox"]:
        rows.append(("  warning", "paradox: the costlier side is favoured in this equilibrium"))
    if warnings:
        rows += [("warning", w["message"]) for w in data["warnings"]]
    return rows
