"""metrics.json as `layout solve` writes it, for tests that build a results folder by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def layout_metrics(**over: Any) -> dict:
    """The metrics of one layout (optimised or baseline), all zero unless given."""
    return {"clusters": 0, "duplications": 0, "regions_hosting": 0, "targets_met": True, "industries": {}, **over}


def metrics(**over: Any) -> dict:
    """A complete metrics.json: scenario, solver, model size, optimised and baseline layouts; `over` replaces keys."""
    return {
        "scenario": {"name": "test", "capacity_unit": "units", "file": "scenario.yaml", "period": None},
        "solver": {
            "name": "highs",
            "status": "optimal",
            "objective": 0.0,
            "bound": 0.0,
            "gap": 0.0,
            "message": "Optimal",
        },
        "model": {"rows": 0, "columns": 0, "nonzeros": 0, "binaries": 0},
        "optimised": layout_metrics(),
        "baseline": layout_metrics(),
        "industries": [],
        **over,
    }


def write_folder(folder: Path, m: dict) -> Path:
    """A results folder holding metrics.json `m` (with the keys `layout solve`'s summary reads added), a manifest and
    an empty assignment.csv."""
    folder.mkdir()
    m = {"timings_seconds": {"total": 1.0}, "regions_eligible_for_nothing": [], "missing_data": [], **m}
    (folder / "metrics.json").write_text(json.dumps(m), encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"program": "cluster-layout"}), encoding="utf-8")
    (folder / "assignment.csv").write_text("region_code,industry,tier,capacity\n", encoding="utf-8")
    return folder
