"""`layout solve -q` prints only the headline (and the lines a planner must not miss); a solve stopped by its
time limit says so in words on the console, in the report's summary and in the map's header (issue 15)."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from layout.cli import app
from tests.squares import industry, write_scenario

TABLE_CHARACTERS = set("┏┓┗┛┃━│─┡┩╇┳┻┼└┘┌┐")
HEADLINE = re.compile(
    r"tiny — highs: optimal, objective -?\d+\.\d{4}, gap 0\.00 %, \d+\.\d s; "
    r"\d+ rows × \d+ columns, \d+ binaries"
)


def test_quiet_prints_only_the_headline(squares: Path) -> None:
    path = write_scenario(squares, {"industries": {"T": industry(max_share=0.5)}})
    result = CliRunner().invoke(app, ["solve", str(path), "--out", str(squares / "out"), "-q"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    assert HEADLINE.fullmatch(lines[0]), lines[0]
    assert not TABLE_CHARACTERS & set(result.output)
    assert (squares / "out" / "report.html").is_file()


def test_quiet_keeps_the_finding(squares: Path) -> None:
    """A target not met is a line a planner must not miss: -q prints it first, then the headline and what holds it
    back, no tables (exit 5: tests/cli/test_targets_missed.py)."""
    path = write_scenario(squares, {"industries": {"T": industry(max_share=0.3)}})
    result = CliRunner().invoke(app, ["solve", str(path), "--out", str(squares / "out"), "-q"])
    assert result.exit_code == 5, result.output
    lines = result.output.splitlines()
    assert lines[0] == "targets not met: T 90 of 100 built"
    assert lines[1].startswith("tiny — highs: optimal, objective ")
    assert lines[2] == "held back by:"
    assert not TABLE_CHARACTERS & set(result.output)


def test_without_quiet_the_tables_stay(squares: Path) -> None:
    path = write_scenario(squares, {"industries": {"T": industry(max_share=0.5)}})
    result = CliRunner().invoke(app, ["solve", str(path), "--out", str(squares / "out")])
    assert result.exit_code == 0, result.output
    assert "optimised layout by industry" in result.output
    assert TABLE_CHARACTERS & set(result.output)
    assert result.output.rstrip().endswith(f"written to {squares / 'out'}/")


def test_quiet_help_says_what_it_prints() -> None:
    result = CliRunner().invoke(app, ["solve", "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.output.replace("│", " ").split())
    assert "Print only the headline (scenario, solver status, objective, gap, time, model size)" in text


def test_stopped_words() -> None:
    from layout.results.folder import stopped_words

    solver = {"name": "highs", "status": "feasible", "gap": 0.0156, "message": "Time limit reached"}
    assert stopped_words(solver, 120.0) == "feasible — stopped by the time limit (120 s) at gap 1.56 %"
    assert stopped_words({**solver, "gap": None}, 0.5) == "feasible — stopped by the time limit (0.5 s)"
    assert (
        stopped_words({**solver, "message": "Iteration limit reached"}, 120.0)
        == "feasible — stopped at a limit (Iteration limit reached) at gap 1.56 %"
    )
    assert stopped_words({**solver, "status": "optimal", "gap": 0.0, "message": "Optimal"}, 120.0) is None


def test_time_limit_is_said_on_console_report_and_map(tmp_path: Path) -> None:
    """The default scenario with a short limit and gap 0 stops HiGHS with a layout, far from optimal (0.3 s here; on a
    loaded machine HiGHS may have no layout yet at 0.3 s, exit 4, so a longer limit is tried, still far below the ~5 s
    the optimum takes)."""
    for limit in ("0.3", "1", "2"):
        out = tmp_path / f"out-{limit}"
        result = CliRunner().invoke(app, ["solve", "--out", str(out), "--time-limit", limit, "--gap", "0", "-q"])
        if result.exit_code != 4:
            break
    # 5: a layout stopped this early may also miss a target (said first: tests/cli/test_targets_missed.py)
    assert result.exit_code in (0, 5), result.output
    headline = next(line for line in result.stdout.splitlines() if not line.startswith("targets not met"))
    assert re.search(
        rf"highs: feasible — stopped by the time limit \({limit} s\) at gap \d+\.\d\d %, objective ", headline
    )
    assert "allow more time with --time-limit" in result.output
    for page in ("report.html", "map.html"):
        text = (out / page).read_text(encoding="utf-8")
        assert f"stopped by the time limit ({limit} s) at gap" in text, page
