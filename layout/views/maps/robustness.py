"""The robustness map: how often each region is designated, over a sweep's solved points or over near-optimal layouts.

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

The same page shades a near-optimal alternatives folder (``layout alternatives``, :mod:`layout.batch.alternatives`):
its ``alternatives.csv`` counts, per region and industry, the layouts (the optimum and each alternative solved)
designating it (``layouts``, ``layouts_designated``, ``share_designated``), and ``alternatives_metrics.csv`` lists
the layouts (``optimum/``, ``alternatives/a01/`` …). :func:`load_shares` reads either kind; `Counted` says which
columns count what, and in which words; :func:`render_alternatives_map` draws the alternatives' page.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import shapely

from layout.errors import InputError, Problem
from layout.language import marked, tr, translate, trn
from layout.results.folder import (
    ALTERNATIVES_CSV,
    ALTERNATIVES_DIR,
    ALTERNATIVES_METRICS_CSV,
    ASSIGNMENT_CSV,
    LAYOUT_GEOJSON,
    METRICS_JSON,
    OPTIMUM_DIR,
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
    Tiles,
    add_context,
    closing_rows,
    css_class,
    esc,
    finish_map,
    legend_row,
    named_code,
    new_map,
    ramp_colour,
    render_page,
)
from layout.views.maps.inputs import PALETTE, Industry, Results, Unit, read_sea, read_table, read_units
from layout.words import plural

SWEEP_FOLDER = "a sweep folder written by `layout sweep`"
ALTERNATIVES_FOLDER = "an alternatives folder written by `layout alternatives`"
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


@dataclass(frozen=True)
class Counted:
    """How a share table counts and how the page says it: its columns (layouts counted, designating, share), the
    noun of one layout counted, the unit of the table's rows, what the shares range over, and how to refresh it."""

    total: str
    designated: str
    share: str
    noun: str  # "solved point": "share of the solved points", "out of 4 solved points"
    unit: str  # "point": "4 of 5 points solved"
    over: str  # "the sweep": "how often each region is designated over the sweep" (the page title)
    rerun: str  # the command that refreshes a stale table
    first: str  # what the first layout's folder is to the page
    heading: str  # the map's heading before ": share of … designating each region"
    legend: str  # the legend's title


SWEEP_COUNTS = Counted(
    *ROBUSTNESS_NUMBERS,
    "solved point",
    "point",
    "the sweep",
    "layout sweep",
    "the first solved point's results folder, the map's geometry",
    marked("Robustness"),
    marked("Robustness over the sweep"),
)
ALTERNATIVE_COUNTS = Counted(
    "layouts",
    "layouts_designated",
    "share_designated",
    "layout",
    "layout",
    "the optimum and its near-optimal alternatives",
    "layout alternatives",
    "the optimum's results folder, the map's geometry",
    marked("Near-optimal alternatives"),
    marked("How often designated, over the optimum and its near-optimal alternatives"),
)
# The page's words for the layouts counted (Counted.noun, .unit): plural nouns, and counts of them.
NOUNS = {
    "solved point": marked("solved points"),
    "point": marked("points"),
    "layout": marked("layouts"),
    "distinct layout": marked("distinct layouts"),
}
OVER = {
    "the sweep": marked("the sweep"),
    "the optimum and its near-optimal alternatives": marked("the optimum and its near-optimal alternatives"),
}


def nouns(noun: str) -> str:
    """'solved points' for 'solved point', in the current language (escaped)."""
    return esc(translate(NOUNS[noun])) if noun in NOUNS else esc(noun + "s")


def counted(n: int, noun: str) -> str:
    """'4 solved points', '1 layout' in the current language (escaped)."""
    if noun == "solved point":
        return trn("{n} solved point", "{n} solved points", n)
    if noun == "distinct layout":
        return trn("{n} distinct layout", "{n} distinct layouts", n)
    return esc(plural(n, noun))


@dataclass
class Sweep:
    """What the robustness map shows (a sweep's points, or the optimum and its alternatives: `counted`)."""

    folder: Path
    scenario: str
    points: int  # rows of sweep.csv
    solved: list[str]  # ids of the solved points, in table order
    res: Results  # units (first solved point's geometry) and industries; no plans
    share: dict[tuple[str, str], float]  # (region, industry) -> share_designated (robustness.csv)
    designated: dict[tuple[str, str], int]  # (region, industry) -> points_designated
    any_count: dict[str, int]  # region -> solved points in which it hosts at least one cluster
    counted: Counted = SWEEP_COUNTS

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
    return load_shares(folder, folder / ROBUSTNESS_CSV, {p: folder / POINTS_DIR / p for p in solved}, len(ids))


def load_alternatives(alternatives_dir: Path) -> Sweep:
    """Read an alternatives folder (`layout alternatives`): the layouts listed in alternatives_metrics.csv
    (`optimum`, then `a01` …), solved where their folder has metrics.json, and the shares of alternatives.csv.
    InputError naming the folder or file (and line) as `load_sweep`."""
    folder = require(Path(alternatives_dir), ALTERNATIVES_CSV, ALTERNATIVES_METRICS_CSV, what=ALTERNATIVES_FOLDER)
    path = folder / ALTERNATIVES_METRICS_CSV
    table, lines = read_csv_lines(path, ("layout",))
    layouts: dict[str, Path] = {}
    for line, layout in zip(lines, table["layout"]):
        name = str(layout).strip()
        if name != OPTIMUM_DIR and not re.fullmatch(r"a\d{2,6}", name):
            raise InputError(Problem(str(path), line, "layout", f"{OPTIMUM_DIR} or an alternative's id (a01, …)", name))
        here = folder / (OPTIMUM_DIR if name == OPTIMUM_DIR else f"{ALTERNATIVES_DIR}/{name}")
        if (here / METRICS_JSON).is_file():
            layouts[name] = here
    if not layouts:
        raise InputError(
            Problem(
                str(folder),
                None,
                "",
                f"{ALTERNATIVES_FOLDER}, with a solved layout ({OPTIMUM_DIR}/{METRICS_JSON}) to map",
                f"no solved layout among its {plural(len(table), 'layout')}",
            )
        )
    return load_shares(folder, folder / ALTERNATIVES_CSV, layouts, len(table), ALTERNATIVE_COUNTS)


def load_shares(
    folder: Path, path: Path, layouts: dict[str, Path], rows: int, counted: Counted = SWEEP_COUNTS
) -> Sweep:
    """The page's data: the share table at `path` (columns `counted`) over the solved `layouts` (id -> results folder,
    the first one's geometry drawn), of `rows` layouts in all. InputError (file, line) for a bad or stale table."""
    solved = list(layouts)
    first = require(layouts[solved[0]], LAYOUT_GEOJSON, what=counted.first)
    units = read_units(first / LAYOUT_GEOJSON)
    numbers = (counted.total, counted.designated, counted.share)
    rob, lines = read_csv_lines(path, ROBUSTNESS_COLUMNS, numbers)
    share: dict[tuple[str, str], float] = {}
    designated: dict[tuple[str, str], int] = {}
    names: dict[str, str] = {}
    for line, rec in zip(lines, rob.to_dict("records")):
        region, industry = rec["region_code"].strip(), rec["industry"].strip()
        for column in numbers:
            if not math.isfinite(rec[column]):
                raise InputError(Problem(str(path), line, column, "a finite number", str(rec[column])))
        if rec[counted.total] != len(solved):
            raise InputError(
                Problem(
                    str(path),
                    line,
                    counted.total,
                    f"{len(solved)}, the {counted.noun}s in {folder} (the table is stale: rerun `{counted.rerun}` to "
                    "refresh it)",
                    f"{rec[counted.total]:g}",
                )
            )
        if region not in units:
            raise InputError(Problem(str(path), line, "region_code", f"a region of {first / LAYOUT_GEOJSON}", region))
        if not units[region].modelled:
            continue  # a region not modelled is drawn as context
        share[region, industry] = rec[counted.share]
        designated[region, industry] = int(rec[counted.designated])
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
        held, _, _ = read_table(layouts[pid] / ASSIGNMENT_CSV)
        for region in {r.region for r in held}:
            any_count[region] = any_count.get(region, 0) + 1

    scenario = str((metrics.get("scenario") or {}).get("name") or folder.name)
    scenario = re.sub(rf"\s*\[{re.escape(solved[0])}\]$", "", scenario)  # the point's name: "<scenario> [p000]"
    res = Results(folder, scenario, industries, units, {}, {})
    return Sweep(folder, scenario, rows, solved, res, share, designated, any_count, counted)


def _tooltip(sw: Sweep, code: str) -> str:
    """A region's shares: for anything, then per industry, out of the solved points."""
    n, noun = len(sw.solved), sw.counted.noun
    unit = sw.res.units[code]
    k = sw.any_count.get(code, 0)
    rows = [
        f'<tr class="any" data-industry=""><td class="industry">{tr("anything")}</td>'
        f'<td class="cap share" data-share="{k / n:.6g}">{fmt_share(k / n)}</td>'
        f'<td class="cap points">{tr("{k} of {n}", k=k, n=n)}</td></tr>'
    ]
    for ind in sw.res.industries.values():
        s, d = sw.share.get((code, ind.code), 0.0), sw.designated.get((code, ind.code), 0)
        rows.append(
            f'<tr data-industry="{esc(ind.code)}"><td class="industry">{named_code(ind.name, ind.code)}</td>'
            f'<td class="cap share" data-share="{s:.6g}">{fmt_share(s)}</td>'
            f'<td class="cap points">{tr("{k} of {n}", k=d, n=n)}</td></tr>'
        )
    units = nouns(sw.counted.unit)
    return (
        f'<div class="layout-tip"><b>{esc(unit.name)}</b> <span class="code">{tr("({name})", name=esc(code))}</span>'
        f"<table><tr><th>{tr('Designated for')}</th><th>{tr('Share')}</th><th>{units[:1].upper() + units[1:]}</th></tr>"
        f"{''.join(rows)}</table>"
        f'<div class="none solved">{tr("out of {count}", count=counted(n, noun))}</div></div>'
    )


def _solved(sw: Sweep) -> str:
    """'4 of 5 points solved' in the current language."""
    return tr("{k} of {count} solved", k=len(sw.solved), count=counted(sw.points, sw.counted.unit))


def _legend(sw: Sweep, frame: Frame) -> str:
    stops = ", ".join(RAMP.rgb_hex_str(RAMP_START + (1 - RAMP_START) * i / 8) for i in range(9))
    scale = (
        f'<div class="ramp" style="background:linear-gradient(to right, {stops})"></div>'
        '<div class="ticks"><span>&gt; 0 %</span><span>50 %</span><span>100 %</span></div>'
        + legend_row(f"background:{NONE_FILL}", tr("never (0 %)"))
    )
    noun = nouns(sw.counted.noun)
    fold = tr("fold / unfold the legend")
    out = [f'<details open><summary title="{fold}">{esc(translate(sw.counted.legend))}</summary>']
    for key in frame.bases:
        what = (
            tr(
                "{title}: share of the {nouns} in which the region hosts at least one cluster",
                title=f"<b>{tr('Designated for anything')}</b>",
                nouns=noun,
            )
            if key == ANY
            else tr(
                "{title}: share of the {nouns} in which the region is designated for it",
                title=f"<b>{named_code(sw.res.industries[key].name, key)}</b>",
                nouns=noun,
            )
        )
        out.append(f'<section data-layer="{esc(key)}">{what}{scale}</section>')
    out.append('<div class="always">' + "".join(closing_rows(frame)) + "</div>")
    scenario = tr("Scenario: {name}", name=esc(sw.scenario))
    out.append(f'<div class="note">{scenario} · {_solved(sw)}</div></details>')
    return "".join(out)


def render_robustness_map(sweep_dir: Path, tiles: Tiles = None) -> str:
    """The robustness page of a sweep folder as an HTML string (see :func:`layout.views.maps.render.write_robustness_map`)."""
    return render_shares(load_sweep(Path(sweep_dir)), tiles)


def render_alternatives_map(alternatives_dir: Path, tiles: Tiles = None) -> str:
    """The page of an alternatives folder (`load_alternatives`): how often each region is designated over the optimum
    and its near-optimal alternatives, as an HTML string."""
    return render_shares(load_alternatives(Path(alternatives_dir)), tiles)


def render_shares(sw: Sweep, tiles: Tiles = None) -> str:
    """The page of shares read by `load_shares` (a sweep's or an alternatives folder's) as an HTML string."""
    res, n, noun = sw.res, len(sw.solved), sw.counted.noun
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
            name, label = esc(tr("Designated for anything")), esc(tr("designated for anything"))
        else:
            ind = res.industries[key]
            shares = {c: sw.share.get((c, key), 0.0) for c in modelled}
            name = label = named_code(ind.name, key)
        part = {
            "regions": modelled,
            "pane": "layoutFill",
            "cls": css_class(key),
            "style": frame.region_style,
            "fill": {c: ramp_colour(shares[c], 1.0) for c in modelled},
            "head": {
                c: '<div class="focus">'
                + tr("{what}: {share} of {count}", what=label, share=fmt_share(shares[c]), count=counted(n, noun))
                + "</div>"
                for c in modelled
            },
        }
        LayoutLayer(ROLE, key, name, [part], base=True, show=key == ANY).add_to(m)
    add_context(frame, ROLE, m)
    finish_map(m, ROLE, _legend(sw, frame))
    over = translate(OVER[sw.counted.over]) if sw.counted.over in OVER else sw.counted.over
    title = tr("{scenario}: how often each region is designated over {over}", scenario=sw.scenario, over=over)
    sub = f"{esc(sw.scenario)} · {_solved(sw)} · {esc(sw.folder.name)}"
    heading = tr(
        "{heading}: share of {nouns} designating each region",
        heading=esc(translate(sw.counted.heading)),
        nouns=nouns(noun),
    )
    return render_page(title, [(ROLE, heading, sub)], [m], res.units, sea)
