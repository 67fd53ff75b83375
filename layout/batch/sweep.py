"""Scenario sweeps: one constraint file, many points, one tidy table (design.md section 2).

A `sweep:` section names numeric fields by dotted path (`objective.homogeneity`,
`industries.NGIT.target`, `limits.max_clusters`) with a list of values or a range; `mode: grid` runs
every combination, `mode: random` draws `samples` points with a seed. Each point is the validated
scenario with those fields set, validated again, written as a fully resolved constraint file (no
`extends`, absolute data paths, the solver settings it was solved with) and solved with
`layout.pipeline.solve_scenario`.

The sweep folder DIR:
    sweep.json          the points and their values (a rerun checks it and resumes)
    sweep.csv           one row per point: point, swept values, status, message, solver facts,
                        timings, every number of metrics.json under `optimised` and `baseline`
    robustness.csv      per region and industry: share of solved points that designate it
    points/<id>.yaml    the point's constraint file (solve it alone with `layout solve`)
    points/<id>/        its results folder (assignment.csv, metrics.json, …, scenario.yaml)

A point is finished when points/<id>/metrics.json exists; a rerun skips finished points and retries
the others. A failing point (infeasible, bad input, solver limit, crash) is recorded in its row and
does not stop the sweep. Points run in a local process pool, or on a dask.distributed cluster; a
worker holds one point in memory at a time and sends back only a status line.
"""

from __future__ import annotations

import concurrent.futures as cf
import copy
import difflib
import functools
import gc
import itertools
import json
import math
import multiprocessing
import os
import re
import threading
import time
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from layout.errors import COMMAND_LINE, InfeasibleError, InputError, LayoutError, LimitError, Problem, expected_of
from layout.inputs import read_text
from layout.language import current, marked, resolve, tr, translate, using
from layout.model.solve import STATUS_WORDS, share_cores
from layout.results.folder import (
    ASSIGNMENT_CSV,
    METRICS_JSON,
    POINTS_DIR,
    ROBUSTNESS_CSV,
    ROBUSTNESS_HTML,
    SCENARIO_YAML,
    SWEEP_CSV,
    SWEEP_JSON,
    Metrics,
    read_json,
    record_command,
    recorded_command,
)
from layout.results.staging import Kind, check_out, holds_out, os_problem, remove_result, write_file
from layout.results.tables import csv_text, read_csv
from layout.spec.load import PATH_FIELDS, LoadedSpec
from layout.spec.schema import Scenario, Sweep, SweepParameter
from layout.words import escaped

if TYPE_CHECKING:
    from rich.progress import Progress

    from layout.pipeline import Options

# what a sweep folder may hold (its names are layout.results.folder's; robustness.html is drawn by `layout map`)
SWEEP_KIND = Kind(SWEEP_JSON, frozenset({SWEEP_JSON, SWEEP_CSV, ROBUSTNESS_CSV, ROBUSTNESS_HTML, POINTS_DIR}))
MAX_POINTS = 100_000
FIRST_COLUMNS = ["status", "message", "objective_value", "bound", "gap", "rows", "columns", "nonzeros", "binaries"]
ProgressArg = bool | Callable[[int, int, dict], None] | None
# a point's status shown on a page (sweep.csv, pareto.csv and alternatives_metrics.csv keep the code)
STATUS_NAMES = {
    **STATUS_WORDS,  # the solver's
    "limit": marked("limit"),
    "bad input": marked("bad input"),
    "error": marked("error"),
    "not run": marked("not run"),
}
# a point's status as the sweep's summary counts it ("2 optimal"); the status itself stays a code in sweep.csv
STATUS_COUNTS = {
    "optimal": marked("{n} optimal"),
    "feasible": marked("{n} feasible"),
    "infeasible": marked("{n} infeasible"),
    "unbounded": marked("{n} unbounded"),
    "limit without solution": marked("{n} limit without solution"),
    "limit": marked("{n} limit"),
    "bad input": marked("{n} bad input"),
    "error": marked("{n} error"),
    "not run": marked("{n} not run"),
}


# ---------------------------------------------------------------- dotted paths into the schema


def _strip_optional(ann: Any) -> Any:
    """X from X | None (unions of several types stay as they are)."""
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        return _strip_optional(args[0]) if len(args) == 1 else ann
    return ann


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _describe(ann: Any) -> str:
    ann = _strip_optional(ann)
    if _is_model(ann):
        return f"a section ({ann.__name__})"
    origin = typing.get_origin(ann)
    if origin is dict:
        return "a mapping"
    if origin is list:
        return "a list"
    if origin is typing.Literal:
        return "one of " + ", ".join(map(repr, typing.get_args(ann)))
    return f"a {getattr(ann, '__name__', str(ann))} value"


def _creatable(ann: Any) -> bool:
    """Whether a mapping may get a new entry from one numeric field (an entry with defaults for every field)."""
    ann = _strip_optional(ann)
    if ann in (int, float):
        return True
    return _is_model(ann) and not any(f.is_required() for f in ann.model_fields.values())


def numeric_field(spec: LoadedSpec, data: dict, key: str) -> type:
    """int or float: the type of the field a dotted path names. Raises InputError at the sweep key's line."""
    where = ("sweep", "parameters", key)
    parts = key.split(".")

    def fail(expected: str, found: str) -> InputError:
        return InputError(spec.problem(where, expected, found))

    if any(p == "" for p in parts):
        raise fail("a dotted path of field names (e.g. objective.homogeneity)", repr(key))
    if parts[0] in ("sweep", "extends"):
        raise fail("a numeric field of the scenario", f"`{parts[0]}`, which a sweep cannot vary")
    ann: Any = Scenario
    node: Any = data
    for n, seg in enumerate(parts):
        here = ".".join(parts[:n]) or "the scenario"
        base = _strip_optional(ann)
        if _is_model(base):
            if seg not in base.model_fields:
                close = difflib.get_close_matches(seg, list(base.model_fields), n=1)
                hint = f" (did you mean `{'.'.join(parts[:n] + [close[0]])}`?)" if close else ""
                raise fail(f"a field of {here}{hint}", f"unknown key `{seg}` in `{key}`")
            ann = base.model_fields[seg].annotation
            node = node.get(seg) if isinstance(node, dict) else None
        elif typing.get_origin(base) is dict:
            key_type, value_type = typing.get_args(base)
            if key_type is int and not re.fullmatch(r"-?\d+", seg):
                raise fail(f"a whole number (year) as the key under {here}", f"`{seg}` in `{key}`")
            entries = node if isinstance(node, dict) else {}
            if seg in entries:
                node = entries[seg]
            elif _creatable(value_type):
                node = None
            else:
                close = difflib.get_close_matches(seg, [str(k) for k in entries], n=1, cutoff=0.5)
                hint = f" (did you mean `{'.'.join(parts[:n] + [close[0]])}`?)" if close else ""
                known = ", ".join(str(k) for k in list(entries)[:8]) + (", …" if len(entries) > 8 else "")
                raise fail(f"an existing entry of {here} ({known or 'none defined'}){hint}", f"`{seg}` in `{key}`")
            ann = value_type
        elif typing.get_origin(base) is list:
            items = node if isinstance(node, list) else []
            if not re.fullmatch(r"\d+", seg) or int(seg) >= len(items):
                raise fail(
                    f"an index 0..{len(items) - 1} of the list {here}"
                    if items
                    else f"an item of {here}, which is empty",
                    f"`{seg}` in `{key}`",
                )
            node = items[int(seg)]
            ann = typing.get_args(base)[0]
        else:
            raise fail(f"a path that ends at a numeric field; {here} is {_describe(ann)} with no fields", f"`{key}`")
    leaf = _strip_optional(ann)
    if leaf is bool or leaf not in (int, float):
        raise fail("a numeric field (a number or a whole number)", f"`{key}` is {_describe(ann)}")
    return leaf


def set_path(data: dict, key: str, value: Any) -> None:
    """Set a dotted path in a plain document, creating mappings on the way."""
    parts = key.split(".")
    node: Any = data
    for seg in parts[:-1]:
        if isinstance(node, list):
            node = node[int(seg)]
            continue
        if not isinstance(node.get(seg), (dict, list)):
            node[seg] = {}
        node = node[seg]
    if isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value


# ---------------------------------------------------------------- the points of a sweep


@dataclass(frozen=True)
class Point:
    """One point: its id and the value of each swept field."""

    id: str
    values: dict[str, int | float]


def _clean(v: float, kind: type) -> int | float:
    return int(round(v)) if kind is int else float(round(v, 12))


def _grid_values(spec: LoadedSpec, key: str, entry: SweepParameter, kind: type, mode: str) -> list[int | float] | None:
    """The values a parameter takes (None: a continuous range, drawn uniformly in random mode)."""
    where = ("sweep", "parameters", key)
    if entry.values is not None:
        values = list(entry.values)
    else:
        lo, hi = entry.bounds
        if entry.steps is not None:
            values = list(np.linspace(lo, hi, entry.steps))
        elif entry.step is not None:
            n = int(math.floor((hi - lo) / entry.step + 1e-9))
            values = [lo + k * entry.step for k in range(n + 1)]
        elif mode == "grid":
            raise InputError(
                spec.problem(
                    where, "a list of values, or a range with `steps` or `step` (grid mode)", "a range without steps"
                )
            )
        else:
            if kind is int and (lo != int(lo) or hi != int(hi)):
                raise InputError(
                    spec.problem(where, f"whole-number bounds ({key} is a whole number)", f"min {lo:g}, max {hi:g}")
                )
            return None
    if kind is int:
        bad = [v for v in values if abs(v - round(v)) > 1e-9]
        if bad:
            raise InputError(
                spec.problem(where, f"whole numbers ({key} is a whole number)", ", ".join(f"{v:g}" for v in bad[:5]))
            )
    return [_clean(v, kind) for v in values]


def sweep_section(spec: LoadedSpec) -> Sweep:
    """The scenario's `sweep:` section; InputError without one."""
    if spec.scenario.sweep is None:
        raise InputError(spec.problem(("sweep",), "a `sweep:` section naming the fields to vary", "no sweep section"))
    return spec.scenario.sweep


def expand(spec: LoadedSpec) -> list[Point]:
    """The sweep's points, in a fixed order (grid: the first parameter varies slowest).

    Raises InputError listing every problem of the section at once (file, line, key)."""
    sw = sweep_section(spec)
    data = spec.scenario.model_dump(mode="json")
    problems: list[Problem] = []
    kinds: dict[str, type] = {}
    grids: dict[str, list | None] = {}
    for key, entry in sw.parameters.items():
        try:
            kinds[key] = numeric_field(spec, data, key)
            grids[key] = _grid_values(spec, key, entry, kinds[key], sw.mode)
        except InputError as e:
            problems += e.problems
    if sw.mode == "grid" and sw.samples is not None:
        problems.append(
            spec.problem(("sweep", "samples"), "no `samples` in grid mode (or mode: random)", f"samples: {sw.samples}")
        )
    if sw.mode == "random" and sw.samples is None:
        problems.append(spec.problem(("sweep", "mode"), "`samples: N` with mode: random", "no samples"))
    if problems:
        raise InputError(problems)
    if sw.mode == "grid":
        lists = {k: v for k, v in grids.items() if v is not None}  # all of them: a range needs steps in grid mode
        count = math.prod(len(v) for v in lists.values())
        if count > MAX_POINTS:
            raise InputError(
                spec.problem(("sweep", "parameters"), f"at most {MAX_POINTS} grid points", f"{count} points")
            )
        combos = [dict(zip(lists, c)) for c in itertools.product(*lists.values())]
    else:
        rng = np.random.default_rng(sw.seed)
        combos = []
        for _ in range(sw.samples or 0):  # random mode has `samples` (checked above)
            point = {}
            for key, entry in sw.parameters.items():
                values = grids[key]
                if values is not None:
                    point[key] = values[int(rng.integers(len(values)))]
                elif kinds[key] is int:
                    lo, hi = entry.bounds
                    point[key] = int(rng.integers(int(lo), int(hi) + 1))
                else:
                    point[key] = _clean(rng.uniform(*entry.bounds), float)
            combos.append(point)
    width = max(3, len(str(len(combos) - 1)))
    return [Point(f"p{n:0{width}d}", c) for n, c in enumerate(combos)]


def resolved_document(spec: LoadedSpec) -> dict:
    """The validated scenario as a plain document: defaults spelt out, no `extends`, no `sweep`, absolute data paths
    (and a reference folder's), the time limit the file implies at its resolution (`scenario_time_limit`)."""
    from layout.model.solve import scenario_time_limit

    doc = spec.scenario.model_dump(mode="json")
    doc.pop("sweep", None)
    doc.pop("extends", None)
    for key in PATH_FIELDS:
        path = spec.path_of(*key)
        if path is not None:
            set_path(doc, ".".join(key), str(path.resolve()))
    doc["solver"]["time_limit"] = scenario_time_limit(spec)
    return doc


def batch_scenario(spec: LoadedSpec, options: Options | None, heading: str, what: str) -> tuple[str, dict]:
    """The constraint file every layout of a batch solves (a Pareto front, near-optimal alternatives): the resolved
    document (`resolved_document`) with the command's solver options and --lang spelt in, headed by the comment
    `heading`, so that `layout solve` runs it alone; and those options (solver, time_limit, gap: the ones given).
    InputError for a phased scenario: `what` names the batch, computed for one plan period."""
    if spec.scenario.periods:
        raise InputError(
            spec.problem(
                ("periods",),
                f"a single-period scenario ({what} computed for one plan period)",
                f"periods {spec.scenario.periods}",
            )
        )
    given = {
        k: getattr(options, k)
        for k in ("solver", "time_limit", "gap")
        if options is not None and getattr(options, k, None) is not None
    }
    doc = resolved_document(spec)
    for k, v in given.items():
        doc["solver"]["name" if k == "solver" else k] = v
    if options is not None and options.language is not None:  # --lang: the file solves alone in the batch's language
        doc["language"] = options.language
    text = (
        escaped(heading)
        + "\n# Fully resolved (no `extends`, absolute data paths, defaults spelt out): `layout solve` runs it alone.\n"
        + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    )
    return text, given


def apply(spec: LoadedSpec, base: dict, point: Point) -> dict:
    """The point's document: a deep copy of `base` with the point's values set, validated. Raises InputError."""
    doc = copy.deepcopy(base)
    for key, value in point.values.items():
        set_path(doc, key, value)
    try:
        Scenario.model_validate(doc)
    except ValidationError as e:
        problems = []
        shown = ", ".join(f"{k} = {v:g}" for k, v in point.values.items())
        for err in e.errors():
            loc = ".".join(
                str(k) for k in err["loc"] if not (isinstance(k, str) and k.startswith(("function-", "literal[")))
            )
            problems.append(
                spec.problem(
                    ("sweep", "parameters", _swept(point, loc)),
                    f"values the schema accepts ({loc or 'scenario'}: {expected_of(err)})",
                    f"point {point.id} ({shown})",
                )
            )
        raise InputError(problems) from None
    return doc


def _swept(point: Point, loc: str) -> str:
    """The swept field a problem at dotted path `loc` is about: the one it names, one inside the section it checks, or the first."""
    return next(
        (k for k in point.values if loc == k or loc.startswith(k + ".") or k.startswith(loc + ".")),
        next(iter(point.values)),
    )


def check_references(spec: LoadedSpec, regions: Any, doc: dict, point: Point) -> None:
    """The names a point's document uses (region and industry codes, indicators: `layout.model.instance.build_instance`'s
    checks), before any point runs: a swept path naming a region, industry or indicator the scenario does not have
    (`limits.regions.XX.budget`, `industries.T.base_capacity.XX`) is InputError at the sweep parameter's line.
    Every point sets the same paths and those checks read no swept value, so one point checks the names for all."""
    from layout.model.instance import build_instance

    swept = LoadedSpec(Scenario.model_validate(doc), spec.file, spec.positions, spec.files)
    try:
        build_instance(swept, regions, swept.scenario.periods[0] if swept.scenario.periods else None)
    except InputError as e:
        shown = ", ".join(f"{k} = {v:g}" for k, v in point.values.items())
        raise InputError(
            [
                spec.problem(
                    ("sweep", "parameters", _swept(point, p.key)),
                    f"{p.expected} (at {p.key or 'the scenario'})",
                    f"{p.found} in point {point.id} ({shown})",
                )
                for p in e.problems
            ]
        ) from None


def documents(spec: LoadedSpec, points: list[Point]) -> dict[str, dict]:
    """Every point's validated document; every kind of problem reported once (with the first point that shows it)."""
    base = resolved_document(spec)
    docs, problems, seen = {}, [], set()
    for p in points:
        try:
            docs[p.id] = apply(spec, base, p)
        except InputError as e:
            for pr in e.problems:
                if (pr.key, pr.expected) not in seen:
                    seen.add((pr.key, pr.expected))
                    problems.append(pr)
    if problems:
        raise InputError(problems)
    return docs


def point_text(spec: LoadedSpec, doc: dict, point: Point, options: Options | None = None) -> str:
    """The point's constraint file: a header naming the point, then the document with the solver options it runs with."""
    doc = copy.deepcopy(doc)
    doc["name"] = f"{doc['name']} [{point.id}]"
    if options is not None:
        for opt, key in (("solver", "name"), ("time_limit", "time_limit"), ("gap", "gap")):
            if getattr(options, opt, None) is not None:
                doc["solver"][key] = getattr(options, opt)
        if options.language is not None:  # --lang: the point's file solves alone in the language of the sweep
            doc["language"] = options.language
    shown = ", ".join(f"{k} = {v}" for k, v in point.values.items())
    header = (
        escaped(f"# Sweep point {point.id} of {Path(spec.file).resolve()}: {shown}") + "\n"
        "# Fully resolved (no `extends`, absolute data paths, defaults spelt out): `layout solve` runs it alone.\n"
    )
    return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)


# ---------------------------------------------------------------- running points (locally or on dask)


@dataclass(frozen=True)
class Task:
    """What a worker needs to solve one point: file paths only (workers share the sweep folder)."""

    id: str
    scenario: str
    folder: str
    diagnose: bool = True
    # layout.pipeline.Options fields (solver, time_limit, gap, language: the batch's, whatever the worker's locale)
    options: dict = field(default_factory=dict)


_ONE_AT_A_TIME = threading.Lock()  # a dask worker with several threads still holds one point in memory


def _infeasible_message(e: InfeasibleError, task: Task) -> str:
    """The error's message, its diagnosis, or (when the solver proved infeasibility) a fresh diagnosis."""
    lines = [str(e)] + [d for d in e.diagnosis if d not in str(e)]
    if not e.diagnosis and task.diagnose:
        try:
            from layout.analysis.diagnose import diagnose
            from layout.pipeline import prepare

            with using(task.options.get("language")):
                _, _, inst = prepare(task.scenario, task.options.get("language"))
                lines += diagnose(inst, task.options.get("solver") or "highs", time_limit=30.0)
        except Exception as d:  # the diagnosis is extra help; its failure must not hide the status
            with using(task.options.get("language")):
                lines.append(tr("(no diagnosis: {error})", error=f"{type(d).__name__}: {d}"))
    return "\n".join(lines)


def guarded(task_id: str, body: Callable[[], str], explain: Callable[[InfeasibleError], str] | None = None) -> dict:
    """Run one point's body (returns its status) one at a time in this process; turn any failure into a status
    and a message, so a failing point never stops the others. Returns {id, status, message, seconds}."""
    with _ONE_AT_A_TIME:
        t0 = time.perf_counter()
        message = ""
        try:
            status = body()
        except InfeasibleError as e:
            status, message = (
                "infeasible",
                explain(e) if explain else "\n".join([str(e)] + [d for d in e.diagnosis if d not in str(e)]),
            )
        except LimitError as e:
            status, message = "limit", str(e)
        except InputError as e:
            status, message = "bad input", str(e)
        except LayoutError as e:
            status, message = "error", str(e)
        except Exception as e:  # a crash in one point must not stop the sweep
            status, message = "error", f"{type(e).__name__}: {e}"
        finally:
            gc.collect()
        return {"id": task_id, "status": status, "message": message, "seconds": round(time.perf_counter() - t0, 3)}


def check_readable(path: str) -> None:
    """A worker that cannot see the sweep folder says so (dask workers need a shared filesystem)."""
    if not Path(path).is_file():
        raise InputError(
            Problem(
                path,
                None,
                "",
                "the point's constraint file, readable by this worker "
                "(dask workers need the output folder on a filesystem they share)",
                "no such file",
            )
        )


def solve_point(task: Task) -> dict:
    """Solve one sweep point into its folder; return {id, status, message, seconds}. Never raises for a point's failure."""
    from layout.pipeline import Options, solve_scenario

    def body() -> str:
        check_readable(task.scenario)
        run = solve_scenario(task.scenario, Path(task.folder), Options(force=True, geopackage=False, **task.options))
        status = run.metrics["solver"]["status"]
        # listed in the folder's manifest
        write_file(Path(task.folder) / SCENARIO_YAML, Path(task.scenario).read_bytes())
        return status

    return guarded(task.id, body, lambda e: _infeasible_message(e, task))


class Bar:
    """Progress: a rich bar on stderr (True), nothing (False/None) or a callable(done, total, result)."""

    def __init__(self, progress: ProgressArg, total: int, label: str):
        self.progress, self.total, self.done, self.label = progress, total, 0, label
        self._rich: Progress | None = None

    def __enter__(self) -> Bar:
        if self.progress is True and self.total:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._rich = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn(tr("eta")),
                TimeRemainingColumn(),
                TextColumn("{task.fields[last]}"),
                console=Console(stderr=True),
                transient=False,
            )
            self._rich.start()
            self._task = self._rich.add_task(self.label, total=self.total, last="")
        return self

    def advance(self, result: dict) -> None:
        self.done += 1
        if self._rich is not None:
            status = status_name(str(result.get("status", "")))  # in the batch's language, as its summary
            self._rich.update(self._task, advance=1, last=f"{result.get('id', '')} {status}")
        elif callable(self.progress):
            self.progress(self.done, self.total, result)

    def __exit__(self, *exc) -> None:
        if self._rich is not None:
            self._rich.stop()


def _option_problem(option: str, expected: str, found: str) -> InputError:
    return InputError(Problem(COMMAND_LINE, None, option, expected, found))


def _distributed(option: str):
    """The dask.distributed module, or InputError naming the option that needs it."""
    try:
        import distributed
    except ImportError:
        raise _option_problem(
            option, "dask.distributed installed (pip install 'dask[distributed]')", "not installed"
        ) from None
    return distributed


# dask's own setting of how long a client tries to reach a scheduler; where the environment sets it, the client
# takes it from dask's configuration, else it gives up after CONNECT_TIMEOUT (dask's default, 30 s, is long to wait
# for a mistyped address)
CONNECT_TIMEOUT_ENV = "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT"
CONNECT_TIMEOUT = "15s"


def _dask_client(dask_scheduler: str | None, dask_local: int | None):
    """A dask.distributed Client (and the LocalCluster it owns, or None)."""
    import logging

    distributed = _distributed("--dask-scheduler" if dask_scheduler else "--dask-local")
    if dask_local is not None:
        cluster = distributed.LocalCluster(
            n_workers=dask_local,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        return distributed.Client(cluster), cluster
    try:
        timeout = {} if CONNECT_TIMEOUT_ENV in os.environ else {"timeout": CONNECT_TIMEOUT}
        return distributed.Client(dask_scheduler, **timeout), None
    except (OSError, TimeoutError, ValueError) as e:
        raise _option_problem(
            "--dask-scheduler",
            "the address of a running dask scheduler (e.g. tcp://host:8786)",
            f"{dask_scheduler} ({type(e).__name__}: {e})",
        ) from None


def check_execution(workers: int | None, dask_scheduler: str | None, dask_local: int | None) -> None:
    """Refuse a way of running (InputError naming the option) before anything is written: bad numbers, both dask
    options, dask.distributed missing, or no scheduler at the address (contacted once, then left)."""
    if dask_scheduler is not None and dask_local is not None:
        raise _option_problem(
            "--dask-scheduler",
            "either --dask-scheduler or --dask-local, not both",
            f"{dask_scheduler} and {dask_local}",
        )
    if dask_local is not None:
        if dask_local < 1:
            raise _option_problem("--dask-local", "a number of workers >= 1", str(dask_local))
        _distributed("--dask-local")
    elif dask_scheduler is not None:
        _dask_client(dask_scheduler, None)[0].close()
    elif workers is not None and workers < 1:
        raise _option_problem("--workers", "a number of worker processes >= 1", str(workers))


def _as_commanded(fn: Callable[[Any], dict], argv: list[str] | None, task: Any) -> dict:
    """fn(task) in a worker, its folders recording the parent's command line `argv` as the command that wrote them (a
    worker's own is a process pool's or a dask worker's; `layout.results.folder.record_command`)."""
    previous = recorded_command()
    record_command(argv)
    try:
        return fn(task)
    finally:
        record_command(previous)


def execute(
    fn: Callable[[Any], dict],
    tasks: list,
    *,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    dask_local: int | None = None,
) -> Iterator[dict]:
    """Run fn over tasks and yield each result as it completes: in this process (1 worker), a local process pool
    (spawned processes, one task at a time each), or a dask.distributed cluster. fn returns {id, status, …}.
    The caller checks the way of running first (`check_execution`), before it writes anything."""
    if not tasks:
        return
    fn = functools.partial(_as_commanded, fn, recorded_command())
    if dask_scheduler is not None or dask_local is not None:
        yield from _execute_dask(fn, tasks, dask_scheduler, dask_local)
        return
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers == 1 or len(tasks) == 1:
        for t in tasks:
            yield fn(t)
        return
    at_once = min(workers, len(tasks))
    pool = cf.ProcessPoolExecutor(
        max_workers=at_once,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=share_cores,  # each point's solver gets its share of the cores
        initargs=(at_once,),
    )
    try:
        futures = {pool.submit(fn, t): t for t in tasks}
        for fut in cf.as_completed(futures):
            try:
                yield fut.result()
            except Exception as e:  # a worker process died (out of memory, killed)
                message = tr("worker failed: {error}", error=f"{type(e).__name__}: {e}")
                yield {"id": futures[fut].id, "status": "error", "message": message}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _execute_dask(
    fn: Callable[[Any], dict], tasks: list, dask_scheduler: str | None, dask_local: int | None
) -> Iterator[dict]:
    from distributed import as_completed

    client, cluster = _dask_client(dask_scheduler, dask_local)
    try:
        if dask_local is not None:  # this machine's workers share its cores (a scheduler's workers know their own)
            client.run(share_cores, dask_local)
        futures = {}
        for t in tasks:
            futures[client.submit(fn, t, pure=False, key=f"layout-{t.id}-{os.getpid()}-{time.time_ns()}")] = t
        for fut in as_completed(list(futures)):
            try:
                yield fut.result()
            except Exception as e:  # KilledWorker and friends
                yield {
                    "id": futures[fut].id,
                    "status": "error",
                    "message": tr("dask worker failed: {error}", error=f"{type(e).__name__}: {e}"),
                }
            finally:
                fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------- the sweep folder and its tables


def write_text(path: Path, text: str) -> None:
    """Write a file atomically (a temporary file renamed into place); an OS error is InputError (`layout.results.staging.write_file`)."""
    write_file(path, text.encode("utf-8"), "--out")


def write_csv(path: Path, table: pd.DataFrame) -> None:
    """A table, atomically and spreadsheet-safe (layout.tables)."""
    write_text(path, csv_text(table, "%.10g"))


def flatten(data: dict, prefix: str) -> dict[str, Any]:
    """Every number and flag in a nested mapping, keys joined by dots (lists and text left out)."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}.{k}"
        if isinstance(v, dict):
            out.update(flatten(v, key))
        elif isinstance(v, bool) or isinstance(v, (int, float)) or v is None:
            out[key] = v
    return out


def point_row(point: Point, folder: Path, failure: dict | None) -> dict:
    """The table row of a point: from its metrics.json when solved, else from the failure it met."""
    row: dict[str, Any] = {"point": point.id, **point.values}
    metrics_file = folder / METRICS_JSON
    if metrics_file.is_file():
        m = read_json(metrics_file, Metrics)
        s = m["solver"]
        row.update(
            status=s["status"], message="", objective_value=s["objective"], bound=s["bound"], gap=s["gap"], **m["model"]
        )
        row.update(flatten(m.get("timings_seconds", {}), "seconds"))
        row.update(flatten(m["optimised"], "optimised"))
        row.update(flatten(m["baseline"], "baseline"))
    else:
        row.update(status=(failure or {}).get("status", "not run"), message=(failure or {}).get("message", ""))
    return row


def sweep_table(points: list[Point], rows: list[dict]) -> pd.DataFrame:
    """The tidy table: one row per point, columns in a fixed order (point, swept fields, status, solver, timings, metrics)."""
    params = list(points[0].values) if points else []
    rest: dict[str, None] = {}
    for r in rows:
        for k in r:
            if k not in rest and k != "point" and k not in params and k not in FIRST_COLUMNS:
                rest[k] = None
    timing = [k for k in rest if k.startswith("seconds.")]
    metric = [k for k in rest if not k.startswith("seconds.")]
    columns = ["point", *params, *FIRST_COLUMNS, *timing, *metric]
    return pd.DataFrame(rows, columns=columns).sort_values("point", kind="stable").reset_index(drop=True)


def robustness(out_dir: Path, points: list[Point], inst: Any) -> pd.DataFrame:
    """Per region–industry pair: in how many solved points (and which share) it is designated, by tier."""
    solved = [p for p in points if (out_dir / POINTS_DIR / p.id / METRICS_JSON).is_file()]
    counts: dict[tuple[str, str], dict[str, float]] = {}
    names: dict[str, str] = dict(inst.region_names)
    industries: dict[str, str] = {i: p.name for i, p in inst.industries.items()}
    for p in solved:
        table = read_csv(
            out_dir / POINTS_DIR / p.id / ASSIGNMENT_CSV,
            ("region_code", "region_name", "industry", "industry_name", "tier"),
            ("capacity",),
        )
        for r in table.itertuples():
            c = counts.setdefault(
                (r.region_code, r.industry),
                {"designated": 0, "provincial": 0, "characteristic": 0, "inter-provincial": 0, "capacity": 0.0},
            )
            c["designated"] += 1
            c[r.tier] = c.get(r.tier, 0) + 1
            c["capacity"] += float(r.capacity)
            names.setdefault(r.region_code, r.region_name)
            industries.setdefault(r.industry, r.industry_name)
    pairs = sorted({(r, i) for r in inst.regions for i in inst.industries} | set(counts))
    n = len(solved)
    rows = []
    for r, i in pairs:
        c = counts.get((r, i), {})
        share = {
            k: round(c.get(k, 0) / n, 6) if n else None
            for k in ("designated", "provincial", "characteristic", "inter-provincial")
        }
        rows.append(
            {
                "region_code": r,
                "region_name": names.get(r, ""),
                "industry": i,
                "industry_name": industries.get(i, ""),
                "points_solved": n,
                "points_designated": int(c.get("designated", 0)),
                "share_designated": share["designated"],
                "share_provincial": share["provincial"],
                "share_characteristic": share["characteristic"],
                "share_interprovincial": share["inter-provincial"],
                "mean_capacity": round(c.get("capacity", 0.0) / n, 6) if n else None,
            }
        )
    return pd.DataFrame(rows)


def prepare_folder(out_dir: Path, kind: Kind, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse a folder that is not new, empty or an earlier run of this kind (`layout.results.staging.check_out`, which also
    refuses one holding an input, --force or not); make DIR/points."""
    check_out(out_dir, False, kind=kind, inputs=inputs)
    try:
        (out_dir / POINTS_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(os_problem(e, out_dir, "--out")) from None


def _stale(out_dir: Path, wanted: dict[str, str], pattern: str) -> list[str]:
    """Ids of finished point folders (or leftovers) whose inputs differ from this run's."""
    pdir = out_dir / POINTS_DIR
    stale = []
    for pid, text in wanted.items():
        folder = pdir / pid
        if not (folder / METRICS_JSON).is_file():
            continue
        solved = next((f for f in (folder / SCENARIO_YAML, pdir / f"{pid}.yaml") if f.is_file()), None)
        if solved is None or read_text(solved, "a sweep point's constraint file") != text:
            stale.append(pid)
    for f in sorted(pdir.iterdir()):
        pid = f.name.removesuffix(".yaml")
        if re.fullmatch(pattern, pid) and pid not in wanted and pid not in stale:
            stale.append(pid)
    return stale


def _remove_points(out_dir: Path, ids: Iterable[str]) -> None:
    """Remove points: their results folders (only ones this program wrote: `layout.results.staging.remove_result`) and files."""
    for pid in ids:
        remove_result(out_dir / POINTS_DIR / pid)
        try:
            (out_dir / POINTS_DIR / f"{pid}.yaml").unlink(missing_ok=True)
        except OSError as e:
            raise InputError(os_problem(e, out_dir / POINTS_DIR / f"{pid}.yaml", "--out")) from None


def _refuse_stale(out_dir: Path, stale: list[str]) -> InputError:
    shown = ", ".join(stale[:6]) + (", …" if len(stale) > 6 else "")
    return InputError(
        Problem(
            str(out_dir),
            None,
            "--out",
            "the same sweep to resume, a new folder, or --force to re-solve the points that changed",
            f"{len(stale)} finished point(s) of a different sweep or settings ({shown})",
        )
    )


@holds_out("out_dir")  # DIR is locked for the whole run: a second sweep into it fails (exit 2)
def run_sweep(
    file: str | Path | None,
    out_dir: str | Path,
    workers: int | None = None,
    dask_scheduler: str | None = None,
    dask_local: int | None = None,
    progress: ProgressArg = True,
    options: Options | None = None,
    force: bool = False,
    diagnose: bool = True,
) -> pd.DataFrame:
    """Run every point of the file's `sweep:` section; write DIR/sweep.csv, DIR/robustness.csv and DIR/points/.

    workers: local processes (default: one per core; 1 = in this process). dask_scheduler: address of a running
    dask.distributed scheduler (workers must see DIR and the scenario's data files). dask_local: start a LocalCluster
    with that many worker processes. progress: True = a rich progress bar on stderr; or callable(done, total, result).
    options: layout.pipeline.Options (solver, time_limit, gap override the file's `solver:` for every point).
    force: re-solve finished points whose inputs changed instead of refusing. diagnose: explain points the solver
    proves infeasible (layout.diagnose). Returns the table; `.attrs` lists the points solved now, skipped and failed.
    Raises InputError for bad sweeps (file, line, key) before anything is solved.
    """
    from layout.pipeline import input_files, prepare

    out_dir = Path(out_dir)
    chosen = options.language if options is not None else None
    spec, regions, inst = prepare(file, chosen)
    lang = resolve(chosen, spec.scenario.language)  # --lang, else the file's `language:`: its points and tables
    with using(lang):
        points = expand(spec)
        docs = documents(spec, points)
        check_references(spec, regions, docs[points[0].id], points[0])
        texts = {p.id: point_text(spec, docs[p.id], p, options) for p in points}
        check_execution(workers, dask_scheduler, dask_local)
        prepare_folder(out_dir, SWEEP_KIND, input_files(spec, regions))
        stale = _stale(out_dir, texts, r"p\d+")
        if stale and not force:
            raise _refuse_stale(out_dir, stale)
        _remove_points(out_dir, stale)
        write_text(
            out_dir / SWEEP_JSON,
            json.dumps(
                {
                    "program": "cluster-layout",
                    "language": lang,  # of its pages (`layout map` redraws robustness.html in it)
                    "scenario_file": str(spec.file.resolve()),
                    "input_sha256": spec.input_hash,
                    "sweep": sweep_section(spec).model_dump(mode="json"),
                    "points": [asdict(p) for p in points],
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n",
        )
        pdir = out_dir / POINTS_DIR
        for pid, text in texts.items():
            f = pdir / f"{pid}.yaml"
            if not f.is_file() or read_text(f, "a sweep point's constraint file") != text:
                write_text(f, text)
        skipped = [p.id for p in points if (pdir / p.id / METRICS_JSON).is_file()]
        tasks = [
            Task(
                p.id, str((pdir / f"{p.id}.yaml").resolve()), str((pdir / p.id).resolve()), diagnose, {"language": lang}
            )
            for p in points
            if p.id not in skipped
        ]
        failures: dict[str, dict] = {}
        ran: list[str] = []
        by_id = {p.id: p for p in points}

        def write_tables() -> pd.DataFrame:
            table = sweep_table(points, [point_row(p, pdir / p.id, failures.get(p.id)) for p in points])
            write_csv(out_dir / SWEEP_CSV, table)
            write_csv(out_dir / ROBUSTNESS_CSV, robustness(out_dir, points, inst))
            return table

        try:
            label = tr("sweep: {todo} of {total} points to solve", todo=len(tasks), total=len(points))
            with Bar(progress, len(tasks), label) as bar:
                for result in execute(
                    solve_point, tasks, workers=workers, dask_scheduler=dask_scheduler, dask_local=dask_local
                ):
                    ran.append(result["id"])
                    if not (pdir / result["id"] / METRICS_JSON).is_file():
                        failures[result["id"]] = result
                    bar.advance(result)
        finally:
            table = write_tables()
        assert set(ran) <= set(by_id)
        table.attrs.update(
            solved_now=sorted(set(ran) - set(failures)), skipped=skipped, failed=sorted(failures), language=lang
        )
        return table


def summary(table: pd.DataFrame) -> str:
    """One line: how many points, their statuses, how many were skipped; in the sweep's language (`.attrs`)."""
    with using(table.attrs.get("language")):
        counts = table["status"].value_counts().to_dict()
        parts = joined(
            translate(STATUS_COUNTS[s], n=n) if s in STATUS_COUNTS else f"{n} {s}" for s, n in sorted(counts.items())
        )
        skipped = len(table.attrs.get("skipped", []))
        line = tr("{n} points: {statuses}", n=len(table), statuses=parts)
        return line + (tr(" ({n} already finished, skipped)", n=skipped) if skipped else "")


def status_name(status: str) -> str:
    """A point's status as a page shows it (`STATUS_NAMES`, in the current language); a status of no name as it is."""
    return translate(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def joined(parts: Iterable[str]) -> str:
    """Items of a list in a sentence: 'a, b' in English, 'a、b' in Chinese."""
    return ("、" if current() == "zh" else ", ").join(parts)


__all__ = [
    "run_sweep",
    "expand",
    "apply",
    "documents",
    "check_references",
    "numeric_field",
    "resolved_document",
    "point_text",
    "robustness",
    "execute",
    "solve_point",
    "guarded",
    "check_readable",
    "Point",
    "Task",
    "summary",
    "status_name",
    "joined",
    "flatten",
    "sweep_table",
]
