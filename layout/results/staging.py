"""Results folders: what --out and --force may replace (README, "Results folders"), decided in one place.

`check_out` is the contract. The folder named is resolved first (`..` folded, links in its parents
followed; a link as the folder itself is refused). It is written only when it is new or empty, or — with
--force — when it is a result this program wrote: its manifest.json lists every file under it with size
and sha256, and the folder holds those files unchanged and nothing else. The current folder, its parents
and a folder holding an input of the run are never written. A run holds an exclusive lock (`flock` on
`.DIR.lock` beside DIR) from its check to its final rename, so a second run into DIR fails (exit 2).

Output is staged in `.DIR.partial-<pid>-*` beside DIR and moved into place only when complete: a failed or
interrupted run leaves no half-written DIR and nothing beside it. Every OS error on output is an InputError
(exit 2) naming the path.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import inspect
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from layout.errors import InputError, Problem, phrase
from layout.paths import current_umask

MANIFEST = "manifest.json"
# in a staged folder until it is sealed: proof that a leftover is this program's
STAGING_MARK = ".cluster-layout-staging"
PROGRAM = "cluster-layout"
NAME_MAX = 255  # bytes in one file name (Linux, macOS, Windows)
_HIDDEN_ROOM = len("..partial-4194304-abcdefgh")  # the longest hidden name beside DIR is '.' DIR '.partial-<pid>-<8>'
_MANIFEST_MAX = 64 << 20  # a larger manifest.json is not one this program wrote
WRITABLE = phrase("a folder that can be created and written")
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Kind:
    """A folder a run adds to and resumes (a sweep, a Pareto front): its marker file and the names it holds."""

    marker: str
    names: frozenset[str]


# ---------------------------------------------------------------- OS errors


def os_problem(e: OSError, path: str | Path, option: str = "", expected: str = WRITABLE) -> Problem:
    """An OS error met at `path` as a Problem: the error's text, its errno name and the file it concerns."""
    code = errno.errorcode.get(e.errno or 0, "")
    found = f"{e.strerror or e}" + (f" ({code})" if code else "")
    if e.filename is not None and os.fspath(e.filename) != os.fspath(path):
        found += f": {os.fsdecode(e.filename)}"
    return Problem(str(path), None, option, expected, found)


@contextlib.contextmanager
def _os_errors(path: str | Path, option: str, expected: str = WRITABLE) -> Iterator[None]:
    """Turn an OSError in the block into InputError (exit 2) about `path`."""
    try:
        yield
    except OSError as e:
        raise InputError(os_problem(e, path, option, expected)) from None


# ---------------------------------------------------------------- the contract


def resolve_out(out: str | Path, option: str = "--out") -> Path:
    """The folder `out` names: absolute, `..` folded and links in its parents followed, as the OS reads the path.

    A symbolic link as the folder itself (dangling or not) is refused: the results would land where the link
    points, not where it was named, and replacing it would replace the link. So is a name too long to leave
    room for the hidden working names beside it. Raises InputError; an OSError passes through.
    """
    text = os.fspath(out) or "."
    head, tail = os.path.split(text.rstrip(os.sep) or text)
    if tail in ("", ".", ".."):
        return Path(os.path.realpath(text))
    if len(os.fsencode(tail)) + _HIDDEN_ROOM > NAME_MAX:
        raise InputError(
            Problem(
                text,
                None,
                option,
                f"a folder name of at most {NAME_MAX - _HIDDEN_ROOM} bytes (hidden working names beside it add more)",
                f"{len(os.fsencode(tail))} bytes",
            )
        )
    target = Path(os.path.realpath(head or "."), tail)
    if target.is_symlink():
        raise InputError(
            Problem(
                text,
                None,
                option,
                "a folder, not a symbolic link (give the folder it points to)",
                f"a link to {os.readlink(target)}",
            )
        )
    return target


def _refuse_cwd(target: Path, given: str, option: str) -> None:
    """Refuse the current folder or one of its parents (the root among them) as a folder to write."""
    cwd = Path.cwd().resolve()
    if target in (cwd, *cwd.parents):
        raise InputError(
            Problem(
                given,
                None,
                option,
                phrase("a new folder for the results"),
                phrase("the current folder or one of its parents"),
            )
        )


def check_out(
    out: str | Path, force: bool, *, option: str = "--out", inputs: Iterable[str | Path] = (), kind: Kind | None = None
) -> Path:
    """Return the folder `out` resolves to if this run may write it; else raise InputError (exit 2). Writes nothing.

    Refused: a link as the folder, the current folder or one of its parents, a folder holding any of `inputs`
    (at any depth), an existing file, a path under a file or in a folder that cannot be written, and a non-empty
    folder that is not a result of this program (`not_ours`). An earlier result is replaced only with `force`.
    With `kind`, a non-empty folder must be an earlier one of that kind (its marker written by this program,
    only its names in it): it is resumed, not replaced. Leftovers of killed runs beside DIR are removed first.
    """
    given = str(out)

    def refuse(expected: str, found: str) -> InputError:
        return InputError(Problem(given, None, option, expected, found))

    with _os_errors(given, option):
        target = resolve_out(out, option)
        clean_stale(target)  # first: a restored earlier result must count as one
        _refuse_cwd(target, given, option)
        held = [f for f in map(os.path.realpath, inputs) if Path(f) == target or target in Path(f).parents]
        if held:
            raise refuse(
                phrase("a folder that does not hold an input of this run"), phrase("it holds {path}", path=held[0])
            )
        if target.exists() and not target.is_dir():
            raise refuse(phrase("a folder path"), phrase("an existing file"))
        if target.is_dir() and any(target.iterdir()):
            if kind is not None:
                why = _not_kind(target, kind)
                if why is not None:
                    raise refuse(
                        f"a new or empty folder, or an earlier one of this kind (with {kind.marker}) to resume", why
                    )
                return target
            why = not_ours(target)
            if why is not None:
                raise refuse(
                    phrase("a new or empty folder (--force replaces only an earlier result)"),
                    phrase("a folder that is not a result of this program ({why})", why=why)
                    if why
                    else phrase("a folder that is not a result of this program"),
                )
            if not force:
                raise refuse(phrase("a new or empty folder, or --force to replace it"), phrase("an earlier result"))
        _check_ancestor(target, given, option)
    return target


def _check_ancestor(target: Path, given: str, option: str) -> None:
    """The nearest existing folder above `target` must be a folder this process may write."""
    ancestor = next(p for p in target.parents if os.path.lexists(p))
    if not ancestor.is_dir():
        what = "a symbolic link that leads nowhere or in a loop" if not ancestor.exists() else "not a folder"
        raise InputError(Problem(given, None, option, WRITABLE, f"{ancestor} is {what}"))
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputError(Problem(given, None, option, WRITABLE, f"{ancestor} is not writable"))


def not_ours(folder: Path) -> str | None:
    """None when `folder` is a result this program wrote: its manifest lists every file under it, and each is there
    unchanged (size and sha256). Otherwise why not: "" when it has no manifest.json at all, else a short reason."""
    files = _listed(folder / MANIFEST)
    if files is None:
        return (
            ""
            if not os.path.lexists(folder / MANIFEST)
            else f"its {MANIFEST} is another program's, or an older version's without the list of its files"
        )
    found: list[tuple[str, Path]] = []
    for root, dirs, names in os.walk(folder, onerror=_raise):
        for name in sorted(dirs) + sorted(names):
            p = Path(root, name)
            rel = p.relative_to(folder).as_posix()
            mode = os.lstat(p).st_mode
            if stat.S_ISLNK(mode):
                return f"{rel} is a symbolic link"
            if stat.S_ISDIR(mode):
                if not any(f.startswith(rel + "/") for f in files):
                    return f"{rel}/ is not listed in its {MANIFEST}"
            elif rel != MANIFEST:
                if rel not in files or not stat.S_ISREG(mode):
                    return f"{rel} is not listed in its {MANIFEST}"
                found.append((rel, p))
    for rel, p in found:
        if _entry(p) != files[rel]:
            return f"{rel} changed since this program wrote it"
    return None


def _raise(e: OSError) -> None:
    raise e


def _not_kind(folder: Path, kind: Kind) -> str | None:
    """None when `folder` is an earlier folder of `kind` (marker written by this program, nothing but its names), else why not."""
    marker = folder / kind.marker
    if not marker.is_file():
        return "a folder that is not"
    data = _read_json(marker)
    if not isinstance(data, dict) or data.get("program") != PROGRAM:
        return f"a {kind.marker} this program did not write"
    for p in sorted(folder.iterdir()):
        if p.name not in kind.names and not any(p.name.startswith(f".{n}.") for n in kind.names):
            return f"a folder that also holds {p.name}"
    return None


def _read_json(path: Path) -> Any:
    """A small JSON file's content, or None when it is not one."""
    try:
        if path.stat().st_size > _MANIFEST_MAX:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _listed(manifest: Path) -> dict[str, dict] | None:
    """The files a manifest of this program lists (relative path -> {bytes, sha256}), or None."""
    data = _read_json(manifest) if manifest.is_file() and not manifest.is_symlink() else None
    if not isinstance(data, dict) or data.get("program") != PROGRAM or not isinstance(data.get("files"), dict):
        return None
    return data["files"]


def _entry(path: Path) -> dict:
    """A file's manifest entry: its size and sha256."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return {"bytes": size, "sha256": digest.hexdigest()}


def seal(folder: Path) -> None:
    """Record every file under `folder` (size and sha256) in its manifest.json (written if missing), so that a later
    --force can tell the folder is this program's and unchanged."""
    manifest = folder / MANIFEST
    data = _read_json(manifest) if manifest.is_file() else None
    data = data if isinstance(data, dict) else {}
    files = {
        p.relative_to(folder).as_posix(): _entry(p) for p in sorted(folder.rglob("*")) if p.is_file() and p != manifest
    }
    write_json(manifest, {**data, "program": PROGRAM, "files": files})


# ---------------------------------------------------------------- the lock

_HELD: dict[tuple[int, Path], int] = {}  # (thread, folder) -> depth: a run that holds a lock may take it again


def _lock_file(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


_LOCK_TEXT = re.compile(rb"(\d{1,10}\n)?")  # what a lock of this program holds: nothing yet, or its process number


def _ours(fd: int, st: os.stat_result) -> bool:
    """Whether the open file `fd` (its `st`) can be this program's lock: a regular file of one name (never a hard link
    to a user's file) holding nothing or a process number. Anything else is a user's file named like the lock."""
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_size > 16:
        return False
    return _LOCK_TEXT.fullmatch(os.pread(fd, 17, 0)) is not None


def _refused(given: str, option: str, expected: str, found: str) -> InputError:
    """The error of a folder `given` to `option` whose lock this run cannot take."""
    return InputError(Problem(given, None, option, expected, found))


def _acquire(target: Path, given: str, option: str) -> int:
    """Take the exclusive lock of `target` (`.DIR.lock` beside it) or raise InputError when another run holds it."""
    path = _lock_file(target)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            raise _refused(
                given,
                option,
                phrase("a folder no other run is writing"),
                phrase("another run (process {pid}) is writing it now", pid=holder)
                if holder.isdigit()
                else phrase("another run is writing it now"),
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            st = os.fstat(fd)
            same = os.path.samestat(st, os.stat(path))  # the file may have been released (unlinked) meanwhile
        except FileNotFoundError:
            same = False
        if same and not _ours(fd, st):  # a user's file of that name (a hard link to one): never written
            os.close(fd)
            what = (
                ("a file with other names (hard links)" if st.st_nlink != 1 else "a file of other content")
                if stat.S_ISREG(st.st_mode)
                else "not a file"
            )
            raise _refused(given, option, f"a lock file {path.name} of this program's own", f"{path} is {what}")
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)


@contextlib.contextmanager
def _locked(target: Path, given: str, option: str) -> Iterator[None]:
    """Hold the lock of `target` for the block (again, if this thread holds it already); the lock file goes with it."""
    key = (threading.get_ident(), target)
    if _HELD.get(key):
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    with _os_errors(given, option):
        fd = _acquire(target, given, option)
    _HELD[key] = 1
    try:
        yield
    finally:
        del _HELD[key]
        with contextlib.suppress(OSError):
            os.unlink(_lock_file(target))
        os.close(fd)


@contextlib.contextmanager
def _holding(target: Path, given: str, option: str) -> Iterator[None]:
    """Hold `target`'s lock, making its missing parents for the lock file; they are removed again (when empty) if the
    block leaves no `target`."""
    made: list[Path] = []
    try:
        with _os_errors(given, option):
            _check_ancestor(target, given, option)
            _make_parents(target, made)
        with _locked(target, given, option):
            yield
    finally:
        if not os.path.lexists(target):
            _remove_made(made)


def _make_parents(path: Path, made: list[Path]) -> None:
    """Make the missing folders above `path`, recording in `made` each one made (to remove them again)."""
    missing, p = [], path.parent
    while not os.path.lexists(p):
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(d)
            made.append(d)


def _remove_made(made: list[Path]) -> None:
    """Remove the folders `_make_parents` made, deepest first, as long as they are empty."""
    for d in reversed(made):
        try:
            os.rmdir(d)
        except OSError:
            break


@contextlib.contextmanager
def claimed(
    out: str | Path, force: bool, *, option: str = "--out", inputs: Iterable[str | Path] = (), kind: Kind | None = None
) -> Iterator[Path]:
    """`check_out`, then hold DIR's lock for the block and yield DIR (checked again under the lock)."""
    inputs = list(inputs)
    target = check_out(out, force, option=option, inputs=inputs, kind=kind)
    with _holding(target, str(out), option):
        yield check_out(out, force, option=option, inputs=inputs, kind=kind)


def holds_out(param: str = "out_dir", option: str = "--out") -> Callable[[F], F]:
    """Decorator: the call holds the lock of the folder named by its argument `param` from start to end (a sweep or
    a front adds to its folder over a whole run; the run checks the folder itself, with `check_out` and a `Kind`)."""

    def wrap(fn: F) -> F:
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            out = sig.bind(*args, **kwargs).arguments[param]
            with _os_errors(str(out), option):
                target = resolve_out(out, option)
                _refuse_cwd(target, str(out), option)  # before its lock, which sits beside it (none beside the root)
            with _holding(target, str(out), option):
                return fn(*args, **kwargs)

        return run  # type: ignore[return-value]

    return wrap


# ---------------------------------------------------------------- leftovers of killed runs


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
    the two renames: the earlier result is restored), else deleted. A lock file no run holds is removed too.
    Only what proves to be this program's is touched (`_left_by_us`): a user's folder of a similar name stays.
    """
    target, done = Path(os.path.abspath(out)), list[Path]()
    if not target.name:  # the root: nothing beside it (`check_out` refuses it, a parent of every folder)
        return done
    if _remove_unheld_lock(target):
        done.append(_lock_file(target))
    try:
        leftovers = sorted(target.parent.glob(f".{_glob_escape(target.name)}.*-*")) if target.parent.is_dir() else []
        for p in leftovers:
            kind, _, rest = p.name[len(target.name) + 2 :].partition("-")
            pid = rest.split("-", 1)[0]
            if (
                kind not in ("partial", "old")
                or not pid.isdigit()
                or _pid_alive(int(pid))
                or not _left_by_us(p, kind, pid)
            ):
                continue
            if kind == "old" and not target.exists():
                p.rename(target)
            else:
                shutil.rmtree(p, ignore_errors=True)
            done.append(p)
    except OSError:  # best effort: a folder we may not read or change is left alone
        pass
    return done


def _left_by_us(p: Path, kind: str, pid: str) -> bool:
    """Whether a `.DIR.partial-<pid>-*` / `.DIR.old-<pid>` folder is this program's: a staged folder holds its
    STAGING_MARK naming the process (or, once sealed, passes `not_ours`); an old one is an earlier result that
    passes `not_ours`."""
    if p.is_symlink() or not p.is_dir():
        return False
    mark = p / STAGING_MARK
    if kind == "partial" and mark.is_file() and not mark.is_symlink() and mark.stat().st_size < 64:
        return mark.read_text(errors="replace") == pid
    return not_ours(p) is None


def _remove_unheld_lock(target: Path) -> bool:
    """Remove `.DIR.lock` when no run holds it (one killed with SIGKILL left it); whether it was removed."""
    path = _lock_file(target)
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while any run (this one too) holds it
        st = os.fstat(fd)
        if os.path.samestat(st, os.stat(path)) and _ours(fd, st):
            os.unlink(path)
            return True
    except OSError:
        pass
    finally:
        os.close(fd)
    return False


def _glob_escape(name: str) -> str:
    """A file name with glob characters escaped."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


# ---------------------------------------------------------------- writing


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
        for number in caught[:1]:
            signal.raise_signal(number)


@contextlib.contextmanager
def staged_output(
    out: Path, force: bool, *, option: str = "--out", inputs: Iterable[str | Path] = ()
) -> Iterator[Path]:
    """Yield a temporary folder; when the block succeeds, seal it (`seal`) and move it to `out` (`check_out` decides,
    again, just before: an earlier result is replaced only with force).

    DIR's lock is held throughout (`claimed`). The temporary folder `.DIR.partial-<pid>-*` sits beside DIR (same file
    system: the final move is one rename). The swap of an earlier result for the new one is two renames and a
    delete with Ctrl-C held until done; if the second rename fails, the earlier result is put back. Any OSError
    (full disk, read-only folder, ...) is an InputError, and nothing is left behind.
    """
    inputs = list(inputs)
    with claimed(out, force, option=option, inputs=inputs) as target:
        with _os_errors(str(out), option):
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-{os.getpid()}-", dir=target.parent))
        try:
            tmp.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; the result is an ordinary folder
            (tmp / STAGING_MARK).write_text(str(os.getpid()))
            yield tmp
            (tmp / STAGING_MARK).unlink()
            seal(tmp)
            # what DIR holds now (it may have changed during the run)
            check_out(out, force, option=option, inputs=inputs)
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
        except BaseException as e:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(e, OSError):
                if e.filename is not None:  # name the file as it would have been in DIR
                    e.filename = os.fsdecode(e.filename).replace(str(tmp), str(target))
                raise InputError(os_problem(e, out, option)) from None
            raise


def remove_result(folder: Path, option: str = "--out") -> None:
    """Delete a results folder of this program (what --force may replace, by `check_out`), under its lock."""
    with claimed(folder, True, option=option) as target, _os_errors(str(folder), option):
        if target.exists():
            shutil.rmtree(target)


def check_file(path: Path, option: str = "") -> None:
    """Refuse (InputError) a file path that is a folder or lies under a file or in a folder that cannot be written."""
    with _os_errors(str(path), option, phrase("a file path that can be written")):
        if path.is_dir():
            raise InputError(Problem(str(path), None, option, phrase("a file path"), phrase("a folder")))
        _check_ancestor(Path(os.path.abspath(path)), str(path), option)


REDRAWN = (".html", ".png")  # pages and figures: what a file path given to `layout map` / `layout report` may replace


def check_chosen(path: Path, option: str = "", force: bool = False) -> None:
    """Refuse (InputError) a file path the user named (`--png`, `report --out`) that would cost them a file: an
    existing file is replaced only with `force`, and inside a results folder of this program only a page or figure
    it wrote there (listed in its manifest, unchanged), never its data, `force` or not."""
    path = Path(path)
    check_file(path, option)
    if not os.path.lexists(path):
        return
    with _os_errors(str(path), option, phrase("a file path that can be written")):
        if path.is_symlink():
            raise InputError(
                Problem(str(path), None, option, "a file path, not a symbolic link", f"a link to {os.readlink(path)}")
            )
        owner = _owner(path)
        if owner is not None:
            files = _listed(owner / MANIFEST) or {}
            rel = _relative(path, owner)
            if rel in files and path.suffix.lower() in REDRAWN and _entry(path) == files[rel]:
                return
            raise InputError(
                Problem(
                    str(path),
                    None,
                    option,
                    "a new file, or a page or figure this program wrote there",
                    f"a file of the results folder {owner} (its data: never replaced)",
                )
            )
        if not force:
            raise InputError(
                Problem(
                    str(path), None, option, phrase("a new file, or --force to replace it"), phrase("an existing file")
                )
            )


def write_file(path: Path, data: bytes, option: str = "", *, chosen: bool = False, force: bool = False) -> Path:
    """Write `path` whole (a temporary file beside it, renamed over it) and return it; a folder at `path` or an OS
    error is an InputError, and nothing is left behind. A path the user `chosen` (not one of the program's own
    pages) is checked by `check_chosen` first (`force`: the user asked to replace an existing file).

    When `path` lies in a results folder of this program (the nearest folder above it whose manifest lists files)
    and that manifest lists it, or it sits in that folder itself, its entry is updated under the folder's lock:
    a map or report redrawn by `layout map` / `layout report` keeps the folder verifiable (`not_ours`).
    """
    path = Path(path)
    if chosen:
        check_chosen(path, option, force)
    check_file(path, option)
    with _os_errors(str(path), option, phrase("a file path that can be written")):
        owner = _owner(path)
        if owner is None:
            _atomic_write(path, data)
            return path
        with _locked(owner, str(owner), option):
            _atomic_write(path, data)
            files = _listed(owner / MANIFEST)
            if files is not None:
                manifest = json.loads((owner / MANIFEST).read_text(encoding="utf-8"))
                manifest["files"] = {**files, _relative(path, owner): _entry(path)}
                _atomic_write(owner / MANIFEST, _json_bytes(manifest))
    return path


def _relative(path: Path, folder: Path) -> str:
    return (Path(os.path.realpath(path.parent)) / path.name).relative_to(folder).as_posix()


def _owner(path: Path) -> Path | None:
    """The results folder of this program whose manifest `path` belongs to (see `write_file`), or None."""
    parent = Path(os.path.realpath(path.parent))
    for folder in (parent, *parent.parents):
        files = _listed(folder / MANIFEST)
        if files is not None:
            return folder if folder == parent or _relative(path, folder) in files else None
    return None


def _atomic_write(path: Path, data: bytes) -> None:
    """Write a file through a temporary file beside it; on failure, remove it and the folders made for it."""
    made: list[Path] = []
    try:
        _make_parents(path, made)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes it private; the file is an ordinary one
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except BaseException:
        _remove_made(made)
        raise


def _json_bytes(data: dict) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")


def write_json(path: Path, data: dict) -> None:
    """JSON with sorted keys and a trailing newline (byte-stable)."""
    path.write_bytes(_json_bytes(data))
