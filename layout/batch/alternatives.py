"""Near-optimal alternatives: layouts almost as good as the optimum that differ from it as much as they can (MGA).

Modelling to generate alternatives, in the spirit of PyPSA's MGA and Calliope's SPORES (docs/model.md, "Near-optimal
alternatives"). A designation is a region–industry pair r, i with d_r_i = y_r_i + h_r_i + sum_{g∋r} z_g_i = 1 (the
region takes part in a cluster of i, in any tier; `LayoutModel.designation`). With f the scenario's full objective
(the expression `build_model` sets, never rebuilt here, plus the constant c it leaves out: rho_rem |R| with a
reference layout, `layout.model.core.objective_constant`, else 0) and f* the optimum's value of it:

  near_optimal:  f(x) - e <= f* + slack |f*|      (relative to |f*|, so it holds for negative objectives;
                                                   with f* = 0 the slack is absolute: f(x) <= slack; the row holds
                                                   the model's expression, f - c, against the limit less c)
  alternative k: maximise sum_ri w^k_ri diff_ri,  diff_ri = 1 - d_r_i where the optimum designates r, i, else d_r_i
                 (linear: the optimum's designations D* are fixed numbers), i.e. minimise
                 sum_{ri in D*} w_ri d_r_i - sum_{ri not in D*} w_ri d_r_i  + t f + M e
                 (t f: a tie-break, below; M e: the excess e >= 0 priced at M = 1000 sum w)

The excess e makes every layout feasible, so the solver holds a layout from the start and its improvement heuristics
work from it (with a hard row, HiGHS found no layout in 120 s for three of eight alternatives of the default, measured
before the balance fix; with e, seven of eight were proved optimal and the first stopped at 120 s within 0.12 % of its
bound, and on today's default all eight are proved optimal: docs/alternatives.md). Its price outweighs a difference only where e exceeds about 1/(1000 n), n the
designations weighed: a search may prefer a layout a hair above the limit (1.8e-5 has been seen) to one fewer
difference. So a search ending with e > 0 is solved once more with e fixed at 0 (the row hard); the optimum's
designations always meet it, so that ends with a layout within the slack (the optimum's designations again when the
slack admits no other) unless the solver stops at its time limit (LimitError) or fails.

Weights: a01 weighs every designation 1 — it is the first step of Hop-Skip-Jump, the layout within the slack with the
most designations differing from the optimum. a02 … draw w_ri uniformly from [0, 1) with numpy's generator seeded by
(seed, k): each pulls towards different changes. Every alternative depends only on the optimum, the slack, the seed
and its number, never on the others, so they are solved in parallel (the local pool or Dask, `layout.batch.sweep.
execute`) and the answer does not depend on the number of workers or the order they finish in. The sequential
Hop-Skip-Jump (alternative k maximising its differences from the optimum and from alternatives 1 … k-1) would make
every solve wait for the one before; random directions trade that for parallel runs, and two alternatives can land on
the same layout (alternatives_metrics.csv says which: `same_as`). The tie-break t = 1e-3 min(w) / max(1, f_max - f*)
picks, among layouts that differ equally, the one with the lower objective, and never outweighs one difference.

Once the designations are chosen, they are fixed and the capacities re-optimised for the scenario's objective f (an
LP), so an alternative's capacities are the best its designations allow and its objective is f of that layout.

Folder DIR: scenario.yaml (the fully resolved scenario every layout solves), optimum/ (its results folder, as
`layout solve` writes it), alternatives/a01/ … (a results folder each, with metrics.json `alternative`), alternatives.
csv (every designation of any layout: how many distinct layouts share it, its class; an alternative repeating an
earlier layout's designations counts once), alternatives_metrics.csv (the optimum and every alternative side by
side, objectives full: the solver's plus c), alternatives.html (the tables), alternatives_map.html (the share of
distinct layouts designating each region–industry, `layout.views.maps.robustness`), alternatives.json (the
settings; a rerun with the same ones resumes, skipping finished alternatives).
"""

from __future__ import annotations

import html
import json
import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pulp

from layout.batch.sweep import (
    Bar,
    ProgressArg,
    batch_scenario,
    check_execution,
    check_readable,
    execute,
    guarded,
    joined,
    status_name,
    write_csv,
    write_text,
)
from layout.errors import COMMAND_LINE, InfeasibleError, InputError, LayoutError, Problem
from layout.language import current, marked, resolve, tr, translate, trn, using
from layout.model.core import LE, LayoutModel, RowInfo, objective_constant
from layout.model.families import build_model
from layout.model.instance import Instance
from layout.results.folder import (
    ALTERNATIVES_CSV,
    ALTERNATIVES_DIR,
    ALTERNATIVES_HTML,
    ALTERNATIVES_JSON,
    ALTERNATIVES_MAP_HTML,
    ALTERNATIVES_METRICS_CSV,
    METRICS_JSON,
    OPTIMUM_DIR,
    SCENARIO_YAML,
    ResultsFolder,
    load_json,
)
from layout.results.metrics import METRICS
from layout.results.staging import Kind, check_out, holds_out, os_problem, remove_result, write_file
from layout.words import figure, number

if TYPE_CHECKING:
    from layout.model.solve import SolveResult
    from layout.pipeline import Options

ALTERNATIVES_KIND = Kind(
    ALTERNATIVES_JSON,
    frozenset(
        {
            ALTERNATIVES_JSON,
            ALTERNATIVES_CSV,
            ALTERNATIVES_METRICS_CSV,
            ALTERNATIVES_HTML,
            ALTERNATIVES_MAP_HTML,
            SCENARIO_YAML,
            OPTIMUM_DIR,
            ALTERNATIVES_DIR,
        }
    ),
)
MUST_HAVE, FREQUENT, NEGOTIABLE = "must-have", "frequent", "negotiable"
CLASSES = (MUST_HAVE, FREQUENT, NEGOTIABLE)
CLASS_NAMES = {MUST_HAVE: marked("must-have"), FREQUENT: marked("frequent"), NEGOTIABLE: marked("negotiable")}  # shown
MAX_COUNT = 999
TOL = 1e-6  # the near_optimal row's allowance for rounding, times max(1, |f*|)
TIE = 1e-3
EXCESS = 1e3  # M = EXCESS sum w: the price of the excess e over the objective's limit


# ---------------------------------------------------------------- the near-optimal model


def objective_limit(optimum: float, slack: float) -> float:
    """The most an alternative's objective may be: f* + slack |f*|, or slack itself when f* = 0 (absolute). f* is
    the full objective (the solver's plus `objective_constant`), in objective units."""
    return optimum + slack * abs(optimum) if optimum != 0 else slack


def weights(pairs: list[tuple[str, str]], k: int, seed: int) -> list[float]:
    """w^k: 1 for every pair for the first alternative; uniform on [0, 1) from numpy's generator seeded by (seed, k)
    for the others (in the order of `pairs`, the model's region–industry order)."""
    if k == 1:
        return [1.0] * len(pairs)
    return np.random.default_rng([seed, k]).uniform(0.0, 1.0, len(pairs)).tolist()


def add_near_optimal(m: LayoutModel, limit: float, scale: float) -> tuple[pulp.LpAffineExpression, pulp.LpVariable]:
    """near_optimal: f(x) - e <= limit (+ TOL scale), f the objective `build_model` set, e >= 0 the excess (priced by
    `set_difference_objective`). Returns f (a copy) and e."""
    f = pulp.LpAffineExpression(m.prob.objective)
    e = m.var("near_optimal_excess")
    name = m.row(RowInfo("near_optimal"), [*f.items(), (e, -1.0)], LE, limit + TOL * max(1.0, scale))
    m.prob.extend({name: m.rows[name]})
    return f, e


def set_difference_objective(
    m: LayoutModel,
    reference: set[tuple[str, str]],
    w: list[float],
    f: pulp.LpAffineExpression,
    excess: pulp.LpVariable,
    spread: float,
) -> None:
    """minimise sum_{ri in D*} w_ri d_ri - sum_{ri not in D*} w_ri d_ri + t f + M e (module docstring), with
    t = TIE min(w) / max(1, spread), spread the most f may rise above the optimum, and M = EXCESS sum w."""
    coef: dict[str, list] = {}

    def add(v: pulp.LpVariable, c: float) -> None:
        coef.setdefault(v.name, [v, 0.0])[1] += c

    for (r, i), wi in zip(m.x, w):
        sign = 1.0 if (r, i) in reference else -1.0
        for v, c in m.designation(r, i):
            add(v, sign * wi * c)
    tie = TIE * min(w, default=1.0) / max(1.0, spread)
    for v, c in f.items():
        add(v, tie * c)
    add(excess, EXCESS * max(1.0, sum(w)))
    m.prob.setObjective(pulp.LpAffineExpression([(v, c) for v, c in coef.values() if c != 0]))


def fix_designations(m: LayoutModel, f: pulp.LpAffineExpression, excess: pulp.LpVariable) -> None:
    """Fix every integer column at its rounded value, the excess at 0, and put the scenario's objective back (the
    capacities' LP)."""
    for v in m.columns:
        if v.cat == pulp.LpInteger:
            v.lowBound = v.upBound = float(round(v.varValue or 0.0))
    excess.upBound = 0.0
    m.prob.setObjective(f)


def designations(layout: pd.DataFrame) -> set[tuple[str, str]]:
    """The (region, industry) pairs a layout table designates (its rows: each holds capacity)."""
    return {(str(r), str(i)) for r, i in zip(layout["region_code"], layout["industry"])}


def solve_alternative_model(
    inst: Instance,
    reference: set[tuple[str, str]],
    optimum: float,
    slack: float,
    k: int,
    seed: int,
    solver: str,
    time_limit: float | None,
    gap: float,
) -> tuple[LayoutModel, SolveResult, SolveResult]:
    """Build the model, add near_optimal, maximise the weighted differences (once more with the excess fixed at 0
    if the search ends above the limit), then fix the designations and re-optimise the capacities. `optimum` is the
    full objective f* (objective units). Returns (model with the final values, the search's result, the final
    result). Raises LimitError when a limit stopped a solve with no layout, InfeasibleError when the solver proves
    no layout within the slack, LayoutError when a solve failed."""
    from layout.model.solve import INFEASIBLE, solve, solver_failure

    m = build_model(inst)
    limit = objective_limit(optimum, slack)
    f, excess = add_near_optimal(m, limit - objective_constant(inst), abs(optimum))
    set_difference_objective(m, reference, weights(list(m.x), k, seed), f, excess, limit - optimum)
    search = solve(m, solver, time_limit, gap)
    if not search.has_layout:  # every layout is feasible (the excess): only a solver failure ends here
        raise solver_failure(solver, search, tr("for a near-optimal alternative"))
    over = excess.varValue or 0.0
    if over > TOL * max(1.0, abs(optimum)):  # a difference outweighed the price of a tiny excess: the row made hard
        excess.upBound = 0.0
        again = solve(m, solver, time_limit, gap)  # LimitError if its time limit stops it with no layout
        if again.status == INFEASIBLE:
            raise InfeasibleError(
                tr(
                    "{solver} found no layout with objective at most {limit} once the excess was fixed at 0 "
                    "({detail}); the search's best layout exceeded it by {excess}",
                    solver=solver,
                    limit=number(limit),
                    detail=again.message,
                    excess=number(over),
                )
            )
        if not again.has_layout:
            raise solver_failure(solver, again, tr("re-solving a near-optimal alternative with its slack row hard"))
        search = replace(
            again,
            seconds=search.seconds + again.seconds,
            message=tr(
                "{detail}, re-solved with the excess fixed at 0: the first search ({first}) ended {excess} above the "
                "limit",
                detail=again.message,
                first=search.message,
                excess=number(over),
            ),
        )
    fix_designations(m, f, excess)
    final = solve(m, solver, time_limit, 0.0)
    if not final.has_layout:
        raise solver_failure(solver, final, tr("re-optimising the capacities of a near-optimal alternative"))
    return m, search, final


# ---------------------------------------------------------------- one alternative (runs in a worker)


@dataclass(frozen=True)
class AlternativeTask:
    """One alternative: the resolved scenario file, where to write, the optimum's designations and full objective."""

    id: str
    k: int
    scenario: str
    folder: str
    reference: tuple[tuple[str, str], ...]
    optimum: float
    slack: float
    seed: int
    options: dict = field(default_factory=dict)


def solve_alternative(task: AlternativeTask) -> dict:
    """Solve one alternative and write its results folder (`layout.pipeline.write_run`: data, map and report, as
    `layout solve` writes them, metrics.json with `alternative`); return {id, status, message, seconds}."""
    from layout.analysis.shortfall import missed_industries
    from layout.model.solve import model_size, scenario_time_limit
    from layout.pipeline import PeriodRun, Run, input_files, prepare, solve_metrics, write_run
    from layout.results.baseline import baseline_layout
    from layout.results.layouts import solution_layout

    def body() -> str:
        check_readable(task.scenario)
        with using(task.options.get("language")):  # the batch's language, whatever this worker's locale
            return solved()

    def solved() -> str:
        t0 = time.perf_counter()
        spec, regions, inst = prepare(task.scenario, task.options.get("language"))
        cfg = spec.scenario.solver
        solver = task.options.get("solver") or cfg.name
        time_limit = task.options.get("time_limit")
        time_limit = scenario_time_limit(spec) if time_limit is None else time_limit
        gap = cfg.gap if task.options.get("gap") is None else task.options["gap"]
        reference = set(task.reference)
        t1 = time.perf_counter()
        m, search, final = solve_alternative_model(
            inst, reference, task.optimum, task.slack, task.k, task.seed, solver, time_limit, gap
        )
        layout = solution_layout(m)
        base = baseline_layout(inst)
        result = replace(
            final,
            status=search.status,
            seconds=search.seconds + final.seconds,
            message=tr(
                "near-optimal alternative: the search ended {detail}; the capacities re-optimised with its "
                "designations fixed",
                detail=search.message,
            ),
        )
        metrics = solve_metrics(spec, inst, result, model_size(m), layout, base)
        missed = missed_industries(m)
        if missed:  # not diagnosed per alternative: its fixed designations are part of what holds a target back
            metrics["targets_missed"] = {
                "industries": missed,
                "held_back_by": [
                    tr(
                        "the scenario's rules with this alternative's designations; `layout solve` on the scenario "
                        "alone names the rules that hold a target back"
                    )
                ],
                "found_by": "undecided",
            }
        limit = objective_limit(task.optimum, task.slack)
        constant = objective_constant(inst)
        metrics["alternative"] = {
            "id": task.id,
            "slack": task.slack,
            "slack_is": "relative to |optimum|" if task.optimum != 0 else "absolute (the optimum is 0)",
            "objective": None if final.objective is None else final.objective + constant,
            "optimum_objective": task.optimum,
            "objective_limit": round(limit, 9),
            "objective_constant": constant,
            "objectives_are": "full: the solver's objective plus objective_constant (rho_rem |R| with a reference "
            "layout, which the solver leaves out)",
            "weights": "every designation 1" if task.k == 1 else f"uniform [0, 1), seed ({task.seed}, {task.k})",
            "differing_designations": len(designations(layout) ^ reference),
            "search": {"status": search.status, "objective": search.objective, "gap": search.gap},
            "formulation": "maximise the weighted designations that differ from the optimum subject to objective "
            "<= objective_limit, then the capacities re-optimised with the designations fixed "
            "(layout.batch.alternatives)",
        }
        run = Run(
            spec,
            regions,
            inst,
            m,
            result,
            layout,
            base,
            metrics,
            {"load": t1 - t0, "solve": result.seconds},
            [PeriodRun(inst, m, result, layout, base, metrics, None)],
            {"name": solver, "time_limit": time_limit, "gap": gap},
            input_files(spec, regions),
        )
        run.solving = time.perf_counter() - t0
        run.language = resolve(task.options.get("language"), spec.scenario.language)
        write_run(run, Path(task.folder), True, geopackage=False)  # a point of a batch: no layout.gpkg
        write_file(Path(task.folder) / SCENARIO_YAML, Path(task.scenario).read_bytes())  # listed in its manifest
        return result.status

    return guarded(task.id, body)


# ---------------------------------------------------------------- the tables


def share_table(layouts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """alternatives.csv: every designation of any layout (`layouts`: id -> layout table, the optimum first) with its
    tier in the optimum; `layouts`, `layouts_designated`, the share and the class count distinct layouts (an
    alternative with the same designations as an earlier layout counts once): must-have (in every one), frequent
    (in at least half), negotiable (the others); `alternatives_designated` counts every alternative, repeats too."""
    ids = list(layouts)
    optimum = layouts[ids[0]]
    tier = {(str(r.region_code), str(r.industry)): str(r.tier) for r in optimum.itertuples()}
    names: dict[tuple[str, str], tuple[str, str]] = {}
    distinct: dict[tuple[str, str], int] = {}
    alternatives: dict[tuple[str, str], int] = {}
    seen: set[frozenset[tuple[str, str]]] = set()
    for lid, table in layouts.items():
        for r in table.itertuples():
            names.setdefault((str(r.region_code), str(r.industry)), (str(r.region_name), str(r.industry_name)))
        mine = frozenset(designations(table))
        for key in mine:
            if lid != ids[0]:
                alternatives[key] = alternatives.get(key, 0) + 1
            if mine not in seen:
                distinct[key] = distinct.get(key, 0) + 1
        seen.add(mine)
    n = len(seen)
    rows = []
    for key, c in distinct.items():
        rows.append(
            {
                "region_code": key[0],
                "region_name": names[key][0],
                "industry": key[1],
                "industry_name": names[key][1],
                "tier_in_optimum": tier.get(key, ""),
                "in_optimum": key in tier,
                "alternatives_designated": alternatives.get(key, 0),
                "layouts": n,
                "layouts_designated": c,
                "share_designated": round(c / n, 6),
                "class": MUST_HAVE if c == n else FREQUENT if 2 * c >= n else NEGOTIABLE,
            }
        )
    columns = ["region_code", "region_name", "industry", "industry_name", "tier_in_optimum", "in_optimum"]
    columns += ["alternatives_designated", "layouts", "layouts_designated", "share_designated", "class"]
    table = pd.DataFrame(rows, columns=columns)
    table["order"] = table["class"].map(CLASSES.index)
    table = table.sort_values(
        ["order", "share_designated", "region_code", "industry"], ascending=[True, False, True, True]
    )
    return table.drop(columns="order").reset_index(drop=True)


def metrics_row(
    lid: str, folder: Path, rel: str, optimum: float | None, reference: set, seen: dict, constant: float = 0.0
) -> dict:
    """A row of alternatives_metrics.csv from a solved layout's folder: the full objective (the solver's plus
    `constant`, `objective_constant`), against the optimum's full objective, designations differing from it, the
    layout it repeats (`seen`: designations -> id, updated), the headline metrics."""
    point = ResultsFolder(folder)
    m, table = point.metrics, point.assignment
    objective = m["solver"]["objective"]
    if objective is not None:
        objective += constant
    mine = frozenset(designations(table))
    same = seen.setdefault(mine, lid)
    message = ""
    if lid != OPTIMUM_DIR and mine == reference:
        search = (m.get("alternative") or {}).get("search") or {}
        message = tr(
            "repeats the optimum: the search ({status}) found no layout within the slack that differs from it",
            status=status_name(search["status"]) if search.get("status") else tr("status unknown"),
        )
    vs = None
    if objective is not None and optimum:
        vs = round(100 * (objective - optimum) / abs(optimum), 4)
    elif objective is not None:
        vs = 0.0 if objective == optimum else None
    row = {
        "layout": lid,
        "status": m["solver"]["status"],
        "message": message,
        "objective": objective,
        "objective_vs_optimum_pct": vs,
        "designations": len(mine),
        "differ_from_optimum": len(mine ^ reference),
        "same_as": "" if same == lid else same,
    }
    row.update({k.key: m["optimised"].get(k.key) for k in METRICS})
    row["folder"] = rel
    return row


# ---------------------------------------------------------------- the run


def _check(slack: float, count: int, seed: int) -> None:
    problems = []
    if not (isinstance(slack, (int, float)) and math.isfinite(slack) and slack >= 0):
        problems.append(
            Problem(
                COMMAND_LINE, None, "--slack", "a relative slack >= 0 (0.05: within 5 % of the optimum)", str(slack)
            )
        )
    if not 1 <= count <= MAX_COUNT:
        problems.append(Problem(COMMAND_LINE, None, "--count", f"1 to {MAX_COUNT} alternatives", str(count)))
    if seed < 0:
        problems.append(Problem(COMMAND_LINE, None, "--seed", "a whole number >= 0", str(seed)))
    if problems:
        raise InputError(problems)


@holds_out("out_dir")  # DIR is locked for the whole run: a second run into it fails (exit 2)
def alternatives(
    file: str | Path | None,
    out_dir: str | Path,
    slack: float = 0.05,
    count: int = 8,
    seed: int = 0,
    force: bool = False,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    dask_local: int | None = None,
    progress: ProgressArg = True,
    options: Options | None = None,
) -> pd.DataFrame:
    """Solve the optimum, then `count` near-optimal alternatives within `slack` (module docstring) into DIR.

    Returns alternatives.csv as a table; `.attrs`: `metrics` (alternatives_metrics.csv), `summary` (the lines
    `layout alternatives` prints), `solved_now`, `skipped`, `failed`, `seconds` (wall time of this call). A rerun
    with the same scenario, slack, count, seed and solver settings resumes; with others, DIR's finished layouts are
    refused unless `force`. Raises InputError (bad slack, count, seed, scenario or folder), InfeasibleError or
    LimitError (the optimum)."""
    from layout.pipeline import Options, input_files, prepare, solve_scenario

    t0 = time.perf_counter()
    _check(slack, count, seed)
    out_dir = Path(out_dir)
    chosen = options.language if options is not None else None
    spec, regions, inst = prepare(file, chosen)
    lang = resolve(chosen, spec.scenario.language)  # --lang, else the file's `language:`: its layouts and pages
    with using(lang):
        text, opts = batch_scenario(
            spec,
            options,
            f"# Scenario of the near-optimal alternatives from {Path(spec.file).resolve()}",
            "alternatives are",
        )
        key = {"scenario_text": text, "slack": slack, "count": count, "seed": seed}
        check_execution(workers, dask_scheduler, dask_local)
        check_out(out_dir, False, kind=ALTERNATIVES_KIND, inputs=input_files(spec, regions))
        adir, odir = out_dir / ALTERNATIVES_DIR, out_dir / OPTIMUM_DIR
        marker = out_dir / ALTERNATIVES_JSON
        earlier = (
            load_json(marker, "an alternatives folder written by `layout alternatives`") if marker.is_file() else None
        )
        finished = (odir / METRICS_JSON).is_file() or (
            adir.is_dir() and any((f / METRICS_JSON).is_file() for f in adir.iterdir())
        )
        if (earlier is None or earlier.get("key") != key) and finished:
            if not force:
                raise InputError(
                    Problem(
                        str(out_dir),
                        None,
                        "--out",
                        "the same alternatives to resume, a new folder, or --force to recompute them",
                        "the finished layouts of other alternatives (scenario, slack, count, seed or solver settings)",
                    )
                )
            for f in [
                odir,
                *(sorted(adir.iterdir()) if adir.is_dir() else []),
            ]:  # only results folders this program wrote
                if f.is_dir() and not f.name.startswith("."):
                    remove_result(f)
        try:
            adir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise InputError(os_problem(e, out_dir, "--out")) from None
        scenario_file = out_dir / SCENARIO_YAML
        write_text(scenario_file, text)
        write_text(
            marker,
            json.dumps(
                {"program": "cluster-layout", "key": key, "scenario_file": str(Path(spec.file).resolve())},
                indent=2,
                ensure_ascii=False,
            )
            + "\n",
        )

        skipped: list[str] = []
        if (odir / METRICS_JSON).is_file():
            skipped.append(OPTIMUM_DIR)
        else:
            if progress is True:
                from rich.console import Console

                Console(stderr=True).print(f"[dim]{tr('… solving the optimum')}[/]")
            solve_scenario(scenario_file.resolve(), odir, Options(force=True, language=lang, **opts))
            write_file(odir / SCENARIO_YAML, scenario_file.read_bytes())  # listed in its manifest
        best = ResultsFolder(odir)
        optimum = best.metrics["solver"]["objective"]
        if optimum is None:
            raise LayoutError(f"the optimum in {odir} has no objective value")
        constant = objective_constant(inst)
        optimum += constant  # the full objective: the slack and every objective reported are on it
        reference = designations(best.assignment)

        width = max(2, len(str(count)))
        ids = [f"a{k:0{width}d}" for k in range(1, count + 1)]
        tasks: list[Any] = [
            AlternativeTask(
                aid,
                k,
                str(scenario_file.resolve()),
                str((adir / aid).resolve()),
                tuple(sorted(reference)),
                optimum,
                slack,
                seed,
                {**opts, "language": lang},  # solved in the language of the alternatives
            )
            for k, aid in enumerate(ids, start=1)
            if not (adir / aid / METRICS_JSON).is_file()
        ]
        skipped += [a for a in ids if (adir / a / METRICS_JSON).is_file()]
        failures: dict[str, dict] = {}
        label = tr("alternatives: {todo} of {total} to solve", todo=len(tasks), total=count)
        with Bar(progress, len(tasks), label) as bar:
            for result in execute(
                solve_alternative, tasks, workers=workers, dask_scheduler=dask_scheduler, dask_local=dask_local
            ):
                if not (adir / result["id"] / METRICS_JSON).is_file():
                    failures[result["id"]] = result
                bar.advance(result)

        layouts = {OPTIMUM_DIR: best.assignment}
        seen: dict[frozenset, str] = {}
        rows = [metrics_row(OPTIMUM_DIR, odir, OPTIMUM_DIR, optimum, reference, seen, constant)]
        for aid in ids:
            folder = adir / aid
            if (folder / METRICS_JSON).is_file():
                rows.append(metrics_row(aid, folder, f"{ALTERNATIVES_DIR}/{aid}", optimum, reference, seen, constant))
                layouts[aid] = ResultsFolder(folder).assignment
            else:
                failure = failures.get(aid, {})
                rows.append(
                    {"layout": aid, "status": failure.get("status", "not run"), "message": failure.get("message", "")}
                )
        metrics = pd.DataFrame(rows, columns=list(rows[0]))
        shares = share_table(layouts)
        write_csv(out_dir / ALTERNATIVES_CSV, shares)
        write_csv(out_dir / ALTERNATIVES_METRICS_CSV, metrics)
        distinct = {r["layout"]: out_dir / r["folder"] for r in rows if "folder" in r and not r["same_as"]}
        write_text(out_dir / ALTERNATIVES_MAP_HTML, alternatives_map(out_dir, distinct))
        seconds = time.perf_counter() - t0
        about = {
            "scenario": str(best.metrics["scenario"]["name"]),
            "optimum": optimum,
            "limit": objective_limit(optimum, slack),
            "slack": slack,
            "seed": seed,
            "count": count,
        }
        write_text(out_dir / ALTERNATIVES_HTML, alternatives_html(shares, metrics, about))
        shares.attrs.update(
            metrics=metrics,
            summary=summary_lines(shares, metrics, about, seconds, out_dir),
            solved_now=sorted({t.id for t in tasks} - set(failures)),
            skipped=skipped,
            failed=sorted(failures),
            seconds=round(seconds, 3),
            language=lang,
        )
        return shares


def alternatives_map(out_dir: Path, distinct: dict[str, Path]) -> str:
    """alternatives_map.html: the shares of alternatives.csv over the `distinct` layouts (id -> results folder, the
    optimum first), as the robustness map draws them."""
    from layout.views.maps.robustness import ALTERNATIVE_COUNTS, load_shares, render_shares

    counted = replace(ALTERNATIVE_COUNTS, noun="distinct layout", unit="distinct layout")  # words: the map's
    return render_shares(load_shares(out_dir, out_dir / ALTERNATIVES_CSV, distinct, len(distinct), counted))


def _slack_words(about: dict) -> str:
    if about["optimum"] == 0:
        return tr("objective at most {limit} (absolute slack: the optimum is 0)", limit=number(about["limit"]))
    return tr(
        "within {percent} % of the optimum's objective ({optimum}, at most {limit})",
        percent=number(100 * about["slack"]),
        optimum=number(about["optimum"]),
        limit=number(about["limit"]),
    )


def _named(shares: pd.DataFrame) -> list[str]:
    return [f"{r.region_name} {r.industry}" for r in shares.itertuples()]


def summary_lines(shares: pd.DataFrame, metrics: pd.DataFrame, about: dict, seconds: float, out_dir: Path) -> list[str]:
    """What `layout alternatives` prints: alternatives found, slack, wall time; must-have count; negotiable named."""
    alts = metrics[metrics["layout"] != OPTIMUM_DIR]
    solved = alts[alts["status"].isin(["optimal", "feasible"])]
    distinct = int((solved["same_as"] == "").sum()) if len(solved) else 0
    must = shares[shares["class"] == MUST_HAVE]
    negotiable = shares[shares["class"] == NEGOTIABLE]
    zh = current() == "zh"
    named = (("：" if zh else ": ") + joined(_named(negotiable)[:6])) if len(negotiable) else ""
    more = tr(", … (all in {file})", file=ALTERNATIVES_CSV) if len(negotiable) > 6 else ""
    lines = [
        trn(
            "{n} alternative of {count} found {slack}, {distinct} distinct from one another; {seconds} s",
            "{n} alternatives of {count} found {slack}, {distinct} distinct from one another; {seconds} s",
            len(solved),
            count=about["count"],
            slack=_slack_words(about),
            distinct=distinct,
            seconds=f"{seconds:.1f}",
        ),
        trn(
            "must-have: {must} of {n} designation are in every layout",
            "must-have: {must} of {n} designations are in every layout",
            len(shares),
            must=number(len(must)),
        ),
        trn(
            "negotiable: {n} designation in fewer than half of the distinct layouts",
            "negotiable: {n} designations in fewer than half of the distinct layouts",
            len(negotiable),
        )
        + named
        + more,
    ]
    failed = alts[~alts["status"].isin(["optimal", "feasible"])]
    for r in failed.itertuples():
        lines.append(
            tr("{layout}: {status} {detail}", layout=r.layout, status=status_name(r.status), detail=r.message).rstrip()
        )
    stopped = solved[solved["status"] == "feasible"]  # within the slack, but the search for differences stopped early
    if len(stopped):
        lines.append(
            tr(
                "stopped by a limit before proving it differs the most: {layouts} (within the slack all the same; "
                "allow more time with --time-limit)",
                layouts=joined(map(str, stopped["layout"])),
            )
        )
    lines.append(
        tr(
            "written to {folder}/ ({shares}, {metrics}, {page}, {map}, {optimum}/, {alternatives}/)",
            folder=out_dir,
            shares=ALTERNATIVES_CSV,
            metrics=ALTERNATIVES_METRICS_CSV,
            page=ALTERNATIVES_HTML,
            map=ALTERNATIVES_MAP_HTML,
            optimum=OPTIMUM_DIR,
            alternatives=ALTERNATIVES_DIR,
        )
    )
    return lines


# ---------------------------------------------------------------- the page


def _cell(v: Any, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    return figure(v, digits)


def alternatives_html(shares: pd.DataFrame, metrics: pd.DataFrame, about: dict) -> str:
    """alternatives.html: self-contained (no script, no external file); every text from the data escaped."""
    e = html.escape
    title = tr("{scenario}: near-optimal alternatives", scenario=about["scenario"])
    head = [tr("layout"), tr("status"), tr("objective"), tr("vs optimum"), tr("designations")]
    head += [tr("differ from optimum"), tr("same as")]
    head += [translate(m.label) for m in METRICS]
    rows = []
    for r in metrics.to_dict("records"):
        folder = r.get("folder")
        name = e(tr("optimum") if r["layout"] == OPTIMUM_DIR else str(r["layout"]))  # the folder keeps its code
        link = f'<a href="{e(str(folder))}/report.html">{name}</a>' if isinstance(folder, str) and folder else name
        vs = r.get("objective_vs_optimum_pct")
        cells = [
            link,
            e(status_name(str(r["status"]))),
            _cell(r.get("objective"), 4),
            "—" if vs is None or (isinstance(vs, float) and math.isnan(vs)) else f"{vs:+.2f} %",
            _cell(r.get("designations"), 0),
            _cell(r.get("differ_from_optimum"), 0),
            e(str(r.get("same_as") or "")),
        ]
        cells += [_cell(r.get(m.key), m.digits) for m in METRICS]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    sections = []
    words = {
        MUST_HAVE: tr("in every layout: every good layout shares them."),
        FREQUENT: tr("in at least half of the distinct layouts."),
        NEGOTIABLE: tr("in fewer than half: interchangeable, the ones to negotiate."),
    }
    for cls in CLASSES:
        part = shares[shares["class"] == cls]
        body = "".join(
            f"<tr><td>{e(tr('{name} ({code})', name=str(r.region_name), code=str(r.region_code)))}</td>"
            f"<td>{e(tr('{name} ({code})', name=str(r.industry_name), code=str(r.industry)))}</td>"
            f"<td>{e(translate(str(r.tier_in_optimum))) or '—'}</td>"
            f"<td>{e(tr('{n} of {total}', n=int(r.layouts_designated), total=int(r.layouts)))}</td>"
            f"<td>{int(r.alternatives_designated)}</td></tr>"
            for r in part.itertuples()
        )
        heading = trn("{cls}: {n} designation", "{cls}: {n} designations", len(part), cls=translate(CLASS_NAMES[cls]))
        columns = [tr("region"), tr("industry"), tr("tier in the optimum"), tr("distinct layouts"), tr("alternatives")]
        sections.append(
            f"<h2>{e(heading)}</h2><p>{e(words[cls])}</p>"
            + (
                "<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in columns) + f"</tr>{body}</table>"
                if len(part)
                else ""
            )
        )
    links = {
        "map": f'<a href="{ALTERNATIVES_MAP_HTML}">{ALTERNATIVES_MAP_HTML}</a>',
        "shares": ALTERNATIVES_CSV,
        "metrics": ALTERNATIVES_METRICS_CSV,
    }
    about_page = trn(
        "The optimum and {n} alternative {slack}.",
        "The optimum and {n} alternatives {slack}.",
        about["count"],
        slack=_slack_words(about),
    )
    how = tr(
        "Each alternative maximises the designations (region–industry pairs) that differ from the optimum: a01 counts "
        "every designation alike, the others weigh them by seeded random weights (seed {seed}), so each looks in "
        "another direction; their capacities are then re-optimised for the scenario's objective. The classes count "
        "distinct layouts: an alternative with the same designations as an earlier layout counts once "
        '("alternatives" counts every alternative designating it).',
        seed=about["seed"],
    )
    files = e(tr("Map: {map}; tables: {shares}, {metrics}.", **{k: "\0" + k for k in links}), quote=False)
    for k, v in links.items():  # our own markup, placed after escaping the sentence around it
        files = files.replace("\0" + k, v)
    gap = "" if current() == "zh" else " "
    return f"""<!DOCTYPE html>
<html lang="{current()}"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}}
table{{border-collapse:collapse;margin:8px 0 16px}} td,th{{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}}
h1{{font-size:18px}} h2{{font-size:16px;margin-top:20px}}
</style></head><body>
<h1>{e(title)}</h1>
<p>{e(about_page)}{gap}{e(how, quote=False)}{gap}{files}</p>
<h2>{e(tr("The layouts side by side"))}</h2>
<table><tr>{"".join(f"<th>{e(h)}</th>" for h in head)}</tr>
{chr(10).join(rows)}
</table>
{chr(10).join(sections)}
</body></html>
"""


__all__ = [
    "alternatives",
    "alternatives_html",
    "solve_alternative",
    "solve_alternative_model",
    "add_near_optimal",
    "set_difference_objective",
    "fix_designations",
    "objective_limit",
    "weights",
    "share_table",
    "summary_lines",
    "AlternativeTask",
    "CLASSES",
]
