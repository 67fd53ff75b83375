"""The LP that explain's probes re-solve: the fixed LP with what the cluster decisions settle taken out.

With every cluster decision fixed, most of the model is settled: a fixed column is a number, a row left with one
column is a bound on it, and a row left with none says nothing. `reduce_fixed` takes these out, round after round
(a bound can fix a column, which can leave another row with one column), and keeps an exact copy of what remains:
the columns still free to move, the rows over them (their bounds less the settled part), and the settled part of the
objective as a constant. Every feasible point of one is a feasible point of the other with the same objective, so a
probe's objective is the same (up to rounding in the last digits). On the default at county level the LP shrinks from
192,701 rows to 705 (and from 123,505 columns to 55,509), and a probe from about a third of a second to about 12 ms;
at province level from 1,710 rows to 544.

Two kinds of entries are never taken out: the columns a probe sets (`free`: the cluster decisions it forces to 1)
and the rows it raises (`kept`: the count limits it lifts by one), so that a probe changes them in the reduced LP as
it would in the full one. Shadow prices still come from the full fixed LP (`layout.analysis.explain.FixedLP`): a row
taken out here has no dual.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from layout.model.solve import Matrix, new_highs, pass_matrix, row_of_entry

ROUNDS = 20  # at most this many rounds of taking out (each one fixes columns that the previous one bounded)
SLACK = 1e-7  # a settled row may miss its bounds by this much (HiGHS's feasibility tolerance, 1e-7, absolute)


@dataclass
class Reduced:
    """The reduced LP: `mat` over the columns `cols` and rows `rows` of the full one, and `offset`, the settled part of
    the objective (min offset + cost'x)."""

    mat: Matrix
    cols: np.ndarray  # full column index of each reduced column
    rows: np.ndarray  # full row index of each reduced row
    offset: float


def reduce_fixed(
    mat: Matrix, lower: np.ndarray, upper: np.ndarray, free: np.ndarray, kept: np.ndarray
) -> Reduced | None:
    """The LP min cost'x, row_lower <= A x <= row_upper, lower <= x <= upper with its settled part taken out (module
    docstring); `free` (per column) and `kept` (per row) are never taken out. None where a settled row misses its
    bounds by more than SLACK (the LP would be infeasible: the caller keeps the full one)."""
    lower, upper = lower.astype(float), upper.astype(float)
    n_rows = len(mat.row_lower)
    row = row_of_entry(mat)
    active = np.ones(n_rows, dtype=bool)
    for _ in range(ROUNDS):
        fixed = (upper <= lower) & ~free
        settled = np.bincount(
            row, weights=np.where(fixed[mat.index], mat.value * lower[mat.index], 0.0), minlength=n_rows
        )
        live = ~fixed[mat.index] & active[row] & (mat.value != 0)  # a zero coefficient holds nothing
        count = np.bincount(row, weights=live, minlength=n_rows)
        single = live & ((count == 1) & ~kept)[row] & ~free[mat.index]  # the entry of a row left with one column
        e = np.flatnonzero(single)
        if not len(e) and not np.any(active & ~kept & (count == 0)):
            break
        k, j, a = row[e], mat.index[e], mat.value[e]
        lo = (mat.row_lower[k] - settled[k]) / a
        up = (mat.row_upper[k] - settled[k]) / a
        lo, up = np.where(a > 0, lo, up), np.where(a > 0, up, lo)
        np.maximum.at(lower, j, lo)
        np.minimum.at(upper, j, up)
        if np.any(lower > upper + SLACK * np.maximum(1.0, np.abs(upper))):
            return None
        upper = np.maximum(upper, lower)  # snap: lower <= upper within SLACK means fixed at lower
        empty = active & ~kept & (count == 0)
        if np.any(
            (settled[empty] < mat.row_lower[empty] - SLACK * np.maximum(1.0, np.abs(mat.row_lower[empty])))
            | (settled[empty] > mat.row_upper[empty] + SLACK * np.maximum(1.0, np.abs(mat.row_upper[empty])))
        ):
            return None
        active[k] = False
        active &= ~empty
    fixed = (upper <= lower) & ~free
    settled = np.bincount(row, weights=np.where(fixed[mat.index], mat.value * lower[mat.index], 0.0), minlength=n_rows)
    cols, rows = np.flatnonzero(~fixed), np.flatnonzero(active)
    new_col = np.full(len(mat.cost), -1, dtype=np.int64)
    new_col[cols] = np.arange(len(cols))
    entry = active[row] & ~fixed[mat.index] & (mat.value != 0)
    lens = np.bincount(row[entry], minlength=n_rows)[rows]
    start = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum(lens, out=start[1:])
    reduced = Matrix(
        mat.cost[cols],
        lower[cols],
        upper[cols],
        mat.row_lower[rows] - settled[rows],
        mat.row_upper[rows] - settled[rows],
        start,
        new_col[mat.index[entry]].astype(np.int32),
        mat.value[entry],
        np.zeros(len(cols), dtype=bool),
        [mat.row_names[k] for k in rows],
    )
    return Reduced(reduced, cols, rows, float(mat.cost[fixed] @ lower[fixed]))


def whole(mat: Matrix, lower: np.ndarray, upper: np.ndarray) -> Reduced:
    """The LP with nothing taken out (these column bounds, no integer column): what probes use where `reduce_fixed`
    gives None."""
    n = len(mat.cost)
    kept = replace(mat, col_lower=lower, col_upper=upper, integer=np.zeros(n, dtype=bool))
    return Reduced(kept, np.arange(n), np.arange(len(mat.row_lower)), 0.0)


class ProbeLP:
    """The reduced LP in one HiGHS instance: `probe` fixes named columns at 1 and raises named rows' upper bounds by
    one, re-solves (hot start) and restores; the same objective as `FixedLP.probe` on the full LP. `timed_out`: the
    last solve was stopped by the deadline (its None means "not solved", not "infeasible")."""

    def __init__(self, reduced: Reduced, col_names: list[str], deadline: float | None = None):
        self.reduced, self.deadline = reduced, deadline
        self.timed_out = False
        self.base: float | None = None  # the objective before any probe (`solve`)
        self.col = {col_names[j]: k for k, j in enumerate(reduced.cols)}
        self.row = {name: k for k, name in enumerate(reduced.mat.row_names)}
        self.h = new_highs()
        self.h.setOptionValue("random_seed", 0)
        self.h.setOptionValue("presolve", "on")  # the first solve (probes hot-start from its basis without presolve)
        m = reduced.mat
        pass_matrix(self.h, m, m.col_lower, m.col_upper, m.integer)

    def solve(self) -> float | None:
        """Solve the LP as it is (no probe); keep its objective as `base`, the one probes are measured against."""
        self.base = self.run()
        return self.base

    def run(self) -> float | None:
        """Solve; the objective (with the settled part), or None if infeasible or out of time (`timed_out`)."""
        import highspy

        self.timed_out = False
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.timed_out = True
                return None
            self.h.setOptionValue("time_limit", left)
        self.h.run()
        status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            self.timed_out = status == highspy.HighsModelStatus.kTimeLimit
            return None
        return self.reduced.offset + float(self.h.getInfo().objective_function_value)

    def probe(self, fix_one: list[str], raise_rows: list[str]) -> float | None:
        """Objective with the named columns fixed at 1 and the named rows' upper bounds raised by one; None if that LP
        is infeasible. Bounds are restored afterwards."""
        m = self.reduced.mat
        cols = [self.col[n] for n in fix_one]
        rows = [self.row[n] for n in raise_rows]
        for j in cols:
            self.h.changeColBounds(j, 1.0, 1.0)
        for k in rows:
            self.h.changeRowBounds(k, m.row_lower[k], m.row_upper[k] + 1.0)
        try:
            return self.run()
        finally:
            for j in cols:
                self.h.changeColBounds(j, m.col_lower[j], m.col_upper[j])
            for k in rows:
                self.h.changeRowBounds(k, m.row_lower[k], m.row_upper[k])
