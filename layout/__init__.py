"""cluster-layout: optimise the national layout of strategic emerging industries (SEIs).

Pipeline (one direction, docs/architecture.md): spec → regions → model → analysis → results → views → pipeline → batch
→ api → cli.

The Python API (docs/python.md, layout/api.py):

    import layout
    result = layout.solve(layout.load("scenario.yaml"))   # or a dict, or None for the default
    result.assignment, result.metrics, result.explanation, result.write("results"), result.map()
    folder = layout.read_folder("results")                 # a results folder read back

Its names are imported on first use, so `import layout` (and the CLI, which imports the package) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "load",
    "solve",
    "Result",
    "read_folder",
    "ResultsFolder",
    "LayoutError",
    "InputError",
    "InfeasibleError",
    "LimitError",
    "Problem",
]
_HOMES = {
    "layout.api": ("load", "solve", "Result"),
    "layout.results.folder": ("read_folder", "ResultsFolder"),
    "layout.errors": ("LayoutError", "InputError", "InfeasibleError", "LimitError", "Problem"),
}
_API = {name: module for module, names in _HOMES.items() for name in names}  # public name -> the module defining it

if TYPE_CHECKING:
    from layout.api import Result, load, solve
    from layout.errors import InfeasibleError, InputError, LayoutError, LimitError, Problem
    from layout.results.folder import ResultsFolder, read_folder


def __getattr__(name: str) -> Any:
    """A public name of the API, imported from its module on first use."""
    if name not in _API:
        raise AttributeError(f"module 'layout' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
