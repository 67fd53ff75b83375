"""The reference layout of least-change re-planning, read for the model, and a layout's changes against it.

`read_reference` turns a constraint file's `reference:` into `layout.model.reference.Reference` (plain numbers the
model layer uses): `declared` through `layout.results.declared` (the provinces' sourced plans, counted in the
provinces that declared), a results folder through `layout.results.folder.read_folder` (its assignment.csv,
counted in every modelled region). The pipeline sets it on each instance it builds (`layout.pipeline.prepare`,
`_solve_loaded`), because the model layer may not read a results folder. Every problem is InputError (exit 2)
located at the file's `reference` keys: a folder that is not a results folder, a region or industry the scenario
does not have (naming assignment.csv's line), or `declared` where the scenario has no declared plans.
`changes_metrics` is metrics.json's `changes` record.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from layout.errors import InputError, Problem
from layout.language import tr, trn
from layout.model.core import objective_constant
from layout.model.instance import Instance
from layout.model.reference import DECLARED, Changes, Reference, changes
from layout.results.declared import declared_layout
from layout.results.folder import ASSIGNMENT_CSV, read_folder
from layout.results.metrics import HELD
from layout.results.tables import read_csv_lines
from layout.spec.load import LoadedSpec
from layout.words import region_name

KEY = ("reference", "layout")


def declared_industries(spec: LoadedSpec) -> dict[str, str]:
    """Industry code -> NBS 2018 area, where the scenario gives one (`industries.<code>.nbs_category`)."""
    return {i: s.nbs_category for i, s in spec.scenario.industries.items() if s.nbs_category}


def read_reference(spec: LoadedSpec, inst: Instance) -> Reference | None:
    """The scenario's reference layout for `inst` (None without `reference:`). InputError naming file, line and key."""
    ref = spec.scenario.reference
    if ref is None:
        return None
    weighed = Reference(ref.layout, (), frozenset(), ref.added, ref.removed, ref.moved, ref.max_changes)
    if ref.layout == DECLARED:
        problems = []
        regions = spec.scenario.regions
        if regions.source != "embedded" or regions.resolution != "province" or inst.parent:
            problems.append(
                spec.problem(
                    KEY,
                    "`declared` only with the embedded provinces (plans are declared per province)",
                    f"regions: {regions.source}, resolution {regions.resolution}",
                )
            )
        nbs = declared_industries(spec)
        if not nbs:
            problems.append(
                spec.problem(
                    KEY,
                    "`declared` only where industries name their NBS 2018 area (industries.<code>.nbs_category)",
                    "no industry with nbs_category",
                )
            )
        if ref.moved > 0:
            problems.append(
                spec.problem(
                    ("reference", "moved"), "0 with `declared` (declared plans state no capacity)", f"{ref.moved:g}"
                )
            )
        if problems:
            raise InputError(problems)
        declared = declared_layout(inst, nbs)
        pairs = frozenset(zip(declared.layout["region_code"], declared.layout["industry"]))
        return replace(
            weighed, source=DECLARED, regions=tuple(r for r in inst.regions if r in declared.covered), designated=pairs
        )
    path = spec.path_of(*KEY)
    assert path is not None  # `layout` is required
    try:
        folder = read_folder(path, ASSIGNMENT_CSV)
        table, lines = read_csv_lines(folder.file(ASSIGNMENT_CSV), ("region_code", "industry"), ("capacity",))
    except InputError as e:
        raise InputError(
            spec.problem(
                KEY,
                f"`declared` or a results folder written by `layout solve` (metrics.json, {ASSIGNMENT_CSV})",
                e.found,
            )
        ) from None
    designated, capacity = _designations(spec, inst, path, table, lines)
    return replace(weighed, regions=tuple(inst.regions), designated=designated, capacity=capacity)


def _designations(
    spec: LoadedSpec, inst: Instance, path: Path, table: pd.DataFrame, lines: list[int]
) -> tuple[frozenset[tuple[str, str]], dict[tuple[str, str], float]]:
    """R and x_ref from a results folder's assignment.csv, every code checked against the scenario; industries the
    scenario names but does not lay out in this period are left out (they cannot be designated)."""
    problems: list[Problem] = []
    where = path / ASSIGNMENT_CSV
    capacity: dict[tuple[str, str], float] = {}
    for (r, i, x), line in zip(table[["region_code", "industry", "capacity"]].itertuples(index=False), lines):
        if r not in inst.region_names:
            problems.append(
                spec.problem(KEY, "a results folder of the scenario's regions", f"region {r!r} at {where}:{line}")
            )
        elif i not in spec.scenario.industries:
            codes = ", ".join(spec.scenario.industries)
            problems.append(
                spec.problem(
                    KEY, f"a results folder of the scenario's industries ({codes})", f"industry {i!r} at {where}:{line}"
                )
            )
        elif not float(x) >= 0:
            problems.append(
                spec.problem(KEY, "a results folder whose capacities are >= 0", f"capacity {x!r} at {where}:{line}")
            )
        elif i in inst.industries and float(x) > HELD:  # a row holding nothing designates nothing (as `layout solve`)
            capacity[r, i] = capacity.get((r, i), 0.0) + float(x)
    if problems:
        raise InputError(problems)
    return frozenset(capacity), capacity


def layout_changes(inst: Instance, layout: pd.DataFrame) -> Changes | None:
    """A layout table's changes against the instance's reference (None without one)."""
    if inst.reference is None:
        return None
    held = set(zip(layout["region_code"], layout["industry"]))
    return changes(inst.reference, held, list(inst.industries))


def changes_metrics(inst: Instance, layout: pd.DataFrame) -> dict | None:
    """metrics.json's `changes`: the layout against the reference — counts, capacity moved, and per region the
    industries kept, added and removed (regions with none of them left out); None without a reference."""
    ref, ch = inst.reference, layout_changes(inst, layout)
    if ref is None or ch is None:
        return None
    held = {(r, i): float(x) for r, i, x in zip(layout["region_code"], layout["industry"], layout["capacity"])}
    moved = None
    if ref.capacity:
        keys = {k for k in (set(held) | set(ref.capacity)) if ref.counted(k[0])}
        moved = round(float(sum(abs(held.get(k, 0.0) - ref.capacity.get(k, 0.0)) for k in keys)), 6)
    n = {k: sum(map(len, getattr(ch, k).values())) for k in ("kept", "added", "removed")}
    regions = [r for r in ref.regions if r in ch.kept or r in ch.added or r in ch.removed]
    return {
        "reference": ref.source,
        "regions": len(ref.regions),
        "reference_designations": len(ref.designated),
        **n,
        "changes": ch.count,
        "max_changes": ref.max_changes,
        "capacity_moved": moved,
        "objective_constant": objective_constant(inst),  # the objective reported leaves it out
        "by_region": [
            {
                "code": r,
                "name": region_name(inst, r),
                "kept": ch.kept.get(r, []),
                "added": ch.added.get(r, []),
                "removed": ch.removed.get(r, []),
            }
            for r in regions
        ],
        "text": changes_text(ref, ch, n),
    }


def changes_text(ref: Reference, ch: Changes, n: dict[str, int]) -> str:
    """'against the declared plans (15 regions): 12 designations kept, 3 added, 30 removed (33 changes)'."""
    fields = {"source": ref.words, "regions": len(ref.regions), "kept": n["kept"], "added": n["added"]}
    fields |= {"removed": n["removed"], "changes": ch.count}
    kept = trn("{n} designation kept", "{n} designations kept", n["kept"])
    changes = trn("{n} change", "{n} changes", ch.count)
    given = [r for r in ref.regions if r in ch.added or r in ch.removed]
    if given:
        changes = tr("{changes} in {regions}", changes=changes, regions=trn("{n} region", "{n} regions", len(given)))
    return tr(
        "against {source} ({regions}): {kept}, {added} added, {removed} removed ({changes})",
        **fields | {"regions": trn("{n} region", "{n} regions", len(ref.regions)), "kept": kept, "changes": changes},
    )
