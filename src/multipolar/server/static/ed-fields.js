// multipolar scenario editor: fields bound to a path of the scenario, generic tables of them,
// the detail panel of an estimate (source, quote, note, distribution) and the engine's
// messages shown beside the field they name.
"use strict";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v; else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

function button(text, onClick, attrs = {}) {
  const b = el("button", { type: "button", class: "small", ...attrs }, text);
  b.addEventListener("click", onClick);
  return b;
}

// Start an undo step when a field is first changed since it got focus.
function beginEdit(key) {
  if (ED.editing !== key) { pushUndo(); ED.editing = key; }
}

// A structural change (add/delete a row, rename an id): one undo step, then redraw.
function change(fn) {
  pushUndo();
  ED.editing = null;
  fn();
  edited(true);
}

const toList = (t) => { const items = String(t).split(",").map((s) => s.trim()).filter(Boolean); return items.length ? items : undefined; };
const ANCHOR = /^\s*([^:]+?)\s*:\s*(.*?)\s*$/;
const anchorsText = (list) => (Array.isArray(list) ? list.map((a) => `${a.value}: ${a.label}`).join("; ") : "");
const toAnchors = (t) => {
  const items = String(t).split(";").filter((s) => s.trim()).map((s) => {
    const m = ANCHOR.exec(s);
    return m ? { value: parseNumber(m[1]), label: m[2] } : { value: parseNumber(s), label: "" };
  });
  return items.length ? items : undefined;
};

// How each kind of field shows its value and reads it back.
const KINDS = {
  text: [(v) => v ?? "", (t) => (t === "" ? undefined : t)],
  req: [(v) => v ?? "", (t) => t],
  num: [(v) => (v === undefined ? "" : String(v)), parseNumber],
  est: [formatEstimate, parseEstimate],
  date: [(v) => v ?? "", (t) => (t.trim() === "" ? undefined : t.trim())],
  list: [(v) => (Array.isArray(v) ? v.join(", ") : v ?? ""), toList],
  anchors: [anchorsText, toAnchors],
  select: [(v) => v ?? "", (t) => (t === "" ? undefined : t)],
  bool: [(v) => v, (t) => t],
};

// An input bound to `path`. Options: choices (a select), wide (a textarea), commit (apply on
// change only, with onCommit(old, new) — ids), title.
function field(path, kind, opts = {}) {
  const key = place(path);
  const [show, read] = KINDS[kind];
  let input;
  if (kind === "bool") {
    input = el("input", { type: "checkbox", "data-path": key });
    input.checked = getAt(path) !== false;
  } else if (kind === "select") {
    const now = getAt(path) ?? opts.default;
    const choices = [...(opts.optional ? [""] : []), ...opts.choices];
    if (now !== undefined && !choices.includes(now)) choices.push(now);
    input = el("select", { "data-path": key }, ...choices.map((c) => el("option", { value: c }, c || "—")));
    input.value = now ?? "";
  } else {
    input = el(opts.wide ? "textarea" : "input", { "data-path": key, rows: opts.wide ? 2 : undefined,
      type: opts.wide ? undefined : kind === "date" ? "text" : "text", placeholder: opts.placeholder,
      class: kind === "est" ? "est" : kind === "num" ? "num" : undefined, spellcheck: "false" });
    input.value = show(getAt(path));
    if (kind === "est" && hasDetails(getAt(path))) input.classList.add("sourced");
  }
  if (opts.title) input.title = opts.title;
  if (opts.label) input.setAttribute("aria-label", opts.label);
  const value = () => (kind === "bool" ? (input.checked ? undefined : false) : kind === "est" ? read(input.value, getAt(path)) : read(input.value));
  if (opts.commit) {
    input.addEventListener("change", () => {
      const old = getAt(path), now = value();
      if (old === now) return;
      change(() => { setAt(path, now); if (opts.onCommit) opts.onCommit(old, now); });
    });
  } else {
    input.addEventListener(kind === "bool" || kind === "select" ? "change" : "input", () => {
      beginEdit(key);
      const now = value();  // a blank inside a list (a scale's end) stays in place, as null
      setAt(path, now === undefined && typeof path[path.length - 1] === "number" ? null : now);
      edited(false);
    });
    input.addEventListener("change", () => validateSoon(0));
  }
  input.addEventListener("blur", () => { if (ED.editing === key) ED.editing = null; });
  if (kind === "est") input.addEventListener("focus", () => showDetails(path));
  return input;
}

// A table of the objects in the list at `listPath`, one column per field.
function table(listPath, columns, { onAdd, onRemove, addLabel, id } = {}) {
  const rows = getAt(listPath) || [];
  const head = el("tr", {}, ...columns.map((c) => el("th", { title: c.title }, c.label)), el("th", {}, ""));
  const body = rows.map((row, i) => el("tr", { "data-path": place([...listPath, i]) },
    ...columns.map((c) => {
      const path = [...listPath, i, ...(Array.isArray(c.key) ? c.key : [c.key])];
      const cell = c.render ? c.render(path, row, i) : field(path, c.kind, { ...c, label: `${c.label} ${i + 1}` });
      return el("td", {}, cell);
    }),
    el("td", {}, button("✕", () => change(() => (onRemove ? onRemove(i) : rows.splice(i, 1))),
      { title: "delete this row", class: "small del" }))));
  const add = button(addLabel || "+ add", () => change(() => { setAt(listPath, rows); onAdd(); }), { id: id ? `add-${id}` : undefined });
  return [el("table", { class: "edit", id: id ? `table-${id}` : undefined }, head, ...body), add];
}

// ---- the detail panel of the estimate that has the focus ----
let detailPath = null;

function setDetail(path, key, value) {
  const now = getAt(path);
  const obj = now && typeof now === "object" ? { ...now } : { best: now };
  if (value === undefined || value === "") delete obj[key]; else obj[key] = value;
  const keys = Object.keys(obj);
  setAt(path, keys.length === 1 && keys[0] === "best" ? obj.best : obj);
}

function showDetails(path) {
  detailPath = path;
  const box = $("details");
  const est = getAt(path);
  const obj = est && typeof est === "object" ? est : {};
  const sources = (ED.data.sources || []).map((s) => s.id);
  const key = place(path);
  const bind = (name, input) => {
    input.setAttribute("data-path", place([...path, name]));
    input.addEventListener(input.tagName === "SELECT" ? "change" : "input", () => {
      beginEdit(`${key}:${name}`);
      setDetail(path, name, input.value);
      const cell = document.querySelector(`[data-path="${CSS.escape(key)}"]`);
      if (cell) cell.classList.toggle("sourced", hasDetails(getAt(path)));
      edited(false);
    });
    input.addEventListener("change", () => validateSoon(0));
    return input;
  };
  const choices = ["", ...sources];
  if (obj.source && !choices.includes(obj.source)) choices.push(obj.source);
  const source = el("select", { id: "detail-source" }, ...choices.map((s) => el("option", { value: s }, s || "— none —")));
  source.value = obj.source || "";
  const dist = el("select", { id: "detail-dist" }, ...["", "triangular", "uniform", "pert", "normal"].map((s) => el("option", { value: s }, s || "triangular (default)")));
  dist.value = obj.dist || "";
  const quote = el("textarea", { id: "detail-quote", rows: 2, placeholder: "the source's own words only" });
  quote.value = obj.quote || "";
  const note = el("textarea", { id: "detail-note", rows: 2, placeholder: "your reasoning, a paraphrase" });
  note.value = obj.note || "";
  box.replaceChildren(el("h3", {}, "Estimate ", el("code", {}, key)),
    el("p", { class: "hint" }, "Type a point (0.7) or a range low/best/high (0.5/0.7/0.8) in the field."),
    el("label", {}, "Source ", bind("source", source)), el("label", {}, "Distribution ", bind("dist", dist)),
    el("label", {}, "Quote ", bind("quote", quote)), el("label", {}, "Note ", bind("note", note)));
}

// ---- the engine's messages beside the fields they name ----
function target(path, message) {
  // a block's own check names the block; its message starts with the field ("p 1.5 is …")
  const word = /^([a-z_]+)\b/.exec(message || "");
  const field = word && document.querySelector(`[data-path="${CSS.escape(place([...path, word[1]]))}"]`);
  if (field) return field;
  for (let n = path.length; n > 0; n--) {
    const found = document.querySelector(`[data-path="${CSS.escape(place(path.slice(0, n)))}"]`);
    if (found) return found;
  }
  return null;
}

function showProblems(problems) {
  document.querySelectorAll(".problem").forEach((p) => p.remove());
  document.querySelectorAll(".invalid").forEach((p) => p.classList.remove("invalid"));
  const list = problems.map((p) => {
    const item = el("li", {}, p.text);
    const at = target(p.path, p.message);
    if (at) {
      const note = el("div", { class: "problem", "data-for": p.place, role: "alert" }, `${p.message}; fix: ${p.fix}`);
      at.classList.add("invalid");
      if (["INPUT", "SELECT", "TEXTAREA"].includes(at.tagName)) at.insertAdjacentElement("afterend", note);
      else if (at.tagName === "TR") at.firstElementChild.append(note);
      else at.append(note);
      item.addEventListener("click", () => at.scrollIntoView({ block: "center" }));
    }
    return item;
  });
  $("problem-list").replaceChildren(...list);
  $("validity").textContent = problems.length ? `${problems.length} problem${problems.length > 1 ? "s" : ""}` : "valid";
  $("validity").dataset.state = problems.length ? "invalid" : "valid";
}
