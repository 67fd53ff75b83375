"""A results folder read as the solver's starting layout (`layout solve --start DIR`; the workbench's previous run).

The folder is checked as a results folder (`layout.results.folder.read_folder`: metrics.json of this version and
assignment.csv); its assignment.csv's designations become `layout.model.start.Start`. Codes the scenario does not
have are left out and counted (a start is a hint, not a rule: the solver drops what does not fit).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from layout.errors import COMMAND_LINE, InputError, Problem
from layout.language import trn
from layout.model.instance import Instance
from layout.model.start import Start
from layout.results.folder import ASSIGNMENT_CSV, read_folder
from layout.results.tables import read_csv_lines

TIERS = ("provincial", "characteristic", "inter-provincial")


COLUMNS = ("region_code", "industry", "tier", "group")


def _table(path: Path, option: str) -> pd.DataFrame:
    """assignment.csv of the results folder at `path`; InputError naming `option` for a folder that is not a results
    folder (the file and line of what is wrong in it)."""
    try:
        folder = read_folder(path, ASSIGNMENT_CSV)
        table, _ = read_csv_lines(folder.file(ASSIGNMENT_CSV), COLUMNS)
    except InputError as e:
        raise InputError(
            Problem(
                COMMAND_LINE, None, option, f"a results folder written by `layout solve` ({ASSIGNMENT_CSV})", e.found
            )
        ) from None
    return table


def check_start(path: Path, option: str = "--start") -> None:
    """Refuse a start that is not a results folder (InputError naming `option`), before anything is loaded."""
    _table(path, option)


def usable_start(path: Path) -> bool:
    """Whether the results folder at `path` reads as a start (the workbench passes over a run it cannot read)."""
    try:
        _table(path, "--start")
    except InputError:
        return False
    return True


def period_start(path: Path, period: int | None) -> Path | None:
    """The folder a period starts from: the results folder itself for a scenario without periods; for a period, the
    folder's `periods/<year>/` (a run with the same periods), or None (that period starts from nothing)."""
    if period is None:
        return path
    own = path / "periods" / str(period)
    return own if own.is_dir() else None


def read_start(path: Path, inst: Instance, option: str = "--start") -> tuple[Start, int]:
    """The designations of the results folder at `path` as a start for `inst`, and how many of its rows were left
    out (a region, industry, group or tier the scenario does not have). InputError naming `option` for a folder that
    is not a results folder."""
    table = _table(path, option)
    designations: dict[tuple[str, str], tuple[str, str]] = {}
    left_out = 0
    for r, i, tier, g in table[list(COLUMNS)].itertuples(index=False):
        fits = (
            r in inst.region_names
            and i in inst.industries
            and tier in TIERS
            and (tier != "inter-provincial" or g in inst.groups)
        )
        if fits:
            designations[r, i] = (tier, g if tier == "inter-provincial" else "")
        else:
            left_out += 1
    return Start(str(path), designations), left_out


def start_words(start: Start, left_out: int) -> str:
    """The progress line of a start: where it comes from, its designations, and the rows left out."""
    n = len(start.designations)
    head = trn(
        "starting from the layout in {folder} ({count} designation)",
        "starting from the layout in {folder} ({count} designations)",
        n,
        folder=start.source,
        count=f"{n:,}",
    )
    if not left_out:
        return head
    return trn(
        "{head}; {count} row of its assignment.csv is not of this scenario and is left out",
        "{head}; {count} rows of its assignment.csv are not of this scenario and are left out",
        left_out,
        head=head,
        count=f"{left_out:,}",
    )
