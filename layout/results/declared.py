"""The as-declared layout: the SEI priorities provinces declared in their own plans (geodata/).

geodata/province_sei_priorities.csv lists, with a source per row, the priorities 15 provinces declared.
A row counts for an industry only where the data file maps it to an NBS 2018 area (`sei_category_code`)
and the scenario lays out the industry of that area (`industries.<code>.nbs_category`). A row mapped to
an industry the scenario names but does not lay out in this period (mature, e.g. new-energy vehicles in
the default, or a candidate not yet entered) is listed as declared but not laid out, with the policy
lever's reason; a row the data file does not map is listed as unmapped, never guessed. Provinces with no
sourced plan are marked so, never filled in.
Declared plans state no capacity: each declared industry counts 1 in the similarity vectors.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from layout.language import tr
from layout.model.instance import Instance
from layout.paths import geodata_file
from layout.results.folder import COLUMNS
from layout.results.metrics import layout_metrics

PRIORITIES_CSV = "province_sei_priorities.csv"  # geodata: the provinces' declared SEI priorities (not a results folder's declared.csv)
DECLARED_TIER = "declared"


@dataclass
class Declared:
    """The declared layout and its coverage."""

    layout: pd.DataFrame  # COLUMNS; capacity 1 per declared industry, tier "declared"
    covered: list[str]  # region codes with a sourced plan
    not_covered: list[str]  # modelled regions with no sourced plan
    # region -> priorities the data file maps to no scenario industry
    unmapped: dict[str, list[str]] = field(default_factory=dict)
    # region -> industry not laid out -> priorities
    not_laid_out: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # industry not laid out -> the policy lever that retires or defers it
    reasons: dict[str, str] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)  # region -> source ids

    @property
    def coverage_text(self) -> str:
        """Coverage in plain words."""
        n, total = len(self.covered), len(self.covered) + len(self.not_covered)
        return tr(
            "declared plans cover {n} of {total} provinces (sourced rows only); the other {rest} have no sourced plan",
            n=n,
            total=total,
            rest=total - n,
        )


def declared_layout(inst: Instance, nbs_category: dict[str, str], path: Path | None = None) -> Declared:
    """The as-declared layout of a province-level instance. `nbs_category`: industry code -> NBS area code
    (industries the instance does not lay out, e.g. mature ones, are listed as declared but not laid out)."""
    by_area = {a: i for i, a in nbs_category.items()}
    rows: dict[tuple[str, str], list] = {}
    unmapped: dict[str, list[str]] = {}
    not_laid_out: dict[str, dict[str, list[str]]] = {}
    sources: dict[str, set[str]] = {}
    with open(path or geodata_file(PRIORITIES_CSV), encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            r = rec["province_adcode"]
            if r not in inst.region_names:
                continue
            sources.setdefault(r, set()).update(s for s in rec["source_ids"].split(";") if s)
            i = by_area.get(rec["sei_category_code"])
            if i is None:
                unmapped.setdefault(r, []).append(rec["priority_zh"])
                continue
            if i not in inst.industries:
                not_laid_out.setdefault(r, {}).setdefault(i, []).append(rec["priority_zh"])
                continue
            p = inst.industries[i]
            rows[r, i] = [r, inst.region_names[r], i, p.name, 1.0, DECLARED_TIER, p.kind, "", ""]
    covered = sorted(sources)
    table = pd.DataFrame([rows[k] for k in sorted(rows)], columns=COLUMNS)
    reasons = {
        i: inst.notes.get(i, tr("{code} is not laid out in this scenario", code=i))
        for i in sorted({i for v in not_laid_out.values() for i in v})
    }
    return Declared(
        table,
        covered,
        [r for r in inst.regions if r not in sources],
        unmapped,
        not_laid_out,
        reasons,
        {r: sorted(s) for r, s in sources.items()},
    )


def declared_metrics(declared: Declared, inst: Instance) -> dict:
    """Metrics that mean something without capacities: regions per industry, duplications, similarity."""
    m = layout_metrics(declared.layout, inst)
    return {
        "coverage": declared.coverage_text,
        "covered": declared.covered,
        "not_covered": declared.not_covered,
        "regions_per_industry": {i: v["regions"] for i, v in m["industries"].items()},
        "duplications": m["duplications"],
        "mean_similarity": m["mean_similarity"],
        "mean_similarity_adjacent": m["mean_similarity_adjacent"],
        "unmapped": {r: v for r, v in sorted(declared.unmapped.items())},
        "not_laid_out": {r: v for r, v in sorted(declared.not_laid_out.items())},
        "not_laid_out_reasons": declared.reasons,
    }
