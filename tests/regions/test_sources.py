"""Every number in geodata/ has a source line: each column of the indicator tables is documented in
geodata/SOURCES.md with a unit and a source id that the source lists define."""

from __future__ import annotations

import csv
import re

import pytest

from layout.paths import geodata_file

SOURCE_ID = re.compile(r"\bS\d+[a-z]?\b")


def _tables() -> list[list[list[str]]]:
    """The Markdown tables of SOURCES.md, as rows of stripped cells (header first, separator dropped)."""
    tables, current = [], []
    for line in geodata_file("SOURCES.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def _defined_ids() -> set[str]:
    """Source ids the source lists define (tables headed `id | what | where`)."""
    return {row[0] for t in _tables() if t[0][:2] == ["id", "what"] for row in t[1:]}


def _documented_columns() -> dict[str, list[str]]:
    """column name -> its row (unit, year, source, ...) in the column tables (headed `column | unit | ...`)."""
    out: dict[str, list[str]] = {}
    for t in _tables():
        if t[0][:2] != ["column", "unit"]:
            continue
        source_at = t[0].index("source")
        for row in t[1:]:
            for name in re.findall(r"[a-z_0-9]+", row[0]):  # "name_zh, province_adcode" documents both
                out[name] = [row[1], row[source_at]]
    return out


@pytest.mark.parametrize("table", ["provinces.csv", "prefectures.csv"])
def test_every_column_has_a_unit_and_a_defined_source(table: str) -> None:
    with geodata_file(table).open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    documented, defined = _documented_columns(), _defined_ids()
    missing = [c for c in header if c not in documented]
    assert not missing, f"{table}: columns without a row in SOURCES.md: {missing}"
    for c in header:
        unit, source = documented[c]
        assert unit, f"{table}: {c} has no unit (write — where it has none)"
        cited = set(SOURCE_ID.findall(source))
        if c in {"unit_type"}:  # a label written for the table, said so in its row
            continue
        assert cited, f"{table}: {c} cites no source id ({source!r})"
        assert cited <= defined, f"{table}: {c} cites {sorted(cited - defined)}, not in any source list"


def test_the_fifth_pass_columns_are_there_with_their_sources() -> None:
    """The columns the default's endowment rules read: present, and cited to the fifth pass's sources."""
    documented = _documented_columns()
    with geodata_file("provinces.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    expected = {
        "gdp_secondary_2019_initial": "S66",
        "solar_capacity_end2019_10mw": "S64",
        "solar_capacity_end2020_10mw": "S64",
        "hydro_capacity_6mw_end2019_10mw": "S65",
        "solar_pv_capacity_factor_gcam": "S67",
    }
    for column, source in expected.items():
        assert column in header, column
        assert source in SOURCE_ID.findall(documented[column][1]), column
