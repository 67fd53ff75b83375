"""The Chinese wording of the catalogue (layout/locale/zh/*.po) as a native reviewer read it: the provinces' plans are
规划 (not 申报, "applied for"), the cited study is 中国工程院2020年研究 (not the calque 种子研究), "sourced" is 有出处
everywhere, the full term 跨省（区域）产业集群 outside tight legends, 全国目标 where the national target is meant, a
timestamp is not a 求解时间, full-width punctuation in Chinese text, no space between a number and its measure word,
and each noun counted with its own measure word (`plural`)."""

from __future__ import annotations

import re

import pytest

from layout.language import catalogue, tr, translate, using
from layout.words import MEASURE_WORDS, NOUNS, plural

CJK = "\u4e00-\u9fff"
# the legends and tooltips tight enough for the short 跨省集群 (with 省级集群 and 特色集群 beside it)
SHORT_CLUSTER = {
    "inter-provincial",
    "inter-provincial: {name}",
    "Inter-provincial clusters",
    "inter-provincial cluster (outline)",
}


def _texts() -> dict[str | tuple[str, str], str]:
    return dict(catalogue("zh"))


def _english(key: str | tuple[str, str]) -> str:
    return key if isinstance(key, str) else key[0]


def test_the_provinces_plans_are_plans_not_applications():
    found = {_english(k): t for k, t in _texts().items() if "申报" in t}
    assert not found, found
    with using("zh"):
        assert tr("declared") == "已列入规划" and tr("not declared") == "未列入规划"
        assert tr("Neighbours declaring the same industry") == "相邻地区规划同一产业"
        assert tr("neighbours declaring the same industry: {n}", n=3) == "相邻地区规划同一产业：3"


def test_the_study_is_named_not_calqued():
    found = {_english(k): t for k, t in _texts().items() if "种子研究" in t}
    assert not found, found
    with using("zh"):
        said = tr("The model follows the national layout proposed in the seed study: {study}", study="Cui Leilei …")
        assert said.startswith("本模型沿用中国工程院2020年研究（崔磊磊 等《新时期我国战略性新兴产业发展宏观研究》）")
        assert "中国工程院2020年研究" in tr("Levers of the seed study applied to this run.")


def test_sourced_is_said_one_way_and_grammatically():
    found = {_english(k): t for k, t in _texts().items() if re.search("有来源|有据可查|没有有|无有出处", t)}
    assert not found, found
    with using("zh"):
        assert tr("no sourced plan") == "未找到有出处的规划"
        assert tr("no sourced plan, nothing filled in") == "未找到有出处的规划，未作填补"
    for key, text in _texts().items():  # every message about a sourced plan says 有出处
        if re.search(r"\bsourced\b", _english(key)):
            assert "有出处" in text or "无出处" in text, (key, text)


def test_the_full_term_of_the_inter_provincial_cluster_outside_tight_legends():
    found = {_english(k): t for k, t in _texts().items() if "跨省集群" in t and _english(k) not in SHORT_CLUSTER}
    assert not found, found
    with using("zh"):
        assert tr("inter-provincial cluster") == "跨省（区域）产业集群"
        assert tr("inter-provincial") == "跨省集群"  # the tier in a legend, beside 省级集群 and 特色集群


def test_the_target_is_the_national_target():
    """目标 alone is the objective or the target: every 目标 that is not 目标函数 (objective) is 全国目标 (a period's
    milestone, 阶段目标, aside)."""
    found = {
        _english(k): t for k, t in _texts().items() if re.search(r"(?<!全国)目标(?!函数)", t.replace("阶段目标", ""))
    }
    assert not found, found


def test_a_timestamp_is_when_the_run_was_solved_not_how_long():
    with using("zh"):
        said = tr(
            "Scenario file {file}; capacity unit: {unit}; solved with {solver} on {created}.",
            file="a.yaml",
            unit="u",
            solver="highs",
            created="2026-12-02T18:50:00+0000",
        )
    assert "求解时间" not in said and "求解于 2026-12-02T18:50:00+0000" in said


@pytest.mark.parametrize("level, word", [("prefecture", "地级市"), ("county", "县")])
def test_a_level_without_data_reads_well_at_every_level(level, word):
    with using("zh"):
        said = tr("no {level} data; {n} units inherit their province's value", level=translate(level), n="12")
    assert said == f"{word}一级无数据；12个单元沿用所属省份的数值"
    assert "级级" not in said and "市级数据" not in said


def test_chinese_text_takes_full_width_punctuation():
    """No half-width , ; : ( ) touching a Chinese character (fields, codes and file names may keep theirs)."""
    bad = re.compile(f"[{CJK}][,;:()]|[,;:()][{CJK}]")
    found = {_english(k): t for k, t in _texts().items() if bad.search(re.sub(r"\{[^}]*\}", "X", t))}
    assert not found, found
    with using("zh"):  # a clause before a file name is set off
        assert tr("… {n} smaller prices in explanation.json", n=3) == "… 另有3个较小的影子价格，见 explanation.json"


def test_no_space_between_a_number_and_its_measure_word():
    # '{place} 处的 {key}' is 'at {place}', '{code} 列入规划' 'put {code} in the plan': no measure words
    spaced = re.compile(r"(?:\d|\{\w+\}) +(?:[个项种对名倍行]|处(?!的)|列(?!入)|位(?!于))")
    found = {_english(k): t for k, t in _texts().items() if spaced.search(t)}
    assert not found, found


def test_every_noun_is_counted_with_its_own_measure_word():
    assert set(MEASURE_WORDS) == set(NOUNS)
    with using("zh"):
        assert plural(3, "neighbour duplication") == "3处相邻地区产业同构"
        assert plural(2, "change") == "2处变更" and plural(40, "designation") == "40项集群布局"
        assert plural(5, "unit") == "5个单元" and plural(3, "cluster") == "3个集群"
        counted = {word: plural(2, word) for word in NOUNS}
    assert all(re.fullmatch(f"2[个项处种][{CJK}（）]+", text) for text in counted.values()), counted
    with using("en"):
        assert plural(3, "neighbour duplication") == "3 neighbour duplications" and plural(1, "unit") == "1 unit"
