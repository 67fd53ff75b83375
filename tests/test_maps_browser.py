"""Maps: the HTML page opened in a real headless browser (Debian chromium via Playwright), and the PNG.

The browser runs offline with every http(s) request aborted and counted. These tests need
/usr/bin/chromium (or $LAYOUT_CHROMIUM); they fail, never skip, when it is missing. Never run
`playwright install`: CI installs Debian's chromium (apt-get install chromium fonts-noto-cjk).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import struct
from pathlib import Path

import pytest

from layout import maps, offline
from layout.paths import geodata_file

CHROMIUM = os.environ.get("LAYOUT_CHROMIUM", "/usr/bin/chromium")
PAYLOAD = "<img src=x onerror=alert(1)>"
GROUP_NAME = "Delta & <b>Co</b>"
BIO_NAME = "Bio & <i>Med</i>"
COLUMNS = ["region_code", "region_name", "industry", "industry_name", "capacity", "tier", "kind",
           "group", "group_name"]
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
    return {"region_code": code, "region_name": UNITS[code][0], "industry": industry, "industry_name": name,
            "capacity": capacity, "tier": tier, "kind": kind, "group": group,
            "group_name": GROUP_NAME if group else ""}


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
BASELINE = [_row(c, i, cap, "provincial") for c, i, cap in [
    ("110000", "NGIT", 35.0), ("110000", "BIO", 30.0), ("120000", "NGIT", 33.0), ("120000", "NMAT", 20.0),
    ("130000", "BIO", 28.0), ("130000", "NGIT", 22.0), ("310000", "NGIT", 31.0), ("310000", "NMAT", 18.0),
    ("320000", "NGIT", 36.0), ("320000", "BIO", 26.0)]]
DUPS = {
    "optimised": [{"a": "310000", "b": "320000", "industry": "NMAT", "weight": 1.0}],
    "baseline": [{"a": "110000", "b": "120000", "industry": "NGIT", "weight": 1.0},
                 {"a": "120000", "b": "130000", "industry": "NGIT", "weight": 1.0},
                 {"a": "310000", "b": "320000", "industry": "NGIT", "weight": 0.5}],
}
MODELLED = [c for c, u in UNITS.items() if u[3]]


def _square(lon, lat, size=1.0):
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + size, lat], [lon + size, lat + size],
                                                [lon, lat + size], [lon, lat]]]}


def _write_csv(path: Path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)


def make_results(folder: Path) -> Path:
    """A small results folder as `layout solve` writes it (see the contract in layout/maps.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_csv(folder / "assignment.csv", ASSIGNMENT)
    _write_csv(folder / "baseline.csv", BASELINE)
    feats = []
    for code, (name, lon, lat, modelled) in UNITS.items():
        rows = [r for r in ASSIGNMENT if r["region_code"] == code]
        feats.append({"type": "Feature", "geometry": _square(lon, lat, 1.0 if modelled else TW_SIZE),
                      "properties": {"region_code": code, "region_name": name, "modelled": modelled,
                                     "n_clusters": len(rows) if modelled else None,
                                     "portfolio": ", ".join(r["industry"] for r in rows)}})
    (folder / "layout.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}),
                                           encoding="utf-8")
    metrics = {
        "scenario": {"name": "test <scenario>"},
        "industries": [{"code": c, "name": n, "kind": k, "target": 100.0} for c, (n, k) in INDUSTRIES.items()],
        "groups": [{"id": "G1", "name": GROUP_NAME, "members": ["110000", "120000"]}],
        "duplications": DUPS,
        "solver": {"status": "Optimal"},  # other keys are ignored
    }
    (folder / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    folder = make_results(tmp_path_factory.mktemp("results"))
    maps.write_map(folder)
    return folder


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"chromium not found at {CHROMIUM}: install Debian's chromium "
                    "(apt-get install -y chromium fonts-noto-cjk) or set LAYOUT_CHROMIUM; "
                    "the map tests need a real browser and are never skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        pytest.fail(f"playwright is not installed ({exc}): pip install -e '.[test]'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        yield b
        b.close()


class Page:
    """An offline page with every http(s) request aborted, and what went wrong on it."""

    def __init__(self, browser, html: Path):
        self.context = browser.new_context(offline=True, viewport={"width": 1400, "height": 800})
        self.aborted: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

        def abort(route):
            self.aborted.append(route.request.url)
            route.abort()

        self.context.route(re.compile(r"^https?://"), abort)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(html.resolve().as_uri())
        self.page.wait_for_function("window.layoutMaps !== undefined")
        self.ids = self.page.evaluate(
            "({baseline: layoutMaps.baseline.getContainer().id, optimised: layoutMaps.optimised.getContainer().id})")

    def map(self, role: str):
        return self.page.locator(f"#{self.ids[role]}")

    def count(self, role: str, cls: str) -> int:
        return self.map(role).locator(f".leaflet-overlay-pane svg path.leaflet-interactive.{cls}").count()

    def hover(self, role: str, lat: float, lon: float):
        box = self.map(role).bounding_box()
        x, y = self.page.evaluate(
            "([r, lat, lon]) => { const p = layoutMaps[r].latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
            [role, lat, lon])
        tip = self.map(role).locator(".leaflet-tooltip")
        self.page.mouse.move(1, 1)  # over the page header: closes any open tooltip (it fades out)
        self.page.wait_for_function("id => !document.querySelector('#' + id + ' .leaflet-tooltip')",
                                    arg=self.ids[role], timeout=3000)
        # one jump (no tooltips of regions on the way), then a pixel within the region
        self.page.mouse.move(box["x"] + x, box["y"] + y)
        self.page.mouse.move(box["x"] + x + 1, box["y"] + y + 1)
        tip.first.wait_for(state="visible", timeout=3000)
        assert tip.count() == 1
        return tip.first

    def fold_legends(self):
        for role in ("baseline", "optimised"):
            self.map(role).locator(".layout-legend summary").click()

    def check_clean(self):
        assert self.errors == [], self.errors
        assert self.aborted == [], f"the page tried the network: {self.aborted}"
        assert self.dialogs == [], f"a dialog fired (escaped text executed?): {self.dialogs}"

    def close(self):
        self.context.close()


@pytest.fixture
def page(browser, results):
    p = Page(browser, results / "map.html")
    yield p
    p.close()


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
        "baseline": {"layout-portfolio": n, "layout-context": 1, "layout-inter-provincial": 0,
                     "layout-duplications": len(DUPS["baseline"]), "layout-provincial": 0, "layout-NGIT": 0},
        "optimised": {"layout-portfolio": n, "layout-context": 1, "layout-inter-provincial": 1,
                      "layout-duplications": len(DUPS["optimised"]), "layout-provincial": 0, "layout-NGIT": 0},
    }
    for role, counts in expected.items():
        for cls, want in counts.items():
            assert page.count(role, cls) == want, (role, cls)
        m = page.map(role)
        assert m.locator(".leaflet-control-layers").count() == 1
        assert m.locator(".layout-legend").count() == 1
        assert m.locator(".leaflet-control-scale").count() == 1
        assert m.locator(".layout-legend").is_visible()
        # the South China Sea dashed line (non-interactive) is drawn in both maps
        assert m.locator(".leaflet-overlay-pane svg path.layout-sea").count() >= 1
    assert "Inter-provincial clusters" in page.map("optimised").locator(".leaflet-control-layers").inner_text()
    assert "Delta & <b>Co</b>" in page.map("optimised").locator(".layout-legend").inner_text()
    assert "Taiwan: not modelled" in page.map("baseline").locator(".layout-legend").inner_text()
    assert page.map("optimised").locator(".layout-label.group").inner_text() == f"{GROUP_NAME}: NGIT"
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
    with (results / "assignment.csv").open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    page.fold_legends()  # out of the way of the regions under them
    for code in MODELLED:
        tip = page.hover("optimised", *_inside(code))
        name = next(r["region_name"] for r in table if r["region_code"] == code)
        assert tip.locator("b").first.inner_text() == name
        got = set()
        for tr in tip.locator("tr[data-industry]").all():
            got.add((tr.get_attribute("data-industry"), tr.locator("td.tier").get_attribute("data-tier"),
                     tr.locator("td.kind").inner_text(), tr.locator("td.cap").inner_text()))
        want = {(r["industry"], r["tier"], r["kind"], f"{float(r['capacity']):.1f}")
                for r in table if r["region_code"] == code}
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
    control = page.map("optimised").locator(".leaflet-control-layers")
    assert f"{BIO_NAME} (BIO): capacity" in control.inner_text()
    assert control.locator("i").count() == 0
    legend = page.map("optimised").locator(".layout-legend")
    assert BIO_NAME in legend.text_content() and legend.locator("i, b:has-text('Co')").count() == 0
    assert page.page.title() == "test <scenario>: baseline and optimised layout"
    page.page.wait_for_timeout(200)  # give an injected handler the chance to fire
    page.check_clean()


def test_layer_control_toggles_paths_and_syncs_maps(page):
    control = page.map("optimised").locator(".leaflet-control-layers")
    # overlay on: provincial clusters (regions with a provincial cluster) in both maps
    control.get_by_text("Provincial clusters", exact=True).click()
    assert page.count("optimised", "layout-provincial") == 4
    assert page.count("baseline", "layout-provincial") == len(MODELLED)
    # overlay off: duplications disappear in both maps
    control.get_by_text("Uncoordinated neighbour duplications", exact=True).click()
    assert page.count("optimised", "layout-duplications") == 0
    assert page.count("baseline", "layout-duplications") == 0
    # thematic layer: the NGIT choropleth replaces the portfolio, in both maps, with its legend
    page.map("baseline").locator(".leaflet-control-layers").get_by_text("New IT (NGIT): capacity").click()
    page.fold_legends()
    for role in ("baseline", "optimised"):
        assert page.count(role, "layout-NGIT") == len(MODELLED)
        assert page.count(role, "layout-portfolio") == 0
        section = page.map(role).locator(".layout-legend section[data-layer='NGIT']")
        assert section.evaluate("el => el.style.display") == ""
        assert page.map(role).locator(".layout-legend section[data-layer='portfolio']").evaluate(
            "el => el.style.display") == "none"
    tip = page.hover("optimised", *_inside("120000"))
    assert tip.locator(".focus").inner_text() == "New IT (NGIT): 25.5"
    assert page.hover("optimised", *_inside("130000")).locator(".focus").inner_text() == "New IT (NGIT): none"
    # the legend folded away on a click on its title, and unfolds again
    legend = page.map("optimised").locator(".layout-legend")
    assert not legend.locator("section[data-layer='NGIT']").is_visible()
    legend.locator("summary").click()
    assert legend.locator("section[data-layer='NGIT']").is_visible()
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
    """The shipped province boundaries (31 modelled + Hong Kong, Macao, Taiwan): size and rendering."""
    path = geodata_file("provinces.geojson")
    assert path.is_file(), f"{path} is missing"
    src = json.loads(path.read_text(encoding="utf-8"))
    feats, rows = [], []
    for n, f in enumerate(src["features"]):
        p = f["properties"]
        code = str(p.get("region_code") or p.get("code") or p.get("adcode"))
        name = p.get("region_name") or p.get("name_zh") or p.get("name") or code
        modelled = bool(p.get("modelled", code not in {"710000", "810000", "820000"}))
        feats.append({"type": "Feature", "geometry": f["geometry"], "properties": {
            "region_code": code, "region_name": name, "modelled": modelled, "n_clusters": 1 if modelled else None,
            "portfolio": ""}})
        if modelled:
            ind = list(INDUSTRIES)[n % 3]
            rows.append({"region_code": code, "region_name": name, "industry": ind,
                         "industry_name": INDUSTRIES[ind][0], "capacity": 10.0 + n, "tier": "provincial",
                         "kind": INDUSTRIES[ind][1], "group": "", "group_name": ""})
    folder = tmp_path / "china"
    folder.mkdir()
    _write_csv(folder / "assignment.csv", rows)
    _write_csv(folder / "baseline.csv", rows)
    (folder / "layout.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    codes = [f["properties"]["region_code"] for f in feats if f["properties"]["modelled"]]
    groups = [{"id": "YRD", "name": "长三角", "members": ["310000", "320000", "330000", "340000"]}]
    (folder / "metrics.json").write_text(json.dumps({
        "scenario": {"name": "全国"}, "industries": [], "groups": groups,
        "duplications": {"optimised": [{"a": codes[0], "b": codes[1], "industry": "NGIT", "weight": 1}],
                         "baseline": []}}))
    out = maps.write_map(folder)
    size = out.stat().st_size
    assert size < 2_000_000, f"34-province map is {size} bytes"
    assert len(feats) == 34 and len(codes) == 31
    p = Page(browser, out)
    try:
        for role in ("baseline", "optimised"):
            assert p.count(role, "layout-portfolio") == 31
            assert p.count(role, "layout-context") == 3
        p.check_clean()
    finally:
        p.close()


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
    page = ('<html><head><script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
            '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"/>'
            '</head><body><a href="https://leafletjs.com">Leaflet</a></body></html>')
    out = offline.inline_assets(page)
    assert "<script src" not in out and "<link" not in out
    assert ".leaflet-container" in out and "data:image/png;base64," in out
    assert '<a href="https://leafletjs.com">' in out  # hyperlinks are not assets
    for bad in ('<script src="https://cdn.example.org/d3.min.js"></script>',
                '<link rel="stylesheet" href="https://cdn.example.org/bootstrap.css"/>',
                '<script src="local.js"></script>',
                '<style>@import url("https://fonts.example.org/x.css");</style>',
                '<style>.x { background: url(https://cdn.example.org/a.png); }</style>',
                '<img src="https://cdn.example.org/logo.png">'):
        with pytest.raises(offline.ExternalAssetError):
            offline.inline_assets(page.replace("</head>", bad + "</head>"))


def test_folium_default_assets_are_refused():
    import folium

    html = folium.Map(tiles=None).get_root().render()
    with pytest.raises(offline.ExternalAssetError, match="jquery"):
        offline.inline_assets(html)
    m = offline.leaflet_only(folium.Map(tiles=None))
    assert offline.external_assets(offline.inline_assets(m.get_root().render())) == []


def test_missing_file_is_a_readable_value_error(results, tmp_path):
    folder = tmp_path / "partial"
    shutil.copytree(results, folder)
    (folder / "metrics.json").unlink()
    with pytest.raises(ValueError, match=r"lacks metrics\.json"):
        maps.write_map(folder)
    with pytest.raises(ValueError, match="does not exist"):
        maps.write_map(tmp_path / "nowhere")
    shutil.copy(results / "metrics.json", folder / "metrics.json")
    with (folder / "assignment.csv").open("a", encoding="utf-8") as fh:
        fh.write("999999,Nowhere,NGIT,New IT,1.0,provincial,innovation,,\n")
    with pytest.raises(ValueError, match="999999"):
        maps.write_map(folder)


def test_map_without_sea_file_still_renders(results, tmp_path, monkeypatch):
    monkeypatch.setattr(maps, "geodata_file", lambda name: tmp_path / "absent" / name)
    with pytest.warns(UserWarning, match="South China Sea"):
        out = maps.write_map(results, tmp_path / "nosea.html")
    html = out.read_text(encoding="utf-8")
    assert "LAYOUT.sea = null" in html and "South China Sea dashed line" not in html


def test_maps_module_does_not_import_the_model():
    import subprocess
    import sys

    code = ("import sys, layout.maps; bad = [m for m in ('pulp', 'highspy', 'layout.model', 'layout.solve') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_write_png(results, tmp_path):
    out = maps.write_png(results, tmp_path / "layout.png")
    data = out.read_bytes()
    width, height = _png_size(data)
    assert 1500 <= width <= 4000 and 1000 <= height <= 2500
    assert len(data) > 30_000
    single = maps.write_png(results, tmp_path / "single.png", baseline=False)
    w1, h1 = _png_size(single.read_bytes())
    assert w1 < width and h1 == height
