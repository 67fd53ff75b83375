"""Batch commands in Chinese (layout.batch: sweep, Pareto front, near-optimal alternatives): the summaries they
print and the pages they write are Chinese with --lang zh (Options.language) or a constraint file's `language: zh`,
and every point is solved in that language even where a worker's own locale is English.

A worker is imitated by running each task in a fresh context (no `using` around it) with an English locale: what a
spawned process or a Dask worker sees. The English words of the batch's own messages must not appear in Chinese
output (codes, file names, numbers and the command `layout solve` aside)."""

from __future__ import annotations

import ast
import contextvars
import html
import re
from pathlib import Path

import pandas as pd
import pytest

from layout.batch import alternatives as alternatives_module
from layout.batch import pareto as pareto_module
from layout.batch import sweep as sweep_module
from layout.language import LOCALE_VARIABLES, using
from layout.pipeline import Options
from layout.results.metrics import METRICS
from tests.squares import industry, write_regions, write_scenario

BATCH = Path(sweep_module.__file__).parent
CHINESE = "新一代信息技术"
NAMES = {"A": "甲市", "B": "乙市", "C": "丙市", "D": "丁市"}


def english_words() -> set[str]:
    """Every English word (3 letters or more) of the messages of layout/batch/, their {fields} left out."""
    words: set[str] = set()
    for path in BATCH.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("tr", "trn", "marked")
            ):
                for arg in node.args[: 2 if node.func.id == "trn" else 1]:
                    text = re.sub(r"\{[^}]*\}", " ", arg.value)
                    words |= {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}
    return words - {"dask"}  # a product's name


WORDS = english_words()


def english_in(text: str) -> set[str]:
    """The batch's English words found in a text (commands and the metrics' own labels taken out first)."""
    text = text.replace("`layout solve`", "").replace("--time-limit", "")
    text = re.sub(r"[\w./-]*[./][\w./-]*", " ", text)  # file names and folders: points/e000, alternatives.csv
    return {w for w in re.findall(r"[A-Za-z]{3,}", text) if w.lower() in WORDS}


def page_text(page: str) -> str:
    """What a reader sees of a page: no style, script, tags or markup; the metrics' labels (not this area's) out."""
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for m in METRICS:  # translated by layout.results.metrics' catalogue
        text = text.replace(m.label, " ")
    return text


@pytest.fixture
def english_worker(monkeypatch):
    """Run every task of a batch as a worker would: a fresh context (no `using`) and an English locale."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    seen: list[str] = []

    def execute(fn, tasks, **_):
        for t in tasks:
            seen.append(t.id)
            yield contextvars.Context().run(fn, t)

    for module in (sweep_module, pareto_module, alternatives_module):
        monkeypatch.setattr(module, "execute", execute)
    return seen


def apart(tmp_path: Path, **body) -> Path:
    """A and B far apart (s 10 and 5), C for the alternatives (s 10); T named in both languages, all of it in one
    region (max_share 1)."""
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (3, 0), "C": (6, 0)},
        {"A": {"s": 10}, "B": {"s": 10}, "C": {"s": 0}},
        names=NAMES,
    )
    t = industry(name="Next-generation IT", name_zh=CHINESE, max_share=1.0)
    return write_scenario(tmp_path, {"name": "小型情景", "industries": {"T": t}, **body})


def test_a_sweep_in_chinese_solves_its_points_in_chinese_and_says_so(tmp_path, english_worker):
    file = apart(tmp_path, sweep={"parameters": {"objective.homogeneity": {"values": [1, 2]}}})
    table = sweep_module.run_sweep(file, tmp_path / "sw", workers=1, progress=False, options=Options(language="zh"))
    assert english_worker == ["p000", "p001"] and table["status"].tolist() == ["optimal", "optimal"]
    line = sweep_module.summary(table)  # printed by the command outside any `using`: the table knows its language
    assert line == "2个扫描点：2个最优" and not english_in(line)
    for pid in ("p000", "p001"):  # solved by an "English" worker, in Chinese: the industry's Chinese name
        got = pd.read_csv(tmp_path / "sw" / "points" / pid / "assignment.csv")
        assert set(got["industry_name"]) == {CHINESE} and set(got["region_name"]) <= set(NAMES.values())
        assert "language: zh" in (tmp_path / "sw" / "points" / f"{pid}.yaml").read_text(encoding="utf-8")
    robust = pd.read_csv(tmp_path / "sw" / "robustness.csv")
    assert set(robust["industry_name"]) == {CHINESE} and list(robust.columns)[:2] == ["region_code", "region_name"]

    again = sweep_module.run_sweep(file, tmp_path / "sw", workers=1, progress=False, options=Options(language="zh"))
    assert sweep_module.summary(again) == "2个扫描点：2个最优（2个此前已完成，已跳过）"
    with using("zh"):  # a table with no language recorded (made elsewhere): the language around it
        assert sweep_module.summary(pd.DataFrame({"status": ["optimal"]})) == "1个扫描点：1个最优"
    english = sweep_module.run_sweep(file, tmp_path / "en", workers=1, progress=False)
    assert sweep_module.summary(english) == "2 points: 2 optimal"
    got = pd.read_csv(tmp_path / "en" / "points" / "p000" / "assignment.csv")
    assert set(got["industry_name"]) == {"Next-generation IT"}


def test_a_sweep_follows_the_files_language_without_lang(tmp_path, english_worker):
    file = apart(tmp_path, language="zh", sweep={"parameters": {"objective.homogeneity": {"values": [1]}}})
    table = sweep_module.run_sweep(file, tmp_path / "sw", workers=1, progress=False)
    assert sweep_module.summary(table) == "1个扫描点：1个最优"
    got = pd.read_csv(tmp_path / "sw" / "points" / "p000" / "assignment.csv")
    assert set(got["industry_name"]) == {CHINESE}
    # sweep.json records the language, so `layout map` redraws the share map in it without --lang
    from layout.api import write_map

    page = write_map(tmp_path / "sw").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and not english_in(page_text(page)), english_in(page_text(page))


def test_a_pareto_front_in_chinese(tmp_path, english_worker, monkeypatch):
    # A–B–C in a row as test_pareto's hand-computed front (A, C not adjacent), D far away: the front has 2 points
    # with points=2 (ε = 0 and 2), H 0 (advantage 0.72) and H 2 (advantage 0.92).
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (1, 0), "C": (2, 0), "D": (10, 0)},
        {"A": {"s": 10}, "B": {"s": 9}, "C": {"s": 8}, "D": {"s": 0}},
        names=NAMES,
    )
    t = industry(name="Next-generation IT", name_zh=CHINESE, max_share=0.4)
    file = write_scenario(tmp_path, {"name": "小型情景", "industries": {"T": t}})
    drawn: list[str] = []
    from matplotlib.axes import Axes

    for method in ("set_title", "set_xlabel", "set_ylabel"):
        original = getattr(Axes, method)
        monkeypatch.setattr(
            Axes, method, lambda ax, text, *a, _o=original, **k: (drawn.append(text), _o(ax, text, *a, **k))[1]
        )
    table = pareto_module.pareto(
        file, tmp_path / "front", points=2, workers=1, progress=False, options=Options(language="zh")
    )
    assert english_worker == ["e000", "e001", "default"]
    assert table["advantage"].tolist()[:2] == pytest.approx([0.72, 0.92], abs=1e-6)
    note = table.attrs["note"]
    assert note == "帕累托前沿有2个不同的点，从 H = 0（比较优势 0.72）到 H = 2（比较优势 0.92）"
    page = (tmp_path / "front" / "pareto.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in page and "小型情景：同构度与比较优势" in page and note + "。" in page
    assert "<th>布局同于</th>" in page and "原情景" in page and "最优" in page
    assert not english_in(page_text(page)), english_in(page_text(page))
    assert drawn == ["加权相邻产业同构（同构度）", "比较优势：Σ 得分 · 规模 / 全国目标", "小型情景：同构度与比较优势"]
    for pid in ("e000", "e001", "default"):  # every point (ε points and the scenario as given) solved in Chinese
        got = pd.read_csv(tmp_path / "front" / "points" / pid / "assignment.csv")
        assert set(got["industry_name"]) == {CHINESE}
    assert '"language": "zh"' in (tmp_path / "front" / "points" / "e000" / "manifest.json").read_text(encoding="utf-8")
    assert list(pd.read_csv(tmp_path / "front" / "pareto.csv")["status"]) == ["optimal"] * 3  # codes stay


def test_alternatives_in_chinese_from_the_files_language(tmp_path, english_worker):
    # A and B equally good for T (test_alternatives' twins without U): the optimum puts all of T in one of them,
    # the alternative in the other; both designations are in one of two layouts (frequent), none is must-have.
    file = apart(tmp_path, language="zh")
    table = alternatives_module.alternatives(file, tmp_path / "alt", slack=0.0, count=1, workers=1, progress=False)
    assert english_worker == ["a01"] and table["class"].tolist() == ["frequent", "frequent"]  # codes stay
    summary = table.attrs["summary"]
    assert summary[0].startswith("在1个近优备选方案中找到1个，目标函数值在最优值的0%以内（最优值为-1，上限为-1），")
    assert summary[1] == "必选：2项集群布局中有0项出现在每个布局中"
    assert summary[2] == "可协商：0项集群布局出现在不到一半的不同布局中"
    assert summary[-1].startswith("已写入 ")
    for line in summary:
        assert not english_in(line.replace(str(tmp_path), "")), line
    page = (tmp_path / "alt" / "alternatives.html").read_text(encoding="utf-8")
    assert "小型情景：近优备选方案" in page and "常选：2项集群布局" in page and ">最优布局</a>" in page
    assert not english_in(page_text(page)), english_in(page_text(page))
    for folder in ("optimum", "alternatives/a01"):
        got = pd.read_csv(tmp_path / "alt" / folder / "assignment.csv")
        assert set(got["industry_name"]) == {CHINESE} and set(got["region_name"]) <= set(NAMES.values())


def test_a_chinese_sweeps_progress_bar_names_each_points_status_in_chinese(tmp_path, english_worker, capsys):
    file = apart(tmp_path, sweep={"parameters": {"objective.homogeneity": {"values": [1, 2]}}})
    sweep_module.run_sweep(file, tmp_path / "sw", workers=1, progress=True, options=Options(language="zh"))
    bar = capsys.readouterr().err  # rich's bar, drawn once at the end where stderr is no terminal
    assert "参数扫描" in bar and "p001 最优" in bar and "预计剩余" in bar, bar
    assert not re.search(r"\b(optimal|eta)\b", bar), bar
