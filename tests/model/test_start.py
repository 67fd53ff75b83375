"""A start: the solver begins from the layout of a results folder (`layout solve --start DIR`, the workbench's previous
run). It changes where the search begins, never which rules hold: a start is checked by the solver, and a folder that
is not a results folder is bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

import layout.model.solve as solve_module
from layout.api import solve
from layout.cli import app
from layout.model.families import build_model
from layout.model.start import Start, start_values
from layout.pipeline import prepare
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def two_clusters(tmp_path_factory):
    """The default scenario solved with at most two clusters per province: a layout that is feasible in the default
    (three allowed) but not its optimum. Returns (folder, objective)."""
    folder = tmp_path_factory.mktemp("start")
    scenario = folder / "k2.yaml"
    scenario.write_text("extends: default\nlimits:\n  max_clusters: 2\n", encoding="utf-8")
    result = solve(scenario, out=folder / "k2")
    return folder / "k2", result.metrics_json["solver"]["objective"]


def test_the_solver_begins_at_the_start(two_clusters, monkeypatch):
    """Stopped at its first improving layout, HiGHS given the start is already at least as good as the start; without
    it, HiGHS's own first layout is far worse (it misses targets, hundreds of objective units)."""
    start, objective = two_clusters
    monkeypatch.setitem(solve_module.MIP_OPTIONS, "mip_max_improving_sols", 1)
    started = solve(None, start=start).metrics_json["solver"]
    cold = solve(None).metrics_json["solver"]
    assert started["objective"] <= objective + 1e-6
    assert cold["objective"] > objective + 1.0


def test_a_start_changes_the_stop_not_the_optimum(two_clusters):
    """Solved to optimality from the start, HiGHS's layout is the default's optimum; SCIP from the start stops within
    its 1 % gap of it, at or below the start."""
    start, objective = two_clusters
    optimum = solve(None).metrics_json["solver"]["objective"]
    assert solve(None, start=start, gap=0.0).metrics_json["solver"]["objective"] == pytest.approx(optimum, abs=1e-6)
    scip = solve(None, start=start, solver="scip", gap=0.01).metrics_json["solver"]
    assert optimum - 1e-6 <= scip["objective"] <= min(objective, optimum + 0.01 * abs(optimum))


def test_start_values_set_every_cluster_decision(tmp_path):
    """y, h and z of the start's designations are 1, every other binary 0; no capacity is given."""
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    body = {"industries": {"T": industry(max_share=0.5)}, "groups": {"G": {"members": ["A", "B"]}}}
    _, _, inst = prepare(write_scenario(tmp_path, body))
    m = build_model(inst)
    start = Start("here", {("A", "T"): ("provincial", ""), ("C", "T"): ("characteristic", ""), ("B", "T"): ("x", "")})
    index, values = start_values(m, start)
    column = {id(v): j for j, v in enumerate(m.columns)}
    ones = {int(j) for j, v in zip(index, values) if v == 1.0}
    assert ones == {column[id(m.y["A", "T"])], column[id(m.h["C", "T"])]}
    assert len(index) == sum(v.cat == "Integer" for v in m.columns)
    assert set(values) == {0.0, 1.0}
    group = Start("here", {("A", "T"): ("inter-provincial", "G"), ("B", "T"): ("inter-provincial", "G")})
    index, values = start_values(m, group)
    assert {int(j) for j, v in zip(index, values) if v == 1.0} == {column[id(m.z["G", "T"])]}


def test_the_run_says_and_records_its_start(two_clusters, tmp_path):
    start, _ = two_clusters
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", "--start", str(start), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    designations = len(pd.read_csv(start / "assignment.csv", encoding="utf-8-sig"))
    assert f"starting from the layout in {start} ({designations} designations)" in " ".join(result.stderr.split())
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["solver"]["start"] == str(start)


def test_rows_of_another_scenario_are_left_out_and_counted(tmp_path):
    """A results folder of other regions is no help: each of its rows is left out, and the run says how many."""
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    solve(write_scenario(tmp_path, {"industries": {"T": industry(max_share=0.5)}}), out=tmp_path / "sq")
    rows = len(pd.read_csv(tmp_path / "sq" / "assignment.csv", encoding="utf-8-sig"))
    assert rows == 2
    result = runner.invoke(
        app, ["solve", "--start", str(tmp_path / "sq"), "--out", str(tmp_path / "out"), "--lang", "en"]
    )
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert f"(0 designations); {rows} rows of its assignment.csv are not of this scenario and are left out" in said


@pytest.mark.parametrize("what", ["missing", "not a results folder", "assignment.csv damaged"])
def test_a_start_that_is_not_a_results_folder_is_bad_input(two_clusters, tmp_path, what):
    import shutil

    start = tmp_path / "start"
    if what == "not a results folder":
        start.mkdir()
        (start / "notes.txt").write_text("mine", encoding="utf-8")
    elif what == "assignment.csv damaged":
        shutil.copytree(two_clusters[0], start)
        (start / "assignment.csv").write_text("region_code,industry\n110000\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = runner.invoke(app, ["solve", "--start", str(start), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.stderr
    assert "command line: --start: expected a results folder written by `layout solve` (assignment.csv)" in " ".join(
        result.stderr.split()
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_cbc_takes_no_start_and_says_so(two_clusters, tmp_path):
    start, _ = two_clusters
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", "--solver", "cbc", "--start", str(start), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.stderr
    assert f"cbc takes no start: the layout in {start} is not used" in " ".join(result.stderr.split())
    assert "start" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["solver"]


def test_each_period_starts_from_its_own_folder(tmp_path):
    """Without periods the folder itself; a period starts from the folder's periods/<year>/ or from nothing."""
    from layout.results.start import period_start

    (tmp_path / "periods" / "2025").mkdir(parents=True)
    assert period_start(tmp_path, None) == tmp_path
    assert period_start(tmp_path, 2025) == tmp_path / "periods" / "2025"
    assert period_start(tmp_path, 2030) is None
