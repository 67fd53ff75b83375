"""A target not met is never silent (issue 15): `layout solve` says so on the summary's first line, names the rules
that hold it back and exits 5; metrics.json, the report and the map say the same."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from layout.cli import TARGETS_MISSED, app
from tests.squares import industry, write_scenario


def _solve(folder: Path, body: dict, *args: str):
    path = write_scenario(folder, body)
    return CliRunner().invoke(app, ["solve", str(path), "--out", str(folder / "out"), *args])


def test_exit_code_is_documented() -> None:
    assert TARGETS_MISSED == 5
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert "`5` solved and written, but a target is not met" in readme


def test_a_rule_that_holds_a_target_back_is_named(squares: Path) -> None:
    """Three regions, each hosting at most 30 % of a target of 100: 90 is built (30 each, by hand), and the conflict
    with the target required in full is the three regions' hosting limits (30 each)."""
    result = _solve(squares, {"industries": {"T": industry(max_share=0.3)}})
    assert result.exit_code == 5, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "targets not met: T 90 of 100 built"
    start = lines.index("held back by:")
    held = lines[start + 1 :]
    for name in ("Region A", "Region B", "Region C"):
        assert any(
            line.startswith(f"  - hosting: {name} may hold Test industry only inside a cluster") and "30 in a" in line
            for line in held
        ), result.output
    metrics = json.loads((squares / "out" / "metrics.json").read_text(encoding="utf-8"))
    missed = metrics["targets_missed"]
    assert missed["found_by"] == "conflict"
    assert missed["industries"] == [
        {
            "industry": "T",
            "name": "Test industry",
            "built": 90.0,
            "target": 100,
            "shortfall": 10.0,
            "text": "T: 90 of 100 built (Test industry)",
        }
    ]
    assert missed["held_back_by"] == [line.strip() for line in held[: len(missed["held_back_by"])]]
    report = (squares / "out" / "report.html").read_text(encoding="utf-8")
    assert '<div class="missed"><p><b>targets not met: T 90 of 100 built</b></p><p>Held back by:</p>' in report
    # the conflict's sentence, then its constraints as a list (no "- " left in the page)
    assert "found (5, families: hosting, tiers):</p><ul><li>hosting: Region A may hold" in report
    assert "<li>- " not in report
    assert report.index("targets not met") < report.index("Scenario file")  # the summary's first line
    page = (squares / "out" / "map.html").read_text(encoding="utf-8")
    # first in the optimised map's header (a narrow panel cuts the end), and whole in its tooltip
    assert '<span class="sep">· </span><b>targets not met: T 90 of 100 built</b> · tiny · ' in page
    assert '<div data-map="optimised" title="targets not met: T 90 of 100 built · tiny · ' in page


def test_a_shortfall_cheaper_than_building_says_so(squares: Path) -> None:
    """A and B are neighbours, C may host nothing; half the target per region. Building the second 50 in B costs a
    duplication (homogeneity 1) against a shortfall penalty of 0.001 × 50/100: the layout builds 50 in A. The target
    can be met, so the reason is the penalty, not a rule."""
    body = {
        "industries": {"T": industry(max_share=0.5)},
        "limits": {"min_clusters": 0, "budget": None, "regions": {"C": {"industries": []}}},
        "objective": {"homogeneity": 1.0, "shortfall": 0.001, "advantage": 0.0, "balance": 0.0},
    }
    result = _solve(squares, body, "-q")
    assert result.exit_code == 5, result.output
    lines = result.output.splitlines()
    assert lines[0] == "targets not met: T 50 of 100 built"
    assert lines[2] == "held back by:"
    assert lines[3].startswith("  the targets can be met under the scenario's rules, but meeting them costs more")
    assert "objective.shortfall = 0.001" in lines[3]
    metrics = json.loads((squares / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["targets_missed"]["found_by"] == "cost"


def test_targets_met_exit_0_and_no_record(squares: Path) -> None:
    result = _solve(squares, {"industries": {"T": industry(max_share=0.5)}}, "-q")
    assert result.exit_code == 0, result.output
    assert not result.output.startswith("targets not met")
    metrics = json.loads((squares / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["targets_missed"] is None


def test_the_library_says_it_too(squares: Path) -> None:
    import layout

    path = write_scenario(squares, {"industries": {"T": industry(max_share=0.3)}})
    result = layout.solve(path)
    assert result.targets_missed is not None
    assert [m["built"] for m in result.targets_missed["industries"]] == [90.0]
    met = layout.solve(write_scenario(squares, {"industries": {"T": industry(max_share=0.5)}}, name="met.yaml"))
    assert met.targets_missed is None


def test_a_layout_stopped_early_blames_the_limit(squares: Path) -> None:
    """The same scenario, taken as a layout not proved optimal: the targets can be met, so the reason said is the
    solver's stop, not the penalty."""
    import layout
    from layout.analysis.shortfall import targets_missed

    body = {
        "industries": {"T": industry(max_share=0.5)},
        "limits": {"min_clusters": 0, "budget": None, "regions": {"C": {"industries": []}}},
        "objective": {"homogeneity": 1.0, "shortfall": 0.001, "advantage": 0.0, "balance": 0.0},
    }
    run = layout.solve(write_scenario(squares, body)).run
    missed = targets_missed(run.model, "highs", proved=False)
    assert missed is not None and missed["found_by"] == "limit"
    assert "stopped (time limit or gap) before it found a layout that meets them" in missed["held_back_by"][0]
