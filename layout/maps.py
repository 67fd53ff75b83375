"""Maps of a results folder: a self-contained HTML page (Folium/Leaflet) and a static PNG.

Both are pure functions of the files ``layout solve`` writes into a results folder DIR
(``assignment.csv``, ``baseline.csv``, ``layout.geojson``, ``metrics.json``); this module never
imports the model or the solver.

The HTML page (:func:`write_map`) shows the baseline ("uncoordinated local plans", left) and the
optimised layout (right) as two synchronised Leaflet maps: panning, zooming and the choice of layers
follow each other. Each map has

* thematic layers (radio buttons, one shown at a time): the *portfolio* (each region coloured by its
  lead industry, the one with the largest capacity; tooltip and popup list every designated industry
  with tier, kind and capacity) and one choropleth per industry (capacity by region, on the same
  colour scale in both maps);
* overlays (check boxes): inter-provincial clusters (outlines dissolved from the member regions'
  geometries, labelled with the group name), provincial and characteristic clusters (outlined regions
  labelled with the industry codes), and the uncoordinated neighbour duplications that remain (lines
  between the two regions' representative points);
* always: units that are drawn but not modelled (Hong Kong, Macao, Taiwan) in grey, labelled
  "not modelled"; the South China Sea dashed line (``geodata/south_china_sea.geojson``); a legend
  (plain HTML/CSS) that follows the thematic layer; a scale bar; the layer control.

The geometry is embedded once per page (one JavaScript variable shared by every layer of both maps).
Leaflet is inlined from the installed ``django-js-lib-leaflet`` package (:mod:`layout.offline`), and
there is no tile layer unless asked for, so the page opens with no network. Coordinates are drawn
as stored (GCJ-02 lon/lat for the shipped boundaries); with no tiles the 44-665 m GCJ-02 offset
is invisible.

Every text that comes from the data (region, industry, group and scenario names) is HTML-escaped.
"""

from __future__ import annotations

import html as _html
import json
import math
import os
import re
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import folium
import pandas as pd
import shapely
from branca.colormap import linear
from branca.element import Element, Figure, MacroElement
from folium.map import Layer, LayerControl
from folium.template import Template
from shapely.geometry import mapping, shape

from layout import offline
from layout.paths import current_umask, geodata_file

__all__ = ["LAYER_KEYS", "TIERS", "available_layers", "render_map", "write_map", "write_png"]

TIERS = ("inter-provincial", "provincial", "characteristic")
# Layer keys besides the industry codes (which are layer keys too, one choropleth each).
OVERLAY_KEYS = ("inter-provincial", "provincial", "characteristic", "duplications")
LAYER_KEYS = ("portfolio", *OVERLAY_KEYS)
REQUIRED_FILES = ("assignment.csv", "baseline.csv", "layout.geojson", "metrics.json")
ASSIGNMENT_COLUMNS = (
    "region_code", "region_name", "industry", "industry_name", "capacity", "tier", "kind",
    "group", "group_name",
)
SEA_FILE = "south_china_sea.geojson"

# Categorical colours of industries (Tableau 10, then more): the same in the HTML map and the PNG.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#17becf", "#8c564b", "#bcbd22", "#1f77b4", "#d62728", "#2ca02c", "#9467bd",
)
GROUP_COLOURS = ("#3f007d", "#00441b", "#7f2704", "#08306b", "#67000d", "#252525", "#54278f")
NONE_FILL = "#ffffff"
NOT_MODELLED_FILL = "#bdbdbd"
PROVINCIAL_COLOUR = "#08306b"
CHARACTERISTIC_COLOUR = "#a63603"
DUPLICATION_COLOUR = "#d7191c"
SEA_COLOUR = "#3b3b3b"
_RAMP = linear.YlGnBu_09.scale(0.0, 1.0)
_RAMP_START = 0.15  # a capacity > 0 starts here on the ramp, so it never looks like "none"
_DIGITS = 5  # decimals kept in coordinates (about 1 m)

ROLES = {
    "baseline": "Baseline: uncoordinated local plans",
    "optimised": "Optimised layout",
}


# --------------------------------------------------------------------------------------------
# Reading the results folder
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Industry:
    code: str
    name: str
    kind: str
    colour: str


@dataclass(frozen=True)
class _Unit:
    code: str
    name: str
    modelled: bool
    geom: object  # shapely geometry, lon/lat
    point: tuple[float, float]  # representative point (lon, lat) inside the largest part


@dataclass(frozen=True)
class _Row:
    region: str
    industry: str
    capacity: float
    tier: str
    kind: str
    group: str
    group_name: str


@dataclass
class _Plan:
    """One layout (optimised or baseline): its rows by region, and its duplications."""

    role: str
    rows: dict[str, list[_Row]]
    duplications: list[dict]
    capacity: dict[tuple[str, str], float] = field(default_factory=dict)

    def lead(self, region: str, order: dict[str, int]) -> str | None:
        rows = self.rows.get(region, [])
        if not rows:
            return None
        best = max(rows, key=lambda r: (r.capacity, -TIERS.index(r.tier), -order.get(r.industry, 0)))
        return best.industry


@dataclass
class _Results:
    folder: Path
    scenario: str
    industries: dict[str, _Industry]
    units: dict[str, _Unit]
    plans: dict[str, _Plan]
    groups: dict[str, dict]  # id -> {"name", "members"}

    @property
    def modelled(self) -> list[str]:
        return [c for c, u in self.units.items() if u.modelled]

    @property
    def not_modelled(self) -> list[str]:
        return [c for c, u in self.units.items() if not u.modelled]


def _require(folder: Path, names) -> None:
    if not folder.is_dir():
        raise ValueError(f"results folder {folder} does not exist (write one with `layout solve --out DIR`)")
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise ValueError(
            f"results folder {folder} lacks {', '.join(missing)}: a map needs "
            f"{', '.join(names)} as written by `layout solve`"
        )


def _read_table(path: Path) -> tuple[list[_Row], dict[str, str], dict[str, tuple[str, str]]]:
    """Rows of an assignment/baseline table, region names, and industry (name, kind) by code."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"{path}: not a readable UTF-8 CSV table ({exc})") from None
    missing = [c for c in ASSIGNMENT_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; found {', '.join(df.columns)}")
    rows = []
    regions: dict[str, str] = {}
    industries: dict[str, tuple[str, str]] = {}
    for i, rec in enumerate(df.to_dict("records"), start=2):
        try:
            capacity = float(rec["capacity"])
        except ValueError:
            raise ValueError(f"{path}, line {i}: capacity {rec['capacity']!r} is not a number") from None
        if not math.isfinite(capacity):
            raise ValueError(f"{path}, line {i}: capacity {rec['capacity']!r} is not finite")
        if rec["tier"] not in TIERS:
            raise ValueError(f"{path}, line {i}: tier {rec['tier']!r} is not one of {', '.join(TIERS)}")
        rows.append(_Row(
            region=rec["region_code"].strip(), industry=rec["industry"].strip(), capacity=capacity,
            tier=rec["tier"], kind=rec["kind"], group=rec["group"].strip(), group_name=rec["group_name"],
        ))
        regions.setdefault(rows[-1].region, rec["region_name"])
        industries.setdefault(rows[-1].industry, (rec["industry_name"], rec["kind"]))
    return rows, regions, industries


def _largest_part_point(geom) -> tuple[float, float]:
    parts = list(getattr(geom, "geoms", [geom]))
    biggest = max(parts, key=lambda g: g.area)
    p = biggest.point_on_surface()
    return (p.x, p.y)


def _read_units(path: Path) -> dict[str, _Unit]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        features = data["features"]
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection ({exc})") from None
    units: dict[str, _Unit] = {}
    for n, feature in enumerate(features):
        props = feature.get("properties") or {}
        code = str(props.get("region_code", "")).strip()
        if not code:
            raise ValueError(f"{path}: feature {n} has no region_code property")
        if feature.get("geometry") is None:
            raise ValueError(f"{path}: feature {n} ({code}) has no geometry")
        geom = shape(feature["geometry"])
        if geom.is_empty:
            raise ValueError(f"{path}: feature {n} ({code}) has an empty geometry")
        modelled = props.get("modelled", True)
        if isinstance(modelled, str):
            modelled = modelled.strip().lower() in ("true", "1", "yes")
        units[code] = _Unit(code, str(props.get("region_name") or code), bool(modelled), geom,
                            _largest_part_point(geom))
    if not units:
        raise ValueError(f"{path}: no features")
    return units


def _load(result_dir: Path, *, baseline: bool = True) -> _Results:
    folder = Path(result_dir)
    needed = REQUIRED_FILES if baseline else tuple(n for n in REQUIRED_FILES if n != "baseline.csv")
    _require(folder, needed)
    try:
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{folder / 'metrics.json'}: not valid JSON ({exc})") from None
    if not isinstance(metrics, dict):
        raise ValueError(f"{folder / 'metrics.json'}: expected a JSON object")
    dups = metrics.get("duplications")
    if not isinstance(dups, dict) or not isinstance(dups.get("optimised"), list) or (
            baseline and not isinstance(dups.get("baseline"), list)):
        raise ValueError(f"{folder / 'metrics.json'}: needs \"duplications\": "
                         "{\"optimised\": [...], \"baseline\": [...]}")

    units = _read_units(folder / "layout.geojson")
    tables = {"optimised": folder / "assignment.csv"}
    if baseline:
        tables["baseline"] = folder / "baseline.csv"

    industries: dict[str, _Industry] = {}
    for item in metrics.get("industries") or []:
        code = str(item.get("code", "")).strip()
        if code and code not in industries:
            industries[code] = _Industry(code, str(item.get("name") or code), str(item.get("kind") or ""),
                                         PALETTE[len(industries) % len(PALETTE)])
    plans: dict[str, _Plan] = {}
    for role, path in tables.items():
        rows, region_names, industry_names = _read_table(path)
        for code, (name, kind) in industry_names.items():
            if code not in industries:
                industries[code] = _Industry(code, name or code, kind, PALETTE[len(industries) % len(PALETTE)])
        unknown = sorted({r.region for r in rows} - set(units))
        if unknown:
            raise ValueError(f"{path}: region code(s) {', '.join(unknown)} are not in layout.geojson")
        not_modelled = sorted({r.region for r in rows if not units[r.region].modelled})
        if not_modelled:
            raise ValueError(f"{path}: region(s) {', '.join(not_modelled)} are marked not modelled in layout.geojson")
        by_region: dict[str, list[_Row]] = {}
        for r in rows:
            by_region.setdefault(r.region, []).append(r)
        plan = _Plan(role, by_region, [d for d in dups.get(role, []) if isinstance(d, dict)])
        for r in rows:
            plan.capacity[r.region, r.industry] = plan.capacity.get((r.region, r.industry), 0.0) + r.capacity
        plans[role] = plan
        # Unit names from the table win over the geometry file only when the latter has none.
        for code, name in region_names.items():
            u = units[code]
            if u.name == code and name:
                units[code] = _Unit(u.code, name, u.modelled, u.geom, u.point)

    groups: dict[str, dict] = {}
    for g in metrics.get("groups") or []:
        gid = str(g.get("id", "")).strip()
        if gid:
            groups[gid] = {"name": str(g.get("name") or gid),
                           "members": [str(m).strip() for m in g.get("members") or []]}
    for r in plans["optimised"].rows.values():
        for row in r:
            if row.tier == "inter-provincial" and row.group:
                g = groups.setdefault(row.group, {"name": row.group_name or row.group, "members": []})
                if row.region not in g["members"]:
                    g["members"].append(row.region)

    scenario = str((metrics.get("scenario") or {}).get("name") or folder.name)
    return _Results(folder, scenario, industries, units, plans, groups)


def _read_sea():
    """The South China Sea dashed line (a shapely geometry), or None if the file is not there."""
    path = geodata_file(SEA_FILE)
    if not path.is_file():
        warnings.warn(f"{path} is missing: the map is drawn without the South China Sea dashed line",
                      stacklevel=3)
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("type") == "FeatureCollection":
        geoms = [shape(f["geometry"]) for f in data["features"] if f.get("geometry")]
    elif data.get("type") == "Feature":
        geoms = [shape(data["geometry"])]
    else:
        geoms = [shape(data)]
    return shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]


def available_layers(result_dir: Path) -> list[str]:
    """The layer keys :func:`write_map` accepts for this folder: portfolio, industry codes, tiers, duplications."""
    res = _load(Path(result_dir))
    return ["portfolio", *res.industries, *OVERLAY_KEYS]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def esc(text) -> str:
    """HTML-escape a text from a data or constraint file."""
    return _html.escape(str(text), quote=True)


def _js(obj) -> str:
    """JSON for a <script> element: nothing in it can close the element or start markup."""
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _round(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), _DIGITS) for v in obj[:2]]
        return [_round(v) for v in obj]
    return obj


def _geojson_geometry(geom) -> dict:
    g = mapping(geom)
    return {"type": g["type"], "coordinates": _round(g["coordinates"])} if "coordinates" in g else {
        "type": g["type"], "geometries": [_geojson_geometry(shape(x)) for x in g["geometries"]]}


def _css_class(key: str) -> str:
    """CSS class of a layer's paths: ``layout-<key>`` with anything unsafe in a class name replaced."""
    return "layout-" + re.sub(r"[^A-Za-z0-9_-]", "_", key)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def fmt_capacity(value: float) -> str:
    """How capacities are written in tooltips, popups and legends."""
    return f"{value:.1f}"


def _ramp_colour(value: float, vmax: float) -> str:
    if value <= 0 or vmax <= 0:
        return NONE_FILL
    return _RAMP.rgb_hex_str(_RAMP_START + (1 - _RAMP_START) * min(value / vmax, 1.0))


def _dissolve(geoms):
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    try:
        if shapely.coverage_is_valid(geoms):
            return shapely.coverage_union_all(geoms)
    except Exception:  # noqa: BLE001 - fall back to a plain union below
        pass
    return shapely.union_all(geoms)


def _duplication_pairs(res: _Results, plan: _Plan) -> list[tuple[str, str, list[tuple[str, float]]]]:
    """Duplications merged by pair of regions (one line each): (a, b, [(industry, weight), ...])."""
    pairs: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for d in plan.duplications:
        a, b = str(d.get("a", "")).strip(), str(d.get("b", "")).strip()
        if a not in res.units or b not in res.units or a == b:
            continue
        try:
            w = float(d.get("weight", 1.0))
        except (TypeError, ValueError):
            w = 1.0
        pairs.setdefault(tuple(sorted((a, b))), []).append((str(d.get("industry", "")), w))
    return [(a, b, items) for (a, b), items in pairs.items()]


def _group_outlines(res: _Results, plan: _Plan) -> list[dict]:
    """Inter-provincial clusters active in ``plan``: dissolved outline, name, members, industries."""
    active: dict[str, dict] = {}
    for rows in plan.rows.values():
        for r in rows:
            if r.tier == "inter-provincial" and r.group:
                active.setdefault(r.group, {"industries": [], "regions": set()})
                if r.industry not in active[r.group]["industries"]:
                    active[r.group]["industries"].append(r.industry)
                active[r.group]["regions"].add(r.region)
    out = []
    for n, (gid, info) in enumerate(sorted(active.items())):
        group = res.groups.get(gid, {"name": gid, "members": []})
        members = [m for m in group["members"] if m in res.units] or sorted(info["regions"])
        for m in sorted(info["regions"]):
            if m not in members:
                members.append(m)
        geom = _dissolve([res.units[m].geom for m in members])
        if geom is None:
            continue
        out.append({"id": gid, "name": group["name"], "members": members, "geom": geom,
                    "industries": info["industries"], "colour": GROUP_COLOURS[n % len(GROUP_COLOURS)],
                    "point": _largest_part_point(geom)})
    return out


# --------------------------------------------------------------------------------------------
# The HTML map
# --------------------------------------------------------------------------------------------

_FONT = 'system-ui, "Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
_HEADER_PX = 42

_CSS = """
html, body { font-family: %(font)s; }
.layout-header { position: absolute; top: 0; left: 0; right: 0; height: %(h)spx; display: flex;
  background: #fff; border-bottom: 1px solid #bbb; z-index: 1001; }
.layout-header > div { flex: 1; padding: 0 12px; line-height: %(h)spx; font-size: 15px; font-weight: 600;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.layout-header .layout-sub { font-weight: 400; color: #555; font-size: 13px; }
.folium-map { top: %(h)spx !important; height: calc(100%% - %(h)spx) !important; }
.folium-map + .folium-map { border-left: 2px solid #888; box-sizing: border-box; }
div.folium-map.leaflet-container { background: #f3f6f9; font-family: %(font)s; }
.layout-legend { background: rgba(255,255,255,.93); padding: 5px 8px; border-radius: 5px;
  box-shadow: 0 1px 4px rgba(0,0,0,.35); font-size: 11px; line-height: 1.3; max-width: 250px;
  max-height: 55vh; overflow-y: auto; }
.layout-legend summary { margin: 0 0 3px; font-size: 13px; font-weight: 700; cursor: pointer; }
.layout-legend .row { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.layout-legend .sw { flex: none; width: 16px; height: 11px; border: 1px solid #777; }
.layout-legend .ln { flex: none; width: 22px; height: 0; border-top: 3px solid #000; }
.layout-legend .ramp { height: 11px; border: 1px solid #777; margin: 2px 0; }
.layout-legend .ticks { display: flex; justify-content: space-between; color: #333; }
.layout-legend .note { color: #555; margin-top: 4px; }
.layout-legend section + section, .layout-legend .always { margin-top: 5px; }
.layout-tip table { border-collapse: collapse; margin-top: 3px; }
.layout-tip td, .layout-tip th { padding: 1px 6px 1px 0; text-align: left; font-size: 12px; }
.layout-tip th { color: #555; font-weight: 600; border-bottom: 1px solid #ccc; }
.layout-tip td.cap { text-align: right; }
.layout-tip .focus { font-weight: 600; margin: 2px 0; }
.layout-label span { position: absolute; transform: translate(-50%%, -50%%); white-space: nowrap;
  font-size: 11px; color: #222; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; pointer-events: none; }
.layout-label.group span { font-size: 12px; font-weight: 700; }
.layout-label.provincial span { transform: translate(-50%%, -115%%); color: %(prov)s; }
.layout-label.characteristic span { transform: translate(-50%%, 15%%); color: %(char)s; font-style: italic; }
.layout-label.context span { color: #555; font-size: 10px; }
.layout-far .layout-label span { font-size: 9px; }
.layout-far .layout-label.group span { font-size: 10px; }
.leaflet-control-layers-expanded { padding: 4px 8px 4px 5px; line-height: 1.3; }
""" % {"font": _FONT, "h": _HEADER_PX, "prov": PROVINCIAL_COLOUR, "char": CHARACTERISTIC_COLOUR}

# Written for this package: builds the layers of both maps from one shared geometry variable.
_JS = r"""
var LAYOUT = {maps: {}, geo: null, sea: null};
function layoutSetup(key, map, tips, bounds) {
  map.fitBounds(bounds, {padding: [8, 8], animate: false});
  var parent = map.getPane('overlayPane');
  map.createPane('layoutFill', parent).style.zIndex = 410;
  map.createPane('layoutLines', parent).style.zIndex = 420;
  function zoomClass() {  // smaller labels when zoomed out
    L.DomUtil[map.getZoom() < 4.75 ? 'addClass' : 'removeClass'](map.getContainer(), 'layout-far');
  }
  map.on('zoomend', zoomClass);
  map.whenReady(zoomClass);
  LAYOUT.maps[key] = {map: map, tips: tips, layers: {}, base: {}};
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
    if (p.lines) {
      p.lines.forEach(function (ln) {
        var line = L.polyline([[ln[0], ln[1]], [ln[2], ln[3]]],
                              Object.assign({}, opts, p.style, {weight: ln[4]}));
        layoutBind(line, ln[5]);
        parts.push(line);
      });
    }
    if (p.labels) {
      p.labels.forEach(function (lb) {
        parts.push(L.marker([lb[0], lb[1]], {
          icon: L.divIcon({className: 'layout-label ' + p.cls, html: '<span>' + lb[2] + '</span>', iconSize: [0, 0]}),
          interactive: false, keyboard: false}));
      });
    }
  });
  var group = L.featureGroup(parts);
  group.layoutKey = spec.key;
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
  map.on('baselayerchange', function (e) { show(e.layer.layoutKey); });
  Object.keys(entry.layers).forEach(function (k) {
    if (entry.base[k] && map.hasLayer(entry.layers[k])) show(k);
  });
}
function layoutLink(keyA, keyB) {
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
      if (busy || !target) return;
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
  follow(keyA, keyB);
  follow(keyB, keyA);
}
"""


class _Script(MacroElement):
    """A few lines of JavaScript that run in the page's script after the parent's own code."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str):
        super().__init__()
        self._name = "LayoutScript"
        self.code = code


class _MapSetup(MacroElement):
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "layoutSetup({{ this.key_json }}, {{ this._parent.get_name() }}, {{ this.tips_json }},"
        " {{ this.bounds_json }});"
        "{% endmacro %}"
    )

    def __init__(self, key: str, tips: dict[str, str], bounds):
        super().__init__()
        self._name = "LayoutSetup"
        self.key_json = _js(key)
        self.tips_json = _js(tips)
        minx, miny, maxx, maxy = (round(float(v), 4) for v in bounds)
        self.bounds_json = _js([[miny, minx], [maxy, maxx]])


class _LayoutLayer(Layer):
    """A layer built in the page by ``layoutLayer`` from the shared geometry (see ``_JS``)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = layoutLayer({{ this.map_json }}, {{ this.spec_json }});"
        "{% endmacro %}"
    )

    def __init__(self, map_key: str, key: str, name_html: str, parts: list[dict], *, base: bool,
                 show: bool = True, control: bool = True):
        super().__init__(name=name_html, overlay=not base, control=control, show=show)
        self._name = "LayoutLayer"
        self.map_json = _js(map_key)
        self.spec_json = _js({"key": key, "base": base, "parts": parts})


def _tooltip(res: _Results, plan: _Plan, code: str) -> str:
    unit = res.units[code]
    head = f'<div class="layout-tip"><b>{esc(unit.name)}</b> <span class="code">({esc(code)})</span>'
    rows = sorted(plan.rows.get(code, []),
                  key=lambda r: (TIERS.index(r.tier), -r.capacity, r.industry))
    if not rows:
        return head + '<div class="none">no cluster designated</div></div>'
    body = ['<table><tr><th>Industry</th><th>Tier</th><th>Kind</th><th>Capacity</th></tr>']
    for r in rows:
        ind = res.industries.get(r.industry)
        name = ind.name if ind else r.industry
        tier = esc(r.tier)
        group = f' <span class="group">({esc(r.group_name or r.group)})</span>' if r.group else ""
        body.append(
            f'<tr data-industry="{esc(r.industry)}"><td class="industry">{esc(name)} ({esc(r.industry)})</td>'
            f'<td class="tier" data-tier="{tier}">{tier}{group}</td><td class="kind">{esc(r.kind)}</td>'
            f'<td class="cap">{fmt_capacity(r.capacity)}</td></tr>')
    body.append("</table>")
    return head + "".join(body) + "</div>"


def _label_points(units: list[_Unit], radius: float = 1.5) -> list[tuple[float, float, list[_Unit]]]:
    """Units whose representative points are within ``radius`` degrees share one label."""
    clusters: list[list[_Unit]] = []
    for u in units:
        for c in clusters:
            if any(math.dist(u.point, v.point) <= radius for v in c):
                c.append(u)
                break
        else:
            clusters.append([u])
    return [(sum(u.point[0] for u in c) / len(c), sum(u.point[1] for u in c) / len(c), c) for c in clusters]


def _legend(res: _Results, plan: _Plan, bases: list[str], drawn: list[str], vmax: dict[str, float],
            has_sea: bool, groups: list[dict]) -> str:
    """Plain HTML/CSS legend; one <section> per thematic layer, shown with that layer; then a line for
    each overlay drawn (``drawn``) and for the context."""
    order = {c: i for i, c in enumerate(res.industries)}
    # <details>: a click on the title folds the legend away (it can hide tooltips near it).
    out = [f'<details open><summary title="fold / unfold the legend">{esc(ROLES[plan.role])}</summary>']
    for key in bases:
        if key == "portfolio":
            leads = {plan.lead(c, order) for c in res.modelled}
            rows = [f'<div class="row"><span class="sw" style="background:{ind.colour}"></span>'
                    f'{esc(ind.name)} ({esc(ind.code)})</div>'
                    for ind in res.industries.values() if ind.code in leads]
            if None in leads:
                rows.append(f'<div class="row"><span class="sw" style="background:{NONE_FILL}"></span>'
                            'no cluster designated</div>')
            out.append('<section data-layer="portfolio"><b>Portfolio</b>: fill = lead industry '
                       '(largest capacity); hover or click a region for all its clusters'
                       + "".join(rows) + "</section>")
        else:
            ind = res.industries[key]
            top = vmax.get(key, 0.0)
            stops = ", ".join(_RAMP.rgb_hex_str(_RAMP_START + (1 - _RAMP_START) * i / 8) for i in range(9))
            out.append(
                f'<section data-layer="{esc(key)}"><b>{esc(ind.name)} ({esc(key)})</b>: capacity '
                f'(index units, same scale in both maps)'
                f'<div class="ramp" style="background:linear-gradient(to right, {stops})"></div>'
                f'<div class="ticks"><span>&gt; 0</span><span>{fmt_capacity(top / 2)}</span>'
                f'<span>{fmt_capacity(top)}</span></div>'
                f'<div class="row"><span class="sw" style="background:{NONE_FILL}"></span>none</div></section>')
    always = []
    if "inter-provincial" in drawn:
        for g in groups:
            always.append(f'<div class="row"><span class="ln" style="border-color:{g["colour"]}"></span>'
                          f'inter-provincial: {esc(g["name"])}</div>')
    if "provincial" in drawn:
        always.append(f'<div class="row"><span class="ln" style="border-color:{PROVINCIAL_COLOUR}"></span>'
                      'provincial cluster (label: industry codes)</div>')
    if "characteristic" in drawn:
        always.append(f'<div class="row"><span class="ln" style="border-top-style:dashed;'
                      f'border-color:{CHARACTERISTIC_COLOUR}"></span>characteristic cluster (label: codes)</div>')
    if "duplications" in drawn:
        always.append(f'<div class="row"><span class="ln" style="border-color:{DUPLICATION_COLOUR}"></span>'
                      f'uncoordinated neighbour duplications: {len(plan.duplications)} (line width: '
                      'weighted count between two regions)</div>')
    nm = [res.units[c] for c in res.not_modelled]
    if nm:
        always.append(f'<div class="row"><span class="sw" style="background:{NOT_MODELLED_FILL}"></span>'
                      f'{esc(", ".join(u.name for u in nm))}: not modelled</div>')
    if has_sea:
        always.append(f'<div class="row"><span class="ln" style="border-top:2px dashed {SEA_COLOUR}"></span>'
                      'South China Sea dashed line</div>')
    out.append('<div class="always">' + "".join(always) + "</div>")
    out.append(f'<div class="note">Scenario: {esc(res.scenario)}</div></details>')
    return "".join(out)


def _select_layers(res: _Results, layers: list[str] | None) -> tuple[list[str], list[str]]:
    """(thematic layer keys, overlay keys) to draw, from the user's selection (None = all)."""
    all_bases = ["portfolio", *res.industries]
    all_overlays = list(OVERLAY_KEYS)
    clash = [c for c in res.industries if c.lower() in {*LAYER_KEYS, "context", "sea"}]
    if clash:
        raise ValueError(f"industry code(s) {', '.join(clash)} clash with the map's layer names "
                         f"({', '.join(LAYER_KEYS)}); rename the industry")
    if layers is None:
        return all_bases, all_overlays
    lookup = {k.lower(): k for k in all_bases + all_overlays}
    chosen, unknown = [], []
    for item in layers:
        for word in str(item).split(","):
            word = word.strip()
            if not word:
                continue
            key = lookup.get(word.lower())
            (chosen if key else unknown).append(key or word)
    if unknown:
        raise ValueError(f"unknown map layer(s) {', '.join(unknown)}; choose from {', '.join(all_bases + all_overlays)}")
    bases = [k for k in all_bases if k in chosen] or ["portfolio"]  # a map needs a thematic layer
    overlays = [k for k in all_overlays if k in chosen]
    return bases, overlays


def _build_map(res: _Results, plan: _Plan, bases: list[str], overlays: list[str], vmax: dict[str, float],
               bounds, left: str, tiles: str | None, has_sea: bool) -> folium.Map:
    key = plan.role
    m = folium.Map(location=[(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2], zoom_start=4,
                   tiles=None, control_scale=True, width="50%", height="100%", left=left, top="0%",
                   position="absolute", zoom_snap=0.25, zoom_delta=0.5, font_size="12px")
    offline.leaflet_only(m)
    if tiles:
        try:
            folium.TileLayer(tiles, control=False).add_to(m)
        except (ValueError, KeyError) as exc:
            raise ValueError(f"unknown tile layer {tiles!r} ({exc}): give a name Folium knows, e.g. "
                             "'OpenStreetMap' or 'CartoDB positron', or a URL template with {z}/{x}/{y}") from None
    order = {c: i for i, c in enumerate(res.industries)}
    modelled = res.modelled
    _MapSetup(key, {c: _tooltip(res, plan, c) for c in modelled}, bounds).add_to(m)
    fill_opacity = 0.55 if tiles else 0.85
    region_style = {"color": "#555", "weight": 0.7, "fillOpacity": fill_opacity}

    first = bases[0]
    for bkey in bases:
        if bkey == "portfolio":
            fill = {}
            for c in modelled:
                lead = plan.lead(c, order)
                fill[c] = res.industries[lead].colour if lead in res.industries else NONE_FILL
            name = "Portfolio (lead industry)"
            head = None
        else:
            ind = res.industries[bkey]
            fill = {c: _ramp_colour(plan.capacity.get((c, bkey), 0.0), vmax.get(bkey, 0.0)) for c in modelled}
            name = f"{esc(ind.name)} ({esc(bkey)}): capacity"
            head = {}
            for c in modelled:
                cap = plan.capacity.get((c, bkey), 0.0)
                head[c] = (f'<div class="focus">{esc(ind.name)} ({esc(bkey)}): '
                           f'{fmt_capacity(cap) if cap > 0 else "none"}</div>')
        part = {"regions": modelled, "pane": "layoutFill", "cls": _css_class(bkey), "style": region_style,
                "fill": fill}
        if head:
            part["head"] = head
        _LayoutLayer(key, bkey, name, [part], base=True, show=bkey == first).add_to(m)

    # Context, always drawn: units not modelled, the South China Sea dashed line.
    nm = [res.units[c] for c in res.not_modelled]
    context = []
    if nm:
        context.append({
            "regions": [u.code for u in nm], "pane": "layoutFill", "cls": "layout-context",
            "style": {"color": "#888", "weight": 0.7, "fillColor": NOT_MODELLED_FILL, "fillOpacity": 0.9},
            "tips": False,
            "head": {u.code: f'<div class="layout-tip"><b>{esc(u.name)}</b> ({esc(u.code)}): not modelled '
                             f'(drawn only; the model covers the modelled regions)</div>' for u in nm}})
        context.append({"labels": [[lat, lon, esc(", ".join(u.name for u in c)) + ": not modelled"]
                                   for lon, lat, c in _label_points(nm)], "cls": "context"})
    if has_sea:
        context.append({"shapes": "sea", "pane": "layoutLines", "cls": "layout-sea", "interactive": False,
                        "style": {"color": SEA_COLOUR, "weight": 1.6, "dashArray": "7 5", "fill": False}})
    if context:
        _LayoutLayer(key, "context", "Context", context, base=False, control=False).add_to(m)

    drawn: list[str] = []  # overlays actually drawn (an empty one is left out), for the legend
    groups = _group_outlines(res, plan) if "inter-provincial" in overlays else []
    if groups:
        feats = []
        for g in groups:
            members = ", ".join(res.units[c].name for c in g["members"])
            inds = ", ".join(f"{res.industries[i].name} ({i})" if i in res.industries else i
                             for i in g["industries"])
            feats.append({"type": "Feature", "geometry": _geojson_geometry(g["geom"].boundary),
                          "properties": {"style": {"color": g["colour"]},
                                         "tip": f'<div class="layout-tip"><b>{esc(g["name"])}</b>: '
                                                f'inter-provincial cluster<br>members: {esc(members)}'
                                                f'<br>industries: {esc(inds)}</div>'}})
        parts = [{"shapes": {"type": "FeatureCollection", "features": feats}, "pane": "layoutLines",
                  "cls": "layout-inter-provincial", "style": {"weight": 3.2, "opacity": 0.95, "fill": False}},
                 {"labels": [[g["point"][1], g["point"][0],
                              esc(g["name"]) + ": " + esc(", ".join(g["industries"]))] for g in groups],
                  "cls": "group"}]
        _LayoutLayer(key, "inter-provincial", "Inter-provincial clusters", parts, base=False).add_to(m)
        drawn.append("inter-provincial")

    for tier, colour, dash in (("provincial", PROVINCIAL_COLOUR, None),
                               ("characteristic", CHARACTERISTIC_COLOUR, "5 4")):
        if tier not in overlays:
            continue
        codes = {c: [r.industry for r in rows if r.tier == tier] for c, rows in plan.rows.items()}
        codes = {c: v for c, v in codes.items() if v}
        if not codes:
            continue
        regions = [c for c in modelled if c in codes]
        style = {"color": colour, "weight": 1.6, "fill": False, "opacity": 0.8}
        if dash:
            style["dashArray"] = dash
        parts = [{"regions": regions, "pane": "layoutLines", "cls": _css_class(tier), "style": style,
                  "head": {c: f'<div class="focus">{esc(tier)} cluster(s): {esc(", ".join(codes[c]))}</div>'
                           for c in regions}},
                 {"labels": [[res.units[c].point[1], res.units[c].point[0], esc(" · ".join(codes[c]))]
                             for c in regions], "cls": tier}]
        # Off at first (labels in every region are dense); the layer control switches them on.
        _LayoutLayer(key, tier, f"{tier.capitalize()} clusters", parts, base=False, show=False).add_to(m)
        drawn.append(tier)

    pairs = _duplication_pairs(res, plan) if "duplications" in overlays else []
    if pairs:
        wmax = max(sum(w for _, w in items) for _, _, items in pairs) or 1.0
        lines = []
        for a, b, items in pairs:
            total = sum(w for _, w in items)
            listed = "".join(
                f"<br>{esc(res.industries[i].name if i in res.industries else i)} ({esc(i)}), weight {w:g}"
                for i, w in items)
            tip = (f'<div class="layout-tip"><b>Uncoordinated duplication</b><br>{esc(res.units[a].name)} – '
                   f'{esc(res.units[b].name)}{listed}</div>')
            pa, pb = res.units[a].point, res.units[b].point
            lines.append([round(pa[1], 4), round(pa[0], 4), round(pb[1], 4), round(pb[0], 4),
                          round(1.5 + 3.0 * total / wmax, 2), tip])
        _LayoutLayer(key, "duplications", "Uncoordinated neighbour duplications",
                     [{"lines": lines, "pane": "layoutLines", "cls": "layout-duplications",
                       "style": {"color": DUPLICATION_COLOUR, "opacity": 0.85}}], base=False).add_to(m)
        drawn.append("duplications")

    _Script(f"layoutLegend({_js(key)}, {_js(_legend(res, plan, bases, drawn, vmax, has_sea, groups))});"
            ).add_to(m)
    LayerControl(collapsed=False, position="topright").add_to(m)
    return m


def render_map(result_dir: Path, layers: list[str] | None = None, tiles: str | None = None) -> str:
    """The map page of ``result_dir`` as an HTML string (see :func:`write_map`)."""
    res = _load(Path(result_dir))
    bases, overlays = _select_layers(res, layers)
    sea = _read_sea()
    shared = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": c, "properties": {}, "geometry": _geojson_geometry(u.geom)}
        for c, u in res.units.items()]}
    sea_js = None
    if sea is not None:
        sea_js = {"type": "FeatureCollection",
                  "features": [{"type": "Feature", "properties": {}, "geometry": _geojson_geometry(sea)}]}
    # The initial view fits the drawn units (China's include the South China Sea islands).
    bounds = shapely.total_bounds([u.geom for u in res.units.values()])

    vmax = {}
    for code in res.industries:
        vals = [v for plan in res.plans.values() for (r, i), v in plan.capacity.items() if i == code]
        vmax[code] = max(vals, default=0.0)

    title = f"{res.scenario}: baseline and optimised layout"
    fig = Figure(title=esc(title))
    fig.header.add_child(Element(f"<style>{_CSS}</style>"), name="layout_css")
    dup_b = len(res.plans["baseline"].duplications)
    dup_o = len(res.plans["optimised"].duplications)
    fig.html.add_child(Element(
        '<div class="layout-header">'
        f'<div data-map="baseline">{esc(ROLES["baseline"])} <span class="layout-sub">· {esc(res.scenario)}'
        f' · {_count(dup_b, "neighbour duplication")}</span></div>'
        f'<div data-map="optimised">{esc(ROLES["optimised"])} <span class="layout-sub">· {esc(res.scenario)}'
        f' · {_count(dup_o, "neighbour duplication")}</span></div></div>'), name="layout_header")
    fig.script.add_child(Element(
        _JS + f"LAYOUT.geo = {_js(shared)};\nLAYOUT.sea = {_js(sea_js)};\n"), name="layout_lib")
    for role, left in (("baseline", "0%"), ("optimised", "50%")):
        fig.add_child(_build_map(res, res.plans[role], bases, overlays, vmax, bounds, left, tiles, sea is not None))
    # After both maps: keep them in step; expose them (for tests and the curious, in the console).
    fig.add_child(_Script('layoutLink("baseline", "optimised");\n'
                          'window.layoutMaps = {baseline: LAYOUT.maps.baseline.map, '
                          'optimised: LAYOUT.maps.optimised.map};'))
    return offline.inline_assets(fig.render())


def write_map(result_dir: Path, out: Path | None = None, layers: list[str] | None = None,
              tiles: str | None = None) -> Path:
    """Write the interactive map of a results folder; return its path (default ``DIR/map.html``).

    The page is self-contained and opens with no network (Leaflet inlined, no tile layer) — unless
    ``tiles`` names an online base map (any name Folium accepts, e.g. ``"OpenStreetMap"`` or
    ``"CartoDB positron"``): then the base map needs the network, and note that the boundaries are
    GCJ-02 while most tile services are WGS84 (up to ~0.7 km apart).

    ``layers`` picks the layers to include (None = all): ``portfolio``, industry codes (one
    choropleth each), ``inter-provincial``, ``provincial``, ``characteristic``, ``duplications``
    (case-insensitive; comma-separated items allowed). If it names no thematic layer, the portfolio
    is drawn. Units not modelled and the South China Sea dashed line are always drawn.

    Raises ValueError if the folder lacks a required file or a layer name is unknown.
    """
    result_dir = Path(result_dir)
    out = Path(out) if out is not None else result_dir / "map.html"
    page = render_map(result_dir, layers=layers, tiles=tiles)
    _atomic_write(out, page.encode("utf-8"))
    return out


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes it private; the map is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------
# The static PNG (matplotlib via geopandas)
# --------------------------------------------------------------------------------------------


def _mpl_text(text) -> str:
    """Data text for matplotlib: '$' would start mathtext."""
    return str(text).replace("$", r"\$")


def write_png(result_dir: Path, out: Path, *, baseline: bool = True, dpi: int = 200) -> Path:
    """Write a static figure of the layout for reports and papers; return ``out``.

    Regions are filled with their lead industry (largest capacity) and labelled with the codes of all
    their designated industries; inter-provincial clusters are outlined and named; remaining
    neighbour duplications are red lines; units not modelled are grey and hatched; the South China
    Sea dashed line is drawn. With ``baseline=True`` the uncoordinated baseline is a panel on the
    left. Lambert azimuthal equal-area projection centred on the regions. Uses matplotlib's
    object API (no pyplot state, no backend switch).
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure as MplFigure

    res = _load(Path(result_dir), baseline=baseline)
    roles = ["baseline", "optimised"] if baseline else ["optimised"]
    out = Path(out)
    # Chinese names need a CJK font; matplotlib falls back glyph by glyph along this list.
    with rc_context({"font.family": ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", "sans-serif"],
                     "hatch.linewidth": 0.4}):
        fig = MplFigure(figsize=(6.2 * len(roles), 7.4))
        _draw_png(fig, res, _read_sea(), roles)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, dpi=dpi, format="png")
    return out


def _draw_png(fig, res: _Results, sea, roles: list[str]) -> None:
    import geopandas as gpd
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    minx, miny, maxx, maxy = shapely.total_bounds([u.geom for u in res.units.values()])
    crs = f"+proj=laea +lat_0={(miny + maxy) / 2:.4f} +lon_0={(minx + maxx) / 2:.4f} +datum=WGS84 +units=m"

    def frame(geoms, **cols):
        return gpd.GeoDataFrame(cols, geometry=list(geoms), crs="EPSG:4326").to_crs(crs)

    codes = list(res.units)
    units = frame([res.units[c].geom for c in codes], code=codes)
    points = frame([shapely.Point(res.units[c].point) for c in codes], code=codes).set_index("code")
    axes = fig.subplots(1, len(roles), squeeze=False)
    sea_df = frame([sea]) if sea is not None else None
    x0, y0, x1, y1 = units.total_bounds  # China's units include the South China Sea islands
    pad = 0.02 * max(x1 - x0, y1 - y0)
    order = {c: i for i, c in enumerate(res.industries)}
    used_leads: set = set()
    for ax, role in zip(axes[0], roles):
        plan = res.plans[role]
        fills = []
        for c in codes:
            if not res.units[c].modelled:
                fills.append(NOT_MODELLED_FILL)
                continue
            lead = plan.lead(c, order)
            used_leads.add(lead)
            fills.append(res.industries[lead].colour if lead in res.industries else NONE_FILL)
        units.plot(ax=ax, color=fills, edgecolor="#555555", linewidth=0.4)
        nm = units[[not res.units[c].modelled for c in codes]]
        if len(nm):
            nm.plot(ax=ax, facecolor="none", edgecolor="#888888", hatch="////", linewidth=0.3)
        if sea_df is not None:
            sea_df.plot(ax=ax, color=SEA_COLOUR, linewidth=0.9, linestyle=(0, (5, 3)))
        if role == "optimised":
            for g in _group_outlines(res, plan):
                gdf = frame([g["geom"].boundary])
                gdf.plot(ax=ax, color=g["colour"], linewidth=1.8)
                gp = frame([shapely.Point(g["point"])]).geometry.iloc[0]
                ax.annotate(_mpl_text(g["name"]), (gp.x, gp.y), fontsize=6.5, fontweight="bold",
                            color=g["colour"], ha="center", va="center",
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
        for a, b, items in _duplication_pairs(res, plan):
            pa, pb = points.geometry[a], points.geometry[b]
            ax.plot([pa.x, pb.x], [pa.y, pb.y], color=DUPLICATION_COLOUR, alpha=0.8,
                    linewidth=0.6 + 0.4 * min(sum(w for _, w in items), 4))
        for c in res.modelled:
            inds = [r.industry for r in sorted(plan.rows.get(c, []), key=lambda r: -r.capacity)]
            if inds:
                p = points.geometry[c]
                ax.annotate(_mpl_text("\n".join(inds)), (p.x, p.y), fontsize=4.2, ha="center", va="center",
                            color="#111111", linespacing=0.95)
        ax.set_title(_mpl_text(f"{ROLES[role]}\n{_count(len(plan.duplications), 'uncoordinated neighbour duplication')}"),
                     fontsize=10)
        ax.set_xlim(x0 - pad, x1 + pad)  # the same frame in every panel
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()

    handles = [Patch(facecolor=res.industries[c].colour, edgecolor="#555555",
                     label=_mpl_text(f"{c}: {res.industries[c].name}"))
               for c in res.industries if c in used_leads]
    if None in used_leads:
        handles.append(Patch(facecolor=NONE_FILL, edgecolor="#555555", label="no cluster designated"))
    handles.append(Line2D([], [], color=GROUP_COLOURS[0], linewidth=1.8,
                          label="inter-provincial cluster (outline)"))
    handles.append(Line2D([], [], color=DUPLICATION_COLOUR, linewidth=0.9,
                          label="uncoordinated neighbour duplication"))
    nm_names = [res.units[c].name for c in res.not_modelled]
    if nm_names:
        handles.append(Patch(facecolor=NOT_MODELLED_FILL, edgecolor="#888888", hatch="////",
                             label=_mpl_text(", ".join(nm_names) + ": not modelled")))
    if sea_df is not None:
        handles.append(Line2D([], [], color=SEA_COLOUR, linewidth=0.9, linestyle=(0, (5, 3)),
                              label="South China Sea dashed line"))
    fig.legend(handles=handles, loc="lower center", ncol=min(4, max(1, len(handles))), fontsize=7,
               frameon=False, title="Fill: lead industry (largest capacity); labels: all designated industries",
               title_fontsize=7.5)
    fig.suptitle(_mpl_text(f"Scenario: {res.scenario}"), fontsize=12)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.88, bottom=0.15, wspace=0.03)
