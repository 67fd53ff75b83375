"""Infeasibility diagnosis: seven kinds of conflict the solver finds (no presolve check sees them), each
diagnosed with HiGHS and with CBC, with the right constraint families and numbers.

The constraint files live in tests/data/infeasible/ (runnable examples: `layout solve FILE` exits 3);
the tests copy each into tmp_path beside four unit squares and an indicator table written here:

  code  name       rd   gdp  s       rd >= 1 is the innovation eligibility rule of every file:
  R1    Northland  2.0  40   4       Northland and Eastland pass it, Southland and Westland fail it.
  R2    Eastland   1.5  30   3
  R3    Southland  0.5  20   2
  R4    Westland   0.2  10   1
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from layout.analysis.diagnose import diagnose, diagnose_full
from layout.model.instance import build_instance
from layout.pipeline import prepare, presolve_conflicts
from layout.regions.load import load_regions
from layout.spec.load import load
from tests.squares import row_of_squares

DATA = Path(__file__).parents[1] / "data" / "infeasible"
SOLVERS = ["highs", "cbc", "scip"]
REGIONS = [
    ("R1", "Northland", 2.0, 40, 4),
    ("R2", "Eastland", 1.5, 30, 3),
    ("R3", "Southland", 0.5, 20, 2),
    ("R4", "Westland", 0.2, 10, 1),
]


def squares_geojson() -> str:
    """Four 1° squares along latitude 30°N, 1° apart (no two touch: no neighbours)."""
    return json.dumps(row_of_squares([(code, name) for code, name, *_rest in REGIONS]), indent=1) + "\n"


def indicators_csv() -> str:
    return "code,name,rd,gdp,s\n" + "".join(f"{c},{n},{rd},{gdp},{s}\n" for c, n, rd, gdp, s in REGIONS)


def scenario(tmp_path: Path, name: str) -> Path:
    """Copy a constraint file of tests/data/infeasible into tmp_path beside freshly written regions."""
    (tmp_path / "squares.geojson").write_text(squares_geojson(), encoding="utf-8")
    (tmp_path / "ind.csv").write_text(indicators_csv(), encoding="utf-8")
    target = tmp_path / name
    shutil.copy(DATA / name, target)
    return target


def _readable(conflict) -> list[tuple]:
    """Conflict elements with each row as its readable name (rows are identified by family and codes)."""
    return [("row", el[1].label) if el[0] == "row" else tuple(el) for el in conflict]


def run(tmp_path: Path, name: str, solver: str, checked: bool = True):
    """Diagnose a stored example; `checked=False` builds its instance without the rule checks that refuse it before
    solving (`layout.model.rules`), so the diagnosis itself stays tested (a scenario from the library, say)."""
    if checked:
        _spec, _regions, inst = prepare(scenario(tmp_path, name))
    else:
        spec = load(scenario(tmp_path, name))
        inst = build_instance(spec, load_regions(spec))
    assert presolve_conflicts(inst) == [], "the conflict must be one only the solver finds"
    d = diagnose_full(inst, solver)
    assert d.minimal
    assert d.sentences == diagnose(inst, solver)  # the public call says the same
    return d, "\n".join(d.sentences)


def test_stored_example_regions_match_the_ones_written_here():
    assert (DATA / "squares.geojson").read_text(encoding="utf-8") == squares_geojson()
    assert (DATA / "ind.csv").read_text(encoding="utf-8") == indicators_csv()


@pytest.mark.parametrize("solver", SOLVERS)
def test_keep_base_vs_budget(tmp_path, solver):
    # keep 9 of Alpha > characteristic max 8 -> a provincial cluster of >= 10 > budget 9.5
    d, text = run(tmp_path, "keep_base_vs_budget.yaml", solver)
    assert sorted(el[1].label for el in d.conflict) == ["budget_R1", "hosting_R1_A", "keep_base_R1_A", "scale_R1_A"]
    assert (
        "conflict: Northland must keep 9 of existing capacity (Alpha 9) but its budget is 9.5; holding 9 of Alpha "
        "takes a provincial cluster of at least 10, since a characteristic cluster holds at most 8"
    ) in d.sentences
    assert "- budget: Northland may build at most 9.5 in all industries together" in d.sentences
    # cheapest repair: +0.5 of budget (lowering the kept 9 to 8 would cost 1)
    assert "raise the budget of Northland from 9.5 to 10 (+0.5)" in text


@pytest.mark.parametrize("solver", SOLVERS)
def test_focus_vs_spread_minimums_across_industries(tmp_path, solver):
    # 3 industries x 1 provincial cluster each, but 2 eligible regions x focus 1 = 2
    d, text = run(tmp_path, "focus_vs_spread.yaml", solver)
    rows = sorted(el[1].label for el in d.conflict if el[0] == "row")
    assert rows == ["focus_R1", "focus_R2", "spread_min_A", "spread_min_B", "spread_min_C"]
    # Southland and Westland must stay excluded for all three industries, else they would take one
    assert sorted((el[1], el[2]) for el in d.conflict if el[0] == "elig") == [
        ("R3", "A"),
        ("R3", "B"),
        ("R3", "C"),
        ("R4", "A"),
        ("R4", "B"),
        ("R4", "C"),
    ]
    assert (
        "conflict: spread minimums need 3 provincial clusters (Alpha 1, Beta 1, Gamma 1), but the regions can hold at most 2: "
        "focus limits Northland to 1, Eastland to 1; 2 regions not eligible (Southland, Westland)"
    ) in d.sentences
    assert "- eligibility: Southland may not host Alpha (rd = 0.5, rule >= 1)" in d.sentences
    assert "cheapest repair found" in text and "instead of 1 (spread)" in text


@pytest.mark.parametrize("solver", SOLVERS)
def test_keep_base_vs_overcapacity_cap(tmp_path, solver):
    # kept 15 + 15 = 30 > cap (1 + 0.2) x 20 = 24
    d, text = run(tmp_path, "keep_base_vs_overcapacity_cap.yaml", solver)
    assert sorted(el[1].label for el in d.conflict) == ["keep_base_R1_A", "keep_base_R2_A", "overcapacity_cap_A"]
    assert (
        "conflict: Alpha may total at most 24 (overcapacity cap) but regions must keep 30 of its existing capacity "
        "(Northland 15, Eastland 15)"
    ) in d.sentences
    assert "- overcapacity cap: all capacity of Alpha together may not exceed 24 (1.2 × target 20)" in d.sentences
    # the cheapest repair removes 6 units of violation in all (ties broken the same way for both solvers)
    assert "lower what Northland must keep of Alpha from 15 to 10 (−5)" in text
    assert "lower what Eastland must keep of Alpha from 15 to 14 (−1)" in text


@pytest.mark.parametrize("solver", SOLVERS)
def test_concentrate_vs_spread_minimum(tmp_path, solver):
    # at least 2 provincial clusters, at most 1 as a key shortcoming
    d, text = run(tmp_path, "concentrate_vs_spread.yaml", solver)
    assert sorted(el[1].label for el in d.conflict) == ["concentrate_A", "spread_min_A"]
    assert (
        "conflict: Alpha needs at least 2 provincial clusters (spread) but, as a key shortcoming, may have at most "
        "1 provincial cluster (concentrate)"
    ) in d.sentences
    assert "require 1 provincial cluster of Alpha instead of 2 (spread)" in text


@pytest.mark.parametrize("solver", SOLVERS)
def test_provincial_minimum_scale_vs_budgets(tmp_path, solver):
    # one provincial cluster of >= 10 needed; eligible budgets 8 and 6
    d, text = run(tmp_path, "spread_vs_budget.yaml", solver)
    assert sorted(el[1].label for el in d.conflict if el[0] == "row") == [
        "budget_R1",
        "budget_R2",
        "scale_R1_A",
        "scale_R2_A",
        "spread_min_A",
    ]
    assert sorted(el[1:] for el in d.conflict if el[0] == "elig") == [("R3", "A"), ("R4", "A")]
    assert (
        "conflict: spread minimums need 1 provincial cluster (Alpha 1), but the regions can hold at most 0: budgets admit only "
        "0 clusters of at least 10: Northland 0 (budget 8), Eastland 0 (budget 6); 2 regions not eligible (Southland, Westland)"
    ) in d.sentences
    # dropping the one required cluster (1) is cheaper than +2 of budget
    assert "require 0 provincial clusters of Alpha instead of 1 (spread)" in text


@pytest.mark.parametrize("solver", SOLVERS)
def test_keep_base_vs_eligibility(tmp_path, solver):
    # Southland must keep 5 of Alpha (only inside a cluster) but fails rd >= 1; `layout validate` and `layout solve`
    # refuse it before solving (tests/model/test_rules.py), the diagnosis still names it
    d, text = run(tmp_path, "keep_base_vs_eligibility.yaml", solver, checked=False)
    assert sorted(_readable(d.conflict)) == [("elig", "R3", "A"), ("row", "hosting_R3_A"), ("row", "keep_base_R3_A")]
    assert (
        "conflict: Southland must keep 5 of Alpha, which takes a cluster, but may not host Alpha: rd = 0.5, rule >= 1"
        in d.sentences
    )
    assert "let Southland host Alpha although it fails the eligibility rule (rd = 0.5, rule >= 1)" in text


@pytest.mark.parametrize("solver", SOLVERS)
def test_keep_base_vs_focus(tmp_path, solver):
    # Northland keeps 5 of Alpha and 5 of Beta (2 clusters) but takes part in at most 1
    d, text = run(tmp_path, "keep_base_vs_focus.yaml", solver)
    assert sorted(el[1].label for el in d.conflict) == [
        "focus_R1",
        "hosting_R1_A",
        "hosting_R1_B",
        "keep_base_R1_A",
        "keep_base_R1_B",
    ]
    assert (
        "conflict: Northland must keep existing capacity in 2 industries (Alpha 5, Beta 5), each taking a cluster, "
        "but may take part in at most 1 cluster (focus)"
    ) in d.sentences
    assert "allow Northland 2 clusters instead of 1 (focus)" in text


@pytest.mark.parametrize("solver", SOLVERS)
def test_feasible_scenario_has_no_diagnosis(tmp_path, solver):
    # the keep-base vs budget file with a budget of 10 fits a provincial cluster of 10
    path = scenario(tmp_path, "keep_base_vs_budget.yaml")
    path.write_text(path.read_text(encoding="utf-8").replace("budget: 9.5", "budget: 10"), encoding="utf-8")
    _spec, _regions, inst = prepare(path)
    assert diagnose(inst, solver) == []


def test_presolve_kind_of_conflict_is_diagnosed_too(tmp_path):
    # spread minimum 3 with only 2 eligible regions (presolve_conflicts also sees it; diagnose must agree)
    path = scenario(tmp_path, "concentrate_vs_spread.yaml")
    text = (
        path.read_text(encoding="utf-8")
        .replace("{min: 2, max: 5}", "{min: 3, max: 5}")
        .replace("    concentrate: {max_regions: 1, top_by: s, top: 3}\n", "")
    )
    path.write_text(text, encoding="utf-8")
    _spec, _regions, inst = prepare(path)
    assert presolve_conflicts(inst)
    d = diagnose_full(inst, "highs")
    assert sorted(_readable(d.conflict)) == [("elig", "R3", "A"), ("elig", "R4", "A"), ("row", "spread_min_A")]
    assert any(
        "spread minimums need 3 provincial clusters (Alpha 3)" in s
        and "2 regions not eligible (Southland, Westland)" in s
        for s in d.sentences
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_solve_command_exits_3_with_the_sentences_and_writes_the_diagnosis(tmp_path, solver):
    from typer.testing import CliRunner

    from layout.cli import app

    path = scenario(tmp_path, "keep_base_vs_budget.yaml")
    result = CliRunner().invoke(
        app,
        [
            "solve",
            str(path),
            "--out",
            str(tmp_path / "out"),
            "--solver",
            solver,
            "--diagnose-to",
            str(tmp_path / "why"),
        ],
    )
    assert result.exit_code == 3, result.stderr
    sentence = (
        "conflict: Northland must keep 9 of existing capacity (Alpha 9) but its budget is 9.5; holding 9 of Alpha "
        "takes a provincial cluster of at least 10, since a characteristic cluster holds at most 8"
    )
    assert sentence in " ".join(result.stderr.split())
    written = (tmp_path / "why" / "diagnosis.txt").read_text(encoding="utf-8").splitlines()
    assert sentence in written and "raise the budget of Northland from 9.5 to 10 (+0.5)" in "\n".join(written)
    assert not (tmp_path / "out").exists()


def test_time_limit_bounds_the_whole_diagnosis(tmp_path, monkeypatch):
    # A clock that advances 1 s per reading: a 5 s limit runs out after a few tests. The diagnosis stops there
    # (not after max_checks tests of up to 5 s each) and says it could not decide or is not minimal.
    _spec, _regions, inst = prepare(scenario(tmp_path, "keep_base_vs_budget.yaml"))
    full = diagnose_full(inst, "highs")
    clock = iter(range(10**6))
    monkeypatch.setattr("layout.analysis.diagnose.time.monotonic", lambda: float(next(clock)))
    d = diagnose_full(inst, "highs", time_limit=5)
    assert d.checks < full.checks
    assert not d.minimal
    assert d.sentences and d.sentences != full.sentences
    assert "not reduced further: time or test limit" in "\n".join(d.sentences)
