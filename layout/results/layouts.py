"""The optimised layout table and the GeoJSON of the drawn units, as a results folder holds them (written by `layout.results.folder`)."""

from __future__ import annotations

import json

import pandas as pd
import shapely

from layout.model.core import LayoutModel
from layout.model.instance import Instance
from layout.regions.readers import RegionSet
from layout.results.folder import COLUMNS
from layout.results.metrics import HELD

ON = 0.5  # a binary above this is 1


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
    portfolio, as a FeatureCollection (deterministic key order; lon/lat as in geodata)."""
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
