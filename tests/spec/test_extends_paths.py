"""`extends:` across folders: each file's relative paths resolve against the file that wrote them.

Folder base/ holds the base scenario and its squares A, B, C; folder user/ holds the extending file and decoy
data files of the same names (squares X, Y with another indicator). The base's data must be read, never the
decoys; a path the extending file writes itself resolves beside it. Link loops and over-long chains of
`extends:` are bad input at the `extends` line.
"""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from layout.batch.sweep import resolved_document
from layout.cli import app
from layout.errors import InputError
from layout.regions.load import load_regions
from layout.spec.load import load
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()


@pytest.fixture
def folders(tmp_path):
    base, user = tmp_path / "base", tmp_path / "user"
    base.mkdir()
    user.mkdir()
    write_regions(base, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    write_regions(user, {"X": (0, 0), "Y": (1, 0)}, {"X": {"q": 1}, "Y": {"q": 2}})  # decoys, same file names
    write_scenario(base, {"industries": {"T": industry()}}, name="base.yaml")
    return base, user


def test_the_base_data_files_are_read_not_the_decoys_beside_the_extending_file(folders):
    base, user = folders
    (user / "scenario.yaml").write_text("extends: ../base/base.yaml\nname: mine\n", encoding="utf-8")
    spec = load(user / "scenario.yaml")
    regions = load_regions(spec)
    assert regions.codes == ["A", "B", "C"]
    assert list(regions.indicators.columns) == ["s"]
    assert regions.boundary_file.resolve() == (base / "squares.geojson").resolve()
    assert regions.indicator_file.resolve() == (base / "indicators.csv").resolve()
    doc = resolved_document(spec)  # a sweep point's fully resolved file names the base's files too
    assert doc["regions"]["boundaries"] == str((base / "squares.geojson").resolve())
    assert doc["regions"]["indicators"] == str((base / "indicators.csv").resolve())

    result = runner.invoke(app, ["validate", str(user / "scenario.yaml")])
    assert result.exit_code == 0, result.output
    assert "valid — 3 regions, 1 industries" in result.stdout


def test_a_path_the_extending_file_writes_resolves_beside_it(folders):
    base, user = folders
    (user / "more.csv").write_text("code,s,q\nA,1,2\nB,3,4\nC,5,6\n", encoding="utf-8")
    (user / "scenario.yaml").write_text(
        "extends: ../base/base.yaml\nregions:\n  indicators: more.csv\n", encoding="utf-8"
    )
    regions = load_regions(load(user / "scenario.yaml"))
    assert regions.boundary_file.resolve() == (base / "squares.geojson").resolve()
    assert regions.indicator_file.resolve() == (user / "more.csv").resolve()
    assert list(regions.indicators.columns) == ["s", "q"]


def test_a_missing_base_data_file_is_reported_at_the_base_line(folders):
    base, user = folders
    (base / "indicators.csv").unlink()  # the decoy user/indicators.csv must not stand in for it
    (user / "scenario.yaml").write_text("extends: ../base/base.yaml\nname: mine\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_regions(load(user / "scenario.yaml"))
    [p] = e.value.problems
    assert (p.file, p.line, p.key) == (str(user / "../base/base.yaml"), 5, "regions.indicators")
    assert p.found == f"no such file: {user / '../base/indicators.csv'}"


def test_a_symlink_loop_as_extends_is_bad_input_at_its_line(tmp_path):
    os.symlink(tmp_path / "loop1.yaml", tmp_path / "loop2.yaml")
    os.symlink(tmp_path / "loop2.yaml", tmp_path / "loop1.yaml")
    (tmp_path / "s.yaml").write_text("name: x\nextends: loop1.yaml\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 's.yaml'}:2: extends:" in result.stderr and "symbolic link loop" in result.stderr
    result = runner.invoke(app, ["validate", str(tmp_path / "loop1.yaml")])  # the file itself a loop
    assert result.exit_code == 2, result.output
    assert "loop1.yaml" in result.stderr and "symbolic link loop" in result.stderr


def test_an_over_long_extends_chain_is_bad_input_at_its_line(folders):
    base, _ = folders
    for n in range(1, 2001):  # each file extends the next; the last one extends the base
        nxt = "base.yaml" if n == 2000 else f"f{n + 1}.yaml"
        (base / f"f{n}.yaml").write_text(f"extends: {nxt}\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(base / "f1.yaml")])
    assert result.exit_code == 2, result.output
    assert f"{base / 'f32.yaml'}:1: extends: expected a chain of at most 32 files" in result.stderr
    assert "Traceback" not in result.output
    assert runner.invoke(app, ["validate", str(base / "f1970.yaml")]).exit_code == 0  # 31 files and the base
