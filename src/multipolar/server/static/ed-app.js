// multipolar scenario editor: start-up, the toolbar (new, open, upload, undo/redo, discard,
// download) and drawing every section of the scenario.
"use strict";

function render() {
  if (!ED.data) return;
  const focused = document.activeElement && document.activeElement.getAttribute("data-path");
  $("editor").replaceChildren(headerSection(), sourcesSection(), actorsSection(), issuesSection(),
    grid("positions", "Positions", "positions[actor][issue]: the outcome each actor wants, on the issue's scale. A point (60) or a range low/best/high (50/60/70)."),
    grid("salience", "Salience", "salience[actor][issue]: the share of attention the actor gives the issue, in [0, 1]."),
    conflictSection(), dealSection(), eventsSection(), correlationsSection(), otherSection());
  $("scenario-name").textContent = `${ED.data.title || "(untitled)"}${ED.source ? ` — from ${ED.source}` : ""}`;
  showProblems(ED.problems);
  if (detailPath && getAt(detailPath) !== undefined) showDetails(detailPath); else $("details").replaceChildren(el("p", { class: "hint" }, "Click an estimate to give its source, quote and note."));
  if (focused) {
    const again = document.querySelector(`[data-path="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
  updateButtons();
}

function updateButtons() {
  $("undo").disabled = !ED.undo.length;
  $("redo").disabled = !ED.redo.length;
}

function load(scenario, source) {
  ED.data = scenario;
  ED.source = source;
  ED.undo = [];
  ED.redo = [];
  ED.editing = null;
  detailPath = null;
  persist();
  render();
}

async function openScenario(ref, label) {
  $("notice").textContent = `Opening ${label}…`;
  let out;
  try { out = await api("POST", "/api/editor/open", ref); } catch (err) {
    $("notice").textContent = `${label}: ${err.message}`;
    return false;
  }
  ED.problems = out.problems;
  ED.valid = out.valid;
  ED.run = out.run;
  load(out.scenario, out.source);
  history.replaceState(null, "", "/editor");
  $("notice").textContent = out.comments_dropped
    ? "Opened. The file's comments were dropped: the editor keeps the data only." : `Opened ${label}.`;
  if (out.valid && !out.run) runPanels(); else markStale();
  return true;
}

async function download(format) {
  let res;
  try {
    res = await fetch("/api/editor/download", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: ED.data, format }) });
  } catch (err) { $("notice").textContent = err.message; return; }
  if (!res.ok) { $("notice").textContent = `Not downloaded: ${res.status}`; return; }
  const blob = await res.blob();
  const name = (/filename="([^"]+)"/.exec(res.headers.get("content-disposition") || "") || [])[1] || `scenario.${format}`;
  const a = el("a", { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  $("notice").textContent = res.headers.get("x-multipolar-valid") === "true"
    ? `Downloaded ${name}.` : `Downloaded ${name}; it does not validate yet (its problems are listed at the top of the YAML).`;
}

function uploadFile(file) {
  const reader = new FileReader();
  reader.onload = () => openScenario({ text: String(reader.result), format: /\.json$/i.test(file.name) ? "json" : "yaml" }, file.name);
  reader.readAsText(file);
}

function toolbar() {
  $("new").addEventListener("click", () => openScenario({ new: { actors: Number($("new-actors").value) || 3,
    issues: Number($("new-issues").value) || 2, name: "new-scenario" } }, "a new scenario"));
  $("open-bundled").addEventListener("click", () => openScenario({ bundled: $("bundled").value }, $("bundled").value));
  $("upload-file").addEventListener("change", (ev) => { if (ev.target.files[0]) uploadFile(ev.target.files[0]); });
  $("open-text").addEventListener("click", () => openScenario({ text: $("upload-text").value }, "the pasted text"));
  $("undo").addEventListener("click", () => { if (undo()) { persist(); render(); validateSoon(0); } });
  $("redo").addEventListener("click", () => { if (redo()) { persist(); render(); validateSoon(0); } });
  $("discard").addEventListener("click", () => {
    discardDraft();
    ED.data = null;
    $("editor").replaceChildren(el("p", { class: "hint" }, "Edits discarded. Start a new scenario or open one."));
    $("notice").textContent = "Draft discarded.";
  });
  $("download-yaml").addEventListener("click", () => download("yaml"));
  $("download-json").addEventListener("click", () => download("json"));
  $("save-run").addEventListener("click", saveRun);
  $("compare").addEventListener("click", compareRuns);
  $("rerun").addEventListener("click", () => validateSoon(0));
  document.addEventListener("keydown", (ev) => {
    if (!(ev.ctrlKey || ev.metaKey) || ev.key.toLowerCase() !== "z" && ev.key.toLowerCase() !== "y") return;
    ev.preventDefault();
    $(ev.key.toLowerCase() === "y" || ev.shiftKey ? "redo" : "undo").click();
  });
}

async function meta() {
  const info = await api("GET", "/api/meta");
  ED.meta = info;
  $("bundled").replaceChildren(...info.bundled.map((b) => el("option", { value: b.name }, b.title)));
  $("models").replaceChildren(...info.models.map((m) => el("label", { class: "inline" },
    el("input", { type: "checkbox", value: m.name, checked: true }), m.name)));
}

async function init() {
  toolbar();
  const wanted = new URLSearchParams(location.search);
  const draft = loadDraft();
  const started = meta().catch((err) => { $("notice").textContent = err.message; });
  if (draft) {
    ED.data = draft.data;
    ED.source = draft.source;
    ED.undo = draft.undo || [];
    render();
    $("notice").textContent = `Restored your edits from ${draft.saved} (press Discard to drop them).`;
    validateSoon(0);
  } else if (wanted.get("bundled")) await openScenario({ bundled: wanted.get("bundled") }, wanted.get("bundled"));
  else if (wanted.has("new")) await openScenario({ new: { actors: 3, issues: 2, name: "new-scenario" } }, "a new scenario");
  else $("editor").replaceChildren(el("p", { class: "hint" }, "Press New scenario, or open a bundled scenario, a file or a saved run."));
  requestAnimationFrame(() => performance.mark("editor-painted"));
  await started;
  refreshRuns();
}

window.addEventListener("DOMContentLoaded", () => init().catch((err) => { $("notice").textContent = err.message; }));
