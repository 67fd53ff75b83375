"""`layout solve` shows the solver's progress on stderr once a solve has run a few seconds (issue 15): a status line
updated in place on a terminal, a printed line every few seconds in a captured log; `--quiet` shows none.
$LAYOUT_PROGRESS_AFTER / $LAYOUT_PROGRESS_EVERY set the threshold and the interval, so a test need not wait."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from layout.cli import SolveDisplay, app
from layout.model.solve import SolverProgress
from tests.squares import industry, write_scenario

NOW = {"LAYOUT_PROGRESS_AFTER": "0", "LAYOUT_PROGRESS_EVERY": "0"}  # every call of the solver's progress, at once
LINE = re.compile(
    r"… highs: \d+ s \(no time limit\); best objective -?\d+(\.\d+)?, bound -?\d+(\.\d+)?, "
    r"gap 0\.00 % \(stops when proved optimal\); \d+ nodes?"
)


def scenario(folder: Path) -> Path:
    return write_scenario(folder, {"industries": {"T": industry(max_share=0.5)}})


def test_progress_lines_on_stderr(squares: Path) -> None:
    result = CliRunner().invoke(app, ["solve", str(scenario(squares)), "--out", str(squares / "out")], env=NOW)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    progress = [line for line in lines if line.startswith("… highs:")]
    assert progress and all(LINE.fullmatch(line) for line in progress), result.stderr
    solving = next(k for k, line in enumerate(lines) if line.startswith("… solving with highs"))
    explaining = next(k for k, line in enumerate(lines) if line.startswith("… explaining the layout"))
    assert all(solving < lines.index(line) < explaining for line in progress)  # between the steps around the solve
    assert "… highs:" not in result.stdout


def test_quiet_shows_no_progress(squares: Path) -> None:
    result = CliRunner().invoke(app, ["solve", str(scenario(squares)), "--out", str(squares / "out"), "-q"], env=NOW)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 1


def test_no_progress_before_the_threshold(squares: Path) -> None:
    env = {"LAYOUT_PROGRESS_AFTER": "1000", "LAYOUT_PROGRESS_EVERY": "0"}
    result = CliRunner().invoke(app, ["solve", str(scenario(squares)), "--out", str(squares / "out")], env=env)
    assert result.exit_code == 0, result.output
    assert "… solving with highs" in result.stderr and "highs:" not in result.stderr.replace("… solving with highs", "")


def test_a_bad_setting_is_bad_input(squares: Path) -> None:
    env = {"LAYOUT_PROGRESS_AFTER": "soon"}
    result = CliRunner().invoke(app, ["solve", str(scenario(squares)), "--out", str(squares / "out")], env=env)
    assert result.exit_code == 2
    assert "LAYOUT_PROGRESS_AFTER" in result.stderr and "'soon'" in result.stderr
    assert not (squares / "out").exists()


def progress(elapsed: float) -> SolverProgress:
    return SolverProgress("highs", elapsed, 5.0, 4.9, 0.02, 10, 120.0, 0.01)


def test_a_captured_log_gets_a_line_every_few_seconds() -> None:
    """Not a terminal: from `after` seconds, one line per `every` seconds of the solve; a new solve starts afresh."""
    err = io.StringIO()
    display = SolveDisplay(Console(file=err, highlight=False, soft_wrap=True, width=200))
    display.after, display.every = 3.0, 5.0
    for t in range(13):
        display.solver(progress(float(t)))
    display.step("solving for 2035")
    for t in range(5):
        display.solver(progress(float(t)))
    assert err.getvalue().splitlines() == [
        f"… {progress(3).words()}",
        f"… {progress(8).words()}",
        "… solving for 2035",
        f"… {progress(3).words()}",
    ]


def test_a_terminal_gets_one_line_updated_in_place() -> None:
    """A terminal: one status line from `after` seconds, its text the latest progress; the next step removes it."""
    err = io.StringIO()
    console = Console(file=err, force_terminal=True, highlight=False, soft_wrap=True, width=200)
    with SolveDisplay(console) as display:
        display.after = 3.0
        display.solver(progress(2.0))
        assert display.status is None
        display.solver(progress(3.0))
        status = display.status
        assert status is not None
        display.solver(progress(4.0))
        assert display.status is status and status.renderable.text.renderable.plain == progress(4.0).words()
        display.step("explaining the layout")
        assert display.status is None
    assert "explaining the layout" in err.getvalue()
