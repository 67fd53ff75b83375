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

from layout.language import current, marked, tr, translate, trn
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
    joined,
    lead_rows,
    legend_row,
    named_code,
    new_map,
    tooltip,
)
from layout.views.maps.inputs import Changes, Declared, Plan, RegionChange, Results, duplication_pairs
from layout.words import cell, plural

DECLARED_RAMP = linear.YlOrBr_09.scale(0.0, 1.0)  # type: ignore[attr-defined]  # branca sets its colour maps at run time
DECLARED_TITLE = marked("Declared plans (sourced)")
NO_PLAN = marked("no sourced plan")
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
            items.append(tr("… and {n} more", n=len(c["members"]) - len(items)))
        chunks = [joined(items[k : k + LINE_MEMBERS]) for k in range(0, len(items), LINE_MEMBERS)]
        comma = "、" if current() == "zh" else ","
        lines.append(
            tr("{name}: {industry} —", name=esc(c["name"]), industry=esc(c["industry"]))
            + "<br>"
            + f"{comma}<br>".join(esc(chunk) for chunk in chunks)
        )
    return "<br>".join(lines)


def group_tip(res: Results, group: dict) -> str:
    """The tooltip of a group's outline, escaped: each cluster's industry and capacity, its members holding capacity
    with their capacity and share (at most TIP_MEMBERS, the rest counted), its parts where parts hold the member
    share, and the note saying so."""
    body = []
    for c in group["clusters"]:
        ind = res.industries.get(c["industry"])
        name = named_code(ind.name, c["industry"]) if ind else esc(c["industry"])
        members = c["members"]
        items = [f"<li>{esc(member_text(m))}</li>" for m in members[:TIP_MEMBERS]]
        if len(members) > TIP_MEMBERS:
            items.append(
                "<li>" + tr("… and {n} more (assignment.csv lists them all)", n=len(members) - TIP_MEMBERS) + "</li>"
            )
        focus = trn(
            "{name}: capacity {capacity}, {n} member holding capacity",
            "{name}: capacity {capacity}, {n} members holding capacity",
            len(members),
            name=name,
            capacity=esc(cell(c["capacity"], 1)),
        )
        body.append(f'<div class="focus">{focus}</div><ul>{"".join(items)}</ul>')
        parts = c.get("parts") or []
        if parts:
            body.append(f'<div class="none">{tr("parts: {parts}", parts=esc(member_words(parts)))}</div>')
        if c.get("note"):
            body.append(f'<div class="none">{tr("{sentence}.", sentence=esc(sentence(c["note"])))}</div>')
    title = tr(
        "{name}: inter-provincial cluster (members: the regions holding capacity in it, with their share)",
        name=f"<b>{esc(group['name'])}</b>",
    )
    return f'<div class="layout-tip">{title}' + "".join(body) + "</div>"


# --------------------------------------------------------------------------------------------
# Duplications
# --------------------------------------------------------------------------------------------


def _line_width(weight: float, wmax: float) -> float:
    """Width of a duplication line (px) for its weight, the widest pair's being wmax."""
    return round(1.5 + 3.0 * weight / wmax, 2)


def duplication_tips(res: Results, plan: Plan) -> dict[str, str]:
    """The end of each region's tooltip (HTML): its neighbours holding the same industry outside a shared cluster,
    with the industries and weights (the lines themselves take no mouse: a region's tooltip is never hidden)."""
    by_region: dict[str, list[str]] = {}
    for a, b, items in duplication_pairs(res, plan):
        listed = joined(
            tr(
                "{industry}, weight {weight}",
                industry=named_code(res.industries[i].name, i) if i in res.industries else esc(i),
                weight=f"{w:g}",
            )
            for i, w in items
        )
        for here, there in ((a, b), (b, a)):
            by_region.setdefault(here, []).append(
                f"<li>{tr('{neighbour}: {industries}', neighbour=esc(res.units[there].name), industries=listed)}</li>"
            )
    what = tr("Declared by both neighbours") if plan.role == "declared" else tr("Uncoordinated duplication")
    return {c: f'<div class="dups"><b>{what}</b><ul>{"".join(rows)}</ul></div>' for c, rows in by_region.items()}


def add_duplications(frame: Frame, key: str, plan: Plan, m: folium.Map) -> bool:
    """Lines between neighbours that hold the same industry outside a shared cluster; False if none. The lines take
    no mouse (the regions' tooltips list them: `duplication_tips`) and follow the thematic layer: on an industry's
    layer only that industry's lines are drawn, as wide as its weight alone."""
    res = frame.res
    pairs = duplication_pairs(res, plan)
    if not pairs:
        return False
    wmax = max(sum(w for _, w in items) for _, _, items in pairs) or 1.0
    lines = []
    for a, b, items in pairs:
        total = sum(w for _, w in items)
        by: dict[str, float] = {}
        for i, w in items:
            by[i] = by.get(i, 0.0) + w
        pa, pb = res.units[a].point, res.units[b].point
        lines.append(
            [
                round(pa[1], 4),
                round(pa[0], 4),
                round(pb[1], 4),
                round(pb[0], 4),
                _line_width(total, wmax),
                {i: _line_width(w, wmax) for i, w in by.items()},
            ]
        )
    name = (
        tr("Neighbours declaring the same industry")
        if plan.role == "declared"
        else tr("Uncoordinated neighbour duplications")
    )
    LayoutLayer(
        key,
        "duplications",
        esc(name),  # the same key in every map: switched together
        [
            {
                "lines": lines,
                "pane": "layoutLines",
                "cls": "layout-duplications",
                "interactive": False,
                "filter": list(res.industries),
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
        name = tr("Portfolio {year}", year=esc(period.year))
        LayoutLayer(key, period.key, name, [part], base=True, show=False).add_to(m)


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
        text = tr(
            "{title}: fill = lead industry in {year} ({clusters}, {duplications}); the tooltip lists the clusters of "
            'that period ("new": not held in the period before)',
            title=f"<b>{tr('Portfolio {year}', year=esc(period.year))}</b>",
            year=esc(period.year),
            clusters=plural(n_rows, "cluster"),
            duplications=plural(int(dups), "neighbour duplication"),
        )
        out.append(f'<section data-layer="{esc(period.key)}">{text}' + "".join(rows) + "</section>")
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
    statement = tr("{sentence}.", sentence=esc(sentence(clusters_statement(frame))))
    for code in regions:
        items = by_region[code]
        unit = res.units[code]
        listed = "".join(f"<li>{esc(c.city)} – {esc(c.industry)} – {esc('; '.join(c.sources))}</li>" for c in items)
        region, clusters = f"<b>{esc(unit.name)}</b>", plural(len(items), "national SEI cluster")
        if items[0].province and items[0].province != unit.name:
            head = tr(
                "{region} ({province}): {clusters} (2019) listed",
                region=region,
                province=esc(items[0].province),
                clusters=clusters,
            )
        else:
            head = tr("{region}: {clusters} (2019) listed", region=region, clusters=clusters)
        tip = (
            f'<div class="layout-tip layout-clusters-2019-tip">{head}<br>'
            f'<span class="none">{tr("city – industry – source")}</span><ul>{listed}</ul>'
            f'<div class="none">{statement} {tr("Cities have no coordinates here: drawn per province.")}</div></div>'
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
    name = tr("National SEI clusters 2019 (partial list)")
    LayoutLayer(key, "clusters-2019", esc(name), parts, base=False, show=show).add_to(m)
    return True


# --------------------------------------------------------------------------------------------
# Changes against the reference layout (optimised map)
# --------------------------------------------------------------------------------------------

CHANGES_NAME = marked("Changes against the reference")
# Fill of a region by what it changed against the reference (RegionChange.kind), with its legend words.
CHANGE_FILLS = {
    "removed": ("#e6550d", marked("gave up designations")),
    "added": ("#31a354", marked("added designations")),
    "both": ("#756bb1", marked("added and gave up designations")),
    "kept": ("#c6dbef", marked("no change: kept every designation")),
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
    text = ch.text or tr(
        "against the reference layout: {kept} kept, {added} added, {removed} removed",
        kept=plural(ch.kept, "designation"),
        added=ch.added,
        removed=ch.removed,
    )
    return esc(tr("{changes} {text}", changes=plural(ch.count, "change"), text=text))


def _industry_words(res: Results, codes: tuple[str, ...]) -> str:
    """'New IT (NGIT), Bio (BIO)' (escaped), or 'none'."""
    names = [named_code(res.industries[i].name if i in res.industries else i, i) for i in codes]
    return joined(names) if names else tr("none")


def _changes_tip(res: Results, code: str) -> str:
    unit = res.units[code]
    head = f'<div class="layout-tip"><b>{esc(unit.name)}</b> <span class="code">{tr("({name})", name=esc(code))}</span>'
    region = _changes(res).regions.get(code)
    if region is None:
        nothing = tr("nothing kept, added or given up against the reference layout")
        return head + f'<div class="none">{nothing}</div></div>'
    n = len(region.added) + len(region.removed)
    rows = "".join(
        f'<div data-change="{kind}">'
        + tr("{what} ({n}): {industries}", what=f"<b>{words}</b>", n=len(codes), industries=_industry_words(res, codes))
        + "</div>"
        for kind, words, codes in (
            ("kept", tr("kept"), region.kept),
            ("added", tr("added"), region.added),
            ("removed", tr("given up"), region.removed),
        )
    )
    focus = tr("against the reference layout: {changes}", changes=plural(n, "change"))
    return head + f'<div class="focus">{focus}</div>' + rows + "</div>"


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
    LayoutLayer(key, "changes", esc(translate(CHANGES_NAME)), parts, base=True, show=False).add_to(m)


def changes_sections(frame: Frame) -> list[str]:
    """The legend section of the changes layer (shown with it)."""
    ch = _changes(frame.res)
    kinds = [r.kind for r in ch.regions.values()]
    rows = [
        legend_row(
            f"background:{colour}",
            tr("{what} ({regions})", what=translate(words), regions=plural(kinds.count(kind), "region")),
        )
        for kind, (colour, words) in CHANGE_FILLS.items()
        if kind in kinds
    ]
    rows.append(legend_row(f"background:{NONE_FILL}", tr("nothing kept, added or given up")))
    text = tr(
        "{title}: {changes}. Fill = what a region changed; label = designations added (+) and given up (−); hover "
        "for the industries",
        title=f"<b>{translate(CHANGES_NAME)}</b>",
        changes=changes_words(frame.res),
    )
    return [f'<section data-layer="changes">{text}' + "".join(rows) + "</section>"]


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
        esc(translate(DECLARED_TITLE)),
        f"{esc(sentence(d.coverage))} · {plural(len(d.plan.duplications), 'neighbour duplication')}",
    )


def _declared_tooltip(res: Results, code: str, dups: str = "") -> str:
    """A province's declared priorities (and, `dups`, its neighbours declaring the same industry), escaped."""
    d = _declared(res)
    unit = res.units[code]
    head = f'<div class="layout-tip"><b>{esc(unit.name)}</b> <span class="code">{tr("({name})", name=esc(code))}</span>'
    if code not in d.covered:
        none = tr("No plan with a source was found for this province; nothing is filled in.")
        return head + f'<div class="focus no-plan">{translate(NO_PLAN)}</div><div class="none">{none}</div>{dups}</div>'
    rows = sorted(d.plan.rows.get(code, []), key=lambda r: r.industry)
    body = [f'<div class="focus">{tr("declared SEI priorities (declared, no capacity stated)")}</div>']
    if rows:
        body.append(
            "<ul>"
            + "".join(
                f'<li data-industry="{esc(r.industry)}">{named_code(res.industries[r.industry].name, r.industry)}</li>'
                for r in rows
            )
            + "</ul>"
        )
    else:
        body.append(f'<div class="none">{tr("none that maps to an industry of this scenario")}</div>')
    for i, priorities in sorted(d.not_laid_out.get(code, {}).items()):
        text = tr(
            "declared, but not laid out in this scenario: {priorities} — {reason}",
            priorities=esc("、".join(priorities)),
            reason=esc(d.reasons.get(i, i)),
        )
        body.append(f'<div class="not-laid-out">{text}</div>')
    unmapped = d.unmapped.get(code)
    if unmapped:
        text = tr(
            "also declared, not mapped to an industry of the scenario: {priorities}",
            priorities=esc("、".join(unmapped)),
        )
        body.append(f'<div class="unmapped">{text}</div>')
    return head + "".join(body) + dups + "</div>"


def declared_map(frame: Frame, index: int) -> folium.Map:
    """The declared plans, synchronised with the other maps (same layer keys where they mean the same)."""
    res, d, key = frame.res, _declared(frame.res), "declared"
    dups = duplication_tips(res, d.plan) if "duplications" in frame.overlays else {}
    m = new_map(frame, key, index, {c: _declared_tooltip(res, c, dups.get(c, "")) for c in res.modelled})
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
            name, head = esc(tr("Declared priorities (number of industries)")), None
        else:
            ind = res.industries[bkey]
            fill, head = {}, {}
            for c in res.modelled:
                if c not in d.covered:
                    fill[c], state = HATCH, translate(NO_PLAN)
                elif bkey in held.get(c, []):
                    fill[c], state = ind.colour, tr("declared")
                else:
                    fill[c], state = NONE_FILL, tr("not declared")
                head[c] = (
                    f'<div class="focus">{tr("{industry}: {state}", industry=named_code(ind.name, bkey), state=state)}</div>'
                )
            name = tr("{industry}: declared", industry=named_code(ind.name, bkey))
        part = fill_part(frame, res.modelled, bkey, fill, head)
        LayoutLayer(key, bkey, name, [part], base=True, show=bkey == first).add_to(m)

    add_context(frame, key, m)
    drawn = []
    if d.not_covered:
        labels = [
            [
                round(res.units[c].point[1], 4),
                round(res.units[c].point[0], 4),
                esc(translate(NO_PLAN)),
                "small" if res.units[c].geom.area < SMALL_DEG2 else "",
            ]
            for c in d.not_covered
            if c in res.units
        ]
        LayoutLayer(
            key, "no-plan", esc(tr("Labels: no sourced plan")), [{"labels": labels, "cls": "no-plan"}], base=False
        ).add_to(m)
    if "duplications" in frame.overlays and add_duplications(frame, key, d.plan, m):
        drawn.append("duplications")
    if "clusters-2019" in frame.overlays and add_clusters_2019(frame, key, m, show=True):
        drawn.append("clusters-2019")
    return finish_map(m, key, _declared_legend(frame, held, top, drawn))


def _declared_legend(frame: Frame, held: dict[str, list[str]], top: int, drawn: list[str]) -> str:
    res, d = frame.res, _declared(frame.res)
    out = [
        f'<details open><summary title="{tr("fold / unfold the legend")}">{esc(translate(DECLARED_TITLE))}</summary>'
        f'<div class="coverage">{tr("{sentence}.", sentence=esc(sentence(d.coverage)))}</div>'
    ]
    for key in frame.bases:
        if key == "portfolio":
            rows = [
                legend_row(
                    f"background:{DECLARED_RAMP.rgb_hex_str(0.15 + 0.85 * (n - 1) / max(top - 1, 1))}",
                    trn("{n} industry", "{n} industries", n),
                )
                for n in range(1, top + 1)
            ]
            if any(c in d.covered and not held.get(c) for c in res.modelled):
                rows.append(legend_row(f"background:{NONE_FILL}", tr("sourced plan, no industry of this scenario")))
            text = tr(
                "{title}: fill = number of the scenario's industries a province declared; hover for the list",
                title=f"<b>{tr('Declared priorities')}</b>",
            )
            out.append(f'<section data-layer="portfolio">{text}' + "".join(rows) + "</section>")
        else:
            ind = res.industries[key]
            out.append(
                f'<section data-layer="{esc(key)}"><b>{named_code(ind.name, key)}</b>'
                + legend_row(f"background:{ind.colour}", tr("declared"))
                + legend_row(f"background:{NONE_FILL}", tr("not declared (sourced plan)"))
                + "</section>"
            )
    hatched = tr(
        "{no_plan}: hatched, nothing filled in ({n} provinces)", no_plan=translate(NO_PLAN), n=len(d.not_covered)
    )
    always = [legend_row("", hatched, kind="sw hatch")]
    if "duplications" in drawn:
        n = len(d.plan.duplications)
        text = (
            tr("neighbours declaring the same industry: {n} (neighbours: shared boundaries)", n=n)
            if d.derived_duplications
            else tr("neighbours declaring the same industry: {n}", n=n)
        )
        always.append(legend_row(f"border-color:{DUPLICATION_COLOUR}", text, "ln", "duplications"))
    out.append('<div class="always">' + "".join(always + closing_rows(frame, drawn)) + "</div>")
    note = tr("Declared plans state no capacity: each declared industry counts once.")
    out.append(f'<div class="note">{note}</div></details>')
    return "".join(out)
