"""The public Python API (layout/__init__.py, layout/api.py, docs/python.md) and the results folder's one owner
(layout/results/folder.py): its writers, shared by `layout solve`, the API and Pareto points, and its reader."""

from __future__ import annotations

import ast
import contextlib
import html
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from unittest.mock import ANY

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import layout
import layout.api
import layout.pipeline
from layout.cli import app
from layout.errors import InputError
from layout.results.folder import (
    ASSIGNMENT_CSV,
    EXPLANATION_JSON,
    LAYOUT_GEOJSON,
    MANIFEST_JSON,
    METRICS_JSON,
    SCENARIO_YAML,
    WRITERS,
    read_folder,
)
from layout.views.maps import offline
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "python.md"


@pytest.fixture(scope="module")
def squares(tmp_path_factory) -> Path:
    """A constraint file on three squares (A and B touch, C apart) with two industries and a group."""
    folder = tmp_path_factory.mktemp("api")
    write_regions(folder, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    return write_scenario(
        folder,
        {
            "industries": {"T": industry(max_share=0.5), "U": industry(target=50, max_share=0.6)},
            "groups": {"G": {"members": ["A", "B"]}},
        },
    )


@pytest.fixture(scope="module")
def cli_folder(squares) -> Path:
    """The scenario solved by `layout solve`."""
    out = squares.parent / "cli"
    result = runner.invoke(app, ["solve", str(squares), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


def without_timings(metrics: dict) -> dict:
    return {k: v for k, v in metrics.items() if k != "timings_seconds"}


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- the documentation's worked example


def doc_blocks() -> list[tuple[int, str, str | None]]:
    """docs/python.md's python blocks in order: (line, code, the text block right after it or None)."""
    text = DOCS.read_text(encoding="utf-8")
    found = [
        (text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2))
        for m in re.finditer(r"^```(\w+)\n(.*?)^```$", text, re.S | re.M)
    ]
    assert [lang for _, lang, _ in found if lang not in ("python", "text")] == []
    out = []
    for k, (line, lang, body) in enumerate(found):
        after = found[k + 1] if k + 1 < len(found) else None
        if lang == "python":
            out.append((line, body, after[2] if after and after[1] == "text" else None))
        else:
            assert k > 0 and found[k - 1][1] == "python", (
                f"docs/python.md:{line}: a text block shows a python block's output"
            )
    return out


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.rstrip().splitlines()]


def test_the_worked_example_of_docs_python_md_runs_and_prints_what_it_shows(tmp_path, monkeypatch):
    """Every python block of the page runs, in order, in an empty folder; each printed output is the text block
    the page shows after it; the last block's map object displays as the map page (its HTML repr)."""
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "docs_python_md"}
    blocks = doc_blocks()
    assert len(blocks) >= 8 and sum(shown is not None for _, _, shown in blocks) >= 7
    for line, code, shown in blocks:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, f"{DOCS}:{line}", "exec"), namespace)
        if shown is not None:
            assert lines(printed.getvalue()) == lines(shown), (
                f"docs/python.md:{line}: the block printed\n{printed.getvalue()}"
            )
    m = namespace["m"]
    shown = m._repr_html_()
    assert shown.startswith("<div") and '<iframe srcdoc="' in shown
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', shown).group(1))
    assert page == m.offline_html()
    assert page.startswith("<!DOCTYPE html>")
    assert 'layoutLink(["baseline","optimised"])' in page
    assert all(f"Region {c}" in page for c in "ABCD") and "four squares" in page
    assert offline.external_assets(page) == []  # Leaflet inlined: the notebook needs no network
    assert m._repr_html_() == shown  # shown again (a notebook re-renders), the same page
    assert isinstance(namespace["result"], layout.Result)


# ---------------------------------------------------------------- import cost and public names


def test_import_layout_is_cheap_and_exports_the_api():
    code = (
        "import sys, layout, layout.cli; "
        "print(sorted(m for m in ('pandas', 'numpy', 'pulp', 'folium', 'geopandas', 'pydantic', 'layout.api') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
    assert layout.solve is layout.api.solve and layout.load is layout.api.load and layout.Result is layout.api.Result
    assert layout.read_folder is read_folder and issubclass(layout.InputError, layout.LayoutError)
    assert sorted(layout.__all__) == sorted(["__version__", *layout._API]) and set(layout.__all__) <= set(dir(layout))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        layout.nothing  # noqa: B018


# ---------------------------------------------------------------- the CLI is a layer over the API


def test_layout_solve_is_a_call_of_the_api(squares, tmp_path, monkeypatch):
    calls = []
    real = layout.api.solve

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(layout.api, "solve", spy)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["solve", str(squares), "--out", str(out), "--gap", "0.01", "--time-limit", "30", "--export-lp"]
    )
    assert result.exit_code == 0, result.output
    assert calls == [
        (
            (squares,),
            {
                "out": out,
                "solver": None,
                "time_limit": 30.0,
                "gap": 0.01,
                "force": False,
                "export_lp": True,
                "export_mps": False,
                "diagnose_to": None,
                "progress": calls[0][1]["progress"],
                "on_progress": calls[0][1]["on_progress"],  # the solver's progress, drawn by the CLI
                "warn": calls[0][1]["warn"],  # rule warnings, printed by the CLI
                "lang": None,  # no --lang: the file's `language:`, else the locale's
                "crs": "gcj02",  # no --crs: the shipped boundaries' coordinates as read
                "start": None,  # no --start: the solver starts from nothing
            },
        )
    ]
    assert result.stderr.splitlines() == [
        f"… {s}"
        for s in (
            "loading scenario and regions",
            "building the model (3 regions × 2 industries)",
            "solving with highs (35 rows, 29 columns, 14 binaries)",
            "explaining the layout (binding constraints, shadow prices)",
            "writing results",
            "drawing the maps and writing the report",
        )
    ]
    assert result.stdout.splitlines()[-1] == f"written to {out}/" and (out / "model.lp").is_file()


# Each command but `solve` (above): its arguments as typer parses them, the API call it must make (function, positional
# arguments, keywords), what the fake API function returns and what the command then prints.
P = Path
BATCH = {"workers": 1, "dask_scheduler": None, "dask_local": None, "progress": False, "solver": "cbc", "lang": None}
SOLVED_ALTERNATIVES = pd.DataFrame({"layout": ["optimum", "a01"], "status": ["optimal", "feasible"]})
COMMANDS = {
    "explain": (["explain", "r"], [("explain_text", (P("r"),), {"lang": None})], {"explain_text": "why\n"}, "why\n"),
    "compare": (
        ["compare", "a", "b"],
        [("compare_text", (P("a"), P("b")), {"lang": None})],
        {"compare_text": "A vs B\n"},
        "A vs B\n",
    ),
    "compare --json": (
        ["compare", "a", "b", "--json"],
        [("compare", (P("a"), P("b")), {})],
        {"compare": {"a": "\x1b", "é": 1.5}},
        '{\n  "a": "\\u001b",\n  "é": 1.5\n}\n',
    ),
    "report": (
        ["report", "r", "--out", "x.html", "--force"],
        [("write_report", (P("r"), P("x.html")), {"force": True, "lang": None})],
        {"write_report": P("x.html")},
        "wrote x.html\n",
    ),
    "map": (
        ["map", "r", "--layers", "T", "--layers", "portfolio", "--tiles", "https://t/{z}/{x}/{y}", "--attribution", "c"]
        + ["--png", "f.png", "--force"],
        [
            (
                "write_map",
                (P("r"),),
                {
                    "layers": ["T", "portfolio"],
                    "tiles": "https://t/{z}/{x}/{y}",
                    "attribution": "c",
                    "png": P("f.png"),
                    "force": True,
                    "lang": None,
                },
            )
        ],
        {"write_map": P("r/map.html")},
        "wrote r/map.html\nwrote f.png\n",
    ),
    "sweep": (
        ["sweep", "s.yaml", "--out", "o", "--workers", "1", "--solver", "cbc", "--gap", "0.1", "--no-diagnose", "-q"],
        [
            (
                "sweep",
                (P("s.yaml"), P("o")),
                {**BATCH, "time_limit": None, "gap": 0.1, "force": False, "diagnose": False},
            ),
            ("sweep_summary", ("the table",), {}),
        ],
        {"sweep": "the table", "sweep_summary": "2 points: 2 optimal"},
        "2 points: 2 optimal\n",
    ),
    "pareto": (
        ["pareto", "s.yaml", "--between", "homogeneity", "advantage", "--points", "3", "--out", "o", "--workers", "1"]
        + ["--solver", "cbc", "--time-limit", "9", "--force", "-q"],
        [
            (
                "pareto",
                (P("s.yaml"), P("o")),
                {
                    **BATCH,
                    "between": ("homogeneity", "advantage"),
                    "points": 3,
                    "time_limit": 9.0,
                    "gap": None,
                    "force": True,
                },
            )
        ],
        {"pareto": pd.DataFrame({"point": ["e000"], "homogeneity": [1.5], "status": ["optimal"]})},
        "point  homogeneity  status\n e000          1.5 optimal\n"
        "written to o/ (pareto.csv, pareto.png, pareto.html, pareto.json, points/)\n",
    ),
    "alternatives": (
        ["alternatives", "s.yaml", "--slack", "0.1", "--count", "3", "--seed", "7", "--out", "o", "--workers", "1"]
        + ["--solver", "cbc", "-q"],
        [
            (
                "alternatives",
                (P("s.yaml"), P("o")),
                {**BATCH, "slack": 0.1, "count": 3, "seed": 7, "time_limit": None, "gap": None, "force": False},
            )
        ],
        {
            "alternatives": pd.DataFrame().pipe(
                lambda t: t.attrs.update(summary=["3 alternatives", "must-have: 2"], metrics=SOLVED_ALTERNATIVES) or t
            )
        },
        "3 alternatives\nmust-have: 2\n",
    ),
    "validate": (
        ["validate", "v"],
        [("validate", (P("v"),), {"warn": ANY, "lang": None})],  # the CLI collects the rule warnings to print
        {
            "validate": SimpleNamespace(
                regions=["A", "B"],
                industries=["T"],
                groups=[],
                neighbours=[("A", "B")],
                missing=["no rd for B", "r: inherited from the province"],
                data_notes=["r: inherited from the province"],
                language="en",
            )
        },
        "v: valid — 2 regions, 1 industries, 0 inter-provincial groups, 1 neighbour pairs\nmissing data: no rd for B\n"
        "data note: r: inherited from the province\n",
    ),
    "watch": (  # the CLI prints through the callbacks (summary, error, lines); the fake calls none of them
        ["watch", "s.yaml", "--out", "o", "-q"],
        [
            (
                "watch",
                (P("s.yaml"), P("o")),
                {"lang": None, "solved": ANY, "failed": ANY, "say": ANY}
                | {"progress": None, "on_progress": None, "warn": None},
            )
        ],
        {"watch": None},
        "",
    ),
    "serve": (  # the server runs until interrupted; the fake returns at once
        ["serve", "s.yaml", "--port", "8800", "--open", "--workspace", "w"],
        [
            (
                "serve",
                (P("s.yaml"),),
                {"port": 8800, "host": None, "open_browser": True, "workspace": P("w"), "lang": None, "say": ANY},
            )
        ],
        {"serve": None},
        "",
    ),
    "schema": (
        ["schema"],
        [("schema", (), {})],
        {"schema": {"title": "Scenario", "é": 1}},
        '{\n  "title": "Scenario",\n  "é": 1\n}\n',
    ),
}


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_one_call_of_the_api_and_prints_what_it_returns(name, monkeypatch):
    """Each command calls its layout.api function with its parsed arguments, nothing else of the library, and prints
    what the call returns (the fake functions here do nothing else: no file is read or written)."""
    args, expected, returns, printed = COMMANDS[name]
    calls = []

    def fake(function):
        def call(*a, **kw):
            calls.append((function, a, {k: v for k, v in kw.items() if k != "written"}))
            if "written" in kw:  # write_map reports each file as written: the page, then the figure
                kw["written"](returns[function])
                kw["written"](kw["png"])
            return returns[function]

        return call

    for function in layout.api.__all__:
        monkeypatch.setattr(layout.api, function, fake(function))
    result = runner.invoke(app, args)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert calls == expected
    assert result.stdout == printed


def test_the_commands_are_those_tested_and_import_only_the_api():
    """Every command of the CLI is in COMMANDS (or is `solve`, tested above), and the body of each imports nothing of
    the library but layout.api: a command cannot drift back to calling the internals."""
    names = {c.name or c.callback.__name__ for c in app.registered_commands}
    assert names == {"solve"} | {key.split()[0] for key in COMMANDS}
    source = (ROOT / "layout" / "cli.py").read_text(encoding="utf-8")
    commands = [
        f
        for f in ast.parse(source).body
        if isinstance(f, ast.FunctionDef)
        and any(isinstance(d, ast.Call) and ast.unparse(d.func) == "app.command" for d in f.decorator_list)
    ]
    assert len(commands) == len(names)
    for f in commands:
        imported = {
            (node.module, alias.name)
            for node in ast.walk(f)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        } | {("", alias.name) for node in ast.walk(f) if isinstance(node, ast.Import) for alias in node.names}
        assert imported and all(m == "layout.api" or (m, n) == ("layout", "api") for m, n in imported), (
            f.name,
            imported,
        )


def test_the_commands_api_functions_on_a_results_folder(squares, cli_folder, tmp_path):
    """The calls a notebook makes: the explanation as data and text, a comparison, the report, the map (a map's
    complaint about its folder or layers is an InputError here, as on the command line), validation and the schema."""
    folder = shutil.copytree(cli_folder, tmp_path / "copy")  # the map is redrawn there
    assert layout.explain(folder) == read_folder(folder).explanation
    assert layout.explain_text(folder) == runner.invoke(app, ["explain", str(folder)]).stdout
    same = layout.compare(folder, cli_folder)
    assert not any(same["changes"].values()) and same["unchanged"] == len(read_folder(folder).assignment) > 0
    assert (same["a"]["folder"], same["b"]["folder"]) == (str(folder), str(cli_folder))
    assert (
        layout.compare_text(folder, cli_folder) == runner.invoke(app, ["compare", str(folder), str(cli_folder)]).stdout
    )
    assert layout.write_report(folder, tmp_path / "r.html") == tmp_path / "r.html"
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    written: list[Path] = []
    page = layout.write_map(folder, layers=["T"], png=tmp_path / "f.png", written=written.append)
    assert page == folder / "map.html" and written == [page, tmp_path / "f.png"]
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    drawn = page.read_bytes()
    assert b'"key":"T"' in drawn and b'"key":"portfolio"' not in drawn  # the layer asked for
    with pytest.raises(InputError, match="nope"):
        layout.write_map(folder, layers=["nope"])
    with pytest.raises(InputError) as e:
        layout.write_map(folder, png=tmp_path / "f.png")  # an existing file, without force: refused before drawing
    assert [p.key for p in e.value.problems] == ["--png"] and page.read_bytes() == drawn
    inst = layout.validate(squares)
    assert (inst.regions, sorted(inst.industries), inst.neighbours) == (["A", "B", "C"], ["T", "U"], [("A", "B")])
    assert layout.schema()["properties"].keys() >= {"industries", "limits", "sweep"}


def test_a_solve_from_python_writes_the_folder_layout_solve_writes(squares, cli_folder, tmp_path):
    """The same files from the CLI, from `solve(out=)` on a dict and from `Result.write`: tables, units and
    explanation byte for byte, metrics but for the timings (and the file name a dict has not)."""
    doc = yaml.safe_load(squares.read_text(encoding="utf-8"))
    by_out = tmp_path / "by-out"
    from_dict = layout.solve(layout.load(doc, base=squares.parent), out=by_out)
    written = layout.solve(squares).write(tmp_path / "written")
    assert written == tmp_path / "written"
    names = sorted(p.name for p in cli_folder.iterdir())
    assert names == [
        "assignment.csv",
        "baseline.csv",
        "capacity_wide.csv",
        "explanation.json",
        "layout.geojson",
        "layout.gpkg",
        "manifest.json",
        "map.html",
        "metrics.json",
        "report.html",
    ]
    for folder in (by_out, written):
        assert sorted(p.name for p in folder.iterdir()) == names
        for name in (
            "assignment.csv",
            "baseline.csv",
            "capacity_wide.csv",
            "layout.geojson",
            "layout.gpkg",
            "explanation.json",
        ):
            assert (folder / name).read_bytes() == (cli_folder / name).read_bytes(), (folder, name)
    cli = without_timings(read_json(cli_folder / METRICS_JSON))
    assert without_timings(read_json(written / METRICS_JSON)) == cli
    dict_metrics = without_timings(read_json(by_out / METRICS_JSON))
    assert dict_metrics["scenario"]["file"] == "scenario (dict)"
    assert dict_metrics | {"scenario": cli["scenario"]} == cli
    assert from_dict.metrics_json["timings_seconds"].keys() == {"load", "build", "solve", "explain", "write", "total"}
    manifest = read_json(written / MANIFEST_JSON)
    assert manifest["program"] == "cluster-layout" and manifest["scenario_file"] == str(squares)
    assert manifest["files_read"] == [
        str(squares),
        str(squares.parent / "squares.geojson"),
        str(squares.parent / "indicators.csv"),
    ]


def test_the_result_holds_the_folders_tables_metrics_and_explanation(squares, cli_folder):
    result = layout.solve(squares)
    back = read_folder(cli_folder)
    key = ["region_code", "industry"]
    for mine, theirs in ((result.assignment, back.assignment), (result.baseline, back.baseline)):
        mine, theirs = (t.sort_values(key).reset_index(drop=True) for t in (mine, theirs))
        assert list(mine.columns) == list(theirs.columns)
        columns = ["region_code", "industry", "tier", "group"]
        assert mine[columns].values.tolist() == theirs[columns].values.tolist()
        assert mine["capacity"].tolist() == theirs["capacity"].tolist()
    assert result.declared is None and back.declared is None and result.phasing is None
    assert result.explanation == back.explanation
    metrics = result.metrics
    assert list(metrics.columns) == ["baseline", "optimised"]
    for name in ("baseline", "optimised"):
        for k in ("clusters", "duplications", "regions_hosting", "mean_overcapacity_ratio", "targets_met"):
            assert metrics.loc[k, name] == back.metrics[name][k], (name, k)
    industries = result.industries
    assert (
        industries.loc[("optimised", "U"), "target"] == 50.0
        and industries.loc[("baseline", "T"), "capacity"] == back.metrics["baseline"]["industries"]["T"]["capacity"]
    )
    units = result.layout
    assert units.crs == "EPSG:4326" and list(units["region_code"]) == ["A", "B", "C"]
    assert [g.bounds for g in units.geometry] == [
        (0.0, 0.0, 1.0, 1.0),
        (1.0, 0.0, 2.0, 1.0),
        (5.0, 0.0, 6.0, 1.0),
    ]  # the squares
    assert units.drop(columns="geometry").equals(back.layout.drop(columns="geometry"))
    assert units.geometry.geom_equals(back.layout.geometry).all()
    assert (
        result.status == back.metrics["solver"]["status"] == "optimal"
        and result.objective == back.metrics["solver"]["objective"]
    )
    assert (
        repr(result)
        == f"<layout.Result 'tiny': highs optimal, objective {result.objective}, {len(result.assignment)} clusters>"
    )


# ---------------------------------------------------------------- loading a dict


def test_a_dict_scenarios_problems_name_their_key_paths(squares):
    doc = yaml.safe_load(squares.read_text(encoding="utf-8"))
    doc["industries"]["T"]["target"] = -5
    doc["industries"]["U"]["wieghts"] = doc["industries"]["U"].pop("weights")
    doc["limits"][(1, 2)] = "x"  # a key no file could hold
    where = str(squares.parent / "scenario (dict)")
    with pytest.raises(InputError) as e:
        layout.load(doc, base=squares.parent)
    assert [(p.file, p.line, p.key, p.expected, p.found) for p in e.value.problems] == [
        (where, None, "limits", "a text key", "(1, 2)")
    ]
    del doc["limits"][(1, 2)]
    doc[3] = "x"  # a number as key is text, as in YAML
    with pytest.raises(InputError) as e:
        layout.load(doc, base=squares.parent)
    assert [(p.file, p.line, p.key) for p in e.value.problems] == [
        (where, None, "industries.T.target"),
        (where, None, "industries.U.wieghts"),
        (where, None, "3"),
    ]
    assert "did you mean `weights`" in e.value.problems[1].expected and e.value.problems[0].found == "-5"
    with pytest.raises(InputError, match=r"^scenario \(dict\): expected a mapping of scenario keys; found list$"):
        layout.load([doc])


def test_a_dict_extending_a_file_keeps_the_files_lines_for_the_keys_it_sets(squares, tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text(
        squares.read_text(encoding="utf-8")
        .replace("squares.geojson", str(squares.parent / "squares.geojson"))
        .replace("indicators.csv", str(squares.parent / "indicators.csv")),
        encoding="utf-8",
    )
    lines_of = {line.strip(): n for n, line in enumerate(base.read_text(encoding="utf-8").splitlines(), 1)}
    spec = layout.load({"extends": "base.yaml", "name": "extended"}, base=tmp_path)
    assert (
        spec.scenario.name == "extended"
        and spec.files == [base]
        and spec.where("industries", "T", "target") == (str(base), lines_of["target: 100"])
    )
    with pytest.raises(InputError) as e:
        layout.load(
            {"extends": "base.yaml", "industries": {"T": {"target": 0}}, "limits": {"max_clusters": -1}}, base=tmp_path
        )
    assert [(p.file, p.line, p.key) for p in e.value.problems] == [
        (str(tmp_path / "scenario (dict)"), None, "industries.T.target"),
        (str(tmp_path / "scenario (dict)"), None, "limits.max_clusters"),
    ]
    with pytest.raises(InputError) as e:
        layout.load({"extends": "nothing.yaml", "name": "x"}, base=tmp_path)
    assert [(p.key, p.expected) for p in e.value.problems] == [("extends", "an existing file")]


def test_a_dicts_relative_paths_are_read_from_its_base(squares, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # elsewhere: the regions' files are found through base=
    doc = yaml.safe_load(squares.read_text(encoding="utf-8"))
    spec = layout.load(doc, base=squares.parent)
    assert spec.path_of("regions", "boundaries") == squares.parent / "squares.geojson"
    with pytest.raises(InputError, match="squares.geojson"):
        layout.solve(doc)  # from the current folder, where there is none


# ---------------------------------------------------------------- writing: the contract of `layout solve --out`


def test_write_keeps_the_results_folder_contract(squares, tmp_path, monkeypatch):
    result = layout.solve(squares)
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(InputError, match="found a folder that is not a result of this program"):
        result.write(foreign)
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"] and [p.name for p in tmp_path.iterdir()] == ["mine"]
    out = result.write(tmp_path / "out")
    with pytest.raises(InputError, match="--force"):
        result.write(out)
    assert result.write(out, force=True) == out and read_folder(out).metrics["solver"]["status"] == "optimal"

    def never(*args, **kwargs):
        raise AssertionError("solved before the folder was checked")

    monkeypatch.setattr(layout.pipeline, "solve_period", never)
    with pytest.raises(InputError, match="found a folder that is not a result of this program"):
        layout.solve(squares, out=foreign)  # refused before solving, as `layout solve --out` is


# ---------------------------------------------------------------- the map object


def test_the_map_object_is_the_map_page(squares, cli_folder):
    m = layout.solve(squares).map(layers=["portfolio", "duplications"])
    page = m.offline_html()
    written = (cli_folder / "map.html").read_bytes().decode("utf-8")
    ids = re.compile(r"(?<=_)[0-9a-f]{32}")
    assert m.offline_html() == page  # rendered again, the same page
    assert (
        "Region A" in page and "Test industry (T): capacity" not in page and "Test industry (T): capacity" in written
    )  # the layers asked for
    full = layout.solve(squares).map()
    assert ids.sub("", full.offline_html()) == ids.sub("", written)  # the page `layout solve` writes, element ids aside
    shown = full._repr_html_()
    assert html.unescape(re.search(r'srcdoc="([^"]*)"', shown).group(1)) == full.offline_html()


# ---------------------------------------------------------------- reading a folder back


def test_read_folder_refuses_what_is_not_a_results_folder(cli_folder, tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        read_folder(tmp_path / "nothing")
    with pytest.raises(InputError, match=r"\(metrics.json\); found no metrics.json there"):
        read_folder(tmp_path)
    folder = tmp_path / "copy"
    shutil.copytree(cli_folder, folder)
    (folder / MANIFEST_JSON).unlink()
    with pytest.raises(
        InputError, match=r"\(metrics.json, assignment.csv, manifest.json\); found no manifest.json there"
    ):
        read_folder(folder, ASSIGNMENT_CSV, MANIFEST_JSON)
    metrics = read_json(folder / METRICS_JSON)
    metrics["optimized"] = metrics.pop("optimised")  # another version's key
    (folder / METRICS_JSON).write_text(json.dumps(metrics), encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_folder(folder)  # refused at once, not when the metrics are first used
    assert [(Path(p.file).name, p.key) for p in e.value.problems] == [(METRICS_JSON, "optimised")]
    assert "written by another version of this program?" in e.value.problems[0].expected


def test_read_folder_reads_each_file_when_used_naming_file_and_line(cli_folder, tmp_path):
    folder = tmp_path / "copy"
    shutil.copytree(cli_folder, folder)
    text = (folder / ASSIGNMENT_CSV).read_text(encoding="utf-8").splitlines()
    cells = text[2].split(",")
    text[2] = ",".join([*cells[:4], "lots", *cells[5:]])  # capacity
    (folder / ASSIGNMENT_CSV).write_text("\n".join(text) + "\n", encoding="utf-8")
    (folder / EXPLANATION_JSON).unlink()
    (folder / LAYOUT_GEOJSON).write_text('{"type": "FeatureCollection", "features": {}}', encoding="utf-8")
    back = read_folder(folder)  # metrics.json is fine: the folder reads
    assert back.explanation is None and back.declared is None and back.phasing is None
    assert isinstance(back.baseline, pd.DataFrame) and back.manifest["program"] == "cluster-layout"
    with pytest.raises(InputError) as e:
        back.assignment  # noqa: B018
    assert [(Path(p.file).name, p.line, p.key) for p in e.value.problems] == [(ASSIGNMENT_CSV, 3, "capacity")]
    with pytest.raises(InputError) as e:
        back.layout  # noqa: B018
    assert [(Path(p.file).name, p.key) for p in e.value.problems] == [(LAYOUT_GEOJSON, "features")]


# ---------------------------------------------------------------- a Pareto point goes through the same writers


def test_a_pareto_point_is_written_by_the_results_folders_writers(squares, cli_folder, tmp_path):
    from layout.batch.pareto import EpsilonTask, solve_epsilon

    point = tmp_path / "e000"
    done = solve_epsilon(EpsilonTask("e000", str(squares), str(point), 1e6, "overcapacity"))
    assert done["status"] == "optimal", done
    assert sorted(p.name for p in point.iterdir()) == sorted(
        [ASSIGNMENT_CSV, "baseline.csv", LAYOUT_GEOJSON, SCENARIO_YAML, METRICS_JSON, MANIFEST_JSON]
    )
    assert {name for name, _, _ in WRITERS} >= {p.name for p in point.iterdir()}
    back = read_folder(point, ASSIGNMENT_CSV, MANIFEST_JSON)
    cli = read_json(cli_folder / METRICS_JSON)
    assert back.metrics.keys() == cli.keys() | {
        "pareto"
    }  # metrics.json as `layout solve` writes it, and the point's criteria
    assert back.metrics["pareto"]["criterion"] == "overcapacity" and back.metrics["pareto"]["epsilon"] == 1e6
    assert back.metrics["industries"] == cli["industries"] and back.metrics["groups"] == cli["groups"]
    manifest = back.manifest
    assert manifest.keys() >= {
        "program",
        "command",
        "scenario_file",
        "files_read",
        "input_sha256",
        "solver",
        "versions",
        "created",
        "files",
    }
    assert manifest["pareto"] == {"criterion": "overcapacity", "epsilon": 1e6} and manifest["scenario_file"] == str(
        squares
    )
    assert (point / SCENARIO_YAML).read_bytes() == squares.read_bytes()


# ---------------------------------------------------------------- plan periods


def test_a_phased_result_holds_every_period_and_writes_their_folders(tmp_path):
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    path = write_scenario(
        tmp_path, {"periods": [2025, 2030], "industries": {"T": industry(max_share=0.5, targets={2025: 50, 2030: 100})}}
    )
    result = layout.solve(path)
    out = result.write(tmp_path / "out")
    back = read_folder(out)
    assert result.phasing is not None and list(result.phasing["period"].unique()) == [2025, 2030]
    assert (
        back.phasing is not None
        and back.phasing["capacity"].tolist()
        == result.phasing.sort_values(["region_code", "industry"], kind="stable")["capacity"].tolist()
    )
    assert [back.period(y).metrics["scenario"]["period"] for y in (2025, 2030)] == [2025, 2030]
    assert back.period(2030).assignment["capacity"].sum() == result.assignment["capacity"].sum() == 100.0
    assert back.period(2025).assignment["capacity"].sum() == 50.0
    assert result.metrics_json["periods"].keys() == back.metrics["periods"].keys() == {"2025", "2030"}
    page = result.map().offline_html()
    assert "Portfolio 2025" in page and "Portfolio 2030" in page  # the periods' portfolios, as on the written map


@pytest.mark.parametrize("command", ["pareto", "alternatives"])
def test_a_batch_that_solved_nothing_exits_1(command, monkeypatch):
    """A front with no point solved, or alternatives with none found, is no success: the command prints its table or
    summary (which say why) and exits 1."""
    failed = ["limit", "infeasible"]
    table = pd.DataFrame({"point": ["e000", "default"], "status": [failed[0], "optimal"]})
    metrics = pd.DataFrame({"layout": ["optimum", "a01", "a02"], "status": ["optimal", *failed]})
    returns = {
        "pareto": table,
        "alternatives": pd.DataFrame().pipe(lambda t: t.attrs.update(summary=["0 alternatives"], metrics=metrics) or t),
    }
    monkeypatch.setattr(layout.api, command, lambda *a, **kw: returns[command])
    result = runner.invoke(app, [command, "s.yaml", "--out", "o", "-q"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
