"""The CSV tables this program writes, spreadsheet-safe, and the one reader that reads them back.

A cell that a spreadsheet would run as a formula is a way to attack whoever opens a results folder in Excel
or LibreOffice (CSV injection). So every CSV is written by `csv_text`, which applies the OWASP rule: a text
cell beginning with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading single quote `'`, which
spreadsheets show as text and do not evaluate. A text cell that itself begins with `'` gets one too, so the
rule can be undone exactly. Numbers stay numbers (-3.5 is written -3.5): only text cells are changed.

`read_csv` reads such a table back with the original text (it removes that one leading quote), so a region
named `=A1` is `=A1` again in reports, maps and comparisons; the file itself stores `'=A1`.

Every CSV is UTF-8 with a byte-order mark (the bytes EF BB BF first): `csv_text` begins with U+FEFF, so whoever
writes it as UTF-8 writes the mark. Excel takes a CSV without one for the system's code page (GBK on Chinese
Windows) and shows 北京市 as mojibake; with it, Excel reads UTF-8. pandas.read_csv drops the mark by itself;
Python's csv module needs `encoding="utf-8-sig"`, R `fileEncoding="UTF-8-BOM"`. `read_csv` reads files with and
without it (folders written by earlier versions have none).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from layout.errors import InputError, Problem
from layout.inputs import read_text

BOM = "\ufeff"  # the byte-order mark: UTF-8 EF BB BF, how Excel knows a CSV is UTF-8
QUOTE = "'"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", QUOTE)  # OWASP's list, and the quote itself (so it can be undone)


def safe_cell(value: Any) -> Any:
    """A cell as written: text a spreadsheet would evaluate gets a leading quote; anything else unchanged."""
    return QUOTE + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def original_cell(value: Any) -> Any:
    """A cell as `safe_cell` was given it: one leading quote removed from text."""
    return value[1:] if isinstance(value, str) and value.startswith(QUOTE) else value


def csv_text(table: pd.DataFrame, float_format: str) -> str:
    """The table as CSV text (no index), text cells and column names made spreadsheet-safe, beginning with the
    byte-order mark `BOM` (write it as UTF-8). Lines end in CRLF, as RFC 4180 has it: a carriage return inside a
    cell is then quoted too (with '\\n' line ends it is not, and the table cannot be read back)."""
    safe = table.copy()
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):
            safe[col] = safe[col].map(safe_cell)
    safe.columns = [safe_cell(c) for c in safe.columns]
    return BOM + safe.to_csv(index=False, float_format=float_format, lineterminator="\r\n")


def read_csv(path: Path, columns: Iterable[str] = (), numbers: Iterable[str] = ()) -> pd.DataFrame:
    """A table `csv_text` wrote: every cell its original text, the columns `numbers` as floats (`read_csv_lines`)."""
    return read_csv_lines(path, columns, numbers)[0]


def read_csv_lines(
    path: Path, columns: Iterable[str] = (), numbers: Iterable[str] = ()
) -> tuple[pd.DataFrame, list[int]]:
    """A table `csv_text` wrote, and the line in the file of each of its rows (for messages about a row): every
    cell its original text, the columns `numbers` as floats.

    Read with or without the byte-order mark (earlier versions wrote none). Bounded (layout.inputs); InputError
    naming the file and line for a file that is not such a table: not UTF-8, not CSV, a row of another length than
    the header, without the `columns` or `numbers` needed, or with a cell of `numbers` that is not a number."""
    label, numbers = str(path), list(numbers)
    what = "a CSV table written by this program"
    text = read_text(path, what, encoding="utf-8-sig")
    # a cell as long as the file (bounded by read_text): the csv module's default of 131,072 characters refused the
    # tables this program wrote for a name that long (the limit is the module's, for the whole process)
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [original_cell(h) for h in next(reader, [])]
        rows, lines = [], []
        start = reader.line_num + 1  # the line a row starts on (a quoted cell may hold line breaks)
        for row in reader:
            line, start = start, reader.line_num + 1
            if not row:  # a blank line
                continue
            if len(row) != len(header):
                raise InputError(
                    Problem(label, line, "", f"{len(header)} fields, as in the header", f"{len(row)} fields")
                )
            rows.append([original_cell(c) for c in row])
            lines.append(line)
    except csv.Error as e:
        raise InputError(Problem(label, reader.line_num, "", what, f"unreadable: {e}")) from None
    wanted = list(dict.fromkeys([*columns, *numbers]))
    missing = [c for c in wanted if c not in header]
    if missing:
        raise InputError(
            Problem(
                label,
                1,
                "",
                f"{what}, with columns {', '.join(wanted)}",
                f"no {', '.join(missing)} (columns {', '.join(header)})",
            )
        )
    df = pd.DataFrame(rows, columns=header, dtype=object)
    for col in numbers:
        values = pd.to_numeric(df[col], errors="coerce").astype(float)
        bad = values.isna()
        if bad.any():
            first = int(bad.to_numpy().nonzero()[0][0])
            raise InputError(Problem(label, lines[first], col, "a number", repr(df[col].iloc[first])))
        df[col] = values
    return df, lines
