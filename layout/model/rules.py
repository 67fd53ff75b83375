"""Rule checks before solving: rules that cannot hold are refused, rules that cannot work are warned of.

The model meets some rules by building nothing, or by paying the shortfall penalty: a strength (a share of national
capacity) in a region that may not host the industry holds only with none of it built anywhere. Such rules are found
here, from the instance's numbers, and said with the file, line and key that wrote them.

Refused (`rule_problems`, InputError, exit 2): a rule that holds only by building nothing, or that cannot hold
together with the others —

* a strength in a region that can hold none of its industry (not eligible, no cluster allowed, no budget);
* the strengths of one industry whose shares sum above 1;
* a strength whose share needs more than the region may hold while the industry meets its target;
* existing capacity to keep (base_capacity × base_retention) beyond what the region may hold of that industry
  (none where it is not eligible): the keep-base row and the hosting row cannot both hold.

Warned of (`rule_warnings`, exit 0; `layout validate` and `layout solve` print them, metrics.json lists them under
`rule_warnings`): a rule that makes a target unreachable or an allowance futile —

* an industry no region is eligible for (its shortfall is certain);
* an industry whose eligible regions may hold less than its target together (max_share, characteristic clusters,
  budgets, concentration);
* an allowed industry (limits.regions.<r>.industries) the region is not eligible for;
* a group whose members are never all eligible for one industry (no inter-provincial cluster can form);
* a least number of clusters (min_clusters) a region cannot reach: it is eligible for fewer industries, or may take
  part in fewer clusters (max_clusters). The scenario-wide minimum applies where a cluster is open to a region
  (eligible, or a characteristic fallback: limits.ineligible_regions): regions open to nothing are named in the
  results already (metrics.json regions_eligible_for_nothing), not warned of here.

A region eligible for no industry that may host a characteristic cluster of its best-suited industry
(`Instance.fallback`) may hold that industry up to a characteristic cluster's most, and nothing else (`_most`).

`presolve_conflicts` (exit 3, InfeasibleError) lists the impossibilities of counts and budgets the solver would
prove: spread minimums, the overcapacity cap, kept capacity above a budget.

Capacities are in the scenario's capacity unit; shares are of an industry's national capacity (0..1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from layout.errors import InputError, Problem
from layout.language import marked, tr, translate, trn
from layout.model.instance import Instance, build_instance
from layout.model.levels import Aggregate, Reason
from layout.regions.readers import RegionSet
from layout.spec.load import LoadedSpec
from layout.words import listing, number

TOL = 1e-9  # relative tolerance of the comparisons (shares, capacities)
ITS = {  # an aggregate named beside a unit, by its level (Aggregate.level)
    "province": marked("its province"),
    "prefecture": marked("its prefecture"),
    "parent": marked("its parent"),
}

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class RuleWarning:
    """A rule that makes a target unreachable or an allowance futile: where the file writes it, and why, in words."""

    file: str
    line: int | None
    key: str
    text: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.text}"


def check_rules(spec: LoadedSpec, inst: Instance) -> list[RuleWarning]:
    """Raise InputError (exit 2) listing every rule that cannot hold; else return the warnings (module docstring)."""
    problems = rule_problems(spec, inst)
    if problems:
        raise InputError(problems)
    return rule_warnings(spec, inst)


# ------------------------------------------------------------------------------------------------ words


def _region(inst: Instance, r: str) -> str:
    """'Tibet (540000)'."""
    name = inst.region_names.get(r, r)
    return tr("{name} ({code})", name=name, code=r) if name != r else r


def _its(a: Aggregate) -> str:
    """'Hubei (420000), its province': an aggregate named as a unit's."""
    return tr("{name} ({code}), {its}", name=a.name, code=a.code, its=translate(ITS.get(a.level, a.level)))


def _at(spec: LoadedSpec, path: Path_) -> str:
    """'kinds.innovation.eligibility at default.yaml:31': a key and where the file writes it."""
    file, line = spec.where(*path)
    place = Path(file).name + (f":{line}" if line else "")
    return tr("{key} at {place}", key=".".join(map(str, path)), place=place)


def _either(texts: list[str]) -> str:
    """'a or b or c'."""
    out = texts[0]
    for t in texts[1:]:
        out = tr("{first} or {second}", first=out, second=t)
    return out


def _warning(spec: LoadedSpec, path: Path_, text: str) -> RuleWarning:
    file, line = spec.where(*path)
    return RuleWarning(file, line, ".".join(map(str, path)), text)


def _industry_path(spec: LoadedSpec, i: str) -> Path_:
    """Where the file declares industry i: industries.<i>, or the shortcoming whose sub-category code it is."""
    sc = spec.scenario
    if i in sc.industries:
        return ("industries", i)
    j = next((j for j, sh in enumerate(sc.shortcomings) if sh.code == i), None)
    return ("shortcomings", j) if j is not None else ("industries", i)


def _rule_of(spec: LoadedSpec, inst: Instance, r: str, i: str) -> str:
    """The rule that keeps region r from hosting industry i, named with its key and place (by the instance's reason
    code, `Instance.ineligible_by`: its sentence is in the run's language)."""
    sc = spec.scenario
    by = inst.ineligible_by.get((r, i), Reason.RULE)
    if by == Reason.ALLOWANCE:
        return tr(
            "the industries the file allows this region ({at})", at=_at(spec, ("limits", "regions", r, "industries"))
        )
    if by == Reason.PARENT_ALLOWANCE:
        at = _at(spec, ("limits", "regions", inst.parent.get(r, r), "industries"))
        return tr("the industries the file allows its parent ({at})", at=at)
    shortcoming = next((j for j, sh in enumerate(sc.shortcomings) if (sh.code or sh.industry) == i), None)
    base = i if i in sc.industries else sc.shortcomings[shortcoming].industry if shortcoming is not None else i
    declared = sc.industries.get(base)
    if by == Reason.CONCENTRATION:
        if declared is not None and declared.concentrate is not None:
            return tr(
                "its concentration among the top regions ({at})", at=_at(spec, ("industries", base, "concentrate"))
            )
        if shortcoming is not None:
            return tr("its concentration as a key shortcoming ({at})", at=_at(spec, ("shortcomings", shortcoming)))
        return tr("its concentration as a key shortcoming")
    if declared is not None and declared.eligibility is not None:
        return tr("its own eligibility rule ({at})", at=_at(spec, ("industries", base, "eligibility")))
    kind = inst.industries[i].kind
    if kind in sc.kinds:
        return tr("the eligibility rule of kind {kind} ({at})", kind=kind, at=_at(spec, ("kinds", kind, "eligibility")))
    return tr("its eligibility rule")


def _ineligible(spec: LoadedSpec, inst: Instance, r: str, i: str) -> str:
    """'Tibet (540000) is not eligible for NGIT under the eligibility rule of kind innovation (…): rd_intensity_2019 =
    0.26, rule >= 1'."""
    return tr(
        "{region} is not eligible for {industry} under {rule}: {why}",
        region=_region(inst, r),
        industry=i,
        rule=_rule_of(spec, inst, r, i),
        why=inst.why_ineligible.get((r, i)) or tr("fails the rule"),
    )


# ------------------------------------------------------------------------------------------------ what a region may hold


Parents = dict[str, list[Aggregate]]  # region -> the aggregates (finer levels: province, prefecture) it is a unit of


def _parents(inst: Instance) -> Parents:
    """Each region's aggregates, whose limits bind it together with other units (empty at one level)."""
    out: Parents = {}
    for a in inst.aggregates:
        for r in a.members:
            out.setdefault(r, []).append(a)
    return out


def _cluster_most(inst: Instance, i: str) -> tuple[float, str]:
    """The most one region may hold of industry i in one cluster, and why: max_share × target (which caps every
    tier), or a characteristic cluster's most where no provincial cluster fits under it (provincial_min above it;
    a concentrated industry has provincial clusters only)."""
    p = inst.industries[i]
    share = tr("max_share {share} × target {target}", share=number(p.max_host / p.target), target=number(p.target))
    characteristic = p.concentrate_max is None and p.char_min <= p.char_max
    if p.provincial_min > p.max_host + TOL and characteristic:  # no provincial cluster fits under the share
        return p.char_max, tr(
            "a characteristic cluster's most {most} (a provincial cluster needs at least {least}, more than {share})",
            most=number(p.char_max),
            least=number(p.provincial_min),
            share=share,
        )
    return p.max_host, share


def _most(
    spec: LoadedSpec, inst: Instance, parents: Parents, r: str, i: str, budgets: bool = True
) -> tuple[float, str]:
    """The most region r may hold of industry i on its own, and why (capacity units): 0 where it may not host it or
    may take part in no cluster, else the most of one cluster (`_cluster_most`; a characteristic cluster's where i is
    the fallback of a region eligible for no industry), less where a budget (its own or a parent's; with `budgets`)
    is smaller."""
    if not inst.may_host(r, i):
        return 0.0, _ineligible(spec, inst, r, i)
    if inst.max_clusters[r] == 0:
        return 0.0, tr("{region} may take part in no cluster (max_clusters 0)", region=_region(inst, r))
    for a in parents.get(r, []):
        if a.max_industries == 0:
            return 0.0, tr("{aggregate} may take part in no industry (max_clusters 0)", aggregate=_its(a))
    most, why = _cluster_most(inst, i)
    if not inst.eligible[r, i]:  # its fallback: one characteristic cluster
        most = inst.industries[i].char_max
        why = tr(
            "a characteristic cluster's most {most} ({region} is eligible for no industry; {industry} is its "
            "best-suited, limits.ineligible_regions)",
            most=number(most),
            region=_region(inst, r),
            industry=i,
        )
    if budgets:
        limits = [(inst.budget[r], tr("the budget of {region}", region=_region(inst, r)))]
        limits += [(a.budget, tr("the budget of {region}", region=_its(a))) for a in parents.get(r, [])]
        for b, whose in limits:
            if b is not None and b < most:
                most, why = b, tr("{whose} is {budget}", whose=whose, budget=number(b))
    return most, why


def _hosts(spec: LoadedSpec, inst: Instance, parents: Parents, i: str) -> dict[str, tuple[float, str]]:
    """Each region that may hold some of industry i: the most it may hold on its own, and why."""
    out = {}
    for r in inst.regions:
        most, why = _most(spec, inst, parents, r, i)
        if most > 0:
            out[r] = (most, why)
    return out


def _most_total(inst: Instance, i: str, hosts: dict[str, tuple[float, str]]) -> float:
    """An upper bound of industry i's national capacity: the hosts' most, each parent's budget over its units
    together (smallest parents first: prefectures inside provinces), and with concentration only the largest n_i."""
    held = {r: v for r, (v, _) in hosts.items()}
    for a in sorted(inst.aggregates, key=lambda a: len(a.members)):
        inside = [r for r in a.members if r in held]
        total = sum(held[r] for r in inside)
        if a.budget is not None and total > a.budget > 0:  # scaled to the budget: a larger parent sees the sum
            for r in inside:
                held[r] *= a.budget / total
    bound = sum(held.values())
    n = inst.industries[i].concentrate_max
    if n is not None:
        bound = min(bound, sum(sorted((v for v, _ in hosts.values()), reverse=True)[:n]))
    return bound


# ------------------------------------------------------------------------------------------------ refused


def rule_problems(spec: LoadedSpec, inst: Instance) -> list[Problem]:
    """Rules that hold only by building nothing or cannot hold together, each located in the file (empty = none)."""
    return [*_strength_problems(spec, inst), *_keep_base_problems(spec, inst)]


def _strength_index(spec: LoadedSpec) -> dict[tuple[str, str], int]:
    """(region, industry) -> the index of the strength the model uses (the last one of the pair)."""
    return {(st.region, st.industry): j for j, st in enumerate(spec.scenario.strengths)}


def _strength_problems(spec: LoadedSpec, inst: Instance) -> Iterator[Problem]:
    at = _strength_index(spec)
    parents = _parents(inst)
    for (r, i), share in inst.strengths.items():
        j = at[r, i]
        most, why = _most(spec, inst, parents, r, i)
        target = inst.industries[i].target
        if most <= 0:
            yield spec.problem(
                ("strengths", j),
                tr("a strength in a region that may hold some of {industry}", industry=i),
                tr(
                    "{why}; a share of national capacity there can only be kept by building no {industry} at all",
                    why=why,
                    industry=i,
                ),
            )
        elif share * target > most * (1 + TOL):
            yield spec.problem(
                ("strengths", j, "min_share"),
                tr(
                    "a min_share of at most {most_share} ({region} may hold at most {most} of {industry}: {why}; "
                    "{most} / target {target})",
                    most_share=number(most / target),
                    region=_region(inst, r),
                    most=number(most),
                    industry=i,
                    why=why,
                    target=number(target),
                ),
                tr(
                    "{share}, which holds only while {industry} totals at most {most} / {share} = {total}, below its "
                    "target {target}",
                    share=number(share),
                    industry=i,
                    most=number(most),
                    total=number(most / share),
                    target=number(target),
                ),
            )
    for i in inst.industries:
        mine = [(r, share) for (r, ii), share in inst.strengths.items() if ii == i]
        total = sum(share for _, share in mine)
        if total > 1 + TOL:
            last = max(at[r, i] for r, _ in mine)
            yield spec.problem(
                ("strengths", last, "min_share"),
                tr("min_shares of {industry}'s strengths that sum to at most 1", industry=i),
                tr(
                    "a sum of {total} ({shares}): together they can only be kept by building no {industry} at all",
                    total=number(total),
                    shares=listing([f"{_region(inst, r)} {number(s)}" for r, s in mine], None),
                    industry=i,
                ),
            )


def _keep_base_problems(spec: LoadedSpec, inst: Instance) -> Iterator[Problem]:
    """Kept capacity beyond what the region may hold of the industry (budgets are `presolve_conflicts`'s, all
    industries together): keep-base x_ri >= (1 - delta_i) base_ri against hosting x_ri <= max(U_i, c_i^max)."""
    parents = _parents(inst)
    for (r, i), base in inst.base.items():
        p = inst.industries[i]
        kept = p.base_retention * base
        if kept <= 0:
            continue
        most, why = _most(spec, inst, parents, r, i, budgets=False)
        if kept > most * (1 + TOL):
            held = (
                tr("{why}, so it may hold none", why=why)
                if most <= 0
                else tr("it may hold at most {most} ({why})", most=number(most), why=why)
            )
            yield spec.problem(
                (*_industry_path(spec, i), "base_capacity", r),
                tr("existing capacity to keep where the region may hold it (capacity is held only inside a cluster)"),
                tr(
                    "{base} × base_retention {retention} = {kept} to keep, but {held}",
                    base=number(base),
                    retention=number(p.base_retention),
                    kept=number(kept),
                    held=held,
                ),
            )


# ------------------------------------------------------------------------------------------------ warned of


def rule_warnings(spec: LoadedSpec, inst: Instance) -> list[RuleWarning]:
    """Rules that make a target unreachable or an allowance futile, each located in the file (empty = none); with
    plan periods each sentence starts with its period ("in 2030: ")."""
    found = [
        *_target_warnings(spec, inst),
        *_allowance_warnings(spec, inst),
        *_group_warnings(spec, inst),
        *_minimum_warnings(spec, inst),
    ]
    if not spec.scenario.periods:
        return found
    return [RuleWarning(w.file, w.line, w.key, tr("in {year}: {text}", year=inst.period, text=w.text)) for w in found]


def unsaid(found: list[RuleWarning], said: list[RuleWarning]) -> list[RuleWarning]:
    """The warnings of `found` about a rule (file, line, key) none of `said` is about: a rule is warned of once, in
    the first plan period it fails."""
    places = {(w.file, w.line, w.key) for w in said}
    return [w for w in found if (w.file, w.line, w.key) not in places]


def _target_warnings(spec: LoadedSpec, inst: Instance) -> Iterator[RuleWarning]:
    parents = _parents(inst)
    for i, p in inst.industries.items():
        path = _industry_path(spec, i)
        hosts = _hosts(spec, inst, parents, i)
        if not any(inst.may_host(r, i) for r in inst.regions):
            rules = list(dict.fromkeys(_rule_of(spec, inst, r, i) for r in inst.regions))
            yield _warning(
                spec,
                path,
                tr(
                    "no region is eligible for {industry}: every one fails {rules}; its target {target} cannot be "
                    "met, a shortfall of {target} is certain",
                    industry=i,
                    rules=_either(rules),
                    target=number(p.target),
                ),
            )
            continue
        bound = _most_total(inst, i, hosts)
        if bound < p.target * (1 - TOL):
            cluster, why = _cluster_most(inst, i)
            capped = [f"{_region(inst, r)} {number(v)}" for r, (v, w) in hosts.items() if v < cluster]
            detail = tr("each at most {most}, {why}", most=number(cluster), why=why)
            if capped:
                detail += tr("; less by budget or limits: {regions}", regions=listing(capped))
            if p.concentrate_max is not None:
                detail += trn(
                    "; concentrated in at most {n} region", "; concentrated in at most {n} regions", p.concentrate_max
                )
            fields = {"industry": i, "target": number(p.target), "bound": number(bound), "detail": detail}
            yield _warning(
                spec,
                (*path, "target"),
                tr(
                    "{industry}'s target {target} cannot be met: the {n} regions that may hold it can hold at most "
                    "{bound} together ({detail}), a shortfall of at least {short} is certain",
                    n=number(len(hosts)),
                    short=number(p.target - bound),
                    **fields,
                )
                if len(hosts) > 1
                else trn(
                    "{industry}'s target {target} cannot be met: the {n} region that may hold it can hold at most "
                    "{bound} ({detail}), a shortfall of at least {short} is certain",
                    "{industry}'s target {target} cannot be met: the {n} regions that may hold it can hold at most "
                    "{bound} ({detail}), a shortfall of at least {short} is certain",
                    len(hosts),
                    short=number(p.target - bound),
                    **fields,
                ),
            )


def _allowance_warnings(spec: LoadedSpec, inst: Instance) -> Iterator[RuleWarning]:
    """limits.regions.<r>.industries entries r is not eligible for (at finer levels: none of r's units is)."""
    for r, o in spec.scenario.limits.regions.items():
        units = [r] if r in inst.region_names else [u for u, p in inst.parent.items() if p == r]
        for j, i in enumerate(o.industries or []):
            if i not in inst.industries or not units or any(inst.may_host(u, i) for u in units):
                continue
            if len(units) == 1:
                why = _ineligible(spec, inst, units[0], i)
            else:
                why = tr(
                    "none of its {n} units is eligible for {industry} under {rule}",
                    n=number(len(units)),
                    industry=i,
                    rule=_rule_of(spec, inst, units[0], i),
                )
            yield _warning(
                spec,
                ("limits", "regions", r, "industries", j),
                tr("{industry} is allowed here, but the allowance is futile: {why}", industry=i, why=why),
            )


def _group_warnings(spec: LoadedSpec, inst: Instance) -> Iterator[RuleWarning]:
    """Groups whose members are never all eligible for one industry: the fewest members that share none, named."""
    for g, gp in inst.groups.items():
        if any(inst.group_eligible(g, i) for i in inst.industries):
            continue
        open_to = {r: [i for i in inst.industries if inst.eligible[r, i]] for r in gp.members}
        blocking = [min(gp.members, key=lambda r: len(open_to[r]))]  # greedy: each next member shares least
        shared = set(open_to[blocking[0]])
        while shared:
            nxt = min(gp.members, key=lambda r: len(shared & set(open_to[r])))
            blocking.append(nxt)
            shared &= set(open_to[nxt])
        said = [
            tr(
                "{region} is eligible for only {industries}",
                region=_region(inst, r),
                industries=listing(open_to[r], None),
            )
            if open_to[r]
            else tr("{region} is eligible for no industry", region=_region(inst, r))
            for r in blocking
        ]
        yield _warning(
            spec,
            ("groups", g),
            trn(
                "{group} can host no inter-provincial cluster: no industry is open to all its {n} member ({said})",
                "{group} can host no inter-provincial cluster: no industry is open to all its {n} members ({said})",
                len(gp.members),
                group=gp.name,
                said=tr("; ").join(said),
            ),
        )


def _minimum_warnings(spec: LoadedSpec, inst: Instance) -> Iterator[RuleWarning]:
    """Least numbers of clusters a region (at finer levels also a parent, all its units together) cannot reach."""
    sc = spec.scenario
    own = {r for r, o in sc.limits.regions.items() if o.min_clusters is not None}
    places: list[tuple[str, int, int, list[str]]] = []  # code, minimum, most clusters, industries it may host
    for r in inst.regions:
        if inst.min_clusters[r] > 0:
            ok = [i for i in inst.industries if inst.may_host(r, i)]
            places.append((r, inst.min_clusters[r], inst.max_clusters[r], ok))
    for a in inst.aggregates:
        if a.min_industries > 0:
            ok = [i for i in inst.industries if any(inst.may_host(u, i) for u in a.members)]
            most = a.max_industries if a.max_industries is not None else len(ok)
            places.append((a.code, a.min_industries, most, ok))
    scenario_wide: dict[str, list[str]] = {}  # why -> regions
    for code, least, most_k, ok in places:
        reach = min(len(ok), most_k)
        if reach >= least:
            continue
        name = _region(inst, code) if code in inst.region_names else _aggregate_name(inst, code)
        if not ok:
            why = tr("is eligible for no industry")
        elif code in inst.fallback and len(ok) < least:
            why = tr(
                "is eligible for no industry and may host only a characteristic cluster of {industry} "
                "(limits.ineligible_regions)",
                industry=ok[0],
            )
        elif len(ok) < least:
            why = trn(
                "is eligible for only {n} industry ({industries})",
                "is eligible for only {n} industries ({industries})",
                len(ok),
                industries=listing(ok, None),
            )
        else:
            why = trn(
                "may take part in at most {n} cluster (max_clusters)",
                "may take part in at most {n} clusters (max_clusters)",
                most_k,
            )
        if code in own:
            yield _warning(
                spec,
                ("limits", "regions", code, "min_clusters"),
                trn(
                    "{name} must take part in at least {n} cluster, but {why}: at most {reach} can be met, the rest "
                    "is penalised in every layout",
                    "{name} must take part in at least {n} clusters, but {why}: at most {reach} can be met, the rest "
                    "is penalised in every layout",
                    least,
                    name=name,
                    why=why,
                    reach=number(reach),
                ),
            )
        elif ok:  # the scenario-wide minimum applies where a cluster is open (module docstring)
            scenario_wide.setdefault(why, []).append(name)
    if scenario_wide:
        cases = [tr("{why}: {regions}", why=why, regions=listing(names)) for why, names in scenario_wide.items()]
        yield _warning(
            spec,
            ("limits", "min_clusters"),
            trn(
                "at least {n} cluster per region cannot be met where a region {cases}; the rest is penalised in "
                "every layout",
                "at least {n} clusters per region cannot be met where a region {cases}; the rest is penalised in "
                "every layout",
                sc.limits.min_clusters,
                cases=tr("; where it ").join(cases),
            ),
        )


def _aggregate_name(inst: Instance, code: str) -> str:
    a = next((a for a in inst.aggregates if a.code == code), None)
    return tr("{name} ({code})", name=a.name, code=code) if a is not None and a.name != code else code


# ------------------------------------------------------------------------------------------------ infeasible


def presolve_conflicts(inst: Instance) -> list[str]:
    """Impossibilities visible without a solver, as sentences with numbers (InfeasibleError, exit 3)."""
    out = []
    for i, p in inst.industries.items():
        hosts = [r for r in inst.regions if inst.eligible[r, i]]
        least, most = p.provincial_count_min, p.provincial_count_max
        if least > len(hosts):
            out.append(
                tr(
                    "spread: {industry} needs at least {least} provincial clusters, but only {n} regions are "
                    "eligible for it",
                    industry=p.name,
                    least=least,
                    n=len(hosts),
                )
            )
        if least > most:
            out.append(
                tr(
                    "spread: {industry} needs at least {least} and at most {most} provincial clusters",
                    industry=p.name,
                    least=least,
                    most=most,
                )
            )
        if p.overcapacity_cap is not None and least * p.provincial_min > (1 + p.overcapacity_cap) * p.target:
            out.append(
                tr(
                    "overcapacity cap: {industry}'s {n} provincial clusters of at least {least} exceed the cap {cap}",
                    industry=p.name,
                    n=least,
                    least=f"{p.provincial_min:g}",
                    cap=f"{(1 + p.overcapacity_cap) * p.target:g}",
                )
            )
    for r in inst.regions:
        held = sum(inst.industries[i].base_retention * v for (rr, i), v in inst.base.items() if rr == r)
        budget = inst.budget[r]
        if budget is not None and held > budget + 1e-9:
            out.append(
                tr(
                    "budget: {region} must keep {kept} of existing capacity but its budget is {budget}",
                    region=inst.region_names[r],
                    kept=f"{held:g}",
                    budget=f"{budget:g}",
                )
            )
    return out


def scenario_warnings(spec: LoadedSpec, regions: RegionSet, first: Instance) -> list[RuleWarning]:
    """Every plan period's rules checked (`check_rules`; `first` is the first period's instance, later ones are built
    without a previous period, as validation has none): InputError for rules that cannot hold, else the warnings,
    each rule once (`unsaid`)."""
    out = check_rules(spec, first)
    for period in spec.scenario.periods[1:]:
        out += unsaid(check_rules(spec, build_instance(spec, regions, period)), out)
    return out
