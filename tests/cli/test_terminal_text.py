"""Control characters in names and keys never reach the terminal raw: they are shown escaped (\\x1b).

An ESC sequence in an industry name, a region name or a YAML key would otherwise retitle the terminal
window, clear the screen or worse. Checked on every kind of console output: the summary tables of `solve`,
error messages (bad input), and the text of `compare` and `explain` read from results folders.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from layout.cli import app
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()
RAW = ("\x1b", "\x07", "\x9b", "\x08", "\u202e", "\u2066")
RTL = "\u202e"  # right-to-left override: "scenario\u202etxt.exe" would show as "scenarioexe.txt"
TITLE = "\x1b]0;pwned\x07"  # sets the terminal's title
CLEAR = "\x1b[2J"  # clears the screen
CSI = "\x9b31m"  # C1 control sequence introducer


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert not [c for c in RAW if c in text], repr(text)


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("terminal")
    write_regions(
        tmp,
        {"A": (0, 0), "B": (1, 0), "C": (5, 0)},
        {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}},
        {"A": CLEAR + "Alpha", "B": "Beta" + CSI, "C": "Gamma\x08\u2066"},
    )
    body = {
        "industries": {"T": industry(name=TITLE + "Tech")}
    }  # out_a: A and C at 50 each; out_b: A alone (tests/batch/test_sweep.py)
    runs = {}
    for out, homogeneity in (("out_a", 1.0), ("out_b", 0.0)):
        file = write_scenario(
            tmp,
            {
                **body,
                "name": CLEAR + "scenario" + RTL + "txt.exe",
                "objective": {"homogeneity": homogeneity, "advantage": 1.0},
                "rules": {"max_share": 0.5 if homogeneity else 1.0},
            },
            name=f"{out}.yaml",
        )
        runs[out] = runner.invoke(app, ["solve", str(file), "--out", str(tmp / out)])
        assert runs[out].exit_code == 0, runs[out].output
    return tmp, runs


def test_the_solve_summary_shows_control_characters_escaped(solved):
    _, runs = solved
    result = runs["out_a"]
    assert_clean(result.stdout, result.stderr)
    assert "\\x1b]0;pwned\\x07Tech" in result.stdout and "\\x1b[2Jscenario\\u202etxt.exe" in result.stdout


def test_compare_and_explain_show_names_from_a_results_folder_escaped(solved):
    tmp, _ = solved
    result = runner.invoke(app, ["compare", str(tmp / "out_a"), str(tmp / "out_b")])
    assert result.exit_code == 0, result.output
    assert_clean(result.stdout)
    assert "- Gamma\\x08\\u2066 (C) T: provincial, 50" in result.stdout

    result = runner.invoke(app, ["compare", str(tmp / "out_a"), str(tmp / "out_b"), "--json"])
    assert result.exit_code == 0, result.output
    assert_clean(result.stdout)
    assert (
        json.loads(result.stdout)["a"]["scenario"] == CLEAR + "scenario" + RTL + "txt.exe"
    )  # JSON escapes: the value itself is intact

    result = runner.invoke(app, ["explain", str(tmp / "out_a")])
    assert result.exit_code == 0, result.output
    assert_clean(result.stdout)


def test_error_messages_show_keys_and_values_escaped(tmp_path):
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0)}, {"A": {"s": 1}, "B": {"s": 2}})
    text = (
        "name: x\nregions: {source: files, boundaries: squares.geojson, indicators: indicators.csv}\n"
        'industries:\n  T: {name: T, kind: innovation, target: 100, weights: {s: 1}}\n"\\e]0;pwned\\a": 1\n'
        'objective: {homogeneity: "\\e[2J\\x9b"}\n'
    )
    (tmp_path / "bad.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path / "bad.yaml")])
    assert result.exit_code == 2, result.output
    assert_clean(result.stdout, result.stderr)
    assert "bad.yaml:5: \\x1b]0;pwned\\x07: expected a known key" in result.stderr
    assert "bad.yaml:6: objective.homogeneity:" in result.stderr and "\\x1b[2J\\x9b" in result.stderr


def test_a_librarys_warning_about_a_name_reaches_the_terminal_escaped(solved):
    """Found: `layout map DIR --png` printed matplotlib's warnings of glyphs missing for a name's ESC and BEL raw on
    stderr (the program's own lines escaped the same name). The `layout` program prints every warning escaped."""
    tmp, _ = solved
    run = subprocess.run(
        [sys.executable, "-m", "layout", "map", str(tmp / "out_a"), "--png", str(tmp / "figure.png")],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "Glyph 27 (\\x1b) missing" in run.stderr, run.stderr  # the warning is shown, escaped
    assert_clean(run.stderr, run.stdout)
