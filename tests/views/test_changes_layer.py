"""The map's changes layer (least-change re-planning): a results folder whose metrics.json has a `changes` record
gets "Changes against the reference" on the optimised map, opened in a real headless browser (Debian chromium via
Playwright, never `playwright install`); a folder without one draws no such layer.

The hand-made folder is test_maps_browser's five squares, whose optimised layout holds 110000: NGIT, BIO;
120000: NGIT, NMAT; 130000: BIO; 310000: NMAT; 320000: BIO, NGIT. Its reference (written by hand, as a declared
reference counts only the regions it states) is 110000: NGIT, NMAT; 120000: NGIT, NMAT, BIO; 130000: nothing;
310000: NMAT. By hand: 110000 keeps NGIT, adds BIO, gives up NMAT (both); 120000 keeps NGIT, NMAT, gives up BIO
(gave up); 130000 adds BIO (added); 310000 keeps NMAT (no change); 320000 is not in the reference (nothing kept,
added or given up). 4 kept, 2 added, 2 removed: 4 changes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.errors import InputError
from layout.pipeline import solve_scenario
from layout.views.maps import render as maps
from layout.views.maps.inputs import load
from tests.browser import Page
from tests.model.test_reference import NO_ADVANTAGE, T, hold
from tests.squares import write_scenario
from tests.views.test_maps_browser import (
    ASSIGNMENT,
    BASELINE,
    BIO_NAME,
    DUPS,
    MODELLED,
    UNITS,
    make_results,
    write_folder,
)

TEXT = "against the reference layout ref (4 regions): 4 designations kept, 2 added, 2 removed (4 changes in 3 regions)"
CHANGES = {
    "reference": "ref",
    "regions": 4,
    "kept": 4,
    "added": 2,
    "removed": 2,
    "changes": 4,
    "by_region": [
        {"code": "110000", "name": "Alpha", "kept": ["NGIT"], "added": ["BIO"], "removed": ["NMAT"]},
        {"code": "120000", "name": "Beta", "kept": ["NGIT", "NMAT"], "added": [], "removed": ["BIO"]},
        {"code": "130000", "name": "Gamma", "kept": [], "added": ["BIO"], "removed": []},
        {"code": "310000", "name": "Delta", "kept": ["NMAT"], "added": [], "removed": []},
    ],
    "text": TEXT,
}
NAME = "Changes against the reference"
# What each region changed, by hand (module docstring): the legend row that names its fill.
KIND = {
    "110000": "added and gave up designations (1 region)",
    "120000": "gave up designations (1 region)",
    "130000": "added designations (1 region)",
    "310000": "no change: kept every designation (1 region)",
    "320000": "nothing kept, added or given up",
}


def make_changes(folder: Path, changes: dict = CHANGES) -> Path:
    """test_maps_browser's folder with metrics.json `changes`."""
    return write_folder(
        folder,
        UNITS,
        ASSIGNMENT,
        BASELINE,
        DUPS,
        groups=[{"id": "G1", "name": "Group", "members": ["110000", "120000"]}],
        changes=changes,
    )


@pytest.fixture(scope="module")
def changed(tmp_path_factory) -> Path:
    folder = make_changes(tmp_path_factory.mktemp("changes") / "dir")
    maps.write_map(folder)
    return folder


@pytest.fixture
def page(browser, changed):
    p = Page(browser, changed / "map.html")
    p.open_legends()  # the tests read them (a legend that would hide a region starts folded)
    yield p
    p.close()


def _inside(code: str) -> tuple[float, float]:
    """(lat, lon) inside the unit, away from its label at the centre."""
    _, lon, lat, _ = UNITS[code]
    return lat + 0.8, lon + 0.2


def _labels(p: Page, role: str) -> list[str]:
    return [t.strip() for t in p.control(role).locator("label").all_inner_texts()]


def test_the_layer_shades_each_region_by_what_it_changed(page):
    assert NAME in _labels(page, "optimised")
    assert NAME not in _labels(page, "baseline")  # the optimised map's alone
    assert page.count("optimised", "layout-changes") == 0  # the portfolio first
    page.control("optimised").get_by_text(NAME, exact=True).click()
    assert page.count("optimised", "layout-changes") == len(MODELLED)
    assert page.count("optimised", "layout-portfolio") == 0
    assert page.count("baseline", "layout-portfolio") == len(MODELLED)  # the baseline has no such layer: left as is
    section = page.map("optimised").locator(".layout-legend section[data-layer='changes']")
    assert section.is_visible()
    assert f"{NAME}: 4 changes {TEXT}." in section.inner_text()
    swatches = {
        row.inner_text().strip(): row.locator(".sw").evaluate("el => getComputedStyle(el).backgroundColor")
        for row in section.locator(".row").all()
    }
    assert sorted(swatches) == sorted(KIND.values())  # one row per kind of change drawn, and the unchanged
    assert len(set(swatches.values())) == len(KIND)
    paths = page.map("optimised").locator("path.layout-changes")
    for i, code in enumerate(MODELLED):  # paths in the order of the units
        assert paths.nth(i).evaluate("el => getComputedStyle(el).fill") == swatches[KIND[code]], code
    labels = page.map("optimised").locator(".layout-label.changes").all_inner_texts()
    assert labels == ["+1 −1", "−1", "+1"]  # 110000, 120000, 130000; none where nothing changed
    page.check_clean()


def test_the_tooltip_names_what_a_region_kept_added_and_gave_up(page):
    page.control("optimised").get_by_text(NAME, exact=True).click()
    page.fold_legends()
    tip = page.hover("optimised", *_inside("110000"))
    assert tip.locator("b").first.inner_text() == "Alpha"
    assert tip.locator(".focus").inner_text() == "against the reference layout: 2 changes"
    assert tip.locator("[data-change='kept']").inner_text() == "kept (1): New IT (NGIT)"
    assert tip.locator("[data-change='added']").inner_text() == f"added (1): {BIO_NAME} (BIO)"  # markup stays text
    assert tip.locator("[data-change='removed']").inner_text() == "given up (1): 新材料 (NMAT)"
    tip = page.hover("optimised", *_inside("120000"))
    assert tip.locator("[data-change='kept']").inner_text() == "kept (2): New IT (NGIT), 新材料 (NMAT)"
    assert tip.locator("[data-change='added']").inner_text() == "added (0): none"
    assert tip.locator("[data-change='removed']").inner_text() == f"given up (1): {BIO_NAME} (BIO)"
    tip = page.hover("optimised", *_inside("320000"))
    assert tip.locator("[data-change]").count() == 0
    assert "nothing kept, added or given up against the reference layout" in tip.inner_text()
    page.check_clean()


def test_the_optimised_header_states_the_changes(page):
    header = page.page.locator(".layout-header div[data-map='optimised'] .layout-changes")
    assert header.inner_text() == f"4 changes {TEXT}"
    assert header.get_attribute("title") == f"4 changes {TEXT}"  # in full where the header cuts it
    assert page.page.locator(".layout-header div[data-map='baseline'] .layout-changes").count() == 0


def test_a_folder_without_changes_has_no_such_layer(browser, tmp_path):
    folder = make_results(tmp_path / "dir")
    assert "changes" not in maps.available_layers(folder)
    assert "changes" in maps.available_layers(make_changes(tmp_path / "changed"))
    out = maps.write_map(folder)
    html = out.read_text(encoding="utf-8")
    assert NAME not in html and "layout-changes" not in html
    p = Page(browser, out)
    try:
        assert NAME not in _labels(p, "optimised")
        assert p.page.locator(".layout-header .layout-changes").count() == 0
        p.check_clean()
    finally:
        p.close()
    with pytest.raises(ValueError, match="unknown map layer"):
        maps.render_map(folder, layers=["changes"])


def test_layer_selection(changed):
    assert f'"{NAME}"' in maps.render_map(changed, layers=["CHANGES"])  # alone: drawn beside the portfolio
    assert f'"{NAME}"' not in maps.render_map(changed, layers=["portfolio,duplications"])


def test_a_region_the_map_does_not_draw_is_refused_naming_the_key(tmp_path):
    bad = {**CHANGES, "by_region": [*CHANGES["by_region"], {"code": "710000", "name": "Taiwan", "removed": ["BIO"]}]}
    folder = make_changes(tmp_path / "dir", bad)
    with pytest.raises(InputError) as e:
        maps.render_map(folder)
    [problem] = e.value.problems
    assert (problem.file, problem.key, problem.found) == (
        str(folder / "metrics.json"),
        "changes.by_region.4.code",
        "710000",
    )


def test_every_layer_key_is_in_the_layers_help():
    result = CliRunner().invoke(app, ["map", "--help"], env={"COLUMNS": "400", "NO_COLOR": "1"})
    assert result.exit_code == 0
    text = re.sub(r"[\s│]+", " ", result.output)
    listed = re.search(r"Layers to draw \(([^)]*)\)", text)
    assert listed is not None, text
    assert [k for k in maps.LAYER_KEYS if k not in listed.group(1).split(", ")] == []


def test_a_solve_with_a_reference_draws_its_changes(squares):
    """End to end on the squares: reference {A, B} holding T (neighbours), a change weighing 0.4 < the duplication
    (0.5, tests/model/test_reference.py): one of them gives T up, the other keeps it; the map draws both."""
    solve_scenario(write_scenario(squares, {"industries": T}, "made.yaml"), squares / "ref")
    hold(squares / "ref", [("A", 10.0), ("B", 10.0)])
    body = {
        "industries": T,
        "objective": NO_ADVANTAGE,
        "reference": {"layout": "ref", "added": 0.4, "removed": 0.4},
    }
    solve_scenario(write_scenario(squares, body), squares / "out")
    metrics = json.loads((squares / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert (metrics["changes"]["kept"], metrics["changes"]["removed"], metrics["changes"]["changes"]) == (1, 1, 1)
    changes = load(squares / "out").changes
    assert changes is not None
    assert sorted(r.kind for r in changes.regions.values()) == ["kept", "removed"]
    html = (squares / "out" / "map.html").read_text(encoding="utf-8")
    assert f'"{NAME}"' in html and f"1 change {metrics['changes']['text']}" in html
