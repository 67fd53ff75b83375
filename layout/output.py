"""Results folders: checked before solving, staged, written whole or not at all.

Output is written to a temporary folder beside DIR and moved into place only when complete: a failed
or interrupted run leaves no half-written DIR and an earlier result is replaced only with --force.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from layout.errors import InputError, Problem
from layout.paths import current_umask

MANIFEST = "manifest.json"


def _absolute(out: Path) -> Path:
    """`out` as an absolute path with `..` and `.` folded (so `--out .` and `--out ..` have a name)."""
    return Path(os.path.abspath(out))


def check_out(out: Path, force: bool) -> None:
    """Refuse a DIR that would replace something other than an earlier result (checked before solving).

    An earlier result (a folder with manifest.json) is replaced only with --force; a non-empty folder that is
    not a result, the current folder or one of its parents is never replaced, --force or not.
    """
    target = _absolute(out)
    clean_stale(target)  # first: a restored earlier result must count as one
    if out.exists() and not out.is_dir():
        raise InputError(Problem(str(out), None, "--out", "a folder path", "an existing file"))
    cwd = Path.cwd().resolve()
    if target.resolve() in (cwd, *cwd.parents):
        raise InputError(Problem(str(out), None, "--out", "a new folder for the results", "the current folder or one of its parents"))
    if out.is_dir() and any(out.iterdir()):
        if not (out / MANIFEST).is_file():
            raise InputError(Problem(str(out), None, "--out", "a new or empty folder (--force replaces only an earlier result)",
                                     "a folder that is not a result of this program"))
        if not force:
            raise InputError(Problem(str(out), None, "--out", "a new or empty folder, or --force to replace it", "an earlier result"))
    ancestor = next(p for p in (target, *target.parents) if p.exists())
    if not ancestor.is_dir() or not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputError(Problem(str(out), None, "--out", "a folder that can be created and written",
                                 f"{ancestor} is {'not a folder' if not ancestor.is_dir() else 'not writable'}"))


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def clean_stale(out: Path) -> list[Path]:
    """Remove what killed runs left beside DIR; return what was removed or restored.

    A run stages into `.DIR.partial-<pid>-*` and, while swapping, keeps the earlier result as `.DIR.old-<pid>`.
    A process killed with SIGKILL cannot clean up, so the next run does: partial folders of dead processes are
    deleted; an old folder of a dead process is moved back to DIR when DIR is missing (the kill came between
    the two renames: the earlier result is restored), else deleted.
    """
    target, done = _absolute(out), []
    try:
        leftovers = sorted(target.parent.glob(f".{_glob_escape(target.name)}.*-*")) if target.parent.is_dir() else []
        for p in leftovers:
            kind, _, rest = p.name[len(target.name) + 2:].partition("-")
            pid = rest.split("-", 1)[0]
            if kind not in ("partial", "old") or not pid.isdigit() or _pid_alive(int(pid)):
                continue
            if kind == "old" and not target.exists():
                p.rename(target)
            else:
                shutil.rmtree(p, ignore_errors=True)
            done.append(p)
    except OSError:  # best effort: a folder we may not read or change is left alone
        pass
    return done


def _glob_escape(name: str) -> str:
    """A file name with glob characters escaped."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM while the block runs (main thread only), then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {s: signal.signal(s, lambda n, _f: caught.append(n)) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for s in caught[:1]:
            signal.raise_signal(s)


@contextlib.contextmanager
def staged_output(out: Path, force: bool) -> Iterator[Path]:
    """Yield a temporary folder; on success move it to `out` (replacing it only with force).

    The temporary folder `.DIR.partial-<pid>-*` sits beside DIR (same file system: the final move is one
    rename). Leftovers of killed runs are removed first (`check_out` calls `clean_stale`). The swap of an earlier
    result for the new one is two renames and a delete with Ctrl-C held until done; if the second rename fails,
    the earlier result is put back.
    """
    check_out(out, force)
    target = _absolute(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-{os.getpid()}-", dir=target.parent))
    except OSError as e:
        raise InputError(Problem(str(out), None, "--out", "a folder that can be created and written", f"{type(e).__name__}: {e.strerror}")) from None
    tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; the result is an ordinary folder
    try:
        yield tmp
        old = None
        with _interrupts_deferred():
            if target.exists():
                old = target.with_name(f".{target.name}.old-{os.getpid()}")
                target.rename(old)
            try:
                tmp.rename(target)
            except BaseException:
                if old is not None and not target.exists():
                    old.rename(target)
                raise
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_json(path: Path, data: dict) -> None:
    """JSON with sorted keys and a trailing newline (byte-stable)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")
