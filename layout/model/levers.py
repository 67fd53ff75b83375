"""The study's policy levers as industry rules for one plan period (CAE 2020, docs/levers.md).

* lifecycle — mature industries leave the SEI layout (their existing capacity kept, outside it);
  candidates enter from their stated period;
* key shortcomings — urgent and solvable ones are concentrated in a few top S&T regions at a high
  minimum scale and reached in the first period; long-term ones follow milestones across periods;
* targets by period.

`effective_industries` returns the industries a period lays out, as schema objects with the levers
applied, so the instance and the model need no special cases, and a `LeverNote` record per lever applied.
A note's `text`, written from `TEMPLATES`, is the sentence metrics.json lists under `policy_levers`;
metrics.json keeps the records themselves under `policy_lever_notes` (`LeverNote.facts`), and the views
group them by their fields (`FAMILIES`), never by reading a sentence back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from layout.language import marked, named, tr, translate
from layout.spec.schema import Concentrate, Count, Industry, Scenario
from layout.words import listing

RETIRED, CANDIDATE, URGENT, LONG_TERM, NOT_DUE = "retired", "candidate", "urgent", "long-term", "not due"
LIFECYCLE, SHORTCOMINGS = "lifecycle", "shortcomings"  # the families of levers
# the family of each lever (the report groups by it; a lever another version writes has none)
FAMILIES = {
    RETIRED: LIFECYCLE,
    CANDIDATE: LIFECYCLE,
    URGENT: SHORTCOMINGS,
    LONG_TERM: SHORTCOMINGS,
    NOT_DUE: SHORTCOMINGS,
}
TEMPLATES = {  # the sentence of each lever (in the run's language: `translate`); a retired one goes on with what is kept
    RETIRED: marked("{code} ({name}) is mature: it leaves the SEI layout, no new designations"),
    CANDIDATE: marked("{code} ({name}) is a candidate entering in {enters}: not laid out in {year}"),
    URGENT: marked(
        "{code} ({name}) is an urgent, solvable shortcoming: at most {max_regions} regions among the top {top} by {top_by}"
    ),
    LONG_TERM: marked("{code} ({name}) is a long-term shortcoming: {share} of its target due by {year}"),
    NOT_DUE: marked("{code} ({name}) is a long-term shortcoming with no milestone due by {year}"),
}


@dataclass(frozen=True)
class LeverNote:
    """A policy lever applied to one industry in one plan period."""

    code: str  # the industry
    name: str
    lever: str  # RETIRED, CANDIDATE (not laid out yet), URGENT, LONG_TERM or NOT_DUE (long-term, nothing due yet)
    text: str  # the sentence (metrics.json policy_levers)
    enters: int | None = None  # CANDIDATE: the plan year it enters

    @property
    def family(self) -> str:
        """LIFECYCLE (retired, candidate) or SHORTCOMINGS."""
        return FAMILIES[self.lever]

    def facts(self) -> dict[str, str | int | None]:
        """The record as metrics.json keeps it under `policy_lever_notes` (`layout.results.folder.LeverNoteFacts`)."""
        return asdict(self)


def _note(lever: str, code: str, name: str, detail: str = "", enters: int | None = None, **words: object) -> LeverNote:
    """The note of `lever`: its template filled in with the industry and `words`, then `detail` (both in the run's
    language)."""
    return LeverNote(
        code, name, lever, translate(TEMPLATES[lever], code=code, name=name, enters=enters, **words) + detail, enters
    )


def period_of(sc: Scenario, period: int | None) -> int | None:
    """The plan year a run stands for: the period solved, else the scenario's `year`."""
    return period if period is not None else sc.year


def _milestone(milestones: dict[int, float], year: int | None) -> float:
    """Share of the target due by `year`: the latest milestone at or before it (0 before the first)."""
    if not milestones or year is None:
        return 1.0
    due = [y for y in milestones if y <= year]
    return milestones[max(due)] if due else 0.0


def _retired(code: str, ind: Industry) -> LeverNote:
    """The lifecycle note of a mature industry: out of the layout, its existing capacity kept (capacity units).

    Kept capacity of region r: (1 - delta_i) base_ri, the keep-base floor of an industry still laid out; it
    enters no row of the model (no target, cluster, budget or duplication) and is only reported.
    """
    if not ind.base_capacity:
        return _note(
            RETIRED,
            code,
            named(ind.name, ind.name_zh),
            tr("; the scenario gives no existing capacity for it (base_capacity), so none is reported as kept"),
        )
    kept = {r: ind.base_retention * v for r, v in ind.base_capacity.items()}
    return _note(
        RETIRED,
        code,
        named(ind.name, ind.name_zh),
        tr(
            "; existing capacity kept outside the layout, (1 - delta) x base_capacity: {kept} ({total} in all)",
            kept=listing([f"{r} {v:g}" for r, v in kept.items()], None),
            total=f"{sum(kept.values()):g}",
        ),
    )


def effective_industries(sc: Scenario, period: int | None = None) -> tuple[dict[str, Industry], dict[str, LeverNote]]:
    """Industries laid out in `period` with lifecycle, period targets and shortcomings applied, and the note of each
    lever applied, by industry code."""
    year = period_of(sc, period)
    out: dict[str, Industry] = {}
    notes: dict[str, LeverNote] = {}
    for code, ind in sc.industries.items():
        if ind.status == "mature":
            notes[code] = _retired(code, ind)
            continue
        if ind.status == "candidate" and ind.enters is not None and year is not None and ind.enters > year:
            notes[code] = _note(CANDIDATE, code, named(ind.name, ind.name_zh), enters=ind.enters, year=year)
            continue
        target = ind.targets.get(year, ind.target) if year is not None else ind.target
        out[code] = ind.model_copy(update={"target": target})
    for sh in sc.shortcomings:
        parent = out.get(sh.industry)
        if parent is None:
            continue
        code = sh.code or sh.industry
        base = (
            parent
            if sh.code is None
            else parent.model_copy(
                update={
                    "name": sh.name or sh.code,
                    "name_zh": "",
                    "target": sh.target,
                    "nbs_category": None,
                    "targets": {},
                    "base_capacity": {},
                }
            )
        )
        # D_i, which period targets do not phase: the sub-category's own (the schema requires it with `code`)
        full = sc.industries[sh.industry].target if sh.code is None or sh.target is None else sh.target
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
            notes[code] = _note(
                URGENT,
                code,
                sh.name or named(base.name, base.name_zh),
                max_regions=sh.max_regions,
                top=sh.top,
                top_by=sh.top_by,
            )
        else:
            share = _milestone(sh.milestones, year)
            if share <= 0:
                notes[code] = _note(NOT_DUE, code, sh.name or named(base.name, base.name_zh), year=year)
                out.pop(code, None)
                continue
            update["target"] = share * full
            notes[code] = _note(
                LONG_TERM, code, sh.name or named(base.name, base.name_zh), share=f"{share:.0%}", year=year
            )
        out[code] = base.model_copy(update=update)
    return out, notes
