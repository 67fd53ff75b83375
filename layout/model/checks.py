"""Numeric checks before a model is built: numbers a solver cannot use meaningfully are refused with a sentence.

A MILP solver works with absolute tolerances (HiGHS: 1e-7 primal feasibility, 1e-6 integrality) and treats
numbers beyond 1e20 as infinite. A scenario whose targets or objective weights span many orders of
magnitude, or whose numbers are infinite, NaN or astronomically large, does not fail cleanly: the solver
returns an "error" status, a wrong "infeasible", or a layout in which the small terms were rounded away.
So such inputs are refused here, each problem naming file, line and key (exit 2), instead of rescaled
silently. So are counts (of clusters, regions, sweep points) above MAX_COUNT: no layout has that many, and
near 1e20 the solver takes them for infinite and fails. A scenario whose objective weights are all zero is
refused too: every feasible layout would be "optimal" and the result would depend on the solver's search
order, not on the planner's preferences.

`numeric_problems(spec)` checks the constraint file; `numeric_problems(spec, inst)` also checks the numbers
derived from data (region budgets). `option_problems(time_limit, gap)` checks command-line options.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel

from layout.errors import COMMAND_LINE, Problem
from layout.language import tr
from layout.spec.load import LoadedSpec
from layout.spec.schema import Objective
from layout.words import listing

MAX_SPREAD = 1e6  # largest accepted ratio between two targets, or two non-zero objective weights
MAX_MAGNITUDE = 1e12  # largest accepted number in capacity units or as an objective weight
MIN_TARGET = 1e-6  # smallest accepted target (the objective divides by targets)
MAX_COUNT = 1_000_000  # largest accepted count (the finest resolution has 2,875 counties)
# Objective fields that are terms of the objective (characteristic_weight only scales the homogeneity term).
OBJECTIVE_TERMS = tuple(f for f in Objective.model_fields if f != "characteristic_weight")
# Subtrees whose numbers are not capacities or weights: indicator thresholds (in the indicator's unit),
# solver settings (seconds, gap) and sweep ranges (checked when a swept scenario is built).
NOT_MAGNITUDES = ("eligibility", "solver", "sweep", "year", "periods", "enters")
NOT_COUNTS = ("year", "periods", "enters", "seed")  # whole numbers that are years or a random seed

Path_ = tuple[str | int, ...]


def _numbers(node: Any, path: Path_ = ()) -> Iterator[tuple[Path_, float | int]]:
    """Every number in a validated scenario, with its key path: floats, and ints for counts, years and seeds."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from _numbers(getattr(node, name), path + (name,))
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _numbers(v, path + (k,))
    elif isinstance(node, (list, tuple)):
        for k, v in enumerate(node):
            yield from _numbers(v, path + (k,))
    elif isinstance(node, (float, int)) and not isinstance(node, bool):
        yield path, node


def _key(path: Path_) -> str:
    return ".".join(str(k) for k in path)


def _is_target(path: Path_) -> bool:
    return bool(path) and (path[-1] == "target" or (len(path) >= 2 and path[-2] == "targets"))


def _spread(spec: LoadedSpec, items: Sequence[tuple[Path_, float]], expected: str) -> list[Problem]:
    """A problem at the largest value when the largest / smallest (non-zero) exceeds MAX_SPREAD (`expected`: what
    the values should be, in words)."""
    items = [(p, v) for p, v in items if v > 0]
    if len(items) < 2:
        return []
    (p_lo, lo), (p_hi, hi) = min(items, key=lambda t: t[1]), max(items, key=lambda t: t[1])
    if hi / lo <= MAX_SPREAD:
        return []
    file, line = spec.where(*p_lo)
    at = f"{file}:{line}" if line else file
    return [
        spec.problem(
            p_hi,
            expected,
            tr(
                "{high} here and {low} at {key} ({at}), a factor of {factor}",
                high=f"{hi:g}",
                low=f"{lo:g}",
                key=_key(p_lo),
                at=at,
                factor=f"{hi / lo:.3g}",
            ),
        )
    ]


def numeric_problems(spec: LoadedSpec, inst: Any = None) -> list[Problem]:
    """Numbers the solver cannot handle meaningfully, each located in the constraint file. Empty = fine.

    `inst` (an Instance, optional) adds checks of numbers derived from data (budgets from indicator shares).
    """
    sc = spec.scenario
    problems: list[Problem] = []
    numbers = []
    for path, v in _numbers(sc):
        if isinstance(v, float):
            numbers.append((path, v))
        elif v > MAX_COUNT and not any(k in NOT_COUNTS for k in path):
            digits = str(v)
            problems.append(
                spec.problem(
                    path,
                    tr(
                        "a count of at most {most} (no layout has more clusters or regions; the solver takes numbers "
                        "near 1e20 for infinite)",
                        most=f"{MAX_COUNT:,}",
                    ),
                    digits if len(digits) <= 24 else tr("a number of {n} digits", n=len(digits)),
                )
            )
    for path, v in numbers:
        if not math.isfinite(v):
            problems.append(spec.problem(path, tr("a finite number"), repr(v)))
        elif abs(v) > MAX_MAGNITUDE and not any(k in NOT_MAGNITUDES for k in path):
            problems.append(
                spec.problem(
                    path,
                    tr(
                        "a number of at most {most} in magnitude (express capacities in a larger unit: the solver "
                        "treats numbers near 1e20 as infinite)",
                        most=f"{MAX_MAGNITUDE:g}",
                    ),
                    f"{v:g}",
                )
            )
    finite = [(p, v) for p, v in numbers if math.isfinite(v)]
    targets = [(p, v) for p, v in finite if _is_target(p) and p[0] != "sweep"]
    for p, v in targets:
        if 0 < v < MIN_TARGET:
            problems.append(
                spec.problem(
                    p,
                    tr(
                        "a target of at least {least} (the objective divides by targets; express capacities in a "
                        "smaller unit)",
                        least=f"{MIN_TARGET:g}",
                    ),
                    f"{v:g}",
                )
            )
    problems += _spread(
        spec,
        targets,
        tr(
            "targets within a factor of {factor} of each other (the solver's tolerances are absolute, so the small "
            "industries' rows would be rounded away; express every capacity in one unit that suits them all, or lay "
            "out the small ones separately)",
            factor=f"{MAX_SPREAD:g}",
        ),
    )
    weights = [(("objective", f), float(getattr(sc.objective, f))) for f in OBJECTIVE_TERMS]
    weights = [(p, v) for p, v in weights if math.isfinite(v)]
    problems += _spread(
        spec,
        weights,
        tr(
            "non-zero objective weights within a factor of {factor} of each other (a term 1e6 times smaller than "
            "another changes the optimum by less than the solver's tolerance)",
            factor=f"{MAX_SPREAD:g}",
        ),
    )
    if weights and all(v == 0 for _, v in weights):
        problems.append(
            spec.problem(
                ("objective",),
                tr("at least one objective weight > 0 ({terms})", terms=listing(OBJECTIVE_TERMS, None)),
                tr(
                    "every weight 0: then every feasible layout is optimal, and the one reported would depend on the "
                    "solver's search order, not on the scenario"
                ),
            )
        )
    if inst is not None and sc.limits.budget is not None:
        bad = [r for r, b in inst.budget.items() if b is not None and not math.isfinite(b)]
        if bad:
            problems.append(
                spec.problem(
                    ("limits", "budget", "indicator"),
                    tr("an indicator whose values sum to more than 0 and stay finite (budgets are shares of it)"),
                    tr(
                        "{indicator}, which gives no finite budget for {regions}",
                        indicator=repr(sc.limits.budget.indicator),
                        regions=listing(bad[:10], None),
                    ),
                )
            )
    return problems


def option_problems(time_limit: float | None, gap: float | None) -> list[Problem]:
    """Command-line solver options out of range (the constraint file's own values are checked by its schema)."""
    problems = []
    if time_limit is not None and not (math.isfinite(time_limit) and time_limit > 0):
        problems.append(
            Problem(COMMAND_LINE, None, "--time-limit", tr("a finite number of seconds > 0"), repr(time_limit))
        )
    if gap is not None and not (math.isfinite(gap) and 0 <= gap < 1):
        problems.append(Problem(COMMAND_LINE, None, "--gap", tr("a relative gap >= 0 and < 1"), repr(gap)))
    return problems
