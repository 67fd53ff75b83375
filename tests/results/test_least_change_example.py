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
    forced = 0
    for r in ref.regions:
        declared = [i for (rr, i) in ref.designated if rr == r]
        ineligible = [i for i in declared if not inst.eligible[r, i]]
        forced += max(len(declared) - inst.max_clusters[r], len(ineligible), 0)
    assert (len(ref.regions), len(ref.designated), forced) == (15, 68, 25)
    assert "`max_changes: 25`, or weights of 100) | 25 = 0 + 25 | 43 |" in DOC
    assert "68 designations (industry laid out in 2025)" in DOC


def test_the_documented_answer_is_the_solve_of_the_example(run):
    c, o = run.metrics["changes"], run.metrics["optimised"]
    assert run.result.status == "optimal" and o["targets_met"]
    row = (
        f"| **least-change example (weights 1)** | **{c['changes']} = {c['added']} + {c['removed']}** | "
        f"**{c['kept']}** | **{o['duplications']} ({o['duplications_weighted']:g})** |"
    )
    assert row in DOC
    assert row == "| **least-change example (weights 1)** | **28 = 0 + 28** | **40** | **12 (6)** |"
    giving_up = [r for r in c["by_region"] if r["removed"]]
    assert f"{len(giving_up)} of the 15 give something up; {c['removed']} of the 68 designations go." in DOC
    for r in c["by_region"]:  # each province's answer, as the doc lists it
        if r["removed"]:
            assert f"{r['name']} {', '.join(r['kept'])} / {', '.join(r['removed'])}" in DOC.replace("\n  ", " ")
