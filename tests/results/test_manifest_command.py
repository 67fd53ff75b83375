"""manifest.json's `command` says what wrote the folder: `layout`'s command line as typed, or the Python API.

Before, it was the process's own command line, so a folder written from a notebook recorded the kernel's
(`ipykernel_launcher.py -f …/kernel-….json`), from a script the script's, and in tests pytest's.
"""

from __future__ import annotations

import json
import subprocess
import sys

from layout.api import solve
from layout.results.folder import PYTHON_API
from tests.squares import industry, write_regions, write_scenario


def _two_squares(folder):
    write_regions(folder, {"A": (0, 0), "B": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}})
    return write_scenario(folder, {"industries": {"T": industry(max_share=1.0)}})


def _command(folder) -> str:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["command"]


def test_a_folder_written_through_the_python_api_says_so(tmp_path):
    solve(_two_squares(tmp_path), out=tmp_path / "out")
    assert _command(tmp_path / "out") == PYTHON_API == "python: layout.api"


def test_the_layout_program_records_its_command_line_as_typed(tmp_path):
    file = _two_squares(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "layout", "solve", file.name, "--out", "my results", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    # the program by its name (not the path it was started by), the arguments quoted as a shell reads them
    assert _command(tmp_path / "my results") == f"layout solve {file.name} --out 'my results' -q"
