"""Tiny bring-your-own-region scenarios: unit squares and an indicator table, written to a folder."""

from __future__ import annotations

import json
from pathlib import Path

import yaml


def square(x: float, y: float, size: float = 1.0) -> dict:
    """A GeoJSON polygon: the square with lower-left corner (x, y) in degrees."""
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def write_regions(
    folder: Path,
    regions: dict[str, tuple[float, float]],
    indicators: dict[str, dict[str, float]],
    names: dict[str, str] | None = None,
) -> None:
    """squares.geojson (code, name) and indicators.csv (code + one column per indicator)."""
    names = names or {}
    features = [
        {"type": "Feature", "properties": {"code": c, "name": names.get(c, f"Region {c}")}, "geometry": square(*xy)}
        for c, xy in regions.items()
    ]
    (folder / "squares.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    cols = sorted({k for v in indicators.values() for k in v})
    lines = ["code," + ",".join(cols)]
    for c in regions:
        lines.append(
            c + "," + ",".join("" if indicators.get(c, {}).get(k) is None else repr(indicators[c][k]) for k in cols)
        )
    (folder / "indicators.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def files_section(**extra) -> dict:
    """The `regions:` section of a constraint file on the folder's squares.geojson and indicators.csv."""
    return {
        "source": "files",
        "boundaries": "squares.geojson",
        "indicators": "indicators.csv",
        "code_field": "code",
        "name_field": "name",
        **extra,
    }


def row_of_squares(regions: list[tuple[str, str]]) -> dict:
    """A FeatureCollection of 1° squares along latitude 30°N from longitude 100°E, 1° apart (no two touch), in
    order, each with its code and name."""
    features = []
    for k, (code, name) in enumerate(regions):
        x = 100 + 2 * k
        ring = [[x, 30], [x + 1, 30], [x + 1, 31], [x, 31], [x, 30]]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_row_of_squares(folder: Path, regions: list[tuple[str, str, float]]) -> None:
    """squares.geojson (`row_of_squares`) and ind.csv (code, name and indicator s) for (code, name, s) regions."""
    (folder / "squares.geojson").write_text(
        json.dumps(row_of_squares([(c, n) for c, n, _ in regions])), encoding="utf-8"
    )
    lines = ["code,name,s"] + [f"{c},{n},{v}" for c, n, v in regions]
    (folder / "ind.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_nested(
    folder: Path, units: dict[str, tuple[str, tuple[float, float]]], indicators: dict[str, dict[str, float]]
) -> None:
    """nested.geojson (code, name, parent) and indicators.csv, for `regions.parent_field: parent`."""
    features = [
        {"type": "Feature", "properties": {"code": c, "name": f"Unit {c}", "parent": p}, "geometry": square(*xy)}
        for c, (p, xy) in units.items()
    ]
    (folder / "nested.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    cols = sorted({k for v in indicators.values() for k in v})
    lines = ["code," + ",".join(cols)] + [c + "," + ",".join(repr(indicators[c][k]) for k in cols) for c in units]
    (folder / "indicators.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_scenario(folder: Path, body: dict, name: str = "scenario.yaml") -> Path:
    """A constraint file on the folder's squares; `body` adds or overrides top-level keys."""
    doc = {
        "name": "tiny",
        "regions": files_section(),
        "limits": {"min_clusters": 0, "budget": None},
        "solver": {"name": "highs", "gap": 0.0},
    }
    doc.update(body)
    path = folder / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def industry(target: float = 100, kind: str = "innovation", weights: dict | None = None, **extra) -> dict:
    """An industry entry."""
    return {
        "name": extra.pop("name", "Test industry"),
        "kind": kind,
        "target": target,
        "weights": weights or {"s": 1.0},
        **extra,
    }
