"""The embedded default, end to end through the installed console script: one solve, many checks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from layout.errors import Problem
from layout.regions.load import load_regions
from layout.spec.load import load

LAYOUT = shutil.which("layout") or str(Path(sys.executable).with_name("layout"))


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """`layout solve --out DIR --export-mps` run from an unrelated folder (the embedded default)."""
    cwd = tmp_path_factory.mktemp("elsewhere")
    proc = subprocess.run(
        [LAYOUT, "solve", "--out", "res", "--export-mps", "--export-lp"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return cwd / "res", proc


def test_writes_every_result_file(default_run):
    out, _ = default_run
    for name in (
        "assignment.csv",
        "baseline.csv",
        "layout.geojson",
        "metrics.json",
        "manifest.json",
        "model.mps",
        "model.lp",
    ):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "assignment.csv", dtype={"region_code": str})
    assert list(table.columns[:7]) == [
        "region_code",
        "region_name",
        "industry",
        "industry_name",
        "capacity",
        "tier",
        "kind",
    ]
    assert set(table["tier"]) <= {"inter-provincial", "provincial", "characteristic"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["input_sha256"]) == 64 and manifest["solver"]["name"] == "highs"


def test_solved_to_optimality_meeting_every_target(default_run):
    metrics = json.loads((default_run[0] / "metrics.json").read_text())
    assert metrics["solver"]["status"] == "optimal" and metrics["solver"]["gap"] <= 1e-6
    assert metrics["optimised"]["targets_met"]
    for code, v in metrics["optimised"]["industries"].items():
        assert v["capacity"] >= v["target"] - 1e-6, code


def test_improves_on_the_uncoordinated_baseline(default_run):
    out, proc = default_run
    m = json.loads((out / "metrics.json").read_text())
    o, b = m["optimised"], m["baseline"]
    assert o["duplications"] < b["duplications"]
    assert o["mean_overcapacity_ratio"] < b["mean_overcapacity_ratio"]
    assert o["mean_similarity"] < b["mean_similarity"]
    # both printed in the summary
    assert "neighbour duplications" in proc.stdout and str(b["duplications"]) in proc.stdout
    assert "mean overcapacity ratio" in proc.stdout and f"{b['mean_overcapacity_ratio']:.3f}" in proc.stdout


def test_every_eligible_region_hosts_a_cluster_and_the_rest_are_named(default_run):
    m = json.loads((default_run[0] / "metrics.json").read_text())
    nothing = {r["code"] for r in m["regions_eligible_for_nothing"]}
    assert set(m["optimised"]["regions_without_cluster"]) == nothing
    assert nothing == {"460000", "540000"}  # Hainan and Tibet fail both default eligibility rules
    assert "Hainan (460000)" in default_run[1].stdout


def test_focus_and_share_rules_hold(default_run):
    table = pd.read_csv(default_run[0] / "assignment.csv", dtype={"region_code": str})
    assert table.groupby("region_code").size().max() <= 3
    assert table["capacity"].max() <= 35 + 1e-6


def test_exported_mps_gives_the_same_objective_with_an_independent_solver(default_run):
    """HiGHS solved the model; CBC (the binary bundled with PuLP) solves the exported MPS."""
    import pulp

    out, _ = default_run
    reported = json.loads((out / "metrics.json").read_text())["solver"]["objective"]
    sol = out.parent / "cbc.sol"
    cbc = pulp.apis.PULP_CBC_CMD().path
    subprocess.run(
        [cbc, str(out / "model.mps"), "ratio", "0", "solve", "solu", str(sol)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    head = sol.read_text().splitlines()[0]
    assert head.startswith("Optimal")
    assert float(head.split("objective value")[-1]) == pytest.approx(reported, abs=1e-6)


def test_lp_file_names_read_as_families(tmp_path):
    spec = load(None)
    assert spec.scenario.regions.links[0].a == "440000"
    from layout.model.families import build_model
    from layout.model.instance import build_instance
    from layout.model.solve import export

    m = build_model(build_instance(spec, load_regions(spec)))
    assert m.row_of("homogeneity", region="320000", other="330000", industry="NGIT") is not None
    export(m, tmp_path / "model.lp")
    text = (tmp_path / "model.lp").read_text()
    for name in (
        "demand_NGIT:",
        "focus_320000:",
        "homogeneity_320000_330000_NGIT:",
        "budget_440000:",
        " x_320000_NGIT",
    ):
        assert name in text
    assert [v.name for v in m.columns[:3]] == ["c0", "c1", "c2"]  # the model's own names are back after export


def test_mainland_adjacency_has_68_boundary_edges_plus_the_declared_strait():
    regions = load_regions(load(None))
    boundary = [(a, b) for a, b, basis in regions.neighbours if basis == "boundary"]
    assert len(boundary) == 68
    assert ("440000", "460000") not in boundary
    assert [(a, b) for a, b, basis in regions.neighbours if basis != "boundary"] == [("440000", "460000")]
    assert len(regions.codes) == 31 and len(regions.drawn) == 34
    assert not regions.drawn.loc[["710000", "810000", "820000"], "modelled"].any()


def test_land_area_is_computed_in_an_equal_area_projection():
    ind = load_regions(load(None)).indicators
    # Beijing's official area is 16,411 km² (geodata S60); the simplified boundary is within 3 %.
    assert ind.at["110000", "land_area_geom_km2"] == pytest.approx(16411, rel=0.03)
    assert ind["land_area_geom_km2"].notna().all()


def test_problem_message_format():
    p = Problem("f.yaml", 3, "industries.NGIT.target", "a number > 0", "-5")
    assert str(p) == "f.yaml:3: industries.NGIT.target: expected a number > 0; found -5"
