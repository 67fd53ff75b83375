"""Metrics of a layout (design.md section 4), the same for the baseline and the optimised layout.

A layout is a table with one row per designated region–industry: region_code, industry, capacity
(capacity units), tier, group. Metrics read only that table and the instance's neighbours, targets
and objective weights, so any layout (optimised, baseline, declared) is measured the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from layout.instance import Instance

COLUMNS = ["region_code", "region_name", "industry", "industry_name", "capacity", "tier", "kind", "group", "group_name"]


def similarity_matrix(x: np.ndarray) -> np.ndarray:
    """UNIDO structural similarity between the rows of x (regions × industries, capacity units).

    S_ab = sum_i x_ai x_bi / sqrt(sum_i x_ai^2 sum_i x_bi^2); NaN where a row is all zero.
    """
    norm = np.sqrt(np.einsum("ri,ri->r", x, x))
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = x / norm[:, None]
    return unit @ unit.T


def similarity(a: dict[str, float], b: dict[str, float]) -> float | None:
    """Structural similarity of two industry vectors (capacity by industry); None if a vector is zero."""
    keys = sorted(set(a) | set(b))
    s = similarity_matrix(np.array([[a.get(i, 0.0) for i in keys], [b.get(i, 0.0) for i in keys]], dtype=float))[0, 1]
    return None if np.isnan(s) else float(s)


def krugman(vectors: dict[str, dict[str, float]]) -> dict[str, float]:
    """Krugman specialisation index per region: K_r = sum_i |x_ri/X_r - X_-r,i/X_-r| against the rest of the country."""
    industries = sorted({i for v in vectors.values() for i in v})
    total = {i: sum(v.get(i, 0.0) for v in vectors.values()) for i in industries}
    grand = sum(total.values())
    out = {}
    for r, v in vectors.items():
        own = sum(v.values())
        rest = grand - own
        if own <= 0 or rest <= 0:
            continue
        out[r] = sum(abs(v.get(i, 0.0) / own - (total[i] - v.get(i, 0.0)) / rest) for i in industries)
    return out


def overcapacity_ratio(capacity: float, target: float) -> float:
    """Total capacity of an industry over its national target (1 = exactly the target)."""
    return capacity / target


def duplications(layout: pd.DataFrame, inst: Instance) -> list[dict]:
    """Neighbour pairs designated for the same industry outside a shared inter-provincial cluster.

    weight 1 when both hold full clusters (provincial or inter-provincial), kappa when a characteristic
    cluster is involved (the objective's characteristic_weight).
    """
    kappa = inst.weights["characteristic_weight"]
    rows = {(r.region_code, r.industry): r for r in layout.itertuples()}
    out = []
    for a, b in inst.neighbours:
        for i in inst.industries:
            ra, rb = rows.get((a, i)), rows.get((b, i))
            if ra is None or rb is None:
                continue
            if ra.tier == "inter-provincial" and rb.tier == "inter-provincial" and ra.group == rb.group:
                continue
            full = ra.tier != "characteristic" and rb.tier != "characteristic"
            out.append({"a": a, "b": b, "industry": i, "weight": 1.0 if full else kappa})
    return out


def layout_metrics(layout: pd.DataFrame, inst: Instance) -> dict:
    """Every metric of design.md section 4 for one layout (rounded for stable output)."""
    vectors: dict[str, dict[str, float]] = {r: {} for r in inst.regions}
    for row in layout.itertuples():
        vectors[row.region_code][row.industry] = vectors[row.region_code].get(row.industry, 0.0) + float(row.capacity)
    mean_all, mean_adjacent = _mean_similarities(vectors, inst)
    dups = duplications(layout, inst)
    per_industry = {}
    for i, p in inst.industries.items():
        cap = sum(v.get(i, 0.0) for v in vectors.values())
        per_industry[i] = {
            "capacity": round(cap, 6),
            "target": p.target,
            "overcapacity_ratio": round(overcapacity_ratio(cap, p.target), 6),
            "shortfall": round(max(0.0, p.target - cap), 6),
            "regions": int((layout["industry"] == i).sum()),
            "duplications": sum(1 for d in dups if d["industry"] == i),
        }
    hosting = sorted(set(layout["region_code"]))
    kr = krugman({r: v for r, v in vectors.items() if v})
    return {
        "mean_similarity": mean_all,
        "mean_similarity_adjacent": mean_adjacent,
        "duplications": len(dups),
        "duplications_weighted": _round(sum(d["weight"] for d in dups)),
        "mean_overcapacity_ratio": _round(sum(v["overcapacity_ratio"] for v in per_industry.values()) / len(per_industry)),
        "total_shortfall": _round(sum(v["shortfall"] for v in per_industry.values())),
        "targets_met": all(v["shortfall"] <= 1e-6 for v in per_industry.values()),
        "regions_hosting": len(hosting),
        "regions_without_cluster": [r for r in inst.regions if r not in hosting],
        "clusters": len(layout),
        "mean_krugman": _round(sum(kr.values()) / len(kr)) if kr else None,
        "krugman": {r: _round(v) for r, v in sorted(kr.items())},
        "industries": per_industry,
    }


def _mean_similarities(vectors: dict[str, dict[str, float]], inst: Instance) -> tuple[float | None, float | None]:
    """Mean structural similarity over all pairs of regions holding capacity, and over neighbour pairs.

    Vectorised (one matrix product over the regions holding capacity), so a county layout's
    four million pairs take well under a second.
    """
    holders = [r for r in inst.regions if any(v > 0 for v in vectors[r].values())]
    if len(holders) < 2:
        return None, None
    industries = sorted({i for r in holders for i in vectors[r]})
    row = {r: k for k, r in enumerate(holders)}
    sims = similarity_matrix(np.array([[vectors[r].get(i, 0.0) for i in industries] for r in holders], dtype=float))
    n = len(holders)
    mean_all = (sims.sum() - np.trace(sims)) / (n * (n - 1))
    adjacent = [sims[row[a], row[b]] for a, b in inst.neighbours if a in row and b in row]
    return _round(mean_all), (_round(sum(adjacent) / len(adjacent)) if adjacent else None)


def _round(v: float) -> float:
    return round(float(v), 6)
