"""layout.checks: numbers a solver cannot use meaningfully are refused before a model is built, each
problem naming file, line and key; all-zero objectives are refused with the reason."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

import layout.pipeline
from layout.cli import app
from layout.errors import InputError
from layout.model.checks import MAX_COUNT, MAX_SPREAD, numeric_problems, option_problems
from layout.model.instance import build_instance
from layout.model.solve import SolveResult
from layout.regions.load import load_regions
from layout.spec.load import load
from tests.squares import industry, write_regions, write_scenario


@pytest.fixture
def folder(tmp_path):
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (1, 0), "C": (5, 0)},
        {"A": {"s": 10, "g": 3}, "B": {"s": 8, "g": 2}, "C": {"s": 0, "g": 1}},
    )
    return tmp_path


def check(folder: Path, body: dict, with_instance: bool = True, schema_may_refuse: bool = False):
    """(problems, scenario path) for a scenario on the squares.

    schema_may_refuse: the problems may come from the schema at load (e.g. non-finite numbers, once
    spec.Strict has allow_inf_nan=False) instead of from numeric_problems; either is a refusal.
    """
    path = write_scenario(folder, body)
    try:
        spec = load(path)
    except InputError as e:
        if not schema_may_refuse:
            raise
        return e.problems, path
    inst = build_instance(spec, load_regions(spec)) if with_instance else None
    return numeric_problems(spec, inst), path


def line_of(path: Path, needle: str, after: str = "") -> int:
    """1-based line of the first line containing `needle` (after the first line containing `after`)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(k for k, s in enumerate(lines) if after in s) if after else 0
    return next(k for k in range(start, len(lines)) if needle in lines[k]) + 1


def two(p_target: float, q_target: float, **extra) -> dict:
    return {"industries": {"P": industry(target=p_target), "Q": industry(target=q_target, weights={"g": 1.0})}, **extra}


def test_default_scenario_has_no_numeric_problems():
    spec = load(None)
    assert numeric_problems(spec, build_instance(spec, load_regions(spec))) == []
    assert numeric_problems(spec) == []


def test_ordinary_tiny_scenario_has_none(folder):
    problems, _ = check(folder, two(100, 40, objective={"advantage": 0.5}))
    assert problems == []


def test_targets_spanning_more_than_a_million_are_refused_at_the_largest(folder):
    problems, path = check(folder, two(5e7, 10))
    assert len(problems) == 1
    p = problems[0]
    assert p.file == str(path) and p.line == line_of(path, "target:", after="  P:") and p.key == "industries.P.target"
    assert "within a factor of 1e+06" in p.expected
    assert (
        "5e+07 here and 10 at industries.Q.target" in p.found
        and f"{path}:{line_of(path, 'target:', after='  Q:')}" in p.found
    )
    assert "scenario.yaml" in str(p) and "industries.P.target" in str(p)


def test_a_spread_of_exactly_the_limit_is_accepted(folder):
    problems, _ = check(folder, two(MAX_SPREAD * 0.5, 0.5))
    assert problems == []


def test_per_period_targets_count_in_the_spread(folder):
    body = two(100, 100)
    body["industries"]["Q"]["targets"] = {2030: 1e-5}
    problems, _ = check(folder, body, with_instance=False)
    assert [p.key for p in problems] == ["industries.P.target"]
    assert "industries.Q.targets.2030" in problems[0].found


def test_objective_weights_spanning_more_than_a_million_are_refused(folder):
    problems, path = check(folder, two(100, 100, objective={"shortfall": 1000.0, "advantage": 1e-4}))
    assert [p.key for p in problems] == ["objective.shortfall"]
    assert problems[0].line == line_of(path, "shortfall:")
    assert "1000 here and 0.0001 at objective.advantage" in problems[0].found


def test_zero_weights_do_not_count_in_the_spread(folder):
    problems, _ = check(
        folder,
        two(
            100,
            100,
            objective={"homogeneity": 0, "overcapacity": 0, "balance": 0, "shortfall": 1000.0, "advantage": 0.01},
        ),
    )
    assert problems == []


def test_all_objective_weights_zero_is_refused_with_the_reason(folder):
    zero = {"homogeneity": 0, "overcapacity": 0, "shortfall": 0, "balance": 0, "advantage": 0}
    problems, path = check(folder, two(100, 100, objective=zero))
    assert len(problems) == 1
    p = problems[0]
    assert p.key == "objective" and p.line == line_of(path, "objective:")
    assert "at least one objective weight > 0" in p.expected
    assert "every feasible layout is optimal" in p.found


def test_characteristic_weight_alone_is_not_an_objective(folder):
    zero = {
        "homogeneity": 0,
        "overcapacity": 0,
        "shortfall": 0,
        "balance": 0,
        "advantage": 0,
        "characteristic_weight": 1.0,
    }
    problems, _ = check(folder, two(100, 100, objective=zero))
    assert [p.key for p in problems] == ["objective"]


@pytest.mark.parametrize(
    "where,value,key",
    [
        ("target", math.inf, "industries.P.target"),
        ("weight", math.nan, "industries.P.weights.s"),
        ("weight", math.inf, "industries.P.weights.s"),
        ("objective", math.inf, "objective.advantage"),
        ("time_limit", math.inf, "solver.time_limit"),
        ("base", math.inf, "industries.P.base_capacity.A"),
        ("budget", math.inf, "limits.regions.A.budget"),
        ("cap", math.inf, "rules.overcapacity_cap"),
        ("char", math.inf, "rules.characteristic.max"),
    ],
)
def test_non_finite_numbers_are_refused(folder, where, value, key):
    body = two(100, 100)
    if where == "target":
        body["industries"]["P"]["target"] = value
    elif where == "weight":
        body["industries"]["P"]["weights"] = {"s": value}
    elif where == "objective":
        body["objective"] = {"advantage": value}
    elif where == "time_limit":
        body["solver"] = {"time_limit": value}
    elif where == "base":
        body["industries"]["P"]["base_capacity"] = {"A": value}
    elif where == "budget":
        body["limits"] = {"min_clusters": 0, "budget": None, "regions": {"A": {"budget": value}}}
    elif where == "cap":
        body["rules"] = {"overcapacity_cap": value}
    elif where == "char":
        body["rules"] = {"characteristic": {"min": 2, "max": value}}
    problems, path = check(folder, body, with_instance=False, schema_may_refuse=True)
    assert key in [p.key for p in problems], problems
    p = next(p for p in problems if p.key == key)
    assert "finite number" in p.expected and p.file == str(path) and p.line is not None


@pytest.mark.parametrize(
    "where,value,key,words",
    [
        ("target", 1e15, "industries.P.target", "at most 1e+12"),
        ("base", 1e300, "industries.P.base_capacity.A", "at most 1e+12"),
        ("provincial_min", 1e13, "rules.provincial_min", "at most 1e+12"),
        ("target", 1e-9, "industries.P.target", "at least 1e-06"),
    ],
)
def test_astronomical_or_vanishing_magnitudes_are_refused(folder, where, value, key, words):
    body = two(100, 100)
    if where == "target":
        body["industries"]["P"]["target"] = value
        body["industries"]["Q"]["target"] = value
    elif where == "base":
        body["industries"]["P"]["base_capacity"] = {"A": value}
    elif where == "provincial_min":
        body["rules"] = {"provincial_min": value}
    problems, _ = check(folder, body, with_instance=False)
    assert any(p.key == key and words in p.expected for p in problems), problems


def test_indicator_thresholds_are_not_magnitudes(folder):
    """Eligibility thresholds are in the indicator's own unit (e.g. yuan): large is fine."""
    body = two(100, 100, kinds={"innovation": {"eligibility": {"conditions": [{"indicator": "s", "max": 1e15}]}}})
    problems, _ = check(folder, body)
    assert problems == []


def test_a_budget_indicator_that_sums_to_zero_is_refused(folder):
    write_regions(
        folder,
        {"A": (0, 0), "B": (1, 0), "C": (5, 0)},
        {"A": {"s": 10, "g": 0}, "B": {"s": 8, "g": 0}, "C": {"s": 0, "g": 0}},
    )
    problems, path = check(folder, two(100, 100, limits={"min_clusters": 0, "budget": {"indicator": "g"}}))
    assert [p.key for p in problems] == ["limits.budget.indicator"]
    assert problems[0].line == line_of(path, "indicator: g")
    assert "no finite budget for A, B, C" in problems[0].found


@pytest.mark.parametrize(
    "time_limit,gap,keys",
    [
        (None, None, []),
        (10.0, 0.01, []),
        (math.inf, None, ["--time-limit"]),
        (math.nan, None, ["--time-limit"]),
        (-1.0, None, ["--time-limit"]),
        (0.0, None, ["--time-limit"]),
        (None, 2.0, ["--gap"]),
        (None, -0.1, ["--gap"]),
        (None, math.nan, ["--gap"]),
        (math.inf, 1.0, ["--time-limit", "--gap"]),
    ],
)
def test_command_line_solver_options(time_limit, gap, keys):
    problems = option_problems(time_limit, gap)
    assert [p.key for p in problems] == keys
    assert all(p.file == "command line" for p in problems)


COUNT_EXPECTED = (
    f"a count of at most {MAX_COUNT:,} (no layout has more clusters or regions; "
    "the solver takes numbers near 1e20 for infinite)"
)


@pytest.mark.parametrize(
    "key,body",
    [
        ("limits.min_clusters", {"limits": {"min_clusters": 10**20}}),
        ("limits.max_clusters", {"limits": {"max_clusters": 10**20}}),
        ("limits.regions.A.min_clusters", {"limits": {"regions": {"A": {"min_clusters": 10**20}}}}),
        ("rules.provincial_clusters.max", {"rules": {"provincial_clusters": {"max": 10**20}}}),
        ("rules.interprovincial.max_clusters", {"rules": {"interprovincial": {"max_clusters": 10**20}}}),
        (
            "industries.P.concentrate.top",
            {"industries": {"P": industry(concentrate={"max_regions": 1, "top_by": "s", "top": 10**20})}},
        ),
        (
            "shortcomings.0.max_regions",
            {"shortcomings": [{"industry": "P", "urgency": "urgent", "top_by": "s", "max_regions": 10**20}]},
        ),
        (
            "sweep.samples",
            {"sweep": {"mode": "random", "samples": 10**20, "parameters": {"limits.max_clusters": [1, 2]}}},
        ),
    ],
)
def test_astronomical_counts_are_refused(folder, key, body):
    """Found by the hardening audit: min_clusters 1e20 made HiGHS end with status 'error', reported as infeasible."""
    problems, path = check(folder, {**two(100, 100), **body}, with_instance=False)
    assert [(p.file, p.key, p.expected, p.found) for p in problems] == [
        (str(path), key, COUNT_EXPECTED, "100000000000000000000")
    ]
    assert problems[0].line == line_of(path, key.rsplit(".", 1)[-1] + ":", after=key.split(".")[0] + ":")


def test_counts_up_to_the_limit_and_years_and_seeds_of_any_size_pass(folder):
    body = two(
        100,
        100,
        limits={"min_clusters": 0, "budget": None, "max_clusters": MAX_COUNT},
        year=10**20,
        sweep={"mode": "random", "samples": 2, "seed": 10**30, "parameters": {"limits.max_clusters": [1, 2]}},
    )
    problems, _ = check(folder, body, with_instance=False)
    assert problems == []


def test_a_count_too_long_to_print_is_summarised(folder):
    problems, _ = check(folder, two(100, 100, limits={"min_clusters": 10**99}), with_instance=False)
    assert [(p.key, p.found) for p in problems] == [("limits.min_clusters", "a number of 100 digits")]


def test_astronomical_min_clusters_exits_2_on_the_default(tmp_path):
    """The audit's reproduction: before the check, `layout solve` exited 3 ("highs ended with status 'error'")."""
    path = tmp_path / "t.yaml"
    path.write_text("extends: default\nlimits:\n  min_clusters: 100000000000000000000\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["solve", str(path), "--out", str(tmp_path / "T"), "-q"])
    assert (result.exit_code, result.stderr) == (
        2,
        f"error (bad input): {path}:3: limits.min_clusters: expected {COUNT_EXPECTED}; found 100000000000000000000\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.yaml"]


def test_a_solver_error_is_not_reported_as_infeasible(folder, monkeypatch):
    """A solver ending with status 'error' (no proof of anything) exits 1 with its own message, writes nothing, and
    is not diagnosed as a conflict."""
    monkeypatch.setattr(
        layout.pipeline, "solve", lambda *args, **kwargs: SolveResult("highs", "error", None, None, None, 0.1, "Empty")
    )
    path = write_scenario(folder, two(100, 40))
    before = sorted(p.name for p in folder.iterdir())
    result = CliRunner().invoke(
        app, ["solve", str(path), "--out", str(folder / "out"), "-q", "--diagnose-to", str(folder / "why")]
    )
    assert (result.exit_code, result.stderr) == (
        1,
        "error (failed): highs ended with status 'error' (Empty) and no layout: a failure of the "
        "solver, not a proof that the scenario is infeasible; nothing was written. Try --solver "
        "cbc, and please report the constraint file if it persists\n",
    )
    assert isinstance(result.exception, SystemExit)
    assert sorted(p.name for p in folder.iterdir()) == before
