// multipolar what-if page: saved runs. List them, open one (its scenario in the controls, its
// stored results in the panels), and compare two side by side (the run store's diff, as
// `multipolar runs diff` prints it).
"use strict";

const COMPARE_ROWS = 40;  // rows shown per table of changes

async function refreshRuns() {
  const runs = await api("GET", "/api/runs?limit=20");
  const head = el("tr", {}, ...["compare", "id", "created", "kind", "models", "seed", "scenario", "edits", ""]
    .map((h) => el("th", {}, h)));
  const rows = runs.map((r) => {
    const open = el("button", { type: "button", id: `open-run-${r.id}`, class: "small" }, "Open");
    open.addEventListener("click", () => openRun(r.id));
    return el("tr", {}, el("td", {}, el("input", { type: "checkbox", class: "pick", value: r.id,
      id: `pick-${r.id}`, "aria-label": `compare run ${r.id}` })),
    el("td", {}, r.id), el("td", {}, r.created), el("td", {}, r.kind),
    el("td", {}, r.model || "-"), el("td", {}, r.seed), el("td", {}, short(r.title, 40)),
    el("td", {}, (r.parameters.edits || []).length), el("td", {}, open));
  });
  $("runs-table").replaceChildren(el("table", { id: "runs" }, head, ...rows));
}

// The parts of a run's results each panel can show (runs saved by the command line name their
// forecasts by model; the page's runs by "forecast:MODEL").
function savedParts(results) {
  const parts = Object.values(results || {}).filter((v) => v && typeof v === "object");
  return {
    forecasts: parts.filter((v) => typeof v.model === "string" && v.forecast && v.actors),
    deals: results && results.deals && Array.isArray(results.deals.packages) ? results.deals : null,
    timeline: results && results.timeline && results.timeline.baseline ? results.timeline : null,
  };
}

async function openRun(id) {
  status(`Opening saved run #${id}…`);
  let run, info;
  try {
    [run, info] = await Promise.all([api("GET", `/api/runs/${id}`),
      api("POST", "/api/scenario", { scenario: { run: id }, edits: [] })]);
  } catch (err) { status(`run #${id}: ${err.message}`, true); return; }
  show({ run: id }, info, `${info.title} (saved run #${id})`);
  state.run = run;
  const p = run.parameters || {};
  $("seed").value = run.seed;
  if (p.draws !== undefined) $("draws").value = p.draws;
  if (Array.isArray(p.models)) {
    for (const box of document.querySelectorAll("#models input")) box.checked = p.models.includes(box.value);
  }
  const saved = savedParts(run.results);
  const shown = (name, ok, draw) => {
    if (ok) { draw(); setPanel(name, "saved", `stored in run #${id}`); } else setPanel(name, "none");
  };
  shown("forecasts", saved.forecasts.length, () => drawForecasts(saved.forecasts));
  shown("deals", saved.deals, () => drawDeals(saved.deals));
  shown("timeline", saved.timeline, () => drawTimeline(saved.timeline));
  if (!saved.forecasts.length) { $("forecast-table").replaceChildren(); Plotly.purge("chart-actors"); Plotly.purge("chart-forecasts"); }
  if (!saved.deals) { $("deals-summary").textContent = ""; $("deals-table").replaceChildren(); Plotly.purge("chart-deals"); }
  if (!saved.timeline) Plotly.purge("chart-timeline");
}

const cell = (v) => {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  return short(typeof v === "string" ? v : JSON.stringify(v), 40);
};

function changes(id, rows, a, b) {
  const head = el("tr", {}, ...["path", `run #${a}`, `run #${b}`, "change"].map((h) => el("th", {}, h)));
  const body = rows.slice(0, COMPARE_ROWS).map((r) => el("tr", {}, el("td", {}, r.path),
    el("td", {}, cell(r.a)), el("td", {}, cell(r.b)),
    el("td", {}, r.delta === null || r.delta === undefined ? "" : `${r.delta >= 0 ? "+" : ""}${r.delta.toPrecision(3)}`)));
  const more = rows.length > COMPARE_ROWS
    ? [el("p", { class: "hint" }, `… and ${rows.length - COMPARE_ROWS} more (multipolar runs diff ${a} ${b} --format json)`)] : [];
  return [el("table", { id }, head, ...body), ...more];
}

// Results first that a reader compares first: forecasts, then the deal's headline, the
// timeline's zone, then everything else (diagnostics), each group in the diff's order.
const RANKS = [/^[^.]+\.forecast\./, /^deals\.(zone_of_agreement|packages\[0\])/, /^deals\./,
  /^timeline\..*zone/];
const rank = (path) => { const i = RANKS.findIndex((re) => re.test(path)); return i < 0 ? RANKS.length : i; };

async function compareRuns() {
  const ids = [...document.querySelectorAll("#runs input.pick:checked")].map((i) => Number(i.value))
    .sort((x, y) => x - y);
  if (ids.length !== 2) { $("compare-status").textContent = "Tick exactly two runs to compare."; return; }
  const [a, b] = ids;
  $("compare-status").textContent = `Comparing run #${a} with run #${b}…`;
  let ra, rb, diff;
  try {
    [ra, rb, diff] = await Promise.all([api("GET", `/api/runs/${a}`), api("GET", `/api/runs/${b}`),
      api("GET", `/api/runs/${a}/diff/${b}`)]);
  } catch (err) { $("compare-status").textContent = `Not compared: ${err.message}`; return; }
  const side = [["scenario", (r) => short(r.title, 40)], ["created", (r) => r.created],
    ["kind", (r) => r.kind], ["models", (r) => r.model || "-"], ["seed", (r) => r.seed],
    ["draws", (r) => r.parameters.draws ?? "-"], ["source", (r) => r.parameters.source ?? "-"],
    ["edits", (r) => (r.parameters.edits || []).length], ["multipolar", (r) => r.version],
    ["scenario hash", (r) => r.scenario_hash.slice(0, 12)]];
  const summary = el("table", { id: "compare-summary" },
    el("tr", {}, el("th", {}, ""), el("th", {}, `run #${a}`), el("th", {}, `run #${b}`)),
    ...side.map(([label, get]) => el("tr", {}, el("td", {}, label), el("td", {}, get(ra)), el("td", {}, get(rb)))));
  const inputs = [
    ...Object.entries(diff.fields).map(([k, [x, y]]) => ({ path: k, a: x, b: y })),
    ...diff.parameters.map((r) => ({ ...r, path: `parameters.${r.path}` })),
    ...diff.scenario.map((r) => ({ ...r, path: `scenario.${r.path}` })),
  ];
  const results = diff.results.map((r, i) => [rank(r.path), i, r])
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]).map((x) => x[2]);
  $("compare-view").replaceChildren(el("h3", {}, `Run #${a} → run #${b}`), summary,
    el("h3", {}, `What changed in the inputs: ${inputs.length}`), ...changes("compare-inputs", inputs, a, b),
    el("h3", {}, `What changed in the results: ${diff.results.length}`), ...changes("compare-results", results, a, b));
  $("compare-status").textContent = "";
}
