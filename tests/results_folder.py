"""metrics.json as `layout solve` writes it, for tests that build a results folder by hand."""

from __future__ import annotations

from typing import Any


def layout_metrics(**over: Any) -> dict:
    """The metrics of one layout (optimised or baseline), all zero unless given."""
    return {"clusters": 0, "duplications": 0, "regions_hosting": 0, "targets_met": True, "industries": {}, **over}


def metrics(**over: Any) -> dict:
    """A complete metrics.json: scenario, solver, model size, optimised and baseline layouts; `over` replaces keys."""
    return {
        "scenario": {"name": "test", "capacity_unit": "units", "file": "scenario.yaml", "period": None},
        "solver": {"name": "highs", "status": "optimal", "objective": 0.0, "bound": 0.0, "gap": 0.0, "message": "Optimal"},
        "model": {"rows": 0, "columns": 0, "nonzeros": 0, "binaries": 0},
        "optimised": layout_metrics(), "baseline": layout_metrics(), "industries": [], **over,
    }
