"""Why a scenario is infeasible: the smallest set of conflicting constraints, in a planner's words.

`diagnose(inst, solver)` works with any solver the package supports ("highs" or "cbc"): it only ever
solves ordinary PuLP-built mixed-integer problems through `layout.solve.solve`.

What can conflict. The hard constraints are the rows of the families spread, tiers, focus, scale,
hosting, budget, keep_base, overcapacity_cap, concentrate, persistence, growth, strengths (any family
not listed as soft below counts as hard, so a new family is diagnosed too), and eligibility (the upper bounds 0 that
`add_eligibility` puts on y, h and z where a region, or a member of a group, fails an industry's
rule — each (region, industry) or (group, industry) pair is one element). demand, overcapacity,
balance and homogeneity rows have penalised slack variables of their own (shortfall e_i, excess s_i,
missing clusters v_r, duplications u, w), so they can never make the model infeasible and are
always kept. Integrality and the other variable bounds are always kept.

How.

1. **Repair** (elastic copy): every hard row gets a penalised nonnegative slack, every eligibility
   bound is lifted with a penalty on the designation it would forbid, and the total violation is
   minimised (one unit of a row's own unit costs 1 for policy limits — budgets, caps, counts, kept
   capacity, eligibility — and 100 for the structural rows hosting, scale and tiers, which a planner
   would not relax). The rows with positive slack are the cheapest repair; they are reported with
   the amounts ("raise the budget of Jiangsu from 9.5 to 10").
2. **Conflict** (QuickXplain, Junker 2004, a divide-and-conquer deletion filter): among the hard
   elements, find a minimal subset that is infeasible on its own — first over whole families, then
   over the single rows and eligibility pairs of the families left. Each test solves the model with
   only the chosen hard elements present (zero objective: any feasible layout ends it). The elements
   the repair violated are tried first, so the conflict reported is the one the repair resolves.
   Removing any one element of the result makes the rest feasible (an irreducible infeasible set)
   unless the number of tests reached `max_checks`, in which case the (still infeasible) set found
   so far is reported and the sentence says so.
3. **Sentences**: a headline for the common patterns (kept capacity vs budget, vs an overcapacity
   cap, vs eligibility or vs focus; spread minimums vs focus, vs concentrate or vs budgets), then one
   sentence per conflicting constraint with its numbers, then the repair.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pulp

from layout.explain import _a, _g, _plural
from layout.instance import Instance
from layout.model import LayoutModel, RowInfo, build_model
from layout.errors import LimitError
from layout.output import MANIFEST, staged_output, write_json
from layout.solve import solve

__all__ = ["diagnose", "diagnose_full", "write_diagnosis", "Diagnosis", "DIAGNOSIS", "HARD_FAMILIES", "SOFT_FAMILIES"]

DIAGNOSIS = "diagnosis.txt"

HARD_FAMILIES = ("spread_min", "spread_max", "spread_groups", "concentrate", "focus", "budget", "keep_base",
                 "overcapacity_cap", "persistence", "growth", "strengths", "scale", "scale_group", "hosting", "tiers",
                 "eligibility")
SOFT_FAMILIES = ("demand", "overcapacity", "balance", "homogeneity", "homogeneity_any")
STRUCTURAL = ("hosting", "scale", "scale_group", "tiers")
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

    def __init__(self, m: LayoutModel, solver: str, elig: dict[Element, list[pulp.LpVariable]], soft: list[str],
                 deadline: float | None):
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
        sub.rows.update({el[1]: m.rows[el[1]] for el in sorted(present, key=lambda el: _sort_key(m, el)) if el[0] == "row"})
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


def _quickxplain(check: _Checker, background: frozenset, candidates: list, expand, max_checks: int) -> tuple[list, bool]:
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


def _elastic(m: LayoutModel, solver: str, hard_rows: list[str], soft: list[str], elig: dict[Element, list[pulp.LpVariable]],
             rows: dict[str, RowInfo], deadline: float | None) -> dict[Element, float]:
    """Minimise the total violation of the hard elements; return the violated ones with amounts."""
    sub = LayoutModel(m.inst, pulp.LpProblem("elastic", pulp.LpMinimize))
    sub.columns = list(m.columns)
    sub.rows = {n: m.rows[n] for n in soft}
    objective: list[tuple[pulp.LpVariable, float]] = []
    slack: dict[str, list[pulp.LpVariable]] = {}
    for k, name in enumerate(hard_rows):
        c = m.rows[name]
        fam = _family(("row", name), rows)
        weight = (STRUCTURAL_WEIGHT if fam in STRUCTURAL else 1.0) * _tie_break(fam, k, len(hard_rows))
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
    for k, (el, vars_) in enumerate(elig.items()):
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


def diagnose_full(inst: Instance, solver: str = "highs", *, max_checks: int = 400,
                  time_limit: float | None = None) -> Diagnosis:
    """`diagnose` with everything it found (conflict elements, repair amounts, number of tests)."""
    deadline = None if time_limit is None else time.monotonic() + time_limit
    m = build_model(inst)
    rows = m.info
    soft = [n for n in m.rows if _family(("row", n), rows) in SOFT_FAMILIES]
    hard = [n for n in m.rows if _family(("row", n), rows) not in SOFT_FAMILIES]
    elig: dict[Element, list[pulp.LpVariable]] = {}
    for r in inst.regions:
        for i in inst.industries:
            if not inst.eligible[r, i]:
                elig["elig", r, i] = [m.y[r, i], m.h[r, i]]
    for (g, i), z in m.z.items():
        if not inst.group_eligible(g, i):
            elig["elig_group", g, i] = [z]
    check = _Checker(m, solver, elig, soft, deadline)
    try:
        everything = frozenset([("row", n) for n in hard] + list(elig))
        if check.feasible(everything):
            if check.undecided:
                return Diagnosis([f"{solver} could not decide within the time limit ({time_limit} s) whether the scenario is "
                                  "feasible; no conflict was isolated"], [], {}, check.count, False)
            return Diagnosis([], [], {}, check.count, True)
        repair = _elastic(m, solver, hard, soft, elig, rows, deadline)
        # family level first, the families the repair touched first
        fam_elems: dict[str, list[Element]] = defaultdict(list)
        for el in [("row", n) for n in hard] + list(elig):
            fam_elems[_family(el, rows)].append(el)
        touched = {_family(el, rows) for el in repair}
        fam_order = sorted(fam_elems, key=lambda f: (f not in touched, HARD_FAMILIES.index(f) if f in HARD_FAMILIES else 99, f))
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

    return Diagnosis(sentences, [public(el) for el in conflict], {public(el): a for el, a in repair.items()}, check.count, minimal)


def diagnose(inst: Instance, solver: str = "highs", *, time_limit: float | None = None) -> list[str]:
    """Sentences naming the smallest set of conflicting constraints found, with numbers, and the
    cheapest repair; [] when the scenario is feasible. Works with "highs" and "cbc".
    `time_limit` (seconds) bounds the whole diagnosis: each solve gets what is left of it, and a test it stops
    counts as feasible (the set stays larger and the sentences say it may not be minimal)."""
    return diagnose_full(inst, solver, time_limit=time_limit).sentences


def write_diagnosis(folder: Path, sentences: list[str], force: bool = False, *, option: str = "--diagnose-to",
                    inputs: Iterable[str | Path] = ()) -> Path:
    """Write FOLDER/diagnosis.txt (one sentence a line) and return its path.

    FOLDER is written as a results folder is (`staged_output`, the output contract of `layout.output.check_out`):
    whole or not at all, with a manifest.json that lists what it holds, so an earlier diagnosis is replaced only
    with `force` and no other folder ever (nor one holding any of `inputs`). Raises InputError (problems naming
    `option`) when FOLDER is a file, under a file, a non-empty folder of something else, or cannot be written.
    """
    folder = Path(folder)
    with staged_output(folder, force, option=option, inputs=inputs) as tmp:
        (tmp / DIAGNOSIS).write_text("\n".join(sentences) + "\n", encoding="utf-8")
        write_json(tmp / MANIFEST, {"program": "cluster-layout", "diagnosis": DIAGNOSIS})
    return folder / DIAGNOSIS


# ------------------------------------------------------------------------------------ sentences


def _rn(inst: Instance, r: str) -> str:
    return inst.region_names.get(r, r)


def _in(inst: Instance, i: str) -> str:
    return inst.industries[i].name


def _gn(inst: Instance, g: str) -> str:
    return inst.groups[g].name


def _kept(inst: Instance, r: str, i: str) -> float:
    return inst.industries[i].base_retention * inst.base.get((r, i), 0.0)


def _cap(inst: Instance, i: str) -> float:
    p = inst.industries[i]
    return (1 + p.overcapacity_cap) * p.target


def _element_sentence(inst: Instance, m: LayoutModel, rows: dict[str, RowInfo], el: Element) -> str:
    """One hard constraint, with its numbers."""
    if el[0] == "elig":
        _, r, i = el
        why = inst.why_ineligible.get((r, i)) or "fails the rule"
        return f"eligibility: {_rn(inst, r)} may not host {_in(inst, i)} ({why})"
    if el[0] == "elig_group":
        _, g, i = el
        failing = [f"{_rn(inst, r)}: {inst.why_ineligible.get((r, i)) or 'fails the rule'}" for r in inst.groups[g].members if not inst.eligible[r, i]]
        return f"eligibility: {_gn(inst, g)} may not form an inter-provincial cluster of {_in(inst, i)} ({'; '.join(failing)})"
    name = el[1]
    info = rows[name]
    r, i, g, fam = info.region, info.industry, info.group, info.family
    rhs = -m.rows[name].constant
    if fam == "budget":
        return f"budget: {_rn(inst, r)} may build at most {_g(rhs)} in all industries together"
    if fam == "keep_base":
        p = inst.industries[i]
        return (f"keep-base: {_rn(inst, r)} must keep at least {_g(rhs)} of {p.name} "
                f"(existing capacity {_g(inst.base.get((r, i), 0.0))} × retention {_g(p.base_retention)})")
    if fam == "focus":
        return f"focus: {_rn(inst, r)} may take part in at most {_plural(rhs, 'cluster')}, all tiers counted"
    if fam == "spread_min":
        return f"spread: {_in(inst, i)} needs at least {_plural(rhs, 'provincial cluster')}"
    if fam == "spread_max":
        return f"spread: {_in(inst, i)} may have at most {_plural(rhs, 'provincial cluster')}"
    if fam == "spread_groups":
        return f"spread: {_in(inst, i)} may have at most {_plural(rhs, 'inter-provincial cluster')}"
    if fam == "concentrate":
        return f"concentrate: {_in(inst, i)} is a key shortcoming, concentrated in at most {_plural(rhs, 'provincial cluster')}"
    if fam == "overcapacity_cap":
        p = inst.industries[i]
        return (f"overcapacity cap: all capacity of {p.name} together may not exceed {_g(rhs)} "
                f"({_g(1 + p.overcapacity_cap)} × target {_g(p.target)})")
    if fam == "hosting":
        p = inst.industries[i]
        return (f"hosting: {_rn(inst, r)} may hold {p.name} only inside a cluster: at most {_g(p.char_max)} in a characteristic "
                f"cluster, {_g(p.max_host)} in a provincial or inter-provincial one")
    if fam == "scale":
        p = inst.industries[i]
        member = f", {_g(p.group_min_member)} as a member of an inter-provincial cluster" if inst.groups_of(r) else ""
        return (f"scale: a cluster of {p.name} in {_rn(inst, r)} holds at least {_g(p.provincial_min)} if provincial, "
                f"{_g(p.char_min)} if characteristic{member}")
    if fam == "scale_group":
        return f"scale: an inter-provincial cluster of {_in(inst, i)} in {_gn(inst, g)} holds at least {_g(inst.industries[i].group_min_total)} in all"
    if fam == "tiers":
        return f"tiers: {_rn(inst, r)} hosts {_in(inst, i)} in one tier at most"
    if fam == "persistence":
        return f"persistence: {_rn(inst, r)} keeps the cluster of {_in(inst, i)} it held in the previous period"
    if fam == "growth":
        prev = (getattr(inst, "previous", None) or {}).get((r, i), 0.0)
        return (f"growth: {_rn(inst, r)} may hold at most {_g(rhs)} of {_in(inst, i)} "
                f"(previous period {_g(prev)} + growth {_g(rhs - prev)})")
    if fam == "strengths":
        share = getattr(inst, "strengths", {}).get((r, i))
        return (f"strengths: {_rn(inst, r)} keeps at least {_g(share) if share is not None else 'its'} of the national capacity "
                f"of {_in(inst, i)} (a long board)")
    return f"{fam}: row {m.label(name)}"


def _repair_sentence(inst: Instance, m: LayoutModel, rows: dict[str, RowInfo], el: Element, amount: float) -> str:
    """What the cheapest repair changes, with numbers."""
    if el[0] == "elig":
        _, r, i = el
        return f"let {_rn(inst, r)} host {_in(inst, i)} although it fails the eligibility rule ({inst.why_ineligible.get((r, i)) or 'rule'})"
    if el[0] == "elig_group":
        _, g, i = el
        return f"let {_gn(inst, g)} form an inter-provincial cluster of {_in(inst, i)} although a member fails the eligibility rule"
    name = el[1]
    info = rows[name]
    r, i, g, fam = info.region, info.industry, info.group, info.family
    rhs = -m.rows[name].constant
    if fam == "budget":
        return f"raise the budget of {_rn(inst, r)} from {_g(rhs)} to {_g(rhs + amount)} (+{_g(amount)})"
    if fam == "keep_base":
        return f"lower what {_rn(inst, r)} must keep of {_in(inst, i)} from {_g(rhs)} to {_g(max(0.0, rhs - amount))} (−{_g(amount)})"
    if fam == "focus":
        return f"allow {_rn(inst, r)} {_plural(rhs + amount, 'cluster')} instead of {_g(rhs)} (focus)"
    if fam == "spread_min":
        return f"require {_plural(max(0.0, rhs - amount), 'provincial cluster')} of {_in(inst, i)} instead of {_g(rhs)} (spread)"
    if fam == "spread_max":
        return f"allow {_plural(rhs + amount, 'provincial cluster')} of {_in(inst, i)} instead of {_g(rhs)} (spread)"
    if fam == "spread_groups":
        return f"allow {_plural(rhs + amount, 'inter-provincial cluster')} of {_in(inst, i)} instead of {_g(rhs)} (spread)"
    if fam == "concentrate":
        return f"allow {_plural(rhs + amount, 'provincial cluster')} of {_in(inst, i)} instead of {_g(rhs)} (concentrate)"
    if fam == "overcapacity_cap":
        return f"raise the overcapacity cap of {_in(inst, i)} from {_g(rhs)} to {_g(rhs + amount)} (+{_g(amount)})"
    if fam == "hosting":
        return f"let {_rn(inst, r)} hold {_g(amount)} of {_in(inst, i)} beyond what its clusters allow (hosting)"
    if fam == "scale":
        return f"let a cluster of {_in(inst, i)} in {_rn(inst, r)} hold {_g(amount)} less than its minimum scale"
    if fam == "scale_group":
        return f"let the inter-provincial cluster of {_in(inst, i)} in {_gn(inst, g)} hold {_g(amount)} less than its minimum total"
    if fam == "tiers":
        return f"let {_rn(inst, r)} host {_in(inst, i)} in two tiers"
    if fam == "persistence":
        return f"let {_rn(inst, r)} give up its cluster of {_in(inst, i)} from the previous period"
    if fam == "growth":
        return f"let {_rn(inst, r)} grow {_in(inst, i)} to {_g(rhs + amount)} instead of {_g(rhs)} (+{_g(amount)})"
    if fam == "strengths":
        return f"let {_rn(inst, r)} hold {_g(amount)} less of {_in(inst, i)} than its long-board share requires"
    return f"relax {m.label(name)} by {_g(amount)}"


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


def _admits(inst: Instance, r: str, low: float) -> int:
    """How many clusters of at least `low` a region's budget admits."""
    b = inst.budget[r]
    return 10**9 if b is None else int(b // low) if low > 0 else 10**9


def _headlines(inst: Instance, m: LayoutModel, rows: dict[str, RowInfo], conflict: list[Element]) -> list[str]:
    """Sentences for the common patterns of conflict."""
    by_fam: dict[str, list[RowInfo]] = defaultdict(list)
    elig = [el for el in conflict if el[0] == "elig"]
    for el in conflict:
        if el[0] == "row":
            by_fam[_family(el, rows)].append(rows[el[1]])
    out = []
    keep = by_fam.get("keep_base", [])
    # kept capacity vs budget (per region)
    for b in by_fam.get("budget", []):
        mine = [k for k in keep if k.region == b.region]
        if not mine:
            continue
        r = b.region
        kept = sum(_kept(inst, r, k.industry) for k in mine)
        detail = ", ".join(f"{_in(inst, k.industry)} {_g(_kept(inst, r, k.industry))}" for k in mine)
        text = f"{_rn(inst, r)} must keep {_g(kept)} of existing capacity ({detail}) but its budget is {_g(inst.budget[r])}"
        extra = []
        for k in mine:
            need, tier = _need_for(inst, r, k.industry, _kept(inst, r, k.industry))
            if need > _kept(inst, r, k.industry) + 1e-9:
                p = inst.industries[k.industry]
                why = f", since a characteristic cluster holds at most {_g(p.char_max)}" if tier != "characteristic" else ""
                extra.append(f"holding {_g(_kept(inst, r, k.industry))} of {p.name} takes {_a(tier)} cluster of at least {_g(need)}{why}")
        out.append(text + ("; " + "; ".join(extra) if extra else ""))
    # kept capacity vs overcapacity cap (per industry)
    for c in by_fam.get("overcapacity_cap", []):
        mine = [k for k in keep if k.industry == c.industry]
        if mine:
            i = c.industry
            kept = sum(_kept(inst, k.region, i) for k in mine)
            detail = ", ".join(f"{_rn(inst, k.region)} {_g(_kept(inst, k.region, i))}" for k in mine)
            out.append(f"{_in(inst, i)} may total at most {_g(_cap(inst, i))} (overcapacity cap) but regions must keep "
                       f"{_g(kept)} of its existing capacity ({detail})")
    # kept capacity vs eligibility
    for k in keep:
        if ("elig", k.region, k.industry) in elig:
            r, i = k.region, k.industry
            out.append(f"{_rn(inst, r)} must keep {_g(_kept(inst, r, i))} of {_in(inst, i)}, which takes a cluster, but may not host "
                       f"{_in(inst, i)}: {inst.why_ineligible.get((r, i)) or 'it fails the eligibility rule'}")
    # kept capacity vs focus
    for f in by_fam.get("focus", []):
        mine = [k for k in keep if k.region == f.region]
        if len(mine) > inst.max_clusters[f.region]:
            names = ", ".join(f"{_in(inst, k.industry)} {_g(_kept(inst, f.region, k.industry))}" for k in mine)
            out.append(f"{_rn(inst, f.region)} must keep existing capacity in {len(mine)} industries ({names}), each taking a "
                       f"cluster, but may take part in at most {_plural(inst.max_clusters[f.region], 'cluster')} (focus)")
    spread = by_fam.get("spread_min", [])
    # spread minimum vs concentrate
    conc = {c.industry for c in by_fam.get("concentrate", [])}
    for sp in spread:
        if sp.industry in conc:
            p = inst.industries[sp.industry]
            out.append(f"{p.name} needs at least {p.provincial_count_min} provincial clusters (spread) but, as a key shortcoming, "
                       f"may have at most {_plural(p.concentrate_max, 'provincial cluster')} (concentrate)")
    # spread minimums vs what the regions can hold: focus limits, budgets below the minimum scale, eligibility
    focus = {f.region for f in by_fam.get("focus", [])}
    budgets = {b.region for b in by_fam.get("budget", [])}
    if spread and not keep and not conc and (focus or budgets or elig):
        inds = [sp.industry for sp in spread]
        need = sum(inst.industries[i].provincial_count_min for i in inds)
        low = min(inst.industries[i].provincial_min for i in inds)
        held, parts = 0, []
        if focus:
            regs = [r for r in inst.regions if r in focus]
            held += sum(min(inst.max_clusters[r], _admits(inst, r, low) if r in budgets else inst.max_clusters[r]) for r in regs)
            parts.append("focus limits " + ", ".join(f"{_rn(inst, r)} to {inst.max_clusters[r]}" for r in regs))
        only_budget = [r for r in inst.regions if r in budgets and r not in focus]
        if only_budget:
            held += sum(_admits(inst, r, low) for r in only_budget)
            parts.append(f"budgets admit only {_plural(sum(_admits(inst, r, low) for r in only_budget), 'cluster')} of at least {_g(low)}: " +
                         ", ".join(f"{_rn(inst, r)} {_admits(inst, r, low)} (budget {_g(inst.budget[r])})" for r in only_budget))
        if not focus and not budgets:  # eligibility alone: one provincial cluster per eligible region and industry
            held = sum(len(inst.regions) - len({el[1] for el in elig if el[2] == i}) for i in inds)
        excluded = sorted({el[1] for el in elig}, key=inst.regions.index)
        if excluded:
            parts.append(f"{_plural(len(excluded), 'region')} not eligible ({', '.join(_rn(inst, r) for r in excluded)})")
        detail = ", ".join(f"{_in(inst, i)} {inst.industries[i].provincial_count_min}" for i in inds)
        out.append(f"spread minimums need {_plural(need, 'provincial cluster')} ({detail}), but the regions can hold at most "
                   f"{held}: " + "; ".join(parts))
    return out


GROUP_ABOVE = 6  # a family with more conflicting constraints than this is summarised in one line


def _element_lines(inst: Instance, m: LayoutModel, rows: dict[str, RowInfo], conflict: list[Element]) -> list[str]:
    """One line per conflicting constraint; a family with many is summarised in one line with its numbers."""
    by_fam: dict[str, list[Element]] = defaultdict(list)
    for el in conflict:
        by_fam[_family(el, rows)].append(el)
    out = []
    for fam, els in by_fam.items():
        if len(els) <= GROUP_ABOVE:
            out += [f"- {_element_sentence(inst, m, rows, el)}" for el in els]
            continue
        infos = [rows[el[1]] for el in els if el[0] == "row"]
        rhs = {el[1]: -m.rows[el[1]].constant for el in els if el[0] == "row"}
        n = len(els)
        if fam == "focus":
            text = "most clusters a region takes part in: " + ", ".join(f"{_rn(inst, f.region)} {_g(inst.max_clusters[f.region])}" for f in infos)
        elif fam == "budget":
            text = "what a region may build in all industries: " + ", ".join(f"{_rn(inst, b.region)} {_g(inst.budget[b.region])}" for b in infos)
        elif fam in ("spread_min", "spread_max", "concentrate", "overcapacity_cap"):
            what = {"spread_min": "least provincial clusters", "spread_max": "most provincial clusters",
                    "concentrate": "most provincial clusters of a key shortcoming", "overcapacity_cap": "most total capacity"}[fam]
            text = f"{what}: " + ", ".join(f"{_in(inst, x.industry)} {_g(rhs[el[1]])}" for x, el in zip(infos, els))
        elif fam == "keep_base":
            text = "capacity that must be kept: " + ", ".join(f"{_rn(inst, k.region)} {_in(inst, k.industry)} {_g(_kept(inst, k.region, k.industry))}" for k in infos)
        elif fam == "eligibility":
            per: dict[str, list[str]] = defaultdict(list)
            for el in els:
                per[el[1] if el[0] == "elig" else el[1]].append(_in(inst, el[2]))
            text = "pairs excluded by the eligibility rules: " + "; ".join(
                f"{_rn(inst, r) if r in inst.region_names else _gn(inst, r)}: {', '.join(ind)}" for r, ind in per.items())
        else:
            regions = sorted({x.region for x in infos if x.region}, key=inst.regions.index)
            inds = sorted({x.industry for x in infos if x.industry}, key=list(inst.industries).index)
            text = (f"in {', '.join(_rn(inst, r) for r in regions) or '—'} for {', '.join(_in(inst, i) for i in inds) or '—'}; "
                    f"e.g. {_element_sentence(inst, m, rows, els[0]).split(': ', 1)[-1]}")
        out.append(f"- {fam.replace('_', '-')} ({n} constraints): {text}")
    return out


def _sentences(inst: Instance, m: LayoutModel, rows: dict[str, RowInfo], conflict: list[Element],
               repair: dict[Element, float], minimal: bool) -> list[str]:
    fam_order = {f: k for k, f in enumerate(HARD_FAMILIES)}
    conflict = sorted(conflict, key=lambda el: (fam_order.get(_family(el, rows), 99), _sort_key(m, el)))
    heads = _headlines(inst, m, rows, conflict)
    families = []
    for el in conflict:
        f = _family(el, rows).replace("_", "-")
        if f not in families:
            families.append(f)
    what = "the smallest set of conflicting constraints found" if minimal else "a set of conflicting constraints (not reduced further: time or test limit)"
    out = [f"conflict: {h}" for h in heads]
    out.append(f"{what} ({len(conflict)}, families: {', '.join(families)}):")
    out += _element_lines(inst, m, rows, conflict)
    if repair:
        order = sorted(repair, key=lambda el: (fam_order.get(_family(el, rows), 99), _sort_key(m, el)))
        out.append("cheapest repair found (least total violation): " + "; ".join(_repair_sentence(inst, m, rows, el, repair[el]) for el in order))
        if any(el not in conflict for el in repair):
            out.append("the repair also touches constraints outside this conflict: other conflicts remain after this one is resolved")
    return out
