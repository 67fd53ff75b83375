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


def write_scenario(folder: Path, body: dict, name: str = "scenario.yaml") -> Path:
    """A constraint file on the folder's squares; `body` adds or overrides top-level keys."""
    doc = {
        "name": "tiny",
        "regions": {
            "source": "files",
            "boundaries": "squares.geojson",
            "indicators": "indicators.csv",
            "code_field": "code",
            "name_field": "name",
        },
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
