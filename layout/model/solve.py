"""Solve a layout model: HiGHS through highspy (default), CBC bundled with PuLP, or SCIP through PySCIPOpt (the
optional extra `scip`).

HiGHS gets the PuLP model as sparse row-wise arrays in the model's own column order (no PuLP
hand-off, no reordering). The solver's real status is read and mapped honestly: values are read back
only from a solve that found a feasible layout, and a stop at a limit reports its gap. While HiGHS runs, its MIP
callback's figures reach an `on_progress` function (`SolverProgress`); CBC reports none. The time limit of a
scenario fits its resolution (`scenario_time_limit`).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pulp

from layout.errors import COMMAND_LINE, InputError, LayoutError, LimitError, Problem
from layout.language import marked, tr, translate, trn
from layout.model.core import LayoutModel
from layout.model.start import BEST_UNIT_START, Start, best_unit_closures, start_of, start_values
from layout.paths import DEFAULT_MODEL, models_file
from layout.spec.load import LoadedSpec
from layout.words import number

OPTIMAL, FEASIBLE, INFEASIBLE, UNBOUNDED, NO_SOLUTION = (
    "optimal",
    "feasible",
    "infeasible",
    "unbounded",
    "limit without solution",
)
# a status as people read it (metrics.json and the tables keep the code): the one table every page and summary uses
STATUS_WORDS = {
    OPTIMAL: marked("optimal"),
    FEASIBLE: marked("feasible"),
    INFEASIBLE: marked("infeasible"),
    UNBOUNDED: marked("unbounded"),
    NO_SOLUTION: marked("limit without solution"),
}


@dataclass
class SolveResult:
    """What the solver did: status, objective, gap and time (seconds)."""

    solver: str
    status: (
        str  # optimal | feasible (stopped at a limit with a layout) | infeasible | unbounded | limit without solution
    )
    objective: float | None
    bound: float | None
    gap: float | None  # relative MIP gap; 0 when proved optimal
    seconds: float  # the whole solve, a start of the solver's own included
    message: str = ""
    # a start of HiGHS's own (`best_unit_start`): the seconds it took (0: none tried) and its objective (None: none found)
    start_seconds: float = 0.0
    start_objective: float | None = None

    @property
    def has_layout(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)


@dataclass(frozen=True)
class SolverProgress:
    """Where a running solve stands, from the solver's own callback: `elapsed` seconds since the solve started; the
    objective of the best layout found so far (`objective`, the incumbent) and the best bound (`bound`: no layout
    does better; the model minimises, so bound <= objective), each None until the solver has one; the relative gap
    between them as the solver reports it (None without a layout); branch-and-bound `nodes` so far. `time_limit`
    (seconds, None = none) and `goal` (the relative gap at which the solver stops) are the solve's settings.
    `reports` is False for a solver that tells nothing while it runs (CBC, a subprocess): only `elapsed` is known."""

    solver: str
    elapsed: float
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    nodes: int | None = None
    time_limit: float | None = None
    goal: float = 0.0
    reports: bool = True
    # "start" while HiGHS looks for a start of its own (`best_unit_start`): that search's bound is not the model's
    stage: Literal["", "start"] = ""

    def words(self) -> str:
        """One line: 'highs: 42 s of 120 s; best objective 5.0421, bound 4.9876, gap 1.09 % (stops at 1.00 %); 1,234
        nodes'."""
        elapsed = f"{self.elapsed:.0f}"
        head = (
            tr("{solver}: {elapsed} s of {limit} s", solver=self.solver, elapsed=elapsed, limit=f"{self.time_limit:g}")
            if self.time_limit is not None
            else tr("{solver}: {elapsed} s (no time limit)", solver=self.solver, elapsed=elapsed)
        )
        if not self.reports:
            return tr(
                "{head}; {name} reports no layout, bound or gap while it runs", head=head, name=self.solver.upper()
            )
        if self.stage == "start":
            found = (
                tr("no layout yet")
                if self.objective is None
                else tr("best objective {value}", value=number(self.objective))
            )
            return tr("{head}; looking for {start}: {found}", head=head, start=translate(BEST_UNIT_START), found=found)
        stops = (
            tr("stops at {gap}", gap=f"{100 * self.goal:.2f} %") if self.goal > 0 else tr("stops when proved optimal")
        )
        found = (
            tr("no layout yet")
            if self.objective is None
            else tr("best objective {value}", value=number(self.objective))
        )
        bound = tr("no bound yet") if self.bound is None else tr("bound {value}", value=number(self.bound))
        gap = "" if self.gap is None else tr(", gap {gap} ({stops})", gap=f"{100 * self.gap:.2f} %", stops=stops)
        nodes = (
            "" if self.nodes is None else trn("; {nodes} node", "; {nodes} nodes", self.nodes, nodes=f"{self.nodes:,}")
        )
        return tr("{head}; {found}, {bound}{gap}{nodes}", head=head, found=found, bound=bound, gap=gap, nodes=nodes)


OnProgress = Callable[[SolverProgress], None]
PROGRESS_EVERY = 1.0  # seconds between two calls of a solve's `on_progress` while the solver runs


def _finite(v: float) -> float | None:
    """A figure of HiGHS's callback, None where it is infinite (HiGHS has none yet)."""
    return float(v) if np.isfinite(v) else None


class _Beat:
    """Calls `on_progress` from the thread that waits for the solver, at most every `every` seconds and once when the
    solver stops, with the figures HiGHS's MIP callback last gave (`seen`, run in HiGHS's thread, only stores them)."""

    def __init__(
        self, solver: str, on_progress: OnProgress, every: float, t0: float, time_limit: float | None, goal: float
    ):
        self.solver, self.on_progress, self.every, self.t0 = solver, on_progress, every, t0
        self.time_limit, self.goal = time_limit, goal
        self.stage: Literal["", "start"] = ""  # SolverProgress.stage
        self.figures: tuple[float, float, float, int] | None = None  # incumbent, bound, gap, nodes as HiGHS gave them
        self.last = -np.inf

    def seen(self, event) -> None:
        """HiGHS's MIP callback (a highspy HighsCallbackEvent): keep its figures (one assignment)."""
        d = event.data_out
        self.figures = (d.mip_primal_bound, d.mip_dual_bound, d.mip_gap, d.mip_node_count)

    def seen_scip(self, scip: Any) -> None:
        """SCIP's figures (called by SCIP's event handler in SCIP's thread): keep them."""
        big = scip.infinity()  # SCIP's "none yet" is ±1e20, a finite float
        incumbent, bound = (
            v if abs(v) < big else np.copysign(np.inf, v) for v in (scip.getPrimalbound(), scip.getDualbound())
        )
        self.figures = (incumbent, bound, relative_gap(incumbent, bound), scip.getNNodes())

    def __call__(self, final: bool = False, now: float | None = None) -> None:
        """Pass the figures on if `every` seconds have passed since the last call, or if `final`; `now`: the
        perf_counter time they are of (default: now)."""
        now = time.perf_counter() if now is None else now
        if not final and now - self.last < self.every:
            return
        self.last = now
        progress = SolverProgress(
            self.solver,
            now - self.t0,
            time_limit=self.time_limit,
            goal=self.goal,
            reports=self.solver != "cbc",
            stage=self.stage,
        )
        if self.figures is not None:
            incumbent, bound, gap, nodes = self.figures
            objective = _finite(incumbent)
            whole = self.stage != "start"  # a start's search has a bound of its own, not the model's
            progress = replace(
                progress,
                objective=objective,
                bound=_finite(bound) if whole else None,
                gap=_finite(gap) if objective is not None and whole else None,
                nodes=int(nodes),
            )
        self.on_progress(progress)


@dataclass(frozen=True)
class Size:
    """Model size."""

    rows: int
    columns: int
    nonzeros: int
    binaries: int


@dataclass
class Matrix:
    """The model as arrays: min c'x, row_lower <= A x <= row_upper, col bounds, integrality."""

    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    integer: np.ndarray
    row_names: list[str]


def model_size(m: LayoutModel) -> Size:
    """Rows, columns, non-zeros and integer columns of the model (counted, without building the arrays)."""
    return Size(
        len(m.rows),
        len(m.columns),
        sum(len(c.expr) for c in m.rows.values()),
        sum(1 for v in m.columns if v.cat == pulp.LpInteger),
    )


def to_matrix(m: LayoutModel) -> Matrix:
    """Row-wise sparse arrays of the model, columns in `m.columns` order.

    Vectorised: each variable's column comes from one dict lookup by object identity, and the
    coefficients of all rows are streamed into numpy arrays in one pass (no per-coefficient appends).
    """
    col = {id(v): j for j, v in enumerate(m.columns)}
    n = len(m.columns)
    cost = np.zeros(n)
    obj = m.prob.objective
    if obj:
        cost[np.fromiter(map(col.__getitem__, map(id, obj.keys())), dtype=np.int64, count=len(obj))] = np.fromiter(
            obj.values(), dtype=float, count=len(obj)
        )
    lower = np.fromiter((-np.inf if v.lowBound is None else v.lowBound for v in m.columns), dtype=float, count=n)
    upper = np.fromiter((np.inf if v.upBound is None else v.upBound for v in m.columns), dtype=float, count=n)
    integer = np.fromiter((v.cat == pulp.LpInteger for v in m.columns), dtype=bool, count=n)
    rows = list(m.rows.values())
    exprs = [c.expr for c in rows]
    lens = np.fromiter(map(len, exprs), dtype=np.int64, count=len(exprs))
    nnz = int(lens.sum())
    index = np.fromiter(map(col.__getitem__, map(id, chain.from_iterable(exprs))), dtype=np.int32, count=nnz)
    value = np.fromiter(chain.from_iterable(e.values() for e in exprs), dtype=float, count=nnz)
    starts = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum(lens, out=starts[1:])
    rhs = -np.fromiter((c.constant for c in rows), dtype=float, count=len(rows))
    sense = np.fromiter((c.sense for c in rows), dtype=np.int8, count=len(rows))
    rlo = np.where((sense == pulp.LpConstraintGE) | (sense == pulp.LpConstraintEQ), rhs, -np.inf)
    rup = np.where((sense == pulp.LpConstraintLE) | (sense == pulp.LpConstraintEQ), rhs, np.inf)
    return Matrix(cost, lower, upper, rlo, rup, starts, index, value, integer, list(m.rows))


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """Silence file descriptor 1 (HiGHS prints its banner from C++ when constructed)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs():
    """A quiet highspy.Highs."""
    import highspy

    with _stdout_silenced():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


# HiGHS's options for this model family, chosen by measurement on the default scenario (bench/results.txt,
# docs/resolutions.md). HiGHS's RENS and root reduced-cost sub-MIPs and its symmetry detection did not
# pay for themselves: without them the county model reaches a 1 % gap in 42 s instead of 70 s with a
# peak of 1.6 GB instead of 2.05 GB, and the prefecture model in 64 s instead of 205 s; RINS stays on
# (without it the county solve took 94 s). The random seed is fixed so that a solve is reproducible.
MIP_OPTIONS: dict[str, bool | int] = {
    "random_seed": 0,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
    "mip_detect_symmetry": False,
}


# Threads a HiGHS solve in this process may use; None: HiGHS's own choice (on this 2-core machine it runs two). A batch
# that solves N points at once in N worker processes gives each its share of the cores (`share_cores`), so that N
# points never start N thread pools of the machine's size (on this 2-core machine it made no measurable difference:
# 1.80x on two workers against 1.82x without it, bench/sweep_bench.txt).
_threads: int | None = None


def share_cores(workers: int) -> None:
    """Let every solve in this process use its share of this machine's cores when `workers` processes solve at once
    (at least one thread). Called once in each batch worker, before its first solve: HiGHS sets its thread pool up
    once per process."""
    global _threads
    _threads = max(1, (os.cpu_count() or 1) // max(1, workers))


# Time limits (seconds) of the finer resolutions, used where the limit in force is the shipped default file's
# (models/default.yaml: 120 s, a province-level figure: the province model is proved optimal in about 3 s). Measured
# on this 2-core machine at a 1 % gap, HiGHS alone, three random seeds (bench/results.txt, 2026-12-03): prefecture
# 382-552 s, county 76-179 s. 900 s is above the worst of both with room for a loaded machine.
RESOLUTION_TIME_LIMITS: dict[str, float] = {"prefecture": 900.0, "county": 900.0}


def scenario_time_limit(spec: LoadedSpec) -> float | None:
    """The time limit (seconds; None = none) a scenario is solved with unless `--time-limit` says otherwise: its
    `solver.time_limit`, except that at a resolution of RESOLUTION_TIME_LIMITS the shipped default file's value
    gives way to that resolution's. A value set by any file of the user's (even 120, or null for none) is kept."""
    limit = spec.scenario.solver.time_limit
    resolution = spec.scenario.regions.resolution
    at = spec.positions.get(("solver", "time_limit"))
    shipped = at is not None and Path(at[0]).resolve() == models_file(DEFAULT_MODEL).resolve()
    if shipped and spec.scenario.regions.source == "embedded" and resolution in RESOLUTION_TIME_LIMITS:
        return RESOLUTION_TIME_LIMITS[resolution]
    return limit


def _highs(mat: Matrix, time_limit: float | None, gap: float, col_upper: np.ndarray | None = None):
    """A highspy.Highs loaded with the matrix (quiet, MIP_OPTIONS, relative gap `gap`, limit in seconds; `col_upper`
    instead of the matrix's upper bounds)."""
    h = new_highs()
    for option, value in MIP_OPTIONS.items():
        h.setOptionValue(option, value)
    h.setOptionValue("mip_rel_gap", gap)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if _threads is not None:
        h.setOptionValue("threads", _threads)
    pass_matrix(h, mat, mat.col_lower, mat.col_upper if col_upper is None else col_upper, mat.integer)
    return h


def free_highs(h) -> None:
    """Free a highspy.Highs's model and solver memory now. A Highs lives in a reference cycle (its callbacks hold it)
    until Python's cyclic collector runs: at county level about 0.8 GB that the explanation's LP would come on top of
    (bench/results.txt)."""
    h.clear()


def pass_matrix(h, mat: Matrix, col_lower: np.ndarray, col_upper: np.ndarray, integer: np.ndarray) -> None:
    """Load the matrix into `h` in bulk (row-wise arrays, minimise), with these column bounds and integer columns."""
    h.passModel(
        len(mat.cost),
        len(mat.row_lower),
        len(mat.value),
        2,
        1,
        0.0,  # row-wise matrix, minimise, no offset
        mat.cost,
        col_lower,
        col_upper,
        mat.row_lower,
        mat.row_upper,
        mat.start,
        mat.index,
        mat.value,
        integer.astype(np.int32),
    )


def row_of_entry(mat: Matrix) -> np.ndarray:
    """The row of each non-zero (the row-wise matrix's entries, in order)."""
    return np.repeat(np.arange(len(mat.row_lower)), np.diff(mat.start))


def _run_interruptibly(h, beat: _Beat | None = None) -> None:
    """h.run() in HiGHS's worker thread, so Ctrl-C stops the solve at once (then KeyboardInterrupt propagates); while
    it runs, `beat` is called every 0.1 s (it passes progress on at its own pace). Whatever is raised here (Ctrl-C,
    an error in `beat`) cancels the solve first: HiGHS never runs on after this returns."""
    h.HandleUserInterrupt = True
    if beat is not None:
        h.cbMipInterrupt += beat.seen
    h.startSolve()
    try:
        while not h.wait(0.1)[0]:
            if beat is not None:
                beat()
    except BaseException:
        h.cancelSolve()
        h.wait()
        raise
    finally:
        if beat is not None:
            h.cbMipInterrupt -= beat.seen


def solve_highs(
    m: LayoutModel,
    time_limit: float | None = None,
    gap: float = 0.0,
    on_progress: OnProgress | None = None,
    every: float = PROGRESS_EVERY,
    start: Start | None = None,
) -> SolveResult:
    """Solve with HiGHS; on a layout, write values into the PuLP variables. `on_progress` gets the figures of HiGHS's
    MIP callback while it runs, at most every `every` seconds, and once when it stops (`SolverProgress`). `start`: a
    layout HiGHS starts from (its cluster decisions; HiGHS completes the capacities and drops a start that breaks a
    row)."""
    import highspy

    mat = to_matrix(m)
    t0 = time.perf_counter()
    h = _highs(mat, time_limit, gap)
    if start is not None:
        index, values = start_values(m, start)
        h.setSolution(len(index), index, values)
    integer = np.flatnonzero(mat.integer).astype(np.int32)
    mip = len(integer) > 0
    del mat  # HiGHS holds its own copy: free ours for the solve (county level: ~50 MB)
    beat = _Beat("highs", on_progress, every, t0, time_limit, gap) if on_progress else None
    _run_interruptibly(h, beat)
    end = time.perf_counter()
    seconds = end - t0
    st, info = h.getModelStatus(), h.getInfo()
    S = highspy.HighsModelStatus
    has_sol = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    if beat is not None:  # the last call: HiGHS's final figures (its callback may not have seen the end)
        incumbent = info.objective_function_value if has_sol else np.inf
        beat.figures = (incumbent, info.mip_dual_bound, info.mip_gap, info.mip_node_count)
        beat(final=True, now=end)
    if st == S.kOptimal:
        status = OPTIMAL
    elif st in (S.kInfeasible,):
        status = INFEASIBLE
    elif st in (S.kUnbounded, S.kUnboundedOrInfeasible):
        status = UNBOUNDED if st == S.kUnbounded else INFEASIBLE
    # highspy's stubs omit kHighsInterrupt, which it has at run time
    elif st in (S.kTimeLimit, S.kIterationLimit, S.kSolutionLimit, S.kInterrupt, S.kMemoryLimit, S.kHighsInterrupt):  # type: ignore[attr-defined]
        status = FEASIBLE if has_sol else NO_SOLUTION
    else:
        status = "error"
    objective = bound = g = None
    if status in (OPTIMAL, FEASIBLE):
        values = np.asarray(h.getSolution().col_value, dtype=float)
        objective = float(info.objective_function_value)
        bound = float(info.mip_dual_bound) if mip else objective
        g = float(info.mip_gap) if mip else 0.0
        if mip:
            values, objective = polished(h, integer, values, objective)
        for v, x in zip(m.columns, values.tolist()):
            v.varValue = x
        if not np.isfinite(g):
            g = None
    message = h.modelStatusToString(st)
    free_highs(h)
    return SolveResult("highs", status, objective, bound, g, seconds, message)


def polished(h, integer: np.ndarray, values: np.ndarray, objective: float) -> tuple[np.ndarray, float]:
    """The continuous part re-solved as an LP with every integer column fixed at its rounded value.

    HiGHS accepts a binary within 1e-6 of 0 or 1, and a binary at 1e-6 multiplies a capacity allowance:
    a cluster may come out 40e-6 above its maximum. With the clusters fixed exactly, capacities and the
    objective are those of the layout as reported. Keeps the MIP's values if that LP does not solve.
    """
    import highspy

    fixed = np.round(values[integer])
    h.changeColsIntegrality(len(integer), integer, np.zeros(len(integer), dtype=np.uint8))
    h.changeColsBounds(len(integer), integer, fixed, fixed)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return values, objective
    return np.asarray(h.getSolution().col_value, dtype=float), float(h.getInfo().objective_function_value)


_CBC_GAP = re.compile(r"Gap:\s+([-+0-9.eE]+)")
_CBC_BOUND = re.compile(r"Lower bound:\s+([-+0-9.eE]+)")


def _dies_with(parent: int):
    """preexec_fn for a solver child: on Linux it gets SIGKILL when `parent` dies, even by SIGKILL."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None

    def preexec() -> None:
        if libc is not None:
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)

    return preexec


def solve_cbc(
    m: LayoutModel,
    time_limit: float | None = None,
    gap: float = 0.0,
    on_progress: OnProgress | None = None,
    every: float = PROGRESS_EVERY,
    start: Start | None = None,
) -> SolveResult:
    """Solve with the CBC that ships with PuLP; the gap is read from CBC's own log. CBC takes no `start` (ignored).

    CBC reports nothing while it runs (its log, written to a file, arrives in buffered blocks): `on_progress` gets
    the elapsed time only (`SolverProgress.reports` False), at most every `every` seconds and once when it stops.

    CBC is started here, with PuLP's own arguments and solution reader, so that it never outlives this
    process: it is killed on Ctrl-C or any error, and gets SIGKILL when this process dies (Linux,
    PR_SET_PDEATHSIG). Its files (model, log, solution) live in a temporary folder that is removed on every way out:
    a result, an error, Ctrl-C or SIGTERM (which `layout` turns into an exception that unwinds like Ctrl-C).
    """
    with tempfile.TemporaryDirectory(prefix="layout-cbc-") as tmp:
        log, mps, solution = (Path(tmp) / f for f in ("cbc.log", "model.mps", "model.sol"))
        with warnings.catch_warnings():  # PuLP 3.x warns that 4.0 moves CBC to an extra; 3.x bundles it
            warnings.simplefilter("ignore", DeprecationWarning)
            cmd = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, gapRel=gap, threads=1, keepFiles=False)
        variables, var_names, row_names, _ = m.prob.writeMPS(str(mps), rename=1)
        args = [cmd.path, str(mps)] + (["-sec", str(time_limit)] if time_limit is not None else [])
        for option in cmd.options + cmd.getOptions():
            args += ("-" + option).split()
        args += ["-solve", "-printingOptions", "all", "-solution", str(solution)]
        t0 = time.perf_counter()
        with open(log, "w") as pipe:
            child = None
            try:
                child = subprocess.Popen(
                    args, stdin=subprocess.DEVNULL, stdout=pipe, stderr=pipe, preexec_fn=_dies_with(os.getpid())
                )
                code = _wait(child, _Beat("cbc", on_progress, every, t0, time_limit, gap) if on_progress else None)
            except (
                BaseException
            ):  # Ctrl-C, SIGTERM (the CLI raises it as an exception) or anything else: CBC must not run on
                if child is not None:
                    child.kill()
                    child.wait()
                raise
        seconds = time.perf_counter() - t0
        text = log.read_text(errors="replace")
        if code == 0 and solution.exists():
            status, values, dj, pi, slacks, sol_status = cmd.readsol_MPS(
                str(solution), m.prob, variables, var_names, row_names
            )
            m.prob.assignVarsVals(values)
            m.prob.assignVarsDj(dj)
            m.prob.assignConsPi(pi)
            m.prob.assignConsSlack(slacks, activity=True)
            m.prob.assignStatus(status, sol_status)
        else:
            m.prob.assignStatus(pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound)
    sol = m.prob.sol_status
    if sol == pulp.LpSolutionOptimal:
        status = OPTIMAL
    elif sol == pulp.LpSolutionIntegerFeasible:
        status = FEASIBLE
    elif sol == pulp.LpSolutionInfeasible or m.prob.status == pulp.LpStatusInfeasible:
        status = INFEASIBLE
    elif sol == pulp.LpSolutionUnbounded:
        status = UNBOUNDED
    else:
        status = NO_SOLUTION if time_limit else "error"
    objective = bound = g = None
    if status in (OPTIMAL, FEASIBLE):
        objective = float(pulp.value(m.prob.objective) or 0.0)
        found = _CBC_GAP.findall(text)
        bnd = _CBC_BOUND.findall(text)
        bound = float(bnd[-1]) if bnd else (objective if status == OPTIMAL else None)
        g = 0.0 if status == OPTIMAL and not found else (float(found[-1]) if found else None)
    return SolveResult("cbc", status, objective, bound, g, seconds, pulp.LpStatus[m.prob.status])


def _wait(child: subprocess.Popen, beat: _Beat | None) -> int:
    """The child's exit code, calling `beat` every 0.1 s while it runs and once when it ends."""
    if beat is None:
        return child.wait()
    while True:
        try:
            code = child.wait(0.1)
        except subprocess.TimeoutExpired:
            beat()
        else:
            beat(final=True)
            return code


def relative_gap(objective: float, bound: float) -> float:
    """HiGHS's relative gap: |objective − bound| / |objective| (0 where both are 0, infinite without a layout)."""
    if not (np.isfinite(objective) and np.isfinite(bound)):
        return np.inf
    if objective == bound:
        return 0.0
    return abs(objective - bound) / abs(objective) if objective != 0 else np.inf


SCIP_EXTRA = "pip install 'cluster-layout[scip]'"
# SCIP's end states (PySCIPOpt's getStatus) that stopped at a limit: a layout if SCIP found one, else none
_SCIP_LIMITS = {
    "timelimit",
    "userinterrupt",
    "memlimit",
    "nodelimit",
    "totalnodelimit",
    "stallnodelimit",
    "sollimit",
    "bestsollimit",
    "restartlimit",
    "primallimit",
    "duallimit",
    "terminate",
}


def solve_scip(
    m: LayoutModel,
    time_limit: float | None = None,
    gap: float = 0.0,
    on_progress: OnProgress | None = None,
    every: float = PROGRESS_EVERY,
    start: Start | None = None,
) -> SolveResult:
    """Solve with SCIP (PySCIPOpt, the optional extra `scip`); on a layout, write values into the PuLP variables.

    The hand-off is HiGHS's: the model's arrays (`to_matrix`) are loaded into HiGHS, written by it as an MPS file in
    a temporary folder (removed on every way out) and read by SCIP — PySCIPOpt has no bulk loader of arrays, and
    HiGHS's writer takes about a second at county level. SCIP runs in a thread of this process (its own Ctrl-C
    handling off), so Ctrl-C or any error interrupts it at once; `on_progress` gets its incumbent, bound, gap and
    nodes from an event handler. The layout is polished like HiGHS's (`polished`). SCIP stops at `gap` measured by
    its own rule (|objective − bound| over the smaller of the two), a little stricter than HiGHS's; the gap
    reported is HiGHS's (`relative_gap`), so that both solvers' figures read alike.
    """
    import pyscipopt  # `solve` checked it is there (`solver_problems`)

    mat = to_matrix(m)
    integer = np.flatnonzero(mat.integer).astype(np.int32)
    scip = pyscipopt.Model()
    scip.hideOutput()
    with tempfile.TemporaryDirectory(prefix="layout-scip-") as tmp:
        mps = str(Path(tmp) / "model.mps")
        h = new_highs()
        pass_matrix(h, mat, mat.col_lower, mat.col_upper, mat.integer)
        h.writeModel(mps)
        free_highs(h)
        scip.readProblem(mps)
    columns = {v.name: v for v in scip.getVars()}
    if set(columns) != {f"c{j}" for j in range(len(mat.cost))}:  # a program error, never the user's
        raise LayoutError(f"SCIP read {len(columns)} columns of {len(mat.cost)} from HiGHS's MPS file")
    scip.setParam("misc/catchctrlc", False)
    scip.setParam("limits/gap", float(gap))
    scip.setParam("randomization/randomseedshift", 0)
    if time_limit is not None:
        scip.setParam("limits/time", float(time_limit))
    if start is not None:  # a partial solution: SCIP completes the capacities itself
        partial = scip.createPartialSol()
        for j, value in zip(*start_values(m, start)):
            scip.setSolVal(partial, columns[f"c{j}"], float(value))
        scip.addSol(partial)
    t0 = time.perf_counter()
    beat = _Beat("scip", on_progress, every, t0, time_limit, gap) if on_progress else None
    _run_scip(scip, beat)
    end = time.perf_counter()
    seconds = end - t0
    st = scip.getStatus()
    found = scip.getNSols() > 0
    if beat is not None:  # the last call: SCIP's final figures
        beat.seen_scip(scip)
        beat(final=True, now=end)
    if st in ("optimal", "gaplimit"):
        status = OPTIMAL
    elif st in ("infeasible", "inforunbd"):
        status = INFEASIBLE
    elif st == "unbounded":
        status = UNBOUNDED
    elif st in _SCIP_LIMITS:
        status = FEASIBLE if found else NO_SOLUTION
    else:
        status = "error"
    objective = bound = g = None
    if status in (OPTIMAL, FEASIBLE):
        best = scip.getBestSol()
        values = np.zeros(len(mat.cost))
        for name, v in columns.items():  # HiGHS names the columns c0, c1, ... in the model's order
            values[int(name[1:])] = scip.getSolVal(best, v)
        objective = float(scip.getSolObjVal(best))
        bound = float(scip.getDualbound()) if len(integer) else objective
        if len(integer):
            h = new_highs()
            pass_matrix(h, mat, mat.col_lower, mat.col_upper, mat.integer)
            values, objective = polished(h, integer, values, objective)
            free_highs(h)
        g = relative_gap(objective, bound) if len(integer) else 0.0
        if status == OPTIMAL and st == "optimal":
            g = 0.0
        for v, x in zip(m.columns, values.tolist()):
            v.varValue = x
        if not np.isfinite(g):
            g = None
    return SolveResult("scip", status, objective, bound, g, seconds, {"timelimit": "time limit reached"}.get(st, st))


def _run_scip(scip: Any, beat: _Beat | None) -> None:
    """scip.optimizeNogil() in a thread; while it runs, `beat` is called every 0.1 s. Whatever is raised here (Ctrl-C,
    an error in `beat`) interrupts SCIP first (from its event handler and directly): SCIP never runs on after this
    returns."""
    import threading

    import pyscipopt

    stop = threading.Event()

    class Figures(pyscipopt.Eventhdlr):
        """Passes SCIP's figures to `beat` and interrupts SCIP when `stop` is set."""

        def eventinit(self) -> None:
            events = pyscipopt.SCIP_EVENTTYPE
            self.model.catchEvent(events.BESTSOLFOUND | events.NODESOLVED | events.LPSOLVED, self)

        def eventexec(self, event) -> dict:
            if stop.is_set():
                self.model.interruptSolve()
            elif beat is not None:
                beat.seen_scip(self.model)
            return {}

    scip.includeEventhdlr(Figures(), "layout_figures", "progress and interruption")
    failed: list[BaseException] = []

    def run() -> None:
        try:
            scip.optimizeNogil()
        except BaseException as e:  # handed to the waiting thread
            failed.append(e)

    solving = threading.Thread(target=run, name="scip", daemon=True)
    solving.start()
    try:
        while solving.is_alive():
            solving.join(0.1)
            if beat is not None:
                beat()
    except BaseException:
        stop.set()
        while solving.is_alive():  # again until SCIP stops: an interrupt before it starts solving is not kept
            with contextlib.suppress(Exception):
                scip.interruptSolve()
            solving.join(0.1)
        raise
    if failed:
        raise failed[0]


SOLVERS: dict[str, Callable[..., SolveResult]] = {"highs": solve_highs, "cbc": solve_cbc, "scip": solve_scip}


def scip_installed() -> bool:
    """Whether PySCIPOpt (the optional extra `scip`) can be imported."""
    try:
        import pyscipopt  # noqa: F401
    except ImportError:
        return False
    return True


def solver_problems(solver: str | None, spec: LoadedSpec | None = None) -> list[Problem]:
    """What stops the named solver (the command line's `solver`, else the file's `solver.name`) from running: an
    unknown name, or SCIP without PySCIPOpt installed. Checked before the regions are loaded."""
    at = spec.positions.get(("solver", "name")) if spec is not None and solver is None else None
    where, line, key = (str(at[0]), at[1], "solver.name") if at else (COMMAND_LINE, None, "--solver")
    name = solver if solver is not None else (spec.scenario.solver.name if spec is not None else "highs")
    if name not in SOLVERS:
        return [Problem(where, line, key, tr("highs, cbc or scip"), repr(name))]
    if name == "scip" and not scip_installed():
        return [
            Problem(
                where,
                line,
                key,
                tr("PySCIPOpt, the optional extra 'scip' ({command})", command=SCIP_EXTRA),
                tr("pyscipopt is not installed"),
            )
        ]
    return []


START_SHARE = 0.5  # the most of a time limit that a start of HiGHS's own may take
# the least relative gap at which HiGHS looks for a start of its own: its start comes within about half of it, so
# HiGHS can stop at its root; a solve to optimality (gap 0) must search the tree anyway and finds such layouts itself
START_MIN_GAP = 0.005


def best_unit_start(
    m: LayoutModel,
    time_limit: float | None,
    gap: float,
    on_progress: OnProgress | None = None,
    every: float = PROGRESS_EVERY,
) -> tuple[Start | None, float, float | None]:
    """A start of HiGHS's own: `m` solved with the best-unit closures (`layout.model.start.best_unit_closures`: each
    parent's clusters of an industry in its best unit), a smaller search whose layouts hold in `m` too; to half `gap`
    and within START_SHARE of `time_limit` (seconds). Returns the layout as a Start, the seconds taken and its
    objective: (None, 0.0, None) where nothing is closed, (None, seconds, None) where that search found no layout
    (e.g. a rule needs two units of one parent)."""
    closed = best_unit_closures(m)
    if not len(closed):
        return None, 0.0, None
    import highspy

    mat = to_matrix(m)
    t0 = time.perf_counter()  # as in solve_highs: from the hand-off to HiGHS
    upper = mat.col_upper.copy()
    upper[closed] = 0.0
    h = _highs(mat, None if time_limit is None else START_SHARE * time_limit, gap / 2, upper)
    del mat, upper
    beat = _Beat("highs", on_progress, every, t0, time_limit, gap) if on_progress else None
    if beat is not None:
        beat.stage = "start"
    _run_interruptibly(h, beat)
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    found = info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible
    values = np.asarray(h.getSolution().col_value, dtype=float) if found else None
    objective = float(info.objective_function_value)
    free_highs(h)
    if values is None:
        return None, seconds, None
    return start_of(m, values, translate(BEST_UNIT_START)), seconds, objective


def start_found_words(result: SolveResult) -> str:
    """What a start of HiGHS's own gave, for the progress lines: its objective and seconds, or that it found none."""
    facts = {"start": translate(BEST_UNIT_START), "seconds": f"{result.start_seconds:.1f}"}
    if result.start_objective is None:
        return tr("{start}: no layout in {seconds} s; the solver searched without a start", **facts)
    return tr("{start}: objective {value} in {seconds} s", value=number(result.start_objective), **facts)


def own_start_record(result: SolveResult) -> dict:
    """metrics.json's `solver.own_start` where HiGHS looked for a start of its own: what it was (in English), seconds
    and objective (null: none found); {} otherwise."""
    if not result.start_seconds:
        return {}
    objective = None if result.start_objective is None else round(result.start_objective, 9)
    return {"own_start": {"what": BEST_UNIT_START, "seconds": round(result.start_seconds, 3), "objective": objective}}


def solve(
    m: LayoutModel,
    solver: str = "highs",
    time_limit: float | None = None,
    gap: float = 0.0,
    on_progress: OnProgress | None = None,
    every: float = PROGRESS_EVERY,
    start: Start | None = None,
    own_start: bool = False,
) -> SolveResult:
    """Solve with the named solver (`time_limit` in seconds, `gap` relative). `on_progress` is called while it runs,
    at most every `every` seconds and once when it stops (`SolverProgress`). `start`: a layout to begin from; without
    one, `own_start` lets HiGHS look for one first where units share a parent's budget and `gap` is at least
    START_MIN_GAP (`best_unit_start`; the time limit covers both). Raises LimitError when a limit stopped it with no layout."""
    problems = solver_problems(solver)
    if problems:
        raise InputError(problems)
    before, found = 0.0, None
    if own_start and start is None and solver == "highs" and gap >= START_MIN_GAP:
        start, before, found = best_unit_start(m, time_limit, gap, on_progress, every)
    limit = time_limit if time_limit is None or not before else max(time_limit - before, 1.0)
    if on_progress is not None and before:  # the full solve's clock goes on from the start's, against the whole limit
        report = on_progress

        def on_progress(p: SolverProgress) -> None:
            report(replace(p, elapsed=p.elapsed + before, time_limit=time_limit))

    result = SOLVERS[solver](m, limit, gap, on_progress, every, start)
    if before:
        result = replace(result, seconds=result.seconds + before, start_seconds=before, start_objective=found)
    if result.status == NO_SOLUTION:
        raise LimitError(
            tr(
                "{solver} stopped at its limit ({reason}) after {seconds} s without a feasible layout; "
                "raise --time-limit or loosen the scenario",
                solver=solver,
                reason=result.message,
                seconds=f"{result.seconds:.1f}",
            )
        )
    return result


def solver_failure(solver: str, result: SolveResult, during: str = "") -> LayoutError:
    """The error for a solve that ended with no layout and neither infeasible nor at a limit (e.g. HiGHS 'error').
    `during`: which solve, a translated phrase ("for 2030", "for a near-optimal alternative"); "" for the one solve."""
    facts = {
        "solver": solver,
        "during": during,
        "status": result.status,
        "reason": result.message,
        "other": "highs" if solver != "highs" else "cbc",
    }
    return LayoutError(
        tr(
            "{solver} ended {during} with status '{status}' ({reason}) and no layout: a failure of the solver, not a "
            "proof that the scenario is infeasible; nothing was written. Try --solver {other}, and please report the "
            "constraint file if it persists",
            **facts,
        )
        if during
        else tr(
            "{solver} ended with status '{status}' ({reason}) and no layout: a failure of the solver, not a "
            "proof that the scenario is infeasible; nothing was written. Try --solver {other}, and please report the "
            "constraint file if it persists",
            **facts,
        )
    )


LP_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.]")
LP_NAME_MAX = 90  # PuLP refuses names over 100 characters in LP files; room for a '_k' that makes one unique


def readable_names(labels: list[str]) -> list[str]:
    """Names for an LP or MPS file: each label with anything but ASCII letters, digits, '_' and '.' replaced by
    '_', cut to LP_NAME_MAX characters, made unique in order with a suffix '_2', '_3', ... (codes that differ
    only in rewritten characters, such as 'R-1' and 'R_1', get distinct names)."""
    out, seen = [], set()
    for label in labels:
        base = LP_NAME_CHARS.sub("_", label)[:LP_NAME_MAX] or "_"
        name, k = base, 1
        while name in seen:
            k += 1
            name = f"{base}_{k}"
        seen.add(name)
        out.append(name)
    return out


def export(m: LayoutModel, lp: Path | None = None, mps: Path | None = None) -> None:
    """Write the model as an LP and/or MPS file with readable names (`readable_names` of the model's labels).

    The model's own names are positional (model.py): a copy of the problem is written with the readable names,
    and the model's names are put back afterwards, whatever happens."""
    rows, columns = list(m.rows), [v.name for v in m.columns]
    try:
        for v, name in zip(m.columns, readable_names([m.label(n) for n in columns])):
            v.name = name
        named = pulp.LpProblem(m.prob.name, m.prob.sense)
        named.setObjective(m.prob.objective)
        named.extend(dict(zip(readable_names([m.label(n) for n in rows]), (m.rows[n] for n in rows))))
        if lp is not None:
            named.writeLP(str(lp))
        if mps is not None:
            named.writeMPS(str(mps))
    finally:
        for v, name in zip(m.columns, columns):
            v.name = name
        for n in rows:
            m.rows[n].name = n
