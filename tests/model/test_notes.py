"""Policy-lever notes and data gaps are records: the instance carries them, metrics.json keeps the lever records
(`policy_lever_notes`) beside their sentences (`policy_levers`, word for word), and the report groups levers by the
records' fields; a folder written before the records were kept shows its sentences as written.

Levers (squares A, B, C apart; plan periods 2025 and 2030): M is mature with existing capacity 30 in A kept at
half; V is mature with none; C is a candidate entering in 2030; T is an urgent, solvable shortcoming (at most 1
region among the top 2 by st); L is a long-term shortcoming with half its target due by 2030 and nothing by 2025.
Data gaps: B has no value of s (the score of T and U) and of st (the innovation kind's eligibility test).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import fields

import pytest

from layout.errors import InputError
from layout.model.gaps import DataGap
from layout.model.levels import MAX_NAMED, merge_score_gaps
from layout.model.levers import (
    CANDIDATE,
    LIFECYCLE,
    LONG_TERM,
    NOT_DUE,
    RETIRED,
    SHORTCOMINGS,
    URGENT,
    LeverNote,
    effective_industries,
)
from layout.pipeline import prepare, solve_scenario
from layout.results.folder import LeverNoteFacts, read_metrics
from layout.spec.load import load
from layout.views.report import render_report
from tests.results_folder import metrics, write_folder
from tests.squares import industry, write_regions, write_scenario

ROBOTS = "Robots (机器人) — phase 2"  # a name with parentheses of its own
NONE = '<span class="muted">—</span>'  # an empty cell of the report's tables


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


def test_each_lever_is_a_record_with_its_sentence(levers_file):
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
    # the instance carries the records; its words are their sentences
    _, _, inst = prepare(levers_file)
    assert inst.levers == notes[2025] and inst.notes == texts


def test_metrics_json_keeps_the_records_beside_their_sentences(levers_file, tmp_path):
    sc = load(levers_file).scenario
    notes = {str(year): list(effective_industries(sc, year)[1].values()) for year in (2025, 2030)}
    solve_scenario(levers_file, tmp_path / "out")
    m = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    for entry, ns in [(m, notes["2030"])] + [(m["periods"][y], notes[y]) for y in ("2025", "2030")]:
        assert entry["policy_lever_notes"] == [
            {"code": n.code, "name": n.name, "lever": n.lever, "enters": n.enters, "text": n.text} for n in ns
        ]
        assert entry["policy_levers"] == [n.text for n in ns]  # the sentences as before, in the same order
        assert [LeverNote(**f) for f in entry["policy_lever_notes"]] == ns
    assert m["periods"]["2025"]["policy_lever_notes"][2] == {
        "code": "C",
        "name": "Chips",
        "lever": CANDIDATE,
        "enters": 2030,
        "text": "C (Chips) is a candidate entering in 2030: not laid out in 2025",
    }
    # the folder's shape of a record names the record's fields
    assert set(LeverNoteFacts.model_fields) == {f.name for f in fields(LeverNote)} == set(notes["2025"][0].facts())
    read_metrics(tmp_path / "out")


@pytest.mark.parametrize(
    ("where", "bad", "key"),
    [
        ("top", {"enters": "2030"}, "policy_lever_notes.0.enters"),
        ("top", {"lever": None}, "policy_lever_notes.0.lever"),
        ("period", {"text": 7}, "periods.2025.policy_lever_notes.0.text"),
    ],
)
def test_a_lever_record_of_another_shape_is_bad_input(tmp_path, where, bad, key):
    record = {"code": "C", "name": "Chips", "lever": CANDIDATE, "enters": 2030, "text": "C enters", **bad}
    over = {"policy_lever_notes": [record]}
    m = metrics(**over) if where == "top" else metrics(periods={"2025": over})
    with pytest.raises(InputError) as err:
        read_metrics(write_folder(tmp_path / "out", m))
    assert [p.key for p in err.value.problems] == [key]


def levers_html(folder) -> str:
    """The report's policy-levers section."""
    return re.search(r'<section id="levers">(.*?)</section>', render_report(folder), re.S).group(1)


def test_the_report_groups_levers_by_their_records(levers_file, tmp_path):
    sc = load(levers_file).scenario
    notes = list(effective_industries(sc, 2025)[1].values())
    other = LeverNote("S", "Sensors", "promoted", "S (Sensors) is promoted: a lever of another version")
    # grouped by the record's lever, whatever its sentence says
    worded = LeverNote("X", "Xylophones", LONG_TERM, "X (Xylophones) is mature: it leaves the SEI layout")
    records = [n.facts() for n in notes + [other, worded]]
    folder = write_folder(tmp_path / "out", metrics(policy_levers=["no sentence is read"], policy_lever_notes=records))
    section = levers_html(folder)
    groups = {
        h: re.findall(r"<li>(.*?)</li>", body) for h, body in re.findall(r"<h3>(.*?)</h3>(.*?)</ul>", section, re.S)
    }
    assert {h: [html.unescape(li) for li in lis] for h, lis in groups.items()} == {
        "Lifecycle (mature industries retired, candidates entering)": [notes[0].text, notes[1].text, notes[2].text],
        "Key shortcomings": [notes[3].text, notes[4].text, worded.text],
        "Other levers": [other.text],
    }
    assert "no sentence is read" not in section and "earlier version" not in section
    # without a shortcoming among the records, the report says so
    lifecycle = write_folder(tmp_path / "lifecycle", metrics(policy_lever_notes=records[:3]))
    assert "No key shortcomings in this scenario." in levers_html(lifecycle)


def test_an_older_folder_lists_its_lever_sentences_as_written(levers_file, tmp_path):
    sc = load(levers_file).scenario
    texts = [n.text for n in effective_industries(sc, 2025)[1].values()]
    later = "L (Lasers) is a long-term shortcoming: 50% of its target due by 2030"
    robots = {"code": "T", "name": ROBOTS, "kind": "innovation", "target": 100.0}
    periods = {
        "2025": {"industries": [], "policy_levers": texts},
        "2030": {"industries": [robots], "policy_levers": texts[:2] + [later]},
    }
    folder = write_folder(
        tmp_path / "out", metrics(industries=[robots], policy_levers=texts[:2] + [later], periods=periods)
    )
    report = render_report(folder)
    section = levers_html(folder)
    assert "<h3>" not in section and "No key shortcomings" not in section
    assert [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", section)] == [
        f'{texts[0]} <span class="muted">— 2025, 2030</span>',
        f'{texts[1]} <span class="muted">— 2025, 2030</span>',
        f'{texts[2]} <span class="muted">— 2025</span>',
        f'{texts[3]} <span class="muted">— 2025</span>',
        f'{texts[4]} <span class="muted">— 2025</span>',
        f'{later} <span class="muted">— 2030</span>',
    ]
    assert "written by an earlier version, which kept the levers in words only" in section
    # per period, the sentences stand in the last column, none placed by reading them
    phasing = re.search(r'<section id="phasing">(.*)</section>', report, re.S).group(1)
    lever_rows = re.findall(r"<tr><td><b>(\d+)</b></td>(.*?)</tr>", phasing.split("Policy levers per period")[1], re.S)
    assert [(y, [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row)]) for y, row in lever_rows] == [
        ("2025", [NONE] * 4 + ["<br>".join(texts)]),
        ("2030", [NONE, "T " + ROBOTS] + [NONE] * 2 + ["<br>".join(texts[:2] + [later])]),
    ]


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
        "st: no data for Beta; they fail its condition in the innovation eligibility rule",
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
        DataGap("st", ("Region B",), ("T", "U"), kind="innovation"),
    ]
    assert inst.missing == [
        "s: no data for Region B; their T score counts nothing for it",
        "s: no data for Region B; their U score counts nothing for it",
        "st: no data for Region B; they fail its condition in the innovation eligibility rule (T, U)",
    ]


def test_a_gap_in_an_industrys_own_rule_is_reported_and_a_kind_rule_no_industry_uses_is_not(tmp_path):
    """The kind's rule applies to its industries without their own; each industry's own rule reports its own gaps."""
    write_regions(tmp_path, {"A": (0, 0), "B": (3, 0)}, {"A": {"s": 10, "st": 3}, "B": {"s": 1, "st": None}})
    own = {"conditions": [{"indicator": "st", "min": 1}]}
    body = {
        "industries": {"T": industry(name="Tools", eligibility=own)},
        "kinds": {"innovation": {"eligibility": {"conditions": [{"indicator": "st", "min": 5}]}}},
    }
    _, _, inst = prepare(write_scenario(tmp_path, body))
    assert inst.missing == ["st: no data for Region B; they fail its condition in T's eligibility rule"]
