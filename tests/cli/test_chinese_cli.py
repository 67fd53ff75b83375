"""The command line in Chinese: `layout solve`, `validate` and `compare` print their summaries, headings, step lines
and sentences in Chinese under --lang zh (or a constraint file's `language: zh`, or a zh locale), and keep codes,
file names and numbers as they are; --lang wins over the file, and an unknown --lang is bad input (exit 2)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from layout.language import using
from layout.model.solve import SolverProgress
from layout.results.compare import tier_shown
from layout.results.folder import missed_words, stopped_words
from layout.results.metrics import cluster_words
from layout.words import cell, excluded_words, listing, plural
from tests.squares import industry, write_regions, write_scenario

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
NAMES = {"A": "甲地", "B": "乙地", "C": "丙地"}
CODES = {"A", "B", "C", "T", "highs"}  # region and industry codes, the solver's name: never translated
CJK = re.compile(r"[\u4e00-\u9fff]")


def english_words(text: str, *paths: Path) -> list[str]:
    """The words of Latin letters in `text` that are no code (`CODES`) once the folder paths are taken out."""
    for path in paths:
        text = text.replace(str(path), "")
    text = re.sub(r"/[^\s—（]*", "", text)  # the folders' names
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]*", text) if w not in CODES]


def scenario(folder: Path, name: str = "scenario.yaml", **body) -> Path:
    """The three squares (A and B neighbours, C apart) with one industry T, at most half of it per region."""
    if not (folder / "squares.geojson").exists():
        write_regions(
            folder, {"A": (0, 0), "B": (1, 0), "C": (5, 0)}, {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 4}}, NAMES
        )
    return write_scenario(
        folder,
        {
            "name": "小情景",
            "industries": {"T": industry(name="Test industry", name_zh="测试产业", max_share=0.5)},
            **body,
        },
        name=name,
    )


@pytest.fixture(scope="module")
def solved_zh(tmp_path_factory):
    """Two results folders of the squares solved in Chinese (homogeneity weighted 1 and 0), and the solve's output."""
    tmp = tmp_path_factory.mktemp("zh")
    runs = {}
    for out, homogeneity in (("out_a", 1.0), ("out_b", 0.0)):
        file = scenario(
            tmp,
            f"{out}.yaml",
            objective={"homogeneity": homogeneity, "advantage": 1.0},
            rules={"max_share": 0.5 if homogeneity else 1.0},
        )
        runs[out] = runner.invoke(app(), ["solve", str(file), "--out", str(tmp / out), "--lang", "zh"])
        assert runs[out].exit_code == 0, runs[out].output
    return tmp, runs


def app():
    from layout.cli import app as command

    return command


def test_the_solve_summary_and_its_step_lines_are_chinese(solved_zh):
    tmp, runs = solved_zh
    result = runs["out_a"]
    assert "目标函数值" in result.stdout and "按产业列出的优化布局" in result.stdout and "已写入" in result.stdout
    assert "测试产业" in result.stdout and "创新型" in result.stdout  # the industry's Chinese name, its kind in words
    assert not english_words(result.stdout, tmp), result.stdout
    steps = [line for line in result.stderr.splitlines() if line.startswith("…")]
    assert steps and all(CJK.search(line) for line in steps), result.stderr
    assert not english_words("\n".join(steps)), result.stderr


def test_the_quiet_headline_is_chinese(tmp_path):
    result = runner.invoke(
        app(), ["solve", str(scenario(tmp_path)), "--out", str(tmp_path / "out"), "-q", "--lang", "zh"]
    )
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    assert line.startswith("小情景 — highs：最优，目标函数值 ") and "个二元变量" in line
    assert not english_words(line), line
    assert result.stderr == ""


def test_the_validate_line_is_chinese(tmp_path):
    file = scenario(tmp_path)
    result = runner.invoke(app(), ["validate", str(file), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{file}：有效 — 3个地区，1个产业，0个区域组，1对相邻地区"


def test_compare_is_chinese_and_its_columns_align(solved_zh):
    tmp, _ = solved_zh
    result = runner.invoke(app(), ["compare", str(tmp / "out_a"), str(tmp / "out_b"), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "指标：基准布局（无协调）、优化布局" in text and "集群布局：" in text and "相邻地区产业同构" in text
    assert not english_words(text, tmp), text
    table = text.splitlines()[4:7]  # the group names, the header and its rule
    from layout.words import width

    assert width(table[1]) == width(table[2]), table  # wide characters counted twice: the rule spans the header


def test_the_file_language_gives_chinese_and_lang_wins(tmp_path):
    file = scenario(tmp_path, language="zh")
    result = runner.invoke(app(), ["solve", str(file), "--out", str(tmp_path / "zh"), "-q"])
    assert result.exit_code == 0, result.output
    assert "目标函数值" in result.stdout and "objective" not in result.stdout

    result = runner.invoke(app(), ["solve", str(file), "--out", str(tmp_path / "en"), "-q", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert ", objective " in result.stdout and not CJK.search(result.stdout.replace("小情景", "")), result.stdout


def test_the_locale_decides_without_lang_or_language(tmp_path):
    file = scenario(tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["LANG"] = "zh_CN.UTF-8"
    done = subprocess.run(
        [sys.executable, "-m", "layout", "validate", str(file)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{file}：有效 — 3个地区"), done.stdout


def test_an_unknown_lang_is_bad_input(tmp_path):
    result = runner.invoke(app(), ["validate", str(scenario(tmp_path)), "--lang", "fr"])
    assert result.exit_code == 2
    assert "--lang" in result.output


def test_a_bad_input_error_is_worded_in_chinese_and_keeps_its_location(tmp_path):
    file = scenario(tmp_path, limits={"min_clusters": -1})
    result = runner.invoke(app(), ["validate", str(file), "--lang", "zh"])
    assert result.exit_code == 2
    # file:line: key: as in English (editors, scripts); what was expected and found in Chinese
    assert re.fullmatch(
        rf"错误（输入有误）：{re.escape(str(file))}:\d+: limits.min_clusters: 应为不小于 0 的数值；实为-1\n",
        result.stderr,
    ), result.stderr


def test_the_words_of_sentences_in_chinese():
    with using("zh"):
        assert listing(["北京市", "天津市"]) == "北京市、天津市"
        assert listing([str(k) for k in range(12)], 2) == "共12个（0、1、…及另外10个）"
        assert plural(3, "cluster") == "3个集群" and plural(1, "region") == "1个地区"
        # each noun with its own measure word; a unit is a region unit of the model (单元), not an organisation
        assert plural(2, "neighbour duplication") == "2处相邻地区产业同构" and plural(4, "change") == "4处变更"
        assert plural(40, "designation") == "40项集群布局" and plural(5, "unit") == "5个单元"
        assert cell(True) == "是" and cell(False) == "否"
        # a compared difference that rounds to nothing reads 0, never -0; a group's code in full-width brackets
        assert cell(-1e-9, 3) == "0" and cell(-0.0004, 3) == "0" and cell(-0.0006, 3) == "-0.001"
        assert tier_shown("inter-provincial (BTH)") == "跨省集群（BTH）" and tier_shown("provincial") == "省级集群"
        cluster = {
            "name": "京津冀城市群",
            "industry": "DIGI",
            "members": [{"name": "河北省", "capacity": 35, "share": 0.52}],
        }
        assert cluster_words(cluster) == "京津冀城市群：DIGI——河北省 35（52 %）"  # full-width, as the map's label
        assert excluded_words("NE: s = 0, rule >= 1", "") == "未满足的规则：NE: s = 0, rule >= 1"
        assert missed_words({"industries": [{"industry": "NE", "built": 35, "target": 100}]}, "2030") == (
            "2030年未达标产业：NE 建成 35，全国目标 100"
        )
        assert stopped_words({"status": "feasible", "message": "Time limit reached", "gap": 0.0156}, 120) == (
            "可行 — 因时间上限（120 秒）停止，间隙 1.56 %"
        )
        progress = SolverProgress("highs", 42.2, 5.0421, 4.9876, 0.0109, 1234, 120, 0.01)
        assert (
            progress.words()
            == "highs：42 秒 / 120 秒；现有最好布局的目标函数值 5.0421，界 4.9876，间隙 1.09 %（达到 1.00 % 时停止）；1,234个节点"
        )
    with using("en"):  # English as it was
        assert listing([str(k) for k in range(12)], 2) == "12 units (0, 1, … and 10 more)"
        assert plural(3, "cluster") == "3 clusters" and cell(True) == "yes"
        assert tier_shown("inter-provincial (BTH)") == "inter-provincial (BTH)"
        assert cluster_words(cluster) == "京津冀城市群: DIGI — 河北省 35 (52 %)"
        assert stopped_words({"status": "feasible", "message": "Time limit reached", "gap": 0.0156}, 120) == (
            "feasible — stopped by the time limit (120 s) at gap 1.56 %"
        )
        assert progress.words() == (
            "highs: 42 s of 120 s; best objective 5.0421, bound 4.9876, gap 1.09 % (stops at 1.00 %); 1,234 nodes"
        )


def test_the_file_language_drives_validate_its_warnings_and_its_errors(tmp_path):
    """Without --lang, a file saying `language: zh` is validated in Chinese: the summary line, and the headline of
    an error in its keys; --lang en wins over it."""
    file = scenario(tmp_path, language="zh")
    result = runner.invoke(app(), ["validate", str(file)], env={"LANG": "C", "LANGUAGE": "", "LC_ALL": ""})
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"{file}：有效 — 3个地区，1个产业，0个区域组，1对相邻地区"

    bad = scenario(tmp_path, name="bad.yaml", language="zh", limits={"min_clusters": -1})
    result = runner.invoke(app(), ["validate", str(bad)], env={"LANG": "C", "LANGUAGE": "", "LC_ALL": ""})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"错误（输入有误）：{bad}:"), result.stderr

    result = runner.invoke(app(), ["validate", str(bad), "--lang", "en"])
    assert result.stderr.startswith(f"error (bad input): {bad}:"), result.stderr


def test_a_solver_failure_names_its_solve_in_chinese():
    """The error of a solver that ended without a layout says which solve in the chosen language (no English
    fragment such as ' for 2030' inside a Chinese sentence)."""
    from layout.model.solve import SolveResult, solver_failure

    failed = SolveResult("highs", "error", None, None, None, 1.0, "HiGHS error")
    with using("zh"):
        for during in ("", "规划期 2030"):
            text = str(solver_failure("highs", failed, during))
            assert text.startswith("highs（规划期 2030）以状态" if during else "highs以状态"), text
            codes = {"error", "solver", "cbc"}  # the status, the option and the other solver: codes
            assert not set(english_words(text.replace("HiGHS error", ""))) - codes, text
    assert str(solver_failure("highs", failed, "for 2030")).startswith("highs ended for 2030 with status 'error'")


def test_a_page_keeps_the_language_it_was_built_in_and_an_unknown_language_is_bad_input(tmp_path, monkeypatch):
    """`Result.map()` of a Chinese solve declares zh-CN wherever it is shown; `lang="fr"` from Python and a
    manifest.json naming an unknown language are bad input (exit 2, the file and key named), not a traceback."""
    import json

    from layout import api
    from layout.errors import InputError

    monkeypatch.setenv("LANG", "C")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    file = scenario(tmp_path)
    result = api.solve(file, out=tmp_path / "out", lang="zh")
    assert '<html lang="zh-CN">' in result.map().offline_html()  # shown outside any `using`, in an English locale

    with pytest.raises(InputError, match="lang.*one of: en, zh"):
        api.solve(file, lang="fr")
    manifest = tmp_path / "out" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**data, "language": "fr"}), encoding="utf-8")
    done = runner.invoke(app(), ["map", str(tmp_path / "out")])
    assert done.exit_code == 2, done.output
    assert f"{manifest}" in done.stderr and "language" in done.stderr and "Traceback" not in done.output


def test_notes_on_the_data_are_not_called_missing_data():
    """Found by a planner's trial: at prefecture level notes such as `population_2019: prefecture values: 2020 census`
    or a budget split by GDP were printed as 缺失数据 (missing data). metrics.json `data_notes` says which are notes."""
    from layout.cli import data_lines
    from layout.views.report import sources_section

    gap, note = "s: no data for A; their T score counts nothing for it", "population_2019: the 2020 census"
    with using("zh"):
        assert data_lines([note, gap], [note]) == [f"数据说明：{note}", f"缺失数据：{gap}"]
    with using("en"):
        assert data_lines([note, gap], [note]) == [f"data note: {note}", f"missing data: {gap}"]
        page = sources_section({"missing_data": [note, gap], "data_notes": [note]}, {}, {})
        assert f"Notes on the data: <ul class='tight'><li>{note}</li></ul>" in page
        assert f"Missing data: <ul class='tight'><li>{gap}</li></ul>" in page
