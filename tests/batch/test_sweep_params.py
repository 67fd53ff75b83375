"""Sweep parameters are checked against the scenario before any point runs: a path naming a region, an
industry or an indicator the scenario does not have is exit 2 at the sweep file's line and key, nothing written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from layout.cli import app
from tests.squares import write_regions

runner = CliRunner()

HEAD = """\
name: tiny
regions: {source: files, boundaries: squares.geojson, indicators: indicators.csv}
limits: {min_clusters: 0, budget: null}
industries:
  T: {name: T, kind: innovation, target: 100, weights: {s: 1}, max_share: 0.5}
sweep:
  parameters:
    objective.homogeneity: [0, 1]
"""

# (case, the swept path on line 9, words of the message)
CASES = [
    (
        "a region's limit",
        "limits.regions.ZZ.max_clusters",
        "expected a modelled region code (at limits.regions.ZZ); found 'ZZ'",
    ),
    (
        "a region's base capacity",
        "industries.T.base_capacity.ZZ",
        "expected a modelled region code (at industries.T.base_capacity.ZZ); found 'ZZ'",
    ),
    (
        "an indicator weight",
        "industries.T.weights.nope",
        "expected an indicator of indicators.csv (s) (at industries.T.weights.nope); found 'nope'",
    ),
    ("an industry", "industries.NOPE.target", "expected an existing entry of industries (T)"),
]


@pytest.fixture
def squares(tmp_path):
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    return tmp_path


@pytest.mark.parametrize("case,path,words", CASES, ids=[c[0] for c in CASES])
def test_a_sweep_naming_what_the_scenario_lacks_is_refused_before_any_point(squares, case, path, words):
    file = squares / "sweep.yaml"
    file.write_text(HEAD + f"    {path}: [1, 2]\n", encoding="utf-8")
    result = runner.invoke(app, ["sweep", str(file), "--out", str(squares / "out"), "--workers", "1", "-q"])
    assert result.exit_code == 2, result.output
    assert f"{file}:9: sweep.parameters.{path}: {words}" in result.stderr
    assert "Traceback" not in result.output
    assert not (squares / "out").exists()
