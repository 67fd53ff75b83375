"""`layout solve --crs gcj02|wgs84` (issue 16): the shipped boundaries are GCJ-02; with wgs84 the geometries of
layout.geojson and layout.gpkg are converted to WGS84 vertex by vertex (geocoordinates-rs, the `wgs84` extra), and
the layers' descriptions and manifest.json say which CRS the coordinates are in. A user's own boundaries are written
as read: wgs84 is refused for them (exit 2), as it is without the extra. The default writes what it wrote before.

The embedded default is solved three times (no option, --crs gcj02, --crs wgs84), once per module.
"""

from __future__ import annotations

import json
import math
import sqlite3
import sys
from pathlib import Path

import geocoordinates_ffi as gc  # the `wgs84` extra (in the `test` extra)
import geopandas as gpd
import pytest
import shapely
from typer.testing import CliRunner

import layout
from layout.cli import app
from layout.errors import InputError
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
BEIJING = "110000"
EARTH_M = 6_371_000.0  # mean Earth radius, metres (haversine)


def solved(out: Path, *more: str) -> Path:
    result = runner.invoke(app, ["solve", "--out", str(out), "-q", *more])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """The embedded default solved with no --crs, --crs gcj02 and --crs wgs84."""
    root = tmp_path_factory.mktemp("crs")
    return {
        "default": solved(root / "default"),
        "gcj02": solved(root / "gcj02", "--crs", "gcj02"),
        "wgs84": solved(root / "wgs84", "--crs", "wgs84"),
    }


def shipped_vertex(code: str) -> tuple[float, float]:
    """The first vertex (lon, lat) of a province's first ring in geodata/provinces.geojson, as shipped (GCJ-02)."""
    doc = json.loads((ROOT / "geodata" / "provinces.geojson").read_text(encoding="utf-8"))
    (geometry,) = [f["geometry"] for f in doc["features"] if f["properties"]["code"] == code]
    lon, lat = shapely.get_coordinates(shapely.from_geojson(json.dumps(geometry)))[0]
    return float(lon), float(lat)


def units(folder: Path) -> dict[str, shapely.Geometry]:
    """layout.geojson's geometries by region code."""
    doc = json.loads((folder / "layout.geojson").read_text(encoding="utf-8"))
    return {f["properties"]["region_code"]: shapely.from_geojson(json.dumps(f["geometry"])) for f in doc["features"]}


def descriptions(folder: Path) -> dict[str, str]:
    """layout.gpkg's layer descriptions by layer name."""
    with sqlite3.connect(folder / "layout.gpkg") as db:
        return dict(db.execute("SELECT table_name, description FROM gpkg_contents").fetchall())


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (lon, lat) points, metres."""
    (lon1, lat1), (lon2, lat2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(h))


def test_wgs84_is_the_shipped_gcj02_converted_vertex_by_vertex(folders):
    shipped = shipped_vertex(BEIJING)
    gcj, wgs = (units(folders[k])[BEIJING] for k in ("default", "wgs84"))
    first = tuple(float(v) for v in shapely.get_coordinates(wgs)[0])
    # GCJ-02 is WGS84 plus an offset of a few hundred metres in Beijing; the converted vertex, sent forward again
    # (the exact public formula), is the shipped one
    assert 100 < metres(shipped, first) < 700
    back = gc.wgs84_to_gcj02(gc.Wgs84(lat=first[1], lon=first[0]))
    assert back.lon == pytest.approx(shipped[0], abs=1e-6) and back.lat == pytest.approx(shipped[1], abs=1e-6)
    # every vertex moved, none added or lost; the GeoPackage holds the same polygons
    assert shapely.get_num_coordinates(gcj) == shapely.get_num_coordinates(wgs)
    assert (abs(shapely.get_coordinates(gcj) - shapely.get_coordinates(wgs)) > 1e-4).any(axis=1).all()
    layer = gpd.read_file(folders["wgs84"] / "layout.gpkg", layer="optimised").set_index("region_code")
    assert shapely.equals_exact(layer.geometry[BEIJING], wgs, tolerance=1e-9)


def test_the_layers_and_the_manifest_say_wgs84(folders):
    for name, words in descriptions(folders["wgs84"]).items():
        assert "Coordinates: WGS84 longitude/latitude" in words and "largest error it reports: 0.5 m" in words, name
        assert "geocoordinates-rs" in words and "convert before overlaying" not in words, name
    coordinates = json.loads((folders["wgs84"] / "manifest.json").read_text(encoding="utf-8"))["coordinates"]
    assert coordinates["crs"] == "WGS84" and coordinates["converted_from"] == "GCJ-02"
    assert coordinates["max_error_m"] == 0.5 and coordinates["method"].startswith("geocoordinates-rs ")
    for k in ("default", "gcj02"):
        assert json.loads((folders[k] / "manifest.json").read_text(encoding="utf-8"))["coordinates"] == {
            "crs": "GCJ-02"
        }
        assert all("GCJ-02 longitude/latitude" in words for words in descriptions(folders[k]).values())


def test_the_default_is_gcj02_as_read_byte_for_byte(folders):
    for name in ("layout.geojson", "layout.gpkg"):
        assert (folders["default"] / name).read_bytes() == (folders["gcj02"] / name).read_bytes(), name
    first = tuple(float(v) for v in shapely.get_coordinates(units(folders["default"])[BEIJING])[0])
    assert first == shipped_vertex(BEIJING)


@pytest.fixture
def own(tmp_path) -> Path:
    """A scenario on the user's own boundary file (squares.geojson), datum unknown."""
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0)}, {"A": {"s": 10}, "B": {"s": 8}})
    return write_scenario(tmp_path, {"industries": {"T": industry(max_share=0.5)}})


def test_own_boundary_files_are_never_converted(own, tmp_path):
    before = sorted(tmp_path.rglob("*"))
    result = runner.invoke(app, ["solve", str(own), "--out", str(tmp_path / "out"), "-q", "--crs", "wgs84"])
    assert result.exit_code == 2, result.output
    assert "--crs" in result.output and "squares.geojson" in result.output and "written as read" in result.output
    assert sorted(tmp_path.rglob("*")) == before  # nothing written
    with pytest.raises(InputError, match="squares.geojson"):
        layout.solve(own, crs="wgs84")
    with pytest.raises(InputError, match="--crs: expected gcj02 or wgs84; found 'utm'"):
        layout.solve(own, crs="utm")
    # the default writes them as read, and the manifest says so
    layout.solve(own, out=tmp_path / "out")
    coordinates = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))["coordinates"]
    assert coordinates == {"crs": "as read", "file": "squares.geojson"}


def test_wgs84_without_the_extra_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "geocoordinates_ffi", None)  # import fails as if not installed
    before = sorted(tmp_path.rglob("*"))
    result = runner.invoke(app, ["solve", "--out", str(tmp_path / "out"), "-q", "--crs", "wgs84"])
    assert result.exit_code == 2, result.output
    assert "--crs" in result.output and "pip install 'cluster-layout[wgs84]'" in result.output
    assert sorted(tmp_path.rglob("*")) == before


def test_the_report_and_the_python_layout_follow_the_crs(folders):
    """report.html says which coordinates the folder holds (no 'do not overlay on WGS84' for a converted folder);
    `Result.layout` from Python holds what the folder's layout.geojson holds."""
    wgs = (folders["wgs84"] / "report.html").read_text(encoding="utf-8")
    gcj = (folders["default"] / "report.html").read_text(encoding="utf-8")
    assert "converted them to WGS84 with geocoordinates-rs" in wgs and "without converting" not in wgs
    assert "coordinates as stored in layout.geojson (WGS84, converted from" in wgs
    assert "without converting" in gcj and "(GCJ-02 for the shipped boundaries)" in gcj

    frame = layout.api.solve(crs="wgs84").layout.set_index("region_code")
    assert shapely.equals_exact(frame.geometry[BEIJING], units(folders["wgs84"])[BEIJING], tolerance=1e-9)
