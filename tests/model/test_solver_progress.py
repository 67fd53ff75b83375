"""The solver's progress while it runs (issue 15): HiGHS's own MIP callback gives the best objective, the bound, the
gap and the nodes; `solve` passes them on at most every `every` seconds and once at the end; CBC says that it reports
nothing while it runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import layout.model.solve as solve_module
from layout.model.families import build_model
from layout.model.solve import SolverProgress, solve
from layout.pipeline import prepare
from tests.squares import industry, write_regions, write_scenario


@pytest.fixture(scope="module")
def default_model(tmp_path_factory):
    """The shipped default scenario (31 provinces × 8 industries) with at most 30 % of an industry in one province:
    HiGHS needs a branch-and-bound search of several nodes to prove its optimum (gap 0), where the default itself
    is proved at the root node."""
    variant = tmp_path_factory.mktemp("variant") / "share30.yaml"
    variant.write_text("extends: default\nrules:\n  max_share: 0.3\n", encoding="utf-8")
    _, _, inst = prepare(variant)
    return build_model(inst)


def squares_model(folder: Path):
    """Three unit squares, one industry of target 100, at most half of it per region."""
    write_regions(folder, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    _, _, inst = prepare(write_scenario(folder, {"industries": {"T": industry(max_share=0.5)}}))
    return build_model(inst)


def test_highs_callback_reports_sane_figures(default_model, monkeypatch):
    """Every figure HiGHS's callback gives during the search is a real incumbent above a real bound (the model
    minimises) at a gap >= 0; what reaches `on_progress` is those figures, and its last call is HiGHS's result."""
    seen: list[tuple[float, float, float, int]] = []
    keep = solve_module._Beat.seen

    def spy(beat, event):
        keep(beat, event)
        seen.append(beat.figures)

    monkeypatch.setattr(solve_module._Beat, "seen", spy)
    calls: list[SolverProgress] = []
    result = solve(default_model, "highs", time_limit=None, gap=0.0, on_progress=calls.append, every=0.0)
    assert result.status == "optimal"

    assert seen, "HiGHS's MIP callback never fired"
    found = [(inc, bnd, gap) for inc, bnd, gap, _ in seen if abs(inc) < float("inf") and abs(bnd) < float("inf")]
    assert found, "no callback saw an incumbent and a bound"
    for incumbent, bound, gap in found:
        assert incumbent >= bound - 1e-9 * max(1.0, abs(incumbent)) and gap >= 0
    assert max(nodes for *_, nodes in seen) > 1  # a search, not a root-node solve

    assert calls and all(p.solver == "highs" and p.reports and p.goal == 0.0 for p in calls)
    assert [p.elapsed for p in calls] == sorted(p.elapsed for p in calls)
    for p in calls:
        assert 0 <= p.elapsed <= result.seconds
        if p.objective is not None and p.bound is not None:
            assert p.objective >= p.bound - 1e-9 * max(1.0, abs(p.objective))
            assert p.gap is not None and p.gap >= 0
    last = calls[-1]
    assert (last.bound, last.gap) == (result.bound, result.gap) == (last.bound, 0.0)
    assert last.objective == pytest.approx(result.objective, abs=1e-6)
    assert last.nodes is not None and last.nodes >= max(nodes for *_, nodes in seen)  # HiGHS counts the last node


def test_every_spaces_the_calls(tmp_path):
    """With a long interval only the final call comes (the solve of three squares ends long before 1000 s)."""
    calls: list[SolverProgress] = []
    result = solve(squares_model(tmp_path), "highs", 30.0, 0.0, on_progress=calls.append, every=1000.0)
    assert len(calls) == 1
    (p,) = calls
    assert (p.solver, p.time_limit, p.goal, p.reports) == ("highs", 30.0, 0.0, True)
    assert p.objective == pytest.approx(result.objective, abs=1e-6) and p.bound == result.bound and p.gap == 0.0


def test_cbc_reports_only_the_time(tmp_path):
    """CBC runs as a subprocess that reports nothing while it runs: its progress carries the elapsed time only, and
    says so."""
    calls: list[SolverProgress] = []
    result = solve(squares_model(tmp_path), "cbc", 30.0, 0.01, on_progress=calls.append, every=0.0)
    assert result.status == "optimal" and calls
    for p in calls:
        assert (p.solver, p.objective, p.bound, p.gap, p.nodes, p.reports) == ("cbc", None, None, None, None, False)
        assert 0 <= p.elapsed <= result.seconds
    assert calls[-1].words() == (
        f"cbc: {calls[-1].elapsed:.0f} s of 30 s; CBC reports no layout, bound or gap while it runs"
    )


def test_an_error_in_on_progress_stops_the_solve(tmp_path):
    """An exception raised by `on_progress` (e.g. the display failing) comes out of `solve`, not lost in a thread."""

    def fail(p: SolverProgress) -> None:
        raise RuntimeError("display failed")

    with pytest.raises(RuntimeError, match="display failed"):
        solve(squares_model(tmp_path), "highs", on_progress=fail, every=0.0)


def test_scip_reports_its_figures_and_stops_at_once_on_an_error():
    """SCIP's event handler gives incumbents above bounds (the model minimises); an error raised by `on_progress` half
    a second into the solve interrupts SCIP at once — within 2 s, where proving the default's optimum takes SCIP
    about ten — with no SCIP thread left running, and comes out of `solve`."""
    import threading
    import time

    _, _, inst = prepare(None)
    calls: list[SolverProgress] = []
    raised: list[float] = []

    def half_a_second(p: SolverProgress) -> None:
        calls.append(p)
        if p.elapsed >= 0.5:
            raised.append(time.perf_counter())
            raise RuntimeError("display failed")

    with pytest.raises(RuntimeError, match="display failed"):
        solve(build_model(inst), "scip", time_limit=120.0, gap=0.0, on_progress=half_a_second, every=0.0)
    assert time.perf_counter() - raised[0] < 2.0
    assert not [t for t in threading.enumerate() if t.name == "scip" and t.is_alive()]
    assert all(p.solver == "scip" and p.reports and p.time_limit == 120.0 for p in calls)
    figures = [p for p in calls if p.objective is not None and p.bound is not None]
    assert all(p.objective >= p.bound - 1e-9 * max(1.0, abs(p.objective)) for p in figures)


def test_scip_finds_the_optimum_highs_finds(tmp_path):
    """Solved to optimality, SCIP's layout has HiGHS's objective, and its last progress is its result (gap 0)."""
    calls: list[SolverProgress] = []
    scip = solve(squares_model(tmp_path), "scip", 30.0, 0.0, on_progress=calls.append, every=0.0)
    (tmp_path / "again").mkdir()
    highs = solve(squares_model(tmp_path / "again"), "highs", 30.0, 0.0)
    assert (scip.solver, scip.status, scip.gap) == ("scip", "optimal", 0.0)
    assert scip.objective == pytest.approx(highs.objective, abs=1e-9)
    assert calls[-1].objective == pytest.approx(scip.objective, abs=1e-6) and calls[-1].gap == 0.0


def test_progress_in_words():
    assert (
        SolverProgress("highs", 42.4, 5.04213, 4.98761, 0.0109, 1234, 120.0, 0.01).words()
        == "highs: 42 s of 120 s; best objective 5.0421, bound 4.9876, gap 1.09 % (stops at 1.00 %); 1,234 nodes"
    )
    assert (
        SolverProgress("highs", 2.0, None, -3.5, None, 1).words()
        == "highs: 2 s (no time limit); no layout yet, bound -3.5; 1 node"
    )
    assert SolverProgress("highs", 0.2).words() == "highs: 0 s (no time limit); no layout yet, no bound yet"
    assert (
        SolverProgress("highs", 7.0, 2.0, 2.0, 0.0, 3, 60.0).words()
        == "highs: 7 s of 60 s; best objective 2, bound 2, gap 0.00 % (stops when proved optimal); 3 nodes"
    )
    assert (
        SolverProgress("cbc", 12.0, time_limit=0.5, reports=False).words()
        == "cbc: 12 s of 0.5 s; CBC reports no layout, bound or gap while it runs"
    )


def test_workers_share_the_cores(monkeypatch):
    """A batch worker's solves use its share of the machine's cores (at least one thread); unset, HiGHS chooses."""
    monkeypatch.setattr(solve_module, "_threads", None)
    monkeypatch.setattr(solve_module.os, "cpu_count", lambda: 8)
    mat = solve_module.Matrix(*([np.zeros(0)] * 5), np.zeros(1, dtype=np.int32), *([np.zeros(0)] * 3), [])
    assert solve_module._highs(mat, None, 0.0).getOptionValue("threads")[1] == 0  # HiGHS's own choice
    solve_module.share_cores(3)
    assert solve_module._highs(mat, None, 0.0).getOptionValue("threads")[1] == 2
    solve_module.share_cores(16)
    assert solve_module._highs(mat, None, 0.0).getOptionValue("threads")[1] == 1
