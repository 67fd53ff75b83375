"""Compare two results folders: optimised metrics side by side and the assignments that changed.

`compare(dir_a, dir_b)` reads only the files `layout solve` writes (metrics.json, assignment.csv,
manifest.json), so folders from different scenarios, solvers or program versions compare alike.
An assignment is one designated (region, industry) pair; between A and B it is

* added — designated in B only; removed — designated in A only;
* tier changed — designated in both with a different tier or a different inter-provincial group;
* capacity changed — same tier and group, capacity differs by more than 1e-6 capacity units.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from layout.errors import InputError, Problem

__all__ = ["compare", "format_comparison", "read_results", "REQUIRED", "METRICS"]

REQUIRED = ("metrics.json", "assignment.csv", "manifest.json")
CAPACITY_TOL = 1e-6
# (key in metrics.json optimised, label, lower is better?)
METRICS = (
    ("duplications", "uncoordinated neighbour duplications", True),
    ("duplications_weighted", "weighted duplications", True),
    ("mean_similarity", "mean structural similarity (all pairs)", True),
    ("mean_similarity_adjacent", "mean structural similarity (neighbours)", True),
    ("mean_krugman", "mean Krugman specialisation index", False),
    ("mean_overcapacity_ratio", "mean overcapacity ratio (capacity / target)", None),
    ("total_shortfall", "total shortfall (capacity units)", True),
    ("targets_met", "all targets met", None),
    ("regions_hosting", "regions hosting at least one cluster", False),
    ("clusters", "clusters", None),
)


def read_results(folder: Path) -> tuple[dict, list[dict], dict]:
    """(metrics, assignment rows, manifest) of a results folder; InputError naming the folder if it is not one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(Problem(str(folder), None, "", "a results folder written by `layout solve`", "no such folder"))
    missing = [f for f in REQUIRED if not (folder / f).is_file()]
    if missing:
        raise InputError(Problem(str(folder), None, "", f"a results folder written by `layout solve` ({', '.join(REQUIRED)})",
                                 f"no {', '.join(missing)} there"))
    try:
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(Problem(str(folder), None, "metrics.json / manifest.json", "valid JSON", f"unreadable ({e})")) from None
    if not isinstance(metrics, dict) or "optimised" not in metrics:
        raise InputError(Problem(str(folder / "metrics.json"), None, "optimised", "the metrics of an optimised layout", "no `optimised` key"))
    with open(folder / "assignment.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        need = {"region_code", "industry", "capacity", "tier"}
        if reader.fieldnames is None or not need <= set(reader.fieldnames):
            raise InputError(Problem(str(folder / "assignment.csv"), 1, "", f"columns {', '.join(sorted(need))}", f"columns {reader.fieldnames}"))
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                row["capacity"] = float(row["capacity"])
            except ValueError:
                raise InputError(Problem(str(folder / "assignment.csv"), line, "capacity", "a number", repr(row["capacity"]))) from None
            rows.append(row)
    return metrics, rows, manifest


def _key(row: dict) -> tuple[str, str]:
    return (row["region_code"], row["industry"])


def _tier(row: dict) -> str:
    g = row.get("group") or ""
    return f"{row['tier']} ({g})" if g else row["tier"]


def _r(v):
    return round(float(v), 6) + 0.0 if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def compare(dir_a: Path, dir_b: Path) -> dict:
    """Metrics of A and B side by side (optimised layouts) and the assignments that changed from A to B."""
    ma, ra, fa = read_results(Path(dir_a))
    mb, rb, fb = read_results(Path(dir_b))
    oa, ob = ma["optimised"], mb["optimised"]
    metrics = []
    for key, label, lower_better in METRICS:
        a, b = oa.get(key), ob.get(key)
        delta = None
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
            delta = _r(b - a)
        metrics.append({"metric": key, "label": label, "a": _r(a), "b": _r(b), "delta": delta,
                        "lower_is_better": lower_better})
    sa, sb = ma.get("solver", {}), mb.get("solver", {})
    metrics.append({"metric": "objective", "label": "objective (each scenario's own weights)", "a": _r(sa.get("objective")),
                    "b": _r(sb.get("objective")),
                    "delta": _r(sb["objective"] - sa["objective"]) if isinstance(sa.get("objective"), (int, float)) and isinstance(sb.get("objective"), (int, float)) else None,
                    "lower_is_better": True})
    a_rows = {_key(r): r for r in ra}
    b_rows = {_key(r): r for r in rb}
    names = {r["region_code"]: r.get("region_name", r["region_code"]) for r in ra + rb}
    inames = {r["industry"]: r.get("industry_name", r["industry"]) for r in ra + rb}

    def entry(k, **kw):
        return {"region": k[0], "region_name": names.get(k[0], k[0]), "industry": k[1], "industry_name": inames.get(k[1], k[1]), **kw}

    added = [entry(k, tier=_tier(b_rows[k]), capacity=_r(b_rows[k]["capacity"])) for k in sorted(b_rows.keys() - a_rows.keys())]
    removed = [entry(k, tier=_tier(a_rows[k]), capacity=_r(a_rows[k]["capacity"])) for k in sorted(a_rows.keys() - b_rows.keys())]
    tier_changed, capacity_changed = [], []
    for k in sorted(a_rows.keys() & b_rows.keys()):
        x, y = a_rows[k], b_rows[k]
        if _tier(x) != _tier(y):
            tier_changed.append(entry(k, tier_a=_tier(x), tier_b=_tier(y), capacity_a=_r(x["capacity"]), capacity_b=_r(y["capacity"])))
        elif abs(x["capacity"] - y["capacity"]) > CAPACITY_TOL:
            capacity_changed.append(entry(k, tier=_tier(x), capacity_a=_r(x["capacity"]), capacity_b=_r(y["capacity"]),
                                          delta=_r(y["capacity"] - x["capacity"])))
    return {
        "a": {"folder": str(dir_a), "scenario": ma.get("scenario", {}).get("name"), "solver": sa.get("name"), "status": sa.get("status"),
              "input_sha256": fa.get("input_sha256")},
        "b": {"folder": str(dir_b), "scenario": mb.get("scenario", {}).get("name"), "solver": sb.get("name"), "status": sb.get("status"),
              "input_sha256": fb.get("input_sha256")},
        "metrics": metrics,
        "changes": {"added": added, "removed": removed, "tier_changed": tier_changed, "capacity_changed": capacity_changed},
        "unchanged": sum(1 for k in a_rows.keys() & b_rows.keys()
                         if _tier(a_rows[k]) == _tier(b_rows[k]) and abs(a_rows[k]["capacity"] - b_rows[k]["capacity"]) <= CAPACITY_TOL),
    }


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def format_comparison(d: dict) -> str:
    """Plain-text comparison (what `layout compare DIR_A DIR_B` prints)."""
    a, b = d["a"], d["b"]
    lines = [f"A: {a['folder']} — {a['scenario']} ({a['solver']}, {a['status']})",
             f"B: {b['folder']} — {b['scenario']} ({b['solver']}, {b['status']})", "",
             "Optimised metrics:"]
    rows = [("metric", "A", "B", "B − A")] + [(m["label"], _fmt(m["a"]), _fmt(m["b"]), _fmt(m["delta"])) for m in d["metrics"]]
    widths = [max(len(r[c]) for r in rows) for c in range(4)]
    for k, r in enumerate(rows):
        lines.append("  " + r[0].ljust(widths[0]) + "  " + "  ".join(r[c].rjust(widths[c]) for c in range(1, 4)))
        if k == 0:
            lines.append("  " + "-" * (sum(widths) + 6))
    ch = d["changes"]
    lines.append("")
    lines.append(f"Assignments: {len(ch['added'])} added, {len(ch['removed'])} removed, {len(ch['tier_changed'])} tier changed, "
                 f"{len(ch['capacity_changed'])} capacity changed, {d['unchanged']} unchanged")
    for e in ch["added"]:
        lines.append(f"  + {e['region_name']} ({e['region']}) {e['industry']}: {e['tier']}, {_fmt(e['capacity'])}")
    for e in ch["removed"]:
        lines.append(f"  - {e['region_name']} ({e['region']}) {e['industry']}: {e['tier']}, {_fmt(e['capacity'])}")
    for e in ch["tier_changed"]:
        lines.append(f"  ~ {e['region_name']} ({e['region']}) {e['industry']}: {e['tier_a']} → {e['tier_b']}, "
                     f"{_fmt(e['capacity_a'])} → {_fmt(e['capacity_b'])}")
    for e in ch["capacity_changed"]:
        lines.append(f"  ~ {e['region_name']} ({e['region']}) {e['industry']}: {e['tier']}, {_fmt(e['capacity_a'])} → {_fmt(e['capacity_b'])}")
    return "\n".join(lines) + "\n"
