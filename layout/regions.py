"""Regions: boundaries, indicators and neighbours, from geodata/ or from the user's own files.

Neighbours are computed from the geometry (queen contiguity: two regions are neighbours when their
boundaries touch, even at a point) plus the links a constraint file declares (e.g. across a strait).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layout.errors import InputError, Problem
from layout.paths import geodata_file
from layout.spec import LoadedSpec

# China Albers equal-area conic (standard parallels 25°N and 47°N), for areas in km².
CHINA_ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +datum=WGS84 +units=m +no_defs"
EMBEDDED_BOUNDARIES = "provinces.geojson"
EMBEDDED_INDICATORS = "provinces.csv"
GEOMETRY_AREA = "land_area_geom_km2"


@dataclass
class RegionSet:
    """The drawn units, the modelled regions' indicators and the neighbour pairs."""

    drawn: gpd.GeoDataFrame  # index: region code (str); columns: name, modelled (bool), geometry (lon/lat)
    indicators: pd.DataFrame  # index: modelled region codes; float columns, NaN = no data
    neighbours: list[tuple[str, str, str]]  # (a, b, basis) with a < b; basis "boundary" or the link's reason
    boundary_file: Path
    indicator_file: Path

    @property
    def codes(self) -> list[str]:
        """Modelled region codes, sorted."""
        return list(self.indicators.index)

    def name(self, code: str) -> str:
        """The region's name."""
        return str(self.drawn.at[code, "name"])


def _read_boundaries(path: Path, code_field: str, name_field: str) -> gpd.GeoDataFrame:
    """Read a GeoJSON/GeoPackage; check codes, names and geometries; index by code."""
    label = str(path)
    if not path.is_file():
        raise InputError(Problem(label, None, "", "an existing boundary file (GeoJSON or GeoPackage)", "no such file"))
    try:
        gdf = gpd.read_file(path)
    except Exception as e:  # pyogrio raises several types for unreadable files
        raise InputError(Problem(label, None, "", "a GeoJSON or GeoPackage file", f"unreadable ({type(e).__name__}: {str(e)[:100]})")) from None
    problems = []
    for fld in (code_field, name_field):
        if fld not in gdf.columns:
            problems.append(Problem(label, None, fld, f"a property `{fld}` on every feature", f"properties {sorted(c for c in gdf.columns if c != 'geometry')}"))
    if problems:
        raise InputError(problems)
    if gdf.crs is not None and not gdf.crs.is_geographic:
        raise InputError(Problem(label, None, "crs", "geographic coordinates (longitude/latitude)", str(gdf.crs)))
    codes = gdf[code_field].astype(str).str.strip()
    for i, (code, geom) in enumerate(zip(codes, gdf.geometry)):
        feature = f"feature {i + 1} ({code_field}={code})"
        if code in ("", "nan", "None"):
            problems.append(Problem(label, None, f"feature {i + 1}", f"a non-empty `{code_field}`", "an empty code"))
        if geom is None or geom.is_empty:
            problems.append(Problem(label, None, feature, "a polygon geometry", "an empty geometry"))
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(label, None, feature, "a polygon geometry", geom.geom_type))
        elif not geom.is_valid:
            problems.append(Problem(label, None, feature, "a valid polygon", shapely.is_valid_reason(geom)))
    for code in sorted(codes[codes.duplicated()].unique()):
        problems.append(Problem(label, None, f"{code_field}={code}", "each code once", "a duplicate code"))
    if problems:
        raise InputError(problems)
    out = gpd.GeoDataFrame({"name": gdf[name_field].astype(str).values}, geometry=gdf.geometry.values, index=pd.Index(codes.values, name="code"), crs=gdf.crs or "EPSG:4326")
    if "modelled" in gdf.columns:
        out["modelled"] = gdf["modelled"].astype(bool).values
    else:
        out["modelled"] = True
    return out


def _read_indicators(path: Path, code_field: str, text_columns: tuple[str, ...]) -> pd.DataFrame:
    """Read an indicator CSV keyed by region code; every other column must be numeric and >= 0."""
    label = str(path)
    if not path.is_file():
        raise InputError(Problem(label, None, "", "an existing indicator CSV", "no such file"))
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as e:
        raise InputError(Problem(label, None, "", "a CSV file with a header row", f"unreadable ({type(e).__name__})")) from None
    if code_field not in raw.columns:
        raise InputError(Problem(label, 1, code_field, f"a column `{code_field}`", f"columns {list(raw.columns)}"))
    problems = []
    codes = raw[code_field].str.strip()
    for code in sorted(codes[codes.duplicated()].unique()):
        problems.append(Problem(label, None, f"{code_field}={code}", "each code once", "a duplicate code"))
    data = {}
    for col in raw.columns:
        if col == code_field or col in text_columns:
            continue
        values = []
        for row, cell in enumerate(raw[col], start=2):
            cell = cell.strip()
            if cell == "":
                values.append(np.nan)
                continue
            try:
                v = float(cell)
            except ValueError:
                problems.append(Problem(label, row, col, "a number or an empty cell (no data)", repr(cell)))
                continue
            if math.isnan(v) or math.isinf(v) or v < 0:
                problems.append(Problem(label, row, col, "a finite number >= 0 or an empty cell (no data)", repr(cell)))
                continue
            values.append(v)
        data[col] = values
    if problems:
        raise InputError(problems)
    return pd.DataFrame(data, index=pd.Index(codes.values, name="code"))


def _geometry_area_km2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Area of each geometry in km², in the China Albers equal-area projection."""
    return gdf.to_crs(CHINA_ALBERS).geometry.area / 1e6


def _touching_pairs(gdf: gpd.GeoDataFrame) -> list[tuple[str, str]]:
    """Pairs of regions whose boundaries touch or overlap (queen contiguity), sorted."""
    geoms = gdf.geometry.values
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    codes = np.asarray(gdf.index)
    return sorted({(codes[a], codes[b]) for a, b in zip(left, right) if codes[a] < codes[b]})


def load_regions(spec: LoadedSpec) -> RegionSet:
    """The regions a scenario names, with indicators and neighbours. Raises InputError."""
    cfg = spec.scenario.regions
    if cfg.source == "embedded":
        bfile, ifile = geodata_file(EMBEDDED_BOUNDARIES), geodata_file(EMBEDDED_INDICATORS)
        drawn = _read_boundaries(bfile, "code", "name_en")
        indicators = _read_indicators(ifile, "adcode", ("name_zh", "name_en"))
    else:
        bfile, ifile = spec.resolve(cfg.boundaries), spec.resolve(cfg.indicators)
        drawn = _read_boundaries(bfile, cfg.code_field, cfg.name_field)
        indicators = _read_indicators(ifile, cfg.code_field, (cfg.name_field,))
    problems = []
    for i, code in enumerate(cfg.exclude):
        if code not in drawn.index:
            problems.append(spec.problem(("regions", "exclude", i), "a region code of the boundary file", repr(code)))
    drawn.loc[drawn.index.isin(cfg.exclude), "modelled"] = False
    modelled = drawn.index[drawn["modelled"]]
    no_data = [c for c in modelled if c not in indicators.index]
    no_geometry = [c for c in indicators.index if c not in drawn.index]
    if no_data:
        problems.append(Problem(str(ifile), None, "", f"a row for every modelled region of {bfile.name}", f"no row for {', '.join(no_data[:10])}"))
    if no_geometry:
        problems.append(Problem(str(bfile), None, "", f"a feature for every region of {ifile.name}", f"no feature for {', '.join(no_geometry[:10])}"))
    for i, link in enumerate(cfg.links):
        for end in ("a", "b"):
            code = getattr(link, end)
            if code not in modelled:
                problems.append(spec.problem(("regions", "links", i, end), "a modelled region code", repr(code)))
    if problems:
        raise InputError(problems)
    indicators = indicators.loc[sorted(modelled)].copy()
    if cfg.source == "embedded":
        indicators[GEOMETRY_AREA] = _geometry_area_km2(drawn.loc[indicators.index]).values
    model_geoms = drawn.loc[indicators.index]
    neighbours = [(a, b, "boundary") for a, b in _touching_pairs(model_geoms)]
    known = {(a, b) for a, b, _ in neighbours}
    for link in cfg.links:
        a, b = sorted((link.a, link.b))
        if a != b and (a, b) not in known:
            neighbours.append((a, b, link.reason or "declared link"))
            known.add((a, b))
    return RegionSet(drawn.sort_index(), indicators, sorted(neighbours), bfile, ifile)
