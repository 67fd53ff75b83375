"""One metrics catalogue: the summary of `layout solve`, `layout compare` and the HTML report name every headline
metric by its record in `layout.results.metrics.METRICS` and judge it by the record's better direction; and the
number formats of `layout.words` they write with.

The agreement test builds two results folders by hand: X (baseline BASELINE, optimised OPTIMISED) and Y (whose
optimised layout is X's baseline). The report and the summary of X judge baseline → optimised; `layout compare
Y X` judges the same change from A to B. Each must show every label and reach VERDICTS, worked out by hand.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

import layout.cli
from layout.results.compare import MARKS, compare, format_comparison
from layout.results.metrics import METRIC, METRICS, OBJECTIVE
from layout.views.report import render_report
from layout.words import cell, figure, fixed, listing
from tests.results_folder import layout_metrics, metrics, write_folder

BASELINE = layout_metrics(
    duplications=5,
    duplications_weighted=4.5,
    mean_similarity=0.5,
    mean_similarity_adjacent=0.4,
    mean_krugman=1.2,
    mean_overcapacity_ratio=0.8,
    total_shortfall=20.0,
    targets_met=False,
    regions_hosting=3,
    clusters=6,
)
OPTIMISED = layout_metrics(
    duplications=1,
    duplications_weighted=1.0,
    mean_similarity=0.6,
    mean_similarity_adjacent=0.2,
    mean_krugman=1.0,
    mean_overcapacity_ratio=1.1,
    total_shortfall=0.0,
    targets_met=True,
    regions_hosting=2,
    clusters=6,
)
VERDICTS = {
    "duplications": "better",
    "duplications_weighted": "better",  # 5 → 1, 4.5 → 1: lower
    "mean_similarity": "worse",
    "mean_similarity_adjacent": "better",  # 0.5 → 0.6 more alike; 0.4 → 0.2
    "mean_krugman": "worse",  # 1.2 → 1.0: less specialised
    "mean_overcapacity_ratio": "better",  # 0.8 → 1.1: 0.2 from the target, then 0.1 (higher, yet nearer 1)
    "total_shortfall": "better",
    "targets_met": "better",  # 20 → 0; no → yes
    "regions_hosting": "worse",  # 3 → 2
    "clusters": None,  # no better direction (and 6 → 6)
}


@pytest.fixture
def folders(tmp_path) -> tuple[Path, Path]:
    """X (baseline → optimised) and Y (its optimised layout is X's baseline)."""
    x = write_folder(tmp_path / "x", metrics(baseline=BASELINE, optimised=OPTIMISED))
    y = write_folder(tmp_path / "y", metrics(baseline=BASELINE, optimised=BASELINE))
    return x, y


def summary_rows(m: dict, monkeypatch) -> dict[str, list[str]]:
    """The metrics table of `layout solve`'s summary: label -> the other cells."""
    buffer = io.StringIO()
    monkeypatch.setattr(layout.cli, "out_console", Console(file=buffer, width=120, highlight=False, soft_wrap=False))
    layout.cli.print_summary(m, Path("out"))
    rows = [
        [c.strip() for c in line.split("│")[1:-1]] for line in buffer.getvalue().splitlines() if line.startswith("│")
    ]
    return {r[0]: r[1:] for r in rows if r}


def compare_rows(text: str) -> dict[str, list[str]]:
    """The metrics table of `layout compare`: label -> the other cells (the verdict mark last, if any)."""
    labels = [m.label for m in (*METRICS, OBJECTIVE)]
    return {
        label: line[len(label) + 2 :].split()
        for line in text.splitlines()
        for label in labels
        if line.startswith(f"  {label}  ")
    }


def report_rows(text: str) -> dict[str, list[str]]:
    """The metrics table of the report: label -> the other cells."""
    section = re.search(r'<section id="metrics">(.*?)</section>', text, re.S).group(1)
    table = re.search(r"<table>(.*?)</table>", section, re.S).group(1)
    rows = [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)]
        for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    return {r[0]: r[1:] for r in rows}


def test_each_metric_has_one_record_with_a_short_label():
    assert [m.key for m in METRICS] == [
        "duplications",
        "duplications_weighted",
        "mean_similarity",
        "mean_similarity_adjacent",
        "mean_krugman",
        "mean_overcapacity_ratio",
        "total_shortfall",
        "targets_met",
        "regions_hosting",
        "clusters",
    ]
    assert len({m.label for m in METRICS}) == len(METRICS) and max(len(m.label) for m in (*METRICS, OBJECTIVE)) <= 23
    assert [m.key for m in METRICS if m.declared] == ["duplications", "mean_similarity", "mean_similarity_adjacent"]


def test_verdicts_follow_the_better_direction():
    ratio = METRIC["mean_overcapacity_ratio"]
    assert ratio.better == "nearer 1"
    # nearer 1 is better from either side; lower-is-better would call the first worse, higher-is-better the third
    assert [ratio.verdict(0.8, 1.1), ratio.verdict(1.3, 0.9), ratio.verdict(1.0, 0.7), ratio.verdict(1.1, 0.9)] == [
        "better",
        "better",
        "worse",
        None,
    ]
    assert METRIC["duplications"].verdict(3, 4) == "worse" and METRIC["mean_krugman"].verdict(1.0, 1.5) == "better"
    assert METRIC["targets_met"].verdict(True, False) == "worse" and METRIC["clusters"].verdict(3, 9) is None
    # equal at the decimals shown is no change (solver noise); no number, no verdict
    assert (
        METRIC["mean_similarity"].verdict(0.1781, 0.1784) is None
        and METRIC["mean_similarity"].verdict(0.178, 0.18) == "worse"
    )
    assert (
        METRIC["total_shortfall"].verdict(0.00008, 0.0) is None and METRIC["total_shortfall"].verdict(None, 1.0) is None
    )
    assert {m.key: m.verdict(BASELINE[m.key], OPTIMISED[m.key]) for m in METRICS} == VERDICTS


def test_summary_compare_and_report_show_the_same_labels_and_verdicts(folders, monkeypatch):
    x, y = folders
    expected = {METRIC[k].label: v for k, v in VERDICTS.items()}
    summary = summary_rows(json.loads((x / "metrics.json").read_text(encoding="utf-8")), monkeypatch)
    d = compare(y, x)
    text = format_comparison(d)
    cmp_rows = compare_rows(text)
    report = report_rows(render_report(x))
    assert set(expected) <= set(summary) and set(expected) <= set(cmp_rows) and set(expected) <= set(report)
    # summary: baseline, optimised, verdict; report: baseline, optimised, verdict, meaning
    assert {label: summary[label][2] or None for label in expected} == expected
    assert {label: None if report[label][2] == "—" else report[label][2] for label in expected} == expected
    marks = {v: k for k, v in MARKS.items()}
    assert {label: marks.get(cmp_rows[label][-1]) for label in expected} == expected
    assert {m["label"]: m["verdict"] for m in d["metrics"] if m["metric"] != "objective"} == expected  # --json agrees
    # the values as each writes them: the record's decimals
    assert summary["mean overcapacity ratio"][:2] == ["0.800", "1.100"] and summary["shortfall (capacity)"][:2] == [
        "20.00",
        "0.00",
    ]
    assert cmp_rows["mean overcapacity ratio"] == [
        "0.8",
        "0.8",
        "0.8",
        "1.1",
        "0.3",
        "✓",
    ]  # baseline A, B; optimised A, B; B − A
    assert report["mean overcapacity ratio"][:2] == ["0.800", "1.100"] and report["all targets met"][:2] == [
        "no",
        "yes",
    ]
    assert (
        "✓ B better than A, ✗ B worse; better is lower, but higher for mean Krugman index, all targets met, regions "
        "hosting; nearer 1 for mean overcapacity ratio"
    ) in " ".join(text.split())
    assert max(len(line) for line in text.splitlines() if not line.startswith(("A:", "B:"))) <= 80


def test_number_formats():
    # cells of `layout compare` and the report's capacities: at most `digits` decimals, trailing zeros dropped
    assert [
        cell(None),
        cell(True),
        cell(3),
        cell(2.0),
        cell(0.15, 3),
        cell(63.751, 2),
        cell(-8e-05, 3),
        cell(30.4, 0),
    ] == ["—", "yes", "3", "2", "0.15", "63.75", "0", "30"]  # what rounds to nothing has no sign (was "-0")
    assert [
        cell(1234.56, 1, thousands=True),
        cell(35.04, 1, thousands=True),
        cell(1229.98, 1, thousands=True),
        cell(float("nan")),
        cell("x"),
    ] == ["1,234.6", "35", "1,230", "—", "x"]
    # `layout solve`'s table and map capacities: exactly `digits` decimals
    assert [fixed(1.0, 3), fixed(124, 0), fixed(None, 2), fixed(False, 0), fixed(35, 1), fixed(float("inf"), 1)] == [
        "1.000",
        "124",
        "—",
        "no",
        "35.0",
        "—",
    ]
    # the report: grouped, whole numbers plain, others with exactly `digits` decimals
    assert [figure(0.15), figure(2.0), figure(1234), figure(1234.5678, 2), figure(float("inf")), figure(None)] == [
        "0.150",
        "2",
        "1,234",
        "1,234.57",
        "—",
        "—",
    ]
    names = [f"U{k}" for k in range(12)]
    assert listing(names[:3]) == "U0, U1, U2" and listing(names, None) == ", ".join(names)
    assert listing(names) == "12 units (U0, U1, U2, U3, U4, U5, U6, U7, U8, U9, … and 2 more)"


def test_a_shortfall_of_solver_noise_is_no_change_in_compare_the_summary_or_the_report(tmp_path, monkeypatch):
    """A shortfall of 0.000002 (the solver's tolerance) against 0 shows as 0.00 on both sides: neither better nor
    worse, wherever it is judged."""
    noise, met = layout_metrics(total_shortfall=0.000002), layout_metrics(total_shortfall=0.0)
    a = write_folder(tmp_path / "a", metrics(baseline=met, optimised=noise))
    b = write_folder(tmp_path / "b", metrics(baseline=noise, optimised=met))
    label = METRIC["total_shortfall"].label
    for before, after in ((a, b), (b, a)):
        d = compare(before, after)
        assert [m["verdict"] for m in d["metrics"] if m["label"] == label] == [None]
        # baselines A, B; optimised A, B; B − A (0 either way: noise that rounds to nothing has no sign); no ✓ or ✗
        assert compare_rows(format_comparison(d))[label] == ["0", "0", "0", "0", "0"]
    # the report writes a whole number plain (0) and noise at the record's decimals (0.00): baseline, optimised, verdict
    for folder, shown in ((a, ["0", "0.00", "—"]), (b, ["0.00", "0", "—"])):
        assert report_rows(render_report(folder))[label][:3] == shown
        m = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        assert summary_rows(m, monkeypatch)[label] == ["0.00", "0.00", ""]  # baseline, optimised, verdict
