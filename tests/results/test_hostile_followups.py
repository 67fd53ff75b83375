"""Hostile inputs found after Hardening II by trying new cases from outside the test suite (issue 13), each a
class the first fixes missed: a lone surrogate in a name, JSON nested or numbered beyond reason in a received
folder, an output file that replaced a user's file, a hard link or a look-alike name beside DIR, and a path
with control characters copied into generated YAML.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.results.tables import read_csv
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()


def tree(folder: Path) -> dict[str, str]:
    """Every file and link under `folder` (hidden ones too) with a hash of its content."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = "link:" + os.readlink(p)
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def scenario(folder: Path, **body) -> Path:
    write_regions(folder, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    return write_scenario(folder, {"industries": {"T": industry(max_share=0.5)}, **body})


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("solved")
    res = runner.invoke(app, ["solve", str(scenario(folder)), "--out", str(folder / "out"), "-q"])
    assert res.exit_code == 0, res.output
    return folder / "out"


def bad_input(result, *texts: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert "error (bad input)" in result.stderr
    for t in texts:
        assert t in result.stderr, result.stderr


# ------------------------------------------------------------------------------------ long names


def test_a_name_longer_than_the_csv_modules_limit_solves_and_reads_back(tmp_path):
    """Found: an industry named with 140,000 characters passed `validate`, then `solve` failed after solving, reading
    back the assignment.csv it had staged (the csv module's 131,072-character field limit), naming a temporary file."""
    long = "B" * 140_000
    write_regions(tmp_path, {"A": (0, 0), "B": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}})
    path = write_scenario(tmp_path, {"industries": {"T": industry(max_share=0.5, name=long)}})
    result = runner.invoke(app, ["solve", str(path), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["report", str(tmp_path / "out"), "--force"]).exit_code == 0
    assert set(read_csv(tmp_path / "out" / "assignment.csv")["industry_name"]) == {long}


# ------------------------------------------------------------------------------------ lone surrogates


def test_a_lone_surrogate_in_a_constraint_file_is_bad_input_at_its_line(tmp_path):
    path = scenario(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("name: tiny", 'name: "ti\\uD800ny"'), encoding="utf-8")
    line = next(k for k, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if t.startswith("name:"))
    before = tree(tmp_path)
    bad_input(runner.invoke(app, ["validate", str(path)]), f"scenario.yaml:{line}: name:", "lone surrogate (U+D800)")
    bad_input(runner.invoke(app, ["solve", str(path), "--out", str(tmp_path / "out")]), "lone surrogate")
    assert tree(tmp_path) == before


def received(solved: Path, tmp: Path, name: str, text: str) -> Path:
    folder = tmp / "received"
    shutil.copytree(solved, folder)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def readers(folder: Path, solved: Path) -> list:
    return [
        runner.invoke(app, ["compare", str(solved), str(folder)]),
        runner.invoke(app, ["report", str(folder), "--out", str(folder.parent / "r.html")]),
        runner.invoke(app, ["map", str(folder)]),
    ]


def test_a_lone_surrogate_in_a_received_folder_is_bad_input(solved, tmp_path):
    text = (solved / "metrics.json").read_text(encoding="utf-8").replace('"name": "tiny"', '"name": "ti\\ud800ny"')
    folder = received(solved, tmp_path, "metrics.json", text)
    for result in readers(folder, solved):
        bad_input(result, "metrics.json", "lone surrogate")


@pytest.mark.parametrize(
    "case,change",
    [
        ("nested arrays", lambda t: "[" * 100_000 + "]" * 100_000),
        (
            "nested objects in a key",
            lambda t: t.replace('"model":', '"deep": ' + '{"a":' * 100_000 + "1" + "}" * 100_000 + ', "model":', 1),
        ),
        ("a 400-digit count", lambda t: t.replace('"clusters": ', '"clusters": 1' + "0" * 400 + ', "x": ', 1)),
        ("NaN", lambda t: t.replace('"mean_similarity": ', '"mean_similarity": NaN, "y": ', 1)),
        ("Infinity", lambda t: t.replace('"mean_similarity": ', '"mean_similarity": -Infinity, "y": ', 1)),
    ],
)
def test_json_beyond_reason_in_a_received_folder_is_bad_input(solved, tmp_path, case, change):
    folder = received(solved, tmp_path, "metrics.json", change((solved / "metrics.json").read_text(encoding="utf-8")))
    for result in readers(folder, solved):
        bad_input(result, "metrics.json")


def test_deeply_nested_explanation_is_bad_input(solved, tmp_path):
    folder = received(solved, tmp_path, "explanation.json", '{"a":' * 100_000 + "1" + "}" * 100_000)
    bad_input(runner.invoke(app, ["explain", str(folder)]), "explanation.json")


# ------------------------------------------------------------------------------------ output files


@pytest.mark.parametrize("command", [["map", "{out}", "--png", "{file}"], ["report", "{out}", "--out", "{file}"]])
@pytest.mark.parametrize("target", ["scenario.yaml", "indicators.csv", "out/metrics.json", "notes.txt"])
def test_an_output_file_never_replaces_a_users_file_unasked(solved, tmp_path, command, target):
    folder = tmp_path / "w"
    shutil.copytree(solved.parent, folder)
    (folder / "notes.txt").write_text("my notes\n", encoding="utf-8")
    before = tree(folder)
    args = [a.format(out=folder / "out", file=folder / target) for a in command]
    result = runner.invoke(app, args)
    bad_input(result, target.split("/")[-1])
    assert tree(folder) == before


def test_force_replaces_a_users_file_only_outside_the_results_folder(solved, tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(solved.parent, folder)
    (folder / "fig.png").write_text("old figure\n", encoding="utf-8")
    result = runner.invoke(app, ["map", str(folder / "out"), "--png", str(folder / "fig.png"), "--force"])
    assert result.exit_code == 0, result.output
    assert (folder / "fig.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = (folder / "out" / "metrics.json").read_bytes()
    result = runner.invoke(
        app, ["report", str(folder / "out"), "--out", str(folder / "out" / "metrics.json"), "--force"]
    )
    bad_input(result, "metrics.json")
    assert (folder / "out" / "metrics.json").read_bytes() == metrics


def test_a_redrawn_figure_in_the_results_folder_needs_no_force(solved, tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(solved.parent, folder)
    for _ in range(2):
        result = runner.invoke(app, ["map", str(folder / "out"), "--png", str(folder / "out" / "map.png")])
        assert result.exit_code == 0, result.output


# ------------------------------------------------------------------------------------ beside DIR


def test_a_hard_link_named_like_the_lock_is_never_written(solved, tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(solved.parent, folder)
    (folder / "mydata.txt").write_text("my data\n", encoding="utf-8")
    os.link(folder / "mydata.txt", folder / ".out.lock")
    before = tree(folder)
    bad_input(runner.invoke(app, ["map", str(folder / "out")]), ".out.lock")
    bad_input(runner.invoke(app, ["report", str(folder / "out")]), ".out.lock")
    assert tree(folder) == before
    assert (folder / "mydata.txt").read_text(encoding="utf-8") == "my data\n"


def test_a_users_file_named_like_the_lock_is_neither_removed_nor_written(tmp_path):
    """Found: `.res.lock` holding a user's text was taken for a lock a killed run left, and deleted by the next run
    into `res` (and a lock taken on it would have overwritten it). A lock of ours holds nothing or a process number."""
    path = scenario(tmp_path)
    lock = tmp_path / ".res.lock"
    lock.write_text("important user data\n", encoding="utf-8")
    before = tree(tmp_path)
    bad_input(
        runner.invoke(app, ["solve", str(path), "--out", str(tmp_path / "res"), "-q"]),
        f"a lock file .res.lock of this program's own; found {lock} is a file of other content",
    )
    assert tree(tmp_path) == before
    # a lock a killed run left (its process number) is still cleared, and the run goes on
    lock.write_text("999999999\n", encoding="ascii")
    result = runner.invoke(app, ["solve", str(path), "--out", str(tmp_path / "res"), "-q"])
    assert result.exit_code == 0, result.output
    assert not lock.exists() and (tmp_path / "res" / "manifest.json").is_file()


def test_hidden_folders_named_like_leftovers_but_not_ours_stay(tmp_path):
    path = scenario(tmp_path)
    (tmp_path / ".res.partial-999999-notes").mkdir()
    (tmp_path / ".res.partial-999999-notes" / "thesis.txt").write_text("chapter 1\n", encoding="utf-8")
    (tmp_path / ".res.old-999998").mkdir()
    (tmp_path / ".res.old-999998" / "keep.txt").write_text("keep\n", encoding="utf-8")
    before = tree(tmp_path)
    result = runner.invoke(app, ["solve", str(path), "--out", str(tmp_path / "res"), "-q"])
    assert result.exit_code == 0, result.output
    after = tree(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("res/")} == before


# ------------------------------------------------------------------------------------ generated YAML


def test_a_path_with_control_characters_is_not_copied_raw_into_point_files(tmp_path):
    # the constraint file in a folder whose name holds a line break and an escape; its data beside, in a plain folder
    # (GDAL opens no path with a line break)
    scenario(tmp_path)
    folder = tmp_path / "in\nlimits: {max_clusters: 0}\n#\x1b[1m"
    folder.mkdir()
    path = write_scenario(
        folder,
        {
            "industries": {"T": industry(max_share=0.5)},
            "sweep": {"parameters": {"industries.T.target": [80, 120]}},
            "regions": {
                "source": "files",
                "boundaries": str(tmp_path / "squares.geojson"),
                "indicators": str(tmp_path / "indicators.csv"),
                "code_field": "code",
                "name_field": "name",
            },
        },
    )
    result = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "sw")])
    assert result.exit_code == 0, result.output
    assert "2 points: 2 optimal" in result.output
    points = sorted((tmp_path / "sw" / "points").glob("*.yaml"))
    assert len(points) == 2
    for point in points:
        text = point.read_text(encoding="utf-8")
        assert "\x1b" not in text and "\nlimits: {max_clusters: 0}" not in text
        assert "in\\x0alimits: {max_clusters: 0}\\x0a#\\x1b[1m" in text.splitlines()[0]
