"""Outputs other tools open cleanly (issue 16): capacity_wide.csv, one row per modelled region, and layout.gpkg, one
layer per layout with the regions' polygons and their codes as TEXT, so a join in pandas, QGIS or ArcGIS needs no
conversion.

Two folders, each solved once: the embedded default (real province codes such as 110000, declared plans, the
shipped GCJ-02 boundaries) and three squares with codes a spreadsheet would take for numbers (0101, 0102, 0500)
over two plan periods. Squares apart, one cluster per region, max_share 1: in 2025 only T is laid out (U enters in
2030) and 0101 (t 10) hosts it; in 2030 persistence keeps 0101 on T and 0102 hosts U (tests/model/test_levers.py);
0500 hosts nothing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from pyogrio.errors import DataSourceError
from typer.testing import CliRunner

from layout.cli import app
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()
CODES = ["0101", "0102", "0500"]
LAYOUTS = {"optimised": "assignment.csv", "baseline": "baseline.csv", "declared": "declared.csv"}


def periods_scenario(folder: Path) -> Path:
    write_regions(
        folder,
        {"0101": (0, 0), "0102": (3, 0), "0500": (6, 0)},
        {"0101": {"t": 10, "u": 10}, "0102": {"t": 5, "u": 2}, "0500": {"t": 0, "u": 0}},
    )
    return write_scenario(
        folder,
        {
            "periods": [2025, 2030],
            "industries": {
                "T": industry(max_share=1.0, weights={"t": 1}),
                "U": industry(max_share=1.0, weights={"u": 1}, status="candidate", enters=2030),
            },
            "limits": {"min_clusters": 0, "budget": None, "max_clusters": 1},
        },
    )


def solved(scenario: Path | None, out: Path, *more: str):
    result = runner.invoke(app, ["solve", *([str(scenario)] if scenario else []), "--out", str(out), "-q", *more])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def default(tmp_path_factory) -> Path:
    """The embedded default, solved."""
    return solved(None, tmp_path_factory.mktemp("default") / "out")


@pytest.fixture(scope="module")
def squares(tmp_path_factory) -> Path:
    """The three squares over two plan periods, solved."""
    folder = tmp_path_factory.mktemp("squares")
    return solved(periods_scenario(folder), folder / "out")


def csv(path: Path) -> pd.DataFrame:
    """A CSV as a planner reads it in pandas: region codes as text, empty cells empty."""
    return pd.read_csv(path, dtype={"region_code": str}, keep_default_na=False)


def modelled(folder: Path) -> list[str]:
    """The modelled region codes of a folder, from layout.geojson."""
    units = json.loads((folder / "layout.geojson").read_text(encoding="utf-8"))["features"]
    return sorted(f["properties"]["region_code"] for f in units if f["properties"]["modelled"])


def industries(folder: Path) -> list[str]:
    return [i["code"] for i in json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["industries"]]


def check_wide(folder: Path, wide: pd.DataFrame, long: pd.DataFrame) -> None:
    """`wide` holds one row per modelled region and, per industry, the capacities and tiers of the long table."""
    assert wide["region_code"].tolist() == modelled(folder)
    codes = industries(folder)
    assert list(wide.columns) == [
        "region_code",
        "region_name",
        *[f"{i}_{c}" for i in codes for c in ("capacity", "tier")],
        "clusters",
        *(["geometry"] if isinstance(wide, gpd.GeoDataFrame) else []),
    ]
    w = wide.set_index("region_code")
    pivot = long.pivot(index="region_code", columns="industry", values="capacity").reindex(
        index=w.index, columns=codes, fill_value=0.0
    )
    capacities = w[[f"{i}_capacity" for i in codes]].set_axis(codes, axis=1).astype(float)
    pd.testing.assert_frame_equal(capacities, pivot.fillna(0.0), check_names=False)
    tiers = long.pivot(index="region_code", columns="industry", values="tier").reindex(index=w.index, columns=codes)
    assert (w[[f"{i}_tier" for i in codes]].set_axis(codes, axis=1) == tiers.fillna("")).all().all()
    assert w["clusters"].tolist() == long["region_code"].value_counts().reindex(w.index, fill_value=0).tolist()


def test_capacity_wide_is_the_assignment_pivoted_with_every_modelled_region(default, squares):
    wide = csv(squares / "capacity_wide.csv")
    assert wide.to_dict("records") == [  # hand-computed (module docstring); 0500 hosts nothing and is listed
        {"region_code": "0101", "region_name": "Region 0101", "T_capacity": 100.0, "T_tier": "provincial"}
        | {"U_capacity": 0.0, "U_tier": "", "clusters": 1},
        {"region_code": "0102", "region_name": "Region 0102", "T_capacity": 0.0, "T_tier": ""}
        | {"U_capacity": 100.0, "U_tier": "provincial", "clusters": 1},
        {"region_code": "0500", "region_name": "Region 0500", "T_capacity": 0.0, "T_tier": ""}
        | {"U_capacity": 0.0, "U_tier": "", "clusters": 0},
    ]
    # every results folder `layout solve` writes has one: each period's, with the industries laid out then
    first = csv(squares / "periods" / "2025" / "capacity_wide.csv")
    assert list(first.columns) == ["region_code", "region_name", "T_capacity", "T_tier", "clusters"]
    assert first["T_capacity"].tolist() == [100.0, 0.0, 0.0]
    for folder in (default, squares, squares / "periods" / "2025", squares / "periods" / "2030"):
        check_wide(folder, csv(folder / "capacity_wide.csv"), csv(folder / "assignment.csv"))
    assert len(csv(default / "capacity_wide.csv")) == 31


def test_the_geopackage_has_a_layer_per_layout(default, squares):
    assert pyogrio.list_layers(default / "layout.gpkg")[:, 0].tolist() == ["optimised", "baseline", "declared"]
    # no declared plans for your own regions; at the top only: a period folder would repeat the last period's
    assert pyogrio.list_layers(squares / "layout.gpkg")[:, 0].tolist() == ["optimised", "baseline"]
    assert not (squares / "periods" / "2025" / "layout.gpkg").exists()
    assert not (squares / "periods" / "2030" / "layout.gpkg").exists()
    for folder, layer in ((default, "optimised"), (default, "baseline"), (squares, "optimised")):
        frame = gpd.read_file(folder / "layout.gpkg", layer=layer)
        check_wide(folder, frame, csv(folder / LAYOUTS[layer]))
        assert frame.geometry.notna().all() and frame.crs == "EPSG:4326"


def test_region_codes_are_text_in_every_layer(default, squares):
    for folder in (default, squares):
        for layer in pyogrio.list_layers(folder / "layout.gpkg")[:, 0]:
            info = pyogrio.read_info(folder / "layout.gpkg", layer=layer)
            assert info["fields"][0] == "region_code" and info["ogr_types"][0] == "OFTString"
            codes = gpd.read_file(folder / "layout.gpkg", layer=layer)["region_code"]
            # pandas 3 reads TEXT as its `str` dtype (object in pandas 2): never a number
            assert pd.api.types.is_string_dtype(codes) and not pd.api.types.is_numeric_dtype(codes)
            assert all(isinstance(c, str) for c in codes) and codes.tolist() == modelled(folder)
    assert modelled(squares) == CODES  # the leading zeros survive


def test_every_designated_row_joins_its_polygon_without_conversion(default, squares):
    for folder in (default, squares):
        for layer in pyogrio.list_layers(folder / "layout.gpkg")[:, 0]:
            rows = pd.read_csv(folder / LAYOUTS[layer], dtype={"region_code": str})
            polygons = gpd.read_file(folder / "layout.gpkg", layer=layer)[["region_code", "geometry"]]
            joined = rows.merge(polygons, on="region_code", how="left", validate="many_to_one")
            assert len(rows) > 0 and len(joined) == len(rows)
            geometry = gpd.GeoSeries(joined["geometry"])
            assert geometry.notna().all() and not geometry.is_empty.any(), (folder, layer)


def test_each_layer_says_what_its_coordinates_are(default, squares):
    for layer in ("optimised", "baseline", "declared"):
        words = pyogrio.read_info(default / "layout.gpkg", layer=layer)["layer_metadata"]["DESCRIPTION"]
        assert "GCJ-02" in words and "EPSG:4326" in words and "region_code is text" in words
    words = pyogrio.read_info(squares / "layout.gpkg", layer="optimised")["layer_metadata"]["DESCRIPTION"]
    # your own boundaries are not the shipped ones: their coordinates are as supplied, never called GCJ-02
    assert "GCJ-02" not in words and "as in squares.geojson" in words and "plan year 2030" in words


def test_the_declared_layer_says_yes_or_no_where_a_plan_is_sourced(default):
    layer = gpd.read_file(default / "layout.gpkg", layer="declared").set_index("region_code")
    declared = csv(default / "declared.csv")
    named = set(zip(declared["region_code"], declared["industry"]))
    assert (layer["plan"] == "sourced").sum() == 15  # tests/results/test_declared.py: 15 provinces
    for code, row in layer.iterrows():
        for i in industries(default):
            expected = ("yes" if (code, i) in named else "no") if row["plan"] == "sourced" else ""
            assert row[f"{i}_declared"] == expected, (code, i)
    assert layer.at["110000", "plan"] == "none" and layer.at["110000", "NGIT_declared"] == ""  # never filled in
    assert layer.index[layer["DIGI_declared"] == "yes"].tolist() == ["340000"]  # Anhui alone declares DIGI


def test_both_files_are_in_the_manifest_and_force_replaces_the_folder_byte_for_byte(tmp_path, squares):
    out = solved(periods_scenario(tmp_path), tmp_path / "out")
    files = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert "periods/2025/layout.gpkg" not in files
    for name in (
        "capacity_wide.csv",
        "layout.gpkg",
        "periods/2025/capacity_wide.csv",
        "periods/2030/capacity_wide.csv",
    ):
        assert files[name]["sha256"] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    first = (out / "layout.gpkg").read_bytes()
    solved(tmp_path / "scenario.yaml", out, "--force")  # the folder checks accept what they listed
    assert (out / "layout.gpkg").read_bytes() == first == (squares / "layout.gpkg").read_bytes()  # same input
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.csv", "out", "scenario.yaml", "squares.geojson"]


def test_a_geopackage_gdal_cannot_write_is_exit_2_and_leaves_nothing(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise DataSourceError("disk on fire")

    scenario = periods_scenario(tmp_path)
    monkeypatch.setattr(pyogrio, "write_dataframe", refuse)
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 2, result.output
    assert "layout.gpkg" in result.stderr and "disk on fire" in result.stderr
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators.csv", "scenario.yaml", "squares.geojson"]


def test_industry_codes_equal_but_for_case_get_columns_of_their_own(tmp_path):
    # A GeoPackage (SQLite), ArcGIS and Power Query take T_capacity and t_capacity for one column: t gets t_2_.
    # Two squares, score A 1, B 0, at most 60 of 100 per region: A hosts 60 of each industry, B 40.
    write_regions(tmp_path, {"A": (0, 0), "B": (3, 0)}, {"A": {"s": 10}, "B": {"s": 5}})
    scenario = write_scenario(
        tmp_path, {"industries": {"T": industry(max_share=0.6), "t": industry(max_share=0.6, name="Small t")}}
    )
    out = solved(scenario, tmp_path / "out")
    columns = ["region_code", "region_name", "T_capacity", "T_tier", "t_2_capacity", "t_2_tier", "clusters"]
    wide = csv(out / "capacity_wide.csv")
    assert list(wide.columns) == columns
    assert wide[["T_capacity", "t_2_capacity", "clusters"]].values.tolist() == [[60, 60, 2], [40, 40, 2]]
    assert pyogrio.read_info(out / "layout.gpkg", layer="optimised")["fields"].tolist() == columns


def test_points_of_a_batch_leave_the_geopackage_out(tmp_path):
    """A sweep point or an alternative is a whole results folder: a GeoPackage in each would cost megabytes per point
    at finer levels (17 MB at county level), so only `layout solve`'s folder has one."""
    from layout.pipeline import Options, solve_scenario

    scenario = periods_scenario(tmp_path)
    solve_scenario(scenario, tmp_path / "point", Options(geopackage=False))
    assert not (tmp_path / "point" / "layout.gpkg").exists() and (tmp_path / "point" / "capacity_wide.csv").exists()
    files = json.loads((tmp_path / "point" / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert "layout.gpkg" not in files
