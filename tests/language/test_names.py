"""Names in the language of a run: provinces, industries and groups in Chinese with `--lang zh` (or `language: zh`),
from the data's own Chinese names; the layout itself does not depend on the language."""

from __future__ import annotations

import json

import pytest

import layout
from layout.language import using
from tests.squares import industry, write_regions, write_scenario


@pytest.fixture(scope="module")
def both():
    """The default scenario solved in English and in Chinese."""
    return layout.solve(None, lang="en"), layout.solve(None, lang="zh")


def test_the_layout_is_the_same_in_both_languages(both):
    en, zh = both
    assert zh.objective == en.objective
    assert zh.language == "zh" and en.language == "en"
    columns = ["region_code", "industry", "capacity", "tier", "kind", "group"]
    assert zh.assignment[columns].equals(en.assignment[columns])


def test_names_come_from_the_data_in_chinese(both):
    en, zh = both
    names = dict(zip(zh.assignment["region_code"], zh.assignment["region_name"]))
    assert names["110000"] == "北京市" and names["440000"] == "广东省"
    industries = dict(zip(zh.assignment["industry"], zh.assignment["industry_name"]))
    assert industries["NGIT"] == "新一代信息技术产业"  # models/default.yaml's name_zh
    groups = dict(zip(zh.assignment["group"], zh.assignment["group_name"]))
    assert groups["BTH"] == "京津冀城市群"  # geodata/city_clusters.csv UA01's name_zh
    english = dict(zip(en.assignment["region_code"], en.assignment["region_name"]))
    assert english["110000"] == "Beijing"
    assert dict(zip(en.assignment["group"], en.assignment["group_name"]))["BTH"] == "Beijing-Tianjin-Hebei"


def test_the_folder_records_its_language(both, tmp_path):
    _, zh = both
    folder = zh.write(tmp_path / "r")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["language"] == "zh"
    assert layout.api.folder_language(folder) == "zh"


def test_the_files_language_and_the_commands(tmp_path):
    """`language: zh` in the file gives Chinese names; a command's --lang wins; a group's own name_zh wins over its
    source's; a name the data lacks in Chinese stays as the file gives it."""
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0)}, {"A": {"s": 10}, "B": {"s": 8}})
    file = write_scenario(
        tmp_path,
        {
            "language": "zh",
            "industries": {
                "T": {**industry(max_share=0.6), "name": "Tea", "name_zh": "茶"},
                "U": industry(max_share=0.6),
            },
            "groups": {"G": {"members": ["A", "B"], "name": "Pair", "name_zh": "双城"}},
        },
    )
    zh = layout.solve(file)
    assert zh.language == "zh"
    assert set(zh.assignment["industry_name"]) == {"茶", "Test industry"}
    assert "双城" in set(zh.assignment["group_name"])
    en = layout.solve(file, lang="en")
    assert set(en.assignment["industry_name"]) == {"Tea", "Test industry"} and en.objective == zh.objective


def test_a_language_outside_the_two_is_refused_in_the_file(tmp_path):
    write_regions(tmp_path, {"A": (0, 0), "B": (1, 0)}, {"A": {"s": 10}, "B": {"s": 8}})
    file = write_scenario(tmp_path, {"language": "fr", "industries": {"T": industry()}})
    with pytest.raises(layout.InputError) as e:
        layout.load(file)
    assert any(p.key == "language" and p.line for p in e.value.problems)


def test_using_restores_the_language_around_it():
    with using("zh"):
        with using("en"):
            assert layout.language.current() == "en"
        assert layout.language.current() == "zh"


def test_a_child_that_renames_drops_the_bases_chinese_name(tmp_path):
    """`extends: default` with its own `name` (and an industry renamed) shows that name in Chinese too, not the
    default's 全国… name; the industries it leaves alone keep their Chinese names."""
    file = tmp_path / "child.yaml"
    file.write_text(
        "extends: default\nname: My scenario\nindustries:\n  NGIT: {name: Digital things}\n", encoding="utf-8"
    )
    zh = layout.solve(file, lang="zh")
    assert zh.name == "My scenario"
    names = dict(zip(zh.assignment["industry"], zh.assignment["industry_name"]))
    assert names["NGIT"] == "Digital things" and names["BIO"] == "生物产业"
    assert layout.solve(None, lang="zh").name == "全国战略性新兴产业布局（31个省份，默认情景）"
