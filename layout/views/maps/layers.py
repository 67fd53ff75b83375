"""Map layers beyond the two compared layouts: duplications, period portfolios, declared plans, 2019 clusters.

* :func:`group_label`, :func:`group_tip`: an inter-provincial cluster's label and tooltip on the optimised map,
  each member holding capacity with its capacity and share ("Central Plains: NMAT — Hebei 35 (41 %), …");
* :func:`add_duplications`: the uncoordinated neighbour duplications of a layout (lines between the
  two regions' representative points), in every map;
* :func:`add_periods`: with ``periods:`` in the scenario, one thematic layer per plan period on the
  optimised map ("Portfolio 2025", ...), each region filled with its lead industry in that period;
* :func:`declared_map`: the SEI priorities provinces declared in sourced plans, as a map of its own
  (left of the baseline). Provinces with no sourced plan are hatched and say so; nothing is filled in
  for them. Declared plans state no capacity, so the portfolio is coloured by the number of industries
  declared, and each industry layer shows who declared it;
* :func:`add_clusters_2019`: the national SEI clusters of 2019 that geodata lists (19 of 66, named by
  city, with no coordinates), drawn per province: an outline and a circle at the province's
  representative point, with city – industry – source in the tooltip;
* :func:`add_changes`: with a reference layout (least-change re-planning, metrics.json `changes`), a thematic
  layer of the optimised map shading each region by what it changed (gave up, added, both, kept all), labelled
  with the designations added (+) and given up (−), the tooltip listing those kept, added and given up.
"""

from __future__ import annotations

import folium
from branca.colormap import linear

from layout.results.metrics import LABEL_MEMBERS, member_text, member_words
from layout.views.maps.elements import (
    DUPLICATION_COLOUR,
    HATCH,
    NATIONAL_COLOUR,
    NONE_FILL,
    Frame,
    LayoutLayer,
    add_context,
    closing_rows,
    clusters_statement,
    css_class,
    esc,
    fill_part,
    finish_map,
    lead_rows,
    legend_row,
    new_map,
    tooltip,
)
from layout.views.maps.inputs import Changes, Declared, Plan, RegionChange, Results, duplication_pairs
from layout.words import cell, plural

DECLARED_RAMP = linear.YlOrBr_09.scale(0.0, 1.0)  # type: ignore[attr-defined]  # branca sets its colour maps at run time
DECLARED_TITLE = "Declared plans (sourced)"
NO_PLAN = "no sourced plan"
SMALL_DEG2 = 25.0  # regions smaller than this (square degrees) are labelled only when zoomed in


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


# --------------------------------------------------------------------------------------------
# Inter-provincial clusters: members holding capacity, with their shares
# --------------------------------------------------------------------------------------------


LINE_MEMBERS = 3  # members a line of a group's label
TIP_MEMBERS = 12  # members listed in a group's tooltip; the rest are counted (assignment.csv lists them all)


def group_label(group: dict) -> str:
    """The label of a group's outline (`layout.views.maps.inputs.group_outlines`), escaped: each cluster as
    "Central Plains: NMAT —", then its members holding capacity, LINE_MEMBERS a line ("Hebei 35 (41 %), Shandong 35
    (41 %), Shanxi 5 (6 %),"), at most LABEL_MEMBERS named and the rest counted (the tooltip lists more). Lines keep
    the label narrow on a national map."""
    lines = []
    for c in group["clusters"]:
        items = [member_text(m) for m in c["members"][:LABEL_MEMBERS]]
        if len(c["members"]) > len(items):
            items.append(f"… and {len(c['members']) - len(items)} more")
        chunks = [", ".join(items[k : k + LINE_MEMBERS]) for k in range(0, len(items), LINE_MEMBERS)]
        lines.append(esc(f"{c['name']}: {c['industry']} —") + "<br>" + ",<br>".join(esc(chunk) for chunk in chunks))
    return "<br>".join(lines)


def group_tip(res: Results, group: dict) -> str:
    """The tooltip of a group's outline, escaped: each cluster's industry and capacity, its members holding capacity
    with their capacity and share (at most TIP_MEMBERS, the rest counted), its parts where parts hold the member
    share, and the note saying so."""
    body = []
    for c in group["clusters"]:
        ind = res.industries.get(c["industry"])
        name = f"{ind.name} ({c['industry']})" if ind else c["industry"]
        members = c["members"]
        items = [f"<li>{esc(member_text(m))}</li>" for m in members[:TIP_MEMBERS]]
        if len(members) > TIP_MEMBERS:
            items.append(f"<li>… and {len(members) - TIP_MEMBERS} more (assignment.csv lists them all)</li>")
        body.append(
            f'<div class="focus">{esc(name)}: capacity {esc(cell(c["capacity"], 1))}, '
            f"{plural(len(members), 'member')} holding capacity</div><ul>{''.join(items)}</ul>"
        )
        parts = c.get("parts") or []
        if parts:
            body.append(f'<div class="none">parts: {esc(member_words(parts))}</div>')
        if c.get("note"):
            body.append(f'<div class="none">{esc(sentence(c["note"]))}.</div>')
    return (
        f'<div class="layout-tip"><b>{esc(group["name"])}</b>: inter-provincial cluster (members: the regions '
        "holding capacity in it, with their share)" + "".join(body) + "</div>"
    )


# --------------------------------------------------------------------------------------------
# Duplications
# --------------------------------------------------------------------------------------------


def add_duplications(frame: Frame, key: str, plan: Plan, m: folium.Map) -> bool:
    """Lines between neighbours that hold the same industry outside a shared cluster; False if none."""
    res = frame.res
    pairs = duplication_pairs(res, plan)
    if not pairs:
        return False
    wmax = max(sum(w for _, w in items) for _, _, items in pairs) or 1.0
    lines = []
    for a, b, items in pairs:
        total = sum(w for _, w in items)
        listed = "".join(
            f"<br>{esc(res.industries[i].name if i in res.industries else i)} ({esc(i)}), weight {w:g}"
            for i, w in items
        )
        what = "Declared by both neighbours" if plan.role == "declared" else "Uncoordinated duplication"
        tip = (
            f'<div class="layout-tip"><b>{what}</b><br>{esc(res.units[a].name)} – '
            f"{esc(res.units[b].name)}{listed}</div>"
        )
        pa, pb = res.units[a].point, res.units[b].point
        lines.append(
            [
                round(pa[1], 4),
                round(pa[0], 4),
                round(pb[1], 4),
                round(pb[0], 4),
                round(1.5 + 3.0 * total / wmax, 2),
                tip,
            ]
        )
    name = (
        "Neighbours declaring the same industry" if plan.role == "declared" else "Uncoordinated neighbour duplications"
    )
    LayoutLayer(
        key,
        "duplications",
        name,  # the same key in every map: switched together
        [
            {
                "lines": lines,
                "pane": "layoutLines",
                "cls": "layout-duplications",
                "style": {"color": DUPLICATION_COLOUR, "opacity": 0.85},
            }
        ],
        base=False,
    ).add_to(m)
    return True


# --------------------------------------------------------------------------------------------
# Periods (optimised map)
# --------------------------------------------------------------------------------------------


def add_periods(frame: Frame, key: str, m: folium.Map) -> None:
    """One thematic layer per period: fill = lead industry then; tooltip = the region's clusters then."""
    res = frame.res
    order = {c: i for i, c in enumerate(res.industries)}
    before: dict[str, set[str]] = {}
    for n, period in enumerate(res.periods):
        plan = period.plan
        fill, head = {}, {}
        for c in res.modelled:
            lead = plan.lead(c, order)
            fill[c] = res.industries[lead].colour if lead in res.industries else NONE_FILL
            held = {r.industry for r in plan.rows.get(c, [])}
            head[c] = tooltip(
                res, plan.rows.get(c, []), c, caption=period.year, new=held - before.get(c, set()) if n else None
            )
            before[c] = held
        part = {
            "regions": res.modelled,
            "pane": "layoutFill",
            "cls": css_class(period.key),
            "style": frame.region_style,
            "fill": fill,
            "head": head,
            "tips": False,
        }
        LayoutLayer(key, period.key, f"Portfolio {esc(period.year)}", [part], base=True, show=False).add_to(m)


def period_sections(frame: Frame) -> list[str]:
    """Legend sections of the period layers (shown with their layer)."""
    res = frame.res
    order = {c: i for i, c in enumerate(res.industries)}
    out = []
    for period in res.periods:
        leads = {period.plan.lead(c, order) for c in res.modelled}
        rows = lead_rows(res, leads)
        n_rows = sum(len(v) for v in period.plan.rows.values())
        dups = period.summary.get("duplications", len(period.plan.duplications))
        facts = f"{plural(n_rows, 'cluster')}, {plural(int(dups), 'neighbour duplication')}"
        out.append(
            f'<section data-layer="{esc(period.key)}"><b>Portfolio {esc(period.year)}</b>: fill = lead '
            f"industry in {esc(period.year)} ({facts}); the tooltip lists the clusters of that period "
            '("new": not held in the period before)' + "".join(rows) + "</section>"
        )
    return out


# --------------------------------------------------------------------------------------------
# National SEI clusters of 2019 (per province)
# --------------------------------------------------------------------------------------------


def add_clusters_2019(frame: Frame, key: str, m: folium.Map, *, show: bool) -> bool:
    """Provinces hosting listed national clusters: outline, and a circle with their number; False if none."""
    res = frame.res
    by_region: dict[str, list] = {}
    for c in frame.clusters:
        by_region.setdefault(c.region, []).append(c)
    if not by_region:
        return False
    regions = [c for c in res.units if c in by_region]
    points = []
    statement = esc(sentence(clusters_statement(frame))) + "."
    for code in regions:
        items = by_region[code]
        unit = res.units[code]
        listed = "".join(f"<li>{esc(c.city)} – {esc(c.industry)} – {esc('; '.join(c.sources))}</li>" for c in items)
        province = f" ({esc(items[0].province)})" if items[0].province and items[0].province != unit.name else ""
        tip = (
            f'<div class="layout-tip layout-clusters-2019-tip"><b>{esc(unit.name)}</b>{province}: '
            f"{plural(len(items), 'national SEI cluster')} (2019) listed<br>"
            f'<span class="none">city – industry – source</span><ul>{listed}</ul>'
            f'<div class="none">{statement} Cities have no coordinates here: drawn per province.</div></div>'
        )
        points.append(
            [
                round(unit.point[1], 4),
                round(unit.point[0], 4),
                round(6.5 + 1.6 * len(items) ** 0.5, 1),
                tip,
                str(len(items)),
            ]
        )
    parts: list[dict] = [
        {
            "regions": regions,
            "pane": "layoutLines",
            "cls": "layout-clusters-2019-outline",
            "interactive": False,
            "style": {"color": NATIONAL_COLOUR, "weight": 2.2, "dashArray": "2 3", "fill": False, "opacity": 0.9},
        },
        {
            "points": points,
            "pane": "layoutPoints",
            "cls": "layout-clusters-2019",
            "labelCls": "clusters-2019",
            "style": {"color": "#ffffff", "weight": 1.5, "fillColor": NATIONAL_COLOUR, "fillOpacity": 0.9},
        },
    ]
    LayoutLayer(key, "clusters-2019", "National SEI clusters 2019 (partial list)", parts, base=False, show=show).add_to(
        m
    )
    return True


# --------------------------------------------------------------------------------------------
# Changes against the reference layout (optimised map)
# --------------------------------------------------------------------------------------------

CHANGES_NAME = "Changes against the reference"
# Fill of a region by what it changed against the reference (RegionChange.kind), with its legend words.
CHANGE_FILLS = {
    "removed": ("#e6550d", "gave up designations"),
    "added": ("#31a354", "added designations"),
    "both": ("#756bb1", "added and gave up designations"),
    "kept": ("#c6dbef", "no change: kept every designation"),
}


def _changes(res: Results) -> Changes:
    """The folder's changes (the layer is drawn only for a folder that has them)."""
    if res.changes is None:
        raise RuntimeError(f"{res.folder} has no changes against a reference layout to map")
    return res.changes


def changes_words(res: Results) -> str:
    """The changes in one line, escaped, the count first (a narrow header cuts the end): "28 changes against the
    declared plans (15 regions): 40 designations kept, 0 added, 28 removed (28 changes in 13 regions)" (the count,
    then the record's sentence), for the optimised column's header and the layer's legend."""
    ch = _changes(res)
    text = ch.text or (
        f"against the reference layout: {plural(ch.kept, 'designation')} kept, {ch.added} added, {ch.removed} removed"
    )
    return esc(f"{plural(ch.count, 'change')} {text}")


def _industry_words(res: Results, codes: tuple[str, ...]) -> str:
    """'New IT (NGIT), Bio (BIO)' (escaped), or 'none'."""
    names = [f"{res.industries[i].name if i in res.industries else i} ({i})" for i in codes]
    return esc(", ".join(names)) if names else "none"


def _changes_tip(res: Results, code: str) -> str:
    unit = res.units[code]
    head = f'<div class="layout-tip"><b>{esc(unit.name)}</b> <span class="code">({esc(code)})</span>'
    region = _changes(res).regions.get(code)
    if region is None:
        return head + '<div class="none">nothing kept, added or given up against the reference layout</div></div>'
    n = len(region.added) + len(region.removed)
    rows = "".join(
        f'<div data-change="{kind}"><b>{words}</b> ({len(codes)}): {_industry_words(res, codes)}</div>'
        for kind, words, codes in (
            ("kept", "kept", region.kept),
            ("added", "added", region.added),
            ("removed", "given up", region.removed),
        )
    )
    return head + f'<div class="focus">against the reference layout: {plural(n, "change")}</div>' + rows + "</div>"


def _change_label(region: RegionChange) -> str:
    """'+1 −2', '−2', '+1' or '' (kept all)."""
    parts = [f"+{len(region.added)}" if region.added else "", f"−{len(region.removed)}" if region.removed else ""]
    return " ".join(p for p in parts if p)


def add_changes(frame: Frame, key: str, m: folium.Map) -> None:
    """The thematic layer of the changes against the reference: fill = what each region changed (CHANGE_FILLS;
    regions with nothing kept, added or given up white), label = designations added and given up, tooltip = the
    industries kept, added and given up."""
    res = frame.res
    ch = _changes(res)
    fill = {c: CHANGE_FILLS[ch.regions[c].kind][0] if c in ch.regions else NONE_FILL for c in res.modelled}
    part = fill_part(frame, res.modelled, "changes", fill, {c: _changes_tip(res, c) for c in res.modelled})
    part["tips"] = False
    labels = [
        [round(res.units[c].point[1], 4), round(res.units[c].point[0], 4), label]
        for c, r in ch.regions.items()
        if (label := _change_label(r))
    ]
    parts = [part, {"labels": labels, "cls": "changes"}] if labels else [part]
    LayoutLayer(key, "changes", CHANGES_NAME, parts, base=True, show=False).add_to(m)


def changes_sections(frame: Frame) -> list[str]:
    """The legend section of the changes layer (shown with it)."""
    ch = _changes(frame.res)
    kinds = [r.kind for r in ch.regions.values()]
    rows = [
        legend_row(f"background:{colour}", f"{words} ({plural(kinds.count(kind), 'region')})")
        for kind, (colour, words) in CHANGE_FILLS.items()
        if kind in kinds
    ]
    rows.append(legend_row(f"background:{NONE_FILL}", "nothing kept, added or given up"))
    return [
        f'<section data-layer="changes"><b>{CHANGES_NAME}</b>: {changes_words(frame.res)}. Fill = '
        "what a region changed; label = designations added (+) and given up (−); hover for the industries"
        + "".join(rows)
        + "</section>"
    ]


# --------------------------------------------------------------------------------------------
# Declared plans: a map of their own
# --------------------------------------------------------------------------------------------


def _declared(res: Results) -> Declared:
    """The folder's declared plans (the declared map is drawn only for a folder that has them)."""
    if res.declared is None:
        raise RuntimeError(f"{res.folder} has no declared plans to map")
    return res.declared


def declared_header(res: Results) -> tuple[str, str]:
    """(title, subtitle) of the declared map's column in the page header (escaped)."""
    d = _declared(res)
    return (
        esc(DECLARED_TITLE),
        f"{esc(sentence(d.coverage))} · {plural(len(d.plan.duplications), 'neighbour duplication')}",
    )


def _declared_tooltip(res: Results, code: str) -> str:
    d = _declared(res)
    unit = res.units[code]
    head = f'<div class="layout-tip"><b>{esc(unit.name)}</b> <span class="code">({esc(code)})</span>'
    if code not in d.covered:
        return (
            head + f'<div class="focus no-plan">{NO_PLAN}</div><div class="none">No plan with a source was '
            "found for this province; nothing is filled in.</div></div>"
        )
    rows = sorted(d.plan.rows.get(code, []), key=lambda r: r.industry)
    body = ['<div class="focus">declared SEI priorities (declared, no capacity stated)</div>']
    if rows:
        body.append(
            "<ul>"
            + "".join(
                f'<li data-industry="{esc(r.industry)}">{esc(res.industries[r.industry].name)} ({esc(r.industry)})</li>'
                for r in rows
            )
            + "</ul>"
        )
    else:
        body.append('<div class="none">none that maps to an industry of this scenario</div>')
    for i, priorities in sorted(d.not_laid_out.get(code, {}).items()):
        body.append(
            f'<div class="not-laid-out">declared, but not laid out in this scenario: {esc("、".join(priorities))} '
            f"— {esc(d.reasons.get(i, i))}</div>"
        )
    unmapped = d.unmapped.get(code)
    if unmapped:
        body.append(
            f'<div class="unmapped">also declared, not mapped to an industry of the scenario: '
            f"{esc('、'.join(unmapped))}</div>"
        )
    return head + "".join(body) + "</div>"


def declared_map(frame: Frame, index: int) -> folium.Map:
    """The declared plans, synchronised with the other maps (same layer keys where they mean the same)."""
    res, d, key = frame.res, _declared(frame.res), "declared"
    m = new_map(frame, key, index, {c: _declared_tooltip(res, c) for c in res.modelled})
    held = {c: sorted({r.industry for r in rows}) for c, rows in d.plan.rows.items()}
    top = max((len(v) for v in held.values()), default=0)

    def count_fill(c: str) -> str:
        if c not in d.covered:
            return HATCH
        n = len(held.get(c, []))
        return DECLARED_RAMP.rgb_hex_str(0.15 + 0.85 * (n - 1) / max(top - 1, 1)) if n else NONE_FILL

    first = frame.bases[0]
    for bkey in frame.bases:
        if bkey == "portfolio":
            fill = {c: count_fill(c) for c in res.modelled}
            name, head = "Declared priorities (number of industries)", None
        else:
            ind = res.industries[bkey]
            fill, head = {}, {}
            for c in res.modelled:
                if c not in d.covered:
                    fill[c], state = HATCH, NO_PLAN
                elif bkey in held.get(c, []):
                    fill[c], state = ind.colour, "declared"
                else:
                    fill[c], state = NONE_FILL, "not declared"
                head[c] = f'<div class="focus">{esc(ind.name)} ({esc(bkey)}): {state}</div>'
            name = f"{esc(ind.name)} ({esc(bkey)}): declared"
        part = fill_part(frame, res.modelled, bkey, fill, head)
        LayoutLayer(key, bkey, name, [part], base=True, show=bkey == first).add_to(m)

    add_context(frame, key, m)
    drawn = []
    if d.not_covered:
        labels = [
            [
                round(res.units[c].point[1], 4),
                round(res.units[c].point[0], 4),
                NO_PLAN,
                "small" if res.units[c].geom.area < SMALL_DEG2 else "",
            ]
            for c in d.not_covered
            if c in res.units
        ]
        LayoutLayer(
            key, "no-plan", "Labels: no sourced plan", [{"labels": labels, "cls": "no-plan"}], base=False
        ).add_to(m)
    if "duplications" in frame.overlays and add_duplications(frame, key, d.plan, m):
        drawn.append("duplications")
    if "clusters-2019" in frame.overlays and add_clusters_2019(frame, key, m, show=True):
        drawn.append("clusters-2019")
    return finish_map(m, key, _declared_legend(frame, held, top, drawn), collapsed=frame.panels >= 3)


def _declared_legend(frame: Frame, held: dict[str, list[str]], top: int, drawn: list[str]) -> str:
    res, d = frame.res, _declared(frame.res)
    out = [
        f'<details open><summary title="fold / unfold the legend">{esc(DECLARED_TITLE)}</summary>'
        f'<div class="coverage">{esc(sentence(d.coverage))}.</div>'
    ]
    for key in frame.bases:
        if key == "portfolio":
            rows = [
                legend_row(
                    f"background:{DECLARED_RAMP.rgb_hex_str(0.15 + 0.85 * (n - 1) / max(top - 1, 1))}",
                    f"{n} {'industry' if n == 1 else 'industries'}",
                )
                for n in range(1, top + 1)
            ]
            if any(c in d.covered and not held.get(c) for c in res.modelled):
                rows.append(legend_row(f"background:{NONE_FILL}", "sourced plan, no industry of this scenario"))
            out.append(
                '<section data-layer="portfolio"><b>Declared priorities</b>: fill = number of the '
                "scenario's industries a province declared; hover for the list" + "".join(rows) + "</section>"
            )
        else:
            ind = res.industries[key]
            out.append(
                f'<section data-layer="{esc(key)}"><b>{esc(ind.name)} ({esc(key)})</b>'
                + legend_row(f"background:{ind.colour}", "declared")
                + legend_row(f"background:{NONE_FILL}", "not declared (sourced plan)")
                + "</section>"
            )
    always = [
        legend_row("", f"{NO_PLAN}: hatched, nothing filled in ({len(d.not_covered)} provinces)", kind="sw hatch")
    ]
    if "duplications" in drawn:
        how = " (neighbours: shared boundaries)" if d.derived_duplications else ""
        always.append(
            legend_row(
                f"border-color:{DUPLICATION_COLOUR}",
                f"neighbours declaring the same industry: {len(d.plan.duplications)}{how}",
                "ln",
                "duplications",
            )
        )
    out.append('<div class="always">' + "".join(always + closing_rows(frame, drawn)) + "</div>")
    out.append(
        '<div class="note">Declared plans state no capacity: each declared industry counts once.</div></details>'
    )
    return "".join(out)
