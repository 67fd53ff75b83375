"""The probes' reduced LP (layout/analysis/probe_lp.py): what the cluster decisions settle is taken out exactly.

A hand-made LP, columns x1, x2, x3, x4, x5 >= 0 (capacity) and b1, b2, b3 (cluster decisions, fixed at 1, 0, 0):

    min  -x1 - 2 x2 - 0.5 x4 - 0.25 x5 + 3 b1 + b2
    r0:  x1 + x2        <= 10
    r1:  x1 - 8 b1      <= 0     b1 = 1 settled: a bound x1 <= 8, the row taken out
    r2:  x2 - 5 b2      <= 0     b2 is probed (free): kept
    r3:  b1 + b2        <= 1     a count limit a probe raises (kept): 0 <= b2 <= 0 after b1's part
    r4:  x3 - 4 b3      <= 0     b3 = 0 settled: x3 <= 0, so x3 is fixed at 0 ...
    r5:  x1 + x3        <= 9     ... which leaves r5 a bound x1 <= 9 in the second round
    r6:  -x4            >= -3    a negative coefficient on a lower bound: x4 <= 3, x4 left free of rows
    r7:  x5 - 2 b1      =  0     an equality: x5 fixed at 2, its cost settled
    r8:  b3 + 0 x1      <= 0     kept (a probe may raise it) though nothing in it moves: stays, empty

By hand: at b = (1, 0, 0) the LP is x2 = 0, x1 = 8, x4 = 3, x5 = 2: objective -8 - 1.5 - 0.5 + 3 = -7. Probe b2 = 1
with r3 raised to 2: x2 <= 5, x1 <= 8, x1 + x2 <= 10, so x2 = 5, x1 = 5: -5 - 10 - 1.5 - 0.5 + 3 + 1 = -13. Without
r3 raised, b2 = 1 breaks it.
"""

from __future__ import annotations

import json

import numpy as np

import layout.analysis.explain as explain_module
from layout.analysis.probe_lp import ProbeLP, reduce_fixed
from layout.model.families import build_model
from layout.model.solve import Matrix, solve
from layout.pipeline import prepare

INF = np.inf
COLS = ["x1", "x2", "x3", "x4", "x5", "b1", "b2", "b3"]


def hand_made() -> tuple[Matrix, np.ndarray, np.ndarray]:
    x1, x2, x3, x4, x5, b1, b2, b3 = range(8)
    rows = [  # (entries, lower, upper)
        ({x1: 1, x2: 1}, -INF, 10),
        ({x1: 1, b1: -8}, -INF, 0),
        ({x2: 1, b2: -5}, -INF, 0),
        ({b1: 1, b2: 1}, -INF, 1),
        ({x3: 1, b3: -4}, -INF, 0),
        ({x1: 1, x3: 1}, -INF, 9),
        ({x4: -1}, -3, INF),
        ({x5: 1, b1: -2}, 0, 0),
        ({b3: 1, x1: 0}, -INF, 0),
    ]
    start = np.cumsum([0] + [len(e) for e, _, _ in rows]).astype(np.int32)
    integer = np.array([False] * 5 + [True] * 3)
    mat = Matrix(
        cost=np.array([-1.0, -2.0, 0.0, -0.5, -0.25, 3.0, 1.0, 0.0]),
        col_lower=np.zeros(8),
        col_upper=np.where(integer, 1.0, INF),
        row_lower=np.array([lo for _, lo, _ in rows], dtype=float),
        row_upper=np.array([up for _, _, up in rows], dtype=float),
        start=start,
        index=np.array([j for e, _, _ in rows for j in e], dtype=np.int32),
        value=np.array([v for e, _, _ in rows for v in e.values()], dtype=float),
        integer=integer,
        row_names=[f"r{k}" for k in range(len(rows))],
    )
    fixed = np.array([0, 0, 0, 0, 0, 1, 0, 0], dtype=float)
    lower = np.where(mat.integer, fixed, mat.col_lower)
    upper = np.where(mat.integer, fixed, mat.col_upper)
    return mat, lower, upper


def test_settled_columns_and_rows_are_taken_out_round_after_round():
    mat, lower, upper = hand_made()
    free = np.array([c == "b2" for c in COLS])
    kept = np.array([name in ("r3", "r8") for name in mat.row_names])
    reduced = reduce_fixed(mat, lower, upper, free, kept)
    assert reduced is not None
    assert [COLS[j] for j in reduced.cols] == ["x1", "x2", "x4", "b2"]
    assert reduced.mat.row_names == ["r0", "r2", "r3", "r8"]
    assert reduced.offset == 3.0 - 0.5  # b1's cost and x5's
    assert reduced.mat.col_upper.tolist() == [8.0, INF, 3.0, 0.0]  # x1 <= 8 (r1; r5's 9 is looser), x4 <= 3 (r6)
    assert reduced.mat.row_upper.tolist() == [10.0, 0.0, 0.0, 0.0]  # r3 less b1's part; r8 empty, kept
    assert np.diff(reduced.mat.start).tolist() == [2, 2, 1, 0]  # r8's zero coefficient on x1 left out
    lp = ProbeLP(reduced, COLS)
    assert lp.solve() == lp.base == -7.0
    assert lp.probe(["b2"], ["r3"]) == -13.0
    assert lp.probe(["b2"], []) is None and not lp.timed_out  # r3 not raised: b2 = 1 breaks it
    assert lp.run() == -7.0  # bounds restored


def test_a_settled_row_that_misses_its_bounds_leaves_the_full_lp():
    mat, lower, upper = hand_made()
    upper[5] = lower[5] = 0.0
    mat.row_lower[3] = 1.0  # r3: b1 + b2 >= 1 with b1 = b2 = 0 settled: the fixed LP is infeasible
    assert reduce_fixed(mat, lower, upper, np.zeros(8, dtype=bool), np.zeros(9, dtype=bool)) is None


def test_probes_on_the_reduced_lp_give_the_full_lps_explanation_on_the_default(tmp_path, monkeypatch):
    path = tmp_path / "default.yaml"
    path.write_text("extends: default\n", encoding="utf-8")
    m = build_model(prepare(path)[2])
    result = solve(m, "highs")
    reduced = explain_module.explain(m, result)
    assert reduced["near_misses"] and any(c["cost_if_forced"] for n in reduced["near_misses"] for c in n["candidates"])
    made = []
    real = explain_module._probe_lp

    def recorded(lp, plan):
        made.append(real(lp, plan))
        return made[-1]

    monkeypatch.setattr(explain_module, "_probe_lp", recorded)
    assert json.dumps(explain_module.explain(m, result), sort_keys=True) == json.dumps(reduced, sort_keys=True)
    assert (
        made and made[0] is not None and len(made[0].reduced.rows) < len(m.rows) / 2
    )  # the reduced LP probed (544 of 1,710 rows)
    monkeypatch.setattr(explain_module, "_probe_lp", lambda lp, plan: None)  # the full LP's copies probe
    assert json.dumps(explain_module.explain(m, result), sort_keys=True) == json.dumps(reduced, sort_keys=True)
