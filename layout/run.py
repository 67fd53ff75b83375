"""The pipeline as one library call: constraint file → results folder (what `layout solve` does)."""

from __future__ import annotations

import contextlib
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from layout import __version__
from layout.baseline import baseline_layout
from layout.diagnose import diagnose, write_diagnosis
from layout.explain import EXPLANATION, explain
from layout.report import write_report
from layout.declared import Declared, declared_layout, declared_metrics
from layout.checks import numeric_problems, option_problems
from layout.errors import InfeasibleError, InputError
from layout.instance import Instance, build_instance
from layout.maps import write_map
from layout.metrics import duplications, layout_metrics
from layout.model import LayoutModel, build_model
from layout.output import MANIFEST, check_out, claimed, staged_output, write_json
from layout.regions import RegionSet, load_regions
from layout.results import solution_layout, write_geojson, write_table
from layout.solve import INFEASIBLE, SolveResult, export, model_size, solve, solver_failure
from layout.spec import LoadedSpec, load

Progress = Callable[[str], None]


@dataclass
class Options:
    """How to solve (the command line's options; None = the constraint file's value)."""

    solver: str | None = None
    time_limit: float | None = None
    gap: float | None = None
    export_lp: bool = False
    export_mps: bool = False
    force: bool = False
    diagnose_to: Path | None = None  # on infeasibility, write the diagnosis to this folder (checked before solving, as `out`)


@dataclass
class Run:
    """Everything one solve produced."""

    spec: LoadedSpec
    regions: RegionSet
    inst: Instance
    model: LayoutModel
    result: SolveResult
    layout: pd.DataFrame
    baseline: pd.DataFrame
    metrics: dict
    timings: dict[str, float] = field(default_factory=dict)
    periods: list["PeriodRun"] = field(default_factory=list)


def prepare(file: str | Path | None) -> tuple[LoadedSpec, RegionSet, Instance]:
    """Load and check a constraint file and its regions (the first plan period's instance)."""
    spec = load(file)
    _refuse(numeric_problems(spec))
    regions = load_regions(spec)
    first = spec.scenario.periods[0] if spec.scenario.periods else None
    inst = build_instance(spec, regions, first)
    _refuse(numeric_problems(spec, inst))
    return spec, regions, inst


def input_files(spec: LoadedSpec, regions: RegionSet) -> list[Path]:
    """Every file a run reads: the constraint file, the files it extends, its regions' boundaries and indicators."""
    return [*spec.files, regions.boundary_file, regions.indicator_file]


def _refuse(problems: list) -> None:
    """Raise InputError (exit 2) when there are problems."""
    if problems:
        raise InputError(problems)


def presolve_conflicts(inst: Instance) -> list[str]:
    """Impossibilities visible without a solver, as sentences with numbers."""
    out = []
    for i, p in inst.industries.items():
        hosts = [r for r in inst.regions if inst.eligible[r, i]]
        if p.provincial_count_min > len(hosts):
            out.append(f"spread: {p.name} needs at least {p.provincial_count_min} provincial clusters, "
                       f"but only {len(hosts)} regions are eligible for it")
        if p.provincial_count_min > p.provincial_count_max:
            out.append(f"spread: {p.name} needs at least {p.provincial_count_min} and at most {p.provincial_count_max} provincial clusters")
        if p.overcapacity_cap is not None and p.provincial_count_min * p.provincial_min > (1 + p.overcapacity_cap) * p.target:
            out.append(f"overcapacity cap: {p.name}'s {p.provincial_count_min} provincial clusters of at least {p.provincial_min:g} "
                       f"exceed the cap {(1 + p.overcapacity_cap) * p.target:g}")
    for r in inst.regions:
        held = sum(inst.industries[i].base_retention * v for (rr, i), v in inst.base.items() if rr == r)
        if inst.budget[r] is not None and held > inst.budget[r] + 1e-9:
            out.append(f"budget: {inst.region_names[r]} must keep {held:g} of existing capacity but its budget is {inst.budget[r]:g}")
    return out


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "cluster-layout": __version__}
    for pkg in ("pulp", "highspy", "geopandas", "shapely", "folium", "pydantic"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


@dataclass
class PeriodRun:
    """One plan period solved: its instance, model, solver result, layouts and metrics."""

    inst: Instance
    model: LayoutModel
    result: SolveResult
    layout: pd.DataFrame
    baseline: pd.DataFrame
    metrics: dict
    declared: Declared | None


def solve_period(spec: LoadedSpec, regions: RegionSet, inst: Instance, solver: str, time_limit: float | None, gap: float,
                 progress: Progress, timings: dict[str, float]) -> PeriodRun:
    """Check, build, solve and measure one instance. Raises InfeasibleError, LimitError or LayoutError (the solver failed)."""
    label = f" for {inst.period}" if spec.scenario.periods else ""
    conflicts = presolve_conflicts(inst)
    if conflicts:
        raise InfeasibleError(f"the scenario cannot be satisfied{label}:\n  " + "\n  ".join(conflicts), conflicts)
    t1 = time.perf_counter()
    progress(f"building the model{label} ({len(inst.regions)} regions × {len(inst.industries)} industries)")
    model = build_model(inst)
    timings["build"] = timings.get("build", 0.0) + time.perf_counter() - t1
    size = model_size(model)
    progress(f"solving{label} with {solver} ({size.rows} rows, {size.columns} columns, {size.binaries} binaries)")
    result = solve(model, solver, time_limit, gap)
    timings["solve"] = timings.get("solve", 0.0) + result.seconds
    if result.status == INFEASIBLE:
        progress("diagnosing the conflict")
        sentences = diagnose(inst, solver, time_limit=time_limit)
        raise InfeasibleError(f"{solver} proved the scenario infeasible{label}:\n  " + "\n  ".join(sentences), sentences)
    if not result.has_layout:  # e.g. HiGHS's 'error': neither a proof of infeasibility (exit 3) nor a limit (exit 4)
        raise solver_failure(solver, result, label)
    layout = solution_layout(model)
    base = baseline_layout(inst)
    metrics = {
        "scenario": {"name": inst.name, "file": spec.file.name, "capacity_unit": inst.capacity_unit, "period": inst.period},
        "solver": {"name": result.solver, "status": result.status, "objective": _r(result.objective),
                   "bound": _r(result.bound), "gap": _r(result.gap), "message": result.message},
        "model": {"rows": size.rows, "columns": size.columns, "nonzeros": size.nonzeros, "binaries": size.binaries},
        "optimised": layout_metrics(layout, inst),
        "baseline": layout_metrics(base, inst),
        "duplications": {"optimised": duplications(layout, inst), "baseline": duplications(base, inst)},
        "industries": [{"code": i, "name": p.name, "kind": p.kind, "target": p.target} for i, p in inst.industries.items()],
        "groups": [{"id": g, "name": p.name, "members": list(p.members)} for g, p in inst.groups.items()],
        "regions_eligible_for_nothing": [{"code": r, "name": inst.region_names[r]} for r in inst.unplaceable()],
        "missing_data": inst.missing,
        "policy_levers": list(inst.notes.values()),
    }
    declared = None
    nbs = {i: s.nbs_category for i, s in spec.scenario.industries.items() if s.nbs_category}
    regions_spec = spec.scenario.regions
    if regions_spec.source == "embedded" and regions_spec.resolution == "province" and nbs:  # plans are declared per province
        declared = declared_layout(inst, nbs)
        metrics["declared"] = declared_metrics(declared, inst)
        metrics["duplications"]["declared"] = duplications(declared.layout, inst)
    return PeriodRun(inst, model, result, layout, base, metrics, declared)


def write_period(folder: Path, regions: RegionSet, p: PeriodRun) -> None:
    """The tables and geometry of one period's result."""
    write_table(folder / "assignment.csv", p.layout)
    write_table(folder / "baseline.csv", p.baseline)
    if p.declared is not None:
        write_table(folder / "declared.csv", p.declared.layout)
    write_geojson(folder / "layout.geojson", regions, p.inst, p.layout)


def phasing_table(periods: list[PeriodRun]) -> pd.DataFrame:
    """Every period's layout in one table, with a leading `period` column."""
    return pd.concat([p.layout.assign(period=p.inst.period) for p in periods], ignore_index=True)[["period"] + list(periods[0].layout.columns)]


def solve_scenario(file: str | Path | None, out: Path, options: Options = Options(), progress: Progress = lambda s: None) -> Run:
    """Load, build, solve (period by period), measure and write a results folder. Raises LayoutError subclasses.

    With `periods:`, the periods are solved in order; each period sees the previous one's designations
    (persistence) and capacities (growth). DIR holds the last period's result, DIR/periods/<year>/ each
    period's, and DIR/phasing.csv all of them. DIR (and --diagnose-to's folder) are checked before loading and
    locked until written (`layout.output.claimed`): a second run into the same folder meanwhile fails (exit 2).
    """
    _refuse(option_problems(options.time_limit, options.gap))
    with claimed(out, options.force), (claimed(options.diagnose_to, options.force, option="--diagnose-to")
                                       if options.diagnose_to is not None else contextlib.nullcontext()):
        return _solve_claimed(file, out, options, progress)


def _solve_claimed(file: str | Path | None, out: Path, options: Options, progress: Progress) -> Run:
    """`solve_scenario` once its folders are claimed."""
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    progress("loading scenario and regions")
    spec = load(file)
    _refuse(numeric_problems(spec))
    regions = load_regions(spec)
    inputs = input_files(spec, regions)
    check_out(out, options.force, inputs=inputs)  # a folder holding an input is never written: refused before solving
    if options.diagnose_to is not None:
        check_out(options.diagnose_to, options.force, option="--diagnose-to", inputs=inputs)
    t["load"] = time.perf_counter() - t0
    cfg = spec.scenario.solver
    solver = options.solver or cfg.name
    time_limit = options.time_limit if options.time_limit is not None else cfg.time_limit
    gap = options.gap if options.gap is not None else cfg.gap
    runs: list[PeriodRun] = []
    previous = None
    try:
        for period in spec.scenario.periods or [None]:
            inst = build_instance(spec, regions, period, previous)
            _refuse(numeric_problems(spec, inst))
            runs.append(solve_period(spec, regions, inst, solver, time_limit, gap, progress, t))
            previous = {(r.region_code, r.industry): float(r.capacity) for r in runs[-1].layout.itertuples()}
    except InfeasibleError as e:
        if options.diagnose_to is not None:
            write_diagnosis(options.diagnose_to, e.diagnosis or [str(e)], options.force, inputs=inputs)
        raise
    last = runs[-1]
    metrics = dict(last.metrics)
    if spec.scenario.periods:
        keys = ("solver", "model", "optimised", "baseline", "industries", "policy_levers", "declared")
        metrics["periods"] = {str(p.inst.period): {k: p.metrics[k] for k in keys if k in p.metrics} for p in runs}
    progress("explaining the layout (binding constraints, shadow prices)")
    t3 = time.perf_counter()
    explanations = [explain(p.model, p.result, time_limit=time_limit) for p in runs]
    t["explain"] = time.perf_counter() - t3
    progress("writing results")
    t2 = time.perf_counter()
    with staged_output(out, options.force, inputs=inputs) as tmp:
        write_period(tmp, regions, last)
        if spec.scenario.periods:
            write_table(tmp / "phasing.csv", phasing_table(runs))
            for p in runs:
                folder = tmp / "periods" / str(p.inst.period)
                folder.mkdir(parents=True)
                write_period(folder, regions, p)
                write_json(folder / "metrics.json", p.metrics)
        if options.export_lp or options.export_mps:
            export(last.model, tmp / "model.lp" if options.export_lp else None, tmp / "model.mps" if options.export_mps else None)
        metrics["timings_seconds"] = {k: round(v, 3) for k, v in t.items()}  # final figures rewritten below
        write_json(tmp / "metrics.json", metrics)
        manifest = {
            "program": "cluster-layout", "command": " ".join(sys.argv), "scenario_file": str(spec.file),
            "files_read": [str(f) for f in spec.files] + [str(regions.boundary_file), str(regions.indicator_file)],
            "input_sha256": spec.input_hash, "solver": {"name": solver, "time_limit": time_limit, "gap": gap},
            "periods": spec.scenario.periods, "versions": _versions(), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        write_json(tmp / MANIFEST, manifest)
        write_json(tmp / EXPLANATION, explanations[-1])
        progress("drawing the maps and writing the report")
        for p, explanation in zip(runs, explanations) if spec.scenario.periods else []:
            folder = tmp / "periods" / str(p.inst.period)
            write_json(folder / MANIFEST, {**manifest, "period": p.inst.period})
            write_json(folder / EXPLANATION, explanation)
            write_map(folder)
        write_map(tmp)
        write_report(tmp)
        t["write"] = time.perf_counter() - t2
        t["total"] = time.perf_counter() - t0
        metrics["timings_seconds"] = {k: round(v, 3) for k, v in t.items()}
        write_json(tmp / "metrics.json", metrics)
    return Run(spec, regions, last.inst, last.model, last.result, last.layout, last.baseline, metrics, t, runs)


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 9)
