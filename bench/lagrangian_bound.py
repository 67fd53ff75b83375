"""Benchmark: how tight a bound decomposition by province gives, against HiGHS's own after its root node.

    python bench/lagrangian_bound.py [--level prefecture] [--iterations 12] [--out FILE]

A Lagrangian relaxation of the embedded default at `--level`: the rows that tie provinces together — each
industry's national rows (demand, overcapacity, spread, concentrate, strengths) and the duplication rows between
neighbours of two provinces — are priced instead of imposed; what is left falls apart into independent blocks (a
province, or the provinces an inter-provincial group ties), each solved as a MIP by HiGHS. Their optima plus the
prices' constant are a valid lower bound on every layout's objective. The prices start at the LP relaxation's duals
and move by subgradient steps (Polyak's rule towards 1 % above the best bound so far, halved after two steps without
gain). Prints model size, HiGHS's root node (time, bound, layout), the LP, then each step's bound and seconds, and
peak memory. An experiment for docs/solvers.md (issue 20), not a part of `layout solve`.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import highspy
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import layout.model.solve as S  # noqa: E402
import layout.pipeline as R  # noqa: E402
from bench import machine  # noqa: E402  (bench/bench.py: the machine line)
from layout.model.core import LayoutModel  # noqa: E402
from layout.model.families import build_model  # noqa: E402

# each industry's rows over every region
NATIONAL = {
    "demand",
    "overcapacity",
    "overcapacity_cap",
    "spread_min",
    "spread_max",
    "spread_groups",
    "concentrate",
    "strengths",
}


def priced_rows(m: LayoutModel, row_names: list[str]) -> np.ndarray:
    """Rows to price: the national ones and duplication between units of two provinces."""
    province = m.inst.parent
    priced = np.zeros(len(row_names), bool)
    for k, name in enumerate(row_names):
        info = m.info[name]
        across = info.family.startswith("homogeneity") and province.get(info.region) != province.get(info.other)
        priced[k] = info.family in NATIONAL or across
    return priced


def blocks(mat: S.Matrix, kept: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Columns' block (union of the columns of each kept row) and each block's kept rows."""
    n = len(mat.cost)
    root = np.arange(n)

    def find(a: int) -> int:
        while root[a] != a:
            root[a] = root[root[a]]
            a = root[a]
        return a

    for k in np.flatnonzero(kept):
        cols = mat.index[mat.start[k] : mat.start[k + 1]]
        first = find(cols[0])
        for c in cols[1:]:
            other = find(c)
            if other != first:
                root[other] = first
    block = np.array([find(j) for j in range(n)])
    rows: dict[int, list[int]] = {}
    for k in np.flatnonzero(kept):
        rows.setdefault(int(block[mat.index[mat.start[k]]]), []).append(int(k))
    return block, [np.array(r) for r in rows.values()]


def block_highs(mat: S.Matrix, cols: np.ndarray, rows: np.ndarray) -> highspy.Highs:
    """A quiet HiGHS MIP of the kept rows `rows` over columns `cols` (costs set later)."""
    where = np.full(len(mat.cost), -1)
    where[cols] = np.arange(len(cols))
    starts, index, value = [0], [], []
    for k in rows:
        a, b = mat.start[k], mat.start[k + 1]
        index.extend(where[mat.index[a:b]])
        value.extend(mat.value[a:b])
        starts.append(len(index))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cols), len(rows)
    lp.col_cost_ = np.zeros(len(cols))
    lp.col_lower_, lp.col_upper_ = mat.col_lower[cols], mat.col_upper[cols]
    lp.row_lower_, lp.row_upper_ = mat.row_lower[rows], mat.row_upper[rows]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = starts, index, value
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(cols), len(rows)
    kinds = highspy.HighsVarType
    lp.integrality_ = [kinds.kInteger if mat.integer[j] else kinds.kContinuous for j in cols]
    h = highspy.Highs()
    h.silent()
    h.passModel(lp)
    return h


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--level", choices=("province", "prefecture", "county"), default="prefecture")
    ap.add_argument("--iterations", type=int, default=12)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    lines = [f"# lagrangian_bound.py --level {a.level} --iterations {a.iterations}; {machine()}"]

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "default.yaml"
        file.write_text(f"extends: default\nregions:\n  resolution: {a.level}\n", encoding="utf-8")
        _spec, _regions, inst = R.prepare(file)
    m = build_model(inst)
    mat = S.to_matrix(m)
    size = S.model_size(m)
    say(
        f"model {size.rows} rows x {size.columns} columns, {size.binaries} binary; built in {time.perf_counter() - t0:.1f} s"
    )

    h = S._highs(mat, None, 0.01)
    h.setOptionValue("mip_max_nodes", 1)
    t = time.perf_counter()
    h.run()
    info = h.getInfo()
    say(
        f"HiGHS root node: {time.perf_counter() - t:.1f} s, bound {info.mip_dual_bound:.4f}, layout {info.objective_function_value:.4f}"
    )
    h.setOptionValue("mip_max_nodes", highspy.kHighsIInf)
    h.setOptionValue("solve_relaxation", True)
    t = time.perf_counter()
    h.clearSolver()
    h.run()
    say(f"LP relaxation: {time.perf_counter() - t:.1f} s, {h.getInfo().objective_function_value:.4f}")
    duals = np.array(h.getSolution().row_dual)
    S.free_highs(h)

    priced = priced_rows(m, mat.row_names)
    block, block_rows = blocks(mat, ~priced)
    rows_p = np.flatnonzero(priced)
    low, up = mat.row_lower[rows_p], mat.row_upper[rows_p]
    ge, le = np.isfinite(low) & ~np.isfinite(up), np.isfinite(up) & ~np.isfinite(low)
    entries = [(mat.index[mat.start[k] : mat.start[k + 1]], mat.value[mat.start[k] : mat.start[k + 1]]) for k in rows_p]
    subs = []
    for rows in block_rows:
        cols = np.flatnonzero(block == block[mat.index[mat.start[rows[0]]]])
        subs.append((cols, block_highs(mat, cols, rows)))
    alone = np.setdiff1d(np.arange(len(mat.cost)), np.concatenate([c for c, _ in subs]))
    largest = max(len(c) for c, _ in subs)
    say(f"priced rows {len(rows_p)}; blocks {len(subs)} (largest {largest} columns) and {len(alone)} lone columns")

    def bound(prices: np.ndarray) -> tuple[float, np.ndarray]:
        cost = mat.cost.copy()
        for (cols, vals), p in zip(entries, prices):
            if p:
                np.subtract.at(cost, cols, p * vals)
        total = float(np.sum(prices * np.where(prices > 0, np.nan_to_num(low), np.nan_to_num(up))))
        x = np.zeros(len(cost))
        c = cost[alone]
        x[alone] = np.where(c < 0, mat.col_upper[alone], mat.col_lower[alone])
        total += float(c @ x[alone])
        for cols, sub in subs:
            sub.changeColsCost(len(cols), np.arange(len(cols), dtype=np.int32), cost[cols])
            sub.run()
            x[cols] = sub.getSolution().col_value
            total += sub.getInfo().mip_dual_bound
        return total, x

    prices = duals[rows_p].copy()
    best, theta, idle = -np.inf, 1.0, 0
    t = time.perf_counter()
    for step in range(a.iterations):
        value, x = bound(prices)
        if value > best + 1e-6:
            best, idle = value, 0
        else:
            idle += 1
            if idle == 2:
                theta, idle = theta / 2, 0
        say(f"step {step}: bound {value:.4f} (best {best:.4f}) after {time.perf_counter() - t:.1f} s")
        act = np.array([vals @ x[cols] for cols, vals in entries])
        grad = np.where(ge, low - act, np.where(le, up - act, 0.0))
        grad = np.where((ge & (prices <= 0) & (grad < 0)) | (le & (prices >= 0) & (grad > 0)), 0.0, grad)
        norm = float(grad @ grad)
        if norm < 1e-12:
            break
        prices = prices + theta * (best + 0.01 * abs(best) - value) / norm * grad
        prices = np.where(ge, np.maximum(prices, 0.0), np.where(le, np.minimum(prices, 0.0), prices))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    say(f"best bound {best:.4f}; total {time.perf_counter() - t0:.1f} s; peak {peak:,.0f} MiB")
    if a.out:
        with a.out.open("a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
