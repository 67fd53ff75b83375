"""Every CSV the program writes is UTF-8 with a byte-order mark, so Excel on Chinese Windows reads 北京市, not mojibake
(issue 16); the program reads its tables, and indicator files, with or without the mark."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.errors import InputError
from layout.pipeline import prepare
from layout.results.compare import compare
from layout.results.tables import read_csv_lines
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()
BOM = b"\xef\xbb\xbf"
NAMES = {"A": "北京市", "B": "天津市", "C": "河北省"}
INDUSTRY = "新一代信息技术"
REGIONS = {"A": (0, 0), "B": (1, 0), "C": (5, 0)}
SCORES = {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}}
# every CSV a solve (with plan periods and, for the default scenario, declared plans), a sweep, a Pareto front and
# near-optimal alternatives write
WRITTEN = {
    "assignment.csv",
    "baseline.csv",
    "declared.csv",
    "phasing.csv",
    "sweep.csv",
    "robustness.csv",
    "pareto.csv",
    "alternatives.csv",
    "alternatives_metrics.csv",
}


def _run(*args: str) -> None:
    result = runner.invoke(app, [*args, "-q"])
    assert result.exit_code == 0, result.output


def _strip(folder: Path) -> int:
    """Remove the byte-order mark from every CSV under `folder`, as an earlier version wrote them; how many."""
    files = [p for p in folder.rglob("*.csv") if p.read_bytes().startswith(BOM)]
    for p in files:
        p.write_bytes(p.read_bytes()[len(BOM) :])
    return len(files)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    """Output folders of the squares named in Chinese: solve (two plan periods), sweep, pareto, alternatives; and
    the default scenario solved (declared.csv)."""
    tmp = tmp_path_factory.mktemp("bom")
    write_regions(tmp, REGIONS, SCORES, NAMES)
    one = {"T": industry(name=INDUSTRY, max_share=0.5)}
    phased = write_scenario(
        tmp,
        {
            "periods": [2025, 2030],
            "industries": {"T": industry(name=INDUSTRY, max_share=0.5, targets={2025: 50, 2030: 100})},
        },
        name="phased.yaml",
    )
    swept = write_scenario(
        tmp, {"industries": one, "sweep": {"parameters": {"objective.homogeneity": [0, 1]}}}, name="sweep.yaml"
    )
    plain = write_scenario(tmp, {"industries": one}, name="plain.yaml")
    out = tmp / "out"
    _run("solve", str(phased), "--out", str(out / "solve"))
    _run("sweep", str(swept), "--out", str(out / "sweep"), "--workers", "1")
    _run("pareto", str(plain), "--out", str(out / "pareto"), "--points", "2", "--workers", "1")
    _run(
        "alternatives",
        str(plain),
        "--out",
        str(out / "alternatives"),
        "--count",
        "1",
        "--slack",
        "0.5",
        "--workers",
        "1",
    )
    _run("solve", "--out", str(out / "default"))
    return out


def test_every_csv_written_begins_with_the_byte_order_mark(written):
    files = sorted(written.rglob("*.csv"))
    assert WRITTEN <= {p.name for p in files}
    for p in files:
        data = p.read_bytes()
        assert data.startswith(BOM) and not data[len(BOM) :].startswith(BOM), p  # one mark, then the table
        data.decode("utf-8")  # UTF-8 throughout


def test_pandas_and_the_csv_module_read_the_header_and_the_chinese_names(written):
    path = written / "solve" / "assignment.csv"
    table = pd.read_csv(path)
    assert table.columns[0] == "region_code"  # pandas drops the mark by itself
    assert set(zip(table["region_code"], table["region_name"])) <= set(NAMES.items()) and len(table) > 0
    assert set(table["industry_name"]) == {INDUSTRY}
    with open(path, encoding="utf-8-sig", newline="") as f:  # Python's csv module: utf-8-sig
        rows = list(csv.DictReader(f))
    assert [r["region_name"] for r in rows] == table["region_name"].tolist()
    assert open(path, encoding="utf-8").read(1) == "\ufeff"  # what plain utf-8 sees: the mark, as Excel does


def test_the_programs_reader_reads_a_table_with_and_without_the_mark_identically(written, tmp_path):
    for name, first in (
        ("solve/phasing.csv", "period"),  # the mark sits before the first column's name
        ("sweep/robustness.csv", "region_code"),
        ("alternatives/alternatives.csv", "region_code"),
    ):
        stored = (written / name).read_bytes()
        without, with_mark = tmp_path / "without.csv", tmp_path / "with.csv"
        without.write_bytes(stored[len(BOM) :])
        with_mark.write_bytes(stored)
        a, lines_a = read_csv_lines(without, (first,))
        b, lines_b = read_csv_lines(with_mark, (first,))
        pd.testing.assert_frame_equal(a, b)
        assert lines_a == lines_b and a.columns[0] == first and len(a) > 0, name
        assert set(a["region_name"]) <= set(NAMES.values())


def test_folders_written_without_the_mark_still_read(written, tmp_path):
    # an earlier version's folders: the same files, no mark. compare finds no change against the new one,
    # and a sweep resumed on its old points reads their tables (robustness.csv the same).
    old = tmp_path / "old"
    shutil.copytree(written / "solve", old)
    assert _strip(old) >= 4  # assignment, baseline, phasing and each period's tables
    got, same = compare(old, written / "solve"), compare(written / "solve", written / "solve")
    for side in ("a", "b"):
        got[side].pop("folder"), same[side].pop("folder")
    assert got == same and got["unchanged"] > 0 and "phasing" in got

    sweep = tmp_path / "sweep"
    shutil.copytree(written / "sweep", sweep)
    assert _strip(sweep) >= 4
    result = runner.invoke(
        app, ["sweep", str(written.parent / "sweep.yaml"), "--out", str(sweep), "--workers", "1", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert (sweep / "robustness.csv").read_bytes() == (written / "sweep" / "robustness.csv").read_bytes()


def test_an_indicator_file_saved_with_the_mark_loads(tmp_path):
    # Excel's "CSV UTF-8" puts the mark before the first column's name (here `code`)
    write_regions(tmp_path, REGIONS, SCORES, NAMES)
    plain = prepare(write_scenario(tmp_path, {"industries": {"T": industry(max_share=0.5)}}))[2]
    ind = tmp_path / "indicators.csv"
    ind.write_bytes(BOM + ind.read_bytes())
    marked = prepare(write_scenario(tmp_path, {"industries": {"T": industry(max_share=0.5)}}))[2]
    assert marked.region_names == plain.region_names == NAMES
    assert marked.score == plain.score and marked.score["A", "T"] == 1.0  # s: A 10 of the largest 10


def test_a_byte_that_is_not_utf8_after_the_mark_is_named_at_its_offset_in_the_file(tmp_path):
    write_regions(tmp_path, REGIONS, SCORES, NAMES)
    ind = tmp_path / "indicators.csv"
    text = ind.read_bytes()
    ind.write_bytes(BOM + text + b"D,\xff\n")
    with pytest.raises(InputError) as e:
        prepare(write_scenario(tmp_path, {"industries": {"T": industry(max_share=0.5)}}))
    (problem,) = e.value.problems
    assert problem.file == str(ind) and problem.found == f"a byte that is not UTF-8 at offset {len(BOM + text) + 2}"
