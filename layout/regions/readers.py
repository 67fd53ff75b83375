"""Regions: boundaries, indicators and neighbours, from geodata/ or from the user's own files.

Neighbours are computed from the geometry (queen contiguity: two regions are neighbours when their
boundaries touch, even at a point) plus the links a constraint file declares (e.g. across a strait).
"""

from __future__ import annotations

import csv
import io
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from layout.errors import InputError, Problem
from layout.inputs import GEO_LIMIT, TEXT_LIMIT, not_readable, read_text

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
    levels: Any = None  # layout.regions.fine.Levels: how units nest in provinces (finer resolutions, parent_field); None = one level
    # sentences for the instance's `missing` list (e.g. isolated regions)
    notes: list[str] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """Modelled region codes, sorted."""
        return list(self.indicators.index)

    def name(self, code: str) -> str:
        """The region's name."""
        return str(self.drawn.at[code, "name"])


MAX_LISTED = 20  # problems listed per file; the rest are counted


def capped(problems: list[Problem], label: str) -> list[Problem]:
    """At most MAX_LISTED problems of one file, then one line counting the rest."""
    if len(problems) <= MAX_LISTED:
        return problems
    return problems[:MAX_LISTED] + [
        Problem(label, None, "", "the problems above fixed", f"{len(problems) - MAX_LISTED} more not listed")
    ]


def _text(value) -> str:
    """A property or cell as text: '' for null/NaN, 110000 for 110000.0 (a code column with gaps is read as float)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def not_a_file(path: Path, limit: int = TEXT_LIMIT) -> str | None:
    """Why `path` is not a data file this program reads ('no such file: …', 'a folder: …', too large), or None."""
    why = not_readable(path, limit)
    return None if why is None else f"{why}: {path}"


def feature_label(i: int, code_field: str, code: str) -> str:
    """How a message names the i-th feature (0-based): 'feature 2 (code=B)', or 'feature 2' without a code."""
    return f"feature {i + 1} ({code_field}={code})" if code else f"feature {i + 1}"


def _unbuildable(path: Path, code_field: str) -> list[Problem]:
    """Features whose geometry GEOS cannot build (e.g. a polygon ring not closed), read one by one as WKB."""
    with warnings.catch_warnings():  # GDAL warns about each unclosed ring
        warnings.simplefilter("ignore")
        meta, _, wkbs, columns = pyogrio.raw.read(path)
    fields = list(meta["fields"])
    codes = columns[fields.index(code_field)] if code_field in fields else [None] * len(wkbs)
    problems = []
    for i, (wkb, code) in enumerate(zip(wkbs, codes)):
        try:
            shapely.from_wkb(wkb)
        except shapely.errors.GEOSException as e:
            problems.append(
                Problem(
                    str(path),
                    None,
                    feature_label(i, code_field, _text(code)),
                    "a valid polygon",
                    str(e).split(": ", 1)[-1],
                )
            )
    return problems


def read_boundaries(path: Path, code_field: str, name_field: str) -> gpd.GeoDataFrame:
    """Read a GeoJSON/GeoPackage; check codes, names and geometries; index by code."""
    label = str(path)
    why = not_a_file(path, GEO_LIMIT)
    if why:
        raise InputError(Problem(label, None, "", "an existing boundary file (GeoJSON or GeoPackage)", why))
    if path.stat().st_size == 0:
        raise InputError(Problem(label, None, "", "a GeoJSON or GeoPackage file", "an empty file"))
    try:
        with warnings.catch_warnings():  # GDAL warns (e.g. unclosed rings) before it raises or repairs
            warnings.simplefilter("ignore")
            gdf = gpd.read_file(path)
    except Exception as e:  # pyogrio raises several types for unreadable files
        unbuildable = _unbuildable(path, code_field) if isinstance(e, shapely.errors.GEOSException) else []
        if unbuildable:
            raise InputError(capped(unbuildable, label)) from None
        msg = str(e).replace(f"'{path}'", "the file").replace(str(path), "the file")
        if "not recognized as" in msg or "not recognised as" in msg:
            msg = "a file in no format GDAL recognises (a CSV or text file renamed?)"
        raise InputError(
            Problem(label, None, "", "a GeoJSON or GeoPackage file", f"unreadable: {type(e).__name__}: {msg[:160]}")
        ) from None
    if len(gdf) == 0:
        raise InputError(Problem(label, None, "", "at least one feature (a polygon per region)", "no features"))
    problems = []
    for fld in (code_field, name_field):
        if fld not in gdf.columns:
            problems.append(
                Problem(
                    label,
                    None,
                    fld,
                    f"a property `{fld}` on every feature",
                    f"properties {sorted(c for c in gdf.columns if c != 'geometry')}",
                )
            )
    if problems:
        raise InputError(problems)
    if gdf.crs is not None and not gdf.crs.is_geographic:
        raise InputError(
            Problem(label, None, "crs", "geographic coordinates (longitude/latitude, e.g. EPSG:4326)", str(gdf.crs))
        )
    codes = pd.Series([_text(v) for v in gdf[code_field]], dtype=object)
    names = [_text(v) for v in gdf[name_field]]
    first: dict[str, int] = {}
    for i, (code, name, geom) in enumerate(zip(codes, names, gdf.geometry)):
        feature = feature_label(i, code_field, code)
        if not code:
            problems.append(Problem(label, None, feature, f"a non-empty `{code_field}`", "an empty or missing code"))
        elif code in first:
            problems.append(
                Problem(label, None, feature, "each code once", f"a duplicate code (also feature {first[code]})")
            )
        else:
            first[code] = i + 1
        if not name:
            problems.append(Problem(label, None, feature, f"a non-empty `{name_field}`", "an empty or missing name"))
        if geom is None or geom.is_empty:
            problems.append(Problem(label, None, feature, "a polygon geometry", "an empty geometry"))
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(label, None, feature, "a polygon geometry", geom.geom_type))
        elif not geom.is_valid:
            problems.append(Problem(label, None, feature, "a valid polygon", shapely.is_valid_reason(geom)))
        else:
            x0, y0, x1, y1 = geom.bounds
            if not (-180 <= x0 and x1 <= 180 and -90 <= y0 and y1 <= 90):
                problems.append(
                    Problem(
                        label,
                        None,
                        feature,
                        "longitude/latitude coordinates (within ±180° and ±90°)",
                        f"coordinates up to ({max(abs(x0), abs(x1)):g}, {max(abs(y0), abs(y1)):g}): a projected file "
                        "(e.g. metres in EPSG:3857) without a crs member? Reproject it to EPSG:4326",
                    )
                )
    if problems:
        raise InputError(capped(problems, label))
    out = gpd.GeoDataFrame(
        {"name": names},
        geometry=gdf.geometry.values,
        index=pd.Index(codes.values, name="code"),
        crs=gdf.crs or "EPSG:4326",
    )
    if "modelled" in gdf.columns:
        out["modelled"] = gdf["modelled"].astype(bool).values
    else:
        out["modelled"] = True
    return out


def read_indicators(path: Path, code_field: str, text_columns: tuple[str, ...]) -> pd.DataFrame:
    """Read an indicator CSV keyed by region code; every other column must be numeric and >= 0.

    `attrs["lines"]` maps each code to its line in the file (for messages).
    """
    label = str(path)
    text = read_text(path, "an indicator CSV file", encoding="utf-8-sig")
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        records = [(reader.line_num, row) for row in reader if row]
    except csv.Error as e:
        raise InputError(Problem(label, None, "", "a CSV file", f"unreadable: {e}")) from None
    if not header or not any(h.strip() for h in header):
        raise InputError(
            Problem(
                label,
                1,
                "",
                "a header row naming the columns",
                "an empty file" if not text.strip() else "an empty header",
            )
        )
    header = [h.strip() for h in header]
    problems = []
    for col in sorted({h for h in header if header.count(h) > 1}):
        problems.append(Problem(label, 1, col, "each column name once", "a duplicate column name"))
    if code_field not in header:
        problems.append(Problem(label, 1, code_field, f"a column `{code_field}`", f"columns {header}"))
    if problems:
        raise InputError(problems)
    rows: list[tuple[int, str, dict[str, str]]] = []
    lines: dict[str, int] = {}
    for line, row in records:
        if len(row) != len(header):
            problems.append(Problem(label, line, "", f"{len(header)} fields, as in the header", f"{len(row)} fields"))
            continue
        cells = dict(zip(header, (c.strip() for c in row)))
        code = cells[code_field]
        if not code:
            problems.append(Problem(label, line, code_field, "a region code", "an empty cell"))
        elif code in lines:
            problems.append(
                Problem(label, line, code_field, "each code once", f"{code!r} again (also on line {lines[code]})")
            )
        else:
            lines[code] = line
        rows.append((line, code, cells))
    data: dict[str, list[float]] = {col: [] for col in header if col != code_field and col not in text_columns}
    for line, _, cells in rows:
        for col, values in data.items():
            cell = cells[col]
            if cell == "":
                values.append(np.nan)
                continue
            try:
                v = float(cell)
            except ValueError:
                problems.append(Problem(label, line, col, "a number or an empty cell (no data)", repr(cell)))
                continue
            if math.isnan(v) or math.isinf(v) or v < 0:
                problems.append(
                    Problem(label, line, col, "a finite number >= 0 or an empty cell (no data)", repr(cell))
                )
                continue
            values.append(v)
    if problems:
        raise InputError(capped(problems, label))
    out = pd.DataFrame(data, index=pd.Index([code for _, code, _ in rows], name="code"), dtype=float)
    out.attrs["lines"] = lines
    return out


def geometry_area_km2(gdf: gpd.GeoDataFrame) -> pd.Series:
    """Area of each geometry in km², in the China Albers equal-area projection."""
    return gdf.to_crs(CHINA_ALBERS).geometry.area / 1e6


def touching_pairs(gdf: gpd.GeoDataFrame) -> list[tuple[str, str]]:
    """Pairs of regions whose boundaries touch or overlap (queen contiguity), sorted."""
    geoms = gdf.geometry.values
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    codes = np.asarray(gdf.index)
    return sorted({(codes[a], codes[b]) for a, b in zip(left, right) if codes[a] < codes[b]})
