"""`layout map --tiles URL --attribution TEXT`: a tile server of the planner's choice (Tianditu with a key, an
institute's own) under the layout, credited as its terms require; off by default (the page opens offline). The URL
and the attribution are data: Folium writes them as JSON strings, never as page source."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from typer.testing import CliRunner

from layout.cli import app

runner = CliRunner()
TEMPLATE = "https://t{s}.example.org/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=KEY"
CREDIT = "审图号 GS(2024)0000 — example tiles"


def _map(folder: Path, *args: str):
    return runner.invoke(app, ["map", str(folder), *args])


def _tile_layers(page: str) -> list[tuple[str, str]]:
    """(URL template, attribution) of every Leaflet tile layer of the page, decoded from their JSON strings."""
    found = re.findall(r'L\.tileLayer\(\s*("(?:[^"\\]|\\.)*"),\s*\{[^}]*?"attribution": ("(?:[^"\\]|\\.)*")', page)
    return [(json.loads(url), json.loads(attr)) for url, attr in found]


def test_a_url_template_with_its_attribution_is_drawn_under_the_layout(solved_squares: Path, tmp_path: Path) -> None:
    folder = tmp_path / "r"
    shutil.copytree(solved_squares, folder)
    result = _map(folder, "--tiles", TEMPLATE, "--attribution", CREDIT)
    assert result.exit_code == 0, result.output
    page = (folder / "map.html").read_text(encoding="utf-8")
    assert _tile_layers(page) == [(TEMPLATE, CREDIT)] * 2  # baseline and optimised, each its own layer


def test_without_tiles_the_page_has_no_tile_layer(solved_squares: Path) -> None:
    page = (solved_squares / "map.html").read_text(encoding="utf-8")
    assert "L.tileLayer" not in page and "example.org" not in page


def test_a_url_template_without_attribution_is_refused_with_the_option_to_use(
    solved_squares: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "r"
    shutil.copytree(solved_squares, folder)
    before = (folder / "map.html").read_bytes()
    result = _map(folder, "--tiles", TEMPLATE)
    assert result.exit_code == 2
    assert "--attribution" in result.output and "Traceback" not in result.output
    assert (folder / "map.html").read_bytes() == before  # nothing rewritten


def test_attribution_alone_is_refused(solved_squares: Path) -> None:
    result = _map(solved_squares, "--attribution", CREDIT)
    assert result.exit_code == 2 and "--attribution" in result.output and "--tiles" in result.output


def test_a_hostile_attribution_stays_text(solved_squares: Path, tmp_path: Path) -> None:
    folder = tmp_path / "r"
    shutil.copytree(solved_squares, folder)
    hostile = "</script><script>document.title='owned'</script>"
    result = _map(folder, "--tiles", TEMPLATE, "--attribution", hostile)
    assert result.exit_code == 0, result.output
    page = (folder / "map.html").read_text(encoding="utf-8")
    assert hostile not in page  # escaped inside the JSON string, not page source
    assert {attr for _, attr in _tile_layers(page)} == {hostile}  # and the same text once decoded
