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
    `industries` counts nothing for it, or (with `kind`) they fail that kind's eligibility test on it."""

    indicator: str
    regions: tuple[str, ...]  # region names
    industries: tuple[str, ...] = ()
    kind: str | None = None
    most_named: int | None = None  # name at most this many regions, counting the rest (None: name all)

    @property
    def text(self) -> str:
        """The gap in words (metrics.json missing_data)."""
        names = listing(self.regions, self.most_named)
        if self.kind is not None:
            return f"{self.indicator}: no data for {names}; they fail the {self.kind} eligibility test on it"
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
