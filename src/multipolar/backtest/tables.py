"""The leaderboard as a terminal table, and the per-issue table as CSV."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from multipolar.backtest.score import Interval

if TYPE_CHECKING:
    from rich.table import Table

    from multipolar.backtest.leaderboard import Leaderboard, Row


def fmt_interval(iv: Interval, digits: int = 2, signed: bool = False) -> str:
    sign = "+" if signed else ""
    return f"{iv.value:{sign}.{digits}f} [{iv.low:{sign}.{digits}f}, {iv.high:{sign}.{digits}f}]"


def ranked(lb: Leaderboard) -> list[Row]:
    """Rows not fitted, best full-set MAE first (ties keep run order), then the fitted rows."""
    clean = [r for r in lb.rows if not r.fitted]
    fitted = [r for r in lb.rows if r.fitted]
    return sorted(clean, key=lambda r: lb.scores[r.id]["full"].metrics["mae"].value) + fitted


def leaderboard_table(lb: Leaderboard) -> Table:
    from rich.table import Table

    n = len(lb.data.issues)
    table = Table(
        title=f"DEU III backtest: {n} issues (baseline compromise/equal; 95% bootstrap intervals, "
        f"seed {lb.seed})"
    )
    for col in ("model", "capabilities", "MAE [95% CI]", "median AE", "RMSE", "≤10",
                "ΔMAE vs baseline [95% CI]", "train MAE", "test MAE"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("model", "capabilities") else "right")
    for r in ranked(lb):
        full = lb.scores[r.id]["full"]
        caps = r.scheme + (f" (fit w={r.institution_weight:g})" if r.fitted else "")
        table.add_row(
            r.variant.label,
            caps,
            fmt_interval(full.metrics["mae"]),
            f"{full.metrics['median_ae'].value:.2f}",
            f"{full.metrics['rmse'].value:.2f}",
            f"{full.metrics['within10'].value:.1%}",
            fmt_interval(full.diff["mae"], signed=True),
            f"{lb.scores[r.id]['train'].metrics['mae'].value:.2f}",
            f"{lb.scores[r.id]['test'].metrics['mae'].value:.2f}",
        )
    return table


def issues_csv(lb: Leaderboard) -> str:
    """One row per issue: identity, context, outcome, then each leaderboard row's forecast."""
    rows = lb.issue_rows()
    ids = [r.id for r in lb.rows]
    head = ["issue", "proposal", "name", "date", "date_source", "period", "rule", "procedure",
            "split", "actors", "observers", "reference", "outcome"]  # fmt: skip
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*head, *ids])
    for row in rows:
        cells = [row[h] for h in head]
        cells[head.index("observers")] = " ".join(row["observers"])
        cells[head.index("reference")] = "" if row["reference"] is None else row["reference"]
        writer.writerow([*cells, *(f"{row['forecasts'][i]:.4f}" for i in ids)])
    return buf.getvalue()
