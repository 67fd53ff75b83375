"""The workbench's page: the constraint file in an editor with line numbers, the map of the current layout, its
headline metrics, what changed since the previous run and why, and every run kept. The page is plain HTML; its
script and style are files of this package (layout/workbench/static), so it needs no network. Its words are the
catalogue's (`layout.language`), handed to the script as data: text from the constraint file is never markup."""

from __future__ import annotations

import html
import json
from pathlib import Path

from layout.language import current, marked, translate, using
from layout.model.solve import STATUS_WORDS

# the script's words (static/workbench.js), translated where the page is built
WORDS = {
    "save": marked("Save"),
    "saved": marked("saved"),
    "unsaved": marked("unsaved edits"),
    "solving": marked("solving…"),
    "checking": marked("checking the file…"),
    "solved": marked("solved"),
    "cancelled": marked("cancelled by a newer edit"),
    "error_at": marked("line {line}: {text}"),
    "errors": marked("The file has errors; the map shows the last good layout."),
    "disk_changed": marked("The file changed on disk while you have unsaved edits."),
    "load_disk": marked("Load the file from disk"),
    "keep_mine": marked("Keep my edits"),
    "overwrite": marked("Overwrite the file on disk"),
    "save_conflict": marked("The file changed on disk since you last loaded or saved it."),
    "changes": marked("What changed"),
    "runs": marked("Runs"),
    "no_previous": marked("No earlier solved run to compare with."),
    "compare": marked("Changes from run {a} to run {b}"),
    "edit": marked("The edit"),
    "moved": marked("Moved designations"),
    "added": marked("Added"),
    "removed": marked("Removed"),
    "tier_changed": marked("Tier changed"),
    "capacity_changed": marked("Capacity changed"),
    "metrics": marked("Metrics"),
    "unchanged": marked("The layout did not change."),
    "region": marked("Region"),
    "industry": marked("Industry"),
    "tier": marked("Tier"),
    "capacity": marked("Capacity"),
    "before": marked("before"),
    "after": marked("after"),
    "run": marked("Run"),
    "time": marked("Time"),
    "status": marked("Status"),
    "seconds": marked("Seconds"),
    "objective": marked("Objective"),
    "show": marked("show"),
    "families": marked("constraint families it feeds: {names}"),
    "no_new": marked("no new binding constraint in those families"),
    "headline": marked("objective {objective} · {duplications} neighbour duplications · {clusters} clusters"),
    "no_map": marked("No layout yet: the first solve is under way."),
    "map_title": marked("Map of the layout"),
    "warning": marked("warning: {text}"),
    "on_map": marked("Show the changes on the map"),
    "plain_map": marked("Show the layout alone"),
    "more": marked("{n} more"),
    "problem": marked("{key}expected {expected}; found {found}"),
    "took": marked("{s} s"),
    "save_failed": marked("The file was not saved ({why}); your edits are still here."),
    "edit_failed": marked("The edit was not sent ({why})."),
    **{f"status_{code}": word for code, word in STATUS_WORDS.items()},
    "status_bad input": marked("bad input"),
    "status_limit": marked("limit"),
    "status_failed": marked("failed"),
}


def page_html(file: Path, lang: str | None) -> str:
    """The page for the constraint file `file`, in `lang` (None: the locale's)."""
    with using(lang):
        words = {k: translate(v) for k, v in WORDS.items()}
        title = translate(marked("Workbench: {file}"), file=file.name)
        lang_tag = "zh-CN" if current() == "zh" else "en"
    config = json.dumps({"file": str(file), "words": words}, ensure_ascii=False).replace("<", "\\u003c")
    e = html.escape
    return f"""<!DOCTYPE html>
<html lang="{lang_tag}">
<head>
<meta charset="utf-8">
<title>{e(title)}</title>
<link rel="stylesheet" href="/static/workbench.css">
</head>
<body>
<header>
  <h1>{e(title)}</h1>
  <button id="save" type="button">{e(words["save"])}</button>
  <span id="dirty"></span>
  <span id="status" role="status"></span>
  <span id="headline"></span>
</header>
<div id="banner" hidden></div>
<main>
  <section id="editing">
    <div id="editor-box">
      <pre id="gutter" aria-hidden="true"></pre>
      <textarea id="editor" spellcheck="false" wrap="off" aria-label="{e(file.name)}"></textarea>
    </div>
    <ul id="errors"></ul>
    <ul id="warnings"></ul>
  </section>
  <section id="viewing">
    <iframe id="map" title="{e(words["map_title"])}"></iframe>
    <p id="no-map">{e(words["no_map"])}</p>
    <div id="panels">
      <section id="diff"><h2>{e(words["changes"])}</h2><div id="diff-body"></div></section>
      <section id="runs"><h2>{e(words["runs"])}</h2><table id="runs-table"></table></section>
    </div>
  </section>
</main>
<script type="application/json" id="config">{config}</script>
<script src="/static/workbench.js"></script>
</body>
</html>
"""
