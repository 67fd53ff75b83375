"""Scenario sweeps on tiny square regions: table contents, serial vs dask equality, failures, resume, bad sweeps.

Three squares: A and B share an edge, C stands apart; indicator s: A 10, B 8, C 0 → scores 1, 0.8, 0.
One industry T, target 100. The optima (derived in tests/model/test_model_optima.py):
  max_share 0.5, homogeneity 0: A+B at 50 each, one duplication, objective -0.9
  max_share 0.5, homogeneity 1: A+C at 50 each, no duplication, objective -0.5
  max_share 1.0 (either weight): A alone at 100, objective -1.0
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import layout.batch.sweep as sweep_mod
import layout.results.folder as folder_mod
from layout.batch.sweep import CONNECT_TIMEOUT, CONNECT_TIMEOUT_ENV, expand, run_sweep
from layout.cli import app
from layout.errors import InputError
from layout.pipeline import Options
from layout.spec.load import load
from tests.squares import industry, write_regions, write_scenario


def without_timings(t: pd.DataFrame) -> pd.DataFrame:
    return t.drop(columns=[c for c in t.columns if c.startswith("seconds.")])


@pytest.fixture
def squares(tmp_path):
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    return tmp_path


def four_points(folder):
    return write_scenario(
        folder,
        {
            "industries": {"T": industry(max_share=0.5)},
            "sweep": {"parameters": {"objective.homogeneity": [0, 1], "industries.T.max_share": [0.5, 1.0]}},
        },
    )


def test_four_point_sweep_serial_and_local_dask_cluster_give_identical_tables(squares, monkeypatch):
    file = four_points(squares)
    serial = run_sweep(file, squares / "serial", workers=1, progress=False)
    # as `layout sweep` records it (layout.cli.main); the dask workers are other processes
    monkeypatch.setattr(folder_mod, "_argv", ["sweep", "sweep.yaml", "--dask-local", "2"])
    dask = run_sweep(file, squares / "dask", dask_local=2, progress=False)

    # what each point must be (module docstring): the grid varies the first parameter slowest
    got = serial.set_index("point")[
        ["objective.homogeneity", "industries.T.max_share", "status", "objective_value", "optimised.duplications"]
    ]
    assert got.to_dict("index") == {
        "p000": {
            "objective.homogeneity": 0.0,
            "industries.T.max_share": 0.5,
            "status": "optimal",
            "objective_value": pytest.approx(-0.9),
            "optimised.duplications": 1,
        },
        "p001": {
            "objective.homogeneity": 0.0,
            "industries.T.max_share": 1.0,
            "status": "optimal",
            "objective_value": pytest.approx(-1.0),
            "optimised.duplications": 0,
        },
        "p002": {
            "objective.homogeneity": 1.0,
            "industries.T.max_share": 0.5,
            "status": "optimal",
            "objective_value": pytest.approx(-0.5),
            "optimised.duplications": 0,
        },
        "p003": {
            "objective.homogeneity": 1.0,
            "industries.T.max_share": 1.0,
            "status": "optimal",
            "objective_value": pytest.approx(-1.0),
            "optimised.duplications": 0,
        },
    }
    assert {
        "gap",
        "rows",
        "seconds.solve",
        "seconds.total",
        "baseline.duplications",
        "optimised.mean_similarity",
        "optimised.industries.T.capacity",
    } <= set(serial.columns)
    pd.testing.assert_frame_equal(without_timings(serial), without_timings(dask))
    # the table on disk is the table returned
    on_disk = pd.read_csv(squares / "serial" / "sweep.csv", keep_default_na=False, na_values=[""])
    assert list(on_disk["point"]) == ["p000", "p001", "p002", "p003"]
    assert list(on_disk.columns) == list(serial.columns)

    # robustness: A is designated in every point, B only in p000, C only in p002
    rob = pd.read_csv(squares / "serial" / "robustness.csv", dtype={"region_code": str}).set_index("region_code")
    assert rob["share_designated"].to_dict() == {"A": 1.0, "B": 0.25, "C": 0.25}
    assert rob["points_solved"].tolist() == [4, 4, 4]
    pd.testing.assert_frame_equal(
        rob.reset_index(), pd.read_csv(squares / "dask" / "robustness.csv", dtype={"region_code": str})
    )

    # each point folder is a full result with the scenario it solved, resolved (no extends, absolute data paths)
    for pid in ("p000", "p003"):
        folder = squares / "serial" / "points" / pid
        assert {"assignment.csv", "metrics.json", "manifest.json", "scenario.yaml"} <= {
            f.name for f in folder.iterdir()
        }
        assert not (folder / "layout.gpkg").exists()  # a point of a batch: no GeoPackage (megabytes each)
        assert json.loads((folder / "manifest.json").read_text())["command"] == "python: layout.api"
        # written by a dask worker: the command that started the sweep, not the worker's own command line
        assert json.loads((squares / "dask" / "points" / pid / "manifest.json").read_text())["command"] == (
            "layout sweep sweep.yaml --dask-local 2"
        )
        doc = yaml.safe_load((folder / "scenario.yaml").read_text())
        assert "extends" not in doc and "sweep" not in doc
        assert os.path.isabs(doc["regions"]["boundaries"]) and os.path.isabs(doc["regions"]["indicators"])
    assert yaml.safe_load((squares / "serial" / "points" / "p003.yaml").read_text())["objective"]["homogeneity"] == 1.0


def _finished_task_keys(dask_scheduler) -> list[str]:
    """Run on the scheduler: every task key it saw reach `memory` (a worker finished it), from its transition log."""
    return [str(t.key) for t in dask_scheduler.transition_log if t.finish == "memory"]


def test_cli_sweep_on_an_existing_dask_scheduler_matches_serial_and_an_unreachable_one_is_a_clean_error(squares):
    import distributed  # a test extra: never skipped

    file = four_points(squares)
    # the unreachable scheduler first, in the background (the client gives up after dask's connect timeout, set to
    # 2 s here: without it, 15 s)
    unreachable = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "layout",
            "sweep",
            str(file),
            "--out",
            str(squares / "nowhere"),
            "--dask-scheduler",
            "tcp://127.0.0.1:1",
            "-q",
        ],
        cwd=squares,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, CONNECT_TIMEOUT_ENV: "2s"},
    )
    try:
        runner = CliRunner()
        serial = runner.invoke(app, ["sweep", str(file), "--out", str(squares / "serial"), "--workers", "1", "-q"])
        assert serial.exit_code == 0, serial.stderr
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            assert client.run_on_scheduler(_finished_task_keys) == []
            result = runner.invoke(
                app,
                [
                    "sweep",
                    str(file),
                    "--out",
                    str(squares / "dask"),
                    "--dask-scheduler",
                    cluster.scheduler_address,
                    "-q",
                ],
            )
            assert result.exit_code == 0, result.stderr
            assert "4 points: 4 optimal" in result.stdout
            # the scheduler, not this process, ran every point: one finished task per point
            finished = client.run_on_scheduler(_finished_task_keys)
        assert sorted(k.split("-")[1] for k in finished) == ["p000", "p001", "p002", "p003"], finished
        assert all(k.startswith("layout-p") for k in finished), finished

        def read(out: str, name: str) -> pd.DataFrame:
            return pd.read_csv(squares / out / name, keep_default_na=False, na_values=[""], dtype={"region_code": str})

        table = read("serial", "sweep.csv")
        assert table["point"].tolist() == ["p000", "p001", "p002", "p003"] and table["status"].eq("optimal").all()
        assert any(c.startswith("seconds.") for c in table.columns)
        pd.testing.assert_frame_equal(
            without_timings(read("dask", "sweep.csv")), without_timings(table), check_exact=True
        )
        pd.testing.assert_frame_equal(
            read("dask", "robustness.csv"), read("serial", "robustness.csv"), check_exact=True
        )

        out, err = unreachable.communicate(timeout=60)
    finally:
        if unreachable.poll() is None:
            unreachable.kill()
            unreachable.communicate()
    assert unreachable.returncode == 2, (out, err)
    assert "--dask-scheduler" in err and "tcp://127.0.0.1:1" in err and "Traceback" not in err + out, err
    assert not (squares / "nowhere").exists()  # the way of running is checked before anything is written


def test_the_connect_timeout_is_dasks_where_the_environment_sets_it_else_15_s(monkeypatch):
    import distributed

    asked: list[dict] = []
    monkeypatch.setattr(distributed, "Client", lambda address, **kw: asked.append(kw) or "client")
    monkeypatch.delenv(CONNECT_TIMEOUT_ENV, raising=False)
    assert sweep_mod._dask_client("tcp://127.0.0.1:1", None) == ("client", None)
    monkeypatch.setenv(CONNECT_TIMEOUT_ENV, "2s")  # dask reads it into its configuration; the client takes it there
    sweep_mod._dask_client("tcp://127.0.0.1:1", None)
    assert asked == [{"timeout": CONNECT_TIMEOUT}, {}] and CONNECT_TIMEOUT == "15s"


def test_infeasible_point_is_recorded_and_a_rerun_resumes(squares, monkeypatch):
    # provincial_clusters.min = 4 with 3 regions is impossible (presolve names it); 0 and 1 solve.
    file = write_scenario(
        squares,
        {
            "industries": {"T": industry(max_share=0.5)},
            "sweep": {"parameters": {"industries.T.provincial_clusters.min": [0, 4, 1]}},
        },
    )
    out = squares / "out"
    first = run_sweep(file, out, workers=1, progress=False)
    assert first["status"].tolist() == ["optimal", "infeasible", "optimal"]
    row = first.set_index("point").loc["p001"]
    assert "needs at least 4 provincial clusters, but only 3 regions are eligible" in row["message"]
    assert pd.isna(row["objective_value"])
    assert first.attrs["failed"] == ["p001"] and first.attrs["solved_now"] == ["p000", "p002"]
    assert not (out / "points" / "p001").exists() and (out / "points" / "p001.yaml").is_file()
    stamps = {p: (out / "points" / p / "metrics.json").stat().st_mtime_ns for p in ("p000", "p002")}

    calls = []
    real = sweep_mod.solve_point
    monkeypatch.setattr(sweep_mod, "solve_point", lambda task: calls.append(task.id) or real(task))
    second = run_sweep(file, out, workers=1, progress=False)
    assert calls == ["p001"]  # only the unfinished point is tried again
    assert second.attrs["skipped"] == ["p000", "p002"]
    assert {p: (out / "points" / p / "metrics.json").stat().st_mtime_ns for p in ("p000", "p002")} == stamps
    pd.testing.assert_frame_equal(without_timings(first), without_timings(second))


def test_solver_proved_infeasibility_carries_the_diagnosis(squares):
    # two provincial clusters required, but with max_clusters 0 no region may take part in any: the solver proves it
    file = write_scenario(
        squares,
        {
            "industries": {"T": industry(provincial_clusters={"min": 2, "max": 3})},
            "sweep": {"parameters": {"limits.max_clusters": [0, 1]}},
        },
    )
    table = run_sweep(file, squares / "out", workers=1, progress=False)
    assert table["status"].tolist() == ["infeasible", "optimal"]
    message = table.loc[0, "message"]
    assert "proved the scenario infeasible" in message and "spread" in message and "focus" in message


def test_a_changed_sweep_is_not_mixed_into_an_earlier_folder(squares):
    file = four_points(squares)
    run_sweep(file, squares / "out", workers=1, progress=False)
    changed = write_scenario(
        squares,
        {
            "industries": {"T": industry(max_share=0.5)},
            "sweep": {"parameters": {"objective.homogeneity": [0, 2], "industries.T.max_share": [0.5, 1.0]}},
        },
    )
    with pytest.raises(InputError, match="different sweep"):
        run_sweep(changed, squares / "out", workers=1, progress=False)
    redone = run_sweep(changed, squares / "out", workers=1, progress=False, force=True)
    assert redone.attrs["solved_now"] == ["p002", "p003"] and redone.attrs["skipped"] == ["p000", "p001"]
    assert redone["objective.homogeneity"].tolist() == [0, 0, 2, 2]


def test_solver_options_reach_every_point(squares):
    file = four_points(squares)
    table = run_sweep(file, squares / "out", workers=1, progress=False, options=Options(solver="cbc"))
    assert table["status"].eq("optimal").all()
    assert yaml.safe_load((squares / "out" / "points" / "p000.yaml").read_text())["solver"]["name"] == "cbc"
    assert "cbc" in (squares / "out" / "points" / "p000" / "metrics.json").read_text()


def test_random_samples_are_seeded_and_typed(squares):
    body = {
        "industries": {"T": industry()},
        "sweep": {
            "mode": "random",
            "samples": 6,
            "seed": 7,
            "parameters": {
                "objective.homogeneity": {"min": 0, "max": 2},
                "limits.max_clusters": {"min": 1, "max": 3},
                "industries.T.target": [50, 100],
            },
        },
    }
    a = expand(load(write_scenario(squares, body)))
    b = expand(load(write_scenario(squares, body, name="again.yaml")))
    assert a == b and len(a) == 6 and a[0].id == "p000"
    assert all(0 <= p.values["objective.homogeneity"] <= 2 for p in a)
    assert all(
        isinstance(p.values["limits.max_clusters"], int) and 1 <= p.values["limits.max_clusters"] <= 3 for p in a
    )
    assert {p.values["industries.T.target"] for p in a} <= {50.0, 100.0}
    other = expand(load(write_scenario(squares, {**body, "sweep": {**body["sweep"], "seed": 8}}, name="other.yaml")))
    assert [p.values for p in other] != [p.values for p in a]


def test_grid_ranges_expand_evenly(squares):
    body = {
        "industries": {"T": industry()},
        "sweep": {
            "parameters": {
                "objective.homogeneity": {"min": 0, "max": 1, "steps": 3},
                "limits.max_clusters": {"min": 1, "max": 5, "step": 2},
            }
        },
    }
    points = expand(load(write_scenario(squares, body)))
    assert [tuple(p.values.values()) for p in points] == [
        (0.0, 1),
        (0.0, 3),
        (0.0, 5),
        (0.5, 1),
        (0.5, 3),
        (0.5, 5),
        (1.0, 1),
        (1.0, 3),
        (1.0, 5),
    ]


def test_bad_sweeps_name_file_line_and_key_all_at_once(squares):
    text = """\
name: bad
regions: {source: files, boundaries: squares.geojson, indicators: indicators.csv}
limits: {min_clusters: 0, budget: null}
industries:
  T: {name: T, kind: innovation, target: 100, weights: {s: 1}}
sweep:
  parameters:
    objective.homogenity: [0, 1]
    industries.TT.target: [50]
    name: [1, 2]
    limits.max_clusters: {min: 1, max: 2, steps: 3}
    objective.overcapacity: [-1, 1]
"""
    (squares / "bad.yaml").write_text(text)
    with pytest.raises(InputError) as e:
        run_sweep(squares / "bad.yaml", squares / "out", workers=1, progress=False)
    lines = str(e.value).splitlines()
    assert (
        lines[0].startswith(f"{squares / 'bad.yaml'}:8: sweep.parameters.objective.homogenity:")
        and "did you mean `objective.homogeneity`" in lines[0]
    )
    assert (
        lines[1].startswith(f"{squares / 'bad.yaml'}:9: sweep.parameters.industries.TT.target:")
        and "did you mean `industries.T`" in lines[1]
    )
    assert lines[2].startswith(f"{squares / 'bad.yaml'}:10: sweep.parameters.name:") and "numeric field" in lines[2]
    assert (
        lines[3].startswith(f"{squares / 'bad.yaml'}:11: sweep.parameters.limits.max_clusters:")
        and "whole numbers" in lines[3]
    )
    assert len(lines) == 4  # the out-of-range value is checked once the paths are right
    assert not (squares / "out").exists()

    (squares / "bad.yaml").write_text(
        text.split("    objective.homogenity")[0] + "    objective.overcapacity: [-1, 1]\n"
    )
    with pytest.raises(
        InputError,
        match=r"bad.yaml:8: sweep.parameters.objective.overcapacity: expected values the schema accepts \(objective.overcapacity: a number of at least 0\).*point p000",
    ):
        run_sweep(squares / "bad.yaml", squares / "out", workers=1, progress=False)


def test_a_file_without_sweep_section_is_bad_input(squares):
    file = write_scenario(squares, {"industries": {"T": industry()}})
    with pytest.raises(InputError, match="a `sweep:` section"):
        run_sweep(file, squares / "out", workers=1, progress=False)


def test_sweep_values_must_be_finite_and_ranges_complete(squares):
    text = """\
name: bad
regions: {source: files, boundaries: squares.geojson, indicators: indicators.csv}
limits: {min_clusters: 0, budget: null}
industries:
  T: {name: T, kind: innovation, target: 100, weights: {s: 1}}
sweep:
  parameters:
    objective.homogeneity: [.nan, 1]
    limits.max_clusters: {min: 1, max: .inf}
    objective.balance: []
    objective.advantage: {min: 1}
"""
    (squares / "bad.yaml").write_text(text)
    with pytest.raises(InputError) as e:
        run_sweep(squares / "bad.yaml", squares / "out", workers=1, progress=False)
    lines = str(e.value).splitlines()
    assert [line.split(": expected")[0] for line in lines] == [
        f"{squares / 'bad.yaml'}:8: sweep.parameters.objective.homogeneity.values.0",
        f"{squares / 'bad.yaml'}:9: sweep.parameters.limits.max_clusters.max",
        f"{squares / 'bad.yaml'}:10: sweep.parameters.objective.balance.values",
        f"{squares / 'bad.yaml'}:11: sweep.parameters.objective.advantage",
    ]
    assert "finite number" in lines[0] and "finite number" in lines[1] and "min` and `max`" in lines[3]


@pytest.mark.parametrize("command", ["sweep", "pareto"])
@pytest.mark.parametrize(
    "options",
    [["--workers", "0"], ["--dask-local", "0"], ["--dask-local", "2", "--dask-scheduler", "tcp://127.0.0.1:1"]],
)
def test_a_refused_way_of_running_leaves_no_folder(squares, command, options):
    file = four_points(squares)
    result = CliRunner().invoke(app, [command, str(file), "--out", str(squares / "out"), *options, "-q"])
    assert result.exit_code == 2, result.output
    assert options[0] in result.output or options[-2] in result.output
    assert not (squares / "out").exists()
