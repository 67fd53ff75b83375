"""The workbench's parts without a server: the workspace refuses a folder holding other files and numbers runs in
order; a key of the constraint file names the families it feeds; two texts give the keys that changed (inherited
values resolved); moves are read off added and removed designations; the page is Chinese under zh and carries the
file's name as data, never as markup."""

from __future__ import annotations

import json
import re

import pytest

from layout.errors import InputError
from layout.language import using
from layout.model.families import FAMILIES
from layout.workbench.diff import changed_keys, moved
from layout.workbench.page import WORDS, page_html
from layout.workbench.workspace import RunRecord, Workspace


def test_the_workspace_is_never_a_folder_of_other_files(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="--workspace: expected a new or empty folder"):
        Workspace(tmp_path / "mine", tmp_path / "s.yaml")
    assert (tmp_path / "mine" / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


def test_runs_are_numbered_in_order_and_a_cancelled_one_leaves_nothing(tmp_path):
    ws = Workspace(tmp_path / "w", tmp_path / "s.yaml")
    first, cancelled, second = (ws.pending(t) for t in ("a: 1\n", "a: 2\n", "a: 3\n"))
    ws.finish(first, RunRecord(0, "t", 1.0, "optimal", 0))
    ws.discard(cancelled)
    ws.finish(second, RunRecord(0, "t", 1.0, "bad input", 2))
    assert [(r.number, r.status, r.solved) for r in ws.records()] == [(1, "optimal", True), (2, "bad input", False)]
    assert ws.text(2) == "a: 3\n" and not cancelled.exists()
    assert sorted(p.name for p in ws.runs.iterdir()) == ["001", "002"]
    assert Workspace(tmp_path / "w", tmp_path / "s.yaml").last() == 2  # a workspace is taken up again


def test_the_next_solve_starts_from_the_newest_run_that_left_a_layout(tmp_path):
    """An edit's solve starts from the newest run with a layout it can read: not from a run of bad input after it,
    not from a run whose results folder is gone, and not from one whose metrics.json is damaged (written by another
    version, or edited by hand), which would otherwise fail every later edit."""
    import shutil

    from layout.api import solve
    from tests.squares import industry, write_regions, write_scenario

    write_regions(tmp_path, {"A": (0, 0), "B": (5, 0)}, {"A": {"s": 1}, "B": {"s": 0}})
    solve(write_scenario(tmp_path, {"industries": {"T": industry(max_share=0.5)}}), out=tmp_path / "solved")
    ws = Workspace(tmp_path / "w", tmp_path / "s.yaml")
    assert ws.latest_result() is None
    runs = (("a: 1\n", "optimal"), ("a: 2\n", "feasible"), ("a: 3\n", "optimal"), ("a: 4\n", "bad input"))
    runs += (("a: 5\n", "optimal"),)
    for text, status in runs:
        pending = ws.pending(text)
        if status != "bad input":
            shutil.copytree(tmp_path / "solved", pending / "result")
        ws.finish(pending, RunRecord(0, "t", 1.0, status, 0 if status != "bad input" else 2))
    assert ws.latest_result() == ws.folder_of(5) / "result"
    shutil.rmtree(ws.folder_of(5) / "result")
    assert ws.latest_result() == ws.folder_of(3) / "result"
    (ws.folder_of(3) / "result" / "metrics.json").write_text("{not json", encoding="utf-8")
    assert ws.latest_result() == ws.folder_of(2) / "result"


def test_a_key_names_the_families_it_feeds():
    fed = {
        k: sorted(f.name for f in FAMILIES if f.touches(k))
        for k in (
            "limits.max_clusters",
            "limits.regions.440000.max_clusters",
            "industries.NGIT.target",
            "limits",
            "name",
        )
    }
    assert fed["limits.max_clusters"] == ["focus", "parent_focus"]
    assert fed["limits.regions.440000.max_clusters"] == ["focus", "parent_focus"]
    assert fed["industries.NGIT.target"] == ["demand"]
    assert {"focus", "budget", "balance"} <= set(fed["limits"])  # a whole section replaced touches all it feeds
    assert fed["name"] == []


def test_the_keys_an_edit_changed_are_read_off_the_resolved_texts(tmp_path):
    file = tmp_path / "s.yaml"
    before = "extends: default\n"
    after = "extends: default\nlimits:\n  max_clusters: 2\nindustries:\n  NGIT:\n    target: 90\n"
    keys = changed_keys(file, before, after)
    assert [(k["key"], k["before"], k["after"]) for k in keys] == [
        ("industries.NGIT.target", 100.0, 90.0),
        ("limits.max_clusters", 3, 2),
    ]
    assert changed_keys(file, before, "limits: [") == []  # a text that does not load has no keys
    # a mapping added under another: its keys one by one, those set (not a whole mapping of nulls)
    added = changed_keys(file, before, "extends: default\nlimits:\n  regions:\n    '440000': {max_clusters: 2}\n")
    assert [(k["key"], k["before"], k["after"]) for k in added] == [("limits.regions.440000.max_clusters", None, 2)]
    assert [f.name for f in FAMILIES if f.touches(added[0]["key"])] == ["focus", "parent_focus"]


def test_a_save_follows_a_symbolic_link_and_keeps_the_mode(tmp_path):
    from layout.workbench.app import Bench

    real = tmp_path / "real.yaml"
    real.write_text("extends: default\n", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    bench = Bench(link, Workspace(tmp_path / "w", link), None, "")
    try:
        _, sha = bench.read_disk()
        assert bench.save("extends: default\nname: 新\n", sha, False) == {"sha": bench.disk_sha}
        assert link.is_symlink() and real.read_text(encoding="utf-8") == "extends: default\nname: 新\n"
        assert real.stat().st_mode & 0o777 == 0o640
        assert bench.save("x: 1\n", "0" * 64, False)["conflict"]  # based on an old version: refused
        assert real.read_text(encoding="utf-8") == "extends: default\nname: 新\n"
        fresh = Bench(tmp_path / "new.yaml", Workspace(tmp_path / "w2", tmp_path / "new.yaml"), None, "")
        fresh.save("a: 1\n", None, False)
        assert (tmp_path / "new.yaml").stat().st_mode & 0o777 == 0o666 & ~_umask()
        fresh.runner.close()
    finally:
        bench.runner.close()


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_moves_pair_the_regions_an_industry_left_with_those_it_reached():
    def row(region, industry):
        return {"region": region, "region_name": region.title(), "industry": industry, "industry_name": industry}

    changes = {"removed": [row("a", "T"), row("b", "U")], "added": [row("c", "T"), row("d", "T"), row("a", "V")]}
    assert moved(changes) == [
        {"industry": "T", "industry_name": "T", "from": ["A"], "to": ["C", "D"], "text": "T: A → C, D"}
    ]
    with using("zh"):
        assert moved(changes)[0]["text"] == "T：A → C、D"


def test_the_page_speaks_chinese_and_holds_the_file_name_as_data(tmp_path):
    file = tmp_path / "</script><b>x.yaml"
    page = page_html(file, "zh")
    assert '<html lang="zh-CN">' in page and "<b>x.yaml" not in page.replace("&lt;b&gt;", "")
    config = json.loads(re.search(r'<script type="application/json" id="config">(.*?)</script>', page, re.S).group(1))
    assert config["file"] == str(file)
    english = {v for v in WORDS.values()}
    assert not english & set(config["words"].values()), english & set(config["words"].values())
    assert config["words"]["save"] == "保存"
