"""Explanations: shadow prices and the value of one more allowed cluster on tiny instances computed by hand.

Regions are 1° squares 1° apart (no neighbours, so no homogeneity term) written into tmp_path; the
comparative-advantage score is the min-max normalised indicator `s`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from layout.analysis.explain import explain, format_explanation
from layout.model.families import build_model
from layout.model.solve import solve
from layout.pipeline import prepare
from tests.squares import write_row_of_squares

SOLVERS = ["highs", "cbc"]


def write_regions(folder: Path, regions: list[tuple[str, str, float]]) -> None:
    write_row_of_squares(folder, regions)


HEADER = """
regions: {source: files, boundaries: squares.geojson, indicators: ind.csv, code_field: code, name_field: name}
"""


def solved(tmp_path: Path, yaml_text: str, regions, solver: str):
    write_regions(tmp_path, regions)
    f = tmp_path / "scenario.yaml"
    f.write_text(yaml_text, encoding="utf-8")
    _spec, _regions, inst = prepare(f)
    m = build_model(inst)
    result = solve(m, solver)
    assert result.status == "optimal"
    return m, result


BUDGET = (
    HEADER
    + """
name: binding budget
rules: {max_share: 1.0}
industries:
  A: {name: Alpha, kind: innovation, target: 100, weights: {s: 1}}
limits:
  min_clusters: 0
  budget: null
  regions: {R1: {budget: 60}}
"""
)


@pytest.mark.parametrize("solver", SOLVERS)
def test_binding_budget_price_is_the_advantage_reward_per_unit(tmp_path, solver):
    # Scores: s = 1 and 0 -> score(Northland) = 1, score(Eastland) = 0. Target D = 100, U = 100 (max_share 1).
    # Objective: min 2 s/100 + 1000 e/100 - 1 * (1 * x_N + 0 * x_E)/100.
    # Optimum: Northland fills its budget, x_N = 60; Eastland a provincial cluster of x_E = 40; objective -0.6.
    # One more unit of Northland's budget: x_N = 61, x_E = 39 (overbuilding would cost 2/100 > the reward 1/100),
    # objective -0.61, so d(objective)/d(budget) = -sigma * (score_N - score_E) / D = -1 * (1 - 0) / 100 = -0.01.
    # One more unit of target: Eastland builds it at score 0 -> price 0.
    m, result = solved(tmp_path, BUDGET, [("R1", "Northland", 1.0), ("R2", "Eastland", 0.0)], solver)
    assert result.objective == pytest.approx(-0.6, abs=1e-7)
    d = explain(m, result)
    assert d["fixed_lp"]["objective"] == pytest.approx(-0.6, abs=1e-6)
    prices = {p["row"]: p for p in d["shadow_prices"]}
    assert prices["budget_R1"]["price"] == pytest.approx(-0.01, abs=1e-9)
    assert prices["budget_R1"]["text"] == "one more unit of Northland's budget lowers the objective by 0.01"
    assert [t["price"] for t in d["target_prices"]] == [0.0]
    assert any(b["text"] == "budget of Northland (60) is fully used" for b in d["binding"])
    text = format_explanation(d)
    assert "budget of Northland (60) is fully used" in text
    assert "minimised" in text and "Negative: one more unit lowers" in text


FOCUS = (
    HEADER
    + """
name: focus holds an industry back
rules: {max_share: 0.5}
industries:
  A: {name: Alpha, kind: innovation, target: 100, weights: {s: 1}}
  B: {name: Beta, kind: innovation, target: 100, weights: {s: 1}}
limits:
  min_clusters: 0
  budget: null
  regions: {R1: {max_clusters: 1}}
"""
)


@pytest.mark.parametrize("solver", SOLVERS)
def test_one_more_allowed_cluster_is_worth_the_reward_it_brings(tmp_path, solver):
    # Scores: Northland 1, Eastland 0, Southland 0. U = 0.5 * 100 = 50. Northland takes part in at most 1 cluster.
    # Optimum: Northland hosts 50 of one industry (reward 1 * 50/100 = 0.5); Eastland and Southland host the other
    # 150 at score 0; objective -0.5.
    # Probe: force Northland's provincial cluster of the other industry with focus raised to 2; it takes 50 from
    # a score-0 region: objective -1.0, so one more allowed cluster in Northland is worth (at least) 0.5, and the
    # other industry is "held back" in Northland by its focus limit with a gain of 0.5.
    m, result = solved(
        tmp_path, FOCUS, [("R1", "Northland", 1.0), ("R2", "Eastland", 0.0), ("R3", "Southland", 0.0)], solver
    )
    assert result.objective == pytest.approx(-0.5, abs=1e-7)
    d = explain(m, result)
    limits = {c["row"]: c for c in d["count_limits"]}
    assert limits["focus_R1"]["price"] == pytest.approx(-0.5, abs=1e-9)
    assert (
        "one more allowed cluster in Northland (focus, now 1) lowers the objective by at least 0.5"
        in limits["focus_R1"]["text"]
    )
    held = [h for h in d["held_back"] if h["region"] == "R1"]
    assert len(held) == 1 and held[0]["gain"] == pytest.approx(0.5, abs=1e-9) and held[0]["held_back_by"] == ["focus"]
    assert held[0]["tier"] == "provincial"
    assert any(b["text"] == "focus: Northland takes part in its maximum of 1 cluster" for b in d["binding"])


def test_explanation_is_deterministic(tmp_path):
    regions = [("R1", "Northland", 1.0), ("R2", "Eastland", 0.0), ("R3", "Southland", 0.0)]
    first = json.dumps(explain(*solved(tmp_path, FOCUS, regions, "highs")), sort_keys=True)
    second = json.dumps(explain(*solved(tmp_path, FOCUS, regions, "highs")), sort_keys=True)
    assert first == second


MANY = (
    HEADER
    + """
name: many probes
rules: {max_share: 1.0}
industries:
"""
    + "".join(f"  I{k}: {{name: Industry {k}, kind: innovation, target: 10, weights: {{s: 1}}}}\n" for k in range(6))
    + """
limits: {min_clusters: 0, budget: null, max_clusters: 1}
"""
)


@pytest.mark.parametrize("reduced", [True, False], ids=["reduced LP", "full LP copies"])
def test_time_limit_bounds_the_probes(tmp_path, monkeypatch, reduced):
    # Six industries, three regions of one cluster each: 3 industries are laid out, many pairs are probed.
    # A clock that advances 1 s per reading runs a 12 s limit out part-way through the probes, on the reduced LP
    # (layout.analysis.probe_lp) and on the full LP's copies where that cannot be made.
    if not reduced:
        monkeypatch.setattr("layout.analysis.explain._probe_lp", lambda lp, plan: None)
    m, result = solved(tmp_path, MANY, [("R1", "One", 3), ("R2", "Two", 2), ("R3", "Three", 1)], "highs")
    full = explain(m, result)
    assert "limits" not in full
    probed_all = sum(1 for nm in full["near_misses"] for c in nm["candidates"] if c["tier_if_forced"] is not None)
    clock = iter(range(10**6))
    monkeypatch.setattr("layout.analysis.explain.time.monotonic", lambda: float(next(clock)))
    monkeypatch.setattr("layout.analysis.explain.PROBE_THREADS", 1)  # one thread reads the clock in a fixed order
    part = explain(m, result, time_limit=12)
    probed = sum(1 for nm in part["near_misses"] for c in nm["candidates"] if c["tier_if_forced"] is not None)
    assert 0 < probed < probed_all
    assert part["limits"].startswith("the time limit (12 s) stopped the probes:")
    assert any("not probed" in c["text"] for nm in part["near_misses"] for c in nm["candidates"])
    assert part["binding"] == full["binding"]  # what needs no probe is all there
    assert "Limited: the time limit (12 s)" in format_explanation(part)


def test_no_time_left_means_no_prices_and_says_why(tmp_path):
    m, result = solved(tmp_path, MANY, [("R1", "One", 3), ("R2", "Two", 2), ("R3", "Three", 1)], "highs")
    data = explain(m, result, time_limit=0)
    assert data["fixed_lp"]["status"] == "Time limit reached"
    assert data["shadow_prices"] == [] and data["near_misses"] == []
    assert data["fixed_lp"]["note"].endswith("(it had what was left of the time limit, 0 s)")
