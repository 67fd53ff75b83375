"""The optimised layout table and the GeoJSON of the drawn units, as a results folder holds them (written by
`layout.results.folder`); the coordinates they are written in (`layout solve --crs`)."""

from __future__ import annotations

import dataclasses
import json
from importlib import import_module, metadata

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layout.errors import COMMAND_LINE, Problem
from layout.language import tr
from layout.model.core import LayoutModel
from layout.model.instance import Instance
from layout.regions.readers import RegionSet
from layout.results.folder import COLUMNS
from layout.results.metrics import HELD

ON = 0.5  # a binary above this is 1
CRS_CHOICES = ("gcj02", "wgs84")  # `--crs`: the shipped boundaries as read (GCJ-02), or converted to WGS84
WGS84_LIBRARY = "geocoordinates-rs"  # the `wgs84` extra: GCJ-02 -> WGS84 (import name geocoordinates_ffi)
WGS84_INSTALL = "pip install 'cluster-layout[wgs84]'"


def solution_layout(m: LayoutModel) -> pd.DataFrame:
    """The optimised layout table: one row per region–industry that the solution designates and that holds capacity
    (more than HELD capacity units). A designated region holding nothing hosts nothing and has no row: a member of an
    inter-provincial cluster whose least member share its part's other units hold (a finer level, where the group's
    members are not sourced), or a cluster whose minimum is 0."""
    inst, rows = m.inst, []
    for r in inst.regions:
        for i, p in inst.industries.items():
            tier = group = ""
            if m.y[r, i].varValue > ON:
                tier = "provincial"
            elif m.h[r, i].varValue > ON:
                tier = "characteristic"
            else:
                active = [g for g in inst.groups_of(r) if m.z[g, i].varValue > ON]
                if active:
                    tier, group = "inter-provincial", active[0]
            cap = round(max(0.0, m.x[r, i].varValue), 6) if tier else 0.0
            if cap > HELD:
                rows.append(
                    [
                        r,
                        inst.region_names[r],
                        i,
                        p.name,
                        cap,
                        tier,
                        p.kind,
                        group,
                        inst.groups[group].name if group else "",
                    ]
                )
    return pd.DataFrame(rows, columns=COLUMNS)


def portfolio_texts(layout: pd.DataFrame) -> dict[str, str]:
    """Each region's portfolio as 'NGIT (provincial, 20); NE (characteristic, 5)' (capacity units), by region code."""
    out: dict[str, list[str]] = {}
    for r in layout.sort_values(["region_code", "industry"]).itertuples():
        out.setdefault(r.region_code, []).append(f"{r.industry} ({r.tier}, {r.capacity:g})")
    return {code: "; ".join(items) for code, items in out.items()}


def units_geojson(regions: RegionSet, inst: Instance, layout: pd.DataFrame) -> dict:
    """layout.geojson: every drawn unit with its code, name, whether it is modelled, its number of clusters and its
    portfolio, as a FeatureCollection (deterministic key order; lon/lat as in `regions.drawn`: the boundaries as read,
    or converted by `drawn_in`)."""
    counts = layout.groupby("region_code").size().to_dict()
    portfolios = portfolio_texts(layout)
    features = []
    for code, row in regions.drawn.iterrows():
        modelled = code in inst.region_names
        props = {
            "region_code": code,
            "region_name": row["name"],
            "modelled": modelled,
            "n_clusters": int(counts.get(code, 0)) if modelled else None,
            "portfolio": portfolios.get(code, "") if modelled else "not modelled",
        }
        features.append(
            {"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(row.geometry))}
        )
    return {"type": "FeatureCollection", "features": features}


def crs_problems(crs: str, own_boundaries: str | None) -> list[Problem]:
    """`--crs` refused (exit 2, once the constraint file is read, before its regions or any output): a value other
    than gcj02 or wgs84; wgs84 with the user's own boundary file (`own_boundaries`, as the constraint file names it;
    None: the shipped boundaries), whose datum this program cannot know; wgs84 without the `wgs84` extra's library."""
    if crs not in CRS_CHOICES:
        return [Problem(COMMAND_LINE, None, "--crs", tr("gcj02 or wgs84"), repr(crs))]
    if crs == "gcj02":
        return []
    if own_boundaries is not None:
        return [
            Problem(
                COMMAND_LINE,
                None,
                "--crs",
                tr(
                    "gcj02 with your own boundary file {file}: its coordinates are written as read, never converted "
                    "(their datum is unknown)",
                    file=own_boundaries,
                ),
                "wgs84",
            )
        ]
    try:
        import_module("geocoordinates_ffi")
    except ImportError:
        return [
            Problem(
                COMMAND_LINE,
                None,
                "--crs",
                tr("gcj02, or wgs84 once its library is installed: {command}", command=WGS84_INSTALL),
                tr("wgs84 without {library} installed", library=WGS84_LIBRARY),
            )
        ]
    return []


def in_wgs84(drawn: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, float]:
    """The drawn units (a GeoDataFrame of GCJ-02 longitude/latitude) with every vertex converted to WGS84 by
    geocoordinates-rs's refined inverse of the public GCJ-02 formula, and the largest error it reports (metres)."""
    gc = import_module("geocoordinates_ffi")
    worst = 0.0

    def convert(lonlat: np.ndarray) -> np.ndarray:
        nonlocal worst
        out = np.empty_like(lonlat)
        for k, (lon, lat) in enumerate(lonlat):
            p = gc.gcj02_to_wgs84_refined(gc.Gcj02(lat=float(lat), lon=float(lon)))
            out[k] = (p.lon, p.lat)
            worst = max(worst, float(p.max_error_m))
        return out

    geometry = shapely.transform(drawn.geometry.to_numpy(), convert)
    return drawn.set_geometry(gpd.GeoSeries(geometry, index=drawn.index, crs=drawn.crs)), worst


def drawn_in(regions: RegionSet, crs: str) -> tuple[RegionSet, float | None]:
    """The regions with their drawn units in `crs` (gcj02: as read; wgs84: converted, `in_wgs84`, once for every
    file written) and the conversion's largest reported error in metres (None: not converted)."""
    if crs != "wgs84":
        return regions, None
    drawn, error_m = in_wgs84(regions.drawn)
    return dataclasses.replace(regions, drawn=drawn), error_m


def wgs84_method() -> str:
    """The conversion as manifest.json and layout.gpkg's descriptions name it: library, version, function."""
    return f"{WGS84_LIBRARY} {metadata.version(WGS84_LIBRARY)} gcj02_to_wgs84_refined"


def coordinates_record(crs: str, shipped: bool, boundary_file: str, error_m: float | None) -> dict:
    """manifest.json's `coordinates`: the CRS the folder's geometries (layout.geojson, layout.gpkg) are in; with
    wgs84, how they were converted and the largest error the library reports (metres)."""
    if not shipped:
        return {"crs": "as read", "file": boundary_file}
    if error_m is None:
        return {"crs": "GCJ-02"}
    return {
        "crs": "WGS84",
        "converted_from": "GCJ-02",
        "method": wgs84_method(),
        "max_error_m": error_m,
    }
