"""Solution tables and the results folder.

Output is written to a temporary folder beside DIR and moved into place only when complete: a failed
or interrupted run leaves no half-written DIR and an earlier result is replaced only with --force.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import shapely

from layout.errors import InputError, Problem
from layout.instance import Instance
from layout.metrics import COLUMNS
from layout.model import LayoutModel
from layout.regions import RegionSet

MANIFEST = "manifest.json"
ON = 0.5  # a binary above this is 1


def solution_layout(m: LayoutModel) -> pd.DataFrame:
    """The optimised layout table: one row per designated region–industry."""
    inst, rows = m.inst, []
    for r in inst.regions:
        for i, p in inst.industries.items():
            tier = group = ""
            if m.y[r, i].varValue > ON:
                tier = "provincial"
            elif m.h[r, i].varValue > ON:
                tier = "characteristic"
            else:
                active = [g for g in inst.groups_of(r) if m.z[g, i].varValue > ON]
                if active:
                    tier, group = "inter-provincial", active[0]
            if tier:
                cap = round(max(0.0, m.x[r, i].varValue), 6)
                rows.append([r, inst.region_names[r], i, p.name, cap, tier, p.kind, group, inst.groups[group].name if group else ""])
    return pd.DataFrame(rows, columns=COLUMNS)


def check_out(out: Path, force: bool) -> None:
    """Refuse to replace an existing, non-empty folder without --force (checked before solving)."""
    if out.exists() and not out.is_dir():
        raise InputError(Problem(str(out), None, "--out", "a folder path", "an existing file"))
    if out.is_dir() and any(out.iterdir()) and not force:
        what = "an earlier result" if (out / MANIFEST).is_file() else "a folder that is not a result of this program"
        raise InputError(Problem(str(out), None, "--out", "a new or empty folder, or --force to replace it", what))


@contextlib.contextmanager
def staged_output(out: Path, force: bool) -> Iterator[Path]:
    """Yield a temporary folder; on success move it to `out` (replacing it only with force)."""
    check_out(out, force)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        yield tmp
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_json(path: Path, data: dict) -> None:
    """JSON with sorted keys and a trailing newline (byte-stable)."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n", encoding="utf-8")


def write_table(path: Path, table: pd.DataFrame) -> None:
    """CSV, UTF-8, sorted by region and industry."""
    table.sort_values(["region_code", "industry"]).to_csv(path, index=False, float_format="%.6f", encoding="utf-8")


def portfolio_text(layout: pd.DataFrame, region: str) -> str:
    """'NGIT (provincial, 20); NE (characteristic, 5)' for one region."""
    rows = layout[layout["region_code"] == region].sort_values("industry")
    return "; ".join(f"{r.industry} ({r.tier}, {r.capacity:g})" for r in rows.itertuples())


def write_geojson(path: Path, regions: RegionSet, inst: Instance, layout: pd.DataFrame) -> None:
    """Every drawn unit with its portfolio, deterministic key order (lon/lat as in geodata)."""
    counts = layout.groupby("region_code").size().to_dict()
    features = []
    for code, row in regions.drawn.iterrows():
        modelled = code in inst.region_names
        props = {
            "region_code": code,
            "region_name": row["name"],
            "modelled": modelled,
            "n_clusters": int(counts.get(code, 0)) if modelled else None,
            "portfolio": portfolio_text(layout, code) if modelled else "not modelled",
        }
        features.append({"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(row.geometry))})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
