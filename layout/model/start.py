"""A layout the solver starts from: the designations of a known layout as values of the model's cluster decisions.

A good layout handed to the solver first lets it stop as soon as its bound is close enough, instead of searching for a
layout of that quality itself (at prefecture level that search is most of the time: docs/solvers.md). The start
comes from a results folder of a nearby scenario (`layout solve --start DIR`, read by `layout.results.start`) or
from the previous run of the workbench. It is only a hint: the solver checks it against the model, completes the
capacities with the clusters fixed, and drops it where it breaks a rule of the new scenario.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from layout.model.core import LayoutModel


@dataclass(frozen=True)
class Start:
    """A known layout's designations: (region, industry) -> (tier, group code or '') as in assignment.csv; `source`
    names where it comes from (a folder, for words)."""

    source: str
    designations: Mapping[tuple[str, str], tuple[str, str]]


def start_values(m: LayoutModel, start: Start) -> tuple[np.ndarray, np.ndarray]:
    """The start as (column index, value) arrays over every cluster decision of `m`: y, h and z are 1 where the start
    holds that designation and 0 elsewhere; capacities and slacks are left to the solver. Designations the model
    cannot express (a region, industry or group it lacks, or a tier it has no decision for) are left out."""
    ones = set()
    for (r, i), (tier, g) in start.designations.items():
        if tier == "provincial":
            v = m.y.get((r, i))
        elif tier == "characteristic":
            v = m.h.get((r, i))
        elif tier == "inter-provincial":
            v = m.z.get((g, i))
        else:
            v = None
        if v is not None:
            ones.add(id(v))
    decisions = [(j, v) for j, v in enumerate(m.columns) if v.cat == "Integer"]
    index = np.fromiter((j for j, _ in decisions), dtype=np.int32, count=len(decisions))
    values = np.fromiter((1.0 if id(v) in ones else 0.0 for _, v in decisions), dtype=float, count=len(decisions))
    return index, values
