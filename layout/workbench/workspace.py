"""The workbench's workspace: every run kept, numbered, in one folder the workbench owns.

    WORKSPACE/workspace.json    marks the folder as a workspace (the program and the constraint file it serves)
    WORKSPACE/runs/001/         one run: scenario.yaml (the text that was solved, byte for byte), run.json (when, how
                                long, its status, headline metrics or the error in words) and, when it solved,
                                result/ — an ordinary results folder, as `layout solve --out` writes it
    WORKSPACE/runs/.pending-*/  a run under way; renamed to the next number when it ends, removed if it is cancelled

A folder that holds anything else is never taken as a workspace (nothing the user did not ask to replace is lost).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from layout.errors import InputError, Problem
from layout.results.start import usable_start

MARKER = "workspace.json"
RUNS = "runs"
SCENARIO = "scenario.yaml"
RECORD = "run.json"
RESULT = "result"
PENDING = ".pending-"
PROGRAM = "cluster-layout workbench"


@dataclass
class RunRecord:
    """run.json: one run as the workbench lists it. `status`: the solver's (optimal, feasible) or what stopped it
    (bad input, infeasible, limit, failed); `seconds` from the edit's arrival to the written folder; `headline`: the
    optimised layout's headline metrics and the objective (metrics.json); `message`: the error in words, `problems`
    the located ones (file, line, key, expected, found); `origin`: 'page' (an edit in the page) or 'disk' (a save)."""

    number: int
    started: str  # ISO 8601, local time with offset
    seconds: float
    status: str
    exit_code: int
    origin: str = "page"
    headline: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def solved(self) -> bool:
        """Whether the run left a results folder (a layout, optimal or at a limit)."""
        return self.status in ("optimal", "feasible")


class Workspace:
    """The workspace folder of one constraint file: created on first use, refused if it holds anything else."""

    def __init__(self, folder: Path, file: Path):
        self.folder = Path(folder)
        self.runs = self.folder / RUNS
        marker = self.folder / MARKER
        if self.folder.exists():
            if not self.folder.is_dir():
                raise InputError(Problem(str(self.folder), None, "--workspace", "a folder", "a file"))
            if not marker.is_file() and any(self.folder.iterdir()):
                raise InputError(
                    Problem(
                        str(self.folder),
                        None,
                        "--workspace",
                        "a new or empty folder, or a workspace of `layout serve` (workspace.json in it)",
                        "a folder holding other files (they are never replaced)",
                    )
                )
        self.runs.mkdir(parents=True, exist_ok=True)
        if not marker.is_file():
            marker.write_text(
                json.dumps({"program": PROGRAM, "file": str(Path(file).resolve())}, indent=2) + "\n", encoding="utf-8"
            )
        self._claim: Any = None

    def claim(self) -> None:
        """Hold the workspace for this server until the process ends (a lock on workspace.json), and remove the runs
        a stopped server left under way. InputError if another server holds it: two servers would number runs over
        each other and remove each other's runs under way."""
        import fcntl

        handle = (self.folder / MARKER).open("rb")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise InputError(
                Problem(
                    str(self.folder),
                    None,
                    "--workspace",
                    "a workspace no other `layout serve` is using",
                    "one in use (stop the other server, or give --workspace another folder)",
                )
            ) from None
        self._claim = handle  # kept open: the lock lasts as long as the process
        for stale in self.runs.glob(PENDING + "*"):  # runs a stopped server left under way
            shutil.rmtree(stale, ignore_errors=True)

    def pending(self, text: str) -> Path:
        """A new folder for a run under way, holding the text it solves (scenario.yaml)."""
        data = text.encode("utf-8")  # first: a text no file can hold leaves no folder behind
        path = Path(tempfile.mkdtemp(prefix=PENDING, dir=self.runs))
        (path / SCENARIO).write_bytes(data)
        return path

    def finish(self, pending: Path, record: RunRecord) -> RunRecord:
        """Number the run (the next after the last), write its run.json and move it into place."""
        record.number = self.last() + 1
        (pending / RECORD).write_text(json.dumps(asdict(record), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.rename(pending, self.folder_of(record.number))
        return record

    def discard(self, pending: Path) -> None:
        """Remove a cancelled run's folder (only a pending folder of this workspace)."""
        if pending.parent == self.runs and pending.name.startswith(PENDING):
            shutil.rmtree(pending, ignore_errors=True)

    def folder_of(self, number: int) -> Path:
        return self.runs / f"{number:03d}"

    def last(self) -> int:
        """The number of the last run (0: none yet)."""
        return max((int(p.name) for p in self.runs.iterdir() if p.name.isdigit()), default=0)

    def record(self, number: int) -> RunRecord | None:
        """Run `number`'s record, or None if there is no such run."""
        path = self.folder_of(number) / RECORD
        if number < 1 or not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        known = set(RunRecord.__dataclass_fields__)
        return RunRecord(**{k: v for k, v in data.items() if k in known})

    def records(self) -> list[RunRecord]:
        """Every run, oldest first."""
        numbers = sorted(int(p.name) for p in self.runs.iterdir() if p.name.isdigit())
        return [r for r in (self.record(n) for n in numbers) if r is not None]

    def result(self, number: int) -> Path | None:
        """Run `number`'s results folder, or None if it left none."""
        path = self.folder_of(number) / RESULT
        return path if path.is_dir() else None

    def latest_result(self) -> Path | None:
        """The results folder of the newest run that left a layout and reads as a start (the next solve starts from
        it; a run written by another version or damaged is passed over), or None."""
        numbers = sorted((int(p.name) for p in self.runs.iterdir() if p.name.isdigit()), reverse=True)
        for number in numbers:
            record = self.record(number)
            path = self.result(number)
            if record is not None and record.solved and path is not None and usable_start(path):
                return path
        return None

    def text(self, number: int) -> str | None:
        """The constraint text run `number` solved (None if its folder has none)."""
        path = self.folder_of(number) / SCENARIO
        return path.read_bytes().decode("utf-8", "replace") if path.is_file() else None


def now() -> str:
    """The time of day as run.json records it (ISO 8601, seconds, local offset)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
