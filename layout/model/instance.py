"""The instance: regions × industries with every parameter of the model as plain numbers.

Built from a validated scenario and its regions. Checks here catch what the schema cannot (unknown
indicator, region or group codes) and name the file and line. Nothing is filled in: a missing
indicator value scores nothing and fails eligibility tests, and `gaps` records it (`missing` says it in words).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

import pandas as pd

from layout.errors import InputError, Problem
from layout.model.gaps import DataGap, no_budget_data
from layout.model.levels import apply_levels, group_catalogue
from layout.model.levers import LeverNote, effective_industries, period_of
from layout.model.reference import Reference
from layout.paths import geodata_file
from layout.regions.readers import RegionSet
from layout.spec.load import LoadedSpec
from layout.spec.schema import Eligibility

GROUP_SOURCES = ("city_clusters.csv", "regional_strategies.csv")


@dataclass(frozen=True)
class IndustryParams:
    """An industry's parameters, capacity in the scenario's capacity unit."""

    code: str
    name: str
    kind: str
    target: float  # D_i
    max_host: float  # U_ri = max_share * D_i (same for every region)
    provincial_min: float  # m_i
    char_min: float  # c_i^min
    char_max: float  # c_i^max, at most max_host (max_share caps a characteristic cluster too)
    group_min_total: float  # M_i
    group_min_member: float  # mu_i
    group_max: int  # NG_i
    provincial_count_min: int  # N_i^min
    provincial_count_max: int  # N_i^max
    overcapacity_cap: float | None  # tau_i
    concentrate_max: int | None  # n_i
    base_retention: float  # 1 - delta_i


@dataclass(frozen=True)
class GroupParams:
    """An inter-provincial group."""

    code: str
    name: str
    members: tuple[str, ...]


@dataclass
class Instance:
    """Everything the model needs, as numbers keyed by region and industry codes."""

    name: str
    capacity_unit: str
    regions: list[str]
    region_names: dict[str, str]
    industries: dict[str, IndustryParams]
    groups: dict[str, GroupParams]
    neighbours: list[tuple[str, str]]
    score: dict[tuple[str, str], float]  # comparative advantage in [0, 1]
    eligible: dict[tuple[str, str], bool]
    why_ineligible: dict[tuple[str, str], str]
    max_clusters: dict[str, int]  # K_r
    min_clusters: dict[str, int]  # L_r
    budget: dict[str, float | None]  # B_r, capacity units; None = no limit
    base: dict[tuple[str, str], float]  # existing capacity
    weights: dict[str, float]  # objective weights
    gaps: list[DataGap] = field(default_factory=list)  # indicator values missing where the scenario uses them
    period: int | None = None  # plan year this instance stands for
    levers: dict[str, LeverNote] = field(default_factory=dict)  # policy levers applied, by industry code
    # how finer levels treat the data (budget split, groups, sources)
    data_notes: list[str] = field(default_factory=list)
    strengths: dict[tuple[str, str], float] = field(default_factory=dict)  # least share of national capacity
    # designations of the previous period: capacity; None = first period
    previous: dict[tuple[str, str], float] | None = None
    allow_exit: bool = False
    max_growth: float | None = None  # capacity units per period
    # region -> its parent (province) at finer resolutions; {} = one level
    parent: dict[str, str] = field(default_factory=dict)
    # layout.regions.fine.Aggregate: limits over a parent's regions together
    aggregates: list = field(default_factory=list)
    # group -> part -> regions holding mu_i together
    group_parts: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # a layout to stay close to (least-change re-planning; set by layout.results.reference); None = none
    reference: Reference | None = None

    @property
    def missing(self) -> list[str]:
        """Notes on the data and its gaps, in words (metrics.json missing_data)."""
        return self.data_notes + [g.text for g in self.gaps]

    @property
    def notes(self) -> dict[str, str]:
        """The policy levers applied, in words, by industry code (metrics.json policy_levers)."""
        return {code: note.text for code, note in self.levers.items()}

    def groups_of(self, region: str) -> list[str]:
        """Groups that region belongs to (an index built once; groups are fixed after build_instance)."""
        key = (id(self.groups), len(self.groups))
        if self.__dict__.get("_groups_key") != key:
            index: dict[str, list[str]] = {}
            for g, p in self.groups.items():
                for r in p.members:
                    index.setdefault(r, []).append(g)
            self.__dict__["_groups_index"], self.__dict__["_groups_key"] = index, key
        return self.__dict__["_groups_index"].get(region, [])

    def group_eligible(self, group: str, industry: str) -> bool:
        """An inter-provincial cluster needs every member eligible for the industry."""
        return all(self.eligible[r, industry] for r in self.groups[group].members)

    def unplaceable(self) -> list[str]:
        """Regions eligible for no industry at any tier (named in results, never dropped silently)."""
        return [r for r in self.regions if not any(self.eligible[r, i] for i in self.industries)]


def _group_catalogue() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Group ids in geodata/ (city clusters and regional strategies): id -> (name, province codes)."""
    out = {}
    for fname, id_col in zip(GROUP_SOURCES, ("cluster_id", "strategy_id")):
        with open(geodata_file(fname), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                members = tuple(c for c in row["province_adcodes"].split(";") if c)
                out[row[id_col]] = (row["name_en_working"], members)
    return out


def _normalised(values: pd.Series) -> pd.Series:
    """Min-max normalisation to [0, 1] over regions with data (NaN stays NaN); constant -> 1."""
    lo, hi = values.min(), values.max()
    if pd.isna(lo):
        return values
    return (values - lo) / (hi - lo) if hi > lo else values.where(values.isna(), 1.0)


def _passes(rule: Eligibility, row: pd.Series) -> tuple[bool, str]:
    """Whether a region passes a rule, and if not, why (in words)."""
    reasons, passed = [], []
    for c in rule.conditions:
        v = row[c.indicator]
        if pd.isna(v):
            ok, why = False, f"no data for {c.indicator}"
        else:
            ok = (c.min is None or v >= c.min) and (c.max is None or v <= c.max)
            bound = " and ".join(
                x
                for x in (f">= {c.min:g}" if c.min is not None else "", f"<= {c.max:g}" if c.max is not None else "")
                if x
            )
            why = f"{c.indicator} = {v:g}, rule {bound}"
        passed.append(ok)
        if not ok:
            reasons.append(why)
    if not rule.conditions:
        return True, ""
    ok = all(passed) if rule.require == "all" else any(passed)
    return ok, "" if ok else "; ".join(reasons)


def build_instance(
    spec: LoadedSpec,
    regions: RegionSet,
    period: int | None = None,
    previous: dict[tuple[str, str], float] | None = None,
) -> Instance:
    """Turn a scenario and its regions into numbers for one plan period. Raises InputError naming file, line and key.

    `previous`: capacity of each region–industry designated in the previous period (persistence, growth).
    """
    sc = spec.scenario
    active, levers = effective_industries(sc, period)
    ind = regions.indicators
    problems: list[Problem] = []
    known = set(ind.columns)

    def check_indicator(name: str, path: tuple) -> None:
        if name not in known:
            problems.append(
                spec.problem(
                    path, f"an indicator of {regions.indicator_file.name} ({', '.join(sorted(known))})", repr(name)
                )
            )

    for kind_name, k in sc.kinds.items():
        for j, c in enumerate(k.eligibility.conditions):
            check_indicator(c.indicator, ("kinds", kind_name, "eligibility", "conditions", j, "indicator"))
    for j, sh in enumerate(sc.shortcomings):
        if sh.industry not in sc.industries:
            problems.append(
                spec.problem(
                    ("shortcomings", j, "industry"), f"an industry code ({', '.join(sc.industries)})", repr(sh.industry)
                )
            )
        if sh.urgency == "urgent" and sh.solvable:
            check_indicator(sh.top_by, ("shortcomings", j, "top_by"))
    for j, st in enumerate(sc.strengths):
        if st.region not in ind.index:
            problems.append(spec.problem(("strengths", j, "region"), "a modelled region code", repr(st.region)))
        if st.industry not in sc.industries:
            problems.append(
                spec.problem(
                    ("strengths", j, "industry"), f"an industry code ({', '.join(sc.industries)})", repr(st.industry)
                )
            )
    for code, spec_i in sc.industries.items():
        for w in spec_i.weights:
            check_indicator(w, ("industries", code, "weights", w))
        if spec_i.eligibility:
            for j, c in enumerate(spec_i.eligibility.conditions):
                check_indicator(c.indicator, ("industries", code, "eligibility", "conditions", j, "indicator"))
        if spec_i.concentrate:
            check_indicator(spec_i.concentrate.top_by, ("industries", code, "concentrate", "top_by"))
        for r in spec_i.base_capacity:
            if r not in ind.index:
                problems.append(
                    spec.problem(("industries", code, "base_capacity", r), "a modelled region code", repr(r))
                )
    if sc.limits.budget:
        check_indicator(sc.limits.budget.indicator, ("limits", "budget", "indicator"))
    parents = set(regions.levels.parent.values()) if regions.levels is not None else set()
    for r, o in sc.limits.regions.items():
        if r not in ind.index and r not in parents:
            problems.append(
                spec.problem(
                    ("limits", "regions", r),
                    "a modelled region code" + (" or a parent (province) code" if parents else ""),
                    repr(r),
                )
            )
        for j, i in enumerate(o.industries or []):
            if i not in sc.industries:
                problems.append(
                    spec.problem(
                        ("limits", "regions", r, "industries", j),
                        f"an industry code ({', '.join(sc.industries)})",
                        repr(i),
                    )
                )

    catalogue = _group_catalogue() if sc.regions.source == "embedded" else {}
    fine_groups = {}
    if regions.levels is not None and regions.levels.level != "files":
        fine_groups = group_catalogue(regions)
        catalogue = {k: (v.name, v.members) for k, v in fine_groups.items()}
    groups: dict[str, GroupParams] = {}
    for g, gs in sc.groups.items():
        if gs.members is not None:
            members, default_name = tuple(gs.members), g
            if parents:  # a parent code stands for all its regions
                members = tuple(
                    u
                    for m in members
                    for u in ([m] if m in ind.index else [c for c in ind.index if regions.levels.parent[c] == m] or [m])
                )
        elif gs.source in catalogue:
            default_name, members = catalogue[gs.source]
        else:
            problems.append(
                spec.problem(
                    ("groups", g, "source"),
                    f"a group id of geodata/{' or '.join(GROUP_SOURCES)}"
                    if catalogue
                    else "`members` (group sources exist only for embedded regions)",
                    repr(gs.source),
                )
            )
            continue
        for j, m in enumerate(members):
            if m not in ind.index:
                problems.append(
                    spec.problem(
                        ("groups", g, "members", j) if gs.members else ("groups", g, "source"),
                        "member codes of modelled regions",
                        repr(m),
                    )
                )
        if len(set(members)) < 2:
            problems.append(
                spec.problem(
                    ("groups", g), "an inter-provincial group of at least two regions", f"{len(set(members))} member(s)"
                )
            )
        groups[g] = GroupParams(g, gs.name or default_name, tuple(sorted(set(members))))
    if problems:
        raise InputError(problems)

    gaps: list[DataGap] = []
    industries: dict[str, IndustryParams] = {}
    score: dict[tuple[str, str], float] = {}
    eligible: dict[tuple[str, str], bool] = {}
    why: dict[tuple[str, str], str] = {}
    names = {r: str(n) for r, n in regions.drawn["name"].reindex(ind.index).items()}
    norm = {c: _normalised(ind[c]) for c in ind.columns}
    rows = ind.to_dict("index")  # region -> {indicator: value}
    rules = sc.rules
    for code, s in active.items():
        ch = s.characteristic or rules.characteristic
        ip = s.interprovincial or rules.interprovincial
        pc = s.provincial_clusters or rules.provincial_clusters
        share = s.max_share if s.max_share is not None else rules.max_share
        industries[code] = IndustryParams(
            code=code,
            name=s.name,
            kind=s.kind,
            target=s.target,
            max_host=share * s.target,
            provincial_min=s.provincial_min if s.provincial_min is not None else rules.provincial_min,
            char_min=ch.min,
            char_max=min(ch.max, share * s.target),  # max_share caps every tier: one region hosts at most U_i
            group_min_total=ip.min_total,
            group_min_member=ip.min_member,
            group_max=ip.max_clusters,
            provincial_count_min=pc.min,
            provincial_count_max=pc.max,
            overcapacity_cap=s.overcapacity_cap if s.overcapacity_cap is not None else rules.overcapacity_cap,
            concentrate_max=s.concentrate.max_regions if s.concentrate else None,
            base_retention=s.base_retention,
        )
        total_w = sum(s.weights.values())
        for w in s.weights:
            lacking = tuple(names[r] for r in ind.index[ind[w].isna()])
            if lacking and s.weights[w] > 0:
                gaps.append(DataGap(w, lacking, industries=(code,)))
        rule = s.eligibility or (sc.kinds[s.kind].eligibility if s.kind in sc.kinds else Eligibility())
        top, not_top = None, ""
        if s.concentrate:
            ranked = ind[s.concentrate.top_by].dropna().sort_values(ascending=False, kind="stable")
            top = set(ranked.index[: s.concentrate.top])
            not_top = f"not among the top {s.concentrate.top} by {s.concentrate.top_by} (key shortcoming)"
        filled = {w: norm[w].fillna(0.0).to_dict() for w in s.weights}  # plain dicts: fast at county scale
        for r in ind.index:
            total = sum(wt * filled[w][r] for w, wt in s.weights.items())
            score[r, code] = total / total_w if total_w > 0 else 0.0
            ok, reason = _passes(rule, rows[r])
            if ok and top is not None and r not in top:
                ok, reason = False, not_top
            allowed = sc.limits.regions[r].industries if r in sc.limits.regions else None
            if ok and allowed is not None and code not in allowed:
                ok, reason = False, "not among the industries the file allows this region (limits.regions)"
            eligible[r, code], why[r, code] = ok, reason
    for kind in sorted({p.kind for p in industries.values()}):
        for c in sc.kinds[kind].eligibility.conditions if kind in sc.kinds else []:
            lacking = tuple(names[r] for r in ind.index[ind[c.indicator].isna()])
            if lacking:
                gaps.append(DataGap(c.indicator, lacking, kind=kind))

    total_target = sum(p.target for p in industries.values())
    budget: dict[str, float | None] = {r: None for r in ind.index}
    if sc.limits.budget and regions.levels is None:  # with parents, layout.regions.fine.apply_levels splits budgets
        col = ind[sc.limits.budget.indicator]
        unknown = [
            r
            for r in ind.index
            if pd.isna(col[r]) and (r not in sc.limits.regions or sc.limits.regions[r].budget is None)
        ]
        if unknown:
            raise no_budget_data(spec, "region", unknown, [names[r] for r in unknown])
        share = col / col.sum()
        budget = {r: float(sc.limits.budget.factor * total_target * share[r]) for r in ind.index}
    K, L = {}, {}
    for r in ind.index:
        own = sc.limits.regions.get(r)
        K[r] = own.max_clusters if own and own.max_clusters is not None else sc.limits.max_clusters
        # the scenario-wide minimum applies where a region is eligible for some industry: one eligible for nothing
        # would pay the balance penalty in every layout, a constant that says nothing (metrics.json names it instead)
        anything = any(eligible[r, i] for i in industries)
        L[r] = own.min_clusters if own and own.min_clusters is not None else sc.limits.min_clusters if anything else 0
        if own and own.budget is not None:
            budget[r] = own.budget
    base = {(r, i): v for i, s in active.items() for r, v in s.base_capacity.items()}
    strengths = {(st.region, st.industry): st.min_share for st in sc.strengths if st.industry in industries}
    inst = Instance(
        name=sc.name,
        capacity_unit=sc.capacity_unit,
        regions=list(ind.index),
        region_names=names,
        industries=industries,
        groups=groups,
        neighbours=[(a, b) for a, b, _ in regions.neighbours],
        score=score,
        eligible=eligible,
        why_ineligible=why,
        max_clusters=K,
        min_clusters=L,
        budget=budget,
        base=base,
        weights=sc.objective.model_dump(),
        gaps=gaps,
        period=period_of(sc, period),
        levers=levers,
        strengths=strengths,
        previous=None if previous is None else {k: v for k, v in previous.items() if k[1] in industries},
        allow_exit=sc.allow_exit,
        max_growth=sc.max_growth,
    )
    if regions.levels is not None:  # finer resolution or parent_field: province-level limits in aggregate
        apply_levels(spec, regions, inst, fine_groups)
    return inst
