"""Hand-computed optima on tiny square regions, asserted exactly (solved to optimality, gap 0).

Scores are min-max normalised indicators: with one indicator `s` the score of a region is
(s - min s) / (max s - min s). The objective of design.md section 3 with alpha = homogeneity,
sigma = advantage = 1, no budget, no balance term (min_clusters 0):
    alpha * duplications - sum_r score_r * x_r / target.
"""

from __future__ import annotations

import pandas as pd
import pytest

from layout.errors import InfeasibleError
from layout.pipeline import Options, solve_scenario
from tests.squares import industry, write_regions, write_scenario

SOLVERS = ["highs", "cbc", "scip"]


def solved(tmp_path, body, solver):
    path = write_scenario(tmp_path, body)
    run = solve_scenario(path, tmp_path / "out", Options(solver=solver))
    table = pd.read_csv(
        tmp_path / "out" / "assignment.csv", dtype={"region_code": str, "group": str}, keep_default_na=False
    )
    return run, {(r.region_code, r.industry): (r.tier, round(r.capacity, 6), r.group) for r in table.itertuples()}


@pytest.fixture
def three_squares(tmp_path):
    """A and B share an edge; C stands apart. Indicator s: A 10, B 8, C 0 → scores 1, 0.8, 0."""
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    return tmp_path


@pytest.mark.parametrize("solver", SOLVERS)
def test_homogeneity_penalty_moves_industry_to_non_adjacent_region(three_squares, solver):
    # Target 100, at most 50 per region → two provincial clusters of 50.
    # A+B: reward (1*50 + 0.8*50)/100 = 0.9, one duplication (A, B neighbours): objective 1 - 0.9 = 0.1.
    # A+C: reward (1*50 + 0*50)/100 = 0.5, no duplication: objective -0.5  ← optimum with alpha = 1.
    # A 50 + C 42 + B characteristic 8: -(50 + 6.4)/100 + 0.5 (half-weight duplication) = -0.064 > -0.5.
    body = {"industries": {"T": industry(max_share=0.5)}, "objective": {"homogeneity": 1.0}}
    run, got = solved(three_squares, body, solver)
    assert got == {("A", "T"): ("provincial", 50.0, ""), ("C", "T"): ("provincial", 50.0, "")}
    assert run.result.objective == pytest.approx(-0.5, abs=1e-9)
    assert run.metrics["optimised"]["duplications"] == 0


@pytest.mark.parametrize("solver", SOLVERS)
def test_without_homogeneity_penalty_the_neighbours_duplicate(three_squares, solver):
    # alpha = 0: A+B gives -0.9, the best reward available (the counterpart of the test above).
    body = {"industries": {"T": industry(max_share=0.5)}, "objective": {"homogeneity": 0.0}}
    run, got = solved(three_squares, body, solver)
    assert got == {("A", "T"): ("provincial", 50.0, ""), ("B", "T"): ("provincial", 50.0, "")}
    assert run.result.objective == pytest.approx(-0.9, abs=1e-9)
    assert run.metrics["optimised"]["duplications"] == 1


@pytest.fixture
def apart(tmp_path):
    """Three squares, no two adjacent. p: A 10, B 6, C 0 → 1, 0.6, 0; q: A 10, B 2, C 0 → 1, 0.2, 0."""
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (3, 0), "C": (6, 0)},
        {"A": {"p": 10, "q": 10}, "B": {"p": 6, "q": 2}, "C": {"p": 0, "q": 0}},
    )
    return tmp_path


def two_industries(k: int) -> dict:
    return {
        "industries": {"P": industry(max_share=1.0, weights={"p": 1}), "Q": industry(max_share=1.0, weights={"q": 1})},
        "limits": {"min_clusters": 0, "budget": None, "max_clusters": k},
    }


@pytest.mark.parametrize("solver", SOLVERS)
def test_focus_limit_binds(apart, solver):
    # K = 1: A can host one industry. A=P, B=Q: -(1 + 0.2) = -1.2; A=Q, B=P: -(1 + 0.6) = -1.6 ← optimum.
    run, got = solved(apart, two_industries(1), solver)
    assert got == {("A", "Q"): ("provincial", 100.0, ""), ("B", "P"): ("provincial", 100.0, "")}
    assert run.result.objective == pytest.approx(-1.6, abs=1e-9)


@pytest.mark.parametrize("solver", SOLVERS)
def test_without_focus_limit_the_strongest_region_takes_all(apart, solver):
    # K = 2: A hosts both at 100 each, -2 (the largest reward possible).
    run, got = solved(apart, two_industries(2), solver)
    assert got == {("A", "P"): ("provincial", 100.0, ""), ("A", "Q"): ("provincial", 100.0, "")}
    assert run.result.objective == pytest.approx(-2.0, abs=1e-9)


@pytest.mark.parametrize("solver", SOLVERS)
def test_one_interprovincial_cluster_beats_two_provincial_ones(tmp_path, solver):
    # A, B adjacent, both in group G, equal scores 1; C apart, score 0. Target 100, at most 50 each.
    # A, B provincial: reward 1, one duplication: 0.    A + C provincial: -0.5.
    # G inter-provincial (A 50 + B 50, >= min_total 30, each >= min_member 5): coordinated, -1 ← optimum.
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 10}, "C": {"s": 0}})
    body = {"industries": {"T": industry(max_share=0.5)}, "groups": {"G": {"name": "Pair", "members": ["A", "B"]}}}
    run, got = solved(tmp_path, body, solver)
    assert got == {("A", "T"): ("inter-provincial", 50.0, "G"), ("B", "T"): ("inter-provincial", 50.0, "G")}
    assert run.result.objective == pytest.approx(-1.0, abs=1e-9)
    assert run.metrics["optimised"]["duplications"] == 0


def test_solver_proves_infeasibility(three_squares):
    # Two provincial clusters of T are required, but no region may take part in any cluster (K = 0).
    body = {
        "industries": {"T": industry(provincial_clusters={"min": 2, "max": 3})},
        "limits": {"min_clusters": 0, "budget": None, "max_clusters": 0},
    }
    path = write_scenario(three_squares, body)
    with pytest.raises(InfeasibleError):
        solve_scenario(path, three_squares / "out", Options())
    assert not (three_squares / "out").exists()
