"""`layout watch FILE --out DIR`: solves FILE into DIR at once and again on every save, printing the summary and what
changed since the last good layout; a save that does not load leaves DIR as it was and the watch goes on; Ctrl-C
exits 130 and leaves no copy of the previous run behind. DIR/map.html reloads itself in an open browser (file://)
after each good solve; `layout solve`'s map stays the ordinary page.

The scenario: three unit squares, A (indicator 10) and B (8) touching, C (4) apart; one industry T with target 100.
At most half of T per region (max_share 0.5) it takes two regions, and A with C avoids the duplication A–B would be;
at most all of it (1.0) it goes to A alone: C's 50 removed, A's 50 → 100.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from layout import api
from layout.errors import InputError
from tests.browser import Page
from tests.squares import industry, write_regions, write_scenario

pytestmark = pytest.mark.slow  # subprocesses, solves and a browser
WAIT = 60.0  # seconds at most for anything the watch does (a solve of the squares takes well under one)
BROKEN = "name: tiny\nindustries: [\n"  # YAML that ends inside a list: a syntax error at line 3


def squares_scenario(folder: Path, max_share: float) -> Path:
    """The three squares with industry T (target 100) at most `max_share` per region, as folder/scenario.yaml."""
    if not (folder / "squares.geojson").exists():
        write_regions(folder, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 4}})
    return write_scenario(folder, {"industries": {"T": industry(max_share=max_share)}})


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> bytes)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def previous_copies(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.previous"))


def wait_until(condition: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {WAIT:.0f} s for {what}")
        time.sleep(0.1)


class Watch:
    """`python -m layout watch scenario.yaml --out results` in `folder`, SIGINT at its default (a pytest started in
    the background inherits it ignored); stdout and stderr collected line by line."""

    def __init__(self, folder: Path, *more: str):
        self.out: list[str] = []
        self.err: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "layout", "watch", "scenario.yaml", "--out", "results", *more],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=lambda s=stream, k=lines: k.extend(iter(s.readline, "")), daemon=True).start()

    def stdout(self) -> str:
        return "".join(self.out)

    def stderr(self) -> str:
        return "".join(self.err)

    def wait_for(self, text: str, count: int = 1, stream: str = "stdout") -> None:
        read = self.stdout if stream == "stdout" else self.stderr
        wait_until(
            lambda: read().count(text) >= count or self.process.poll() is not None,
            f"{text!r} ×{count} on {stream}",
        )
        assert read().count(text) >= count, f"the watch ended ({self.process.returncode}):\n{read()}\n{self.stderr()}"

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(WAIT)


def stamp_of(out: Path) -> str:
    match = re.fullmatch(r'window\.layoutStamp = "([0-9a-f]+)";\n', (out / "reload.js").read_text(encoding="ascii"))
    assert match, (out / "reload.js").read_text()
    return match.group(1)


def test_each_save_is_solved_its_changes_printed_a_broken_one_said_and_ctrl_c_exits_130(tmp_path):
    squares_scenario(tmp_path, 0.5)
    out = tmp_path / "results"
    watch = Watch(tmp_path)
    try:
        watch.wait_for("written to results/")
        first = watch.stdout()
        assert first.startswith("watching scenario.yaml: each save is solved into results/ (Ctrl-C stops)\n")
        assert re.search(r"^tiny — highs: optimal, objective ", first, re.M)  # the summary `layout solve` prints
        assert "what changed" not in first  # nothing to compare with yet
        stamp = stamp_of(out)
        assert f'"{stamp}"' in (out / "map.html").read_text(encoding="utf-8")  # the live map knows its run
        assert previous_copies(out) != []  # the copy to compare the next run with, beside DIR

        squares_scenario(tmp_path, 1.0)  # saved: T may go to one region
        watch.wait_for("written to results/", 2)
        watch.wait_for("  ~ Region A (A) T: provincial, 50 → 100\n")  # the changes' last line
        changed = watch.stdout()[len(first) :]
        assert changed.startswith("scenario.yaml changed: solving again…\n")
        assert changed.index("written to results/") < changed.index("what changed since the last good layout:")
        assert "Assignments: 0 added, 1 removed, 0 tier changed, 1 capacity changed, 0 unchanged" in changed
        assert "  - Region C (C) T: provincial, 50\n" in changed
        assert stamp_of(out) != stamp
        good = snapshot(out)
        assert "reload.js" in (out / "manifest.json").read_text(encoding="utf-8")  # DIR stays a replaceable result

        (tmp_path / "scenario.yaml").write_text(BROKEN, encoding="utf-8")
        watch.wait_for("error (bad input): scenario.yaml:3: expected valid YAML", stream="stderr")
        watch.wait_for("results/ still holds the last good layout; fix the file and save it again")
        assert snapshot(out) == good
        assert watch.process.poll() is None  # still watching
    finally:
        code = watch.stop()
    assert code == 130, watch.stderr()
    assert watch.stderr().endswith("interrupted: the results folder keeps the last layout written\n")
    assert previous_copies(out) == []
    assert snapshot(out) == good
    assert api.compare(out, out)["unchanged"] == 1  # an ordinary results folder


def test_a_folder_that_is_not_a_result_is_refused_before_anything_is_solved(tmp_path):
    squares_scenario(tmp_path, 0.5)
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "notes.txt").write_text("mine", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "layout", "watch", "scenario.yaml", "--out", "results"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 2 and "a folder that is not a result of this program" in done.stderr
    assert done.stdout == "" and snapshot(tmp_path / "results") == {"notes.txt": b"mine"}


def test_the_live_map_is_the_ordinary_map_and_one_script_and_solve_writes_the_ordinary_one(tmp_path):
    file = squares_scenario(tmp_path, 0.5)
    out = tmp_path / "results"
    api.solve(file, out=out)
    solved = (out / "map.html").read_bytes()
    assert b"reload.js" not in solved and b"layoutStamp" not in solved
    api.write_map(out, live="0123abcd")
    live = (out / "map.html").read_bytes().decode("utf-8")
    script = re.search(r"\n    \(function \(\) \{\n  var drawn = \"0123abcd\".*?\}\)\(\);\n", live, re.S)
    assert script and "reload.js" in script.group(0) and "location.reload()" in script.group(0)
    ids = re.compile(r"(?<=_)[0-9a-f]{32}")  # folium's element ids: new at each drawing
    ordinary = solved.decode("utf-8")
    assert ids.sub("", live[: script.start()] + live[script.end() :]) == ids.sub("", ordinary)
    api.write_map(out)
    assert ids.sub("", (out / "map.html").read_bytes().decode("utf-8")) == ids.sub("", ordinary)
    for bad in ("", "0123ABCD", 'x"; alert(1); "', "1" * 65):  # a stamp is hex digits, never text
        with pytest.raises(InputError, match="stamp"):
            api.write_map(out, live=bad)


def test_an_open_map_reloads_itself_after_a_save_is_solved(tmp_path, browser):
    """The watch loop in this process (layout.api.watch, in Chinese, stopped by an event); the map opened from
    file:// picks up reload.js and reloads itself into the next run's map."""
    file = squares_scenario(tmp_path, 0.5)
    out = tmp_path / "results"
    said: list[str] = []
    solved: list[api.Result] = []
    failed: list[Exception] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=api.watch,
        args=(file, out),
        kwargs={"lang": "zh", "solved": solved.append, "failed": failed.append, "say": said.append, "stop": stop},
        daemon=True,
    )
    thread.start()
    view = None
    try:
        wait_until(lambda: len(solved) == 1, "the first solve")
        first = stamp_of(out)
        view = Page(browser, out / "map.html")
        page = view.page
        page.wait_for_function(f"window.layoutStamp === {first!r}", timeout=WAIT * 1000)  # file:// script polled
        page.evaluate("window.stillHere = true")
        with page.expect_event("load", timeout=WAIT * 1000):
            squares_scenario(tmp_path, 1.0)
        wait_until(lambda: len(solved) == 2, "the second solve")
        second = stamp_of(out)
        assert second != first
        page.wait_for_function("window.layoutMaps !== undefined")
        assert page.evaluate("window.stillHere") is None  # a new page
        assert f'var drawn = "{second}"' in page.content()
        page.wait_for_function(f"window.layoutStamp === {second!r}", timeout=WAIT * 1000)
        assert not [e for e in view.errors if e.startswith("pageerror")], view.errors
    finally:
        stop.set()
        thread.join(WAIT)
        if view is not None:
            view.context.close()
    assert not thread.is_alive() and failed == []
    assert said[0].startswith("正在监视 ") and "（按 Ctrl-C 停止）" in said[0]
    assert "与上一次有效布局相比的变化：" in said
    assert previous_copies(out) == []
