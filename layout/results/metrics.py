"""Metrics of a layout (design.md section 4), the same for the baseline and the optimised layout.

A layout is a table with one row per designated region–industry: region_code, industry, capacity
(capacity units), tier, group. Metrics read only that table and the instance's neighbours, targets
and objective weights, so any layout (optimised, baseline, declared) is measured the same way.

A region hosts an industry only where it holds capacity (more than HELD capacity units): a row holding
nothing counts in no metric (`holding`). The model designates every member of an active inter-provincial
cluster; where the least member share is held by parts (a finer level: a member province's cities
together, `Instance.group_parts`), members can hold nothing, and they host nothing.
`group_clusters` lists each inter-provincial cluster with the members that hold capacity and their shares.

`METRICS` is the catalogue of headline metrics: one `Metric` record each (key in metrics.json, label,
better direction, decimals, meaning). The summary of `layout solve`, `layout compare` and the HTML report
name, format and judge a metric from its record alone, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from layout.language import marked, tr, translate
from layout.words import cell, listing, number

if TYPE_CHECKING:  # annotations only: the maps read these helpers without loading the model
    from layout.model.instance import Instance

LOWER, HIGHER, NEARER_1 = "lower", "higher", "nearer 1"  # better directions of a metric
# capacity units: a region holds an industry only above this; = layout.model.core.HELD, kept here so that the maps
# need not load the model (tests/results/test_membership.py checks the two agree)
HELD = 1e-6
MET_SHARE = 1e-6  # = layout.model.core.MET_SHARE: a shortfall of at most this share of its target is met


def target_met(shortfall: float, target: float) -> bool:
    """Whether a shortfall (capacity units) leaves a target met, as `layout.model.core.target_met` decides."""
    return shortfall <= MET_SHARE * max(target, 1.0)


@dataclass(frozen=True)
class Metric:
    """A headline metric of a layout, as every view names, formats and judges it."""

    key: str  # key in metrics.json optimised and baseline (and declared, where `declared`)
    label: str  # at most 23 characters, so `layout compare` fits in 80 columns
    better: str | None  # LOWER, HIGHER or NEARER_1 is better (booleans: yes counts 1, no 0); None: no better direction
    digits: int  # decimals shown in text (0: a count or yes/no)
    meaning: str  # what it measures, with its unit (the report shows it under the label)
    declared: bool = False  # it applies to declared plans too (they state no capacities)

    def verdict(self, before: Any, after: Any) -> str | None:
        """'better' or 'worse' for a change from `before` to `after`; None if either is no number, they are equal
        at the decimals shown (`digits`: solver noise is no change), or the metric has no better direction."""
        if self.better is None or not all(isinstance(v, (int, float)) for v in (before, after)):
            return None
        if self.better == NEARER_1:
            before, after = abs(before - 1.0), abs(after - 1.0)
        before, after = round(before, self.digits), round(after, self.digits)
        if before == after:
            return None
        return "better" if (after < before) == (self.better != HIGHER) else "worse"

    def shown(self) -> str:
        """The label in the current language (the metrics.json key and `label` stay English)."""
        return translate(self.label)

    def explained(self) -> str:
        """What it measures, in the current language."""
        return translate(self.meaning)


METRICS = (
    Metric(
        "duplications",
        marked("neighbour duplications"),
        LOWER,
        0,
        marked("neighbour pairs holding the same industry outside a shared inter-provincial cluster"),
        declared=True,
    ),
    Metric(
        "duplications_weighted",
        marked("weighted duplications"),
        LOWER,
        2,
        marked(
            "neighbour duplications, one involving a characteristic cluster counting κ (the objective's characteristic_weight)"
        ),
    ),
    Metric(
        "mean_similarity",
        marked("similarity, all pairs"),
        LOWER,
        3,
        marked("mean structural similarity (0–1) of the industry mixes of every two regions holding capacity"),
        declared=True,
    ),
    Metric(
        "mean_similarity_adjacent",
        marked("similarity, neighbours"),
        LOWER,
        3,
        marked("mean structural similarity (0–1) of the industry mixes of neighbouring regions"),
        declared=True,
    ),
    Metric(
        "mean_krugman",
        marked("mean Krugman index"),
        HIGHER,
        3,
        marked(
            "mean Krugman specialisation index (0–2) of the regions holding capacity against the rest of the country"
        ),
    ),
    # Nearer 1 is better: a ratio below 1 is a shortfall and above 1 is overcapacity, the waste of uncoordinated
    # plans the layout exists to remove; neither "lower" (which would prefer a shortfall) nor "higher" judges it.
    Metric(
        "mean_overcapacity_ratio",
        marked("mean overcapacity ratio"),
        NEARER_1,
        3,
        marked(
            "capacity / target, mean over industries: 1 is on target, below 1 a shortfall, above 1 overcapacity; nearer 1 is better"
        ),
    ),
    Metric(
        "total_shortfall",
        marked("shortfall (capacity)"),
        LOWER,
        2,
        marked("target − capacity summed over the industries short of their target (capacity units)"),
    ),
    Metric(
        "targets_met",
        marked("all targets met"),
        HIGHER,
        0,
        marked("every industry's capacity reaches its target (yes is better)"),
    ),
    Metric(
        "regions_hosting",
        marked("regions hosting"),
        HIGHER,
        0,
        marked("regions holding capacity in at least one cluster"),
    ),
    Metric(
        "clusters",
        marked("clusters"),
        None,
        0,
        marked("designations: region–industry pairs holding capacity"),
    ),
)
METRIC = {m.key: m for m in METRICS}
DECLARED_METRICS = tuple(m for m in METRICS if m.declared)
OBJECTIVE = Metric(
    "objective",
    marked("objective (own weights)"),
    LOWER,
    3,
    marked("the objective value under the scenario's own weights (metrics.json solver.objective)"),
)
VERDICTS = {"better": marked("better"), "worse": marked("worse")}  # `Metric.verdict` in words
DIRECTIONS = {LOWER: marked("lower"), HIGHER: marked("higher"), NEARER_1: marked("nearer 1")}  # better directions


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


def holding(layout: pd.DataFrame) -> pd.DataFrame:
    """The rows of a layout table whose region holds capacity (more than HELD capacity units): the designations
    that count. A row holding nothing (a member of an inter-provincial cluster whose part's other units hold the
    member share) hosts nothing."""
    return layout[layout["capacity"] > HELD]


def duplications(layout: pd.DataFrame, inst: Instance) -> list[dict]:
    """Neighbour pairs holding capacity in the same industry outside a shared inter-provincial cluster.

    weight 1 when both hold full clusters (provincial or inter-provincial), kappa when a characteristic
    cluster is involved (the objective's characteristic_weight). A region holding nothing (`holding`) duplicates
    nothing, though the model, which counts designations, may have priced it (its homogeneity rows).
    """
    kappa = inst.weights["characteristic_weight"]
    rows = {(r.region_code, r.industry): r for r in holding(layout).itertuples()}
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
    """Every metric of design.md section 4 for one layout (rounded for stable output), counted over the rows that
    hold capacity (`holding`); `group_clusters` lists its inter-provincial clusters with their members' shares."""
    layout = holding(layout)
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
        "mean_overcapacity_ratio": _round(
            sum(v["overcapacity_ratio"] for v in per_industry.values()) / len(per_industry)
        ),
        "total_shortfall": _round(sum(v["shortfall"] for v in per_industry.values())),
        "targets_met": all(target_met(v["shortfall"], v["target"]) for v in per_industry.values()),
        "regions_hosting": len(hosting),
        "regions_without_cluster": [r for r in inst.regions if r not in hosting],
        "clusters": len(layout),
        "mean_krugman": _round(sum(kr.values()) / len(kr)) if kr else None,
        "krugman": {r: _round(v) for r, v in sorted(kr.items())},
        "industries": per_industry,
        "group_clusters": group_clusters(layout, inst),
    }


# ------------------------------------------------------------------------------- inter-provincial clusters

LABEL_MEMBERS = 6  # members named in a short label (a map's); the rest are counted


def percent(share: float) -> str:
    """A share (0–1) as a whole percentage, '47 %'; a share that rounds to nothing but is not nothing, '< 1 %'."""
    whole = round(100 * share)
    return "< 1 %" if whole == 0 and share > 0 else f"{whole} %"


def _capacity(v: float) -> str:
    """A member's capacity in a label: one decimal at most (`cell`), or more where that would read 0."""
    return cell(v, 1) if round(v, 1) > 0 else number(v)


def member_text(member: dict) -> str:
    """'Hebei 35 (47 %)': a member's name, capacity (capacity units) and share of the cluster (a member or a part of
    `group_clusters`)."""
    return tr(
        "{name} {capacity} ({share})",
        name=member["name"],
        capacity=_capacity(member["capacity"]),
        share=percent(member["share"]),
    )


def member_words(members: list[dict], most: int | None = None) -> str:
    """'Hebei 35 (47 %), Shandong 35 (47 %), Henan 5 (7 %)' (`member_text`); beyond `most` members, the rest counted
    (`listing`)."""
    return listing([member_text(m) for m in members], most)


def cluster_words(cluster: dict, most: int | None = None) -> str:
    """'Central Plains: NMAT — Hebei 35 (47 %), Shandong 35 (47 %), Henan 5 (7 %)' for a record of `group_clusters`
    (`most`: members named, the rest counted)."""
    members = member_words(cluster["members"], most)
    return tr("{name}: {industry} — {members}", name=cluster["name"], industry=cluster["industry"], members=members)


def group_clusters(layout: pd.DataFrame, inst: Instance | None = None) -> list[dict]:
    """Each inter-provincial cluster of a layout table (one group and one industry, by group then industry): its
    capacity (capacity units) and the members that hold capacity in it, largest first, each with its capacity and
    share of the cluster (0–1), and the cluster in words (`cluster_words`).

    With `inst`: where the least member share is held by parts (`Instance.group_parts`: at a finer level, a group
    whose members are not sourced there, so that each member province's units, or at county level each member
    city's counties, hold it together), also each part's capacity and share, and `note` says so in words; `of`
    is the number of the group's member units."""
    rows = holding(layout)
    rows = rows[(rows["tier"] == "inter-provincial") & (rows["group"].astype(str) != "")]
    out = []
    for (g, i), own in rows.groupby(["group", "industry"], sort=True):
        total = float(own["capacity"].sum())
        named = [str(n) if str(n) else str(c) for n, c in zip(_column(own, "region_name"), own["region_code"])]
        held = sorted(
            ((float(v), str(c), n) for c, n, v in zip(own["region_code"], named, own["capacity"])),
            key=lambda m: (-m[0], m[1]),
        )  # largest first, then by code
        members = [{"region": c, "name": n, "capacity": _round(v), "share": _round(v / total)} for v, c, n in held]
        group_name = next((str(n) for n in _column(own, "group_name") if str(n)), str(g))
        if inst is not None and g in inst.groups:
            group_name = inst.groups[g].name or group_name
        record = {
            "group": str(g),
            "name": group_name,
            "industry": str(i),
            "capacity": _round(total),
            "members": members,
            "parts": [],
            "note": "",
        }
        parts = inst.group_parts.get(str(g), {}) if inst is not None else {}
        if inst is not None and parts:
            record.update(_parts(inst, str(g), parts, members, total))
        record["text"] = cluster_words(record)
        out.append(record)
    return out


def _column(table: pd.DataFrame, name: str) -> list:
    """A column's values, or empty texts where the table has no such column (a hand-made layout)."""
    return list(table[name]) if name in table.columns else [""] * len(table)


def _parts(inst: Instance, g: str, parts: dict[str, tuple[str, ...]], members: list[dict], total: float) -> dict:
    """The parts of a cluster whose least member share its parts hold (`group_clusters`), and the fallback in words."""
    held = {m["region"]: m["capacity"] for m in members}
    names = {a.code: a.name for a in inst.aggregates}
    levels = {a.code: a.level for a in inst.aggregates}
    records = []
    for part, units in parts.items():
        cap = sum(held.get(u, 0.0) for u in units)
        records.append(
            {
                "part": part,
                "name": names.get(part, part),
                "capacity": _round(cap),
                "share": _round(cap / total),
                "units": len(units),
                "holding": sum(1 for u in units if u in held),
            }
        )
    # the parts are provinces (a fallback group at prefecture or county level), a file's parent regions, or
    # member cities (a listed group at county level: each city's counties together)
    kinds = {levels.get(p, "prefecture") for p in parts}
    kind = (
        {"province": marked("provinces"), "parent": marked("parent regions")}.get(kinds.pop(), marked("cities"))
        if len(kinds) == 1
        else marked("parts")
    )
    of = len(inst.groups[g].members) if g in inst.groups else sum(len(u) for u in parts.values())
    note = tr(
        "members at this level are not sourced: the member {kind} stand as parts (each one's units hold the least "
        "member share together), and the units listed are those holding capacity ({n} of {of} member units)",
        kind=translate(kind),
        n=len(members),
        of=of,
    )
    return {"parts": records, "note": note, "of": of}


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
