"""The constraint families, each declared once: its builder, its role and its words (design.md section 3).

A family is one kind of row (`RowInfo.family`). Its record, `Family`, holds:

* **builder** — the ``add_<family>`` function that makes its rows, with the formula in its docstring. One builder
  may make the rows of several families (`add_spread` makes spread_min, spread_max and spread_groups);
  `build_model` calls each builder once, in the order of `FAMILIES`.
* **rows** — the rows in the notation of docs/model.md, whose family table `family_table` writes.
* **role** — ``hard`` (a policy limit a planner may relax: diagnosis can name it in a conflict), ``soft`` (its
  slack is penalised in the objective, so it never makes the model infeasible) or ``structural`` (what a cluster
  is: diagnosis may name it, but its repair weighs 100 times a policy limit's).
* **count limit** — `count` is set for upper limits on a number of clusters (focus, spread_max, spread_groups,
  concentrate, parent_focus): their rows hold only cluster decisions, so the LP with the clusters fixed gives
  them no price, and explain values them by probes that force one more cluster with the limit raised by one.
* **words**, one per place a planner meets the family, each a function of `Facts` (the row's codes, its
  right-hand side, and after a solve the model's values and the clusters held):
  `binding` (explain: why the row binds; None = not worth a line), `price` (explain: what one more unit of its
  right-hand side is, the subject of "… lowers the objective by …"), `conflict` (diagnose: the row in a conflict,
  with its numbers), `repair` (diagnose: what the cheapest repair changes, with the amount), `listed` (diagnose:
  what the numbers are when many rows of the family conflict), and for count limits `count` (`CountWords`).
  A word left None does not apply: soft rows never conflict, rows of cluster decisions only have no price, and
  link rows (tiers, homogeneity, portfolio) say nothing a planner would read as a limit that binds.
  Words are written `tr(...)` / `trn(...)` with their values as fields (layout.language), so they read in the
  language of the run; their Chinese is in layout/locale/zh/analysis.po with explain's and diagnose's sentences.

`eligibility` has no rows (upper bounds 0 on y, h and z), yet diagnosis names its (region, industry) and
(group, industry) pairs: its words get `Facts` whose `RowInfo` names the pair. `pareto_epsilon` is the row
`layout.batch.pareto.add_epsilon` adds to the model of a Pareto front point; `PARETO_EPSILON` is its record, kept
out of `FAMILIES` because `build_model` never makes it. `RECORDS` finds every record by family name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pulp

from layout.language import current, marked, tr, translate, trn
from layout.model.core import GE, LE, LayoutModel, RowInfo, add_variables, set_objective
from layout.model.instance import IndustryParams, Instance
from layout.model.levels import Aggregate
from layout.words import group_name, industry_name, number, region_name

HARD, SOFT, STRUCTURAL = "hard", "soft", "structural"
ON = 0.5  # a binary above this is 1
TOL = 1e-6  # a row binds when |activity - bound| <= TOL * max(1, |bound|); a slack above TOL is used


@dataclass(frozen=True)
class Facts:
    """What a sentence about one row (or one eligibility pair) may use; made by `Facts.about`.

    `rhs` is the row's right-hand side (capacity units or a count); `m` and `held` ((region, industry) -> (tier,
    group) of every designation at the solution) are set by explain, after a solve."""

    inst: Instance
    info: RowInfo
    rhs: float
    m: LayoutModel | None
    held: Mapping[tuple[str, str], tuple[str, str]]
    r: str  # the row's codes ('' where it has none): region, industry, group, parent
    i: str
    g: str
    p: str
    region: str  # their names ('' where none), and those of the other region (homogeneity) and the part (scale_member)
    other: str
    industry: str
    group: str
    parent: str
    part: str

    @classmethod
    def about(
        cls,
        inst: Instance,
        info: RowInfo,
        rhs: float = 0.0,
        m: LayoutModel | None = None,
        held: Mapping[tuple[str, str], tuple[str, str]] | None = None,
    ) -> Facts:
        """The facts of a row about `info`, its codes' names looked up once."""

        def named(name: Callable[[Instance, str], str], code: str | None) -> str:
            return name(inst, code) if code is not None else ""

        return cls(
            inst,
            info,
            rhs,
            m,
            held or {},
            info.region or "",
            info.industry or "",
            info.group or "",
            info.parent or "",
            named(region_name, info.region),
            named(region_name, info.other),
            named(industry_name, info.industry),
            named(group_name, info.group),
            named(place_name, info.parent),
            named(place_name, info.part),
        )

    @property
    def params(self) -> IndustryParams:
        """The row's industry's parameters."""
        return self.inst.industries[self.i]

    @property
    def model(self) -> LayoutModel:
        """The solved model (explain's words only)."""
        assert self.m is not None, "a word that reads the solution needs the model"
        return self.m

    def value(self, var: pulp.LpVariable) -> float:
        """A variable's value at the solution (0 where the solver wrote none)."""
        return var.varValue or 0.0


Word = Callable[[Facts], "str | None"]  # None: nothing to say about this row at this solution
Sentence = Callable[[Facts], str]
RepairWord = Callable[[Facts, float], str]
Counted = Callable[
    [LayoutModel, Mapping[str, float], Mapping[tuple[str, str], tuple[str, str]], str, str, str], "str | None"
]


@dataclass(frozen=True)
class CountWords:
    """A count limit's words for explain's probes.

    `counted(m, activity, held, r, i, tier)`: the row of this family that one more cluster of i in r (tier) would
    take past its bound, or None; `more`: its subject in the count-limit list ("one more allowed cluster in …");
    `reached`: why it holds a pair back ("… takes part in its maximum of …"); `cap`: its name in a near miss."""

    counted: Counted
    more: Sentence
    reached: Sentence
    cap: Sentence


@dataclass(frozen=True)
class Family:
    """One constraint family: its builder, role and words (module docstring)."""

    name: str
    builder: Callable[[LayoutModel], None] | None
    role: str
    rows: str
    binding: Word | None = None
    price: Word | None = None
    conflict: Sentence | None = None
    repair: RepairWord | None = None
    listed: Callable[[list[Facts]], str] | None = None
    count: CountWords | None = None
    built_by: str = ""  # the builder's name where `builder` is not in this module (pareto_epsilon, near_optimal)
    # the constraint-file keys whose values its rows take ('*': any one key, e.g. an industry's code; a key stands
    # for everything under it): an edit to one of them touches the family (`touches`, the workbench's explanations)
    keys: tuple[str, ...] = ()

    def touches(self, key: str) -> bool:
        """Whether an edit to the constraint-file key path `key` ('limits.regions.440000.max_clusters') can change
        this family's rows: it is one of `keys`, under one, or above one."""
        parts = key.split(".")
        for pattern in self.keys:
            want = pattern.split(".")
            n = min(len(parts), len(want))
            if all(w in ("*", p) for w, p in zip(want[:n], parts[:n])):
                return True
        return False

    @property
    def count_limit(self) -> bool:
        return self.count is not None

    @property
    def function(self) -> str:
        """The name of the function that makes the rows."""
        return self.built_by or (self.builder.__name__ if self.builder is not None else "")


# --------------------------------------------------------------------------------------- small helpers


def place_name(inst: Instance, code: str) -> str:
    """A parent's or a part's name: an aggregate's (a province, prefecture or own parent), a region's, or the code."""
    agg = aggregate(inst, code)
    return agg.name if agg is not None else region_name(inst, code)


def aggregate(inst: Instance, code: str | None) -> Aggregate | None:
    """The aggregate of that parent code, or None."""
    return next((a for a in inst.aggregates if a.code == code), None)


def industries(n: float) -> str:
    """'1 industry', '3 industries'."""
    return trn("{n} industry", "{n} industries", n)


def units_of(inst: Instance, parent: str | None) -> str:
    """'its 12 units together' (or 'its only unit') for a parent's row."""
    agg = aggregate(inst, parent)
    n = len(agg.members) if agg is not None else 0
    if n == 1:
        return tr("its only unit")
    return tr("its {n} units together", n=n) if n else tr("its units together")


def joined(items: Iterable[str], sep: str = ", ") -> str:
    """Names or parts listed in a sentence: 'A, B' (`sep` '; ': 'A; B'); in Chinese 'A、B' ('A；B')."""
    if current() == "zh":
        sep = {", ": "、", "; ": "；"}.get(sep, sep)
    return sep.join(items)


def tier_cluster(tier: str) -> str:
    """'provincial cluster', 'characteristic cluster', 'inter-provincial cluster': a tier's cluster as a sentence names
    it (the tier's code stays in tables)."""
    if tier == "provincial":
        return tr("provincial cluster")
    if tier == "characteristic":
        return tr("characteristic cluster")
    if tier == "inter-provincial":
        return tr("inter-provincial cluster")
    return tr("{tier} cluster", tier=tier)


def a_cluster(tier: str) -> str:
    """'a provincial cluster', 'an inter-provincial cluster' (with its article in English)."""
    if tier == "provincial":
        return tr("a provincial cluster")
    if tier == "characteristic":
        return tr("a characteristic cluster")
    if tier == "inter-provincial":
        return tr("an inter-provincial cluster")
    return tr("a {tier} cluster", tier=tier)


def portfolio_of(f: Facts) -> int:
    """How many industries the parent's units take part in at the solution (any unit, any tier)."""
    agg = aggregate(f.inst, f.p)
    members = set(agg.members) if agg is not None else set()
    return len({i for (r, i) in f.held if r in members})


def kept(inst: Instance, r: str, i: str) -> float:
    """Existing capacity region r must keep of industry i (capacity units)."""
    return inst.industries[i].base_retention * inst.base.get((r, i), 0.0)


def listed_as(what: str) -> Callable[[list[Facts]], str]:
    """Many conflicting rows of one family in one line: what the numbers are (`marked`, shown translated), then each
    row's codes and bound."""

    def line(facts: list[Facts]) -> str:
        rows = joined(f"{codes(f)} {number(f.rhs)}" for f in facts)
        return tr("{what}: {rows}", what=translate(what), rows=rows)

    return line


def codes(f: Facts) -> str:
    """The names a row is about, in the order region, other region, parent, part, group, industry."""
    return " ".join(n for n in (f.region, f.other, f.parent, f.part, f.group, f.industry) if n)


def at_limit(m: LayoutModel, act: Mapping[str, float], name: str | None) -> str | None:
    """`name` when one more cluster would take that count row past its bound, else None."""
    return name if name is not None and act[name] + 1 > -m.rows[name].constant + TOL else None


# --------------------------------------------------------------------------------------- eligibility
# fmt: off
# The records are a table: each kept compact (its identity on one line, its words below), not one argument per line.


def add_eligibility(m: LayoutModel) -> None:
    """eligibility: y_r_i = h_r_i = 0 where r fails i's rule, y_r_i = 0 alone where i is the characteristic cluster a
    region eligible for no industry may host (`Instance.fallback`); z_g_i = 0 where any member of g fails it."""
    for variables in excluded(m).values():
        for v in variables:
            v.upBound = 0


def excluded(m: LayoutModel) -> dict[tuple[str, str, str], list[pulp.LpVariable]]:
    """The variables `add_eligibility` holds at 0, by ("elig", region, industry) — y and h, y alone for a fallback —
    and ("elig_group", group, industry) — z —, regions then groups in the instance's order (diagnosis relaxes them)."""
    inst = m.inst
    out: dict[tuple[str, str, str], list[pulp.LpVariable]] = {}
    for r in inst.regions:
        for i in inst.industries:
            if not inst.eligible[r, i]:
                out["elig", r, i] = [m.y[r, i]] if inst.may_host(r, i, "characteristic") else [m.y[r, i], m.h[r, i]]
    for (g, i), z in m.z.items():
        if not inst.group_eligible(g, i):
            out["elig_group", g, i] = [z]
    return out


def _eligibility_conflict(f: Facts) -> str:
    inst, r, i, g = f.inst, f.r, f.i, f.g
    if not g and inst.may_host(r, i, "characteristic"):
        return tr(
            "eligibility: {region} may host {industry} only in a characteristic cluster (eligible for no industry; for "
            "this one: {why}; limits.ineligible_regions)",
            region=f.region,
            industry=f.industry,
            why=inst.why_ineligible.get((r, i)) or tr("fails the rule"),
        )
    if not g:
        why = inst.why_ineligible.get((r, i)) or tr("fails the rule")
        return tr("eligibility: {region} may not host {industry} ({why})", region=f.region, industry=f.industry, why=why)
    failing = [
        tr("{region}: {why}", region=region_name(inst, u), why=inst.why_ineligible.get((u, i)) or tr("fails the rule"))
        for u in inst.groups[g].members
        if not inst.eligible[u, i]
    ]
    return tr(
        "eligibility: {group} may not form an inter-provincial cluster of {industry} ({failing})",
        group=f.group,
        industry=f.industry,
        failing=joined(failing, "; "),
    )


def _eligibility_repair(f: Facts, amount: float) -> str:
    if not f.g:
        why = f.inst.why_ineligible.get((f.r, f.i)) or tr("rule")
        if f.inst.may_host(f.r, f.i, "characteristic"):
            return tr(
                "let {region} host a provincial cluster of {industry} although it fails the eligibility rule ({why})",
                region=f.region,
                industry=f.industry,
                why=why,
            )
        return tr(
            "let {region} host {industry} although it fails the eligibility rule ({why})",
            region=f.region,
            industry=f.industry,
            why=why,
        )
    return tr(
        "let {group} form an inter-provincial cluster of {industry} although a member fails the eligibility rule",
        group=f.group,
        industry=f.industry,
    )


def _eligibility_listed(facts: list[Facts]) -> str:
    per: dict[str, list[str]] = {}
    for f in facts:  # a characteristic fallback is excluded from the provincial tier only: say so
        only = not f.g and f.inst.may_host(f.r, f.i, "characteristic")
        per.setdefault(f.group or f.region, []).append(
            tr("{industry} (provincial clusters)", industry=f.industry) if only else f.industry
        )
    pairs = joined((tr("{where}: {industries}", where=where, industries=joined(ind)) for where, ind in per.items()), "; ")
    return tr("pairs excluded by the eligibility rules: {pairs}", pairs=pairs)


ELIGIBILITY = Family("eligibility", add_eligibility, HARD, "y_ri = h_ri = 0 where r fails i's rule, y_ri = 0 alone where i is the characteristic cluster a region eligible for no industry may host (`limits.ineligible_regions`); z_gi = 0 where any member of g fails it (variable bounds)",
               keys=("kinds.*.eligibility", "industries.*.eligibility", "industries.*.kind", "limits.ineligible_regions", "limits.regions.*.industries"),
                     conflict=_eligibility_conflict,
                     repair=_eligibility_repair,
                     listed=_eligibility_listed)


# --------------------------------------------------------------------------------------- demand, overcapacity


def add_demand(m: LayoutModel) -> None:
    """demand: sum_r x_r_i + e_i >= D_i."""
    for i, p in m.inst.industries.items():
        m.row(RowInfo("demand", industry=i), [(m.x[r, i], 1.0) for r in m.inst.regions] + [(m.e[i], 1.0)], GE, p.target)


def _demand_binding(f: Facts) -> str:
    e = f.value(f.model.e[f.i])
    if e <= TOL:
        return tr("demand: the target of {industry} ({target}) is met exactly", industry=f.industry, target=number(f.rhs))
    return tr(
        "demand: {industry} falls short of its target {target} by {short} (a finding)",
        industry=f.industry,
        target=number(f.rhs),
        short=number(e),
    )


DEMAND = Family("demand", add_demand, SOFT, "Σ_r x_ri + e_i ≥ D_i (shortfall e_i penalised)",
               keys=("industries.*.target", "industries.*.targets", "objective.shortfall"),
                binding=_demand_binding,
                price=lambda f: tr("one more unit of {industry}'s demand row", industry=f.industry))


def add_overcapacity(m: LayoutModel) -> None:
    """overcapacity: sum_r x_r_i - s_i <= D_i; with a cap tau_i also sum_r x_r_i <= (1 + tau_i) D_i."""
    for i, p in m.inst.industries.items():
        m.row(
            RowInfo("overcapacity", industry=i),
            [(m.x[r, i], 1.0) for r in m.inst.regions] + [(m.s[i], -1.0)],
            LE,
            p.target,
        )
        if p.overcapacity_cap is not None:
            m.row(
                RowInfo("overcapacity_cap", industry=i),
                [(m.x[r, i], 1.0) for r in m.inst.regions],
                LE,
                (1 + p.overcapacity_cap) * p.target,
            )


OVERCAPACITY = Family("overcapacity", add_overcapacity, SOFT, "Σ_r x_ri − s_i ≤ D_i (excess s_i penalised)",
               keys=("objective.overcapacity",),
                      price=lambda f: tr("one more unit of {industry} allowed before overcapacity is penalised", industry=f.industry))

OVERCAPACITY_CAP = Family("overcapacity_cap", add_overcapacity, HARD, "Σ_r x_ri ≤ (1+τ_i) D_i, where the cap τ_i is set",
               keys=("rules.overcapacity_cap", "industries.*.overcapacity_cap"),
                          binding=lambda f: tr("overcapacity cap: {industry} reaches its cap of {cap}", industry=f.industry, cap=number(f.rhs)),
                          price=lambda f: tr("one more unit of {industry}'s overcapacity cap", industry=f.industry),
                          conflict=lambda f: tr("overcapacity cap: all capacity of {industry} together may not exceed {cap} ({factor} × target {target})", industry=f.industry, cap=number(f.rhs), factor=number(1 + (f.params.overcapacity_cap or 0.0)), target=number(f.params.target)),
                          repair=lambda f, a: tr("raise the overcapacity cap of {industry} from {old} to {new} (+{amount})", industry=f.industry, old=number(f.rhs), new=number(f.rhs + a), amount=number(a)),
                          listed=listed_as(marked("most total capacity")))


# --------------------------------------------------------------------------------------- what a cluster is


def add_hosting(m: LayoutModel) -> None:
    """hosting: x_r_i <= c_i^max h_r_i + U_ri (y_r_i + sum_{g∋r} z_g_i) — capacity only inside a cluster."""
    for (r, i), x in m.x.items():
        p = m.inst.industries[i]
        terms = [(x, 1.0), (m.h[r, i], -p.char_max)] + [
            (v, -p.max_host) for v, _ in m.designation(r, i, full_only=True)
        ]
        m.row(RowInfo("hosting", region=r, industry=i), terms, LE, 0.0)


def _hosting_binding(f: Facts) -> str | None:
    pair = (f.r, f.i)
    if pair not in f.held:
        return None
    tier, grp = f.held[pair]
    cap = f.params.char_max if tier == "characteristic" else f.params.max_host
    if grp:
        return tr(
            "hosting: {region}'s {cluster} ({group}) of {industry} holds its maximum ({cap})",
            region=f.region,
            cluster=tier_cluster(tier),
            group=group_name(f.inst, grp),
            industry=f.industry,
            cap=number(cap),
        )
    return tr(
        "hosting: {region}'s {cluster} of {industry} holds its maximum ({cap})",
        region=f.region,
        cluster=tier_cluster(tier),
        industry=f.industry,
        cap=number(cap),
    )


def _existing(f: Facts, text: str) -> str | None:
    """`text` where the row's cluster exists at the solution, else None (its allowance means nothing to a planner)."""
    return text if (f.r, f.i) in f.held else None


HOSTING = Family("hosting", add_hosting, STRUCTURAL, "x_ri ≤ c_i^max h_ri + U_i F_ri — capacity only inside a cluster",
               keys=("rules.max_share", "industries.*.max_share", "rules.characteristic.max", "industries.*.characteristic.max"),
                 binding=_hosting_binding,
                 price=lambda f: _existing(f, tr("one more unit that {region} may hold of {industry} (cluster maximum)", region=f.region, industry=f.industry)),
                 conflict=lambda f: tr("hosting: {region} may hold {industry} only inside a cluster: at most {char_max} in a characteristic cluster, {max_host} in a provincial or inter-provincial one", region=f.region, industry=f.industry, char_max=number(f.params.char_max), max_host=number(f.params.max_host)),
                 repair=lambda f, a: tr("let {region} hold {amount} of {industry} beyond what its clusters allow (hosting)", region=f.region, amount=number(a), industry=f.industry))


def add_scale(m: LayoutModel) -> None:
    """scale: x_r_i >= m_i y_r_i + c_i^min h_r_i + mu_i sum_{g∋r} z_g_i;  sum_{r∈g} x_r_i >= M_i z_g_i.

    scale_member (finer levels, a group whose members are cities or provinces of several units): the units of each
    part q together, sum_{r∈q} x_r_i >= mu_i z_g_i, instead of mu_i in each unit's scale row."""
    inst = m.inst
    for (r, i), x in m.x.items():
        p = inst.industries[i]
        terms = [(x, 1.0), (m.y[r, i], -p.provincial_min), (m.h[r, i], -p.char_min)]
        terms += [(m.z[g, i], -p.group_min_member) for g in inst.groups_of(r) if g not in inst.group_parts]
        m.row(RowInfo("scale", region=r, industry=i), terms, GE, 0.0)
    for (g, i), z in m.z.items():
        terms = [(m.x[r, i], 1.0) for r in inst.groups[g].members] + [(z, -inst.industries[i].group_min_total)]
        m.row(RowInfo("scale_group", group=g, industry=i), terms, GE, 0.0)
        for part, members in inst.group_parts.get(g, {}).items():  # finer levels: a member city's units together
            terms = [(m.x[r, i], 1.0) for r in members] + [(z, -inst.industries[i].group_min_member)]
            m.row(RowInfo("scale_member", group=g, part=part, industry=i), terms, GE, 0.0)


def _scale_binding(f: Facts) -> str | None:
    pair = (f.r, f.i)
    if pair not in f.held:
        return None
    tier, _grp = f.held[pair]
    p = f.params
    low = {"provincial": p.provincial_min, "characteristic": p.char_min, "inter-provincial": p.group_min_member}[tier]
    if low <= 0:
        return None
    return tr(
        "scale: {region}'s {cluster} of {industry} holds only the minimum {low}",
        region=f.region,
        cluster=tier_cluster(tier),
        industry=f.industry,
        low=number(low),
    )


def _scale_conflict(f: Facts) -> str:
    p = f.params
    fields = dict(industry=p.name, region=f.region, provincial=number(p.provincial_min), characteristic=number(p.char_min))
    if f.inst.groups_of(f.r):
        return tr(
            "scale: a cluster of {industry} in {region} holds at least {provincial} if provincial, {characteristic} if "
            "characteristic, {member} as a member of an inter-provincial cluster",
            member=number(p.group_min_member),
            **fields,
        )
    return tr(
        "scale: a cluster of {industry} in {region} holds at least {provincial} if provincial, {characteristic} if "
        "characteristic",
        **fields,
    )


SCALE = Family("scale", add_scale, STRUCTURAL, "x_ri ≥ m_i y_ri + c_i^min h_ri + μ_i Σ_{g∋r} z_gi (μ_i only for groups without parts)",
               keys=("rules.provincial_min", "industries.*.provincial_min", "rules.characteristic.min", "industries.*.characteristic.min", "rules.interprovincial.min_member", "industries.*.interprovincial.min_member"),
               binding=_scale_binding,
               price=lambda f: _existing(f, tr("one more unit of minimum scale of {region}'s cluster of {industry}", region=f.region, industry=f.industry)),
               conflict=_scale_conflict,
               repair=lambda f, a: tr("let a cluster of {industry} in {region} hold {amount} less than its minimum scale", industry=f.industry, region=f.region, amount=number(a)))


def _group_active(f: Facts, text: str) -> str | None:
    """`text` where the row's inter-provincial cluster exists at the solution, else None."""
    return text if f.value(f.model.z[f.g, f.i]) > ON else None


SCALE_GROUP = Family("scale_group", add_scale, STRUCTURAL, "Σ_{r∈g} x_ri ≥ M_i z_gi",
               keys=("rules.interprovincial.min_total", "industries.*.interprovincial.min_total", "groups"),
                     binding=lambda f: _group_active(f, tr("scale: the inter-provincial cluster of {industry} in {group} holds only its minimum total {total}", industry=f.industry, group=f.group, total=number(f.rhs))),
                     price=lambda f: _group_active(f, tr("one more unit of minimum total of the {industry} cluster in {group}", industry=f.industry, group=f.group)),
                     conflict=lambda f: tr("scale: an inter-provincial cluster of {industry} in {group} holds at least {total} in all", industry=f.industry, group=f.group, total=number(f.params.group_min_total)),
                     repair=lambda f, a: tr("let the inter-provincial cluster of {industry} in {group} hold {amount} less than its minimum total", industry=f.industry, group=f.group, amount=number(a)))


def _part_units(f: Facts) -> str:
    """'the 3 units of Jiangsu' for a part of a group."""
    units = f.inst.group_parts.get(f.g, {}).get(f.info.part or "", ())
    return trn("the {n} unit of {part}", "the {n} units of {part}", len(units), part=f.part)


SCALE_MEMBER = Family("scale_member", add_scale, STRUCTURAL, "Σ_{r∈q} x_ri ≥ μ_i z_gi for each part q of g (finer levels: a member city's or province's units together)",
               keys=("rules.interprovincial.min_member", "industries.*.interprovincial.min_member", "groups"),
                      binding=lambda f: _group_active(f, tr("scale: {units} hold only their least share {share} of the inter-provincial cluster of {industry} in {group}", units=_part_units(f), share=number(f.params.group_min_member), industry=f.industry, group=f.group)),
                      price=lambda f: _group_active(f, tr("one more unit of least share of {units} in the {industry} cluster in {group}", units=_part_units(f), industry=f.industry, group=f.group)),
                      conflict=lambda f: tr("scale: in an inter-provincial cluster of {industry} in {group}, {units} hold at least {share} together", industry=f.industry, group=f.group, units=_part_units(f), share=number(f.params.group_min_member)),
                      repair=lambda f, a: tr("let {units} hold {amount} less of {industry} than their least share of the inter-provincial cluster in {group}", units=_part_units(f), amount=number(a), industry=f.industry, group=f.group))


def add_tiers(m: LayoutModel) -> None:
    """tiers: y_r_i + h_r_i + sum_{g∋r} z_g_i <= 1 — one tier per region and industry."""
    for r, i in m.x:
        m.row(RowInfo("tiers", region=r, industry=i), m.designation(r, i), LE, 1.0)


TIERS = Family("tiers", add_tiers, STRUCTURAL, "d_ri ≤ 1 — one tier per region and industry, across all groups a region belongs to",
               conflict=lambda f: tr("tiers: {region} hosts {industry} in one tier at most", region=f.region, industry=f.industry),
               repair=lambda f, a: tr("let {region} host {industry} in two tiers", region=f.region, industry=f.industry))


# --------------------------------------------------------------------------------------- regions' limits


def add_focus(m: LayoutModel) -> None:
    """focus: sum_i d_r_i <= K_r — every tier counts, so a group is no loophole for collecting industries.

    Left out where a parent's portfolio implies it (finer levels, add_parent_limits): sum_i d_r_i <= sum_i P_p_i
    <= K_p <= K_r.
    """
    implied = {
        r
        for a in m.inst.aggregates
        if a.max_industries is not None
        for r in a.members
        if a.max_industries <= m.inst.max_clusters[r]
    }
    for r in m.inst.regions:
        if r in implied:
            continue
        terms = [t for i in m.inst.industries for t in m.designation(r, i)]
        m.row(RowInfo("focus", region=r), terms, LE, float(m.inst.max_clusters[r]))


FOCUS = Family("focus", add_focus, HARD, "Σ_i d_ri ≤ K_r — every tier counts, so a group is no loophole for collecting industries (left out where a parent's K_p ≤ K_r implies it)",
               keys=("limits.max_clusters", "limits.regions.*.max_clusters"),
               binding=lambda f: (trn("focus: {region} takes part in its maximum of {n} cluster", "focus: {region} takes part in its maximum of {n} clusters", f.rhs, region=f.region) if f.rhs > 0 else None),
               conflict=lambda f: trn("focus: {region} may take part in at most {n} cluster, all tiers counted", "focus: {region} may take part in at most {n} clusters, all tiers counted", f.rhs, region=f.region),
               repair=lambda f, a: trn("allow {region} {n} cluster instead of {old} (focus)", "allow {region} {n} clusters instead of {old} (focus)", f.rhs + a, region=f.region, old=number(f.rhs)),
               listed=listed_as(marked("most clusters a region takes part in")),
               count=CountWords(counted=lambda m, act, held, r, i, tier: at_limit(m, act, m.row_of("focus", region=r)),
                                more=lambda f: tr("one more allowed cluster in {region} (focus, now {now})", region=f.region, now=number(f.rhs)),
                                reached=lambda f: trn("{region} takes part in its maximum of {n} cluster (focus)", "{region} takes part in its maximum of {n} clusters (focus)", f.rhs, region=f.region),
                                cap=lambda f: tr("its focus limit")))


def add_balance(m: LayoutModel) -> None:
    """balance: sum_i d_r_i + v_r >= L_r — every region develops something that suits it (v_r penalised)."""
    for r in m.inst.regions:
        if m.inst.min_clusters[r] > 0:
            terms = [t for i in m.inst.industries for t in m.designation(r, i)] + [(m.v[r], 1.0)]
            m.row(RowInfo("balance", region=r), terms, GE, float(m.inst.min_clusters[r]))


def _balance_binding(f: Facts) -> str | None:
    r = f.r
    if f.value(f.model.v[r]) <= TOL:
        return None
    n = sum(1 for (rr, _i) in f.held if rr == r)
    return trn(
        "balance: {region} takes part in {n} cluster, fewer than its minimum {least} (penalised, a finding)",
        "balance: {region} takes part in {n} clusters, fewer than its minimum {least} (penalised, a finding)",
        n,
        region=f.region,
        least=number(f.rhs),
    )


BALANCE = Family("balance", add_balance, SOFT, "Σ_i d_ri + v_r ≥ L_r (v_r penalised)",
               keys=("limits.min_clusters", "limits.regions.*.min_clusters", "objective.balance"),
                 binding=_balance_binding,
                 price=lambda f: tr("one more required cluster in {region}", region=f.region))


def add_spread(m: LayoutModel) -> None:
    """spread: N_i^min <= sum_r y_r_i <= N_i^max;  sum_g z_g_i <= NG_i."""
    inst = m.inst
    for i, p in inst.industries.items():
        ys = [(m.y[r, i], 1.0) for r in inst.regions]
        if p.provincial_count_min > 0:
            m.row(RowInfo("spread_min", industry=i), ys, GE, float(p.provincial_count_min))
        m.row(RowInfo("spread_max", industry=i), ys, LE, float(p.provincial_count_max))
        if inst.groups:
            m.row(RowInfo("spread_groups", industry=i), [(m.z[g, i], 1.0) for g in inst.groups], LE, float(p.group_max))


SPREAD_MIN = Family("spread_min", add_spread, HARD, "Σ_r y_ri ≥ N_i^min (where N_i^min > 0)",
               keys=("rules.provincial_clusters.min", "industries.*.provincial_clusters.min"),
                    binding=lambda f: (trn("spread: {industry} has only its minimum of {n} provincial cluster", "spread: {industry} has only its minimum of {n} provincial clusters", f.rhs, industry=f.industry) if f.rhs > 0 else None),
                    conflict=lambda f: trn("spread: {industry} needs at least {n} provincial cluster", "spread: {industry} needs at least {n} provincial clusters", f.rhs, industry=f.industry),
                    repair=lambda f, a: trn("require {n} provincial cluster of {industry} instead of {old} (spread)", "require {n} provincial clusters of {industry} instead of {old} (spread)", max(0.0, f.rhs - a), industry=f.industry, old=number(f.rhs)),
                    listed=listed_as(marked("least provincial clusters")))


def _provincial(name: Callable[[LayoutModel, str], str | None]) -> Counted:
    """A count limit on provincial clusters of an industry: only a provincial probe counts against it."""
    return lambda m, act, held, r, i, tier: at_limit(m, act, name(m, i)) if tier == "provincial" else None


SPREAD_MAX = Family("spread_max", add_spread, HARD, "Σ_r y_ri ≤ N_i^max",
               keys=("rules.provincial_clusters.max", "industries.*.provincial_clusters.max"),
                    binding=lambda f: (trn("spread: {industry} has its maximum of {n} provincial cluster", "spread: {industry} has its maximum of {n} provincial clusters", f.rhs, industry=f.industry) if f.rhs > 0 else None),
                    conflict=lambda f: trn("spread: {industry} may have at most {n} provincial cluster", "spread: {industry} may have at most {n} provincial clusters", f.rhs, industry=f.industry),
                    repair=lambda f, a: trn("allow {n} provincial cluster of {industry} instead of {old} (spread)", "allow {n} provincial clusters of {industry} instead of {old} (spread)", f.rhs + a, industry=f.industry, old=number(f.rhs)),
                    listed=listed_as(marked("most provincial clusters")),
                    count=CountWords(counted=_provincial(lambda m, i: m.row_of("spread_max", industry=i)),
                                     more=lambda f: tr("one more allowed provincial cluster of {industry} (spread, now {now})", industry=f.industry, now=number(f.rhs)),
                                     reached=lambda f: trn("{industry} has its maximum of {n} provincial cluster (spread)", "{industry} has its maximum of {n} provincial clusters (spread)", f.rhs, industry=f.industry),
                                     cap=lambda f: tr("the industry's spread maximum")))

SPREAD_GROUPS = Family("spread_groups", add_spread, HARD, "Σ_g z_gi ≤ NG_i",
               keys=("rules.interprovincial.max_clusters", "industries.*.interprovincial.max_clusters"),
                       binding=lambda f: (trn("spread: {industry} has its maximum of {n} inter-provincial cluster", "spread: {industry} has its maximum of {n} inter-provincial clusters", f.rhs, industry=f.industry) if f.rhs > 0 else None),
                       conflict=lambda f: trn("spread: {industry} may have at most {n} inter-provincial cluster", "spread: {industry} may have at most {n} inter-provincial clusters", f.rhs, industry=f.industry),
                       repair=lambda f, a: trn("allow {n} inter-provincial cluster of {industry} instead of {old} (spread)", "allow {n} inter-provincial clusters of {industry} instead of {old} (spread)", f.rhs + a, industry=f.industry, old=number(f.rhs)),
                       listed=listed_as(marked("most inter-provincial clusters")),
                       count=CountWords(  # probes force provincial or characteristic clusters only: never one more inter-provincial one
                               counted=lambda m, act, held, r, i, tier: None,
                               more=lambda f: tr("one more allowed inter-provincial cluster of {industry} (spread, now {now})", industry=f.industry, now=number(f.rhs)),
                               reached=lambda f: trn("{industry} has its maximum of {n} inter-provincial cluster (spread)", "{industry} has its maximum of {n} inter-provincial clusters (spread)", f.rhs, industry=f.industry),
                               cap=lambda f: tr("the industry's inter-provincial spread maximum"),
                       ))


def add_budget(m: LayoutModel) -> None:
    """budget: sum_i x_r_i <= B_r."""
    for r, b in m.inst.budget.items():
        if b is not None:
            m.row(RowInfo("budget", region=r), [(m.x[r, i], 1.0) for i in m.inst.industries], LE, b)


BUDGET = Family("budget", add_budget, HARD, "Σ_i x_ri ≤ B_r",
               keys=("limits.budget", "limits.regions.*.budget"),
                binding=lambda f: tr("budget of {region} ({budget}) is fully used", region=f.region, budget=number(f.rhs)),
                price=lambda f: tr("one more unit of {region}'s budget", region=f.region),
                conflict=lambda f: tr("budget: {region} may build at most {budget} in all industries together", region=f.region, budget=number(f.rhs)),
                repair=lambda f, a: tr("raise the budget of {region} from {old} to {new} (+{amount})", region=f.region, old=number(f.rhs), new=number(f.rhs + a), amount=number(a)),
                listed=listed_as(marked("what a region may build in all industries")))


# --------------------------------------------------------------------------------------- parents (finer levels)


def add_parent_limits(m: LayoutModel) -> None:
    """parent limits (finer resolutions): a province's limits apply to its units in aggregate.

    parent_budget: sum_{r∈p} sum_i x_r_i <= B_p (also for prefectures' budgets at county level);
    portfolio: d_r_i <= P_p_i for r ∈ p (P_p_i in [0, 1]: p takes part in a cluster of i);
    parent_focus: sum_i P_p_i <= K_p;  parent_balance: sum_i P_p_i + vp_p >= L_p (vp_p penalised
    like v_r) with portfolio_any: P_p_i <= sum_{r∈p} d_r_i, so only a real cluster counts.
    """
    inst = m.inst
    for a in inst.aggregates:
        if a.budget is not None:
            m.row(
                RowInfo("parent_budget", parent=a.code),
                [(m.x[r, i], 1.0) for r in a.members for i in inst.industries],
                LE,
                a.budget,
            )
        if a.max_industries is None and a.min_industries <= 0:
            continue
        held = []
        for i in inst.industries:
            hosts = [r for r in a.members if inst.may_host(r, i)]
            if not hosts:
                continue
            P = m.portfolio[a.code, i] = m.var(f"P_{a.code}_{i}", up=1.0)
            held.append((P, 1.0))
            for r in hosts:
                m.row(
                    RowInfo("portfolio", region=r, parent=a.code, industry=i),
                    m.designation(r, i) + [(P, -1.0)],
                    LE,
                    0.0,
                )
            if a.min_industries > 0:  # each designation variable once (a group's z is shared by its members)
                some = {t: -1.0 for r in hosts for t, _ in m.designation(r, i)}
                m.row(RowInfo("portfolio_any", parent=a.code, industry=i), [(P, 1.0)] + list(some.items()), LE, 0.0)
        if a.max_industries is not None:
            m.row(RowInfo("parent_focus", parent=a.code), held, LE, float(a.max_industries))
        if a.min_industries > 0:
            m.vp[a.code] = m.var(f"vp_{a.code}")
            m.row(RowInfo("parent_balance", parent=a.code), held + [(m.vp[a.code], 1.0)], GE, float(a.min_industries))


PARENT_BUDGET = Family("parent_budget", add_parent_limits, HARD, "Σ_{r∈p} Σ_i x_ri ≤ B_p — a parent's units together (also a prefecture's counties where budgets are split to prefectures)",
               keys=("limits.budget", "limits.regions.*.budget"),
                       binding=lambda f: tr("budget of {parent} ({budget}) is fully used by {units}", parent=f.parent, budget=number(f.rhs), units=units_of(f.inst, f.p)),
                       price=lambda f: tr("one more unit of {parent}'s budget ({units})", parent=f.parent, units=units_of(f.inst, f.p)),
                       conflict=lambda f: tr("budget: {parent} may build at most {budget} in all industries, {units}", parent=f.parent, budget=number(f.rhs), units=units_of(f.inst, f.p)),
                       repair=lambda f, a: tr("raise the budget of {parent} from {old} to {new} (+{amount}; {units})", parent=f.parent, old=number(f.rhs), new=number(f.rhs + a), amount=number(a), units=units_of(f.inst, f.p)),
                       listed=listed_as(marked("what a parent's units may build together in all industries")))

PORTFOLIO = Family("portfolio", add_parent_limits, STRUCTURAL, "d_ri ≤ P_pi for r ∈ p, P_pi ∈ [0, 1] — p's portfolio holds i when any of its units takes part in a cluster of i",
                   conflict=lambda f: tr("portfolio: {parent} counts {industry} among its industries when {region} takes part in a cluster of it", parent=f.parent, industry=f.industry, region=f.region),
                   repair=lambda f, a: tr("let {region} take part in a cluster of {industry} without {parent} counting it among its industries", region=f.region, industry=f.industry, parent=f.parent))

PORTFOLIO_ANY = Family("portfolio_any", add_parent_limits, STRUCTURAL, "P_pi ≤ Σ_{r∈p} d_ri — only a real cluster counts (where L_p > 0)",
                       conflict=lambda f: tr("portfolio: {parent} counts {industry} among its industries only if one of its units takes part in a cluster of it", parent=f.parent, industry=f.industry),
                       repair=lambda f, a: tr("let {parent} count {industry} among its industries although none of its units takes part in a cluster of it", parent=f.parent, industry=f.industry))


def _parent_focus_counted(
    m: LayoutModel, act: Mapping[str, float], held: Mapping[tuple[str, str], tuple[str, str]], r: str, i: str, tier: str
) -> str | None:
    """The parent focus row of r's parent when one more cluster of i in r adds an industry to a full portfolio."""
    p = m.inst.parent.get(r)
    name = m.row_of("parent_focus", parent=p) if p is not None else None
    agg = aggregate(m.inst, p)
    if name is None or agg is None:
        return None
    members = set(agg.members)
    portfolio = {j for (u, j) in held if u in members}
    return name if i not in portfolio and len(portfolio) + 1 > -m.rows[name].constant + TOL else None


# P_pi is continuous but fixed by the clusters (P = max d where L_p > 0, free in [max d, 1] otherwise): like every
# count limit, a parent's focus has no meaningful price in the LP with the clusters fixed; probes value it.
PARENT_FOCUS = Family("parent_focus", add_parent_limits, HARD, "Σ_i P_pi ≤ K_p — the industries a parent's units take part in, all tiers counted",
               keys=("limits.max_clusters", "limits.regions.*.max_clusters"),
                      binding=lambda f: (trn("focus: {parent} holds its maximum of {n} industry, {units}", "focus: {parent} holds its maximum of {n} industries, {units}", f.rhs, parent=f.parent, units=units_of(f.inst, f.p)) if f.rhs > 0 and portfolio_of(f) >= f.rhs else None),
                      conflict=lambda f: trn("focus: {parent} may hold at most {n} industry, {units}, all tiers counted", "focus: {parent} may hold at most {n} industries, {units}, all tiers counted", f.rhs, parent=f.parent, units=units_of(f.inst, f.p)),
                      repair=lambda f, a: trn("allow {parent} {n} industry instead of {old} (focus, {units})", "allow {parent} {n} industries instead of {old} (focus, {units})", f.rhs + a, parent=f.parent, old=number(f.rhs), units=units_of(f.inst, f.p)),
                      listed=listed_as(marked("most industries a parent's units take part in")),
                      count=CountWords(counted=_parent_focus_counted,
                                       more=lambda f: tr("one more allowed industry in {parent} (focus of {units}, now {now})", parent=f.parent, units=units_of(f.inst, f.p), now=number(f.rhs)),
                                       reached=lambda f: trn("{parent} holds its maximum of {n} industry (focus of {units})", "{parent} holds its maximum of {n} industries (focus of {units})", f.rhs, parent=f.parent, units=units_of(f.inst, f.p)),
                                       cap=lambda f: tr("the focus limit of {parent}", parent=f.parent)))


def _parent_balance_binding(f: Facts) -> str | None:
    if f.value(f.model.vp[f.p]) <= TOL:
        return None
    return trn(
        "balance: {parent} holds {n} industry, {units}, fewer than its minimum {least} (penalised, a finding)",
        "balance: {parent} holds {n} industries, {units}, fewer than its minimum {least} (penalised, a finding)",
        portfolio_of(f),
        parent=f.parent,
        units=units_of(f.inst, f.p),
        least=number(f.rhs),
    )


PARENT_BALANCE = Family("parent_balance", add_parent_limits, SOFT, "Σ_i P_pi + vp_p ≥ L_p (vp_p penalised like v_r)",
               keys=("limits.min_clusters", "limits.regions.*.min_clusters"),
                        binding=_parent_balance_binding,
                        price=lambda f: tr("one more required industry in {parent} ({units})", parent=f.parent, units=units_of(f.inst, f.p)))


# --------------------------------------------------------------------------------------- levers


def add_keep_base(m: LayoutModel) -> None:
    """keep-base: x_r_i >= (1 - delta_i) base_r_i where existing capacity is known."""
    for (r, i), base in m.inst.base.items():
        m.row(
            RowInfo("keep_base", region=r, industry=i),
            [(m.x[r, i], 1.0)],
            GE,
            m.inst.industries[i].base_retention * base,
        )


KEEP_BASE = Family("keep_base", add_keep_base, HARD, "x_ri ≥ (1−δ_i) base_ri",
               keys=("industries.*.base_capacity", "industries.*.base_retention"),
                   binding=lambda f: (tr("keep-base: {region} keeps exactly the required {kept} of {industry}", region=f.region, kept=number(f.rhs), industry=f.industry) if f.rhs > 0 else None),
                   price=lambda f: tr("one more unit of {industry} that {region} must keep", industry=f.industry, region=f.region),
                   conflict=lambda f: tr("keep-base: {region} must keep at least {kept} of {industry} (existing capacity {base} × retention {retention})", region=f.region, kept=number(f.rhs), industry=f.params.name, base=number(f.inst.base.get((f.r, f.i), 0.0)), retention=number(f.params.base_retention)),
                   repair=lambda f, a: tr("lower what {region} must keep of {industry} from {old} to {new} (−{amount})", region=f.region, industry=f.industry, old=number(f.rhs), new=number(max(0.0, f.rhs - a)), amount=number(a)),
                   listed=listed_as(marked("capacity that must be kept")))


def add_homogeneity(m: LayoutModel) -> None:
    """homogeneity: u_r_s_i >= (1 - kappa) [F_r_i = F_s_i = 1] + kappa [d_r_i = d_s_i = 1], both uncoordinated.

    Neighbours duplicating an industry outside a shared active group are penalised: 1 for two full
    clusters, kappa when a characteristic cluster is involved. With F = F_r_i + F_s_i - C_r_s_i and
    H = h_r_i + h_s_i (a group of both r and s is in F_r, F_s and C_r_s: its z enters once):
      homogeneity:      u_r_s_i >= F + kappa H - 1
      homogeneity_any:  u_r_s_i >= kappa (F + H - 1)
    At integer points this is exactly (1 - kappa) u_full + kappa u_any of the two-variable form
    (u >= F - 1, w >= F + H - 1), with half the columns and an LP relaxation at least as tight.
    Rows that cannot bind are left out: `homogeneity` where fewer than two full-cluster terms can be 1
    (`homogeneity_any` implies it then), both (and u = 0) where fewer than two terms of any kind can.
    """
    inst = m.inst
    kappa = inst.weights["characteristic_weight"]
    order = {g: k for k, g in enumerate(inst.groups)}
    union: dict[tuple[str, str], list[str]] = {}
    for (r, s, i), u in m.u.items():
        gs = union.get((r, s))
        if gs is None:
            gs = union[r, s] = sorted(set(inst.groups_of(r)) | set(inst.groups_of(s)), key=order.__getitem__)
        full = [(m.y[r, i], 1.0), (m.y[s, i], 1.0)] + [(m.z[g, i], 1.0) for g in gs]
        char = [(m.h[r, i], 1.0), (m.h[s, i], 1.0)]
        n_full = sum(1 for v, _ in full if v.upBound != 0)
        n_any = n_full + sum(1 for v, _ in char if v.upBound != 0)
        if n_any < 2:
            u.upBound = 0
            continue
        if n_full >= 2 and kappa < 1:
            m.row(
                RowInfo("homogeneity", region=r, other=s, industry=i),
                [(u, -1.0)] + full + [(v, kappa) for v, _ in char if kappa > 0],
                LE,
                1.0,
            )
        if kappa > 0:
            m.row(
                RowInfo("homogeneity_any", region=r, other=s, industry=i),
                [(u, -1.0)] + [(v, kappa) for v, _ in full + char],
                LE,
                kappa,
            )


# Duplications are counted in metrics.json; their rows only define u, so they are never listed as binding nor priced.
HOMOGENEITY = Family("homogeneity", add_homogeneity, SOFT, "u_rsi ≥ F + κH − 1 with F = F_ri + F_si − C_rsi, H = h_ri + h_si, for (r, s) ∈ A where both may host i (eligible, or i their characteristic fallback) (u_rsi penalised)",
               keys=("objective.homogeneity", "objective.characteristic_weight", "regions.links", "regions.isolated", "groups"))

HOMOGENEITY_ANY = Family("homogeneity_any", add_homogeneity, SOFT, "u_rsi ≥ κ (F + H − 1) — a duplication involving a characteristic cluster costs κ",
               keys=("objective.homogeneity", "objective.characteristic_weight"))


def add_concentrate(m: LayoutModel) -> None:
    """concentrate (key shortcomings): sum_r y_r_i <= n_i and h_r_i = z_g_i = 0 (variable bounds) — at most n_i
    regions, each a provincial cluster of at least m_i (eligibility already keeps only top S&T regions)."""
    for i, p in m.inst.industries.items():
        if p.concentrate_max is not None:
            m.row(
                RowInfo("concentrate", industry=i),
                [(m.y[r, i], 1.0) for r in m.inst.regions],
                LE,
                float(p.concentrate_max),
            )
            for r in m.inst.regions:
                m.h[r, i].upBound = 0
            for g in m.inst.groups:
                m.z[g, i].upBound = 0


CONCENTRATE = Family("concentrate", add_concentrate, HARD, "Σ_r y_ri ≤ n_i; h_ri = z_gi = 0 — only provincial clusters (variable bounds)",
               keys=("industries.*.concentrate",),
                     binding=lambda f: (trn("concentrate: {industry} (a key shortcoming) is in its maximum of {n} region", "concentrate: {industry} (a key shortcoming) is in its maximum of {n} regions", f.rhs, industry=f.industry) if f.rhs > 0 else None),
                     listed=listed_as(marked("most provincial clusters of a key shortcoming")),
                     conflict=lambda f: trn("concentrate: {industry} is a key shortcoming, concentrated in at most {n} provincial cluster", "concentrate: {industry} is a key shortcoming, concentrated in at most {n} provincial clusters", f.rhs, industry=f.industry),
                     repair=lambda f, a: trn("allow {n} provincial cluster of {industry} instead of {old} (concentrate)", "allow {n} provincial clusters of {industry} instead of {old} (concentrate)", f.rhs + a, industry=f.industry, old=number(f.rhs)),
                     count=CountWords(counted=_provincial(lambda m, i: m.row_of("concentrate", industry=i)),
                                      more=lambda f: tr("one more allowed region for {industry} (concentrate, now {now})", industry=f.industry, now=number(f.rhs)),
                                      reached=lambda f: trn("{industry} is concentrated in its maximum of {n} region (concentrate)", "{industry} is concentrated in its maximum of {n} regions (concentrate)", f.rhs, industry=f.industry),
                                      cap=lambda f: tr("the concentrate limit")))


def add_persistence(m: LayoutModel) -> None:
    """persistence: d_r_i >= 1 where r held a cluster of i in the previous period (unless the file allows exit)."""
    if m.inst.previous is None or m.inst.allow_exit:
        return
    for r, i in m.inst.previous:
        m.row(RowInfo("persistence", region=r, industry=i), m.designation(r, i), GE, 1.0)


PERSISTENCE = Family("persistence", add_persistence, HARD, "d_ri ≥ 1 where r held a cluster of i in the previous period (unless exit is allowed)",
               keys=("allow_exit", "periods"),
                     conflict=lambda f: tr("persistence: {region} keeps the cluster of {industry} it held in the previous period", region=f.region, industry=f.industry),
                     repair=lambda f, a: tr("let {region} give up its cluster of {industry} from the previous period", region=f.region, industry=f.industry))


def add_growth(m: LayoutModel) -> None:
    """growth: x_r_i <= x_r_i(previous period) + G — capacity grows by at most G per period."""
    inst = m.inst
    if inst.previous is None or inst.max_growth is None:
        return
    for (r, i), x in m.x.items():
        m.row(RowInfo("growth", region=r, industry=i), [(x, 1.0)], LE, inst.previous.get((r, i), 0.0) + inst.max_growth)


def _growth_conflict(f: Facts) -> str:
    prev = (f.inst.previous or {}).get((f.r, f.i), 0.0)
    return tr(
        "growth: {region} may hold at most {most} of {industry} (previous period {previous} + growth {growth})",
        region=f.region,
        most=number(f.rhs),
        industry=f.industry,
        previous=number(prev),
        growth=number(f.rhs - prev),
    )


GROWTH = Family("growth", add_growth, HARD, "x_ri ≤ x_ri^prev + G — capacity grows by at most G per period",
               keys=("max_growth",),
                binding=lambda f: tr("growth: {region}'s capacity of {industry} reaches its most for this period ({most})", region=f.region, industry=f.industry, most=number(f.rhs)),
                price=lambda f: tr("one more unit of growth allowed for {industry} in {region}", industry=f.industry, region=f.region),
                conflict=_growth_conflict,
                repair=lambda f, a: tr("let {region} grow {industry} to {new} instead of {old} (+{amount})", region=f.region, industry=f.industry, new=number(f.rhs + a), old=number(f.rhs), amount=number(a)))


def add_strengths(m: LayoutModel) -> None:
    """strengths: x_r_i >= share_r_i * sum_s x_s_i — a long board keeps its share of national capacity."""
    for (r, i), share in m.inst.strengths.items():
        terms = [(m.x[s, i], -share) for s in m.inst.regions if s != r] + [(m.x[r, i], 1.0 - share)]
        m.row(RowInfo("strengths", region=r, industry=i), terms, GE, 0.0)


def _share(f: Facts) -> float | None:
    return f.inst.strengths.get((f.r, f.i))


def _strengths_binding(f: Facts) -> str | None:
    if (f.r, f.i) not in f.held:
        return None
    share = _share(f)
    if share is None:
        return tr("strengths: {region} keeps only its minimum share of {industry}", region=f.region, industry=f.industry)
    return tr(
        "strengths: {region} keeps only its minimum share of {industry} ({share} of national capacity)",
        region=f.region,
        industry=f.industry,
        share=number(share),
    )


def _strengths_conflict(f: Facts) -> str:
    share = _share(f)
    if share is None:
        return tr(
            "strengths: {region} keeps at least its of the national capacity of {industry} (a long board)",
            region=f.region,
            industry=f.industry,
        )
    return tr(
        "strengths: {region} keeps at least {share} of the national capacity of {industry} (a long board)",
        region=f.region,
        share=number(share),
        industry=f.industry,
    )


STRENGTHS = Family("strengths", add_strengths, HARD, "x_ri ≥ share_ri Σ_s x_si — a long board keeps its share of national capacity",
               keys=("strengths",),
                   binding=_strengths_binding,
                   price=lambda f: tr("one more unit of {industry} that {region} must hold beyond its long-board share", industry=f.industry, region=f.region),
                   conflict=_strengths_conflict,
                   repair=lambda f, a: tr("let {region} hold {amount} less of {industry} than its long-board share requires", region=f.region, amount=number(a), industry=f.industry))


# --------------------------------------------------------------------------------------- least-change re-planning


def add_reference(m: LayoutModel) -> None:
    """reference (`Instance.reference`, R its designations, counted in the regions it states; d_r_i binary):
      max_changes:    sum_{(r,i) not in R} d_r_i + sum_{(r,i) in R} (1 - d_r_i) <= N, i.e.
                      sum_{not in R} d_r_i - sum_{in R} d_r_i <= N - |R|
      capacity_moved: x_r_i - m+_r_i + m-_r_i = x_ref_r_i (m+, m- >= 0 weighed in the objective, where `moved` > 0).
    The changes themselves are weighed in the objective (`layout.model.core.reference_terms`): no rows needed."""
    ref = m.inst.reference
    if ref is None:
        return
    pairs = [(r, i) for r, i in m.x if ref.counted(r)]
    if ref.max_changes is not None:
        terms = [(v, -c if (r, i) in ref.designated else c) for r, i in pairs for v, c in m.designation(r, i)]
        inside = sum(1 for p in pairs if p in ref.designated)
        m.row(RowInfo("max_changes"), terms, LE, float(ref.max_changes - inside))
    if ref.moved > 0:
        for r, i in pairs:
            up, down = m.var(f"moved_up_{r}_{i}"), m.var(f"moved_down_{r}_{i}")
            m.moved_up[r, i], m.moved_down[r, i] = up, down
            m.row(RowInfo("capacity_moved", region=r, industry=i), [(m.x[r, i], 1.0), (up, -1.0), (down, 1.0)],
                  pulp.LpConstraintEQ, ref.capacity.get((r, i), 0.0))


def _changes_limit(f: Facts) -> float:
    """The most changes allowed (the row's right-hand side is N - |R|)."""
    ref = f.inst.reference
    return float(ref.max_changes if ref is not None and ref.max_changes is not None else 0)


def _source(f: Facts) -> str:
    ref = f.inst.reference
    return ref.words if ref is not None else tr("the declared plans")


def _max_changes_counted(
    m: LayoutModel, act: Mapping[str, float], held: Mapping[tuple[str, str], tuple[str, str]], r: str, i: str, tier: str
) -> str | None:
    """The max_changes row when one more cluster of i in r is a change (not in the reference) past the limit."""
    ref = m.inst.reference
    if ref is None or not ref.counted(r) or (r, i) in ref.designated:
        return None
    return at_limit(m, act, m.row_of("max_changes"))


MAX_CHANGES = Family("max_changes", add_reference, HARD, "Σ_{(r,i)∉R} d_ri + Σ_{(r,i)∈R} (1 − d_ri) ≤ N — designations added to or removed from the reference layout R (least-change re-planning)",
               keys=("reference",),
                     binding=lambda f: tr("max changes: the layout makes the most changes allowed against {source} ({most})", source=_source(f), most=number(_changes_limit(f))),
                     conflict=lambda f: trn("max changes: the layout may add or remove at most {n} designation against {source}", "max changes: the layout may add or remove at most {n} designations against {source}", _changes_limit(f), source=_source(f)),
                     repair=lambda f, a: trn("allow {n} change against {source} instead of {old} (the limit on changes)", "allow {n} changes against {source} instead of {old} (the limit on changes)", _changes_limit(f) + a, source=_source(f), old=number(_changes_limit(f))),
                     listed=lambda facts: tr("most changes against {source}: {most}", source=_source(facts[0]), most=number(_changes_limit(facts[0]))),
                     count=CountWords(counted=_max_changes_counted,
                                      more=lambda f: tr("one more allowed change against {source} (the limit on changes, now {now})", source=_source(f), now=number(_changes_limit(f))),
                                      reached=lambda f: tr("the layout makes the most changes allowed against {source} ({most})", source=_source(f), most=number(_changes_limit(f))),
                                      cap=lambda f: tr("the limit on changes against the reference")))

# Its rows only define the capacity moved (weighed in the objective): never listed as binding, and no price.
CAPACITY_MOVED = Family("capacity_moved", add_reference, SOFT, "x_ri − m⁺_ri + m⁻_ri = x_ri^ref (m⁺, m⁻ ≥ 0 penalised: capacity moved against the reference layout)",
               keys=("reference",))


# --------------------------------------------------------------------------------------- the front's ε row

PARETO_EPSILON = Family("pareto_epsilon", None, HARD, "Σ_rsi u_rsi ≤ ε (the models of `layout pareto`'s front points only)",
                        binding=lambda f: tr("pareto: weighted neighbour duplications reach this front point's bound ε = {bound}", bound=number(f.rhs)),
                        price=lambda f: tr("one more unit of weighted neighbour duplications allowed at this front point (ε)"),
                        conflict=lambda f: tr("pareto: weighted neighbour duplications may total at most {bound} (ε of this front point)", bound=number(f.rhs)),
                        repair=lambda f, a: tr("allow weighted neighbour duplications of {new} instead of {old} (ε)", new=number(f.rhs + a), old=number(f.rhs)),
                        built_by="layout.batch.pareto.add_epsilon")


# ------------------------------------------------------------------------------ the alternatives' slack row

NEAR_OPTIMAL = Family("near_optimal", None, HARD, "f(x) − e ≤ f* + slack·|f*| (the models of `layout alternatives` only; the excess e ≥ 0 priced far above the rest)",
                      binding=lambda f: tr("alternatives: the objective reaches the slack's bound {bound} (near-optimal alternative)", bound=number(f.rhs)),
                      price=lambda f: tr("one more unit of objective allowed to the near-optimal alternative (the slack)"),
                      conflict=lambda f: tr("alternatives: the objective may be at most {bound} (the optimum plus the slack)", bound=number(f.rhs)),
                      repair=lambda f, a: tr("allow an objective of {new} instead of {old} (a larger slack)", new=number(f.rhs + a), old=number(f.rhs)),
                      built_by="layout.batch.alternatives.add_near_optimal")


# --------------------------------------------------------------------------------------- the table of contents

# fmt: on
FAMILIES: tuple[Family, ...] = (
    ELIGIBILITY,
    DEMAND,
    OVERCAPACITY,
    OVERCAPACITY_CAP,
    HOSTING,
    SCALE,
    SCALE_GROUP,
    SCALE_MEMBER,
    TIERS,
    FOCUS,
    BALANCE,
    SPREAD_MIN,
    SPREAD_MAX,
    SPREAD_GROUPS,
    BUDGET,
    PARENT_BUDGET,
    PORTFOLIO,
    PORTFOLIO_ANY,
    PARENT_FOCUS,
    PARENT_BALANCE,
    KEEP_BASE,
    HOMOGENEITY,
    HOMOGENEITY_ANY,
    CONCENTRATE,
    PERSISTENCE,
    GROWTH,
    STRENGTHS,
    MAX_CHANGES,
    CAPACITY_MOVED,
)
RECORDS: dict[str, Family] = {f.name: f for f in (*FAMILIES, PARETO_EPSILON, NEAR_OPTIMAL)}

# The order diagnose reads a conflict in and breaks ties between equal repairs (the earlier, the sooner relaxed):
# counts, then budgets and kept capacity, then the levers, then what a cluster is, then eligibility.
CONFLICT_ORDER = (
    "spread_min",
    "spread_max",
    "spread_groups",
    "concentrate",
    "focus",
    "parent_focus",
    "budget",
    "parent_budget",
    "keep_base",
    "overcapacity_cap",
    "persistence",
    "growth",
    "strengths",
    "max_changes",
    "scale",
    "scale_group",
    "scale_member",
    "hosting",
    "tiers",
    "portfolio",
    "portfolio_any",
    "eligibility",
    "pareto_epsilon",
    "near_optimal",
)


def builders() -> list[Callable[[LayoutModel], None]]:
    """Each family's builder once, in the order of FAMILIES."""
    return list(dict.fromkeys(f.builder for f in FAMILIES if f.builder is not None))


def build_model(inst: Instance) -> LayoutModel:
    """The whole model: variables, then each constraint family in order, then the objective."""
    m = LayoutModel(inst, pulp.LpProblem("layout", pulp.LpMinimize))
    add_variables(m)
    for build in builders():
        build(m)
    set_objective(m)
    m.finish()
    return m


def family_table() -> str:
    """docs/model.md's table of constraint families, from the records (markdown, one line per family)."""
    lines = ["| family | rows | role | built by |", "|---|---|---|---|"]
    for f in (*FAMILIES, PARETO_EPSILON, NEAR_OPTIMAL):
        role = f.role + (", count limit" if f.count_limit else "")
        lines.append(f"| {f.name} | {f.rows} | {role} | `{f.function}` |")
    return "\n".join(lines) + "\n"
