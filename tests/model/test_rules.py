"""Rule checks before solving (layout/model/rules.py): each refusal and each warning on four squares, with the
sentence, file, line and key asserted exactly.

The regions (no two touch):

  code  name       rd   wind  s     innovation rule rd >= 1 (line 5), resource rule wind >= 250 (line 7):
  R1    Northland  2.0  0     4     R1 and R2 pass the innovation rule only,
  R2    Eastland   1.5  0     3     R3 passes the resource rule only,
  R3    Southland  0.5  300   2     R4 passes neither.
  R4    Westland   0.2  0     1

Each scenario is HEAD (lines 1-7) and the lines a test adds, so its line numbers are known. With max_share 0.35 and
a target of 100 a region may hold at most 35 of an industry (a characteristic cluster at most 8).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from layout.errors import InputError
from layout.model.families import build_model
from layout.model.instance import Instance, build_instance
from layout.model.rules import RuleWarning, check_rules, rule_problems, rule_warnings, scenario_warnings
from layout.model.solve import INFEASIBLE, solve
from layout.pipeline import prepare, solve_period
from layout.regions.load import load_regions
from layout.spec.load import LoadedSpec, load
from tests.squares import write_nested, write_regions

HEAD = """name: rules
regions: {source: files, boundaries: squares.geojson, indicators: indicators.csv, code_field: code, name_field: name}
kinds:
  innovation:
    eligibility: {conditions: [{indicator: rd, min: 1.0}]}
  resource:
    eligibility: {conditions: [{indicator: wind, min: 250}]}
"""
INNOVATION = "the eligibility rule of kind innovation (kinds.innovation.eligibility at scenario.yaml:5)"
A = "{name: Alpha, kind: innovation, target: 100, weights: {s: 1}"  # an industry entry, to be closed with "}"


def loaded(folder: Path, lines: str) -> tuple[Path, LoadedSpec, Instance]:
    """The scenario HEAD + lines on the four squares, and its instance built without the rule checks."""
    write_regions(
        folder,
        {"R1": (0, 0), "R2": (2, 0), "R3": (4, 0), "R4": (6, 0)},
        {
            "R1": {"rd": 2.0, "wind": 0, "s": 4},
            "R2": {"rd": 1.5, "wind": 0, "s": 3},
            "R3": {"rd": 0.5, "wind": 300, "s": 2},
            "R4": {"rd": 0.2, "wind": 0, "s": 1},
        },
        names={"R1": "Northland", "R2": "Eastland", "R3": "Southland", "R4": "Westland"},
    )
    path = folder / "scenario.yaml"
    path.write_text(HEAD + lines, encoding="utf-8")
    spec = load(path)
    return path, spec, build_instance(spec, load_regions(spec))


def located(problems) -> list[tuple[int | None, str, str, str]]:
    return [(p.line, p.key, p.expected, p.found) for p in problems]


def warned(warnings: list[RuleWarning]) -> list[tuple[int | None, str, str]]:
    return [(w.line, w.key, w.text) for w in warnings]


def capacity(spec: LoadedSpec, inst: Instance, industry: str) -> float:
    """The capacity of `industry` the model lays out with the checks bypassed (HiGHS, gap 0)."""
    run = solve_period(spec, load_regions(spec), inst, "highs", None, 0.0, lambda s: None, {})
    return run.metrics["optimised"]["industries"][industry]["capacity"]


# ------------------------------------------------------------------------------------------------ refused


def test_a_strength_in_a_region_not_eligible_is_refused_naming_the_rule(tmp_path):
    path, spec, inst = loaded(
        tmp_path,
        f"industries:\n  A: {A}}}\n"  # line 9
        "strengths:\n"
        "  - {region: R3, industry: A, min_share: 0.1}\n"  # line 11
        "limits: {min_clusters: 0, budget: null}\n",
    )
    assert located(rule_problems(spec, inst)) == [
        (
            11,
            "strengths.0",
            "a strength in a region that may hold some of A",
            f"Southland (R3) is not eligible for A under {INNOVATION}: rd = 0.5, rule >= 1; a share of national "
            "capacity there can only be kept by building no A at all",
        )
    ]
    assert rule_problems(spec, inst)[0].file == str(path)
    # why it is refused: the model meets the strength by building no Alpha anywhere (x_R3 = 0 >= 0.1 * total)
    assert capacity(spec, inst, "A") == 0.0
    with pytest.raises(InputError) as e:
        prepare(path)
    assert f"{path}:11: strengths.0: expected a strength in a region" in str(e.value)


def test_a_strength_in_a_region_that_may_take_part_in_no_cluster_is_refused(tmp_path):
    _, spec, inst = loaded(
        tmp_path,
        f"industries:\n  A: {A}}}\n"
        "strengths:\n"
        "  - {region: R1, industry: A, min_share: 0.1}\n"  # line 11
        "limits: {min_clusters: 0, budget: null, regions: {R1: {max_clusters: 0}}}\n",
    )
    assert located(rule_problems(spec, inst)) == [
        (
            11,
            "strengths.0",
            "a strength in a region that may hold some of A",
            "Northland (R1) may take part in no cluster (max_clusters 0); a share of national capacity there can "
            "only be kept by building no A at all",
        )
    ]


def test_strengths_of_one_industry_summing_above_one_are_refused(tmp_path):
    # max_share 1: each region may hold all 100, so only the sum 0.6 + 0.5 = 1.1 > 1 conflicts
    _, spec, inst = loaded(
        tmp_path,
        f"rules: {{max_share: 1.0}}\nindustries:\n  A: {A}}}\n"
        "strengths:\n"
        "  - {region: R1, industry: A, min_share: 0.6}\n"
        "  - {region: R2, industry: A, min_share: 0.5}\n"  # line 13
        "limits: {min_clusters: 0, budget: null}\n",
    )
    assert located(rule_problems(spec, inst)) == [
        (
            13,
            "strengths.1.min_share",
            "min_shares of A's strengths that sum to at most 1",
            "a sum of 1.1 (Northland (R1) 0.6, Eastland (R2) 0.5): together they can only be kept by building no A "
            "at all",
        )
    ]
    assert capacity(spec, inst, "A") == 0.0  # x_R1 >= 0.6 X and x_R2 >= 0.5 X hold only with X = 0


def test_a_strength_above_the_most_share_holds_only_below_target(tmp_path):
    # Northland may hold at most 0.35 * 100 = 35; a share of 0.5 then caps Alpha at 35 / 0.5 = 70 < 100
    _, spec, inst = loaded(
        tmp_path,
        f"industries:\n  A: {A}}}\n"
        "strengths:\n"
        "  - {region: R1, industry: A, min_share: 0.5}\n"  # line 11
        "limits: {min_clusters: 0, budget: null}\n",
    )
    assert located(rule_problems(spec, inst)) == [
        (
            11,
            "strengths.0.min_share",
            "a min_share of at most 0.35 (Northland (R1) may hold at most 35 of A: max_share 0.35 × target 100; "
            "35 / target 100)",
            "0.5, which holds only while A totals at most 35 / 0.5 = 70, below its target 100",
        )
    ]
    assert capacity(spec, inst, "A") == pytest.approx(70.0)  # Northland 35 + Eastland 35, the strength held


def test_a_strength_above_the_region_budget_holds_only_below_target(tmp_path):
    # max_share 1, but Northland's budget is 20: a share of 0.5 caps Alpha at 20 / 0.5 = 40
    _, spec, inst = loaded(
        tmp_path,
        f"rules: {{max_share: 1.0}}\nindustries:\n  A: {A}}}\n"
        "strengths:\n"
        "  - {region: R1, industry: A, min_share: 0.5}\n"  # line 12
        "limits: {min_clusters: 0, budget: null, regions: {R1: {budget: 20}}}\n",
    )
    assert located(rule_problems(spec, inst)) == [
        (
            12,
            "strengths.0.min_share",
            "a min_share of at most 0.2 (Northland (R1) may hold at most 20 of A: the budget of Northland (R1) is "
            "20; 20 / target 100)",
            "0.5, which holds only while A totals at most 20 / 0.5 = 40, below its target 100",
        )
    ]


def test_kept_capacity_in_a_region_not_eligible_is_refused_and_the_model_is_infeasible(tmp_path):
    # keep 5 x 0.8 = 4 in Southland, which fails rd >= 1: keep-base x >= 4 against hosting x <= 0
    _, spec, inst = loaded(
        tmp_path,
        f"industries:\n  A: {A}, base_capacity: {{R3: 5}}, base_retention: 0.8}}\n"  # line 9
        "limits: {min_clusters: 0, budget: null}\n",
    )
    assert located(rule_problems(spec, inst)) == [
        (
            9,
            "industries.A.base_capacity.R3",
            "existing capacity to keep where the region may hold it (capacity is held only inside a cluster)",
            f"5 × base_retention 0.8 = 4 to keep, but Southland (R3) is not eligible for A under {INNOVATION}: "
            "rd = 0.5, rule >= 1, so it may hold none",
        )
    ]
    assert solve(build_model(inst), "highs", None, 0.0).status == INFEASIBLE


def test_kept_capacity_above_the_most_of_a_cluster_is_refused(tmp_path):
    # keep 50 in Northland, which may hold at most 0.35 * 100 = 35
    _, spec, inst = loaded(
        tmp_path,
        f"industries:\n  A: {A}, base_capacity: {{R1: 50}}}}\nlimits: {{min_clusters: 0, budget: null}}\n",
    )
    assert [p.found for p in rule_problems(spec, inst)] == [
        "50 × base_retention 1 = 50 to keep, but it may hold at most 35 (max_share 0.35 × target 100)"
    ]
    assert solve(build_model(inst), "highs", None, 0.0).status == INFEASIBLE


def test_kept_capacity_a_region_may_hold_passes(tmp_path):
    # 30 <= 35 in Northland; retention 0 in Southland keeps nothing
    _, spec, inst = loaded(
        tmp_path,
        f"industries:\n  A: {A}, base_capacity: {{R1: 30}}}}\n"
        f"  B: {A}, base_capacity: {{R3: 30}}, base_retention: 0}}\n"
        "limits: {min_clusters: 0, budget: null}\n",
    )
    assert rule_problems(spec, inst) == []


def test_check_rules_raises_every_problem_at_once(tmp_path):
    _, spec, inst = loaded(
        tmp_path,
        f"industries:\n  A: {A}, base_capacity: {{R4: 1}}}}\n"
        "strengths:\n"
        "  - {region: R3, industry: A, min_share: 0.1}\n"
        "limits: {min_clusters: 0, budget: null}\n",
    )
    with pytest.raises(InputError) as e:
        check_rules(spec, inst)
    assert [p.key for p in e.value.problems] == ["strengths.0", "industries.A.base_capacity.R4"]


# ------------------------------------------------------------------------------------------------ warned of


def test_an_industry_no_region_is_eligible_for_is_warned_of(tmp_path):
    _, spec, inst = loaded(
        tmp_path,
        "industries:\n"
        f"  A: {A}, eligibility: {{conditions: [{{indicator: rd, min: 5}}]}}}}\n"  # line 9
        "limits: {min_clusters: 0, budget: null}\n",
    )
    assert rule_problems(spec, inst) == []
    assert warned(rule_warnings(spec, inst)) == [
        (
            9,
            "industries.A",
            "no region is eligible for A: every one fails its own eligibility rule (industries.A.eligibility at "
            "scenario.yaml:9); its target 100 cannot be met, a shortfall of 100 is certain",
        )
    ]


def test_a_target_the_eligible_regions_cannot_hold_is_warned_of(tmp_path):
    # Alpha: Northland 35 + Eastland min(35, budget 20) = 55 < 100.
    # Gamma (target 10): max_share caps every tier at 0.35 × 10 = 3.5, and a provincial cluster needs at least 10,
    # so each region holds at most a characteristic cluster of 3.5: 3.5 + 3.5 = 7 < 10, a shortfall of 3.
    _, spec, inst = loaded(
        tmp_path,
        "industries:\n"
        f"  A: {A}}}\n"  # line 9
        "  C: {name: Gamma, kind: innovation, target: 10, weights: {s: 1}}\n"
        "limits: {min_clusters: 0, budget: null, regions: {R2: {budget: 20}}}\n",
    )
    assert warned(rule_warnings(spec, inst)) == [
        (
            9,
            "industries.A.target",
            "A's target 100 cannot be met: the 2 regions that may hold it can hold at most 55 together (each at most 35, "
            "max_share 0.35 × target 100; less by budget or limits: Eastland (R2) 20), a shortfall of at least 45 "
            "is certain",
        ),
        (
            10,
            "industries.C.target",
            "C's target 10 cannot be met: the 2 regions that may hold it can hold at most 7 together (each at most "
            "3.5, a characteristic cluster's most 3.5 (a provincial cluster needs at least 10, more than max_share "
            "0.35 × target 10)), a shortfall of at least 3 is certain",
        ),
    ]


def test_an_allowed_industry_the_region_is_not_eligible_for_is_warned_of(tmp_path):
    _, spec, inst = loaded(
        tmp_path,
        f"industries:\n  A: {A}}}\n  B: {A}}}\nrules: {{max_share: 0.5}}\n"
        "limits:\n"
        "  min_clusters: 0\n"
        "  budget: null\n"
        "  regions:\n"
        "    R1: {industries: [A, B]}\n"
        "    R3: {industries: [B, A]}\n",  # line 17: both futile
    )
    assert warned(rule_warnings(spec, inst)) == [
        (
            17,
            f"limits.regions.R3.industries.{j}",
            f"{i} is allowed here, but the allowance is futile: Southland (R3) is not eligible for {i} under "
            f"{INNOVATION}: rd = 0.5, rule >= 1",
        )
        for j, i in enumerate("BA")
    ]


def test_a_group_whose_members_share_no_industry_is_warned_of(tmp_path):
    # Alpha (innovation): Northland, Eastland; Beta (resource): Southland; Westland: neither.
    _, spec, inst = loaded(
        tmp_path,
        f"industries:\n  A: {A}}}\n"
        "  B: {name: Beta, kind: resource, target: 100, weights: {s: 1}}\n"
        "rules: {max_share: 1.0}\n"
        "groups:\n"
        "  NS: {name: North-South, members: [R1, R3]}\n"  # line 13
        "  NW: {name: North-West, members: [R1, R4]}\n"  # line 14
        "  NE: {name: North-East, members: [R1, R2]}\n"  # both eligible for Alpha: no warning
        "limits: {min_clusters: 0, budget: null}\n",
    )
    assert warned(rule_warnings(spec, inst)) == [
        (
            13,
            "groups.NS",
            "North-South can host no inter-provincial cluster: no industry is open to all its 2 members (Northland "
            "(R1) is eligible for only A; Southland (R3) is eligible for only B)",
        ),
        (
            14,
            "groups.NW",
            "North-West can host no inter-provincial cluster: no industry is open to all its 2 members (Westland "
            "(R4) is eligible for no industry)",
        ),
    ]


def test_least_clusters_a_region_cannot_reach_are_warned_of(tmp_path):
    # Alpha and Alpha 2 (innovation): Northland and Eastland are eligible for 2 industries, Southland and Westland
    # for none. Northland: at least 2 but at most 1 cluster. Southland: at least 1, eligible for none. The
    # scenario-wide 3 is out of Eastland's reach (2); Westland, eligible for nothing, is not warned of.
    _, spec, inst = loaded(
        tmp_path,
        f"industries:\n  A: {A}}}\n  A2: {A}}}\nrules: {{max_share: 1.0}}\n"
        "limits:\n"
        "  min_clusters: 3\n"  # line 13
        "  budget: null\n"
        "  regions:\n"
        "    R1: {min_clusters: 2, max_clusters: 1}\n"  # line 16
        "    R3: {min_clusters: 1}\n",  # line 17
    )
    assert warned(rule_warnings(spec, inst)) == [
        (
            16,
            "limits.regions.R1.min_clusters",
            "Northland (R1) must take part in at least 2 clusters, but may take part in at most 1 cluster "
            "(max_clusters): at most 1 can be met, the rest is penalised in every layout",
        ),
        (
            17,
            "limits.regions.R3.min_clusters",
            "Southland (R3) must take part in at least 1 cluster, but is eligible for no industry: at most 0 can be "
            "met, the rest is penalised in every layout",
        ),
        (
            13,
            "limits.min_clusters",
            "at least 3 clusters per region cannot be met where a region is eligible for only 2 industries (A, A2): "
            "Eastland (R2); the rest is penalised in every layout",
        ),
    ]


def test_a_scenario_with_reachable_rules_has_no_warning(tmp_path):
    # two regions x 50 = 100 reach the target; Northland's allowance and the group hold
    _, spec, inst = loaded(
        tmp_path,
        f"industries:\n  A: {A}}}\nrules: {{max_share: 0.5}}\n"
        "groups:\n  NE: {name: North-East, members: [R1, R2]}\n"
        "strengths:\n  - {region: R1, industry: A, min_share: 0.5}\n"
        "limits: {min_clusters: 1, budget: null, regions: {R1: {industries: [A]}}}\n",
    )
    assert rule_problems(spec, inst) == []
    assert rule_warnings(spec, inst) == []


def test_parent_limits_at_a_finer_level_are_checked_over_their_units(tmp_path):
    # Units U1, U2 of P1 pass rd >= 1; U3, U4 of P2 fail it. P2 allows Alpha (futile) and must hold 2 industries.
    write_nested(
        tmp_path,
        {"U1": ("P1", (0, 0)), "U2": ("P1", (2, 0)), "U3": ("P2", (4, 0)), "U4": ("P2", (6, 0))},
        {"U1": {"rd": 2.0, "s": 4}, "U2": {"rd": 1.5, "s": 3}, "U3": {"rd": 0.5, "s": 2}, "U4": {"rd": 0.2, "s": 1}},
    )
    path = tmp_path / "scenario.yaml"
    path.write_text(
        "name: nested\n"
        "regions: {source: files, boundaries: nested.geojson, indicators: indicators.csv, code_field: code, "
        "name_field: name, parent_field: parent}\n"
        "kinds:\n  innovation:\n    eligibility: {conditions: [{indicator: rd, min: 1.0}]}\n"  # rule at line 5
        f"industries:\n  A: {A}}}\nrules: {{max_share: 0.5}}\n"
        "limits:\n  min_clusters: 0\n  budget: null\n  regions:\n"
        "    P2: {industries: [A], min_clusters: 2}\n",  # line 13
        encoding="utf-8",
    )
    spec = load(path)
    inst = build_instance(spec, load_regions(spec))
    assert warned(rule_warnings(spec, inst)) == [
        (
            13,
            "limits.regions.P2.industries.0",
            f"A is allowed here, but the allowance is futile: none of its 2 units is eligible for A under {INNOVATION}",
        ),
        (
            13,
            "limits.regions.P2.min_clusters",
            "P2 must take part in at least 2 clusters, but is eligible for no industry: at most 0 can be met, the "
            "rest is penalised in every layout",
        ),
    ]


def test_with_plan_periods_a_rule_is_warned_of_once_in_its_first_period(tmp_path):
    # Alpha's target 100 in 2025 and 200 in 2030 is out of reach of Northland 35 + Eastland 35 = 70 in both periods;
    # Beta enters in 2030 and no region is eligible for it (wind >= 250 only in Southland, rd >= 5 nowhere).
    _, spec, _ = loaded(
        tmp_path,
        "periods: [2025, 2030]\n"
        "industries:\n"
        f"  A: {A}, targets: {{2030: 200}}}}\n"  # line 10
        "  B: {name: Beta, kind: innovation, target: 50, weights: {s: 1}, status: candidate, enters: 2030, "
        "eligibility: {conditions: [{indicator: rd, min: 5}]}}\n"  # line 11
        "limits: {min_clusters: 0, budget: null}\n",
    )
    regions = load_regions(spec)
    assert warned(scenario_warnings(spec, regions, build_instance(spec, regions, 2025))) == [
        (
            10,
            "industries.A.target",
            "in 2025: A's target 100 cannot be met: the 2 regions that may hold it can hold at most 70 together (each "
            "at most 35, max_share 0.35 × target 100), a shortfall of at least 30 is certain",
        ),
        (
            11,
            "industries.B",
            "in 2030: no region is eligible for B: every one fails its own eligibility rule (industries.B.eligibility "
            "at scenario.yaml:11); its target 50 cannot be met, a shortfall of 50 is certain",
        ),
    ]
