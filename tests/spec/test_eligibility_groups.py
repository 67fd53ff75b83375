"""Eligibility rules that nest "any of" and "all of": a condition or a group {require, conditions} in a rule's list,
told apart by its keys; every leaf checked and walked; a failing group said in words (bad input: test_bad_input.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.errors import InputError
from layout.model.gaps import DataGap
from layout.model.instance import Instance, build_instance
from layout.regions.load import load_regions
from layout.spec.load import load, load_dict
from layout.spec.schema import MAX_RULE_LEVELS, Condition, Eligibility
from tests.squares import industry, write_regions

runner = CliRunner()

HEAD = """name: nested rules
regions: {source: files, boundaries: squares.geojson, indicators: indicators.csv, code_field: code, name_field: name}
limits: {min_clusters: 0, budget: null}
solver: {name: highs, gap: 0.0}
"""
# the resource rule of the task: any one endowment, wind alone or R&D on a small territory
RESOURCE = """kinds:
  resource:
    eligibility:
      require: any                # any one of these endowments
      conditions:
        - {indicator: wind, min: 250}
        - require: all
          conditions:
            - {indicator: rd, min: 1.0}
            - {indicator: land, max: 200000}
  innovation:
    eligibility:
      conditions:                 # all (the default) of: R&D, and wind or solar
        - {indicator: rd, min: 1.0}
        - require: any
          conditions:
            - {indicator: wind, min: 250}
            - {indicator: solar, min: 250}
industries:
  NE: {name: New energy, kind: resource, target: 100, weights: {s: 1}}
  IT: {name: Information technology, kind: innovation, target: 100, weights: {s: 1}}
"""
# R1 wind alone; R2 R&D on a small territory; R3 R&D on a large one; R4 neither; R5 no land data; R6 solar and R&D
INDICATORS = {
    "R1": {"wind": 300, "solar": 0, "rd": 0.5, "land": 300000, "s": 1},
    "R2": {"wind": 10, "solar": 0, "rd": 1.5, "land": 100000, "s": 1},
    "R3": {"wind": 10, "solar": 0, "rd": 1.5, "land": 300000, "s": 1},
    "R4": {"wind": 10, "solar": 0, "rd": 0.5, "land": 300000, "s": 1},
    "R5": {"wind": 10, "solar": 0, "rd": 1.5, "land": None, "s": 1},
    "R6": {"wind": 0, "solar": 400, "rd": 2.0, "land": 50000, "s": 1},
}


def scenario(folder: Path, body: str = RESOURCE) -> Path:
    """HEAD + body on six squares, none touching, with the indicators above."""
    write_regions(folder, {r: (2 * k, 0) for k, r in enumerate(INDICATORS)}, INDICATORS)
    path = folder / "scenario.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    return path


def instance(folder: Path, body: str = RESOURCE) -> Instance:
    spec = load(scenario(folder, body))
    return build_instance(spec, load_regions(spec))


def test_a_nested_rule_validates(tmp_path):
    result = runner.invoke(app, ["validate", str(scenario(tmp_path))])
    assert result.exit_code == 0, result.output


def test_any_of_a_condition_or_an_all_group_decides_each_region_with_its_reason(tmp_path):
    inst = instance(tmp_path)
    assert {r: inst.eligible[r, "NE"] for r in INDICATORS} == {
        "R1": True,  # wind alone
        "R2": True,  # R&D on a small territory
        "R3": False,
        "R4": False,
        "R5": False,
        "R6": True,
    }
    assert inst.why_ineligible["R1", "NE"] == inst.why_ineligible["R2", "NE"] == ""
    # the all-group lists its failing parts only; the any-rule lists every failing part, "none of (…)"
    assert inst.why_ineligible["R3", "NE"] == (
        "none of (wind = 10, rule >= 250; not all of (land = 300000, rule <= 200000))"
    )
    assert inst.why_ineligible["R4", "NE"] == (
        "none of (wind = 10, rule >= 250; not all of (rd = 0.5, rule >= 1; land = 300000, rule <= 200000))"
    )
    assert inst.why_ineligible["R5", "NE"] == "none of (wind = 10, rule >= 250; not all of (no data for land))"


def test_all_of_a_condition_and_an_any_group_decides_each_region_with_its_reason(tmp_path):
    inst = instance(tmp_path)
    assert [r for r in INDICATORS if inst.eligible[r, "IT"]] == ["R6"]
    assert inst.why_ineligible["R1", "IT"] == "rd = 0.5, rule >= 1"  # the group passes: the condition alone fails
    assert inst.why_ineligible["R2", "IT"] == "none of (wind = 10, rule >= 250; solar = 0, rule >= 250)"
    assert inst.why_ineligible["R4", "IT"] == (
        "rd = 0.5, rule >= 1; none of (wind = 10, rule >= 250; solar = 0, rule >= 250)"
    )


def test_a_flat_any_rule_says_none_of_its_parts_held(tmp_path):
    inst = instance(
        tmp_path,
        RESOURCE.replace(
            "        - require: all\n          conditions:\n            - {indicator: rd, min: 1.0}\n", ""
        ).replace("            - {indicator: land, max: 200000}", "        - {indicator: land, max: 200000}"),
    )
    assert inst.why_ineligible["R4", "NE"] == "none of (wind = 10, rule >= 250; land = 300000, rule <= 200000)"
    assert inst.eligible["R2", "NE"] and not inst.eligible["R3", "NE"]


def test_a_nested_condition_without_data_is_a_data_gap_of_its_kind(tmp_path):
    inst = instance(tmp_path)
    assert DataGap("land", ("Region R5",), ("NE",), kind="resource") in inst.gaps


def test_leaves_walk_every_condition_with_its_key_path():
    rule = Eligibility.model_validate(
        {
            "require": "any",
            "conditions": [
                {"indicator": "wind", "min": 250},
                {
                    "require": "all",
                    "conditions": [{"indicator": "rd", "min": 1}, {"conditions": [{"indicator": "land", "max": 2}]}],
                },
            ],
        }
    )
    assert [(path, c.indicator) for path, c in rule.leaves()] == [
        (("conditions", 0), "wind"),
        (("conditions", 1, "conditions", 0), "rd"),
        (("conditions", 1, "conditions", 1, "conditions", 0), "land"),
    ]
    assert all(isinstance(c, Condition) for _, c in rule.leaves())
    assert list(Eligibility().leaves()) == []


def test_an_unknown_indicator_in_an_industrys_own_nested_rule_is_located(tmp_path):
    body = RESOURCE.replace(
        "  IT: {name: Information technology, kind: innovation, target: 100, weights: {s: 1}}\n",
        "  IT:\n"
        "    {name: Information technology, kind: innovation, target: 100, weights: {s: 1},\n"
        "     eligibility: {require: any, conditions: [{indicator: rd, min: 1},\n"
        "       {conditions: [\n"
        "         {indicator: wind, min: 1},\n"
        "         {indicator: sun, min: 1}]}]}}\n",  # line 30
    )
    with pytest.raises(InputError) as e:
        instance(tmp_path, body)
    [problem] = e.value.problems
    assert (problem.file, problem.line, problem.key) == (
        str(tmp_path / "scenario.yaml"),
        30,
        "industries.IT.eligibility.conditions.1.conditions.1.indicator",
    )
    assert problem.expected.startswith("an indicator of indicators.csv") and problem.found == "'sun'"


def test_nesting_is_bounded():
    """MAX_RULE_LEVELS levels, the rule counted, validate; one more is refused at the group too deep."""
    item: dict = {"indicator": "rd", "min": 1}
    for _ in range(MAX_RULE_LEVELS - 1):
        item = {"conditions": [item]}
    assert len(list(Eligibility.model_validate({"conditions": [item]}).leaves())) == 1
    too_deep = {"eligibility": {"conditions": [{"conditions": [item]}]}}
    with pytest.raises(InputError) as e:
        load_dict({"name": "deep", "kinds": {"resource": too_deep}, "industries": {"T": industry(kind="resource")}})
    [problem] = e.value.problems
    assert problem.key == "kinds.resource.eligibility.conditions.0" + ".conditions.0" * (MAX_RULE_LEVELS - 1)
    assert problem.expected == (
        f"groups nested at most {MAX_RULE_LEVELS - 1} deep in an eligibility rule ({MAX_RULE_LEVELS} levels, "
        "the rule counted)"
    )


def test_the_json_schema_shows_the_recursive_shape():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    defs = json.loads(result.stdout)["$defs"]
    items = defs["Eligibility"]["properties"]["conditions"]["items"]
    assert items == {"anyOf": [{"$ref": "#/$defs/Condition"}, {"$ref": "#/$defs/Eligibility"}]}
    assert set(defs["Condition"]["properties"]) == {"indicator", "min", "max"}
