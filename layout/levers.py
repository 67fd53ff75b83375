"""The study's policy levers as industry rules for one plan period (CAE 2020, docs/levers.md).

* lifecycle — mature industries leave the SEI layout (their existing capacity kept, outside it);
  candidates enter from their stated period;
* key shortcomings — urgent and solvable ones are concentrated in a few top S&T regions at a high
  minimum scale and reached in the first period; long-term ones follow milestones across periods;
* targets by period.

`effective_industries` returns the industries a period lays out, as schema objects with the levers
applied, so the instance and the model need no special cases.
"""

from __future__ import annotations

from layout.spec import Concentrate, Count, Industry, Scenario


def period_of(sc: Scenario, period: int | None) -> int | None:
    """The plan year a run stands for: the period solved, else the scenario's `year`."""
    return period if period is not None else sc.year


def _milestone(milestones: dict[int, float], year: int | None) -> float:
    """Share of the target due by `year`: the latest milestone at or before it (0 before the first)."""
    if not milestones or year is None:
        return 1.0
    due = [y for y in milestones if y <= year]
    return milestones[max(due)] if due else 0.0


def _retired(code: str, ind: Industry) -> str:
    """The lifecycle note of a mature industry: out of the layout, its existing capacity kept (capacity units).

    Kept capacity of region r: (1 - delta_i) base_ri, the keep-base floor of an industry still laid out; it
    enters no row of the model (no target, cluster, budget or duplication) and is only reported.
    """
    note = f"{code} ({ind.name}) is mature: it leaves the SEI layout, no new designations"
    if not ind.base_capacity:
        return note + "; the scenario gives no existing capacity for it (base_capacity), so none is reported as kept"
    kept = {r: ind.base_retention * v for r, v in ind.base_capacity.items()}
    return (note + "; existing capacity kept outside the layout, (1 - delta) x base_capacity: "
            + ", ".join(f"{r} {v:g}" for r, v in kept.items()) + f" ({sum(kept.values()):g} in all)")


def effective_industries(sc: Scenario, period: int | None = None) -> tuple[dict[str, Industry], dict[str, str]]:
    """Industries laid out in `period` with lifecycle, period targets and shortcomings applied, and each lever
    applied as a sentence, by industry code."""
    year = period_of(sc, period)
    out: dict[str, Industry] = {}
    notes: dict[str, str] = {}
    for code, ind in sc.industries.items():
        if ind.status == "mature":
            notes[code] = _retired(code, ind)
            continue
        if ind.status == "candidate" and ind.enters is not None and year is not None and ind.enters > year:
            notes[code] = f"{code} ({ind.name}) is a candidate entering in {ind.enters}: not laid out in {year}"
            continue
        target = ind.targets.get(year, ind.target) if year is not None else ind.target
        out[code] = ind.model_copy(update={"target": target})
    for sh in sc.shortcomings:
        parent = out.get(sh.industry)
        if parent is None:
            continue
        code = sh.code or sh.industry
        base = parent if sh.code is None else parent.model_copy(update={
            "name": sh.name or sh.code, "name_zh": "", "target": sh.target, "nbs_category": None,
            "targets": {}, "base_capacity": {}})
        full = sh.target if sh.code is not None else sc.industries[sh.industry].target  # D_i: period targets do not phase it
        update: dict = {}
        if sh.urgency == "urgent" and sh.solvable:
            cap = (base.provincial_clusters or sc.rules.provincial_clusters).max
            update["concentrate"] = Concentrate(max_regions=sh.max_regions, top_by=sh.top_by, top=sh.top)
            update["provincial_clusters"] = Count(min=0, max=cap)  # concentrated: no spread minimum
            update["target"] = full  # reached in the first period
            if sh.min_scale is not None:
                update["provincial_min"] = sh.min_scale
            if sh.max_share is not None:
                update["max_share"] = sh.max_share
            notes[code] = (f"{code} ({sh.name or base.name}) is an urgent, solvable shortcoming: at most {sh.max_regions} "
                           f"regions among the top {sh.top} by {sh.top_by}")
        else:
            share = _milestone(sh.milestones, year)
            if share <= 0:
                notes[code] = f"{code} ({sh.name or base.name}) is a long-term shortcoming with no milestone due by {year}"
                out.pop(code, None)
                continue
            update["target"] = share * full
            notes[code] = f"{code} ({sh.name or base.name}) is a long-term shortcoming: {share:.0%} of its target due by {year}"
        out[code] = base.model_copy(update=update)
    return out, notes
