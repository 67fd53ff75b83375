"""A reference layout (least-change re-planning) in batch runs and as an input: its folder path relative to the
constraint file survives the fully resolved scenario of sweeps and Pareto points, the folder is never replaced by the
run that reads it, and its rows are read as `layout solve` writes them (review of issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.batch.sweep import resolved_document
from layout.cli import app
from layout.errors import InputError
from layout.pipeline import prepare, solve_scenario
from layout.spec.load import load, load_dict
from tests.squares import industry, write_scenario

T = {"T": industry(target=20, max_share=1.0)}
runner = CliRunner()


@pytest.fixture
def with_reference(squares: Path) -> Path:
    """A results folder `ref` beside a constraint file that names it by a relative path."""
    solve_scenario(write_scenario(squares, {"industries": T}, "made.yaml"), squares / "ref")
    return write_scenario(squares, {"industries": T, "reference": {"layout": "ref"}}, "withref.yaml")


def test_the_resolved_scenario_names_the_reference_folder_absolutely(with_reference: Path) -> None:
    doc = resolved_document(load(with_reference))
    assert doc["reference"]["layout"] == str((with_reference.parent / "ref").resolve())
    declared = resolved_document(load_dict({"extends": "default", "name": "d", "reference": {"layout": "declared"}}))
    assert declared["reference"]["layout"] == "declared"  # a word, not a path


def test_a_sweep_with_a_relative_reference_solves_its_points(with_reference: Path, tmp_path: Path) -> None:
    doc = with_reference.read_text(encoding="utf-8") + "sweep:\n  parameters:\n    reference.removed: [0.5, 2]\n"
    with_reference.write_text(doc, encoding="utf-8")
    out = tmp_path / "sweep"
    result = runner.invoke(app, ["sweep", str(with_reference), "--out", str(out), "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    table = (out / "sweep.csv").read_text(encoding="utf-8")
    assert table.count(",optimal,") == 2, table


def test_a_pareto_front_with_a_relative_reference_solves_its_points(with_reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "front"
    result = runner.invoke(app, ["pareto", str(with_reference), "--out", str(out), "--points", "2", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "no point of the front was solved" not in result.output
    assert json.loads((out / "points" / "e000" / "metrics.json").read_text(encoding="utf-8"))["solver"]["status"] == (
        "optimal"
    )


def test_the_reference_folder_is_never_replaced_by_the_run_that_reads_it(with_reference: Path) -> None:
    ref = with_reference.parent / "ref"
    before = {p.name: p.read_bytes() for p in ref.iterdir() if p.is_file()}
    result = runner.invoke(app, ["solve", str(with_reference), "--out", str(ref), "--force", "-q"])
    assert result.exit_code == 2, result.output
    assert {p.name: p.read_bytes() for p in ref.iterdir() if p.is_file()} == before


def test_rows_holding_nothing_designate_nothing_and_a_negative_capacity_is_refused(with_reference: Path) -> None:
    ref = with_reference.parent / "ref"
    header = "region_code,region_name,industry,industry_name,capacity,tier,kind,group,group_name"
    rows = [
        "A,Region A,T,Test industry,20,provincial,innovation,,",
        "B,Region B,T,Test industry,0,provincial,innovation,,",
    ]
    (ref / "assignment.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    assert prepare(with_reference)[2].reference.designated == frozenset({("A", "T")})
    rows[1] = "B,Region B,T,Test industry,-5,provincial,innovation,,"
    (ref / "assignment.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        prepare(with_reference)
    assert "capacity -5.0 at" in str(e.value) and "assignment.csv:3" in str(e.value)


def test_batch_points_keep_the_time_limit_of_the_resolution() -> None:
    spec = load_dict({"extends": "default", "name": "p", "regions": {"resolution": "prefecture"}})
    assert resolved_document(spec)["solver"]["time_limit"] == 900
    assert resolved_document(load(None))["solver"]["time_limit"] == 120
