"""docs/declared.md's least-change numbers: the example solved afresh, the forced changes recounted from the data file."""

from __future__ import annotations

from pathlib import Path

import pytest

from layout.pipeline import prepare, solve_scenario

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "models" / "examples" / "least-change.yaml"
DOC = (ROOT / "docs" / "declared.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def run():
    return solve_scenario(EXAMPLE, None)


def test_the_forced_changes_are_recounted_from_the_declared_plans():
    # A covered province gives up at least what exceeds its focus limit K_r, and at least what it is not eligible for.
    _spec, _regions, inst = prepare(EXAMPLE)
    ref = inst.reference
    assert ref is not None and ref.source == "declared"
    focus: dict[str, int] = {}  # designations beyond K_r
    beyond_focus: dict[str, int] = {}  # what eligibility adds to that
    for r in ref.regions:
        declared = [i for (rr, i) in ref.designated if rr == r]
        ineligible = [i for i in declared if not inst.eligible[r, i]]
        focus[r] = max(len(declared) - inst.max_clusters[r], 0)
        beyond_focus[r] = max(len(ineligible) - focus[r], 0)
    forced = sum(focus.values()) + sum(beyond_focus.values())
    assert (len(ref.regions), len(ref.designated), forced) == (15, 68, 25)
    assert "`max_changes: 25`, or weights of 100) | 25 = 0 + 25 | 43 |" in DOC
    assert "68 designations (industry laid out in 2025)" in DOC
    # the doc's split: 23 from the focus rule in 12 provinces, 2 more from eligibility, all in Guangxi (450000)
    assert (sum(focus.values()), sum(1 for n in focus.values() if n)) == (23, 12)
    assert {r: n for r, n in beyond_focus.items() if n} == {"450000": 2}
    assert "give up 23 between them" in DOC and "the eligibility rules add 2 in Guangxi" in DOC


def test_the_documented_answer_is_the_solve_of_the_example(run):
    c, o = run.metrics["changes"], run.metrics["optimised"]
    assert run.result.status == "optimal" and o["targets_met"]
    row = (
        f"| **least-change example (weights 1)** | **{c['changes']} = {c['added']} + {c['removed']}** | "
        f"**{c['kept']}** | **{o['duplications']} ({o['duplications_weighted']:g})** |"
    )
    assert row in DOC
    assert row == "| **least-change example (weights 1)** | **28 = 0 + 28** | **40** | **13 (6.5)** |"
    giving_up = [r for r in c["by_region"] if r["removed"]]
    assert f"{len(giving_up)} of the 15 give something up; {c['removed']} of the 68 designations go." in DOC
    for r in c["by_region"]:  # each province's answer, as the doc lists it
        if r["removed"]:
            assert f"{r['name']} {', '.join(r['kept'])} / {', '.join(r['removed'])}" in DOC.replace("\n  ", " ")
