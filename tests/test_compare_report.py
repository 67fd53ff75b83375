"""`layout compare` and the HTML report on two tiny solved scenarios.

Three 1° squares 1° apart (no neighbours). Indicator s = 2, 1, 0 -> scores 1, 0.5, 0. Eastland's name is
hostile HTML, which the report must show as text.

Scenario A: Alpha 100 with max_share 0.6 -> Northland 60 + Eastland 40 (provincial); Beta 6 (max_share 1:
U = 6 < provincial minimum 10, so a characteristic cluster) -> Northland 6; Gamma 4 -> Northland 4
(characteristic). Northland takes part in 3 clusters, its maximum.
Scenario B: Alpha max_share 0.7 -> Northland 70 + Eastland 30; Beta 30 -> Northland provincial 30; Gamma
dropped; Delta 4 -> Northland characteristic 4.
So from A to B: added Northland Delta; removed Northland Gamma; tier changed Northland Beta
(characteristic 6 -> provincial 30); capacity changed Northland Alpha 60 -> 70 and Eastland Alpha 40 -> 30.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from layout.compare import compare, format_comparison
from layout.errors import InputError
from layout.explain import explain
from layout.report import write_report
from layout.results import write_json
from layout.run import solve_scenario

HOSTILE = "<img src=x onerror=alert(1)>"
REGIONS = [("R1", "Northland", 2), ("R2", HOSTILE, 1), ("R3", "Southland", 0)]

COMMON = """
regions: {source: files, boundaries: squares.geojson, indicators: ind.csv, code_field: code, name_field: name}
rules: {max_share: 1.0}
limits: {min_clusters: 0, budget: null}
"""
SCENARIO_A = "name: compare A\n" + COMMON + """
industries:
  A: {name: Alpha, kind: innovation, target: 100, max_share: 0.6, weights: {s: 1}}
  B: {name: Beta, kind: innovation, target: 6, weights: {s: 1}}
  C: {name: Gamma, kind: innovation, target: 4, weights: {s: 1}}
"""
SCENARIO_B = "name: compare B\n" + COMMON + """
industries:
  A: {name: Alpha, kind: innovation, target: 100, max_share: 0.7, weights: {s: 1}}
  B: {name: Beta, kind: innovation, target: 30, weights: {s: 1}}
  D: {name: Delta, kind: innovation, target: 4, weights: {s: 1}}
"""


def write_regions(folder: Path) -> None:
    feats, rows = [], ["code,name,s"]
    for k, (code, name, s) in enumerate(REGIONS):
        x = 100 + 2 * k
        ring = [[x, 30], [x + 1, 30], [x + 1, 31], [x, 31], [x, 30]]
        feats.append({"type": "Feature", "properties": {"code": code, "name": name}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
        rows.append(f"{code},{name},{s}")
    (folder / "squares.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    (folder / "ind.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("compare")
    write_regions(root)
    out = []
    for label, text in (("a", SCENARIO_A), ("b", SCENARIO_B)):
        f = root / f"{label}.yaml"
        f.write_text(text, encoding="utf-8")
        run = solve_scenario(f, root / f"out_{label}")
        assert run.result.status == "optimal"
        write_json(root / f"out_{label}" / "explanation.json", explain(run.model, run.result))
        out.append(root / f"out_{label}")
    return out[0], out[1]


def test_compare_lists_the_changed_assignments(results):
    a, b = results
    d = compare(a, b)
    ch = d["changes"]
    assert [(e["region"], e["industry"], e["tier"], e["capacity"]) for e in ch["added"]] == [("R1", "D", "characteristic", 4.0)]
    assert [(e["region"], e["industry"], e["tier"], e["capacity"]) for e in ch["removed"]] == [("R1", "C", "characteristic", 4.0)]
    assert [(e["region"], e["industry"], e["tier_a"], e["tier_b"], e["capacity_a"], e["capacity_b"]) for e in ch["tier_changed"]] == [
        ("R1", "B", "characteristic", "provincial", 6.0, 30.0)]
    assert [(e["region"], e["industry"], e["capacity_a"], e["capacity_b"]) for e in ch["capacity_changed"]] == [
        ("R1", "A", 60.0, 70.0), ("R2", "A", 40.0, 30.0)]
    assert d["unchanged"] == 0
    assert ch["capacity_changed"][1]["region_name"] == HOSTILE  # names as in the files (escaping is the report's job)
    metrics = {m["metric"]: m for m in d["metrics"]}
    assert metrics["clusters"]["a"] == 4 and metrics["clusters"]["b"] == 4 and metrics["clusters"]["delta"] == 0
    text = format_comparison(d)
    assert "1 added, 1 removed, 1 tier changed, 2 capacity changed, 0 unchanged" in text
    assert "~ Northland (R1) B: characteristic → provincial, 6 → 30" in text
    assert "~ Northland (R1) A: provincial, 60 → 70" in text


def test_compare_of_the_same_folder_changes_nothing(results):
    a, _ = results
    d = compare(a, a)
    assert all(not v for v in d["changes"].values()) and d["unchanged"] == 4
    assert all(m["delta"] in (0, 0.0, None) for m in d["metrics"])


def test_compare_rejects_a_folder_that_is_not_a_result(results, tmp_path):
    a, _ = results
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError) as err:
        compare(a, tmp_path)
    assert str(tmp_path) in str(err.value) and "metrics.json" in str(err.value)
    with pytest.raises(InputError) as err:
        compare(tmp_path / "missing", a)
    assert str(tmp_path / "missing") in str(err.value)


@pytest.fixture(scope="module")
def report(results) -> Path:
    _, b = results
    path = write_report(b)
    assert path == b / "report.html"
    return path


def test_report_is_self_contained_and_escaped(report):
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*https?:", text, re.I)
    assert "<script" not in text.lower() and "<link" not in text.lower()
    assert HOSTILE not in text
    assert html.escape(HOSTILE) in text
    # sections and their content
    assert "Baseline vs optimised layout" in text and "Portfolio per region" in text and "Solver facts" in text
    assert "focus: Northland takes part in its maximum of 3 clusters" in text  # from explanation.json
    assert "Strategic Study of CAE" in text and "Cui Leilei" in text
    assert "GCJ-02" in text and "<svg" in text


def test_report_without_explanation_says_so(results, tmp_path):
    import shutil

    a, _ = results
    copy = tmp_path / "copy"
    shutil.copytree(a, copy)
    (copy / "explanation.json").unlink()
    text = write_report(copy, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No explanation.json in this folder" in text


def test_report_opens_offline_in_chromium_without_errors(report):
    from playwright.sync_api import sync_playwright

    problems, requests = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"])
        try:
            context = browser.new_context(offline=True)
            context.route(re.compile(r"^https?://"), lambda route: (requests.append(route.request.url), route.abort()))
            page = context.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.goto(report.as_uri(), wait_until="load")
            assert page.title() == "compare B — layout report"
            assert page.locator("img").count() == 0
            assert page.get_by_text(HOSTILE, exact=False).count() >= 1  # shown as text
            assert page.locator("svg").count() >= 3
        finally:
            browser.close()
    assert requests == []
    assert problems == []
