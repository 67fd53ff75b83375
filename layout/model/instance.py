"""The instance: regions × industries with every parameter of the model as plain numbers.

Built from a validated scenario and its regions. Checks here catch what the schema cannot (unknown
indicator, region or group codes) and name the file and line. Nothing is filled in: a missing
indicator value scores nothing and fails eligibility tests, and `gaps` records it (`missing` says it in words).
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

import pandas as pd

from layout.errors import InputError, Problem
from layout.language import current, named, tr
from layout.model.gaps import DataGap, no_budget_data
from layout.model.levels import Reason, apply_levels, group_catalogue
from layout.model.levers import LeverNote, effective_industries, period_of
from layout.model.reference import Reference
from layout.paths import geodata_file
from layout.regions.indicators import indicator_words
from layout.regions.readers import RegionSet
from layout.spec.load import LoadedSpec
from layout.spec.schema import Eligibility
from layout.words import listing

GROUP_SOURCES = ("city_clusters.csv", "regional_strategies.csv")


Tier = Literal["any", "provincial", "characteristic", "inter-provincial"]  # a cluster tier, or any


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
    why_ineligible: dict[tuple[str, str], str]  # the reason in words ("" where eligible)
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
    ineligible_regions: Literal["none", "best_characteristic"] = (
        "none"  # limits.ineligible_regions: what a region eligible for no industry may host
    )
    # region eligible for no industry -> the industry of the one characteristic cluster it may host (`may_host`)
    fallback: dict[str, str] = field(default_factory=dict)
    # regions whose fallback was chosen among the industries their allowance (limits.regions.<r>.industries) names
    fallback_limited: set[str] = field(default_factory=set)
    # what keeps a region from an industry, as a code (absent: eligible, or Reason.RULE)
    ineligible_by: dict[tuple[str, str], Reason] = field(default_factory=dict)
    # the language its names and notes are in: the one under way when it was built (--lang, else the file's)
    language: str = field(default_factory=current)

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
        """Regions eligible for no industry at any tier (named in results, never dropped silently); with
        `limits.ineligible_regions: best_characteristic` each may still host its `fallback`."""
        return [r for r in self.regions if not any(self.eligible[r, i] for i in self.industries)]

    def may_host(self, region: str, industry: str, tier: Tier = "any") -> bool:
        """Whether the eligibility rules let `region` take part in a cluster of `industry` in `tier` (provincial,
        characteristic, inter-provincial or any): every tier where it is eligible; only a characteristic cluster where
        the industry is its `fallback` (a region eligible for no industry). The model, the rule checks and explain
        ask here; a tier's own rules (a key shortcoming has provincial clusters only) are the model's."""
        if self.eligible[region, industry]:
            return True
        return tier in ("any", "characteristic") and self.fallback.get(region) == industry

    def smallest_cluster(self, region: str) -> float:
        """The least capacity (capacity units) of any cluster `region` may take part in: the smallest tier minimum
        (characteristic c_min where that tier exists, provincial m, a group member's mu) over the industries open to
        it; infinity where none is."""
        sizes = []
        for i, p in self.industries.items():
            if not self.may_host(region, i):
                continue
            char = [p.char_min] if p.char_min <= p.char_max else []
            sizes += char if not self.eligible[region, i] else [*char, p.provincial_min, p.group_min_member]
        return min(sizes, default=float("inf"))

    def may_take_part(self, region: str) -> bool:
        """Whether `region` may take part in some cluster: eligible for an industry, or a characteristic fallback."""
        return region in self.fallback or any(self.eligible[region, i] for i in self.industries)

    def ranked(self, region: str, industries: Iterable[str] | None = None, zero: bool = False) -> list[str]:
        """Industries (all, or those given) by `region`'s comparative-advantage score, best first, ties in the order
        of the file; those scoring 0 left out unless `zero` (the lowest region on every indicator scores 0 too, with
        its data complete). The uncoordinated baseline's picks (scoring above 0) and a fallback's choice."""
        order = {i: k for k, i in enumerate(self.industries)}
        pool = self.industries if industries is None else industries
        return sorted(
            (i for i in pool if zero or self.score[region, i] > 0), key=lambda i: (-self.score[region, i], order[i])
        )

    def why_unplaceable(self, region: str) -> str:
        """Why a region is eligible for no industry: each reason once, after the industries it excludes, reasons
        apart by " | " (a reason lists its rule's parts by "; "), e.g. 'NGIT, BIO: rd_intensity_2019 = 0.56, rule >= 1
        | NE: wind_grid_capacity_end2020q1_10mw = 29, rule >= 250; solar_capacity_end2019_10mw = 140, rule >= 250'."""
        by_reason: dict[str, list[str]] = {}
        for i in self.industries:
            by_reason.setdefault(self.why_ineligible.get((region, i)) or tr("fails the rule"), []).append(i)
        return " | ".join(
            tr("{industries}: {why}", industries=listing(codes, None), why=why) for why, codes in by_reason.items()
        )

    def fallback_words(self, region: str) -> str:
        """What a region eligible for no industry may host, in words: its characteristic cluster (whether the layout
        holds it, assignment.csv says), or nothing and why."""
        i = self.fallback.get(region)
        limited = region in self.fallback_limited
        if i is not None:
            fields = {"name": self.industries[i].name, "code": i, "score": f"{self.score[region, i]:.2f}"}
            if limited:
                return tr(
                    "may host a characteristic cluster of {name} ({code}; the best-scoring industry its allowance "
                    "names, score {score})",
                    **fields,
                )
            return tr(
                "may host a characteristic cluster of {name} ({code}; its best-suited industry, score {score})",
                **fields,
            )
        if self.ineligible_regions == "none":
            return tr("may host nothing (limits.ineligible_regions: none)")
        if limited:
            return tr(
                "may host nothing: none of the industries its allowance names (limits.regions) has characteristic "
                "clusters and a score above 0"
            )
        return tr(
            "may host nothing: it has no data on any indicator that the score of an industry it may host in a "
            "characteristic cluster weighs, so none is best-suited"
        )


def _group_catalogue() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Group ids in geodata/ (city clusters and regional strategies): id -> (name, province codes)."""
    out = {}
    for fname, id_col in zip(GROUP_SOURCES, ("cluster_id", "strategy_id")):
        with open(geodata_file(fname), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                members = tuple(c for c in row["province_adcodes"].split(";") if c)
                out[row[id_col]] = (named(row["name_en_working"], row["name_zh"]), members)
    return out


def _normalised(values: pd.Series) -> pd.Series:
    """Min-max normalisation to [0, 1] over regions with data (NaN stays NaN); constant -> 1."""
    lo, hi = values.min(), values.max()
    if pd.isna(lo):
        return values
    return (values - lo) / (hi - lo) if hi > lo else values.where(values.isna(), 1.0)


def _passes(rule: Eligibility, row: pd.Series, nested: bool = False) -> tuple[bool, str]:
    """Whether a region passes a rule, and if not, why (in words): its failing parts joined by "; ", each a condition
    ("rd_intensity_2019 = 0.26, rule >= 1") or a nested group: "none of (…; …)" (any) or "not all of (…)" (all,
    its failing parts only). A rule of `require: any` over several parts reads "none of (…)" too, so the words say
    whether one part would have been enough."""
    reasons, passed = [], []
    for c in rule.conditions:
        if isinstance(c, Eligibility):
            ok, why = _passes(c, row, nested=True)
            why = (
                tr("none of ({reasons})", reasons=why)
                if c.require == "any"
                else tr("not all of ({reasons})", reasons=why)
            )
        elif pd.isna(v := row[c.indicator]):
            ok, why = False, tr("no data for {indicator}", indicator=indicator_words(c.indicator))
        else:
            ok = (c.min is None or v >= c.min) and (c.max is None or v <= c.max)
            low, high = f">= {c.min:g}" if c.min is not None else "", f"<= {c.max:g}" if c.max is not None else ""
            bound = tr("{low} and {high}", low=low, high=high) if low and high else low or high
            why = tr(
                "{indicator} = {value}, rule {bound}",
                indicator=indicator_words(c.indicator),
                value=f"{v:g}",
                bound=bound,
            )
        passed.append(ok)
        if not ok:
            reasons.append(why)
    if not rule.conditions:
        return True, ""
    ok = all(passed) if rule.require == "all" else any(passed)
    if ok:
        return True, ""
    why = tr("; ").join(reasons)
    return False, tr("none of ({reasons})", reasons=why) if rule.require == "any" and len(
        reasons
    ) > 1 and not nested else why


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
    industry_code = tr("an industry code ({codes})", codes=listing(list(sc.industries), None))
    region_names = {str(c): str(n) for c, n in regions.drawn["name"].items() if c in ind.index}
    aliases = {n: c for c, n in region_names.items()}  # a name in a hint: the run's language, or the other one
    if sc.regions.source == "embedded" and regions.levels is None:  # the provinces' names in both languages
        both = pd.read_csv(geodata_file("provinces.csv"), dtype=str, usecols=["adcode", "name_zh", "name_en"])
        aliases |= {
            n: c for col in ("name_zh", "name_en") for c, n in zip(both["adcode"], both[col]) if c in region_names
        }

    def region_code(found: object, expected: str = "") -> str:
        """What a region key should be (`expected`: else a modelled region code), with a hint where `found` is a
        region's name (浙江省 for 330000) or close to a code."""
        expected = expected or tr("a modelled region code")
        text = str(found).strip()
        by_name = sorted({c for n, c in aliases.items() if n == text}) or sorted(
            {c for n, c in aliases.items() if difflib.get_close_matches(text, [n], n=1, cutoff=0.75)}
        )
        if len(by_name) == 1:
            code = by_name[0]
            return tr("{expected} ({name} is {code})", expected=expected, name=region_names[code], code=code)
        close = difflib.get_close_matches(text, list(region_names), n=1, cutoff=0.8)
        if close:
            code = close[0]
            return tr(
                "{expected} (did you mean {code}, {name}?)", expected=expected, code=code, name=region_names[code]
            )
        return expected

    def check_indicator(name: str, path: tuple) -> None:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            expected = (
                tr("an indicator of {file} (did you mean `{name}`?)", file=regions.indicator_file.name, name=close[0])
                if close
                else tr(
                    "an indicator of {file} ({indicators})",
                    file=regions.indicator_file.name,
                    indicators=listing(sorted(known), None),
                )
            )
            problems.append(spec.problem(path, expected, repr(name)))

    for kind_name, k in sc.kinds.items():
        for path, c in k.eligibility.leaves():
            check_indicator(c.indicator, ("kinds", kind_name, "eligibility", *path, "indicator"))
    for j, sh in enumerate(sc.shortcomings):
        if sh.industry not in sc.industries:
            problems.append(spec.problem(("shortcomings", j, "industry"), industry_code, repr(sh.industry)))
        if sh.urgency == "urgent" and sh.solvable:
            check_indicator(sh.top_by, ("shortcomings", j, "top_by"))
    for j, st in enumerate(sc.strengths):
        if st.region not in ind.index:
            problems.append(spec.problem(("strengths", j, "region"), region_code(st.region), repr(st.region)))
        if st.industry not in sc.industries:
            problems.append(spec.problem(("strengths", j, "industry"), industry_code, repr(st.industry)))
    for code, spec_i in sc.industries.items():
        for w in spec_i.weights:
            check_indicator(w, ("industries", code, "weights", w))
        if spec_i.eligibility:
            for path, c in spec_i.eligibility.leaves():
                check_indicator(c.indicator, ("industries", code, "eligibility", *path, "indicator"))
        if spec_i.concentrate:
            check_indicator(spec_i.concentrate.top_by, ("industries", code, "concentrate", "top_by"))
        for r in spec_i.base_capacity:
            if r not in ind.index:
                problems.append(spec.problem(("industries", code, "base_capacity", r), region_code(r), repr(r)))
    if sc.limits.budget:
        check_indicator(sc.limits.budget.indicator, ("limits", "budget", "indicator"))
    parents = set(regions.levels.parent.values()) if regions.levels is not None else set()
    for r, o in sc.limits.regions.items():
        if r not in ind.index and r not in parents:
            problems.append(
                spec.problem(
                    ("limits", "regions", r),
                    region_code(r, tr("a modelled region code or a parent (province) code") if parents else ""),
                    repr(r),
                )
            )
        for j, i in enumerate(o.industries or []):
            if i not in sc.industries:
                problems.append(
                    spec.problem(
                        ("limits", "regions", r, "industries", j),
                        industry_code,
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
                    tr("a group id of geodata/{first} or {second}", first=GROUP_SOURCES[0], second=GROUP_SOURCES[1])
                    if catalogue
                    else tr("`members` (group sources exist only for embedded regions)"),
                    repr(gs.source),
                )
            )
            continue
        for j, m in enumerate(members):
            if m not in ind.index:
                problems.append(
                    spec.problem(
                        ("groups", g, "members", j) if gs.members else ("groups", g, "source"),
                        region_code(m, tr("member codes of modelled regions")),
                        repr(m),
                    )
                )
        if len(set(members)) < 2:
            problems.append(
                spec.problem(
                    ("groups", g),
                    tr("an inter-provincial group of at least two regions"),
                    tr("{n} member(s)", n=len(set(members))),
                )
            )
        name = gs.name  # in Chinese: the file's name_zh, else the source's Chinese name, else the file's name
        if current() == "zh":
            name = gs.name_zh or (default_name if gs.members is None else gs.name)
        groups[g] = GroupParams(g, name or default_name, tuple(sorted(set(members))))
    if problems:
        raise InputError(problems)

    gaps: list[DataGap] = []
    industries: dict[str, IndustryParams] = {}
    score: dict[tuple[str, str], float] = {}
    eligible: dict[tuple[str, str], bool] = {}
    why: dict[tuple[str, str], str] = {}
    by: dict[tuple[str, str], Reason] = {}
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
            name=named(s.name, s.name_zh),
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
            not_top = tr(
                "not among the top {top} by {indicator} (key shortcoming)",
                top=s.concentrate.top,
                indicator=s.concentrate.top_by,
            )
        filled = {w: norm[w].fillna(0.0).to_dict() for w in s.weights}  # plain dicts: fast at county scale
        for r in ind.index:
            total = sum(wt * filled[w][r] for w, wt in s.weights.items())
            score[r, code] = total / total_w if total_w > 0 else 0.0
            ok, reason = _passes(rule, rows[r])
            if not ok:
                by[r, code] = Reason.RULE
            if ok and top is not None and r not in top:
                ok, reason, by[r, code] = False, not_top, Reason.CONCENTRATION
            allowed = sc.limits.regions[r].industries if r in sc.limits.regions else None
            if ok and allowed is not None and code not in allowed:
                ok, reason = False, tr("not among the industries the file allows this region (limits.regions)")
                by[r, code] = Reason.ALLOWANCE
            eligible[r, code], why[r, code] = ok, reason
    for kind in sorted({p.kind for p in industries.values()}):  # a kind's rule, for the industries without their own
        users = tuple(code for code, s in active.items() if s.kind == kind and s.eligibility is None)
        for _, c in sc.kinds[kind].eligibility.leaves() if kind in sc.kinds and users else []:
            lacking = tuple(names[r] for r in ind.index[ind[c.indicator].isna()])
            if lacking:
                gaps.append(DataGap(c.indicator, lacking, users, kind=kind))
    for code, s in active.items():  # an industry's own rule
        for _, c in s.eligibility.leaves() if s.eligibility is not None else []:
            lacking = tuple(names[r] for r in ind.index[ind[c.indicator].isna()])
            if lacking:
                gaps.append(DataGap(c.indicator, lacking, rule_of=code))

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
    K = {}
    for r in ind.index:
        own = sc.limits.regions.get(r)
        K[r] = own.max_clusters if own and own.max_clusters is not None else sc.limits.max_clusters
        if own and own.budget is not None:
            budget[r] = own.budget
    base = {(r, i): v for i, s in active.items() for r, v in s.base_capacity.items()}
    strengths = {(st.region, st.industry): st.min_share for st in sc.strengths if st.industry in industries}
    inst = Instance(
        name=named(sc.name, sc.name_zh),
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
        min_clusters={},  # set last (`_set_minimums`)
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
        ineligible_regions=sc.limits.ineligible_regions,
        ineligible_by=by,
    )
    if regions.levels is not None:  # finer resolution or parent_field: province-level limits in aggregate
        apply_levels(spec, regions, inst, fine_groups)
    if sc.limits.ineligible_regions == "best_characteristic":  # after apply_levels: a parent's allowance binds too
        has_data = {
            code: ind[[w for w, v in s.weights.items() if v > 0]].notna().any(axis=1) for code, s in active.items()
        }
        scored = {(r, code): bool(has_data[code][r]) for code in active for r in inst.unplaceable()}
        inst.fallback, inst.fallback_limited = _best_characteristic(spec, inst, scored)
    _set_minimums(spec, inst)
    return inst


def _best_characteristic(
    spec: LoadedSpec, inst: Instance, scored: dict[tuple[str, str], bool]
) -> tuple[dict[str, str], set[str]]:
    """limits.ineligible_regions: best_characteristic — each region eligible for no industry -> the industry of the one
    characteristic cluster it may host: of the industries its allowance permits (limits.regions.<r>.industries; at a
    finer level its parent's, unless it has its own entry) that have characteristic clusters (not a key shortcoming,
    deliberately concentrated; c_i^min <= c_i^max) and whose score weighs an indicator it has data on (`scored`), the
    one its score ranks first (`Instance.ranked`; a score of 0 counts: the lowest region on every indicator scores 0).
    None where no industry is left: a planner reads that in `Instance.fallback_words`. Also the regions whose
    allowance limited the choice."""
    over = spec.scenario.limits.regions
    out, limited = {}, set()
    for r in inst.unplaceable():
        own = over[r] if r in over else over.get(inst.parent.get(r, ""))
        allowed = own.industries if own is not None else None
        if allowed is not None:
            limited.add(r)
        open_to = [
            i
            for i, p in inst.industries.items()
            if (allowed is None or i in allowed) and p.concentrate_max is None and p.char_min <= p.char_max
        ]
        best = inst.ranked(r, [i for i in open_to if scored[r, i]], zero=True)
        if best:
            out[r] = best[0]
    return out, limited


def _set_minimums(spec: LoadedSpec, inst: Instance) -> None:
    """L_r of each region and L_p of each parent (its units together): the file's own min_clusters, else the
    scenario-wide one where a cluster is open to it (`Instance.may_take_part`: eligible for some industry, or a
    characteristic fallback), else 0 — one open to nothing would pay the balance penalty in every layout, a constant
    that says nothing (metrics.json names it instead); likewise where no budget over it (its own, its parents')
    holds the smallest cluster open to it (the data notes name it). At a finer level a unit's L_r is 0 unless its own
    entry says otherwise (balance is a province's matter). Set last: a parent's allowance and the fallbacks decide
    what is open."""
    over, wide = spec.scenario.limits.regions, spec.scenario.limits.min_clusters

    def own_least(code: str) -> int | None:  # limits.regions.<code>.min_clusters
        return over[code].min_clusters if code in over else None

    def least(code: str, open_: bool) -> int:
        own = own_least(code)
        return own if own is not None else wide if open_ else 0

    # the budgets of the aggregates each unit belongs to: its province's, and at county level its prefecture's (counties
    # have none of their own there)
    above: dict[str, list[float]] = {}
    for a in inst.aggregates:
        for u in a.members:
            above.setdefault(u, []).extend([] if a.budget is None else [a.budget])

    def room(r: str) -> bool:  # a cluster is open to r and every budget over it holds the smallest one
        budgets = [b for b in [inst.budget[r], *above.get(r, [])] if b is not None]
        return inst.may_take_part(r) and all(b >= inst.smallest_cluster(r) - 1e-9 for b in budgets)

    starved = []  # names: open to a cluster, but no budget for the smallest (the minimum would be a constant penalty)
    for r in inst.regions:
        if not inst.parent and inst.may_take_part(r) and not room(r) and own_least(r) is None:
            starved.append(inst.region_names.get(r, r))
        inst.min_clusters[r] = least(r, not inst.parent and room(r))
    aggregates = []
    for a in inst.aggregates:
        if a.level == "prefecture":
            aggregates.append(a)
            continue
        can = [u for u in a.members if room(u)]
        open_ = bool(can) and (a.budget is None or a.budget >= min(inst.smallest_cluster(u) for u in can) - 1e-9)
        if not open_ and any(inst.may_take_part(u) for u in a.members) and own_least(a.code) is None:
            starved.append(a.name)
        aggregates.append(replace(a, min_industries=least(a.code, open_)))
    inst.aggregates = aggregates
    if starved and wide:
        inst.data_notes.append(
            tr(
                "limits.min_clusters does not apply to {names}: the budget cannot hold the smallest cluster open "
                "there (limits.budget), so the minimum would only add a constant penalty",
                names=listing(starved, 10),
            )
        )
