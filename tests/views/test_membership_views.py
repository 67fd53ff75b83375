"""The map and the report show an inter-provincial cluster's members that hold capacity, with their shares.

The folder is `tests.results.test_membership.solve_belt`'s: cluster Belt of T holds 95, Unit A1 60 (63 %) and
Unit B1 35 (37 %); members Unit A2 and Unit B2 hold nothing (their provinces' parts are held by A1 and B1).
A folder written before rows holding nothing were left out is read as if they were not there.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pytest

from layout.views.maps.render import write_map
from layout.views.report import render_report
from tests.browser import Page
from tests.results.test_membership import NOTE, solve_belt

LABEL = "Belt: T —\nUnit A1 60 (63 %), Unit B1 35 (37 %)"


@pytest.fixture(scope="module")
def belt(tmp_path_factory) -> Path:
    _, out = solve_belt(tmp_path_factory.mktemp("belt"))
    return out


@pytest.fixture(scope="module")
def older(belt, tmp_path_factory) -> Path:
    """The same folder as an earlier version wrote it: rows for the members holding nothing, no group_clusters."""
    folder = tmp_path_factory.mktemp("older") / "out"
    shutil.copytree(belt, folder)
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    del metrics["optimised"]["group_clusters"], metrics["baseline"]["group_clusters"]
    (folder / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False), encoding="utf-8")
    with (folder / "assignment.csv").open("a", encoding="utf-8") as fh:
        for unit in ("A2", "B2"):
            fh.write(f"{unit},Unit {unit},T,Test industry,0.000000,inter-provincial,innovation,G,Belt\n")
    write_map(folder)
    return folder


@pytest.mark.parametrize("which", ["belt", "older"])
def test_the_map_labels_and_outlines_the_members_holding_capacity(browser, request, which):
    folder = request.getfixturevalue(which)
    page = Page(browser, folder / "map.html")
    try:
        optimised = page.map("optimised")
        assert optimised.locator(".layout-label.group").inner_text() == LABEL
        # the outline is dissolved from A1 and B1 only: two rings (A1 with A2 would be one, B2 a third)
        assert optimised.locator("path.layout-inter-provincial").get_attribute("d").count("M") == 2
        page.fold_legends()
        tip = page.hover("optimised", 0.5, 0.0)  # on the outline: A1's western edge
        assert [li.inner_text() for li in tip.locator("li").all()] == ["Unit A1 60 (63 %)", "Unit B1 35 (37 %)"]
        text = tip.inner_text()
        assert "Test industry (T): capacity 95, 2 members holding capacity" in text
        if which == "belt":  # the parts and the note come from metrics.json
            assert "parts: PA 60 (63 %), PB 35 (37 %)" in text
            assert NOTE[0].upper() + NOTE[1:] + "." in text
        tip = page.hover("optimised", 0.9, 7.5)  # B2: a member holding nothing hosts nothing
        assert "no cluster designated" in tip.inner_text()
        page.check_clean()
    finally:
        page.close()


@pytest.mark.parametrize("which", ["belt", "older"])
def test_the_report_lists_the_members_holding_capacity(request, which):
    page = render_report(request.getfixturevalue(which))
    section = page.split('<section id="clusters">', 1)[1].split("</section>", 1)[0]
    assert "<b>Belt: T — Unit A1 60 (63 %), Unit B1 35 (37 %)</b>" in section
    assert "Unit A2" not in section and "Unit B2" not in section
    portfolio = page.split('<section id="regions">', 1)[1].split("</section>", 1)[0]
    assert 'Unit A2 <span class="muted">A2</span></td><td class="n">0</td>' in portfolio
    if which == "belt":  # the parts and the note come from metrics.json
        assert html.escape(NOTE) in section
