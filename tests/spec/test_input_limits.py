"""Input files are read with a size limit, and only if they are regular files (layout.inputs).

`layout validate /dev/zero` read until the memory ran out, and a FIFO as the constraint file waited forever.
Now a device, a FIFO, or a file over its limit (64 MiB for constraint files, CSVs and results-folder JSON;
2 GiB for boundary files) is bad input, exit 2, with the file named, at once. Large files are made sparse
(`truncate`), so the tests write almost nothing.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from layout.cli import app
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()
TEXT_LIMIT, GEO_LIMIT = 64 * 2**20, 2048 * 2**20  # the documented limits (layout.inputs, README)


def sparse(path, size: int):
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def _limited() -> None:  # a child that reads without end fails here instead of filling the machine's memory
    resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))


def layout_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "layout", *args], capture_output=True, text=True, timeout=60, preexec_fn=_limited
    )


@pytest.fixture
def squares(tmp_path):
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    return tmp_path


def test_dev_zero_and_a_fifo_as_the_constraint_file_are_refused_at_once(tmp_path):
    result = layout_cli("validate", "/dev/zero")
    assert result.returncode == 2, result.stderr[-2000:]
    assert "/dev/zero: expected a constraint file (YAML) (a regular file); found a character device" in result.stderr
    os.mkfifo(tmp_path / "fifo.yaml")
    result = layout_cli("validate", str(tmp_path / "fifo.yaml"))  # nothing writes to it: a blocking open never returns
    assert result.returncode == 2, result.stderr[-2000:]
    assert "fifo.yaml: expected a constraint file (YAML) (a regular file); found a FIFO (named pipe)" in result.stderr


def test_a_constraint_file_over_the_limit_is_refused_and_so_is_one_it_extends(squares):
    big = sparse(squares / "big.yaml", TEXT_LIMIT + 1)
    result = runner.invoke(app, ["validate", str(big)])
    assert result.exit_code == 2, result.output
    assert f"{big}: expected a constraint file (YAML); found 64.0 MiB, more than the limit of 64 MiB" in result.stderr
    (squares / "s.yaml").write_text("name: s\nextends: big.yaml\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(squares / "s.yaml")])
    assert result.exit_code == 2, result.output
    assert (
        f"s.yaml:2: extends: expected an existing file; found {big}: 64.0 MiB, more than the limit of 64 MiB"
        in result.stderr
    )


@pytest.mark.parametrize(
    "key,make,found",
    [
        ("indicators", lambda p: "/dev/zero", "a character device (e.g. /dev/zero): /dev/zero"),
        (
            "indicators",
            lambda p: str(sparse(p / "huge.csv", TEXT_LIMIT + 2**20)),
            "65 MiB, more than the limit of 64 MiB",
        ),
        ("boundaries", lambda p: (os.mkfifo(p / "pipe.geojson"), str(p / "pipe.geojson"))[1], "a FIFO (named pipe)"),
        (
            "boundaries",
            lambda p: str(sparse(p / "huge.geojson", GEO_LIMIT + 2**20)),
            "2,049 MiB, more than the limit of 2,048 MiB",
        ),
    ],
    ids=["indicators /dev/zero", "indicators too large", "boundaries a FIFO", "boundaries too large"],
)
def test_data_files_that_are_devices_fifos_or_too_large_are_refused_at_their_key(squares, key, make, found):
    regions = {"source": "files", "boundaries": "squares.geojson", "indicators": "indicators.csv"}
    file = write_scenario(squares, {"regions": {**regions, key: make(squares)}, "industries": {"T": industry()}})
    result = layout_cli("validate", str(file))
    assert result.returncode == 2, result.stderr[-2000:]
    assert (
        f"scenario.yaml:{5 if key == 'indicators' else 4}: regions.{key}:" in result.stderr and found in result.stderr
    )


def test_a_results_folder_file_over_the_limit_is_bad_input(squares):
    file = write_scenario(squares, {"industries": {"T": industry()}})
    assert runner.invoke(app, ["solve", str(file), "--out", str(squares / "out"), "-q"]).exit_code == 0
    shutil.copytree(squares / "out", squares / "big")
    sparse(squares / "big" / "assignment.csv", TEXT_LIMIT + 1)
    result = layout_cli("compare", str(squares / "out"), str(squares / "big"))
    assert result.returncode == 2, result.stderr[-2000:]
    assert (
        "big/assignment.csv: expected a CSV table written by this program; found 64.0 MiB, more than the limit"
        in result.stderr
    )
    shutil.copy(squares / "out" / "assignment.csv", squares / "big" / "assignment.csv")
    sparse(squares / "big" / "metrics.json", TEXT_LIMIT + 1)
    result = layout_cli("compare", str(squares / "out"), str(squares / "big"))
    assert result.returncode == 2, result.stderr[-2000:]
    assert (
        "big/metrics.json: expected a results folder written by `layout solve` (metrics.json); found 64.0 MiB"
        in result.stderr
    )
