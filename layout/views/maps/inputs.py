"""What the maps read: a results folder written by ``layout solve``, and the shipped national clusters.

A results folder DIR holds ``assignment.csv`` (optimised layout), ``baseline.csv``, ``layout.geojson``
and ``metrics.json``; optionally ``declared.csv`` (the SEI priorities provinces declared in sourced
plans, tier "declared", capacity 1 = "declared, no capacity stated") and, with ``periods:`` in the
scenario, ``phasing.csv`` (a leading ``period`` column, then the assignment columns) with
``periods/<year>/`` holding each period's own results folder. The folder and its files are read through
:mod:`layout.results.folder` and :func:`layout.results.tables.read_csv_lines`; every reader raises
:class:`layout.errors.InputError` naming the file (and line or key) on bad input. Nothing here imports the
model or the solver.

A row whose capacity is not above ``layout.results.metrics.HELD`` hosts nothing (a folder written before such rows
were left out may hold some): a plan leaves it out. An inter-provincial cluster's members are the regions that hold
capacity in it (:func:`group_outlines`).

``geodata/sei_clusters_2019.csv`` lists 19 of the 66 national SEI clusters designated in 2019 by
city, with no coordinates: the maps place them per province only (:func:`read_clusters_2019`).
"""

from __future__ import annotations

import csv
import json
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from layout.errors import InputError, Problem
from layout.language import current, tr
from layout.paths import geodata_file
from layout.regions.readers import capped
from layout.results.folder import (
    ASSIGNMENT_CSV,
    BASELINE_CSV,
    COLUMNS,
    DECLARED_CSV,
    LAYOUT_GEOJSON,
    METRICS_JSON,
    PERIODS_DIR,
    PHASING_CSV,
    TIERS,
    Metrics,
    read_folder,
    read_json,
    read_units_geojson,
    section,
)
from layout.results.metrics import HELD, group_clusters
from layout.results.tables import read_csv_lines

DECLARED_TIER = "declared"
REQUIRED_FILES = (ASSIGNMENT_CSV, BASELINE_CSV, LAYOUT_GEOJSON, METRICS_JSON)
SEA_FILE = "south_china_sea.geojson"
CLUSTERS_2019_FILE = "sei_clusters_2019.csv"
CLUSTERS_2019_COLUMNS = ("province_adcode", "province_zh", "city_zh", "industry_zh", "source_ids", "row_id")
# The first batch of national SEI clusters (NDRC, 2019) has 66 clusters in 44 cities (geodata/SOURCES.md, S43).
CLUSTERS_2019_TOTAL = 66

# Colours that identify industries (Tableau 10, then more) and inter-provincial clusters; the same in
# the HTML map and the PNG.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#17becf",
    "#8c564b",
    "#bcbd22",
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
)
GROUP_COLOURS = ("#3f007d", "#00441b", "#7f2704", "#08306b", "#67000d", "#252525", "#54278f")


@dataclass(frozen=True)
class Industry:
    code: str
    name: str
    kind: str
    colour: str


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    modelled: bool
    geom: BaseGeometry  # lon/lat
    point: tuple[float, float]  # representative point (lon, lat) inside the largest part


@dataclass(frozen=True)
class Row:
    region: str
    industry: str
    capacity: float
    tier: str
    kind: str
    group: str
    group_name: str
    period: str = ""  # phasing.csv only
    line: int = field(default=0, compare=False)  # the row's line in its file, for messages


@dataclass
class Plan:
    """One layout (optimised, baseline, declared or one period's): its rows by region, and its duplications."""

    role: str
    rows: dict[str, list[Row]]
    duplications: list[dict]
    capacity: dict[tuple[str, str], float] = field(default_factory=dict)

    @classmethod
    def of(cls, role: str, rows: list[Row], duplications) -> Plan:
        """The plan of `rows` that hold capacity (more than HELD capacity units: a row holding nothing hosts nothing)."""
        rows = [r for r in rows if r.capacity > HELD]
        by_region: dict[str, list[Row]] = {}
        for r in rows:
            by_region.setdefault(r.region, []).append(r)
        plan = cls(role, by_region, [d for d in duplications or [] if isinstance(d, dict)])
        for r in rows:
            plan.capacity[r.region, r.industry] = plan.capacity.get((r.region, r.industry), 0.0) + r.capacity
        return plan

    def lead(self, region: str, order: dict[str, int]) -> str | None:
        rows = self.rows.get(region, [])
        if not rows:
            return None
        best = max(rows, key=lambda r: (r.capacity, -_tier_rank(r.tier), -order.get(r.industry, 0)))
        return best.industry


def _tier_rank(tier: str) -> int:
    return TIERS.index(tier) if tier in TIERS else len(TIERS)


@dataclass
class Period:
    """One plan period of a phased run (phasing.csv): its year, layout and headline metrics."""

    year: str
    plan: Plan
    summary: dict  # metrics.json["periods"][year]["optimised"] (clusters, duplications, ...) or {}

    @property
    def key(self) -> str:
        """Layer key of this period's portfolio."""
        return f"period-{self.year}"


@dataclass
class Declared:
    """The SEI priorities provinces declared in sourced plans (declared.csv) and their coverage."""

    plan: Plan
    covered: list[str]  # regions with a sourced plan
    not_covered: list[str]  # modelled regions with no sourced plan
    coverage: str  # in plain words
    unmapped: dict[str, list[str]]  # region -> declared priorities not mapped to a scenario industry
    not_laid_out: dict[str, dict[str, list[str]]]  # region -> industry the scenario does not lay out -> priorities
    reasons: dict[str, str]  # industry not laid out -> the policy lever's reason, in words
    derived_duplications: bool  # True: neighbour pairs taken from shared boundaries in layout.geojson


@dataclass(frozen=True)
class RegionChange:
    """A region's designations against the reference layout (industry codes; metrics.json `changes.by_region`)."""

    code: str
    name: str
    kept: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def kind(self) -> str:
        """What the region changed: both (added and gave up), added, removed (gave up) or kept (kept all)."""
        if self.added and self.removed:
            return "both"
        return "added" if self.added else "removed" if self.removed else "kept"


@dataclass(frozen=True)
class Changes:
    """The optimised layout against the scenario's reference layout (metrics.json `changes`, least-change re-planning)."""

    text: str  # the record's sentence: "against the declared plans (15 regions): 40 designations kept, ..."
    kept: int
    added: int
    removed: int
    count: int  # added + removed
    regions: dict[str, RegionChange]  # by code: the regions with a designation kept, added or given up


@dataclass
class Results:
    folder: Path
    scenario: str
    industries: dict[str, Industry]
    units: dict[str, Unit]
    plans: dict[str, Plan]
    groups: dict[str, dict]  # id -> {"name", "members"}
    periods: list[Period] = field(default_factory=list)
    declared: Declared | None = None
    # the optimised layout's inter-provincial clusters as metrics.json lists them (their parts and notes); [] in a
    # folder written before they were listed
    group_clusters: list[dict] = field(default_factory=list)
    changes: Changes | None = None  # against the reference layout; None: the scenario names none
    capacity_unit: str = "capacity units"  # the scenario's (metrics.json scenario.capacity_unit)

    @property
    def unit(self) -> str:
        """The capacity unit as tooltips and legends say it after a number: its words before any bracket
        ("index units" of "index units (100 = national target of each industry)")."""
        return self.capacity_unit.split(" (", 1)[0].strip() or "capacity units"

    @property
    def modelled(self) -> list[str]:
        return [c for c, u in self.units.items() if u.modelled]

    @property
    def not_modelled(self) -> list[str]:
        return [c for c, u in self.units.items() if not u.modelled]


def read_table(
    path: Path, *, tiers: tuple[str, ...] = TIERS, period: bool = False
) -> tuple[list[Row], dict[str, str], dict[str, tuple[str, str]]]:
    """Rows of an assignment/baseline/declared table, region names, and industry (name, kind) by code.

    ``tiers``: the tiers allowed; ``period``: the table has a leading ``period`` column (phasing.csv).
    InputError naming the file and line of every bad row (a capacity that is no finite number, a tier not
    allowed, an empty period; at most MAX_LISTED listed), or the file for a table that is no such table.
    """
    table, lines = read_csv_lines(path, (("period",) if period else ()) + COLUMNS, ("capacity",))
    label = str(path)
    rows, problems = [], []
    regions: dict[str, str] = {}
    industries: dict[str, tuple[str, str]] = {}
    for line, rec in zip(lines, table.to_dict("records")):
        if not math.isfinite(rec["capacity"]):
            problems.append(Problem(label, line, "capacity", "a finite number", str(rec["capacity"])))
        if rec["tier"] not in tiers:
            problems.append(Problem(label, line, "tier", f"one of {', '.join(tiers)}", repr(rec["tier"])))
        year = rec["period"].strip() if period else ""
        if period and not year:
            problems.append(Problem(label, line, "period", "the year of a plan period", "an empty cell"))
        rows.append(
            Row(
                region=rec["region_code"].strip(),
                industry=rec["industry"].strip(),
                capacity=rec["capacity"],
                tier=rec["tier"],
                kind=rec["kind"],
                group=rec["group"].strip(),
                group_name=rec["group_name"],
                period=year,
                line=line,
            )
        )
        regions.setdefault(rows[-1].region, rec["region_name"])
        industries.setdefault(rows[-1].industry, (rec["industry_name"], rec["kind"]))
    if problems:
        raise InputError(capped(problems, label))
    return rows, regions, industries


def largest_part_point(geom) -> tuple[float, float]:
    parts = list(getattr(geom, "geoms", [geom]))
    biggest = max(parts, key=lambda g: g.area)
    p = biggest.point_on_surface()
    return (p.x, p.y)


def read_units(path: Path) -> dict[str, Unit]:
    """The drawn units of a results folder's layout.geojson (read and checked by layout.results.folder).

    InputError naming the file and the feature (`features.<n>`) of every unit without a code or an outline
    that can be drawn (at most MAX_LISTED listed), or the file when it has no unit at all."""
    features = read_units_geojson(path)["features"]
    label = str(path)
    units: dict[str, Unit] = {}
    problems: list[Problem] = []
    for n, feature in enumerate(features):
        props = feature["properties"]
        code = props["region_code"].strip()
        if not code:
            problems.append(Problem(label, None, f"features.{n}.properties.region_code", "a region code", "''"))
            continue
        geometry = feature.get("geometry")
        outline = f"features.{n}.geometry", f"the outline of region {code}"
        if geometry is None:
            problems.append(Problem(label, None, *outline, "none (null)"))
            continue
        try:
            geom = shape(geometry)
        except Exception as exc:  # shapely raises several kinds for a malformed geometry
            problems.append(Problem(label, None, *outline, f"a malformed geometry ({type(exc).__name__})"))
            continue
        if geom.is_empty:
            problems.append(Problem(label, None, *outline, "an empty geometry"))
            continue
        modelled = props.get("modelled", True)
        if isinstance(modelled, str):
            modelled = modelled.strip().lower() in ("true", "1", "yes")
        units[code] = Unit(code, str(props.get("region_name") or code), bool(modelled), geom, largest_part_point(geom))
    if not features:
        problems.append(Problem(label, None, "features", "at least one drawn unit", "none"))
    if problems:
        raise InputError(capped(problems, label))
    return units


class _Reader:
    """Reads the tables of one folder against its units and industries (which it completes)."""

    def __init__(self, units: dict[str, Unit], industries: dict[str, Industry]):
        self.units, self.industries = units, industries

    def rows(self, path: Path, **kw) -> list[Row]:
        """The rows of table `path` (`read_table`); InputError naming the file and the first line of every region
        that layout.geojson does not draw, or marks not modelled."""
        rows, region_names, industry_names = read_table(path, **kw)
        for code, (name, kind) in industry_names.items():
            if code not in self.industries:
                self.industries[code] = Industry(code, name or code, kind, PALETTE[len(self.industries) % len(PALETTE)])
        first: dict[str, int] = {}  # region -> the line it first appears on
        for r in rows:
            first.setdefault(r.region, r.line)
        problems = []
        for code, line in first.items():
            if code not in self.units:
                problems.append(Problem(str(path), line, "region_code", f"a region drawn in {LAYOUT_GEOJSON}", code))
            elif not self.units[code].modelled:
                problems.append(
                    Problem(
                        str(path),
                        line,
                        "region_code",
                        f"a region modelled in {LAYOUT_GEOJSON}",
                        f"{code}, not modelled",
                    )
                )
        if problems:
            raise InputError(capped(problems, str(path)))
        # Unit names from the table win over the geometry file only when the latter has none.
        for code, name in region_names.items():
            u = self.units[code]
            if u.name == code and name:
                self.units[code] = Unit(u.code, name, u.modelled, u.geom, u.point)
        return rows


def load(result_dir: Path, *, baseline: bool = True, extras: bool = True) -> Results:
    """Read a results folder (`layout.results.folder.read_folder`). ``extras``: also the declared plans and the
    periods, when written. InputError naming the folder, file and line or key for a folder that is no results
    folder, lacks a file the map needs, or holds a file that is not right."""
    needed = REQUIRED_FILES if baseline else tuple(n for n in REQUIRED_FILES if n != BASELINE_CSV)
    received = read_folder(result_dir, *needed)
    folder, metrics = received.path, received.metrics
    dups = section(metrics, "duplications")  # its lists are checked (Metrics); each layout's must be there
    for role in ("optimised", "baseline") if baseline else ("optimised",):
        if role not in dups:
            raise InputError(
                Problem(
                    str(folder / METRICS_JSON),
                    None,
                    f"duplications.{role}",
                    f"the {role} layout's neighbour duplications (a list, as `layout solve` writes)",
                    "nothing (the key is missing)",
                )
            )

    units = read_units(folder / LAYOUT_GEOJSON)
    tables = {"optimised": folder / ASSIGNMENT_CSV}
    if baseline:
        tables["baseline"] = folder / BASELINE_CSV

    industries: dict[str, Industry] = {}
    for item in metrics.get("industries") or []:
        code = str(item.get("code", "")).strip()
        if code and code not in industries:
            industries[code] = Industry(
                code,
                str(item.get("name") or code),
                str(item.get("kind") or ""),
                PALETTE[len(industries) % len(PALETTE)],
            )
    reader = _Reader(units, industries)
    plans = {role: Plan.of(role, reader.rows(path), dups.get(role)) for role, path in tables.items()}

    groups: dict[str, dict] = {}
    for g in metrics.get("groups") or []:
        gid = str(g.get("id", "")).strip()
        if gid:
            groups[gid] = {
                "name": str(g.get("name") or gid),
                "members": [str(m).strip() for m in g.get("members") or []],
            }
    for r in plans["optimised"].rows.values():
        for row in r:
            if row.tier == "inter-provincial" and row.group:
                g = groups.setdefault(row.group, {"name": row.group_name or row.group, "members": []})
                if row.region not in g["members"]:
                    g["members"].append(row.region)

    scenario = str((metrics.get("scenario") or {}).get("name") or folder.name)
    listed = section(metrics, "optimised").get("group_clusters")  # checked by the Metrics shape
    res = Results(folder, scenario, industries, units, plans, groups, group_clusters=list(listed or []))
    res.capacity_unit = str((metrics.get("scenario") or {}).get("capacity_unit") or res.capacity_unit)
    res.changes = _read_changes(folder, metrics, units)
    if extras:
        if (folder / PHASING_CSV).is_file():
            res.periods = _read_periods(folder, metrics, reader)
        if (folder / DECLARED_CSV).is_file():
            res.declared = _read_declared(folder, metrics, reader)
    return res


def _read_changes(folder: Path, metrics: dict, units: dict[str, Unit]) -> Changes | None:
    """metrics.json's `changes` (its shape checked by layout.results.folder), or None without one; InputError naming
    the key of every region that layout.geojson does not draw as modelled."""
    record = section(metrics, "changes")
    if not record:
        return None
    regions: dict[str, RegionChange] = {}
    problems = []
    for n, r in enumerate(record.get("by_region") or []):
        code = r["code"].strip()
        if code not in units or not units[code].modelled:
            where = f"changes.by_region.{n}.code"
            problems.append(
                Problem(str(folder / METRICS_JSON), None, where, f"a region modelled in {LAYOUT_GEOJSON}", code)
            )
            continue
        lists = (tuple(str(i) for i in r.get(k) or []) for k in ("kept", "added", "removed"))
        regions[code] = RegionChange(code, r["name"] or units[code].name, *lists)
    if problems:
        raise InputError(capped(problems, str(folder / METRICS_JSON)))
    kept, added, removed, count = (int(record[k]) for k in ("kept", "added", "removed", "changes"))
    return Changes(str(record.get("text") or ""), kept, added, removed, count, regions)


def _read_periods(folder: Path, metrics: dict, reader: _Reader) -> list[Period]:
    """The periods of phasing.csv, in year order; each period's duplications from
    periods/<year>/metrics.json when that folder is there."""
    rows = reader.rows(folder / PHASING_CSV, period=True)
    summaries = section(metrics, "periods")
    by_year: dict[str, list[Row]] = {}
    for r in rows:
        by_year.setdefault(r.period, []).append(r)
    for year in summaries:  # a period with no cluster at all has no row in phasing.csv
        by_year.setdefault(str(year), [])
    out = []
    for year in sorted(by_year, key=lambda y: (not y.isdigit(), int(y) if y.isdigit() else 0, y)):
        own = folder / PERIODS_DIR / year / METRICS_JSON
        dups = read_json(own, Metrics).get("duplications") if own.is_file() else None
        dups = dups.get("optimised") if isinstance(dups, dict) else []
        summary = (summaries.get(year) or {}).get("optimised") or {}
        out.append(Period(year, Plan.of(f"period-{year}", by_year[year], dups), summary))
    return out


def _read_declared(folder: Path, metrics: dict, reader: _Reader) -> Declared:
    path = folder / DECLARED_CSV
    rows = reader.rows(path, tiers=(DECLARED_TIER,))
    info = section(metrics, "declared")
    modelled = [c for c, u in reader.units.items() if u.modelled]
    covered = [str(c) for c in info.get("covered") or []] or sorted({r.region for r in rows})
    covered = [c for c in covered if c in reader.units]
    not_covered = [str(c) for c in info.get("not_covered") or []] or [c for c in modelled if c not in covered]
    # The folder's sentence is English (metrics.json's words); a page in another language says it anew.
    coverage = str(info.get("coverage") or "") if current() == "en" else ""
    coverage = coverage or tr(
        "declared plans cover {covered} of {total} regions (sourced rows only); the other {others} have no sourced plan",
        covered=len(covered),
        total=len(covered) + len(not_covered),
        others=len(not_covered),
    )
    unmapped = {str(k): [str(x) for x in v] for k, v in (info.get("unmapped") or {}).items() if isinstance(v, list)}
    not_laid_out = {
        str(k): {str(i): [str(x) for x in p] for i, p in v.items() if isinstance(p, list)}
        for k, v in (info.get("not_laid_out") or {}).items()
        if isinstance(v, dict)
    }
    reasons = {str(i): str(t) for i, t in (info.get("not_laid_out_reasons") or {}).items()}
    listed = (metrics.get("duplications") or {}).get("declared")
    if isinstance(listed, list):
        dups, derived = listed, False
    else:
        dups, derived = _neighbour_duplications(rows, reader.units), True
    return Declared(
        Plan.of("declared", rows, dups), covered, not_covered, coverage, unmapped, not_laid_out, reasons, derived
    )


def touching_pairs(units: dict[str, Unit]) -> list[tuple[str, str]]:
    """Pairs of modelled units whose boundaries touch or overlap (queen contiguity), sorted."""
    codes = sorted(c for c, u in units.items() if u.modelled)
    geoms = [units[c].geom for c in codes]
    a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    return sorted({(codes[i], codes[j]) for i, j in zip(a, b) if i < j})


def _neighbour_duplications(rows: list[Row], units: dict[str, Unit]) -> list[dict]:
    """Neighbour pairs (shared boundaries) that both declared the same industry: the map's own count
    when metrics.json lists none (links across straits that a constraint file declares are not known here)."""
    held = {(r.region, r.industry) for r in rows}
    industries = sorted({r.industry for r in rows})
    return [
        {"a": a, "b": b, "industry": i, "weight": 1.0}
        for a, b in touching_pairs(units)
        for i in industries
        if (a, i) in held and (b, i) in held
    ]


def read_sea():
    """The South China Sea dashed line (a shapely geometry), or None if the file is not there."""
    path = geodata_file(SEA_FILE)
    if not path.is_file():
        warnings.warn(f"{path} is missing: the map is drawn without the South China Sea dashed line", stacklevel=3)
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("type") == "FeatureCollection":
        geoms = [shape(f["geometry"]) for f in data["features"] if f.get("geometry")]
    elif data.get("type") == "Feature":
        geoms = [shape(data["geometry"])]
    else:
        geoms = [shape(data)]
    return shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]


def dissolve(geoms):
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    try:
        if shapely.coverage_is_valid(geoms):
            return shapely.coverage_union_all(geoms)
    except Exception:  # noqa: BLE001 - fall back to a plain union below
        pass
    return shapely.union_all(geoms)


def duplication_pairs(res: Results, plan: Plan) -> list[tuple[str, str, list[tuple[str, float]]]]:
    """Duplications merged by pair of regions (one line each): (a, b, [(industry, weight), ...])."""
    pairs: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for d in plan.duplications:
        a, b = str(d.get("a", "")).strip(), str(d.get("b", "")).strip()
        if a not in res.units or b not in res.units or a == b:
            continue
        try:
            w = float(d.get("weight", 1.0))
        except (TypeError, ValueError):
            w = 1.0
        pairs.setdefault((min(a, b), max(a, b)), []).append((str(d.get("industry", "")), w))
    return [(a, b, items) for (a, b), items in pairs.items()]


def group_outlines(res: Results, plan: Plan) -> list[dict]:
    """Inter-provincial clusters active in ``plan``, one outline per group: ``id``, ``name``, ``members`` (the regions
    holding capacity in any of its clusters, largest first; the outline is dissolved from them), ``industries``,
    ``clusters`` (each industry's record of `layout.results.metrics.group_clusters`: members with capacity and share;
    for the optimised plan, the parts and the note on them that metrics.json lists), ``colour`` and ``point``."""
    records = []
    for rows in plan.rows.values():
        for r in rows:
            if r.tier == "inter-provincial" and r.group:
                name = r.group_name or res.groups.get(r.group, {}).get("name") or r.group
                unit = res.units.get(r.region)
                records.append(
                    [r.region, unit.name if unit else r.region, r.industry, r.capacity, r.tier, r.group, name]
                )
    columns = ["region_code", "region_name", "industry", "capacity", "tier", "group", "group_name"]
    listed = {(c.get("group"), c.get("industry")): c for c in res.group_clusters} if plan.role == "optimised" else {}
    by_group: dict[str, list[dict]] = {}
    for c in group_clusters(pd.DataFrame(records, columns=columns)):
        known = listed.get((c["group"], c["industry"]))
        if known is not None:
            c.update({k: known[k] for k in ("parts", "note", "of") if k in known})
        by_group.setdefault(c["group"], []).append(c)
    out = []
    for n, (gid, clusters) in enumerate(sorted(by_group.items())):
        held: dict[str, float] = {}
        for c in clusters:
            for m in c["members"]:
                held[m["region"]] = held.get(m["region"], 0.0) + m["capacity"]
        members = sorted(held, key=lambda code: (-held[code], code))
        geom = dissolve([res.units[m].geom for m in members if m in res.units])
        if geom is None:
            continue
        out.append(
            {
                "id": gid,
                "name": res.groups.get(gid, {}).get("name") or clusters[0]["name"],
                "members": members,
                "geom": geom,
                "industries": [c["industry"] for c in clusters],
                "clusters": clusters,
                "colour": GROUP_COLOURS[n % len(GROUP_COLOURS)],
                "point": largest_part_point(geom),
            }
        )
    return out


def label_points(units: list[Unit], radius: float = 1.5) -> list[tuple[float, float, list[Unit]]]:
    """Units whose representative points are within ``radius`` degrees share one label."""
    clusters: list[list[Unit]] = []
    for u in units:
        for c in clusters:
            if any(math.dist(u.point, v.point) <= radius for v in c):
                c.append(u)
                break
        else:
            clusters.append([u])
    return [(sum(u.point[0] for u in c) / len(c), sum(u.point[1] for u in c) / len(c), c) for c in clusters]


@dataclass(frozen=True)
class NationalCluster:
    """One row of geodata/sei_clusters_2019.csv: a national SEI cluster (2019) named by city, no coordinates."""

    region: str  # province adcode
    province: str
    city: str
    industry: str
    sources: tuple[str, ...]
    row_id: str


def read_clusters_2019(path: Path | None = None) -> list[NationalCluster] | None:
    """The listed national SEI clusters of 2019, or None (with a warning) if the file is not there."""
    path = Path(path) if path is not None else geodata_file(CLUSTERS_2019_FILE)
    if not path.is_file():
        warnings.warn(f"{path} is missing: the map is drawn without the national SEI clusters of 2019", stacklevel=3)
        return None
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in CLUSTERS_2019_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(
                Problem(
                    str(path),
                    1,
                    "",
                    f"the national SEI clusters of 2019, with columns {', '.join(CLUSTERS_2019_COLUMNS)}",
                    f"no {', '.join(missing)}",
                )
            )
        out = []
        for rec in reader:
            code = (rec["province_adcode"] or "").strip()
            if not code:
                raise InputError(Problem(str(path), reader.line_num, "province_adcode", "a province code", "''"))
            out.append(
                NationalCluster(
                    code,
                    rec["province_zh"].strip(),
                    rec["city_zh"].strip(),
                    rec["industry_zh"].strip(),
                    tuple(s.strip() for s in rec["source_ids"].split(";") if s.strip()),
                    rec["row_id"].strip(),
                )
            )
    return out
