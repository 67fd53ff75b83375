"""The robustness map of a sweep (`layout map SWEEP_DIR` → robustness.html), opened offline in chromium.

Four squares: A and B share an edge, C and D share an edge, the pairs stand apart. Indicator s favours
A then B (industry T), u favours D then C (industry U, named with markup to check escaping). The grid
over objective.homogeneity {0, 1} × industries.T.max_share {0.5, 1} gives four solved points:
  p000 T: A, B   U: C, D        p001 T: A   U: C, D
  p002 T: A, D   U: B, D        p003 T: A   U: B, D
so B is designated for T in 1 of 4 points, for U in 2, and for anything in 3 (75 %: not the largest
per-industry share, so the "anything" layer must count points, not take a maximum).
"""

from __future__ import annotations

import csv
import shutil

import pytest
from typer.testing import CliRunner

from layout.batch.sweep import run_sweep
from layout.cli import app
from layout.errors import InputError, Problem
from layout.views.maps import offline
from layout.views.maps import render as maps
from layout.views.maps.elements import RAMP, RAMP_START
from tests.browser import Page
from tests.squares import industry, write_regions, write_scenario

U_NAME = "U & <i>x</i>"
SQUARES = {"A": (0, 0), "B": (1, 0), "C": (5, 0), "D": (6, 0)}
ANY = {"A": 1.0, "B": 0.75, "C": 0.5, "D": 1.0}  # share of points designated for anything (module docstring)
SHARES = {
    ("A", "T"): 1.0,
    ("B", "T"): 0.25,
    ("C", "T"): 0.0,
    ("D", "T"): 0.25,
    ("A", "U"): 0.0,
    ("B", "U"): 0.5,
    ("C", "U"): 0.5,
    ("D", "U"): 1.0,
}


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("robustness")
    write_regions(
        folder, SQUARES, {"A": {"s": 10, "u": 0}, "B": {"s": 8, "u": 1}, "C": {"s": 0, "u": 9}, "D": {"s": 1, "u": 10}}
    )
    file = write_scenario(
        folder,
        {
            "industries": {"T": industry(max_share=0.5), "U": industry(name=U_NAME, weights={"u": 1.0}, max_share=0.5)},
            "sweep": {"parameters": {"objective.homogeneity": [0, 1], "industries.T.max_share": [0.5, 1.0]}},
        },
    )
    out = folder / "sweep"
    table = run_sweep(file, out, workers=1, progress=False)
    assert table["status"].eq("optimal").all()
    assert not (out / "robustness.html").exists()  # run_sweep does not draw it; `layout map DIR` does
    result = CliRunner().invoke(app, ["map", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "robustness.html").is_file() and not (out / "map.html").exists()
    return out


def _robustness(sweep_dir) -> dict[tuple[str, str], dict]:
    with (sweep_dir / "robustness.csv").open(encoding="utf-8-sig") as fh:  # it begins with a byte-order mark
        return {(r["region_code"], r["industry"]): r for r in csv.DictReader(fh)}


def _inside(code: str) -> tuple[float, float]:
    x, y = SQUARES[code]
    return y + 0.7, x + 0.3


def test_page_is_self_contained_with_one_geometry(sweep_dir):
    html = (sweep_dir / "robustness.html").read_text(encoding="utf-8")
    assert offline.external_assets(html) == []
    assert html.count("LAYOUT.geo = ") == 1 and html.count("[[[0.0,0.0],[1.0,0.0]") == 1  # A's ring, once
    assert "<i>" not in html and "\\u003ci\\u003e" not in html  # the name's markup stays text
    assert "U \\u0026amp; \\u0026lt;i\\u0026gt;x" in html  # HTML-escaped, then made safe for <script>


def test_layers_tooltips_and_colours_match_robustness_csv(browser, sweep_dir):
    rob = _robustness(sweep_dir)
    assert {k: float(r["share_designated"]) for k, r in rob.items()} == SHARES
    p = Page(browser, sweep_dir / "robustness.html")
    p.open_legends()  # the test reads it (a legend that would hide a region starts folded)
    try:
        # at load: "designated for anything", one path per region; the industry layers are off
        assert {cls: p.count("robustness", cls) for cls in ("layout-any", "layout-T", "layout-U")} == {
            "layout-any": 4,
            "layout-T": 0,
            "layout-U": 0,
        }
        control = p.control("robustness")  # collapsed at first: open on hover
        assert control.locator("input[type=radio]").count() == 3 and control.locator("i").count() == 0
        assert f"{U_NAME} (U)" in control.inner_text()
        legend = p.map("robustness").locator(".layout-legend")
        assert legend.locator("section[data-layer='any']").is_visible()
        assert not legend.locator("section[data-layer='U']").is_visible()
        assert "Scenario: tiny · 4 of 4 points solved" in legend.inner_text()
        legend.locator("summary").click()  # folded: out of the way of the regions

        for code in SQUARES:
            tip = p.hover("robustness", *_inside(code))
            assert tip.locator("b").first.inner_text() == f"Region {code}"
            assert (
                tip.locator(".focus").inner_text()
                == f"designated for anything: {100 * ANY[code]:.1f} % of 4 solved points"
            )
            assert float(tip.locator("tr.any td.share").get_attribute("data-share")) == ANY[code]
            for ind in ("T", "U"):
                row = tip.locator(f"tr[data-industry='{ind}']")
                want = float(rob[code, ind]["share_designated"])
                assert float(row.locator("td.share").get_attribute("data-share")) == want, (code, ind)
                assert row.locator("td.share").inner_text() == f"{100 * want:.1f} %"
                assert row.locator("td.points").inner_text() == f"{rob[code, ind]['points_designated']} of 4"
            assert "out of 4 solved points" in tip.inner_text() and tip.locator("i").count() == 0

        p.control("robustness").get_by_text(f"{U_NAME} (U)").click()
        assert {cls: p.count("robustness", cls) for cls in ("layout-any", "layout-T", "layout-U")} == {
            "layout-any": 0,
            "layout-T": 0,
            "layout-U": 4,
        }
        assert legend.locator("section[data-layer='U']").evaluate("el => el.style.display") == ""
        assert (
            p.hover("robustness", *_inside("B")).locator(".focus").inner_text()
            == f"{U_NAME} (U): 50.0 % of 4 solved points"
        )
        fills = p.page.evaluate(
            """k => { const out = {};
            LAYOUT.maps.robustness.layers[k].eachLayer(g => g.eachLayer(l => { out[l.feature.id] = l.options.fillColor; }));
            return out; }""",
            "U",
        )
        top = RAMP.rgb_hex_str(1.0)
        assert fills == {
            "A": "#ffffff",
            "B": RAMP.rgb_hex_str(RAMP_START + (1 - RAMP_START) * 0.5),
            "C": RAMP.rgb_hex_str(RAMP_START + (1 - RAMP_START) * 0.5),
            "D": top,
        }
        p.check_clean()
    finally:
        p.close()


def _problems(call, *args) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        call(*args)
    return caught.value.problems


def test_stale_or_unsolved_sweep_folders_are_refused(sweep_dir, tmp_path):
    copy = shutil.copytree(sweep_dir, tmp_path / "copy")
    shutil.rmtree(copy / "points" / "p001")  # robustness.csv still counts 4 solved points
    stale = Problem(
        str(copy / "robustness.csv"),
        2,
        "points_solved",
        f"3, the solved points in {copy} (the table is stale: rerun `layout sweep` to refresh it)",
        "4",
    )
    assert _problems(maps.write_robustness_map, copy) == [stale]
    result = CliRunner().invoke(app, ["map", str(copy)])
    assert result.exit_code == 2 and result.stderr == f"error (bad input): {stale}\n"  # said once, not re-wrapped

    path = copy / "robustness.csv"
    lines = [line.replace(",4,", ",3,", 1) for line in path.read_text(encoding="utf-8").splitlines()]  # fresh
    table = lines.copy()
    table[3] = table[3].replace(",0.25,", ",inf,", 1)  # line 4: B, T
    path.write_text("\n".join(table) + "\n", encoding="utf-8")
    assert _problems(maps.write_robustness_map, copy) == [
        Problem(str(path), 4, "share_designated", "a finite number", "inf")
    ]
    table = lines.copy()
    table[4] = "Z" + table[4][1:]  # line 5: B, U
    path.write_text("\n".join(table) + "\n", encoding="utf-8")
    geometry = copy / "points" / "p000" / "layout.geojson"
    assert _problems(maps.write_robustness_map, copy) == [
        Problem(str(path), 5, "region_code", f"a region of {geometry}", "Z")
    ]
    geometry.unlink()
    assert _problems(maps.write_robustness_map, copy) == [
        Problem(
            str(geometry.parent),
            None,
            "",
            "the first solved point's results folder, the map's geometry (layout.geojson)",
            "no layout.geojson there",
        )
    ]

    for pid in ("p000", "p002", "p003"):
        shutil.rmtree(copy / "points" / pid)
    assert _problems(maps.write_robustness_map, copy, copy / "r.html") == [
        Problem(
            str(copy),
            None,
            "",
            "a sweep folder written by `layout sweep`, with a solved point (points/<id>/metrics.json) to map",
            "no solved point among its 4 points",
        )
    ]
    assert not (copy / "r.html").exists()

    (copy / "sweep.csv").unlink()
    assert not maps.is_sweep_folder(copy)
    assert _problems(maps.write_robustness_map, copy) == [
        Problem(
            str(copy),
            None,
            "",
            "a sweep folder written by `layout sweep` (robustness.csv, sweep.csv)",
            "no sweep.csv there",
        )
    ]
