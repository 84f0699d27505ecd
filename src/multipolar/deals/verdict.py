"""The verdict of a deal analysis: one object, computed once, that every surface reads.

A deal must meet a set of constraints, its *rows*: each party that must accept prefers the
package to walking away (u_i − d_i ≥ 0), and, when the war has a commitment problem, the
declining side prefers the package now to fighting before the power shift (the commitment
constraint, ``conflict.power_shift``). Every row's margin is in utility units (0–1) with one
sign convention: **positive = room for a deal**. The verdict's package is the egalitarian
(leximin) package, which maximises the smallest margin over all rows; that smallest margin is
the headline margin, and the row(s) attaining it are what binds. A zone of agreement exists iff
the headline margin is ≥ 0 (to the solver's precision ``TOL``). The cost to close is the sum of
the shortfalls of the rows below zero, so it is positive whenever something blocks.

With Monte Carlo draws the verdict also carries two probabilities over the scenario's ranges,
each with its draws and seed: how often a zone exists when the deal is re-solved in each draw
(``p_zone``), and how often every row accepts this package fixed now (``p_accept``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

TOL = 1e-9  # a margin above −TOL counts as met (the solvers' precision)
TIE = 1e-6  # rows within TIE of the smallest margin all bind
COMMITMENT = "conflict.power_shift"  # the row of the commitment constraint


@dataclass(frozen=True)
class Probability:
    """A Monte Carlo frequency with what it was computed from."""

    value: float
    draws: int
    seed: int

    def text(self) -> str:
        return f"{self.value:.1%} of {self.draws:,} draws (seed {self.seed})"

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "draws": self.draws, "seed": self.seed}


def binding_rows(rows: dict[str, float]) -> list[str]:
    """The rows within ``TIE`` of the smallest margin."""
    if not rows:
        return []
    low = min(rows.values())
    return [name for name, value in rows.items() if value <= low + TIE]


def blocking_rows(rows: dict[str, float]) -> list[str]:
    return [name for name, value in rows.items() if value < -TOL]


def shortfall(rows: dict[str, float]) -> float:
    """The cost to close: Σ of the blocking rows' shortfalls (utility units)."""
    return float(sum(-rows[name] for name in blocking_rows(rows)))


@dataclass(frozen=True)
class Verdict:
    """Is there a zone of agreement, what binds, by how much, and how likely."""

    zone: bool
    margin: float  # the headline margin: the smallest row margin at the package (+ = room)
    binding: tuple[str, ...]  # the rows that attain it
    rows: dict[str, float]  # every row's margin at the package
    labels: dict[str, str]  # row -> what it means, in words
    package: dict[str, float]  # the egalitarian (leximin) package on the issues' scales
    package_name: str = "egalitarian (leximin)"
    p_zone: Probability | None = None
    p_accept: Probability | None = None
    # over the same draws: {"binding_share": row -> share of draws in which it binds,
    # "margin_quantiles": quantile -> max–min margin}
    spread: dict[str, Any] | None = None

    @property
    def blockers(self) -> list[str]:
        return blocking_rows(self.rows)

    @property
    def cost_to_close(self) -> float:
        return shortfall(self.rows)

    def binding_text(self) -> str:
        return " and ".join(self.labels.get(b, b) for b in self.binding) or "nothing"

    def headline(self) -> str:
        """One line: the answer and its binding margin."""
        if self.zone:
            return (
                f"Zone of agreement: yes, binding margin {self.margin:+.4f} "
                f"(binding: {', '.join(self.binding)})"
            )
        return (
            f"Zone of agreement: no, binding margin {self.margin:+.4f} "
            f"(blocked by {', '.join(self.blockers)}; cost to close {self.cost_to_close:.4f})"
        )

    def sentence(self) -> str:
        """The verdict in words, with every figure it rests on."""
        if self.zone:
            out = (
                f"A zone of agreement exists: the {self.package_name} package meets every "
                f"constraint with at least {self.margin:+.4f} (utility units, + = room for a "
                f"deal); what binds is {self.binding_text()}."
            )
        else:
            short = "; ".join(
                f"{self.labels.get(b, b)} short by {-self.rows[b]:.4f}" for b in self.blockers
            )
            out = (
                f"No zone of agreement: even the {self.package_name} package, the best for "
                f"whoever is worst off, fails: {short}. The binding margin is "
                f"{self.margin:+.4f}; the cost to close is {self.cost_to_close:.4f} (utility "
                "units)."
            )
        if self.p_zone is not None and self.p_accept is not None:
            out += (
                f" Over the scenario's ranges a zone exists in {self.p_zone.text()} when the "
                f"deal is re-solved in each draw; this package, fixed now, is accepted by every "
                f"party in {self.p_accept.value:.1%} of the same draws."
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "margin": self.margin,
            "binding": list(self.binding),
            "blockers": self.blockers,
            "cost_to_close": self.cost_to_close,
            "rows": self.rows,
            "labels": self.labels,
            "package_name": self.package_name,
            "package": self.package,
            "p_zone": None if self.p_zone is None else self.p_zone.as_dict(),
            "p_accept": None if self.p_accept is None else self.p_accept.as_dict(),
            "spread": self.spread,
            "headline": self.headline(),
            "sentence": self.sentence(),
            "sign": "+ = room for a deal (utility units, 0-1)",
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as the CLI's ``--format json`` prints it."""
        return self.as_dict()

    def to_frame(self) -> pd.DataFrame:
        """One row per constraint: its margin, whether it binds and whether it blocks."""
        from multipolar.frames import records

        return records(
            {"row": r, "label": self.labels.get(r, r), "margin": m,
             "binds": r in self.binding, "blocks": r in self.blockers}
            for r, m in self.rows.items()
        )  # fmt: skip
