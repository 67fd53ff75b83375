"""Least-change re-planning on tiny squares, with answers computed by hand.

Squares A and B share an edge, C stands apart (`squares`). One industry T, target 20, a region may host all of it
(max_share 1), a provincial cluster holds at least 10, a characteristic one 2 to 8. No comparative advantage, no
balance, no budgets: without a reference every layout with one cluster of 20 and no duplication costs 0. Two
clusters in A and B duplicate: weight 1 (alpha) if both are provincial, kappa = 0.5 if one is characteristic.

The reference is a results folder (`ref`, beside the constraint file) whose assignment.csv is written by hand; the
objective reported leaves out the constant rho_rem |R| (docs/model.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.errors import InputError
from layout.pipeline import prepare, solve_scenario
from tests.squares import industry, write_scenario

T = {"T": industry(target=20, max_share=1.0)}
NO_ADVANTAGE = {"advantage": 0.0, "balance": 0.0}


@pytest.fixture
def reference(squares: Path) -> Path:
    """A results folder `ref` of the squares (a real solve), whose assignment.csv the tests rewrite."""
    solve_scenario(write_scenario(squares, {"industries": T}, "made.yaml"), squares / "ref")
    return squares / "ref"


def hold(folder: Path, rows: list[tuple[str, float]]) -> None:
    """The reference's assignment.csv: T in each (region, capacity), provincial."""
    lines = ["region_code,region_name,industry,industry_name,capacity,tier,kind,group,group_name"]
    lines += [f"{r},Region {r},T,Test industry,{x},provincial,innovation,," for r, x in rows]
    (folder / "assignment.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def solved(squares: Path, reference: dict, **objective: float) -> tuple[float, dict, set[tuple[str, str]]]:
    """The objective, metrics.json's `changes` and the designations (region, tier) of the scenario with `reference`."""
    path = write_scenario(
        squares,
        {"industries": T, "objective": {**NO_ADVANTAGE, **objective}, "reference": {"layout": "ref", **reference}},
    )
    run = solve_scenario(path, None)
    assert run.result.status == "optimal"
    return run.result.objective, run.metrics["changes"], set(zip(run.layout["region_code"], run.layout["tier"]))


def counts(changes: dict) -> tuple[int, int, int, int]:
    return changes["kept"], changes["added"], changes["removed"], changes["changes"]


@pytest.mark.parametrize("held", ["B", "C"])
def test_among_equal_optima_the_one_with_fewest_changes(squares, reference, held):
    # Every single cluster of 20 costs 0 without a reference; against R = {held} keeping it costs nothing, any other
    # layout at least 2 changes (one removed, one added): 0.01 × 2 > 0, so the reference's region is chosen.
    hold(reference, [(held, 20.0)])
    objective, changes, designated = solved(squares, {"added": 0.01, "removed": 0.01})
    assert designated == {(held, "provincial")}
    assert objective == pytest.approx(-0.01)  # - rho_rem × 1 kept (the constant rho_rem |R| = 0.01 left out)
    assert counts(changes) == (1, 0, 0, 0)
    assert changes["by_region"] == [{"code": held, "name": f"Region {held}", "kept": ["T"], "added": [], "removed": []}]


@pytest.mark.parametrize(("weight", "kept"), [(0.4, 1), (0.6, 2)])
def test_the_weight_trades_changes_against_duplications(squares, reference, weight, kept):
    # R = {A, B}: both neighbours hold T, a duplication. Keeping both costs kappa × alpha = 0.5 (one of them becomes a
    # characteristic cluster of at most 8, the other provincial 12 to 20); giving one up costs rho. By hand: the
    # objective is -2 rho + 0.5 keeping both, -rho giving one up; keep both iff rho > 0.5.
    # rho = 0.4: give one up (-0.4 < -0.3); rho = 0.6: keep both (-0.7 < -0.6).
    hold(reference, [("A", 10.0), ("B", 10.0)])
    objective, changes, designated = solved(squares, {"added": weight, "removed": weight})
    assert counts(changes) == (kept, 0, 2 - kept, 2 - kept)
    if kept == 2:
        assert sorted(t for _, t in designated) == ["characteristic", "provincial"]
        assert objective == pytest.approx(-2 * weight + 0.5)
    else:
        assert len(designated) == 1 and designated <= {("A", "provincial"), ("B", "provincial")}
        assert objective == pytest.approx(-weight)


@pytest.mark.parametrize(("limit", "expected"), [(0, (2, 0, 0, 0)), (1, (1, 0, 1, 1))])
def test_max_changes_is_a_hard_limit(squares, reference, limit, expected):
    # Changes weigh nothing: alone, the model gives up A or B (no duplication, objective 0). max_changes 0 keeps both
    # (the cheaper duplication, 0.5, with a characteristic cluster); 1 allows the one change that ends it.
    hold(reference, [("A", 10.0), ("B", 10.0)])
    objective, changes, _ = solved(squares, {"added": 0, "removed": 0, "max_changes": limit})
    assert counts(changes) == expected
    assert changes["max_changes"] == limit
    assert objective == pytest.approx(0.5 if limit == 0 else 0.0)


def test_capacity_moved_is_weighed_as_a_share_of_target(squares, reference):
    # R = {A with 20}: keeping A at 20 moves nothing. Weights on designations 0, moved 1: any other layout moves 20 out
    # of A and 20 into another region: 40 / 20 = 2 > 0.
    hold(reference, [("A", 20.0)])
    objective, changes, designated = solved(squares, {"added": 0, "removed": 0, "moved": 1})
    assert designated == {("A", "provincial")}
    assert changes["capacity_moved"] == 0.0
    assert objective == pytest.approx(0.0)


def test_the_summary_reports_kept_added_and_removed(squares, reference):
    hold(reference, [("A", 10.0), ("B", 10.0)])
    path = write_scenario(
        squares,
        {"industries": T, "objective": NO_ADVANTAGE, "reference": {"layout": "ref", "added": 0.4, "removed": 0.4}},
    )
    quiet = CliRunner().invoke(app, ["solve", str(path), "--out", str(squares / "out"), "-q"])
    assert quiet.exit_code == 0, quiet.output
    expected = "changes against the reference layout ref (3 regions): 1 designation kept, 0 added, 1 removed (1 change in 1 region)"
    assert expected in quiet.output
    full = CliRunner().invoke(app, ["solve", str(path), "--out", str(squares / "out"), "--force"])
    assert full.exit_code == 0, full.output
    lines = full.output.splitlines()
    at = lines.index(expected + ":")
    # the constant the objective leaves out, by hand: removed weight 0.4 × 2 designations of the reference = 0.8
    assert lines[at + 1] == (
        "  (the objective above leaves out the constant 0.8, removed weight × the reference's designations: add it "
        "for the weighted changes in full)"
    )
    kept = [ln for ln in lines[at + 2 : at + 4]]
    assert sorted(kept) == ["  Region A (A): gives up T", "  Region B (B): keeps T"] or sorted(kept) == [
        "  Region A (A): keeps T",
        "  Region B (B): gives up T",
    ]
    report = (squares / "out" / "report.html").read_text(encoding="utf-8")
    # capacity moved by hand: the reference holds A 10, B 10; the layout A 20 (10 moved in), B 0 (10 moved out)
    assert (
        f"<p>Changes {expected[len('changes ') :]}. Capacity moved: 20 capacity units, Σ |x − x_ref| over regions and "
        "industries (a unit moved from one region to another counts twice). The objective reported leaves out the "
        "constant 0.8 (removed weight × the reference's designations); add it for the weighted changes in full.</p>"
    ) in report
    rows = {f'<td>Region {r} <span class="muted">{r}</span></td>' for r in "AB"}
    assert sum(row + "<td>T</td><td></td><td></td>" in report for row in rows) == 1
    assert sum(row + "<td></td><td></td><td>T</td>" in report for row in rows) == 1


# ------------------------------------------------------------------------------------------------ bad references


def refused(path: Path) -> list[str]:
    with pytest.raises(InputError) as e:
        prepare(path)
    return [str(p) for p in e.value.problems]


def test_a_folder_that_is_not_a_results_folder(squares):
    (squares / "empty").mkdir()
    path = write_scenario(squares, {"industries": T, "reference": {"layout": "empty"}})
    [problem] = refused(path)
    line = path.read_text().splitlines().index("  layout: empty") + 1
    assert problem.startswith(f"{path}:{line}: reference.layout: expected `declared` or a results folder")
    assert "no metrics.json, assignment.csv there" in problem


def test_unknown_codes_name_the_line_of_assignment_csv(squares, reference):
    hold(reference, [("A", 10.0), ("Z", 10.0)])
    path = write_scenario(squares, {"industries": T, "reference": {"layout": "ref"}})
    line = path.read_text().splitlines().index("  layout: ref") + 1
    assert refused(path) == [
        f"{path}:{line}: reference.layout: expected a results folder of the scenario's regions; "
        f"found region 'Z' at {reference / 'assignment.csv'}:3"
    ]


def test_declared_needs_the_embedded_provinces_and_nbs_areas(squares):
    path = write_scenario(squares, {"industries": T, "reference": {"layout": "declared", "moved": 1}})
    text = path.read_text().splitlines()
    at = {key: text.index(f"  {key}: {value}") + 1 for key, value in (("layout", "declared"), ("moved", 1))}
    assert refused(path) == [
        f"{path}:{at['layout']}: reference.layout: expected `declared` only with the embedded provinces (plans are "
        "declared per province); found regions: files, resolution province",
        f"{path}:{at['layout']}: reference.layout: expected `declared` only where industries name their NBS 2018 area "
        "(industries.<code>.nbs_category); found no industry with nbs_category",
        f"{path}:{at['moved']}: reference.moved: expected 0 with `declared` (declared plans state no capacity); found 1",
    ]


def test_bad_references_exit_2(squares):
    path = write_scenario(squares, {"industries": T, "reference": {"layout": "nowhere"}})
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "reference.layout" in result.output
