"""A layout the solver starts from: the designations of a known layout as values of the model's cluster decisions.

A good layout handed to the solver first lets it stop as soon as its bound is close enough, instead of searching for a
layout of that quality itself (at prefecture level that search is most of the time: docs/solvers.md). The start
comes from a results folder of a nearby scenario (`layout solve --start DIR`, read by `layout.results.start`) or
from the previous run of the workbench. It is only a hint: the solver checks it against the model, completes the
capacities with the clusters fixed, and drops it where it breaks a rule of the new scenario.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from layout.language import marked
from layout.model.core import LayoutModel


@dataclass(frozen=True)
class Start:
    """A known layout's designations: (region, industry) -> (tier, group code or '') as in assignment.csv; `source`
    names where it comes from (a folder, for words). `columns`: where the layout was found on the very model it
    starts (a start of HiGHS's own), every column's value, capacities included, so the solver need not complete it."""

    source: str
    designations: Mapping[tuple[str, str], tuple[str, str]]
    columns: np.ndarray | None = field(default=None, compare=False)  # an array has no truth value to compare by


def start_values(m: LayoutModel, start: Start) -> tuple[np.ndarray, np.ndarray]:
    """The start as (column index, value) arrays over every cluster decision of `m`: y, h and z are 1 where the start
    holds that designation and 0 elsewhere; capacities and slacks are left to the solver. Designations the model
    cannot express (a region, industry or group it lacks, or a tier it has no decision for) are left out. A start
    with `columns` for `m` gives every column's value instead."""
    if start.columns is not None and len(start.columns) == len(m.columns):
        return np.arange(len(m.columns), dtype=np.int32), start.columns
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


# The levels at which units share their parent's budget and a start of the solver's own pays (docs/solvers.md): at
# county level each prefecture's budget holds its counties together (they have none of their own).
SHARED_BUDGET_LEVELS = ("prefecture",)
BEST_UNIT_START = marked("a start of its own (each prefecture's clusters of an industry in its best county)")


def best_unit_closures(m: LayoutModel, levels: tuple[str, ...] | None = None) -> np.ndarray:
    """Column indices of the cluster decisions a best-unit start closes (sets to 0), ascending; `levels`: the parents'
    (default SHARED_BUDGET_LEVELS).

    Where units share a parent's budget (an aggregate of one of `levels`), which of them hosts a cluster matters
    little to the objective (their scores are close or tie: NGIT and HEEM use only province indicators) and much to
    the search, which wanders among them. Per parent, industry and tier (y, h), every unit but the best-scoring one
    that may host it (ties broken by code) is closed; inter-provincial decisions stay open. A unit a rule ties to an industry stays
    open too: existing capacity to keep, a strength, a previous period's cluster, a reference designation. Empty
    where the instance has no such parent (province and prefecture levels)."""
    inst, levels = m.inst, SHARED_BUDGET_LEVELS if levels is None else levels
    tied = (
        {k for k, v in inst.base.items() if v > 0}
        | set(inst.strengths)
        | {k for k, v in (inst.previous or {}).items() if v > 0}
    )
    if inst.reference is not None:
        tied |= set(inst.reference.designated)
    column = {id(v): j for j, v in enumerate(m.columns)}
    closed: list[int] = []
    for parent in inst.aggregates:
        if parent.level not in levels:
            continue
        for i in inst.industries:
            for decisions in (m.y, m.h):
                units = sorted(
                    (r for r in parent.members if (r, i) in decisions and decisions[r, i].upBound != 0),
                    key=lambda r: (-inst.score[r, i], r),
                )
                closed += (column[id(decisions[r, i])] for r in units[1:] if (r, i) not in tied)
    return np.array(sorted(closed), dtype=np.int32)


def start_of(m: LayoutModel, values: np.ndarray, source: str) -> Start:
    """A solution of `m` (`values`: one per column, in column order) as a Start: its designations and, for `m`
    itself, every column's value."""
    on = {id(v) for v, x in zip(m.columns, values.tolist()) if v.cat == "Integer" and x > 0.5}
    held: dict[tuple[str, str], tuple[str, str]] = {}
    for (g, i), v in m.z.items():
        if id(v) in on:
            held.update(((r, i), ("inter-provincial", g)) for r in m.inst.groups[g].members)
    held.update(((r, i), ("characteristic", "")) for (r, i), v in m.h.items() if id(v) in on)
    held.update(((r, i), ("provincial", "")) for (r, i), v in m.y.items() if id(v) in on)
    return Start(source, held, values)
