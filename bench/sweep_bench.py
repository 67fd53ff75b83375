"""Benchmark: a 32-point sweep of the embedded default scenario with 1 and with 2 local worker processes.

    python bench/sweep_bench.py [--points 32] [--gap 0.01] [--out /tmp/sweep-bench] [--also-unshared]

The sweep varies objective.homogeneity over points/4 evenly spaced values in [0.25, 2] and
limits.max_clusters over 2, 3, 4, 5 (a grid). Both runs start from empty folders; the script prints the
machine, the model size, per-point build and solve times, wall times, the speed-up, and whether both
runs produced the same table (timings aside). Save its output as bench/sweep_bench.txt.

With 2 workers each worker's HiGHS gets one thread (layout.model.solve.share_cores); `--also-unshared` adds a third
run with 2 workers whose HiGHS keeps its own thread count (two threads each on this 2-core machine), as before.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

import pandas as pd
import yaml

from layout.batch.sweep import run_sweep
from layout.paths import DEFAULT_MODEL, models_file
from layout.pipeline import Options


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    versions = ", ".join(
        f"{p} {metadata.version(p)}" for p in ("pulp", "highspy", "dask", "distributed") if _installed(p)
    )
    return (
        f"{cpu}; {os.cpu_count()} logical cores (os.cpu_count){mem}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {versions}"
    )


def _installed(pkg: str) -> bool:
    try:
        metadata.version(pkg)
        return True
    except metadata.PackageNotFoundError:
        return False


def sweep_file(folder: Path, points: int) -> Path:
    if points % 4:
        sys.exit("--points must be a multiple of 4")
    doc = {
        "extends": str(models_file(DEFAULT_MODEL).resolve()),
        "sweep": {
            "parameters": {
                "objective.homogeneity": {"min": 0.25, "max": 2.0, "steps": points // 4},
                "limits.max_clusters": [2, 3, 4, 5],
            }
        },
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def source_hash() -> str:
    """Hash of the package's source and the default scenario: both runs must solve the same model."""
    import layout

    h = hashlib.sha256()
    for f in sorted(Path(layout.__file__).parent.glob("*.py")) + [models_file(DEFAULT_MODEL)]:
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def unshared(workers: int) -> None:
    """A worker initialiser that leaves HiGHS's thread count as HiGHS chooses it (--also-unshared)."""


def timed(file: Path, out: Path, workers: int, gap: float | None, share: bool = True) -> tuple[float, pd.DataFrame]:
    import layout.batch.sweep as sweep

    shutil.rmtree(out, ignore_errors=True)
    load, code = os.getloadavg()[0], source_hash()
    t0 = time.perf_counter()
    kept = sweep.share_cores
    sweep.share_cores = kept if share else unshared
    try:
        table = run_sweep(file, out, workers=workers, progress=False, options=Options(gap=gap))
    finally:
        sweep.share_cores = kept
    wall = time.perf_counter() - t0
    busy = table["seconds.total"].sum() / wall
    print(
        f"{workers} worker(s){'' if share else ' (HiGHS threads unshared)'}: wall {wall:.1f} s; points busy {busy:.2f} of the wall time on average (sum of per-point times / wall); "
        f"1-min load average before {load:.2f}, after {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    if source_hash() != code:
        print(
            "WARNING: the package source or models/default.yaml changed during this run (concurrent edits); "
            "its table may differ from the other run's for that reason",
            flush=True,
        )
    return wall, table


def spread(values: pd.Series) -> str:
    v = [float(x) for x in values.dropna()]
    return f"median {statistics.median(v):.3f} s, min {min(v):.3f}, max {max(v):.3f}, sum {sum(v):.1f}" if v else "n/a"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=32)
    ap.add_argument(
        "--gap",
        type=float,
        default=0.01,
        help="relative MIP gap of every point (the default file proves optimality, gap 0)",
    )
    ap.add_argument("--out", type=Path, default=Path("/tmp/sweep-bench"))
    ap.add_argument("--also-unshared", action="store_true", help="also 2 workers with HiGHS's own thread count")
    args = ap.parse_args()
    file = sweep_file(args.out, args.points)
    print(f"machine: {machine()}")
    print(
        f"sweep: {args.points} points of models/{DEFAULT_MODEL} (objective.homogeneity × limits.max_clusters), "
        f"MIP gap {args.gap:g} (the file's time limit, HiGHS)"
    )
    print(f"started {time.strftime('%Y-%m-%d %H:%M:%S')}; package source + default scenario sha256 {source_hash()}")
    one, t1 = timed(file, args.out / "workers-1", 1, args.gap)
    two, t2 = timed(file, args.out / "workers-2", 2, args.gap)
    size = t1[["rows", "columns", "nonzeros", "binaries"]].drop_duplicates()
    print(
        "model size (rows × columns, non-zeros, binaries): "
        + "; ".join(f"{r.rows:.0f} × {r.columns:.0f}, {r.nonzeros:.0f}, {r.binaries:.0f}" for r in size.itertuples())
    )
    print("statuses: " + ", ".join(f"{n} {s}" for s, n in t1["status"].value_counts().items()))
    for label, t in (("1 worker ", t1), ("2 workers", t2)):
        print(f"{label}: load  {spread(t['seconds.load'])}")
        print(f"{label}: build {spread(t['seconds.build'])}")
        print(f"{label}: solve {spread(t['seconds.solve'])}")
        print(f"{label}: point total (load, build, solve, explain, write) {spread(t['seconds.total'])}")
    print(f"wall time, 1 worker : {one:7.1f} s  ({one / len(t1):.2f} s per point)")
    print(f"wall time, 2 workers: {two:7.1f} s  ({two / len(t2):.2f} s per point)")
    print(f"speed-up: {one / two:.2f}× on 2 workers")
    if args.also_unshared:
        three, t3 = timed(file, args.out / "workers-2-unshared", 2, args.gap, share=False)
        print(f"2 workers, HiGHS threads unshared: solve {spread(t3['seconds.solve'])}")
        print(f"wall time, 2 workers unshared: {three:7.1f} s; speed-up {one / three:.2f}× on 2 workers")

    def drop(t: pd.DataFrame) -> pd.DataFrame:
        return t.drop(columns=[c for c in t.columns if c.startswith("seconds.")])

    same = drop(t1).equals(drop(t2))
    print(f"tables identical (timings aside): {same}")
    print(
        f"gap reached: max {t1['gap'].max():.4g}; objective range {t1['objective_value'].min():.4f} .. {t1['objective_value'].max():.4f}"
    )


if __name__ == "__main__":
    main()
