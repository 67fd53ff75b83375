"""The static figure's content (layout/views/maps/png.py): the 南海诸岛 inset, north arrow, scale bar, labels apart,
the panels `--layers` asks for, the font named in the PNG, a Chinese figure's text in Chinese, and the labels of a
level finer than provinces.

The results folders are built by hand over the shipped provinces (geodata/provinces.geojson: Hainan's parts reach the
South China Sea islands), so the figure is a map of the whole country; a finer level by cutting them along a grid."""

from __future__ import annotations

import csv
import json
import re
import warnings
from pathlib import Path

import adjustText
import pytest
import shapely
from matplotlib.text import Text
from PIL import Image
from pyproj import Geod, Transformer
from shapely.geometry import mapping, shape

from layout.language import using
from layout.paths import geodata_file
from layout.views.maps import png
from tests.results_folder import metrics as complete_metrics

COLUMNS = ["region_code", "region_name", "industry", "industry_name", "capacity", "tier", "kind", "group", "group_name"]
INDUSTRIES = {
    "NGIT": ("新一代信息技术产业", "innovation"),
    "BIO": ("生物产业", "innovation"),
    "NE": ("新能源产业", "resource"),
}
GROUPS = {  # id: (name, members, industry)
    "BTH": ("京津冀城市群", ["110000", "120000", "130000"], "NGIT"),
    "YRD": ("长三角城市群", ["310000", "320000", "330000", "340000"], "BIO"),
}
YEARS = ("2025", "2030", "2035")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _write_csv(path: Path, rows: list[dict], period: bool = False) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=(["period"] if period else []) + COLUMNS)
        w.writeheader()
        w.writerows(rows)


def _cut(code: str, geometry: dict, grid: float) -> list[tuple[str, dict]]:
    """A province's pieces along a grid of `grid` degrees: (code <province's two digits><nn>00, geometry)."""
    geom = shape(geometry)
    x0, y0, x1, y1 = geom.bounds
    cells = [
        shapely.box(x, y, x + grid, y + grid)
        for x in [x0 + grid * i for i in range(int((x1 - x0) // grid) + 1)]
        for y in [y0 + grid * j for j in range(int((y1 - y0) // grid) + 1)]
    ]
    pieces = [shapely.intersection(geom, cell) for cell in cells]
    pieces = [p for p in pieces if p.area > 0 and p.geom_type in ("Polygon", "MultiPolygon")]
    return [(f"{code[:2]}{k:02d}00", mapping(p)) for k, p in enumerate(pieces, 1)]


def national(folder: Path, *, phased: bool = False, grid: float = 0.0) -> Path:
    """A results folder over the 34 shipped provinces (31 modelled), in Chinese: every province hosts NE, the BTH
    and YRD provinces an inter-provincial cluster, Guangdong and Guangxi a duplication; declared.csv for 3
    provinces; with `phased`, phasing.csv of three periods.

    With `grid` (degrees), a finer level: each modelled province cut into pieces along a grid (`_cut`; Taiwan, Hong
    Kong and Macao stay whole); piece k of a province hosts NE with capacity falling with k, of the provincial tier
    for odd k and the characteristic tier for even k; the BTH and YRD provinces' pieces all host their cluster; no
    declared plans."""
    src = json.loads(geodata_file("provinces.geojson").read_text(encoding="utf-8"))
    feats, rows, base = [], [], []
    member = {m: (gid, name, ind) for gid, (name, members, ind) in GROUPS.items() for m in members}
    members: dict[str, list[str]] = {g: [] for g in GROUPS}  # the regions of each group

    def row(code, name, industry, capacity, tier="provincial", group=""):
        return {
            "region_code": code,
            "region_name": name,
            "industry": industry,
            "industry_name": INDUSTRIES[industry][0],
            "capacity": capacity,
            "tier": tier,
            "kind": INDUSTRIES[industry][1],
            "group": group,
            "group_name": GROUPS[group][0] if group else "",
        }

    for f in src["features"]:
        code, name, modelled = f["properties"]["code"], f["properties"]["name_zh"], f["properties"]["modelled"]
        units = _cut(code, f["geometry"], grid) if grid and modelled else [(code, f["geometry"])]
        for k, (unit, geometry) in enumerate(units, 1):
            unit_name = f"{name}{k}" if len(units) > 1 else name
            feats.append(
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {"region_code": unit, "region_name": unit_name, "modelled": modelled},
                }
            )
            if not modelled:
                continue
            tier = "provincial" if k % 2 else "characteristic"
            rows.append(row(unit, unit_name, "NE", 10.0 + len(units) - k, tier))
            if code in member:
                gid, _, ind = member[code]
                members[gid].append(unit)
                rows.append(row(unit, unit_name, ind, 20.0, "inter-provincial", gid))
            base += [row(unit, unit_name, "NGIT", 15.0), row(unit, unit_name, "BIO", 12.0)]
    first = {feat["properties"]["region_code"][:2]: feat["properties"]["region_code"] for feat in reversed(feats)}
    folder.mkdir(parents=True)
    _write_csv(folder / "assignment.csv", rows)
    _write_csv(folder / "baseline.csv", base)
    declared = [
        {**row(c, "", i, 1.0), "tier": "declared"} for c in ("440000", "450000", "320000") for i in ("NGIT", "NE")
    ]
    if not grid:
        _write_csv(folder / "declared.csv", declared)
    (folder / "layout.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    extra = {}
    if phased:
        _write_csv(
            folder / "phasing.csv",
            [{"period": y, **r, "capacity": r["capacity"] + k} for k, y in enumerate(YEARS) for r in rows],
            True,
        )
        extra["periods"] = {y: {"optimised": {"clusters": len(rows), "duplications": 1}} for y in YEARS}
    metrics = complete_metrics(
        scenario={"name": "全国战略性新兴产业布局", "capacity_unit": "指数单位（100 = 全国目标）"},
        industries=[{"code": c, "name": n, "kind": k, "target": 100.0} for c, (n, k) in INDUSTRIES.items()],
        groups=[{"id": g, "name": n, "members": members[g]} for g, (n, _, _) in GROUPS.items()],
        duplications={
            "optimised": [{"a": first["44"], "b": first["45"], "industry": "NE", "weight": 1.0}],
            "baseline": [{"a": first["44"], "b": first["45"], "industry": "NGIT", "weight": 1.0}],
        },
        **({} if grid else {"declared": {"covered": ["440000", "450000", "320000"]}}),
        **extra,
    )
    (folder / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def china(tmp_path_factory) -> Path:
    return national(tmp_path_factory.mktemp("png") / "china")


@pytest.fixture(scope="module")
def china_zh(china):
    with using("zh"):
        fig = png.png_figure(china)
    fig.canvas.draw()
    return fig


def _panels(fig) -> dict[str, object]:
    return {ax.get_label().removeprefix("panel:"): ax for ax in fig.axes if ax.get_label().startswith("panel:")}


def _gid(ax, gid: str) -> list:
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_a_map_of_the_country_has_the_islands_in_an_inset_and_stops_south_of_hainan(china_zh):
    panels = _panels(china_zh)
    assert list(panels) == ["declared", "baseline", "optimised"]
    to_map = Transformer.from_crs("EPSG:4326", china_zh.get_label(), always_xy=True)
    sanya = to_map.transform(109.5, 18.25)  # Hainan Island's south coast
    yongxing = to_map.transform(112.33, 16.83)  # 永兴岛, Xisha
    james = to_map.transform(112.28, 3.98)  # 曾母暗沙, the southernmost
    for key, ax in panels.items():
        (inset,) = [c for c in ax.child_axes if c.get_label() == png.INSET_ID]
        x0, x1 = inset.get_xlim()
        y0, y1 = inset.get_ylim()
        assert x0 < james[0] < x1 and y0 < james[1] < y1 and y0 < yongxing[1] < y1, key
        assert inset.collections, key  # the units and the dashed line are drawn in it
        bottom = ax.get_ylim()[0]
        assert yongxing[1] < bottom < sanya[1], key  # the main map stops between Hainan and Xisha
        # the inset sits in the lower right of the panel
        box, frame = inset.get_position(), ax.get_position()
        assert box.x1 == pytest.approx(frame.x1, abs=0.01) and box.y0 == pytest.approx(frame.y0, abs=0.01)


def test_the_north_arrow_points_north_and_the_scale_bar_is_true_where_drawn(china_zh):
    first, *others = _panels(china_zh).values()
    arrow = [a for a in _gid(first, png.NORTH_ARROW_ID) if not isinstance(a, Text) or a.get_text() == ""]
    (label,) = [a for a in _gid(first, png.NORTH_ARROW_ID) if isinstance(a, Text) and a.get_text()]
    assert label.get_text() == "北" and arrow
    (annotation,) = arrow
    (bx, by), (tx, ty) = annotation.xyann, annotation.xy
    to_map = Transformer.from_crs("EPSG:4326", china_zh.get_label(), always_xy=True)
    lon, lat = to_map.transform(bx, by, direction="INVERSE")
    nx, ny = to_map.transform(lon, lat + 0.1)
    cross = (tx - bx) * (ny - by) - (ty - by) * (nx - bx)  # along the meridian (within 0.2°), not the page's up
    assert ty > by and abs(cross) < 0.0035 * abs((tx - bx) * (nx - bx) + (ty - by) * (ny - by))
    assert tx != pytest.approx(bx)  # west of the central meridian the meridian leans
    bars = [a for a in _gid(first, png.SCALE_BAR_ID) if not isinstance(a, Text)]
    texts = [a.get_text() for a in _gid(first, png.SCALE_BAR_ID) if isinstance(a, Text)]
    assert len(bars) == 2 and texts[0] == "0" and texts[-1].endswith("千米")
    km = float(texts[-1].removesuffix("千米"))
    left = min(b.get_x() for b in bars)
    right = max(b.get_x() + b.get_width() for b in bars)
    y = bars[0].get_y()
    ends = [to_map.transform(x, y, direction="INVERSE") for x in (left, right)]
    metres = Geod(ellps="WGS84").inv(*ends[0], *ends[1])[2]
    assert metres == pytest.approx(km * 1000, abs=1.0)
    assert right - left != pytest.approx(km * 1000, abs=1000)  # the projection's scale is not 1 there
    for ax in others:  # once per figure: every panel has the same projection and frame
        assert not _gid(ax, png.NORTH_ARROW_ID) and not _gid(ax, png.SCALE_BAR_ID)


def test_labels_do_not_overlap_in_the_crowded_city_clusters(china_zh):
    renderer = china_zh.canvas.get_renderer()
    ax = _panels(china_zh)["optimised"]
    labels = [t for t in ax.texts if t.get_zorder() in (5, 6)]  # the regions' codes and the clusters' names
    names = [t.get_text() for t in labels]
    assert "京津冀城市群" in names and "长三角城市群" in names
    assert (
        sum(1 for t in labels if "BIO" in t.get_text()) == 4
    )  # the YRD's members (Shanghai, Jiangsu, Zhejiang, Anhui)
    boxes = [(t.get_bbox_patch() or t).get_window_extent(renderer) for t in labels]
    crossing = [(names[i], names[j]) for i in range(len(boxes)) for j in range(i) if boxes[i].overlaps(boxes[j])]
    assert not crossing


def test_a_chinese_figure_reads_in_chinese(china_zh):
    texts = [china_zh._suptitle, *(ax.title for ax in _panels(china_zh).values())]
    (legend,) = china_zh.legends
    texts += [legend.get_title(), *legend.get_texts()]
    for ax in _panels(china_zh).values():
        texts += [t for c in ax.child_axes for t in c.texts]
    assert len(texts) >= 12
    for t in texts:
        assert CJK.search(t.get_text()), t.get_text()
    assert "南海诸岛" in [t.get_text() for t in texts]
    assert "各省规划布局（有出处）" in _panels(china_zh)["declared"].get_title()


def test_the_png_names_its_font(china, tmp_path):
    with using("zh"):
        out = png.write_png(china, tmp_path / "zh.png", baseline=False)
    meta = Image.open(out).text
    assert meta["Font"].split(", ")[0] == "Noto Sans CJK SC"  # Debian's fonts-noto-cjk, first for Chinese
    assert meta["Projection"].startswith("+proj=laea")
    assert meta["Title"] == "情景：全国战略性新兴产业布局"
    with using("en"):
        out = png.write_png(china, tmp_path / "en.png", baseline=False)
    assert Image.open(out).text["Font"] == "DejaVu Sans, Noto Sans CJK SC"  # names fall back to the CJK font


def test_without_a_cjk_font_the_figure_is_drawn_and_says_so(china, tmp_path, monkeypatch):
    monkeypatch.setattr(png, "CJK_FONTS", ("No Such Font CJK",))
    with warnings.catch_warnings(record=True) as caught, using("en"):
        warnings.simplefilter("always")
        out = png.write_png(china, tmp_path / "nofont.png", baseline=False, layers=["NE"])
    assert any("no Chinese (CJK) font found" in str(w.message) for w in caught)
    assert Image.open(out).text["Font"] == "DejaVu Sans (no CJK font found)"


def test_layers_give_one_panel_per_industry(china):
    with using("en"):
        fig = png.png_figure(china, layers=["NGIT,bio", "duplications"])
    panels = _panels(fig)
    assert list(panels) == ["declared", "NGIT", "BIO"]  # the declared plans whenever declared.csv is there
    assert panels["NGIT"].get_title().startswith("NGIT: 新一代信息技术产业\n")
    assert [ax.get_label() for ax in fig.axes if ax.get_label() == "capacity-ramp"] == ["capacity-ramp"]
    with using("en"):
        alone = png.png_figure(china, layers=["NE"], baseline=False)
    assert list(_panels(alone)) == ["NE"]
    with pytest.raises(ValueError, match="unknown map layer"):
        png.png_figure(china, layers=["NOPE"])


def test_a_phased_run_gives_one_panel_per_period(tmp_path):
    folder = national(tmp_path / "phased", phased=True)
    with using("zh"):
        fig = png.png_figure(folder, layers=["NE"], baseline=False)
        periods = png.png_figure(folder, layers=["periods"], baseline=False)
        default = png.png_figure(folder)
    panels = _panels(fig)
    assert list(panels) == [f"NE@{y}" for y in YEARS]
    for y, ax in zip(YEARS, panels.values()):
        assert f"（{y}年）" in ax.get_title()
    assert [ax.get_title().split("\n")[0] for ax in _panels(periods).values()] == [f"{y}年优化布局" for y in YEARS]
    assert list(_panels(default)) == ["declared", "baseline", "optimised"]
    assert _panels(default)["optimised"].get_title().startswith("2035年优化布局")


def test_a_finer_level_labels_a_few_of_the_largest_cluster_hosts_in_each_province(tmp_path, monkeypatch):
    """Prefectures or counties (more than FINE_UNITS regions): a panel labels the hosts of inter-provincial and
    provincial clusters only, spread over the provinces, and hands adjustText at most MAX_LABELS labels and a fixed
    number of rounds (labelling every region took minutes at prefecture level)."""
    folder = national(tmp_path / "fine", grid=4.0)
    handed: list[tuple[list[Text], dict]] = []

    def mover(texts, **kw):  # the labels as placed, not moved (adjustText's result is tested at province level)
        handed.append((list(texts), kw))

    monkeypatch.setattr(adjustText, "adjust_text", mover)
    with using("en"):
        fig = png.png_figure(folder, baseline=False)
    assignment = list(csv.DictReader((folder / "assignment.csv").open(encoding="utf-8")))
    hosts = {r["region_code"] for r in assignment if r["tier"] in ("inter-provincial", "provincial")}
    modelled = {r["region_code"] for r in assignment}
    assert len(modelled) > png.FINE_UNITS and len(hosts) > png.MAX_LABELS  # a figure that needs thinning
    (ax,) = _panels(fig).values()
    ((texts, kw),) = handed
    assert len(texts) <= png.MAX_LABELS and kw["iter_lim"] == png.APART_ROUNDS <= 200 and kw.get("time_lim") is None
    assert kw["arrowprops"]  # leader lines
    # kept off the inset: its place in data coordinates (an Axes adjustText would take for a box in pixels)
    (box,) = kw["objects"]
    fig.canvas.draw()
    (inset,) = ax.child_axes
    drawn = inset.get_window_extent().transformed(ax.transData.inverted())
    assert list(drawn.extents) == pytest.approx(list(box.extents), abs=0.01 * max(box.width, box.height))
    names = [t.get_text() for t in texts if t.get_zorder() == 6]
    assert sorted(names) == sorted(name for name, _, _ in GROUPS.values())  # the clusters' names all kept
    # each region label (unmoved) sits on its region's point: which regions are labelled
    to_map = Transformer.from_crs("EPSG:4326", fig.get_label(), always_xy=True)
    units = json.loads((folder / "layout.geojson").read_text(encoding="utf-8"))["features"]
    points = {}
    for f in units:
        if f["properties"]["region_code"] in modelled:
            geom = shape(f["geometry"])
            biggest = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area).point_on_surface()
            points[f["properties"]["region_code"]] = to_map.transform(biggest.x, biggest.y)
    labelled = []
    for t in texts:
        if t.get_zorder() == 5:
            x, y = t.get_position()
            labelled.append(min(points, key=lambda c: (points[c][0] - x) ** 2 + (points[c][1] - y) ** 2))
    assert len(labelled) == len(set(labelled)) == len(texts) - len(names)
    assert set(labelled) <= hosts  # never a region hosting characteristic clusters only
    assert {c[:2] for c in labelled} == {c[:2] for c in hosts if c in points}  # every province labelled
    # in a province the largest hosts: Xinjiang's pieces 1, 3, 5, ... (provincial, capacity falling with the piece)
    xinjiang = sorted(int(c[2:4]) for c in labelled if c.startswith("65"))
    assert xinjiang == list(range(1, 2 * len(xinjiang), 2))
    assert "only, the largest first, a few in each province" in fig.legends[0].get_title().get_text()
