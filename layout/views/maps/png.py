"""The static figure of a results folder (matplotlib via geopandas): baseline and optimised side by side."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shapely

from layout.results.staging import write_file
from layout.views.maps.elements import DUPLICATION_COLOUR, NONE_FILL, NOT_MODELLED_FILL, ROLES, SEA_COLOUR
from layout.views.maps.inputs import GROUP_COLOURS, Results, duplication_pairs, group_outlines, load, read_sea
from layout.words import plural

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.typing import RcKeyType

# The text of every figure the product draws is plain: a '$' in a name never starts mathtext, and no text goes to
# LaTeX whatever the user's matplotlibrc says. Read when each text is made, so use it around drawing and saving.
PLAIN_TEXT: dict[RcKeyType, Any] = {
    "text.parse_math": False,
    "text.usetex": False,
    "axes.formatter.use_mathtext": False,
}


def write_png(result_dir: Path, out: Path, *, baseline: bool = True, dpi: int = 200, force: bool = False) -> Path:
    """Write a static figure of the layout for reports and papers; return ``out``.

    Regions are filled with their lead industry (largest capacity) and labelled with the codes of all
    their designated industries; inter-provincial clusters are outlined and named; remaining
    neighbour duplications are red lines; units not modelled are grey and hatched; the South China
    Sea dashed line is drawn. With ``baseline=True`` the uncoordinated baseline is a panel on the
    left. Lambert azimuthal equal-area projection centred on the regions. Uses matplotlib's
    object API (no pyplot state, no backend switch). ``out`` is a path the user names: an existing file there is
    replaced only with ``force`` (layout.results.staging.check_chosen).
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure as MplFigure

    res = load(Path(result_dir), baseline=baseline, extras=False)
    roles = ["baseline", "optimised"] if baseline else ["optimised"]
    out = Path(out)
    # Chinese names need a CJK font; matplotlib falls back glyph by glyph along this list.
    with rc_context(
        {
            **PLAIN_TEXT,
            "hatch.linewidth": 0.4,
            "font.family": ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", "sans-serif"],
        }
    ):
        fig = MplFigure(figsize=(6.2 * len(roles), 7.4))
        _draw_png(fig, res, read_sea(), roles)
        png = io.BytesIO()
        fig.savefig(png, dpi=dpi, format="png")
    # a path the user named (staging.check_chosen)
    return write_file(out, png.getvalue(), "--png", chosen=True, force=force)


def _draw_png(fig, res: Results, sea, roles: list[str]) -> None:
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
            for g in group_outlines(res, plan):
                gdf = frame([g["geom"].boundary])
                gdf.plot(ax=ax, color=g["colour"], linewidth=1.8)
                gp = frame([shapely.Point(g["point"])]).geometry.iloc[0]
                ax.annotate(
                    g["name"],
                    (gp.x, gp.y),
                    fontsize=6.5,
                    fontweight="bold",
                    color=g["colour"],
                    ha="center",
                    va="center",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
                )
        for a, b, items in duplication_pairs(res, plan):
            pa, pb = points.geometry[a], points.geometry[b]
            ax.plot(
                [pa.x, pb.x],
                [pa.y, pb.y],
                color=DUPLICATION_COLOUR,
                alpha=0.8,
                linewidth=0.6 + 0.4 * min(sum(w for _, w in items), 4),
            )
        for c in res.modelled:
            inds = [r.industry for r in sorted(plan.rows.get(c, []), key=lambda r: -r.capacity)]
            if inds:
                p = points.geometry[c]
                ax.annotate(
                    "\n".join(inds),
                    (p.x, p.y),
                    fontsize=4.2,
                    ha="center",
                    va="center",
                    color="#111111",
                    linespacing=0.95,
                )
        ax.set_title(
            f"{ROLES[role]}\n{plural(len(plan.duplications), 'uncoordinated neighbour duplication')}", fontsize=10
        )
        ax.set_xlim(x0 - pad, x1 + pad)  # the same frame in every panel
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()

    handles: list[Artist] = [
        Patch(facecolor=res.industries[c].colour, edgecolor="#555555", label=f"{c}: {res.industries[c].name}")
        for c in res.industries
        if c in used_leads
    ]
    if None in used_leads:
        handles.append(Patch(facecolor=NONE_FILL, edgecolor="#555555", label="no cluster designated"))
    handles.append(Line2D([], [], color=GROUP_COLOURS[0], linewidth=1.8, label="inter-provincial cluster (outline)"))
    handles.append(Line2D([], [], color=DUPLICATION_COLOUR, linewidth=0.9, label="uncoordinated neighbour duplication"))
    nm_names = [res.units[c].name for c in res.not_modelled]
    if nm_names:
        handles.append(
            Patch(
                facecolor=NOT_MODELLED_FILL,
                edgecolor="#888888",
                hatch="////",
                label=", ".join(nm_names) + ": not modelled",
            )
        )
    if sea_df is not None:
        handles.append(
            Line2D([], [], color=SEA_COLOUR, linewidth=0.9, linestyle=(0, (5, 3)), label="South China Sea dashed line")
        )
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=min(4, max(1, len(handles))),
        fontsize=7,
        frameon=False,
        title="Fill: lead industry (largest capacity); labels: all designated industries",
        title_fontsize=7.5,
    )
    fig.suptitle(f"Scenario: {res.scenario}", fontsize=12)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.88, bottom=0.15, wspace=0.03)
