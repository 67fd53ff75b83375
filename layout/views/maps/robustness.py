"""The robustness map of a sweep: how often each region is designated, over the solved points.

A sweep folder DIR (``layout sweep``, :mod:`layout.batch.sweep`) holds ``sweep.csv`` (one row per point),
``robustness.csv`` (per region and industry: ``points_solved``, ``points_designated``,
``share_designated``, …) and ``points/<id>/`` (each point's results folder); the names are
:mod:`layout.results.folder`'s. :func:`render_robustness_map` draws one page from them, built from the same
parts as the layout maps (:mod:`layout.views.maps.elements`): Leaflet inlined, no tile layer, the geometry
embedded once, every text from the data escaped.

* thematic layers (radio buttons): "designated for anything" (the share of solved points in which the
  region hosts at least one cluster, counted from the points' ``assignment.csv``) and one layer per
  industry (``share_designated`` of robustness.csv), all on one 0–100 % colour scale with a legend;
* tooltips: the region's share for every industry, and for anything, out of the number of solved points;
* always: units not modelled in grey and the South China Sea dashed line, as in the layout maps.

A point is solved when ``points/<id>/metrics.json`` exists (as :func:`layout.batch.sweep.robustness` counts);
the geometry is the first solved point's ``layout.geojson``. :func:`layout.views.maps.render.write_robustness_map`
writes the page. A folder or file that is not right is an InputError naming it (and the line). Nothing here
imports the model or the solver.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import shapely

from layout.errors import InputError, Problem
from layout.results.folder import (
    ASSIGNMENT_CSV,
    LAYOUT_GEOJSON,
    METRICS_JSON,
    POINTS_DIR,
    ROBUSTNESS_CSV,
    SWEEP_CSV,
    read_metrics,
    require,
)
from layout.results.tables import read_csv, read_csv_lines
from layout.views.maps.elements import (
    NONE_FILL,
    RAMP,
    RAMP_START,
    Frame,
    LayoutLayer,
    add_context,
    closing_rows,
    css_class,
    esc,
    finish_map,
    legend_row,
    new_map,
    ramp_colour,
    render_page,
)
from layout.views.maps.inputs import PALETTE, Industry, Results, Unit, read_sea, read_table, read_units
from layout.words import plural

SWEEP_FOLDER = "a sweep folder written by `layout sweep`"
ROBUSTNESS_COLUMNS = ("region_code", "region_name", "industry", "industry_name")
ROBUSTNESS_NUMBERS = ("points_solved", "points_designated", "share_designated")
ANY = "any"  # layer key of "designated for anything"
ROLE = "robustness"  # the page's one map
_RESERVED = {ANY, "context"}


def is_sweep_folder(folder: Path) -> bool:
    """Whether ``folder`` is a sweep folder (``robustness.csv`` and ``sweep.csv`` in it)."""
    folder = Path(folder)
    return (folder / ROBUSTNESS_CSV).is_file() and (folder / SWEEP_CSV).is_file()


def fmt_share(share: float) -> str:
    """How shares are written in tooltips and legends: a percentage with one decimal."""
    return f"{100 * share:.1f} %"


@dataclass
class Sweep:
    """What the robustness map shows."""

    folder: Path
    scenario: str
    points: int  # rows of sweep.csv
    solved: list[str]  # ids of the solved points, in table order
    res: Results  # units (first solved point's geometry) and industries; no plans
    share: dict[tuple[str, str], float]  # (region, industry) -> share_designated (robustness.csv)
    designated: dict[tuple[str, str], int]  # (region, industry) -> points_designated
    any_count: dict[str, int]  # region -> solved points in which it hosts at least one cluster

    def any_share(self, region: str) -> float:
        return self.any_count.get(region, 0) / len(self.solved)


def load_sweep(sweep_dir: Path) -> Sweep:
    """Read a sweep folder. InputError naming the folder or file (and line) for a folder that is not a sweep
    folder or has no solved point, and for a table that is bad or stale."""
    folder = require(Path(sweep_dir), ROBUSTNESS_CSV, SWEEP_CSV, what=SWEEP_FOLDER)
    table = read_csv(folder / SWEEP_CSV, ("point",))
    ids = [p.strip() for p in table["point"]]
    solved = [p for p in ids if (folder / POINTS_DIR / p / METRICS_JSON).is_file()]
    if not solved:
        raise InputError(
            Problem(
                str(folder),
                None,
                "",
                f"{SWEEP_FOLDER}, with a solved point ({POINTS_DIR}/<id>/{METRICS_JSON}) to map",
                f"no solved point among its {plural(len(ids), 'point')}",
            )
        )
    first = require(
        folder / POINTS_DIR / solved[0],
        LAYOUT_GEOJSON,
        what="the first solved point's results folder, the map's geometry",
    )
    units = read_units(first / LAYOUT_GEOJSON)

    path = folder / ROBUSTNESS_CSV
    rob, lines = read_csv_lines(path, ROBUSTNESS_COLUMNS, ROBUSTNESS_NUMBERS)
    share: dict[tuple[str, str], float] = {}
    designated: dict[tuple[str, str], int] = {}
    names: dict[str, str] = {}
    for line, rec in zip(lines, rob.to_dict("records")):
        region, industry = rec["region_code"].strip(), rec["industry"].strip()
        for column in ROBUSTNESS_NUMBERS:
            if not math.isfinite(rec[column]):
                raise InputError(Problem(str(path), line, column, "a finite number", str(rec[column])))
        if rec["points_solved"] != len(solved):
            raise InputError(
                Problem(
                    str(path),
                    line,
                    "points_solved",
                    f"{len(solved)}, the solved points in {folder} (the table is stale: rerun `layout sweep` to "
                    "refresh it)",
                    f"{rec['points_solved']:g}",
                )
            )
        if region not in units:
            raise InputError(Problem(str(path), line, "region_code", f"a region of {first / LAYOUT_GEOJSON}", region))
        if not units[region].modelled:
            continue  # a region not modelled is drawn as context
        share[region, industry] = rec["share_designated"]
        designated[region, industry] = int(rec["points_designated"])
        names.setdefault(industry, rec["industry_name"] or industry)
        u = units[region]
        if u.name == region and rec["region_name"]:
            units[region] = Unit(u.code, rec["region_name"], u.modelled, u.geom, u.point)

    metrics = read_metrics(first)
    order = [str(i.get("code", "")) for i in metrics.get("industries") or [] if isinstance(i, dict)]
    codes = [c for c in order if c in names] + sorted(c for c in names if c not in order)
    clash = [c for c in codes if c.lower() in _RESERVED]
    if clash:
        raise ValueError(
            f"industry code(s) {', '.join(clash)} clash with the map's layer names "
            f"({', '.join(sorted(_RESERVED))}); rename the industry"
        )
    industries = {c: Industry(c, names[c], "", PALETTE[n % len(PALETTE)]) for n, c in enumerate(codes)}

    any_count: dict[str, int] = {}
    for pid in solved:
        rows, _, _ = read_table(folder / POINTS_DIR / pid / ASSIGNMENT_CSV)
        for region in {r.region for r in rows}:
            any_count[region] = any_count.get(region, 0) + 1

    scenario = str((metrics.get("scenario") or {}).get("name") or folder.name)
    scenario = re.sub(rf"\s*\[{re.escape(solved[0])}\]$", "", scenario)  # the point's name: "<scenario> [p000]"
    res = Results(folder, scenario, industries, units, {}, {})
    return Sweep(folder, scenario, len(ids), solved, res, share, designated, any_count)


def _tooltip(sw: Sweep, code: str) -> str:
    """A region's shares: for anything, then per industry, out of the solved points."""
    n = len(sw.solved)
    unit = sw.res.units[code]
    k = sw.any_count.get(code, 0)
    rows = [
        f'<tr class="any" data-industry=""><td class="industry">anything</td>'
        f'<td class="cap share" data-share="{k / n:.6g}">{fmt_share(k / n)}</td>'
        f'<td class="cap points">{k} of {n}</td></tr>'
    ]
    for ind in sw.res.industries.values():
        s, d = sw.share.get((code, ind.code), 0.0), sw.designated.get((code, ind.code), 0)
        rows.append(
            f'<tr data-industry="{esc(ind.code)}"><td class="industry">{esc(ind.name)} ({esc(ind.code)})</td>'
            f'<td class="cap share" data-share="{s:.6g}">{fmt_share(s)}</td>'
            f'<td class="cap points">{d} of {n}</td></tr>'
        )
    return (
        f'<div class="layout-tip"><b>{esc(unit.name)}</b> <span class="code">({esc(code)})</span>'
        f"<table><tr><th>Designated for</th><th>Share</th><th>Points</th></tr>{''.join(rows)}</table>"
        f'<div class="none solved">out of {plural(n, "solved point")}</div></div>'
    )


def _legend(sw: Sweep, frame: Frame) -> str:
    n = len(sw.solved)
    stops = ", ".join(RAMP.rgb_hex_str(RAMP_START + (1 - RAMP_START) * i / 8) for i in range(9))
    scale = (
        f'<div class="ramp" style="background:linear-gradient(to right, {stops})"></div>'
        '<div class="ticks"><span>&gt; 0 %</span><span>50 %</span><span>100 %</span></div>'
        + legend_row(f"background:{NONE_FILL}", "never (0 %)")
    )
    out = ['<details open><summary title="fold / unfold the legend">Robustness over the sweep</summary>']
    for key in frame.bases:
        what = (
            "<b>Designated for anything</b>: share of the solved points in which the region hosts at least one cluster"
            if key == ANY
            else f"<b>{esc(sw.res.industries[key].name)} ({esc(key)})</b>: share of the solved points in which "
            "the region is designated for it"
        )
        out.append(f'<section data-layer="{esc(key)}">{what}{scale}</section>')
    out.append('<div class="always">' + "".join(closing_rows(frame)) + "</div>")
    out.append(
        f'<div class="note">Scenario: {esc(sw.scenario)} · {n} of {plural(sw.points, "point")} solved</div></details>'
    )
    return "".join(out)


def render_robustness_map(sweep_dir: Path, tiles: str | None = None) -> str:
    """The robustness page of a sweep folder as an HTML string (see :func:`layout.views.maps.render.write_robustness_map`)."""
    sw = load_sweep(Path(sweep_dir))
    res, n = sw.res, len(sw.solved)
    sea = read_sea()
    bases = [ANY, *res.industries]
    frame = Frame(
        res,
        bases,
        [],
        {},
        tuple(shapely.total_bounds([u.geom for u in res.units.values()])),
        tiles,
        sea is not None,
        1,
        [],
    )
    modelled = res.modelled
    m = new_map(frame, ROLE, 0, {c: _tooltip(sw, c) for c in modelled})
    for key in bases:
        if key == ANY:
            shares = {c: sw.any_share(c) for c in modelled}
            name, label = "Designated for anything", "designated for anything"
        else:
            ind = res.industries[key]
            shares = {c: sw.share.get((c, key), 0.0) for c in modelled}
            name = label = f"{esc(ind.name)} ({esc(key)})"
        part = {
            "regions": modelled,
            "pane": "layoutFill",
            "cls": css_class(key),
            "style": frame.region_style,
            "fill": {c: ramp_colour(shares[c], 1.0) for c in modelled},
            "head": {
                c: f'<div class="focus">{label}: {fmt_share(shares[c])} of {plural(n, "solved point")}</div>'
                for c in modelled
            },
        }
        LayoutLayer(ROLE, key, name, [part], base=True, show=key == ANY).add_to(m)
    add_context(frame, ROLE, m)
    finish_map(m, ROLE, _legend(sw, frame), collapsed=False)
    title = f"{sw.scenario}: how often each region is designated over the sweep"
    sub = f"{esc(sw.scenario)} · {n} of {plural(sw.points, 'point')} solved · {esc(sw.folder.name)}"
    return render_page(
        title, [(ROLE, "Robustness: share of solved points designating each region", sub)], [m], res.units, sea
    )
