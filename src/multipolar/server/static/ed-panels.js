// multipolar scenario editor: live validation (debounced, the engine's messages) and the
// analysis panels, which rerun only on a valid scenario; saved runs opened and compared.
"use strict";

const DEBOUNCE_MS = 150;  // typing: check when the typing pauses; a committed field: at once
const DEALS_PAUSE_MS = 700;  // the deal verdict (heavier) follows once the edits pause
let validateTimer = null, dealsTimer = null;
const seq = { validate: 0, forecast: 0, deals: 0 };

async function api(method, url, body) {
  const init = { method, headers: { "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(url, init);
  const data = await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }));
  if (!res.ok) throw new Error(data.error || `${res.status} ${res.statusText}`);
  return data;
}

// After every edit: keep the draft, check the scenario soon.
function edited(structural) {
  clearTimeout(dealsTimer);  // the verdict waits for the edits to pause
  persist();
  if (structural) render();
  setState("validity", "checking", "checking…");
  updateButtons();
  validateSoon(DEBOUNCE_MS);
}

function validateSoon(ms) {
  clearTimeout(validateTimer);
  validateTimer = setTimeout(validate, ms);
}

// The panels run on exactly the text that was found valid (never on a later, unchecked edit).
async function validate() {
  clearTimeout(validateTimer);
  if (!ED.data) return;
  const n = ++seq.validate;
  const text = JSON.stringify(ED.data);
  let out;
  try { out = await api("POST", "/api/validate", { data: JSON.parse(text) }); } catch (err) {
    if (n === seq.validate) setState("validity", "error", err.message);
    return;
  }
  if (n !== seq.validate) return;  // a later edit is being checked
  ED.problems = out.problems;
  ED.valid = out.valid;
  showProblems(out.problems);
  if (out.valid) runPanels(text); else markStale();
}

function setState(id, state, text) {
  const node = $(id);
  node.dataset.state = state;
  if (text !== undefined) node.textContent = text;
}

function markStale() {  // replies still on their way are for a scenario that no longer is
  clearTimeout(dealsTimer);
  for (const p of ["forecast", "deals"]) {
    seq[p] += 1;
    setState(`state-${p}`, "waiting", "waiting for a valid scenario");
  }
}

const scenarioRef = (text) => ({ text: text || JSON.stringify(ED.data), format: "json" });
const chosenModels = () => [...document.querySelectorAll("#models input:checked")].map((b) => b.value);

// The forecast reruns at once; the deal verdict once the forecast is shown and the edits pause,
// so that it never takes a worker (or the processor) from the next forecast.
function runPanels(text) {
  ED.run = null;
  clearTimeout(dealsTimer);
  setState("state-deals", "waiting", "updates when the edits pause");
  runForecast(text).then((ok) => {
    if (ok) dealsTimer = setTimeout(() => runDeals(text), DEALS_PAUSE_MS);
  });
}

async function runForecast(text) {
  const n = ++seq.forecast;
  setState("state-forecast", "computing", "computing…");
  try {
    const models = chosenModels();
    const out = await api("POST", "/api/forecast", { scenario: scenarioRef(text), models: models.length ? models : null, seed: 0 });
    if (n !== seq.forecast) return false;
    drawForecasts(out.forecasts);
    setState("state-forecast", "ok", "up to date");
    return true;
  } catch (err) { if (n === seq.forecast) setState("state-forecast", "error", err.message); }
  return false;
}

async function runDeals(text) {
  const n = ++seq.deals;
  setState("state-deals", "computing", "computing…");
  try {
    const out = await api("POST", "/api/deals", { scenario: scenarioRef(text), draws: Number($("draws").value) || 0, top: 3, seed: 0 });
    if (n !== seq.deals) return;
    drawVerdict(out.deals);
    setState("state-deals", "ok", "up to date");
  } catch (err) { if (n === seq.deals) setState("state-deals", "error", err.message); }
}

const fmt = (v, d = 2) => (v === null || v === undefined ? "–" : Number(v).toFixed(d));

function drawForecasts(forecasts) {
  const issues = forecasts.length ? Object.keys(forecasts[0].forecast) : [];
  const head = el("tr", {}, el("th", {}, "model"), ...issues.map((i) => el("th", {}, i)));
  const rows = forecasts.map((f) => el("tr", {}, el("td", {}, f.model),
    ...issues.map((i) => el("td", { id: `fc-${f.model}-${i}` }, fmt(f.forecast[i])))));
  $("forecast-table").replaceChildren(el("table", { id: "forecasts" }, head, ...rows));
  $("forecast-table").dataset.stamp = String(performance.now());
}

function drawVerdict(deals) {
  $("verdict").textContent = deals && deals.verdict ? deals.verdict.sentence : "";
  const packs = (deals && deals.packages) || [];
  $("packages").replaceChildren(...packs.slice(0, 3).map((p) => el("li", {}, `${p.name}: `,
    Object.entries(p.terms).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(", "), ` (min margin ${fmt(p.min_margin, 3)})`)));
}

// ---- saved runs ----
async function refreshRuns() {
  let runs;
  try { runs = await api("GET", "/api/runs?limit=20"); } catch (err) { $("runs-status").textContent = err.message; return; }
  const head = el("tr", {}, ...["", "id", "created", "kind", "scenario", ""].map((h) => el("th", {}, h)));
  const rows = runs.map((r) => el("tr", {}, el("td", {}, el("input", { type: "checkbox", class: "pick", value: r.id, id: `pick-${r.id}`, "aria-label": `compare run ${r.id}` })),
    el("td", {}, r.id), el("td", { title: r.created }, r.created.slice(0, 16).replace("T", " ")), el("td", {}, r.kind), el("td", { title: r.title }, cut(r.title, 30)),
    el("td", {}, button("Open", () => openRun(r.id), { id: `open-run-${r.id}` }))));
  $("runs-table").replaceChildren(el("table", { id: "runs" }, head, ...rows));
}

async function saveRun() {
  if (!ED.valid) { $("runs-status").textContent = "Fix the problems first: only a valid scenario runs."; return; }
  $("runs-status").textContent = "Saving…";
  try {
    const run = await api("POST", "/api/runs", { scenario: scenarioRef(), kind: "forecast", seed: 0 });
    $("runs-status").textContent = `Saved run #${run.id}.`;
    await refreshRuns();
  } catch (err) { $("runs-status").textContent = `Not saved: ${err.message}`; }
}

// A saved run: its scenario into the editor, its stored results into the panels.
async function openRun(id) {
  await openScenario({ run: id }, `saved run #${id}`);
  const results = (ED.run && ED.run.results) || {};
  const parts = Object.values(results).filter((v) => v && typeof v === "object");
  const forecasts = parts.filter((v) => typeof v.model === "string" && v.forecast);
  if (forecasts.length) { drawForecasts(forecasts); setState("state-forecast", "saved", `stored in run #${id}`); }
  if (results.deals) { drawVerdict(results.deals); setState("state-deals", "saved", `stored in run #${id}`); }
}

const cut = (t, n = 24) => (t.length > n ? `${t.slice(0, n - 1)}…` : t);
const shown = (v) => (v === null || v === undefined ? "–" : typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : cut(typeof v === "string" ? v : JSON.stringify(v)));
// forecasts first among the changed results, then the deal, then the rest (diagnostics)
const RANKS = [/\.forecast\./, /^deals\.(zone_of_agreement|packages\[0\])/, /^deals\./];
const rank = (path) => { const i = RANKS.findIndex((re) => re.test(path)); return i < 0 ? RANKS.length : i; };

function changesTable(id, rows, a, b) {
  const head = el("tr", {}, ...["path", `run #${a}`, `run #${b}`, "change"].map((h) => el("th", {}, h)));
  const body = rows.slice(0, 40).map((r) => el("tr", {}, el("td", { title: r.path }, r.path), el("td", {}, shown(r.a)), el("td", {}, shown(r.b)),
    el("td", {}, r.delta === null || r.delta === undefined ? "" : `${r.delta >= 0 ? "+" : ""}${r.delta.toPrecision(3)}`)));
  const more = rows.length > 40 ? el("p", { class: "hint" }, `… and ${rows.length - 40} more (multipolar runs diff ${a} ${b})`) : null;
  return el("div", { class: "side" }, el("table", { id }, head, ...body), more);
}

// Two runs side by side: what changed in the inputs and in the results (`multipolar runs diff`).
async function compareRuns() {
  const ids = [...document.querySelectorAll("#runs input.pick:checked")].map((i) => Number(i.value)).sort((x, y) => x - y);
  if (ids.length !== 2) { $("runs-status").textContent = "Tick exactly two runs to compare."; return; }
  const [a, b] = ids;
  let diff;
  try { diff = await api("GET", `/api/runs/${a}/diff/${b}`); } catch (err) { $("runs-status").textContent = err.message; return; }
  const inputs = [...Object.entries(diff.fields).map(([k, [x, y]]) => ({ path: k, a: x, b: y })),
    ...diff.parameters.map((r) => ({ ...r, path: `parameters.${r.path}` })), ...diff.scenario.map((r) => ({ ...r, path: `scenario.${r.path}` }))];
  $("compare-view").replaceChildren(el("h3", {}, `Run #${a} → run #${b}`),
    el("div", { class: "columns" },
      el("div", {}, el("h4", {}, `Inputs changed: ${inputs.length}`), changesTable("compare-inputs", inputs, a, b)),
      el("div", {}, el("h4", {}, `Results changed: ${diff.results.length}`), changesTable("compare-results", [...diff.results].sort((x, y) => rank(x.path) - rank(y.path)), a, b))));
  $("runs-status").textContent = "";
}
