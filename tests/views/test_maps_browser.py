"""Maps: the HTML page opened in a real headless browser (Debian chromium via Playwright), and the PNG.

The browser runs offline with every http(s) request aborted and counted. These tests need
/usr/bin/chromium (or $LAYOUT_CHROMIUM); they fail, never skip, when it is missing. Never run
`playwright install`: CI installs Debian's chromium (apt-get install chromium fonts-noto-cjk).
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread
from typer.testing import CliRunner

from layout.cli import app
from layout.errors import InputError, Problem
from layout.paths import geodata_file
from layout.results.folder import FOLDER
from layout.views.maps import inputs as map_inputs
from layout.views.maps import offline
from layout.views.maps import render as maps
from layout.views.maps.elements import DUPLICATION_COLOUR, NOT_MODELLED_FILL
from layout.views.maps.inputs import GROUP_COLOURS
from tests.browser import Page
from tests.results_folder import metrics as complete_metrics

PAYLOAD = "<img src=x onerror=alert(1)>{{ 7 * 7 }}"  # markup, and a Jinja expression that must stay text
GROUP_NAME = "Delta & <b>Co</b>"
BIO_NAME = "Bio & <i>Med</i>"
COLUMNS = ["region_code", "region_name", "industry", "industry_name", "capacity", "tier", "kind", "group", "group_name"]
INDUSTRIES = {"NGIT": ("New IT", "innovation"), "BIO": (BIO_NAME, "innovation"), "NMAT": ("新材料", "resource")}

# Unit squares (lon0, lat0) of 1 degree; 710000 is drawn but not modelled.
UNITS = {
    "110000": ("Alpha", 110.0, 30.0, True),
    "120000": ("Beta", 111.0, 30.0, True),
    "130000": (PAYLOAD, 112.0, 30.0, True),
    "310000": ("Delta", 110.0, 31.0, True),
    "320000": ("江苏", 111.0, 31.0, True),
    "710000": ("Taiwan", 113.5, 30.2, False),
}
TW_SIZE = 0.6


def _row(code, industry, capacity, tier, group=""):
    name, kind = INDUSTRIES[industry]
    return {
        "region_code": code,
        "region_name": UNITS[code][0],
        "industry": industry,
        "industry_name": name,
        "capacity": capacity,
        "tier": tier,
        "kind": kind,
        "group": group,
        "group_name": GROUP_NAME if group else "",
    }


ASSIGNMENT = [
    _row("110000", "NGIT", 30.0, "inter-provincial", "G1"),
    _row("120000", "NGIT", 25.5, "inter-provincial", "G1"),
    _row("110000", "BIO", 12.25, "characteristic"),
    _row("120000", "NMAT", 20.0, "provincial"),
    _row("130000", "BIO", 40.0, "provincial"),
    _row("310000", "NMAT", 15.0, "provincial"),
    _row("320000", "BIO", 18.0, "provincial"),
    _row("320000", "NGIT", 7.5, "characteristic"),
]
BASELINE = [
    _row(c, i, cap, "provincial")
    for c, i, cap in [
        ("110000", "NGIT", 35.0),
        ("110000", "BIO", 30.0),
        ("120000", "NGIT", 33.0),
        ("120000", "NMAT", 20.0),
        ("130000", "BIO", 28.0),
        ("130000", "NGIT", 22.0),
        ("310000", "NGIT", 31.0),
        ("310000", "NMAT", 18.0),
        ("320000", "NGIT", 36.0),
        ("320000", "BIO", 26.0),
    ]
]
DUPS = {
    "optimised": [{"a": "310000", "b": "320000", "industry": "NMAT", "weight": 1.0}],
    "baseline": [
        {"a": "110000", "b": "120000", "industry": "NGIT", "weight": 1.0},
        {"a": "120000", "b": "130000", "industry": "NGIT", "weight": 1.0},
        {"a": "310000", "b": "320000", "industry": "NGIT", "weight": 0.5},
    ],
}
MODELLED = [c for c, u in UNITS.items() if u[3]]


def _square(lon, lat, size=1.0):
    return {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]],
    }


def _write_csv(path: Path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def write_folder(
    folder: Path, units: dict, assignment: list[dict], baseline: list[dict], dups: dict, groups=(), **metrics_extra
) -> Path:
    """A results folder as `layout solve` writes it (see the contract in layout/map_inputs.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "assignment.csv", assignment)
    _write_csv(folder / "baseline.csv", baseline)
    feats = []
    for code, (name, lon, lat, modelled) in units.items():
        rows = [r for r in assignment if r["region_code"] == code]
        feats.append(
            {
                "type": "Feature",
                "geometry": _square(lon, lat, 1.0 if modelled else TW_SIZE),
                "properties": {
                    "region_code": code,
                    "region_name": name,
                    "modelled": modelled,
                    "n_clusters": len(rows) if modelled else None,
                    "portfolio": ", ".join(r["industry"] for r in rows),
                },
            }
        )
    (folder / "layout.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8"
    )
    metrics = complete_metrics(
        scenario={"name": "test <scenario>"},
        industries=[{"code": c, "name": n, "kind": k, "target": 100.0} for c, (n, k) in INDUSTRIES.items()],
        groups=list(groups),
        duplications=dups,
        **metrics_extra,
    )
    (folder / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False), encoding="utf-8")
    return folder


def make_results(folder: Path) -> Path:
    """A small results folder (five squares, one unit not modelled)."""
    return write_folder(
        folder,
        UNITS,
        ASSIGNMENT,
        BASELINE,
        DUPS,
        groups=[{"id": "G1", "name": GROUP_NAME, "members": ["110000", "120000"]}],
    )


# A phased run with declared plans. Codes of real provinces, so the shipped list of national SEI
# clusters (2019) applies: 370000 (Shandong), 420000 (Hubei) and 340000 (Anhui) host listed clusters.
PH_UNITS = {
    "370000": ("Shandong", 110.0, 30.0, True),
    "420000": ("Hubei", 111.0, 30.0, True),
    "340000": ("Anhui", 112.0, 30.0, True),
    "110000": ("Beijing", 110.0, 31.0, True),
    "320000": ("江苏", 111.0, 31.0, True),
    "710000": ("Taiwan", 113.5, 30.2, False),
}
PH_MODELLED = [c for c, u in PH_UNITS.items() if u[3]]


def _ph(code, industry, capacity, tier="provincial"):
    name, kind = INDUSTRIES[industry]
    return {
        "region_code": code,
        "region_name": PH_UNITS[code][0],
        "industry": industry,
        "industry_name": name,
        "capacity": capacity,
        "tier": tier,
        "kind": kind,
        "group": "",
        "group_name": "",
    }


PERIODS = {
    "2025": [_ph("370000", "NGIT", 20.0), _ph("420000", "BIO", 15.0), _ph("320000", "NMAT", 10.0, "characteristic")],
    "2030": [
        _ph("370000", "NGIT", 25.0),
        _ph("370000", "BIO", 30.0),
        _ph("420000", "BIO", 15.0),
        _ph("320000", "NMAT", 12.0),
        _ph("340000", "NGIT", 8.0, "characteristic"),
    ],
    "2035": [
        _ph("370000", "NGIT", 25.0),
        _ph("370000", "BIO", 30.0),
        _ph("420000", "BIO", 18.0),
        _ph("420000", "NMAT", 20.0),
        _ph("320000", "NMAT", 12.0),
        _ph("340000", "NGIT", 10.0),
        _ph("110000", "NGIT", 5.0, "characteristic"),
    ],
}
PERIOD_DUPS = {"2025": [], "2030": [], "2035": [{"a": "110000", "b": "370000", "industry": "NGIT", "weight": 0.5}]}
PH_BASELINE = [
    _ph(c, i, cap)
    for c, i, cap in [
        ("370000", "NGIT", 30.0),
        ("420000", "NGIT", 30.0),
        ("340000", "BIO", 20.0),
        ("110000", "NGIT", 25.0),
        ("320000", "NGIT", 20.0),
        ("320000", "BIO", 15.0),
    ]
]
DECLARED = [
    {**_ph(c, i, 1.0), "tier": "declared"}
    for c, i in [
        ("370000", "NGIT"),
        ("370000", "BIO"),
        ("420000", "BIO"),
        ("420000", "NMAT"),
        ("320000", "NGIT"),
        ("320000", "BIO"),
        ("320000", "NMAT"),
    ]
]
COVERED = ["320000", "370000", "420000"]
NOT_COVERED = ["110000", "340000"]
COVERAGE = "declared plans cover 3 of 5 provinces (sourced rows only); the other 2 have no sourced plan"
# Neighbours (squares touching, even at a corner) that both declared an industry: 370000–420000 BIO,
# 370000–320000 NGIT and BIO, 420000–320000 BIO and NMAT: 5 duplications on 3 pairs.
DECLARED_PAIRS = 3


def make_phased_results(folder: Path) -> Path:
    """DIR of a phased run (last period at the top, phasing.csv, periods/<year>/) with declared.csv."""
    last = list(PERIODS)[-1]
    declared_info = {
        "coverage": COVERAGE,
        "covered": COVERED,
        "not_covered": NOT_COVERED,
        "duplications": 5,
        "unmapped": {"370000": ["高端化工", PAYLOAD]},
    }
    summaries = {
        y: {"optimised": {"clusters": len(rows), "duplications": len(PERIOD_DUPS[y])}} for y, rows in PERIODS.items()
    }
    write_folder(
        folder,
        PH_UNITS,
        PERIODS[last],
        PH_BASELINE,
        {"optimised": PERIOD_DUPS[last], "baseline": []},
        declared=declared_info,
        periods=summaries,
    )
    _write_csv(folder / "declared.csv", DECLARED)
    with (folder / "phasing.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["period", *COLUMNS])
        w.writeheader()
        w.writerows({"period": y, **r} for y, rows in PERIODS.items() for r in rows)
    for y, rows in PERIODS.items():
        sub = write_folder(
            folder / "periods" / y,
            PH_UNITS,
            rows,
            PH_BASELINE,
            {"optimised": PERIOD_DUPS[y], "baseline": []},
            declared=declared_info,
        )
        _write_csv(sub / "declared.csv", DECLARED)
    return folder


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    folder = make_results(tmp_path_factory.mktemp("results"))
    maps.write_map(folder)
    return folder


@pytest.fixture
def page(browser, results):
    p = Page(browser, results / "map.html")
    p.open_legends()  # the tests read them (a legend that would hide a region starts folded)
    yield p
    p.close()


def _lines(page: Page, role: str) -> int:
    """Duplication lines drawn on a map (they take no mouse, so Page.count, which counts interactive paths, misses
    them)."""
    return page.map(role).locator(".leaflet-overlay-pane svg path.layout-duplications").count()


def _inside(code: str) -> tuple[float, float]:
    """(lat, lon) inside the unit, away from the centre where labels and duplication lines are."""
    _, lon, lat, _ = UNITS[code]
    return lat + 0.8, lon + 0.2


# ------------------------------------------------------------------------------------------------
# The page in a browser
# ------------------------------------------------------------------------------------------------


def test_both_maps_render_offline_with_all_layers(page, tmp_path):
    assert page.map("baseline").locator(".leaflet-map-pane").count() == 1
    assert page.map("optimised").locator(".leaflet-map-pane").count() == 1
    n = len(MODELLED)
    # Visible at load: the portfolio (one path per modelled region), the unit not modelled,
    # the inter-provincial outline (optimised only), duplications; tier layers start switched off.
    expected = {
        "baseline": {
            "layout-portfolio": n,
            "layout-context": 1,
            "layout-inter-provincial": 0,
            "layout-provincial": 0,
            "layout-NGIT": 0,
        },
        "optimised": {
            "layout-portfolio": n,
            "layout-context": 1,
            "layout-inter-provincial": 1,
            "layout-provincial": 0,
            "layout-NGIT": 0,
        },
    }
    for role, counts in expected.items():
        for cls, want in counts.items():
            assert page.count(role, cls) == want, (role, cls)
        assert _lines(page, role) == len(DUPS[role])
        m = page.map(role)
        assert m.locator(".leaflet-control-layers").count() == 1
        assert m.locator(".layout-legend").count() == 1
        assert m.locator(".leaflet-control-scale").count() == 1
        # kilometres only (Leaflet's default adds miles), Leaflet credited by name without its default flag icon
        assert m.locator(".leaflet-control-scale-line").count() == 1
        assert m.locator(".leaflet-control-scale-line").inner_text().endswith("km")
        assert m.locator(".leaflet-control-attribution a[href*='leafletjs']").inner_text() == "Leaflet"
        assert m.locator(".leaflet-control-attribution svg").count() == 0
        assert m.locator(".layout-legend").is_visible()
        # the South China Sea dashed line (non-interactive) is drawn in both maps
        assert m.locator(".leaflet-overlay-pane svg path.layout-sea").count() >= 1
    assert "Inter-provincial clusters" in page.control("optimised").inner_text()
    assert "Delta & <b>Co</b>" in page.map("optimised").locator(".layout-legend").inner_text()
    assert "Taiwan: not modelled" in page.map("baseline").locator(".layout-legend").inner_text()
    # the members holding capacity, with their shares: 30 / 55.5 and 25.5 / 55.5
    label = page.map("optimised").locator(".layout-label.group").inner_text()
    assert label == f"{GROUP_NAME}: NGIT —\nAlpha 30 (54 %), Beta 25.5 (46 %)"
    # the inter-provincial outline is dissolved from its two adjacent members: one ring, not two squares
    d = page.map("optimised").locator("path.layout-inter-provincial").get_attribute("d")
    assert d.count("M") == 1, d
    header = page.page.locator(".layout-header").inner_text()
    assert "Baseline" in header and "Optimised" in header and "test <scenario>" in header
    shot = tmp_path / "map.png"
    page.page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    page.check_clean()


def test_tooltips_match_assignment_csv(page, results):
    with (results / "assignment.csv").open(encoding="utf-8-sig") as fh:  # our CSVs begin with a byte-order mark
        table = list(csv.DictReader(fh))
    page.fold_legends()  # out of the way of the regions under them
    for code in MODELLED:
        tip = page.hover("optimised", *_inside(code))
        name = next(r["region_name"] for r in table if r["region_code"] == code)
        assert tip.locator("b").first.inner_text() == name
        got = set()
        for tr in tip.locator("tr[data-industry]").all():
            got.add(
                (
                    tr.get_attribute("data-industry"),
                    tr.locator("td.tier").get_attribute("data-tier"),
                    tr.locator("td.kind").inner_text(),
                    tr.locator("td.cap").inner_text(),
                )
            )
        want = {
            (r["industry"], r["tier"], r["kind"], f"{float(r['capacity']):.1f}")
            for r in table
            if r["region_code"] == code
        }
        assert got == want, code
    # the baseline map's tooltips come from baseline.csv
    tip = page.hover("baseline", *_inside("110000"))
    assert {tr.get_attribute("data-industry") for tr in tip.locator("tr[data-industry]").all()} == {"NGIT", "BIO"}
    assert "35.0" in tip.inner_text()
    page.check_clean()


def test_escaped_names_stay_text(page):
    page.fold_legends()
    tip = page.hover("optimised", *_inside("130000"))
    assert tip.locator("b").first.inner_text() == PAYLOAD
    assert tip.locator("img").count() == 0
    assert page.page.locator("img").count() == 0  # Leaflet's own icons are CSS backgrounds here
    page.page.mouse.down()
    page.page.mouse.up()  # a click on the region opens its popup
    popup = page.map("optimised").locator(".leaflet-popup-content")
    popup.wait_for(state="visible", timeout=3000)
    assert popup.locator("b").first.inner_text() == PAYLOAD and popup.locator("img").count() == 0
    control = page.control("optimised")
    assert f"{BIO_NAME} (BIO): capacity" in control.inner_text()
    assert control.locator("i").count() == 0
    legend = page.map("optimised").locator(".layout-legend")
    assert BIO_NAME in legend.text_content() and legend.locator("i, b:has-text('Co')").count() == 0
    assert page.page.title() == "test <scenario>: baseline and optimised layout"
    page.page.wait_for_timeout(200)  # give an injected handler the chance to fire
    page.check_clean()


def test_layer_control_toggles_paths_and_syncs_maps(page):
    control = page.control("optimised")  # collapsed at first: open on hover
    # overlay on: provincial clusters (regions with a provincial cluster) in both maps
    control.get_by_text("Provincial clusters", exact=True).click()
    assert page.count("optimised", "layout-provincial") == 4
    assert page.count("baseline", "layout-provincial") == len(MODELLED)
    # overlay off: duplications disappear in both maps
    control.get_by_text("Uncoordinated neighbour duplications", exact=True).click()
    assert _lines(page, "optimised") == 0
    assert _lines(page, "baseline") == 0
    # thematic layer: the NGIT choropleth replaces the portfolio, in both maps, with its legend
    page.control("baseline").get_by_text("New IT (NGIT): capacity").click()
    page.fold_legends()
    for role in ("baseline", "optimised"):
        assert page.count(role, "layout-NGIT") == len(MODELLED)
        assert page.count(role, "layout-portfolio") == 0
        section = page.map(role).locator(".layout-legend section[data-layer='NGIT']")
        assert section.evaluate("el => el.style.display") == ""
        assert (
            page.map(role).locator(".layout-legend section[data-layer='portfolio']").evaluate("el => el.style.display")
            == "none"
        )
    tip = page.hover("optimised", *_inside("120000"))
    assert tip.locator(".focus").inner_text() == "New IT (NGIT): 25.5 capacity units"  # no unit in this folder
    assert page.hover("optimised", *_inside("130000")).locator(".focus").inner_text() == "New IT (NGIT): none"
    # the legend folded away on a click on its title, and unfolds again
    legend = page.map("optimised").locator(".layout-legend")
    assert not legend.locator("section[data-layer='NGIT']").is_visible()
    legend.locator("summary").click()
    assert legend.locator("section[data-layer='NGIT']").is_visible()
    page.check_clean()


def test_duplication_lines_follow_the_industry_and_never_hide_a_region(page):
    """On an industry's layer only that industry's duplications are drawn (the baseline's three NGIT pairs on New IT,
    the optimised NMAT pair on 新材料, none on Bio); the portfolio shows them all. The lines take no mouse: over a line
    crossing a region the region's tooltip shows, and it names the neighbour it duplicates."""
    page.fold_legends()
    tip = page.hover("baseline", 30.5, 110.8)  # on the line Alpha–Beta (their centres), inside Alpha
    assert tip.locator("b").first.inner_text() == "Alpha"
    assert "Beta: New IT (NGIT), weight 1" in tip.locator(".dups").inner_text()
    for name, want in (
        ("New IT (NGIT): capacity", {"baseline": 3, "optimised": 0}),
        (f"{BIO_NAME} (BIO): capacity", {"baseline": 0, "optimised": 0}),
        ("新材料 (NMAT): capacity", {"baseline": 0, "optimised": 1}),
        ("Portfolio (lead industry)", {"baseline": 3, "optimised": 1}),
    ):
        page.control("optimised").get_by_text(name, exact=True).click()
        assert {role: _lines(page, role) for role in want} == want, name
    # a line as wide as its industry's weight alone: 310000–320000 weighs 0.5 of the widest pair's 1
    page.control("baseline").get_by_text("New IT (NGIT): capacity", exact=True).click()
    widths = (
        page.map("baseline")
        .locator("path.layout-duplications")
        .evaluate_all("els => els.map(e => e.getAttribute('stroke-width')).sort()")
    )
    assert widths == ["3", "4.5", "4.5"]
    page.check_clean()


def test_layer_control_is_collapsed_at_first(page):
    for role in page.ids:
        control = page.map(role).locator(".leaflet-control-layers")
        assert control.evaluate("el => el.classList.contains('leaflet-control-layers-expanded')") is False, role
        assert not control.locator(".leaflet-control-layers-list").is_visible()
    assert page.control("baseline").locator(".leaflet-control-layers-list").is_visible()  # opens on hover
    page.check_clean()


def test_maps_pan_and_zoom_together(page):
    before = page.page.evaluate("layoutMaps.optimised.getZoom()")
    page.map("baseline").locator(".leaflet-control-zoom-in").click()
    page.page.wait_for_function(f"layoutMaps.optimised.getZoom() > {before}")
    z = page.page.evaluate("[layoutMaps.baseline.getZoom(), layoutMaps.optimised.getZoom()]")
    assert z[0] == z[1] > before
    page.page.evaluate("layoutMaps.optimised.panTo([31.2, 111.4], {animate: false})")
    c = page.page.evaluate("[layoutMaps.baseline.getCenter(), layoutMaps.optimised.getCenter()]")
    assert c[0]["lat"] == pytest.approx(c[1]["lat"], abs=1e-6)
    assert c[0]["lng"] == pytest.approx(c[1]["lng"], abs=1e-6)
    page.check_clean()


def test_layer_selection(browser, results, tmp_path):
    out = maps.write_map(results, tmp_path / "sel.html", layers=["ngit", "duplications"])
    p = Page(browser, out)
    try:
        for role in ("baseline", "optimised"):
            labels = p.map(role).locator(".leaflet-control-layers label").all_inner_texts()
            assert [t.strip() for t in labels] == ["New IT (NGIT): capacity", "Uncoordinated neighbour duplications"]
            assert p.count(role, "layout-NGIT") == len(MODELLED)
            assert p.count(role, "layout-portfolio") == 0
            assert p.count(role, "layout-inter-provincial") == 0
        p.check_clean()
    finally:
        p.close()
    with pytest.raises(ValueError, match="unknown map layer.*nope"):
        maps.write_map(results, tmp_path / "bad.html", layers=["nope"])


def test_34_province_page_from_shipped_boundaries(browser, tmp_path):
    """The shipped province boundaries (31 modelled + Hong Kong, Macao, Taiwan), as in the real default
    run or larger: 11 industries, three periods, declared plans of 15 provinces, the 2019 clusters.
    The page stays under 2 MB and renders its three maps with no error."""
    path = geodata_file("provinces.geojson")
    assert path.is_file(), f"{path} is missing"
    src = json.loads(path.read_text(encoding="utf-8"))
    industries = {f"I{k:02d}": (f"Industry {k} 产业", "innovation") for k in range(11)}
    codes_i = list(industries)

    def rec(code, name, ind, cap, tier="provincial"):
        return {
            "region_code": code,
            "region_name": name,
            "industry": ind,
            "industry_name": industries[ind][0],
            "capacity": cap,
            "tier": tier,
            "kind": "innovation",
            "group": "",
            "group_name": "",
        }

    feats, rows, base, declared, phasing = [], [], [], [], []
    for n, f in enumerate(src["features"]):
        p = f["properties"]
        code = str(p.get("region_code") or p.get("code") or p.get("adcode"))
        name = p.get("region_name") or p.get("name_zh") or p.get("name") or code
        modelled = bool(p.get("modelled", code not in {"710000", "810000", "820000"}))
        feats.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "properties": {
                    "region_code": code,
                    "region_name": name,
                    "modelled": modelled,
                    "n_clusters": 2 if modelled else None,
                    "portfolio": "",
                },
            }
        )
        if not modelled:
            continue
        rows += [
            rec(code, name, codes_i[n % 11], 10.0 + n),
            rec(code, name, codes_i[(n + 3) % 11], 5.5, "characteristic"),
        ]
        base += [rec(code, name, codes_i[(n + k) % 11], 20.0 + k) for k in range(3)]
        if len({r["region_code"] for r in declared}) < 15:
            declared += [{**rec(code, name, codes_i[(n + k) % 11], 1.0), "tier": "declared"} for k in range(4)]
        for year, extra in (("2025", 0.0), ("2030", 2.5), ("2035", 4.0)):
            phasing += [{"period": year, **r, "capacity": r["capacity"] + extra} for r in rows[-2:]]
    folder = tmp_path / "china"
    folder.mkdir()
    _write_csv(folder / "assignment.csv", rows)
    _write_csv(folder / "baseline.csv", base)
    _write_csv(folder / "declared.csv", declared)
    with (folder / "phasing.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["period", *COLUMNS])
        w.writeheader()
        w.writerows(phasing)
    (folder / "layout.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    codes = [f["properties"]["region_code"] for f in feats if f["properties"]["modelled"]]
    covered = sorted({r["region_code"] for r in declared})
    groups = [{"id": "YRD", "name": "长三角", "members": ["310000", "320000", "330000", "340000"]}]
    (folder / "metrics.json").write_text(
        json.dumps(
            {
                **complete_metrics(),
                "scenario": {"name": "全国"},
                "groups": groups,
                "industries": [{"code": c, "name": n, "kind": k, "target": 100.0} for c, (n, k) in industries.items()],
                "duplications": {
                    "optimised": [{"a": codes[0], "b": codes[1], "industry": "I00", "weight": 1}],
                    "baseline": [{"a": codes[0], "b": codes[1], "industry": "I01", "weight": 1}] * 60,
                },
                "declared": {
                    "coverage": "declared plans cover 15 of 31 provinces (sourced rows only); "
                    "the other 16 have no sourced plan",
                    "covered": covered,
                    "not_covered": [c for c in codes if c not in covered],
                },
                "periods": {y: {"optimised": {"clusters": 62, "duplications": 1}} for y in ("2025", "2030", "2035")},
            }
        )
    )
    out = maps.write_map(folder)
    size = out.stat().st_size
    assert size < 2_000_000, f"34-province map is {size} bytes"
    assert len(feats) == 34 and len(codes) == 31 and len(covered) == 15
    p = Page(browser, out, width=1600)
    try:
        assert list(p.ids) == ["declared", "baseline", "optimised"]
        for role in p.ids:
            assert p.count(role, "layout-portfolio") == 31
            assert p.count(role, "layout-context") == 3
        assert p.count("declared", "layout-clusters-2019") == len(
            {r["province_adcode"] for r in _clusters_2019()} & set(codes)
        )
        assert p.map("declared").locator(".layout-label.no-plan").count() == 16
        labels = p.control("optimised").locator("label").all_inner_texts()
        assert [t.strip() for t in labels if t.strip().startswith("Portfolio 2")] == [
            "Portfolio 2025",
            "Portfolio 2030",
            "Portfolio 2035",
        ]
        p.check_clean()
    finally:
        p.close()


# ------------------------------------------------------------------------------------------------
# Periods, declared plans and the national SEI clusters of 2019 (three maps side by side)
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def phased(tmp_path_factory) -> Path:
    folder = make_phased_results(tmp_path_factory.mktemp("phased"))
    maps.write_map(folder)
    return folder


@pytest.fixture
def ph_page(browser, phased):
    p = Page(browser, phased / "map.html", width=1600)  # three maps on a 1600 px screen
    p.open_legends()  # the tests read them (a legend that would hide a region starts folded)
    yield p
    p.close()


def _ph_inside(code: str) -> tuple[float, float]:
    _, lon, lat, _ = PH_UNITS[code]
    return lat + 0.8, lon + 0.2


def _tip_rows(tip) -> set[tuple[str, str, str]]:
    return {
        (
            tr.get_attribute("data-industry"),
            tr.locator("td.tier").get_attribute("data-tier"),
            tr.locator("td.cap").inner_text(),
        )
        for tr in tip.locator("tr[data-industry]").all()
    }


def _clusters_2019() -> list[dict]:
    with map_inputs.geodata_file("sei_clusters_2019.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_three_maps_side_by_side(ph_page):
    assert list(ph_page.ids) == ["declared", "baseline", "optimised"]
    xs = [ph_page.map(r).bounding_box()["x"] for r in ph_page.ids]
    assert xs == sorted(xs) and xs[0] == 0  # declared | baseline | optimised
    for role in ph_page.ids:
        box = ph_page.map(role).bounding_box()
        assert box["width"] == pytest.approx(1600 / 3, abs=2)
        assert ph_page.map(role).locator(".leaflet-control-layers").count() == 1
        assert ph_page.map(role).locator(".layout-legend").is_visible()
        # three maps share the width: the layer control starts collapsed to an icon
        assert not ph_page.map(role).locator(".leaflet-control-layers-list").is_visible()
    # the view follows from the declared map to the others
    before = ph_page.page.evaluate("layoutMaps.optimised.getZoom()")
    ph_page.map("declared").locator(".leaflet-control-zoom-in").click()
    ph_page.page.wait_for_function(
        f"layoutMaps.optimised.getZoom() > {before} && layoutMaps.baseline.getZoom() > {before}"
    )
    assert ph_page.page.title() == "test <scenario>: declared plans, baseline and optimised layout"
    # a tooltip under a legend fades the legend (controls are drawn above tooltips), and only then
    dimmed = """([x, y]) => {
      const e = LAYOUT.maps.declared, m = e.map, legend = m.getContainer().querySelector('.layout-legend');
      const lg = legend.getBoundingClientRect(), box = m.getContainer().getBoundingClientRect();
      const layer = e.layers.portfolio.getLayers()[0].getLayers()[0];
      layer.openTooltip(m.containerPointToLatLng([lg.left - box.left + x * lg.width, lg.top - box.top + y * lg.height]));
      const on = legend.classList.contains('layout-dim');
      layer.closeTooltip();
      return [on, legend.classList.contains('layout-dim')];
    }"""
    assert ph_page.page.evaluate(dimmed, [0.5, 0.5]) == [True, False]
    assert ph_page.page.evaluate(dimmed, [0.5, -0.6]) == [False, False]  # above the legend
    ph_page.check_clean()


def test_period_layers_draw_each_period(ph_page, phased):
    with (phased / "phasing.csv").open(encoding="utf-8-sig") as fh:
        phasing = list(csv.DictReader(fh))
    years = sorted({r["period"] for r in phasing})
    control = ph_page.control("optimised")
    labels = [t.strip() for t in control.locator("label").all_inner_texts()]
    assert [t for t in labels if re.fullmatch(r"Portfolio \d{4}", t)] == [f"Portfolio {y}" for y in years]
    assert len(years) == len(PERIODS) == 3
    # only the optimised map has period layers
    assert not any(t.startswith("Portfolio 2") for t in ph_page.control("baseline").locator("label").all_inner_texts())
    n = len(PH_MODELLED)
    fills = {}
    for year in years:
        ph_page.control("optimised").get_by_text(f"Portfolio {year}", exact=True).click()
        assert ph_page.count("optimised", f"layout-period-{year}") == n
        assert ph_page.count("optimised", "layout-portfolio") == 0
        for other in years:
            if other != year:
                assert ph_page.count("optimised", f"layout-period-{other}") == 0
        # the other maps keep their portfolio (they have no such layer)
        assert ph_page.count("baseline", "layout-portfolio") == n
        section = ph_page.map("optimised").locator(f".layout-legend section[data-layer='period-{year}']")
        assert section.is_visible() and f"Portfolio {year}" in section.inner_text()
        # the fill of each region is the colour its lead industry has in this period's legend
        swatches = {
            re.search(r"\((\w+)\)\s*$", row.inner_text()).group(1): row.locator(".sw").evaluate(
                "el => getComputedStyle(el).backgroundColor"
            )
            for row in section.locator(".row").all()
            if re.search(r"\((\w+)\)\s*$", row.inner_text())
        }
        for code in PH_MODELLED:
            rows = [r for r in phasing if r["period"] == year and r["region_code"] == code]
            path = ph_page.map("optimised").locator(f"path.layout-period-{year}").nth(PH_MODELLED.index(code))
            fill = path.evaluate("el => getComputedStyle(el).fill")
            fills[year, code] = fill
            if rows:
                lead = max(rows, key=lambda r: float(r["capacity"]))["industry"]
                assert fill == swatches[lead], (year, code)
            else:
                assert fill == "rgb(255, 255, 255)", (year, code)
        ph_page.fold_legends()
        for code in PH_MODELLED:
            tip = ph_page.hover("optimised", *_ph_inside(code))
            assert year in tip.locator(".caption").inner_text()
            want = {
                (r["industry"], r["tier"], f"{float(r['capacity']):.1f}")
                for r in phasing
                if r["period"] == year and r["region_code"] == code
            }
            assert _tip_rows(tip) == want, (year, code)
            if not want:
                assert "no cluster designated" in tip.inner_text()
        ph_page.open_legends()
    # the phasing is visible: Shandong's lead moves from NGIT (2025) to BIO (2030)
    assert fills["2025", "370000"] != fills["2030", "370000"]
    # an industry a region did not hold in the period before is marked "new"
    ph_page.control("optimised").get_by_text("Portfolio 2030", exact=True).click()
    ph_page.fold_legends()
    tip = ph_page.hover("optimised", *_ph_inside("370000"))
    assert tip.locator("tr[data-industry='BIO'] .new").count() == 1
    assert tip.locator("tr[data-industry='NGIT'] .new").count() == 0
    ph_page.check_clean()


def test_declared_map(ph_page, phased):
    declared = ph_page.map("declared")
    header = ph_page.page.locator(".layout-header div[data-map='declared']")
    sentence = COVERAGE[0].upper() + COVERAGE[1:]
    assert header.is_visible() and sentence in header.inner_text()
    coverage = declared.locator(".layout-legend .coverage")
    assert coverage.is_visible() and sentence in coverage.inner_text()
    assert "Declared plans" in header.inner_text()
    n = len(PH_MODELLED)
    assert ph_page.count("declared", "layout-portfolio") == n
    # provinces with no sourced plan are hatched (never filled in) and say so
    paths = declared.locator("path.layout-portfolio")
    for i, code in enumerate(PH_MODELLED):
        fill = paths.nth(i).get_attribute("fill")
        assert (fill == "url(#layout-hatch)") == (code in NOT_COVERED), (code, fill)
    assert ph_page.page.locator("svg pattern#layout-hatch").count() == 1
    labels = declared.locator(".layout-label.no-plan").all_inner_texts()
    assert labels == ["no sourced plan"] * len(NOT_COVERED)
    legend = declared.locator(".layout-legend").inner_text()
    assert "no sourced plan" in legend
    # neighbours that declared the same industry: one line per pair, the count in the legend
    assert _lines(ph_page, "declared") == DECLARED_PAIRS
    assert "neighbours declaring the same industry: 5" in legend
    ph_page.fold_legends()
    for code in NOT_COVERED:
        tip = ph_page.hover("declared", *_ph_inside(code))
        assert tip.locator(".no-plan").inner_text() == "no sourced plan"
        assert tip.locator("li").count() == 0
    with (phased / "declared.csv").open(encoding="utf-8-sig") as fh:
        table = list(csv.DictReader(fh))
    for code in COVERED:
        tip = ph_page.hover("declared", *_ph_inside(code))
        assert {li.get_attribute("data-industry") for li in tip.locator("li[data-industry]").all()} == {
            r["industry"] for r in table if r["region_code"] == code
        }
        assert "no sourced plan" not in tip.inner_text()
    tip = ph_page.hover("declared", *_ph_inside("370000"))  # unmapped priorities, escaped
    assert "高端化工" in tip.locator(".unmapped").inner_text() and PAYLOAD in tip.locator(".unmapped").inner_text()
    assert tip.locator("img").count() == 0
    # an industry layer (synchronised with the other maps' choropleth) shows who declared it
    ph_page.control("baseline").get_by_text(f"{BIO_NAME} (BIO): capacity", exact=True).click()
    assert ph_page.count("declared", "layout-BIO") == n and ph_page.count("declared", "layout-portfolio") == 0
    assert ph_page.count("optimised", "layout-BIO") == n
    tip = ph_page.hover("declared", *_ph_inside("420000"))
    assert tip.locator(".focus").first.inner_text() == f"{BIO_NAME} (BIO): declared"
    tip = ph_page.hover("declared", *_ph_inside("340000"))
    assert tip.locator(".focus").first.inner_text() == f"{BIO_NAME} (BIO): no sourced plan"
    ph_page.check_clean()


def test_national_clusters_2019_overlay(ph_page):
    rows = _clusters_2019()
    hosts = sorted({r["province_adcode"] for r in rows} & set(PH_MODELLED))
    assert hosts == ["340000", "370000", "420000"]
    declared = ph_page.map("declared")
    statement = f"{len(rows)} of 66 national clusters (2019) listed; the full list was not found"
    assert len(rows) == 19  # 18 of 66, and B1-P19 (Chengdu, fifth pass)
    assert statement in declared.locator(".layout-legend").inner_text()
    # on the declared map at first; on the others on demand
    assert ph_page.count("declared", "layout-clusters-2019") == len(hosts)
    assert ph_page.count("optimised", "layout-clusters-2019") == 0
    assert sorted(declared.locator(".layout-label.clusters-2019").all_inner_texts()) == sorted(
        str(sum(r["province_adcode"] == c for r in rows)) for c in hosts
    )
    ph_page.fold_legends()
    for code in hosts:
        _, lon, lat, _ = PH_UNITS[code]
        tip = ph_page.hover("declared", lat + 0.5, lon + 0.5)  # the circle, at the square's representative point
        text = tip.inner_text()
        listed = [r for r in rows if r["province_adcode"] == code]
        assert text.startswith(PH_UNITS[code][0]), text
        for r in listed:
            assert f"{r['city_zh']} – {r['industry_zh']} – {r['source_ids'].replace(';', '; ')}" in text, (code, r)
        assert tip.locator("li").count() == len(listed)
    # the overlay follows the layer control into the other maps, and its legend line with it
    row = ph_page.map("optimised").locator(".layout-legend [data-overlay='clusters-2019']")
    ph_page.open_legends()
    assert not row.is_visible()
    ph_page.control("optimised").get_by_text("National SEI clusters 2019 (partial list)", exact=True).click()
    assert ph_page.count("optimised", "layout-clusters-2019") == len(hosts)
    assert ph_page.count("baseline", "layout-clusters-2019") == len(hosts)
    assert row.is_visible() and statement in row.inner_text()
    ph_page.check_clean()


def problems_of(call, *args, **kwargs) -> list[Problem]:
    """The problems of the InputError that `call(*args, **kwargs)` raises."""
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return caught.value.problems


def test_period_and_declared_errors(phased, tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(phased, folder)
    text = (folder / "phasing.csv").read_text(encoding="utf-8")
    (folder / "phasing.csv").write_text(text.replace("period,", "year,", 1), encoding="utf-8")
    assert problems_of(maps.write_map, folder) == [
        Problem(
            str(folder / "phasing.csv"),
            1,
            "",
            f"a CSV table written by this program, with columns period, {', '.join(COLUMNS)}",
            f"no period (columns year, {', '.join(COLUMNS)})",
        )
    ]
    shutil.copy(phased / "phasing.csv", folder / "phasing.csv")
    with (folder / "declared.csv").open("a", encoding="utf-8") as fh:
        fh.write("370000,Shandong,NGIT,New IT,1.0,provincial,innovation,,\n")
    assert problems_of(maps.write_map, folder) == [
        Problem(str(folder / "declared.csv"), 9, "tier", "one of declared", "'provincial'")
    ]
    # without declared.csv and phasing.csv: two maps, as before
    (folder / "declared.csv").unlink()
    (folder / "phasing.csv").unlink()
    html = maps.render_map(folder)
    assert 'layoutLink(["baseline","optimised"])' in html and "period-2025" not in html
    assert maps.available_layers(phased)[:2] == ["portfolio", "periods"]
    assert "periods" not in maps.available_layers(folder)


# ------------------------------------------------------------------------------------------------
# The HTML text, offline.py, errors, PNG
# ------------------------------------------------------------------------------------------------


def test_page_is_self_contained_and_geometry_embedded_once(results):
    html = (results / "map.html").read_text(encoding="utf-8")
    assert re.search(r"<script[^>]*\bsrc\s*=", html, re.I) is None
    assert re.search(r"<link[^>]*\bhref\s*=", html, re.I) is None
    for tag in re.findall(r"<(?:script|link|style)\b[^>]*>", html, re.I):
        assert not re.search(r"https?://", tag), tag
    assert "L.map(" in html and "Leaflet 1.9.4" in html  # Leaflet is inlined
    assert offline.external_assets(html) == []
    # the not-modelled unit's top-right corner occurs once: the geometry is shared by all layers/maps
    corner = f"[{UNITS['710000'][1] + TW_SIZE},{UNITS['710000'][2] + TW_SIZE}]"
    assert html.count(corner) == 1
    assert PAYLOAD not in html  # only escaped forms of it are in the page
    assert len(html.encode()) < 2_000_000


def test_tiles_are_opt_in(results, tmp_path):
    assert "L.tileLayer" not in (results / "map.html").read_text(encoding="utf-8")
    html = maps.write_map(results, tmp_path / "osm.html", tiles="OpenStreetMap").read_text(encoding="utf-8")
    assert html.count("tile.openstreetmap.org") == 2  # one base map under each of the two maps
    assert offline.external_assets(html) == []  # tiles are fetched by Leaflet, not linked assets
    with pytest.raises(ValueError, match="unknown tile layer"):
        maps.write_map(results, tmp_path / "bad.html", tiles="no such tiles")


def test_offline_inlines_leaflet_and_refuses_unknown_assets():
    page = (
        '<html><head><script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"/>'
        '</head><body><a href="https://leafletjs.com">Leaflet</a></body></html>'
    )
    out = offline.inline_assets(page)
    assert "<script src" not in out and "<link" not in out
    assert ".leaflet-container" in out and "data:image/png;base64," in out
    assert '<a href="https://leafletjs.com">' in out  # hyperlinks are not assets
    for bad in (
        '<script src="https://cdn.example.org/d3.min.js"></script>',
        '<link rel="stylesheet" href="https://cdn.example.org/bootstrap.css"/>',
        '<script src="local.js"></script>',
        '<style>@import url("https://fonts.example.org/x.css");</style>',
        "<style>.x { background: url(https://cdn.example.org/a.png); }</style>",
        '<img src="https://cdn.example.org/logo.png">',
    ):
        with pytest.raises(offline.ExternalAssetError):
            offline.inline_assets(page.replace("</head>", bad + "</head>"))


def test_folium_default_assets_are_refused():
    import folium

    html = folium.Map(tiles=None).get_root().render()
    with pytest.raises(offline.ExternalAssetError, match="jquery"):
        offline.inline_assets(html)
    m = offline.leaflet_only(folium.Map(tiles=None))
    assert offline.external_assets(offline.inline_assets(m.get_root().render())) == []


def test_a_folder_that_is_not_right_is_input_error_naming_the_file(results, tmp_path):
    """From Python (write_map, map_figure) as from the CLI: layout.errors.InputError naming the folder or file,
    and the line or key; `layout map` prints it once (exit 2), not wrapped in a second expected/found."""
    nowhere, a_file = tmp_path / "nowhere", tmp_path / "a-file"
    a_file.write_text("not a folder", encoding="utf-8")
    assert problems_of(maps.write_map, nowhere) == [Problem(str(nowhere), None, "", FOLDER, "no such folder")]
    result = CliRunner().invoke(app, ["map", str(nowhere)])
    assert (
        result.exit_code == 2
        and result.stderr == f"error (bad input): {nowhere}: expected {FOLDER}; found no such folder\n"
    )
    assert problems_of(maps.map_figure, a_file) == [Problem(str(a_file), None, "", FOLDER, "not a folder")]
    needs = f"{FOLDER} (metrics.json, assignment.csv, baseline.csv, layout.geojson)"
    for name in ("metrics.json", "layout.geojson"):
        folder = tmp_path / f"without-{name}"
        shutil.copytree(results, folder, ignore=shutil.ignore_patterns("map.html"))
        (folder / name).unlink()
        expected = [Problem(str(folder), None, "", needs, f"no {name} there")]
        assert problems_of(maps.write_map, folder) == expected
        assert problems_of(maps.map_figure, folder) == expected
        result = CliRunner().invoke(app, ["map", str(folder)])
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr == f"error (bad input): {expected[0]}\n"
        assert not (folder / "map.html").exists()

    folder = tmp_path / "rows"
    shutil.copytree(results, folder)
    with (folder / "assignment.csv").open("a", encoding="utf-8") as fh:
        fh.write("999999,Nowhere,NGIT,New IT,1.0,provincial,innovation,,\n")  # line 10
        fh.write("710000,Taiwan,NGIT,New IT,1.0,provincial,innovation,,\n")
        fh.write("999999,Nowhere,BIO,Bio,1.0,provincial,innovation,,\n")  # the same region: listed once
    path = str(folder / "assignment.csv")
    assert problems_of(maps.write_map, folder) == [
        Problem(path, 10, "region_code", "a region drawn in layout.geojson", "999999"),
        Problem(path, 11, "region_code", "a region modelled in layout.geojson", "710000, not modelled"),
    ]
    shutil.copy(results / "assignment.csv", folder / "assignment.csv")
    with (folder / "assignment.csv").open("a", encoding="utf-8") as fh:
        fh.write('110000,"Alpha\nsecond line",NMAT,x,inf,regional,innovation,,\n')  # lines 10-11: one row
        fh.write("120000,Beta,NMAT,x,2.0,provincial,innovation,,\n")
        fh.write("130000,Gamma,NMAT,x,many,provincial,innovation,,\n")
    assert problems_of(maps.write_map, folder) == [
        Problem(path, 13, "capacity", "a number", "'many'")  # the table is not read further
    ]
    text = (folder / "assignment.csv").read_text(encoding="utf-8")
    (folder / "assignment.csv").write_text(text.replace(",many,", ",3,"), encoding="utf-8")
    assert problems_of(maps.write_map, folder) == [
        Problem(path, 10, "capacity", "a finite number", "inf"),
        Problem(path, 10, "tier", "one of inter-provincial, provincial, characteristic", "'regional'"),
    ]

    shutil.copy(results / "assignment.csv", folder / "assignment.csv")
    geo = json.loads((results / "layout.geojson").read_text(encoding="utf-8"))
    geo["features"][0]["geometry"] = None
    geo["features"][2]["geometry"] = {"type": "Polygon", "coordinates": []}
    (folder / "layout.geojson").write_text(json.dumps(geo), encoding="utf-8")
    path = str(folder / "layout.geojson")
    assert problems_of(maps.write_map, folder) == [
        Problem(path, None, "features.0.geometry", "the outline of region 110000", "none (null)"),
        Problem(path, None, "features.2.geometry", "the outline of region 130000", "an empty geometry"),
    ]
    geo["features"] = []
    (folder / "layout.geojson").write_text(json.dumps(geo), encoding="utf-8")
    assert problems_of(maps.write_map, folder) == [Problem(path, None, "features", "at least one drawn unit", "none")]

    shutil.copy(results / "layout.geojson", folder / "layout.geojson")
    metrics = json.loads((results / "metrics.json").read_text(encoding="utf-8"))
    del metrics["duplications"]["baseline"]
    (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    assert problems_of(maps.write_map, folder) == [
        Problem(
            str(folder / "metrics.json"),
            None,
            "duplications.baseline",
            "the baseline layout's neighbour duplications (a list, as `layout solve` writes)",
            "nothing (the key is missing)",
        )
    ]
    assert "NGIT" in map_inputs.load(folder, baseline=False).industries  # the PNG's one panel needs no baseline


def test_map_without_sea_file_still_renders(results, tmp_path, monkeypatch):
    monkeypatch.setattr(map_inputs, "geodata_file", lambda name: tmp_path / "absent" / name)
    with pytest.warns(UserWarning) as caught:
        out = maps.write_map(results, tmp_path / "nosea.html")
    messages = " / ".join(str(w.message) for w in caught)
    assert "South China Sea" in messages and "national SEI clusters of 2019" in messages
    html = out.read_text(encoding="utf-8")
    assert "LAYOUT.sea = null" in html and "South China Sea dashed line" not in html


def test_maps_module_does_not_import_the_model():
    import subprocess
    import sys

    code = (
        "import sys, layout.views.maps.render; bad = [m for m in ('pulp', 'highspy', 'layout.model.core', 'layout.model.solve') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def _leads(rows: list[dict]) -> dict[str, str]:
    """Lead industry (largest capacity) of each region of a fixture table (the fixture has no ties)."""
    best: dict[str, dict] = {}
    for r in rows:
        if r["region_code"] not in best or r["capacity"] > best[r["region_code"]]["capacity"]:
            best[r["region_code"]] = r
    return {c: r["industry"] for c, r in best.items()}


def _png_panels(path: Path, n_panels: int, results: Path, baseline: bool = True):
    """RGB of each panel of a write_png figure (left to right), legend and titles cut away: the rows between the
    panels' axes as png_figure places them (the suptitle and panel titles above, fig.legend below)."""
    from layout.views.maps.png import png_figure

    boxes = [
        ax.get_position() for ax in png_figure(results, baseline=baseline).axes if ax.get_label().startswith("panel:")
    ]
    img = imread(path)[..., :3]  # floats 0..1, RGBA
    h, w = img.shape[:2]
    body = img[int((1 - max(b.y1 for b in boxes)) * h) : int((1 - min(b.y0 for b in boxes)) * h)]
    return [body[:, k * w // n_panels : (k + 1) * w // n_panels] for k in range(n_panels)]


def _pixels(panel, rgb) -> int:
    """Pixels of ``panel`` within 0.02 per channel of ``rgb``."""
    return int((np.abs(panel - np.asarray(rgb)).max(axis=-1) <= 0.02).sum())


def test_write_png(results, tmp_path):
    out = maps.write_png(results, tmp_path / "layout.png")
    data = out.read_bytes()
    width, height = _png_size(data)
    assert 1500 <= width <= 4000 and 1000 <= height <= 2500
    assert len(data) > 30_000
    single = maps.write_png(results, tmp_path / "single.png", baseline=False)
    w1, h1 = _png_size(single.read_bytes())
    assert w1 < width and 0.8 * height <= h1 <= 1.2 * height  # its legend in two columns

    # Content. Colours as the module picks them: the industry colour is the one map_inputs.load gives it
    # (the HTML map uses the same), fills are that colour at full opacity, duplication lines are
    # DUPLICATION_COLOUR at alpha 0.8 (map_png._draw_png), i.e. 0.8 red + 0.2 of the fill under them.
    colour = {c: to_rgb(i.colour) for c, i in map_inputs.load(results, baseline=False, extras=False).industries.items()}
    red = np.asarray(to_rgb(DUPLICATION_COLOUR))

    def red_over(industry):
        return 0.8 * red + 0.2 * np.asarray(colour[industry])

    grey = to_rgb(NOT_MODELLED_FILL)
    lead = {"baseline": _leads(BASELINE), "optimised": _leads(ASSIGNMENT)}
    dup_regions = {role: {d[k] for d in DUPS[role] for k in "ab"} for role in DUPS}
    # Facts of the fixture the assertions below rest on.
    assert "NMAT" in lead["optimised"].values() and "NMAT" not in lead["baseline"].values()
    assert "NGIT" in {lead["baseline"][c] for c in dup_regions["baseline"]}
    assert "NGIT" not in {lead["optimised"][c] for c in dup_regions["optimised"]}
    assert "NMAT" in {lead["optimised"][c] for c in dup_regions["optimised"]}
    assert not any(r["tier"] == "inter-provincial" for r in BASELINE)
    assert any(r["tier"] == "inter-provincial" for r in ASSIGNMENT)

    FILL, LINE, STRAY = 1000, 100, 10  # at least this many pixels for a drawn fill / line; at most STRAY else
    left, right = _png_panels(out, 2, results)
    for role, panel in (("baseline", left), ("optimised", right)):
        for ind in set(lead[role].values()):  # every lead industry fills its regions
            assert _pixels(panel, colour[ind]) >= FILL, (role, ind)
        assert _pixels(panel, grey) >= FILL, role  # 710000 is not modelled: grey in both panels
    assert _pixels(left, colour["NMAT"]) <= STRAY  # no baseline region is led by NMAT
    # Baseline duplications (110000–120000 ...) run over NGIT-led regions; the optimised one does not.
    assert _pixels(left, red_over("NGIT")) >= LINE
    assert _pixels(right, red_over("NGIT")) <= STRAY
    # The optimised duplication 310000–320000 runs over 310000, led by NMAT there (and by NGIT in the baseline).
    assert _pixels(right, red_over("NMAT")) >= LINE
    assert _pixels(left, red_over("NMAT")) <= STRAY
    # The inter-provincial cluster G1 is outlined (first group colour) on the optimised panel only. Its
    # name is written in that colour too, on one line of text (~15 rows); the outline spans the
    # cluster's whole height (~330 rows), so count the rows the colour reaches.
    group = np.abs(right - np.asarray(to_rgb(GROUP_COLOURS[0]))).max(axis=-1) <= 0.02
    assert group.any(axis=1).sum() >= 0.2 * right.shape[0]
    assert _pixels(left, to_rgb(GROUP_COLOURS[0])) <= STRAY

    (only,) = _png_panels(single, 1, results, baseline=False)  # baseline=False: the optimised panel alone
    for ind in set(lead["optimised"].values()):
        assert _pixels(only, colour[ind]) >= FILL, ind
    assert _pixels(only, grey) >= FILL
    assert _pixels(only, red_over("NMAT")) >= LINE
    assert _pixels(only, red_over("NGIT")) <= STRAY
