"""Why the layout is what it is: binding constraints, shadow prices, held-back and narrowly missed clusters.

`explain(model, result)` runs right after a successful solve (HiGHS or CBC: it reads the values the
solver wrote into the model's variables) and returns a JSON-ready dict; `format_explanation(data)`
turns it into plain text lines for `layout explain DIR`.

Four parts, each in a planner's words (family, region name, industry name, numbers); the words of each
constraint family are in its record (`layout.model.families`):

* **binding** — constraints that hold with equality at the solution: a budget fully used (a region's, or
  a parent's units together at finer levels), a region (a parent) at its maximum number of clusters
  (industries) (focus), an industry at its maximum (spread, concentrate) or its overcapacity cap, a
  cluster at its maximum share (hosting) or only at its minimum scale (scale), existing capacity kept
  exactly at the required minimum (keep-base), a target met exactly (demand). Trivially binding rows (a
  cluster that does not exist holds 0 ≤ 0) are left out, and so are the rows of families without a
  binding word: tiers, portfolio and homogeneity rows (duplications are counted in metrics.json).
* **shadow prices** — from the LP obtained by fixing every integer variable (y, h, z) at its
  rounded solution value and re-solving the continuous part with HiGHS. A price is HiGHS' row dual:
  the change of the objective per unit increase of the row's right-hand side, with every cluster
  decision kept. The model minimises, so a *negative* price means one more unit would *lower*
  (improve) the objective by that much — that is what one more unit of a budget is worth; a positive
  price is what one more unit would cost. The value of one more unit of an industry's target is the
  sum of the prices of its target rows (demand, overcapacity and, with a cap, (1 + tau) × cap),
  holding the objective's normalisation by the target fixed.
* **count limits** — rows that contain only cluster decisions (focus K_r, spread N_i^max,
  concentrate n_i, a parent's K_p at finer levels) have no price in the fixed LP (all their variables are fixed). Their value is
  measured by *probes*: with every other decision kept, one more cluster is forced (a provincial or
  a characteristic cluster of industry i in region r), the count limits that would block it are
  raised by one, and the continuous part is re-solved. The best probe of a region (an industry)
  whose only blocking limit is its focus (spread, concentrate) limit is a local estimate of what
  one more allowed cluster is worth: a guaranteed improvement (a bound), since a full re-solve could
  rearrange more. Probes that lower the objective name the industries **held back** by those caps.
* **near misses** — for each industry, the eligible regions (and regions eligible for nothing whose characteristic
  fallback it is: `Instance.may_host`) without a cluster of it that came closest: the probe's objective increase when forced to host it (best tier, other decisions kept;
  the cost of the designation alone, counting any cap it would need raised), and the
  comparative-advantage score gap to the weakest region that does host the industry. Forcing every
  pair with a full MIP re-solve would be too slow, so probes cover, per industry, the
  `per_industry` best-scoring eligible regions without it, and, per region at its focus limit, its
  `per_region` best-scoring eligible industries it lacks (defaults 5 and 3).

Every number is rounded (6 decimals) and every list sorted, so the same input gives byte-identical
JSON (`layout.results.staging.write_json`). The texts are in the language of the run (`layout.language`: English, or
the Chinese of layout/locale/zh/analysis.po); `format_explanation`'s headings in the language it is called in.

A time limit (the solve's `--time-limit`, in seconds) bounds the explanation too: the LP with the clusters fixed
gets what is left of it, and probing stops when it runs out. The pairs not probed read "not probed", and
`limits` in the JSON says how many were (the output is then no longer byte-stable: it depends on the machine).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import chain

import numpy as np

from layout.analysis.probe_lp import ProbeLP, reduce_fixed, whole
from layout.language import marked, tr, translate
from layout.model.core import HELD, LayoutModel, RowInfo
from layout.model.families import FAMILIES, ON, RECORDS, TOL, CountWords, Facts, a_cluster, place_name
from layout.model.instance import Instance
from layout.model.solve import Matrix, new_highs, pass_matrix, row_of_entry, to_matrix
from layout.words import industry_name, number, region_name, rounded

__all__ = ["explain", "format_explanation", "designations", "SIGN_CONVENTION"]

PROBE_THREADS = 4  # at most this many copies of the fixed LP probe at once (one per core)
PROBES_PER_THREAD = 8  # below this many pairs per copy, another copy costs more than it saves

PRICE_TOL = 1e-9  # a price smaller than this is 0 (a row binds when |activity - bound| <= TOL * max(1, |bound|))

SIGN_CONVENTION = marked(  # shown translated (`translate`), as METHOD's texts
    "The objective is minimised. A shadow price is the change of the objective per unit increase of the "
    "constraint's right-hand side (a budget, a target, a kept capacity, an allowed count), every cluster "
    "decision kept. Negative: one more unit lowers (improves) the objective by that much, so it is worth "
    "that much; positive: one more unit costs that much; zero: the constraint does not restrict the optimum."
)

METHOD = {
    "binding": marked(
        "rows holding with equality at the solution (|activity - bound| <= 1e-6 relative); rows of clusters "
        "that do not exist, tiers rows and homogeneity rows are left out"
    ),
    "shadow_prices": marked(
        "HiGHS row duals of the LP with every integer variable fixed at its rounded solution value"
    ),
    "count_limits": marked(
        "focus, spread and concentrate rows hold only cluster decisions, so the fixed LP gives them no price; "
        "their value is the best probe (force one more cluster with that limit raised by one, every other "
        "decision kept, re-solve the LP): a guaranteed improvement, a bound on the full value"
    ),
    "near_misses": marked(
        "per industry, eligible regions without it: objective increase of the best probe (provincial or "
        "characteristic tier) and comparative-advantage score gap to the weakest host"
    ),
}


# HiGHS' words for the status of the LP with the clusters fixed, shown translated (the solver's status is the
# command's own: layout.cli marks it)
LP_STATUSES = (marked("Optimal"), marked("Time limit reached"), marked("Infeasible"))


# ---------------------------------------------------------------------------------------------- rows


def _status(status: object) -> object:
    """A solver's status as a person reads it (a status the catalogue does not know, or none, as it is)."""
    return translate(status) if isinstance(status, str) else status


def _both(parts: list[str]) -> str:
    """'A and B and C': the limits that hold a cluster back, in one clause."""
    if not parts:
        return ""
    text = parts[0]
    for part in parts[1:]:
        text = tr("{first} and {second}", first=text, second=part)
    return text


def _codes(inst: Instance, info: RowInfo) -> dict:
    """A row's codes and names for an explanation entry (a parent only where the row has one: finer levels)."""
    out = {
        "region": info.region,
        "region_name": region_name(inst, info.region) if info.region else None,
        "industry": info.industry,
        "industry_name": industry_name(inst, info.industry) if info.industry else None,
    }
    if info.parent is not None:
        out.update(parent=info.parent, parent_name=place_name(inst, info.parent))
    return out


# ------------------------------------------------------------------------------------- fixed LP


class FixedLP:
    """The model's LP with every integer column fixed at its solution value, loaded in one HiGHS
    instance: its duals are the shadow prices; probes re-solve it as a `layout.analysis.probe_lp.ProbeLP`."""

    def __init__(self, m: LayoutModel, mat: Matrix, solution: np.ndarray, deadline: float | None = None):
        self.mat, self.deadline = mat, deadline
        self.col_names = [v.name for v in m.columns]
        self.col = {name: j for j, name in enumerate(self.col_names)}
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
        # postsolve still gives every row its dual
        pass_matrix(h, self.mat, self.lower, self.upper, np.zeros(len(self.mat.cost), dtype=bool))
        return h

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


# ------------------------------------------------------------------------------------- explain


def _activity(mat: Matrix, x: np.ndarray) -> dict[str, float]:
    """Row activities (sum of coefficient × value) of the model's arrays at column values x."""
    act = np.bincount(row_of_entry(mat), weights=mat.value * x[mat.index], minlength=len(mat.row_lower))
    return dict(zip(mat.row_names, act.tolist()))


def designations(m: LayoutModel) -> dict[tuple[str, str], tuple[str, str]]:
    """(region, industry) -> (tier, group) for every designated pair holding capacity (more than HELD): a member of
    an inter-provincial cluster holding nothing hosts nothing (as in assignment.csv)."""
    inst, out = m.inst, {}
    for r in inst.regions:
        for i in inst.industries:
            if (m.x[r, i].varValue or 0.0) <= HELD:
                continue
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
    """Binding rows in a planner's words: each family's binding word (see the module docstring for what is left out)."""
    inst, out = m.inst, []
    for name, c in m.rows.items():
        info = m.info[name]
        word = RECORDS[info.family].binding
        if word is None:
            continue
        binds, rhs = _binds(act[name], c)
        if not binds:
            continue
        text = word(Facts.about(inst, info, rhs, m, held))
        if text is not None:
            out.append(
                {
                    "row": m.label(name),
                    "family": info.family,
                    **_codes(inst, info),
                    "group": info.group,
                    "bound": rounded(rhs),
                    "text": text,
                }
            )
    return out


def _shadow_prices(m: LayoutModel, lp: FixedLP, held: dict) -> tuple[list[dict], list[dict]]:
    """Nonzero row duals of the fixed LP, and the value of one more unit of each industry's target."""
    inst, out = m.inst, []
    dual = {name: float(lp.row_dual[k]) for name, k in lp.row.items()}
    for name in m.rows:
        d = dual[name]
        if abs(d) <= PRICE_TOL or name in lp.integer_only:
            continue  # rows of fixed cluster decisions only: their duals say nothing about the limits
        info = m.info[name]
        word = RECORDS[info.family].price
        subject = None if word is None else word(Facts.about(inst, info, -m.rows[name].constant, m, held))
        if subject is None or rounded(d) == 0.0:
            continue  # a family without a price (duplications), or a cluster that does not exist
        if d < 0:
            text = tr("{subject} lowers the objective by {value}", subject=subject, value=number(abs(d)))
        else:
            text = tr("{subject} raises the objective by {value}", subject=subject, value=number(abs(d)))
        out.append(
            {
                "row": m.label(name),
                "family": info.family,
                **_codes(inst, info),
                "group": info.group,
                "price": rounded(d),
                "text": text,
            }
        )
    out.sort(key=lambda e: (-abs(e["price"]), e["row"]))
    targets = []
    for i, p in inst.industries.items():
        price = {
            fam: dual.get(m.row_of(fam, industry=i) or "", 0.0)
            for fam in ("demand", "overcapacity", "overcapacity_cap")
        }
        v = price["demand"] + price["overcapacity"]
        if p.overcapacity_cap is not None:
            v += (1 + p.overcapacity_cap) * price["overcapacity_cap"]
        v = 0.0 if abs(v) <= PRICE_TOL else v
        if v == 0:
            text = tr("one more unit of target for {industry} does not change the objective", industry=p.name)
        elif v < 0:
            text = tr(
                "one more unit of target for {industry} lowers the objective by {value}",
                industry=p.name,
                value=number(abs(v)),
            )
        else:
            text = tr(
                "one more unit of target for {industry} raises the objective by {value}",
                industry=p.name,
                value=number(abs(v)),
            )
        targets.append({"industry": i, "industry_name": p.name, "price": rounded(v), "text": text})
    return out, targets


def _blocking(m: LayoutModel, act: dict[str, float], held: dict, r: str, i: str, tier: str) -> list[str]:
    """Count rows at their upper bound that one more cluster of i in r (tier) would exceed (families in build order)."""
    rows = (f.count.counted(m, act, held, r, i, tier) for f in FAMILIES if f.count is not None)
    return [n for n in rows if n is not None]


Tiers = list[tuple[str, str, list[str]]]  # a pair's probes: (tier, its column's name, the count rows it raises)


def _tiers(m: LayoutModel, act: dict[str, float], held: dict, r: str, i: str) -> Tiers:
    """The probes of one more cluster of i in r: each tier open to it, with the count rows it would exceed."""
    out = []
    for tier, var in (("provincial", m.y[r, i]), ("characteristic", m.h[r, i])):
        if var.upBound != 0:
            out.append((tier, var.name, _blocking(m, act, held, r, i, tier)))
    return out


def _probe_pair(lp: ProbeLP, tiers: Tiers, base: float) -> dict:
    """Force one more cluster of a pair, each tier in turn: the best tier's (tier, delta, blocked_by) and "tiers"."""
    best: dict | None = None
    probes: list[dict] = []
    for tier, name, blocked in tiers:
        obj = lp.probe([name], blocked)
        if obj is None:
            continue
        probe: dict = {"tier": tier, "delta": obj - base, "blocked_by": blocked}
        probes.append(probe)
        if best is None or probe["delta"] < best["delta"] - 1e-12:
            best = probe
    return {**(best or {"tier": None, "delta": None, "blocked_by": []}), "tiers": probes}


def _probes(
    m: LayoutModel, lp: FixedLP, act: dict[str, float], held: dict, per_industry: int, per_region: int
) -> tuple[dict[tuple[str, str], dict], int]:
    """Force one more cluster for selected (region, industry) pairs: the best tier's objective change
    (tier, delta, blocked_by) and, under "tiers", every tier's probe; and how many pairs were selected.

    The pairs are probed one after another on the fixed LP with what the cluster decisions settle taken out
    (`layout.analysis.probe_lp`: the same objectives; at county level 705 of 193,000 rows are left, and the 80 probes
    of the default take 1 s instead of 22 s). Where that LP cannot be made, they are shared out in a fixed way over up
    to PROBE_THREADS copies of the full fixed LP, each probed in its own thread (HiGHS releases Python's lock while it
    solves). Either way the same input gives the same probes. Past the LP's deadline no more pairs are probed (they
    are left out of the result).
    """
    inst = m.inst
    eligible_free = {
        (r, i) for r in inst.regions for i in inst.industries if inst.may_host(r, i) and (r, i) not in held
    }
    order = {i: k for k, i in enumerate(inst.industries)}
    pairs: set[tuple[str, str]] = set()
    for i in inst.industries:
        cands = sorted((r for r in inst.regions if (r, i) in eligible_free), key=lambda r: (-inst.score[r, i], r))
        pairs.update((r, i) for r in cands[:per_industry])
    for r in inst.regions:
        focus = m.row_of("focus", region=r)
        if focus is not None and _binds(act[focus], m.rows[focus])[0]:
            cands = sorted(
                (i for i in inst.industries if (r, i) in eligible_free), key=lambda i: (-inst.score[r, i], order[i])
            )
            pairs.update((r, i) for i in cands[:per_region])
    todo = sorted(pairs, key=lambda p: (order[p[1]], p[0]))
    plan = {(r, i): _tiers(m, act, held, r, i) for r, i in todo}
    if not todo:
        return {}, 0
    probe_lp = _probe_lp(lp, plan)
    if probe_lp is not None:  # one small LP: no copies, no threads
        lps = [probe_lp]
    else:
        n = max(1, min(PROBE_THREADS, os.cpu_count() or 1, len(todo) // PROBES_PER_THREAD))
        lps = [ProbeLP(whole(lp.mat, lp.lower, lp.upper), lp.col_names, lp.deadline) for _ in range(n)]
        if not all(copy.solve() is not None for copy in lps):  # out of time (the same LP as `lp`, solved before)
            return {}, len(todo)

    def share(k: int) -> list[tuple[tuple[str, str], dict]]:
        out = []
        for pair in todo[k :: len(lps)]:
            if lp.deadline is not None and time.monotonic() >= lp.deadline:
                break
            probed = _probe_pair(lps[k], plan[pair], lps[k].base or 0.0)  # deltas against that LP's own base
            if lps[k].timed_out:  # stopped by the deadline: not probed, not "cannot host it"
                break
            out.append((pair, probed))
        return out

    with ThreadPoolExecutor(len(lps)) as pool:
        done = dict(chain.from_iterable(pool.map(share, range(len(lps)))))
    return {p: done[p] for p in todo if p in done}, len(todo)


def _probe_lp(lp: FixedLP, plan: dict[tuple[str, str], Tiers]) -> ProbeLP | None:
    """The fixed LP with what the cluster decisions settle taken out (`layout.analysis.probe_lp`), every column a
    probe forces and every row it raises kept; None where it cannot be made (the full LP's copies probe instead)."""
    free = np.zeros(len(lp.mat.cost), dtype=bool)
    kept = np.zeros(len(lp.mat.row_lower), dtype=bool)
    for tiers in plan.values():
        for _tier, name, blocked in tiers:
            free[lp.col[name]] = True
            kept[[lp.row[b] for b in blocked]] = True
    reduced = reduce_fixed(lp.mat, lp.lower, lp.upper, free, kept)
    if reduced is None:
        return None
    probe_lp = ProbeLP(reduced, lp.col_names, lp.deadline)
    base = probe_lp.solve()
    if base is None or abs(base - (lp.objective or 0.0)) > 1e-7 * max(1.0, abs(base)):  # not the same LP: keep the full
        return None
    return probe_lp


def _facts(m: LayoutModel, row: str) -> Facts:
    """A row's facts for its words (its codes and right-hand side)."""
    return Facts.about(m.inst, m.info[row], -m.rows[row].constant, m)


def _count_words(m: LayoutModel, row: str) -> CountWords:
    """The words of a count limit's row (probes are only ever blocked by count limits)."""
    words = RECORDS[m.info[row].family].count
    assert words is not None, m.info[row]
    return words


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
        subject = _count_words(m, row).more(_facts(m, row))
        if value < -PRICE_TOL:
            text = tr(
                "{subject} lowers the objective by at least {value} ({cluster} of {industry} in {region})",
                subject=subject,
                value=number(-value),
                cluster=a_cluster(tier),
                industry=industry_name(inst, i),
                region=region_name(inst, r),
            )
        else:
            text = tr(
                "{subject} is worth nothing with the other clusters kept (no single extra cluster helps)",
                subject=subject,
            )
        out.append(
            {
                "row": m.label(row),
                "family": info.family,
                **_codes(inst, info),
                "price": rounded(value if value < -PRICE_TOL else 0.0),
                "best_region": r if value < -PRICE_TOL else None,
                "best_industry": i if value < -PRICE_TOL else None,
                "best_tier": tier if value < -PRICE_TOL else None,
                "text": text,
            }
        )
    return out


def _held_back(m: LayoutModel, probes: dict) -> list[dict]:
    """Pairs a count cap keeps out although they would improve the objective."""
    inst, out = m.inst, []
    for (r, i), p in probes.items():
        if p["delta"] is None or p["delta"] >= -PRICE_TOL or not p["blocked_by"]:
            continue
        caps = [_count_words(m, row).reached(_facts(m, row)) for row in p["blocked_by"]]
        out.append(
            {
                "region": r,
                "region_name": region_name(inst, r),
                "industry": i,
                "industry_name": industry_name(inst, i),
                "tier": p["tier"],
                "gain": rounded(-p["delta"]),
                "held_back_by": [m.info[b].family for b in p["blocked_by"]],
                "text": tr(
                    "{industry} is held back in {region}: {cluster} there would lower the objective by {value}, but {caps}",
                    industry=industry_name(inst, i),
                    region=region_name(inst, r),
                    cluster=a_cluster(p["tier"]),
                    value=number(-p["delta"]),
                    caps=_both(caps),
                ),
            }
        )
    order = {i: k for k, i in enumerate(inst.industries)}
    out.sort(key=lambda e: (order[e["industry"]], -e["gain"], e["region"]))
    return out


def _near_misses(m: LayoutModel, probes: dict, held: dict, per_industry: int) -> list[dict]:
    """Per industry, the eligible regions without it that came closest."""
    inst, out = m.inst, []
    for i, p in inst.industries.items():
        hosts = [r for r in inst.regions if (r, i) in held]
        # the weakest host the rules admitted: a characteristic fallback (a region eligible for nothing) is held to no
        # score, so measuring against it would put every candidate "above the weakest host"
        ruled = [r for r in hosts if inst.eligible[r, i]]
        weakest = min(ruled, key=lambda r: (inst.score[r, i], r)) if ruled else None
        cands = []
        for r in inst.regions:
            if (r, i) in held or not inst.may_host(r, i):
                continue
            pr = probes.get((r, i))
            cost = None if pr is None or pr["delta"] is None else pr["delta"]
            cands.append((r, cost, pr))
        # costs equal to 9 decimals tie (LPs solved another way differ in the last digits): by score, then code
        cands.sort(
            key=lambda c: (c[1] is None, round(c[1], 9) if c[1] is not None else 0.0, -inst.score[c[0], i], c[0])
        )
        entries = []
        for r, cost, pr in cands[:per_industry]:
            gap = None if weakest is None else inst.score[weakest, i] - inst.score[r, i]
            if cost is None and pr is None:
                how = tr("not probed")
            elif cost is None:
                how = tr("cannot host it with the other clusters kept (no feasible probe)")
            elif abs(cost) <= TOL:
                how = tr("a tie: forcing it there leaves the objective unchanged (an equally good layout includes it)")
            elif cost < 0:
                caps = _both([_count_words(m, b).cap(_facts(m, b)) for b in (pr or {}).get("blocked_by", [])])
                how = (
                    tr(
                        "would lower the objective by {value} but is held back by {caps}",
                        value=number(-cost),
                        caps=caps,
                    )
                    if caps
                    else tr(
                        "would lower the objective by {value} (the solve stopped short of the optimum)",
                        value=number(-cost),
                    )
                )
            else:
                how = tr(
                    "missed by {value} objective units (cost of forcing {cluster} there)",
                    value=number(cost),
                    cluster=a_cluster((pr or {}).get("tier", "")),
                )
            score = _score_words(inst, r, i, weakest, gap)
            entries.append(
                {
                    "region": r,
                    "region_name": region_name(inst, r),
                    "score": rounded(inst.score[r, i]),
                    "score_gap_to_weakest_host": rounded(gap),
                    "cost_if_forced": rounded(cost),
                    "tier_if_forced": None if pr is None else pr["tier"],
                    "text": tr("{region}: {how}; {score}", region=region_name(inst, r), how=how, score=score),
                }
            )
        out.append(
            {
                "industry": i,
                "industry_name": p.name,
                "hosts": len(hosts),
                "weakest_host": weakest,
                "weakest_host_name": region_name(inst, weakest) if weakest else None,
                "weakest_host_score": rounded(inst.score[weakest, i]) if weakest else None,
                "candidates": entries,
            }
        )
    return out


def _score_words(inst: Instance, r: str, i: str, weakest: str | None, gap: float | None) -> str:
    """A near miss's score, and how far it is from the weakest host's (the hosts the rules admitted)."""
    score = number(inst.score[r, i])
    if gap is None or weakest is None:
        return tr("score {score}", score=score)
    fields = dict(
        score=score, gap=number(abs(gap)), host=region_name(inst, weakest), host_score=number(inst.score[weakest, i])
    )
    if gap >= 0:
        return tr("score {score}, {gap} below the weakest host {host} ({host_score})", **fields)
    return tr("score {score}, {gap} above the weakest host {host} ({host_score})", **fields)


def explain(
    model: LayoutModel, result, *, per_industry: int = 5, per_region: int = 3, time_limit: float | None = None
) -> dict:
    """Explain a solved layout (values already in the model's variables). JSON-ready and deterministic.

    `result` is the solver's SolveResult (its solver, status and objective are recorded).
    `per_industry` / `per_region` bound how many (region, industry) pairs are probed (module docstring);
    `time_limit` (seconds, from now) bounds the fixed LP and the probes.
    """
    deadline = None if time_limit is None else time.monotonic() + time_limit
    m, inst = model, model.inst
    mat = to_matrix(m)
    # as the solver wrote it
    solution = np.fromiter((v.varValue or 0.0 for v in m.columns), dtype=float, count=len(m.columns))
    act = _activity(mat, solution)
    held = designations(m)
    lp = FixedLP(m, mat, solution, deadline)
    lp_ok = lp.solve()
    data: dict = {
        "scenario": inst.name,
        "solver": {
            "name": getattr(result, "solver", None),
            "status": getattr(result, "status", None),
            "objective": rounded(getattr(result, "objective", None)),
        },
        "sign_convention": translate(SIGN_CONVENTION),
        "method": {k: translate(v) for k, v in METHOD.items()},
        "binding": _binding(m, act, held),
        "fixed_lp": {"status": lp.status, "objective": rounded(lp.objective)},
    }
    if lp_ok:
        prices, targets = _shadow_prices(m, lp, held)
        probes, wanted = _probes(m, lp, act, held, per_industry, per_region)
        if len(probes) < wanted:
            data["limits"] = tr(
                "the time limit ({limit} s) stopped the probes: {done} of {wanted} (region, industry) pairs probed; the "
                "others read 'not probed'",
                limit=number(time_limit or 0),
                done=len(probes),
                wanted=wanted,
            )
        data["shadow_prices"] = prices
        data["target_prices"] = targets
        data["count_limits"] = _count_limits(m, probes)
        data["held_back"] = _held_back(m, probes)
        data["near_misses"] = _near_misses(m, probes, held, per_industry)
    else:
        data.update(shadow_prices=[], target_prices=[], count_limits=[], held_back=[], near_misses=[])
        data["fixed_lp"]["note"] = (
            tr(
                "the LP with the clusters fixed did not solve to optimality; no prices (it had what was left of the time "
                "limit, {limit} s)",
                limit=number(time_limit),
            )
            if time_limit is not None and lp.status == "Time limit reached"
            else tr("the LP with the clusters fixed did not solve to optimality; no prices")
        )
    findings = []
    for i, p in inst.industries.items():
        e = m.e[i].varValue or 0.0
        if e > TOL:
            findings.append(
                tr(
                    "{industry} falls short of its target {target} by {short}",
                    industry=p.name,
                    target=number(p.target),
                    short=number(e),
                )
            )
    for r in inst.regions:
        if (m.v[r].varValue or 0.0) > TOL:
            n = sum(1 for (rr, _i) in held if rr == r)
            findings.append(
                tr(
                    "{region} takes part in {n} clusters, fewer than its minimum {least}",
                    region=region_name(inst, r),
                    n=n,
                    least=inst.min_clusters[r],
                )
            )
    for r in inst.unplaceable():
        findings.append(
            tr(
                "{region} is eligible for no industry under the scenario's rules ({why}); it {fallback}",
                region=region_name(inst, r),
                why=inst.why_unplaceable(r),
                fallback=inst.fallback_words(r),
            )
        )
    data["findings"] = findings
    return data


# -------------------------------------------------------------------------------------- format


def format_explanation(data: dict, max_prices: int = 20) -> str:
    """Plain-text lines of an explanation (what `layout explain DIR` prints); at most `max_prices` shadow prices."""
    lines = []
    s = data.get("solver", {})
    lines.append(
        tr(
            "Explanation of {scenario} — {solver}: {status}, objective {objective}",
            scenario=data.get("scenario", ""),
            solver=s.get("name"),
            status=_status(s.get("status")),
            objective=s.get("objective"),
        )
    )
    lp = data.get("fixed_lp", {})
    lines.append(
        tr(
            "LP with clusters fixed: {status}, objective {objective}",
            status=_status(lp.get("status")),
            objective=lp.get("objective"),
        )
    )
    if data.get("limits"):
        lines.append(tr("Limited: {limits}", limits=data["limits"]))
    none = "  " + tr("(none)")
    lines.append("")
    lines.append(tr("Binding constraints:"))
    lines += [f"  - {b['text']}" for b in data.get("binding", [])] or [none]
    lines.append("")
    lines.append(tr("Shadow prices (sign convention below; largest first):"))
    prices = data.get("shadow_prices", [])
    lines += [f"  - {p['text']}  [{p['row']}: {p['price']}]" for p in prices[:max_prices]] or [
        "  " + tr("(none nonzero)")
    ]
    if len(prices) > max_prices:
        lines.append("  " + tr("… {n} smaller prices in explanation.json", n=len(prices) - max_prices))
    tp = [t for t in data.get("target_prices", [])]
    if tp:
        lines.append("  " + tr("Targets:"))
        lines += [f"  - {t['text']}  [{t['price']}]" for t in tp]
    lines.append("")
    lines.append(tr("Count limits (value of one more allowed cluster, other clusters kept):"))
    lines += [f"  - {c['text']}  [{c['row']}: {c['price']}]" for c in data.get("count_limits", [])] or [
        "  " + tr("(none binding)")
    ]
    lines.append("")
    lines.append(tr("Held back by focus, spread or concentrate caps:"))
    lines += [f"  - {h['text']}" for h in data.get("held_back", [])] or [none]
    lines.append("")
    lines.append(tr("Near misses (eligible regions without the industry that came closest):"))
    for nm in data.get("near_misses", []):
        weakest = (
            tr(
                "weakest host {host} (score {score})",
                host=nm["weakest_host_name"],
                score=number(nm["weakest_host_score"]),
            )
            if nm.get("weakest_host")
            else tr("no host")
        )
        lines.append(
            "  "
            + tr(
                "{industry} ({hosts} hosts; {weakest}):",
                industry=nm["industry_name"],
                hosts=nm["hosts"],
                weakest=weakest,
            )
        )
        lines += [f"    - {c['text']}" for c in nm["candidates"]] or ["    " + tr("(no eligible region without it)")]
    if data.get("findings"):
        lines.append("")
        lines.append(tr("Findings:"))
        lines += [f"  - {f}" for f in data["findings"]]
    lines.append("")
    lines.append(tr("Sign convention: {text}", text=data.get("sign_convention", translate(SIGN_CONVENTION))))
    for k, v in sorted(data.get("method", {}).items()):
        lines.append(_method_line(k, v))
    return "\n".join(lines) + "\n"


def _method_line(part: str, text: str) -> str:
    """'Method (binding): …', the part named in the reader's language (its key in English)."""
    if part == "binding":
        return tr("Method (binding): {text}", text=text)
    if part == "shadow_prices":
        return tr("Method (shadow_prices): {text}", text=text)
    if part == "count_limits":
        return tr("Method (count_limits): {text}", text=text)
    if part == "near_misses":
        return tr("Method (near_misses): {text}", text=text)
    return tr("Method ({part}): {text}", part=part, text=text)
