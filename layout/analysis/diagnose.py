"""Why a scenario is infeasible: the smallest set of conflicting constraints, in a planner's words.

`diagnose(inst, solver)` works with any solver the package supports ("highs", "cbc" or "scip"): it only ever
solves ordinary PuLP-built mixed-integer problems through `layout.model.solve.solve`.

What can conflict. Each family's record (`layout.model.families`) says its role. The rows of hard families
(spread, focus, budget, keep_base, overcapacity_cap, concentrate, persistence, growth, strengths and, at finer
levels, a parent's budget and focus) and of structural ones (hosting, scale, tiers and the parents' portfolio
links) can conflict, and so can eligibility (the upper bounds 0 that `add_eligibility` puts on y, h and z where a
region, or a member of a group, fails an industry's rule — each (region, industry) or (group, industry) pair is one
element). Soft families (demand, overcapacity, balance, a parent's balance, homogeneity) have penalised slack
variables of their own (shortfall e_i, excess s_i, missing clusters v_r and vp_p, duplications u), so they can
never make the model infeasible and are always kept. Integrality and the other variable bounds are always kept.

How.

1. **Repair** (elastic copy): every hard row gets a penalised nonnegative slack, every eligibility
   bound is lifted with a penalty on the designation it would forbid, and the total violation is
   minimised (one unit of a row's own unit costs 1 for policy limits — budgets, caps, counts, kept
   capacity, eligibility — and 100 for the structural rows (hosting, scale, tiers, portfolio), which a
   planner would not relax; equal repairs are told apart by the order of `CONFLICT_ORDER`). The rows with
   positive slack are the cheapest repair; they are reported with the amounts ("raise the budget of Jiangsu
   from 9.5 to 10").
2. **Conflict** (QuickXplain, Junker 2004, a divide-and-conquer deletion filter): among the hard
   elements, find a minimal subset that is infeasible on its own — first over whole families, then
   over the single rows and eligibility pairs of the families left. Each test solves the model with
   only the chosen hard elements present (zero objective: any feasible layout ends it). The elements
   the repair violated are tried first, so the conflict reported is the one the repair resolves.
   Removing any one element of the result makes the rest feasible (an irreducible infeasible set)
   unless the number of tests reached `max_checks`, in which case the (still infeasible) set found
   so far is reported and the sentence says so.
3. **Sentences**: a headline for the common patterns (kept capacity vs a region's or a parent's budget,
   vs an overcapacity cap, vs eligibility or vs focus; spread minimums vs focus, vs concentrate or vs
   budgets), then one sentence per conflicting constraint with its numbers (its family's conflict word),
   then the repair (its family's repair word).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import pulp

from layout.errors import LimitError
from layout.language import current, tr, trn
from layout.model.core import LayoutModel, RowInfo
from layout.model.families import (
    CONFLICT_ORDER,
    RECORDS,
    SOFT,
    STRUCTURAL,
    Facts,
    a_cluster,
    aggregate,
    build_model,
    excluded,
    joined,
    kept,
    place_name,
    units_of,
)
from layout.model.instance import Instance
from layout.model.solve import solve
from layout.words import industry_name, number, region_name

__all__ = [
    "diagnose",
    "diagnose_full",
    "element_sentence",
    "repair_sentence",
    "Diagnosis",
    "HARD_FAMILIES",
    "SOFT_FAMILIES",
]

# every family that can conflict, in reading and tie-break order (families.CONFLICT_ORDER)
HARD_FAMILIES = CONFLICT_ORDER
SOFT_FAMILIES = tuple(f.name for f in RECORDS.values() if f.role == SOFT)
STRUCTURAL_FAMILIES = tuple(f.name for f in RECORDS.values() if f.role == STRUCTURAL)
STRUCTURAL_WEIGHT = 100.0
VIOLATED = 1e-6

Element = tuple  # ("row", name) | ("elig", region, industry) | ("elig_group", group, industry)


@dataclass
class Diagnosis:
    """The full result: conflict elements, the repair (element -> amount) and the sentences. A row element is
    ("row", RowInfo): the row's family and codes, not its name in the model."""

    sentences: list[str]
    conflict: list[Element]
    repair: dict[Element, float]
    checks: int
    minimal: bool


def _family(el: Element, rows: dict[str, RowInfo]) -> str:
    return rows[el[1]].family if el[0] == "row" else "eligibility"


def _sort_key(m: LayoutModel, el: Element) -> tuple:
    """Elements in a stable, readable order: rows by their readable name, then position."""
    return ("row", m.label(el[1]), int(el[1][1:])) if el[0] == "row" else el


class _Checker:
    """Solve the model with a subset of hard elements present (zero objective)."""

    def __init__(
        self,
        m: LayoutModel,
        solver: str,
        elig: dict[Element, list[pulp.LpVariable]],
        soft: list[str],
        deadline: float | None,
    ):
        self.m, self.solver, self.elig, self.soft, self.deadline = m, solver, elig, soft, deadline
        self.cache: dict[frozenset, bool] = {}
        self.count = 0
        self.undecided = 0

    def feasible(self, present: frozenset) -> bool:
        if present in self.cache:
            return self.cache[present]
        left = _left(self.deadline)
        if left is not None and left <= 0:  # out of time: unknown, treated as feasible (the set stays larger)
            self.undecided += 1
            return True
        m = self.m
        sub = LayoutModel(m.inst, pulp.LpProblem("check", pulp.LpMinimize))
        sub.columns = m.columns
        sub.rows = {n: m.rows[n] for n in self.soft}
        sub.rows.update(
            {el[1]: m.rows[el[1]] for el in sorted(present, key=lambda el: _sort_key(m, el)) if el[0] == "row"}
        )
        for el, vars_ in self.elig.items():
            for v in vars_:
                v.upBound = 0 if el in present else 1
        sub.prob.setObjective(pulp.LpAffineExpression([(m.columns[0], 0.0)]))
        sub.prob.extend(sub.rows)
        self.count += 1
        try:
            res = solve(sub, self.solver, left, 0.0)
        except LimitError:  # unknown within the limit: treat as feasible, so the elements are kept (a superset)
            self.undecided += 1
            self.cache[present] = True
            return True
        ok = res.has_layout
        self.cache[present] = ok
        return ok

    def restore(self) -> None:
        for vars_ in self.elig.values():
            for v in vars_:
                v.upBound = 0


def _left(deadline: float | None) -> float | None:
    """Seconds left before `deadline` (time.monotonic), None without one."""
    return None if deadline is None else deadline - time.monotonic()


def _quickxplain(
    check: _Checker, background: frozenset, candidates: list, expand, max_checks: int
) -> tuple[list, bool]:
    """Minimal sublist of `candidates` (each expanded to elements by `expand`) that, with `background`,
    is infeasible. Returns (conflict, complete); complete is False when max_checks stopped it."""
    complete = True

    def infeasible(items: list, extra: frozenset) -> bool:
        nonlocal complete
        if check.count >= max_checks:
            complete = False
            return False
        present = extra | frozenset(e for c in items for e in expand(c))
        return not check.feasible(present)

    def qx(bg_items: list, delta: bool, cands: list) -> list:
        if delta and infeasible(bg_items, background):
            return []
        if len(cands) == 1:
            return list(cands)
        k = len(cands) // 2
        c1, c2 = cands[:k], cands[k:]
        d2 = qx(bg_items + c1, bool(c1), c2)
        d1 = qx(bg_items + d2, bool(d2), c1)
        return d1 + d2

    if not candidates:
        return [], True
    result = qx([], False, candidates)
    return result, complete


def _slack(prob: pulp.LpProblem, name: str) -> pulp.LpVariable:
    """A continuous variable >= 0 (PuLP >= 3.3 attaches it to the problem; older PuLP builds it directly)."""
    if hasattr(prob, "add_variable"):
        return prob.add_variable(name, lowBound=0)
    return pulp.LpVariable(name, lowBound=0)


def _tie_break(family: str, k: int, n: int) -> float:
    """A factor just above 1 that orders equal-cost repairs (families in HARD_FAMILIES order, then rows in
    model order), so HiGHS and CBC pick the same repair and the text is stable."""
    rank = HARD_FAMILIES.index(family) if family in HARD_FAMILIES else len(HARD_FAMILIES)
    return 1.0 + 1e-3 * rank + 1e-4 * k / max(1, n)


def _elastic(
    m: LayoutModel,
    solver: str,
    hard_rows: list[str],
    soft: list[str],
    elig: dict[Element, list[pulp.LpVariable]],
    rows: dict[str, RowInfo],
    deadline: float | None,
) -> dict[Element, float]:
    """Minimise the total violation of the hard elements; return the violated ones with amounts."""
    sub = LayoutModel(m.inst, pulp.LpProblem("elastic", pulp.LpMinimize))
    sub.columns = list(m.columns)
    sub.rows = {n: m.rows[n] for n in soft}
    objective: list[tuple[pulp.LpVariable, float]] = []
    slack: dict[str, list[pulp.LpVariable]] = {}
    for k, name in enumerate(hard_rows):
        c = m.rows[name]
        fam = _family(("row", name), rows)
        weight = (STRUCTURAL_WEIGHT if fam in STRUCTURAL_FAMILIES else 1.0) * _tie_break(fam, k, len(hard_rows))
        terms = list(c.items())
        mine = []
        if c.sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ):
            sv = _slack(sub.prob, f"elastic_lo_{name}")
            terms.append((sv, -1.0))
            mine.append(sv)
        if c.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ):
            sv = _slack(sub.prob, f"elastic_up_{name}")
            terms.append((sv, 1.0))
            mine.append(sv)
        for sv in mine:
            sub.columns.append(sv)
            objective.append((sv, weight))
        slack[name] = mine
        sub.rows[name] = pulp.LpConstraint(pulp.LpAffineExpression(terms), c.sense, name, -c.constant)
    for k, vars_ in enumerate(elig.values()):
        for v in vars_:
            v.upBound = 1
            objective.append((v, _tie_break("eligibility", k, len(elig))))
    sub.prob.setObjective(pulp.LpAffineExpression(objective))
    sub.prob.extend(sub.rows)
    left = _left(deadline)
    try:
        if left is not None and left <= 0:
            return {}
        res = solve(sub, solver, left, 0.0)
    except LimitError:
        return {}
    finally:
        for vars_ in elig.values():
            for v in vars_:
                v.upBound = 0
    out: dict[Element, float] = {}
    if not res.has_layout:
        return out
    for name, mine in slack.items():
        amount = sum(sv.varValue or 0.0 for sv in mine)
        if amount > VIOLATED:
            out["row", name] = amount
    for el, vars_ in elig.items():
        amount = sum(v.varValue or 0.0 for v in vars_)
        if amount > 0.5:
            out[el] = round(amount)
    return out


def diagnose_full(
    inst: Instance,
    solver: str = "highs",
    *,
    max_checks: int = 400,
    time_limit: float | None = None,
    meet: tuple[str, ...] = (),
) -> Diagnosis:
    """`diagnose` with everything it found (conflict elements, repair amounts, number of tests).

    `meet`: industry codes whose targets must be met in full (their shortfall held at 0): the diagnosis then names
    what keeps those targets from being met (`layout.analysis.shortfall`)."""
    deadline = None if time_limit is None else time.monotonic() + time_limit
    m = build_model(inst)
    for i in meet:
        m.e[i].upBound = 0  # a bound, always kept: the demand row becomes hard for these industries
    rows = m.info
    soft = [n for n in m.rows if _family(("row", n), rows) in SOFT_FAMILIES]
    hard = [n for n in m.rows if _family(("row", n), rows) not in SOFT_FAMILIES]
    elig: dict[Element, list[pulp.LpVariable]] = dict(excluded(m))
    check = _Checker(m, solver, elig, soft, deadline)
    try:
        everything = frozenset([("row", n) for n in hard] + list(elig))
        if check.feasible(everything):
            if check.undecided:
                return Diagnosis(
                    [
                        tr(
                            "{solver} could not decide within the time limit ({limit} s) whether the scenario is "
                            "feasible; no conflict was isolated",
                            solver=solver,
                            limit=time_limit,
                        )
                    ],
                    [],
                    {},
                    check.count,
                    False,
                )
            return Diagnosis([], [], {}, check.count, True)
        repair = _elastic(m, solver, hard, soft, elig, rows, deadline)
        # family level first, the families the repair touched first
        fam_elems: dict[str, list[Element]] = defaultdict(list)
        for el in [("row", n) for n in hard] + list(elig):
            fam_elems[_family(el, rows)].append(el)
        touched = {_family(el, rows) for el in repair}
        fam_order = sorted(
            fam_elems, key=lambda f: (f not in touched, HARD_FAMILIES.index(f) if f in HARD_FAMILIES else 99, f)
        )
        fams, complete = _quickxplain(check, frozenset(), fam_order, lambda f: fam_elems[f], max_checks)
        if not complete:
            fams = fam_order
        elems = [el for f in fam_order if f in fams for el in fam_elems[f]]
        elems.sort(key=lambda el: (el not in repair, 0))  # stable: repaired elements first
        conflict, complete2 = _quickxplain(check, frozenset(), elems, lambda el: [el], max_checks)
        if not complete2 or not conflict:
            conflict = elems
        minimal = complete and complete2 and check.undecided == 0
    finally:
        check.restore()
    sentences = _sentences(inst, m, rows, conflict, repair, minimal)

    def public(el: Element) -> Element:
        return ("row", rows[el[1]]) if el[0] == "row" else el

    return Diagnosis(
        sentences, [public(el) for el in conflict], {public(el): a for el, a in repair.items()}, check.count, minimal
    )


def diagnose(inst: Instance, solver: str = "highs", *, time_limit: float | None = None) -> list[str]:
    """Sentences naming the smallest set of conflicting constraints found, with numbers, and the
    cheapest repair; [] when the scenario is feasible. Works with "highs", "cbc" and "scip".
    `time_limit` (seconds) bounds the whole diagnosis: each solve gets what is left of it, and a test it stops
    counts as feasible (the set stays larger and the sentences say it may not be minimal)."""
    return diagnose_full(inst, solver, time_limit=time_limit).sentences


# ------------------------------------------------------------------------------------ sentences


def _cap(inst: Instance, i: str) -> float:
    p = inst.industries[i]
    return (1 + (p.overcapacity_cap or 0.0)) * p.target


def facts(inst: Instance, m: LayoutModel, el: Element) -> Facts:
    """What the words of an element's family may use: a row's codes and right-hand side, or an eligibility pair."""
    if el[0] == "elig":
        return Facts.about(inst, RowInfo("eligibility", region=el[1], industry=el[2]))
    if el[0] == "elig_group":
        return Facts.about(inst, RowInfo("eligibility", group=el[1], industry=el[2]))
    return Facts.about(inst, m.info[el[1]], -m.rows[el[1]].constant)


def element_sentence(inst: Instance, m: LayoutModel, el: Element) -> str:
    """One hard constraint, with its numbers (its family's conflict word)."""
    f = facts(inst, m, el)
    word = RECORDS[f.info.family].conflict if f.info.family in RECORDS else None
    return word(f) if word is not None else tr("{family}: row {row}", family=f.info.family, row=m.label(el[1]))


def repair_sentence(inst: Instance, m: LayoutModel, el: Element, amount: float) -> str:
    """What the cheapest repair changes, with numbers (its family's repair word)."""
    f = facts(inst, m, el)
    word = RECORDS[f.info.family].repair if f.info.family in RECORDS else None
    return (
        word(f, amount)
        if word is not None
        else tr("relax {row} by {amount}", row=m.label(el[1]), amount=number(amount))
    )


def _need_for(inst: Instance, r: str, i: str, kept: float) -> tuple[float, str]:
    """Least capacity a cluster holding `kept` of i in r must have, and the tier that allows it."""
    p = inst.industries[i]
    options = []
    if kept <= p.char_max + 1e-9:
        options.append((max(kept, p.char_min), "characteristic"))
    if kept <= p.max_host + 1e-9:
        options.append((max(kept, p.provincial_min), "provincial"))
        if inst.groups_of(r):
            options.append((max(kept, p.group_min_member), "inter-provincial"))
    return min(options) if options else (kept, "none")


def _admits(budget: float | None, low: float) -> int:
    """How many clusters of at least `low` a budget admits."""
    return 10**9 if budget is None else int(budget // low) if low > 0 else 10**9


def _headlines(inst: Instance, m: LayoutModel, rows: dict[str, RowInfo], conflict: list[Element]) -> list[str]:
    """Sentences for the common patterns of conflict."""
    by_fam: dict[str, list[Facts]] = defaultdict(list)
    elig = [el for el in conflict if el[0] == "elig"]
    for el in conflict:
        if el[0] == "row":
            by_fam[_family(el, rows)].append(facts(inst, m, el))
    out = []
    keep = by_fam.get("keep_base", [])
    # kept capacity vs budget (per region)
    for b in by_fam.get("budget", []):
        mine = [k for k in keep if k.r == b.r]
        if not mine:
            continue
        r = b.r
        total = sum(kept(inst, r, k.i) for k in mine)
        detail = joined(f"{industry_name(inst, k.i)} {number(kept(inst, r, k.i))}" for k in mine)
        text = tr(
            "{region} must keep {total} of existing capacity ({detail}) but its budget is {budget}",
            region=region_name(inst, r),
            total=number(total),
            detail=detail,
            budget=number(inst.budget[r]),
        )
        extra = []
        for k in mine:
            need, tier = _need_for(inst, r, k.i, kept(inst, r, k.i))
            if need > kept(inst, r, k.i) + 1e-9:
                p = inst.industries[k.i]
                fields = dict(
                    kept=number(kept(inst, r, k.i)), industry=p.name, cluster=a_cluster(tier), need=number(need)
                )
                extra.append(
                    tr(
                        "holding {kept} of {industry} takes {cluster} of at least {need}, since a characteristic cluster "
                        "holds at most {char_max}",
                        char_max=number(p.char_max),
                        **fields,
                    )
                    if tier != "characteristic"
                    else tr("holding {kept} of {industry} takes {cluster} of at least {need}", **fields)
                )
        out.append(joined([text, *extra], "; "))
    # kept capacity vs a parent's budget (finer levels: its units together)
    for b in by_fam.get("parent_budget", []):
        agg = aggregate(inst, b.p)
        members = set(agg.members) if agg is not None else set()
        mine = [k for k in keep if k.r in members]
        if agg is None or not mine:
            continue
        total = sum(kept(inst, k.r, k.i) for k in mine)
        detail = joined(
            tr(
                "{region}: {industry} {kept}",
                region=region_name(inst, k.r),
                industry=industry_name(inst, k.i),
                kept=number(kept(inst, k.r, k.i)),
            )
            for k in mine
        )
        out.append(
            tr(
                "the units of {name} must keep {total} of existing capacity ({detail}) but {name}'s budget ({units}) is "
                "{budget}",
                name=place_name(inst, b.p),
                total=number(total),
                detail=detail,
                units=units_of(inst, b.p),
                budget=number(agg.budget),
            )
        )
    # kept capacity vs overcapacity cap (per industry)
    for c in by_fam.get("overcapacity_cap", []):
        mine = [k for k in keep if k.i == c.i]
        if mine:
            i = c.i
            total = sum(kept(inst, k.r, i) for k in mine)
            detail = joined(f"{region_name(inst, k.r)} {number(kept(inst, k.r, i))}" for k in mine)
            out.append(
                tr(
                    "{industry} may total at most {cap} (overcapacity cap) but regions must keep {total} of its existing "
                    "capacity ({detail})",
                    industry=industry_name(inst, i),
                    cap=number(_cap(inst, i)),
                    total=number(total),
                    detail=detail,
                )
            )
    # kept capacity vs eligibility
    for k in keep:
        if ("elig", k.r, k.i) in elig:
            r, i = k.r, k.i
            why = inst.why_ineligible.get((r, i)) or tr("it fails the eligibility rule")
            may = (
                tr(
                    "may host {industry} only in a characteristic cluster of at most {char_max} (eligible for no "
                    "industry; for this one: {why})",
                    industry=industry_name(inst, i),
                    char_max=number(inst.industries[i].char_max),
                    why=why,
                )
                if inst.may_host(r, i, "characteristic")
                else tr("may not host {industry}: {why}", industry=industry_name(inst, i), why=why)
            )
            out.append(
                tr(
                    "{region} must keep {kept} of {industry}, which takes a cluster, but {may}",
                    region=region_name(inst, r),
                    kept=number(kept(inst, r, i)),
                    industry=industry_name(inst, i),
                    may=may,
                )
            )
    # kept capacity vs focus
    for f in by_fam.get("focus", []):
        mine = [k for k in keep if k.r == f.r]
        if len(mine) > inst.max_clusters[f.r]:
            names = joined(f"{industry_name(inst, k.i)} {number(kept(inst, f.r, k.i))}" for k in mine)
            out.append(
                trn(
                    "{region} must keep existing capacity in {count} industries ({names}), each taking a cluster, but may "
                    "take part in at most {n} cluster (focus)",
                    "{region} must keep existing capacity in {count} industries ({names}), each taking a cluster, but may "
                    "take part in at most {n} clusters (focus)",
                    inst.max_clusters[f.r],
                    region=region_name(inst, f.r),
                    count=len(mine),
                    names=names,
                )
            )
    spread = by_fam.get("spread_min", [])
    # spread minimum vs concentrate
    conc = {c.i for c in by_fam.get("concentrate", [])}
    for sp in spread:
        if sp.i in conc:
            p = inst.industries[sp.i]
            out.append(
                trn(
                    "{industry} needs at least {least} provincial clusters (spread) but, as a key shortcoming, may have at "
                    "most {n} provincial cluster (concentrate)",
                    "{industry} needs at least {least} provincial clusters (spread) but, as a key shortcoming, may have at "
                    "most {n} provincial clusters (concentrate)",
                    p.concentrate_max or 0,
                    industry=p.name,
                    least=p.provincial_count_min,
                )
            )
    # spread minimums vs what the regions can hold: focus limits, budgets (a region's, a parent's) below the minimum
    # scale, eligibility
    focus = {f.r for f in by_fam.get("focus", [])}
    budgets = {b.r for b in by_fam.get("budget", [])}
    parents = [a for a in (aggregate(inst, b.p) for b in by_fam.get("parent_budget", [])) if a is not None]
    if spread and not keep and not conc and (focus or budgets or parents or elig):
        inds = [sp.i for sp in spread]
        need = sum(inst.industries[i].provincial_count_min for i in inds)
        low = min(inst.industries[i].provincial_min for i in inds)
        held, parts = 0, []
        if focus:
            regs = [r for r in inst.regions if r in focus]
            held += sum(
                min(inst.max_clusters[r], _admits(inst.budget[r], low) if r in budgets else inst.max_clusters[r])
                for r in regs
            )
            limits = joined(
                tr("{region} to {most}", region=region_name(inst, r), most=inst.max_clusters[r]) for r in regs
            )
            parts.append(tr("focus limits {limits}", limits=limits))
        only_budget = [r for r in inst.regions if r in budgets and r not in focus]
        if only_budget:
            held += sum(_admits(inst.budget[r], low) for r in only_budget)
            admitted = joined(
                tr(
                    "{region} {admits} (budget {budget})",
                    region=region_name(inst, r),
                    admits=_admits(inst.budget[r], low),
                    budget=number(inst.budget[r]),
                )
                for r in only_budget
            )
            parts.append(
                trn(
                    "budgets admit only {n} cluster of at least {low}: {admitted}",
                    "budgets admit only {n} clusters of at least {low}: {admitted}",
                    sum(_admits(inst.budget[r], low) for r in only_budget),
                    low=number(low),
                    admitted=admitted,
                )
            )
        if parents:
            held += sum(_admits(a.budget, low) for a in parents)
            admitted = joined(
                trn(
                    "{name} {admits} (budget {budget}, {n} unit)",
                    "{name} {admits} (budget {budget}, {n} units)",
                    len(a.members),
                    name=a.name,
                    admits=_admits(a.budget, low),
                    budget=number(a.budget),
                )
                for a in parents
            )
            parts.append(
                trn(
                    "parents' budgets (all their units together) admit only {n} cluster of at least {low}: {admitted}",
                    "parents' budgets (all their units together) admit only {n} clusters of at least {low}: {admitted}",
                    sum(_admits(a.budget, low) for a in parents),
                    low=number(low),
                    admitted=admitted,
                )
            )
        if (
            not focus and not budgets and not parents
        ):  # eligibility alone: one provincial cluster per eligible region and industry
            held = sum(len(inst.regions) - len({el[1] for el in elig if el[2] == i}) for i in inds)
        excluded = sorted({el[1] for el in elig}, key=inst.regions.index)
        if excluded:
            names = joined(region_name(inst, r) for r in excluded)
            parts.append(
                trn(
                    "{n} region not eligible ({names})",
                    "{n} regions not eligible ({names})",
                    len(excluded),
                    names=names,
                )
            )
        detail = joined(f"{industry_name(inst, i)} {inst.industries[i].provincial_count_min}" for i in inds)
        out.append(
            trn(
                "spread minimums need {n} provincial cluster ({detail}), but the regions can hold at most {held}: {parts}",
                "spread minimums need {n} provincial clusters ({detail}), but the regions can hold at most {held}: {parts}",
                need,
                detail=detail,
                held=held,
                parts=joined(parts, "; "),
            )
        )
    return out


GROUP_ABOVE = 6  # a family with more conflicting constraints than this is summarised in one line


def _element_lines(inst: Instance, m: LayoutModel, rows: dict[str, RowInfo], conflict: list[Element]) -> list[str]:
    """One line per conflicting constraint; a family with many is summarised in one line with its numbers (its
    family's `listed` word, or where the rows are and one example)."""
    by_fam: dict[str, list[Element]] = defaultdict(list)
    for el in conflict:
        by_fam[_family(el, rows)].append(el)
    out = []
    for fam, els in by_fam.items():
        if len(els) <= GROUP_ABOVE:
            out += [f"- {element_sentence(inst, m, el)}" for el in els]
            continue
        listed = RECORDS[fam].listed if fam in RECORDS else None
        if listed is not None:
            text = listed([facts(inst, m, el) for el in els])
        else:
            infos = [rows[el[1]] for el in els if el[0] == "row"]
            regions = sorted({x.region for x in infos if x.region}, key=inst.regions.index)
            inds = sorted({x.industry for x in infos if x.industry}, key=list(inst.industries).index)
            colon = "：" if current() == "zh" else ": "  # after the family's name, in the sentence's language
            text = tr(
                "in {regions} for {industries}; e.g. {example}",
                regions=joined(region_name(inst, r) for r in regions) or "—",
                industries=joined(industry_name(inst, i) for i in inds) or "—",
                example=element_sentence(inst, m, els[0]).split(colon, 1)[-1],
            )
        out.append("- " + tr("{family} ({n} constraints): {text}", family=fam.replace("_", "-"), n=len(els), text=text))
    return out


def _sentences(
    inst: Instance,
    m: LayoutModel,
    rows: dict[str, RowInfo],
    conflict: list[Element],
    repair: dict[Element, float],
    minimal: bool,
) -> list[str]:
    fam_order = {f: k for k, f in enumerate(HARD_FAMILIES)}
    conflict = sorted(conflict, key=lambda el: (fam_order.get(_family(el, rows), 99), _sort_key(m, el)))
    heads = _headlines(inst, m, rows, conflict)
    families = []
    for el in conflict:
        f = _family(el, rows).replace("_", "-")
        if f not in families:
            families.append(f)
    out = [tr("conflict: {text}", text=h) for h in heads]
    out.append(
        tr(
            "the smallest set of conflicting constraints found ({n}, families: {families}):",
            n=len(conflict),
            families=joined(families),
        )
        if minimal
        else tr(
            "a set of conflicting constraints (not reduced further: time or test limit) ({n}, families: {families}):",
            n=len(conflict),
            families=joined(families),
        )
    )
    out += _element_lines(inst, m, rows, conflict)
    if repair:
        order = sorted(repair, key=lambda el: (fam_order.get(_family(el, rows), 99), _sort_key(m, el)))
        repairs = joined((repair_sentence(inst, m, el, repair[el]) for el in order), "; ")
        out.append(tr("cheapest repair found (least total violation): {repairs}", repairs=repairs))
        if any(el not in conflict for el in repair):
            out.append(
                tr(
                    "the repair also touches constraints outside this conflict: other conflicts remain after this one "
                    "is resolved"
                )
            )
    return out
