"""The Python API (docs/python.md): load a scenario, solve it, look at the result, write its folder, show its map.

    import layout
    scenario = layout.load("my-scenario.yaml")  # a constraint file, a dict, or None for the default
    result = layout.solve(scenario)              # LayoutError subclasses as the CLI's exit codes
    result.assignment, result.metrics, result.explanation
    result.write("results")                      # what `layout solve --out results` writes
    result.map()                                 # the map page; Jupyter displays it

Every other command is one call here too (docs/python.md has the table): `explain`, `compare`, `write_report`,
`write_map`, `sweep`, `pareto`, `alternatives`, `validate`, `schema`; layout/cli.py only parses arguments and prints.

Errors are the CLI's: InputError (bad input, every problem with file, line and key; for a dict, the key path),
InfeasibleError (with the diagnosis in sentences), LimitError (a solver limit stopped the solve without a layout),
LayoutError (the solver failed).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

import pandas as pd

from layout.errors import COMMAND_LINE, InputError, Problem
from layout.language import using
from layout.spec.load import LoadedSpec, load_dict
from layout.spec.load import load as load_file

if TYPE_CHECKING:
    import threading

    import geopandas as gpd
    from typing_extensions import Unpack

    from layout.batch.sweep import ProgressArg
    from layout.errors import LayoutError
    from layout.model.instance import Instance
    from layout.model.solve import SolverProgress
    from layout.pipeline import Run
    from layout.views.maps.elements import Page, Tiles

__all__ = ["load", "solve", "Result", "metrics_frame", "industry_frame"]  # a scenario solved, in memory
__all__ += ["validate", "schema", "explain", "explain_text", "compare", "compare_text", "write_report", "write_map"]
__all__ += ["sweep", "sweep_summary", "pareto", "Batch"]  # with the line above: the other commands, one call each
__all__ += ["alternatives"]  # and the near-optimal alternatives (layout.batch.alternatives)
__all__ += ["serve", "watch"]  # the workbench (layout.workbench)

Scenario = str | Path | dict | LoadedSpec | None  # a constraint file (None: the default), a dict, or a loaded scenario
LAYOUTS = ("declared", "baseline", "optimised")  # metrics.json's layouts, in the order tables show them


def load(source: Scenario = None, *, base: str | Path | None = None) -> LoadedSpec:
    """A scenario, validated: from a constraint file (YAML; None = the shipped default) or a dict holding what such a
    file holds (relative paths read from `base`, default the current folder). InputError lists every problem, with
    file, line and key (for a dict: its key path)."""
    if isinstance(source, LoadedSpec):
        return source
    if source is None or isinstance(source, (str, Path)):
        return load_file(source)
    return load_dict(source, base)  # a dict, or InputError saying what it is instead


def solve(
    scenario: Scenario = None,
    *,
    solver: str | None = None,
    time_limit: float | None = None,
    gap: float | None = None,
    out: str | Path | None = None,
    force: bool = False,
    export_lp: bool = False,
    export_mps: bool = False,
    diagnose_to: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    on_progress: Callable[[SolverProgress], None] | None = None,
    warn: Callable[[str], None] | None = None,
    lang: str | None = None,
    crs: str = "gcj02",
    start: str | Path | None = None,
) -> Result:
    """Solve a scenario (see `load`; period by period with `periods:`) and explain its layout.

    `solver` (highs, cbc or scip), `time_limit` (seconds) and `gap` (relative) override the scenario's `solver:`. With
    `out`, the results folder is written as `layout solve --out` writes it (checked and locked before solving,
    written whole or not at all; `force`, `export_lp`, `export_mps` as the CLI's options); without, nothing is
    written until `Result.write`. `diagnose_to`: a folder for the diagnosis of an infeasible scenario. `progress`
    is called with a line at each step; `on_progress` while the solver runs, about every second and once when it
    stops, with its figures (a `layout.model.solve.SolverProgress`: elapsed seconds, best objective, bound, gap,
    nodes; `.words()` is the line `layout solve` shows). `warn` is called before solving with each rule that makes a
    target unreachable or an allowance futile ('file:line: key: sentence', `layout.model.rules`; default: through
    `progress`); a rule that cannot hold is InputError. `lang` ('en' or 'zh'): the language of names, sentences and
    pages (default: the file's `language:`, else the locale's). `crs` ('gcj02' or 'wgs84'): the coordinates of the
    folder's layout.geojson and layout.gpkg, the shipped boundaries as read (GCJ-02) or converted to WGS84 (the
    `wgs84` extra; refused for your own boundary files). `start`: a results folder of a nearby scenario whose layout
    the solver starts from (HiGHS and SCIP; it changes how soon the solver stops, not which rules hold; docs/solvers.md).
    Raises InputError, InfeasibleError, LimitError or LayoutError."""
    from layout.pipeline import Options, solve_scenario

    # a file: read once `out` is claimed
    source = scenario if scenario is None or isinstance(scenario, (str, Path)) else load(scenario)
    options = Options(
        solver,
        time_limit,
        gap,
        export_lp,
        export_mps,
        force,
        Path(diagnose_to) if diagnose_to is not None else None,
        on_progress,
        warn,
        language=lang,
        crs=crs,
        start=Path(start) if start is not None else None,
    )
    run = solve_scenario(source, Path(out) if out is not None else None, options, progress or (lambda s: None))
    return Result(run)


def metrics_frame(metrics: dict) -> pd.DataFrame:
    """The headline metrics of metrics.json: one row per metric (each number or flag of a layout's entry), one column
    per layout (declared when the scenario has declared plans, baseline, optimised); a metric a layout lacks is NaN."""
    layouts = [k for k in LAYOUTS if isinstance(metrics.get(k), dict)]
    rows: dict[str, dict[str, Any]] = {}
    for name in ("optimised", "baseline", "declared"):
        for key, value in (metrics.get(name) or {}).items():
            if value is None or isinstance(value, (bool, int, float)):
                rows.setdefault(key, {})[name] = value
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=layouts)
    frame.index.name = "metric"
    return frame


def industry_frame(metrics: dict) -> pd.DataFrame:
    """Each industry in the baseline and the optimised layout: rows (layout, industry code), columns capacity and
    target (capacity units), regions, duplications, shortfall (capacity units), overcapacity_ratio."""
    parts = {k: pd.DataFrame.from_dict(metrics[k]["industries"], orient="index") for k in ("baseline", "optimised")}
    return pd.concat(parts, names=["layout", "industry"])


class Result:
    """A solved scenario, in memory: the layouts, their metrics and the explanation; `write` and `map`.

    With plan periods, the tables are the last period's (as a results folder's top level) and `phasing` holds
    every period's layout. `run` holds everything else (the instance, the model, the solver's result)."""

    def __init__(self, run: Run):
        self.run = run

    def __repr__(self) -> str:
        s = self.metrics_json["solver"]
        return (
            f"<layout.Result {self.name!r}: {s['name']} {s['status']}, objective {s['objective']}, "
            f"{len(self.assignment)} clusters>"
        )

    @property
    def scenario(self) -> LoadedSpec:
        """The scenario solved."""
        return self.run.spec

    @property
    def language(self) -> str:
        """The language its names and sentences are written in ('en' or 'zh')."""
        return self.run.language

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.run.inst.name

    @property
    def status(self) -> str:
        """The solver's status: optimal, or feasible (stopped by a limit or the gap with a layout)."""
        return self.run.result.status

    @property
    def objective(self) -> float | None:
        """The objective value of the layout (the last period's)."""
        return self.metrics_json["solver"]["objective"]

    @property
    def targets_missed(self) -> dict | None:
        """None when every target is met (in every period); else metrics.json's `targets_missed` of the last period
        that missed one: the industries built below target (`industries`: built, target, shortfall in capacity
        units) and the rules that hold them back, in sentences (`held_back_by`). `layout solve` exits 5 then."""
        from layout.results.folder import targets_missed_of

        missed = targets_missed_of(self.run.metrics)
        return missed[-1][1] if missed else None

    @property
    def assignment(self) -> pd.DataFrame:
        """The optimised layout (assignment.csv): one row per designated region–industry, capacity in capacity units."""
        return self.run.layout

    @property
    def baseline(self) -> pd.DataFrame:
        """The uncoordinated baseline (baseline.csv), same columns."""
        return self.run.baseline

    @property
    def declared(self) -> pd.DataFrame | None:
        """The provinces' declared priorities laid out (declared.csv), or None."""
        d = self.run.last.declared
        return None if d is None else d.layout

    @property
    def phasing(self) -> pd.DataFrame | None:
        """With plan periods, every period's layout (phasing.csv: a leading `period` column); else None."""
        from layout.pipeline import phasing_table

        return phasing_table(self.run.periods) if self.run.spec.scenario.periods else None

    @property
    def layout(self) -> gpd.GeoDataFrame:
        """Every drawn unit (layout.geojson) as a GeoDataFrame (lon/lat in the run's `crs`: GCJ-02 as shipped, or
        WGS84 with crs='wgs84'): region_code, region_name, modelled, n_clusters, portfolio, geometry."""
        from layout.results.folder import units_frame
        from layout.results.layouts import drawn_in, units_geojson

        regions, _ = drawn_in(self.run.regions, self.run.crs)  # as the folder's layout.geojson holds them
        return units_frame(units_geojson(regions, self.run.inst, self.run.layout), "layout")

    @property
    def metrics_json(self) -> dict:
        """metrics.json as a dict (what `layout solve` summarises)."""
        return self.run.metrics

    @property
    def metrics(self) -> pd.DataFrame:
        """The headline metrics, one row per metric and one column per layout (`metrics_frame`)."""
        return metrics_frame(self.run.metrics)

    @property
    def industries(self) -> pd.DataFrame:
        """Each industry in the baseline and the optimised layout (`industry_frame`)."""
        return industry_frame(self.run.metrics)

    @property
    def explanation(self) -> dict:
        """explanation.json as a dict: binding constraints, shadow prices, count limits, industries held back, near
        misses, each with its sentence (`text`); `layout.analysis.explain.format_explanation` prints it."""
        return self.run.last.explanation or {}

    def write(
        self,
        out: str | Path,
        *,
        force: bool = False,
        export_lp: bool = False,
        export_mps: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> Path:
        """Write the results folder `out` as `layout solve --out` does (`layout.results.staging`: a new or empty
        folder, or with `force` an earlier result of this program; written whole or not at all). Returns `out`."""
        from layout.pipeline import write_run

        return write_run(  # in the language the run was solved in
            self.run,
            Path(out),
            force,
            export_lp=export_lp,
            export_mps=export_mps,
            progress=progress or (lambda s: None),
        )

    def map(self, layers: list[str] | None = None, tiles: Tiles = None) -> Page:
        """The map page (`layout map`: declared, baseline and optimised side by side, offline) as a folium Figure;
        Jupyter displays it, `.offline_html()` is the page. `layers` and `tiles` as `layout.views.maps.render.write_map`."""
        from layout.pipeline import write_data
        from layout.views.maps.render import map_figure

        with using(self.run.language), tempfile.TemporaryDirectory(prefix="layout-map-") as folder:  # from its files
            write_data(Path(folder), self.run, self.run.metrics)
            return map_figure(Path(folder), layers=layers, tiles=tiles)


# ---------------------------------------------------------------- the other commands, one call each (docs/python.md)


def validate(
    file: str | Path | None, *, warn: Callable[[str], None] | None = None, lang: str | None = None
) -> Instance:
    """`layout validate`: check a constraint file (None = the default) and its regions without solving; return the
    instance of its first plan period (`regions`, `industries`, `groups`, `neighbours`; `missing`: the data gaps in
    words). InputError lists every problem at once, with the rules that cannot hold (`layout.model.rules`: e.g. a
    strength in a region not eligible for its industry); `warn` is called with each rule that makes a target
    unreachable or an allowance futile ('file:line: key: sentence'), in every plan period. `lang` as `solve`'s (None:
    the file's `language:`, else the locale's); `inst.language` is the one chosen."""
    from layout.model.rules import scenario_warnings
    from layout.pipeline import prepare

    spec, regions, inst = prepare(file, lang)
    with using(inst.language):  # --lang, else the file's `language:`
        for w in scenario_warnings(spec, regions, inst):
            if warn is not None:
                warn(str(w))
    return inst


def schema() -> dict:
    """`layout schema`: the JSON Schema of constraint files (every key with its unit and default)."""
    from layout.spec.load import json_schema

    return json_schema()


def explain(folder: str | Path) -> dict:
    """`layout explain`, as data: the results folder's explanation.json (binding constraints, shadow prices, count
    limits, industries held back, near misses, each entry with its sentence in `text`). InputError for a folder that
    is not a results folder or has no explanation."""
    from layout.results.folder import read_explanation

    return read_explanation(Path(folder))


def explain_text(folder: str | Path, *, lang: str | None = None) -> str:
    """What `layout explain` prints: the explanation of a results folder (`explain`) in sentences; `lang` (en, zh):
    the language of the headings, default the folder's (its sentences are in the language it was solved in)."""
    from layout.analysis.explain import format_explanation

    with using(lang or folder_language(folder)):
        return format_explanation(explain(folder))


def compare(a: str | Path, b: str | Path) -> dict:
    """`layout compare --json`: two results folders side by side; `metrics` (each headline metric of A's and B's
    optimised layouts and baselines, B − A, which is better) and the region–industry assignments that changed from A
    to B (capacities in capacity units). InputError for a folder that is not a results folder."""
    from layout.results.compare import compare as compare_folders

    return compare_folders(Path(a), Path(b))


def compare_text(a: str | Path, b: str | Path, *, lang: str | None = None) -> str:
    """What `layout compare` prints: the comparison of two results folders (`compare`) as a text table; `lang` as
    `explain_text`'s (default: A's)."""
    from layout.results.compare import format_comparison

    with using(lang or folder_language(a)):
        return format_comparison(compare(a, b))


def write_report(
    folder: str | Path, out: str | Path | None = None, force: bool = False, *, lang: str | None = None
) -> Path:
    """`layout report`: rewrite the self-contained HTML report of a results folder (default DIR/report.html); return
    its path. `out` is a file the user names: an existing one is replaced only with `force`, and never a data file of
    a results folder. `lang` as `explain_text`'s."""
    from layout.views.report import write_report as write_page

    with using(lang or folder_language(folder)):
        return write_page(Path(folder), Path(out) if out is not None else None, force=force)


def folder_language(folder: str | Path) -> str | None:
    """The language a results folder was solved in (its manifest.json's `language`; a sweep folder's sweep.json's),
    or None: a folder written before languages, or not a results folder (its own reader says so)."""
    from layout.results.folder import folder_language as written

    return written(Path(folder))


def file_language(file: str | Path | None) -> str | None:
    """The language a constraint file states (`language:` at its top level, `extends:` not followed), or None."""
    from layout.spec.load import stated_language

    return stated_language(file)


@contextlib.contextmanager
def _map_input(folder: Path, expected: str) -> Iterator[None]:
    """A map's complaint about its folder (a ValueError) as the project's InputError naming the folder."""
    try:
        yield
    except ValueError as e:
        raise InputError(Problem(str(folder), None, "", expected, str(e))) from None


def write_map(
    folder: str | Path,
    layers: list[str] | None = None,
    tiles: Tiles = None,
    png: str | Path | None = None,
    force: bool = False,
    *,
    attribution: str | None = None,
    written: Callable[[Path], None] | None = None,
    lang: str | None = None,
    live: str | None = None,
) -> Path:
    """`layout map`: redraw DIR/map.html (declared, baseline and optimised side by side, offline) from a results
    folder, and with `png` also a static figure there; for a sweep folder (`layout sweep`), write its robustness page
    DIR/robustness.html (how often each region is designated; no `layers` or `png`). Returns the page's path.

    `layers`: industry codes and layer keys (`layout.views.maps.render.write_map`; None = all). `tiles`: an online
    base map (the page then needs the network): a name Folium knows or a URL template with {z}/{x}/{y}, which needs
    `attribution`, the credit its terms require (or `layout.views.maps.elements.Basemap`, both together). `force`: let `png` replace an existing file (never a data file of a
    results folder). `written` is called with each file once it is written. InputError for a folder that is neither
    kind, an unknown layer or a `png` path that would cost a file (checked before anything is drawn). `lang` as
    `explain_text`'s. `live` (`layout watch`; a results folder's map only): a stamp of hex digits; the page then
    reloads itself in an open browser when DIR/reload.js sets another (`layout.views.maps.elements.live_reload`)."""
    folder, done = Path(folder), written or (lambda path: None)
    with using(lang or folder_language(folder)):
        return _write_map(folder, layers, tiles, png, force, attribution, done, live)


def _write_map(
    folder: Path,
    layers: list[str] | None,
    tiles: Tiles,
    png: str | Path | None,
    force: bool,
    attribution: str | None,
    done: Callable[[Path], None],
    live: str | None = None,
) -> Path:
    """`write_map` in its language."""
    from layout.results.staging import check_chosen
    from layout.views.maps.elements import Basemap
    from layout.views.maps.png import write_png
    from layout.views.maps.render import write_map as write_page
    from layout.views.maps.render import write_robustness_map
    from layout.views.maps.robustness import is_sweep_folder

    if attribution is not None:  # the credit a tile server's terms require: only with the tiles it credits
        if not tiles:
            raise InputError(
                Problem(COMMAND_LINE, None, "--attribution", "--tiles with it (the map it credits)", "no --tiles")
            )
        tiles = Basemap(tiles.tiles if isinstance(tiles, Basemap) else tiles, attribution)
    if is_sweep_folder(folder):
        if layers or png is not None or live is not None:
            raise InputError(
                Problem(
                    str(folder),
                    None,
                    "--layers" if layers else "--png" if png is not None else "live",
                    "no --layers or --png for a sweep folder (its map has every industry)",
                    "a sweep folder",
                )
            )
        with _map_input(folder, "a sweep folder written by `layout sweep`"):
            page = write_robustness_map(folder, tiles=tiles)
        done(page)
        return page
    if png is not None:
        check_chosen(Path(png), "--png", force)  # before anything is drawn or written
    with _map_input(folder, "a results folder written by `layout solve` and known layer names"):
        page = write_page(folder, layers=layers or None, tiles=tiles, live=live)
        done(page)
        if png is not None:
            done(write_png(folder, Path(png), layers=layers or None, force=force))
    return page


class Batch(TypedDict, total=False):
    """The keywords `sweep` and `pareto` share (the command line's options of the same names; None or absent = the
    constraint file's value): how each point is solved, where the points run, and what is shown meanwhile."""

    solver: str | None  # highs, cbc or scip
    time_limit: float | None  # seconds per point
    gap: float | None  # relative MIP gap per point
    force: bool  # re-solve finished points (a sweep: those whose inputs changed); default False
    workers: int | None  # local worker processes; default one per core
    dask_scheduler: str | None  # address of a running dask.distributed scheduler
    dask_local: int | None  # start a dask LocalCluster with this many workers
    progress: ProgressArg  # True (the default): a progress bar on stderr; or callable(done, total, result)
    lang: str | None  # en or zh: names, sentences and pages; default the file's `language:`, else the locale's


def _batch(batch: Batch) -> dict[str, Any]:
    """`batch` as the batch modules take it: the solver settings as one layout.pipeline.Options."""
    from layout.pipeline import Options

    keywords: dict[str, Any] = dict(batch)
    solver, time_limit, gap, lang = (keywords.pop(k, None) for k in ("solver", "time_limit", "gap", "lang"))
    return {**keywords, "options": Options(solver, time_limit, gap, language=lang)}


def sweep(
    file: str | Path, out: str | Path = "sweep", *, diagnose: bool = True, **batch: Unpack[Batch]
) -> pd.DataFrame:
    """`layout sweep`: solve every point of the file's `sweep:` section into the sweep folder `out` (sweep.csv,
    robustness.csv, points/<id>/); a failed point is recorded, a rerun resumes. `diagnose` explains the points the
    solver proves infeasible; `batch` as `Batch`. Returns the table (one row per point; `.attrs`: the points solved
    now, skipped and failed). InputError for a bad sweep, before anything is solved."""
    from layout.batch.sweep import run_sweep

    return run_sweep(file, out, diagnose=diagnose, **_batch(batch))


def sweep_summary(table: pd.DataFrame) -> str:
    """What `layout sweep` prints: one line with the number of points, their statuses and how many were skipped."""
    from layout.batch.sweep import summary

    return summary(table)


def pareto(
    file: str | Path | None = None,
    out: str | Path = "pareto",
    *,
    between: tuple[str, str] = ("homogeneity", "advantage"),
    points: int = 7,
    **batch: Unpack[Batch],
) -> pd.DataFrame:
    """`layout pareto`: the ε-constraint front between homogeneity and comparative advantage (or overcapacity) of a
    constraint file (None = the default), with `points` points; writes `out`/pareto.csv, pareto.png, pareto.html and
    a results folder per point, and returns the table (one row per ε point, then `default`: the scenario as given;
    `.attrs["note"]`: the front's shape, or that the criteria do not conflict). A rerun resumes; `batch` as `Batch`."""
    from layout.batch.pareto import pareto as pareto_front

    return pareto_front(file, out, between=between, points=points, **_batch(batch))


def alternatives(
    file: str | Path | None = None,
    out: str | Path = "alternatives",
    *,
    slack: float = 0.05,
    count: int = 8,
    seed: int = 0,
    **batch: Unpack[Batch],
) -> pd.DataFrame:
    """`layout alternatives`: the optimum of a constraint file (None = the default) and `count` layouts whose objective
    is within `slack` of it (relative to its absolute value; absolute when it is 0), each differing from it in as many
    designations as it can (weights seeded by `seed`; docs/alternatives.md). Writes `out`/alternatives.csv,
    alternatives_metrics.csv, alternatives.html, alternatives_map.html, optimum/ and alternatives/a01/ …; returns
    alternatives.csv (every designation, the layouts sharing it, its class: must-have, frequent, negotiable), with
    `.attrs["metrics"]` (the layouts side by side) and `.attrs["summary"]` (the lines the command prints). A rerun
    resumes; `batch` as `Batch`."""
    from layout.batch.alternatives import alternatives as near_optimal

    return near_optimal(file, out, slack=slack, count=count, seed=seed, **_batch(batch))


def serve(
    file: str | Path | None = None,
    *,
    port: int = 8765,
    host: str | None = None,
    open_browser: bool = False,
    workspace: str | Path | None = None,
    lang: str | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """`layout serve`: the workbench for a constraint file (default ./scenario.yaml, started from a text extending
    the shipped default when it does not exist yet) at http://127.0.0.1:PORT/ until interrupted: edit, solve,
    redraw, every run kept in `workspace` (default: `<file name>.runs/` beside it). `host`: listen there instead of
    loopback, every request then needing the access token printed at start. `say` gets the lines to print."""
    from layout.workbench.serve import serve as run

    with using(lang):
        run(
            Path(file if file is not None else "scenario.yaml"),
            port=port,
            host=host,
            open_browser=open_browser,
            workspace=Path(workspace) if workspace is not None else None,
            lang=lang,
            say=say,
        )


def watch(
    file: str | Path,
    out: str | Path = "results",
    *,
    lang: str | None = None,
    solved: Callable[[Result], None] | None = None,
    failed: Callable[[LayoutError], None] | None = None,
    say: Callable[[str], None] = print,
    progress: Callable[[str], None] | None = None,
    on_progress: Callable[[SolverProgress], None] | None = None,
    warn: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """`layout watch`: solve a constraint file into the results folder `out` now and again on every save, until
    interrupted (Ctrl-C: KeyboardInterrupt) or `stop` is set. Each save is `solve(file, out=out, force=True)`: a save
    that does not load or solve leaves the last good `out` as it was. After each good solve `solved(result)` is
    called (default: `say` its repr), then `say` with the changes from the previous good run (`compare_text`); a
    failed save calls `failed(error)` (default: `say` its text). Its map.html reloads itself in an open browser after
    each good solve (`write_map(live=)`, DIR/reload.js). `say` gets every line to print; `progress`, `on_progress`,
    `warn` and `lang` as `solve`'s. InputError, before solving, for an `out` that may not be replaced (a folder that
    is not an earlier result of this program) or a `file` that is a folder."""
    from layout.workbench.watch import watch as run

    def solve_file(path: Path) -> Result:
        return solve(path, out=out, force=True, progress=progress, on_progress=on_progress, warn=warn, lang=lang)

    with using(lang):
        run(
            Path(file),
            Path(out),
            solve=solve_file,
            live_map=lambda folder, stamp: write_map(folder, lang=lang, live=stamp),
            compare=lambda a, b: compare_text(a, b, lang=lang),
            solved=solved or (lambda result: say(repr(result))),
            failed=failed or (lambda error: say(str(error))),
            say=say,
            lang=lang,
            stop=stop,
        )
