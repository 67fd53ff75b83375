"""What the data lacks, as records: an indicator without values for some regions and what that costs them
(DataGap, listed in metrics.json's missing_data), and the budget indicator whose gap stops a run."""

from __future__ import annotations

from dataclasses import dataclass

from layout.errors import InputError
from layout.language import marked, tr, translate, trn
from layout.regions.indicators import indicator_words
from layout.spec.load import LoadedSpec
from layout.words import listing

KIND_WORDS = {"innovation": marked("innovation"), "resource": marked("resource")}  # a kind in the sentences


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
        """The gap in words, in the run's language (metrics.json missing_data)."""
        names = listing(self.regions, self.most_named)
        if self.rule_of is not None:
            return tr(
                "{indicator}: no data for {names}; they fail its condition in {industry}'s eligibility rule",
                indicator=indicator_words(self.indicator),
                names=names,
                industry=self.rule_of,
            )
        if self.kind is not None:
            if self.industries:
                return tr(
                    "{indicator}: no data for {names}; they fail its condition in the {kind} eligibility rule "
                    "({industries})",
                    indicator=indicator_words(self.indicator),
                    names=names,
                    kind=translate(KIND_WORDS.get(self.kind, self.kind)),
                    industries=listing(self.industries, None),
                )
            return tr(
                "{indicator}: no data for {names}; they fail its condition in the {kind} eligibility rule",
                indicator=indicator_words(self.indicator),
                names=names,
                kind=translate(KIND_WORDS.get(self.kind, self.kind)),
            )
        return trn(
            "{indicator}: no data for {names}; their {industries} score counts nothing for it",
            "{indicator}: no data for {names}; their {industries} scores count nothing for it",
            len(self.industries),
            indicator=indicator_words(self.indicator),
            names=names,
            industries=listing(self.industries, None),
        )


def no_budget_data(spec: LoadedSpec, level: str, codes: list[str], names: list[str]) -> InputError:
    """The error of a budget indicator without data for `codes` (named `names`, each a `level`: "region" or
    "province") that have no budget of their own."""
    return InputError(
        spec.problem(
            ("limits", "budget", "indicator"),
            tr(
                "an indicator with data for every region (or limits.regions.<code>.budget for {codes})",
                codes=listing(codes, None),
            )
            if level == "region"
            else tr(
                "an indicator with data for every province (or limits.regions.<code>.budget for {codes})",
                codes=listing(codes, None),
            ),
            tr("no data for {names}", names=listing(names, None)),
        )
    )
