"""Compare two results folders: their layouts' metrics side by side and the assignments that changed.

`compare(dir_a, dir_b)` reads only the files `layout solve` writes (metrics.json, assignment.csv,
manifest.json), so folders from different scenarios, solvers or program versions compare alike.
The metrics of each folder's uncoordinated baseline (metrics.json["baseline"]) stand next to its
optimised layout's, and regions per industry are counted for both. An assignment is one designated
(region, industry) pair holding capacity (a row holding nothing, which a folder written before such rows were left
out may have, hosts nothing and is no assignment); between A and B it is

* added — designated in B only; removed — designated in A only;
* tier changed — designated in both with a different tier or a different inter-provincial group;
* capacity changed — same tier and group, capacity differs by more than 1e-6 capacity units.

Metrics are named, formatted and judged by their records in `layout.results.metrics.METRICS`: in the text,
✓ marks a metric B has better than A and ✗ one it has worse (the record's better direction).

Two optional parts appear only when the folders call for them:

* declared plans — where a folder has declared.csv (the provinces' own sourced SEI priorities), its
  declared metrics (duplications, mean similarity of all pairs and of neighbours, regions per
  industry) from metrics.json["declared"] as a third layout beside baseline and optimised, with the
  coverage stated ("15 of 31 provinces");
* phasing — where both folders were solved over plan periods (phasing.csv, or periods/<year>/), the
  assignments added, removed and changed from A to B in each period.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from layout.errors import InputError, Problem
from layout.language import current, tr, translate
from layout.results.folder import (
    ASSIGNMENT_CSV,
    DECLARED_CSV,
    MANIFEST_JSON,
    METRICS_JSON,
    PERIODS_DIR,
    PHASING_CSV,
    read_folder,
    section,
)
from layout.results.metrics import DECLARED_METRICS, DIRECTIONS, HELD, HIGHER, LOWER, METRICS, OBJECTIVE, Metric
from layout.results.tables import read_csv
from layout.words import cell, listing, rounded, width

__all__ = ["compare", "format_comparison", "read_results", "read_phasing", "period_key", "REQUIRED", "MARKS"]

REQUIRED = (METRICS_JSON, ASSIGNMENT_CSV, MANIFEST_JSON)
CAPACITY_TOL = 1e-6
SHOWN = {m.key: m for m in (*METRICS, OBJECTIVE)}  # the metric rows, by key
MARKS = {"better": "✓", "worse": "✗"}  # a metric's verdict from A to B, in the text


def read_results(folder: Path) -> tuple[dict, list[dict], dict]:
    """(metrics, assignment rows, manifest) of a results folder, read and checked by `layout.results.folder`;
    InputError naming the folder, file and key if it is not one this version wrote."""
    results = read_folder(folder, *REQUIRED)
    return results.metrics, _held(results.assignment.to_dict("records")), results.manifest


def _held(rows: list[dict]) -> list[dict]:
    """The rows that hold capacity (more than HELD capacity units): the assignments."""
    return [r for r in rows if r["capacity"] > HELD]


def _read_rows(path: Path, extra: tuple[str, ...] = ()) -> list[dict]:
    """Rows of an assignment-like table holding capacity (capacity as a float); InputError with file and line on
    bad input."""
    return _held(read_csv(path, ("region_code", "industry", "tier", *extra), ("capacity",)).to_dict("records"))


def period_key(p) -> tuple:
    """Sort key of plan periods: years in order, then other names alphabetically."""
    text = str(p)
    return (0, int(text), text) if text.lstrip("-").isdigit() else (1, 0, text)


def read_phasing(folder: Path, metrics: dict) -> dict[str, list[dict]] | None:
    """Each plan period's assignment rows ({year: rows}, in period order), or None if the folder has no periods.

    Read from DIR/phasing.csv (a leading `period` column); without it, from DIR/periods/<year>/assignment.csv
    for the periods metrics.json lists."""
    folder = Path(folder)
    path = folder / PHASING_CSV
    if path.is_file():
        out: dict[str, list[dict]] = {str(p): [] for p in (metrics.get("periods") or {})}
        for row in _read_rows(path, ("period",)):
            out.setdefault(str(row["period"]).strip(), []).append(row)
    elif isinstance(metrics.get("periods"), dict) and metrics["periods"]:
        out = {}
        for p in metrics["periods"]:
            f = folder / PERIODS_DIR / str(p) / ASSIGNMENT_CSV
            if not f.is_file():
                raise InputError(
                    Problem(
                        str(folder),
                        None,
                        f"periods/{p}",
                        "phasing.csv or each period's assignment.csv",
                        f"neither {PHASING_CSV} nor {PERIODS_DIR}/{p}/{ASSIGNMENT_CSV}",
                    )
                )
            out[str(p)] = _read_rows(f)
    else:
        return None
    return {p: out[p] for p in sorted(out, key=period_key)}


def _declared(folder: Path, metrics: dict) -> dict | None:
    """The declared metrics of a folder with declared.csv (None without one)."""
    path = Path(folder) / DECLARED_CSV
    if not path.is_file():
        return None
    rows = _read_rows(path)
    d = section(metrics, "declared")
    covered, not_covered = d.get("covered"), d.get("not_covered")
    per_industry = d.get("regions_per_industry")
    if not isinstance(per_industry, dict):  # count declared.csv itself
        per_industry = {}
        for r in rows:
            per_industry[r["industry"]] = per_industry.get(r["industry"], 0) + 1
    return {
        "coverage": d.get("coverage")
        or f"coverage not stated in metrics.json; declared.csv names {len({r['region_code'] for r in rows})} regions",
        "covered": len(covered) if isinstance(covered, list) else None,
        "regions": len(covered) + len(not_covered)
        if isinstance(covered, list) and isinstance(not_covered, list)
        else None,
        **{m.key: _r(d.get(m.key)) for m in DECLARED_METRICS},
        "regions_per_industry": {i: per_industry[i] for i in sorted(per_industry)},
    }


def _baseline(metrics: dict) -> dict:
    """metrics.json["baseline"] ({} if the folder has none)."""
    return section(metrics, "baseline")


def _key(row: dict) -> tuple[str, str]:
    return (row["region_code"], row["industry"])


def _tier(row: dict) -> str:
    g = row.get("group") or ""
    return f"{row['tier']} ({g})" if g else row["tier"]


def _r(v):
    """A number as JSON output keeps it (`rounded`); anything else (a boolean, None) as it is."""
    return rounded(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def _row(m: Metric, a, b, baseline_a, baseline_b) -> dict:
    """One metric of A and B: the optimised values, B − A, the verdict from A to B, and the baselines."""
    return {
        "metric": m.key,
        "label": m.label,
        "a": _r(a),
        "b": _r(b),
        "delta": _delta(a, b),
        "lower_is_better": {LOWER: True, HIGHER: False}.get(m.better or ""),
        "better": m.better,
        "verdict": m.verdict(a, b),
        "baseline_a": _r(baseline_a),
        "baseline_b": _r(baseline_b),
    }


def compare(dir_a: Path, dir_b: Path) -> dict:
    """Metrics of A and B side by side (optimised layouts, with each folder's uncoordinated baseline) and the
    assignments that changed from A to B. `a`, `b` and `delta` are the optimised layouts' values."""
    ma, ra, fa = read_results(Path(dir_a))
    mb, rb, fb = read_results(Path(dir_b))
    oa, ob = ma["optimised"], mb["optimised"]
    ba, bb = _baseline(ma), _baseline(mb)
    metrics = [_row(m, oa.get(m.key), ob.get(m.key), ba.get(m.key), bb.get(m.key)) for m in METRICS]
    sa, sb = ma.get("solver", {}), mb.get("solver", {})
    metrics.append(_row(OBJECTIVE, sa.get("objective"), sb.get("objective"), None, None))
    hosts = {
        side: {i: v.get("regions") for i, v in (m.get("industries") or {}).items() if isinstance(v, dict)}
        for side, m in (("a", oa), ("b", ob), ("baseline_a", ba), ("baseline_b", bb))
    }
    per_industry = [
        {
            "industry": i,
            **{side: hosts[side].get(i) for side in hosts},
            "delta": _delta(hosts["a"].get(i), hosts["b"].get(i)),
        }
        for i in sorted(set(hosts["a"]) | set(hosts["b"]))
    ]
    changes, unchanged = _diff(ra, rb)
    out = {
        "a": {
            "folder": str(dir_a),
            "scenario": ma.get("scenario", {}).get("name"),
            "solver": sa.get("name"),
            "status": sa.get("status"),
            "input_sha256": fa.get("input_sha256"),
        },
        "b": {
            "folder": str(dir_b),
            "scenario": mb.get("scenario", {}).get("name"),
            "solver": sb.get("name"),
            "status": sb.get("status"),
            "input_sha256": fb.get("input_sha256"),
        },
        "metrics": metrics,
        "regions_per_industry": per_industry,
        "changes": changes,
        "unchanged": unchanged,
    }
    da, db = _declared(Path(dir_a), ma), _declared(Path(dir_b), mb)
    if da is not None or db is not None:
        out["declared"] = _declared_side_by_side(da, db)
    pa, pb = read_phasing(Path(dir_a), ma), read_phasing(Path(dir_b), mb)
    if pa is not None or pb is not None:
        out["phasing"] = _phasing(pa, pb)
    return out


def _diff(ra: list[dict], rb: list[dict]) -> tuple[dict, int]:
    """The assignments added, removed, tier changed and capacity changed from rows A to rows B; and the unchanged count."""
    a_rows = {_key(r): r for r in ra}
    b_rows = {_key(r): r for r in rb}
    names = {r["region_code"]: r.get("region_name", r["region_code"]) for r in ra + rb}
    inames = {r["industry"]: r.get("industry_name", r["industry"]) for r in ra + rb}

    def entry(k, **kw):
        return {
            "region": k[0],
            "region_name": names.get(k[0], k[0]),
            "industry": k[1],
            "industry_name": inames.get(k[1], k[1]),
            **kw,
        }

    added = [
        entry(k, tier=_tier(b_rows[k]), capacity=_r(b_rows[k]["capacity"]))
        for k in sorted(b_rows.keys() - a_rows.keys())
    ]
    removed = [
        entry(k, tier=_tier(a_rows[k]), capacity=_r(a_rows[k]["capacity"]))
        for k in sorted(a_rows.keys() - b_rows.keys())
    ]
    tier_changed, capacity_changed = [], []
    for k in sorted(a_rows.keys() & b_rows.keys()):
        x, y = a_rows[k], b_rows[k]
        if _tier(x) != _tier(y):
            tier_changed.append(
                entry(k, tier_a=_tier(x), tier_b=_tier(y), capacity_a=_r(x["capacity"]), capacity_b=_r(y["capacity"]))
            )
        elif abs(x["capacity"] - y["capacity"]) > CAPACITY_TOL:
            capacity_changed.append(
                entry(
                    k,
                    tier=_tier(x),
                    capacity_a=_r(x["capacity"]),
                    capacity_b=_r(y["capacity"]),
                    delta=_r(y["capacity"] - x["capacity"]),
                )
            )
    unchanged = sum(
        1
        for k in a_rows.keys() & b_rows.keys()
        if _tier(a_rows[k]) == _tier(b_rows[k]) and abs(a_rows[k]["capacity"] - b_rows[k]["capacity"]) <= CAPACITY_TOL
    )
    return {
        "added": added,
        "removed": removed,
        "tier_changed": tier_changed,
        "capacity_changed": capacity_changed,
    }, unchanged


def _delta(a, b):
    if (
        isinstance(a, (int, float))
        and isinstance(b, (int, float))
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return _r(b - a)
    return None


def _declared_side_by_side(da: dict | None, db: dict | None) -> dict:
    """Declared metrics of A and B (None for a side without declared.csv)."""
    metrics = [
        {
            "metric": m.key,
            "label": m.label,
            "a": (da or {}).get(m.key),
            "b": (db or {}).get(m.key),
            "delta": _delta((da or {}).get(m.key), (db or {}).get(m.key)),
        }
        for m in DECLARED_METRICS
    ]
    ia, ib = (da or {}).get("regions_per_industry", {}), (db or {}).get("regions_per_industry", {})
    per_industry = [
        {
            "industry": i,
            "a": ia.get(i) if da else None,
            "b": ib.get(i) if db else None,
            "delta": _delta(ia.get(i), ib.get(i)) if da and db else None,
        }
        for i in sorted(set(ia) | set(ib))
    ]
    return {"a": da, "b": db, "metrics": metrics, "regions_per_industry": per_industry}


def _phasing(pa: dict[str, list[dict]] | None, pb: dict[str, list[dict]] | None) -> dict:
    """Per plan period, the assignments that changed from A to B (periods solved by both folders)."""
    out: dict = {
        "a_periods": list(pa) if pa is not None else None,
        "b_periods": list(pb) if pb is not None else None,
        "periods": [],
    }
    if pa is None or pb is None:
        return out
    for p in sorted(set(pa) | set(pb), key=period_key):
        if p not in pa or p not in pb:
            out["periods"].append({"period": p, "only_in": "A" if p in pa else "B"})
            continue
        changes, unchanged = _diff(pa[p], pb[p])
        out["periods"].append({"period": p, "changes": changes, "unchanged": unchanged})
    return out


def format_comparison(d: dict) -> str:
    """Plain-text comparison (what `layout compare DIR_A DIR_B` prints), in the current language."""
    a, b = d["a"], d["b"]
    lines = [
        tr("A: {folder} — {scenario} ({solver}, {status})", **_side(a)),
        tr("B: {folder} — {scenario} ({solver}, {status})", **_side(b)),
        "",
    ]
    lines += _metric_lines(d)
    ch = d["changes"]
    lines.append("")
    lines.append(tr("Assignments: {counts}", counts=_counts(ch, d["unchanged"])))
    lines += _change_lines(ch, "  ")
    if "phasing" in d:
        lines += _phasing_lines(d["phasing"])
    return "\n".join(lines) + "\n"


def _side(side: dict) -> dict:
    """A folder's heading fields: its path, scenario, solver and status as `compare` records them."""
    shown = {k: side[k] for k in ("folder", "scenario", "solver", "status")}
    if isinstance(shown["status"], str):
        shown["status"] = translate(shown["status"])  # optimal, feasible: the words marked in layout/cli.py
    return shown


def _counts(ch: dict, unchanged: int) -> str:
    return tr(
        "{added} added, {removed} removed, {tier} tier changed, {capacity} capacity changed, {unchanged} unchanged",
        added=len(ch["added"]),
        removed=len(ch["removed"]),
        tier=len(ch["tier_changed"]),
        capacity=len(ch["capacity_changed"]),
        unchanged=unchanged,
    )


def tier_shown(tier: str) -> str:
    """'provincial (GBA)' (`_tier`) with the tier in the current language (its translation is the report's, which
    marks the tier names), the group's code as it is."""
    name, paren, group = tier.partition(" (")
    return tr("{tier} ({group})", tier=translate(name), group=group[:-1]) if paren else translate(name)


def _change_lines(ch: dict, indent: str, detail: bool = True) -> list[str]:
    ch = {k: [_shown_entry(e) for e in ch[k]] for k in ("added", "removed", "tier_changed", "capacity_changed")}

    def held(e: dict) -> str:
        return tr(
            "{name} ({code}) {industry}: {tier}, {capacity}",
            name=e["region_name"],
            code=e["region"],
            industry=e["industry"],
            tier=e["tier"],
            capacity=cell(e["capacity"]),
        )

    lines = [f"{indent}+ {held(e)}" for e in ch["added"]]
    lines += [f"{indent}- {held(e)}" for e in ch["removed"]]
    if not detail:
        return lines
    for e in ch["tier_changed"]:
        lines.append(
            f"{indent}~ "
            + tr(
                "{name} ({code}) {industry}: {tier_a} → {tier_b}, {before} → {after}",
                name=e["region_name"],
                code=e["region"],
                industry=e["industry"],
                tier_a=e["tier_a"],
                tier_b=e["tier_b"],
                before=cell(e["capacity_a"]),
                after=cell(e["capacity_b"]),
            )
        )
    for e in ch["capacity_changed"]:
        lines.append(
            f"{indent}~ "
            + tr(
                "{name} ({code}) {industry}: {tier}, {before} → {after}",
                name=e["region_name"],
                code=e["region"],
                industry=e["industry"],
                tier=e["tier"],
                before=cell(e["capacity_a"]),
                after=cell(e["capacity_b"]),
            )
        )
    return lines


def _shown_entry(e: dict) -> dict:
    """A change of `_diff` with its tiers as `tier_shown` shows them."""
    return {k: tier_shown(v) if k in ("tier", "tier_a", "tier_b") else v for k, v in e.items()}


def _metric_lines(d: dict) -> list[str]:
    """The layouts of A and B side by side, one column pair (A, B) per layout: declared plans (where a folder
    has them), uncoordinated baseline, optimised; then B − A of the optimised layouts and its verdict mark."""
    dd = d.get("declared")
    groups = ([tr("declared*")] if dd else []) + [tr("baseline"), tr("optimised")]
    declared = {m["metric"]: m for m in dd["metrics"]} if dd else {}
    declared_hosts = {m["industry"]: m for m in dd["regions_per_industry"]} if dd else {}

    def row(label: str, dm: dict, m: dict, digits: int) -> list[str]:
        pairs = ([dm.get("a"), dm.get("b")] if dd else []) + [
            m["baseline_a"],
            m["baseline_b"],
            m["a"],
            m["b"],
            m["delta"],
        ]
        return [label] + [cell(v, digits) for v in pairs] + [MARKS.get(m.get("verdict") or "", "")]

    rows = [
        row(SHOWN[m["metric"]].shown(), declared.get(m["metric"], {}), m, SHOWN[m["metric"]].digits)
        for m in d["metrics"]
    ]
    industries = sorted(set(declared_hosts) | {m["industry"] for m in d["regions_per_industry"]})
    hosts = {m["industry"]: m for m in d["regions_per_industry"]}
    empty = {"a": None, "b": None, "baseline_a": None, "baseline_b": None, "delta": None}
    rows += [
        row(tr("regions with {industry}", industry=i), declared_hosts.get(i, {}), hosts.get(i, empty), 0)
        for i in industries
    ]
    lines = [
        tr("Metrics: declared plans*, uncoordinated baseline, optimised layout")
        if dd
        else tr("Metrics: uncoordinated baseline, optimised layout")
    ]
    lines += _table(groups, rows)
    if any(r[-1] for r in rows):
        lines += _marks_legend()
    if dd:
        lines.append("  " + tr("* declared plans: covered provinces only; they state no capacities"))
        for side in ("a", "b"):
            v = dd[side]
            text = (
                tr("no declared.csv in this folder")
                if v is None
                else (
                    tr(
                        "{covered} of {regions} provinces; the other {other} have no sourced plan",
                        covered=v["covered"],
                        regions=v["regions"],
                        other=v["regions"] - v["covered"],
                    )
                    if v["covered"] is not None and v["regions"] is not None
                    else v["coverage"]
                )
            )
            lines.append("    " + tr("{side}: {text}", side=side.upper(), text=text))
    return lines


def _marks_legend() -> list[str]:
    """What ✓ and ✗ mean, with the better direction of every metric that is not lower-is-better."""
    other: dict[str, list[str]] = {}
    for m in SHOWN.values():
        if m.better is not None and m.better != LOWER:
            other.setdefault(m.better, []).append(m.shown())
    zh = current() == "zh"
    text = tr(
        "{better} B better than A, {worse} B worse; better is lower, but {others}",
        better=MARKS["better"],
        worse=MARKS["worse"],
        others=("；" if zh else "; ").join(
            tr("{way} for {labels}", way=translate(DIRECTIONS[way]), labels=("、" if zh else ", ").join(labels))
            for way, labels in other.items()
        ),
    )
    if zh:  # no spaces to break at: wrap by width
        return _wrapped(text, 80, "  ", "    ")
    return textwrap.wrap(text, 80, initial_indent="  ", subsequent_indent="    ")


def _wrapped(text: str, columns: int, first: str, rest: str) -> list[str]:
    """`text` in lines of at most `columns` terminal columns (`width`: a CJK character takes two), broken anywhere."""
    lines: list[str] = []
    line = first
    for c in text:
        if width(line + c) > columns:
            lines.append(line)
            line = rest
        line += c
    return lines + [line]


def _table(groups: list[str], rows: list[list[str]]) -> list[str]:
    """Rows (label, A and B of each group, B − A, verdict mark) right-aligned under the group names; 1 space within
    a pair; the mark follows B − A after a space (nothing when there is none). Widths are terminal columns
    (`width`: a Chinese label takes two a character)."""
    head = [tr("metric")] + ["A", "B"] * len(groups) + ["B − A"]
    widths = [max(width(r[c]) for r in [head] + rows) for c in range(len(head))]
    for g, name in enumerate(groups):  # a group name spans its pair
        widths[2 + 2 * g] = max(widths[2 + 2 * g], width(name) - widths[1 + 2 * g] - 1)

    def line(cells: list[str]) -> str:
        return (
            "  "
            + _pad(cells[0], widths[0], "<")
            + "".join(("  " if c % 2 else " ") + _pad(v, widths[c], ">") for c, v in enumerate(cells[1:], start=1))
        )

    title = (
        "  "
        + " " * widths[0]
        + "".join("  " + _pad(name, widths[1 + 2 * g] + 1 + widths[2 + 2 * g], "^") for g, name in enumerate(groups))
    )
    header = line(head)
    return [title.rstrip(), header, "  " + "-" * (width(header) - 2)] + [
        line(r[:-1]) + (f" {r[-1]}" if r[-1] else "") for r in rows
    ]


def _pad(text: str, columns: int, align: str) -> str:
    """`text` padded with spaces to `columns` terminal columns: '<' left, '>' right, '^' centred (as str.center)."""
    if align == "^":
        return text.center(columns - (width(text) - len(text)))
    fill = " " * max(0, columns - width(text))
    return text + fill if align == "<" else fill + text


def _phasing_lines(ph: dict) -> list[str]:
    lines = [""]
    if ph["a_periods"] is None or ph["b_periods"] is None:
        side, periods = ("A", ph["a_periods"]) if ph["a_periods"] is not None else ("B", ph["b_periods"])
        return lines + [
            tr(
                "Phasing: only {side} was solved over plan periods ({periods}); no per-period comparison",
                side=side,
                periods=listing(periods, None),
            )
        ]
    lines.append(tr("Phasing (assignments per plan period, A → B; + added, - removed):"))
    for p in ph["periods"]:
        if "only_in" in p:
            lines.append("  " + tr("{period}: solved in {side} only", period=p["period"], side=p["only_in"]))
            continue
        lines.append(f"  {p['period']}: {_counts(p['changes'], p['unchanged'])}")
        lines += _change_lines(p["changes"], "    ", detail=False)
    return lines
