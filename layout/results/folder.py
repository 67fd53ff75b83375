"""The results folder: its file names, the writers of its files, and one checked reader for every consumer.

Names. Every file of a results folder is named here, by its name and type (ASSIGNMENT_CSV, METRICS_JSON, ...
below); no other module spells them. manifest.json is the staging contract's (`layout.results.staging.MANIFEST`:
it lists every file with size and sha256), named here as MANIFEST_JSON.

Writing. `Contents` is a results folder in memory and `WRITERS` the table of its data files (name, field, writer);
`write_contents` writes them into a staged folder (`layout.results.staging.staged_output`). `layout solve`
(layout.pipeline) and the Pareto front's ε points (layout.batch.pareto) both write through it; the views
(map.html, report.html) are drawn afterwards from the files written. `write_diagnosis` writes the folder of an
infeasible scenario's diagnosis (`layout solve --diagnose-to`) under the same contract.

Reading. A results folder travels: a planner opens what a colleague e-mailed, written by another version of
this program, or not by it at all. So every JSON file of a folder is read here, bounded (layout.inputs), and
checked against the shape this version writes before any consumer looks inside: a renamed key, a list where an
object was or a text where a number was is bad input (exit 2) naming the file and the key, never a traceback in
a consumer. The shapes name only what consumers read; other keys pass through untouched (`extra="allow"`). The
check is strict (no conversions), so what passes is returned exactly as read. CSV tables are read by
`layout.results.tables.read_csv` (spreadsheet-safe cells undone, file and line on errors). `read_folder` gives
the whole folder as a `ResultsFolder`, each file read and checked when first used.
"""

from __future__ import annotations

import json
import platform
import shlex
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from layout.errors import InputError, Problem, expected_of, phrase
from layout.inputs import GEO_LIMIT, read_text
from layout.language import current, tr
from layout.results.staging import MANIFEST, PROGRAM, staged_output, write_json
from layout.results.tables import csv_text, read_csv

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "ASSIGNMENT_CSV",
    "BASELINE_CSV",
    "DECLARED_CSV",
    "PHASING_CSV",
    "LAYOUT_GEOJSON",
    "LAYOUT_GPKG",
    "CAPACITY_WIDE_CSV",
    "METRICS_JSON",
    "EXPLANATION_JSON",
    "MANIFEST_JSON",
    "MAP_HTML",
    "REPORT_HTML",
    "DIAGNOSIS_TXT",
    "MODEL_LP",
    "MODEL_MPS",
    "SCENARIO_YAML",
    "PERIODS_DIR",
    "SWEEP_JSON",
    "SWEEP_CSV",
    "ROBUSTNESS_CSV",
    "ROBUSTNESS_HTML",
    "POINTS_DIR",
    "ALTERNATIVES_JSON",
    "ALTERNATIVES_CSV",
    "ALTERNATIVES_METRICS_CSV",
    "ALTERNATIVES_HTML",
    "ALTERNATIVES_MAP_HTML",
    "OPTIMUM_DIR",
    "ALTERNATIVES_DIR",
    "Contents",
    "Layer",
    "WRITERS",
    "write_contents",
    "write_diagnosis",
    "new_manifest",
    "ResultsFolder",
    "read_folder",
    "read_metrics",
    "read_manifest",
    "read_explanation",
    "read_units_geojson",
    "require",
    "section",
    "time_limit_of",
    "stopped_words",
]

# ---------------------------------------------------------------- file names

# the columns of assignment.csv, baseline.csv and declared.csv (phasing.csv: a leading `period`), and the tiers
COLUMNS = ("region_code", "region_name", "industry", "industry_name", "capacity", "tier", "kind", "group", "group_name")
TIERS = ("inter-provincial", "provincial", "characteristic")
ASSIGNMENT_CSV = "assignment.csv"  # the optimised layout: one row per designated region–industry
BASELINE_CSV = "baseline.csv"  # the uncoordinated baseline layout, same columns
DECLARED_CSV = "declared.csv"  # the provinces' declared SEI priorities laid out (from geodata's priorities table)
PHASING_CSV = "phasing.csv"  # with plan periods: every period's layout, a leading `period` column
LAYOUT_GEOJSON = "layout.geojson"  # every drawn unit with its portfolio
LAYOUT_GPKG = "layout.gpkg"  # GeoPackage: one layer per layout (optimised, baseline, declared), codes as TEXT
CAPACITY_WIDE_CSV = "capacity_wide.csv"  # one row per modelled region: per industry its capacity and tier
METRICS_JSON = "metrics.json"
EXPLANATION_JSON = "explanation.json"
MANIFEST_JSON = MANIFEST  # what wrote the folder, and every file in it (layout.results.staging)
MAP_HTML = "map.html"
REPORT_HTML = "report.html"
DIAGNOSIS_TXT = "diagnosis.txt"  # an infeasible scenario's diagnosis (`layout solve --diagnose-to`)
MODEL_LP = "model.lp"  # --export-lp
MODEL_MPS = "model.mps"  # --export-mps
SCENARIO_YAML = "scenario.yaml"  # a sweep or Pareto point's constraint file, kept in its results folder
PERIODS_DIR = "periods"  # with plan periods: PERIODS_DIR/<year>/, one results folder per period
SWEEP_JSON = "sweep.json"  # a sweep folder (`layout sweep`): its points and their values
SWEEP_CSV = "sweep.csv"  # a sweep folder: one row per point
ROBUSTNESS_CSV = "robustness.csv"  # a sweep folder: per region and industry, the share of solved points designating it
ROBUSTNESS_HTML = "robustness.html"  # a sweep folder's map (`layout map`)
POINTS_DIR = "points"  # a sweep's or Pareto front's POINTS_DIR/<id>/, one results folder per point
ALTERNATIVES_JSON = "alternatives.json"  # a near-optimal alternatives folder (`layout alternatives`): its settings
ALTERNATIVES_CSV = "alternatives.csv"  # an alternatives folder: every designation, how many layouts share it, its class
ALTERNATIVES_METRICS_CSV = "alternatives_metrics.csv"  # an alternatives folder: the optimum and each alternative
ALTERNATIVES_HTML = "alternatives.html"  # an alternatives folder's page: the tables
ALTERNATIVES_MAP_HTML = "alternatives_map.html"  # an alternatives folder's map: the share of layouts designating each
OPTIMUM_DIR = "optimum"  # an alternatives folder's OPTIMUM_DIR/: the optimum's results folder
ALTERNATIVES_DIR = "alternatives"  # an alternatives folder's ALTERNATIVES_DIR/a01/ …: one folder per alternative
FOLDER = phrase("a results folder written by `layout solve`")
LAYOUT_KEYS = ("region_code", "industry", "tier")  # the columns every layout table is read with (and capacity)

Number = float | None


class Shape(BaseModel):
    """A JSON object as this version writes it: the keys consumers read, with their types; others pass."""

    model_config = ConfigDict(extra="allow", strict=True)  # strict: a text is no number, 4.0 no count


class ScenarioFacts(Shape):
    name: str
    capacity_unit: str = ""
    file: str = ""
    period: int | str | None = None


class OwnStartFacts(Shape):
    """A start of HiGHS's own (layout.model.solve.own_start_record): what it was, seconds, objective (null: none)."""

    what: str = ""
    seconds: Number = None
    objective: Number = None


class SolverFacts(Shape):
    name: str
    status: str
    objective: Number = None
    bound: Number = None
    gap: Number = None
    message: str = ""
    own_start: OwnStartFacts | None = None


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


class ClusterMember(Shape):
    """A member holding capacity in an inter-provincial cluster (`layout.results.metrics.group_clusters`)."""

    region: str
    name: str
    capacity: float  # capacity units
    share: float  # of the cluster's capacity, 0–1


class ClusterPart(Shape):
    """A part whose units hold the least member share together (finer levels; `metrics.group_clusters`)."""

    part: str
    name: str
    capacity: float
    share: float
    units: int
    holding: int  # its units holding capacity


class GroupCluster(Shape):
    """An inter-provincial cluster (a group and an industry) with the members that hold capacity in it."""

    group: str
    name: str
    industry: str
    capacity: float
    members: list[ClusterMember]
    parts: list[ClusterPart] = []
    note: str = ""  # the fallback in words where parts hold the member share
    text: str = ""


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
    group_clusters: list[GroupCluster] = []  # a folder written before they were listed has none


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


class RegionChanges(Shape):
    """A region's designations against the reference layout (industry codes)."""

    code: str
    name: str
    kept: list[str] = []
    added: list[str] = []
    removed: list[str] = []


class ChangesResult(Shape):
    """metrics.json `changes`: the layout against the scenario's reference layout (least-change re-planning)."""

    reference: str  # `declared` or the results folder's path
    kept: int
    added: int
    removed: int
    changes: int  # added + removed
    regions: int = 0  # regions whose designations the reference states
    max_changes: int | None = None
    capacity_moved: Number = None  # capacity units, Σ |x - x_ref|; None where the reference states no capacity
    objective_constant: Number = None  # objective units the solver's objective leaves out (removed weight × |R|)
    by_region: list[RegionChanges] = []
    text: str = ""


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
    """A region eligible for no industry (metrics.json regions_eligible_for_nothing); a folder written before the
    reasons were kept has only code and name."""

    code: str
    name: str
    why: str = ""  # the rules and numbers that exclude it, industries with the same reason grouped
    fallback: str | None = None  # the industry of the characteristic cluster it may host (limits.ineligible_regions)
    may_host: str = ""  # what it may host, in words (limits.ineligible_regions)


class LeverNoteFacts(Shape):
    """A policy lever applied to one industry, as a record (`layout.model.levers.LeverNote`)."""

    code: str  # the industry
    name: str
    lever: str  # retired, candidate, urgent, long-term, not due (`layout.model.levers`); another version may add more
    text: str  # its sentence, as listed under policy_levers
    enters: int | None = None  # a candidate's plan year of entry


class MissedIndustry(Shape):
    """An industry built below its target (`layout.analysis.shortfall`), capacity units."""

    industry: str
    name: str
    built: float
    target: float
    shortfall: float
    text: str


class TargetsMissed(Shape):
    """The targets a layout does not meet and the rules that hold them back, in sentences."""

    industries: list[MissedIndustry]
    held_back_by: list[str] = []
    found_by: str = ""  # conflict (a diagnosis with the targets required), cost (the penalty is cheaper), undecided


class PeriodResult(Shape):
    """A period's entry in metrics.json (consumers read what is there: each key is checked when present)."""

    solver: SolverFacts | None = None
    optimised: dict[str, Any] = {}
    industries: list[IndustryFacts] = []
    policy_levers: list[str] = []
    policy_lever_notes: list[LeverNoteFacts] | None = None  # None: a folder written before the records were kept
    targets_missed: TargetsMissed | None = None


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
    policy_levers: list[str] = []  # the levers applied, in words
    policy_lever_notes: list[LeverNoteFacts] | None = None  # the same, as records; None: a folder written before
    missing_data: list[str] = []
    data_notes: list[str] = []  # which of missing_data are notes, not gaps (older folders: none)
    regions_eligible_for_nothing: list[RegionFacts] = []
    rule_warnings: list[str] = []  # rules that make a target unreachable or an allowance futile (layout.model.rules)
    timings_seconds: dict[str, float] = {}
    targets_missed: TargetsMissed | None = None  # None: every target met (or a folder written before it was kept)
    changes: ChangesResult | None = None  # against the reference layout; None: the scenario names none


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
    """manifest.json: what wrote the folder, and the language its pages and sentences are in (None: written before
    languages)."""

    program: str
    language: Literal["en", "zh"] | None = None


class SweepFacts(Shape):
    """sweep.json, as far as a page reads it: the language of the sweep's pages (None: written before languages)."""

    language: Literal["en", "zh"] | None = None


S = TypeVar("S", bound=Shape)


def problems(path: Path, error: ValidationError) -> list[Problem]:
    """A pydantic error on a JSON file as Problems: the file, the key path, what was expected and found."""
    out = []
    for err in error.errors():
        key = ".".join(str(k) for k in err["loc"])
        found = "nothing (the key is missing)" if err["type"] == "missing" else repr(err.get("input"))[:120]
        out.append(
            Problem(
                str(path),
                None,
                key,
                f"{expected_of(err)} (written by another version of this program?)",
                found,
            )
        )
    return out


MAX_DIGITS = 15  # an integer of more digits is no count or code this program writes (and no float holds it)


class _Unreasonable(ValueError):
    """JSON this program never writes: NaN or infinity, an integer beyond MAX_DIGITS, a lone surrogate."""


def _no_constant(name: str) -> float:
    raise _Unreasonable(f"{name}, which is no number this program writes")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _Unreasonable(f"an integer of {len(text.lstrip('-'))} digits")
    return int(text)


def _plain_text(value: str) -> str:
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as e:
            raise _Unreasonable(f"a lone surrogate (U+{ord(value[e.start]):04X}), which is no character") from None
    return value


def _plain(value: object) -> object:
    """`value` with every string in it (inside lists too; objects are checked as they are made) checked."""
    if isinstance(value, str):
        return _plain_text(value)
    if isinstance(value, list):
        for item in value:
            _plain(item)
    return value


def _object(pairs: list[tuple[str, object]]) -> dict:
    return {_plain_text(k): _plain(v) for k, v in pairs}


def load_json(path: Path, what: str = FOLDER, limit: int | None = None) -> dict:
    """The JSON object in `path`, read bounded (layout.inputs); InputError for anything else: invalid JSON, nesting
    deeper than Python's recursion allows, NaN or infinity, integers beyond MAX_DIGITS digits, lone surrogates."""
    text = read_text(path, f"{what} ({path.name})", *(() if limit is None else (limit,)))
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_int=_bounded_int, object_pairs_hook=_object)
        _plain(data)  # a top-level array is not seen by the hook
    except json.JSONDecodeError as e:
        raise InputError(Problem(str(path), e.lineno, "", "valid JSON", f"unreadable: {e.msg}")) from None
    except RecursionError:
        raise InputError(
            Problem(
                str(path),
                None,
                "",
                "JSON nested at most a few hundred levels deep",
                "lists or objects nested too deeply to read",
            )
        ) from None
    except _Unreasonable as e:
        raise InputError(Problem(str(path), None, "", f"{what} ({path.name})", str(e))) from None
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
        raise InputError(
            Problem(
                str(folder), None, "", what, phrase("no such folder") if not folder.exists() else phrase("not a folder")
            )
        )
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise InputError(
            Problem(str(folder), None, "", f"{what} ({', '.join(names)})", f"no {', '.join(missing)} there")
        )
    return folder


def section(document: dict, key: str) -> dict:
    """document[key] when it is a JSON object, else {} (a section a folder of another kind or version may lack)."""
    value = document.get(key)
    return value if isinstance(value, dict) else {}


def read_metrics(folder: Path) -> dict:
    """DIR/metrics.json, checked."""
    return read_json(require(folder, METRICS_JSON) / METRICS_JSON, Metrics)


def read_manifest(folder: Path) -> dict:
    """DIR/manifest.json, checked."""
    return read_json(require(folder, MANIFEST_JSON) / MANIFEST_JSON, Manifest)


def written_language(folder: Path) -> str | None:
    """The language a results folder (manifest.json) or a sweep folder (sweep.json) was written in; None for a
    folder written before languages or of neither kind. InputError for a language this version does not know."""
    for name, shape in ((MANIFEST_JSON, Manifest), (SWEEP_JSON, SweepFacts)):
        if (Path(folder) / name).is_file():
            return read_json(Path(folder) / name, shape).get("language")
    return None


def folder_language(folder: Path) -> str | None:
    """`written_language`, or None where the folder does not say one this version knows (its own readers then say
    what is wrong with it)."""
    try:
        return written_language(folder)
    except InputError:
        return None


def time_limit_of(manifest: dict) -> float | None:
    """The time limit (seconds) a folder's solve ran with: manifest.json's solver.time_limit, or None (no limit,
    or a manifest that does not say)."""
    solver = manifest.get("solver")
    limit = solver.get("time_limit") if isinstance(solver, dict) else None
    return float(limit) if isinstance(limit, (int, float)) and not isinstance(limit, bool) else None


def stopped_words(solver: dict, time_limit: float | None) -> str | None:
    """metrics.json's solver section in words when a limit stopped the solver with a layout (status 'feasible'):
    "feasible — stopped by the time limit (120 s) at gap 1.56 %"; None when it finished (optimal, or the gap
    asked for was reached)."""
    if solver.get("status") != "feasible":
        return None
    message = str(solver.get("message") or "")
    gap = solver.get("gap")
    gap = f"{100 * gap:.2f} %" if isinstance(gap, (int, float)) and not isinstance(gap, bool) else None
    if "time limit" in message.lower() and time_limit is not None:
        return (
            tr("feasible — stopped by the time limit ({seconds} s) at gap {gap}", seconds=f"{time_limit:g}", gap=gap)
            if gap
            else tr("feasible — stopped by the time limit ({seconds} s)", seconds=f"{time_limit:g}")
        )
    if "time limit" in message.lower():
        return (
            tr("feasible — stopped by the time limit at gap {gap}", gap=gap)
            if gap
            else tr("feasible — stopped by the time limit")
        )
    if message:
        return (
            tr("feasible — stopped at a limit ({reason}) at gap {gap}", reason=message, gap=gap)
            if gap
            else tr("feasible — stopped at a limit ({reason})", reason=message)
        )
    return tr("feasible — stopped at a limit at gap {gap}", gap=gap) if gap else tr("feasible — stopped at a limit")


def targets_missed_of(metrics: dict) -> list[tuple[str, dict]]:
    """(period, targets_missed) of every period of metrics.json that missed a target ("" for a scenario without
    plan periods); [] when every target is met or the folder predates the record."""
    periods = metrics.get("periods") or {}
    if periods:
        return [(str(year), t) for year, p in periods.items() if (t := p.get("targets_missed"))]
    return [("", metrics["targets_missed"])] if metrics.get("targets_missed") else []


def missed_words(missed: dict, period: str = "") -> str:
    """A `targets_missed` record in words: "targets not met: NGIT 0 of 100 built; EPEP 35 of 100 built"."""
    from layout.words import number

    built = ("；" if current() == "zh" else "; ").join(
        tr(
            "{industry} {built} of {target} built",
            industry=m["industry"],
            built=number(m["built"]),
            target=number(m["target"]),
        )
        for m in missed["industries"]
    )
    if period:
        return tr("targets not met in {period}: {built}", period=period, built=built)
    return tr("targets not met: {built}", built=built)


def read_explanation(folder: Path) -> dict:
    """DIR/explanation.json, checked; a folder without one is told to solve again."""
    folder = require(folder, METRICS_JSON)
    if not (folder / EXPLANATION_JSON).is_file():
        raise InputError(
            Problem(
                str(folder),
                None,
                "",
                f"a results folder with {EXPLANATION_JSON} (written by `layout solve`)",
                f"no {EXPLANATION_JSON} there (solve the scenario again to explain it)",
            )
        )
    return read_json(folder / EXPLANATION_JSON, Explanation)


def read_units_geojson(path: Path) -> dict:
    """A results folder's layout.geojson, checked (bounded like boundary files: a county map is large)."""
    return read_json(path, UnitCollection, limit=GEO_LIMIT)


# ---------------------------------------------------------------- writing


def write_table(path: Path, table: pd.DataFrame) -> None:
    """A layout table as CSV: UTF-8, sorted by region and industry, capacities to 6 decimals, spreadsheet-safe
    (layout.results.tables; read back with `ResultsFolder.table`)."""
    path.write_bytes(csv_text(table.sort_values(["region_code", "industry"]), "%.6f").encode("utf-8"))  # CRLF as is


def write_geojson(path: Path, collection: dict) -> None:
    """A GeoJSON FeatureCollection, compact, keys in the order given (lon/lat as in geodata)."""
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    """A file as given (a constraint file copied)."""
    path.write_bytes(data)


def write_wide(path: Path, table: pd.DataFrame) -> None:
    """A wide table (capacity_wide.csv) as CSV in the order given, capacities to 6 decimals, spreadsheet-safe
    (layout.results.tables, as `write_table`)."""
    path.write_bytes(csv_text(table, "%.6f").encode("utf-8"))  # bytes: CRLF as csv_text wrote it, on every OS


@dataclass(frozen=True)
class Layer:
    """A GeoPackage layer: its features (longitude/latitude, with their CRS) and the description a GIS shows for it."""

    frame: gpd.GeoDataFrame
    description: str


GPKG_DATE = "1970-01-01T00:00:00.000Z"  # gpkg_contents.last_change: fixed, so the same input gives the same bytes


def write_geopackage(path: Path, layers: dict[str, Layer]) -> None:
    """A GeoPackage with one layer per entry (name: layer), polygons as MultiPolygon, each layer's description in
    gpkg_contents. Its last_change is GPKG_DATE, not the clock (the time a folder was written is manifest.json's
    `created`). A GDAL failure is an OSError naming the file (the staging contract makes it exit 2)."""
    import errno

    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    try:
        for name, layer in layers.items():
            pyogrio.write_dataframe(
                layer.frame,
                path,
                layer=name,
                driver="GPKG",
                promote_to_multi=True,
                layer_options={"DESCRIPTION": layer.description},
            )
    except (DataSourceError, DataLayerError) as e:
        raise OSError(errno.EIO, f"GDAL could not write the GeoPackage: {e}", str(path)) from None
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


@dataclass
class Contents:
    """A results folder in memory: one field per data file of `WRITERS` (None: the file is not written)."""

    metrics: dict
    manifest: dict
    assignment: pd.DataFrame | None = None
    baseline: pd.DataFrame | None = None
    declared: pd.DataFrame | None = None
    phasing: pd.DataFrame | None = None
    layout: dict | None = None  # layout.geojson's FeatureCollection (layout.results.layouts.units_geojson)
    wide: pd.DataFrame | None = None  # capacity_wide.csv (layout.results.wide.wide_table)
    geopackage: dict[str, Layer] | None = None  # layout.gpkg's layers by name (layout.results.wide.layout_layers)
    explanation: dict | None = None
    scenario: bytes | None = None  # the constraint file solved, copied as is


def versions() -> dict[str, str]:
    """The versions of Python, this program and the libraries a result depends on."""
    from layout import __version__

    out = {"python": platform.python_version(), PROGRAM: __version__}
    for pkg in ("pulp", "highspy", "geopandas", "shapely", "folium", "pydantic"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


# manifest.json's `command`: what wrote the folder. Where `layout` runs, its command line (`record_command`, called by
# layout.cli.main; the program named `layout`, not the path it was installed at); else PYTHON_API, since the process's
# own command line (a notebook kernel's, a script's) does not say which call wrote the folder. Batch workers are
# handed their parent's (layout.batch.sweep.execute).
PYTHON_API = "python: layout.api"
_argv: list[str] | None = None


def record_command(argv: list[str] | None) -> None:
    """Record `layout ARGV...` (the arguments after the program's name) as the command writing this process's folders;
    None: PYTHON_API again."""
    global _argv
    _argv = None if argv is None else list(argv)


def recorded_command() -> list[str] | None:
    """The arguments `record_command` recorded (None: none; folders then say PYTHON_API)."""
    return _argv


def new_manifest(scenario_file: Path, files_read: list[Path], input_sha256: str, solver: dict, **more: Any) -> dict:
    """manifest.json of a results folder: what wrote it (program, command: `record_command`, versions, time), from which inputs
    (the constraint file, every file read and their SHA-256) and with which solver settings (name, time_limit in
    seconds, gap); `more` adds keys (periods, a Pareto point's criterion and ε). Staging adds the list of files."""
    return {
        "program": PROGRAM,
        "command": PYTHON_API if _argv is None else shlex.join(["layout", *_argv]),
        "scenario_file": str(scenario_file),
        "files_read": [str(f) for f in files_read],
        "input_sha256": input_sha256,
        "solver": solver,
        **more,
        "versions": versions(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


# (file name, field of Contents, writer): the data files of a results folder, in the order written.
WRITERS: tuple[tuple[str, str, Callable[[Path, Any], None]], ...] = (
    (ASSIGNMENT_CSV, "assignment", write_table),
    (BASELINE_CSV, "baseline", write_table),
    (DECLARED_CSV, "declared", write_table),
    (PHASING_CSV, "phasing", write_table),
    (CAPACITY_WIDE_CSV, "wide", write_wide),
    (LAYOUT_GEOJSON, "layout", write_geojson),
    (LAYOUT_GPKG, "geopackage", write_geopackage),
    (SCENARIO_YAML, "scenario", write_bytes),
    (EXPLANATION_JSON, "explanation", write_json),
    (METRICS_JSON, "metrics", write_json),
    (MANIFEST_JSON, "manifest", write_json),
)


def write_contents(folder: Path, contents: Contents) -> None:
    """Write every file of `contents` (`WRITERS`) into `folder`, a staged folder (`layout.results.staging.staged_output`)."""
    for name, key, write in WRITERS:
        value = getattr(contents, key)
        if value is not None:
            write(folder / name, value)


def write_diagnosis(
    folder: Path,
    sentences: list[str],
    force: bool = False,
    *,
    option: str = "--diagnose-to",
    inputs: Iterable[str | Path] = (),
) -> Path:
    """Write FOLDER/diagnosis.txt (one sentence a line) and return its path.

    FOLDER is written as a results folder is (`staged_output`, the output contract of `layout.results.staging.check_out`):
    whole or not at all, with a manifest.json that lists what it holds, so an earlier diagnosis is replaced only
    with `force` and no other folder ever (nor one holding any of `inputs`). Raises InputError (problems naming
    `option`) when FOLDER is a file, under a file, a non-empty folder of something else, or cannot be written.
    """
    folder = Path(folder)
    with staged_output(folder, force, option=option, inputs=inputs) as tmp:
        (tmp / DIAGNOSIS_TXT).write_text("\n".join(sentences) + "\n", encoding="utf-8")
        write_json(tmp / MANIFEST_JSON, {"program": "cluster-layout", "diagnosis": DIAGNOSIS_TXT})
    return folder / DIAGNOSIS_TXT


# ---------------------------------------------------------------- reading a whole folder


@dataclass
class ResultsFolder:
    """A results folder as read back (`read_folder`). Each file is read and checked when first used, so a consumer
    meets only the problems of the files it reads; every problem is an InputError naming the file (and its line or
    key). Tables are pandas DataFrames as written (text cells, `capacity` in capacity units as floats)."""

    path: Path

    def file(self, name: str) -> Path:
        """DIR/name, which must exist (InputError saying it is missing otherwise)."""
        return require(self.path, name) / name

    def table(self, name: str, columns: tuple[str, ...] = LAYOUT_KEYS) -> pd.DataFrame:
        """DIR/name, a layout table with at least `columns` and capacity (a float)."""
        return read_csv(self.file(name), columns, ("capacity",))

    def optional(self, name: str, columns: tuple[str, ...] = LAYOUT_KEYS) -> pd.DataFrame | None:
        """DIR/name as `table`, or None if the folder has no such file."""
        return self.table(name, columns) if (self.path / name).is_file() else None

    @cached_property
    def metrics(self) -> dict:
        """metrics.json, checked."""
        return read_metrics(self.path)

    @cached_property
    def manifest(self) -> dict:
        """manifest.json, checked."""
        return read_manifest(self.path)

    @cached_property
    def explanation(self) -> dict | None:
        """explanation.json, checked; None if the folder has none (an ε point of a Pareto front)."""
        path = self.path / EXPLANATION_JSON
        return read_json(path, Explanation) if path.is_file() else None

    @cached_property
    def assignment(self) -> pd.DataFrame:
        """assignment.csv: the optimised layout."""
        return self.table(ASSIGNMENT_CSV)

    @cached_property
    def baseline(self) -> pd.DataFrame:
        """baseline.csv: the uncoordinated baseline."""
        return self.table(BASELINE_CSV)

    @cached_property
    def declared(self) -> pd.DataFrame | None:
        """declared.csv: the declared plans laid out, or None."""
        return self.optional(DECLARED_CSV)

    @cached_property
    def phasing(self) -> pd.DataFrame | None:
        """phasing.csv: every plan period's layout (a `period` column), or None."""
        return self.optional(PHASING_CSV, ("period", *LAYOUT_KEYS))

    @cached_property
    def layout(self) -> gpd.GeoDataFrame:
        """layout.geojson as a GeoDataFrame (lon/lat, EPSG:4326): region_code, region_name, modelled, n_clusters,
        portfolio and the geometry of every drawn unit."""
        return units_frame(read_units_geojson(self.file(LAYOUT_GEOJSON)), self.path / LAYOUT_GEOJSON)

    def period(self, year: int | str) -> ResultsFolder:
        """The results folder of one plan period (DIR/periods/<year>/)."""
        return read_folder(self.path / PERIODS_DIR / str(year))


def units_frame(collection: dict, where: Path | str) -> gpd.GeoDataFrame:
    """A layout.geojson FeatureCollection as a GeoDataFrame (lon/lat, EPSG:4326); InputError naming `where` for a
    geometry that cannot be read."""
    import geopandas as gpd

    try:
        return gpd.GeoDataFrame.from_features(collection["features"], crs="EPSG:4326")
    except Exception as e:  # shapely and geopandas raise several kinds for a bad geometry
        raise InputError(
            Problem(str(where), None, "features", "GeoJSON geometries", f"unreadable: {type(e).__name__}: {e}")
        ) from None


def read_folder(path: str | Path, *needs: str) -> ResultsFolder:
    """The results folder at `path`: a folder holding metrics.json (and the files `needs`), whose metrics.json has
    the shape this version writes. InputError naming the folder, file and key otherwise (not a results folder, a
    file missing, or written by an incompatible version); the other files are checked when read."""
    folder = ResultsFolder(require(Path(path), *dict.fromkeys((METRICS_JSON, *needs))))
    folder.metrics  # noqa: B018 - read now: a folder from an incompatible version is refused at once
    return folder
