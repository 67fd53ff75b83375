"""Spreadsheet-safe CSV cells (OWASP CSV injection rule) that the program still reads back as the names given.

Region names begin with = + - and industry names with @, a tab, a carriage return and a single quote (the quote
is escaped too, so that reading back is exact). Every CSV the program writes (assignment.csv, baseline.csv, a
sweep's robustness.csv and sweep.csv) holds such a cell with a leading single quote, numbers stay numbers, and
`layout compare`, `layout report` and a sweep's robustness table show the original names.
"""

from __future__ import annotations

import csv
import html
import json

import pytest
from typer.testing import CliRunner

from layout.cli import app
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()
REGION_NAMES = {"A": "=1+2", "B": "+SUM(1)", "C": "-3"}
INDUSTRY_NAMES = {"T1": "@SUM(A1)", "T2": "\tcmd", "T3": "\rcmd", "T4": "'quoted"}


def _raw(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:  # the file as stored, its byte-order mark dropped
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """Two results folders of the named scenario: all four industries, and the same without T4."""
    tmp = tmp_path_factory.mktemp("csvsafe")
    write_regions(
        tmp, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}}, REGION_NAMES
    )
    industries = {code: industry(target=10, name=name, max_share=1.0) for code, name in INDUSTRY_NAMES.items()}
    body = {"industries": industries, "limits": {"min_clusters": 0, "max_clusters": 4, "budget": None}}
    file_a = write_scenario(tmp, body, name="a.yaml")
    file_b = write_scenario(
        tmp, {**body, "industries": {k: v for k, v in industries.items() if k != "T4"}}, name="b.yaml"
    )
    for file, out in ((file_a, "out_a"), (file_b, "out_b")):
        result = runner.invoke(app, ["solve", str(file), "--out", str(tmp / out), "-q"])
        assert result.exit_code == 0, result.output
    return tmp


def test_text_cells_that_a_spreadsheet_would_evaluate_begin_with_a_quote(solved):
    for table in ("assignment.csv", "baseline.csv"):
        rows = _raw(solved / "out_a" / table)
        assert {r["industry"] for r in rows} == set(INDUSTRY_NAMES), table
        for r in rows:
            assert r["region_name"] == "'" + REGION_NAMES[r["region_code"]]
            assert r["industry_name"] == "'" + INDUSTRY_NAMES[r["industry"]]
            assert float(r["capacity"]) > 0 and not r["capacity"].startswith("'")  # numbers stay numbers
            assert r["region_code"] == r["region_code"].lstrip("'") and r["tier"][0].isalpha()  # other text unchanged


def test_compare_and_report_show_the_original_names(solved):
    result = runner.invoke(app, ["compare", str(solved / "out_a"), str(solved / "out_b")])
    assert result.exit_code == 0, result.output
    removed = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("- ") and " T4: " in line]
    assert removed and all(line.split(" (")[0][2:] in REGION_NAMES.values() for line in removed), result.stdout
    assert "'=1+2" not in result.stdout and "'+SUM(1)" not in result.stdout and "'-3" not in result.stdout

    result = runner.invoke(app, ["compare", str(solved / "out_a"), str(solved / "out_b"), "--json"])
    assert result.exit_code == 0, result.output
    names = {e["region_name"] for e in json.loads(result.stdout)["changes"]["removed"]}
    assert names and names <= set(REGION_NAMES.values())

    result = runner.invoke(app, ["report", str(solved / "out_a"), "--out", str(solved / "report.html")])
    assert result.exit_code == 0, result.output
    page = (solved / "report.html").read_text(encoding="utf-8")
    for name in REGION_NAMES.values():
        assert html.escape(name, quote=True) in page
        assert html.escape("'" + name, quote=True) not in page


def test_a_sweep_reads_its_points_back_and_writes_safe_tables(solved):
    file = write_scenario(
        solved,
        {
            "industries": {"T1": industry(target=10, name="@SUM(A1)", max_share=1.0)},
            "sweep": {"parameters": {"objective.homogeneity": [0, 1]}},
        },
        name="sweep.yaml",
    )
    result = runner.invoke(app, ["sweep", str(file), "--out", str(solved / "sweep"), "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    rows = _raw(solved / "sweep" / "robustness.csv")
    assert {(r["region_name"], r["industry_name"]) for r in rows} == {
        ("'" + n, "'@SUM(A1)") for n in REGION_NAMES.values()
    }
    assert [r["status"] for r in _raw(solved / "sweep" / "sweep.csv")] == ["optimal", "optimal"]
