"""`layout watch`: re-solve a constraint file on every save into an ordinary results folder, for people who edit in
their own editor.

The file's folder is followed with watchfiles (the operating system's notifications, so an editor's save by rename
counts too). Each save is solved into DIR as `layout solve FILE --out DIR --force` would (staged beside DIR, moved into
place only when complete: a save that does not load or solve leaves the last good DIR as it was); then DIR/map.html
is redrawn live (`layout.views.maps.elements.live_reload`) and DIR/reload.js gets the run's stamp, so an open map
reloads itself. The previous good run is kept as a copy beside DIR (`.DIR.previous-*`, removed at exit) for the
changes printed after each summary; DIR itself stays an ordinary results folder (its manifest lists reload.js).

The solving, drawing and comparing are passed in (`layout.api.watch` passes its own `solve`, `write_map` and
`compare_text`): this module only follows the file and keeps the runs in order.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

from layout.errors import InputError, LayoutError, Problem
from layout.language import tr, using
from layout.results.staging import check_out, os_problem, write_file
from layout.views.maps.elements import RELOAD_JS, stamp_script

PREVIOUS = "previous"  # the copy of the last good run: .DIR.previous-* beside DIR
WAKE_MS = 5000  # how often the loop looks at FILE even without a notification (a save made while it was solving)


class Solved(Protocol):
    """What a solve returns, as far as the loop reads it (a `layout.api.Result`)."""

    @property
    def language(self) -> str: ...


R = TypeVar("R", bound=Solved)


def new_stamp() -> str:
    """A run's stamp: the clock in nanoseconds, as hex digits (data, never text from an input)."""
    return f"{time.time_ns():x}"


def write_stamp(folder: Path, stamp: str) -> Path:
    """Write DIR/reload.js for the run stamped `stamp` (its manifest updated: DIR stays replaceable)."""
    return write_file(Path(folder) / RELOAD_JS, stamp_script(stamp))


def _signature(file: Path) -> tuple[int, ...] | None:
    """What tells one version of FILE from another on disk (inode, size, times in ns), or None when it is missing."""
    try:
        s = file.stat()
    except OSError:
        return None
    return (s.st_ino, s.st_size, s.st_mtime_ns, s.st_ctime_ns)


def watch(
    file: Path,
    out: Path,
    *,
    solve: Callable[[Path], R],
    live_map: Callable[[Path, str], object],
    compare: Callable[[Path, Path], str],
    solved: Callable[[R], None],
    failed: Callable[[LayoutError], None],
    say: Callable[[str], None],
    lang: str | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Solve `file` into the results folder `out` now and again on every save, until interrupted (or `stop` is set).

    `solve(file)` solves into `out` (replacing it), `live_map(out, stamp)` redraws its map live, `compare(a, b)` is
    the text of the changes from folder a to b. After each good solve `solved(result)` is called, then `say` with the
    changes from the previous good run; a save that does not load or solve calls `failed(error)` and leaves `out` as
    it was. `say` gets every other line, in `lang` (None: the language of the last good run, else the locale's).
    InputError before anything is solved when `out` may not be written (`layout.results.staging.check_out`: a new or
    empty folder, or an earlier result of this program) or `file` is a folder or lies in no folder."""
    from watchfiles import watch as follow

    file, out = Path(file), Path(out)
    folder = file.resolve().parent
    if file.is_dir():
        raise InputError(Problem(str(file), None, "", "a constraint file (YAML)", "a folder"))
    if not folder.is_dir():
        raise InputError(Problem(str(file), None, "", "a constraint file in an existing folder", "no such folder"))
    check_out(out, True, inputs=[file])  # before the first solve: a folder never to be replaced stops it at once
    target = folder / file.name
    spoken = lang  # the language of the lines said here: --lang, else the last good run's
    keep: Path | None = None  # the folder holding the previous good run's copy

    def attempt() -> None:
        nonlocal keep, spoken
        try:
            result = solve(file)
        except LayoutError as e:
            failed(e)
            if keep is not None:
                with using(spoken):
                    say(tr("{folder}/ still holds the last good layout; fix the file and save it again", folder=out))
            return
        except OSError as e:  # reading an input: said like any bad input, and the watch goes on
            failed(InputError(os_problem(e, e.filename if e.filename is not None else file, "", "a readable file")))
            return
        if lang is None:
            spoken = result.language
        try:
            stamp = new_stamp()
            live_map(out, stamp)
            write_stamp(out, stamp)
        except LayoutError as e:  # the folder is written; only its map will not reload itself
            failed(e)
        solved(result)
        previous = None if keep is None else keep / out.name
        if previous is not None and previous.is_dir():
            try:
                text = compare(previous, out)
            except LayoutError as e:  # a copy that cannot be read back: said, and the watch goes on
                failed(e)
            else:
                with using(spoken):
                    say(tr("what changed since the last good layout:"))
                say(text.rstrip("\n"))
        if keep is None:
            keep = Path(tempfile.mkdtemp(prefix=f".{out.name}.{PREVIOUS}-", dir=out.parent))
        copy = keep / out.name
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(out, copy, symlinks=True)

    try:
        with using(spoken):
            say(tr("watching {file}: each save is solved into {folder}/ (Ctrl-C stops)", file=file, folder=out))
        seen = _signature(file)
        attempt()
        for changes in follow(
            folder,
            watch_filter=lambda _change, path: Path(path) == target,
            recursive=False,
            stop_event=stop,
            rust_timeout=WAKE_MS,
            yield_on_timeout=True,
        ):
            now = _signature(file)
            if not changes and now == seen:  # woken by the clock, the file as it was solved
                continue
            seen = now
            with using(spoken):
                say(tr("{file} changed: solving again…", file=file))
            attempt()
    finally:
        if keep is not None:
            shutil.rmtree(keep, ignore_errors=True)
