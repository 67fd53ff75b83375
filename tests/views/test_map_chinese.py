"""map.html in Chinese (`layout solve --lang zh`, `layout map DIR --lang zh`), opened in headless chromium: every
layer name, legend, tooltip, header and button title the map code writes reads in Chinese; and, in either language,
the page does not hide western China at a 1366×768 screen (the legends start folded where, open, they would hide a
region; the layer control starts collapsed).

The Chinese page is checked word by word: no English word of any message of the catalogue (layout/locale/zh/*.po, its
English ids) may be seen (text nodes, the layer control, every legend section, every region's tooltip, titles),
except codes, units and names that stay as written (`KEPT`). Texts other parts of the program write into the folder
(metrics.json, manifest.json: the scenario's name, lever notes) are taken out first: this test holds the map code to
its own words.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.language import catalogue, using
from layout.views.maps import render as maps
from tests.browser import Page

KEPT = {"leaflet", "javascript", "csv", "assignment", "sei", "km", "mi"}  # names, file names, units
WORD = r"[A-Za-z][A-Za-z0-9_'-]*[A-Za-z0-9]"
WEST = ("650000", "540000", "630000")  # Xinjiang, Tibet, Qinghai


def catalogue_words() -> set[str]:
    """The English words (3 letters or more, lower case) of every message of the Chinese catalogue."""
    words: set[str] = set()
    for key in catalogue("zh"):
        for text in key if isinstance(key, tuple) else (key,):
            text = re.sub(r"\{[^}]*\}", " ", text)  # {fields} are filled with values
            words |= {w.lower() for w in re.findall(WORD, text)}
    return {w for w in words if len(w) >= 3} - KEPT


def strings_of(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_of(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_of(v)]
    return []


def others_words(folder: Path) -> list[str]:
    """The texts other parts of the program wrote into the folder (longest first)."""
    texts: list[str] = []
    for name in ("metrics.json", "manifest.json"):
        texts += strings_of(json.loads((folder / name).read_text(encoding="utf-8")))
    return sorted({t for t in texts if t.strip()}, key=len, reverse=True)


def without(text: str, others: list[str]) -> str:
    for other in others:
        if other in text:
            text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(other)}(?![A-Za-z0-9_])", " ", text)
    return text


# Everything the page says: visible text nodes, the layer control's names, every legend section (shown or not), the
# title attributes, and every region's tooltip (the HTML the maps hold, as text).
TEXTS = """() => {
  const out = [document.title];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walk.nextNode())) {
    const el = n.parentElement;
    if (el && !['SCRIPT', 'STYLE'].includes(el.tagName) && el.getClientRects().length) out.push(n.textContent);
  }
  document.querySelectorAll('.leaflet-control-layers, .layout-legend').forEach(e => out.push(e.textContent));
  document.querySelectorAll('[title]').forEach(e => out.push(e.title));
  const tip = document.createElement('div');
  Object.values(LAYOUT.maps).forEach(m => Object.values(m.tips).forEach(h => {
    tip.innerHTML = h; out.push(tip.textContent);
  }));
  return out;
}"""


@pytest.fixture(scope="module")
def solved_zh(tmp_path_factory) -> Path:
    """The default scenario (31 provinces; declared plans, inter-provincial clusters) solved in Chinese."""
    folder = tmp_path_factory.mktemp("zh") / "out"
    result = CliRunner().invoke(app, ["solve", "--lang", "zh", "--out", str(folder), "-q"])
    assert result.exit_code == 0, result.output
    return folder


def test_the_chinese_map_has_no_english_words_of_the_catalogue(browser, solved_zh):
    result = CliRunner().invoke(app, ["map", str(solved_zh), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((solved_zh / "metrics.json").read_text(encoding="utf-8"))
    kept = KEPT | {str(i["code"]).lower() for i in metrics["industries"]}
    ours, others = catalogue_words() - kept, others_words(solved_zh)
    assert {"portfolio", "duplications", "legend", "capacity"} <= ours  # the check has teeth
    p = Page(browser, solved_zh / "map.html", width=1366)
    try:
        p.control("optimised")  # the layer control open (hover) and the industry's layer, its legend shown
        p.control("optimised").locator("label").nth(1).click()
        p.open_legends()
        texts = p.page.evaluate(TEXTS)
        left = sorted({w for text in texts for w in re.findall(WORD, without(text, others)) if w.lower() in ours})
        assert left == [], left
        assert "产业组合" in " ".join(texts) and "相邻地区无协调的产业同构" in " ".join(texts)
        p.check_clean()
    finally:
        p.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_legends_and_layer_control_leave_western_china_visible_on_a_small_screen(browser, solved_zh, lang, tmp_path):
    """1366×768, two maps side by side: at load no legend covers the middle of Xinjiang, Tibet or Qinghai, and the
    layer control is an icon; a click on a legend's title unfolds it (the toggle), another folds it again."""
    with using(lang):
        out = maps.write_map(solved_zh, tmp_path / "map.html")
    p = Page(browser, out, width=1366)
    try:
        p.page.set_viewport_size({"width": 1366, "height": 768})
        p.page.reload()
        p.page.wait_for_function("window.layoutMaps !== undefined")
        for role in p.ids:
            m = p.map(role)
            assert m.locator(".leaflet-control-layers-expanded").count() == 0, role
            legend = m.locator(".layout-legend").bounding_box()
            assert legend is not None
            for code in WEST:
                x, y = p.page.evaluate(
                    """([role, code]) => {
                      const map = layoutMaps[role], box = map.getContainer().getBoundingClientRect();
                      let found = null;
                      map.eachLayer(l => {
                        if (!found && l.feature && l.feature.id === code && l.getBounds) found = l.getBounds().getCenter();
                      });
                      const pt = map.latLngToContainerPoint(found);
                      return [box.left + pt.x, box.top + pt.y];
                    }""",
                    [role, code],
                )
                inside = (
                    legend["x"] < x < legend["x"] + legend["width"] and legend["y"] < y < legend["y"] + legend["height"]
                )
                assert not inside, (role, code, legend)
            rows = m.locator(".layout-legend .always")
            folded = not rows.is_visible()
            m.locator(".layout-legend summary").click()
            assert rows.is_visible() == folded
            m.locator(".layout-legend summary").click()
            assert rows.is_visible() != folded
        p.check_clean()
    finally:
        p.close()
