"""No text from an input is ever run as a template: a Jinja payload in every text field of a constraint file,
a data file, a results folder and a sweep folder shows literally in every page, and nothing runs.

The payload of field TAG (:func:`payload`) holds all three Jinja forms: an expression and a statement that
would create the folder named by $LAYOUT_TEMPLATE_SENTINEL through the template's globals (Python's ``os``),
a comment and ``{{7*7}}``. Rendered as a template it would create the sentinel folder and leave "49TAG"
where the page should read the payload itself. It has no character HTML or JSON escaping changes, so
"literally" means the exact text, in HTML as in the pages' JSON.

Pages: map.html (``layout solve`` end to end in a subprocess, and ``layout map DIR`` on a received results
folder with declared plans and periods), report.html (``layout report DIR``), the robustness map of a sweep
folder (``layout map SWEEP_DIR``) and the Pareto page; then the figures (PNG) with mathtext-like names.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from layout.cli import app
from tests.browser import Page
from tests.squares import files_section, square

SENTINEL_ENV = "LAYOUT_TEMPLATE_SENTINEL"
_OS = "cycler.__init__.__globals__.os"
SIDE_EFFECT = f"{_OS}.makedirs({_OS}.environ.{SENTINEL_ENV},exist_ok=True)"


def payload(tag: str) -> str:
    """Text that, run as a template, creates the sentinel folder and reads '49<tag>' (no space, which the old
    LP layer rewrote in codes: the payload reaches the pages on the old code too)."""
    return f"{{{{{SIDE_EFFECT}}}}}{{%if({SIDE_EFFECT})%}}{{%endif%}}{{#{tag}#}}{{{{7*7}}}}{tag}"


# Fields of the constraint file and its data files; the last ones reach no page (only "nothing runs" applies).
REGION_CODE, REGION_NAME, NOT_MODELLED_NAME = payload("regcode"), payload("regname"), payload("nmname")
INDICATOR, SCENARIO, UNIT = payload("indicator"), payload("scenario"), payload("unit")
INDUSTRY_CODE, INDUSTRY_NAME, GROUP_NAME = payload("indcode"), payload("indname"), payload("groupname")
MALFORMED = "Plain {{ {% endraw %} {# {%"  # not even a template: read as one, it would stop the page with an error
UNSHOWN = {
    "name_zh": payload("namezh"),
    "description": payload("description"),
    "link reason": payload("linkreason"),
    "kind description": payload("kinddesc"),
    "group id": payload("groupid"),
}
ON_MAP = [REGION_CODE, REGION_NAME, NOT_MODELLED_NAME, SCENARIO, INDUSTRY_CODE, INDUSTRY_NAME, GROUP_NAME]
IN_REPORT = [*ON_MAP, UNIT, INDICATOR]
TAGS = [
    "regcode",
    "regname",
    "nmname",
    "indicator",
    "scenario",
    "unit",
    "indcode",
    "indname",
    "groupname",
    "namezh",
    "description",
    "linkreason",
    "kinddesc",
    "groupid",
]
# Strings of a received results folder (metrics.json, its tables) and of a sweep folder.
RECEIVED = {
    tag: payload(tag)
    for tag in (
        "m_scenario",
        "m_indname",
        "m_groupname",
        "m_kind",
        "m_coverage",
        "m_unmapped",
        "m_notlaid",
        "m_notlaid_ind",
        "m_reason",
        "m_year",
        "m_status",
        "m_lever",
        "m_missing",
        "m_message",
        "m_changes",
        "m_chname",
        "sw_scenario",
        "sw_indname",
        "pf_message",
    )
}
ALL_TAGS = TAGS + list(RECEIVED)


@pytest.fixture
def sentinel(tmp_path, monkeypatch) -> Path:
    """The folder a payload run as a template in this test would create."""
    path = tmp_path / "RAN"
    monkeypatch.setenv(SENTINEL_ENV, str(path))
    return path


def check_page(page: str, shown: list[str], sentinel: Path) -> None:
    """Nothing ran (no sentinel, no '49TAG' anywhere), and each payload in ``shown`` is in the page as it is."""
    assert not sentinel.exists(), "a payload ran as a template"
    assert [t for t in ALL_TAGS if f"49{t}" in page] == []
    assert [p for p in shown if p not in page] == []


def write_inputs(folder: Path) -> Path:
    """Four unit squares (X9 drawn, not modelled), a payload in every text field; returns the constraint file."""
    folder.mkdir(parents=True, exist_ok=True)
    squares = {
        "R1": ((0, 0), REGION_NAME),
        REGION_CODE: ((1, 0), "Beta"),
        "R3": ((0, 1), "Gamma"),
        "X9": ((5, 5), NOT_MODELLED_NAME),
    }
    features = [
        {"type": "Feature", "properties": {"code": c, "name": name}, "geometry": square(*xy)}
        for c, (xy, name) in squares.items()
    ]
    (folder / "squares.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    with (folder / "indicators.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["code", "s", INDICATOR])
        # R3 has no value of the payload indicator: the report names the indicator among the missing data
        w.writerows([["R1", 10, 3], [REGION_CODE, 9, 5], ["R3", 2, ""], ["X9", 1, 1]])
    doc = {
        "name": SCENARIO,
        "description": UNSHOWN["description"],
        "capacity_unit": UNIT,
        "regions": files_section(exclude=["X9"], links=[{"a": "R1", "b": "R3", "reason": UNSHOWN["link reason"]}]),
        "kinds": {"innovation": {"description": UNSHOWN["kind description"]}},
        "limits": {"min_clusters": 0, "budget": None},
        "solver": {"name": "highs", "gap": 0.0},
        "industries": {
            INDUSTRY_CODE: {
                "name": INDUSTRY_NAME,
                "name_zh": UNSHOWN["name_zh"],
                "kind": "innovation",
                "target": 100,
                "weights": {INDICATOR: 1.0},
                "max_share": 0.6,
            },
            "T2": {"name": "Plain", "kind": "innovation", "target": 50, "weights": {"s": 1.0}},
        },
        "groups": {UNSHOWN["group id"]: {"name": GROUP_NAME, "members": ["R1", REGION_CODE]}},
    }
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> Path:
    """`layout solve` of the payload scenario, end to end (a subprocess, as a user runs it); a payload run as a
    template there would create DIR/../RAN."""
    folder = tmp_path_factory.mktemp("solve")
    file = write_inputs(folder / "inputs")
    out = folder / "out"
    run = subprocess.run(
        [sys.executable, "-m", "layout", "solve", str(file), "--out", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, SENTINEL_ENV: str(folder / "RAN")},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    return out


def test_layout_solve_runs_no_payload_and_shows_every_one(solved):
    sentinel = solved.parent / "RAN"
    page = (solved / "map.html").read_text(encoding="utf-8")
    check_page(page, ON_MAP, sentinel)
    # the layer control's names (where branca re-rendered text as a template) hold the payloads as they are
    assert f'"{INDUSTRY_NAME} ({INDUSTRY_CODE}): capacity"' in page
    check_page((solved / "report.html").read_text(encoding="utf-8"), IN_REPORT, sentinel)
    metrics = (solved / "metrics.json").read_text(encoding="utf-8")
    assert (
        json.dumps(INDUSTRY_NAME) in metrics and json.dumps(GROUP_NAME) in metrics
    )  # the inputs did reach the results


def test_layer_control_shows_the_payload_in_a_browser(browser, solved):
    p = Page(browser, solved / "map.html")
    try:
        for role in ("baseline", "optimised"):
            control = p.control(role).inner_text()  # collapsed at first: open on hover
            assert f"{INDUSTRY_NAME} ({INDUSTRY_CODE}): capacity" in control and "49indname" not in control
        assert SCENARIO in p.page.locator(".layout-header").inner_text()
        p.check_clean()
    finally:
        p.close()


def _read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:  # our CSVs begin with a byte-order mark
        return list(csv.DictReader(fh))


def _write_rows(path: Path, rows: list[dict], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)


@pytest.fixture(scope="module")
def received(solved, tmp_path_factory) -> Path:
    """The solved folder as a colleague might send it: payloads in metrics.json and its tables, declared plans
    and one plan period added."""
    folder = shutil.copytree(solved, tmp_path_factory.mktemp("received") / "dir")
    for page in ("map.html", "report.html"):
        (folder / page).unlink()
    r = RECEIVED
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    metrics["scenario"]["name"] = r["m_scenario"]
    for ind in metrics["industries"]:
        ind["name"] = r["m_indname"]
    for group in metrics["groups"]:
        group["name"] = r["m_groupname"]
    metrics["solver"]["message"] = r["m_message"]
    metrics["policy_levers"] = [r["m_lever"]]
    lever = {"code": INDUSTRY_CODE, "name": r["m_indname"], "lever": "retired", "enters": None, "text": r["m_lever"]}
    metrics["policy_lever_notes"] = [lever]
    metrics["missing_data"] = [r["m_missing"]]
    metrics["changes"] = {  # least-change re-planning: the layout against a reference layout
        "reference": "declared",
        "kept": 1,
        "added": 0,
        "removed": 1,
        "changes": 1,
        "by_region": [{"code": "R1", "name": r["m_chname"], "kept": [INDUSTRY_CODE], "added": [], "removed": ["T2"]}],
        "text": r["m_changes"],
    }
    rows = [{**row, "kind": r["m_kind"]} for row in _read_rows(folder / "assignment.csv")]
    columns = list(rows[0])
    _write_rows(folder / "assignment.csv", rows, columns)
    regions = sorted({row["region_code"] for row in rows})
    _write_rows(
        folder / "declared.csv",
        [{**row, "tier": "declared", "capacity": "1", "group": "", "group_name": ""} for row in rows],
        columns,
    )
    metrics["declared"] = {
        "coverage": r["m_coverage"],
        "covered": regions,
        "not_covered": [],
        "unmapped": {regions[0]: [r["m_unmapped"]]},
        "not_laid_out": {regions[0]: {r["m_notlaid_ind"]: [r["m_notlaid"]]}},
        "not_laid_out_reasons": {r["m_notlaid_ind"]: r["m_reason"]},
    }
    _write_rows(folder / "phasing.csv", [{"period": r["m_year"], **row} for row in rows], ["period", *columns])
    metrics["periods"] = {
        r["m_year"]: {
            "industries": metrics["industries"],
            "solver": {**metrics["solver"], "status": r["m_status"]},
            "optimised": metrics["optimised"],
            "policy_levers": [r["m_lever"]],
            "policy_lever_notes": [lever],
        }
    }
    (folder / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False), encoding="utf-8")
    return folder


def test_map_of_a_received_folder_runs_no_payload(received, sentinel):
    result = CliRunner().invoke(app, ["map", str(received), "--png", str(received / "map.png")])
    assert result.exit_code == 0, result.output
    page = (received / "map.html").read_text(encoding="utf-8")
    r = RECEIVED
    check_page(
        page,
        [
            REGION_CODE,
            REGION_NAME,
            NOT_MODELLED_NAME,
            INDUSTRY_CODE,
            GROUP_NAME,
            r["m_scenario"],
            r["m_indname"],
            r["m_kind"],
            r["m_coverage"],
            r["m_unmapped"],
            r["m_notlaid"],
            r["m_reason"],
            r["m_year"],
            r["m_changes"],
        ],
        sentinel,
    )
    assert f'"Portfolio {r["m_year"]}"' in page  # a period's layer name in the layer control
    assert (received / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_of_a_received_folder_runs_no_payload(received, sentinel):
    out = received.parent / "report.html"
    result = CliRunner().invoke(app, ["report", str(received), "--out", str(out)])
    assert result.exit_code == 0, result.output
    r = RECEIVED
    check_page(
        out.read_text(encoding="utf-8"),
        [
            REGION_CODE,
            REGION_NAME,
            INDUSTRY_CODE,
            r["m_scenario"],
            r["m_indname"],
            r["m_coverage"],
            r["m_unmapped"],
            r["m_notlaid"],
            r["m_reason"],
            r["m_year"],
            r["m_status"],
            r["m_lever"],
            r["m_missing"],
            r["m_message"],
            r["m_changes"],
            r["m_chname"],
        ],
        sentinel,
    )


def test_text_that_is_not_even_a_template_stays_text(received, tmp_path, sentinel):
    """Read as a template, MALFORMED would stop the page with a syntax error; it is a name like any other."""
    folder = shutil.copytree(received, tmp_path / "dir")
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    metrics["scenario"]["name"] = metrics["industries"][1]["name"] = MALFORMED
    (folder / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False), encoding="utf-8")
    for command, page in (("map", "map.html"), ("report", "report.html")):
        result = CliRunner().invoke(app, [command, str(folder)])
        assert result.exit_code == 0, result.output
        text = (folder / page).read_text(encoding="utf-8")
        check_page(text, [MALFORMED], sentinel)
        assert text.count(MALFORMED) >= 3, page  # title, heading and the industry's rows


def test_robustness_map_of_a_sweep_folder_runs_no_payload(solved, tmp_path, sentinel):
    sweep = tmp_path / "sweep"
    point = shutil.copytree(solved, sweep / "points" / "p000")
    metrics = json.loads((point / "metrics.json").read_text(encoding="utf-8"))
    metrics["scenario"]["name"] = RECEIVED["sw_scenario"] + " [p000]"
    (point / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False), encoding="utf-8")
    (sweep / "sweep.csv").write_text("point\np000\n", encoding="utf-8")
    held = {(row["region_code"], row["industry"]) for row in _read_rows(point / "assignment.csv")}
    regions = ["R1", REGION_CODE, "R3"]
    rows = [
        {
            "region_code": c,
            "region_name": "",
            "industry": i,
            "industry_name": RECEIVED["sw_indname"],
            "points_solved": 1,
            "points_designated": int((c, i) in held),
            "share_designated": float((c, i) in held),
        }
        for c in regions
        for i in (INDUSTRY_CODE, "T2")
    ]
    _write_rows(sweep / "robustness.csv", rows, list(rows[0]))
    result = CliRunner().invoke(app, ["map", str(sweep)])
    assert result.exit_code == 0, result.output
    page = (sweep / "robustness.html").read_text(encoding="utf-8")
    check_page(
        page,
        [REGION_CODE, REGION_NAME, NOT_MODELLED_NAME, INDUSTRY_CODE, RECEIVED["sw_indname"], RECEIVED["sw_scenario"]],
        sentinel,
    )
    assert f'"{RECEIVED["sw_indname"]} ({INDUSTRY_CODE})"' in page  # its layer name in the layer control


def test_pareto_page_runs_no_payload(sentinel, tmp_path):
    from layout.batch.pareto import front_html, plot_png

    table = pd.DataFrame(
        [
            {
                "point": "e000",
                "epsilon": 0.0,
                "homogeneity": 0.0,
                "duplications": 0,
                "overcapacity": 0.5,
                "advantage": 0.7,
                "status": "optimal",
                "message": "",
                "folder": "points/e000",
                "on_front": True,
            },
            {
                "point": "e001",
                "epsilon": 1.0,
                "homogeneity": None,
                "duplications": None,
                "overcapacity": None,
                "advantage": None,
                "status": "bad input",
                "message": RECEIVED["pf_message"],
                "folder": "",
                "on_front": False,
            },
            {
                "point": "default",
                "epsilon": None,
                "homogeneity": 1.0,
                "duplications": 1,
                "overcapacity": 0.2,
                "advantage": 0.9,
                "status": "optimal",
                "message": "",
                "folder": "points/default",
                "on_front": True,
            },
        ]
    )
    title = f"{SCENARIO}: homogeneity vs overcapacity"
    # a failed point's message is shown cut at 200 characters
    check_page(front_html(table, "overcapacity", title), [SCENARIO, RECEIVED["pf_message"][:200]], sentinel)
    plot_png(table, "overcapacity", tmp_path / "pareto.png", title)
    assert (tmp_path / "pareto.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_page_refuses_an_element_that_renders_text_again():
    """The structural guard: folium's own layer control (not the verbatim subclass) would render the layer
    names again as a template; the page refuses to render rather than run them."""
    from folium.map import LayerControl

    from layout.views.maps.elements import LayoutLayer, PageLayerControl, PageMap
    from layout.views.maps.elements import Page as MapPage

    def page(control) -> str:
        fig = MapPage("t")
        m = PageMap(tiles=None)
        fig.add_child(m)
        LayoutLayer("k", "x", "{{ 7*7 }}{% if 1 %}if{% endif %}{# c #}", [], base=True).add_to(m)
        control.add_to(m)
        return fig.render()

    with pytest.raises(RuntimeError, match="render text as a template"):
        page(LayerControl())
    assert '"{{ 7*7 }}{% if 1 %}if{% endif %}{# c #}"' in page(PageLayerControl())


# ------------------------------------------------------------------------------------------------
# Figures: text is plain (no mathtext, no LaTeX)
# ------------------------------------------------------------------------------------------------

MATH = r"$\frac{$ cost $x^2$"


@pytest.mark.parametrize("usetex", [False, True])
def test_figures_draw_dollar_names_as_text(tmp_path, usetex):
    """A '$…$' name (an unbalanced \\frac included) draws as text in the Pareto figure and the map figure,
    also when the user's matplotlib settings ask for LaTeX."""
    import matplotlib

    from layout.batch.pareto import plot_png
    from layout.views.maps.render import write_png
    from tests.views.test_maps_browser import make_results

    table = pd.DataFrame(
        [
            {"point": "e000", "homogeneity": 0.0, "overcapacity": 0.5, "status": "optimal", "on_front": True},
            {"point": "default", "homogeneity": 1.0, "overcapacity": 0.2, "status": "optimal", "on_front": True},
        ]
    )
    folder = make_results(tmp_path / "dir")
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    metrics["scenario"]["name"] = MATH
    metrics["industries"][0]["name"] = MATH
    metrics["groups"][0]["name"] = MATH
    (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    with matplotlib.rc_context({"text.usetex": usetex}):
        plot_png(table, "overcapacity", tmp_path / "pareto.png", f"{MATH}: homogeneity vs overcapacity")
        write_png(folder, tmp_path / "map.png")
    for name in ("pareto.png", "map.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
