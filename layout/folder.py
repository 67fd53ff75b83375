"""Reading a results folder: one reader for every consumer (explain, compare, report, maps, sweeps, fronts).

A results folder travels: a planner opens what a colleague e-mailed, written by another version of this
program, or not by it at all. So every JSON file of a folder is read here, bounded (layout.inputs), and checked
against the shape this version writes before any consumer looks inside: a renamed key, a list where an object
was or a text where a number was is bad input (exit 2) naming the file and the key, never a traceback in a
consumer. The shapes name only what consumers read; other keys pass through untouched (`extra="allow"`). The
check is strict (no conversions), so what passes is returned exactly as read.

CSV tables are read by `layout.tables.read_csv` (spreadsheet-safe cells undone, file and line on errors).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from layout.errors import InputError, Problem
from layout.inputs import GEO_LIMIT, read_text

METRICS = "metrics.json"
MANIFEST = "manifest.json"
EXPLANATION = "explanation.json"
FOLDER = "a results folder written by `layout solve`"

Number = float | None


class Shape(BaseModel):
    """A JSON object as this version writes it: the keys consumers read, with their types; others pass."""

    model_config = ConfigDict(extra="allow", strict=True)  # strict: a text is no number, 4.0 no count


class ScenarioFacts(Shape):
    name: str
    capacity_unit: str = ""
    file: str = ""
    period: int | str | None = None


class SolverFacts(Shape):
    name: str
    status: str
    objective: Number = None
    bound: Number = None
    gap: Number = None
    message: str = ""


class ModelSize(Shape):
    rows: int
    columns: int
    nonzeros: int
    binaries: int


class IndustryResult(Shape):
    capacity: float
    target: float
    regions: int
    duplications: int
    shortfall: float = 0.0
    overcapacity_ratio: Number = None


class LayoutResult(Shape):
    """The metrics of one layout (optimised or baseline)."""

    clusters: int
    duplications: int
    regions_hosting: int
    targets_met: bool
    industries: dict[str, IndustryResult]
    duplications_weighted: Number = None
    mean_similarity: Number = None
    mean_similarity_adjacent: Number = None
    mean_overcapacity_ratio: Number = None
    mean_krugman: Number = None
    total_shortfall: Number = None
    krugman: dict[str, Number] = {}
    regions_without_cluster: list[str] = []


class DeclaredResult(Shape):
    coverage: str = ""
    duplications: int | None = None
    covered: list[str] = []
    not_covered: list[str] = []
    mean_similarity: Number = None
    mean_similarity_adjacent: Number = None
    not_laid_out: dict[str, dict[str, list[str]]] = {}
    not_laid_out_reasons: dict[str, str] = {}
    unmapped: dict[str, list[str]] = {}
    regions_per_industry: dict[str, int] = {}


class IndustryFacts(Shape):
    code: str
    name: str
    kind: str
    target: float


class GroupFacts(Shape):
    id: str
    name: str
    members: list[str]


class Duplication(Shape):
    a: str
    b: str
    industry: str
    weight: float


class RegionFacts(Shape):
    code: str
    name: str


class PeriodResult(Shape):
    """A period's entry in metrics.json (consumers read what is there: each key is checked when present)."""

    solver: SolverFacts | None = None
    optimised: dict[str, Any] = {}
    industries: list[IndustryFacts] = []


class Metrics(Shape):
    """metrics.json."""

    scenario: ScenarioFacts
    solver: SolverFacts
    model: ModelSize
    optimised: LayoutResult
    baseline: LayoutResult
    industries: list[IndustryFacts] = []  # an ε point of a Pareto front lists none
    groups: list[GroupFacts] = []
    declared: DeclaredResult | None = None
    duplications: dict[str, list[Duplication]] = {}
    periods: dict[str, PeriodResult] | None = None
    policy_levers: list[str] = []
    missing_data: list[str] = []
    regions_eligible_for_nothing: list[RegionFacts] = []
    timings_seconds: dict[str, float] = {}


class Entry(Shape):
    """An entry of an explanation list: its sentence (other keys vary by part)."""

    text: str


class Candidate(Entry):
    region: str
    region_name: str


class NearMiss(Shape):
    industry: str
    industry_name: str
    hosts: int
    candidates: list[Candidate]
    weakest_host: str | None = None
    weakest_host_name: str | None = None
    weakest_host_score: Number = None


class PricedEntry(Entry):
    row: str
    price: Number = None


class Explanation(Shape):
    """explanation.json."""

    scenario: str
    solver: dict[str, Any]
    fixed_lp: dict[str, Any]
    binding: list[Entry]
    shadow_prices: list[PricedEntry] = []
    target_prices: list[Entry] = []
    count_limits: list[PricedEntry] = []
    held_back: list[Entry] = []
    near_misses: list[NearMiss] = []
    findings: list[str] = []
    sign_convention: str = ""
    method: dict[str, str] = {}
    limits: str | None = None


class UnitProperties(Shape):
    region_code: str
    region_name: str | None = None
    modelled: bool = True


class UnitFeature(Shape):
    properties: UnitProperties
    geometry: dict[str, Any] | None


class UnitCollection(Shape):
    """layout.geojson: every drawn unit with its code, name and whether it is modelled."""

    type: str
    features: list[UnitFeature]


class Manifest(Shape):
    """manifest.json: what wrote the folder."""

    program: str


S = TypeVar("S", bound=Shape)


def problems(path: Path, error: ValidationError) -> list[Problem]:
    """A pydantic error on a JSON file as Problems: the file, the key path, what was expected and found."""
    out = []
    for err in error.errors():
        key = ".".join(str(k) for k in err["loc"])
        found = "nothing (the key is missing)" if err["type"] == "missing" else repr(err.get("input"))[:120]
        out.append(Problem(str(path), None, key, f"{err['msg'][0].lower()}{err['msg'][1:]} (written by another version of this program?)", found))
    return out


def load_json(path: Path, what: str = FOLDER, limit: int | None = None) -> dict:
    """The JSON object in `path`, read bounded (layout.inputs); InputError for anything else."""
    text = read_text(path, f"{what} ({path.name})", *(() if limit is None else (limit,)))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(Problem(str(path), e.lineno, "", "valid JSON", f"unreadable: {e.msg}")) from None
    if not isinstance(data, dict):
        raise InputError(Problem(str(path), None, "", "a JSON object", type(data).__name__))
    return data


def checked(path: Path, data: dict, shape: type[S]) -> S:
    """`data` (read from `path`) as `shape`; InputError naming the file and each key that does not fit."""
    try:
        return shape.model_validate(data)
    except ValidationError as e:
        raise InputError(problems(path, e)) from None


def read_json(path: Path, shape: type[S], what: str = FOLDER, limit: int | None = None) -> dict:
    """The JSON object in `path`, checked against `shape` and returned as read (a dict: consumers index it as
    the file reads); InputError naming the file and the key for anything else."""
    data = load_json(path, what, limit)
    checked(path, data, shape)
    return data


def require(folder: Path, *names: str, what: str = FOLDER) -> Path:
    """`folder` as a Path, if it is a folder holding the files `names`; else InputError saying what is missing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(Problem(str(folder), None, "", what, "no such folder" if not folder.exists() else "not a folder"))
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise InputError(Problem(str(folder), None, "", f"{what} ({', '.join(names)})", f"no {', '.join(missing)} there"))
    return folder


def read_metrics(folder: Path) -> dict:
    """DIR/metrics.json, checked."""
    return read_json(require(folder, METRICS) / METRICS, Metrics)


def read_manifest(folder: Path) -> dict:
    """DIR/manifest.json, checked."""
    return read_json(require(folder, MANIFEST) / MANIFEST, Manifest)


def read_explanation(folder: Path) -> dict:
    """DIR/explanation.json, checked; a folder without one is told to solve again."""
    folder = require(folder, METRICS)
    if not (folder / EXPLANATION).is_file():
        raise InputError(Problem(str(folder), None, "", f"a results folder with {EXPLANATION} (written by `layout solve`)",
                                 f"no {EXPLANATION} there (solve the scenario again to explain it)"))
    return read_json(folder / EXPLANATION, Explanation)


def read_units_geojson(path: Path) -> dict:
    """A results folder's layout.geojson, checked (bounded like boundary files: a county map is large)."""
    return read_json(path, UnitCollection, limit=GEO_LIMIT)
