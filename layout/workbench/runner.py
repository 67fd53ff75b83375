"""Solves in the background, one at a time, each in a child process of its own.

Children are forked from a warm process (multiprocessing's forkserver with the program's modules preloaded: no
import time per edit). Each child starts its own process group and talks to the server through a pipe of its own, so
a newer edit cancels the running solve by killing the group (the solver with it: HiGHS runs inside the child, CBC is
its subprocess) without leaving a half-written message in a shared queue. A cancelled run's folder is removed; a
finished one is numbered in the workspace (`layout.workbench.workspace`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from layout.workbench.workspace import RESULT, RunRecord, Workspace, now

# imported once in the forkserver: every child starts with them loaded
PRELOAD = ["layout.pipeline", "layout.views.maps.render", "layout.views.report", "highspy", "pulp"]
STATUS_OF_EXIT = {2: "bad input", 3: "infeasible", 4: "limit", 1: "failed"}
Emit = Callable[[dict[str, Any]], None]


def headline(metrics: dict) -> dict[str, Any]:
    """The headline of a solved run: the objective, the solver's status and gap, and the optimised layout's headline
    metrics (metrics.json)."""
    from layout.results.metrics import METRICS

    solver = metrics.get("solver") or {}
    optimised = metrics.get("optimised") or {}
    return {
        "objective": solver.get("objective"),
        "gap": solver.get("gap"),
        **{m.key: optimised.get(m.key) for m in METRICS if m.key in optimised},
    }


def solve_edit(
    job: int, file: str, text: str, out: str, lang: str | None, conn: Connection, start: str | None = None
) -> None:
    """The child: solve `text` as the constraint file `file` holds it, into the results folder `out`, starting from
    the layout of the results folder `start` (the previous run's; None: none); tell the server every step, the
    solver's figures while it runs and, last, how it ended (`end`)."""
    os.setsid()  # its own process group: cancelling kills it and any solver it started
    tempfile.tempdir = str(Path(out).parent)  # a solver's files (CBC's model) inside the run: removed if cancelled
    from layout.errors import InputError, LayoutError, shown
    from layout.language import using
    from layout.pipeline import Options, solve_scenario
    from layout.spec.load import load

    def send(kind: str, payload: dict[str, Any]) -> None:
        conn.send((job, kind, payload))

    try:
        spec = load(file, text=text, within=Path(file).parent)  # docs/workbench.md, Security
        send("valid", {})
        options = Options(
            on_progress=lambda p: send("progress", {**asdict(p), "words": p.words()}),
            warn=lambda line: send("warning", {"line": line}),
            geopackage=False,  # as a sweep point's: 0.2 s an edit; `layout solve` on the run's scenario.yaml writes it
            language=lang,
            start=Path(start) if start is not None else None,
        )
        run = solve_scenario(spec, Path(out), options, lambda line: send("step", {"line": line}))
        metrics = run.metrics
        missed = bool(metrics.get("targets_missed"))
        status = str((metrics.get("solver") or {}).get("status", "optimal"))
        send("end", {"status": status, "exit_code": 5 if missed else 0, "headline": headline(metrics)})
    except InputError as e:
        with using(lang or e.language):  # the page's language, else the file's, as the command line prints it
            problems = [{**asdict(p), "expected": shown(p.expected), "found": shown(p.found)} for p in e.problems]
            message = str(e)
        send("end", {"status": "bad input", "exit_code": 2, "message": message, "problems": problems})
    except LayoutError as e:
        send("end", {"status": STATUS_OF_EXIT.get(e.exit_code, "failed"), "exit_code": e.exit_code, "message": str(e)})
    except Exception as e:  # noqa: BLE001 - the server reports it as the run's failure and goes on
        send("end", {"status": "failed", "exit_code": 1, "message": f"{type(e).__name__}: {e}"})
    finally:
        conn.close()


@dataclass
class Job:
    """A solve under way: the edit it stands for (`edit`, the server's sequence number), its text and origin, when it
    started, its pending folder, its process and the reading end of its pipe."""

    edit: int
    text: str
    origin: str
    started: float  # time.monotonic()
    started_at: str
    pending: Path
    process: Any  # multiprocessing's Process of the forkserver context
    reader: Connection


class Runner:
    """One solve at a time for the constraint file `file` (its folder: where its relative paths point), in `lang`
    (None: the file's `language:`, else the locale's). `emit` is called, from the runner's thread, with every event
    (a dict with `type`: started, valid, step, warning, progress, finished, cancelled)."""

    def __init__(self, workspace: Workspace, file: Path, lang: str | None, emit: Emit):
        self.workspace, self.file, self.lang, self.emit = workspace, Path(file), lang, emit
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(PRELOAD)
        self.job: Job | None = None
        self.edits = 0
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.closed = False
        self.thread = threading.Thread(target=self._pump, name="layout-workbench-runner", daemon=True)
        self.thread.start()

    def submit(self, text: str, origin: str = "page") -> int:
        """Solve `text` (cancelling a solve under way); the edit's number."""
        with self.lock:
            self._cancel()
            self.edits += 1
            pending = self.workspace.pending(text)
            start = self.workspace.latest_result()  # an edit's layout is often close to the last one's
            reader, writer = self.context.Pipe(duplex=False)
            process = self.context.Process(
                target=solve_edit,
                args=(
                    self.edits,
                    str(self.file),
                    text,
                    str(pending / RESULT),
                    self.lang,
                    writer,
                    str(start) if start is not None else None,
                ),
                daemon=True,
            )
            process.start()
            writer.close()  # the child holds the other end: end of file once it exits
            self.job = Job(self.edits, text, origin, time.monotonic(), now(), pending, process, reader)
            self.emit({"type": "started", "edit": self.edits, "origin": origin})
        self.wake.set()
        return self.edits

    def cancel(self) -> None:
        """Stop the solve under way, if any."""
        with self.lock:
            self._cancel()

    def close(self) -> None:
        """Cancel and stop the runner's thread."""
        self.closed = True
        self.cancel()
        self.wake.set()

    def running(self) -> dict[str, Any] | None:
        """The solve under way (its edit and origin), or None."""
        job = self.job
        return None if job is None else {"edit": job.edit, "origin": job.origin, "started": job.started_at}

    def _cancel(self) -> None:
        job, self.job = self.job, None
        if job is None:
            return
        _kill(job.process)
        job.reader.close()
        self.workspace.discard(job.pending)
        self.emit({"type": "cancelled", "edit": job.edit})

    def _pump(self) -> None:
        """The runner's thread: read the current child's messages and pass them on; number its run when it ends."""
        while not self.closed:
            job = self.job
            if job is None:
                self.wake.wait(0.5)
                self.wake.clear()
                continue
            try:
                ready = wait([job.reader], timeout=0.2)
            except OSError:  # closed by a cancel meanwhile
                continue
            if not ready:
                continue
            try:
                message = job.reader.recv()
            except (EOFError, OSError):
                message = (job.edit, "end", {"status": "failed", "exit_code": 1, "message": "the solve ended unheard"})
            try:
                self._take(job, message)
            except Exception as e:  # noqa: BLE001 - the runner goes on; the page hears why this run was lost
                with self.lock:
                    if self.job is job:
                        self.job = None
                        self.workspace.discard(job.pending)
                lost = {"number": 0, "status": "failed", "message": f"{type(e).__name__}: {e}", "solved": False}
                self.emit({"type": "finished", "edit": job.edit, "run": lost})

    def _take(self, job: Job, message: tuple) -> None:
        """One message of `job`'s child: passed on, or, at its end, the run numbered and announced."""
        with self.lock:
            if self.job is not job:  # cancelled meanwhile
                return
            edit, kind, payload = message
            if kind != "end":
                self.emit({"type": kind, "edit": edit, **payload})
                return
            self.job = None
            job.process.join(5)
            job.reader.close()
            record = RunRecord(
                0,
                job.started_at,
                round(time.monotonic() - job.started, 3),
                str(payload.get("status")),
                int(payload.get("exit_code", 1)),
                job.origin,
                payload.get("headline") or {},
                str(payload.get("message") or ""),
                list(payload.get("problems") or []),
            )
            record = self.workspace.finish(job.pending, record)
            self.emit({"type": "finished", "edit": edit, "run": asdict(record) | {"solved": record.solved}})


def _kill(process: Any) -> None:
    """Kill a child and its process group (the solver it started), and reap it."""
    if process.pid is None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):  # no group yet (before its setsid) or already gone
        process.kill()
    process.join(5)
