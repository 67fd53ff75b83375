"""A reference layout as plain numbers, and the changes of a layout against it (least-change re-planning).

A constraint file's `reference:` names a layout to stay close to: the provinces' declared plans or a results folder.
Reading it is the results layer's (`layout.results.reference`: the model layer reads no results folder); the
instance holds what the model needs here, as `Instance.reference`. The model weighs the changes in its objective
(`layout.model.core.set_objective`) and limits them or measures capacity moved in `layout.model.families`
(max_changes, capacity_moved). A change is a designation — a region taking part in a cluster of an industry, any
tier — added to the reference or removed from it, counted only in the regions the reference states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from layout.language import tr
from layout.spec.schema import DECLARED_PLANS

DECLARED = DECLARED_PLANS  # reference.layout: the provinces' sourced declared plans


@dataclass(frozen=True)
class Reference:
    """A reference layout: which designations it holds (R), where it states them, and how changes are weighed."""

    source: str  # "declared" or the results folder's path, for words
    regions: tuple[str, ...]  # the regions whose designations it states (changes are counted only there)
    designated: frozenset[tuple[str, str]]  # R: (region, industry) pairs designated in the reference
    added: float  # weight per designation added (objective units)
    removed: float  # weight per designation removed (objective units)
    moved: float = 0.0  # weight per capacity unit moved, as a share of the industry's target
    max_changes: int | None = None  # most designations added plus removed; None = no limit
    capacity: dict[tuple[str, str], float] = field(default_factory=dict)  # x_ref (capacity units); {} = none stated

    def counted(self, region: str) -> bool:
        """Whether changes in `region` count (the reference states its designations)."""
        return region in self._regions

    @cached_property
    def _regions(self) -> frozenset[str]:
        return frozenset(self.regions)

    @property
    def words(self) -> str:
        """The reference in words: "the declared plans" or "the reference layout <folder>"."""
        if self.source == DECLARED:
            return tr("the declared plans")
        return tr("the reference layout {folder}", folder=self.source)


@dataclass(frozen=True)
class Changes:
    """A layout against a reference: designations kept, added and removed, by region (region -> industries)."""

    kept: dict[str, list[str]]
    added: dict[str, list[str]]
    removed: dict[str, list[str]]

    @property
    def count(self) -> int:
        """Designations added plus removed."""
        return sum(map(len, self.added.values())) + sum(map(len, self.removed.values()))


def changes(ref: Reference, designated: set[tuple[str, str]], industries: list[str]) -> Changes:
    """The designations `designated` keeps, adds and removes against `ref`, in the regions it states; industries in
    the order `industries` lists them (regions in the reference's order)."""
    order = {i: k for k, i in enumerate(industries)}
    kept: dict[str, list[str]] = {}
    added: dict[str, list[str]] = {}
    removed: dict[str, list[str]] = {}
    for r in ref.regions:
        mine = {i for (rr, i) in designated if rr == r}
        theirs = {i for (rr, i) in ref.designated if rr == r}
        for out, codes in ((kept, mine & theirs), (added, mine - theirs), (removed, theirs - mine)):
            if codes:
                out[r] = sorted(codes, key=lambda i: (order.get(i, len(order)), i))
    return Changes(kept, added, removed)
