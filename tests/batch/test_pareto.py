"""ε-constraint fronts on tiny square regions, computed by hand and asserted point by point (gap 0).

Criteria (layout.batch.pareto): H = weighted neighbour duplications (a pair of full clusters counts 1, a pair
with a characteristic cluster kappa = 0.5); advantage = sum score_r x_r / D; overcapacity = sum max(0,
total - D) / D. Defaults: provincial clusters hold >= 10 (m), characteristic 2..8, objective weights
alpha 1, beta (overcapacity) 2, sigma (advantage) 1, gamma (shortfall) 1000; min_clusters 0, no budget.
"""

from __future__ import annotations

import inspect

import pandas as pd
import pytest
from typer.testing import CliRunner

from layout.batch.pareto import pareto
from layout.cli import app
from layout.errors import InputError
from tests.squares import industry, write_regions, write_scenario


def test_homogeneity_advantage_front_by_hand(tmp_path):
    # A chain A–B–C (A, C not adjacent) and D far away. s: A 10, B 9, C 8, D 0 → scores 1, 0.9, 0.8, 0.
    # T: target 100, max_share 0.4 → at most 40 per region. Overcapacity costs beta = 2 per target, more than
    # any score earns, so every layout builds exactly 100; fill the best regions first; D (score 0) fills the rest.
    # Largest advantage for each allowed H:
    #   H = 0   {A, C, D} independent: A 40, C 40, D 20                   → 0.40 + 0.32        = 0.72
    #   H = 0.5 needs exactly one pair with a characteristic cluster, e.g. A 40 + B char 8, which rules out C (next to B);
    #           D holds at most 40, so such a layout builds at most 88 (12 short, penalised) → 0.72 stays best
    #   H = 1   A 40, C 40, B characteristic 8 (two half pairs), D 12      → 0.4 + 0.32 + 0.072 = 0.792
    #           ({A, B} provincial + D 20 gives only 0.76)
    #   H = 1.5 A 40, B 40 (one full pair), C characteristic 8 (half), D 12 → 0.4 + 0.36 + 0.064 = 0.824
    #   H = 2   A 40, B 40, C 20 (two full pairs)                          → 0.4 + 0.36 + 0.16  = 0.92
    # Anchors: least H = 0, H at the best advantage = 2; points = 5 → ε = 0, 0.5, 1, 1.5, 2.
    # The scenario as given (alpha = 1): H - advantage is -0.72 at H = 0 and at best 1 - 0.792 > 0 otherwise → (0, 0.72).
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (1, 0), "C": (2, 0), "D": (10, 0)},
        {"A": {"s": 10}, "B": {"s": 9}, "C": {"s": 8}, "D": {"s": 0}},
    )
    file = write_scenario(tmp_path, {"industries": {"T": industry(max_share=0.4)}})
    table = pareto(file, tmp_path / "front", between=("homogeneity", "advantage"), points=5, workers=1, progress=False)

    eps = table[table["point"] != "default"]
    assert eps["epsilon"].tolist() == pytest.approx([0, 0.5, 1, 1.5, 2])
    assert eps["status"].eq("optimal").all()
    assert eps["homogeneity"].tolist() == pytest.approx([0, 0, 1, 1.5, 2])
    assert eps["advantage"].tolist() == pytest.approx([0.72, 0.72, 0.792, 0.824, 0.92], abs=1e-6)
    assert eps["overcapacity"].tolist() == pytest.approx([0, 0, 0, 0, 0], abs=1e-6)
    assert eps["on_front"].all()
    # monotone: allowing more duplication never lowers the best advantage, nor the duplication used
    assert eps["advantage"].is_monotonic_increasing and eps["homogeneity"].is_monotonic_increasing
    # the point with H = 1 is the layout derived above
    got = pd.read_csv(tmp_path / "front" / "points" / "e002" / "assignment.csv")
    assert {(r.region_code, r.tier, round(r.capacity, 6)) for r in got.itertuples()} == {
        ("A", "provincial", 40.0),
        ("B", "characteristic", 8.0),
        ("C", "provincial", 40.0),
        ("D", "provincial", 12.0),
    }

    default = table.set_index("point").loc["default"]
    assert (default["homogeneity"], default["advantage"], default["status"]) == (0, pytest.approx(0.72), "optimal")
    assert default["objective_value"] == pytest.approx(-0.72, abs=1e-9)
    # e001 (ε = 0.5) lands on e000's layout, and so does the scenario as given; the front has 4 distinct points
    assert table["same_layout_as"].tolist() == ["", "e000", "", "", "", "e000"]
    note = "the front has 4 distinct points, from H = 0 (advantage 0.72) to H = 2 (advantage 0.92)"
    assert table.attrs["note"] == note

    # outputs: the PNG, a self-contained HTML page (no external script or stylesheet) marking the scenario as given
    assert (tmp_path / "front" / "pareto.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (tmp_path / "front" / "pareto.html").read_text(encoding="utf-8")
    assert "<svg" in page and 'data-id="default"' in page and "scenario as given" in page
    assert "The front has 4 distinct points" in page and "<th>same layout as</th>" in page
    assert (
        "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
        and "https://" not in page
        and "src=" not in page
    )
    assert list(pd.read_csv(tmp_path / "front" / "pareto.csv")["point"]) == [
        "e000",
        "e001",
        "e002",
        "e003",
        "e004",
        "default",
    ]
    for pid in ("e000", "e004", "default"):
        assert (tmp_path / "front" / "points" / pid / "metrics.json").is_file()

    # a rerun resumes: nothing is solved again
    again = pareto(file, tmp_path / "front", between=("homogeneity", "advantage"), points=5, workers=1, progress=False)
    assert again.attrs["solved_now"] == [] and len(again.attrs["skipped"]) == 6


def test_homogeneity_overcapacity_front_by_hand(tmp_path):
    # A, B, C pairwise adjacent (B and C touch at a corner: queen contiguity); Z far away.
    # T: target 100, max_share 0.7 (at most 70 per region), provincial clusters >= 40, characteristic 2..15;
    # Z keeps an existing 70 (base capacity, retention 1), so Z always holds a provincial cluster of 70.
    #   H = 0:   Z + one of A, B, C. A characteristic cluster (<= 15) leaves a shortfall (penalised 1000 per target),
    #            so a provincial one of >= 40: total >= 110 → overcapacity 0.10.
    #   H = 0.5: Z 70 + two characteristic clusters of 15 (one pair, weight kappa = 0.5) = 100 → overcapacity 0.
    # Anchors 0 and 0.5; points = 3 → ε = 0, 0.25, 0.5 → overcapacity 0.1, 0.1, 0.
    # The scenario as given: at H = 0, Z 70 + A 40: 2 * 0.1 - (0.4 + 0) = -0.2; at H = 0.5 the best is
    # 0.5 - (0.15 + 0.135) = 0.215 (scores A 1, B 0.9) → the scenario as given sits at (0, 0.1).
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (1, 0), "C": (0, 1), "Z": (10, 0)},
        {"A": {"s": 10}, "B": {"s": 9}, "C": {"s": 8}, "Z": {"s": 0}},
    )
    file = write_scenario(
        tmp_path,
        {
            "industries": {
                "T": industry(
                    max_share=0.7, provincial_min=40, characteristic={"min": 2, "max": 15}, base_capacity={"Z": 70}
                )
            }
        },
    )
    table = pareto(
        file, tmp_path / "front", between=("homogeneity", "overcapacity"), points=3, workers=1, progress=False
    )
    eps = table[table["point"] != "default"]
    assert eps["epsilon"].tolist() == pytest.approx([0, 0.25, 0.5])
    assert eps["homogeneity"].tolist() == pytest.approx([0, 0, 0.5])
    assert eps["overcapacity"].tolist() == pytest.approx([0.1, 0.1, 0.0], abs=1e-6)
    assert eps["overcapacity"].is_monotonic_decreasing
    default = table.set_index("point").loc["default"]
    assert (default["homogeneity"], default["overcapacity"]) == (0, pytest.approx(0.1))
    assert default["objective_value"] == pytest.approx(-0.2, abs=1e-9)


def test_between_must_name_homogeneity_and_one_efficiency_criterion(tmp_path):
    write_regions(tmp_path, {"A": (0, 0)}, {"A": {"s": 1}})
    file = write_scenario(tmp_path, {"industries": {"T": industry()}})
    with pytest.raises(InputError, match="--between"):
        pareto(file, tmp_path / "x", between=("overcapacity", "advantage"), points=3, workers=1, progress=False)
    with pytest.raises(InputError, match="--points"):
        pareto(file, tmp_path / "x", between=("homogeneity", "advantage"), points=1, workers=1, progress=False)


def test_a_front_without_conflict_says_so(squares):
    # squares: A–B adjacent, C apart; s: A 10, B 8, C 0 → scores 1, 0.8, 0. T: target 100, max_share 1; every region
    # should hold a cluster (min_clusters 1, balance 5 per region without one). Overcapacity (2 per target) costs more
    # than any score earns, so every layout builds exactly 100.
    #   H = 0:   A 98 + C characteristic 2 (B, next to A, holds nothing: balance 5) → advantage 0.98
    #   H = 0.5: A 96 + B characteristic 2 + C characteristic 2 (balance met) → 0.96 + 0.016 = 0.976
    #            (a full pair, H = 1, e.g. A 88 + B provincial 10 + C 2, gives only 0.96)
    # Front objective (−advantage + balance + 10⁻³ H): H = 0 costs 5 − 0.98, H = 0.5 costs −0.976 + 0.0005 → the anchor
    # at the best advantage has H = 0.5; points = 3 → ε = 0, 0.25, 0.5. The ε = 0.5 point is worse on both axes: it
    # buys balance, not advantage, so the front is the single point (0, 0.98).
    # The scenario as given (alpha 1): H = 0 costs −0.98 + 5, H = 0.5 costs 0.5 − 0.976 → e002's layout.
    file = write_scenario(
        squares, {"industries": {"T": industry(max_share=1.0)}, "limits": {"min_clusters": 1, "budget": None}}
    )
    result = CliRunner().invoke(
        app, ["pareto", str(file), "--points", "3", "--workers", "1", "-q", "--out", str(squares / "front")]
    )
    assert result.exit_code == 0, result.stderr
    table = pd.read_csv(squares / "front" / "pareto.csv")
    assert table["point"].tolist() == ["e000", "e001", "e002", "default"]
    assert table["epsilon"].tolist()[:3] == pytest.approx([0, 0.25, 0.5])
    assert table["homogeneity"].tolist() == pytest.approx([0, 0, 0.5, 0.5])
    assert table["advantage"].tolist() == pytest.approx([0.98, 0.98, 0.976, 0.976], abs=1e-6)
    assert table["on_front"].tolist() == [True, True, False, False]
    assert table["same_layout_as"].fillna("").tolist() == ["", "e000", "", "e002"]
    got = pd.read_csv(squares / "front" / "points" / "e002" / "assignment.csv")
    assert {(r.region_code, r.tier, round(r.capacity, 6)) for r in got.itertuples()} == {
        ("A", "provincial", 96.0),
        ("B", "characteristic", 2.0),
        ("C", "characteristic", 2.0),
    }
    note = (
        "the criteria do not conflict on this scenario: the front is a single point (homogeneity H = 0, "
        "advantage = 0.98); e002 adds duplications only to meet rules priced by penalty (balance, shortfall), "
        "at no gain in advantage"
    )
    assert note in " ".join(result.stdout.split())
    page = (squares / "front" / "pareto.html").read_text(encoding="utf-8")
    assert note[0].upper() + note[1:] + "." in page
    # not drawn as a front: no staircase on the page
    assert "<polyline" not in page

    # without the balance rule nothing asks for a duplication: A 100 alone has the best advantage (1) at H = 0, so
    # H_lo = H_hi = 0: one ε, one layout
    one = write_scenario(squares, {"industries": {"T": industry(max_share=1.0)}}, name="one.yaml")
    table = pareto(one, squares / "one", points=3, workers=1, progress=False)
    assert table["epsilon"].tolist()[:1] == [0] and table["point"].tolist() == ["e000", "default"]
    assert table.attrs["note"] == (
        "the criteria do not conflict on this scenario: every point is the same layout "
        "(homogeneity H = 0, advantage = 1)"
    )
    assert table["same_layout_as"].tolist() == ["", "e000"]


def test_the_upper_anchor_is_the_models_own_duplication_count(tmp_path):
    # B – A – C in a row (B, C not adjacent); group G = {A, B}; an inter-provincial member may hold nothing (min_member
    # 0). s: A 1, B 10, C 9 → scores 0, 1, 0.889. T: target 100, at most 60 per region, at most 1 provincial cluster.
    # The best advantage: G's cluster with B 60 and A 0, C provincial 40 → 0.6 + 0.355556 = 0.955556. The model
    # counts A–C as a duplication (A is designated through G: u_A_C_T = 1, H = 1), the layout does not (A holds
    # nothing). With the layout's count as the upper anchor the ε range was [0, 0]: one point, at which the best
    # advantage is G with B 60 and A 40 (0.6). With the model's count: ε = 0, 0.5, 1:
    #   ε = 0:   B 60 + A 40 in G                                  → 0.6,      H 0
    #   ε = 0.5: B 60 + A 32 in G, C characteristic 8 (A–C: kappa)  → 0.671111, H 0.5
    #   ε = 1:   B 60 + A 0 in G, C provincial 40                   → 0.955556, H 0 as the layout counts it
    from layout.batch.pareto import criteria, model_homogeneity, solve_front_model
    from layout.pipeline import prepare
    from layout.results.layouts import solution_layout

    write_regions(tmp_path, {"B": (-1, 0), "A": (0, 0), "C": (1, 0)}, {"A": {"s": 1}, "B": {"s": 10}, "C": {"s": 9}})
    file = write_scenario(
        tmp_path,
        {
            "industries": {
                "T": industry(
                    max_share=0.6,
                    provincial_clusters={"min": 0, "max": 1},
                    interprovincial={"min_total": 30, "min_member": 0, "max_clusters": 1},
                )
            },
            "groups": {"G": {"members": ["A", "B"]}},
        },
    )
    _, _, inst = prepare(file)
    m, _, _ = solve_front_model(inst, "advantage", None, "front", "highs", None, 0.0)
    assert model_homogeneity(m) == 1 and criteria(solution_layout(m), inst)["homogeneity"] == 0

    table = pareto(file, tmp_path / "front", points=3, workers=1, progress=False)
    eps = table[table["point"] != "default"]
    assert eps["epsilon"].tolist() == pytest.approx([0, 0.5, 1])
    assert eps["advantage"].tolist() == pytest.approx([0.6, 0.671111, 0.955556], abs=1e-6)
    assert eps["homogeneity"].tolist() == pytest.approx([0, 0.5, 0])
    got = pd.read_csv(tmp_path / "front" / "points" / "e002" / "assignment.csv")
    assert {(r.region_code, r.tier, round(r.capacity, 6)) for r in got.itertuples() if r.capacity > 0} == {
        ("B", "inter-provincial", 60.0),
        ("C", "provincial", 40.0),
    }


def test_the_default_front_is_homogeneity_against_advantage(monkeypatch):
    """`layout pareto` with no options asks for homogeneity vs advantage (the pair that conflicts on the default
    scenario; docs/sweeps.md), as do layout.api.pareto and layout.batch.pareto.pareto; nothing is solved here."""
    import layout.api

    calls, real = [], layout.api.pareto

    def fake(file, out, **kw):
        calls.append(kw)
        table = pd.DataFrame({"point": ["e000"], "status": ["optimal"]})
        table.attrs["note"] = "the front has 7 distinct points"
        return table

    monkeypatch.setattr(layout.api, "pareto", fake)
    result = CliRunner().invoke(app, ["pareto", "-q"])
    assert result.exit_code == 0, result.stderr
    assert calls[0]["between"] == ("homogeneity", "advantage") and calls[0]["points"] == 7
    assert "the front has 7 distinct points" in result.stdout
    for function in (real, pareto):
        assert inspect.signature(function).parameters["between"].default == ("homogeneity", "advantage")
