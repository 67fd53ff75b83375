"""Near-optimal alternatives (layout.batch.alternatives) on tiny square regions, answers computed by hand.

Defaults (tests/squares.py): provincial clusters hold >= 10, characteristic ones 2 to 8, objective weights homogeneity 1, overcapacity 2,
advantage 1, shortfall 1000; min_clusters 0, no budget, gap 0. Squares stand apart (no neighbours) unless said.
A region's score for an industry is its min-max normalised indicator (the best region 1, the least 0). The objective is
-sum score x / D + penalties, so a layout meeting its targets with the best regions has a negative objective.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from layout.batch.alternatives import alternatives, objective_limit, weights
from layout.cli import app
from layout.pipeline import solve_scenario
from tests.model.test_reference import NO_ADVANTAGE, T, hold
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()
FOUND = ("optimal", "feasible")


@pytest.fixture
def twins(tmp_path):
    """A and B equally good for T (s 10 each), C the only region for U (u 10), no neighbours; one region may hold all
    of a target (max_share 1). The optimum: all of T in A or in B (100 each), all of U in C; objective
    -(100/100) - (100/100) = -2. Splitting T between A and B is as good, but differs from a one-region optimum in
    one designation only; the other one-region layout differs in two (A for T dropped, B for T added)."""
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (3, 0), "C": (6, 0)},
        {"A": {"s": 10, "u": 0}, "B": {"s": 10, "u": 0}, "C": {"s": 0, "u": 10}},
    )
    return write_scenario(
        tmp_path,
        {
            "industries": {
                "T": industry(max_share=1.0),
                "U": industry(name="U & <b>co</b>", weights={"u": 1.0}, max_share=1.0),
            }
        },
    )


def test_two_equally_good_layouts_are_both_returned_and_the_shared_designation_is_must_have(twins, tmp_path):
    table = alternatives(twins, tmp_path / "alt", slack=0.0, count=1, workers=1, progress=False)
    metrics = table.attrs["metrics"].set_index("layout")
    assert list(metrics.index) == ["optimum", "a01"]
    assert metrics["status"].tolist() == ["optimal", "optimal"]
    assert metrics["objective"].tolist() == pytest.approx([-2.0, -2.0], abs=1e-9)
    assert metrics.loc["a01", "differ_from_optimum"] == 2 and metrics.loc["a01", "objective_vs_optimum_pct"] == 0
    opt = pd.read_csv(tmp_path / "alt" / "optimum" / "assignment.csv")
    alt = pd.read_csv(tmp_path / "alt" / "alternatives" / "a01" / "assignment.csv")
    t_opt, t_alt = set(opt[opt.industry == "T"].region_code), set(alt[alt.industry == "T"].region_code)
    assert {frozenset(t_opt), frozenset(t_alt)} == {frozenset("A"), frozenset("B")}  # both equally good layouts
    assert alt.set_index(["region_code", "industry"])["capacity"].to_dict() == pytest.approx(
        {(t_alt.pop(), "T"): 100.0, ("C", "U"): 100.0}
    )

    shares = {(r["region_code"], r["industry"]): r for r in table.to_dict("records")}
    assert set(shares) == {("A", "T"), ("B", "T"), ("C", "U")}
    cu = shares["C", "U"]
    assert (cu["layouts_designated"], cu["layouts"], cu["alternatives_designated"], cu["class"]) == (
        2,
        2,
        1,
        "must-have",
    )
    for r in ("A", "B"):  # each in one of the two layouts: half, so "frequent"
        assert (shares[r, "T"]["layouts_designated"], shares[r, "T"]["share_designated"]) == (1, 0.5)
    assert table["class"].tolist() == ["must-have", "frequent", "frequent"]
    (optimum_region,) = set(opt[opt.industry == "T"].region_code)
    assert (shares[optimum_region, "T"]["tier_in_optimum"], shares[optimum_region, "T"]["in_optimum"]) == (
        "provincial",
        True,
    )

    # the files: the tables as returned, each layout an ordinary results folder, the map and the page self-contained
    out = tmp_path / "alt"
    on_disk = pd.read_csv(out / "alternatives.csv", keep_default_na=False)
    assert on_disk["class"].tolist() == table["class"].tolist()
    assert pd.read_csv(out / "alternatives_metrics.csv")["layout"].tolist() == ["optimum", "a01"]
    for folder in (out / "optimum", out / "alternatives" / "a01"):
        assert {"assignment.csv", "metrics.json", "map.html", "report.html", "manifest.json"} <= {
            f.name for f in folder.iterdir()
        }
    assert not (out / "alternatives" / "a01" / "layout.gpkg").exists()  # a point of a batch: no GeoPackage
    record = json.loads((out / "alternatives" / "a01" / "metrics.json").read_text(encoding="utf-8"))["alternative"]
    assert (record["objective_limit"], record["differing_designations"]) == (-2.0, 2)
    for page, name in (
        ("alternatives.html", "U &amp; &lt;b&gt;co&lt;/b&gt;"),
        ("alternatives_map.html", r"U \u0026amp; \u0026lt;b\u0026gt;co\u0026lt;/b\u0026gt;"),  # escaped, in JSON
    ):
        text = (out / page).read_text(encoding="utf-8")
        assert name in text and "<b>co</b>" not in text  # the industry's name is data, never markup
    assert "http" not in (out / "alternatives.html").read_text(encoding="utf-8")  # self-contained, links relative
    assert "must-have: 1 of 3 designations are in every layout" in table.attrs["summary"]


def test_no_alternative_exceeds_the_slack(tmp_path):
    # T (target 100, at most 50 per region): scores A 1, B 0.8, C 0.5, D 0, all apart. Building beyond the target
    # costs more than any score earns, so every layout builds exactly 100 and f is -(sum score x)/100.
    # Optimum A 50 + B 50: -0.9. Slack 0.1: the limit is -0.81, i.e. sum score x >= 81.
    #   drop A: B 50 + C 50 scores 65; drop B: A 50 + C 50 scores 75      → beyond the slack
    #   keep A 50, add C and D (2 differences, the most): with b = 50 - c - d, 90 - 0.3 c - 0.8 d >= 81, within
    #   the slack for small clusters: characteristic ones of c = d = 2 score 87.8 (provincial ones, >= 10, 79)
    # Every alternative, whatever its positive weights, adds C and D; a01 (weights 1) breaks the tie by the
    # objective, and its capacities are re-optimised: A 50, B 46, C 2, D 2, objective -0.878.
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (3, 0), "C": (6, 0), "D": (9, 0)},
        {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 5}, "D": {"s": 0}},
    )
    file = write_scenario(tmp_path, {"industries": {"T": industry(max_share=0.5)}})
    slack = 0.1
    table = alternatives(file, tmp_path / "alt", slack=slack, count=3, workers=1, progress=False)
    metrics = table.attrs["metrics"].set_index("layout")
    optimum = metrics.loc["optimum", "objective"]
    assert optimum == pytest.approx(-0.9, abs=1e-9)
    assert objective_limit(optimum, slack) == pytest.approx(-0.81)
    assert metrics["status"].isin(FOUND).all()
    for objective in metrics["objective"]:
        assert objective <= optimum + slack * abs(optimum) + 1e-6
    for aid in ("a01", "a02", "a03"):
        got = pd.read_csv(tmp_path / "alt" / "alternatives" / aid / "assignment.csv")
        assert set(got.region_code) == {"A", "B", "C", "D"} and metrics.loc[aid, "differ_from_optimum"] == 2
    got = pd.read_csv(tmp_path / "alt" / "alternatives" / "a01" / "assignment.csv").set_index("region_code")
    assert got["capacity"].to_dict() == pytest.approx({"A": 50.0, "B": 46.0, "C": 2.0, "D": 2.0})
    assert got["tier"].to_dict() == {"A": "provincial", "B": "provincial", "C": "characteristic", "D": "characteristic"}
    assert metrics.loc["a01", "objective"] == pytest.approx(-0.878)
    assert metrics.loc["a01", "objective_vs_optimum_pct"] == pytest.approx(100 * 0.022 / 0.9, abs=1e-4)
    classes = table.set_index("region_code")["class"].to_dict()
    assert classes == {"A": "must-have", "B": "must-have", "C": "frequent", "D": "frequent"}  # 4 of 4, 3 of 4


def test_a_negative_optimum_gets_a_slack_relative_to_its_absolute_value(tmp_path):
    # T (target 100, one region may hold it all, 10 at least): scores A 1, B 0.6, C 0. Optimum: A 100, objective -1.
    # Slack 0.5: the limit is -1 + 0.5 |-1| = -0.5 (f* (1 + slack) = -1.5 would admit no layout), so sum score x
    # >= 50. Most differences from {A}: drop A, add B and C (3): 0.6 b >= 50 with c = 100 - b; the capacities
    # re-optimised: C a characteristic cluster of its least 2, B 98, scoring 58.8: objective -0.588, 41.2 % of
    # |optimum| worse. ({A, B, C} differs in 2 only.)
    write_regions(tmp_path, {"A": (0, 0), "B": (3, 0), "C": (6, 0)}, {"A": {"s": 10}, "B": {"s": 6}, "C": {"s": 0}})
    file = write_scenario(tmp_path, {"industries": {"T": industry(max_share=1.0)}})
    table = alternatives(file, tmp_path / "alt", slack=0.5, count=1, workers=1, progress=False)
    metrics = table.attrs["metrics"].set_index("layout")
    assert metrics.loc["optimum", "objective"] == pytest.approx(-1.0)
    assert metrics.loc["a01", "objective"] == pytest.approx(-0.588)
    assert metrics.loc["a01", "objective_vs_optimum_pct"] == pytest.approx(41.2)
    assert metrics.loc["a01", "differ_from_optimum"] == 3
    got = pd.read_csv(tmp_path / "alt" / "alternatives" / "a01" / "assignment.csv")
    assert got.set_index("region_code")["capacity"].to_dict() == pytest.approx({"B": 98.0, "C": 2.0})
    assert table.set_index("region_code")["class"].to_dict() == {"A": "frequent", "B": "frequent", "C": "frequent"}
    # a zero optimum takes the slack as an absolute allowance, in objective units
    assert objective_limit(0.0, 0.05) == 0.05 and objective_limit(-2.0, 0.05) == pytest.approx(-1.9)


@pytest.mark.parametrize(("slack", "differ", "objective"), [(0.16, 0, 0.5), (0.2, 1, 0.6)])
def test_the_slack_is_on_the_full_objective_with_a_reference_layout(squares, slack, differ, objective):
    # The squares of tests/model/test_reference.py: A and B neighbours, C apart; T target 20, no advantage. Reference
    # R = {A, B}, each change weighs 0.6. Keeping both costs one duplication with a characteristic cluster (0.5):
    # the optimum, full objective 0.5; the model's objective leaves out rho_rem |R| = 1.2 (-0.7). Giving one up costs
    # 0.6 (1 difference); anything more costs 1.1 or more. The full limit is 0.5 + 0.5 slack: 0.58 at 0.16 admits only
    # the optimum's designations, 0.6 at 0.2 the layout giving one up (+20 %). On the shifted objective the limit
    # would be -0.7 + 0.7 slack (-0.588 at 0.16: giving one up, -0.6, would pass).
    solve_scenario(write_scenario(squares, {"industries": T}, "made.yaml"), squares / "ref")
    hold(squares / "ref", [("A", 10.0), ("B", 10.0)])
    file = write_scenario(
        squares,
        {"industries": T, "objective": NO_ADVANTAGE, "reference": {"layout": "ref", "added": 0.6, "removed": 0.6}},
    )
    table = alternatives(file, squares / "alt", slack=slack, count=1, workers=1, progress=False)
    metrics = table.attrs["metrics"].set_index("layout")
    assert metrics["status"].tolist() == ["optimal", "optimal"]
    assert metrics.loc["optimum", "objective"] == pytest.approx(0.5)
    assert metrics.loc["a01", "objective"] == pytest.approx(objective)
    assert metrics.loc["a01", "objective_vs_optimum_pct"] == pytest.approx(100 * (objective - 0.5) / 0.5)
    assert metrics.loc["a01", "differ_from_optimum"] == differ
    record = json.loads((squares / "alt" / "alternatives" / "a01" / "metrics.json").read_text(encoding="utf-8"))
    got = record["alternative"]
    assert (got["optimum_objective"], got["objective_constant"]) == (pytest.approx(0.5), pytest.approx(1.2))
    assert (got["objective_limit"], got["objective"]) == (pytest.approx(0.5 + 0.5 * slack), pytest.approx(objective))
    assert record["solver"]["objective"] == pytest.approx(objective - 1.2)  # the solver's, as `layout solve` reports
    words = f"(0.5, at most {0.5 + 0.5 * slack:g})"
    assert words in table.attrs["summary"][0]
    if differ == 0:  # the alternative repeats the optimum, and says so
        assert metrics.loc["a01", "same_as"] == "optimum"
        assert metrics.loc["a01", "message"].startswith("repeats the optimum: the search (optimal) found no layout")


def test_repeated_alternatives_count_once_in_the_classes(twins, tmp_path):
    # twins at slack 0: every alternative, whatever its weights, moves T to the other region (2 differences; a split
    # differs in 1 only), so a01 … a03 are one layout: 2 distinct layouts. A and B for T are each in 1 of the 2
    # (frequent; counting every layout, the optimum's would be 1 of 4, negotiable, the other 3 of 4); C for U in both.
    table = alternatives(twins, tmp_path / "alt", slack=0.0, count=3, workers=1, progress=False)
    metrics = table.attrs["metrics"].set_index("layout")
    assert metrics["same_as"].tolist() == ["", "", "a01", "a01"]
    opt = pd.read_csv(tmp_path / "alt" / "optimum" / "assignment.csv")
    (mine,) = set(opt[opt.industry == "T"].region_code)
    (other,) = {"A", "B"} - {mine}
    shares = table.set_index(["region_code", "industry"])
    columns = ["layouts", "layouts_designated", "alternatives_designated", "share_designated", "class"]
    assert shares.loc[(mine, "T"), columns].tolist() == [2, 1, 0, 0.5, "frequent"]
    assert shares.loc[(other, "T"), columns].tolist() == [2, 1, 3, 0.5, "frequent"]
    assert shares.loc[("C", "U"), columns].tolist() == [2, 2, 3, 1.0, "must-have"]
    summary = table.attrs["summary"]
    assert summary[0].startswith("3 alternatives of 3 found") and "1 distinct from one another" in summary[0]
    assert summary[2] == "negotiable: 0 designations in fewer than half of the distinct layouts"
    page = (tmp_path / "alt" / "alternatives_map.html").read_text(encoding="utf-8")
    assert "2 of 2 distinct layouts solved" in page


def test_a_search_ending_a_hair_above_the_limit_is_solved_again_with_the_limit_hard(tmp_path):
    # T (target 100, one region may hold it all): A score 1, B 0, apart. Optimum A 100, objective -1. Adding B (a
    # characteristic cluster of its least 2: A 98, B 2) gives -0.98, 1 difference. Slack 0.0199: the limit is
    # -0.9801, 1e-4 below it. With the excess priced at 1000 x 2 (two designations weighed 1), that layout costs
    # 1e-4 - 1e-6 (the row's hair) times 2000 = 0.198 < 1 difference, so the search prefers it with e > 0; solved
    # again with e fixed at 0, only the optimum's designations remain: a01 repeats the optimum, objective -1.
    write_regions(tmp_path, {"A": (0, 0), "B": (3, 0)}, {"A": {"s": 10}, "B": {"s": 0}})
    file = write_scenario(tmp_path, {"industries": {"T": industry(max_share=1.0)}})
    table = alternatives(file, tmp_path / "alt", slack=0.0199, count=1, workers=1, progress=False)
    metrics = table.attrs["metrics"].set_index("layout")
    assert metrics.loc["a01", "status"] == "optimal"
    assert metrics.loc["a01", "objective"] == pytest.approx(-1.0)
    assert (metrics.loc["a01", "differ_from_optimum"], metrics.loc["a01", "same_as"]) == (0, "optimum")
    record = json.loads((tmp_path / "alt" / "alternatives" / "a01" / "metrics.json").read_text(encoding="utf-8"))
    message = record["solver"]["message"]
    assert "re-solved with the excess fixed at 0" in message and "above the limit" in message
    assert "time-limit" not in message


def test_weights_are_one_for_the_first_and_seeded_for_the_others():
    pairs = [("A", "T"), ("B", "T"), ("C", "T")]
    assert weights(pairs, 1, 0) == [1.0, 1.0, 1.0]
    assert weights(pairs, 2, 0) == weights(pairs, 2, 0) != weights(pairs, 3, 0)
    assert weights(pairs, 2, 0) != weights(pairs, 2, 1)
    assert all(0 <= w < 1 for w in weights(pairs, 5, 3))


def test_the_command_writes_the_folder_and_resumes(twins, tmp_path):
    out = tmp_path / "cli"
    args = ["alternatives", str(twins), "--slack", "0", "--count", "2", "--out", str(out), "--workers", "1", "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2 alternatives of 2 found within 0 % of the optimum's objective (-2, at most -2)")
    assert lines[1] == "must-have: 1 of 3 designations are in every layout"
    assert lines[-1].startswith(f"written to {out}/")
    for name in ("alternatives.csv", "alternatives_metrics.csv", "alternatives.html", "alternatives_map.html"):
        assert (out / name).is_file()
    assert (out / "alternatives" / "a02" / "metrics.json").is_file()
    again = runner.invoke(app, args)  # the same settings: nothing is solved again
    assert again.exit_code == 0, again.output
    other = runner.invoke(app, [*args[:3], "0.5", *args[4:]])  # other settings into the same folder: refused
    assert other.exit_code == 2 and "--force" in other.output


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--slack", "-0.1", "a relative slack >= 0"),
        ("--slack", "nan", "a relative slack >= 0"),
        ("--count", "0", "1 to 999 alternatives"),
        ("--count", "1000", "1 to 999 alternatives"),
    ],
)
def test_a_bad_slack_or_count_is_exit_2_with_a_message(twins, tmp_path, option, value, words):
    out = tmp_path / "bad"
    result = runner.invoke(app, ["alternatives", str(twins), option, value, "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2
    assert option in result.stderr and words in result.stderr and value in result.stderr
    assert not out.exists()


def test_the_summary_says_which_alternatives_a_limit_stopped(tmp_path):
    """An alternative whose search stopped at a limit (status feasible) is within the slack but not proved to differ
    the most: the summary names it and says how to allow more time."""
    import pandas as pd

    from layout.batch.alternatives import summary_lines

    metrics = pd.DataFrame(
        {
            "layout": ["optimum", "a01", "a02"],
            "status": ["optimal", "feasible", "optimal"],
            "same_as": ["", "", ""],
            "message": ["", "", ""],
        }
    )
    shares = pd.DataFrame({"class": ["must-have", "negotiable"], "region_name": ["A", "B"], "industry": ["T", "T"]})
    lines = summary_lines(shares, metrics, {"count": 2, "slack": 0.05, "optimum": 1.0, "limit": 1.05}, 1.0, tmp_path)
    assert (
        "stopped by a limit before proving it differs the most: a01 (within the slack all the same; allow more time "
        "with --time-limit)"
    ) in lines
