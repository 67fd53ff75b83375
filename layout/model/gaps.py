"""What the data lacks, as records: an indicator without values for some regions and what that costs them
(DataGap, listed in metrics.json's missing_data), and the budget indicator whose gap stops a run."""

from __future__ import annotations

from dataclasses import dataclass

from layout.errors import InputError
from layout.spec.load import LoadedSpec
from layout.words import listing


@dataclass(frozen=True)
class DataGap:
    """Regions with no value of an indicator the scenario uses, and what that costs them: their score for
    `industries` counts nothing for it, or (an eligibility gap) they fail the condition on it in the rule of a kind
    (`kind`, the rule of its `industries` without their own) or of one industry (`rule_of`)."""

    indicator: str
    regions: tuple[str, ...]  # region names
    industries: tuple[str, ...] = ()
    kind: str | None = None
    most_named: int | None = None  # name at most this many regions, counting the rest (None: name all)
    rule_of: str | None = None  # an industry code: the gap is in that industry's own eligibility rule

    @property
    def eligibility(self) -> bool:
        """Whether the gap is in an eligibility rule (else in a comparative-advantage score)."""
        return self.kind is not None or self.rule_of is not None

    @property
    def text(self) -> str:
        """The gap in words (metrics.json missing_data)."""
        names = listing(self.regions, self.most_named)
        if self.rule_of is not None:
            return (
                f"{self.indicator}: no data for {names}; they fail its condition in {self.rule_of}'s eligibility rule"
            )
        if self.kind is not None:
            used_by = f" ({', '.join(self.industries)})" if self.industries else ""
            return f"{self.indicator}: no data for {names}; they fail its condition in the {self.kind} eligibility rule{used_by}"
        many = len(self.industries) > 1
        return (
            f"{self.indicator}: no data for {names}; their {', '.join(self.industries)} score{'s' if many else ''} "
            f"count{'' if many else 's'} nothing for it"
        )


def no_budget_data(spec: LoadedSpec, level: str, codes: list[str], names: list[str]) -> InputError:
    """The error of a budget indicator without data for `codes` (named `names`, each a `level`: region or
    province) that have no budget of their own."""
    return InputError(
        spec.problem(
            ("limits", "budget", "indicator"),
            f"an indicator with data for every {level} (or limits.regions.<code>.budget for {', '.join(codes)})",
            f"no data for {', '.join(names)}",
        )
    )
