"""Codes are identity, not text for the LP layer: codes that differ only in characters PuLP rewrites ('-', ' ',
'+', '/', ...) stay distinct variables and rows, and codes with hyphens work end to end (issue 13).

The instance is test_model_optima's `apart` with renamed codes: three squares, no two adjacent;
p: R-1 10, R_1 6, C 0 -> scores 1, 0.6, 0;  q: R-1 10, R_1 2, C 0 -> 1, 0.2, 0.
Industries X-Y (weights p) and X_Y (weights q), target 100 each, a region may hold all of it, at most one
cluster per region (K = 1). R-1 = X-Y, R_1 = X_Y: -(1 + 0.2) = -1.2; R-1 = X_Y, R_1 = X-Y: -(1 + 0.6) = -1.6
<- the optimum. With the two codes of a pair merged into one name, rows overwrite each other and the model
is another one (the old code, which named them by their codes, proved this scenario 'infeasible' with an
empty diagnosis with HiGHS, and CBC failed).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.pipeline import Options, solve_scenario
from tests.squares import industry, write_regions, write_scenario

SOLVERS = ["highs", "cbc"]


@pytest.fixture
def lookalikes(tmp_path):
    write_regions(
        tmp_path,
        {"R-1": (0, 0), "R_1": (3, 0), "C": (6, 0)},
        {"R-1": {"p": 10, "q": 10}, "R_1": {"p": 6, "q": 2}, "C": {"p": 0, "q": 0}},
    )
    body = {
        "industries": {
            "X-Y": industry(max_share=1.0, weights={"p": 1}, name="Ex why"),
            "X_Y": industry(max_share=1.0, weights={"q": 1}, name="Ex underscore why"),
        },
        "limits": {"min_clusters": 0, "budget": None, "max_clusters": 1},
    }
    return write_scenario(tmp_path, body)


@pytest.mark.parametrize("solver", SOLVERS)
def test_codes_differing_only_in_rewritten_characters_solve_to_the_hand_computed_optimum(lookalikes, tmp_path, solver):
    run = solve_scenario(lookalikes, tmp_path / "out", Options(solver=solver))
    table = pd.read_csv(tmp_path / "out" / "assignment.csv", dtype=str, keep_default_na=False)
    got = {(r.region_code, r.industry): (r.tier, float(r.capacity)) for r in table.itertuples()}
    assert got == {("R-1", "X_Y"): ("provincial", 100.0), ("R_1", "X-Y"): ("provincial", 100.0)}
    assert run.result.status == "optimal"
    assert run.result.objective == pytest.approx(-1.6, abs=1e-9)
    assert run.metrics["optimised"]["targets_met"] is True
    # every (region, industry) pair has its own column and its own rows
    m = run.model
    assert len({id(m.x[r, i]) for r in ("R-1", "R_1") for i in ("X-Y", "X_Y")}) == 4
    focus = {r: m.row_of("focus", region=r) for r in ("R-1", "R_1", "C")}
    assert len(set(focus.values())) == 3 and None not in focus.values()


def test_hyphenated_codes_work_end_to_end_on_the_command_line(lookalikes, tmp_path):
    out = tmp_path / "cli"
    runner = CliRunner()
    res = runner.invoke(app, ["solve", str(lookalikes), "--out", str(out), "--export-lp", "-q"])
    assert res.exit_code == 0, res.output
    assert "optimal" in res.output
    # the explanation names the binding focus limits of both look-alike regions, in words
    data = json.loads((out / "explanation.json").read_text(encoding="utf-8"))
    focus = sorted(b["region"] for b in data["binding"] if b["family"] == "focus")
    assert focus == ["R-1", "R_1"]
    assert {b["row"] for b in data["binding"] if b["family"] == "focus"} == {"focus_R-1", "focus_R_1"}
    res = runner.invoke(app, ["explain", str(out)])
    assert res.exit_code == 0, res.output
    assert "focus: Region R-1 takes part in its maximum of 1 cluster" in res.output
    assert "focus: Region R_1 takes part in its maximum of 1 cluster" in res.output
    # the exported LP keeps both look-alikes apart with readable names
    lp = (out / "model.lp").read_text()
    assert "focus_R_1:" in lp and "focus_R_1_2:" in lp
    assert " x_R_1_X_Y" in lp and " x_R_1_X_Y_2" in lp


def test_a_hyphenated_industry_alone_keeps_its_binding_constraints(tmp_path):
    # A (score 1) and B (score 0) apart; BIO-MED target 100, at most 60 per region: A 60 + B 40, demand met exactly.
    write_regions(tmp_path, {"A": (0, 0), "B": (3, 0)}, {"A": {"s": 10}, "B": {"s": 0}})
    path = write_scenario(tmp_path, {"industries": {"BIO-MED": industry(max_share=0.6, name="Biomedicine")}})
    res = CliRunner().invoke(app, ["solve", str(path), "--out", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "out" / "explanation.json").read_text(encoding="utf-8"))
    demand = [b for b in data["binding"] if b["family"] == "demand"]
    assert [(b["industry"], b["row"], b["text"]) for b in demand] == [
        ("BIO-MED", "demand_BIO-MED", "demand: the target of Biomedicine (100) is met exactly")
    ]
    hosting = sorted((b["region"], b["industry"]) for b in data["binding"] if b["family"] == "hosting")
    assert hosting == [("A", "BIO-MED")]


def test_readable_names_are_unique_short_and_plain():
    from layout.model.solve import readable_names

    names = readable_names(["x_R-1_X-Y", "x_R_1_X_Y", "x_R 1_X/Y", "数据_" + "a" * 200, ""])
    assert names[:3] == ["x_R_1_X_Y", "x_R_1_X_Y_2", "x_R_1_X_Y_3"]
    assert len(names[3]) <= 90 and names[3].startswith("___a")
    assert names[4] == "_"
    assert len(set(names)) == len(names)
