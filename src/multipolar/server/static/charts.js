// multipolar what-if page: the charts. Colours come from the server (the palette the HTML report
// uses: /api/meta for models, /api/scenario for actors); issues are drawn on their own scales;
// legends stand right of the plot so they never meet an axis title.
"use strict";

const PLOT = { displaylogo: false, responsive: true };
const DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];
const LEGEND = { orientation: "v", x: 1.02, xanchor: "left", y: 1, yanchor: "top", font: { size: 11 } };
const UTILITY = "utility units";
const palette = { actors: {}, models: {} };
const actorColour = (a) => palette.actors[a] || "#888888";
const modelColour = (m) => palette.models[m] || "#888888";
const axisT = (title, extra = {}) => ({ title: { text: title, font: { size: 12 } }, automargin: true, ...extra });
const scaleUnit = (lo, hi) => `${lo}–${hi} scale`;

// Small multiples in pixels: panel heights and gaps between rows (room for tick labels and the
// axis title of the panel above and the title of the panel below).
function grid(titles, cols, panel, gap, top = 40, bottom = 80) {
  const n = titles.length, c = Math.max(1, Math.min(cols, n)), rows = Math.ceil(n / c);
  const plot = rows * panel + (rows - 1) * gap, hgap = 0.14, w = (1 - (c - 1) * hgap) / c;
  const layout = { annotations: [], margin: { l: 70, r: 20, t: top, b: bottom } };
  const refs = titles.map((title, i) => {
    const r = Math.floor(i / c), x0 = (i % c) * (w + hgap), y1 = 1 - (r * (panel + gap)) / plot;
    const sx = i ? `${i + 1}` : "";
    layout[`xaxis${sx}`] = { domain: [x0, x0 + w], anchor: `y${sx}` };
    layout[`yaxis${sx}`] = { domain: [y1 - panel / plot, y1], anchor: `x${sx}` };
    layout.annotations.push({ text: title, x: x0 + w / 2, y: y1, yshift: 4, xref: "paper", yref: "paper",
      xanchor: "center", yanchor: "bottom", showarrow: false, font: { size: 12 } });
    return { x: `x${sx}`, y: `y${sx}`, xa: `xaxis${sx}`, ya: `yaxis${sx}` };
  });
  return { layout, refs, height: top + bottom + plot };
}

// The chosen issue: each actor's position (marker area: its share of the weight) and each
// model's forecast as a line in the model's colour.
function actorsChart(forecasts, issue) {
  const diag = forecasts.length ? forecasts[0].actors[issue.id] || {} : {};
  const actors = Object.keys(diag);
  const label = (a) => `${a} (${fmt(100 * diag[a].weight_share, 0)}%)`;
  const points = actors.map((a) => ({
    type: "scatter", mode: "markers", name: a, legendgroup: a, showlegend: false,
    x: [diag[a].position], y: [label(a)],
    marker: { size: 8 + 40 * Math.sqrt(diag[a].weight_share), color: actorColour(a), opacity: 0.7,
      line: { width: 1, color: "#333333" } },
    hovertemplate: `${a}: %{x:.1f}<extra></extra>`,
  }));
  const ends = actors.length ? [label(actors[0]), label(actors[actors.length - 1])] : [];
  const lines = forecasts.map((f, j) => ({
    type: "scatter", mode: "lines", name: `${f.model} ${fmt(f.forecast[issue.id], 1)}`,
    legendgroup: f.model, x: [f.forecast[issue.id], f.forecast[issue.id]], y: ends,
    line: { color: modelColour(f.model), dash: DASHES[j % DASHES.length], width: 2 },
  }));
  const [lo, hi] = issue.scale, pad = (hi - lo) * 0.05;
  const ends2 = `${short(issue.low_label, 22) || lo} → ${short(issue.high_label, 22) || hi}`;
  Plotly.react("chart-actors", [...points, ...lines], {
    height: 120 + 34 * Math.max(actors.length, 3),
    title: { text: `${short(issue.name, 60)}: positions and forecasts`, font: { size: 14 } },
    xaxis: axisT(`position (${scaleUnit(lo, hi)}: ${ends2})`, { range: [lo - pad, hi + pad] }),
    yaxis: axisT("actor (share of the weight)", { type: "category", range: [-0.7, actors.length - 0.3] }),
    margin: { l: 70, r: 20, t: 40, b: 70 }, legend: LEGEND,
  }, PLOT);
}

// Every issue on its own scale: one panel per issue, each model's forecast a dot.
function forecastsChart(forecasts) {
  const issues = state.info.issues;
  const models = forecasts.map((f) => f.model);
  const { layout, refs, height } = grid(issues.map((i) => short(i.name, 40)), 2,
    30 + 22 * Math.max(models.length, 2), 90);
  const traces = [];
  issues.forEach((issue, k) => {
    const ref = refs[k], [lo, hi] = issue.scale, pad = 0.03 * (hi - lo);
    for (const f of forecasts) {
      traces.push({ type: "scatter", mode: "markers", name: f.model, legendgroup: f.model,
        showlegend: k === 0, x: [f.forecast[issue.id]], y: [f.model], xaxis: ref.x, yaxis: ref.y,
        marker: { size: 11, color: modelColour(f.model) },
        hovertemplate: `${f.model}: %{x:.3g}<extra>${issue.id}</extra>` });
    }
    Object.assign(layout[ref.xa], axisT(`forecast (${scaleUnit(lo, hi)})`, { range: [lo - pad, hi + pad] }));
    Object.assign(layout[ref.ya], axisT("model", { type: "category", categoryorder: "array",
      categoryarray: [...models].reverse() }));
  });
  Plotly.react("chart-forecasts", traces, { ...layout, height, legend: LEGEND }, PLOT);
}

// Each party's margin over its walk-away value in each listed package (bars in the party's colour).
function dealsChart(deals) {
  const packages = deals.packages.slice(0, 5);
  const parties = packages.length ? Object.keys(packages[0].margin) : [];
  Plotly.react("chart-deals", parties.map((a) => ({
    type: "bar", name: a, legendgroup: a, x: packages.map((p) => short(p.name, 24)),
    y: packages.map((p) => p.margin[a] ?? null), marker: { color: actorColour(a) },
    hovertemplate: `${a}: %{y:+.4f}<extra>%{x}</extra>`,
  })), {
    height: 400, barmode: "group",
    title: { text: "Margin over walk-away of each party that must accept", font: { size: 14 } },
    xaxis: axisT("package", { type: "category" }),
    yaxis: axisT(`margin over walk-away (${UTILITY})`, { zeroline: true, zerolinewidth: 2 }),
    margin: { l: 70, r: 20, t: 50, b: 70 }, legend: LEGEND,
  }, PLOT);
}

// The balance of advantage after each event: utility of the forecast (top) and margin in a deal
// (bottom, dotted), one colour per actor; the zone's smallest margin in black.
function timelineChart(tl) {
  const steps = [{ label: `baseline ${tl.baseline.date}`, metrics: tl.baseline.metrics, zone: tl.baseline.zone_margin },
    ...tl.events.map((e) => ({ label: `${e.date} ${e.event}`, metrics: e.metrics_after, zone: e.zone_margin_after }))];
  const x = steps.map((s) => s.label);
  const metric = `forecast_utility:${tl.models[0]}`;
  const actors = Object.keys(steps[0].metrics.margin);
  const traces = actors.flatMap((a) => [
    { x, y: steps.map((s) => s.metrics[metric]?.[a] ?? null), name: a, legendgroup: a,
      mode: "lines+markers", line: { color: actorColour(a) } },
    { x, y: steps.map((s) => s.metrics.margin?.[a] ?? null), name: `${a} margin`, legendgroup: a,
      yaxis: "y2", mode: "lines+markers", line: { dash: "dot", color: actorColour(a) }, showlegend: false },
  ]);
  traces.push({ x, y: steps.map((s) => s.zone), name: "zone margin", yaxis: "y2", mode: "lines",
    line: { color: "#000000", width: 3 } });
  Plotly.react("chart-timeline", traces, {
    height: 560,
    title: { text: `Utility of the ${tl.models[0]} forecast (top) and margin in a deal (bottom)`, font: { size: 14 } },
    yaxis: axisT(`utility (${UTILITY})`, { domain: [0.56, 1] }),
    yaxis2: axisT(`margin (${UTILITY})`, { domain: [0, 0.44], zeroline: true }),
    xaxis: axisT("state (baseline, then each event)", { type: "category", anchor: "y2" }),
    margin: { l: 70, r: 20, t: 50, b: 70 }, legend: LEGEND,
  }, PLOT);
}
