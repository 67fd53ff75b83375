"""The solution tables and GeoJSON of a results folder (the folder itself, staged and written whole: `layout.output`)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import shapely

from layout.instance import Instance
from layout.metrics import COLUMNS
from layout.model import LayoutModel
from layout.regions import RegionSet
from layout.tables import csv_text

ON = 0.5  # a binary above this is 1


def solution_layout(m: LayoutModel) -> pd.DataFrame:
    """The optimised layout table: one row per designated region–industry."""
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
            if tier:
                cap = round(max(0.0, m.x[r, i].varValue), 6)
                rows.append([r, inst.region_names[r], i, p.name, cap, tier, p.kind, group, inst.groups[group].name if group else ""])
    return pd.DataFrame(rows, columns=COLUMNS)


def write_table(path: Path, table: pd.DataFrame) -> None:
    """CSV, UTF-8, sorted by region and industry, spreadsheet-safe (layout.tables; read back with tables.read_csv)."""
    path.write_text(csv_text(table.sort_values(["region_code", "industry"]), "%.6f"), encoding="utf-8")


def portfolio_texts(layout: pd.DataFrame) -> dict[str, str]:
    """Each region's portfolio as 'NGIT (provincial, 20); NE (characteristic, 5)' (capacity units), by region code."""
    out: dict[str, list[str]] = {}
    for r in layout.sort_values(["region_code", "industry"]).itertuples():
        out.setdefault(r.region_code, []).append(f"{r.industry} ({r.tier}, {r.capacity:g})")
    return {code: "; ".join(items) for code, items in out.items()}


def write_geojson(path: Path, regions: RegionSet, inst: Instance, layout: pd.DataFrame) -> None:
    """Every drawn unit with its portfolio, deterministic key order (lon/lat as in geodata)."""
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
        features.append({"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(row.geometry))})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
