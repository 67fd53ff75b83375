"""cluster-layout: optimise the national layout of strategic emerging industries (SEIs).

Pipeline (one direction, docs/architecture.md): spec → regions → model → analysis → results → views → pipeline → batch
→ workbench → api → cli.

The Python API (docs/python.md, layout/api.py):

    import layout
    result = layout.solve(layout.load("scenario.yaml"))   # or a dict, or None for the default
    result.assignment, result.metrics, result.explanation, result.write("results"), result.map()
    folder = layout.read_folder("results")                 # a results folder read back
    layout.explain_text("results")                         # every other command is one call too (docs/python.md)

Its names are imported on first use, so `import layout` (and the CLI, which imports the package) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_HOMES = {
    "layout.api": (
        "load",
        "solve",
        "Result",
        "validate",
        "schema",
        "explain",
        "explain_text",
        "compare",
        "compare_text",
        "write_report",
        "write_map",
        "sweep",
        "sweep_summary",
        "pareto",
        "alternatives",
        "serve",
        "watch",
    ),
    "layout.results.folder": ("read_folder", "ResultsFolder"),
    "layout.errors": ("LayoutError", "InputError", "InfeasibleError", "LimitError", "Problem"),
}
_API = {name: module for module, names in _HOMES.items() for name in names}  # public name -> the module defining it
__all__ = ["__version__", *_API]

if TYPE_CHECKING:  # the same names for type checkers (`X as X`: re-exported)
    from layout.api import Result as Result
    from layout.api import alternatives as alternatives
    from layout.api import compare as compare
    from layout.api import compare_text as compare_text
    from layout.api import explain as explain
    from layout.api import explain_text as explain_text
    from layout.api import load as load
    from layout.api import pareto as pareto
    from layout.api import schema as schema
    from layout.api import serve as serve
    from layout.api import solve as solve
    from layout.api import sweep as sweep
    from layout.api import sweep_summary as sweep_summary
    from layout.api import validate as validate
    from layout.api import watch as watch
    from layout.api import write_map as write_map
    from layout.api import write_report as write_report
    from layout.errors import InfeasibleError as InfeasibleError
    from layout.errors import InputError as InputError
    from layout.errors import LayoutError as LayoutError
    from layout.errors import LimitError as LimitError
    from layout.errors import Problem as Problem
    from layout.results.folder import ResultsFolder as ResultsFolder
    from layout.results.folder import read_folder as read_folder


def __getattr__(name: str) -> Any:
    """A public name of the API, imported from its module on first use."""
    if name not in _API:
        raise AttributeError(f"module 'layout' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
