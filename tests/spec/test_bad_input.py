"""Every class of bad input exits 2 with file, line and key in the message, and writes nothing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.errors import InputError
from layout.spec.load import load
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
# GOOD with a nested eligibility rule (lines 10-18): any of s >= 5, or all of (s <= 9)
NESTED = (
    GOOD
    + """\
kinds:
  innovation:
    eligibility:
      require: any
      conditions:
        - {indicator: s, min: 5}
        - require: all
          conditions:
            - {indicator: s, max: 9}
"""
)
NESTED_KEY = "kinds.innovation.eligibility.conditions"

# (case id, file text, line expected in the message, key expected, words expected)
CASES = [
    ("yaml syntax", GOOD.replace("    target: 100", "    target: [100"), 9, "", "valid YAML"),
    ("unknown top-level key", GOOD + "objectve:\n  homogeneity: 2\n", 10, "objectve", "did you mean `objective`"),
    (
        "unknown nested key",
        GOOD.replace("    target: 100", "    targt: 100"),
        8,
        "industries.T.targt",
        "did you mean `target`",
    ),
    (
        "wrong type",
        GOOD.replace("target: 100", "target: lots"),
        8,
        "industries.T.target",
        "expected a number; found 'lots'",
    ),
    (
        "negative target",
        GOOD.replace("target: 100", "target: -5"),
        8,
        "industries.T.target",
        "expected a number greater than 0;",
    ),
    (
        "unknown kind",
        GOOD.replace("kind: innovation", "kind: innovative"),
        7,
        "industries.T.kind",
        "expected one of: innovation, resource; found 'innovative'",
    ),
    (
        "unknown region code in a link",
        GOOD.replace("source: files,", "source: files, links: [{a: A, b: Q}],"),
        2,
        "regions.links.0.b",
        "'Q'",
    ),
    (
        "unknown indicator",
        GOOD.replace("weights: {s: 1.0}", "weights: {rd: 1.0}"),
        9,
        "industries.T.weights.rd",
        "an indicator of indicators.csv",
    ),
    ("unknown group member", GOOD + "groups:\n  G: {members: [A, Z]}\n", 11, "groups.G.members.1", "'Z'"),
    ("duplicate key", GOOD + "name: again\n", 10, "name", "each key once"),
    ("extends a missing file", "extends: nowhere.yaml\n" + GOOD, 1, "extends", "an existing file"),
    # a negative seed was a numpy ValueError traceback in `layout sweep`
    (
        "negative sweep seed",
        GOOD + "sweep:\n  mode: random\n  samples: 2\n  seed: -1\n  parameters: {objective.balance: [1, 2]}\n",
        13,
        "sweep.seed",
        "expected a number of at least 0; found -1",
    ),
    # eligibility rules with nested groups (tests/spec/test_eligibility_groups.py)
    (
        "unknown indicator in a nested group",
        NESTED.replace("{indicator: s, max: 9}", "{indicator: rd, max: 9}"),
        18,
        NESTED_KEY + ".1.conditions.0.indicator",
        "expected an indicator of indicators.csv (s); found 'rd'",
    ),
    (
        "a condition that is also a group",
        NESTED.replace("{indicator: s, min: 5}", "{indicator: s, min: 5, conditions: []}"),
        15,
        NESTED_KEY + ".0:",
        "expected either a condition (`indicator` with `min` or `max`) or a group (`require` and `conditions`), not both",
    ),
    (
        "empty nested group",
        NESTED.replace("          conditions:\n            - {indicator: s, max: 9}\n", "          conditions: []\n"),
        16,
        NESTED_KEY + ".1:",
        "expected a group with at least one condition",
    ),
    (
        "nesting too deep",
        GOOD
        + """\
kinds:
  innovation:
    eligibility:
      conditions:
        - conditions:
            - conditions:
                - conditions:
                    - conditions:
                        - {indicator: s, min: 1}
""",
        17,
        NESTED_KEY + ".0.conditions.0.conditions.0.conditions.0:",
        "expected groups nested at most 3 deep in an eligibility rule",
    ),
    (
        "unknown key in a nested group",
        NESTED.replace("        - require: all\n", "        - require: all\n          colour: red\n"),
        17,
        NESTED_KEY + ".1.colour",
        "found unknown key `colour`",
    ),
    (
        "a condition with min above max",
        NESTED.replace("{indicator: s, max: 9}", "{indicator: s, min: 20, max: 9}"),
        18,
        NESTED_KEY + ".1.conditions.0:",
        "expected `min` at most `max` (no region could pass min 20 and max 9)",
    ),
    (
        "a condition without a bound",
        NESTED.replace("{indicator: s, min: 5}", "{indicator: s}"),
        15,
        NESTED_KEY + ".0:",
        "expected a condition with `min` or `max` (or both)",
    ),
    (
        "misspelt key in a nested group",
        NESTED.replace("        - require: all\n", "        - require: all\n          conditons: []\n"),
        17,
        NESTED_KEY + ".1.conditons",
        "did you mean `conditions`",
    ),
    (
        "nested require neither any nor all",
        NESTED.replace("- require: all", "- require: most"),
        16,
        NESTED_KEY + ".1.require",
        "expected one of: all, any; found 'most'",
    ),
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
    assert "Traceback" not in msg and "Input should" not in msg
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
    text = GOOD.replace(
        "    weights: {s: 1.0}", "    weights: {s: 1.0}\n    provincial_clusters: {min: 2, max: 3}"
    ).replace("budget: null}", "budget: null, max_clusters: 0}")
    result = run_cli("solve", str(text_case(base, text)), "--out", str(base / "out"))
    assert result.exit_code == 3, result.stderr
    assert "infeasible" in result.stderr
    assert not (base / "out").exists()


def test_console_script_prints_no_traceback(base):
    path = text_case(base, GOOD.replace("target: 100", "target: -5"))
    proc = subprocess.run([sys.executable, "-m", "layout", "validate", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "bad.yaml:8:" in proc.stderr


def laughs(levels: int = 9) -> str:
    """ "Billion laughs": each anchor repeats the previous one 9 times (9**9 values once expanded, 14 lines of text)."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"] + [
        f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, levels)
    ]
    return "\n".join(lines) + "\n"


# (case id, file text, the message after "error (bad input): FILE:") — hostile YAML the loader refuses before the schema
HOSTILE_YAML = [
    (
        "nested too deeply",
        GOOD + "description: " + "[" * 1000 + "]" * 1000 + "\n",
        "10: expected YAML nested at most a few hundred levels deep; found lists or mappings nested too deeply to read",
    ),
    (
        "billion laughs",
        GOOD + laughs(),
        "16: a6: expected at most 1,000,000 keys and values once aliases (*name) are expanded; found 5,380,840 from this entry alone",
    ),
    (
        "alias inside its own anchor",
        GOOD + "description: &loop [*loop]\n",
        "10: description.0: expected aliases (*name) outside the anchor (&name) they repeat; found an alias inside its own anchor (an endless document)",
    ),
    (
        "month 13",
        GOOD + "description: 2020-13-45\n",
        "10: description: expected a valid YAML value; found month must be in 1..12",
    ),
    (
        "5001-digit integer",
        GOOD.replace("min_clusters: 0", "min_clusters: 1" + "0" * 5000),
        "3: limits.min_clusters: expected a valid YAML value; found Exceeds the limit (4300 digits) for integer string conversion: value has 5001 digits",
    ),
    (
        "unreadable key",
        GOOD + "!!float abc: 1\n",
        "10: expected a valid YAML value; found could not convert string to float: 'abc'",
    ),
    (
        "deeply nested list as a key",
        GOOD + "? " + "[" * 300 + "]" * 300 + "\n: 1\n",
        "10: expected a text key; found a list or mapping",
    ),
]


@pytest.mark.parametrize("case,text,message", HOSTILE_YAML, ids=[c[0] for c in HOSTILE_YAML])
@pytest.mark.parametrize("command", ["solve", "validate"])
def test_hostile_yaml_exits_2_at_once_naming_file_and_line(base, case, text, message, command):
    """Found by the hardening audit and while fixing it: RecursionErrors (nesting, an alias cycle, a nested key), a
    hang of minutes in 10 GB (aliases) and ValueErrors (scalars YAML matches but Python cannot build)."""
    path = text_case(base, text)
    out = base / "out"
    result = run_cli(command, str(path), *(["--out", str(out), "-q"] if command == "solve" else []))
    assert (result.exit_code, result.stderr) == (2, f"error (bad input): {path}:{message}\n")
    assert isinstance(result.exception, SystemExit)
    assert sorted(p.name for p in base.iterdir()) == ["bad.yaml", "indicators.csv", "squares.geojson"]


def test_billion_laughs_is_refused_in_well_under_a_second(base):
    """The aliases are counted without being expanded: 387 million values cost no time nor memory."""
    path = text_case(base, GOOD + laughs())
    t0 = time.perf_counter()
    with pytest.raises(InputError):
        load(path)
    assert time.perf_counter() - t0 < 0.2
