"""Policy-lever notes and data gaps are records: the instance carries them, views group them by their fields, and
metrics.json keeps their sentences word for word.

Levers (squares A, B, C apart; plan periods 2025 and 2030): M is mature with existing capacity 30 in A kept at
half; V is mature with none; C is a candidate entering in 2030; T is an urgent, solvable shortcoming (at most 1
region among the top 2 by st); L is a long-term shortcoming with half its target due by 2030 and nothing by 2025.
Data gaps: B has no value of s (the score of T and U) and of st (the innovation kind's eligibility test).
"""

from __future__ import annotations

import html
import re

import pytest

from layout.model.instance import DataGap
from layout.model.levels import MAX_NAMED, merge_score_gaps
from layout.model.levers import (
    CANDIDATE,
    LIFECYCLE,
    LONG_TERM,
    NOT_DUE,
    RETIRED,
    SHORTCOMINGS,
    URGENT,
    effective_industries,
    read_note,
)
from layout.pipeline import prepare
from layout.spec.load import load
from layout.views.report import render_report
from tests.results_folder import metrics, write_folder
from tests.squares import industry, write_regions, write_scenario

ROBOTS = "Robots (机器人) — phase 2"  # a name with parentheses of its own


@pytest.fixture
def levers_file(tmp_path):
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (3, 0), "C": (6, 0)},
        {"A": {"s": 10, "st": 1}, "B": {"s": 5, "st": 5}, "C": {"s": 0, "st": 9}},
    )
    body = {
        "periods": [2025, 2030],
        "industries": {
            "M": industry(name="Motors", status="mature", base_capacity={"A": 30}, base_retention=0.5),
            "V": industry(name="Vans", status="mature"),
            "C": industry(name="Chips", status="candidate", enters=2030),
            "T": industry(name=ROBOTS, max_share=1.0),
            "L": industry(name="Lasers", max_share=1.0),
        },
        "shortcomings": [
            {"industry": "T", "urgency": "urgent", "solvable": True, "top_by": "st", "top": 2, "max_regions": 1},
            {"industry": "L", "urgency": "long_term", "milestones": {2030: 0.5}},
        ],
    }
    return write_scenario(tmp_path, body)


def test_each_lever_is_a_record_whose_sentence_reads_back(levers_file):
    sc = load(levers_file).scenario
    notes = {year: effective_industries(sc, year)[1] for year in (2025, 2030)}
    assert {y: {c: (n.lever, n.name, n.enters, n.family) for c, n in ns.items()} for y, ns in notes.items()} == {
        2025: {
            "M": (RETIRED, "Motors", None, LIFECYCLE),
            "V": (RETIRED, "Vans", None, LIFECYCLE),
            "C": (CANDIDATE, "Chips", 2030, LIFECYCLE),
            "T": (URGENT, ROBOTS, None, SHORTCOMINGS),
            "L": (NOT_DUE, "Lasers", None, SHORTCOMINGS),
        },
        2030: {
            "M": (RETIRED, "Motors", None, LIFECYCLE),
            "V": (RETIRED, "Vans", None, LIFECYCLE),
            "T": (URGENT, ROBOTS, None, SHORTCOMINGS),
            "L": (LONG_TERM, "Lasers", None, SHORTCOMINGS),
        },
    }
    texts = {c: n.text for c, n in notes[2025].items()}
    assert texts == {
        "M": "M (Motors) is mature: it leaves the SEI layout, no new designations; existing capacity kept outside the layout, "
        "(1 - delta) x base_capacity: A 15 (15 in all)",
        "V": "V (Vans) is mature: it leaves the SEI layout, no new designations; the scenario gives no existing capacity for it "
        "(base_capacity), so none is reported as kept",
        "C": "C (Chips) is a candidate entering in 2030: not laid out in 2025",
        "T": f"T ({ROBOTS}) is an urgent, solvable shortcoming: at most 1 regions among the top 2 by st",
        "L": "L (Lasers) is a long-term shortcoming with no milestone due by 2025",
    }
    assert notes[2030]["L"].text == "L (Lasers) is a long-term shortcoming: 50% of its target due by 2030"
    # what a results folder keeps reads back into the same record
    for ns in notes.values():
        for n in ns.values():
            assert read_note(n.text) == n
    assert read_note("S (Sensors) is promoted: a lever of another version") is None
    # the instance carries the records; its words are their sentences
    _, _, inst = prepare(levers_file)
    assert inst.levers == notes[2025] and inst.notes == texts


def test_the_report_groups_levers_by_their_records(levers_file, tmp_path):
    sc = load(levers_file).scenario
    notes = list(effective_industries(sc, 2025)[1].values())
    other = "S (Sensors) is promoted: a lever of another version"
    folder = write_folder(tmp_path / "out", metrics(policy_levers=[n.text for n in notes] + [other]))
    section = re.search(r'<section id="levers">(.*?)</section>', render_report(folder), re.S).group(1)
    groups = {
        h: re.findall(r"<li>(.*?)</li>", body) for h, body in re.findall(r"<h3>(.*?)</h3>(.*?)</ul>", section, re.S)
    }
    assert {h: [html.unescape(li) for li in lis] for h, lis in groups.items()} == {
        "Lifecycle (mature industries retired, candidates entering)": [notes[0].text, notes[1].text, notes[2].text],
        "Key shortcomings": [notes[3].text, notes[4].text],
        "Other levers": [other],
    }


def test_score_gaps_merge_by_indicator_and_units():
    long = tuple(f"U{k}" for k in range(12))
    ten = ("Alpha, North",) + tuple(f"V{k}" for k in range(9))  # a unit whose name holds ", " stays one unit: ten named
    gaps = [
        DataGap("gdp", ten, ("T",)),
        DataGap("st", ("Beta",), kind="innovation"),
        DataGap("gdp", ten, ("U",)),
        DataGap("pop", long, ("T",)),
    ]
    merged = merge_score_gaps(gaps)
    assert merged == [
        DataGap("gdp", ten, ("T", "U"), most_named=MAX_NAMED),
        DataGap("st", ("Beta",), kind="innovation"),
        DataGap("pop", long, ("T",), most_named=MAX_NAMED),
    ]
    assert [g.text for g in merged] == [
        "gdp: no data for Alpha, North, V0, V1, V2, V3, V4, V5, V6, V7, V8; their T, U scores count nothing for it",
        "st: no data for Beta; they fail the innovation eligibility test on it",
        "pop: no data for 12 units (U0, U1, U2, U3, U4, U5, U6, U7, U8, U9, … and 2 more); their T score counts nothing for it",
    ]


def test_the_instance_records_its_data_gaps(tmp_path):
    write_regions(tmp_path, {"A": (0, 0), "B": (3, 0)}, {"A": {"s": 10, "st": 3}, "B": {"s": None, "st": None}})
    body = {
        "industries": {"T": industry(name="Tools"), "U": industry(name="Utilities")},
        "kinds": {"innovation": {"eligibility": {"conditions": [{"indicator": "st", "min": 1}]}}},
    }
    _, _, inst = prepare(write_scenario(tmp_path, body))
    assert inst.gaps == [
        DataGap("s", ("Region B",), ("T",)),
        DataGap("s", ("Region B",), ("U",)),
        DataGap("st", ("Region B",), kind="innovation"),
    ]
    assert inst.missing == [
        "s: no data for Region B; their T score counts nothing for it",
        "s: no data for Region B; their U score counts nothing for it",
        "st: no data for Region B; they fail the innovation eligibility test on it",
    ]
