"""Interrupted and killed solves, and where output goes.

A solve killed with SIGINT (Ctrl-C) or SIGKILL in the middle leaves no half-written DIR, keeps an earlier
complete result byte for byte, and leaves no solver child process running. A run killed while staging
leaves a hidden `.DIR.partial-<pid>-*` folder it cannot remove: the next run into DIR removes it (and puts
back an earlier result a kill caught between the two renames of the swap). `--out` never replaces a folder
that is not a result, and nothing is written outside DIR; `--diagnose-to` is checked the same way, before
solving.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.errors import InputError
from layout.results.folder import write_diagnosis
from layout.results.staging import STAGING_MARK, staged_output
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()
SOLVER_NAMES = ("cbc",)  # the child process PuLP starts for --solver cbc
PROMPT = 4.0  # seconds within which Ctrl-C must end a solve (HiGHS needs 7 s or more for the default scenario)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def listing(folder: Path) -> list[str]:
    """Every path under `folder`, relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def hidden_beside(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def proc_stat(pid: int) -> tuple[str, int, str] | None:
    """(comm, ppid, state) of a process from /proc, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    return comm, int(fields[1]), fields[0]


def solver_children(pid: int) -> list[int]:
    """Running solver processes whose parent is `pid`."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = proc_stat(int(entry))
            if st and st[1] == pid and st[0] in SOLVER_NAMES and st[2] != "Z":
                out.append(int(entry))
    return out


def alive_solver(pid: int) -> bool:
    st = proc_stat(pid)
    return st is not None and st[0] in SOLVER_NAMES and st[2] != "Z"


def tiny(folder: Path) -> Path:
    """A scenario on three squares that solves in a blink."""
    write_regions(folder, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    return write_scenario(folder, {"industries": {"T": industry()}})


@pytest.fixture
def earlier(tmp_path):
    """An earlier complete result in tmp_path/out (from a tiny scenario) and its bytes."""
    scenario = tiny(tmp_path)
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.stderr
    return out, snapshot(out)


@contextlib.contextmanager
def sigint_raises() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt in this process while the block runs, and children started in it get its default.

    A pytest started in the background (`pytest &` without job control) inherits SIGINT ignored, and an ignored
    signal stays ignored across exec: its children would ignore Ctrl-C too. A handled one is reset to the default.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def start(args: list[str], cwd: Path, tmpdir: Path) -> tuple[subprocess.Popen, list[str], threading.Event]:
    """`python -m layout ...` with its own TMPDIR and SIGINT at its default; stderr lines are collected; the event
    fires on 'solving'."""
    tmpdir.mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONUNBUFFERED": "1"}
    with sigint_raises():
        proc = subprocess.Popen(
            [sys.executable, "-m", "layout", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
    lines: list[str] = []
    solving = threading.Event()

    def read():
        for line in proc.stderr:
            lines.append(line)
            if "solving" in line:
                solving.set()

    threading.Thread(target=read, daemon=True).start()
    return proc, lines, solving


@pytest.mark.parametrize("solver", ["highs", "cbc", "scip"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
def test_interrupted_resolve_keeps_the_earlier_result_and_leaves_nothing_behind(tmp_path, earlier, solver, sig):
    out, before = earlier
    tmpdir = tmp_path / "tmp"
    proc, lines, solving = start(["solve", "--out", str(out), "--force", "--solver", solver], tmp_path, tmpdir)
    children: list[int] = []
    failures: list[str] = []
    try:
        assert solving.wait(90), f"never printed 'solving': {''.join(lines)}"
        if solver == "cbc":  # wait for PuLP's CBC child, so the signal lands while it runs
            deadline = time.monotonic() + 30
            while not children and proc.poll() is None and time.monotonic() < deadline:
                children = solver_children(proc.pid)
                time.sleep(0.02)
            assert children, "CBC never started (or finished before it could be seen)"
        else:
            time.sleep(0.3)  # well inside HiGHS's solve (the default takes seconds)
        assert proc.poll() is None, "the solve ended before the signal"
        os.kill(proc.pid, sig)
        t0 = time.monotonic()
        code = proc.wait(timeout=180)
        waited = time.monotonic() - t0
        time.sleep(0.5)  # let a child that dies with its parent go
        err = "".join(lines)
        if sig == signal.SIGINT:
            if code != 130 or "interrupted" not in err:
                failures.append(f"Ctrl-C should exit 130 with 'interrupted'; got {code}: {err[-500:]}")
            if waited > PROMPT:
                failures.append(f"Ctrl-C took {waited:.1f} s to stop the solve (more than {PROMPT} s)")
            if "Traceback" in err:
                failures.append(f"traceback on Ctrl-C: {err[-1500:]}")
        else:
            assert code == -signal.SIGKILL
        if snapshot(out) != before:
            failures.append("the earlier result changed")
        left = hidden_beside(out)
        if sig == signal.SIGINT and left:
            failures.append(f"hidden leftovers beside DIR after Ctrl-C: {left}")
        survivors = [c for c in children if alive_solver(c)]
        if survivors:
            failures.append(f"solver child process(es) {survivors} of the {sig.name}-ed run still running")
        if sig == signal.SIGINT and listing(tmpdir):
            failures.append(f"temporary files left in TMPDIR after Ctrl-C: {listing(tmpdir)[:5]}")
        if sig == signal.SIGKILL:  # whatever a kill left beside DIR, the next run into DIR removes
            result = runner.invoke(app, ["solve", str(tmp_path / "scenario.yaml"), "--out", str(out), "--force", "-q"])
            assert result.exit_code == 0, result.stderr
            if hidden_beside(out):
                failures.append(f"the next run left {hidden_beside(out)} beside DIR")
        assert not failures, "\n".join(failures)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for c in children:  # a surviving CBC would run on for minutes: end it (by its id)
            if alive_solver(c):
                os.kill(c, signal.SIGKILL)


STAGER = """
import sys, time
from pathlib import Path
from layout.results.staging import staged_output
with staged_output(Path(sys.argv[1]), force=True) as tmp:
    (tmp / "assignment.csv").write_text("half a table")
    print("staged", flush=True)
    time.sleep(120)
"""


def test_a_run_killed_while_writing_leaves_the_earlier_result_and_the_next_run_cleans_up(tmp_path, earlier):
    out, before = earlier
    proc = subprocess.Popen([sys.executable, "-c", STAGER, str(out)], stdout=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert proc.stdout.readline().strip() == "staged"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert snapshot(out) == before
    left = hidden_beside(out)  # a kill cannot clean up: its staged folder and its lock file (released by the kill) stay
    assert len(left) == 2 and left[0] == ".out.lock" and left[1].startswith(f".out.partial-{proc.pid}-")
    live = out.parent / f".out.partial-{os.getpid()}-inuse"  # a run still going (this process): not touched
    live.mkdir()
    result = runner.invoke(app, ["solve", str(tmp_path / "scenario.yaml"), "--out", str(out), "-q"])
    assert result.exit_code == 2 and "--force" in result.stderr  # the earlier result still counts as one
    assert hidden_beside(out) == [live.name]
    assert snapshot(out) == before


def test_a_kill_between_the_two_renames_puts_the_earlier_result_back(tmp_path, earlier):
    """The swap renames DIR to .DIR.old-<pid>, then the staged folder to DIR: a kill in between hides DIR."""
    out, before = earlier
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    out.rename(out.with_name(f".out.old-{dead}"))
    (out.parent / f".out.partial-{dead}-x1y2").mkdir()  # killed while staging: its mark names the process
    (out.parent / f".out.partial-{dead}-x1y2" / STAGING_MARK).write_text(dead)
    result = runner.invoke(app, ["solve", str(tmp_path / "scenario.yaml"), "--out", str(out), "-q"])
    assert (
        result.exit_code == 2 and "an earlier result" in result.stderr
    )  # restored, so it is not replaced without --force
    assert snapshot(out) == before
    assert hidden_beside(out) == []


def test_a_failure_in_the_swap_puts_the_earlier_result_back(tmp_path, earlier, monkeypatch):
    out, before = earlier
    real = Path.rename

    def rename(self, target):
        if self.name.startswith(".out.partial-"):
            raise OSError(28, "No space left on device")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(InputError, match="No space left on device"):
        with staged_output(out, force=True) as tmp:
            (tmp / "assignment.csv").write_text("new")
    monkeypatch.undo()
    assert snapshot(out) == before
    assert hidden_beside(out) == []


def test_ctrl_c_during_the_swap_waits_for_it(tmp_path, earlier, monkeypatch):
    """SIGINT right after DIR was moved aside: the swap completes first, then KeyboardInterrupt."""
    out, before = earlier
    real = Path.rename

    def rename(self, target):
        result = real(self, target)
        if self == out:
            signal.raise_signal(signal.SIGINT)
        return result

    monkeypatch.setattr(Path, "rename", rename)
    with sigint_raises(), pytest.raises(KeyboardInterrupt):
        with staged_output(out, force=True) as tmp:
            (tmp / "assignment.csv").write_text("new")
            (tmp / "manifest.json").write_text("{}")
    monkeypatch.undo()
    after = snapshot(out)
    assert after == before or (
        set(after) == {"assignment.csv", "manifest.json"} and after["assignment.csv"] == b"new"
    )  # one whole result
    assert hidden_beside(out) == []


# --- paths: --out ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_out_refuses_a_folder_that_is_not_a_result(tmp_path, force):
    scenario = tiny(tmp_path)
    mine = tmp_path / "thesis"
    mine.mkdir()
    (mine / "chapter1.md").write_text("years of work")
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(mine), "-q"] + (["--force"] if force else []))
    assert result.exit_code == 2, result.stderr
    assert "not a result of this program" in result.stderr and "Traceback" not in result.stderr
    assert listing(mine) == ["chapter1.md"] and (mine / "chapter1.md").read_text() == "years of work"
    assert hidden_beside(mine) == []


@pytest.mark.parametrize("out", [".", "..", ""])
def test_out_refuses_the_current_folder_and_its_parents(tmp_path, monkeypatch, out):
    scenario = tiny(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = listing(tmp_path)
    result = runner.invoke(app, ["solve", str(scenario), "--out", out, "--force", "-q"])
    assert result.exit_code == 2, (result.stderr, result.exception)
    assert "the current folder or one of its parents" in result.stderr
    assert listing(tmp_path) == before


def test_out_under_a_file_is_refused_before_solving(tmp_path):
    scenario = tiny(tmp_path)
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(tmp_path / "scenario.yaml" / "out")])
    assert result.exit_code == 2, (result.stderr, result.exception)
    assert "--out" in result.stderr and "not a folder" in result.stderr
    assert "solving" not in result.stderr


@pytest.mark.parametrize("solver", ["highs", "cbc", "scip"])
def test_nothing_is_written_outside_dir(tmp_path, solver):
    """Run in a fresh folder with a relative --out: only DIR appears there, and the temp folder ends empty."""
    work = tmp_path / "work"
    work.mkdir()
    tiny(work)
    before = {p: b for p, b in snapshot(work).items()}
    tmpdir = tmp_path / "tmp"
    proc, lines, _ = start(["solve", "scenario.yaml", "--out", "results/run1", "--solver", solver, "-q"], work, tmpdir)
    assert proc.wait(timeout=120) == 0, "".join(lines)
    after = snapshot(work)
    assert {p: b for p, b in after.items() if not p.startswith("results/")} == before  # inputs untouched, nothing added
    assert sorted(p.name for p in work.iterdir()) == ["indicators.csv", "results", "scenario.yaml", "squares.geojson"]
    assert [p.name for p in (work / "results").iterdir()] == ["run1"]
    assert (work / "results" / "run1" / "manifest.json").is_file()
    assert listing(tmpdir) == []


# --- paths: --diagnose-to ----------------------------------------------------------------------------------

INFEASIBLE = Path(__file__).parents[1] / "data" / "infeasible"


def infeasible(folder: Path) -> Path:
    """A scenario HiGHS proves infeasible (exit 3) and diagnoses in a blink, beside its regions."""
    for name in ("keep_base_vs_budget.yaml", "squares.geojson", "ind.csv"):
        shutil.copy(INFEASIBLE / name, folder / name)
    return folder / "keep_base_vs_budget.yaml"


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
@pytest.mark.parametrize(
    "where,expected",
    [
        ("afile", "expected a folder path; found an existing file"),
        ("afile/sub", "expected a folder that can be created and written; found {tmp}/afile is not a folder"),
        (
            "thesis",
            "expected a new or empty folder (--force replaces only an earlier result); found a folder that is not a result of this program",
        ),
    ],
    ids=["a file", "under a file", "a folder of something else"],
)
def test_diagnose_to_is_checked_before_solving(tmp_path, where, expected, force):
    """Found by the hardening audit: a file gave a FileExistsError traceback after the solve, a path under a file a
    NotADirectoryError, and any existing folder got a diagnosis.txt written into it."""
    scenario = infeasible(tmp_path)
    (tmp_path / "afile").write_text("mine")
    (tmp_path / "thesis").mkdir()
    (tmp_path / "thesis" / "chapter1.md").write_text("years of work")
    before = listing(tmp_path), snapshot(tmp_path)
    result = runner.invoke(
        app,
        ["solve", str(scenario), "--out", str(tmp_path / "out"), "--diagnose-to", str(tmp_path / where)]
        + (["--force"] if force else []),
    )
    assert (result.exit_code, result.stderr) == (
        2,
        f"error (bad input): {tmp_path / where}: --diagnose-to: {expected.format(tmp=tmp_path)}\n",
    )
    assert (
        listing(tmp_path),
        snapshot(tmp_path),
    ) == before  # refused before loading (no progress line): nothing written


def test_an_earlier_diagnosis_is_replaced_only_with_force(tmp_path):
    scenario = infeasible(tmp_path)
    why = tmp_path / "why"
    why.mkdir()  # an empty folder is accepted, as for --out
    args = ["solve", str(scenario), "--out", str(tmp_path / "out"), "-q", "--diagnose-to", str(why)]
    first = runner.invoke(app, args)
    assert first.exit_code == 3, first.stderr
    assert listing(why) == ["diagnosis.txt", "manifest.json"]
    diagnosis = (why / "diagnosis.txt").read_text(encoding="utf-8")
    assert "raise the budget of Northland from 9.5 to 10 (+0.5)" in diagnosis
    earlier = (why / "diagnosis.txt").stat().st_ino
    again = runner.invoke(app, args)
    assert (again.exit_code, again.stderr) == (
        2,
        f"error (bad input): {why}: --diagnose-to: expected a new or empty folder, "
        "or --force to replace it; found an earlier result\n",
    )
    assert (why / "diagnosis.txt").stat().st_ino == earlier
    forced = runner.invoke(app, args + ["--force"])
    assert forced.exit_code == 3, forced.stderr
    assert (why / "diagnosis.txt").read_text(encoding="utf-8") == diagnosis and (
        why / "diagnosis.txt"
    ).stat().st_ino != earlier  # replaced
    assert hidden_beside(why) == [] and not (tmp_path / "out").exists()
    (why / "diagnosis.txt").write_text("my notes on the diagnosis")  # edited: no longer what this program wrote
    edited = runner.invoke(app, args + ["--force"])
    assert edited.exit_code == 2 and "diagnosis.txt changed since this program wrote it" in edited.stderr
    assert (why / "diagnosis.txt").read_text() == "my notes on the diagnosis"


def test_write_diagnosis_refuses_a_file_without_a_traceback(tmp_path):
    (tmp_path / "afile").write_text("mine")
    with pytest.raises(InputError) as e:
        write_diagnosis(tmp_path / "afile", ["a sentence"])
    assert [(p.expected, p.found) for p in e.value.problems] == [("a folder path", "an existing file")]
    assert (tmp_path / "afile").read_text() == "mine"
