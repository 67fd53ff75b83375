"""The pipeline as one library call: constraint file → solved layouts → results folder (what `layout solve` does).

`solve_scenario` loads, solves (period by period), measures and explains a scenario, and, given a folder, writes
it (`write_run`: the data files through `layout.results.folder`, then the map and the report). The public API
(`layout.solve`, layout/api.py) and the CLI call it; a solve kept in memory is written later by `write_run`.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from layout.analysis.diagnose import diagnose
from layout.analysis.explain import explain
from layout.analysis.shortfall import targets_missed
from layout.errors import InfeasibleError, InputError
from layout.language import resolve, tr, using
from layout.model.checks import numeric_problems, option_problems
from layout.model.core import LayoutModel
from layout.model.families import build_model
from layout.model.instance import Instance, build_instance
from layout.model.rules import RuleWarning, check_rules, presolve_conflicts, rule_warnings, unsaid
from layout.model.solve import (
    INFEASIBLE,
    OPTIMAL,
    OnProgress,
    Size,
    SolveResult,
    export,
    model_size,
    own_start_record,
    scenario_time_limit,
    solve,
    solver_failure,
    solver_problems,
    start_found_words,
)
from layout.model.start import Start
from layout.regions.load import load_regions
from layout.regions.readers import RegionSet
from layout.results.baseline import baseline_layout
from layout.results.declared import Declared, declared_layout, declared_metrics
from layout.results.folder import (
    ASSIGNMENT_CSV,
    METRICS_JSON,
    MODEL_LP,
    MODEL_MPS,
    PERIODS_DIR,
    Contents,
    new_manifest,
    write_contents,
    write_diagnosis,
)
from layout.results.layouts import coordinates_record, crs_problems, drawn_in, solution_layout, units_geojson
from layout.results.metrics import duplications, layout_metrics
from layout.results.reference import changes_metrics, read_reference
from layout.results.staging import check_out, claimed, staged_output, write_json
from layout.results.start import check_start, period_start, read_start, start_words
from layout.results.wide import layout_layers, wide_table
from layout.spec.load import LoadedSpec, load
from layout.views.maps.render import write_map
from layout.views.report import write_report

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
    # on infeasibility, write the diagnosis to this folder (checked before solving, as `out`)
    diagnose_to: Path | None = None
    # called with the solver's figures while it runs (layout.model.solve.SolverProgress), e.g. a progress display
    on_progress: OnProgress | None = None
    # called with each rule warning (layout.model.rules) before solving; None: through `progress`
    warn: Progress | None = None
    # write layout.gpkg at the folder's top level (sweep points and alternatives leave it out: one per point would
    # cost megabytes each at finer levels; `layout solve` writes it)
    geopackage: bool = True
    # the language of names, sentences and pages (en, zh); None: the constraint file's `language:`, else the locale's
    language: str | None = None
    # the coordinates of layout.geojson and layout.gpkg: gcj02 (the shipped boundaries as read) or wgs84 (converted;
    # the `wgs84` extra); a user's own boundaries are always written as read (layout.results.layouts.crs_problems)
    crs: str = "gcj02"
    # a results folder whose layout the solver starts from (`layout solve --start DIR`; layout.model.start)
    start: Path | None = None


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
    metrics: dict  # metrics.json
    # seconds: load, build, solve, explain, total (and write once written)
    timings: dict[str, float] = field(default_factory=dict)
    periods: list[PeriodRun] = field(default_factory=list)  # every period solved, in order (one without periods)
    solver: dict = field(default_factory=dict)  # the settings solved with: name, time_limit, gap
    inputs: list[Path] = field(default_factory=list)  # every file read (`input_files`)
    solving: float = 0.0  # seconds from loading to the explanation (the total before writing)
    language: str = "en"  # the language its names and sentences are written in (layout.language)
    crs: str = "gcj02"  # the coordinates its folder's geometries are written in (Options.crs)

    @property
    def last(self) -> PeriodRun:
        """The last period solved: its result is the folder's top level."""
        return self.periods[-1]


def prepare(file: str | Path | None, lang: str | None = None) -> tuple[LoadedSpec, RegionSet, Instance]:
    """Load and check a constraint file and its regions (the first plan period's instance), in `lang`, else the
    file's `language:` (the names its instance holds)."""
    with using(lang):
        spec = load(file)
    with using(resolve(lang, spec.scenario.language)):
        return _prepared(spec)


def _prepared(spec: LoadedSpec) -> tuple[LoadedSpec, RegionSet, Instance]:
    _refuse(numeric_problems(spec))
    regions = load_regions(spec)
    first = spec.scenario.periods[0] if spec.scenario.periods else None
    inst = build_instance(spec, regions, first)
    inst.reference = read_reference(spec, inst)  # least-change re-planning (the model layer reads no results)
    _refuse(numeric_problems(spec, inst))
    check_rules(spec, inst)  # rules that cannot hold: InputError (exit 2); its warnings: layout.api.validate
    return spec, regions, inst


def input_files(spec: LoadedSpec, regions: RegionSet) -> list[Path]:
    """Every file a run reads: the constraint file, the files it extends, its regions' boundaries and indicators,
    and a reference layout's results folder (its metrics.json and assignment.csv: never replaced by the run)."""
    reference = spec.path_of("reference", "layout")
    folder = [reference / METRICS_JSON, reference / ASSIGNMENT_CSV] if reference is not None else []
    return [*spec.files, regions.boundary_file, regions.indicator_file, *folder]


def _refuse(problems: list) -> None:
    """Raise InputError (exit 2) when there are problems."""
    if problems:
        raise InputError(problems)


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
    explanation: dict | None = None


def solve_period(
    spec: LoadedSpec,
    regions: RegionSet,
    inst: Instance,
    solver: str,
    time_limit: float | None,
    gap: float,
    progress: Progress,
    timings: dict[str, float],
    on_progress: OnProgress | None = None,
    start: Start | None = None,
    warnings: list[RuleWarning] | None = None,
) -> PeriodRun:
    """Check, build, solve and measure one instance. Raises InfeasibleError, LimitError or LayoutError (the solver failed).
    `on_progress` gets the solver's figures while it runs (`layout.model.solve.solve`); `start`: a layout the solver
    starts from; `warnings`: the instance's rule warnings where the caller has them (`check_rules`), else found
    here."""
    label = bool(spec.scenario.periods)  # name the period in the messages
    conflicts = presolve_conflicts(inst)
    if conflicts:
        lead = (
            tr("the scenario cannot be satisfied for {period}:", period=inst.period)
            if label
            else tr("the scenario cannot be satisfied:")
        )
        raise InfeasibleError(lead + "\n  " + "\n  ".join(conflicts), conflicts)
    t1 = time.perf_counter()
    sizes = {"period": inst.period, "regions": len(inst.regions), "industries": len(inst.industries)}
    progress(
        tr("building the model for {period} ({regions} regions × {industries} industries)", **sizes)
        if label
        else tr("building the model ({regions} regions × {industries} industries)", **sizes)
    )
    model = build_model(inst)
    timings["build"] = timings.get("build", 0.0) + time.perf_counter() - t1
    size = model_size(model)
    facts = {
        "period": inst.period,
        "solver": solver,
        "rows": size.rows,
        "columns": size.columns,
        "binaries": size.binaries,
    }
    progress(
        tr("solving for {period} with {solver} ({rows} rows, {columns} columns, {binaries} binaries)", **facts)
        if label
        else tr("solving with {solver} ({rows} rows, {columns} columns, {binaries} binaries)", **facts)
    )
    result = solve(model, solver, time_limit, gap, on_progress, start=start, own_start=True)
    if result.start_seconds:
        progress(start_found_words(result))
    timings["solve"] = timings.get("solve", 0.0) + result.seconds
    if result.status == INFEASIBLE:
        progress(tr("diagnosing the conflict"))
        sentences = diagnose(inst, solver, time_limit=time_limit)
        lead = (
            tr("{solver} proved the scenario infeasible for {period}:", solver=solver, period=inst.period)
            if label
            else tr("{solver} proved the scenario infeasible:", solver=solver)
        )
        raise InfeasibleError(lead + "\n  " + "\n  ".join(sentences), sentences)
    if not result.has_layout:  # e.g. HiGHS's 'error': neither a proof of infeasibility (exit 3) nor a limit (exit 4)
        raise solver_failure(solver, result, tr("for {period}", period=inst.period) if label else "")
    layout = solution_layout(model)
    base = baseline_layout(inst)
    metrics = solve_metrics(spec, inst, result, size, layout, base, warnings)
    declared = None
    nbs = {i: s.nbs_category for i, s in spec.scenario.industries.items() if s.nbs_category}
    regions_spec = spec.scenario.regions
    if (
        regions_spec.source == "embedded" and regions_spec.resolution == "province" and nbs
    ):  # plans are declared per province
        declared = declared_layout(inst, nbs)
        metrics["declared"] = declared_metrics(declared, inst)
        metrics["duplications"]["declared"] = duplications(declared.layout, inst)
    if inst.reference is not None:  # least-change re-planning: the changes against the reference
        metrics["changes"] = changes_metrics(inst, layout)
    return PeriodRun(inst, model, result, layout, base, metrics, declared)


def solve_metrics(
    spec: LoadedSpec,
    inst: Instance,
    result: SolveResult,
    size: Size,
    layout: pd.DataFrame,
    base: pd.DataFrame,
    warnings: list[RuleWarning] | None = None,
) -> dict:
    """metrics.json of one solve: the scenario, the solver's facts, the model's size, the optimised and baseline
    layouts' metrics and duplications, the industries and groups, regions eligible for nothing, rule warnings, data
    gaps and policy levers, in words and as records (a Pareto point's as a period's). `warnings`: the instance's rule
    warnings where the caller has them (`check_rules`; at county level they take about a second), else found here."""
    return {
        "scenario": {
            "name": inst.name,
            "file": spec.file.name,
            "capacity_unit": inst.capacity_unit,
            "period": inst.period,
        },
        "solver": {
            "name": result.solver,
            "status": result.status,
            "objective": _r(result.objective),
            "bound": _r(result.bound),
            "gap": _r(result.gap),
            "message": result.message,
        }
        | own_start_record(result),
        "model": {"rows": size.rows, "columns": size.columns, "nonzeros": size.nonzeros, "binaries": size.binaries},
        "optimised": layout_metrics(layout, inst),
        "baseline": layout_metrics(base, inst),
        "duplications": {"optimised": duplications(layout, inst), "baseline": duplications(base, inst)},
        "industries": [
            {"code": i, "name": p.name, "kind": p.kind, "target": p.target} for i, p in inst.industries.items()
        ],
        "groups": [{"id": g, "name": p.name, "members": list(p.members)} for g, p in inst.groups.items()],
        "regions_eligible_for_nothing": [
            {
                "code": r,
                "name": inst.region_names[r],
                "why": inst.why_unplaceable(r),  # the rules and numbers that exclude it, industries grouped by reason
                "fallback": inst.fallback.get(r),  # limits.ineligible_regions: best_characteristic
                "may_host": inst.fallback_words(r),
            }
            for r in inst.unplaceable()
        ],
        # futile rules (layout.model.rules)
        "rule_warnings": [str(w) for w in (rule_warnings(spec, inst) if warnings is None else warnings)],
        "missing_data": inst.missing,  # the notes on the data, then its gaps
        "data_notes": inst.data_notes,  # which of them are notes (an inherited value, a split budget), not gaps
        "policy_levers": list(inst.notes.values()),
        "policy_lever_notes": [note.facts() for note in inst.levers.values()],  # the same levers as records
    }


def manifest(run: Run) -> dict:
    """manifest.json of a solve (`layout.results.folder.new_manifest`)."""
    spec = run.spec
    return new_manifest(
        spec.file, run.inputs, spec.input_hash, run.solver, periods=spec.scenario.periods, language=run.language
    )


def period_contents(
    regions: RegionSet,
    p: PeriodRun,
    metrics: dict,
    manifest: dict,
    *,
    shipped: bool,
    geopackage: bool = True,
    wgs84_error_m: float | None = None,
) -> Contents:
    """The data files of one period's results folder (or of the folder's top level: the last period's). `shipped`:
    the regions are the shipped boundaries (GCJ-02; layout.gpkg's layers say so); `geopackage`: write layout.gpkg
    (the top level of a solve's folder only: a period folder's would repeat it); `wgs84_error_m`: the regions' drawn
    units were converted to WGS84 with at most this error (metres; `layout.results.layouts.drawn_in`)."""
    return Contents(
        metrics,
        manifest,
        p.layout,
        p.baseline,
        p.declared.layout if p.declared is not None else None,
        layout=units_geojson(regions, p.inst, p.layout),
        wide=wide_table(p.layout, p.inst.region_names, list(p.inst.industries)),
        geopackage=layout_layers(regions, p.inst, p.layout, p.baseline, p.declared, shipped, wgs84_error_m)
        if geopackage
        else None,
        explanation=p.explanation,
    )


def phasing_table(periods: list[PeriodRun]) -> pd.DataFrame:
    """Every period's layout in one table, with a leading `period` column."""
    return pd.concat([p.layout.assign(period=p.inst.period) for p in periods], ignore_index=True)[
        ["period"] + list(periods[0].layout.columns)
    ]


Source = str | Path | LoadedSpec | None  # a constraint file (None: the default), or a scenario loaded already


def solve_scenario(
    file: Source, out: Path | None, options: Options = Options(), progress: Progress = lambda s: None
) -> Run:
    """Load, build, solve (period by period), measure, explain and, given `out`, write a results folder (`write_run`).
    Raises LayoutError subclasses.

    With `periods:`, the periods are solved in order; each period sees the previous one's designations
    (persistence) and capacities (growth). DIR holds the last period's result, DIR/periods/<year>/ each
    period's, and DIR/phasing.csv all of them. DIR (and --diagnose-to's folder) are checked before loading and
    locked until written (`layout.results.staging.claimed`): a second run into the same folder meanwhile fails (exit 2).
    """
    _refuse(option_problems(options.time_limit, options.gap))
    with (
        using(options.language),
        claimed(out, options.force) if out is not None else contextlib.nullcontext(),
        (
            claimed(options.diagnose_to, options.force, option="--diagnose-to")
            if options.diagnose_to is not None
            else contextlib.nullcontext()
        ),
    ):
        t0 = time.perf_counter()
        spec = file if isinstance(file, LoadedSpec) else load(file)
        return _solve_in(spec, out, options, progress, t0)


def _solve_in(spec: LoadedSpec, out: Path | None, options: Options, progress: Progress, t0: float) -> Run:
    """`solve_scenario` once the scenario is loaded: in its language (--lang, else the file's `language:`)."""
    with using(resolve(options.language, spec.scenario.language)) as lang:
        progress(tr("loading scenario and regions"))  # the file is read (in milliseconds): its language is known
        own = spec.scenario.regions
        _refuse(crs_problems(options.crs, own.boundaries if own.source == "files" else None))
        _refuse(numeric_problems(spec))
        _refuse(solver_problems(options.solver, spec))  # before the regions: a county build takes half a minute
        if options.start is not None:
            check_start(options.start)
        regions = load_regions(spec)
        inputs = input_files(spec, regions)
        if out is not None:
            # a folder holding an input is never written: refused before solving
            check_out(out, options.force, inputs=inputs)
        if options.diagnose_to is not None:
            check_out(options.diagnose_to, options.force, option="--diagnose-to", inputs=inputs)
        run = _solve_loaded(spec, regions, inputs, options, progress, {"load": time.perf_counter() - t0})
        run.language, run.crs = lang, options.crs
        run.solving = run.timings["total"] = time.perf_counter() - t0
        run.metrics["timings_seconds"] = _seconds(run.timings)
        if out is not None:
            write_run(
                run,
                out,
                options.force,
                export_lp=options.export_lp,
                export_mps=options.export_mps,
                progress=progress,
                geopackage=options.geopackage,
            )
        return run


def _solve_loaded(
    spec: LoadedSpec, regions: RegionSet, inputs: list[Path], options: Options, progress: Progress, t: dict[str, float]
) -> Run:
    """Solve and explain every period of a loaded scenario (`solve_scenario` once its folders are checked)."""
    cfg = spec.scenario.solver
    solver = options.solver or cfg.name
    time_limit = options.time_limit if options.time_limit is not None else scenario_time_limit(spec)
    gap = options.gap if options.gap is not None else cfg.gap
    runs: list[PeriodRun] = []
    previous = None
    starts = options.start is not None and solver != "cbc"
    if options.start is not None and not starts:
        progress(tr("cbc takes no start: the layout in {folder} is not used", folder=str(options.start)))
    warned: list[RuleWarning] = []  # each rule warned of once, in its first period (metrics.json rule_warnings)
    try:
        for period in spec.scenario.periods or (None,):
            inst = build_instance(spec, regions, period, previous)
            inst.reference = read_reference(spec, inst)
            _refuse(numeric_problems(spec, inst))
            found = check_rules(spec, inst)  # InputError (exit 2) for rules that cannot hold
            for w in unsaid(found, warned):
                warned.append(w)
                (options.warn or (lambda s: progress(f"warning: {s}")))(str(w))
            start: Start | None = None
            folder = period_start(options.start, period) if starts and options.start is not None else None
            if folder is not None:  # a hint: the solver checks it against this period's rules
                start, left_out = read_start(folder, inst)
                progress(start_words(start, left_out))
                start = start if start.designations else None  # nothing of it fits: no start, not "build nothing"
            runs.append(
                solve_period(
                    spec, regions, inst, solver, time_limit, gap, progress, t, options.on_progress, start, found
                )
            )
            previous = {(r.region_code, r.industry): float(r.capacity) for r in runs[-1].layout.itertuples()}
    except InfeasibleError as e:
        if options.diagnose_to is not None:
            write_diagnosis(options.diagnose_to, e.diagnosis or [str(e)], options.force, inputs=inputs)
        raise
    last = runs[-1]
    metrics = dict(last.metrics)
    metrics["rule_warnings"] = [str(w) for w in warned]  # every period's
    if spec.scenario.periods:
        keys = (
            "solver",
            "model",
            "optimised",
            "baseline",
            "industries",
            "policy_levers",
            "policy_lever_notes",
            "declared",
            "changes",
        )
        metrics["periods"] = {str(p.inst.period): {k: p.metrics[k] for k in keys if k in p.metrics} for p in runs}
    progress(tr("explaining the layout (binding constraints, shadow prices)"))
    t3 = time.perf_counter()
    for p in runs:
        p.explanation = explain(p.model, p.result, time_limit=time_limit)
    t["explain"] = time.perf_counter() - t3
    for p in runs:  # a target not met is never silent: name what holds it back
        if not p.metrics["optimised"]["targets_met"]:
            progress(
                tr("finding what holds back the targets not met for {period}", period=p.inst.period)
                if spec.scenario.periods
                else tr("finding what holds back the targets not met")
            )
            t4 = time.perf_counter()
            p.metrics["targets_missed"] = targets_missed(
                p.model, solver, time_limit=time_limit, proved=p.result.status == OPTIMAL and not p.result.gap
            )
            t["targets_missed"] = t.get("targets_missed", 0.0) + time.perf_counter() - t4
        if spec.scenario.periods:
            metrics["periods"][str(p.inst.period)]["targets_missed"] = p.metrics.get("targets_missed")
    metrics["targets_missed"] = last.metrics.get("targets_missed")
    return Run(
        spec,
        regions,
        last.inst,
        last.model,
        last.result,
        last.layout,
        last.baseline,
        metrics,
        t,
        runs,
        {"name": solver, "time_limit": time_limit, "gap": gap} | ({"start": str(options.start)} if starts else {}),
        inputs,
    )


def write_run(
    run: Run,
    out: Path,
    force: bool = False,
    *,
    export_lp: bool = False,
    export_mps: bool = False,
    progress: Progress = lambda s: None,
    geopackage: bool = True,
) -> Path:
    """Write a solve's results folder (the contract of `layout solve --out`, `layout.results.staging`): the data
    files (`layout.results.folder.WRITERS`), each period's folder, the model if asked, the maps and the report.
    Adds the time taken to `run.timings` and `run.metrics` (write; total). Returns `out`."""
    progress(tr("writing results"))
    t2 = time.perf_counter()
    phased = bool(run.spec.scenario.periods)
    with using(run.language), staged_output(out, force, inputs=run.inputs) as tmp:
        timings = {k: v for k, v in run.timings.items() if k not in ("write", "total")}
        # as the report shows it; final figures below
        write_data(tmp, run, {**run.metrics, "timings_seconds": _seconds(timings)}, geopackage)
        if export_lp or export_mps:
            export(run.model, tmp / MODEL_LP if export_lp else None, tmp / MODEL_MPS if export_mps else None)
        progress(tr("drawing the maps and writing the report"))
        for p in run.periods if phased else []:
            write_map(tmp / PERIODS_DIR / str(p.inst.period))
        write_map(tmp)
        write_report(tmp)
        run.timings = {**timings, "write": time.perf_counter() - t2}
        run.timings["total"] = run.solving + run.timings["write"]
        run.metrics["timings_seconds"] = _seconds(run.timings)
        write_json(tmp / METRICS_JSON, run.metrics)
    return out


def write_data(folder: Path, run: Run, metrics: dict, geopackage: bool = True) -> None:
    """The data files of a solve's results folder (`layout.results.folder.WRITERS`) into `folder`: with plan periods,
    each period's folder (periods/<year>/) and phasing.csv; the last period's files at the top, with `metrics`, and
    layout.gpkg there only (`geopackage`)."""
    phased = bool(run.spec.scenario.periods)
    shipped = run.spec.scenario.regions.source == "embedded"
    regions, error_m = drawn_in(run.regions, run.crs)  # converted once, for every folder below
    about = {
        **manifest(run),
        "coordinates": coordinates_record(run.crs, shipped, run.regions.boundary_file.name, error_m),
    }
    for p in run.periods if phased else []:
        period = folder / PERIODS_DIR / str(p.inst.period)
        period.mkdir(parents=True)
        about_period = {**about, "period": p.inst.period}
        write_contents(
            period,
            period_contents(
                regions, p, p.metrics, about_period, shipped=shipped, geopackage=False, wgs84_error_m=error_m
            ),
        )
    top = period_contents(
        regions, run.last, metrics, about, shipped=shipped, geopackage=geopackage, wgs84_error_m=error_m
    )
    top.phasing = phasing_table(run.periods) if phased else None
    write_contents(folder, top)


def _seconds(t: dict[str, float]) -> dict[str, float]:
    """Timings as metrics.json holds them (seconds, to the millisecond)."""
    return {k: round(v, 3) for k, v in t.items()}


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 9)
