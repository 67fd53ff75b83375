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
Uncoordinated baseline: Northland and Eastland (Southland scores 0 and picks nothing) each plan all three
industries at U = max_share x target, as if unopposed. A: Alpha 60 + 60, Beta 6 + 6, Gamma 4 + 4 ->
overcapacity (1.2 + 2 + 2) / 3 = 1.7333; B: Alpha 70 + 70, Beta 30 + 30, Delta 4 + 4 -> (1.4 + 2 + 2) / 3
= 1.8. 6 clusters in 2 regions, identical portfolios: similarity 1, Krugman 0.

Declared plans (written by hand into a copy of B: declared.csv + metrics["declared"]): Northland declares
Alpha and Beta, Eastland Alpha; Southland has no sourced plan. Similarity of (1, 1) and (1, 0) is
1/sqrt(2) = 0.707; no neighbours, so no duplications and no neighbour similarity.

Phasing (tests.squares: Avalon, Brigadoon, Camelot apart; t = 10, 5, 0 and u = 10, 2, 0 -> scores 1, 0.5, 0
and 1, 0.2, 0; no neighbours, so no duplications). Tools (T) has target 50 in 2025 and 100 in 2030;
Utilities (U) is a candidate entering in 2030; Motors (M) is mature.
"persist": designations persist; Avalon may take part in 2 clusters, the others in 1. 2025: Avalon T 50
(1 industry, 1 cluster, 1 region). 2030: Avalon keeps T (now 100) and takes U 100 (score 1 each, -2):
2 industries, 2 clusters, 1 region hosting.
"exit": allow_exit, one cluster per region. 2025 the same; 2030 the free optimum Avalon U 100,
Brigadoon T 100 (-1.5, against -1.2 keeping Avalon on T). So from "persist" to "exit": 2025 unchanged;
2030 added Brigadoon T, removed Avalon T, Avalon U unchanged.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from layout.analysis.explain import explain
from layout.errors import InputError
from layout.language import using
from layout.pipeline import solve_scenario
from layout.results.compare import compare, format_comparison
from layout.results.staging import write_json
from layout.views.report import write_report
from tests.squares import industry, write_row_of_squares, write_scenario
from tests.squares import write_regions as write_squares

HOSTILE = "<img src=x onerror=alert(1)>"
REGIONS = [("R1", "Northland", 2), ("R2", HOSTILE, 1), ("R3", "Southland", 0)]

COMMON = """
regions: {source: files, boundaries: squares.geojson, indicators: ind.csv, code_field: code, name_field: name}
rules: {max_share: 1.0}
limits: {min_clusters: 0, budget: null}
"""
SCENARIO_A = (
    "name: compare A\n"
    + COMMON
    + """
industries:
  A: {name: Alpha, kind: innovation, target: 100, max_share: 0.6, weights: {s: 1}}
  B: {name: Beta, kind: innovation, target: 6, weights: {s: 1}}
  C: {name: Gamma, kind: innovation, target: 4, weights: {s: 1}}
"""
)
SCENARIO_B = (
    "name: compare B\n"
    + COMMON
    + """
industries:
  A: {name: Alpha, kind: innovation, target: 100, max_share: 0.7, weights: {s: 1}}
  B: {name: Beta, kind: innovation, target: 30, weights: {s: 1}}
  D: {name: Delta, kind: innovation, target: 4, weights: {s: 1}}
"""
)


def write_regions(folder: Path) -> None:
    write_row_of_squares(folder, REGIONS)


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
    assert [(e["region"], e["industry"], e["tier"], e["capacity"]) for e in ch["added"]] == [
        ("R1", "D", "characteristic", 4.0)
    ]
    assert [(e["region"], e["industry"], e["tier"], e["capacity"]) for e in ch["removed"]] == [
        ("R1", "C", "characteristic", 4.0)
    ]
    assert [
        (e["region"], e["industry"], e["tier_a"], e["tier_b"], e["capacity_a"], e["capacity_b"])
        for e in ch["tier_changed"]
    ] == [("R1", "B", "characteristic", "provincial", 6.0, 30.0)]
    assert [(e["region"], e["industry"], e["capacity_a"], e["capacity_b"]) for e in ch["capacity_changed"]] == [
        ("R1", "A", 60.0, 70.0),
        ("R2", "A", 40.0, 30.0),
    ]
    assert d["unchanged"] == 0
    assert ch["capacity_changed"][1]["region_name"] == HOSTILE  # names as in the files (escaping is the report's job)
    metrics = {m["metric"]: m for m in d["metrics"]}
    assert metrics["clusters"]["a"] == 4 and metrics["clusters"]["b"] == 4 and metrics["clusters"]["delta"] == 0
    text = format_comparison(d)
    assert "1 added, 1 removed, 1 tier changed, 2 capacity changed, 0 unchanged" in text
    # the baseline columns: metrics.json's baseline values, hand-checked in the module docstring
    base = {
        side: json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["baseline"]
        for side, folder in (("a", a), ("b", b))
    }
    for m in metrics.values():
        if m["metric"] != "objective":
            assert (m["baseline_a"], m["baseline_b"]) == (base["a"][m["metric"]], base["b"][m["metric"]]), m
    assert [
        (metrics[k]["baseline_a"], metrics[k]["baseline_b"])
        for k in ("mean_overcapacity_ratio", "clusters", "regions_hosting", "mean_similarity", "mean_krugman")
    ] == [(1.733333, 1.8), (6, 6), (2, 2), (1, 1), (0, 0)]
    assert text_row(text, "mean overcapacity ratio") == [
        "1.733",
        "1.8",
        "1",
        "1",
        "0",
    ]  # baseline A, B; optimised A, B; B − A
    assert text_row(text, "clusters") == [str(base["a"]["clusters"]), str(base["b"]["clusters"]), "4", "4", "0"]
    # regions per industry: baseline Northland + Eastland for each; optimised as in the module docstring
    assert text_row(text, "regions with C") == ["2", "—", "1", "—", "—"]
    assert text_row(text, "regions with A") == [
        str(base["a"]["industries"]["A"]["regions"]),
        str(base["b"]["industries"]["A"]["regions"]),
        "2",
        "2",
        "0",
    ]
    assert max(len(line) for line in text.splitlines() if not line.startswith(("A:", "B:", "  ~"))) <= 80
    assert "~ Northland (R1) B: characteristic → provincial, 6 → 30" in text
    assert "~ Northland (R1) A: provincial, 60 → 70" in text


def text_row(text: str, label: str) -> list[str]:
    """The cells after `label` in the metrics table of `layout compare`."""
    found = [line[len(label) + 2 :].split() for line in text.splitlines() if line.startswith(f"  {label}  ")]
    assert len(found) == 1, (label, text)
    return found[0]


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


# ------------------------------------------------------------------------------ declared plans


DECLARED_CSV = """region_code,region_name,industry,industry_name,capacity,tier,kind,group,group_name
R1,Northland,A,Alpha,1.0,declared,innovation,,
R1,Northland,B,Beta,1.0,declared,innovation,,
R2,{hostile},A,Alpha,1.0,declared,innovation,,
"""
COVERAGE = "declared plans cover 2 of 3 provinces (sourced rows only); the other 1 have no sourced plan"
UNMAPPED = "<b>量子信息</b>"
NOT_LAID_OUT = "<i>伽马</i>"  # declared by Northland for Gamma, which B does not lay out (written by hand)
GAMMA_REASON = "C (Gamma) is mature: it leaves the SEI layout, no new designations"


def add_declared(folder: Path) -> None:
    """declared.csv and metrics["declared"] written by hand (values in the module docstring)."""
    (folder / "declared.csv").write_text(DECLARED_CSV.format(hostile=HOSTILE), encoding="utf-8")
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    metrics["declared"] = {
        "coverage": COVERAGE,
        "covered": ["R1", "R2"],
        "not_covered": ["R3"],
        "regions_per_industry": {"A": 2, "B": 1, "D": 0},
        "duplications": 0,
        "mean_similarity": 0.707107,
        "mean_similarity_adjacent": None,
        "unmapped": {"R2": [UNMAPPED]},
        "not_laid_out": {"R1": {"C": [NOT_LAID_OUT]}},
        "not_laid_out_reasons": {"C": GAMMA_REASON},
    }
    write_json(folder / "metrics.json", metrics)


@pytest.fixture(scope="module")
def declared_dir(results, tmp_path_factory) -> Path:
    import shutil

    _, b = results
    folder = tmp_path_factory.mktemp("declared") / "b_declared"
    shutil.copytree(b, folder)
    add_declared(folder)
    write_report(folder)
    return folder


def cells(row_html: str) -> list[str]:
    """The text of a table row's cells."""
    return [
        html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
        for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, re.S)
    ]


def section(text: str, key: str) -> str:
    m = re.search(rf'<section id="{key}">(.*?)</section>', text, re.S)
    assert m, f"no section {key}"
    return m.group(1)


def tables(text: str) -> list[list[list[str]]]:
    """Every table of an HTML text as rows of cell texts."""
    return [
        [cells(r) for r in re.findall(r"<tr>(.*?)</tr>", t, re.S)]
        for t in re.findall(r"<table>(.*?)</table>", text, re.S)
    ]


def table_row(text: str, first_cell: str) -> list[str]:
    rows = [cells(r) for r in re.findall(r"<tr>(.*?)</tr>", text, re.S)]
    found = [r for r in rows if r and r[0] == first_cell]
    assert len(found) == 1, (first_cell, rows)
    return found[0]


def test_report_compares_declared_baseline_and_optimised(declared_dir):
    text = (declared_dir / "report.html").read_text(encoding="utf-8")
    metrics = json.loads((declared_dir / "metrics.json").read_text(encoding="utf-8"))
    b, o = metrics["baseline"], metrics["optimised"]
    d = section(text, "declared")
    assert "Coverage: " + COVERAGE in d
    assert "declared plans (2 of 3 provinces)" in d and "uncoordinated baseline" in d and "optimised" in d
    assert table_row(d, "metric") == [
        "metric",
        "declared plans (2 of 3 provinces)",
        "uncoordinated baseline",
        "optimised",
    ]
    assert table_row(d, "neighbour duplications") == [
        "neighbour duplications",
        "0",
        str(b["duplications"]),
        str(o["duplications"]),
    ]
    assert table_row(d, "similarity, all pairs")[1] == "0.707"
    assert table_row(d, "similarity, neighbours")[1] == "—"
    # regions per industry: declared by hand; optimised B is Alpha in Northland + Eastland, Beta and Delta in Northland
    assert table_row(d, "A Alpha") == ["A Alpha", "2", str(b["industries"]["A"]["regions"]), "2"]
    assert table_row(d, "B Beta")[1:] == ["1", str(b["industries"]["B"]["regions"]), "1"]
    assert table_row(d, "D Delta")[1:] == ["0", str(b["industries"]["D"]["regions"]), "1"]
    # the 2019 national clusters file: rows counted, against the national 66
    from layout.paths import geodata_file

    with open(geodata_file("sei_clusters_2019.csv"), encoding="utf-8") as f:
        listed = sum(1 for _ in f) - 1
    assert f"lists {listed} of the 66 clusters" in d
    # per province: priorities declared for an industry not laid out, with the lever's reason, and unmapped ones
    # listed (escaped), the rest marked
    assert html.escape(UNMAPPED) in d and UNMAPPED not in d and NOT_LAID_OUT not in d
    assert f"{GAMMA_REASON}; provinces that declared C are listed as declared, not laid out in this scenario." in d
    assert table_row(d, "Northland R1")[1:] == ["A, B", f"{NOT_LAID_OUT} (C)", "none"]
    assert table_row(d, f"{HOSTILE} R2")[1:] == ["A", "none", UNMAPPED]
    assert table_row(d, "no sourced plan (1)")[1].startswith("Southland R3: no sourced plan")
    assert HOSTILE not in text


def test_report_without_declared_or_periods_has_neither_section(report):
    text = report.read_text(encoding="utf-8")
    assert 'id="declared"' not in text and 'id="phasing"' not in text


def test_compare_states_the_declared_metrics_and_coverage(results, declared_dir):
    a, _ = results
    d = compare(declared_dir, a)
    assert d["declared"]["a"]["coverage"] == COVERAGE and d["declared"]["b"] is None
    assert [(m["metric"], m["a"], m["b"]) for m in d["declared"]["metrics"]] == [
        ("duplications", 0, None),
        ("mean_similarity", 0.707107, None),
        ("mean_similarity_adjacent", None, None),
    ]
    assert [(m["industry"], m["a"]) for m in d["declared"]["regions_per_industry"]] == [("A", 2), ("B", 1), ("D", 0)]
    text = format_comparison(d)
    assert "    A: 2 of 3 provinces; the other 1 have no sourced plan\n    B: no declared.csv in this folder\n" in text
    with using("zh"):  # full-width colons after A and B; each count of changes with its measure word
        zh = format_comparison(d)
    assert "    A：3个省份中的2个；其余1个未找到有出处的规划\n" in zh, zh
    assert re.search(r"集群布局：新增\d+处，移除\d+处，层级变更\d+处，规模变更\d+处，未变\d+处", zh), zh
    # three layouts side by side: declared (A only), baseline and optimised of A and B, then B − A of the optimised
    base = {
        side: json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["baseline"]
        for side, folder in (("a", declared_dir), ("b", a))
    }
    assert text_row(text, "regions with A") == [
        "2",
        "—",
        str(base["a"]["industries"]["A"]["regions"]),
        str(base["b"]["industries"]["A"]["regions"]),
        "2",
        "2",
        "0",
    ]
    # optimised similarity of Northland and Eastland: B 70 / sqrt(70² + 30² + 4²) = 0.918, A 60 / sqrt(60² + 6² + 4²) = 0.993
    assert text_row(text, "similarity, all pairs") == [
        "0.707",
        "—",
        "1",
        "1",
        "0.918",
        "0.993",
        "0.075",
        "✗",
    ]  # B more alike: worse
    assert (base["a"]["mean_similarity"], base["b"]["mean_similarity"]) == (1, 1)
    assert text_row(text, "mean overcapacity ratio") == ["—", "—", "1.8", "1.733", "1", "1", "0"]
    assert "phasing" not in d and "Phasing" not in text
    # folders without declared.csv or periods: no declared column, no phasing
    plain = format_comparison(compare(a, a))
    assert "Declared" not in plain and "Phasing" not in plain and plain.rstrip().endswith("4 unchanged")


# ------------------------------------------------------------------------------------ phasing


def phased_body(allow_exit: bool) -> dict:
    return {
        "name": "phased exit" if allow_exit else "phased",
        "periods": [2025, 2030],
        "allow_exit": allow_exit,
        "industries": {
            "T": industry(name="Tools", max_share=1.0, weights={"t": 1}, targets={2025: 50, 2030: 100}),
            "U": industry(name="Utilities", max_share=1.0, weights={"u": 1}, status="candidate", enters=2030),
            "M": industry(name="Motors", max_share=1.0, weights={"t": 1}, status="mature"),
        },
        "limits": {
            "min_clusters": 0,
            "budget": None,
            "max_clusters": 1,
            "regions": {} if allow_exit else {"A": {"max_clusters": 2}},
        },
    }


@pytest.fixture(scope="module")
def phased(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("phased")
    write_squares(
        root,
        {"A": (0, 0), "B": (3, 0), "C": (6, 0)},
        {"A": {"t": 10, "u": 10}, "B": {"t": 5, "u": 2}, "C": {"t": 0, "u": 0}},
        names={"A": "Avalon", "B": "Brigadoon", "C": "Camelot"},
    )
    out = []
    for label, allow_exit in (("persist", False), ("exit", True)):
        run = solve_scenario(write_scenario(root, phased_body(allow_exit), name=f"{label}.yaml"), root / label)
        assert [p.result.status for p in run.periods] == ["optimal", "optimal"]
        out.append(root / label)
    return out[0], out[1]


def test_report_shows_the_phasing_per_period(phased):
    persist, _ = phased
    text = (persist / "report.html").read_text(encoding="utf-8")
    ph = section(text, "phasing")
    status, designations, levers = tables(ph)
    assert status == [
        [
            "period",
            "status",
            "industries laid out",
            "clusters",
            "neighbour duplications",
            "regions hosting",
            "capacity / target",
            "own folder",
        ],
        ["2025", "optimal", "1", "1", "0", "1", "50 / 50", "periods/2025/map.html"],
        ["2030", "optimal", "2", "2", "0", "1", "200 / 200", "periods/2030/map.html"],
    ]
    assert '<a href="periods/2030/map.html">' in ph and (persist / "periods" / "2030" / "map.html").is_file()
    # capacity by industry per period: T 50 then 100, U only from 2030
    assert "T 2025: capacity 50 / target 50" in ph and "T 2030: capacity 100 / target 100" in ph
    assert "U 2030: capacity 100 / target 100" in ph and "2025: not laid out" in ph and "U 2025" not in ph
    # designations added per period (phasing.csv); nothing removed, so no removed column
    assert designations == [
        ["period", "added", "removed", "kept (capacity changed)", "designations added (region: tier, capacity)"],
        ["2025 (first period: every designation is new)", "1", "0", "0 (0)", "T Tools: Avalon (provincial, 50)"],
        ["2030", "1", "0", "1 (1)", "U Utilities: Avalon (provincial, 100)"],
    ]
    assert "No designation was removed between periods." in ph
    # the levers per period: Motors retired throughout, Utilities waiting in 2025 and entering in 2030
    assert levers[1:] == [
        ["2025", "M Motors", "—", "U Utilities (enters 2030)", "—", "—"],
        ["2030", "M Motors", "U Utilities", "—", "—", "—"],
    ]
    lv = section(text, "levers")
    assert (
        "M (Motors) is mature: it leaves the SEI layout, no new designations; the scenario gives no existing capacity "
        'for it (base_capacity), so none is reported as kept <span class="muted">— 2025, 2030</span>'
    ) in lv
    assert 'U (Utilities) is a candidate entering in 2030: not laid out in 2025 <span class="muted">— 2025</span>' in lv


def test_report_lists_removed_designations_and_links_from_elsewhere(phased, tmp_path):
    _, exit_ = phased
    (tmp_path / "elsewhere").mkdir()
    out = write_report(exit_, tmp_path / "elsewhere" / "r.html")
    ph = section(out.read_text(encoding="utf-8"), "phasing")
    designations = tables(ph)[1]
    assert designations[0][-1] == "removed"
    assert designations[2] == [
        "2030",
        "2",
        "1",
        "0 (0)",
        "T Tools: Brigadoon (provincial, 100)U Utilities: Avalon (provincial, 100)",
        "T Tools: Avalon (provincial, 50)",
    ]
    assert "No designation was removed" not in ph
    href = re.search(r'<a href="([^"]+)">periods/2030/map.html</a>', ph).group(1)
    assert (out.parent / href).resolve() == (exit_ / "periods" / "2030" / "map.html").resolve()


def test_compare_reports_the_changes_per_period(phased, results):
    persist, exit_ = phased
    d = compare(persist, exit_)
    per = {p["period"]: p for p in d["phasing"]["periods"]}
    assert list(per) == ["2025", "2030"]
    assert all(not v for v in per["2025"]["changes"].values()) and per["2025"]["unchanged"] == 1
    ch = per["2030"]["changes"]
    assert [(e["region"], e["industry"], e["capacity"]) for e in ch["added"]] == [("B", "T", 100.0)]
    assert [(e["region"], e["industry"], e["capacity"]) for e in ch["removed"]] == [("A", "T", 100.0)]
    assert not ch["tier_changed"] and not ch["capacity_changed"] and per["2030"]["unchanged"] == 1
    text = format_comparison(d)
    assert (
        "Phasing (assignments per plan period, A → B; + added, - removed):\n"
        "  2025: 0 added, 0 removed, 0 tier changed, 0 capacity changed, 1 unchanged\n"
        "  2030: 1 added, 1 removed, 0 tier changed, 0 capacity changed, 1 unchanged\n"
        "    + Brigadoon (B) T: provincial, 100\n"
        "    - Avalon (A) T: provincial, 100\n"
    ) in text
    assert "Declared" not in text
    # only one side phased: said in one line
    assert "Phasing: only B was solved over plan periods (2025, 2030)" in format_comparison(compare(results[0], exit_))


# --------------------------------------------------------------------------------------- browser


def test_reports_open_offline_in_chromium_without_errors(browser, report, declared_dir, phased):
    problems, requests = [], []
    context = browser.new_context(offline=True)
    try:
        context.route(re.compile(r"^https?://"), lambda route: (requests.append(route.request.url), route.abort()))
        page = context.new_page()
        page.on(
            "console",
            lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None,
        )
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        page.goto(report.as_uri(), wait_until="load")
        assert page.title() == "compare B — layout report"
        assert page.locator("img").count() == 0
        assert page.get_by_text(HOSTILE, exact=False).count() >= 1  # shown as text
        assert page.locator("svg").count() >= 3
        page.goto((declared_dir / "report.html").as_uri(), wait_until="load")
        assert page.locator("#declared table").first.locator("th").all_inner_texts()[:4] == [
            "metric",
            "declared plans (2 of 3 provinces)",
            "uncoordinated baseline",
            "optimised",
        ]
        assert page.locator("#declared").get_by_text(UNMAPPED, exact=False).count() >= 1
        page.goto((phased[0] / "report.html").as_uri(), wait_until="load")
        assert page.locator("#phasing svg").count() == 1 and page.locator("#levers").count() == 1
        with page.expect_navigation():
            page.locator('#phasing a[href="periods/2025/map.html"]').click()
        assert page.url.endswith("/periods/2025/map.html")
    finally:
        context.close()
    assert requests == []
    assert problems == []
