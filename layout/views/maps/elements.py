"""The building blocks of the map page: colours, escaping, the page's CSS and JavaScript, Folium elements.

Each Leaflet map of the page is made by :mod:`layout.maps` (baseline, optimised) and
:mod:`layout.map_layers` (declared plans, periods, national clusters) from these parts. The JavaScript
(``JS``, written for this package) builds every layer in the browser from one geometry variable
shared by all layers of all maps, so the geometry is embedded once. :func:`render_page` builds every map
page; no text from an input ever reaches a template as template source: text is escaped HTML or JSON,
every element's output is placed verbatim (:func:`place`; branca would render it again as a template, and a
name holding ``{{ ... }}`` would run as Jinja, Python included), and :class:`Page` refuses to render a page
holding an element that would render its output again.
"""

from __future__ import annotations

import html as _html
import json
import re
from collections.abc import Collection
from dataclasses import dataclass

import folium
import numpy as np
import shapely
from branca.colormap import linear
from branca.element import Element, Figure, MacroElement
from folium.map import Layer, LayerControl
from folium.template import Template

from layout.language import current, marked, tr, translate
from layout.views.maps import offline
from layout.views.maps.inputs import CLUSTERS_2019_TOTAL, TIERS, NationalCluster, Results, label_points
from layout.words import fixed

NONE_FILL = "#ffffff"
NOT_MODELLED_FILL = "#bdbdbd"
PROVINCIAL_COLOUR = "#08306b"
CHARACTERISTIC_COLOUR = "#a63603"
DUPLICATION_COLOUR = "#d7191c"
SEA_COLOUR = "#3b3b3b"
NATIONAL_COLOUR = "#6a1b9a"  # national SEI clusters (2019)
ROLES = {
    "baseline": marked("Baseline: uncoordinated local plans"),
    "optimised": marked("Optimised layout"),
}
# Display names of the codes a page shows (the CSV keeps the codes): tiers, kinds, the program's capacity units.
TIER_NAMES = {
    "inter-provincial": marked("inter-provincial"),
    "provincial": marked("provincial"),
    "characteristic": marked("characteristic"),
}
KIND_NAMES = {"innovation": marked("innovation"), "resource": marked("resource")}
UNIT_NAMES = {"index units": marked("index units"), "capacity units": marked("capacity units")}
RAMP = linear.YlGnBu_09.scale(0.0, 1.0)  # type: ignore[attr-defined]  # branca sets its colour maps at run time
RAMP_START = 0.15  # a capacity > 0 starts here on the ramp, so it never looks like "none"
_DIGITS = 5  # decimals kept in coordinates (about 1 m)


def esc(text) -> str:
    """HTML-escape a text from a data or constraint file."""
    return _html.escape(str(text), quote=True)


def shown(table: dict[str, str], code: str) -> str:
    """A code's display name in the current language (`TIER_NAMES`, `KIND_NAMES`, `UNIT_NAMES`), escaped; a code
    the table does not know is data and shown as it is."""
    return esc(translate(table[code]) if code in table else code)


def named_code(name: str, code: str) -> str:
    """'New IT (NGIT)' ('新一代信息技术产业（NGIT）' in Chinese), escaped."""
    return tr("{name} ({code})", name=esc(name), code=esc(code))


def joined(items) -> str:
    """Items of a list in a sentence: 'a, b' ('a、b' in Chinese). Not escaped."""
    return ("、" if current() == "zh" else ", ").join(str(i) for i in items)


def page_words() -> dict[str, str]:
    """The words of Leaflet's own controls (button titles), for the page's script (JSON data, never template)."""
    return {
        "zoomIn": tr("Zoom in"),
        "zoomOut": tr("Zoom out"),
        "layers": tr("Layers"),
        "closePopup": tr("Close popup"),
        "leaflet": tr("A JavaScript library for interactive maps"),
    }


def js(obj) -> str:
    """JSON for a <script> element: nothing in it can close the element or start markup."""
    return (
        json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def geojson_geometries(geoms) -> list[dict]:
    """GeoJSON geometries (dicts) of shapely geometries, 2-D, coordinates rounded to _DIGITS decimals
    (one vectorised pass over all coordinates; GEOS writes the GeoJSON)."""
    flat = shapely.transform(shapely.force_2d(np.asarray(list(geoms), dtype=object)), lambda xy: np.round(xy, _DIGITS))
    return [json.loads(text) for text in shapely.to_geojson(flat)]


def geojson_geometry(geom) -> dict:
    return geojson_geometries([geom])[0]


def unit_collection(units: dict) -> dict:
    """The FeatureCollection of every unit's geometry, by code: the geometry the page's layers share."""
    geometries = geojson_geometries(u.geom for u in units.values())
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "id": c, "properties": {}, "geometry": g} for c, g in zip(units, geometries)],
    }


def css_class(key: str) -> str:
    """CSS class of a layer's paths: ``layout-<key>`` with anything unsafe in a class name replaced."""
    return "layout-" + re.sub(r"[^A-Za-z0-9_-]", "_", key)


def fmt_capacity(value: float) -> str:
    """How capacities are written in tooltips, popups and legends: one decimal, aligned (`layout.words.fixed`)."""
    return fixed(value, 1)


def ramp_colour(value: float, vmax: float) -> str:
    if value <= 0 or vmax <= 0:
        return NONE_FILL
    return RAMP.rgb_hex_str(RAMP_START + (1 - RAMP_START) * min(value / vmax, 1.0))


_FONT = 'system-ui, "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'

# A hatch for regions with no data of their own (e.g. no sourced plan): an SVG pattern that the
# paths' fill refers to as url(#layout-hatch). Hidden by size, not display:none (Chrome would not
# paint a pattern of an undisplayed SVG).
HATCH = "url(#layout-hatch)"
HATCH_DEFS = (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>'
    '<pattern id="layout-hatch" patternUnits="userSpaceOnUse" width="7" height="7" '
    'patternTransform="rotate(45)"><rect width="7" height="7" fill="#f2f2f2"/>'
    '<line x1="0" y1="0" x2="0" y2="7" stroke="#a0a0a0" stroke-width="2"/></pattern></defs></svg>'
)


def css(panels: int) -> str:
    """The page's stylesheet; with three panels the header has room for two lines and the legends are smaller."""
    three = panels >= 3
    h = 58 if three else 42
    out = """
html, body { font-family: %(font)s; }
.layout-header { position: absolute; top: 0; left: 0; right: 0; height: %(h)spx; display: flex;
  background: #fff; border-bottom: 1px solid #bbb; z-index: 1001; }
.layout-header > div { flex: 1; min-width: 0; padding: 0 12px; line-height: %(h)spx; font-size: 15px; font-weight: 600;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.layout-header .layout-sub { font-weight: 400; color: #555; font-size: 13px; }
.folium-map { top: %(h)spx !important; height: calc(100%% - %(h)spx) !important; }
.folium-map + .folium-map { border-left: 2px solid #888; box-sizing: border-box; }
div.folium-map.leaflet-container { background: #f3f6f9; font-family: %(font)s; }
.layout-legend { background: rgba(255,255,255,.93); padding: 5px 8px; border-radius: 5px; transition: opacity .15s;
  box-shadow: 0 1px 4px rgba(0,0,0,.35); font-size: 11px; line-height: 1.3; max-width: 250px;
  max-height: 55vh; overflow-y: auto; }
.layout-legend.layout-dim { opacity: 0.15; pointer-events: none; }
.layout-legend summary { margin: 0 0 3px; font-size: 13px; font-weight: 700; cursor: pointer; }
.layout-legend .row { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.layout-legend .sw { flex: none; width: 16px; height: 11px; border: 1px solid #777; }
.layout-legend .sw.hatch { background: repeating-linear-gradient(45deg, #f2f2f2 0 3px, #a0a0a0 3px 5px); }
.layout-legend .ln { flex: none; width: 22px; height: 0; border-top: 3px solid #000; }
.layout-legend .dot { flex: none; width: 12px; height: 12px; border-radius: 50%%; margin: 0 5px;
  background: %(nat)s; border: 1.5px solid #fff; box-shadow: 0 0 0 1px %(nat)s; }
.layout-legend .ramp { height: 11px; border: 1px solid #777; margin: 2px 0; }
.layout-legend .ticks { display: flex; justify-content: space-between; color: #333; }
.layout-legend .note { color: #555; margin-top: 4px; }
.layout-legend .coverage { margin: 2px 0 4px; font-weight: 600; }
.layout-legend section + section, .layout-legend .always { margin-top: 5px; }
.layout-tip table { border-collapse: collapse; margin-top: 3px; }
.layout-tip td, .layout-tip th { padding: 1px 6px 1px 0; text-align: left; font-size: 12px; }
.layout-tip th { color: #555; font-weight: 600; border-bottom: 1px solid #ccc; }
.layout-tip td.cap { text-align: right; }
.layout-tip .focus { font-weight: 600; margin: 2px 0; }
.layout-tip .new { color: #b30000; font-size: 11px; }
.layout-tip .none, .layout-tip .unmapped, .layout-tip .not-laid-out { color: #555; max-width: 330px; white-space: normal; }
.layout-tip li { margin: 0; }
.layout-tip ul { margin: 2px 0 0; padding-left: 16px; }
.layout-label span { position: absolute; transform: translate(-50%%, -50%%); white-space: nowrap;
  font-size: 11px; color: #222; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; }
.layout-label.group span { font-size: 12px; font-weight: 700; }
.layout-label.provincial span { transform: translate(-50%%, -115%%); color: %(prov)s; }
.layout-label.characteristic span { transform: translate(-50%%, 15%%); color: %(char)s; font-style: italic; }
.layout-label.context span, .layout-label.no-plan span { color: #555; font-size: 10px; }
.layout-label.no-plan span { font-style: italic; }
.layout-label.clusters-2019 span { color: #fff; font-size: 10px; font-weight: 700; text-shadow: none; }
.layout-far .layout-label span { font-size: 9px; }
.layout-far .layout-label.group span { font-size: 10px; }
.layout-far .layout-label.small span { display: none; }
.leaflet-control-layers-expanded { padding: 4px 8px 4px 5px; line-height: 1.3; }
.leaflet-top { z-index: 1001; }  /* an expanded layer control stays above the legend */
""" % {"font": _FONT, "h": h, "prov": PROVINCIAL_COLOUR, "char": CHARACTERISTIC_COLOUR, "nat": NATIONAL_COLOUR}  # noqa: UP031 - CSS is all braces: %-format keeps them single
    if three:  # three maps of ~530 px side by side (a 1600 px screen)
        out += """
.layout-header > div { padding: 5px 10px 0; line-height: 18px; font-size: 14px; white-space: normal; }
.layout-header .sep { display: none; }
.layout-header .layout-sub { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; font-size: 12px;
  line-height: 15px; max-height: 30px; overflow: hidden; }
.layout-legend { max-width: 215px; font-size: 10.5px; line-height: 1.25; max-height: 48vh; padding: 4px 6px; }
.layout-legend summary { font-size: 12px; }
.leaflet-control-layers-expanded { max-height: 70vh; overflow-y: auto; font-size: 11px; }
.leaflet-tooltip.layout-tooltip { white-space: normal; width: max-content; max-width: 290px; }
.layout-tip td, .layout-tip th { font-size: 11px; }
"""
    return out


# Written for this package: builds the layers of every map from one shared geometry variable.
JS = r"""
var LAYOUT = {maps: {}, geo: null, sea: null};
function layoutSetup(key, map, tips, bounds) {
  map.fitBounds(bounds, {padding: [8, 8], animate: false});
  L.control.scale({imperial: false}).addTo(map);  // kilometres only
  // Leaflet credited by name alone: its default prefix adds a national flag, no symbol for an official planning map
  if (map.attributionControl) map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  var parent = map.getPane('overlayPane');
  map.createPane('layoutFill', parent).style.zIndex = 410;
  map.createPane('layoutLines', parent).style.zIndex = 420;
  map.createPane('layoutPoints', parent).style.zIndex = 430;
  function zoomClass() {  // smaller labels when zoomed out
    L.DomUtil[map.getZoom() < 4.75 ? 'addClass' : 'removeClass'](map.getContainer(), 'layout-far');
  }
  map.on('zoomend', zoomClass);
  map.whenReady(zoomClass);
  LAYOUT.maps[key] = {map: map, tips: tips, layers: {}, base: {}, lines: []};
  map.on('baselayerchange', function (e) { layoutLinesFollow(key, e.layer.layoutKey); });
}
function layoutLinesFollow(key, layerKey) {  // lines of an industry's layer show that industry's, else all
  LAYOUT.maps[key].lines.forEach(function (d) {
    var own = d.by && d.by[layerKey], all = !d.filter || d.filter.indexOf(layerKey) < 0;
    if (all || own) {
      d.line.setStyle({weight: all ? d.weight : own});
      if (!d.group.hasLayer(d.line)) d.group.addLayer(d.line);
    } else if (d.group.hasLayer(d.line)) {
      d.group.removeLayer(d.line);
    }
  });
}
function layoutWords() {  // Leaflet's own button titles in the page's language (LAYOUT.words, JSON data)
  var w = LAYOUT.words || {};
  Object.keys(LAYOUT.maps).forEach(function (k) {
    var map = LAYOUT.maps[k].map, box = map.getContainer();
    [['.leaflet-control-zoom-in', w.zoomIn], ['.leaflet-control-zoom-out', w.zoomOut],
     ['.leaflet-control-layers-toggle', w.layers],
     ['.leaflet-control-attribution a[href*="leafletjs"]', w.leaflet]].forEach(function (s) {
      var el = box.querySelector(s[0]);
      if (el && s[1]) { el.title = s[1]; el.setAttribute('aria-label', s[1]); }
    });
    map.on('popupopen', function (e) {
      var el = e.popup.getElement() && e.popup.getElement().querySelector('.leaflet-popup-close-button');
      if (el && w.closePopup) { el.title = w.closePopup; el.setAttribute('aria-label', w.closePopup); }
    });
  });
}
function layoutBind(layer, html) {
  if (!html) return;
  layer.bindTooltip(html, {sticky: true, className: 'layout-tooltip'});
  layer.bindPopup(html, {maxWidth: 420});
}
function layoutLayer(key, spec) {
  var entry = LAYOUT.maps[key], parts = [];
  spec.parts.forEach(function (p) {
    var opts = {pane: p.pane, className: p.cls, interactive: p.interactive !== false};
    if (p.regions) {
      var codes = new Set(p.regions);
      parts.push(L.geoJSON(LAYOUT.geo, Object.assign({}, opts, {
        filter: function (f) { return codes.has(f.id); },
        style: function (f) {
          var s = Object.assign({}, p.style);
          if (p.fill) s.fillColor = p.fill[f.id];
          return s;
        },
        onEachFeature: function (f, layer) {
          if (p.tips === false) { layoutBind(layer, p.head && p.head[f.id]); return; }
          layoutBind(layer, ((p.head && p.head[f.id]) || '') + (entry.tips[f.id] || ''));
        }
      })));
    }
    if (p.shapes) {
      parts.push(L.geoJSON(p.shapes === 'sea' ? LAYOUT.sea : p.shapes, Object.assign({}, opts, {
        style: function (f) { return Object.assign({}, p.style, (f.properties && f.properties.style) || {}); },
        onEachFeature: function (f, layer) { layoutBind(layer, f.properties && f.properties.tip); }
      })));
    }
    if (p.lines) {  // [lat, lon, lat, lon, weight, {industry: weight}]; with p.filter (industries) they follow
      p.lines.forEach(function (ln) {  // the thematic layer: an industry's layer shows its lines alone
        var line = L.polyline([[ln[0], ln[1]], [ln[2], ln[3]]],
                              Object.assign({}, opts, p.style, {weight: ln[4]}));
        parts.push(line);
        if (p.filter) entry.lines.push({line: line, weight: ln[4], by: ln[5] || {}, filter: p.filter});
      });
    }
    if (p.points) {  // [lat, lon, radius, tooltip html, label]
      p.points.forEach(function (pt) {
        var c = L.circleMarker([pt[0], pt[1]], Object.assign({}, opts, p.style, {radius: pt[2]}));
        layoutBind(c, pt[3]);
        parts.push(c);
        if (pt[4]) parts.push(L.marker([pt[0], pt[1]], {
          icon: L.divIcon({className: 'layout-label ' + (p.labelCls || ''), html: '<span>' + pt[4] + '</span>',
                           iconSize: [0, 0]}),
          interactive: false, keyboard: false}));
      });
    }
    if (p.labels) {
      p.labels.forEach(function (lb) {
        parts.push(L.marker([lb[0], lb[1]], {
          icon: L.divIcon({className: 'layout-label ' + p.cls + (lb[3] ? ' ' + lb[3] : ''),
                           html: '<span>' + lb[2] + '</span>', iconSize: [0, 0]}),
          interactive: false, keyboard: false}));
      });
    }
  });
  var group = L.featureGroup(parts);
  group.layoutKey = spec.key;
  entry.lines.forEach(function (d) { if (!d.group) d.group = group; });
  entry.layers[spec.key] = group;
  entry.base[spec.key] = !!spec.base;
  return group;
}
function layoutLegend(key, html) {
  var entry = LAYOUT.maps[key], map = entry.map, div = null;
  var ctl = L.control({position: 'bottomleft'});
  ctl.onAdd = function () {
    div = L.DomUtil.create('div', 'layout-legend');
    div.innerHTML = html;
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  ctl.addTo(map);
  function show(layerKey) {
    div.querySelectorAll('section[data-layer]').forEach(function (el) {
      el.style.display = el.getAttribute('data-layer') === layerKey ? '' : 'none';
    });
  }
  function overlays() {  // a legend line of an overlay shows while the overlay is on
    div.querySelectorAll('[data-overlay]').forEach(function (el) {
      var layer = entry.layers[el.getAttribute('data-overlay')];
      el.style.display = layer && map.hasLayer(layer) ? '' : 'none';
    });
  }
  var tip = null;
  function dim() {  // the legend is above the tooltips: it fades while a tooltip lies under it
    var hit = false;
    if (tip && tip.getElement()) {
      var a = tip.getElement().getBoundingClientRect(), b = div.getBoundingClientRect();
      hit = a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top;
    }
    L.DomUtil[hit ? 'addClass' : 'removeClass'](div, 'layout-dim');
  }
  map.on('tooltipopen', function (e) { tip = e.tooltip; dim(); });
  map.on('tooltipclose', function (e) { if (tip === e.tooltip) tip = null; dim(); });
  map.on('mousemove', function () { if (tip) dim(); });
  map.on('baselayerchange', function (e) { show(e.layer.layoutKey); });
  map.on('overlayadd overlayremove', overlays);
  Object.keys(entry.layers).forEach(function (k) {
    if (entry.base[k] && map.hasLayer(entry.layers[k])) show(k);
  });
  overlays();  var details = div.querySelector('details');
  if (details && details.open) {  // folded at first when, open, it would hide the middle of a region
    var b = div.getBoundingClientRect();
    var hides = Array.prototype.some.call(map.getPane('layoutFill').querySelectorAll('path'), function (el) {
      var r = el.getBoundingClientRect(), x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
      return r.width > 0 && x > b.left && x < b.right && y > b.top && y < b.bottom;
    });
    if (hides) details.open = false;
  }
}
function layoutLink(keys) {  // every map follows the others: view, thematic layer, overlays
  var busy = false;
  function follow(src, dst) {
    var s = LAYOUT.maps[src], d = LAYOUT.maps[dst];
    s.map.on('move zoom', function () {
      if (busy) return;
      busy = true;
      d.map.setView(s.map.getCenter(), s.map.getZoom(), {animate: false});
      busy = false;
    });
    s.map.on('baselayerchange overlayadd overlayremove', function (e) {
      var k = e.layer && e.layer.layoutKey, target = k && d.layers[k];
      if (busy || !target) return;  // a layer the other map does not have (e.g. a period) leaves it as it is
      busy = true;
      if (e.type === 'baselayerchange' && !d.map.hasLayer(target)) {
        Object.keys(d.layers).forEach(function (o) {
          if (d.base[o] && o !== k && d.map.hasLayer(d.layers[o])) d.map.removeLayer(d.layers[o]);
        });
        d.map.addLayer(target);
      } else if (e.type === 'overlayadd' && !d.map.hasLayer(target)) {
        d.map.addLayer(target);
      } else if (e.type === 'overlayremove' && d.map.hasLayer(target)) {
        d.map.removeLayer(target);
      }
      busy = false;
    });
  }
  keys.forEach(function (a) {
    keys.forEach(function (b) { if (a !== b) follow(a, b); });
  });
}
"""


class Verbatim(Element):
    """Text placed in a part of the page (header, body, script) as it is: never parsed as a template, so data
    holding '{{', '{%' or '{#' stays data, and a county map's megabytes of GeoJSON are not run through Jinja's
    lexer."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


def place(element: MacroElement, kwargs: dict, name: str | None = None) -> None:
    """Render ``element`` as branca's ``MacroElement.render`` does, but put the output of its header, html and
    script macros into the page verbatim; then render its children.

    Branca wraps each macro's output in ``Element(output)``: a new template, rendered again when the page is
    rendered, so text from a data file inside it (a layer's name in folium's layer control, a name in a
    legend) would run as Jinja, with Python reachable through the template's globals. Children that are plain
    macro elements (folium's ``ElementAddToElement`` of a shown layer) are placed the same way; others render
    themselves, and :class:`Page` refuses the page if one of them wrapped its output as a template. A child's
    output goes under the parent's key for it (``name``), so a child made anew at each render (the shown layer's
    ``ElementAddToElement``) replaces its output when the page is rendered again instead of adding it twice.
    """
    figure = element.get_root()
    if not isinstance(figure, Figure):
        raise RuntimeError(f"{element.get_name()} is not in a page")
    macros = element._template.module.__dict__
    for part in ("header", "html", "script"):
        if part in macros:
            getattr(figure, part).add_child(
                Verbatim(str(macros[part](element, kwargs))), name=name or element.get_name()
            )
    for key, child in element._children.items():
        if isinstance(child, MacroElement) and type(child).render is MacroElement.render:
            place(child, kwargs, key)
        else:
            child.render(**kwargs)


class VerbatimMacro(MacroElement):
    """A macro element whose output goes into the page as it is (:func:`place`). Put it after a folium class
    in the bases (``class PageMap(folium.Map, VerbatimMacro)``) and that class's own render steps run, then
    :func:`place` instead of branca's re-rendering."""

    # branca's Element.render is typed to return str; MacroElement.render, which this replaces, returns None
    def render(self, **kwargs) -> None:  # type: ignore[override]
        place(self, kwargs)


class PageMap(folium.Map, VerbatimMacro):
    """folium's Map, placed verbatim."""


class PageTiles(folium.TileLayer, VerbatimMacro):
    """folium's TileLayer, placed verbatim."""


@dataclass(frozen=True)
class Basemap:
    """An online base map under the layout: a name Folium knows ("OpenStreetMap") or a URL template with {z}/{x}/{y}
    (Tianditu, an institute's own tile server), and the attribution its terms require (a URL template needs one).
    Both are data: Folium writes them into the page as JSON strings."""

    tiles: str
    attribution: str | None = None


Tiles = str | Basemap | None  # what the map functions take: a name or template alone, or with its attribution


class PageLayerControl(LayerControl, VerbatimMacro):
    """folium's layer control, placed verbatim: the layer names (HTML from the data) stay text."""


def _reparsed(root: Element) -> list[str]:
    """The elements under ``root`` with a template of their own, made from text when the page was built: the
    way branca renders output again (``Element(output)``). Our elements and folium's have class templates."""
    found, todo = [], [root]
    while todo:
        element = todo.pop()
        if "_template" in vars(element):
            found.append(f"{type(element).__name__} {element.get_name()}")
        todo += element._children.values()
        todo += [v for k, v in vars(element).items() if k in ("header", "html", "script") and isinstance(v, Element)]
    return found


class Page(Figure):
    """A map page. Its children are placed verbatim; before and after they render, :meth:`render` checks that no
    element of the page has a template made from text (RuntimeError if one has: a folium or branca element used
    without its verbatim subclass), so nothing is rendered again as a template."""

    def __init__(self, title: str):
        super().__init__(title=esc(title))
        self.language = current()  # the language its text is built in, declared whenever and wherever it is shown
        self.header.add_child(
            Verbatim('<meta http-equiv="content-type" content="text/html; charset=UTF-8" />'), name="meta_http"
        )

    def render(self, **kwargs) -> str:
        self._refuse_templates_from_text()  # made from text before rendering (e.g. branca's IFrame(html))
        for child in self._children.values():
            child.render(**kwargs)
        self._refuse_templates_from_text()  # made while rendering: output wrapped to be rendered again
        return self._template.render(this=self, kwargs=kwargs)

    def offline_html(self) -> str:
        """The page as a self-contained HTML document: rendered, Leaflet inlined (:mod:`layout.views.maps.offline`),
        its language declared on <html> (zh-CN or en: the browser picks fonts and a reader's voice by it)."""
        lang = "zh-CN" if self.language == "zh" else "en"
        return offline.inline_assets(self.render().replace("<html>", f'<html lang="{lang}">', 1))

    def _repr_html_(self, **kwargs) -> str:
        """What Jupyter shows: the self-contained page (:meth:`offline_html`) in an iframe as wide as the cell and
        ``ratio`` of that high (branca's own view would link Leaflet from the network)."""
        return (
            f'<div style="width:{self.width};"><div style="position:relative;width:100%;height:0;padding-bottom:{self.ratio};">'
            f'<iframe srcdoc="{esc(self.offline_html())}" style="position:absolute;width:100%;height:100%;left:0;top:0;'
            'border:none;" allowfullscreen></iframe></div></div>'
        )

    def _refuse_templates_from_text(self) -> None:
        found = _reparsed(self)
        if found:
            raise RuntimeError("page elements would render text as a template: " + "; ".join(found))


class Script(VerbatimMacro):
    """A few lines of JavaScript that run in the page's script after the parent's own code."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str):
        super().__init__()
        self._name = "LayoutScript"
        self.code = code


RELOAD_JS = "reload.js"  # beside a live map page (`layout watch`): sets window.layoutStamp to the latest run's stamp
_STAMP = re.compile(r"[0-9a-f]{1,64}")


def _stamp(stamp: str) -> str:
    """A run's stamp as the page and reload.js carry it: lowercase hex digits, data only (ValueError otherwise)."""
    if not isinstance(stamp, str) or not _STAMP.fullmatch(stamp):
        raise ValueError(f"a live map's stamp is 1 to 64 lowercase hex digits, not {stamp!r:.80}")
    return stamp


def stamp_script(stamp: str) -> bytes:
    """The content of DIR/reload.js for the run stamped `stamp`: one assignment, nothing else."""
    return f'window.layoutStamp = "{_stamp(stamp)}";\n'.encode("ascii")


def live_reload(page: Page, stamp: str, every: float = 2.0) -> None:
    """Make ``page`` reload itself when the run it shows is replaced (`layout watch`): every ``every`` seconds it adds
    ``<script src="reload.js?t=…">`` (a script element, which a page opened from file:// may load, unlike fetch) and
    reloads when the stamp that file sets differs from ``stamp``, the one it was drawn with. A missing reload.js (the
    folder being replaced) is tried again at the next poll."""
    code = (
        "(function () {\n"
        f"  var drawn = {js(_stamp(stamp))}, every = {round(every * 1000)};\n"
        "  function poll() {\n"
        '    var s = document.createElement("script");\n'
        f'    s.src = {js(RELOAD_JS)} + "?t=" + Date.now();\n'
        "    s.onload = s.onerror = function () {\n"
        "      s.remove();\n"
        '      if (typeof window.layoutStamp === "string" && window.layoutStamp !== drawn) { location.reload(); }\n'
        "      else { setTimeout(poll, every); }\n"
        "    };\n"
        "    document.head.appendChild(s);\n"
        "  }\n"
        "  setTimeout(poll, every);\n"
        "})();\n"
    )
    page.script.add_child(Verbatim(code), name="layout_live")


class MapSetup(VerbatimMacro):
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "layoutSetup({{ this.key_json }}, {{ this._parent.get_name() }}, {{ this.tips_json }},"
        " {{ this.bounds_json }});"
        "{% endmacro %}"
    )

    def __init__(self, key: str, tips: dict[str, str], bounds):
        super().__init__()
        self._name = "LayoutSetup"
        self.key_json = js(key)
        self.tips_json = js(tips)
        minx, miny, maxx, maxy = (round(float(v), 4) for v in bounds)
        self.bounds_json = js([[miny, minx], [maxy, maxx]])


class LayoutLayer(Layer, VerbatimMacro):
    """A layer built in the page by ``layoutLayer`` from the shared geometry (see ``JS``), from its spec
    (tooltips and styles of every part, megabytes at county level) given as JSON."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = layoutLayer({{ this.map_json }}, {{ this.spec_json }});"
        "{% endmacro %}"
    )

    def __init__(
        self,
        map_key: str,
        key: str,
        name_html: str,
        parts: list[dict],
        *,
        base: bool,
        show: bool = True,
        control: bool = True,
    ):
        super().__init__(name=name_html, overlay=not base, control=control, show=show)
        self._name = "LayoutLayer"
        self.map_json = js(map_key)
        self.spec_json = js({"key": key, "base": base, "parts": parts})


def tooltip(
    res: Results, rows: list, code: str, *, caption: str = "", new: set[str] | None = None, extra: str = ""
) -> str:
    """A region's tooltip: name, then a table of its clusters (``rows``). ``caption`` follows the name
    (e.g. the period); industries in ``new`` are marked "new"; ``extra`` (HTML) ends it (e.g. its duplications)."""
    unit = res.units[code]
    head = f'<div class="layout-tip"><b>{esc(unit.name)}</b> <span class="code">{tr("({name})", name=esc(code))}</span>'
    if caption:
        head += f' <span class="caption">· {esc(caption)}</span>'
    rows = sorted(rows, key=lambda r: (TIERS.index(r.tier) if r.tier in TIERS else len(TIERS), -r.capacity, r.industry))
    if not rows:
        return head + f'<div class="none">{tr("no cluster designated")}</div>{extra}</div>'
    body = [
        f"<table><tr><th>{tr('Industry')}</th><th>{tr('Tier')}</th><th>{tr('Kind')}</th>"
        f"<th>{tr('Capacity ({unit})', unit=shown(UNIT_NAMES, res.unit))}</th></tr>"
    ]
    for r in rows:
        ind = res.industries.get(r.industry)
        name = ind.name if ind else r.industry
        group = f' <span class="group">{tr("({name})", name=esc(r.group_name or r.group))}</span>' if r.group else ""
        mark = f' <span class="new">{tr("new")}</span>' if new and r.industry in new else ""
        body.append(
            f'<tr data-industry="{esc(r.industry)}"><td class="industry">{named_code(name, r.industry)}{mark}</td>'
            f'<td class="tier" data-tier="{esc(r.tier)}">{shown(TIER_NAMES, r.tier)}{group}</td>'
            f'<td class="kind">{shown(KIND_NAMES, r.kind)}</td><td class="cap">{fmt_capacity(r.capacity)}</td></tr>'
        )
    body.append("</table>")
    return head + "".join(body) + extra + "</div>"


# --------------------------------------------------------------------------------------------
# One map of the page
# --------------------------------------------------------------------------------------------


@dataclass
class Frame:
    """What every map of a page shares: the results, the layers chosen, the scales and the frame."""

    res: Results
    bases: list[str]  # thematic layer keys: "portfolio" and industry codes
    overlays: list[str]  # overlay keys drawn (and "periods" when the period layers are drawn)
    vmax: dict[str, float]  # largest capacity of each industry over all layouts: one colour scale
    bounds: tuple  # (minx, miny, maxx, maxy) of the drawn units
    tiles: Tiles
    has_sea: bool
    panels: int  # maps side by side
    clusters: list[NationalCluster]  # national SEI clusters (2019) in modelled units; [] if none or not drawn
    clusters_listed: int = 0  # rows of the list of national SEI clusters (2019), wherever they are

    @property
    def width(self) -> str:
        return f"{100 / self.panels:.4f}%"

    @property
    def region_style(self) -> dict:
        return {"color": "#555", "weight": 0.7, "fillOpacity": 0.55 if self.tiles else 0.85}


def new_map(frame: Frame, key: str, index: int, tips: dict[str, str]) -> folium.Map:
    """The ``index``-th map from the left, Leaflet only, set up for ``layoutLayer`` (see ``JS``)."""
    minx, miny, maxx, maxy = frame.bounds
    m = PageMap(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=4,
        tiles=None,
        control_scale=False,  # layoutSetup adds a metric one
        width=frame.width,
        height="100%",
        left=f"{100 * index / frame.panels:.4f}%",
        top="0%",
        position="absolute",
        zoom_snap=0.25,
        zoom_delta=0.5,
        font_size="12px",
    )
    offline.leaflet_only(m)
    if frame.tiles:
        base = frame.tiles if isinstance(frame.tiles, Basemap) else Basemap(frame.tiles)
        try:
            PageTiles(base.tiles, attr=base.attribution, control=False).add_to(m)
        except (ValueError, KeyError) as exc:
            raise ValueError(
                f"unknown tile layer {base.tiles!r} ({exc}): give a name Folium knows, e.g. "
                "'OpenStreetMap' or 'CartoDB positron', or a URL template with {z}/{x}/{y} and its attribution "
                "(--attribution)"
            ) from None
    MapSetup(key, tips, frame.bounds).add_to(m)
    return m


def add_context(frame: Frame, key: str, m: folium.Map) -> None:
    """Always drawn, not in the layer control: units not modelled (grey) and the South China Sea dashed line."""
    res = frame.res
    nm = [res.units[c] for c in res.not_modelled]
    context = []
    if nm:
        context.append(
            {
                "regions": [u.code for u in nm],
                "pane": "layoutFill",
                "cls": "layout-context",
                "style": {"color": "#888", "weight": 0.7, "fillColor": NOT_MODELLED_FILL, "fillOpacity": 0.9},
                "tips": False,
                "head": {
                    u.code: '<div class="layout-tip">'
                    + tr(
                        "{name} ({code}): not modelled (drawn only; the model covers the modelled regions)",
                        name=f"<b>{esc(u.name)}</b>",
                        code=esc(u.code),
                    )
                    + "</div>"
                    for u in nm
                },
            }
        )
        context.append(
            {
                "labels": [
                    [lat, lon, tr("{names}: not modelled", names=esc(joined(u.name for u in c)))]
                    for lon, lat, c in label_points(nm)
                ],
                "cls": "context",
            }
        )
    if frame.has_sea:
        context.append(
            {
                "shapes": "sea",
                "pane": "layoutLines",
                "cls": "layout-sea",
                "interactive": False,
                "style": {"color": SEA_COLOUR, "weight": 1.6, "dashArray": "7 5", "fill": False},
            }
        )
    if context:
        LayoutLayer(key, "context", "Context", context, base=False, control=False).add_to(m)


def legend_row(swatch_style: str, text_html: str, kind: str = "sw", overlay: str | None = None) -> str:
    """One legend line: a swatch (``sw``), a line (``ln``) or a dot, then text (already escaped).
    With ``overlay`` (a layer key) the line shows only while that overlay is on."""
    tie = f' data-overlay="{esc(overlay)}"' if overlay else ""
    return f'<div class="row"{tie}><span class="{kind}" style="{swatch_style}"></span>{text_html}</div>'


def fill_part(frame: Frame, regions: list[str], key: str, fill: dict[str, str], head: dict[str, str]) -> dict:
    """The part of a thematic layer (`key`) that fills `regions` (fill: code -> colour), with `head` (code -> HTML)
    at the top of their tooltips."""
    part = {"regions": regions, "pane": "layoutFill", "cls": css_class(key), "style": frame.region_style, "fill": fill}
    if head:
        part["head"] = head
    return part


def lead_rows(res: Results, leads: Collection[str | None]) -> list[str]:
    """Legend rows of a portfolio fill: the colour of each industry in `leads`, then the fill of regions with no
    cluster when one has none (None in `leads`)."""
    rows = [
        legend_row(f"background:{ind.colour}", named_code(ind.name, ind.code))
        for ind in res.industries.values()
        if ind.code in leads
    ]
    if None in leads:
        rows.append(legend_row(f"background:{NONE_FILL}", tr("no cluster designated")))
    return rows


def clusters_statement(frame: Frame) -> str:
    """What the 2019 overlay shows, in plain words (not escaped)."""
    return tr(
        "{listed} of {total} national clusters (2019) listed; the full list was not found",
        listed=frame.clusters_listed,
        total=CLUSTERS_2019_TOTAL,
    )


def closing_rows(frame: Frame, drawn: Collection[str] = ()) -> list[str]:
    """The rows every legend ends with: the national SEI clusters (2019) when that overlay is `drawn`, the regions
    not modelled, and the South China Sea dashed line when it is drawn."""
    rows = []
    if "clusters-2019" in drawn:
        rows.append(
            legend_row(
                "",
                tr(
                    "national SEI clusters (2019) by province (number in the circle): {statement}",
                    statement=esc(clusters_statement(frame)),
                ),
                "dot",
                "clusters-2019",
            )
        )
    not_modelled = [frame.res.units[c].name for c in frame.res.not_modelled]
    if not_modelled:
        rows.append(
            legend_row(f"background:{NOT_MODELLED_FILL}", tr("{names}: not modelled", names=esc(joined(not_modelled))))
        )
    if frame.has_sea:
        rows.append(legend_row(f"border-top:2px dashed {SEA_COLOUR}", tr("South China Sea dashed line"), "ln"))
    return rows


def finish_map(m: folium.Map, key: str, legend_html: str) -> folium.Map:
    """Add the legend and the layer control, last (the control lists the layers added before it). The control is
    collapsed to its icon (it opens on hover or a tap): open, it would hide the north-east of the map."""
    Script(f"layoutLegend({js(key)}, {js(legend_html)});").add_to(m)
    PageLayerControl(collapsed=True, position="topright").add_to(m)
    return m


def render_page(title: str, columns: list[tuple[str, str, str]], maps: list[folium.Map], units: dict, sea) -> str:
    """The HTML of :func:`build_page`'s page: self-contained, offline (:meth:`Page.offline_html`)."""
    return build_page(title, columns, maps, units, sea).offline_html()


def _attribute(fragment: str) -> str:
    """An escaped HTML fragment's text as an attribute value: its tags dropped, its entities kept (still escaped)."""
    return re.sub(r"<[^>]*>", "", fragment).replace('"', "&quot;")


def build_page(title: str, columns: list[tuple[str, str, str]], maps: list[folium.Map], units: dict, sea) -> Page:
    """The one place a map page is built: the maps side by side, one :class:`Page` (a folium Figure).

    ``title`` is plain text (escaped here); ``columns`` has one (role, title HTML, subtitle HTML) per map, in
    the order of ``maps``, with any text from the data already escaped; ``units`` (code -> unit) give the
    geometry all layers share; ``sea`` is the South China Sea dashed line or None. Every part goes into the
    page verbatim (:class:`Page`): no text from an input is ever read as a template.
    """
    fig = Page(title)
    fig.header.add_child(Verbatim(f"<style>{css(len(maps))}</style>"), name="layout_css")
    heads = "".join(  # the whole subtitle as the header's tooltip: a narrow panel cuts it (with an ellipsis)
        f'<div data-map="{esc(role)}" title="{_attribute(sub)}">{head} <span class="layout-sub"><span class="sep">· '
        f"</span>{sub}</span></div>"
        for role, head, sub in columns
    )
    fig.html.add_child(Verbatim(f'{HATCH_DEFS}<div class="layout-header">{heads}</div>'), name="layout_header")
    sea_js = (
        None
        if sea is None
        else {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": geojson_geometry(sea)}],
        }
    )
    fig.script.add_child(
        Verbatim(
            JS + f"LAYOUT.geo = {js(unit_collection(units))};\nLAYOUT.sea = {js(sea_js)};\n"
            f"LAYOUT.words = {js(page_words())};\n"
        ),
        name="layout_lib",
    )
    for m in maps:
        fig.add_child(m)
    roles = js([role for role, _, _ in columns])  # after every map: keep them in step; expose them (tests, console)
    fig.add_child(
        Script(
            f"layoutLink({roles});\nlayoutWords();\nwindow.layoutMaps = Object.fromEntries("
            f"{roles}.map(function (k) {{ return [k, LAYOUT.maps[k].map]; }}));"
        )
    )
    return fig
