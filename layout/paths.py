"""Where the shipped data lives: geodata/ and models/ in a source checkout, layout/_data/ in a wheel."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _root(name: str) -> Path:
    """Folder `name` (geodata or models): the wheel's copy if installed, else the checkout's."""
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def geodata_file(name: str) -> Path:
    """Path of a file shipped in geodata/."""
    return _root("geodata") / name


def models_file(name: str) -> Path:
    """Path of a constraint file shipped in models/."""
    return _root("models") / name


DEFAULT_MODEL = "default.yaml"


def current_umask() -> int:
    """The process's file-creation mask (to give temporary files ordinary permissions)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
