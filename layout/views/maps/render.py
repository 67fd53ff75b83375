"""Maps of a results folder: a self-contained HTML page (Folium/Leaflet) and a static PNG.

Both are pure functions of the files ``layout solve`` writes into a results folder DIR
(``assignment.csv``, ``baseline.csv``, ``layout.geojson``, ``metrics.json``; optionally
``declared.csv`` and, with plan periods, ``phasing.csv`` and ``periods/``; see
:mod:`layout.views.maps.inputs`); this module never imports the model or the solver. A folder or file that
is not right is a :class:`layout.errors.InputError` naming it (and the line or key), for a notebook user as
for the CLI; an unknown layer or tile name, or an industry code that is a layer's name, is a ValueError.

The HTML page (:func:`write_map`) shows the baseline ("uncoordinated local plans") and the optimised
layout (right) as synchronised Leaflet maps: panning, zooming and the choice of layers follow each
other. When DIR has ``declared.csv``, a third map on the left shows the SEI priorities provinces
declared in sourced plans (:func:`layout.views.maps.layers.declared_map`): declared | baseline | optimised.
Each map has

* thematic layers (radio buttons, one shown at a time): the *portfolio* (each region coloured by its
  lead industry, the one with the largest capacity; tooltip and popup list every designated industry
  with tier, kind and capacity) and one choropleth per industry (capacity by region, on the same
  colour scale in every map); with plan periods, the optimised map also has one portfolio per
  period ("Portfolio 2025", ...; tooltips list the clusters of that period); with a reference layout
  (metrics.json ``changes``), the optimised map also has "Changes against the reference" (each region
  shaded by what it kept, added and gave up; the column's header states the changes in one line);
* overlays (check boxes): inter-provincial clusters (outlines dissolved from the geometries of the members
  holding capacity, labelled with the group name and each member's capacity and share), provincial and characteristic clusters (outlined regions
  labelled with the industry codes), the uncoordinated neighbour duplications that remain (lines
  between the two regions' representative points; on an industry's layer, that industry's alone; they take no
  mouse, the regions' tooltips list them) and the national SEI clusters of 2019 that
  geodata lists, per province (19 of 66; shown at first on the declared map);
* always: units that are drawn but not modelled (Hong Kong, Macao, Taiwan) in grey, labelled
  "not modelled"; the South China Sea dashed line (``geodata/south_china_sea.geojson``); a legend
  (plain HTML/CSS) that follows the thematic layer and folds on a click on its title (folded at first where,
  open, it would hide the middle of a region: on a laptop screen, western China); a scale bar; the layer control
  (collapsed to an icon, open on hover).

Every text a person reads is in the current language (`layout.language`: tr/trn, tables marked and translated where
shown; layout/locale/zh/maps.po); codes, file names and data names stay as they are.

The geometry is embedded once per page (one JavaScript variable shared by every layer of every map).
Leaflet is inlined from the installed ``django-js-lib-leaflet`` package (:mod:`layout.views.maps.offline`), and
there is no tile layer unless asked for, so the page opens with no network. Coordinates are drawn
as stored (GCJ-02 lon/lat for the shipped boundaries); with no tiles the 44-665 m GCJ-02 offset
is invisible.

Every text that comes from the data (region, industry, group and scenario names) is HTML-escaped, and
no such text is ever read as a template (:func:`layout.views.maps.elements.build_page`). :func:`map_figure` returns
the page as a folium Figure, which Jupyter displays.
"""

from __future__ import annotations

from pathlib import Path

import folium
import shapely

from layout.language import marked, tr, translate
from layout.results.folder import (
    MANIFEST_JSON,
    MAP_HTML,
    ROBUSTNESS_HTML,
    missed_words,
    read_manifest,
    read_metrics,
    stopped_words,
    targets_missed_of,
    time_limit_of,
)
from layout.results.staging import write_file
from layout.views.maps.elements import (
    CHARACTERISTIC_COLOUR,
    DUPLICATION_COLOUR,
    NONE_FILL,
    PROVINCIAL_COLOUR,
    RAMP,
    RAMP_START,
    ROLES,
    TIER_NAMES,
    UNIT_NAMES,
    Frame,
    LayoutLayer,
    Page,
    Tiles,
    add_context,
    build_page,
    closing_rows,
    css_class,
    esc,
    fill_part,
    finish_map,
    fmt_capacity,
    geojson_geometry,
    joined,
    lead_rows,
    legend_row,
    live_reload,
    named_code,
    new_map,
    ramp_colour,
    shown,
    tooltip,
)
from layout.views.maps.inputs import TIERS, Plan, Results, group_outlines, load, read_clusters_2019, read_sea
from layout.views.maps.layers import (
    add_changes,
    add_clusters_2019,
    add_duplications,
    add_periods,
    changes_sections,
    changes_words,
    declared_header,
    declared_map,
    duplication_tips,
    group_label,
    group_tip,
    period_sections,
)
from layout.views.maps.png import write_png
from layout.views.maps.robustness import is_sweep_folder, render_robustness_map
from layout.words import plural

__all__ = [
    "LAYER_KEYS",
    "TIERS",
    "available_layers",
    "is_sweep_folder",
    "map_figure",
    "render_map",
    "render_robustness_map",
    "write_map",
    "write_png",
    "write_robustness_map",
]

# Layer keys besides the industry codes (which are layer keys too, one choropleth each).
OVERLAY_KEYS = ("inter-provincial", "provincial", "characteristic", "duplications", "clusters-2019")
LAYER_KEYS = ("portfolio", "periods", "changes", *OVERLAY_KEYS)
_RESERVED = {*LAYER_KEYS, "context", "sea", "no-plan"}  # and "period-<year>"
TIER_LAYERS = {"provincial": marked("Provincial clusters"), "characteristic": marked("Characteristic clusters")}


def available_layers(result_dir: Path) -> list[str]:
    """The layer keys :func:`write_map` accepts for this folder: portfolio, periods (if phased), changes (with a
    reference layout), industry codes, tiers, duplications, clusters-2019."""
    res = load(Path(result_dir))
    return [*_all_bases(res), *OVERLAY_KEYS]


def _all_bases(res: Results) -> list[str]:
    return ["portfolio", *(["periods"] if res.periods else []), *(["changes"] if res.changes else []), *res.industries]


def _legend(frame: Frame, plan: Plan, drawn: list[str], groups: list[dict]) -> str:
    """Plain HTML/CSS legend; one <section> per thematic layer, shown with that layer; then a line for
    each overlay drawn (``drawn``) and for the context."""
    res = frame.res
    order = {c: i for i, c in enumerate(res.industries)}
    # <details>: a click on the title folds the legend away (it can hide tooltips near it).
    fold = tr("fold / unfold the legend")
    out = [f'<details open><summary title="{fold}">{esc(translate(ROLES[plan.role]))}</summary>']
    for key in frame.bases:
        if key == "portfolio":
            leads = {plan.lead(c, order) for c in res.modelled}
            rows = lead_rows(res, leads)
            title = f"<b>{tr('Portfolio')}</b>"
            if res.periods and plan.role == "optimised":
                title = tr("{title} ({year}, the last period)", title=title, year=esc(res.periods[-1].year))
            text = tr(
                "{title}: fill = lead industry (largest capacity); hover or click a region for all its clusters",
                title=title,
            )
            out.append(f'<section data-layer="portfolio">{text}' + "".join(rows) + "</section>")
        else:
            ind = res.industries[key]
            top = frame.vmax.get(key, 0.0)
            stops = ", ".join(RAMP.rgb_hex_str(RAMP_START + (1 - RAMP_START) * i / 8) for i in range(9))
            text = tr(
                "{industry}: capacity ({unit}, same scale in both maps)",
                industry=f"<b>{named_code(ind.name, key)}</b>",
                unit=shown(UNIT_NAMES, res.unit),
            )
            out.append(
                f'<section data-layer="{esc(key)}">{text}'
                f'<div class="ramp" style="background:linear-gradient(to right, {stops})"></div>'
                f'<div class="ticks"><span>&gt; 0</span><span>{fmt_capacity(top / 2)}</span>'
                f"<span>{fmt_capacity(top)}</span></div>"
                + legend_row(f"background:{NONE_FILL}", tr("none"))
                + "</section>"
            )
    if plan.role == "optimised" and "periods" in frame.overlays:
        out += period_sections(frame)
    if plan.role == "optimised" and "changes" in frame.overlays:
        out += changes_sections(frame)
    always = []
    if "inter-provincial" in drawn:
        for g in groups:
            always.append(
                legend_row(
                    f"border-color:{g['colour']}",
                    tr("inter-provincial: {name}", name=esc(g["name"])),
                    "ln",
                    "inter-provincial",
                )
            )
    if "provincial" in drawn:
        always.append(
            legend_row(
                f"border-color:{PROVINCIAL_COLOUR}",
                tr("provincial cluster (label: industry codes)"),
                "ln",
                "provincial",
            )
        )
    if "characteristic" in drawn:
        always.append(
            legend_row(
                f"border-top-style:dashed;border-color:{CHARACTERISTIC_COLOUR}",
                tr("characteristic cluster (label: codes)"),
                "ln",
                "characteristic",
            )
        )
    if "duplications" in drawn:
        text = tr(
            "uncoordinated neighbour duplications: {n} (line width: weighted count between two regions; on an "
            "industry's layer, that industry's alone)",
            n=len(plan.duplications),
        )
        always.append(legend_row(f"border-color:{DUPLICATION_COLOUR}", text, "ln", "duplications"))
    out.append('<div class="always">' + "".join(always + closing_rows(frame, drawn)) + "</div>")
    out.append(f'<div class="note">{tr("Scenario: {name}", name=esc(res.scenario))}</div></details>')
    return "".join(out)


def _select_layers(res: Results, layers: list[str] | None) -> tuple[list[str], list[str]]:
    """(thematic layer keys, overlay keys) to draw, from the user's selection (None = all).
    "periods" (the period portfolios) and "changes" (drawn on the optimised map only) are returned among the
    overlay keys."""
    all_bases = _all_bases(res)
    all_overlays = list(OVERLAY_KEYS)
    clash = [c for c in res.industries if c.lower() in _RESERVED or c.lower().startswith("period-")]
    if clash:
        raise ValueError(
            f"industry code(s) {', '.join(clash)} clash with the map's layer names "
            f"({', '.join(sorted(_RESERVED))}); rename the industry"
        )
    if layers is None:
        chosen = all_bases + all_overlays
    else:
        lookup = {k.lower(): k for k in all_bases + all_overlays}
        chosen = []  # the keys asked for
        unknown: list[str] = []  # the words that name none
        for item in layers:
            for word in str(item).split(","):
                word = word.strip()
                if not word:
                    continue
                key = lookup.get(word.lower())
                (chosen if key else unknown).append(key or word)
        if unknown:
            raise ValueError(
                f"unknown map layer(s) {', '.join(unknown)}; choose from {', '.join(all_bases + all_overlays)}"
            )
    own = ("periods", "changes")  # thematic layers of the optimised map alone
    bases = [k for k in all_bases if k in chosen and k not in own] or ["portfolio"]  # a map needs a thematic layer
    overlays = [k for k in [*own, *all_overlays] if k in chosen]
    return bases, overlays


def _build_map(frame: Frame, plan: Plan, index: int) -> folium.Map:
    """The baseline or the optimised map."""
    res, key = frame.res, plan.role
    order = {c: i for i, c in enumerate(res.industries)}
    modelled = res.modelled
    dups = duplication_tips(res, plan) if "duplications" in frame.overlays else {}
    m = new_map(frame, key, index, {c: tooltip(res, plan.rows.get(c, []), c, extra=dups.get(c, "")) for c in modelled})

    periods = key == "optimised" and "periods" in frame.overlays
    first = frame.bases[0]
    for bkey in frame.bases:
        if bkey == "portfolio":
            fill = {}
            for c in modelled:
                lead = plan.lead(c, order)
                fill[c] = res.industries[lead].colour if lead in res.industries else NONE_FILL
            name = esc(tr("Portfolio (lead industry)"))
            head = None
        else:
            ind = res.industries[bkey]
            fill = {c: ramp_colour(plan.capacity.get((c, bkey), 0.0), frame.vmax.get(bkey, 0.0)) for c in modelled}
            name = tr("{industry}: capacity", industry=named_code(ind.name, bkey))
            head = {}
            unit = shown(UNIT_NAMES, res.unit)
            for c in modelled:
                cap = plan.capacity.get((c, bkey), 0.0)
                held = tr("{capacity} {unit}", capacity=fmt_capacity(cap), unit=unit) if cap > 0 else tr("none")
                head[c] = (
                    f'<div class="focus">{tr("{industry}: {state}", industry=named_code(ind.name, bkey), state=held)}</div>'
                )

        part = fill_part(frame, modelled, bkey, fill, head)
        LayoutLayer(key, bkey, name, [part], base=True, show=bkey == first).add_to(m)
        if bkey == "portfolio" and periods:
            add_periods(frame, key, m)  # listed next to the portfolio in the layer control
    if periods and "portfolio" not in frame.bases:
        add_periods(frame, key, m)
    if key == "optimised" and "changes" in frame.overlays:
        add_changes(frame, key, m)  # after the portfolios in the layer control

    add_context(frame, key, m)

    drawn: list[str] = []  # overlays actually drawn (an empty one is left out), for the legend
    groups = group_outlines(res, plan) if "inter-provincial" in frame.overlays else []
    if groups:
        feats = []
        for g in groups:
            feats.append(
                {
                    "type": "Feature",
                    "geometry": geojson_geometry(g["geom"].boundary),
                    "properties": {"style": {"color": g["colour"]}, "tip": group_tip(res, g)},
                }
            )
        parts: list[dict] = [
            {
                "shapes": {"type": "FeatureCollection", "features": feats},
                "pane": "layoutLines",
                "cls": "layout-inter-provincial",
                "style": {"weight": 3.2, "opacity": 0.95, "fill": False},
            },
            {
                "labels": [[g["point"][1], g["point"][0], group_label(g)] for g in groups],
                "cls": "group",
            },
        ]
        LayoutLayer(key, "inter-provincial", esc(tr("Inter-provincial clusters")), parts, base=False).add_to(m)
        drawn.append("inter-provincial")

    for tier, colour, dash in (
        ("provincial", PROVINCIAL_COLOUR, None),
        ("characteristic", CHARACTERISTIC_COLOUR, "5 4"),
    ):
        if tier not in frame.overlays:
            continue
        codes = {c: [r.industry for r in rows if r.tier == tier] for c, rows in plan.rows.items()}
        codes = {c: v for c, v in codes.items() if v}
        if not codes:
            continue
        regions = [c for c in modelled if c in codes]
        style = {"color": colour, "weight": 1.6, "fill": False, "opacity": 0.8}
        if dash:
            style["dashArray"] = dash
        parts = [
            {
                "regions": regions,
                "pane": "layoutLines",
                "cls": css_class(tier),
                "style": style,
                "head": {
                    c: '<div class="focus">'
                    + tr("{tier} cluster(s): {codes}", tier=shown(TIER_NAMES, tier), codes=esc(joined(codes[c])))
                    + "</div>"
                    for c in regions
                },
            },
            {
                "labels": [[res.units[c].point[1], res.units[c].point[0], esc(" · ".join(codes[c]))] for c in regions],
                "cls": tier,
            },
        ]
        # Off at first (labels in every region are dense); the layer control switches them on.
        LayoutLayer(key, tier, esc(translate(TIER_LAYERS[tier])), parts, base=False, show=False).add_to(m)
        drawn.append(tier)

    if "duplications" in frame.overlays and add_duplications(frame, key, plan, m):
        drawn.append("duplications")
    # On the declared map at first (where it belongs); here on demand.
    if "clusters-2019" in frame.overlays and add_clusters_2019(frame, key, m, show=False):
        drawn.append("clusters-2019")

    return finish_map(m, key, _legend(frame, plan, drawn, groups))


def render_map(result_dir: Path, layers: list[str] | None = None, tiles: Tiles = None) -> str:
    """The map page of ``result_dir`` as an HTML string (see :func:`write_map`)."""
    return map_figure(result_dir, layers=layers, tiles=tiles).offline_html()


def map_figure(result_dir: Path, layers: list[str] | None = None, tiles: Tiles = None) -> Page:
    """The map page of ``result_dir`` as a folium Figure (arguments as :func:`write_map`). In Jupyter it shows
    itself (``_repr_html_``: the self-contained page in an iframe); ``.offline_html()`` is the page :func:`write_map` writes."""
    res = load(Path(result_dir))
    bases, overlays = _select_layers(res, layers)
    sea = read_sea()
    listed = read_clusters_2019() or [] if "clusters-2019" in overlays else []
    clusters = [c for c in listed if c.region in res.units and res.units[c.region].modelled]
    roles = (["declared"] if res.declared is not None else []) + ["baseline", "optimised"]
    vmax = {}
    for code in res.industries:
        plans = [*res.plans.values(), *(p.plan for p in res.periods)]
        vmax[code] = max((v for plan in plans for (r, i), v in plan.capacity.items() if i == code), default=0.0)
    # The initial view fits the drawn units (China's include the South China Sea islands).
    frame = Frame(
        res,
        bases,
        overlays,
        vmax,
        tuple(shapely.total_bounds([u.geom for u in res.units.values()])),
        tiles,
        sea is not None,
        len(roles),
        clusters,
        len(listed),
    )

    title = (
        tr("{scenario}: declared plans, baseline and optimised layout", scenario=res.scenario)
        if res.declared is not None
        else tr("{scenario}: baseline and optimised layout", scenario=res.scenario)
    )
    columns = []
    for role in roles:
        if role == "declared":
            head, sub = declared_header(res)
        else:
            plan = res.plans[role]
            head = esc(translate(ROLES[role]))
            sub = f"{esc(res.scenario)} · {plural(len(plan.duplications), 'neighbour duplication')}"
            if role == "optimised" and res.periods:
                last = tr(
                    "{year}, last of {periods}",
                    year=esc(res.periods[-1].year),
                    periods=plural(len(res.periods), "period"),
                )
                sub = f"{esc(res.scenario)} · {last} · {plural(len(plan.duplications), 'neighbour duplication')}"
            if role == "optimised" and (stopped := _stopped(res.folder)):
                sub += f" · <b>{esc(stopped)}</b>"
            if role == "optimised":
                for year, missed in reversed(targets_missed_of(read_metrics(res.folder))):  # first: never cut off
                    sub = f"<b>{esc(missed_words(missed, year))}</b> · {sub}"
            if role == "optimised" and res.changes is not None:
                words = changes_words(res)
                sub += f' · <span class="layout-changes" title="{words}">{words}</span>'
        columns.append((role, head, sub))
    maps = [
        declared_map(frame, index) if role == "declared" else _build_map(frame, res.plans[role], index)
        for index, role in enumerate(roles)
    ]
    return build_page(title, columns, maps, res.units, sea)


def _stopped(folder: Path) -> str | None:
    """The folder's solve in words when a limit stopped the solver with a layout ("feasible — stopped by the time
    limit (120 s) at gap 1.56 %"), else None; the time limit from manifest.json, when the folder has one."""
    manifest = read_manifest(folder) if (folder / MANIFEST_JSON).is_file() else {}
    return stopped_words(read_metrics(folder)["solver"], time_limit_of(manifest))


def write_map(
    result_dir: Path,
    out: Path | None = None,
    layers: list[str] | None = None,
    tiles: Tiles = None,
    *,
    live: str | None = None,
) -> Path:
    """Write the interactive map of a results folder; return its path (default ``DIR/map.html``).

    The page is self-contained and opens with no network (Leaflet inlined, no tile layer) — unless
    ``tiles`` names an online base map (any name Folium accepts, e.g. ``"OpenStreetMap"`` or
    ``"CartoDB positron"``): then the base map needs the network, and note that the boundaries are
    GCJ-02 while most tile services are WGS84 (up to ~0.7 km apart).

    ``layers`` picks the layers to include (None = all): ``portfolio``, ``periods`` (one portfolio
    per plan period, when DIR has phasing.csv), ``changes`` (against the reference layout, when metrics.json
    has a ``changes`` record), industry codes (one choropleth each),
    ``inter-provincial``, ``provincial``, ``characteristic``, ``duplications``, ``clusters-2019``
    (case-insensitive; comma-separated items allowed). If it names no thematic layer, the portfolio
    is drawn. Units not modelled and the South China Sea dashed line are always drawn, and so is the
    declared map when DIR has declared.csv.

    ``live``: a stamp (hex digits) for `layout watch`: the page then reloads itself when the ``reload.js`` beside
    it sets another (:func:`layout.views.maps.elements.live_reload`); None, the ordinary page.

    Raises InputError (naming the folder or file, and the line or key) if the folder is not a results folder,
    lacks a file the map needs or holds one that is not right; ValueError if a layer or tile name is unknown,
    an industry code is one of the layer names or ``live`` is not hex digits.
    """
    result_dir = Path(result_dir)
    out = Path(out) if out is not None else result_dir / MAP_HTML
    figure = map_figure(result_dir, layers=layers, tiles=tiles)
    if live is not None:
        live_reload(figure, live)
    write_file(out, figure.offline_html().encode("utf-8"))  # without `live`: render_map's page, byte for byte
    return out


def write_robustness_map(sweep_dir: Path, out: Path | None = None, *, tiles: Tiles = None) -> Path:
    """Write the robustness map of a sweep folder; return its path (default ``DIR/robustness.html``).

    One thematic layer per industry, filled by the share of solved points in which each region is
    designated (``share_designated`` of robustness.csv, 0-100 %), and one for "designated for
    anything" (counted from the points' assignment.csv); tooltips list every share and the number of
    solved points. Geometry: the first solved point's layout.geojson. Offline like :func:`write_map`
    (``tiles`` as there); see :mod:`layout.views.maps.robustness`.

    Raises InputError (naming the folder or file, and the line) if the folder is not a sweep folder, has no
    solved point or a table is stale or bad.
    """
    sweep_dir = Path(sweep_dir)
    out = Path(out) if out is not None else sweep_dir / ROBUSTNESS_HTML
    page = render_robustness_map(sweep_dir, tiles=tiles)
    write_file(out, page.encode("utf-8"))
    return out
