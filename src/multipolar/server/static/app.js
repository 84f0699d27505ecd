// multipolar what-if page: sliders edit the scenario, the JSON API reruns the analyses.
// Charts are drawn by charts.js, saved runs are opened and compared by runs.js.
"use strict";

const state = { meta: null, ref: null, info: null, issue: null, edits: new Map(), seq: {}, run: null };
const $ = (id) => document.getElementById(id);
const short = (text, n = 28) => (text && text.length > n ? `${text.slice(0, n - 1)}…` : text);
const fmt = (v, d = 2) => (v === null || v === undefined ? "-" : Number(v).toFixed(d));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : String(c));
  return node;
}

// Each panel's state; the page says "Up to date" only when every panel is.
const PANELS = ["forecasts", "deals", "timeline"];
const LABELS = { idle: "not run", computing: "computing…", ok: "up to date", error: "error",
  saved: "saved run", none: "not in this run", streaming: "Monte Carlo running…" };
const panels = Object.fromEntries(PANELS.map((p) => [p, { state: "idle", detail: "" }]));
let message = null;  // a message that stands until the panels change (opening, errors)

function setPanel(name, st, detail = "") {
  panels[name] = { state: st, detail };
  message = null;
  renderStatus();
}

function renderStatus() {
  for (const p of PANELS) {
    const { state: st, detail } = panels[p];
    const badge = $(`state-${p}`);
    badge.dataset.state = st;
    badge.textContent = `${p}: ${LABELS[st]}`;
    badge.title = detail;
    $(`panel-${p}`).dataset.state = st;
  }
  const by = (st) => PANELS.filter((p) => panels[p].state === st);
  let text, error = false;
  if (message) [text, error] = message;
  else if (by("error").length) {
    text = by("error").map((p) => `${p}: ${panels[p].detail}`).join("; ");
    error = true;
  } else if (by("computing").length) text = `Computing ${by("computing").join(", ")}…`;
  else if (by("streaming").length) text = by("streaming").map((p) => panels[p].detail).join("; ");
  else if (by("ok").length === PANELS.length) text = "Up to date";
  else if (state.run) text = `Showing saved run #${state.run.id} (${state.run.created}, multipolar ${state.run.version}); move a slider or press Rerun to recompute`;
  else text = state.meta ? `multipolar ${state.meta.version}: choose a scenario and press Open` : "Loading…";
  $("status-text").textContent = text;
  $("status").classList.toggle("error", error);
}

function status(text, error = false) {
  message = [text, error];
  renderStatus();
}

async function api(method, url, body) {
  const init = { method, headers: { "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(url, init);
  const data = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error(data.error || `${res.status} ${res.statusText}`);
  return data;
}

// Run one panel's analysis, latest wins: the reply to an older request of the same panel is
// dropped (the panel stays "computing" until the latest reply arrives).
async function runPanel(name, call, draw) {
  const token = (state.seq[name] = (state.seq[name] || 0) + 1);
  setPanel(name, "computing");
  try {
    const data = await call();
    if (token !== state.seq[name]) return;
    draw(data);
    setPanel(name, "ok");
  } catch (err) {
    if (token === state.seq[name]) setPanel(name, "error", err.message);
  }
}

const edits = () => [...state.edits].map(([path, value]) => ({ path, value }));
const chosenModels = () =>
  [...document.querySelectorAll("#models input:checked")].map((i) => i.value);
const seed = () => Math.max(0, parseInt($("seed").value, 10) || 0);
const draws = () => Math.max(0, parseInt($("draws").value, 10) || 0);
const request = (extra) => ({ scenario: state.ref, edits: edits(), ...extra });

async function init() {
  state.meta = await api("GET", "/api/meta");
  palette.models = state.meta.model_colours;
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
  $("compare").addEventListener("click", compareRuns);
  for (const id of ["draws", "seed"]) $(id).addEventListener("change", schedule);
  renderStatus();
  refreshRuns();
}

// Show a scenario (its info from /api/scenario) in the controls; nothing is run.
function show(ref, info, title) {
  for (const p of PANELS) state.seq[p] = (state.seq[p] || 0) + 1;  // drop replies still on their way
  clearTimeout(timer);
  state.ref = ref;
  state.info = info;
  palette.actors = info.actor_colours;
  state.edits.clear();
  $("scenario-title").textContent = title;
  $("issue").replaceChildren(...info.issues.map((i) => el("option", { value: i.id }, i.name)));
  state.issue = info.issues[0].id;
  sliders();
}

async function open(ref) {
  status("Opening…");
  let info;
  try {
    info = await api("POST", "/api/scenario", { scenario: ref, edits: [] });
  } catch (err) { status(err.message, true); return; }
  state.run = null;
  show(ref, info, info.title);
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
  state.run = null;
  runForecast();
  runDeals();
  runTimeline();
}

function runForecast() {
  return runPanel("forecasts",
    () => api("POST", "/api/forecast", request({ models: chosenModels(), seed: seed() })),
    (data) => drawForecasts(data.forecasts));
}

function drawForecasts(forecasts) {
  const issues = state.info.issues;
  const head = el("tr", {}, el("th", {}, "model"), ...issues.map((i) =>
    el("th", { class: i.id === state.issue ? "chosen" : "", title: i.name }, i.id)));
  const rows = forecasts.map((f) => el("tr", {}, el("td", {}, f.model), ...issues.map((i) =>
    el("td", { id: `fc-${f.model}-${i.id}`, class: i.id === state.issue ? "chosen" : "" },
      fmt(f.forecast[i.id])))));
  $("forecast-table").replaceChildren(el("table", { id: "forecasts" }, head, ...rows));
  actorsChart(forecasts, issues.find((i) => i.id === state.issue));
  forecastsChart(forecasts);
}

// The deal verdict first (no draws: the zone, the packages, what binds), then the Monte Carlo
// (P(zone), P(accept) over the chosen draws) streams in, with the time it has taken so far.
async function runDeals() {
  const n = draws();
  const token = (state.seq.deals = (state.seq.deals || 0) + 1);
  const latest = () => token === state.seq.deals;
  setPanel("deals", "computing");
  try {
    const first = await api("POST", "/api/deals", request({ draws: 0, top: 5, seed: seed() }));
    if (!latest()) return;
    drawDeals(first.deals, n);
    if (n === 0) return setPanel("deals", "ok");
    const start = Date.now();
    const tick = () => {
      if (latest() && panels.deals.state === "streaming") {
        const seconds = ((Date.now() - start) / 1000).toFixed(0);
        setPanel("deals", "streaming", `deals: Monte Carlo over ${n} draws, ${seconds} s…`);
      }
    };
    setPanel("deals", "streaming", `deals: Monte Carlo over ${n} draws…`);
    const timer = setInterval(tick, 1000);
    try {
      const full = await api("POST", "/api/deals", request({ draws: n, top: 5, seed: seed() }));
      if (!latest()) return;
      drawDeals(full.deals);
      setPanel("deals", "ok");
    } finally {
      clearInterval(timer);
    }
  } catch (err) {
    if (latest()) setPanel("deals", "error", err.message);
  }
}

function drawDeals(deals, pending = 0) {
  // the engine's verdict, word for word (the same sentence as the CLI and the report)
  $("deals-summary").textContent = deals.verdict.sentence;
  $("deals-summary").dataset.margin = deals.verdict.margin.toFixed(4);
  const issues = state.info.issues.map((i) => i.id);
  const mc = deals.monte_carlo.draws ? `P(accept), ${deals.monte_carlo.draws} draws, seed ${deals.monte_carlo.seed}`
    : pending ? `P(accept), ${pending} draws: computing…` : "P(accept)";
  const head = el("tr", {}, ...["package", ...issues, "min margin (+ = room)", "binding row (blocks if < 0)", mc].map((h) => el("th", {}, h)));
  const rows = deals.packages.map((p) => el("tr", {}, el("td", {}, p.name),
    ...issues.map((i) => el("td", {}, fmt(p.terms[i], 1))),
    el("td", {}, (p.min_margin >= 0 ? "+" : "") + fmt(p.min_margin, 4)),
    el("td", {}, (p.blockers.length ? p.blockers : p.binding).join(", ") || "-"),
    el("td", {}, p.p_accept !== null ? `${fmt(100 * p.p_accept, 1)}%` : pending ? "…" : "-")));
  $("deals-table").replaceChildren(el("table", { id: "packages" }, head, ...rows));
  drawRatification(deals.ratification);
  dealsChart(deals);
}

// Putnam's level II: each party's rule, its pivotal constituency's margin at the egalitarian
// package, and its win-set (the share of sampled packages its constituencies ratify).
function drawRatification(rat) {
  const box = $("ratification-table");
  if (!rat || !rat.actors || !rat.actors.length) return box.replaceChildren();
  const sign = (v) => (v >= 0 ? "+" : "") + fmt(v, 4);
  const head = el("tr", {}, ...["party", "rule", "pivotal row", "margin (+ = ratifies)",
    "members' margins", `win-set (${rat.win_set.samples} packages, seed ${rat.win_set.seed})`]
    .map((h) => el("th", {}, h)));
  const rows = rat.actors.map((a) => el("tr", { class: a.passes ? "" : "blocks" },
    el("td", {}, a.actor), el("td", {}, a.rule_text), el("td", {}, a.pivotal),
    el("td", {}, sign(a.margin)),
    el("td", {}, Object.entries(a.member_margins).map(([m, v]) => `${m} ${sign(v)}`).join(", ")),
    el("td", {}, `${fmt(100 * a.win_set, 1)}% ± ${fmt(100 * a.win_set_se, 1)}`)));
  box.replaceChildren(el("h3", {}, "Ratification at the egalitarian package"),
    el("table", { id: "ratification" }, head, ...rows));
}

function runTimeline() {
  const models = chosenModels().slice(0, 1);
  return runPanel("timeline",
    () => api("POST", "/api/timeline", request({ models: models.length ? models : null, seed: seed() })),
    (data) => drawTimeline(data.timeline));
}

function drawTimeline(tl) {
  timelineChart(tl);
}

async function save() {
  if (!state.ref) { $("save-status").textContent = "Open a scenario first."; return; }
  $("save-status").textContent = "Saving…";
  $("save-status").className = "";
  try {
    const run = await api("POST", "/api/runs",
      request({ kind: "whatif", models: chosenModels(), draws: draws(), seed: seed() }));
    $("save-status").textContent = `Saved run #${run.id} (scenario ${run.scenario_hash.slice(0, 12)})`;
    $("save-status").className = "saved";
    refreshRuns();
  } catch (err) {
    $("save-status").textContent = `Not saved: ${err.message}`;
  }
}

window.addEventListener("DOMContentLoaded", () => init().catch((err) => status(err.message, true)));
