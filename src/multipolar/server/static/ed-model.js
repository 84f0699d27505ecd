// multipolar scenario editor: the scenario as plain data, edits by path, undo/redo and the
// draft kept in the browser's storage. The server checks and writes the scenario; this file
// only holds it.
"use strict";

const ED = { data: null, source: "", undo: [], redo: [], editing: null, valid: false,
  problems: [], run: null, meta: null };
const DRAFT_KEY = "multipolar-editor-draft";
const MAX_UNDO = 200;
const $ = (id) => document.getElementById(id);

// A path as the engine names it: ["actors", 1, "capability"] -> "actors[1].capability".
function place(path) {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : (out ? "." : "") + p;
  return out;
}

function getAt(path, data = ED.data) {
  let node = data;
  for (const p of path) {
    if (node === null || node === undefined || typeof node !== "object") return undefined;
    node = node[p];
  }
  return node;
}

// Set (or, with undefined, delete) the value at path, creating the mappings on the way.
function setAt(path, value, data = ED.data) {
  let node = data;
  for (let i = 0; i < path.length - 1; i++) {
    const p = path[i];
    if (node[p] === null || typeof node[p] !== "object") node[p] = typeof path[i + 1] === "number" ? [] : {};
    node = node[p];
  }
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(last, 1); else delete node[last];
  } else node[last] = value;
}

// ---- estimates: a plain number, or {low, best, high} with source, quote, note, dist ----
const META = ["source", "quote", "note", "dist"];

function parseNumber(text) {
  const t = String(text).trim();
  if (t === "") return undefined;
  const n = Number(t);
  return Number.isFinite(n) && /^[-+]?(\d|\.\d)/.test(t) ? n : t;  // text left for the engine to name
}

// "50" is a point, "40/50/60" a range low/best/high; other details of the estimate are kept.
function parseEstimate(text, old) {
  const t = String(text).trim();
  const extra = {};
  if (old && typeof old === "object") for (const k of META) if (old[k] !== undefined) extra[k] = old[k];
  if (t === "") return Object.keys(extra).length ? { best: "", ...extra } : undefined;
  const parts = t.split("/").map((s) => s.trim());
  let value;
  if (parts.length === 3) value = { low: parseNumber(parts[0]), best: parseNumber(parts[1]), high: parseNumber(parts[2]) };
  else if (parts.length === 1) value = { best: parseNumber(parts[0]) };
  else return t;  // two parts: the engine says what it expects
  const out = { ...value, ...extra };
  return Object.keys(out).length === 1 ? out.best : out;
}

function formatEstimate(value) {
  if (value === undefined || value === null) return "";
  if (typeof value !== "object") return String(value);
  if (value.low !== undefined || value.high !== undefined) return `${value.low ?? ""}/${value.best ?? ""}/${value.high ?? ""}`;
  return value.best === undefined ? "" : String(value.best);
}

const hasDetails = (v) => v && typeof v === "object" && META.some((k) => v[k] !== undefined);

// ---- undo / redo and the draft ----
function pushUndo() {
  ED.undo.push(JSON.stringify(ED.data));
  if (ED.undo.length > MAX_UNDO) ED.undo.shift();
  ED.redo = [];
}

function restore(from, to) {
  if (!from.length) return false;
  to.push(JSON.stringify(ED.data));
  ED.data = JSON.parse(from.pop());
  ED.editing = null;
  return true;
}

const undo = () => restore(ED.undo, ED.redo);
const redo = () => restore(ED.redo, ED.undo);

// The draft is written a moment after the last edit, and at once when the page is left.
let persistTimer = null;
function persist() {
  clearTimeout(persistTimer);
  persistTimer = setTimeout(persistNow, 250);
}
window.addEventListener("pagehide", () => persistNow());
document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") persistNow(); });

function persistNow() {
  clearTimeout(persistTimer);
  if (!ED.data) return;
  try {
    localStorage.setItem(DRAFT_KEY, JSON.stringify({ data: ED.data, source: ED.source,
      saved: new Date().toISOString(), undo: ED.undo.slice(-20) }));
  } catch (err) { /* storage full or off: the edits stay in the page */ }
}

function loadDraft() {
  try {
    const draft = JSON.parse(localStorage.getItem(DRAFT_KEY) || "null");
    return draft && draft.data && typeof draft.data === "object" ? draft : null;
  } catch (err) { return null; }
}

function discardDraft() {
  clearTimeout(persistTimer);
  localStorage.removeItem(DRAFT_KEY);
}

// ---- renaming and adding actors and issues, everywhere they are named ----
function renameKey(obj, from, to) {
  if (!obj || typeof obj !== "object" || !(from in obj) || to in obj) return;
  const out = {};
  for (const [k, v] of Object.entries(obj)) out[k === from ? to : k] = v;
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, out);
}

const swap = (list, from, to) => (Array.isArray(list) ? list.map((x) => (x === from ? to : x)) : list);

function renameActor(from, to) {
  const d = ED.data;
  renameKey(d.positions, from, to);
  renameKey(d.salience, from, to);
  const c = d.conflict;
  if (c) {
    c.belligerents = swap(c.belligerents, from, to);
    renameKey(c.costs, from, to);
    if (c.power_shift && c.power_shift.declining === from) c.power_shift.declining = to;
  }
  if (d.deal) {
    renameKey(d.deal.walk_away, from, to);
    for (const key of ["owners", "veto"]) for (const k of Object.keys(d.deal[key] || {})) d.deal[key][k] = swap(d.deal[key][k], from, to);
  }
}

function renameIssue(from, to) {
  const d = ED.data;
  for (const table of [d.positions, d.salience]) for (const row of Object.values(table || {})) renameKey(row, from, to);
  if (d.deal) { renameKey(d.deal.owners, from, to); renameKey(d.deal.veto, from, to); }
  if (d.conflict) {
    d.conflict.stakes = swap(d.conflict.stakes, from, to);
    if (d.conflict.guarantee && d.conflict.guarantee.issue === from) d.conflict.guarantee.issue = to;
  }
  renameKey(d.outcomes, from, to);
}

function freshId(prefix, taken) {
  for (let k = taken.length + 1; ; k++) if (!taken.includes(`${prefix}${k}`)) return `${prefix}${k}`;
}

const actorIds = () => (ED.data.actors || []).map((a) => a.id);
const issueIds = () => (ED.data.issues || []).map((i) => i.id);

function addActor() {
  const id = freshId("ACTOR", actorIds());
  ED.data.actors = [...(ED.data.actors || []), { id, name: `Actor ${id.slice(5)}`, kind: "party", capability: 10 }];
  for (const table of ["positions", "salience"]) {
    ED.data[table] = ED.data[table] || {};
    ED.data[table][id] = {};
    for (const issue of ED.data.issues || []) {
      const [lo, hi] = issue.scale || [0, 100];
      ED.data[table][id][issue.id] = table === "salience" ? 0.5 : (Number(lo) + Number(hi)) / 2;
    }
  }
}

function addIssue() {
  const id = freshId("issue", issueIds());
  ED.data.issues = [...(ED.data.issues || []), { id, name: `Issue ${id.slice(5)}`, scale: [0, 100] }];
  for (const a of actorIds()) {
    for (const table of ["positions", "salience"]) {
      ED.data[table] = ED.data[table] || {};
      ED.data[table][a] = ED.data[table][a] || {};
      ED.data[table][a][id] = table === "salience" ? 0.5 : 50;
    }
  }
}

function removeActor(index) {
  const id = ED.data.actors[index].id;
  ED.data.actors.splice(index, 1);
  for (const table of ["positions", "salience"]) if (ED.data[table]) delete ED.data[table][id];
}

function removeIssue(index) {
  const id = ED.data.issues[index].id;
  ED.data.issues.splice(index, 1);
  for (const table of ["positions", "salience"]) for (const row of Object.values(ED.data[table] || {})) delete row[id];
}
