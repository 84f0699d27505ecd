"""Checks of plotly charts as a browser drew them: every axis has a title (with its unit in
parentheses when the axis is numeric), and no two labels overlap. Labels are the rendered SVG
text of legends, axis titles, chart titles, annotations and point labels, measured with
getBoundingClientRect; tick labels count against every other kind of label (plotly itself keeps
tick labels apart from each other)."""

from __future__ import annotations

from typing import Any

MEASURE = r"""
(selector) => {
  const charts = [];
  for (const gd of document.querySelectorAll(selector)) {
    if (!gd._fullLayout) continue;
    const labels = [];
    const push = (kind, node) => {
      const text = (node.textContent || "").trim();
      const r = node.getBoundingClientRect();
      if (!text || r.width === 0 || r.height === 0) return;
      labels.push({ kind, text, l: r.left, t: r.top, r: r.right, b: r.bottom });
    };
    gd.querySelectorAll(".legendtext").forEach((n) => push("legend", n));
    gd.querySelectorAll(".annotation-text").forEach((n) => push("annotation", n));
    gd.querySelectorAll(".textpoint text").forEach((n) => push("point", n));
    gd.querySelectorAll(".xtick text, .ytick text").forEach((n) => push("tick", n));
    gd.querySelectorAll("text").forEach((n) => {
      const cls = n.getAttribute("class") || "";
      if (/^[xy]\d*title$/.test(cls)) push("axis title", n);
      if (cls === "gtitle") push("chart title", n);
    });
    const fl = gd._fullLayout;
    const axes = [];
    for (const id of [...fl._subplots.xaxis, ...fl._subplots.yaxis]) {
      const ax = fl[id.charAt(0) + "axis" + id.slice(1)];
      if (!ax || !ax.visible) continue;
      const node = gd.querySelector("text." + id + "title");
      axes.push({ id, type: ax.type, title: ax.title ? ax.title.text : "",
                  drawn: node ? node.textContent.trim() : "",
                  range: ax.range ? ax.range.map(Number) : null });
    }
    charts.push({ id: gd.id, labels, axes });
  }
  return charts;
}
"""


def measure(page: Any, selector: str = ".js-plotly-plot") -> list[dict[str, Any]]:
    """Every drawn chart under ``selector``: its labels' boxes and its axes."""
    charts: list[dict[str, Any]] = page.evaluate(MEASURE, selector)
    return charts


def overlaps(chart: dict[str, Any], tolerance: float = 1.0) -> list[str]:
    """Pairs of labels of one chart whose boxes intersect by more than ``tolerance`` px both
    ways (tick labels against each other are left to plotly)."""
    labels = chart["labels"]
    found = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if a["kind"] == "tick" and b["kind"] == "tick":
                continue
            w = min(a["r"], b["r"]) - max(a["l"], b["l"])
            h = min(a["b"], b["b"]) - max(a["t"], b["t"])
            if w > tolerance and h > tolerance:
                found.append(
                    f"{chart['id']}: {a['kind']} {a['text']!r} overlaps {b['kind']} "
                    f"{b['text']!r} ({w:.0f}×{h:.0f} px)"
                )
    return found


def axis_problems(chart: dict[str, Any]) -> list[str]:
    """Axes without a drawn title, and numeric axes whose title gives no unit in ()."""
    problems = []
    for ax in chart["axes"]:
        where = f"{chart['id']} {ax['id']}"
        if not ax["title"] or not ax["drawn"]:
            problems.append(f"{where}: no axis title")
        elif ax["type"] != "category" and not ("(" in ax["title"] and ")" in ax["title"]):
            problems.append(f"{where}: title {ax['title']!r} gives no unit")
    return problems


def chart_problems(charts: list[dict[str, Any]]) -> list[str]:
    return [p for c in charts for p in [*overlaps(c), *axis_problems(c)]]
