"""A results folder received from someone else: another version's keys, a list where an object was, a text
where a number was. `layout explain`, `compare`, `report` and `map` read it through one checked reader
(layout.folder): bad input (exit 2) naming the file and the key, never a traceback (issue 13).

One folder is solved once (a tiny square scenario); each case copies it and breaks one file.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from layout.cli import app
from tests.cli.test_fuzz import FUZZ, HOSTILE, get, key_paths
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("received")
    write_regions(folder, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    path = write_scenario(
        folder,
        {
            "industries": {"T": industry(max_share=0.5), "U": industry(target=50, max_share=0.6)},
            "groups": {"G": {"members": ["A", "B"]}},
        },
    )
    res = runner.invoke(app, ["solve", str(path), "--out", str(folder / "out"), "-q"])
    assert res.exit_code == 0, res.output
    return folder / "out"


def received(solved: Path, tmp: Path, name: str, change) -> Path:
    """A copy of the solved folder with `change` applied to file `name` (JSON: a function of the data; else text)."""
    folder = tmp / "received"
    shutil.copytree(solved, folder)
    path = folder / name
    if name.endswith((".json", ".geojson")):
        data = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps(change(data)), encoding="utf-8")
    else:
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def run_all(folder: Path, solved: Path) -> dict[str, object]:
    """Every reading command on the folder: {command: result}."""
    return {
        "explain": runner.invoke(app, ["explain", str(folder)]),
        "compare": runner.invoke(app, ["compare", str(solved), str(folder)]),
        "report": runner.invoke(app, ["report", str(folder), "--out", str(folder.parent / "report.html")]),
        "map": runner.invoke(app, ["map", str(folder)]),
    }


def clean(result) -> bool:
    exc = result.exception
    return (exc is None or isinstance(exc, SystemExit)) and "Traceback" not in result.output


def setting(path: tuple, value):
    def change(data):
        data = copy.deepcopy(data)
        get(data, path[:-1])[path[-1]] = value
        return data

    return change


def renaming(path: tuple, new: str):
    def change(data):
        data = copy.deepcopy(data)
        parent = get(data, path[:-1])
        parent[new] = parent.pop(path[-1])
        return data

    return change


# (case, file, change, the commands that read the file, text the message must hold)
CASES = [
    ("renamed key", "metrics.json", renaming(("optimised",), "optimized"), ("compare", "report", "map"), "optimised"),
    ("list for an object", "metrics.json", setting(("optimised",), []), ("compare", "report", "map"), "optimised"),
    (
        "text for a number",
        "metrics.json",
        setting(("optimised", "duplications"), "none"),
        ("compare", "report", "map"),
        "optimised.duplications",
    ),
    (
        "object for a list",
        "metrics.json",
        setting(("industries",), {"T": "x"}),
        ("compare", "report", "map"),
        "industries",
    ),
    ("null scenario", "metrics.json", setting(("scenario",), None), ("compare", "report", "map"), "scenario"),
    (
        "bad industry entry",
        "metrics.json",
        setting(("optimised", "industries", "T"), "x"),
        ("compare", "report", "map"),
        "optimised.industries.T",
    ),
    ("periods as a list", "metrics.json", setting(("periods",), [2025]), ("compare", "report", "map"), "periods"),
    ("binding as an object", "explanation.json", setting(("binding",), {"x": 1}), ("explain", "report"), "binding"),
    (
        "candidates as text",
        "explanation.json",
        setting(("near_misses", 0, "candidates"), "x"),
        ("explain", "report"),
        "near_misses.0.candidates",
    ),
    ("no program in manifest", "manifest.json", lambda d: {"files": d.get("files")}, ("compare", "report"), "program"),
    ("features as an object", "layout.geojson", setting(("features",), {}), ("report", "map"), "features"),
    (
        "numeric region code",
        "layout.geojson",
        setting(("features", 0, "properties", "region_code"), 5),
        ("report", "map"),
        "features.0.properties.region_code",
    ),
    ("JSON array", "metrics.json", lambda d: [d], ("compare", "report", "map"), "a JSON object"),
    (
        "no capacity column",
        "assignment.csv",
        lambda t: t.replace("capacity", "cap", 1),
        ("compare", "report", "map"),
        "capacity",
    ),
]


@pytest.mark.parametrize("case,name,change,readers,key", CASES, ids=[c[0] for c in CASES])
def test_a_foreign_folder_is_bad_input_naming_file_and_key(solved, tmp_path, case, name, change, readers, key):
    folder = received(solved, tmp_path, name, change)
    results = run_all(folder, solved)
    for command, result in results.items():
        assert clean(result), f"{command}: {result.exception!r}\n{result.output[-2000:]}"
        assert result.exit_code in (0, 2), f"{command}: {result.output[-2000:]}"
    for command in readers:
        result = results[command]
        assert result.exit_code == 2, f"{command} read the broken {name}:\n{result.output[-1500:]}"
        assert "error (bad input)" in result.stderr and name in result.stderr and key in result.stderr, result.stderr


def test_the_folder_as_written_reads_cleanly(solved, tmp_path):
    folder = received(solved, tmp_path, "metrics.json", lambda d: d)
    for command, result in run_all(folder, solved).items():
        assert result.exit_code == 0, f"{command}: {result.output[-2000:]}"


def test_any_mutation_of_a_received_folder_is_clean(solved, tmp_path_factory):
    """Random drops, renames and retypes anywhere in the folder's JSON files: exit 0 or 2, never a traceback."""
    names = ["metrics.json", "explanation.json", "manifest.json", "layout.geojson"]
    docs = {n: json.loads((solved / n).read_text(encoding="utf-8")) for n in names}
    exits = []

    @settings(FUZZ, max_examples=25)
    @given(data=st.data())
    def run(data):
        name = data.draw(st.sampled_from(names))
        doc = copy.deepcopy(docs[name])
        paths = [p for p in key_paths(doc) if not (name == "layout.geojson" and "geometry" in p)]
        path = data.draw(st.sampled_from(paths))
        parent = get(doc, path[:-1])
        op = data.draw(st.sampled_from(["drop", "retype", "rename"]))
        if op == "drop":
            del parent[path[-1]]
        elif op == "rename" and isinstance(parent, dict):
            parent[path[-1] + "_v2"] = parent.pop(path[-1])
        else:
            parent[path[-1]] = data.draw(HOSTILE)
        folder = received(solved, tmp_path_factory.mktemp("m"), name, lambda _d: doc)
        for command, result in run_all(folder, solved).items():
            assert clean(result), f"{command} on {name} {op} {path}: {result.exception!r}\n{result.output[-2000:]}"
            assert result.exit_code in (0, 2), f"{command} on {name} {op} {path}: {result.output[-2000:]}"
            exits.append(result.exit_code)

    run()
    assert 2 in exits
