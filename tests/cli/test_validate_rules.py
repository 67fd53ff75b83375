"""Rule checks through the command line: a rule that holds only by building nothing is refused by `layout validate`
and `layout solve` alike (exit 2, file:line:key, nothing written); a futile rule is a warning (exit 0) that both print
with file:line and `layout solve` records in metrics.json (layout/model/rules.py)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from layout.api import solve, validate
from layout.cli import app
from layout.pipeline import prepare
from layout.results.folder import read_metrics
from tests.squares import write_regions

runner = CliRunner()

# Tibet is eligible for nothing under the default rules, yet must keep 10 % of NGIT (issue 15): before the check,
# `layout validate` said "valid" and `layout solve` exited 0 "optimal" with NGIT at 0 of 100.
TIBET = """extends: default
name: tibet strength
strengths:
  - region: "540000"
    industry: NGIT
    min_share: 0.1
"""

FUTILE = """name: futile allowance
regions: {source: files, boundaries: squares.geojson, indicators: indicators.csv, code_field: code, name_field: name}
kinds:
  innovation:
    eligibility: {conditions: [{indicator: rd, min: 1.0}]}
rules: {max_share: 0.5}
industries:
  A: {name: Alpha, kind: innovation, target: 100, weights: {s: 1}}
limits:
  min_clusters: 0
  budget: null
  regions:
    R3: {industries: [A]}
solver: {name: highs, gap: 0.0}
"""


def tibet_sentence() -> str:
    """The refusal's sentence, with the reason the shipped data give for Tibet failing the innovation rule."""
    _, _, inst = prepare(None)
    why = inst.why_ineligible["540000", "NGIT"]
    assert why.startswith("rd_intensity_2019 = ") and why.endswith(", rule >= 1")
    return (
        f"Tibet (540000) is not eligible for NGIT under the eligibility rule of kind innovation "
        f"(kinds.innovation.eligibility at default.yaml:{_line('kinds', 'innovation', 'eligibility')}): {why}; "
        "a share of national capacity there can only be kept by building no NGIT at all"
    )


def _line(*key: str) -> int | None:
    spec, _, _ = prepare(None)
    return spec.where(*key)[1]


def test_validate_refuses_a_strength_in_a_region_not_eligible(tmp_path):
    path = tmp_path / "tibet.yaml"
    path.write_text(TIBET, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:4: strengths.0: expected a strength in a region that may hold some of NGIT; found " in result.stderr
    assert tibet_sentence() in result.stderr
    assert "valid" not in result.stdout


def test_solve_refuses_it_too_and_writes_nothing(tmp_path):
    path = tmp_path / "tibet.yaml"
    path.write_text(TIBET, encoding="utf-8")
    result = runner.invoke(
        app, ["solve", str(path), "--out", str(tmp_path / "out"), "--diagnose-to", str(tmp_path / "why")]
    )
    assert result.exit_code == 2, result.output
    assert f"{path}:4: strengths.0:" in result.stderr and tibet_sentence() in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tibet.yaml"]


def futile(tmp_path):
    """Northland and Eastland pass rd >= 1 and hold 50 + 50 = 100 of Alpha; Southland is allowed Alpha but fails."""
    write_regions(
        tmp_path,
        {"R1": (0, 0), "R2": (2, 0), "R3": (4, 0)},
        {"R1": {"rd": 2.0, "s": 3}, "R2": {"rd": 1.5, "s": 2}, "R3": {"rd": 0.5, "s": 1}},
        names={"R1": "Northland", "R2": "Eastland", "R3": "Southland"},
    )
    path = tmp_path / "futile.yaml"
    path.write_text(FUTILE, encoding="utf-8")
    warning = (
        f"{path}:13: limits.regions.R3.industries.0: A is allowed here, but the allowance is futile: Southland (R3) is "
        "not eligible for A under the eligibility rule of kind innovation (kinds.innovation.eligibility at "
        "futile.yaml:5): rd = 0.5, rule >= 1"
    )
    return path, warning


def test_validate_prints_a_warning_with_file_and_line_and_exits_0(tmp_path):
    path, warning = futile(tmp_path)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: valid" in result.stdout
    assert f"warning: {warning}\n" in result.stdout


def test_solve_prints_the_warning_before_solving_and_records_it(tmp_path):
    path, warning = futile(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines.index(f"warning: {warning}") < min(k for k, s in enumerate(lines) if s.startswith("… solving"))
    assert read_metrics(out)["rule_warnings"] == [warning]
    # the Python API: `warn` gets the same sentence, and the result holds it
    said: list[str] = []
    assert solve(path, warn=said.append).metrics_json["rule_warnings"] == said == [warning]
    seen: list[str] = []
    validate(path, warn=seen.append)
    assert seen == [warning]


def test_a_folder_written_before_rule_warnings_still_reads(tmp_path):
    path, _ = futile(tmp_path)
    out = tmp_path / "out"
    assert runner.invoke(app, ["solve", str(path), "--out", str(out), "-q"]).exit_code == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    del metrics["rule_warnings"]
    (out / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    assert "rule_warnings" not in read_metrics(out)
