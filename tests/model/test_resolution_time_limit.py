"""The time limit fits the resolution (issue 15, docs/resolutions.md): the shipped default's 120 s is a province-level
figure; at prefecture or county resolution it gives way to RESOLUTION_TIME_LIMITS, unless a file of the user's sets
`solver.time_limit` (any value, null for none) or the command line gives --time-limit."""

from __future__ import annotations

from pathlib import Path

import pytest

import layout.pipeline
from layout.model.solve import RESOLUTION_TIME_LIMITS, scenario_time_limit
from layout.pipeline import Options, solve_scenario
from layout.spec.load import load, load_dict
from tests.squares import industry, write_scenario


def fine(folder: Path, resolution: str, solver: str = "") -> Path:
    """A file extending the default at `resolution`, with `solver` (YAML lines) if given."""
    path = folder / f"{resolution}.yaml"
    text = f"extends: default\nname: {resolution} check\nregions:\n  resolution: {resolution}\n"
    path.write_text(text + (f"solver:\n{solver}" if solver else ""), encoding="utf-8")
    return path


def test_the_finer_resolutions_have_their_own_limit():
    assert RESOLUTION_TIME_LIMITS == {"prefecture": 900.0, "county": 900.0}


@pytest.mark.parametrize("resolution", ["prefecture", "county"])
def test_the_shipped_limit_gives_way_at_a_finer_resolution(tmp_path, resolution):
    assert scenario_time_limit(load(fine(tmp_path, resolution))) == 900.0
    # another solver key of the user's leaves the shipped time limit the shipped one
    assert scenario_time_limit(load(fine(tmp_path, resolution, "  gap: 0.01\n"))) == 900.0
    assert scenario_time_limit(load_dict({"extends": "default", "regions": {"resolution": resolution}})) == 900.0


@pytest.mark.parametrize("resolution", ["prefecture", "county"])
def test_a_limit_the_user_sets_is_kept(tmp_path, resolution):
    assert scenario_time_limit(load(fine(tmp_path, resolution, "  time_limit: 120\n"))) == 120.0
    assert scenario_time_limit(load(fine(tmp_path, resolution, "  time_limit: null\n"))) is None
    spec = load_dict({"extends": "default", "regions": {"resolution": resolution}, "solver": {"time_limit": 60}})
    assert scenario_time_limit(spec) == 60.0


def test_province_level_keeps_the_files_limit(squares):
    assert scenario_time_limit(load(None)) == 120.0
    assert scenario_time_limit(load_dict({"extends": "default", "name": "x"})) == 120.0
    assert (
        scenario_time_limit(load(write_scenario(squares, {"industries": {"T": industry()}}))) is None
    )  # own regions, no time limit set: none


class Captured(Exception):
    """Raised in place of solving once the time limit is known."""


def test_the_pipeline_solves_with_it(tmp_path, monkeypatch):
    """`layout solve` of a prefecture file solves with 900 s, and --time-limit still wins."""
    limits: list[float | None] = []

    def capture(spec, regions, inst, solver, time_limit, *args, **kwargs):
        limits.append(time_limit)
        raise Captured

    monkeypatch.setattr(layout.pipeline, "solve_period", capture)
    path = fine(tmp_path, "prefecture")
    for options in (Options(), Options(time_limit=30.0)):
        with pytest.raises(Captured):
            solve_scenario(path, None, options)
    assert limits == [900.0, 30.0]
