"""The report's small map follows Chinese cartographic conventions, as the PNG figure does: a map of the whole
country stops south of Hainan, draws the South China Sea dashed line and shows the islands and the line in a 南海诸岛
inset in its lower right, over sea only (no vertex of the main map under it). A map of other regions (the user's
own squares) has no inset."""

from __future__ import annotations

import re

import pytest

from layout import api
from layout.views.maps.inputs import read_sea
from layout.views.report import clusters_map_svg

POINT = re.compile(r"(-?[\d.]+),(-?[\d.]+)")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("report") / "out"
    api.solve(out=out, lang="zh")
    return (out / "report.html").read_text(encoding="utf-8")


def the_map(page: str) -> str:
    (svg,) = re.findall(r'<svg width="\d+" height="\d+" viewBox[^>]*aria-label="各地区集群数">.*?</svg>', page, re.S)
    return svg


def test_the_national_map_has_the_inset_the_dashed_line_and_its_key(report):
    svg = the_map(report)
    width, height = (float(v) for v in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
    inset = re.search(r'<g class="south-china-sea-inset">(.*?)</g>', svg, re.S).group(1)
    x, y, w, h = (
        float(v)
        for v in re.search(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', inset).groups()
    )
    assert x + w == pytest.approx(width - 1, abs=0.2) and y + h == pytest.approx(height - 1, abs=0.2)  # lower right
    assert "南海诸岛" in inset and inset.count("<path") >= 10  # the islands (Hainan's and the Nansha specks) and line
    assert all(len(d) > 20 for d in re.findall(r'class="sea-line" d="([^"]*)"', svg))  # in the main map and the inset
    assert len(re.findall(r'class="sea-line"', svg)) == 2
    assert re.search(r'<div class="legend">[^<]*<span.*?南海断续线</div>', report)  # the legend names the line
    main = svg.replace(inset, "")
    under = [
        (px, py)
        for px, py in ((float(a), float(b)) for a, b in POINT.findall(" ".join(re.findall(r' d="([^"]*)"', main))))
        if x < px < x + w and y < py < y + h
    ]
    sea_line = " ".join(re.findall(r'class="sea-line" d="([^"]*)"', main))
    assert all(f"{px:.1f},{py:.1f}" in sea_line for px, py in under), under[:5]  # only the dashed line runs under it


def test_a_map_of_other_regions_has_no_inset():
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"region_code": c, "region_name": c, "modelled": True},
                "geometry": {"type": "Polygon", "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]]},
            }
            for c, x in (("A", 0), ("B", 1))
        ],
    }
    svg = clusters_map_svg(doc, {"A": 1}, read_sea())
    assert "<path" in svg and "south-china-sea-inset" not in svg and "sea-line" not in svg
