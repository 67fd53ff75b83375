"""The as-declared layout: the SEI priorities provinces declared in their own plans (geodata/).

geodata/province_sei_priorities.csv lists, with a source per row, the priorities 15 provinces declared.
A row counts for an industry only where the data file maps it to an NBS 2018 area (`sei_category_code`)
and the scenario names that area (`industries.<code>.nbs_category`); every other row is listed as
unmapped, never guessed. Provinces with no sourced plan are marked so, never filled in.
Declared plans state no capacity: each declared industry counts 1 in the similarity vectors.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from layout.instance import Instance
from layout.metrics import COLUMNS, layout_metrics
from layout.paths import geodata_file

DECLARED_FILE = "province_sei_priorities.csv"
DECLARED_TIER = "declared"


@dataclass
class Declared:
    """The declared layout and its coverage."""

    layout: pd.DataFrame  # COLUMNS; capacity 1 per declared industry, tier "declared"
    covered: list[str]  # region codes with a sourced plan
    not_covered: list[str]  # modelled regions with no sourced plan
    unmapped: dict[str, list[str]] = field(default_factory=dict)  # region -> priorities not mapped to a scenario industry
    sources: dict[str, list[str]] = field(default_factory=dict)  # region -> source ids

    @property
    def coverage_text(self) -> str:
        """Coverage in plain words."""
        n, total = len(self.covered), len(self.covered) + len(self.not_covered)
        return f"declared plans cover {n} of {total} provinces (sourced rows only); the other {total - n} have no sourced plan"


def declared_layout(inst: Instance, nbs_category: dict[str, str], path: Path | None = None) -> Declared:
    """The as-declared layout of a province-level instance. `nbs_category`: industry code -> NBS area code
    (industries the instance does not lay out, e.g. mature ones, count as unmapped)."""
    by_area = {a: i for i, a in nbs_category.items() if i in inst.industries}
    rows: dict[tuple[str, str], list] = {}
    unmapped: dict[str, list[str]] = {}
    sources: dict[str, set[str]] = {}
    with open(path or geodata_file(DECLARED_FILE), encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            r = rec["province_adcode"]
            if r not in inst.region_names:
                continue
            sources.setdefault(r, set()).update(s for s in rec["source_ids"].split(";") if s)
            i = by_area.get(rec["sei_category_code"])
            if i is None:
                unmapped.setdefault(r, []).append(rec["priority_zh"])
                continue
            p = inst.industries[i]
            rows[r, i] = [r, inst.region_names[r], i, p.name, 1.0, DECLARED_TIER, p.kind, "", ""]
    covered = sorted(sources)
    table = pd.DataFrame([rows[k] for k in sorted(rows)], columns=COLUMNS)
    return Declared(table, covered, [r for r in inst.regions if r not in sources], unmapped,
                    {r: sorted(s) for r, s in sources.items()})


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
    }
