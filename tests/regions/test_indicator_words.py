"""The shipped indicators in words (layout/regions/indicators.py): in Chinese a sentence names an indicator by its
column and its statistic, in English by its column as before; every column geodata ships has its words."""

from __future__ import annotations

import csv

from layout.language import using
from layout.model.instance import build_instance
from layout.paths import geodata_file
from layout.regions.indicators import INDICATOR_NAMES, indicator_words
from layout.regions.load import load_regions
from layout.spec.load import load

NOT_INDICATORS = {"adcode", "name_zh", "name_en", "province_adcode", "unit_type"}


def test_every_shipped_column_has_its_words():
    shipped = set()
    for name in ("provinces.csv", "prefectures.csv"):
        with geodata_file(name).open(encoding="utf-8") as f:
            shipped |= set(next(csv.reader(f))) - NOT_INDICATORS
    assert shipped == set(INDICATOR_NAMES)


def test_a_chinese_sentence_says_what_the_indicator_is_and_an_english_one_is_unchanged():
    with using("zh"):
        assert indicator_words("rd_intensity_2019") == "rd_intensity_2019（2019年R&D经费投入强度，占地区生产总值 %）"
        assert indicator_words("s") == "s"  # a user's own column: its name alone
    with using("en"):
        assert indicator_words("rd_intensity_2019") == "rd_intensity_2019"
    with using("zh"):
        spec = load()
        inst = build_instance(spec, load_regions(spec))
    hainan = inst.why_ineligible[("460000", "NGIT")]
    assert "rd_intensity_2019（2019年R&D经费投入强度，占地区生产总值 %） = 0.56，规则要求 >= 1" in hainan, hainan
