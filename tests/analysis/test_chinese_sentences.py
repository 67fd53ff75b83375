"""The explanation, the diagnosis and the targets-not-met sentences in Chinese (language zh, issue 16): every sentence
and heading reads in Chinese, with none of the English words of its message left (codes, numbers and the data's own
names aside), and layout/locale/zh/analysis.po holds exactly the messages of these modules. English stays as the other
tests of tests/analysis and tests/model/test_families.py pin it."""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from layout.analysis.diagnose import diagnose_full, element_sentence, facts, repair_sentence
from layout.analysis.explain import designations, explain, format_explanation
from layout.analysis.shortfall import targets_missed
from layout.language import LOCALE_DIR, catalogue, using
from layout.model.families import RECORDS, SOFT, Facts, build_model
from layout.model.instance import Instance, build_instance
from layout.model.solve import solve
from layout.pipeline import prepare
from layout.regions.load import load_regions
from layout.spec.load import load
from tests.analysis.test_diagnose import DATA, indicators_csv, squares_geojson
from tests.model.test_families import every_family  # noqa: F401  (a fixture: a model with rows of every family)
from tests.squares import industry, write_regions, write_scenario

ROOT = Path(__file__).resolve().parents[2]
MODULES = (
    "layout/model/families.py",
    "layout/analysis/explain.py",
    "layout/analysis/diagnose.py",
    "layout/analysis/shortfall.py",
)
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
CJK = re.compile(r"[\u4e00-\u9fff]")
# words that are codes or names in a Chinese sentence: the solver's name, the family codes listed in a diagnosis
CODES = {"highs", *(name.replace("_", "-") for name in RECORDS)}


def _messages() -> list[str | tuple[str, str]]:
    """Every message of tr/trn/marked in the four modules, in order."""
    found: list[str | tuple[str, str]] = []
    for module in MODULES:
        for node in ast.walk(ast.parse((ROOT / module).read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("tr", "trn", "marked")
            ):
                texts = [a.value for a in node.args[: 2 if node.func.id == "trn" else 1] if isinstance(a, ast.Constant)]
                key = texts[0] if len(texts) == 1 else tuple(texts)
                if key not in found:
                    found.append(key)  # type: ignore[arg-type]
    return found


def _english_words() -> set[str]:
    """The words (3 letters or more, lower case) of the English messages, fields left out."""
    words: set[str] = set()
    for message in _messages():
        for text in [message] if isinstance(message, str) else message:
            words |= {w.lower() for w in WORD.findall(re.sub(r"\{[^}]*\}", " ", text)) if len(w) >= 3}
    return words - CODES


ENGLISH = _english_words()


def _data_of(inst: Instance) -> list[str]:
    """The data's own text in an instance's sentences: names (not translated where the data gives no Chinese one),
    and the reasons its rules give (written by the instance, not by these modules), longest first."""
    texts = [*inst.region_names.values(), *(p.name for p in inst.industries.values())]
    texts += [g.name for g in inst.groups.values()] + [a.name for a in inst.aggregates]
    texts += [w for w in inst.why_ineligible.values() if w]
    texts += [inst.why_unplaceable(r) for r in inst.unplaceable()] + [
        inst.fallback_words(r) for r in inst.unplaceable()
    ]
    return sorted({t for t in texts if t}, key=len, reverse=True)


def english_left(texts: list[str], inst: Instance) -> list[tuple[str, str]]:
    """(word, sentence) for every English word of a message left in the sentences, once the data's text, the row
    labels in brackets and the family codes a diagnosis lists are taken out."""
    left = []
    for text in texts:
        plain = re.sub(r"\[[^\]]*\]", "", text)  # `layout explain`'s [row: price]
        for data in _data_of(inst):
            plain = plain.replace(data, " ")
        for word in WORD.findall(plain):
            if word.lower() in ENGLISH:
                left.append((word, text))
    return left


# ------------------------------------------------------------------------------------------------ the catalogue


def test_the_analysis_catalogue_holds_every_message_of_these_modules_and_no_other():
    messages = _messages()
    zh = catalogue("zh")
    assert [m for m in messages if m not in zh] == []
    with (LOCALE_DIR / "zh" / "analysis.po").open("rb") as f:
        ids = [tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id for m in read_po(f, locale="zh") if m.id]
    assert sorted(map(str, ids)) == sorted(map(str, messages))
    for m in ids:  # Chinese punctuation in Chinese text
        text = zh[m]
        assert CJK.search(text) or not WORD.search(re.sub(r"\{[^}]*\}", "", text)), (m, text)
        assert not re.search(r"[\u4e00-\u9fff][,;:()]|[,;:()][\u4e00-\u9fff]", text), (m, text)


# ------------------------------------------------------------------------------------------------ explanation


@pytest.fixture
def held_back(tmp_path: Path) -> Instance:
    """Three regions (甲 and 乙 touch, 丙 apart; scores 10, 8, 0): two industries, each region hosting at most 30 % of
    a target and taking part in one cluster at most, so targets are missed, counts bind and clusters are held back."""
    write_regions(
        tmp_path,
        {"A": (0, 0), "B": (1, 0), "C": (5, 0)},
        {"A": {"s": 10}, "B": {"s": 8}, "C": {"s": 0}},
        names={"A": "甲地", "B": "乙地", "C": "丙地"},
    )
    body = {
        "industries": {"T": industry(max_share=0.3, name="测试产业"), "U": industry(target=20, name="第二产业")},
        "limits": {"min_clusters": 0, "max_clusters": 1, "budget": None},
    }
    _spec, _regions, inst = prepare(write_scenario(tmp_path, body))
    return inst


def test_the_explanation_and_the_shortfall_read_in_chinese(held_back):
    inst = held_back
    with using("zh"):
        m = build_model(inst)
        result = solve(m, "highs")
        data = explain(m, result)
        missed = targets_missed(m, "highs")
        page = format_explanation(data)
    assert data["binding"] and data["shadow_prices"] and data["findings"] and missed is not None
    texts = [
        e["text"]
        for part in ("binding", "shadow_prices", "target_prices", "count_limits", "held_back")
        for e in data[part]
    ]
    texts += [c["text"] for nm in data["near_misses"] for c in nm["candidates"]]
    texts += data["findings"] + [data["sign_convention"], *data["method"].values()]
    texts += [i["text"] for i in missed["industries"]] + missed["held_back_by"]
    assert all(CJK.search(t) for t in texts), [t for t in texts if not CJK.search(t)]
    assert english_left(texts + page.splitlines(), inst) == []
    # the glossary's words where a planner looks for them
    assert "紧约束：" in page and "影子价格（" in page and "险些入选（" in page
    assert "影子价格" in data["sign_convention"] and "目标函数" in data["sign_convention"]
    assert missed["industries"][0]["text"] == "T：已建设30，全国目标100（测试产业）"
    assert any(t.startswith("需求：测试产业未达全国目标100，缺口70") for t in texts)


def test_english_explanation_is_unchanged_by_the_language_switch(held_back):
    """The same run in English says what it said before the switch (its words pinned in tests/model and here)."""
    with using("en"):
        m = build_model(held_back)
        data = explain(m, solve(m, "highs"))
        page = format_explanation(data)
    assert page.startswith("Explanation of tiny — highs: optimal, objective ")
    assert "\nBinding constraints:\n  - demand: 测试产业 falls short of its target 100 by 70 (a finding)\n" in page
    assert data["findings"][0] == "测试产业 falls short of its target 100 by 70"
    assert data["sign_convention"].startswith("The objective is minimised. A shadow price is the change")


def test_every_family_speaks_chinese(every_family):  # noqa: F811  (the fixture imported above)
    """Each family's words (binding, price, counts, conflict, repair, listed) of a model with rows of every family."""
    inst = every_family
    with using("zh"):
        m = build_model(inst)
        result = solve(m, "highs")
        assert result.status == "optimal"
        held, data, texts = designations(m), explain(m, result), []
        for name, info in m.info.items():
            f = RECORDS[info.family]
            fa = Facts.about(inst, info, -m.rows[name].constant, m, held)
            texts += [t for t in (f.binding(fa) if f.binding else None, f.price(fa) if f.price else None) if t]
            if f.count is not None:
                texts += [f.count.more(fa), f.count.reached(fa), f.count.cap(fa)]
            if f.role != SOFT:
                texts += [element_sentence(inst, m, ("row", name)), repair_sentence(inst, m, ("row", name), 1.5)]
                if f.listed is not None:
                    texts.append(f.listed([fa, fa]))
        for el in (("elig", "B1", "K"), ("elig_group", "G", "K")):
            texts += [element_sentence(inst, m, el), repair_sentence(inst, m, el, 1)]
            texts.append(RECORDS["eligibility"].listed([facts(inst, m, el)]))  # type: ignore[misc]
        texts += [e["text"] for part in ("binding", "shadow_prices", "count_limits", "held_back") for e in data[part]]
    assert len(texts) > 150
    assert all(CJK.search(t) for t in texts), [t for t in texts if not CJK.search(t)][:5]
    assert english_left(texts, inst) == []


# ------------------------------------------------------------------------------------------------ diagnosis


@pytest.mark.parametrize(
    "name, repair",
    [
        (
            "keep_base_vs_budget.yaml",
            "找到的代价最低的修复（违反总量最小）：将Northland的承载上限从9.5提高到10（+0.5）",
        ),
        ("spread_vs_budget.yaml", "找到的代价最低的修复（违反总量最小）：要求Alpha有0个省级集群，而非1个（分布）"),
        ("keep_base_vs_overcapacity_cap.yaml", None),
        ("focus_vs_spread.yaml", None),
        ("keep_base_vs_focus.yaml", "找到的代价最低的修复（违反总量最小）：允许Northland参与2个集群，而非1个（聚焦）"),
    ],
    ids=[
        "keep_base_vs_budget",
        "spread_vs_budget",
        "keep_base_vs_overcapacity_cap",
        "focus_vs_spread",
        "keep_base_vs_focus",
    ],
)
def test_a_diagnosis_reads_in_chinese(tmp_path, name, repair):
    (tmp_path / "squares.geojson").write_text(squares_geojson(), encoding="utf-8")
    (tmp_path / "ind.csv").write_text(indicators_csv(), encoding="utf-8")
    shutil.copy(DATA / name, tmp_path / name)
    spec = load(tmp_path / name)
    inst = build_instance(spec, load_regions(spec))
    with using("zh"):
        found = diagnose_full(inst, "highs")
        cut = diagnose_full(inst, "highs", max_checks=3)  # not reduced: many rows of a family in one line
    assert found.minimal and not cut.minimal
    sentences = found.sentences + cut.sentences
    assert sentences[0].startswith("冲突：")
    assert any(s.startswith("找到的最小冲突约束集（") for s in found.sentences)
    assert any(s.startswith("一组冲突约束（因时间或检验次数上限未进一步缩减）") for s in cut.sentences)
    if repair is not None:
        assert repair in found.sentences
    assert all(CJK.search(s) for s in sentences)
    assert english_left(sentences, inst) == []
