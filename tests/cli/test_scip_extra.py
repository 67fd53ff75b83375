"""`--solver scip` without the optional extra: bad input (exit 2) naming where SCIP was asked for and the command that
installs it, before any region is loaded, and nothing written."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from layout.cli import app

runner = CliRunner()
INSTALL = "pip install 'cluster-layout[scip]'"


@pytest.fixture
def no_scip(monkeypatch):
    """PySCIPOpt as if not installed (an import of it fails)."""
    monkeypatch.setitem(sys.modules, "pyscipopt", None)


def test_the_file_asking_for_scip_is_named_with_its_line(tmp_path, no_scip):
    scenario = tmp_path / "scip.yaml"
    scenario.write_text("extends: default\nsolver:\n  name: scip\n", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(out)])
    assert result.exit_code == 2, result.stderr
    assert (
        f"{scenario}:3: solver.name: expected PySCIPOpt, the optional extra 'scip' ({INSTALL}); found pyscipopt is not installed"
        in result.stderr
    )
    assert "building the model" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scip.yaml"]


def test_the_command_line_asking_for_scip_is_named(tmp_path, no_scip):
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", "--solver", "scip", "--out", str(out)])
    assert result.exit_code == 2, result.stderr
    assert f"command line: --solver: expected PySCIPOpt, the optional extra 'scip' ({INSTALL})" in result.stderr
    assert not out.exists()


def test_an_unknown_solver_is_bad_input(tmp_path):
    result = runner.invoke(app, ["solve", "--solver", "gurobi", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "command line: --solver: expected highs, cbc or scip; found 'gurobi'" in result.stderr
    assert list(tmp_path.iterdir()) == []
