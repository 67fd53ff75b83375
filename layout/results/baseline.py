"""The uncoordinated baseline: every region plans alone, as provinces do today.

Each region picks its top-K_r industries by its own comparative-advantage score (ties by the order of
industries in the file; industries scoring 0 are not picked) and plans capacity for the largest share
of national demand it may host, as if no other region competed: min(U_ri, B_r / K_r).
National eligibility rules are ignored (local plans do not follow them) — that is the point.
"""

from __future__ import annotations

import pandas as pd

from layout.model.instance import Instance
from layout.results.folder import COLUMNS


def baseline_layout(inst: Instance) -> pd.DataFrame:
    """The baseline as a layout table (tier `provincial`, no groups)."""
    rows = []
    for r in inst.regions:
        k = inst.max_clusters[r]
        for i in inst.ranked(r)[:k]:
            p = inst.industries[i]
            budget = inst.budget[r]
            cap = p.max_host if budget is None else min(p.max_host, budget / k)
            rows.append([r, inst.region_names[r], i, p.name, round(cap, 6), "provincial", p.kind, "", ""])
    return pd.DataFrame(rows, columns=COLUMNS)
