// multipolar scenario editor: the sections of the format as forms and tables — the scenario's
// header, sources, actors, issues, the conflict: and deal: blocks, dated events and their
// effects, correlations, and the remaining blocks as JSON.
"use strict";

const KINDS_OF_ACTOR = ["party", "mediator", "outside_power", "domestic"];
const section = (id, title, ...body) => el("section", { id: `section-${id}` }, el("h2", {}, title), ...body);
const labelled = (text, input) => el("label", { class: "inline" }, `${text} `, input);

function headerSection() {
  return section("scenario", "Scenario",
    el("div", { class: "row" }, labelled("Id", field(["id"], "text")), labelled("Title", field(["title"], "req", { label: "title" })),
      labelled("Date", field(["date"], "date", { placeholder: "YYYY-MM-DD" }))),
    labelled("Description", field(["description"], "text", { wide: true })));
}

function sourcesSection() {
  return section("sources", "Sources", el("p", { class: "hint" }, "Estimates and events point to a source by its id."),
    ...table(["sources"], [
      { key: "id", label: "id", kind: "req" }, { key: "title", label: "title", kind: "req" },
      { key: "author", label: "author", kind: "text" }, { key: "publisher", label: "publisher", kind: "text" },
      { key: "date", label: "date", kind: "date", placeholder: "YYYY-MM-DD" }, { key: "url", label: "url", kind: "text" },
      { key: "note", label: "note", kind: "text" },
    ], { id: "source", addLabel: "+ source", onAdd: () => ED.data.sources.push({ id: freshId("source", (ED.data.sources || []).map((s) => s.id)), title: "" }) }));
}

function actorsSection() {
  return section("actors", "Actors", ...table(["actors"], [
    { key: "id", label: "id", kind: "req", commit: true, onCommit: (o, n) => renameActor(o, n) },
    { key: "name", label: "name", kind: "req" },
    { key: "kind", label: "kind", kind: "select", choices: KINDS_OF_ACTOR, default: "party" },
    { key: "capability", label: "capability", kind: "est", title: "a point, or low/best/high" },
    { key: "active", label: "active", kind: "bool", title: "unticked: enters later through an event's join" },
    { key: "notes", label: "notes", kind: "text" },
  ], { id: "actor", addLabel: "+ actor", onAdd: addActor, onRemove: removeActor }));
}

function issuesSection() {
  return section("issues", "Issues", ...table(["issues"], [
    { key: "id", label: "id", kind: "req", commit: true, onCommit: (o, n) => renameIssue(o, n) },
    { key: "name", label: "name", kind: "req" },
    { key: "scale", label: "scale", render: (path) => el("span", { "data-path": place(path), class: "pair" },
      field([...path, 0], "num", { label: "scale low" }), "–", field([...path, 1], "num", { label: "scale high" })) },
    { key: "low_label", label: "low end means", kind: "text" }, { key: "high_label", label: "high end means", kind: "text" },
    { key: "status_quo", label: "status quo", kind: "est" },
    { key: "anchors", label: "anchors (value: label; …)", kind: "anchors" },
    { key: "description", label: "description", kind: "text" },
  ], { id: "issue", addLabel: "+ issue", onAdd: addIssue, onRemove: removeIssue }));
}

function conflictSection() {
  const c = ED.data.conflict;
  if (!c) {
    return section("conflict", "Conflict (the war a deal must beat)", button("+ conflict", () => change(() => {
      const [a, b] = actorIds();
      ED.data.conflict = { belligerents: [a, b], p: 0.5, costs: { [a]: 0.05, [b]: 0.05 }, discount: 0.9 };
    }), { id: "add-conflict" }));
  }
  const ids = actorIds();
  const bel = (k) => field(["conflict", "belligerents", k], "select", { choices: ids, commit: true,
    onCommit: (o, n) => { if (c.costs) renameKey(c.costs, o, n); } });
  const costs = (Array.isArray(c.belligerents) ? c.belligerents : []).map((a) => labelled(`cost of war to ${a}`, field(["conflict", "costs", a], "est")));
  const shift = c.power_shift
    ? el("div", { class: "row", "data-path": "conflict.power_shift" }, el("b", {}, "Power shift: "),
      labelled("declining", field(["conflict", "power_shift", "declining"], "select", { choices: ids })),
      labelled("now", field(["conflict", "power_shift", "now"], "est")), labelled("next", field(["conflict", "power_shift", "next"], "est")),
      button("✕", () => change(() => delete c.power_shift), { title: "remove the power shift" }))
    : button("+ power shift", () => change(() => { c.power_shift = { declining: c.belligerents[0], next: 0.3 }; }));
  const guarantee = c.guarantee
    ? el("div", { class: "row", "data-path": "conflict.guarantee" }, el("b", {}, "Guarantee: "),
      labelled("credibility", field(["conflict", "guarantee", "credibility"], "est")),
      labelled("issue", field(["conflict", "guarantee", "issue"], "select", { choices: issueIds(), optional: true })),
      button("✕", () => change(() => delete c.guarantee), { title: "remove the guarantee" }))
    : button("+ guarantee", () => change(() => { c.guarantee = { credibility: 0.5 }; }));
  return section("conflict", "Conflict (the war a deal must beat)",
    el("div", { class: "row", "data-path": "conflict" }, labelled("belligerents", el("span", { "data-path": "conflict.belligerents" }, bel(0), " vs ", bel(1))),
      labelled("p (first prevails)", field(["conflict", "p"], "est")), labelled("discount δ", field(["conflict", "discount"], "est")),
      labelled("side payment", field(["conflict", "side_payment"], "est"))),
    el("div", { class: "row", "data-path": "conflict.costs" }, ...costs),
    labelled("stakes (issues the war decides, comma-separated)", field(["conflict", "stakes"], "list")),
    shift, guarantee, button("remove conflict", () => change(() => delete ED.data.conflict)));
}

function dealSection() {
  if (!ED.data.deal) ED.data.deal = {};
  const per = (key, label) => el("div", { class: "row", "data-path": `deal.${key}` }, el("b", {}, label),
    ...issueIds().map((i) => labelled(i, field(["deal", key, i], "list", { placeholder: "actor ids" }))));
  return section("deal", "Deal space",
    el("div", { class: "row" }, labelled("utility", field(["deal", "utility"], "select", { choices: ["quadratic", "linear"], default: "quadratic" })),
      labelled("unsettled issues yield", field(["deal", "unsettled"], "select", { choices: ["average", "nothing", "midpoint"], default: "average" }))),
    per("owners", "Owners (must accept): "), per("veto", "Veto (can block): "),
    el("div", { class: "row", "data-path": "deal.walk_away" }, el("b", {}, "Walk-away utility (0–1, blank: derived): "),
      ...actorIds().map((a) => labelled(a, field(["deal", "walk_away", a], "est")))));
}

// ---- events and their effects ----
const EFFECT_KINDS = ["set", "shift", "scale", "owner", "join", "leave"];
const effectKind = (e) => EFFECT_KINDS.find((k) => e && e[k] !== undefined) || "set";

function setEffectKind(effect, kind) {
  const keep = {};
  for (const k of ["source", "quote", "note"]) if (effect[k] !== undefined) keep[k] = effect[k];
  for (const k of Object.keys(effect)) delete effect[k];
  if (["set", "shift", "scale"].includes(kind)) Object.assign(effect, { path: "", [kind]: kind === "scale" ? 1 : 0 });
  else if (kind === "owner") effect.owner = { issue: issueIds()[0], add: [] };
  else effect[kind] = actorIds()[0];
  Object.assign(effect, keep);
}

function effectRow(ei, k, effect) {
  const base = ["events", ei, "effects", k];
  const kind = effectKind(effect);
  const select = el("select", { "aria-label": "effect kind" }, ...EFFECT_KINDS.map((x) => el("option", { value: x }, x)));
  select.value = kind;
  select.addEventListener("change", () => change(() => setEffectKind(effect, select.value)));
  let what;
  if (["set", "shift", "scale"].includes(kind)) {
    what = [field([...base, "path"], "text", { placeholder: "e.g. positions.RUS.donbas", label: "effect path" }), field([...base, kind], "num", { label: "effect value" })];
  } else if (kind === "owner") {
    what = [field([...base, "owner", "issue"], "select", { choices: issueIds() }), "add", field([...base, "owner", "add"], "list"),
      "remove", field([...base, "owner", "remove"], "list")];
  } else what = [field([...base, kind], "select", { choices: actorIds() })];
  return el("tr", { "data-path": place(base) }, el("td", {}, select), el("td", { class: "what" }, ...what),
    el("td", {}, field([...base, "source"], "select", { choices: (ED.data.sources || []).map((s) => s.id), optional: true })),
    el("td", {}, field([...base, "quote"], "text")), el("td", {}, field([...base, "note"], "text")),
    el("td", {}, button("✕", () => change(() => ED.data.events[ei].effects.splice(k, 1)), { title: "delete this effect", class: "small del" })));
}

function eventsSection() {
  const events = ED.data.events || [];
  const blocks = events.map((ev, ei) => el("div", { class: "event", "data-path": place(["events", ei]) },
    el("div", { class: "row" }, labelled("id", field(["events", ei, "id"], "req")), labelled("date", field(["events", ei, "date"], "date", { placeholder: "YYYY-MM-DD" })),
      labelled("title", field(["events", ei, "title"], "req")), labelled("sources", field(["events", ei, "sources"], "list")),
      button("delete event", () => change(() => events.splice(ei, 1)))),
    labelled("description", field(["events", ei, "description"], "text")),
    el("table", { class: "edit effects", "data-path": place(["events", ei, "effects"]) },
      el("tr", {}, ...["effect", "what", "source", "quote", "note", ""].map((h) => el("th", {}, h))),
      ...(ev.effects || []).map((e, k) => effectRow(ei, k, e))),
    button("+ effect", () => change(() => { ev.effects = [...(ev.effects || []), { path: "", shift: 0 }]; }), { class: "small add-effect" })));
  const add = button("+ event", () => change(() => {
    const ids = events.map((e) => e.id);
    ED.data.events = [...events, { id: freshId("event", ids), date: ED.data.date || "2026-01-01", title: "", effects: [{ path: `conflict.p`, shift: 0 }] }];
  }), { id: "add-event" });
  return section("events", "Events (dated changes)", el("p", { class: "hint" },
    "An effect sets, shifts or scales one number by its path (conflict.p, positions.A.issue, actors.A.capability, …), changes an issue's owners, or makes an actor join or leave."),
  ...blocks, add);
}

function correlationsSection() {
  return section("correlations", "Correlations (Monte Carlo)", ...table(["correlations"], [
    { key: ["between", 0], label: "estimate (path)", kind: "req" }, { key: ["between", 1], label: "with (path)", kind: "req" },
    { key: "rho", label: "rho", kind: "num" }, { key: "source", label: "source", kind: "text" }, { key: "note", label: "note", kind: "text" },
  ], { id: "correlation", addLabel: "+ correlation", onAdd: () => ED.data.correlations.push({ between: ["", ""], rho: 0 }) }));
}

// The blocks without a table of their own, as JSON text (kept as they are otherwise).
const OTHER = ["questions", "ideal_adjustment", "outcomes", "models", "metadata"];

function otherSection() {
  const boxes = OTHER.map((key) => {
    const area = el("textarea", { rows: 3, "data-path": key, spellcheck: "false", "aria-label": key });
    area.value = ED.data[key] === undefined ? "" : JSON.stringify(ED.data[key], null, 1);
    area.addEventListener("change", () => {
      let value;
      try { value = area.value.trim() === "" ? undefined : JSON.parse(area.value); } catch (err) {
        area.classList.add("invalid"); area.title = `not JSON: ${err.message}`; return;
      }
      area.classList.remove("invalid");
      change(() => setAt([key], value));
    });
    return el("label", { class: "block" }, key, area);
  });
  return section("other", "Other blocks (JSON)", el("p", { class: "hint" }, "Questions, KTAB ideal adjustment, outcomes, model parameters and metadata, as JSON."), ...boxes);
}
