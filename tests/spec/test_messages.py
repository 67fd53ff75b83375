"""Problems in a constraint file are said in the program's own words, never the schema library's sentences."""

from __future__ import annotations

import pytest

from layout.errors import InputError
from layout.results.folder import read_folder
from layout.spec.load import load
from tests.results_folder import layout_metrics, metrics, write_folder
from tests.squares import industry, write_scenario

# (what is broken, the body's override, key of the problem, expected, found)
BATTERY = [
    (
        "negative target",
        {"industries": {"T": industry(target=-5)}},
        "industries.T.target",
        "a number greater than 0",
        "-5",
    ),
    ("text for a number", {"industries": {"T": industry(target="lots")}}, "industries.T.target", "a number", "'lots'"),
    (
        "unknown solver",
        {"industries": {"T": industry()}, "solver": {"name": "gurobi"}},
        "solver.name",
        "one of: highs, cbc, scip",
        "'gurobi'",
    ),
    (
        "list for a mapping",
        {"industries": {"T": industry(weights=None) | {"weights": [1, 2]}}},
        "industries.T.weights",
        "a mapping of keys",
        "[1, 2]",
    ),
    (
        "share above 1",
        {"industries": {"T": industry(max_share=2)}},
        "industries.T.max_share",
        "a number of at most 1",
        "2",
    ),
    (
        "negative count",
        {"industries": {"T": industry()}, "rules": {"provincial_clusters": {"min": -1}}},
        "rules.provincial_clusters.min",
        "a number of at least 0",
        "-1",
    ),
    (
        "fraction for a count",
        {"industries": {"T": industry()}, "rules": {"provincial_clusters": {"min": 1.5}}},
        "rules.provincial_clusters.min",
        "a whole number",
        "1.5",
    ),
    ("number for a name", {"industries": {"T": industry(name=3)}}, "industries.T.name", "a text", "3"),
    (
        "text for a list",
        {"industries": {"T": industry(eligibility={"conditions": "all"})}},
        "industries.T.eligibility.conditions",
        "a list",
        "'all'",
    ),
    (
        "text for true or false",
        {
            "industries": {"T": industry()},
            "shortcomings": [{"industry": "T", "urgency": "urgent", "solvable": "maybe"}],
        },
        "shortcomings.0.solvable",
        "true or false",
        "'maybe'",
    ),
    (
        "our validator",
        {"industries": {"T": industry(weights={"s": -1.0})}},
        "industries.T",
        "weights must be >= 0, got {'s': -1.0}",
        None,
    ),
    (
        "missing key",
        {"industries": {"T": {"kind": "innovation", "target": 1, "weights": {"s": 1}}}},
        "industries.T.name",
        "a value (the key is required)",
        "nothing (the key is missing)",
    ),
]


@pytest.mark.parametrize("body,key,expected,found", [c[1:] for c in BATTERY], ids=[c[0] for c in BATTERY])
def test_schema_problems_are_said_in_our_words(tmp_path, body, key, expected, found):
    path = write_scenario(tmp_path, body)
    with pytest.raises(InputError) as e:
        load(path)
    problems = [p for p in e.value.problems if p.key == key]
    assert [p.expected for p in problems] == [expected], e.value.problems
    if found is not None:
        assert problems[0].found == found
    assert all("Input should" not in str(p) and "Value error" not in str(p) for p in e.value.problems)


@pytest.mark.parametrize(
    "extends,expected",
    [
        ("defaults", "an existing file (did you mean `default`?)"),
        ("Default", "an existing file (did you mean `default`?)"),
        ("basefil.yaml", "an existing file (did you mean `basefile.yaml`?)"),
        ("zzzz.yaml", "an existing file"),
    ],
)
def test_an_extends_target_not_found_gets_a_did_you_mean(tmp_path, extends, expected):
    write_scenario(tmp_path, {"industries": {"T": industry()}}, name="basefile.yaml")
    path = tmp_path / "bad.yaml"
    path.write_text(f"name: x\nextends: {extends}\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load(path)
    assert [(p.line, p.key, p.expected) for p in e.value.problems] == [(2, "extends", expected)]
    assert e.value.problems[0].found.startswith(str(tmp_path / extends) + ": ")


def test_a_results_folder_from_another_version_is_refused_in_our_words(tmp_path):
    folder = write_folder(tmp_path / "x", metrics(optimised=layout_metrics(duplications="many")))
    with pytest.raises(InputError) as e:
        read_folder(folder)
    assert [(p.key, p.expected, p.found) for p in e.value.problems] == [
        ("optimised.duplications", "a whole number (written by another version of this program?)", "'many'")
    ]


def test_an_extends_target_that_is_there_but_unreadable_gets_no_hint(tmp_path):
    (tmp_path / "base.yaml").mkdir()
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nextends: base.yaml\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load(path)
    assert [(p.line, p.key, p.expected) for p in e.value.problems] == [(2, "extends", "an existing file")]
