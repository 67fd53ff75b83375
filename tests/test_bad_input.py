"""Every class of bad input exits 2 with file, line and key in the message, and writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()


def run_cli(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def base(tmp_path):
    """A valid tiny scenario on three squares; tests break one thing each."""
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    return tmp_path


def text_case(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
name: tiny
regions: {source: files, boundaries: squares.geojson, indicators: indicators.csv, code_field: code, name_field: name}
limits: {min_clusters: 0, budget: null}
industries:
  T:
    name: Test
    kind: innovation
    target: 100
    weights: {s: 1.0}
"""

# (case id, file text, line expected in the message, key expected, words expected)
CASES = [
    ("yaml syntax", GOOD.replace("    target: 100", "    target: [100"), 9, "", "valid YAML"),
    ("unknown top-level key", GOOD + "objectve:\n  homogeneity: 2\n", 10, "objectve", "did you mean `objective`"),
    ("unknown nested key", GOOD.replace("    target: 100", "    targt: 100"), 8, "industries.T.targt", "did you mean `target`"),
    ("wrong type", GOOD.replace("target: 100", "target: lots"), 8, "industries.T.target", "'lots'"),
    ("negative target", GOOD.replace("target: 100", "target: -5"), 8, "industries.T.target", "greater than 0"),
    ("unknown kind", GOOD.replace("kind: innovation", "kind: innovative"), 7, "industries.T.kind", "'innovation' or 'resource'"),
    ("unknown region code in a link", GOOD.replace("source: files,", "source: files, links: [{a: A, b: Q}],"), 2, "regions.links.0.b", "'Q'"),
    ("unknown indicator", GOOD.replace("weights: {s: 1.0}", "weights: {rd: 1.0}"), 9, "industries.T.weights.rd", "an indicator of indicators.csv"),
    ("unknown group member", GOOD + "groups:\n  G: {members: [A, Z]}\n", 11, "groups.G.members.1", "'Z'"),
    ("duplicate key", GOOD + "name: again\n", 10, "name", "each key once"),
    ("extends a missing file", "extends: nowhere.yaml\n" + GOOD, 1, "extends", "an existing file"),
]


@pytest.mark.parametrize("case,text,line,key,words", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["solve", "validate"])
def test_bad_constraint_file_exits_2_naming_file_line_and_key(base, case, text, line, key, words, command):
    path = text_case(base, text)
    out = base / "out"
    args = [command, str(path)] + (["--out", str(out)] if command == "solve" else [])
    result = run_cli(*args)
    msg = result.stderr if hasattr(result, "stderr") else result.output
    assert result.exit_code == 2, msg
    assert f"bad.yaml:{line}:" in msg
    assert key in msg and words in msg
    assert "Traceback" not in msg
    assert not out.exists()
    assert [p.name for p in base.iterdir() if p.name.startswith(".out")] == []


def test_all_problems_reported_at_once(base):
    text = GOOD.replace("target: 100", "target: -5").replace("kind: innovation", "kind: other") + "colour: red\n"
    result = run_cli("validate", str(text_case(base, text)))
    assert result.exit_code == 2
    for needle in ("industries.T.target", "industries.T.kind", "colour"):
        assert needle in result.stderr


def test_misspelt_industry_code_in_an_override_gets_a_hint(base):
    write_scenario(base, {"industries": {"NGIT": industry()}}, name="basefile.yaml")
    text_case(base, "extends: basefile.yaml\nindustries:\n  NGTI:\n    target: 120\n")
    result = run_cli("validate", str(base / "bad.yaml"))
    assert result.exit_code == 2
    assert "bad.yaml:3: industries.NGTI" in result.stderr and "did you mean `NGIT`" in result.stderr


def test_missing_constraint_file(base):
    result = run_cli("solve", str(base / "nope.yaml"), "--out", str(base / "out"))
    assert result.exit_code == 2
    assert "nope.yaml" in result.stderr and "no such file" in result.stderr
    assert not (base / "out").exists()


def test_broken_indicator_table(base):
    (base / "indicators.csv").write_text("code,s\nA,10\nB,lots\nC,-1\n", encoding="utf-8")
    result = run_cli("solve", str(text_case(base, GOOD)), "--out", str(base / "out"))
    assert result.exit_code == 2
    assert "indicators.csv:3: s:" in result.stderr and "'lots'" in result.stderr
    assert "indicators.csv:4: s:" in result.stderr
    assert not (base / "out").exists()


def test_existing_output_is_kept_without_force(base):
    path = text_case(base, GOOD)
    assert run_cli("solve", str(path), "--out", str(base / "out")).exit_code == 0
    before = (base / "out" / "assignment.csv").read_bytes()
    result = run_cli("solve", str(path), "--out", str(base / "out"))
    assert result.exit_code == 2 and "--force" in result.stderr
    assert (base / "out" / "assignment.csv").read_bytes() == before
    assert run_cli("solve", str(path), "--out", str(base / "out"), "--force").exit_code == 0


def test_infeasible_file_exits_3(base):
    text = GOOD.replace("    weights: {s: 1.0}", "    weights: {s: 1.0}\n    provincial_clusters: {min: 2, max: 3}").replace("budget: null}", "budget: null, max_clusters: 0}")
    result = run_cli("solve", str(text_case(base, text)), "--out", str(base / "out"))
    assert result.exit_code == 3, result.stderr
    assert "infeasible" in result.stderr
    assert not (base / "out").exists()


def test_console_script_prints_no_traceback(base):
    path = text_case(base, GOOD.replace("target: 100", "target: -5"))
    proc = subprocess.run([sys.executable, "-m", "layout", "validate", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "bad.yaml:8:" in proc.stderr
