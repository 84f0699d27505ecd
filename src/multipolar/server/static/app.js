// multipolar what-if page: sliders edit the scenario, the JSON API reruns the analyses.
"use strict";

const state = { meta: null, ref: null, info: null, issue: null, edits: new Map(), seq: {} };
const $ = (id) => document.getElementById(id);
const short = (text, n = 28) => (text && text.length > n ? `${text.slice(0, n - 1)}…` : text);
const fmt = (v, d = 2) => (v === null || v === undefined ? "-" : Number(v).toFixed(d));
const PLOT = { displaylogo: false, responsive: true };
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf"];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : String(c));
  return node;
}

function status(text, error = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
}

async function api(method, url, body) {
  const init = { method, headers: { "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(url, init);
  const data = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error(data.error || `${res.status} ${res.statusText}`);
  return data;
}

// Latest-wins: a reply to an older request of the same kind is dropped.
async function latest(kind, call) {
  const token = (state.seq[kind] = (state.seq[kind] || 0) + 1);
  const data = await call();
  return token === state.seq[kind] ? data : null;
}

const edits = () => [...state.edits].map(([path, value]) => ({ path, value }));
const chosenModels = () =>
  [...document.querySelectorAll("#models input:checked")].map((i) => i.value);
const seed = () => Math.max(0, parseInt($("seed").value, 10) || 0);
const request = (extra) => ({ scenario: state.ref, edits: edits(), ...extra });

async function init() {
  state.meta = await api("GET", "/api/meta");
  for (const b of state.meta.bundled) $("bundled").append(el("option", { value: b.name }, b.title));
  for (const m of state.meta.models) {
    const box = el("input", { type: "checkbox", value: m.name, id: `model-${m.name}` });
    box.checked = true;
    box.addEventListener("change", schedule);
    $("models").append(el("label", { title: m.title }, box, m.name));
  }
  $("draws").max = state.meta.limits.max_draws;
  $("open-bundled").addEventListener("click", () => open({ bundled: $("bundled").value }));
  $("open-upload").addEventListener("click", () => open({ text: $("upload-text").value }));
  $("upload-file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (file) $("upload-text").value = await file.text();
  });
  $("issue").addEventListener("change", () => { state.issue = $("issue").value; sliders(); runForecast(); });
  $("reset").addEventListener("click", () => { state.edits.clear(); sliders(); runAll(); });
  $("rerun").addEventListener("click", runAll);
  $("save").addEventListener("click", save);
  for (const id of ["draws", "seed"]) $(id).addEventListener("change", schedule);
  status(`multipolar ${state.meta.version}: choose a scenario and press Open`);
  refreshRuns();
}

async function open(ref) {
  status("Opening…");
  try {
    state.info = await api("POST", "/api/scenario", { scenario: ref, edits: [] });
  } catch (err) { status(err.message, true); return; }
  state.ref = ref;
  state.edits.clear();
  $("scenario-title").textContent = state.info.title;
  $("issue").replaceChildren(...state.info.issues.map((i) => el("option", { value: i.id }, i.name)));
  state.issue = state.info.issues[0].id;
  sliders();
  runAll();
}

function slider(actor, what, path, lo, hi, value) {
  const input = el("input", { type: "range", id: `${what}-${actor}`, min: lo, max: hi,
    step: (hi - lo) / 200, "aria-label": `${actor} ${what}` });
  input.value = value;
  const out = el("output", { for: input.id }, fmt(value));
  input.addEventListener("input", () => {
    out.textContent = fmt(input.value);
    state.edits.set(path, Number(input.value));
    $("edit-count").textContent = `${state.edits.size} edit(s)`;
    schedule();
  });
  return [el("span", { class: "what" }, what), input, out];
}

function sliders() {
  const info = state.info, issue = info.issues.find((i) => i.id === state.issue);
  const capMax = Math.max(...info.actors.map((a) => a.capability.high ?? a.capability.best)) * 1.5 || 1;
  const rows = [];
  for (const a of info.actors) {
    const pos = info.positions[a.id]?.[issue.id];
    if (!pos) continue;
    const value = (path, dflt) => (state.edits.has(path) ? state.edits.get(path) : dflt);
    const pPath = `positions.${a.id}.${issue.id}`, sPath = `salience.${a.id}.${issue.id}`;
    const cPath = `actors.${a.id}.capability`;
    rows.push(el("div", { class: "actor" }, el("span", { class: "name", title: a.name }, a.id),
      ...slider(a.id, "position", pPath, issue.scale[0], issue.scale[1], value(pPath, pos.best)),
      ...slider(a.id, "salience", sPath, 0, 1, value(sPath, info.salience[a.id]?.[issue.id]?.best ?? 0)),
      ...slider(a.id, "capability", cPath, 0, capMax, value(cPath, a.capability.best))));
  }
  $("sliders").replaceChildren(...rows);
  $("edit-count").textContent = state.edits.size ? `${state.edits.size} edit(s)` : "";
}

let timer = null;
function schedule() {
  if (!state.ref || !$("auto").checked) return;
  clearTimeout(timer);
  timer = setTimeout(runAll, 250);
}

function runAll() {
  if (!state.ref) return;
  runForecast();
  runDeals();
  runTimeline();
}

async function guarded(label, fn) {
  status(`Running ${label}…`);
  try { await fn(); status("Up to date"); } catch (err) { status(`${label}: ${err.message}`, true); }
}

function runForecast() {
  return guarded("forecasts", async () => {
    const data = await latest("forecast", () =>
      api("POST", "/api/forecast", request({ models: chosenModels(), seed: seed() })));
    if (data) drawForecasts(data.forecasts);
  });
}

function drawForecasts(forecasts) {
  const issues = state.info.issues;
  const head = el("tr", {}, el("th", {}, "model"), ...issues.map((i) =>
    el("th", { class: i.id === state.issue ? "chosen" : "", title: i.name }, i.id)));
  const rows = forecasts.map((f) => el("tr", {}, el("td", {}, f.model), ...issues.map((i) =>
    el("td", { id: `fc-${f.model}-${i.id}`, class: i.id === state.issue ? "chosen" : "" },
      fmt(f.forecast[i.id])))));
  $("forecast-table").replaceChildren(el("table", { id: "forecasts" }, head, ...rows));
  const issue = issues.find((i) => i.id === state.issue);
  const pad = (issue.scale[1] - issue.scale[0]) * 0.05;
  const diag = forecasts.length ? forecasts[0].actors[issue.id] || {} : {};
  const actors = Object.keys(diag);
  const points = {
    x: actors.map((a) => diag[a].position), y: actors, mode: "markers+text", type: "scatter",
    text: actors.map((a) => `${fmt(100 * diag[a].weight_share, 0)}%`), textposition: "top center",
    marker: { size: actors.map((a) => 8 + 40 * Math.sqrt(diag[a].weight_share)), opacity: 0.6 },
    name: "actors (size: weight share)", hovertemplate: "%{y}: %{x:.1f}<extra></extra>",
  };
  const lines = forecasts.map((f) => ({
    x: [f.forecast[issue.id], f.forecast[issue.id]], y: [actors[0], actors[actors.length - 1]],
    mode: "lines", type: "scatter", name: `${f.model} ${fmt(f.forecast[issue.id], 1)}`,
  }));
  const ends = `${short(issue.low_label) || issue.scale[0]} → ${short(issue.high_label) || issue.scale[1]}`;
  Plotly.react("chart-actors", [points, ...lines], {
    title: { text: `${short(issue.name, 40)}: positions and forecasts`, font: { size: 14 } },
    xaxis: { range: [issue.scale[0] - pad, issue.scale[1] + pad], title: { text: ends, font: { size: 11 } } },
    yaxis: { automargin: true, range: [-0.7, actors.length - 0.3] },
    margin: { l: 50, r: 10, t: 40, b: 60 }, legend: { orientation: "h", y: -0.35, font: { size: 11 } },
  }, PLOT);
  Plotly.react("chart-forecasts", forecasts.map((f) => ({
    x: issues.map((i) => i.id), y: issues.map((i) => f.forecast[i.id]), type: "bar", name: f.model,
  })), { title: { text: "Forecast of every issue, by model", font: { size: 14 } }, barmode: "group",
    margin: { l: 50, r: 10, t: 50, b: 40 }, legend: { orientation: "h", y: -0.15 } }, PLOT);
}

function runDeals() {
  const draws = Math.max(0, parseInt($("draws").value, 10) || 0);
  return guarded("deals", async () => {
    const data = await latest("deals", () =>
      api("POST", "/api/deals", request({ draws, top: 5, seed: seed() })));
    if (data) drawDeals(data.deals);
  });
}

function drawDeals(deals) {
  $("deals-summary").textContent = deals.zone_of_agreement
    ? "A zone of agreement exists: some package beats walking away for every party that must accept."
    : "No zone of agreement: every package leaves some party that must accept below its walk-away value.";
  const issues = state.info.issues.map((i) => i.id);
  const head = el("tr", {}, ...["package", ...issues, "min margin", "blocked by", "P(accept)"].map((h) => el("th", {}, h)));
  const rows = deals.packages.map((p) => el("tr", {}, el("td", {}, p.name),
    ...issues.map((i) => el("td", {}, fmt(p.terms[i], 1))),
    el("td", {}, fmt(Math.min(...Object.values(p.margin)), 3)),
    el("td", {}, p.blockers.join(", ") || "-"),
    el("td", {}, p.p_accept === null ? "-" : `${fmt(100 * p.p_accept, 1)}%`)));
  $("deals-table").replaceChildren(el("table", { id: "packages" }, head, ...rows));
  Plotly.react("chart-deals", deals.packages.slice(0, 3).map((p) => ({
    x: Object.keys(p.margin), y: Object.values(p.margin), type: "bar", name: p.name,
  })), { title: { text: "Margin over walk-away of each party that must accept" }, barmode: "group",
    margin: { l: 60, r: 10, t: 50, b: 40 } }, PLOT);
}

function runTimeline() {
  const models = chosenModels().slice(0, 1);
  return guarded("timeline", async () => {
    const data = await latest("timeline", () =>
      api("POST", "/api/timeline", request({ models: models.length ? models : null, seed: seed() })));
    if (data) drawTimeline(data.timeline);
  });
}

function drawTimeline(tl) {
  const steps = [{ label: `baseline ${tl.baseline.date}`, metrics: tl.baseline.metrics, zone: tl.baseline.zone_margin },
    ...tl.events.map((e) => ({ label: `${e.date} ${e.event}`, metrics: e.metrics_after, zone: e.zone_margin_after }))];
  const x = steps.map((s) => s.label);
  const metric = `forecast_utility:${tl.models[0]}`;
  const actors = Object.keys(steps[0].metrics.margin);
  const traces = actors.flatMap((a, k) => [
    { x, y: steps.map((s) => s.metrics[metric]?.[a] ?? null), name: `${a}`, legendgroup: a,
      mode: "lines+markers", line: { color: COLORS[k % COLORS.length] } },
    { x, y: steps.map((s) => s.metrics.margin?.[a] ?? null), name: `${a} margin`, legendgroup: a,
      yaxis: "y2", mode: "lines+markers", line: { dash: "dot", color: COLORS[k % COLORS.length] },
      showlegend: false },
  ]);
  traces.push({ x, y: steps.map((s) => s.zone), name: "zone margin", yaxis: "y2", mode: "lines",
    line: { color: "black", width: 3 } });
  Plotly.react("chart-timeline", traces, {
    title: { text: `Utility of the ${tl.models[0]} forecast (top) and margin in a deal (bottom)`, font: { size: 14 } },
    yaxis: { domain: [0.55, 1], title: { text: "utility" } },
    yaxis2: { domain: [0, 0.45], title: { text: "margin" }, zeroline: true },
    margin: { l: 60, r: 10, t: 50, b: 50 }, xaxis: { automargin: true, anchor: "y2" },
    legend: { orientation: "h", y: -0.12 },
  }, PLOT);
}

async function save() {
  if (!state.ref) { $("save-status").textContent = "Open a scenario first."; return; }
  const draws = Math.max(0, parseInt($("draws").value, 10) || 0);
  $("save-status").textContent = "Saving…";
  $("save-status").className = "";
  try {
    const run = await api("POST", "/api/runs",
      request({ kind: "whatif", models: chosenModels(), draws, seed: seed() }));
    $("save-status").textContent = `Saved run #${run.id} (scenario ${run.scenario_hash.slice(0, 12)})`;
    $("save-status").className = "saved";
    refreshRuns();
  } catch (err) {
    $("save-status").textContent = `Not saved: ${err.message}`;
  }
}

async function refreshRuns() {
  const runs = await api("GET", "/api/runs?limit=10");
  const head = el("tr", {}, ...["id", "created", "kind", "models", "seed", "scenario", "edits"].map((h) => el("th", {}, h)));
  const rows = runs.map((r) => el("tr", {}, el("td", {}, r.id), el("td", {}, r.created), el("td", {}, r.kind),
    el("td", {}, r.model || "-"), el("td", {}, r.seed), el("td", {}, r.title),
    el("td", {}, (r.parameters.edits || []).length)));
  $("runs-table").replaceChildren(el("table", { id: "runs" }, head, ...rows));
}

window.addEventListener("DOMContentLoaded", () => init().catch((err) => status(err.message, true)));
