"""What changed between two runs of the workbench, and why.

`run_diff` sets two solved runs side by side: the designations added, removed, moved (an industry leaving some
regions and arriving in others) and re-tiered, with capacities before → after (`layout.results.compare`); the
headline metrics of both; the constraint-file keys the edit changed (the two texts resolved, so a key inherited
through `extends:` counts as written), and for each the new run's held-back industries and binding constraints in
the families that key feeds (`Family.keys`), the sentences `layout explain` writes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from layout.language import tr, translate
from layout.model.families import FAMILIES
from layout.results.compare import compare, read_results, tier_shown
from layout.results.folder import EXPLANATION_JSON, METRICS_JSON
from layout.spec.load import load
from layout.words import listing


def changed_keys(file: Path, before: str, after: str) -> list[dict[str, Any]]:
    """The key paths whose value differs between two texts of the constraint file `file` (each read as if saved at
    `file`, `extends:` resolved, defaults spelt out): [{key, before, after}], deepest keys, in file order. A text
    that does not load gives no keys."""
    try:
        a, b = (load(file, text=t, within=file.parent).scenario.model_dump(mode="json") for t in (before, after))
    except Exception:  # noqa: BLE001 - a run that solved loaded; a text that no longer does has no keys to show
        return []
    out: list[dict[str, Any]] = []

    def walk(x: Any, y: Any, path: tuple[str, ...]) -> None:
        if isinstance(x, dict) or isinstance(y, dict):
            if x is None or y is None or (isinstance(x, dict) and isinstance(y, dict)):  # a mapping added or removed:
                x, y = x or {}, y or {}  # its keys one by one, those set on one side
                for k in [*x, *(k for k in y if k not in x)]:
                    if not (x.get(k) is None and y.get(k) is None):
                        walk(x.get(k), y.get(k), (*path, str(k)))
                return
        if x != y:
            out.append({"key": ".".join(path), "before": x, "after": y})

    walk(a, b, ())
    return out


PARTS = ("held_back", "binding")  # of explanation.json: what the edit now holds back, then the rows now at a limit


def _explained(folder: Path) -> dict:
    path = folder / EXPLANATION_JSON
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def why(keys: list[dict[str, Any]], before: Path, after: Path) -> list[dict[str, Any]]:
    """For each changed key, the families it feeds and the sentences of the new run's explanation in them that the
    old run did not have (industries held back by them, then their binding rows): [{key, before, after, families,
    sentences}]."""
    old, new = _explained(before), _explained(after)
    seen = {e.get("text") for part in PARTS for e in old.get(part) or []}
    out = []
    for change in keys:
        families = [f.name for f in FAMILIES if f.touches(change["key"])]
        sentences = [
            e["text"]
            for part in PARTS
            for e in new.get(part) or []
            if e.get("text") not in seen
            and (e.get("family") in families or set(e.get("held_back_by") or []) & set(families))
        ]
        out.append({**change, "families": families, "sentences": sentences})
    return out


def moved(changes: dict[str, Any]) -> list[dict[str, Any]]:
    """Designations that moved: per industry, the regions it left and the regions it arrived in (both non-empty)."""
    left: dict[str, list[dict]] = {}
    came: dict[str, list[dict]] = {}
    for e in changes.get("removed") or []:
        left.setdefault(e["industry"], []).append(e)
    for e in changes.get("added") or []:
        came.setdefault(e["industry"], []).append(e)
    return [
        {
            "industry": i,
            "industry_name": left[i][0]["industry_name"],
            "from": [e["region_name"] for e in left[i]],
            "to": [e["region_name"] for e in came[i]],
            "text": tr(
                "{industry}: {left} → {came}",
                industry=left[i][0]["industry_name"],
                left=listing([e["region_name"] for e in left[i]], None),
                came=listing([e["region_name"] for e in came[i]], None),
            ),
        }
        for i in sorted(left.keys() & came.keys())
    ]


def run_diff(file: Path, before: tuple[Path, str], after: tuple[Path, str]) -> dict[str, Any]:
    """Two solved runs side by side, each given as (its results folder, the text it solved): `compare`'s metrics and
    changes, the moves among them (`moved`) and the edit's keys with their explanation (`why`)."""
    (fa, ta), (fb, tb) = before, after
    out = compare(fa, fb)
    for row in out["metrics"]:  # as the page shows them, in the current language (the codes stay in `metric`)
        row["label"] = translate(row.get("label") or row.get("metric") or "")
    for rows in out["changes"].values():
        for row in rows:
            for key in ("tier", "tier_a", "tier_b"):
                if isinstance(row.get(key), str):
                    row[key + "_words"] = tier_shown(row[key])
    out["moved"] = moved(out["changes"])
    out["edit"] = why(changed_keys(file, ta, tb), fa, fb)
    return out


def changes_record(before: Path, after: Path, label: str) -> dict[str, Any]:
    """metrics.json's `changes` record (the shape `layout.results.folder.ChangesResult` checks) for the layout of
    results folder `after` against the one of `before`: designations (region, industry) kept, added and removed,
    per region; `label` names the earlier run in the sentence."""
    _, rows_a, _ = read_results(before)
    _, rows_b, _ = read_results(after)
    held_a = {(r["region_code"], r["industry"]) for r in rows_a}
    held_b = {(r["region_code"], r["industry"]) for r in rows_b}
    names = {r["region_code"]: r.get("region_name") or r["region_code"] for r in rows_a + rows_b}
    by_region = []
    for code in sorted({r for r, _ in held_a | held_b}):
        kept = sorted(i for r, i in held_a & held_b if r == code)
        added = sorted(i for r, i in held_b - held_a if r == code)
        removed = sorted(i for r, i in held_a - held_b if r == code)
        if kept or added or removed:
            by_region.append({"code": code, "name": names[code], "kept": kept, "added": added, "removed": removed})
    counts = {"kept": len(held_a & held_b), "added": len(held_b - held_a), "removed": len(held_a - held_b)}
    return {
        "reference": str(before),
        **counts,
        "changes": counts["added"] + counts["removed"],
        "regions": len(by_region),
        "by_region": by_region,
        "text": tr("against {run}: {kept} designations kept, {added} added, {removed} removed", run=label, **counts),
    }


def versus_map(before: Path, after: Path, folder: Path, label: str) -> Path:
    """The map of results folder `after` with a layer of its changes against `before` (what was added, removed,
    kept per region), written as `folder`/map.html: a copy of `after`'s data with the changes record in its
    metrics.json (the map's own reader checks it), drawn by the results folder's map writer."""
    from layout.views.maps.render import write_map

    if not (folder / "map.html").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(after, folder, ignore=shutil.ignore_patterns("*.html", "*.gpkg", "*.lp", "*.mps"))
        metrics = json.loads((folder / METRICS_JSON).read_text(encoding="utf-8"))
        metrics["changes"] = changes_record(before, after, label)
        (folder / METRICS_JSON).write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
        write_map(folder, layers=["changes"])
    return folder / "map.html"
