"""Reading input files with a size limit: constraint files, data files and results folders.

Every file the program reads on a user's behalf goes through `read_bytes` / `read_text` (or, for a file another
library opens, `not_readable`), and is read only if it is a regular file no larger than its limit: `layout
validate /dev/zero`, a FIFO or a multi-gigabyte file is bad input (exit 2) with a sentence, not a read that
never ends or fills the memory. The limits (README, "Input files"):

* TEXT_LIMIT, 64 MiB: constraint files (YAML), indicator CSVs, and the JSON and CSV files of a results folder;
* GEO_LIMIT, 2 GiB: boundary files (GeoJSON, GeoPackage), which GDAL reads (checked here, read there).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from layout.errors import InputError, Problem, phrase

MiB = 2**20
TEXT_LIMIT = 64 * MiB
GEO_LIMIT = 2048 * MiB


def _size(n: int) -> str:
    if n < MiB:
        return f"{n:,} bytes"
    return f"{n // MiB:,} MiB" if n % MiB == 0 else f"{n / MiB:,.1f} MiB"


def _too_large(size: int, limit: int) -> str:
    return (
        f"{_size(size)}, more than the limit of {_size(limit)}"
        if size > limit
        else f"more than the limit of {_size(limit)}"
    )


def _kind(mode: int) -> str:
    """What a file that is not a regular file is, for messages."""
    for test, name in (
        (stat.S_ISDIR, phrase("a folder")),
        (stat.S_ISCHR, phrase("a character device (e.g. /dev/zero)")),
        (stat.S_ISBLK, phrase("a block device")),
        (stat.S_ISFIFO, phrase("a FIFO (named pipe)")),
        (stat.S_ISSOCK, phrase("a socket")),
    ):
        if test(mode):
            return name
    return phrase("not a regular file")


def _oserror(e: OSError) -> str:
    if e.errno == errno.ENOENT:
        return phrase("no such file")
    if e.errno == errno.ELOOP:
        return phrase("a symbolic link loop")
    return f"{type(e).__name__}: {e.strerror or e}"


def not_readable(path: Path, limit: int = TEXT_LIMIT) -> str | None:
    """Why `path` is not a regular file of at most `limit` bytes ('no such file', 'a folder', …), or None if it is."""
    try:
        st = os.stat(path)
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
        return _oserror(e) if isinstance(e, OSError) else phrase("an invalid path")
    if not stat.S_ISREG(st.st_mode):
        return _kind(st.st_mode)
    return _too_large(st.st_size, limit) if st.st_size > limit else None


def read_bytes(path: Path, what: str, limit: int = TEXT_LIMIT) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; else InputError (the file, expected `what`).

    Opened without blocking (a FIFO is refused, not waited on) and read at most limit + 1 bytes (a file that grows
    while it is read is refused too)."""
    label = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as e:
        raise InputError(
            Problem(label, None, "", what, _oserror(e) if isinstance(e, OSError) else phrase("an invalid path"))
        ) from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(Problem(label, None, "", phrase("{what} (a regular file)", what=what), _kind(st.st_mode)))
        try:
            data = f.read(limit + 1) if st.st_size <= limit else b""
        except OSError as e:
            raise InputError(Problem(label, None, "", what, _oserror(e))) from None
    if max(st.st_size, len(data)) > limit:  # len(data) > limit: the file grew while it was read
        raise InputError(Problem(label, None, "", what, _too_large(st.st_size, limit)))
    return data


def read_text(path: Path, what: str, limit: int = TEXT_LIMIT, encoding: str = "utf-8") -> str:
    """`read_bytes` decoded; a byte that is not UTF-8 is InputError naming its offset."""
    data = read_bytes(path, what, limit)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise InputError(
            Problem(
                str(path),
                None,
                "",
                f"{what} in UTF-8 (save it as UTF-8)",
                f"a byte that is not UTF-8 at offset {e.start + len(data) - len(e.object)}",  # utf-8-sig: after the BOM
            )
        ) from None
