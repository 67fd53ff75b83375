"""The output-folder contract (README, "Results folders: what --out and --force may replace").

Each case found by the "Hardening II" testers: a path that normalises to an existing folder, --force on a folder
that merely holds a manifest.json, --force on the folder holding the constraint file, two runs into one folder at
once, a symbolic link as --out, a read-only folder, a full disk, an over-long name, a folder where a file is due,
SIGTERM during a CBC solve. Each asserts the exit code, one clear line on stderr, no traceback, that every file
that was there before is byte-identical (the whole tree is hashed before and after, links and hidden names
included) and that nothing was left behind (.DIR.partial-*, .DIR.old-*, .DIR.lock, temporary files).

The read-only and full-disk cases inject the OS error (EROFS, ENOSPC) into the calls that create, change or remove
files under the folder: tests may run as root, for whom permission bits do not apply.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from tests.cli.test_interrupt import alive_solver, hidden_beside, snapshot, solver_children, start
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()


def tree(folder: Path) -> dict[str, str]:
    """Every entry under `folder`, hidden ones and links included (relative path -> sha256, 'dir' or 'link -> target')."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root, name)
            rel = str(p.relative_to(folder))
            if p.is_symlink():
                out[rel] = f"link -> {os.readlink(p)}"
            elif p.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def tiny(folder: Path, name: str = "tiny", file: str = "scenario.yaml") -> Path:
    """A scenario on three squares that solves in a blink."""
    write_regions(folder, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    return write_scenario(folder, {"name": name, "industries": {"T": industry()}}, name=file)


def solve(*args: str):
    return runner.invoke(app, ["solve", *map(str, args)])


def refused(result, *words: str) -> str:
    """Assert exit 2 with one line on stderr naming the problem (each of `words`) and no traceback; return the line."""
    err = result.stderr
    assert result.exit_code == 2, (err, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in err and "Traceback" not in result.stdout
    assert err.startswith("error (bad input): ") and err.endswith("\n") and err.count("\n") == 1, err
    for w in words:
        assert w in err, (w, err)
    return err


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A working folder with a tiny scenario and its data; the current folder is tmp_path."""
    monkeypatch.chdir(tmp_path)
    tiny(tmp_path)
    return tmp_path


@pytest.fixture
def earlier(work):
    """An earlier result of the tiny scenario in work/out."""
    result = solve(work / "scenario.yaml", "--out", work / "out", "-q")
    assert result.exit_code == 0, result.stderr
    return work / "out"


# ---------------------------------------------------------------- what --out names


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_out_that_normalises_to_an_existing_folder_is_checked_as_that_folder(work, force):
    """Found: `--out thesis/missing/..` replaced thesis, its inputs and other files included, without --force."""
    thesis = work / "thesis"
    thesis.mkdir()
    (thesis / "chapter1.md").write_text("years of work")
    (thesis / "scenario.yaml").write_bytes((work / "scenario.yaml").read_bytes())
    before = tree(work)
    result = solve(work / "scenario.yaml", "--out", "thesis/missing/..", "-q", *(["--force"] if force else []))
    refused(result, "thesis/missing/..: --out:", "not a result of this program")
    assert tree(work) == before


def test_out_that_normalises_to_an_earlier_result_needs_force(earlier):
    work = earlier.parent
    before = tree(work)
    refused(solve(work / "scenario.yaml", "--out", "out/missing/..", "-q"), "an earlier result")
    assert tree(work) == before


def test_stray_manifest_does_not_make_a_folder_replaceable(work):
    """Found: --force replaced any folder holding a file named manifest.json, whatever else was in it."""
    mine = work / "mine"
    mine.mkdir()
    (mine / "manifest.json").write_text('{"program": "cluster-layout"}')
    (mine / "notes.txt").write_text("my notes")
    before = tree(work)
    refused(solve(work / "scenario.yaml", "--out", mine, "--force", "-q"), "not a result of this program")
    assert tree(work) == before


def test_an_earlier_result_with_a_file_added_or_edited_is_not_replaced(earlier):
    work = earlier.parent
    (earlier / "notes.txt").write_text("my notes")
    before = tree(work)
    refused(
        solve(work / "scenario.yaml", "--out", earlier, "--force", "-q"), "notes.txt is not listed in its manifest.json"
    )
    assert tree(work) == before
    (earlier / "notes.txt").unlink()
    with open(earlier / "assignment.csv", "a") as f:
        f.write("my own row\n")
    before = tree(work)
    refused(
        solve(work / "scenario.yaml", "--out", earlier, "--force", "-q"),
        "assignment.csv changed since this program wrote it",
    )
    assert tree(work) == before


def test_force_never_replaces_the_folder_holding_the_input(work):
    """Found: --force on the folder that holds the constraint file deleted it (here the folder also holds a
    manifest.json, as a results folder one keeps a scenario in does)."""
    inputs = work / "inputs"
    inputs.mkdir()
    tiny(inputs)
    (inputs / "manifest.json").write_text('{"program": "cluster-layout"}')
    before = tree(work)
    refused(
        solve(inputs / "scenario.yaml", "--out", inputs, "--force", "-q"),
        "inputs: --out:",
        "not a result of this program",
    )
    assert tree(work) == before


def test_force_never_replaces_a_result_folder_that_holds_the_input(work):
    """A sweep point's folder holds the scenario it solved (listed in its manifest): solving that file into its own
    folder with --force would delete it."""
    write_scenario(
        work,
        {"industries": {"T": industry(max_share=0.5)}, "sweep": {"parameters": {"objective.homogeneity": [0, 1]}}},
        name="sweep.yaml",
    )
    swept = runner.invoke(app, ["sweep", "sweep.yaml", "--out", "sw", "--workers", "1", "-q"])
    assert swept.exit_code == 0, swept.stderr
    point = work / "sw" / "points" / "p000"
    assert (point / "scenario.yaml").is_file()
    before = tree(work)
    refused(
        solve(point / "scenario.yaml", "--out", point, "--force", "-q"),
        "a folder that does not hold an input of this run",
        str(point / "scenario.yaml"),
    )
    assert tree(work) == before


def test_a_sweep_never_writes_into_a_folder_with_a_stray_marker(work):
    write_scenario(
        work,
        {"industries": {"T": industry()}, "sweep": {"parameters": {"objective.homogeneity": [0, 1]}}},
        name="sweep.yaml",
    )
    mine = work / "mine"
    mine.mkdir()
    (mine / "sweep.json").write_text("my own sweep.json")
    (mine / "sweep.csv").write_text("my own table")
    before = tree(work)
    for force in ([], ["--force"]):
        result = runner.invoke(app, ["sweep", "sweep.yaml", "--out", "mine", "--workers", "1", "-q", *force])
        refused(result, "sweep.json this program did not write")
        assert tree(work) == before


# ---------------------------------------------------------------- one run at a time


@pytest.mark.parametrize(
    "command",
    [
        ["solve", "scenario.yaml", "--out", "/"],
        ["solve", "scenario.yaml", "--out", "x", "--diagnose-to", "/"],
        ["sweep", "sweep.yaml", "--out", "/"],
        ["pareto", "scenario.yaml", "--out", "/"],
        ["alternatives", "scenario.yaml", "--out", "/"],
    ],
    ids=["solve", "diagnose-to", "sweep", "pareto", "alternatives"],
)
def test_the_root_folder_is_refused_like_every_parent_of_the_current_one(work, command):
    """Found: `--out /` was a traceback (exit 1): the lock beside the folder (or the folders above it) was looked for
    before the folder was refused, and the root has neither."""
    write_scenario(
        work,
        {"industries": {"T": industry()}, "sweep": {"parameters": {"objective.homogeneity": [1]}}},
        name="sweep.yaml",
    )
    before = tree(work)
    refused(runner.invoke(app, command), "/: --", "the current folder or one of its parents")
    assert tree(work) == before


def test_a_folder_locked_by_another_run_is_refused_before_solving(work):
    lock = work / ".out.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # what a run into work/out holds from its check to its final rename
        before = tree(work)
        result = solve(work / "scenario.yaml", "--out", work / "out")
        refused(result, "another run", "is writing it now")
        assert "solving" not in result.stderr
        assert tree(work) == before
    finally:
        os.close(fd)


PAUSED = """
import sys, time
from pathlib import Path
import layout.pipeline as run
inside, go = Path(sys.argv[1]), Path(sys.argv[2])
real = run.solve_period
def paused(*args, **kwargs):
    inside.write_text("solving")
    while not go.exists():
        time.sleep(0.02)
    return real(*args, **kwargs)
run.solve_period = paused
from layout.cli import app
app(sys.argv[3:], prog_name="layout")
"""


def test_two_solves_into_one_new_folder_cannot_both_succeed(work):
    """Found: two solves into the same new folder at once both exited 0, the second silently replacing the first.
    The first run is held inside its solve (provably: it wrote `inside`) while the second starts."""
    tiny(work, name="second", file="second.yaml")
    tiny(work, name="first", file="first.yaml")
    inside, go = work / "inside", work / "go"
    first = subprocess.Popen(
        [sys.executable, "-c", PAUSED, str(inside), str(go), "solve", "first.yaml", "--out", "out", "-q"],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not inside.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert inside.exists(), (
            first.stderr.read() if first.poll() is not None else "the first run never reached its solve"
        )
        second = solve("second.yaml", "--out", "out", "-q")
        go.touch()
        assert first.wait(timeout=120) == 0, first.stderr.read()
    finally:
        go.touch()
        if first.poll() is None:
            first.kill()
            first.wait()
    refused(second, "another run", "is writing it now")
    assert json.loads((work / "out" / "metrics.json").read_text())["scenario"]["name"] == "first"
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".")) == []


# ---------------------------------------------------------------- links


def test_a_dangling_symlink_as_out_is_refused_before_solving(work):
    """Found: a traceback after the whole solve."""
    (work / "link").symlink_to(work / "nowhere")
    before = tree(work)
    result = solve(work / "scenario.yaml", "--out", work / "link")
    refused(result, "link: --out:", "not a symbolic link", "a link to")
    assert "solving" not in result.stderr
    assert tree(work) == before


def test_a_symlink_to_an_earlier_result_is_not_replaced_with_force(earlier):
    """Found: with --force the link was replaced by a real folder and a hidden leftover stayed."""
    work = earlier.parent
    (work / "link").symlink_to(earlier)
    before = tree(work)
    refused(solve(work / "scenario.yaml", "--out", work / "link", "--force", "-q"), "not a symbolic link")
    assert tree(work) == before


def test_a_symlink_loop_in_the_out_path_is_refused(work):
    (work / "loop").symlink_to(work / "loop")
    before = tree(work)
    refused(solve(work / "scenario.yaml", "--out", work / "loop" / "out", "-q"), "loop")
    assert tree(work) == before


# ---------------------------------------------------------------- OS errors on output


def failing_writes(monkeypatch, err: int, hit: Callable[[Path], bool]) -> None:
    """Every call that creates, changes or removes a path for which `hit` holds fails with OSError(err)."""

    def check(*paths) -> None:
        for p in paths:
            if isinstance(p, (str, bytes, os.PathLike)) and hit(Path(os.path.abspath(os.fsdecode(p)))):
                raise OSError(err, os.strerror(err), os.fsdecode(p))

    def guard(fn, n: int = 1):
        def wrapped(*args, **kwargs):
            check(*args[:n])
            return fn(*args, **kwargs)

        return wrapped

    real_open, real_os_open = io.open, os.open

    def opener(file, mode="r", *args, **kwargs):
        if any(c in mode for c in "wax+"):
            check(file)
        return real_open(file, mode, *args, **kwargs)

    def os_opener(path, flags, *args, **kwargs):
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND):
            check(path)
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(io, "open", opener)
    monkeypatch.setattr("builtins.open", opener)
    monkeypatch.setattr(os, "open", os_opener)
    for name in ("mkdir", "rmdir", "unlink", "remove", "chmod"):
        monkeypatch.setattr(os, name, guard(getattr(os, name)))
    for name in ("rename", "replace", "link", "symlink"):
        monkeypatch.setattr(os, name, guard(getattr(os, name), 2))


def under(folder: Path) -> Callable[[Path], bool]:
    return lambda p: folder in p.parents


def test_a_read_only_parent_is_refused_before_solving(work, monkeypatch):
    ro = work / "ro"
    ro.mkdir()
    (ro / "kept.txt").write_text("mine")
    before = tree(work)
    failing_writes(monkeypatch, errno.EROFS, under(ro))
    result = solve(work / "scenario.yaml", "--out", ro / "new")
    monkeypatch.undo()
    refused(result, "ro/new: --out:", "Read-only file system")
    assert "solving" not in result.stderr
    assert tree(work) == before


@pytest.mark.parametrize("command", [["map"], ["report"]])
def test_a_read_only_results_folder_is_a_clean_error(earlier, monkeypatch, command):
    """Found: `layout map DIR` / `layout report DIR` on a read-only results folder gave a traceback."""
    work = earlier.parent
    before = tree(work)
    failing_writes(monkeypatch, errno.EROFS, under(earlier))
    result = runner.invoke(app, [*command, str(earlier)])
    monkeypatch.undo()
    refused(result, "Read-only file system")
    assert tree(work) == before


def test_a_full_disk_while_writing_is_a_clean_error_and_leaves_nothing(work, monkeypatch):
    """Found: a traceback. The disk fills while the staged folder is written."""
    before = tree(work)
    failing_writes(
        monkeypatch, errno.ENOSPC, lambda p: p.name == "layout.geojson" and p.parent.name.startswith(".out.partial-")
    )
    result = solve(work / "scenario.yaml", "--out", work / "out", "-q")
    monkeypatch.undo()
    refused(result, "out: --out:", "No space left on device", str(work / "out" / "layout.geojson"))
    assert tree(work) == before


def test_an_over_long_out_name_is_refused_before_solving(work):
    before = tree(work)
    result = solve(work / "scenario.yaml", "--out", work / ("n" * 300))
    refused(result, "--out:", "a folder name of at most", "found 300 bytes")
    assert "solving" not in result.stderr
    assert tree(work) == before


@pytest.mark.parametrize(
    "command", [["map", "out", "--png", "fig"], ["report", "out", "--out", "fig"]], ids=["map --png", "report --out"]
)
def test_a_folder_where_a_file_is_due_is_refused(earlier, command):
    """Found: `layout map DIR --png SOMEFOLDER` gave a traceback."""
    work = earlier.parent
    (work / "fig").mkdir()
    (work / "fig" / "kept.png").write_text("mine")
    before = tree(work)
    refused(runner.invoke(app, command), "fig:", "expected a file path; found a folder")
    assert tree(work) == before


def test_sweep_out_under_a_file_is_refused(work):
    write_scenario(
        work,
        {"industries": {"T": industry()}, "sweep": {"parameters": {"objective.homogeneity": [0, 1]}}},
        name="sweep.yaml",
    )
    before = tree(work)
    refused(
        runner.invoke(app, ["sweep", "sweep.yaml", "--out", "scenario.yaml/sw", "--workers", "1", "-q"]),
        "is not a folder",
    )
    assert tree(work) == before


def test_a_redrawn_map_and_report_keep_the_folder_replaceable(earlier):
    """`layout map` and `layout report` rewrite pages in a results folder (and --png may add a figure): the manifest
    follows, so --force still recognises the folder as this program's."""
    work = earlier.parent
    for args in (["map", "out", "--layers", "T", "--png", "out/figure.png"], ["report", "out"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.stderr
    assert "figure.png" in json.loads((earlier / "manifest.json").read_text())["files"]
    result = solve(work / "scenario.yaml", "--out", earlier, "--force", "-q")
    assert result.exit_code == 0, result.stderr
    assert not (earlier / "figure.png").exists()


# ---------------------------------------------------------------- signals


def test_sigterm_during_a_cbc_solve_cleans_up_like_ctrl_c(earlier):
    """Found: SIGTERM during a CBC solve left its temporary model and log behind. It now unwinds as Ctrl-C does:
    CBC is stopped, its files and the staged folder are removed, the earlier result stays, exit 143."""
    work = earlier.parent
    before = snapshot(earlier)
    tmpdir = work / "tmp"
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a SIGTERM ignored here would stay ignored in the child
    try:
        proc, lines, solving = start(
            ["solve", "--out", str(earlier), "--force", "--solver", "cbc"], work, tmpdir
        )  # the default scenario: CBC takes a while
    finally:
        signal.signal(signal.SIGTERM, previous)
    children: list[int] = []
    try:
        assert solving.wait(90), f"never printed 'solving': {''.join(lines)}"
        deadline = time.monotonic() + 30
        while not children and proc.poll() is None and time.monotonic() < deadline:
            children = solver_children(proc.pid)
            time.sleep(0.02)
        assert children, "CBC never started (or finished before it could be seen)"
        assert os.listdir(tmpdir), "CBC's temporary files are not in TMPDIR: the test would prove nothing"
        os.kill(proc.pid, signal.SIGTERM)
        code = proc.wait(timeout=120)
        time.sleep(0.5)
        err = "".join(lines)
        assert (code, "Traceback" in err) == (143, False), err[-1500:]
        assert "terminated" in err
        assert os.listdir(tmpdir) == []
        assert snapshot(earlier) == before and hidden_beside(earlier) == []
        assert [c for c in children if alive_solver(c)] == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for c in children:
            if alive_solver(c):
                os.kill(c, signal.SIGKILL)
