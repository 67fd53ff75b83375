"""The homogeneity–efficiency Pareto front by the ε-constraint method.

Criteria (every one read from a layout, so any result folder can be placed on the plot):
  H  homogeneity  = weighted neighbour duplications = sum((1 - kappa) u + kappa w)
                    (metrics.json optimised.duplications_weighted; lower is better)
  overcapacity    = sum_i max(0, sum_r x_r_i - D_i) / D_i   (capacity beyond targets, in targets; lower is better)
  advantage       = sum_ri score_r_i x_r_i / D_i             (comparative advantage of the capacity; higher is better)

Each front point solves the scenario's model (`layout.model.families.build_model`: every hard constraint as in
the file) with one row added and the objective replaced:
  pareto_epsilon:  sum((1 - kappa) u + kappa w) <= epsilon
  overcapacity front:  minimise  beta sum s_i/D_i + P  + 1e-3 H + 1e-5 sigma (-sum score x/D)
  advantage front:     minimise  -sigma sum score x/D + beta sum s_i/D_i + P  + 1e-3 H
with P the file's penalty terms as `build_model` sets them (gamma sum e_i/D_i + lambda sum v_r, and any
penalty a finer resolution adds), the weights as in the file (a weight of 0 counts as 1 for the
criterion itself). Shortfall and balance keep the file's prices on both fronts: they are rules enforced
by penalty, not criteria of the trade-off. Overcapacity keeps its price on the advantage front —
capacity beyond the targets is waste, and without a price the advantage criterion would reward building
every designated region up to its hosting limit. Advantage only breaks ties on the overcapacity front,
so that front shows how little overcapacity each level of duplication allows. The 1e-3 H term picks,
among equally good layouts, the one with least duplication (so every point is non-dominated).
For the trade-off under the file's full objective, sweep `objective.homogeneity` (`layout sweep`).

The ε range comes from two anchor solves: H_lo = min H (the least duplication any layout satisfying
the hard constraints has) and H_hi = H of the criterion's own optimum (ties broken towards less H), both
the model's own sum((1 - kappa) u + kappa w), the expression the ε row bounds (`model_homogeneity`): at
finer levels a member of an inter-provincial cluster that holds nothing still counts in the model but not
in the layout's duplications, and a layout-counted H_hi could cut the criterion's optimum off the grid.
ε runs over `points` evenly spaced values from H_lo to H_hi (one ε when H_hi = H_lo). Tightening ε can only
worsen the criterion, so the front is monotone. The front's axes are read from each point's layout
(`criteria`). Points that land on the same layout are kept (each ε has its folder) and flagged in
`same_layout_as`; a front whose non-dominated points are all one (H, criterion) point is reported as
such (`front_note`: the console, pareto.html and pareto.png say the criteria do not conflict).

The default pair is homogeneity and advantage: on the embedded default it gives seven distinct points,
while the overcapacity front is a single point (docs/sweeps.md has both, measured).

The scenario as given (its own weights, no ε row) is solved too and marked on the PNG and HTML.
Folder: pareto.csv, pareto.png, pareto.html, pareto.json, points/scenario.yaml (the fully resolved
scenario every point solves), points/e000/ … (one results folder per ε), points/default/.
"""

from __future__ import annotations

import html
import io
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pulp

from layout.batch.sweep import (
    Bar,
    ProgressArg,
    Task,
    batch_scenario,
    check_execution,
    check_readable,
    execute,
    guarded,
    joined,
    prepare_folder,
    solve_point,
    status_name,
    write_csv,
    write_text,
)
from layout.errors import COMMAND_LINE, InfeasibleError, InputError, Problem
from layout.language import current, marked, resolve, tr, translate, trn, using
from layout.model.core import LE, LayoutModel, RowInfo
from layout.model.families import build_model
from layout.model.instance import Instance
from layout.results.folder import METRICS_JSON, POINTS_DIR, ResultsFolder, load_json
from layout.results.staging import Kind, holds_out, remove_result, write_file
from layout.words import listing, number

if TYPE_CHECKING:
    from layout.pipeline import Options

CRITERIA = ("overcapacity", "advantage")
HOMOGENEITY = "homogeneity"
MARKER = "pareto.json"
# what DIR may hold
PARETO_KIND = Kind(MARKER, frozenset({MARKER, "pareto.csv", "pareto.png", "pareto.html", POINTS_DIR}))
TIE_H, TIE_OTHER = 1e-3, 1e-5
TOL = 1e-6
LABELS = {  # the axes (translated where drawn)
    HOMOGENEITY: marked("weighted neighbour duplications (homogeneity)"),
    "overcapacity": marked("overcapacity: Σ excess capacity / target"),
    "advantage": marked("comparative advantage: Σ score · capacity / target"),
}
NAMES = {  # the criteria in sentences (translated where written)
    HOMOGENEITY: marked("homogeneity"),
    "overcapacity": marked("overcapacity"),
    "advantage": marked("advantage"),
}
FONTS = ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", "sans-serif"]  # Chinese text needs a CJK font


# ---------------------------------------------------------------- criteria and the ε model


def criteria(layout: pd.DataFrame, inst: Instance) -> dict[str, float]:
    """H (weighted duplications), duplications, overcapacity and advantage of a layout table."""
    from layout.results.metrics import duplications

    dups = duplications(layout, inst)
    cap = layout.groupby("industry")["capacity"].sum().to_dict() if len(layout) else {}
    over = sum(max(0.0, cap.get(i, 0.0) - p.target) / p.target for i, p in inst.industries.items())
    adv = sum(
        inst.score.get((r.region_code, r.industry), 0.0) * float(r.capacity) / inst.industries[r.industry].target
        for r in layout.itertuples()
        if r.industry in inst.industries
    )
    return {
        HOMOGENEITY: round(sum(d["weight"] for d in dups), 6),
        "duplications": len(dups),
        "overcapacity": round(over, 6),
        "advantage": round(adv, 6),
    }


def homogeneity_terms(m: LayoutModel) -> list[tuple[pulp.LpVariable, float]]:
    """H = sum((1 - kappa) u + kappa w) over neighbour pairs and industries, one term per column
    (coefficients of a column that is both u and w are added: the model may share them)."""
    kappa = m.inst.weights["characteristic_weight"]
    coef: dict[str, list] = {}
    for k, u in m.u.items():
        for v, c in ((u, 1.0 - kappa), (m.w[k], kappa)):
            coef.setdefault(v.name, [v, 0.0])[1] += c
    return [(v, c) for v, c in coef.values() if c != 0]


def model_homogeneity(m: LayoutModel) -> float:
    """H of a solved model as the model counts it: sum((1 - kappa) u + kappa w) at the solution (the expression the
    ε row bounds; weighted duplications), rounded to 6 decimals."""
    return round(sum(c * (v.varValue or 0.0) for v, c in homogeneity_terms(m)), 6) + 0.0


def _criterion_terms(m: LayoutModel, criterion: str) -> list[tuple[pulp.LpVariable, float]]:
    inst = m.inst
    if criterion == "overcapacity":
        return [(m.s[i], 1.0 / p.target) for i, p in inst.industries.items()]
    return [
        (x, -inst.score.get((r, i), 0.0) / inst.industries[i].target)
        for (r, i), x in m.x.items()
        if inst.score.get((r, i), 0.0) > 0
    ]


def set_front_objective(m: LayoutModel, criterion: str, mode: str = "front") -> None:
    """mode "front": the criterion, the penalised rules and tie-breaks (module docstring); mode "min_h": H alone (lower anchor).

    The penalised rules are taken from the objective `build_model` set (every term on a column other than
    the duplication, capacity and overcapacity columns: shortfall, balance and any penalty added later),
    so the front prices them exactly as the scenario does."""
    wt = m.inst.weights
    coef: dict[str, list] = {}

    def add(terms, scale: float = 1.0) -> None:
        for v, c in terms:
            coef.setdefault(v.name, [v, 0.0])[1] += scale * c

    if mode == "min_h":
        add(homogeneity_terms(m))
    else:
        replaced = {v.name for d in (m.u, m.w, m.x, m.s) for v in d.values()}
        add([(v, c) for v, c in m.prob.objective.items() if v.name not in replaced])
        add(_criterion_terms(m, criterion), wt[criterion] or 1.0)
        add(homogeneity_terms(m), TIE_H)
        if criterion == "advantage":
            add(_criterion_terms(m, "overcapacity"), wt["overcapacity"])
        else:
            add(_criterion_terms(m, "advantage"), TIE_OTHER * (wt["advantage"] or 1.0))
    m.prob.setObjective(pulp.LpAffineExpression([(v, c) for v, c in coef.values() if c != 0]))


def add_epsilon(m: LayoutModel, epsilon: float) -> None:
    """pareto_epsilon: sum((1 - kappa) u + kappa w) <= epsilon (a hair of slack against rounding)."""
    terms = homogeneity_terms(m)
    if terms:
        name = m.row(RowInfo("pareto_epsilon"), terms, LE, float(epsilon) + TOL)
        m.prob.extend({name: m.rows[name]})


def _settings(spec: Any, options: dict) -> tuple[str, float | None, float]:
    """Solver, time limit (seconds; the resolution's default where the file gives none of its own) and gap."""
    from layout.model.solve import scenario_time_limit

    cfg = spec.scenario.solver
    time_limit, gap = options.get("time_limit"), options.get("gap")
    return (
        options.get("solver") or cfg.name,
        scenario_time_limit(spec) if time_limit is None else time_limit,
        cfg.gap if gap is None else gap,
    )


def solve_front_model(
    inst: Instance, criterion: str, epsilon: float | None, mode: str, solver: str, time_limit: float | None, gap: float
):
    """Build, constrain, solve. Returns (model, SolveResult, size). Raises InfeasibleError or LimitError."""
    from layout.model.solve import INFEASIBLE, model_size, solve, solver_failure

    m = build_model(inst)
    set_front_objective(m, criterion, mode)
    if epsilon is not None:
        add_epsilon(m, epsilon)
    size = model_size(m)
    result = solve(m, solver, time_limit, gap)
    if result.status == INFEASIBLE:
        raise InfeasibleError(
            tr(
                "{solver} proved the scenario infeasible: no layout satisfies every hard constraint",
                solver=solver,
            )
            if epsilon is None
            else tr(
                "{solver} proved the scenario infeasible with weighted duplications <= {epsilon}: no layout "
                "satisfies every hard constraint",
                solver=solver,
                epsilon=f"{epsilon:g}",
            )
        )
    if not result.has_layout:
        raise solver_failure(solver, result)
    return m, result, size


# ---------------------------------------------------------------- one ε point (runs in a worker)


@dataclass(frozen=True)
class EpsilonTask:
    """One ε point: the resolved scenario file, where to write, ε and the criterion."""

    id: str
    scenario: str
    folder: str
    epsilon: float
    criterion: str
    options: dict = field(default_factory=dict)


def solve_epsilon(task: EpsilonTask) -> dict:
    """Solve one ε point and write its results folder (`layout.results.folder.write_contents`: the tables, the units,
    metrics.json as `layout solve` writes it plus the point's criteria, the manifest, the scenario solved); return
    {id, status, message, seconds}."""
    from layout.analysis.shortfall import missed_industries
    from layout.pipeline import input_files, prepare, solve_metrics
    from layout.results.baseline import baseline_layout
    from layout.results.folder import Contents, new_manifest, write_contents
    from layout.results.layouts import solution_layout, units_geojson
    from layout.results.staging import staged_output

    def body() -> str:
        check_readable(task.scenario)
        with using(task.options.get("language")):  # the front's language, whatever this worker's locale
            return solved()

    def solved() -> str:
        t0 = time.perf_counter()
        spec, regions, inst = prepare(task.scenario, task.options.get("language"))
        lang = resolve(task.options.get("language"), spec.scenario.language)
        solver, time_limit, gap = _settings(spec, task.options)
        m, result, size = solve_front_model(inst, task.criterion, task.epsilon, "front", solver, time_limit, gap)
        layout = solution_layout(m)
        base = baseline_layout(inst)
        point = {"criterion": task.criterion, "epsilon": task.epsilon}
        missed = missed_industries(m)
        metrics = {
            **solve_metrics(spec, inst, result, size, layout, base),
            "targets_missed": {  # not diagnosed per point: the ε row is part of what holds a target back
                "industries": missed,
                "held_back_by": [
                    tr(
                        "the duplication limit of this point (ε = {epsilon}) with the scenario's rules; "
                        "`layout solve` on the scenario alone names the rules that hold a target back",
                        epsilon=f"{task.epsilon:g}",
                    )
                ],
                "found_by": "undecided",
            }
            if missed
            else None,
            "pareto": {
                **point,
                **criteria(layout, inst),
                "formulation": "epsilon-constraint: the criterion and the penalised rules optimised subject to weighted duplications <= epsilon (see layout.batch.pareto)",
            },
            "timings_seconds": {"solve": round(result.seconds, 3), "total": round(time.perf_counter() - t0, 3)},
        }
        inputs = input_files(spec, regions)
        about = new_manifest(
            spec.file,
            inputs,
            spec.input_hash,
            {"name": solver, "time_limit": time_limit, "gap": gap},
            pareto=point,
            language=lang,
        )
        with using(lang), staged_output(Path(task.folder), True, inputs=inputs) as tmp:
            write_contents(
                tmp,
                Contents(
                    metrics,
                    about,
                    layout,
                    base,
                    layout=units_geojson(regions, inst, layout),
                    scenario=Path(task.scenario).read_bytes(),
                ),
            )
        return result.status

    return guarded(task.id, body)


# ---------------------------------------------------------------- the front


def _check_between(between: tuple[str, str]) -> str:
    pair = tuple(between)
    if (
        len(pair) != 2
        or HOMOGENEITY not in pair
        or not set(pair) - {HOMOGENEITY} <= set(CRITERIA)
        or pair[0] == pair[1]
    ):
        raise InputError(
            Problem(
                COMMAND_LINE,
                None,
                "--between",
                "homogeneity overcapacity, or homogeneity advantage",
                " ".join(map(str, pair)),
            )
        )
    return next(c for c in pair if c != HOMOGENEITY)


def _better(criterion: str, a: float, b: float) -> bool:
    """a strictly better than b."""
    return a < b - TOL if criterion == "overcapacity" else a > b + TOL


def on_front(table: pd.DataFrame, criterion: str) -> list[bool]:
    """Whether each solved row is non-dominated (H lower, criterion better) by the solved ε points."""
    solved = table["status"].isin(["optimal", "feasible"])
    pts = [(h, c) if ok else None for h, c, ok in zip(table[HOMOGENEITY], table[criterion], solved)]
    rivals = [q for q, pid in zip(pts, table["point"]) if q is not None and pid != "default"]
    out = []
    for p in pts:
        dominated = p is None or any(
            q[0] <= p[0] + TOL
            and not _better(criterion, p[1], q[1])
            and (q[0] < p[0] - TOL or _better(criterion, q[1], p[1]))
            for q in rivals
        )
        out.append(not dominated)
    return out


@holds_out("out_dir")  # DIR is locked for the whole run: a second front into it fails (exit 2)
def pareto(
    file: str | Path | None,
    out_dir: str | Path,
    between: tuple[str, str] = (HOMOGENEITY, "advantage"),
    points: int = 7,
    force: bool = False,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    dask_local: int | None = None,
    progress: ProgressArg = True,
    options: Options | None = None,
) -> pd.DataFrame:
    """The ε-constraint front between homogeneity and advantage (the default) or overcapacity (module docstring).

    Writes DIR/pareto.csv, DIR/pareto.png, DIR/pareto.html and a results folder per point; returns the table
    (one row per ε point, then the row `default`: the scenario as given; `.attrs["note"]`: `front_note`). Reruns
    resume: finished points are skipped when the scenario, criteria, number of points and solver settings are
    unchanged.
    """
    from layout.pipeline import input_files, prepare, presolve_conflicts

    criterion = _check_between(between)
    if points < 2:
        raise InputError(Problem(COMMAND_LINE, None, "--points", "at least 2 points on the front", str(points)))
    out_dir = Path(out_dir)
    chosen = options.language if options is not None else None
    spec, regions, inst = prepare(file, chosen)
    lang = resolve(chosen, spec.scenario.language)  # --lang, else the file's `language:`: its points and pages
    with using(lang):
        text, opts = batch_scenario(
            spec,
            options,
            f"# Scenario of the Pareto front ({HOMOGENEITY} vs {criterion}) from {Path(spec.file).resolve()}",
            "the front is",
        )
        conflicts = presolve_conflicts(inst)
        if conflicts:
            raise InfeasibleError(tr("the scenario cannot be satisfied:") + "\n  " + "\n  ".join(conflicts), conflicts)
        solver, time_limit, gap = _settings(spec, opts)
        key = {"scenario_text": text, "between": [HOMOGENEITY, criterion], "points": points}
        check_execution(workers, dask_scheduler, dask_local)
        prepare_folder(out_dir, PARETO_KIND, input_files(spec, regions))
        pdir = out_dir / POINTS_DIR
        earlier = (
            load_json(out_dir / MARKER, "a Pareto front folder written by `layout pareto`")
            if (out_dir / MARKER).is_file()
            else None
        )
        finished = any((f / METRICS_JSON).is_file() for f in pdir.iterdir() if f.is_dir())
        if earlier is not None and earlier.get("key") != key:
            if finished and not force:
                raise InputError(
                    Problem(
                        str(out_dir),
                        None,
                        "--out",
                        "the same front to resume, a new folder, or --force to recompute it",
                        "the finished points of a different front (scenario, criteria, points or solver settings)",
                    )
                )
            for f in sorted(pdir.iterdir()):  # the other front's points: only results folders this program wrote
                if f.is_dir() and not f.name.startswith("."):
                    remove_result(f)
            earlier = None
        scenario_file = pdir / "scenario.yaml"
        write_text(scenario_file, text)

        if earlier is not None:
            lo, hi = earlier["anchors"]["homogeneity_min"], earlier["anchors"]["homogeneity_at_best_" + criterion]
        else:
            if progress is True:
                from rich.console import Console

                anchors = tr(
                    "… anchors: least duplication, then the best {criterion}", criterion=translate(NAMES[criterion])
                )
                Console(stderr=True).print(f"[dim]{anchors}[/]")
            _, r_lo, _ = solve_front_model(inst, criterion, None, "min_h", solver, time_limit, gap)
            lo = max(0.0, round(r_lo.objective, 6))
            m_hi, _, _ = solve_front_model(inst, criterion, None, "front", solver, time_limit, gap)
            hi = max(lo, model_homogeneity(m_hi))
            del m_hi
        epsilons = [round(float(e), 9) for e in np.linspace(lo, hi, points)] if hi > lo + TOL else [hi]
        write_text(
            out_dir / MARKER,
            json.dumps(
                {
                    "program": "cluster-layout",
                    "key": key,
                    "criterion": criterion,
                    "anchors": {"homogeneity_min": lo, "homogeneity_at_best_" + criterion: hi},
                    "epsilons": epsilons,
                    "scenario_file": str(Path(spec.file).resolve()),
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n",
        )
        width = max(3, len(str(len(epsilons) - 1)))
        ids = [f"e{n:0{width}d}" for n in range(len(epsilons))]
        solving = {**opts, "language": lang}  # the points are solved in the front's language
        tasks: list[Any] = [
            EpsilonTask(pid, str(scenario_file.resolve()), str((pdir / pid).resolve()), eps, criterion, solving)
            for pid, eps in zip(ids, epsilons)
            if not (pdir / pid / METRICS_JSON).is_file()
        ]
        if not (pdir / "default" / METRICS_JSON).is_file():
            default = Task("default", str(scenario_file.resolve()), str((pdir / "default").resolve()), False, solving)
            tasks.append(default)
        failures: dict[str, dict] = {}
        label = tr("pareto: {todo} of {total} points to solve", todo=len(tasks), total=len(ids) + 1)
        with Bar(progress, len(tasks), label) as bar:
            for result in execute(
                _dispatch, tasks, workers=workers, dask_scheduler=dask_scheduler, dask_local=dask_local
            ):
                if not (pdir / result["id"] / METRICS_JSON).is_file():
                    failures[result["id"]] = result
                bar.advance(result)

        rows, layouts = [], []
        for pid, eps in list(zip(ids, epsilons)) + [("default", None)]:
            row, held = _front_row(pdir / pid, pid, eps, inst, failures.get(pid))
            rows.append(row)
            layouts.append(held)
        table = pd.DataFrame(rows)
        table["on_front"] = on_front(table, criterion)
        table["same_layout_as"] = same_layout_as(list(table["point"]), layouts)
        note = front_note(table, criterion)
        write_csv(out_dir / "pareto.csv", table)
        title = (
            tr("{scenario}: homogeneity vs overcapacity", scenario=inst.name)
            if criterion == "overcapacity"
            else tr("{scenario}: homogeneity vs advantage", scenario=inst.name)
        )
        plot_png(table, criterion, out_dir / "pareto.png", title, note)
        write_text(out_dir / "pareto.html", front_html(table, criterion, title, note))
        table.attrs.update(
            note=note,
            solved_now=sorted({t.id for t in tasks} - set(failures)),
            failed=sorted(failures),
            skipped=sorted(set(ids + ["default"]) - {t.id for t in tasks}),
            language=lang,
        )
        return table


def _dispatch(task: Any) -> dict:
    """Worker entry: an ε point or the scenario as given."""
    return solve_epsilon(task) if isinstance(task, EpsilonTask) else solve_point(task)


def _front_row(
    folder: Path, pid: str, eps: float | None, inst: Instance, failure: dict | None
) -> tuple[dict, frozenset | None]:
    """The point's row of the front table and its layout as a set (`layout_key`; None when it has no results)."""
    row: dict[str, Any] = {"point": pid, "epsilon": eps}
    held = None
    if (folder / METRICS_JSON).is_file():
        point = ResultsFolder(folder)
        m, table = point.metrics, point.assignment
        held = layout_key(table)
        row.update(
            status=m["solver"]["status"],
            message="",
            **criteria(table, inst),
            objective_value=m["solver"]["objective"],
            gap=m["solver"]["gap"],
            seconds_solve=m.get("timings_seconds", {}).get("solve"),
            folder=f"{POINTS_DIR}/{pid}",
        )
    else:
        row.update(
            status=(failure or {}).get("status", "not run"),
            message=(failure or {}).get("message", ""),
            **{HOMOGENEITY: None, "duplications": None, "overcapacity": None, "advantage": None},
            objective_value=None,
            gap=None,
            seconds_solve=None,
            folder="",
        )
    return row, held


def layout_key(layout: pd.DataFrame) -> frozenset:
    """A layout table as a set of (region, industry, tier, group, capacity to 6 decimals) over the rows that hold
    capacity: two points with the same key are the same layout."""
    from layout.results.metrics import holding

    return frozenset(
        (
            str(r.region_code),
            str(r.industry),
            str(r.tier),
            "" if pd.isna(r.group) else str(r.group),
            round(float(r.capacity), 6),
        )
        for r in holding(layout).itertuples()
    )


def same_layout_as(points: list[str], layouts: list[frozenset | None]) -> list[str]:
    """For each point, the first earlier point with the same layout ("" when none, or when it has no layout)."""
    first: dict[frozenset, str] = {}
    out = []
    for pid, held in zip(points, layouts):
        if held is None:
            out.append("")
            continue
        out.append(first.get(held, ""))
        first.setdefault(held, pid)
    return out


def front_note(table: pd.DataFrame, criterion: str) -> str:
    """One sentence on the front's shape: how many distinct points it has and its two ends, or, when its non-dominated
    ε points are all one (H, criterion) point, that the criteria do not conflict on this scenario, with that point
    ("every point is the same layout" when every solved ε point is)."""
    solved = table[table["status"].isin(["optimal", "feasible"]) & (table["point"] != "default")]
    if solved.empty:
        return tr("no point of the front was solved")
    front = _front_points(table, criterion)
    first, last = front.iloc[0], front.iloc[-1]
    name = translate(NAMES[criterion])
    at = tr(
        "homogeneity H = {h}, {criterion} = {value}",
        h=number(first[HOMOGENEITY]),
        criterion=name,
        value=number(first[criterion]),
    )
    if len(front) > 1:
        return tr(
            "the front has {n} distinct points, from H = {h_first} ({criterion} {first}) to H = {h_last} ({criterion} "
            "{last})",
            n=len(front),
            h_first=number(first[HOMOGENEITY]),
            first=number(first[criterion]),
            h_last=number(last[HOMOGENEITY]),
            last=number(last[criterion]),
            criterion=name,
        )
    if (solved["same_layout_as"].iloc[1:] == solved["point"].iloc[0]).all() if "same_layout_as" in solved else False:
        return tr("the criteria do not conflict on this scenario: every point is the same layout ({at})", at=at)
    off = ~(
        np.isclose(solved[HOMOGENEITY].astype(float), float(first[HOMOGENEITY]), rtol=0, atol=TOL)
        & np.isclose(solved[criterion].astype(float), float(first[criterion]), rtol=0, atol=TOL)
    )
    others = list(solved["point"][off])
    why = (
        trn(
            "; {points} adds duplications only to meet rules priced by penalty (balance, shortfall), at no gain in "
            "{criterion}",
            "; {points} add duplications only to meet rules priced by penalty (balance, shortfall), at no gain in "
            "{criterion}",
            len(others),
            points=joined(others) if current() == "zh" else listing(others),
            criterion=name,
        )
        if others
        else ""
    )
    return tr("the criteria do not conflict on this scenario: the front is a single point ({at}){why}", at=at, why=why)


# ---------------------------------------------------------------- PNG (matplotlib) and HTML (inline SVG)


def _front_points(table: pd.DataFrame, criterion: str) -> pd.DataFrame:
    f = table[table["on_front"] & (table["point"] != "default")]
    return f.sort_values([HOMOGENEITY, criterion]).drop_duplicates([HOMOGENEITY, criterion])


def plot_png(table: pd.DataFrame, criterion: str, path: Path, title: str, note: str = "") -> None:
    """The front for a paper: staircase through non-dominated points, every ε point, the scenario as given as a star;
    `note` (`front_note`) is written under the title when the front is a single point, which is then not labelled
    a front. Text is plain (no mathtext, no LaTeX: a '$' in the scenario's name is a dollar sign)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    from layout.views.maps.png import PLAIN_TEXT

    solved = table[table["status"].isin(["optimal", "feasible"])]
    eps = solved[solved["point"] != "default"]
    front = _front_points(table, criterion)
    default = solved[solved["point"] == "default"]
    single = len(front) == 1
    with rc_context({**PLAIN_TEXT, "font.family": FONTS}):
        fig = Figure(figsize=(6.4, 4.2))
        ax = fig.subplots()
        if len(front) > 1:
            ax.step(
                front[HOMOGENEITY],
                front[criterion],
                where="post",
                color="#1f4e79",
                lw=1.4,
                label=tr("Pareto front (ε-constraint)"),
            )
        dominated = eps[~eps["on_front"]]
        ax.scatter(
            front[HOMOGENEITY],
            front[criterion],
            s=28,
            color="#1f4e79",
            zorder=3,
            label=tr("the only non-dominated point: no trade-off") if single else None,
        )
        if len(dominated):
            ax.scatter(
                dominated[HOMOGENEITY],
                dominated[criterion],
                s=28,
                facecolors="none",
                edgecolors="#888888",
                zorder=3,
                label=tr("weakly dominated ε point"),
            )
        if len(default):
            ax.scatter(
                default[HOMOGENEITY],
                default[criterion],
                marker="*",
                s=180,
                color="#c0392b",
                zorder=4,
                label=tr("scenario as given (own weights)"),
            )
        ax.set_xlabel(translate(LABELS[HOMOGENEITY]))
        ax.set_ylabel(translate(LABELS[criterion]))
        ax.set_title(title + ("\n" + _wrapped(note) if single and note else ""), fontsize=10 if not single else 8)
        ax.grid(True, color="#dddddd", lw=0.6)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, frameon=False)
        fig.tight_layout()
        png = io.BytesIO()
        fig.savefig(png, dpi=200, format="png")
    write_file(path, png.getvalue())  # whole or not at all (layout.output)


def _wrapped(text: str, width: int = 90) -> str:
    """Text broken into lines of at most `width` characters (a figure title; Chinese, which has no spaces to break
    at, into lines of `width` / 2 characters: each is about two Latin letters wide)."""
    import textwrap

    if current() == "zh":
        return "\n".join(text[k : k + width // 2] for k in range(0, len(text), width // 2))
    return "\n".join(textwrap.wrap(text, width))


def sentence(text: str) -> str:
    """A note as a sentence on a page: 'The front has …' with a full stop ('。' in Chinese)."""
    return text + "。" if current() == "zh" else text[0].upper() + text[1:] + "."


def _ticks(lo: float, hi: float) -> list[float]:
    from matplotlib.ticker import MaxNLocator

    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    return [float(t) for t in MaxNLocator(nbins=6).tick_values(lo, hi)]


def _padded(values: list[float]) -> tuple[float, float]:
    """The range of the values widened by 6 % on each side, so points at the ends stay inside the plot."""
    lo, hi = min(values, default=0.0), max(values, default=1.0)
    pad = 0.06 * (hi - lo) if hi > lo else 0.5
    return lo - pad, hi + pad


def front_html(table: pd.DataFrame, criterion: str, title: str, note: str = "") -> str:
    """A self-contained page: `note` (`front_note`) above an inline SVG plot (native tooltips), a table (with the
    earlier point each point's layout repeats), a few lines of inline JS linking both."""
    e = html.escape
    solved = table[table["status"].isin(["optimal", "feasible"])]
    W, H_, L, R, T, B = 720, 440, 80, 20, 20, 56
    xs, ys = list(solved[HOMOGENEITY].astype(float)), list(solved[criterion].astype(float))
    xt, yt = _ticks(*_padded(xs)), _ticks(*_padded(ys))
    x0, x1, y0, y1 = xt[0], xt[-1], yt[0], yt[-1]

    def X(v: float) -> float:
        return L + (v - x0) / (x1 - x0) * (W - L - R)

    def Y(v: float) -> float:
        return H_ - B - (v - y0) / (y1 - y0) * (H_ - T - B)

    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H_}" width="{W}" height="{H_}" role="img" aria-label="{e(title)}">',
        f'<rect x="{L}" y="{T}" width="{W - L - R}" height="{H_ - T - B}" fill="#fff" stroke="#999"/>',
    ]
    for t in xt:
        svg.append(
            f'<line x1="{X(t):.1f}" y1="{T}" x2="{X(t):.1f}" y2="{H_ - B}" stroke="#eee"/>'
            f'<text x="{X(t):.1f}" y="{H_ - B + 16}" text-anchor="middle">{t:g}</text>'
        )
    for t in yt:
        svg.append(
            f'<line x1="{L}" y1="{Y(t):.1f}" x2="{W - R}" y2="{Y(t):.1f}" stroke="#eee"/>'
            f'<text x="{L - 6}" y="{Y(t) + 4:.1f}" text-anchor="end">{t:g}</text>'
        )
    x_label, y_label = translate(LABELS[HOMOGENEITY]), translate(LABELS[criterion])
    svg.append(f'<text x="{(L + W - R) / 2}" y="{H_ - 12}" text-anchor="middle">{e(x_label)}</text>')
    svg.append(
        f'<text transform="translate(16 {(T + H_ - B) / 2}) rotate(-90)" text-anchor="middle">{e(y_label)}</text>'
    )
    front = _front_points(table, criterion)
    if len(front) > 1:  # a single point is no front: no staircase (the note says why)
        pts, prev = [], None
        for h, c in zip(front[HOMOGENEITY], front[criterion]):
            if prev is not None:
                pts.append(f"{X(h):.1f},{Y(prev):.1f}")
            pts.append(f"{X(h):.1f},{Y(c):.1f}")
            prev = c
        svg.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="#1f4e79" stroke-width="2"/>')
    name = translate(NAMES[criterion])
    for r in solved.itertuples():
        at = {
            "h": f"{getattr(r, HOMOGENEITY):g}",
            "criterion": name,
            "value": f"{getattr(r, criterion):.4g}",
            "n": r.duplications,
        }
        tip = (
            tr(
                "{point}: ε = {epsilon}, homogeneity {h}, {criterion} {value}, {n} duplications",
                point=r.point,
                epsilon=f"{r.epsilon:g}",
                **at,
            )
            if r.point != "default"
            else tr("scenario as given: homogeneity {h}, {criterion} {value}, {n} duplications", **at)
        )
        cx, cy = X(getattr(r, HOMOGENEITY)), Y(getattr(r, criterion))
        if r.point == "default":
            star = " ".join(
                f"{cx + (9 if k % 2 == 0 else 4) * math.sin(k * math.pi / 5):.1f},{cy - (9 if k % 2 == 0 else 4) * math.cos(k * math.pi / 5):.1f}"
                for k in range(10)
            )
            svg.append(
                f'<polygon class="pt" data-id="default" points="{star}" fill="#c0392b"><title>{e(tip)}</title></polygon>'
            )
        else:
            fill = "#1f4e79" if r.on_front else "#fff"
            svg.append(
                f'<circle class="pt" data-id="{e(r.point)}" cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{fill}" stroke="#1f4e79">'
                f"<title>{e(tip)}</title></circle>"
            )
    svg.append("</svg>")
    head = [
        tr("point"),
        "ε",
        translate(NAMES[HOMOGENEITY]),
        tr("duplications"),
        translate(NAMES["overcapacity"]),
        translate(NAMES["advantage"]),
        tr("status"),
        tr("on front"),
        tr("same layout as"),
        tr("results"),
    ]
    body = []

    def f(v: object, fmt: str = "{:.4g}") -> str:
        return "" if v is None or (isinstance(v, float) and math.isnan(v)) else fmt.format(v)

    given, yes = tr("scenario as given"), tr("yes")
    for r in table.itertuples():
        link = f'<a href="{e(r.folder)}/metrics.json">{e(r.folder)}</a>' if r.folder else e(str(r.message)[:200])
        body.append(
            f'<tr data-id="{e(r.point)}"><td>{e(r.point if r.point != "default" else given)}</td><td>{f(r.epsilon, "{:g}")}</td>'
            f"<td>{f(getattr(r, HOMOGENEITY), '{:g}')}</td><td>{f(r.duplications, '{:.0f}')}</td><td>{f(r.overcapacity)}</td>"
            f"<td>{f(r.advantage)}</td><td>{e(status_name(str(r.status)))}</td><td>{yes if r.on_front else ''}</td>"
            f"<td>{e(same) if isinstance(same := getattr(r, 'same_layout_as', ''), str) else ''}</td><td>{link}</td></tr>"
        )
    about = (
        tr(
            "Each point minimises overcapacity subject to weighted neighbour duplications ≤ ε (ε-constraint method), "
            "every hard constraint of the scenario kept."
        )
        if criterion == "overcapacity"
        else tr(
            "Each point maximises comparative advantage subject to weighted neighbour duplications ≤ ε (ε-constraint "
            "method), every hard constraint of the scenario kept."
        )
    )
    how = tr(
        "Filled: on the front; hollow: weakly dominated; star: the scenario as given, solved with its own objective "
        "weights. Hover a point or a row."
    )
    return f"""<!DOCTYPE html>
<html lang="{current()}"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body{{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:960px}}
svg text{{font:12px system-ui,sans-serif;fill:#333}} .pt{{cursor:pointer}} .pt.hl{{stroke:#e67e22;stroke-width:3}}
table{{border-collapse:collapse;margin-top:16px}} td,th{{border-bottom:1px solid #ddd;padding:3px 8px;text-align:right}}
tr.hl{{background:#fdebd0}} td:first-child,th:first-child{{text-align:left}}
</style></head><body>
<h1 style="font-size:18px">{e(title)}</h1>
{f'<p class="note"><strong>{e(sentence(note))}</strong></p>' if note else ""}
<p>{html.escape(about, quote=False)}{"" if current() == "zh" else " "}{html.escape(how, quote=False)}</p>
{"".join(svg)}
<table><thead><tr>{"".join(f"<th>{e(h)}</th>" for h in head)}</tr></thead><tbody>
{chr(10).join(body)}
</tbody></table>
<script>
(function(){{
  function mark(id,on){{document.querySelectorAll('[data-id="'+id+'"]').forEach(function(n){{n.classList.toggle('hl',on);}});}}
  document.querySelectorAll('[data-id]').forEach(function(n){{
    n.addEventListener('mouseenter',function(){{mark(n.getAttribute('data-id'),true);}});
    n.addEventListener('mouseleave',function(){{mark(n.getAttribute('data-id'),false);}});
  }});
}})();
</script>
</body></html>
"""


__all__ = [
    "pareto",
    "criteria",
    "set_front_objective",
    "add_epsilon",
    "homogeneity_terms",
    "solve_front_model",
    "solve_epsilon",
    "on_front",
    "front_note",
    "same_layout_as",
    "layout_key",
    "model_homogeneity",
    "plot_png",
    "front_html",
    "EpsilonTask",
    "CRITERIA",
]
