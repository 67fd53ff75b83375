"""Each policy lever on a tiny instance with a hand-computed optimum that ignoring the lever would change.

Objective as in tests/model/test_model_optima.py: no budget (unless a test gives one region's), no balance term
(min_clusters 0), no neighbours (squares apart), so objective = -sum_r score_r x_r / target (+ 1000 per
target left short, + 2 per target built beyond it). Scores are min-max normalised.
The last two tests check the shipped examples (models/examples/).
"""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.paths import models_file
from layout.pipeline import Options, solve_scenario
from tests.squares import industry, write_regions, write_scenario


def layout_of(folder) -> dict:
    table = pd.read_csv(folder / "assignment.csv", dtype={"region_code": str}, keep_default_na=False)
    return {(r.region_code, r.industry): round(r.capacity, 6) for r in table.itertuples()}


@pytest.fixture
def apart(tmp_path):
    """A, B, C apart. t: A 10, B 5, C 0 → 1, 0.5, 0;  u: A 10, B 2, C 0 → 1, 0.2, 0;  st (S&T): C 9, B 5, A 1."""
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (3, 0), "C": (6, 0)},
        {"A": {"t": 10, "u": 10, "st": 1}, "B": {"t": 5, "u": 2, "st": 5}, "C": {"t": 0, "u": 0, "st": 9}},
    )
    return tmp_path


def solve(folder, body, name="s.yaml"):
    path = write_scenario(folder, body, name=name)
    out = folder / f"out-{name}"
    return solve_scenario(path, out, Options()), out


def test_mature_industry_leaves_the_layout_and_keeps_its_existing_capacity(apart):
    # One cluster per region. T (score A 1) is mature: without the lever A hosts T and U and B the other;
    # with it only U is laid out: A hosts U (100), objective -1. T's existing capacity is kept outside the
    # layout at the keep-base floor (1 - delta) base = 0.5 * 30 = 15 in A and 0.5 * 20 = 10 in B (25 in
    # all); it takes no cluster and no budget, so A (budget 100) still hosts all of U. V, mature without
    # base data, keeps nothing and the note says so.
    body = {
        "industries": {
            "T": industry(
                max_share=1.0, weights={"t": 1}, status="mature", base_capacity={"A": 30, "B": 20}, base_retention=0.5
            ),
            "U": industry(max_share=1.0, weights={"u": 1}),
            "V": industry(name="Vans", max_share=1.0, weights={"u": 1}, status="mature"),
        },
        "limits": {"min_clusters": 0, "budget": None, "max_clusters": 1, "regions": {"A": {"budget": 100}}},
    }
    run, out = solve(apart, body)
    assert layout_of(out) == {("A", "U"): 100.0}
    assert run.result.objective == pytest.approx(-1.0, abs=1e-9)
    assert run.metrics["policy_levers"] == [
        "T (Test industry) is mature: it leaves the SEI layout, no new designations; existing capacity kept outside "
        "the layout, (1 - delta) x base_capacity: A 15, B 10 (25 in all)",
        "V (Vans) is mature: it leaves the SEI layout, no new designations; the scenario gives no existing capacity "
        "for it (base_capacity), so none is reported as kept",
    ]


def test_designations_persist_and_candidates_enter_from_their_period(apart):
    # 2025: only T (U is a candidate entering in 2030): A hosts T (score 1).
    # 2030: U enters. Free choice would be A:U, B:T = -(1 + 0.5) = -1.5; persistence keeps A on T, so
    # B:U = -(1 + 0.2) = -1.2.
    body = {
        "periods": [2025, 2030],
        "industries": {
            "T": industry(max_share=1.0, weights={"t": 1}),
            "U": industry(max_share=1.0, weights={"u": 1}, status="candidate", enters=2030),
        },
        "limits": {"min_clusters": 0, "budget": None, "max_clusters": 1},
    }
    run, out = solve(apart, body)
    assert layout_of(out / "periods" / "2025") == {("A", "T"): 100.0}
    assert layout_of(out / "periods" / "2030") == {("A", "T"): 100.0, ("B", "U"): 100.0}
    assert run.periods[-1].result.objective == pytest.approx(-1.2, abs=1e-9)
    phasing = pd.read_csv(out / "phasing.csv")
    assert sorted(set(phasing["period"])) == [2025, 2030]


def test_exit_allowed_lets_a_region_switch(apart):
    # The same with allow_exit: 2030 is the free optimum A:U, B:T = -1.5.
    body = {
        "periods": [2025, 2030],
        "allow_exit": True,
        "industries": {
            "T": industry(max_share=1.0, weights={"t": 1}),
            "U": industry(max_share=1.0, weights={"u": 1}, status="candidate", enters=2030),
        },
        "limits": {"min_clusters": 0, "budget": None, "max_clusters": 1},
    }
    run, out = solve(apart, body)
    assert layout_of(out / "periods" / "2030") == {("A", "U"): 100.0, ("B", "T"): 100.0}
    assert run.periods[-1].result.objective == pytest.approx(-1.5, abs=1e-9)


def test_capacity_growth_per_period_is_bounded(apart):
    # T: 50 in 2025 (A hosts 50), 100 in 2030. Unbounded, A would host 100 (-1). With growth <= 30 per
    # period, A reaches 80 and B hosts 20 (>= provincial minimum 10): -(80 + 0.5*20)/100 = -0.9.
    body = {
        "periods": [2025, 2030],
        "max_growth": 30,
        "industries": {"T": industry(max_share=1.0, weights={"t": 1}, targets={2025: 50, 2030: 100})},
    }
    run, out = solve(apart, body)
    assert layout_of(out / "periods" / "2025") == {("A", "T"): 50.0}
    assert layout_of(out / "periods" / "2030") == {("A", "T"): 80.0, ("B", "T"): 20.0}
    assert run.periods[-1].result.objective == pytest.approx(-0.9, abs=1e-9)


def urgent(**rule) -> dict:
    """An urgent, solvable shortcoming of T ranked by `st`: the top 2 regions are C (9) and B (5), not A (1)."""
    return {"industry": "T", "urgency": "urgent", "solvable": True, "top_by": "st", "top": 2, **rule}


def test_urgent_shortcoming_is_concentrated_in_at_most_n_top_science_regions(apart):
    # Eligible: the top 2 by S&T, C (score 0) and B (score 0.5); A (score 1, the free optimum: -1) is not.
    # B's budget is 60. With n >= 2: B 60 + C 40 = -(0.5*60)/100 = -0.3. With n = 1 one region hosts
    # it all (B alone leaves 40 short, +400): C 100, objective 0. (A characteristic cluster of B beside
    # C's, 92 + 8 = -0.04, would make it 2 regions: concentrate allows only provincial clusters.)
    body = {
        "industries": {"T": industry(max_share=1.0, weights={"t": 1})},
        "limits": {"min_clusters": 0, "budget": None, "regions": {"B": {"budget": 60}}},
        "shortcomings": [urgent(max_regions=1)],
    }
    run, out = solve(apart, body)
    assert layout_of(out) == {("C", "T"): 100.0}
    assert run.result.objective == pytest.approx(0.0, abs=1e-9)


def test_urgent_shortcoming_has_a_high_minimum_scale(apart):
    # Top 2 (C score 0, B score 0.5), n = 2, at most 60 per region. With the usual minimum (10):
    # B 60 + C 40 = -0.3. With min_scale 50 C needs 50, so B 50 + C 50 = -(0.5*50)/100 = -0.25
    # (B 60 + C 50 overshoots by 10: 2*0.1 - 0.3 = -0.1; B alone leaves 40 short).
    body = {
        "industries": {"T": industry(max_share=1.0, weights={"t": 1})},
        "shortcomings": [urgent(max_regions=2, max_share=0.6, min_scale=50)],
    }
    run, out = solve(apart, body)
    assert layout_of(out) == {("B", "T"): 50.0, ("C", "T"): 50.0}
    assert run.result.objective == pytest.approx(-0.25, abs=1e-9)


def test_urgent_shortcoming_is_reached_in_the_first_period(apart):
    # T's targets phase it 40 (2025) -> 100 (2030). As an urgent shortcoming its full target (100) is due
    # from 2025: B (the best of the top 2, n = 1) hosts 100 in both periods, not 40 then 100.
    body = {
        "periods": [2025, 2030],
        "industries": {"T": industry(max_share=1.0, weights={"t": 1}, targets={2025: 40, 2030: 100})},
        "shortcomings": [urgent(max_regions=1)],
    }
    run, out = solve(apart, body)
    assert [layout_of(out / "periods" / str(y)) for y in (2025, 2030)] == [{("B", "T"): 100.0}, {("B", "T"): 100.0}]
    assert [p.inst.industries["T"].target for p in run.periods] == [100, 100]


def test_long_term_shortcoming_follows_its_milestones(apart):
    # Milestones 30 % by 2025, 60 % by 2030, 100 % by 2035: A (the best region) hosts 30, 60, 100.
    body = {
        "periods": [2025, 2030, 2035],
        "industries": {"T": industry(max_share=1.0, weights={"t": 1})},
        "shortcomings": [{"industry": "T", "urgency": "long_term", "milestones": {2025: 0.3, 2030: 0.6, 2035: 1.0}}],
    }
    run, out = solve(apart, body)
    assert [layout_of(out / "periods" / str(y)) for y in (2025, 2030, 2035)] == [
        {("A", "T"): 30.0},
        {("A", "T"): 60.0},
        {("A", "T"): 100.0},
    ]


def test_strength_keeps_its_share(apart):
    # Without the strength A hosts all of T (-1). B's strength (30 % of national capacity) gives
    # A 70, B 30: -(70 + 0.5*30)/100 = -0.85.
    body = {
        "industries": {"T": industry(max_share=1.0, weights={"t": 1})},
        "strengths": [{"region": "B", "industry": "T", "min_share": 0.3}],
    }
    run, out = solve(apart, body)
    assert layout_of(out) == {("A", "T"): 70.0, ("B", "T"): 30.0}
    assert run.result.objective == pytest.approx(-0.85, abs=1e-9)


def test_every_example_validates():
    # `layout validate` exits 0 on every file under models/examples/ (solving them all would take minutes).
    examples = sorted(models_file("examples").glob("*.yaml"))
    assert "lifecycle.yaml" in [p.name for p in examples]
    for path in examples:
        result = CliRunner().invoke(app, ["validate", str(path)])
        assert result.exit_code == 0, f"{path.name}: {result.output}"


def test_shortcomings_example_keeps_its_lever_guarantees(tmp_path):
    # models/examples/shortcomings.yaml solved (about 20 s); every expectation is read from the file.
    run = solve_scenario(models_file("examples/shortcomings.yaml"), tmp_path / "out", Options())
    sc, indicators = run.spec.scenario, run.regions.indicators
    assert [p.inst.period for p in run.periods] == sc.periods and sc.shortcomings and sc.strengths
    for p in run.periods:
        table = p.layout
        for sh in sc.shortcomings:
            rows = table[table["industry"] == (sh.code or sh.industry)]
            target = sh.target if sh.code is not None else sc.industries[sh.industry].target
            if sh.urgency == "urgent" and sh.solvable:
                top = set(indicators[sh.top_by].dropna().sort_values(ascending=False, kind="stable").index[: sh.top])
                assert set(rows["region_code"]) <= top and len(rows) <= sh.max_regions
                assert set(rows["tier"]) == {"provincial"}
                assert rows["capacity"].min() >= sh.min_scale - 1e-6
                assert rows["capacity"].max() <= sh.max_share * target + 1e-6
                assert rows["capacity"].sum() >= target - 1e-6  # reached from the first period on
            else:
                due = max(v for y, v in sh.milestones.items() if y <= p.inst.period)
                assert rows["capacity"].sum() >= due * target - 1e-6
        for st in sc.strengths:
            rows = table[table["industry"] == st.industry]
            held = rows.loc[rows["region_code"] == st.region, "capacity"].sum()
            assert held >= st.min_share * rows["capacity"].sum() - 1e-6
