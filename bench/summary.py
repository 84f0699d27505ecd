"""The last step of `make bench`: one table of every target, from what the scripts wrote.

bench/run.py times the whole processes, the what-if loop and the kernels (bench/results.json);
the other scripts time the server under load, the editor, the coalitions, event validation and
the exchange model, each writing its own JSON. This reads them all and prints one table: each
case, our figure, the reference it is compared with, the ratio, the target and whether it holds,
then the bench's own duration against its 5-minute target. A script that did not run (no
../shared, no Chromium) leaves its rows out, and the table says so.

Writes bench/summary.json. Figures are only ever measured by the scripts; nothing is asserted.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "summary.json"
BENCH_TARGET_S = 300.0  # `make bench` under 5 minutes (issue 15)


@dataclass
class Row:
    name: str
    value: float | None
    unit: str  # "s cpu", "s wall", "ms", "×", "%"
    reference: float | None = None
    target: float | None = None  # the value must not exceed it
    source: str = ""
    at_least: bool = False  # the target is a floor, not a ceiling

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.reference:
            return None
        return self.value / self.reference

    @property
    def holds(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        return self.value >= self.target if self.at_least else self.value <= self.target


def _read(name: str, since: float | None) -> dict[str, Any] | None:
    """The JSON a script wrote, if it wrote it during this bench (not one left from before)."""
    path = BENCH / name
    if not path.exists() or (since is not None and path.stat().st_mtime < since):
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def run_rows(res: dict[str, Any]) -> list[Row]:
    rows = []
    for case in res["cases"]:
        extra = case.get("extra") or {}
        rows.append(
            Row(case["name"], case["seconds"], f"s {case['basis']}", case["reference"],
                case["target"], case["target_is"] or case["reference_is"])
        )  # fmt: skip
        if "p99_s" in extra:
            rows.append(Row("what-if recomputation after an edit (p99)", extra["p99_s"], "s wall",
                            None, extra["p99_target_s"], "issue 15"))  # fmt: skip
        if "max_rss_limit_mib" in extra:
            rows.append(Row(f"{case['name']}: peak memory", extra["max_rss_mib"], "MiB", None,
                            extra["max_rss_limit_mib"], "issue 15"))  # fmt: skip
    return rows


def load_rows(res: dict[str, Any]) -> list[Row]:
    distinct, same, worst = res["whatif_distinct"], res["whatif_identical"], res["worst_case"]
    limit = worst["time_limit"]
    return [
        Row("server: 200 different what-ifs (p50)", distinct["p50"], "s wall", None, 1.0,
            "issue 20"),
        Row("server: 200 different what-ifs (p99)", distinct["p99"], "s wall", None, 3.0,
            "issue 20"),
        Row("server: 200 identical what-ifs (p50)", same["p50"], "s wall", None, 1.0, "issue 20"),
        Row("server: 200 identical what-ifs (p99)", same["p99"], "s wall", None, 3.0, "issue 20"),
        Row("server: /api/meta p99 while the worst case runs", worst["meta"]["p99"] * 1e3, "ms",
            None, 100.0, "issue 20"),
        Row(f"server: worst case within limits ({worst['request']})", worst["seconds"], "s wall",
            None, limit, "its time limit (issue 20)"),
        Row("server: RSS growth, 1,000 vs 100 requests", res["memory"]["growth"] * 100, "%", None,
            10.0, "issue 20"),
    ]  # fmt: skip


def editor_rows(res: dict[str, Any]) -> list[Row]:
    targets = res.get("targets_ms", {})
    return [
        Row("editor: first paint (p50)", res["first_paint"]["p50_ms"], "ms", None,
            targets.get("first_paint"), "issue 16"),
        Row("editor: edit committed to panels (p50)", res["edit_committed"]["p50_ms"], "ms", None,
            targets.get("edit_committed_p50"), "issue 16"),
    ]  # fmt: skip


def coalition_rows(res: dict[str, Any]) -> list[Row]:
    ratify = res["ratification"]
    return [
        Row("coalitions (Ukraine)", res["coalitions_s"], "s wall", None, res["target_s"],
            "issue 18"),
        Row("mediators (Ukraine)", res["mediators_s"], "s wall", None, None, "issue 18"),
        Row("ratification: deal verdict, with / without constituencies", ratify["verdict_ratio"],
            "×", None, ratify["ratio_target"], "issue 18"),
        Row("ratification: P(zone), with / without constituencies", ratify["p_zone_ratio"], "×",
            None, ratify["ratio_target"], "issue 18"),
    ]  # fmt: skip


def event_rows(res: dict[str, Any]) -> list[Row]:
    counts, seconds = res["events"], res["validate_s"]
    most = counts.index(max(counts))
    return [
        Row(f"validate {counts[most]:,} events", seconds[most], "s cpu", None, 1.0, "issue 20"),
    ]


def exchange_rows(res: dict[str, Any]) -> list[Row]:
    dutch = res["dutch2012"]
    return [
        Row(f"exchange: 10,000 Dutch 2012 draws on two processes ({dutch['draws_timed']:,} "
            "timed, scaled)", dutch["draws_two_processes_s"], "s wall", 189.0, None,
            "before: docs/models/exchange.md (issue 19)"),
    ]  # fmt: skip


SOURCES = {
    "results.json": run_rows,
    "load_results.json": load_rows,
    "editor.json": editor_rows,
    "coalitions.json": coalition_rows,
    "events.json": event_rows,
    "exchange.json": exchange_rows,
}


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"


def table(rows: list[Row]) -> str:
    head = ("case", "ours", "unit", "reference", "ratio", "target", "holds", "target/reference")
    body = [
        (r.name, _fmt(r.value), r.unit, _fmt(r.reference),
         "-" if r.ratio is None else f"{r.ratio:.3f}",
         ("≥ " if r.at_least and r.target is not None else "") + _fmt(r.target),
         {True: "yes", False: "NO", None: "-"}[r.holds], r.source)
        for r in rows
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(line.format(*r).rstrip() for r in [head, *body])


def main() -> None:
    rows: list[Row] = []
    missing = []
    started = None
    for name, build in SOURCES.items():  # results.json first: it says when the bench started
        res = _read(name, started)
        if res is None:
            missing.append(name)
            continue
        if name == "results.json":
            started = res.get("started_at")
        rows += build(res)
    if started is not None:
        rows.append(Row("make bench, every script", time.time() - started, "s wall", None,
                        BENCH_TARGET_S, "issue 15 (< 5 min)"))  # fmt: skip
    load = os.getloadavg()
    print(f"\n== every target (cores {os.cpu_count()}, load average now {load[0]:.1f})")
    print(table(rows))
    if missing:
        print(f"not run (no figures): {', '.join(missing)}")
    failing = [r.name for r in rows if r.holds is False]
    print(f"{sum(r.holds is True for r in rows)} targets hold, {len(failing)} do not")
    OUT.write_text(
        json.dumps({"rows": [asdict(r) | {"ratio": r.ratio, "holds": r.holds} for r in rows],
                    "missing": missing, "load_average": load}, indent=2) + "\n",
        encoding="utf-8",
    )  # fmt: skip


if __name__ == "__main__":
    main()
