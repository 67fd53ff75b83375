"""Every command of the console script, run through the CLI on a tiny scenario (the library parts have their own tests)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from layout.cli import app
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()


@pytest.fixture
def two_results(tmp_path):
    """The scenario of tests/model/test_model_optima.py solved with homogeneity 1 (A+C) and 0 (A+B)."""
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    outs = []
    for weight in (1.0, 0.0):
        path = write_scenario(
            tmp_path,
            {"industries": {"T": industry(max_share=0.5)}, "objective": {"homogeneity": weight}},
            name=f"h{weight:g}.yaml",
        )
        out = tmp_path / f"out-h{weight:g}"
        result = runner.invoke(app, ["solve", str(path), "--out", str(out), "-q"])
        assert result.exit_code == 0, result.stderr
        outs.append(out)
    return tmp_path, outs


def test_solve_writes_map_report_and_explanation(two_results):
    _, (a, _) = two_results
    for name in ("map.html", "report.html", "explanation.json", "metrics.json", "manifest.json"):
        assert (a / name).is_file(), name


def test_explain_prints_binding_constraints(two_results):
    _, (a, _) = two_results
    result = runner.invoke(app, ["explain", str(a)])
    assert result.exit_code == 0
    assert "Binding constraints" in result.stdout and "hosting" in result.stdout


def test_compare_lists_the_moved_assignment(two_results):
    _, (a, b) = two_results
    result = runner.invoke(app, ["compare", str(a), str(b), "--json"])
    assert result.exit_code == 0, result.stderr
    d = json.loads(result.stdout)
    text = json.dumps(d)
    # homogeneity 1 puts T in A and C; homogeneity 0 in A and B: C removed, B added
    assert '"C"' in text and '"B"' in text
    plain = runner.invoke(app, ["compare", str(a), str(b)])
    assert "1 added, 1 removed" in plain.stdout
    # the uncoordinated baseline beside the optimised layouts: A and B (score 1 and 0.8; C scores 0 and picks
    # nothing) each plan T at 50 as if unopposed, the same in both runs: 1 duplication, capacity 100 / 100
    base = {
        side: json.loads((folder / "metrics.json").read_text(encoding="utf-8"))["baseline"]
        for side, folder in (("a", a), ("b", b))
    }
    rows = {m["metric"]: m for m in d["metrics"]}
    assert all(
        (m["baseline_a"], m["baseline_b"]) == (base["a"][k], base["b"][k]) for k, m in rows.items() if k != "objective"
    )
    assert [
        (rows[k]["baseline_a"], rows[k]["baseline_b"]) for k in ("duplications", "clusters", "mean_overcapacity_ratio")
    ] == [(1, 1), (2, 2), (1, 1)]
    line = next(x for x in plain.stdout.splitlines() if x.startswith("  neighbour duplications  "))
    assert line.split()[2:] == [
        str(base["a"]["duplications"]),
        str(base["b"]["duplications"]),
        "0",
        "1",
        "1",
        "✗",
    ]  # baseline A, B; optimised A, B; B − A; worse


def test_compare_refuses_a_folder_that_is_not_a_result(two_results):
    tmp, (a, _) = two_results
    result = runner.invoke(app, ["compare", str(a), str(tmp)])
    assert result.exit_code == 2 and str(tmp) in result.stderr


def test_report_and_map_commands_rewrite_their_files(two_results):
    tmp, (a, _) = two_results
    out = tmp / "r.html"
    assert runner.invoke(app, ["report", str(a), "--out", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    png = tmp / "fig.png"
    result = runner.invoke(app, ["map", str(a), "--layers", "T,duplications", "--png", str(png)])
    assert result.exit_code == 0, result.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert runner.invoke(app, ["map", str(a), "--layers", "nope"]).exit_code == 2


def test_explain_of_a_missing_folder_exits_2(tmp_path):
    result = runner.invoke(app, ["explain", str(tmp_path / "none")])
    assert result.exit_code == 2


def test_schema_lists_every_top_level_key():
    result = runner.invoke(app, ["schema"])
    schema = json.loads(result.stdout)
    for key in ("industries", "groups", "limits", "objective", "periods", "shortcomings", "strengths", "sweep"):
        assert key in schema["properties"], key
    assert schema["$defs"]["Industry"]["properties"]["target"]["description"].startswith("D_i")


def test_pareto_command_parses_its_criteria(two_results):
    tmp, _ = two_results
    path = tmp / "h1.yaml"
    bad = runner.invoke(app, ["pareto", str(path), "--between", "homogeneity", "colour", "--out", str(tmp / "p")])
    assert bad.exit_code == 2 and "colour" in bad.stderr
    good = runner.invoke(
        app,
        [
            "pareto",
            str(path),
            "--between",
            "homogeneity",
            "overcapacity",
            "--points",
            "2",
            "--workers",
            "1",
            "-q",
            "--out",
            str(tmp / "p"),
        ],
    )
    assert good.exit_code == 0, good.stderr
    assert (tmp / "p" / "pareto.csv").is_file() and (tmp / "p" / "pareto.html").is_file()
