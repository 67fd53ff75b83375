"""The static figure for papers (matplotlib via geopandas), drawn to Chinese cartographic conventions.

Panels side by side in one projection and one frame: the declared plans (when the folder has declared.csv), the
uncoordinated baseline and the optimised layout; or, with ``layers``, one panel per selected industry (per period
in a phased run) and per period. A map of the whole country (its units reach the South China Sea islands) stops
south of Hainan and shows the islands and the dashed line in a 南海诸岛 inset in the lower right of every panel.
A north arrow and a scale bar sit on the first panel (every panel has the same projection and frame). Labels are
moved apart with adjustText (at most MAX_LABELS a panel, APART_ROUNDS rounds), with a leader line to their region when
moved; at a level finer than provinces (more than FINE_UNITS modelled regions: prefectures, counties) only the
largest hosts of inter-provincial and provincial clusters, a few in each province, are labelled. Text is plain (no
mathtext, no LaTeX) in a CJK font found on the machine, named in the PNG's metadata (text chunk ``Font``).
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely

from layout.language import current, tr, trn
from layout.results.staging import write_file
from layout.views.maps.elements import (
    DUPLICATION_COLOUR,
    NONE_FILL,
    NOT_MODELLED_FILL,
    RAMP,
    RAMP_START,
    SEA_COLOUR,
    fmt_capacity,
    ramp_colour,
)
from layout.views.maps.inputs import (
    GROUP_COLOURS,
    Plan,
    Results,
    Row,
    duplication_pairs,
    group_outlines,
    load,
    read_sea,
)
from layout.words import listing

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox
    from matplotlib.typing import RcKeyType

# The text of every figure the product draws is plain: a '$' in a name never starts mathtext, and no text goes to
# LaTeX whatever the user's matplotlibrc says. Read when each text is made, so use it around drawing and saving.
PLAIN_TEXT: dict[RcKeyType, Any] = {
    "text.parse_math": False,
    "text.usetex": False,
    "axes.formatter.use_mathtext": False,
}

# Fonts with the simplified Chinese glyphs, in the order they are looked for (Debian's fonts-noto-cjk first; then
# Adobe's, WenQuanYi, and those of Windows and macOS); the Latin font beside it.
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
)
LATIN_FONT = "DejaVu Sans"

MAIN_SOUTH = 17.9  # degrees north: a map of the country stops here, south of Hainan Island (18.16° N at Sanya)
INSET_WIDTH = 0.17  # of a panel's width: the 南海诸岛 inset
INSET_ID = "south-china-sea-inset"  # the inset axes' label and gid
NORTH_ARROW_ID = "north-arrow"  # gid of the north arrow's artists
SCALE_BAR_ID = "scale-bar"  # gid of the scale bar's artists
NICE_KM = (50, 100, 200, 250, 500, 1000, 2000)  # scale-bar lengths
PANEL_WIDTH = 6.0  # inches
LABEL_FONT = 4.4  # points: the industry codes of a region
# Labels moved apart (adjustText's cost grows with the square of their number, every round): at most MAX_LABELS a
# panel (cluster names and regions), in APART_ROUNDS rounds, a fixed number, so the figure is the same on every machine.
MAX_LABELS = 60
APART_ROUNDS = 150
# More modelled regions than this: a level finer than provinces (a results folder does not record its resolution),
# where a panel labels only hosts of clusters of HOST_TIERS (declared: the declared plans' priorities), ranked in this
# order, then by capacity.
FINE_UNITS = 40
HOST_TIERS = ("inter-provincial", "provincial", "declared")
# the figure's layers beside industry codes and the keys the HTML map alone draws (accepted, warned about)
FIGURE_KEYS = ("portfolio", "periods", "inter-provincial", "duplications")
PAGE_ONLY_KEYS = ("changes", "provincial", "characteristic", "clusters-2019")


@dataclass(frozen=True)
class Panel:
    """One map of the figure: a layout (`plan`) filled by lead industry, or by one industry's capacity."""

    key: str  # the axes' label: "declared", "baseline", "optimised", "period-2030", "NGIT", "NGIT@2030"
    plan: Plan
    title: str
    industry: str | None = None  # fill by this industry's capacity; None: by lead industry (portfolio)
    declared: bool = False  # the declared plans (regions without a sourced plan are hatched)


def figure_fonts() -> tuple[list[str], str | None]:
    """(font families, first first; the CJK font found or None). The CJK font comes first in Chinese, after the
    Latin font in English (Chinese names then fall back to it glyph by glyph). Looked up in matplotlib's font
    manager; None with a warning when the machine has none of CJK_FONTS: the figure is still drawn, Chinese text then
    shows as boxes."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk = next((name for name in CJK_FONTS if name in installed), None)
    if cjk is None:
        warnings.warn(
            tr(
                "no Chinese (CJK) font found ({fonts}): the figure's Chinese text may show as boxes; install one, "
                "e.g. fonts-noto-cjk",
                fonts=", ".join(CJK_FONTS[:3]),
            ),
            stacklevel=2,
        )
        return [LATIN_FONT], None
    return ([cjk, LATIN_FONT] if current() == "zh" else [LATIN_FONT, cjk]), cjk


def write_png(
    result_dir: Path,
    out: Path,
    *,
    baseline: bool = True,
    layers: list[str] | None = None,
    dpi: int = 200,
    force: bool = False,
) -> Path:
    """Write the static figure of a results folder for reports and papers (`png_figure`); return ``out``.

    The PNG's text chunks name the font (``Font``: the families in order, the CJK one among them, or "no CJK font
    found"), the projection (``Projection``, a PROJ string) and the title. ``out`` is a path the user names: an existing file there is replaced only with
    ``force`` (layout.results.staging.check_chosen).
    """
    from matplotlib import rc_context

    fonts, cjk = figure_fonts()
    fig = png_figure(result_dir, baseline=baseline, layers=layers, fonts=fonts)
    font = ", ".join(fonts) if cjk else f"{LATIN_FONT} (no CJK font found)"
    about = {"Title": fig.get_suptitle(), "Font": font, "Projection": fig.get_label(), "Software": "cluster-layout"}
    with rc_context({**PLAIN_TEXT, "font.family": fonts}):
        png = io.BytesIO()
        fig.savefig(png, dpi=dpi, format="png", metadata=about)
    # a path the user named (staging.check_chosen)
    return write_file(Path(out), png.getvalue(), "--png", chosen=True, force=force)


def png_figure(
    result_dir: Path,
    *,
    baseline: bool = True,
    layers: list[str] | None = None,
    fonts: list[str] | None = None,
) -> Figure:
    """The figure `write_png` saves (matplotlib's object API: no pyplot state, no backend switch).

    Panels: without ``layers``, the declared plans (when DIR has declared.csv), the baseline and the optimised
    layout, each region filled with its lead industry (largest capacity) and labelled with the codes of all its
    designated industries (``baseline=False``: the optimised layout alone). ``layers`` (keys as `layout map
    --layers`): ``portfolio`` gives those panels, ``periods`` one portfolio per plan period, each industry code one
    panel filled by that industry's capacity (in a phased run one per period: a row per industry); with
    ``inter-provincial`` the clusters are outlined and named, with ``duplications`` the remaining neighbour
    duplications are red lines (both are drawn without ``layers``). ``changes``, ``provincial``, ``characteristic``
    and ``clusters-2019`` are the HTML map's (a warning says the figure leaves them out). Units not modelled are grey
    and hatched. ValueError for a key that names no layer. ``fonts``: the families (`figure_fonts`).

    Projection: Lambert azimuthal equal-area centred on the drawn units (for a map of the country, on those north
    of MAIN_SOUTH); the figure's label is its PROJ string. Each panel's axes is labelled ``panel:<key>`` (`Panel`),
    the inset ``INSET_ID``; the north arrow's and scale bar's artists have the gids NORTH_ARROW_ID and SCALE_BAR_ID.
    """
    from matplotlib import rc_context

    res = load(Path(result_dir), baseline=baseline, extras=True)
    if fonts is None:
        fonts, _ = figure_fonts()
    with rc_context({**PLAIN_TEXT, "hatch.linewidth": 0.4, "font.family": fonts}):
        panels, overlays = _panels(res, layers, baseline)
        return _Drawing(res, read_sea()).draw(panels, overlays)


def _panels(res: Results, layers: list[str] | None, baseline: bool) -> tuple[list[Panel], set[str]]:
    """The panels and overlays asked for (`png_figure`)."""
    keys = [*FIGURE_KEYS, *PAGE_ONLY_KEYS, *res.industries]
    if layers is None:
        chosen = ["portfolio", "inter-provincial", "duplications"]
    else:
        lookup = {k.lower(): k for k in keys}
        words = [w.strip() for item in layers for w in str(item).split(",") if w.strip()]
        unknown = [w for w in words if w.lower() not in lookup]
        if unknown:
            raise ValueError(f"unknown map layer(s) {', '.join(unknown)}; choose from {', '.join(keys)}")
        chosen = [lookup[w.lower()] for w in words]
        left_out = [k for k in PAGE_ONLY_KEYS if k in chosen]
        if left_out:
            warnings.warn(
                tr("the figure leaves out {layers}: the HTML map draws them", layers=listing(left_out)), stacklevel=3
            )
    industries = [c for c in res.industries if c in chosen]
    periods = "periods" in chosen and bool(res.periods)
    portfolio = "portfolio" in chosen or not (industries or periods)  # a figure needs a panel
    last = res.periods[-1].year if res.periods else None
    panels: list[Panel] = []
    if baseline and res.declared is not None:
        panels.append(Panel("declared", res.declared.plan, tr("Declared plans (sourced)"), declared=True))
    if portfolio:
        if baseline:
            panels.append(Panel("baseline", res.plans["baseline"], tr("Baseline: uncoordinated local plans")))
        if not periods:
            title = tr("Optimised layout, {year}", year=last) if last else tr("Optimised layout")
            panels.append(Panel("optimised", res.plans["optimised"], title))
    if periods:
        for p in res.periods:
            panels.append(Panel(p.key, p.plan, tr("Optimised layout, {year}", year=p.year)))
    for code in industries:
        name = res.industries[code].name
        if res.periods:
            for p in res.periods:
                title = tr("{code}: {name}, {year}", code=code, name=name, year=p.year)
                panels.append(Panel(f"{code}@{p.year}", p.plan, title, industry=code))
        else:
            panels.append(
                Panel(code, res.plans["optimised"], tr("{code}: {name}", code=code, name=name), industry=code)
            )
    overlays: set[str] = {k for k in ("inter-provincial", "duplications") if k in chosen}
    return panels, overlays


class _Drawing:
    """The figure of one results folder: its projection, frame, inset and legend, shared by its panels."""

    def __init__(self, res: Results, sea):
        import geopandas as gpd
        from pyproj import Geod, Transformer

        self.res, self.gpd = res, gpd
        minx, miny, maxx, maxy = shapely.total_bounds([u.geom for u in res.units.values()])
        # the whole country: its units reach the South China Sea islands, which go to the inset
        self.national = (
            sea is not None and miny < MAIN_SOUTH and shapely.intersects(shapely.box(minx, miny, maxx, maxy), sea)
        )
        top = maxy
        if self.national:
            miny = MAIN_SOUTH
        lat0, lon0 = (miny + top) / 2, (minx + maxx) / 2
        self.crs = f"+proj=laea +lat_0={lat0:.4f} +lon_0={lon0:.4f} +datum=WGS84 +units=m"
        self.to_map = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        self.geod = Geod(ellps="WGS84")
        self.codes = list(res.units)
        self.units = self.frame([res.units[c].geom for c in self.codes], code=self.codes)
        self.points = self.frame([shapely.Point(res.units[c].point) for c in self.codes], code=self.codes)
        self.points = self.points.set_index("code")
        self.sea = self.frame([sea]) if sea is not None else None
        if self.national:  # the frame of the units north of MAIN_SOUTH
            north = shapely.box(-180.0, MAIN_SOUTH, 180.0, 90.0)
            clipped = [shapely.intersection(res.units[c].geom, north) for c in self.codes]
            x0, y0, x1, y1 = self.frame([g for g in clipped if not g.is_empty]).total_bounds
        else:
            x0, y0, x1, y1 = self.units.total_bounds
        pad = 0.02 * max(x1 - x0, y1 - y0)
        x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
        if self.national and self.sea is not None:
            ix0, iy0, ix1, iy1 = self.sea.total_bounds
            ipad = 0.05 * max(ix1 - ix0, iy1 - iy0)
            self.inset_extent = (ix0 - ipad, iy0 - ipad, ix1 + ipad, iy1 + ipad)
            # widen the frame eastward until the inset, in the lower right, covers sea only (east of Taiwan)
            ratio = (iy1 - iy0 + 2 * ipad) / (ix1 - ix0 + 2 * ipad)
            right = x1
            for _ in range(4):
                band = INSET_WIDTH * (right - x0) * ratio  # the inset's height
                land = self.units.geometry.clip_by_rect(x0, y0, right, y0 + band).total_bounds[2]
                right = max(x1, (land + pad - INSET_WIDTH * x0) / (1 - INSET_WIDTH))
            x1 = right
        self.extent = (x0, y0, x1, y1)
        self.order = {c: i for i, c in enumerate(res.industries)}
        self.used_leads: set[str | None] = set()
        self.vmax = 0.0  # the capacity at the ramp's top (industry panels)
        self.outlined = False
        self.no_plan = False
        self.fine = len(res.modelled) > FINE_UNITS  # prefectures, counties: label the largest hosts only (`chosen`)
        self.thinned = False  # a panel left regions with designations unlabelled (the legend says so)

    def frame(self, geoms, **cols):
        return self.gpd.GeoDataFrame(cols, geometry=list(geoms), crs="EPSG:4326").to_crs(self.crs)

    def draw(self, panels: list[Panel], overlays: set[str]) -> Figure:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure as MplFigure

        res = self.res
        periods_grid = bool(res.periods) and any(p.industry for p in panels)
        ncols = len(res.periods) if periods_grid else min(len(panels), 3)
        cells: list[Panel | None] = []  # in a phased run each industry's periods make one row
        for p in panels:
            if periods_grid and p.industry and p.key.endswith(f"@{res.periods[0].year}"):
                cells += [None] * (-len(cells) % ncols)
            cells.append(p)
        n = len(cells)
        nrows = math.ceil(n / ncols)
        x0, y0, x1, y1 = self.extent
        map_h = PANEL_WIDTH * (y1 - y0) / (x1 - x0)
        title_h, head_h = 0.55, 0.55  # inches: a panel's two-line title; the figure's title
        self.vmax = max(
            (cap for p in panels if p.industry for (_, i), cap in p.plan.capacity.items() if i == p.industry),
            default=0.0,
        )
        width = PANEL_WIDTH * ncols + 0.2
        rows = math.ceil((len(res.industries) + 6) / (4 if width >= 11 else 2))  # the legend's, at most
        legend_h = 0.45 + 0.15 * rows + (0.5 if self.vmax > 0 else 0.0)
        height = head_h + nrows * (map_h + title_h) + legend_h
        fig = MplFigure(figsize=(width, height))
        fig.set_label(self.crs)  # the projection (a PROJ string), for the PNG's metadata and for readers
        axes = fig.subplots(
            nrows,
            ncols,
            squeeze=False,
            gridspec_kw={
                "left": 0.1 / width,
                "right": 1 - 0.1 / width,
                "top": 1 - (head_h + title_h) / height,
                "bottom": legend_h / height,
                "hspace": title_h / map_h,
                "wspace": 0.04,
            },
        )
        flat = []
        for ax, cell in zip([ax for row in axes for ax in row], cells + [None] * (nrows * ncols - n)):
            if cell is None:
                ax.remove()
            else:
                flat.append(ax)
        labels = []
        for k, (ax, panel) in enumerate(zip(flat, panels)):
            labels.append(self.panel(ax, panel, overlays))
            if k == 0:
                self.north_arrow(ax)
                self.scale_bar(ax)
        self.legend(fig, panels, overlays, legend_h / height)
        fig.suptitle(tr("Scenario: {name}", name=res.scenario), fontsize=12, y=1 - 0.12 / height, va="top")
        # Labels apart once everything is placed: a renderer to measure them (Agg, no pyplot state), set only now
        # so that plotting does not redraw the figure each time.
        FigureCanvasAgg(fig)
        for ax, (texts, inset) in zip(flat, labels):
            _apart(ax, texts, inset)
        return fig

    def fills(self, panel: Panel) -> list[str]:
        res, plan, out = self.res, panel.plan, []
        for c in self.codes:
            if not res.units[c].modelled:
                out.append(NOT_MODELLED_FILL)
            elif panel.industry:
                out.append(ramp_colour(plan.capacity.get((c, panel.industry), 0.0), self.vmax))
            else:
                lead = plan.lead(c, self.order)
                self.used_leads.add(lead)
                out.append(res.industries[lead].colour if lead in res.industries else NONE_FILL)
        return out

    def base(self, ax: Axes, panel: Panel, fills: list[str]) -> None:
        """The units, their hatching, and the dashed line: what the main map and the inset both show."""
        res = self.res
        self.units.plot(ax=ax, color=fills, edgecolor="#555555", linewidth=0.4)
        nm = self.units[[not res.units[c].modelled for c in self.codes]]
        if len(nm):
            nm.plot(ax=ax, facecolor="none", edgecolor="#888888", hatch="////", linewidth=0.3)
        if panel.declared and res.declared is not None and res.declared.not_covered:
            missing = self.units[[c in res.declared.not_covered for c in self.codes]]
            if len(missing):
                self.no_plan = True
                missing.plot(ax=ax, facecolor="none", edgecolor="#9e9e9e", hatch="....", linewidth=0.3)
        if self.sea is not None:
            self.sea.plot(ax=ax, color=SEA_COLOUR, linewidth=0.9, linestyle=(0, (5, 3)))

    def panel(self, ax: Axes, panel: Panel, overlays: set[str]) -> tuple[list[Text], Bbox | None]:
        """Draw `panel` on `ax`; return its labels (to be moved apart, `_apart`) and its inset's place (in data
        coordinates: projected metres)."""
        res, plan = self.res, panel.plan
        ax.set_label(f"panel:{panel.key}")
        fills = self.fills(panel)
        self.base(ax, panel, fills)
        texts = []
        if "inter-provincial" in overlays:
            for g in group_outlines(res, plan):
                if panel.industry and panel.industry not in g["industries"]:
                    continue
                self.outlined = True
                self.frame([g["geom"].boundary]).plot(ax=ax, color=g["colour"], linewidth=1.8)
                gp = self.frame([shapely.Point(g["point"])]).geometry.iloc[0]
                texts.append(
                    ax.text(
                        gp.x,
                        gp.y,
                        g["name"],
                        fontsize=6.5,
                        fontweight="bold",
                        color=g["colour"],
                        ha="center",
                        va="center",
                        zorder=6,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
                    )
                )
        duplications = 0
        for a, b, items in duplication_pairs(res, plan):
            if panel.industry:
                items = [(i, w) for i, w in items if i == panel.industry]
            if not items:
                continue
            duplications += len(items)
            if "duplications" not in overlays:
                continue
            pa, pb = self.points.geometry[a], self.points.geometry[b]
            ax.plot(
                [pa.x, pb.x],
                [pa.y, pb.y],
                color=DUPLICATION_COLOUR,
                alpha=0.8,
                linewidth=0.6 + 0.4 * min(sum(w for _, w in items), 4),
                zorder=4,
            )
        x0, y0, x1, y1 = self.extent
        words_of: dict[str, list[str]] = {}
        for c in res.modelled:
            rows = sorted(plan.rows.get(c, []), key=lambda r: -r.capacity)
            if panel.industry:
                words = [fmt_capacity(r.capacity) for r in rows if r.industry == panel.industry]
            else:
                words = [r.industry for r in rows]
            p = self.points.geometry[c]
            if words and x0 <= p.x <= x1 and y0 <= p.y <= y1:
                words_of[c] = words
        chosen = self.chosen(panel, list(words_of), MAX_LABELS - len(texts))
        self.thinned = self.thinned or len(chosen) < len(words_of)
        for c, words in words_of.items():
            if c in chosen:
                p = self.points.geometry[c]
                texts.append(
                    ax.text(
                        p.x,
                        p.y,
                        "\n".join(words),
                        fontsize=LABEL_FONT,
                        ha="center",
                        va="center",
                        color="#111111",
                        linespacing=0.95,
                        zorder=5,
                    )
                )
        ax.set_xlim(x0, x1)  # the same frame in every panel
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        count = trn("{n} uncoordinated neighbour duplication", "{n} uncoordinated neighbour duplications", duplications)
        ax.set_title(f"{panel.title}\n{count}", fontsize=10)
        if not self.national:
            return texts, None
        from matplotlib.transforms import Bbox

        self.inset(ax, panel, fills)
        left, bottom, width, height = self.inset_bounds()
        return texts, Bbox.from_bounds(
            x0 + left * (x1 - x0), y0 + bottom * (y1 - y0), width * (x1 - x0), height * (y1 - y0)
        )

    def chosen(self, panel: Panel, codes: list[str], room: int) -> set[str]:
        """The regions of `codes` (those with something to label) that `panel` labels, at most `room` of them.

        At province level all of them. At a finer level (`fine`) only hosts of clusters of HOST_TIERS (in an industry
        panel, of that industry's). When more than `room` are left, the largest hosts go first: each region is ranked
        by its best cluster (tier in HOST_TIERS' order, then capacity, larger first; then the region's code), and the
        regions are taken in rounds, one from each province a round (the province: a six-digit code's first two
        digits), so that labels spread over the map instead of piling up where regions are small.
        """
        plan = panel.plan
        hosted: dict[str, list[Row]] = {}
        for c in codes:
            rows = [r for r in plan.rows.get(c, []) if not panel.industry or r.industry == panel.industry]
            if self.fine:
                rows = [r for r in rows if r.tier in HOST_TIERS]
            if rows:
                hosted[c] = rows
        if len(hosted) <= room:
            return set(hosted)

        def rank(code: str) -> tuple[int, float, str]:
            tier, capacity = min(
                (HOST_TIERS.index(r.tier) if r.tier in HOST_TIERS else len(HOST_TIERS), -r.capacity)
                for r in hosted[code]
            )
            return tier, capacity, code

        by_province: dict[str, list[str]] = {}
        for c in sorted(hosted, key=rank):
            by_province.setdefault(c[:2] if len(c) == 6 and c.isdigit() else c, []).append(c)
        order: list[str] = []
        for k in range(max(len(v) for v in by_province.values())):
            order += sorted((v[k] for v in by_province.values() if k < len(v)), key=rank)
        return set(order[: max(room, 0)])

    def inset_bounds(self) -> tuple[float, float, float, float]:
        """The 南海诸岛 inset's place in a panel: left, bottom, width and height, in fractions of the panel's axes."""
        x0, y0, x1, y1 = self.extent
        ix0, iy0, ix1, iy1 = self.inset_extent
        height = INSET_WIDTH * (iy1 - iy0) / (ix1 - ix0) * (x1 - x0) / (y1 - y0)  # of the panel's height
        return 1 - INSET_WIDTH, 0.0, INSET_WIDTH, height

    def inset(self, ax: Axes, panel: Panel, fills: list[str]) -> Axes:
        """The 南海诸岛 inset in the lower right of `ax` (`inset_bounds`): the islands and the dashed line, at a
        smaller scale, in the same projection."""
        ix0, iy0, ix1, iy1 = self.inset_extent
        inset = ax.inset_axes(self.inset_bounds(), zorder=7)
        inset.set_label(INSET_ID)
        inset.set_gid(INSET_ID)
        self.base(inset, panel, fills)
        inset.set_xlim(ix0, ix1)
        inset.set_ylim(iy0, iy1)
        inset.set_aspect("equal", adjustable="box")
        inset.set_xticks([])
        inset.set_yticks([])
        inset.set_xlabel("")  # geopandas names the projection's axes
        inset.set_ylabel("")
        inset.set_facecolor("white")
        for spine in inset.spines.values():
            spine.set_linewidth(0.6)
            spine.set_color("#333333")
        inset.text(
            0.96, 0.03, tr("South China Sea Islands"), transform=inset.transAxes, ha="right", va="bottom", fontsize=5.5
        )
        return inset

    def north_arrow(self, ax: Axes) -> None:
        """An arrow to true north at the upper left of `ax`: the direction of the meridian through that point in the
        figure's projection (on the Lambert azimuthal projection meridians converge, so it leans off vertical away
        from the central meridian)."""
        x0, y0, x1, y1 = self.extent
        bx, by = x0 + 0.06 * (x1 - x0), y1 - 0.16 * (y1 - y0)
        lon, lat = self.to_map.transform(bx, by, direction="INVERSE")
        nx, ny = self.to_map.transform(lon, min(lat + 0.5, 89.9))
        dx, dy = nx - bx, ny - by
        length = 0.08 * (y1 - y0)
        tip = (bx + dx / math.hypot(dx, dy) * length, by + dy / math.hypot(dx, dy) * length)
        arrow = ax.annotate(
            "",
            xy=tip,
            xytext=(bx, by),
            arrowprops={"arrowstyle": "-|>,head_width=0.35,head_length=0.9", "color": "#111111", "lw": 1.2},
            zorder=8,
        )
        arrow.set_gid(NORTH_ARROW_ID)
        label = ax.text(*tip, tr("N"), ha="center", va="bottom", fontsize=9, fontweight="bold", zorder=8)
        label.set_gid(NORTH_ARROW_ID)

    def scale_bar(self, ax: Axes) -> None:
        """A scale bar at the lower left of `ax`, true where it is drawn.

        The Lambert azimuthal equal-area projection keeps areas, not distances: its scale along a parallel grows with
        the distance c from the projection's centre (1 / cos(c/2), about +2 % at China's edges). So the bar's length
        in projected metres is computed at its own position: its left end (x, y) and a trial right end (x + L, y) are
        taken back to longitude and latitude, their geodesic distance on the WGS84 ellipsoid (pyproj.Geod) is measured,
        and L is rescaled until that distance is the stated one (three rounds; it converges to a millimetre). The
        distance is the round number of NICE_KM nearest to a fifth of the frame's width.
        """
        from matplotlib.patches import Rectangle

        x0, y0, x1, y1 = self.extent
        bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
        goal = (x1 - x0) / 5 / 1000
        km = min(NICE_KM, key=lambda d: abs(math.log(d / goal)))
        length = km * 1000.0
        for _ in range(3):
            lon_a, lat_a = self.to_map.transform(bx, by, direction="INVERSE")
            lon_b, lat_b = self.to_map.transform(bx + length, by, direction="INVERSE")
            length *= km * 1000.0 / self.geod.inv(lon_a, lat_a, lon_b, lat_b)[2]
        self.scale_km, self.scale_length = km, length  # for tests and readers
        h = 0.012 * (y1 - y0)
        for k, colour in enumerate(("#111111", "white")):
            bar = Rectangle(
                (bx + k * length / 2, by), length / 2, h, facecolor=colour, edgecolor="#111111", lw=0.6, zorder=8
            )
            bar.set_gid(SCALE_BAR_ID)
            ax.add_patch(bar)
        for frac, text in ((0.0, "0"), (0.5, f"{km // 2:g}" if km % 2 == 0 else f"{km / 2:g}")):
            t = ax.text(bx + frac * length, by + 1.6 * h, text, ha="center", va="bottom", fontsize=6, zorder=8)
            t.set_gid(SCALE_BAR_ID)
        t = ax.text(bx + length, by + 1.6 * h, tr("{km} km", km=km), ha="center", va="bottom", fontsize=6, zorder=8)
        t.set_gid(SCALE_BAR_ID)

    def legend(self, fig: Figure, panels: list[Panel], overlays: set[str], bottom: float) -> None:
        from matplotlib.colorbar import ColorbarBase
        from matplotlib.colors import ListedColormap, Normalize
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        res = self.res
        handles: list[Artist] = [
            Patch(
                facecolor=res.industries[c].colour,
                edgecolor="#555555",
                label=tr("{code}: {name}", code=c, name=res.industries[c].name),
            )
            for c in res.industries
            if c in self.used_leads
        ]
        if None in self.used_leads or (self.vmax > 0):
            handles.append(Patch(facecolor=NONE_FILL, edgecolor="#555555", label=tr("no cluster designated")))
        if self.no_plan:
            handles.append(Patch(facecolor="white", edgecolor="#9e9e9e", hatch="....", label=tr("no sourced plan")))
        if self.outlined:
            handles.append(
                Line2D([], [], color=GROUP_COLOURS[0], linewidth=1.8, label=tr("inter-provincial cluster (outline)"))
            )
        if "duplications" in overlays:
            label = tr("uncoordinated neighbour duplication")
            handles.append(Line2D([], [], color=DUPLICATION_COLOUR, linewidth=0.9, label=label))
        nm_names = [res.units[c].name for c in res.not_modelled]
        if nm_names:
            handles.append(
                Patch(
                    facecolor=NOT_MODELLED_FILL,
                    edgecolor="#888888",
                    hatch="////",
                    label=tr("{names}: not modelled", names=listing(nm_names, most=None)),
                )
            )
        if self.sea is not None:
            handles.append(
                Line2D(
                    [],
                    [],
                    color=SEA_COLOUR,
                    linewidth=0.9,
                    linestyle=(0, (5, 3)),
                    label=tr("South China Sea dashed line"),
                )
            )
        leads = any(not p.industry for p in panels)
        if leads and self.vmax > 0:
            title = tr(
                "Fill: lead industry, or the industry's capacity in its own panels; labels: designated industries"
            )
        elif leads:
            title = tr("Fill: lead industry (largest capacity); labels: all designated industries")
        else:
            title = tr("Fill and labels: the industry's capacity")
        if self.thinned:
            title += "\n" + tr(
                "labels: hosts of inter-provincial and provincial clusters only, the largest first, a few in each "
                "province (at most {n} labels a panel)",
                n=MAX_LABELS,
            )
        wide = fig.get_figwidth() >= 11  # as `draw` reckons the legend's rows
        fig.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, bottom - 0.02 * bottom),
            ncol=min(4 if wide else 2, max(1, len(handles))),
            fontsize=7,
            frameon=False,
            title=title,
            title_fontsize=7.5,
        )
        if self.vmax > 0:  # the ramp of the industry panels, under the legend
            cax = fig.add_axes((0.3, 0.3 * bottom, 0.4, 0.06 * bottom))
            cax.set_label("capacity-ramp")
            colours = [RAMP.rgb_hex_str(RAMP_START + (1 - RAMP_START) * k / 63) for k in range(64)]
            bar = ColorbarBase(
                cax, cmap=ListedColormap(colours), norm=Normalize(0.0, self.vmax), orientation="horizontal"
            )
            bar.set_label(tr("Capacity ({unit})", unit=res.unit), fontsize=7)
            cax.tick_params(labelsize=6)


def _apart(ax: Axes, texts: list[Text], inset: Bbox | None) -> None:
    """Move the labels of `ax` (at most MAX_LABELS, `_Drawing.chosen`) apart from each other and from its inset
    (adjustText, APART_ROUNDS rounds and no time limit, so that the figure is the same on every machine), with a
    leader line from each moved label to its region's point. `inset`: the inset's place in data coordinates
    (adjustText takes an object's box in data coordinates; an Axes' extent, in pixels, it would misplace)."""
    from adjustText import adjust_text

    if not texts:
        return
    adjust_text(
        texts,
        x=[t.get_position()[0] for t in texts],
        y=[t.get_position()[1] for t in texts],
        ax=ax,
        objects=[inset] if inset is not None else None,
        expand=(1.15, 1.3),
        force_text=(0.4, 0.6),
        force_static=(0.2, 0.4),  # off the inset within APART_ROUNDS (adjustText's default, half this, is too weak)
        arrowprops={"arrowstyle": "-", "color": "#444444", "lw": 0.35, "shrinkA": 0.5, "shrinkB": 0.5},
        ensure_inside_axes=True,
        iter_lim=APART_ROUNDS,
    )
