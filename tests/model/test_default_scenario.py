"""The embedded default, end to end through the installed console script: one solve, many checks."""

from __future__ import annotations

import json
import re
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


def test_every_province_hosts_a_cluster_or_is_named_with_the_rule_and_the_number(default_run):
    """Issue 19: every mainland province hosts a cluster, or is named with the rule and the figure that exclude it.
    Tibet qualifies for New energy through its solar resource (PV capacity factor 0.19, the best class); Hainan meets
    no rule, is named with each rule's figure, and hosts the characteristic cluster of its best-suited industry."""
    m = json.loads((default_run[0] / "metrics.json").read_text())
    named = {r["code"]: r for r in m["regions_eligible_for_nothing"]}
    assert m["optimised"]["regions_without_cluster"] == [] and m["optimised"]["regions_hosting"] == 31
    assert set(named) == {"460000"}
    hainan = named["460000"]
    for figure in (
        "rd_intensity_2019 = 0.56, rule >= 1",
        "gdp_secondary_2019_initial = 1099.03, rule >= 10000",
        "solar_capacity_end2019_10mw = 140, rule >= 250",
        "hydro_capacity_6mw_end2019_10mw = 154, rule >= 2000",
        "solar_pv_capacity_factor_gcam = 0.18, rule >= 0.19",
    ):
        assert figure in hainan["why"]
    assert hainan["fallback"] == "NE"
    table = pd.read_csv(default_run[0] / "assignment.csv", dtype={"region_code": str})
    hosted = table[table["region_code"].isin(["460000", "540000"])]
    assert sorted(zip(hosted["region_code"], hosted["industry"], hosted["tier"])) == [
        ("460000", "NE", "characteristic"),
        ("540000", "NE", "characteristic"),
    ]
    out = default_run[1].stdout
    assert "eligible for no industry under the scenario's rules: Hainan (460000)" in out
    assert "solar_pv_capacity_factor_gcam = 0.18, rule >= 0.19" in out.replace("\n", " ")


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


def _readme_example() -> list[str]:
    """The console block of README.md's worked example (`$ layout solve --out results`), line by line."""
    text = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = text.split("```console\n$ layout solve --out results\n", 1)[1].split("```", 1)[0]
    return block.splitlines()


def test_the_readme_worked_example_is_a_fresh_solve_of_the_default(default_run):
    """README.md quotes the default's run: its headline (but the seconds), every row of the metrics table and the lines
    naming the regions no rule admits are what `layout solve` prints today."""
    import re

    proc = default_run[1]
    readme = _readme_example()
    untimed = re.compile(r", [0-9.]+ s;")
    headline = next(line for line in readme if line.startswith("National SEI layout"))
    printed = next(line for line in proc.stdout.splitlines() if line.startswith("National SEI layout"))
    assert untimed.sub(", s;", headline) == untimed.sub(", s;", printed)
    rows = {}
    for line in proc.stdout.splitlines():  # rich's table: "│ neighbour duplications │ 96 │ 117 │ 2 │ better │"
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells:
            rows[cells[0]] = [c for c in cells[1:] if c]
    start = next(k for k, line in enumerate(readme) if line.startswith(" metric "))
    for line in readme[start + 1 : start + 11]:
        name, *values = re.split(r"\s{2,}", line.strip())
        assert rows[name] == values, name
    stderr_lines = {re.sub(r"^warning: \S+/models/", "warning: …/models/", x) for x in proc.stderr.splitlines()}
    assert {x for x in readme if x.startswith("warning: ")} <= stderr_lines
    for line in readme:
        if line.startswith(("eligible for no industry", "  Hainan (460000)")):
            assert line in proc.stdout.splitlines()


def test_the_endowments_page_quotes_a_fresh_solve_of_the_default(default_run):
    """docs/endowments.md's "after" column is the default's run today."""
    doc = (Path(__file__).parents[2] / "docs" / "endowments.md").read_text(encoding="utf-8")
    m = json.loads((default_run[0] / "metrics.json").read_text())
    o, b, model = m["optimised"], m["baseline"], m["model"]
    assert f"| objective | −3.9412 | {m['solver']['objective']:.4f} |".replace("-", "−") in doc
    assert f"{model['rows']} rows × {model['columns']} columns ({model['binaries']} binaries both)" in doc
    assert f"| **{o['regions_hosting']} of 31** |" in doc
    assert f"| 1 (0.5) | {o['duplications']} ({o['duplications_weighted']:.1f}) |" in doc
    assert f"| 44 | {o['clusters']} |" in doc
    assert f"| 124, 63.75 | {b['duplications']}, {b['total_shortfall']:.2f} |" in doc


def test_near_misses_measure_against_the_weakest_host_the_rules_admitted(default_run):
    """Hainan hosts New energy as its characteristic fallback (score 0.09, eligible for nothing): the near misses of
    New energy compare candidates with the weakest host the rules admitted, not with Hainan."""
    explanation = json.loads((default_run[0] / "explanation.json").read_text())
    ne = next(n for n in explanation["near_misses"] if n["industry"] == "NE")
    assert ne["weakest_host"] not in {"460000", None}
    table = pd.read_csv(default_run[0] / "assignment.csv", dtype={"region_code": str})
    assert "460000" in set(table.loc[table["industry"] == "NE", "region_code"])


def test_the_wind_only_example_is_the_default_before_the_fifth_pass():
    """models/examples/wind-only.yaml restores the default's earlier rules (wind alone, the old weights, no fallback)
    over today's data: it reproduces the "before" column of docs/endowments.md and the objective pinned until then."""
    from layout.pipeline import solve_scenario

    run = solve_scenario(Path(__file__).parents[2] / "models" / "examples" / "wind-only.yaml", None)
    o, b = run.metrics["optimised"], run.metrics["baseline"]
    assert round(run.result.objective, 9) == -3.941244788
    assert (o["regions_hosting"], o["duplications"], o["duplications_weighted"], o["clusters"]) == (29, 1, 0.5, 44)
    assert (b["duplications"], round(b["total_shortfall"], 2)) == (124, 63.75)
    assert sorted(r["code"] for r in run.metrics["regions_eligible_for_nothing"]) == ["460000", "540000"]
    doc = (Path(__file__).parents[2] / "docs" / "endowments.md").read_text(encoding="utf-8")
    assert "| objective | −3.9412 |" in doc and "| 29 of 31 (Hainan, Tibet eligible for nothing) |" in doc


def test_the_map_says_the_capacity_unit_in_legends_and_tooltips(default_run):
    """Capacities on the map carry the scenario's unit (metrics.json scenario.capacity_unit, "index units" in the
    default), in the legend, the tooltips' table and the focus line of an industry layer."""
    page = (default_run[0] / "map.html").read_text(encoding="utf-8")
    assert "(index units, same scale in both maps)" in page
    assert "Capacity (index units)" in page
    assert re.search(r"\): [0-9.]+ index units", page.replace("\\u003c", "<"))
