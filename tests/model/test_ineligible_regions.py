"""A region eligible for no industry: nothing (`limits.ineligible_regions: none`), or one characteristic cluster of
the industry its comparative-advantage score ranks first (`best_characteristic`; CAE 2020: characteristic clusters
follow the actual situation in the province). Hand-computed optima, asserted exactly, and the words that name it.

The squares: A and B share an edge, C stands apart. Indicators: r (the innovation rule r >= 5) A 10, B 1, C 10, so B
is eligible for no industry; p A 10, B 8, C 0 (P scores 1, 0.8, 0); q A 0, B 4, C 10 (Q scores 0, 0.4, 1). Targets
100, max_share 0.5 (U = 50), characteristic clusters 2..8, alpha = 0.1, kappa = 0.5, sigma = 1, no budget.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.errors import InputError
from layout.model.families import build_model, excluded
from layout.model.instance import Instance, build_instance
from layout.model.rules import rule_problems, rule_warnings
from layout.pipeline import Options, solve_scenario
from layout.regions.load import load_regions
from layout.results.folder import read_metrics
from layout.spec.load import load
from tests.results_folder import metrics
from tests.squares import files_section, industry, write_nested, write_regions, write_scenario

runner = CliRunner()
RULE = {"innovation": {"eligibility": {"conditions": [{"indicator": "r", "min": 5}]}}}
WHY = "P, Q: r = 1, rule >= 5"  # Instance.why_unplaceable of B: both industries, one reason
HOSTS_P = "may host a characteristic cluster of Photonics (P; its best-suited industry, score 0.80)"


@pytest.fixture
def squares(tmp_path: Path) -> Path:
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (1, 0), "C": (5, 0)},
        {"A": {"r": 10, "p": 10, "q": 0}, "B": {"r": 1, "p": 8, "q": 4}, "C": {"r": 10, "p": 0, "q": 10}},
    )
    return tmp_path


def scenario(mode: str, **limits) -> dict:
    """Photonics (P, weight p) and Quantum (Q, weight q), innovation; limits with `ineligible_regions: mode`."""
    return {
        "kinds": RULE,
        "industries": {
            "P": industry(name="Photonics", max_share=0.5, weights={"p": 1}),
            "Q": industry(name="Quantum", max_share=0.5, weights={"q": 1}),
        },
        "limits": {"min_clusters": 0, "budget": None, "ineligible_regions": mode, **limits},
        "objective": {"homogeneity": 0.1},
    }


def instance(folder: Path, body: dict) -> Instance:
    spec = load(write_scenario(folder, body))
    return build_instance(spec, load_regions(spec))


def solved(folder: Path, body: dict, solver: str = "highs"):
    run = solve_scenario(write_scenario(folder, body), folder / "out", Options(solver=solver))
    got = {(r.region_code, r.industry): (r.tier, round(r.capacity, 6)) for r in run.layout.itertuples()}
    return run, got


# ------------------------------------------------------------------------------------------------ the optimum


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_none_a_region_eligible_for_nothing_hosts_nothing(squares, solver):
    # P: A 50 (score 1) + C 50 (score 0), the only eligible regions at U = 50 each: reward 0.5; Q: A 50 (0) + C 50 (1):
    # 0.5. A and C do not touch: no duplication. Objective -(0.5 + 0.5) = -1.
    run, got = solved(squares, scenario("none"), solver)
    assert got == {
        ("A", "P"): ("provincial", 50.0),
        ("C", "P"): ("provincial", 50.0),
        ("A", "Q"): ("provincial", 50.0),
        ("C", "Q"): ("provincial", 50.0),
    }
    assert run.result.objective == pytest.approx(-1.0, abs=1e-9)
    assert run.inst.fallback == {}
    assert run.metrics["regions_eligible_for_nothing"] == [
        {
            "code": "B",
            "name": "Region B",
            "why": WHY,
            "fallback": None,
            "may_host": "may host nothing (limits.ineligible_regions: none)",
        }
    ]


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_best_characteristic_hosts_one_characteristic_cluster_of_its_best_industry(squares, solver):
    # B's fallback is P (score 0.8 > Q's 0.4). A characteristic cluster of P in B at its most, 8, displaces 8 of C's
    # P (score 0): reward (50·1 + 8·0.8 + 42·0)/100 = 0.564 for P, 0.5 for Q as before; B's characteristic P beside
    # A's provincial P is a duplication weighing kappa: alpha·kappa = 0.1·0.5 = 0.05. Objective -1.064 + 0.05 =
    # -1.014, below -1 (B hosting nothing): the gain 8·0.8/100 = 0.064 outweighs 0.05. B may host no Q.
    run, got = solved(squares, scenario("best_characteristic"), solver)
    assert got == {
        ("A", "P"): ("provincial", 50.0),
        ("B", "P"): ("characteristic", 8.0),
        ("C", "P"): ("provincial", 42.0),
        ("A", "Q"): ("provincial", 50.0),
        ("C", "Q"): ("provincial", 50.0),
    }
    assert run.result.objective == pytest.approx(-1.014, abs=1e-9)
    assert run.inst.fallback == {"B": "P"}
    assert not run.inst.eligible["B", "P"] and run.inst.unplaceable() == ["B"]  # the rules' verdict stays
    dup = run.metrics["optimised"]
    assert (dup["duplications"], dup["duplications_weighted"]) == (1, 0.5)
    assert sum(u.varValue for u in run.model.u.values()) == pytest.approx(0.5, abs=1e-9)
    assert run.metrics["regions_eligible_for_nothing"] == [
        {"code": "B", "name": "Region B", "why": WHY, "fallback": "P", "may_host": HOSTS_P}
    ]
    findings = json.loads((squares / "out" / "explanation.json").read_text(encoding="utf-8"))["findings"]
    assert f"Region B is eligible for no industry under the scenario's rules ({WHY}); it {HOSTS_P}" in findings
    report = (squares / "out" / "report.html").read_text(encoding="utf-8")
    assert f"<li>Region B (B): {HOSTS_P}; the rules it fails: {WHY}</li>" in report.replace("&gt;", ">")


def test_the_fallback_is_a_characteristic_cluster_only_and_duplicates_with_its_neighbours(squares):
    body = scenario("best_characteristic")
    body["groups"] = {"G": {"name": "Pair", "members": ["A", "B"]}}
    inst = instance(squares, body)
    m = build_model(inst)
    assert m.y["B", "P"].upBound == 0 and m.h["B", "P"].upBound == 1  # no provincial cluster; a characteristic one
    assert m.h["B", "Q"].upBound == 0 and m.z["G", "P"].upBound == 0  # no other industry, no group membership
    assert excluded(m)["elig", "B", "P"] == [m.y["B", "P"]]  # diagnosis relaxes y alone
    assert excluded(m)["elig", "B", "Q"] == [m.y["B", "Q"], m.h["B", "Q"]]
    assert inst.may_host("B", "P") and inst.may_host("B", "P", "characteristic")
    assert not inst.may_host("B", "P", "provincial") and not inst.may_host("B", "P", "inter-provincial")
    pair = next(k for k in m.u if set(k[:2]) == {"A", "B"} and k[2] == "P")
    assert m.row_of("homogeneity_any", region=pair[0], other=pair[1], industry="P") is not None
    assert not any(k[2] == "Q" and "B" in k[:2] for k in m.u)
    without = build_model(instance(squares, scenario("none")))
    assert not any("B" in k[:2] for k in without.u) and without.h["B", "P"].upBound == 0


# ------------------------------------------------------------------------------------------------ which industry


def test_a_tie_goes_to_the_first_industry_of_the_file(squares):
    write_regions(
        squares,
        {"A": (0, 0), "B": (1, 0), "C": (5, 0)},
        {"A": {"r": 10, "p": 10, "q": 0}, "B": {"r": 1, "p": 8, "q": 8}, "C": {"r": 10, "p": 0, "q": 10}},
    )
    body = scenario("best_characteristic")  # B scores 0.8 for P and for Q
    assert instance(squares, body).fallback == {"B": "P"}
    body["industries"] = dict(reversed(list(body["industries"].items())))
    assert instance(squares, body).fallback == {"B": "Q"}


def test_the_lowest_region_on_every_indicator_still_gets_its_fallback(squares):
    """Scores are min-max normalised: a region with complete data that is lowest on everything scores 0 for every
    industry. It still has a best-suited industry (a tie at 0, the file's first)."""
    write_regions(
        squares,
        {"A": (0, 0), "B": (1, 0), "C": (5, 0)},
        {"A": {"r": 10, "p": 10, "q": 5}, "B": {"r": 1, "p": 1, "q": 1}, "C": {"r": 10, "p": 5, "q": 10}},
    )
    inst = instance(squares, scenario("best_characteristic"))
    assert inst.score["B", "P"] == inst.score["B", "Q"] == 0.0
    assert inst.fallback == {"B": "P"}
    assert inst.fallback_words("B").endswith("(P; its best-suited industry, score 0.00)")


def test_no_fallback_where_the_region_has_no_data_and_the_words_say_so(squares):
    write_regions(
        squares,
        {"A": (0, 0), "B": (1, 0), "C": (5, 0)},
        {"A": {"r": 10, "p": 10, "q": 0}, "B": {"r": 1}, "C": {"r": 10, "p": 0, "q": 10}},
    )
    run, got = solved(squares, scenario("best_characteristic", min_clusters=1))
    assert run.inst.fallback == {} and not any(r == "B" for r, _ in got)
    assert run.inst.min_clusters["B"] == 0  # open to nothing: the scenario-wide minimum does not charge it
    assert run.metrics["regions_eligible_for_nothing"] == [
        {
            "code": "B",
            "name": "Region B",
            "why": "P, Q: r = 1, rule >= 5",
            "fallback": None,
            "may_host": "may host nothing: it has no data on any indicator that the score of an industry it may host "
            "in a characteristic cluster weighs, so none is best-suited",
        }
    ]


def test_the_allowance_and_key_shortcomings_narrow_the_choice(squares):
    allowed = scenario("best_characteristic", regions={"B": {"industries": ["Q"]}})
    inst = instance(squares, allowed)
    assert inst.fallback == {"B": "Q"}  # P scores higher, but the file allows B only Q
    # the words say the planner's allowance chose it, not that it suits B best
    assert "(Q; the best-scoring industry its allowance names, score" in inst.fallback_words("B")
    nothing = instance(squares, scenario("best_characteristic", regions={"B": {"industries": []}}))
    assert nothing.fallback == {}
    assert nothing.fallback_words("B") == (
        "may host nothing: none of the industries its allowance names (limits.regions) has characteristic clusters "
        "and a score above 0"
    )
    concentrated = scenario("best_characteristic")
    concentrated["industries"]["P"]["concentrate"] = {"max_regions": 1, "top_by": "r", "top": 2}
    assert instance(squares, concentrated).fallback == {"B": "Q"}  # P is deliberately concentrated


# ------------------------------------------------------------------------------------------------ limits and rules


def test_the_scenario_wide_minimum_applies_to_a_fallback_region(squares):
    assert instance(squares, scenario("none", min_clusters=1)).min_clusters == {"A": 1, "B": 0, "C": 1}
    inst = instance(squares, scenario("best_characteristic", min_clusters=1))
    assert inst.min_clusters == {"A": 1, "B": 1, "C": 1}
    # a minimum of 2 is out of B's reach: warned of with the reason
    spec = load(write_scenario(squares, scenario("best_characteristic", min_clusters=2)))
    warned = [w.text for w in rule_warnings(spec, build_instance(spec, load_regions(spec)))]
    assert warned == [
        "at least 2 clusters per region cannot be met where a region is eligible for no industry and may host only a "
        "characteristic cluster of P (limits.ineligible_regions): Region B (B); the rest is penalised in every layout"
    ]


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_no_minimum_where_the_budget_cannot_hold_the_smallest_cluster(squares, solver):
    """B's characteristic fallback needs at least 2 (c_min) and its own budget is 1.5: the scenario-wide minimum would
    charge the balance penalty (5) in every layout, a constant that says nothing and that makes a relative gap of a
    near-zero objective unreachable (a prefecture run of the default: Tibet's units). It is not applied; the data
    notes say so. A budget of 2 holds the smallest cluster: the minimum applies."""
    starved = scenario("best_characteristic", min_clusters=1, regions={"B": {"budget": 1.5}})
    inst = instance(squares, starved)
    assert inst.smallest_cluster("B") == 2.0 and inst.smallest_cluster("A") == 2.0
    assert inst.min_clusters == {"A": 1, "B": 0, "C": 1}
    run, got = solved(squares, starved, solver)
    assert not any(r == "B" for r, _ in got)
    assert all(v <= 1e-6 for v in (m.v[r].varValue or 0.0 for m in [run.model] for r in m.v))  # no balance paid
    assert inst.missing[0] == (
        "limits.min_clusters does not apply to Region B: the budget cannot hold the smallest cluster open there "
        "(limits.budget), so the minimum would only add a constant penalty"
    )
    enough = scenario("best_characteristic", min_clusters=1, regions={"B": {"budget": 2.0}})
    assert instance(squares, enough).min_clusters == {"A": 1, "B": 1, "C": 1}


def test_a_strength_in_a_fallback_region_holds_up_to_a_characteristic_cluster(squares):
    # B keeps 5 % of P: refused when B may hold no P; under best_characteristic it may hold 8 (5 of 100 fit)
    for mode, refused in (("none", True), ("best_characteristic", False)):
        body = {**scenario(mode), "strengths": [{"region": "B", "industry": "P", "min_share": 0.05}]}
        spec = load(write_scenario(squares, body))
        problems = rule_problems(spec, build_instance(spec, load_regions(spec)))
        assert bool(problems) is refused, problems
    body = {**scenario("best_characteristic"), "strengths": [{"region": "B", "industry": "P", "min_share": 0.1}]}
    spec = load(write_scenario(squares, body))
    (problem,) = rule_problems(spec, build_instance(spec, load_regions(spec)))
    assert "a characteristic cluster's most 8 (Region B (B) is eligible for no industry; P is its best-suited" in str(
        problem
    )


def test_a_parent_whose_units_are_eligible_for_nothing_counts_a_fallback(tmp_path):
    # Units A1 (parent PA) and B1 (parent PB); A1 fails the rule. PA's least industries: 0 when its only unit is open
    # to nothing, the scenario-wide 1 when A1 may host its fallback; A1's characteristic cluster fills PA's portfolio.
    write_nested(
        tmp_path,
        {"A1": ("PA", (0, 0)), "B1": ("PB", (1, 0))},
        {"A1": {"r": 1, "p": 10, "q": 0}, "B1": {"r": 10, "p": 8, "q": 4}},  # P scores A1 1, Q 0
    )
    for mode, least in (("none", 0), ("best_characteristic", 1)):
        body = {
            **scenario(mode, min_clusters=1),
            "regions": files_section(boundaries="nested.geojson", parent_field="parent"),
        }
        inst = instance(tmp_path, body)
        assert inst.fallback == ({"A1": "P"} if least else {})
        assert {a.code: a.min_industries for a in inst.aggregates} == {"PA": least, "PB": 1}
        assert inst.min_clusters == {"A1": 0, "B1": 0}  # a unit's own matter only where its entry says so
        m = build_model(inst)
        assert (m.row_of("portfolio", region="A1", parent="PA", industry="P") is not None) is bool(least)


# ------------------------------------------------------------------------------------------------ command line


def test_units_with_the_same_reason_are_named_together_once(tmp_path):
    """Found by a planner's trial: at prefecture level the same ~600 characters of reasons were printed once for each
    of Hainan's 19 units. Regions eligible for nothing for the same reason share one line."""
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (1, 0), "D": (2, 0), "C": (5, 0)},
        {
            "A": {"r": 10, "p": 10, "q": 0},
            "B": {"r": 1, "p": 8, "q": 4},
            "D": {"r": 1, "p": 8, "q": 4},
            "C": {"r": 10, "p": 0, "q": 10},
        },
    )
    path = write_scenario(tmp_path, scenario("best_characteristic"))
    result = runner.invoke(app, ["solve", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("eligible for no industry under the scenario's rules: Region B (B), Region D (D)")
    assert lines[at + 1] == f"  Region B (B), Region D (D): {HOSTS_P}; the rules it fails: {WHY}"
    assert not lines[at + 2].startswith("  Region")


def test_solve_names_the_region_why_and_what_it_may_host(squares):
    path = write_scenario(squares, scenario("best_characteristic"))
    result = runner.invoke(app, ["solve", str(path), "--out", str(squares / "out")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = lines.index("eligible for no industry under the scenario's rules: Region B (B)")
    assert lines[at + 1] == f"  Region B (B): {HOSTS_P}; the rules it fails: {WHY}"
    folder = json.loads((squares / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert folder["regions_eligible_for_nothing"][0]["fallback"] == "P"
    table = pd.read_csv(squares / "out" / "assignment.csv", dtype=str)
    assert table.loc[table.region_code == "B", ["industry", "tier"]].values.tolist() == [["P", "characteristic"]]


def test_a_bad_value_is_refused_with_file_line_and_key(squares):
    path = write_scenario(squares, scenario("best"))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "ineligible_regions" in text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert (
        f"{path.name}:{line}: limits.ineligible_regions: expected one of: none, best_characteristic; found 'best'"
        in result.stderr
    )


def test_a_folder_written_before_the_reasons_still_reads(tmp_path, results_folder):
    old = results_folder(tmp_path / "old", metrics(regions_eligible_for_nothing=[{"code": "B", "name": "Region B"}]))
    assert read_metrics(old)["regions_eligible_for_nothing"] == [{"code": "B", "name": "Region B"}]
    entry = {"code": "B", "name": "Region B", "why": WHY, "fallback": 3, "may_host": HOSTS_P}
    bad = results_folder(tmp_path / "bad", metrics(regions_eligible_for_nothing=[entry]))
    with pytest.raises(InputError, match="regions_eligible_for_nothing.0.fallback"):
        read_metrics(bad)
