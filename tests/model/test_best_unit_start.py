"""A start of HiGHS's own where units share a parent's budget (county level: a prefecture's counties): the model solved
first with each parent's clusters of an industry in its best unit, that layout handed to HiGHS as its start. It may
change where the search begins and how long it takes, never the optimum: the tests solve to optimality (gap 0) and
compare with optima computed by hand.

The county level is the only one that has such parents in the shipped data (its run lives in bench/bench.py); here
the tiny nested squares of tests/regions/test_fine.py stand for it, their parents ("parent" aggregates) taking the
prefectures' place.

Scores (indicator s, min-max): A1 10 -> 1, A2 8 -> 0.8, A3 10 -> 1 (ties A1), B1 0 -> 0.
"""

from __future__ import annotations

import gc
import json

import highspy
import pytest

import layout.model.solve as solve_module
import layout.model.start as start_module
from layout.model.families import build_model
from layout.model.solve import SolverProgress, solve
from layout.model.start import best_unit_closures, start_values
from layout.pipeline import Options, prepare, solve_scenario
from tests.regions.test_fine import nested_scenario
from tests.squares import industry, write_nested


@pytest.fixture
def nested(tmp_path):
    """A1, A2 and A3 in parent PA, B1 in parent PB; no two squares touch."""
    write_nested(
        tmp_path,
        {"A1": ("PA", (0, 0)), "A2": ("PA", (3, 0)), "A3": ("PA", (6, 0)), "B1": ("PB", (9, 0))},
        {"A1": {"s": 10}, "A2": {"s": 8}, "A3": {"s": 10}, "B1": {"s": 0}},
    )
    return tmp_path


def budget_60(**rules) -> dict:
    """Industry T (target 100, one region may hold all of it) with PA's units sharing a budget of 60."""
    return {
        "industries": {"T": industry(max_share=1.0, **rules)},
        "limits": {"min_clusters": 0, "budget": None, "regions": {"PA": {"budget": 60}}},
    }


def closed_names(folder, body) -> set[str]:
    _, _, inst = prepare(nested_scenario(folder, body))
    m = build_model(inst)
    return {m.names[m.columns[j].name] for j in best_unit_closures(m, ("parent",))}


def test_every_unit_but_the_best_of_its_parent_is_closed(nested):
    """In PA, A1 and A3 tie at score 1: A1 (first by code) stays open; A2 and A3 are closed in both tiers. PB's only
    unit stays open. Inter-provincial decisions and capacities are never closed."""
    closed = closed_names(nested, budget_60())
    assert closed == {"y_A2_T", "h_A2_T", "y_A3_T", "h_A3_T"}


def test_a_unit_a_rule_ties_to_the_industry_stays_open(nested):
    """A strength in A2 (10 % of national T) needs a cluster there: A2 is not closed."""
    body = budget_60() | {"strengths": [{"region": "A2", "industry": "T", "min_share": 0.1}]}
    assert closed_names(nested, body) == {"y_A3_T", "h_A3_T"}


def test_no_parent_of_the_levels_closes_nothing(nested):
    """The shipped levels (prefectures) do not include these parents: nothing is closed, no start is sought (at the
    gap of 1 % that would seek one)."""
    _, _, inst = prepare(nested_scenario(nested, budget_60()))
    assert len(best_unit_closures(build_model(inst))) == 0
    run = solve_scenario(nested_scenario(nested, budget_60()), nested / "out", Options(solver="highs", gap=0.01))
    assert run.result.start_seconds == 0.0
    assert "own_start" not in json.loads((nested / "out" / "metrics.json").read_text(encoding="utf-8"))["solver"]


def solved_with_own_start(folder, body, monkeypatch):
    """Solved to optimality with a start of its own sought at the nested squares' parents (shipped: prefectures, and
    only where the run stops at a gap of at least START_MIN_GAP)."""
    monkeypatch.setattr(start_module, "SHARED_BUDGET_LEVELS", ("parent",))
    monkeypatch.setattr(solve_module, "START_MIN_GAP", 0.0)
    run = solve_scenario(nested_scenario(folder, body), folder / "out", Options(solver="highs", gap=0.0))
    metrics = json.loads((folder / "out" / "metrics.json").read_text(encoding="utf-8"))
    return run, metrics["solver"], (folder / "out" / "report.html").read_text(encoding="utf-8")


def test_the_start_is_the_restricted_optimum_and_the_optimum_is_unchanged(nested, monkeypatch):
    """PA's budget 60 binds A1 + A2 + A3 together. The optimum: A1 60 (reward 0.6) and the other 40 in B1 (score 0):
    objective -0.6 (A3, tied with A1, could hold the 60 as well). With only A1 open in PA the restricted model has
    the same optimum, so the start is -0.6 and so is the layout."""
    run, solver, report = solved_with_own_start(nested, budget_60(), monkeypatch)
    assert run.result.objective == pytest.approx(-0.6, abs=1e-9)
    assert run.result.start_objective == pytest.approx(-0.6, abs=1e-9)
    assert solver["own_start"]["objective"] == pytest.approx(-0.6, abs=1e-9)
    assert solver["own_start"]["seconds"] > 0
    assert solver["own_start"]["what"].startswith("a start of its own")
    assert "a start of its own" in report and "objective -0.6" in report


def test_a_start_that_cannot_hold_is_dropped_and_the_optimum_found(nested, monkeypatch):
    """Four provincial clusters of T (at least 10 each) need every unit: with A2 and A3 closed the restricted model is
    infeasible, so HiGHS searches without a start. The optimum by hand: of PA's 60, A2 its least 10 (reward 0.08) and
    A1 and A3 the other 50 in any split (0.5), B1 the remaining 40 (0): objective -0.58."""
    body = budget_60(provincial_clusters={"min": 4, "max": 4})
    run, solver, report = solved_with_own_start(nested, body, monkeypatch)
    assert run.result.objective == pytest.approx(-0.58, abs=1e-9)
    assert run.result.start_objective is None
    assert solver["own_start"]["objective"] is None
    assert "none found" in report


def test_a_solve_to_optimality_seeks_no_start(nested, monkeypatch):
    """At gap 0 HiGHS must search the whole tree anyway: no start of its own is sought."""
    monkeypatch.setattr(start_module, "SHARED_BUDGET_LEVELS", ("parent",))
    run = solve_scenario(nested_scenario(nested, budget_60()), nested / "out", Options(solver="highs", gap=0.0))
    assert run.result.start_seconds == 0.0 and run.result.objective == pytest.approx(-0.6, abs=1e-9)


def test_progress_while_looking_for_a_start_shows_no_bound():
    """The search for a start has a bound of its own, not the model's: the line names the start and its best layout,
    no bound and no gap."""
    words = SolverProgress("highs", 12.0, objective=-5.278, time_limit=900.0, goal=0.01, stage="start").words()
    assert words == (
        "highs: 12 s of 900 s; looking for a start of its own (each prefecture's clusters of an industry in its best "
        "county): best objective -5.278"
    )


def test_no_highs_instance_holds_the_model_after_the_solve(nested, monkeypatch):
    """A highspy.Highs lives in a reference cycle until Python's cyclic collector runs; the solve frees the model it
    holds at once (at county level about 0.8 GB that would sit under the explanation's LP), the start's search too."""
    monkeypatch.setattr(start_module, "SHARED_BUDGET_LEVELS", ("parent",))
    monkeypatch.setattr(solve_module, "START_MIN_GAP", 0.0)
    _, _, inst = prepare(nested_scenario(nested, budget_60()))
    m = build_model(inst)
    before = {id(o) for o in gc.get_objects() if isinstance(o, highspy.Highs)}
    result = solve(m, "highs", None, 0.0, own_start=True)
    assert result.start_objective == pytest.approx(-0.6, abs=1e-9)  # both HiGHS runs happened
    made = [o for o in gc.get_objects() if isinstance(o, highspy.Highs) and id(o) not in before]
    assert [o.getNumCol() for o in made if o.getNumCol() > 0] == []


def test_the_full_solve_starts_from_the_layout_found_and_its_clock_goes_on(nested, monkeypatch):
    """The full solve is handed the start's layout with every column's value (so HiGHS need not complete it), and the
    progress it reports counts from the start's search on, against the whole time limit."""
    monkeypatch.setattr(start_module, "SHARED_BUDGET_LEVELS", ("parent",))
    monkeypatch.setattr(solve_module, "START_MIN_GAP", 0.0)
    _, _, inst = prepare(nested_scenario(nested, budget_60()))
    m = build_model(inst)
    handed = []
    full = solve_module.SOLVERS["highs"]

    def capture(m, time_limit, gap, on_progress, every, start):
        handed.append((time_limit, start))
        return full(m, time_limit, gap, on_progress, every, start)

    monkeypatch.setitem(solve_module.SOLVERS, "highs", capture)
    seen: list[SolverProgress] = []
    result = solve(m, "highs", 100.0, 0.0, on_progress=seen.append, own_start=True)
    ((limit, start),) = handed
    assert start is not None and start.columns is not None and len(start.columns) == len(m.columns)
    index, values = start_values(m, start)
    assert list(index) == list(range(len(m.columns))) and values is start.columns
    assert start.designations == {("A1", "T"): ("provincial", ""), ("B1", "T"): ("provincial", "")}
    assert limit == pytest.approx(100.0 - result.start_seconds)
    assert seen[-1].time_limit == 100.0 and seen[-1].elapsed >= result.start_seconds  # the full solve's last call


def test_the_search_for_a_start_reports_no_bound():
    """While HiGHS looks for a start its callback's bound is that search's: the progress passes on its best layout
    only."""
    seen: list[SolverProgress] = []
    beat = solve_module._Beat("highs", seen.append, 1.0, 0.0, 100.0, 0.01)
    beat.figures = (-5.0, -6.0, 0.2, 3)
    beat.stage = "start"
    beat(final=True, now=2.0)
    beat.stage = ""
    beat(final=True, now=3.0)
    assert [(p.stage, p.objective, p.bound, p.gap) for p in seen] == [
        ("start", -5.0, None, None),
        ("", -5.0, -6.0, 0.2),
    ]
