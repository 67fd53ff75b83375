// The workbench page (layout/workbench/page.py): edit -> (debounced) solve -> redraw, runs and their differences.
// Every text from the server (the constraint file, names, messages) goes in as text (textContent), never as markup.
"use strict";

const config = JSON.parse(document.getElementById("config").textContent);
const W = config.words;
const $ = (id) => document.getElementById(id);
const editor = $("editor"), gutter = $("gutter"), statusLine = $("status"), banner = $("banner");
const DEBOUNCE_MS = 400;
const FIRST_REASONS = 3; // sentences shown per changed key; the others fold

let base = null;       // SHA-256 of FILE on disk when last read or written (null: not there yet)
let synced = "";       // the text FILE held when last read or written
let latest = 0;        // the newest edit sent
let shown = null;      // the run whose map is shown
let lastSolved = null; // the newest solved run
let timer = null;

function say(template, fields) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in fields ? String(fields[k]) : m));
}

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function status(code) {
  return W["status_" + code] || code;
}

function fmt(v, digits) {
  if (v === null || v === undefined) return "–";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(digits === undefined ? 4 : digits);
  if (typeof v === "boolean") return v ? "✓" : "✗";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

// ------------------------------------------------------------------------------------------------ the editor

let marks = {}; // line -> messages

function drawGutter() {
  const lines = editor.value.split("\n").length;
  gutter.replaceChildren();
  for (let n = 1; n <= lines; n++) {
    const line = el("span", String(n), marks[n] ? "line error" : "line");
    if (marks[n]) line.title = marks[n].join("\n");
    line.dataset.line = String(n);
    gutter.append(line, "\n");
  }
  gutter.scrollTop = editor.scrollTop;
}

function markDirty() {
  $("dirty").textContent = editor.value === synced ? "" : W.unsaved;
}

function goToLine(n) {
  const lines = editor.value.split("\n");
  const start = lines.slice(0, n - 1).reduce((s, l) => s + l.length + 1, 0);
  editor.focus();
  editor.setSelectionRange(start, start + (lines[n - 1] || "").length);
  const height = editor.scrollHeight / Math.max(lines.length, 1);
  editor.scrollTop = Math.max(0, (n - 5) * height);
}

function showErrors(problems, message) {
  marks = {};
  const list = $("errors");
  list.replaceChildren();
  const mine = config.file;
  if ((problems || []).length || message) list.append(el("li", W.errors, "heading"));
  for (const p of problems || []) {
    const own = p.line && p.file === mine; // a problem of this file (another file's keeps its own name)
    const text = say(W.problem, { key: p.key ? p.key + ": " : "", expected: p.expected, found: p.found });
    const item = el("li", own ? say(W.error_at, { line: p.line, text }) : p.file + (p.line ? ":" + p.line : "") + ": " + text);
    item.className = "error";
    if (own) {
      (marks[p.line] = marks[p.line] || []).push(text);
      item.dataset.line = String(p.line);
      item.addEventListener("click", () => goToLine(p.line));
    }
    list.append(item);
  }
  if ((!problems || !problems.length) && message) list.append(el("li", message, "error"));
  drawGutter();
}

editor.addEventListener("input", () => {
  drawGutter();
  markDirty();
  clearTimeout(timer);
  timer = setTimeout(() => submit(editor.value, "page"), DEBOUNCE_MS);
});
editor.addEventListener("scroll", () => { gutter.scrollTop = editor.scrollTop; });
editor.addEventListener("keydown", (e) => {
  if (e.key === "Tab") { // two spaces, as YAML wants
    e.preventDefault();
    editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
    editor.dispatchEvent(new Event("input"));
  }
});
document.addEventListener("keydown", (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key === "s") { e.preventDefault(); save(false); }
});

// ------------------------------------------------------------------------------------------------ the server

async function post(url, data) {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(data) });
  return { status: r.status, data: r.headers.get("content-type", "").includes("json") ? await r.json() : await r.text() };
}

async function submit(text, origin) {
  try {
    const r = await post("/api/edit", { text, origin });
    if (r.status === 200) latest = Math.max(latest, r.data.edit);
    else statusLine.textContent = say(W.edit_failed, { why: r.status + " " + fmt(r.data) });
  } catch (e) {
    statusLine.textContent = say(W.edit_failed, { why: String(e) });
  }
}

async function save(force) {
  const text = editor.value;
  let r;
  try { r = await post("/api/save", { text, base, force }); } catch (e) { r = { status: 0, data: String(e) }; }
  if (r.status === 200) {
    base = r.data.sha;
    synced = text;
    markDirty();
    hideBanner();
    statusLine.textContent = W.saved;
  } else if (r.status === 409) {
    showBanner(W.save_conflict, [
      [W.overwrite, () => save(true)],
      [W.load_disk, () => loadFromDisk(r.data.text, r.data.sha)],
    ]);
  } else { // the server refused or is gone: the edits stay in the page, and the page says so
    showBanner(say(W.save_failed, { why: r.status ? r.status + " " + fmt(r.data) : fmt(r.data) }), []);
  }
}
$("save").addEventListener("click", () => save(false));

function showBanner(message, actions) {
  banner.replaceChildren(el("span", message));
  for (const [label, act] of actions) {
    const b = el("button", label);
    b.type = "button";
    b.addEventListener("click", act);
    banner.append(b);
  }
  banner.hidden = false;
}

function hideBanner() { banner.hidden = true; banner.replaceChildren(); }

function loadFromDisk(text, sha, edit) {
  editor.value = text;
  synced = text;
  base = sha;
  hideBanner();
  drawGutter();
  markDirty();
  if (edit !== undefined) latest = Math.max(latest, edit); // the server solves what it saw on disk
  else submit(text, "disk"); // loaded after a refused save: solve what is now in the editor
}

// ------------------------------------------------------------------------------------------------ runs and maps

function showRun(run) {
  shown = run.number;
  $("map").dataset.versus = "";
  $("map").src = "/runs/" + run.number + "/map.html";
  $("map").dataset.run = String(run.number);
  $("no-map").hidden = true;
  const h = run.headline || {};
  $("headline").textContent = say(W.headline, {
    objective: fmt(h.objective), duplications: fmt(h.duplications), clusters: fmt(h.clusters),
  });
}

function addRun(run) {
  const table = $("runs-table");
  if (!table.rows.length) {
    const head = table.createTHead().insertRow();
    for (const k of ["run", "time", "status", "seconds", "objective", ""]) head.append(el("th", k ? W[k] : ""));
  }
  const body = table.tBodies[0] || table.createTBody();
  const row = body.insertRow(0);
  row.dataset.run = String(run.number);
  row.className = run.solved ? "solved" : "failed";
  const h = run.headline || {};
  for (const v of [run.number, (run.started || "").slice(11, 19), status(run.status), fmt(run.seconds, 1), fmt(h.objective)]) {
    row.append(el("td", v));
  }
  const cell = el("td");
  if (run.solved) {
    const b = el("button", W.show);
    b.type = "button";
    b.addEventListener("click", () => { const before = shown; showRun(run); if (before && before !== run.number) showDiff(before, run.number); });
    cell.append(b);
  }
  row.append(cell);
}

function table(columns, rows) {
  const t = el("table");
  const head = t.createTHead().insertRow();
  for (const c of columns) head.append(el("th", c[0]));
  const body = t.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of columns) tr.append(el("td", c[1](r)));
  }
  return t;
}

async function showDiff(a, b) {
  const box = $("diff-body");
  const r = await fetch("/api/diff?a=" + a + "&b=" + b);
  if (!r.ok) return;
  const d = await r.json();
  box.replaceChildren(el("h3", say(W.compare, { a, b })));
  const toggle = el("button", W.on_map);
  toggle.type = "button";
  toggle.id = "versus";
  toggle.addEventListener("click", () => {
    const map = $("map");
    const versus = "/runs/" + b + "/versus/" + a + "/map.html";
    if (map.dataset.versus === versus) { map.src = "/runs/" + b + "/map.html"; map.dataset.versus = ""; toggle.textContent = W.on_map; }
    else { map.src = versus; map.dataset.versus = versus; toggle.textContent = W.plain_map; }
  });
  box.append(toggle);
  box.dataset.a = String(a);
  box.dataset.b = String(b);
  if (d.edit && d.edit.length) {
    box.append(el("h4", W.edit));
    const list = el("ul", null, "edit");
    for (const k of d.edit) {
      const item = el("li");
      item.append(el("code", k.key + ": " + fmt(k.before) + " → " + fmt(k.after)));
      if (k.families.length) item.append(el("span", " — " + say(W.families, { names: k.families.join(", ") }), "muted"));
      const why = el("ul");
      for (const s of k.sentences.slice(0, FIRST_REASONS)) why.append(el("li", s));
      if (k.sentences.length > FIRST_REASONS) { // the rest folded
        const more = el("details");
        more.append(el("summary", say(W.more, { n: k.sentences.length - FIRST_REASONS })));
        const rest = el("ul");
        for (const s of k.sentences.slice(FIRST_REASONS)) rest.append(el("li", s));
        more.append(rest);
        why.append(more);
      }
      if (k.families.length && !k.sentences.length) why.append(el("li", W.no_new, "muted"));
      item.append(why);
      list.append(item);
    }
    box.append(list);
  }
  const ch = d.changes || {};
  const any = ["added", "removed", "tier_changed", "capacity_changed"].some((k) => (ch[k] || []).length);
  if (!any) box.append(el("p", W.unchanged, "unchanged"));
  if ((d.moved || []).length) {
    box.append(el("h4", W.moved));
    const list = el("ul", null, "moved");
    for (const m of d.moved) list.append(el("li", m.text));
    box.append(list);
  }
  const name = (r) => r.region_name + " (" + r.region + ")";
  const ind = (r) => r.industry_name;
  const parts = [
    ["added", [[W.region, name], [W.industry, ind], [W.tier, (r) => r.tier_words], [W.capacity, (r) => fmt(r.capacity, 2)]]],
    ["removed", [[W.region, name], [W.industry, ind], [W.tier, (r) => r.tier_words], [W.capacity, (r) => fmt(r.capacity, 2)]]],
    ["tier_changed", [[W.region, name], [W.industry, ind], [W.tier, (r) => r.tier_a_words + " → " + r.tier_b_words],
      [W.capacity, (r) => fmt(r.capacity_a, 2) + " → " + fmt(r.capacity_b, 2)]]],
    ["capacity_changed", [[W.region, name], [W.industry, ind], [W.tier, (r) => r.tier_words],
      [W.capacity, (r) => fmt(r.capacity_a, 2) + " → " + fmt(r.capacity_b, 2)]]],
  ];
  for (const [key, columns] of parts) {
    if (!(ch[key] || []).length) continue;
    box.append(el("h4", W[key]));
    const t = table(columns, ch[key]);
    t.className = "changes " + key;
    box.append(t);
  }
  box.append(el("h4", W.metrics));
  box.append(table([[W.metrics, (m) => m.label], [W.before, (m) => fmt(m.a)], [W.after, (m) => fmt(m.b)]], d.metrics || []));
}

function finished(e) {
  const run = e.run;
  addRun(run);
  if (e.edit < latest) return; // an older edit's run: kept and listed, not shown
  latest = e.edit;
  if (run.solved) {
    showErrors([], "");
    const before = lastSolved;
    lastSolved = run.number;
    showRun(run);
    statusLine.textContent = W.solved + " (" + say(W.took, { s: fmt(run.seconds, 1) }) + ")";
    if (before) showDiff(before, run.number);
    else $("diff-body").replaceChildren(el("p", W.no_previous));
  } else {
    statusLine.textContent = status(run.status);
    showErrors(run.problems, run.message);
  }
}

function listen() {
  const source = new EventSource("/api/events");
  source.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.type === "disk") {
      if (editor.value === synced) loadFromDisk(e.text, e.sha, e.edit);
      else {
        showBanner(W.disk_changed, [
          [W.load_disk, () => loadFromDisk(e.text, e.sha, e.edit)],
          [W.keep_mine, () => { base = e.sha; hideBanner(); }],
        ]);
      }
      return;
    }
    if (e.type === "finished") { finished(e); return; }
    if (e.edit !== undefined && e.edit < latest) return;
    if (e.type === "started") { statusLine.textContent = W.checking; $("warnings").replaceChildren(); }
    else if (e.type === "warning") $("warnings").append(el("li", say(W.warning, { text: e.line }), "warning"));
    else if (e.type === "valid") { statusLine.textContent = W.solving; showErrors([], ""); }
    else if (e.type === "step") statusLine.textContent = e.line;
    else if (e.type === "progress") statusLine.textContent = e.words;
    else if (e.type === "cancelled" && e.edit === latest) statusLine.textContent = W.cancelled;
  };
  return source;
}

async function start() {
  listen(); // first, so that nothing said while the state is read is missed
  const s = await (await fetch("/api/state")).json();
  editor.value = s.text;
  synced = s.text;
  base = s.sha;
  drawGutter();
  markDirty();
  for (const run of s.runs) addRun(run);
  const solved = s.runs.filter((r) => r.solved);
  if (solved.length) {
    lastSolved = solved[solved.length - 1].number;
    showRun(solved[solved.length - 1]);
  }
  if (s.running) { latest = s.running.edit; statusLine.textContent = W.solving; }
  document.body.dataset.ready = "1";
}

start();
