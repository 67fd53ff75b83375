"""Each policy lever on a tiny instance with a hand-computed optimum that ignoring the lever would change.

Objective as in tests/test_model_optima.py: no budget, no balance term (min_clusters 0), no neighbours
(squares apart), so objective = -sum_r score_r x_r / target. Scores are min-max normalised.
"""

from __future__ import annotations

import pandas as pd
import pytest

from layout.run import Options, solve_scenario
from tests.squares import industry, write_regions, write_scenario


def layout_of(folder) -> dict:
    table = pd.read_csv(folder / "assignment.csv", dtype={"region_code": str}, keep_default_na=False)
    return {(r.region_code, r.industry): round(r.capacity, 6) for r in table.itertuples()}


@pytest.fixture
def apart(tmp_path):
    """A, B, C apart. t: A 10, B 5, C 0 → 1, 0.5, 0;  u: A 10, B 2, C 0 → 1, 0.2, 0;  st (S&T): C 9, B 5, A 1."""
    write_regions(tmp_path, {"A": (0, 0), "B": (3, 0), "C": (6, 0)},
                  {"A": {"t": 10, "u": 10, "st": 1}, "B": {"t": 5, "u": 2, "st": 5}, "C": {"t": 0, "u": 0, "st": 9}})
    return tmp_path


def solve(folder, body, name="s.yaml"):
    path = write_scenario(folder, body, name=name)
    out = folder / f"out-{name}"
    return solve_scenario(path, out, Options()), out


def test_mature_industry_leaves_the_layout(apart):
    # One cluster per region. T (score A 1) is mature: without the lever A hosts T and U and B the other;
    # with it only U is laid out: A hosts U (100), objective -1.
    body = {"industries": {"T": industry(max_share=1.0, weights={"t": 1}, status="mature"),
                           "U": industry(max_share=1.0, weights={"u": 1})},
            "limits": {"min_clusters": 0, "budget": None, "max_clusters": 1}}
    run, out = solve(apart, body)
    assert layout_of(out) == {("A", "U"): 100.0}
    assert run.result.objective == pytest.approx(-1.0, abs=1e-9)
    assert any("mature" in n for n in run.metrics["policy_levers"])


def test_designations_persist_and_candidates_enter_from_their_period(apart):
    # 2025: only T (U is a candidate entering in 2030): A hosts T (score 1).
    # 2030: U enters. Free choice would be A:U, B:T = -(1 + 0.5) = -1.5; persistence keeps A on T, so
    # B:U = -(1 + 0.2) = -1.2.
    body = {"periods": [2025, 2030],
            "industries": {"T": industry(max_share=1.0, weights={"t": 1}),
                           "U": industry(max_share=1.0, weights={"u": 1}, status="candidate", enters=2030)},
            "limits": {"min_clusters": 0, "budget": None, "max_clusters": 1}}
    run, out = solve(apart, body)
    assert layout_of(out / "periods" / "2025") == {("A", "T"): 100.0}
    assert layout_of(out / "periods" / "2030") == {("A", "T"): 100.0, ("B", "U"): 100.0}
    assert run.periods[-1].result.objective == pytest.approx(-1.2, abs=1e-9)
    phasing = pd.read_csv(out / "phasing.csv")
    assert sorted(set(phasing["period"])) == [2025, 2030]


def test_exit_allowed_lets_a_region_switch(apart):
    # The same with allow_exit: 2030 is the free optimum A:U, B:T = -1.5.
    body = {"periods": [2025, 2030], "allow_exit": True,
            "industries": {"T": industry(max_share=1.0, weights={"t": 1}),
                           "U": industry(max_share=1.0, weights={"u": 1}, status="candidate", enters=2030)},
            "limits": {"min_clusters": 0, "budget": None, "max_clusters": 1}}
    run, out = solve(apart, body)
    assert layout_of(out / "periods" / "2030") == {("A", "U"): 100.0, ("B", "T"): 100.0}
    assert run.periods[-1].result.objective == pytest.approx(-1.5, abs=1e-9)


def test_capacity_growth_per_period_is_bounded(apart):
    # T: 50 in 2025 (A hosts 50), 100 in 2030. Unbounded, A would host 100 (-1). With growth <= 30 per
    # period, A reaches 80 and B hosts 20 (>= provincial minimum 10): -(80 + 0.5*20)/100 = -0.9.
    body = {"periods": [2025, 2030], "max_growth": 30,
            "industries": {"T": industry(max_share=1.0, weights={"t": 1}, targets={2025: 50, 2030: 100})}}
    run, out = solve(apart, body)
    assert layout_of(out / "periods" / "2025") == {("A", "T"): 50.0}
    assert layout_of(out / "periods" / "2030") == {("A", "T"): 80.0, ("B", "T"): 20.0}
    assert run.periods[-1].result.objective == pytest.approx(-0.9, abs=1e-9)


def test_urgent_solvable_shortcoming_is_concentrated_in_top_science_regions(apart):
    # By comparative advantage A would host all of T (-1). As an urgent, solvable shortcoming only the
    # top 1 region by S&T (`st`: C) is eligible, with at most 1 cluster of at least 60: C hosts 100
    # with score 0: objective 0.
    body = {"industries": {"T": industry(max_share=1.0, weights={"t": 1})},
            "shortcomings": [{"industry": "T", "urgency": "urgent", "solvable": True, "max_regions": 1,
                              "top_by": "st", "top": 1, "min_scale": 60}]}
    run, out = solve(apart, body)
    assert layout_of(out) == {("C", "T"): 100.0}
    assert run.result.objective == pytest.approx(0.0, abs=1e-9)


def test_long_term_shortcoming_follows_its_milestones(apart):
    # Milestones 30 % by 2025, 60 % by 2030, 100 % by 2035: A (the best region) hosts 30, 60, 100.
    body = {"periods": [2025, 2030, 2035], "industries": {"T": industry(max_share=1.0, weights={"t": 1})},
            "shortcomings": [{"industry": "T", "urgency": "long_term", "milestones": {2025: 0.3, 2030: 0.6, 2035: 1.0}}]}
    run, out = solve(apart, body)
    assert [layout_of(out / "periods" / str(y)) for y in (2025, 2030, 2035)] == [
        {("A", "T"): 30.0}, {("A", "T"): 60.0}, {("A", "T"): 100.0}]


def test_strength_keeps_its_share(apart):
    # Without the strength A hosts all of T (-1). B's strength (30 % of national capacity) gives
    # A 70, B 30: -(70 + 0.5*30)/100 = -0.85.
    body = {"industries": {"T": industry(max_share=1.0, weights={"t": 1})},
            "strengths": [{"region": "B", "industry": "T", "min_share": 0.3}]}
    run, out = solve(apart, body)
    assert layout_of(out) == {("A", "T"): 70.0, ("B", "T"): 30.0}
    assert run.result.objective == pytest.approx(-0.85, abs=1e-9)
