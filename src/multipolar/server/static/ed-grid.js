// multipolar scenario editor: the actors × issues grids of positions and salience. Each cell is
// a point or a range low/best/high; arrows, Tab and Enter move as in a spreadsheet, and a block
// copied from a spreadsheet (tab-separated) pastes from the cell with the focus.
"use strict";

function gridCell(table, actor, issue, r, c) {
  const input = field([table, actor, issue], "est", { label: `${table} of ${actor} on ${issue}` });
  input.dataset.grid = table;
  input.dataset.row = r;
  input.dataset.col = c;
  input.id = `cell-${table}-${actor}-${issue}`;
  input.addEventListener("keydown", gridKey);
  input.addEventListener("paste", gridPaste);
  return input;
}

function grid(table, title, hint) {
  const actors = actorIds(), issues = ED.data.issues || [];
  const head = el("tr", {}, el("th", {}, "actor \\ issue"),
    ...issues.map((i) => el("th", { title: i.name || "" }, i.id, el("small", {}, table === "positions" && i.scale ? ` ${i.scale[0]}–${i.scale[1]}` : ""))));
  const rows = actors.map((a, r) => el("tr", { "data-path": place([table, a]) }, el("th", { title: (ED.data.actors[r] || {}).name || "" }, a),
    ...issues.map((i, c) => el("td", { "data-path": place([table, a, i.id]) }, gridCell(table, a, i.id, r, c)))));
  return el("section", { id: `section-${table}` }, el("h2", {}, title), el("p", { class: "hint" }, hint),
    el("table", { class: "grid", id: `grid-${table}`, "data-path": table }, head, ...rows));
}

function cellAt(table, r, c) {
  return document.querySelector(`input[data-grid="${table}"][data-row="${r}"][data-col="${c}"]`);
}

function moveTo(table, r, c) {
  const nRows = actorIds().length, nCols = (ED.data.issues || []).length;
  if (c >= nCols) { c = 0; r += 1; }
  if (c < 0) { c = nCols - 1; r -= 1; }
  if (r < 0 || r >= nRows) return false;
  const next = cellAt(table, r, c);
  if (!next) return false;
  next.focus();
  next.select();
  return true;
}

function gridKey(ev) {
  const input = ev.target, table = input.dataset.grid;
  const r = Number(input.dataset.row), c = Number(input.dataset.col);
  const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
  const atEnd = input.selectionStart === input.value.length;
  const all = input.selectionStart === 0 && input.selectionEnd === input.value.length;
  let moved = null;
  if (ev.key === "ArrowUp") moved = [r - 1, c];
  else if (ev.key === "ArrowDown" || (ev.key === "Enter" && !ev.shiftKey)) moved = [r + 1, c];
  else if (ev.key === "Enter" && ev.shiftKey) moved = [r - 1, c];
  else if (ev.key === "ArrowLeft" && (atStart || all)) moved = [r, c - 1];
  else if (ev.key === "ArrowRight" && (atEnd || all)) moved = [r, c + 1];
  else if (ev.key === "Tab") moved = ev.shiftKey ? [r, c - 1] : [r, c + 1];
  if (!moved) return;
  const done = moveTo(table, moved[0], moved[1]);
  if (done || ev.key !== "Tab") ev.preventDefault();
  if (!done && ev.key === "Enter") input.dispatchEvent(new Event("change"));
}

// A block copied from a spreadsheet: rows on lines, cells separated by tabs.
function gridPaste(ev) {
  const text = (ev.clipboardData || window.clipboardData).getData("text");
  if (!/[\t\n]/.test(text.replace(/\r?\n$/, ""))) return;  // one value: the browser pastes it
  ev.preventDefault();
  pasteBlock(ev.target, text);
}

function pasteBlock(input, text) {
  const table = input.dataset.grid, r0 = Number(input.dataset.row), c0 = Number(input.dataset.col);
  const actors = actorIds(), issues = issueIds();
  const lines = text.replace(/\r/g, "").replace(/\n$/, "").split("\n").map((l) => l.split("\t"));
  pushUndo();
  ED.editing = null;
  let count = 0;
  lines.forEach((cells, dr) => cells.forEach((value, dc) => {
    const a = actors[r0 + dr], i = issues[c0 + dc];
    if (a === undefined || i === undefined) return;
    const path = [table, a, i];
    setAt(path, parseEstimate(value, getAt(path)));
    count += 1;
  }));
  edited(true);
  const note = $("paste-status");
  if (note) note.textContent = `Pasted ${count} cell${count === 1 ? "" : "s"} into ${table}.`;
  const back = cellAt(table, r0, c0);
  if (back) back.focus();
}
