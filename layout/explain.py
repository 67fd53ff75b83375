"""Why the layout is what it is: binding constraints, shadow prices, held-back and narrowly missed clusters.

`explain(model, result)` runs right after a successful solve (HiGHS or CBC: it reads the values the
solver wrote into the model's variables) and returns a JSON-ready dict; `format_explanation(data)`
turns it into plain text lines for `layout explain DIR`.

Four parts, each in a planner's words (family, region name, industry name, numbers):

* **binding** — constraints that hold with equality at the solution: a budget fully used, a region
  at its maximum number of clusters (focus), an industry at its maximum (spread, concentrate) or its
  overcapacity cap, a cluster at its maximum share (hosting) or only at its minimum scale (scale),
  existing capacity kept exactly at the required minimum (keep-base), a target met exactly
  (demand). Trivially binding rows (a cluster that does not exist holds 0 ≤ 0) are left out, and so
  are the tiers and homogeneity rows (duplications are counted in metrics.json).
* **shadow prices** — from the LP obtained by fixing every integer variable (y, h, z) at its
  rounded solution value and re-solving the continuous part with HiGHS. A price is HiGHS' row dual:
  the change of the objective per unit increase of the row's right-hand side, with every cluster
  decision kept. The model minimises, so a *negative* price means one more unit would *lower*
  (improve) the objective by that much — that is what one more unit of a budget is worth; a positive
  price is what one more unit would cost. The value of one more unit of an industry's target is the
  sum of the prices of its target rows (demand, overcapacity and, with a cap, (1 + tau) × cap),
  holding the objective's normalisation by the target fixed.
* **count limits** — rows that contain only cluster decisions (focus K_r, spread N_i^max,
  concentrate n_i) have no price in the fixed LP (all their variables are fixed). Their value is
  measured by *probes*: with every other decision kept, one more cluster is forced (a provincial or
  a characteristic cluster of industry i in region r), the count limits that would block it are
  raised by one, and the continuous part is re-solved. The best probe of a region (an industry)
  whose only blocking limit is its focus (spread, concentrate) limit is a local estimate of what
  one more allowed cluster is worth: a guaranteed improvement (a bound), since a full re-solve could
  rearrange more. Probes that lower the objective name the industries **held back** by those caps.
* **near misses** — for each industry, the eligible regions without a cluster of it that came
  closest: the probe's objective increase when forced to host it (best tier, other decisions kept;
  the cost of the designation alone, counting any cap it would need raised), and the
  comparative-advantage score gap to the weakest region that does host the industry. Forcing every
  pair with a full MIP re-solve would be too slow, so probes cover, per industry, the
  `per_industry` best-scoring eligible regions without it, and, per region at its focus limit, its
  `per_region` best-scoring eligible industries it lacks (defaults 5 and 3).

Every number is rounded (6 decimals) and every list sorted, so the same input gives byte-identical
JSON (`layout.output.write_json`).

A time limit (the solve's `--time-limit`, in seconds) bounds the explanation too: the LP with the clusters fixed
gets what is left of it, and probing stops when it runs out. The pairs not probed read "not probed", and
`limits` in the JSON says how many were (the output is then no longer byte-stable: it depends on the machine).
"""

from __future__ import annotations

import copy
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import chain

import numpy as np

from layout.folder import EXPLANATION
from layout.instance import Instance
from layout.model import LayoutModel, RowInfo
from layout.solve import Matrix, new_highs, pass_matrix, row_of_entry, to_matrix

__all__ = ["explain", "format_explanation", "EXPLANATION", "SIGN_CONVENTION"]

PROBE_THREADS = 4  # at most this many copies of the fixed LP probe at once (one per core)
PROBES_PER_THREAD = 8  # below this many pairs per copy, another copy costs more than it saves

ON = 0.5  # a binary above this is 1
TOL = 1e-6  # a row binds when |activity - bound| <= TOL * max(1, |bound|)
PRICE_TOL = 1e-9  # a price smaller than this is 0
DIGITS = 6
CAP_WORDS = {"focus": "its focus limit", "spread_max": "the industry's spread maximum", "concentrate": "the concentrate limit"}

SIGN_CONVENTION = (
    "The objective is minimised. A shadow price is the change of the objective per unit increase of the "
    "constraint's right-hand side (a budget, a target, a kept capacity, an allowed count), every cluster "
    "decision kept. Negative: one more unit lowers (improves) the objective by that much, so it is worth "
    "that much; positive: one more unit costs that much; zero: the constraint does not restrict the optimum."
)

METHOD = {
    "binding": "rows holding with equality at the solution (|activity - bound| <= 1e-6 relative); rows of clusters "
               "that do not exist, tiers rows and homogeneity rows are left out",
    "shadow_prices": "HiGHS row duals of the LP with every integer variable fixed at its rounded solution value",
    "count_limits": "focus, spread and concentrate rows hold only cluster decisions, so the fixed LP gives them no price; "
                    "their value is the best probe (force one more cluster with that limit raised by one, every other "
                    "decision kept, re-solve the LP): a guaranteed improvement, a bound on the full value",
    "near_misses": "per industry, eligible regions without it: objective increase of the best probe (provincial or "
                   "characteristic tier) and comparative-advantage score gap to the weakest host",
}


# ---------------------------------------------------------------------------------------------- rows


def describe_row(inst: Instance, info: RowInfo) -> str:
    """A row's subject in words, e.g. 'budget of Jiangsu' or 'scale of Biology in Beijing'."""
    fam = info.family.replace("_", "-") if info.family not in ("overcapacity_cap", "spread_min", "spread_max", "spread_groups", "scale_group", "keep_base") else {
        "overcapacity_cap": "overcapacity cap", "spread_min": "spread minimum", "spread_max": "spread maximum",
        "spread_groups": "inter-provincial spread", "scale_group": "inter-provincial scale", "keep_base": "keep-base",
    }[info.family]
    parts = []
    if info.industry is not None:
        parts.append(_iname(inst, info.industry))
    if info.group is not None:
        parts.append(f"in {_gname(inst, info.group)}")
    if info.region is not None:
        parts.append(f"in {_rname(inst, info.region)}" if info.industry is not None else _rname(inst, info.region))
        if info.other is not None:
            parts[-1] += f" and {_rname(inst, info.other)}"
    return f"{fam} of {' '.join(parts)}" if parts else fam


def _rname(inst: Instance, r: str) -> str:
    return inst.region_names.get(r, r)


def _iname(inst: Instance, i: str) -> str:
    p = inst.industries.get(i)
    return p.name if p is not None else i


def _a(word: str) -> str:
    """'a provincial', 'an inter-provincial'."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def _plural(n: float, word: str) -> str:
    """'1 cluster', '3 clusters'."""
    return f"{_g(n)} {word}" + ("" if n == 1 else "s")


def _gname(inst: Instance, g: str) -> str:
    p = inst.groups.get(g)
    return p.name if p is not None else g


def _num(v: float | None) -> float | None:
    """Round for stable output; -0.0 becomes 0.0."""
    if v is None or not math.isfinite(v):
        return None
    return round(float(v), DIGITS) + 0.0


def _g(v: float) -> str:
    """A number for text: up to 4 significant decimals, no trailing zeros."""
    v = _num(v) or 0.0
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4f}".rstrip("0").rstrip(".") if abs(v) >= 1e-3 else f"{v:.3g}"


# ------------------------------------------------------------------------------------- fixed LP


class FixedLP:
    """The model's LP with every integer column fixed at its solution value, loaded in one HiGHS
    instance; probes change a few bounds, re-solve (hot start) and restore."""

    def __init__(self, m: LayoutModel, mat: Matrix, solution: np.ndarray, deadline: float | None = None):
        self.mat, self.deadline = mat, deadline
        self.col = {v.name: j for j, v in enumerate(m.columns)}
        self.row = {name: k for k, name in enumerate(mat.row_names)}
        fixed = np.clip(np.round(solution), mat.col_lower, mat.col_upper)
        self.lower = np.where(mat.integer, fixed, mat.col_lower)
        self.upper = np.where(mat.integer, fixed, mat.col_upper)
        # rows over cluster decisions only: with those fixed, their duals are arbitrary, never a price
        continuous = np.bincount(row_of_entry(mat), weights=~mat.integer[mat.index], minlength=len(mat.row_lower))
        self.integer_only = {mat.row_names[k] for k in np.flatnonzero(continuous == 0)}
        self.h = self._load()
        self.status = ""
        self.objective: float | None = None
        self.row_dual = np.zeros(len(mat.row_lower))
        self.col_value = np.zeros(len(mat.cost))

    def _load(self):
        """A HiGHS instance holding this LP."""
        h = new_highs()
        h.setOptionValue("random_seed", 0)
        h.setOptionValue("presolve", "on")  # with the clusters fixed most rows fall away (county: 6.5 s -> 0.3 s);
        # postsolve still gives every row its dual, and probes hot-start from the basis without presolve
        pass_matrix(h, self.mat, self.lower, self.upper, np.zeros(len(self.mat.cost), dtype=bool))
        return h

    def copy(self) -> "FixedLP":
        """The same LP in another HiGHS instance (arrays and name indexes shared), not yet solved."""
        other = copy.copy(self)
        other.h = self._load()
        return other

    def solve(self) -> bool:
        """Solve the base fixed LP; keep its objective and duals."""
        ok, obj = self._run()
        self.objective = obj
        if ok:
            sol = self.h.getSolution()
            self.row_dual = np.asarray(sol.row_dual, dtype=float)
            self.col_value = np.asarray(sol.col_value, dtype=float)
        return ok

    def _run(self) -> tuple[bool, float | None]:
        import highspy

        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.status = "Time limit reached"
                return False, None
            self.h.setOptionValue("time_limit", left)
        self.h.run()
        st = self.h.getModelStatus()
        self.status = self.h.modelStatusToString(st)
        if st == highspy.HighsModelStatus.kOptimal:
            return True, float(self.h.getInfo().objective_function_value)
        return False, None

    def probe(self, fix_one: list[str], raise_rows: list[str]) -> float | None:
        """Objective with the named binary columns fixed at 1 and the named rows' upper bounds raised by
        one; None if that LP is infeasible. Bounds are restored afterwards."""
        cols = [self.col[n] for n in fix_one]
        rows = [self.row[n] for n in raise_rows]
        for j in cols:
            self.h.changeColBounds(j, 1.0, 1.0)
        for k in rows:
            self.h.changeRowBounds(k, self.mat.row_lower[k], self.mat.row_upper[k] + 1.0)
        try:
            ok, obj = self._run()
        finally:
            for j in cols:
                self.h.changeColBounds(j, self.lower[j], self.upper[j])
            for k in rows:
                self.h.changeRowBounds(k, self.mat.row_lower[k], self.mat.row_upper[k])
        return obj if ok else None


# ------------------------------------------------------------------------------------- explain


def _activity(mat: Matrix, x: np.ndarray) -> dict[str, float]:
    """Row activities (sum of coefficient × value) of the model's arrays at column values x."""
    act = np.bincount(row_of_entry(mat), weights=mat.value * x[mat.index], minlength=len(mat.row_lower))
    return dict(zip(mat.row_names, act.tolist()))


def _designation(m: LayoutModel) -> dict[tuple[str, str], tuple[str, str]]:
    """(region, industry) -> (tier, group) for every designated pair."""
    inst, out = m.inst, {}
    for r in inst.regions:
        for i in inst.industries:
            if m.y[r, i].varValue is not None and m.y[r, i].varValue > ON:
                out[r, i] = ("provincial", "")
            elif m.h[r, i].varValue is not None and m.h[r, i].varValue > ON:
                out[r, i] = ("characteristic", "")
            else:
                active = [g for g in inst.groups_of(r) if (m.z[g, i].varValue or 0.0) > ON]
                if active:
                    out[r, i] = ("inter-provincial", active[0])
    return out


def _binds(activity: float, c) -> tuple[bool, float]:
    """Whether a row holds with equality, and its bound (right-hand side)."""
    rhs = -c.constant
    return abs(activity - rhs) <= TOL * max(1.0, abs(rhs)), rhs


def _binding(m: LayoutModel, act: dict[str, float], held: dict) -> list[dict]:
    """Binding rows in a planner's words (see the module docstring for what is left out)."""
    inst, out = m.inst, []
    n_clusters = {r: sum(1 for (rr, _i) in held if rr == r) for r in inst.regions}
    for name, c in m.rows.items():
        info = m.info[name]
        fam = info.family
        binds, rhs = _binds(act[name], c)
        if not binds:
            continue
        r, i, g = info.region, info.industry, info.group
        text = None
        if fam == "budget":
            text = f"budget of {_rname(inst, r)} ({_g(rhs)}) is fully used"
        elif fam == "focus" and rhs > 0:
            text = f"focus: {_rname(inst, r)} takes part in its maximum of {_plural(rhs, 'cluster')}"
        elif fam == "spread_max" and rhs > 0:
            text = f"spread: {_iname(inst, i)} has its maximum of {_plural(rhs, 'provincial cluster')}"
        elif fam == "spread_min" and rhs > 0:
            text = f"spread: {_iname(inst, i)} has only its minimum of {_plural(rhs, 'provincial cluster')}"
        elif fam == "spread_groups" and rhs > 0:
            text = f"spread: {_iname(inst, i)} has its maximum of {_plural(rhs, 'inter-provincial cluster')}"
        elif fam == "concentrate" and rhs > 0:
            text = f"concentrate: {_iname(inst, i)} (a key shortcoming) is in its maximum of {_plural(rhs, 'region')}"
        elif fam == "overcapacity_cap":
            text = f"overcapacity cap: {_iname(inst, i)} reaches its cap of {_g(rhs)}"
        elif fam == "growth":
            text = f"growth: {_rname(inst, r)}'s capacity of {_iname(inst, i)} reaches its most for this period ({_g(rhs)})"
        elif fam == "strengths" and (r, i) in held:
            share = getattr(inst, "strengths", {}).get((r, i))
            text = (f"strengths: {_rname(inst, r)} keeps only its minimum share of {_iname(inst, i)}"
                    + (f" ({_g(share)} of national capacity)" if share is not None else ""))
        elif fam == "keep_base" and rhs > 0:
            text = f"keep-base: {_rname(inst, r)} keeps exactly the required {_g(rhs)} of {_iname(inst, i)}"
        elif fam == "demand":
            e = m.e[i].varValue or 0.0
            text = (f"demand: the target of {_iname(inst, i)} ({_g(rhs)}) is met exactly" if e <= TOL
                    else f"demand: {_iname(inst, i)} falls short of its target {_g(rhs)} by {_g(e)} (a finding)")
        elif fam == "hosting" and (r, i) in held:
            tier, grp = held[r, i]
            p = inst.industries[i]
            cap = p.char_max if tier == "characteristic" else p.max_host
            where = f" ({_gname(inst, grp)})" if grp else ""
            text = f"hosting: {_rname(inst, r)}'s {tier} cluster{where} of {_iname(inst, i)} holds its maximum ({_g(cap)})"
        elif fam == "scale" and (r, i) in held:
            tier, grp = held[r, i]
            p = inst.industries[i]
            low = {"provincial": p.provincial_min, "characteristic": p.char_min, "inter-provincial": p.group_min_member}[tier]
            if low > 0:
                text = f"scale: {_rname(inst, r)}'s {tier} cluster of {_iname(inst, i)} holds only the minimum {_g(low)}"
        elif fam == "scale_group" and (m.z[g, i].varValue or 0.0) > ON:
            text = f"scale: the inter-provincial cluster of {_iname(inst, i)} in {_gname(inst, g)} holds only its minimum total {_g(rhs)}"
        elif fam == "balance" and (m.v[r].varValue or 0.0) > TOL:
            text = (f"balance: {_rname(inst, r)} takes part in {_plural(n_clusters[r], 'cluster')}, "
                    f"fewer than its minimum {_g(rhs)} (penalised, a finding)")
        if text is not None:
            out.append({"row": m.label(name), "family": fam, "region": r, "region_name": _rname(inst, r) if r else None,
                        "industry": i, "industry_name": _iname(inst, i) if i else None, "group": g,
                        "bound": _num(rhs), "text": text})
    return out


def _price_text(inst: Instance, info: RowInfo, value: float) -> str:
    """What one more unit of a row's right-hand side is worth, in words."""
    effect = "lowers" if value < 0 else "raises"
    amount = _g(abs(value))
    r, i, g = info.region, info.industry, info.group
    subject = {
        "budget": f"one more unit of {_rname(inst, r)}'s budget",
        "keep_base": f"one more unit of {_iname(inst, i)} that {_rname(inst, r)} must keep",
        "overcapacity_cap": f"one more unit of {_iname(inst, i)}'s overcapacity cap",
        "hosting": f"one more unit that {_rname(inst, r)} may hold of {_iname(inst, i)} (cluster maximum)",
        "scale": f"one more unit of minimum scale of {_rname(inst, r)}'s cluster of {_iname(inst, i)}",
        "scale_group": f"one more unit of minimum total of the {_iname(inst, i)} cluster in {_gname(inst, g) if g else ''}",
        "demand": f"one more unit of {_iname(inst, i)}'s demand row",
        "overcapacity": f"one more unit of {_iname(inst, i)} allowed before overcapacity is penalised",
        "balance": f"one more required cluster in {_rname(inst, r) if r else ''}",
        "growth": f"one more unit of growth allowed for {_iname(inst, i)} in {_rname(inst, r) if r else ''}",
    }.get(info.family, f"one more unit of the {describe_row(inst, info)} bound")
    return f"{subject} {effect} the objective by {amount}"


def _shadow_prices(m: LayoutModel, lp: FixedLP, held: dict) -> tuple[list[dict], list[dict]]:
    """Nonzero row duals of the fixed LP, and the value of one more unit of each industry's target."""
    inst, out = m.inst, []
    dual = {name: float(lp.row_dual[k]) for name, k in lp.row.items()}
    for name in m.rows:
        d = dual[name]
        if abs(d) <= PRICE_TOL:
            continue
        info = m.info[name]
        if name in lp.integer_only or info.family in ("homogeneity", "homogeneity_any"):
            continue  # rows of fixed cluster decisions only: their duals say nothing about the limits
        if info.family in ("hosting", "scale") and (info.region, info.industry) not in held:
            continue  # a cluster that does not exist: its allowance has no meaning for a planner
        if info.family == "scale_group" and (m.z[info.group, info.industry].varValue or 0.0) <= ON:
            continue
        if _num(d) == 0.0:
            continue
        out.append({"row": m.label(name), "family": info.family, "region": info.region,
                    "region_name": _rname(inst, info.region) if info.region else None, "industry": info.industry,
                    "industry_name": _iname(inst, info.industry) if info.industry else None, "group": info.group,
                    "price": _num(d), "text": _price_text(inst, info, d)})
    out.sort(key=lambda e: (-abs(e["price"]), e["row"]))
    targets = []
    for i, p in inst.industries.items():
        price = {fam: dual.get(m.row_of(fam, industry=i) or "", 0.0) for fam in ("demand", "overcapacity", "overcapacity_cap")}
        v = price["demand"] + price["overcapacity"]
        if p.overcapacity_cap is not None:
            v += (1 + p.overcapacity_cap) * price["overcapacity_cap"]
        v = 0.0 if abs(v) <= PRICE_TOL else v
        effect = "does not change" if v == 0 else ("lowers" if v < 0 else "raises")
        targets.append({"industry": i, "industry_name": p.name, "price": _num(v),
                        "text": f"one more unit of target for {p.name} {effect} the objective" + ("" if v == 0 else f" by {_g(abs(v))}")})
    return out, targets


def _blocking(m: LayoutModel, act: dict[str, float], r: str, i: str, tier: str) -> list[str]:
    """Count rows at their upper bound that one more cluster of i in r (tier) would exceed."""
    names = [m.row_of("focus", region=r)]
    if tier == "provincial":
        names += [m.row_of("spread_max", industry=i), m.row_of("concentrate", industry=i)]
    return [n for n in names if n is not None and act[n] + 1 > -m.rows[n].constant + TOL]


def _probe_pair(m: LayoutModel, lp: FixedLP, act: dict[str, float], base: float, r: str, i: str) -> dict:
    """Force one more cluster of i in r, each tier in turn: the best tier's (tier, delta, blocked_by) and "tiers"."""
    best, tiers = None, []
    for tier, var in (("provincial", m.y[r, i]), ("characteristic", m.h[r, i])):
        if var.upBound == 0:
            continue
        blocked = _blocking(m, act, r, i, tier)
        obj = lp.probe([var.name], blocked)
        if obj is None:
            continue
        probe = {"tier": tier, "delta": obj - base, "blocked_by": blocked}
        tiers.append(probe)
        if best is None or probe["delta"] < best["delta"] - 1e-12:
            best = probe
    return {**(best or {"tier": None, "delta": None, "blocked_by": []}), "tiers": tiers}


def _probes(m: LayoutModel, lp: FixedLP, act: dict[str, float], held: dict,
            per_industry: int, per_region: int) -> tuple[dict[tuple[str, str], dict], int]:
    """Force one more cluster for selected (region, industry) pairs: the best tier's objective change
    (tier, delta, blocked_by) and, under "tiers", every tier's probe; and how many pairs were selected.

    The pairs are shared out in a fixed way over up to PROBE_THREADS copies of the fixed LP, each probed
    in its own thread (HiGHS releases Python's lock while it solves): the same input gives the same probes.
    Past the LP's deadline no more pairs are probed (they are left out of the result).
    """
    inst = m.inst
    eligible_free = {(r, i) for r in inst.regions for i in inst.industries if inst.eligible[r, i] and (r, i) not in held}
    order = {i: k for k, i in enumerate(inst.industries)}
    pairs: set[tuple[str, str]] = set()
    for i in inst.industries:
        cands = sorted((r for r in inst.regions if (r, i) in eligible_free), key=lambda r: (-inst.score[r, i], r))
        pairs.update((r, i) for r in cands[:per_industry])
    for r in inst.regions:
        focus = m.row_of("focus", region=r)
        if focus is not None and _binds(act[focus], m.rows[focus])[0]:
            cands = sorted((i for i in inst.industries if (r, i) in eligible_free), key=lambda i: (-inst.score[r, i], order[i]))
            pairs.update((r, i) for i in cands[:per_region])
    todo = sorted(pairs, key=lambda p: (order[p[1]], p[0]))
    n = max(1, min(PROBE_THREADS, os.cpu_count() or 1, len(todo) // PROBES_PER_THREAD))
    lps = [lp] + [lp.copy() for _ in range(n - 1)]
    if not all(other.solve() for other in lps[1:]):  # the same LP as `lp`: solved before, so this cannot fail
        lps = [lp]

    def share(k: int) -> list[tuple[tuple[str, str], dict]]:
        out = []
        for r, i in todo[k::len(lps)]:
            if lp.deadline is not None and time.monotonic() >= lp.deadline:
                break
            out.append(((r, i), _probe_pair(m, lps[k], act, lp.objective, r, i)))
        return out

    with ThreadPoolExecutor(len(lps)) as pool:
        done = dict(chain.from_iterable(pool.map(share, range(len(lps)))))
    return {p: done[p] for p in todo if p in done}, len(todo)


def _count_limits(m: LayoutModel, probes: dict) -> list[dict]:
    """Value of one more allowed cluster per binding count row, from probes blocked by that row alone."""
    inst = m.inst
    best: dict[str, tuple[float, str, str, str]] = {}
    for (r, i), pr in probes.items():
        for p in pr["tiers"]:
            if len(p["blocked_by"]) != 1:
                continue
            row = p["blocked_by"][0]
            cur = best.get(row)
            if cur is None or p["delta"] < cur[0] - 1e-12:
                best[row] = (p["delta"], r, i, p["tier"])
    out = []
    for row in sorted(best, key=lambda n: (m.label(n), int(n[1:]))):
        delta, r, i, tier = best[row]
        info = m.info[row]
        value = min(0.0, delta)
        if info.family == "focus":
            subject = f"one more allowed cluster in {_rname(inst, info.region)} (focus, now {_g(-m.rows[row].constant)})"
        elif info.family == "spread_max":
            subject = f"one more allowed provincial cluster of {_iname(inst, info.industry)} (spread, now {_g(-m.rows[row].constant)})"
        else:
            subject = f"one more allowed region for {_iname(inst, info.industry)} (concentrate, now {_g(-m.rows[row].constant)})"
        if value < -PRICE_TOL:
            text = (f"{subject} lowers the objective by at least {_g(-value)} "
                    f"({_a(tier)} cluster of {_iname(inst, i)} in {_rname(inst, r)})")
        else:
            text = f"{subject} is worth nothing with the other clusters kept (no single extra cluster helps)"
        out.append({"row": m.label(row), "family": info.family, "region": info.region,
                    "region_name": _rname(inst, info.region) if info.region else None, "industry": info.industry,
                    "industry_name": _iname(inst, info.industry) if info.industry else None,
                    "price": _num(value if value < -PRICE_TOL else 0.0), "best_region": r if value < -PRICE_TOL else None,
                    "best_industry": i if value < -PRICE_TOL else None, "best_tier": tier if value < -PRICE_TOL else None,
                    "text": text})
    return out


def _held_back(m: LayoutModel, probes: dict) -> list[dict]:
    """Pairs a count cap keeps out although they would improve the objective."""
    inst, out = m.inst, []
    for (r, i), p in probes.items():
        if p["delta"] is None or p["delta"] >= -PRICE_TOL or not p["blocked_by"]:
            continue
        caps = []
        for row in p["blocked_by"]:
            fam = m.info[row].family
            n = -m.rows[row].constant
            caps.append({"focus": f"{_rname(inst, r)} takes part in its maximum of {_plural(n, 'cluster')} (focus)",
                         "spread_max": f"{_iname(inst, i)} has its maximum of {_plural(n, 'provincial cluster')} (spread)",
                         "concentrate": f"{_iname(inst, i)} is concentrated in its maximum of {_plural(n, 'region')} (concentrate)"}.get(fam, m.label(row)))
        out.append({"region": r, "region_name": _rname(inst, r), "industry": i, "industry_name": _iname(inst, i),
                    "tier": p["tier"], "gain": _num(-p["delta"]), "held_back_by": [m.info[b].family for b in p["blocked_by"]],
                    "text": f"{_iname(inst, i)} is held back in {_rname(inst, r)}: {_a(p['tier'])} cluster there would lower the "
                            f"objective by {_g(-p['delta'])}, but " + " and ".join(caps)})
    order = {i: k for k, i in enumerate(inst.industries)}
    out.sort(key=lambda e: (order[e["industry"]], -e["gain"], e["region"]))
    return out


def _near_misses(m: LayoutModel, probes: dict, held: dict, per_industry: int) -> list[dict]:
    """Per industry, the eligible regions without it that came closest."""
    inst, out = m.inst, []
    for i, p in inst.industries.items():
        hosts = [r for r in inst.regions if (r, i) in held]
        weakest = min(hosts, key=lambda r: (inst.score[r, i], r)) if hosts else None
        cands = []
        for r in inst.regions:
            if (r, i) in held or not inst.eligible[r, i]:
                continue
            pr = probes.get((r, i))
            cost = None if pr is None or pr["delta"] is None else pr["delta"]
            cands.append((r, cost, pr))
        cands.sort(key=lambda c: (c[1] is None, c[1] if c[1] is not None else 0.0, -inst.score[c[0], i], c[0]))
        entries = []
        for r, cost, pr in cands[:per_industry]:
            gap = None if weakest is None else inst.score[weakest, i] - inst.score[r, i]
            if cost is None:
                how = "not probed" if pr is None else "cannot host it with the other clusters kept (no feasible probe)"
            elif abs(cost) <= TOL:
                how = "a tie: forcing it there leaves the objective unchanged (an equally good layout includes it)"
            elif cost < 0:
                caps = " and ".join(CAP_WORDS.get(m.info[b].family, m.label(b)) for b in pr["blocked_by"])
                how = (f"would lower the objective by {_g(-cost)} but is held back by {caps}" if caps else
                       f"would lower the objective by {_g(-cost)} (the solve stopped short of the optimum)")
            else:
                how = f"missed by {_g(cost)} objective units (cost of forcing {_a(pr['tier'])} cluster there)"
            score = f"score {_g(inst.score[r, i])}" + ("" if gap is None else f", {_g(abs(gap))} {'below' if gap >= 0 else 'above'} the weakest host {_rname(inst, weakest)} ({_g(inst.score[weakest, i])})")
            entries.append({"region": r, "region_name": _rname(inst, r), "score": _num(inst.score[r, i]),
                            "score_gap_to_weakest_host": _num(gap), "cost_if_forced": _num(cost),
                            "tier_if_forced": None if pr is None else pr["tier"],
                            "text": f"{_rname(inst, r)}: {how}; {score}"})
        out.append({"industry": i, "industry_name": p.name, "hosts": len(hosts),
                    "weakest_host": weakest, "weakest_host_name": _rname(inst, weakest) if weakest else None,
                    "weakest_host_score": _num(inst.score[weakest, i]) if weakest else None, "candidates": entries})
    return out


def explain(model: LayoutModel, result, *, per_industry: int = 5, per_region: int = 3,
            time_limit: float | None = None) -> dict:
    """Explain a solved layout (values already in the model's variables). JSON-ready and deterministic.

    `result` is the solver's SolveResult (its solver, status and objective are recorded).
    `per_industry` / `per_region` bound how many (region, industry) pairs are probed (module docstring);
    `time_limit` (seconds, from now) bounds the fixed LP and the probes.
    """
    deadline = None if time_limit is None else time.monotonic() + time_limit
    m, inst = model, model.inst
    mat = to_matrix(m)
    solution = np.fromiter((v.varValue or 0.0 for v in m.columns), dtype=float, count=len(m.columns))  # as the solver wrote it
    act = _activity(mat, solution)
    held = _designation(m)
    lp = FixedLP(m, mat, solution, deadline)
    lp_ok = lp.solve()
    data: dict = {
        "scenario": inst.name,
        "solver": {"name": getattr(result, "solver", None), "status": getattr(result, "status", None),
                   "objective": _num(getattr(result, "objective", None))},
        "sign_convention": SIGN_CONVENTION,
        "method": METHOD,
        "binding": _binding(m, act, held),
        "fixed_lp": {"status": lp.status, "objective": _num(lp.objective)},
    }
    if lp_ok:
        prices, targets = _shadow_prices(m, lp, held)
        probes, wanted = _probes(m, lp, act, held, per_industry, per_region)
        if len(probes) < wanted:
            data["limits"] = (f"the time limit ({_g(time_limit or 0)} s) stopped the probes: {len(probes)} of {wanted} "
                              "(region, industry) pairs probed; the others read 'not probed'")
        data["shadow_prices"] = prices
        data["target_prices"] = targets
        data["count_limits"] = _count_limits(m, probes)
        data["held_back"] = _held_back(m, probes)
        data["near_misses"] = _near_misses(m, probes, held, per_industry)
    else:
        data.update(shadow_prices=[], target_prices=[], count_limits=[], held_back=[], near_misses=[])
        data["fixed_lp"]["note"] = "the LP with the clusters fixed did not solve to optimality; no prices" + (
            f" (it had what was left of the time limit, {_g(time_limit)} s)" if time_limit is not None and lp.status == "Time limit reached" else "")
    findings = []
    for i, p in inst.industries.items():
        e = m.e[i].varValue or 0.0
        if e > TOL:
            findings.append(f"{p.name} falls short of its target {_g(p.target)} by {_g(e)}")
    for r in inst.regions:
        if (m.v[r].varValue or 0.0) > TOL:
            n = sum(1 for (rr, _i) in held if rr == r)
            findings.append(f"{_rname(inst, r)} takes part in {n} clusters, fewer than its minimum {inst.min_clusters[r]}")
    for r in inst.unplaceable():
        findings.append(f"{_rname(inst, r)} is eligible for no industry under the scenario's rules")
    data["findings"] = findings
    return data


# -------------------------------------------------------------------------------------- format


def format_explanation(data: dict, max_prices: int = 20) -> str:
    """Plain-text lines of an explanation (what `layout explain DIR` prints); at most `max_prices` shadow prices."""
    lines = []
    s = data.get("solver", {})
    lines.append(f"Explanation of {data.get('scenario', '')} — {s.get('name')}: {s.get('status')}, objective {s.get('objective')}")
    lp = data.get("fixed_lp", {})
    lines.append(f"LP with clusters fixed: {lp.get('status')}, objective {lp.get('objective')}")
    if data.get("limits"):
        lines.append(f"Limited: {data['limits']}")
    lines.append("")
    lines.append("Binding constraints:")
    lines += [f"  - {b['text']}" for b in data.get("binding", [])] or ["  (none)"]
    lines.append("")
    lines.append("Shadow prices (sign convention below; largest first):")
    prices = data.get("shadow_prices", [])
    lines += [f"  - {p['text']}  [{p['row']}: {p['price']}]" for p in prices[:max_prices]] or ["  (none nonzero)"]
    if len(prices) > max_prices:
        lines.append(f"  … {len(prices) - max_prices} smaller prices in explanation.json")
    tp = [t for t in data.get("target_prices", [])]
    if tp:
        lines.append("  Targets:")
        lines += [f"  - {t['text']}  [{t['price']}]" for t in tp]
    lines.append("")
    lines.append("Count limits (value of one more allowed cluster, other clusters kept):")
    lines += [f"  - {c['text']}  [{c['row']}: {c['price']}]" for c in data.get("count_limits", [])] or ["  (none binding)"]
    lines.append("")
    lines.append("Held back by focus, spread or concentrate caps:")
    lines += [f"  - {h['text']}" for h in data.get("held_back", [])] or ["  (none)"]
    lines.append("")
    lines.append("Near misses (eligible regions without the industry that came closest):")
    for nm in data.get("near_misses", []):
        weakest = f"weakest host {nm['weakest_host_name']} (score {_g(nm['weakest_host_score'])})" if nm.get("weakest_host") else "no host"
        lines.append(f"  {nm['industry_name']} ({nm['hosts']} hosts; {weakest}):")
        lines += [f"    - {c['text']}" for c in nm["candidates"]] or ["    (no eligible region without it)"]
    if data.get("findings"):
        lines.append("")
        lines.append("Findings:")
        lines += [f"  - {f}" for f in data["findings"]]
    lines.append("")
    lines.append("Sign convention: " + data.get("sign_convention", SIGN_CONVENTION))
    for k, v in sorted(data.get("method", {}).items()):
        lines.append(f"Method ({k}): {v}")
    return "\n".join(lines) + "\n"
