"""Broken data files for bring-your-own regions: each exits 2 naming the file, the feature or row, and the
problem, with no traceback, and leaves no output folder (nor a hidden partial one).

Bad constraint files are tests/spec/test_bad_input.py's; this file breaks the boundary GeoJSON/GeoPackage and the
indicator CSV a scenario with `regions: {source: files}` points to.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pytest
from typer.testing import CliRunner

from layout.cli import app
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()
GOOD_CSV = "code,s\nA,10\nB,8\nC,0\n"


@pytest.fixture
def base(tmp_path):
    """Three squares (A, B touching; C apart), one indicator `s`, one industry: valid until a test breaks it."""
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    write_scenario(tmp_path, {"industries": {"T": industry()}})
    return tmp_path


def features(folder: Path) -> dict:
    return json.loads((folder / "squares.geojson").read_text(encoding="utf-8"))


def edit_features(edit: Callable[[list[dict]], None]) -> Callable[[Path], None]:
    """A case that edits the GeoJSON's feature list in place."""

    def apply(folder: Path) -> None:
        fc = features(folder)
        edit(fc["features"])
        (folder / "squares.geojson").write_text(json.dumps(fc), encoding="utf-8")

    return apply


def boundaries_text(text: str | bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        p = folder / "squares.geojson"
        p.write_bytes(text) if isinstance(text, bytes) else p.write_text(text, encoding="utf-8")

    return apply


def csv_text(text: str | bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        p = folder / "indicators.csv"
        p.write_bytes(text) if isinstance(text, bytes) else p.write_text(text, encoding="utf-8")

    return apply


def in_web_mercator(driver: str) -> Callable[[Path], None]:
    """The same squares written by geopandas in EPSG:3857 (metres), as GeoJSON or GeoPackage."""

    def apply(folder: Path) -> None:
        gdf = gpd.read_file(folder / "squares.geojson").set_crs(4326, allow_override=True).to_crs(3857)
        (folder / "squares.geojson").unlink()
        name = "squares.gpkg" if driver == "GPKG" else "squares.geojson"
        gdf.to_file(folder / name, driver=driver)
        if driver == "GPKG":
            write_scenario(
                folder,
                {
                    "industries": {"T": industry()},
                    "regions": {"source": "files", "boundaries": name, "indicators": "indicators.csv"},
                },
            )

    return apply


def projected_without_crs(fs: list[dict]) -> None:
    """Coordinates in metres but no crs member: RFC 7946 readers take them for degrees."""
    for f in fs:
        f["geometry"]["coordinates"] = [[[x * 111_319.49, y * 111_319.49] for x, y in f["geometry"]["coordinates"][0]]]


def renamed(key: str, value) -> Callable[[list[dict]], None]:
    def edit(fs: list[dict]) -> None:
        if value is None:
            del fs[1]["properties"][key]
        else:
            fs[1]["properties"][key] = value

    return edit


def geometry(k: int, geom) -> Callable[[list[dict]], None]:
    def edit(fs: list[dict]) -> None:
        fs[k]["geometry"] = geom

    return edit


def csv_as_folder(folder: Path) -> None:
    (folder / "indicators.csv").unlink()
    (folder / "indicators.csv").mkdir()


def boundaries_missing(folder: Path) -> None:
    (folder / "squares.geojson").unlink()


BOWTIE = {"type": "Polygon", "coordinates": [[[1, 0], [2, 1], [2, 0], [1, 1], [1, 0]]]}
UNCLOSED = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1]]]}  # the last point is not the first

# (case id, how to break the data, file named in the message, feature/row/key named, words naming the problem)
CASES = [
    # boundary file: codes
    (
        "code missing on a feature",
        edit_features(renamed("code", None)),
        "squares.geojson",
        "feature 2:",
        "non-empty `code`",
    ),
    ("code null on a feature", edit_features(renamed("code", "")), "squares.geojson", "feature 2:", "non-empty `code`"),
    (
        "duplicate code in boundaries",
        edit_features(renamed("code", "A")),
        "squares.geojson",
        "feature 2 (code=A)",
        "duplicate code (also feature 1)",
    ),
    (
        "name missing on a feature",
        edit_features(renamed("name", None)),
        "squares.geojson",
        "feature 2 (code=B)",
        "non-empty `name`",
    ),
    (
        "feature with no indicator row",
        csv_text("code,s\nA,10\nB,8\n"),
        "squares.geojson",
        "feature 3 (code=C)",
        "no row with this code",
    ),
    # boundary file: geometries
    (
        "self-intersecting polygon",
        edit_features(geometry(1, BOWTIE)),
        "squares.geojson",
        "feature 2 (code=B)",
        "Self-intersection",
    ),
    (
        "unclosed polygon ring",
        edit_features(geometry(1, UNCLOSED)),
        "squares.geojson",
        "feature 2 (code=B)",
        "expected a valid polygon; found Points of LinearRing do not form a closed linestring",
    ),
    ("null geometry", edit_features(geometry(1, None)), "squares.geojson", "feature 2 (code=B)", "an empty geometry"),
    (
        "empty polygon",
        edit_features(geometry(1, {"type": "Polygon", "coordinates": []})),
        "squares.geojson",
        "feature 2 (code=B)",
        "an empty geometry",
    ),
    (
        "point instead of polygon",
        edit_features(geometry(0, {"type": "Point", "coordinates": [0.5, 0.5]})),
        "squares.geojson",
        "feature 1 (code=A)",
        "Point",
    ),
    (
        "projected coordinates without crs",
        edit_features(projected_without_crs),
        "squares.geojson",
        "feature 1 (code=A)",
        "longitude/latitude",
    ),
    ("GeoJSON in EPSG:3857", in_web_mercator("GeoJSON"), "squares.geojson", "crs:", "EPSG:3857"),
    ("GeoPackage in EPSG:3857", in_web_mercator("GPKG"), "squares.gpkg", "crs:", "EPSG:3857"),
    # boundary file: not GeoJSON at all
    (
        "plain text as GeoJSON",
        boundaries_text("these are not the regions you are looking for\n"),
        "squares.geojson",
        "squares.geojson:",
        "GeoJSON or GeoPackage",
    ),
    ("CSV renamed .geojson", boundaries_text(GOOD_CSV), "squares.geojson", "squares.geojson:", "GeoJSON or GeoPackage"),
    ("empty boundary file", boundaries_text(""), "squares.geojson", "squares.geojson:", "an empty file"),
    (
        "JSON that is not GeoJSON",
        boundaries_text('{"regions": ["A", "B", "C"]}'),
        "squares.geojson",
        "squares.geojson:",
        "GeoJSON or GeoPackage",
    ),
    (
        "binary junk as GeoJSON",
        boundaries_text(bytes(range(256)) * 4),
        "squares.geojson",
        "squares.geojson:",
        "GeoJSON or GeoPackage",
    ),
    (
        "no features",
        boundaries_text('{"type": "FeatureCollection", "features": []}'),
        "squares.geojson",
        "squares.geojson:",
        "no features",
    ),
    ("boundary file missing", boundaries_missing, "scenario.yaml", "regions.boundaries", "no such file"),
    # indicator CSV: codes
    (
        "indicator row with no geometry",
        csv_text(GOOD_CSV + "D,3\n"),
        "indicators.csv",
        "indicators.csv:5: code:",
        "'D', which has no feature",
    ),
    (
        "duplicate code in indicators",
        csv_text(GOOD_CSV + "B,3\n"),
        "indicators.csv",
        "indicators.csv:5: code:",
        "'B' again (also on line 3)",
    ),
    (
        "empty code in indicators",
        csv_text(GOOD_CSV + ",3\n"),
        "indicators.csv",
        "indicators.csv:5: code:",
        "an empty cell",
    ),
    (
        "no code column",
        csv_text("region,s\nA,10\nB,8\nC,0\n"),
        "indicators.csv",
        "indicators.csv:1: code:",
        "a column `code`",
    ),
    # indicator CSV: values (non-numeric 'lots' and negative are in test_bad_input.py)
    ("NaN indicator", csv_text("code,s\nA,10\nB,NaN\nC,0\n"), "indicators.csv", "indicators.csv:3: s:", "'NaN'"),
    ("infinite indicator", csv_text("code,s\nA,10\nB,inf\nC,0\n"), "indicators.csv", "indicators.csv:3: s:", "'inf'"),
    (
        "minus infinite indicator",
        csv_text("code,s\nA,10\nB,-inf\nC,0\n"),
        "indicators.csv",
        "indicators.csv:3: s:",
        "'-inf'",
    ),
    (
        "overflowing indicator",
        csv_text("code,s\nA,10\nB,1e400\nC,0\n"),
        "indicators.csv",
        "indicators.csv:3: s:",
        "'1e400'",
    ),
    ("decimal comma", csv_text('code,s\nA,10\nB,"8,5"\nC,0\n'), "indicators.csv", "indicators.csv:3: s:", "'8,5'"),
    # indicator CSV: shape and encoding
    (
        "row with an extra field",
        csv_text("code,s\nA,10,3\nB,8\nC,0\n"),
        "indicators.csv",
        "indicators.csv:2:",
        "2 fields, as in the header; found 3",
    ),
    (
        "row with a missing field",
        csv_text("code,s,t\nA,10\nB,8,1\nC,0,1\n"),
        "indicators.csv",
        "indicators.csv:2:",
        "3 fields, as in the header; found 2",
    ),
    (
        "duplicate column",
        csv_text("code,s,s\nA,10,1\nB,8,1\nC,0,1\n"),
        "indicators.csv",
        "indicators.csv:1: s:",
        "each column name once",
    ),
    ("empty indicator file", csv_text(""), "indicators.csv", "indicators.csv:1:", "an empty file"),
    (
        "indicators not UTF-8",
        csv_text("code,s,名称\nA,10,北京\nB,8,天津\nC,0,河北\n".encode("gbk")),
        "indicators.csv",
        "indicators.csv:",
        "UTF-8",
    ),
    ("indicator path is a folder", csv_as_folder, "scenario.yaml", "regions.indicators", "a folder"),
]


@pytest.mark.parametrize("command", ["solve", "validate"])
@pytest.mark.parametrize("case,breakit,file,where,words", CASES, ids=[c[0] for c in CASES])
def test_broken_data_exits_2_naming_file_place_and_problem(base, case, breakit, file, where, words, command):
    breakit(base)
    before = sorted(p.name for p in base.iterdir())
    out = base / "out"
    scenario = base / "scenario.yaml"
    result = runner.invoke(app, [command, str(scenario)] + (["--out", str(out)] if command == "solve" else []))
    msg = result.stderr
    assert result.exit_code == 2, (result.exit_code, msg, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in msg + result.stdout
    assert "error (bad input)" in msg
    assert file in msg, msg
    assert where in msg, msg
    assert words in msg, msg
    assert not out.exists()
    assert sorted(p.name for p in base.iterdir()) == before  # no hidden .out.partial-* either


def test_every_problem_of_both_files_is_reported_at_once(base):
    edit_features(geometry(1, BOWTIE))(base)
    csv_text("code,s\nA,10\nB,NaN\nC,0\nD,1\n")(base)
    result = runner.invoke(app, ["validate", str(base / "scenario.yaml")])
    assert result.exit_code == 2
    for needle in ("feature 2 (code=B)", "indicators.csv:3: s:"):
        assert needle in result.stderr, result.stderr


def test_code_mismatch_lists_each_feature_and_row(base):
    """Codes of a different scheme in the two files: every unmatched feature and row is named."""
    csv_text("code,s\na,10\nb,8\nc,0\n")(base)
    result = runner.invoke(app, ["validate", str(base / "scenario.yaml")])
    assert result.exit_code == 2
    for needle in (
        "feature 1 (code=A)",
        "feature 2 (code=B)",
        "feature 3 (code=C)",
        "indicators.csv:2: code:",
        "indicators.csv:3: code:",
        "indicators.csv:4: code:",
    ):
        assert needle in result.stderr, result.stderr


def test_many_problems_are_capped_with_a_count(base):
    """A 3857 file without a crs member has every feature out of range: the list stays readable."""
    regions = {f"R{k:02d}": (k, 0) for k in range(30)}
    write_regions(base, regions, {c: {"s": 1.0} for c in regions})
    edit_features(projected_without_crs)(base)
    result = runner.invoke(app, ["validate", str(base / "scenario.yaml")])
    assert result.exit_code == 2
    assert result.stderr.count("longitude/latitude") == 20
    assert "10 more not listed" in result.stderr


def test_numeric_codes_match_text_codes(base):
    """Integer codes in the GeoJSON (110000) match the same codes in the CSV; a float 110000.0 too."""
    fc = features(base)
    for f, code in zip(fc["features"], (110000, 120000.0, 130000)):
        f["properties"]["code"] = code
    (base / "squares.geojson").write_text(json.dumps(fc), encoding="utf-8")
    csv_text("code,s\n110000,10\n120000,8\n130000,0\n")(base)
    result = runner.invoke(app, ["validate", str(base / "scenario.yaml")])
    assert result.exit_code == 0, result.stderr
    assert "3 regions" in result.stdout


def test_utf8_bom_and_blank_lines_are_accepted(base):
    """Spreadsheet exports: a byte-order mark and a trailing blank line are not errors."""
    csv_text(("\ufeff" + GOOD_CSV + "\n").encode("utf-8"))(base)
    result = runner.invoke(app, ["validate", str(base / "scenario.yaml")])
    assert result.exit_code == 0, result.stderr


def test_unbroken_fixture_solves(base):
    """Guard for the cases above: before a test breaks it, the fixture solves (so each exit 2 is the breakage's)."""
    result = runner.invoke(app, ["solve", str(base / "scenario.yaml"), "--out", str(base / "out"), "-q"])
    assert result.exit_code == 0, result.stderr
    assert (base / "out" / "assignment.csv").is_file()


def test_unclosed_rings_are_each_named(base):
    """Found by the hardening audit: an unclosed ring gave one file-level "GEOSException" naming no feature."""
    edit_features(
        lambda fs: [fs[0].update(geometry=UNCLOSED), fs[2].update(geometry=UNCLOSED), fs[2]["properties"].pop("code")]
    )(base)
    result = runner.invoke(app, ["validate", str(base / "scenario.yaml")])
    bfile = base / "squares.geojson"
    assert (result.exit_code, result.stderr) == (
        2,
        "error (bad input): "
        f"{bfile}: feature 1 (code=A): expected a valid polygon; found Points of LinearRing do not form a closed linestring\n"
        f"{bfile}: feature 3: expected a valid polygon; found Points of LinearRing do not form a closed linestring\n",
    )
