"""The as-declared layout reproduces counts read off geodata/province_sei_priorities.csv, and the example
models/examples/declared-plans.yaml keeps each covered province within the industries it declared."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from layout.paths import geodata_file, models_file
from layout.pipeline import Options, prepare, solve_scenario
from layout.results.declared import PRIORITIES_CSV, declared_layout, declared_metrics

# read off the data file: the 8 provinces with a row in area 5 (new-energy vehicles)
NEV_PROVINCES = ["140000", "310000", "340000", "410000", "420000", "430000", "450000", "500000"]
NEV_RETIRED = "NEV (New-energy vehicles) is mature: it leaves the SEI layout"
DOC = (Path(__file__).parents[2] / "docs" / "declared.md").read_text(encoding="utf-8")
DEFAULT_OBJECTIVE = -3.4692  # the default's optimum, pinned in tests/model/test_families.py


def plans_in_file(industry_of_area: dict[str, str]) -> dict[str, set[str]]:
    """Province -> the industries its rows in the data file map to, read straight from the file."""
    plans: dict[str, set[str]] = {}
    with open(geodata_file(PRIORITIES_CSV), encoding="utf-8", newline="") as f:
        for rec in csv.DictReader(f):
            industry = industry_of_area.get(rec["sei_category_code"])
            plans.setdefault(rec["province_adcode"], set()).update([industry] if industry else [])
    return plans


def test_declared_layout_counts_match_the_data_file():
    spec, _, inst = prepare(None)
    nbs = {i: s.nbs_category for i, s in spec.scenario.industries.items()}
    declared = declared_layout(inst, nbs)
    m = declared_metrics(declared, inst)
    # Read off the file: 15 provinces; every one maps a priority to areas 1, 2 and 3; area 4 (biology)
    # by 8 provinces, 6 (new energy) and 7 (energy saving) by 7, 8 (digital creative) by
    # Anhui alone, 9 (related services) by none.
    assert len(declared.covered) == 15 and len(declared.not_covered) == 16
    assert m["regions_per_industry"] == {
        "NGIT": 15,
        "HEEM": 15,
        "NMAT": 15,
        "BIO": 8,
        "NE": 7,
        "EPEP": 7,
        "DIGI": 1,
        "SERV": 0,
    }
    assert declared.layout[declared.layout["industry"] == "DIGI"]["region_code"].tolist() == ["340000"]
    assert "cover 15 of 31 provinces" in m["coverage"]
    # Beijing has no sourced plan: marked, never filled in.
    assert "110000" in declared.not_covered and "110000" not in set(declared.layout["region_code"])
    # Unmapped items are listed, not guessed: Shanghai's 新兴数字产业 (emerging digital industries) has no area code in the file.
    assert "新兴数字产业" in declared.unmapped["310000"]
    # Of the 150 rows, 44 have no area code: unmapped. The 8 in area 5 are mapped to NEV, which the default
    # retires as mature: declared but not laid out, with the lever's reason, not unmapped.
    assert sum(len(v) for v in declared.unmapped.values()) == 44
    assert sorted(r for r, v in declared.not_laid_out.items() if "NEV" in v) == NEV_PROVINCES
    assert sum(len(p) for v in declared.not_laid_out.values() for p in v.values()) == 8
    assert m["not_laid_out"]["310000"] == {"NEV": ["新能源汽车"]} and "新能源汽车" not in declared.unmapped["310000"]
    assert (
        list(m["not_laid_out_reasons"]) == ["NEV"] and m["not_laid_out_reasons"]["NEV"] == inst.notes["NEV"]
    )  # the lever's own words
    assert m["not_laid_out_reasons"]["NEV"].startswith(NEV_RETIRED)


def test_declared_duplications_are_every_industry_two_covered_neighbours_both_declared():
    spec, _, inst = prepare(None)
    nbs = {i: s.nbs_category for i, s in spec.scenario.industries.items()}
    m = declared_metrics(declared_layout(inst, nbs), inst)
    # counted here from the data file and the adjacency: each industry laid out that both provinces of a
    # neighbouring pair declared is one duplication (declared plans form no inter-provincial group)
    plans = plans_in_file({a: i for i, a in nbs.items() if i in inst.industries})
    shared = {(a, b): plans[a] & plans[b] for a, b in inst.neighbours if a in plans and b in plans}
    assert len(shared) == 25
    assert min(len(v) for v in shared.values()) == 3  # all covered provinces declare areas 1, 2 and 3
    assert sum(len(v) for v in shared.values()) == m["duplications"] == 96


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    out = tmp_path_factory.mktemp("declared-plans") / "out"
    return solve_scenario(models_file("examples/declared-plans.yaml"), out, Options()), out


def test_declared_plans_example_keeps_covered_provinces_to_their_plans(example):
    example, _ = example
    spec, inst = example.spec, example.inst
    plans = plans_in_file({s.nbs_category: i for i, s in spec.scenario.industries.items() if s.nbs_category})
    # the example's lists are the data file's mappings (NEV included: declared, though the default retires it)
    assert {r: set(v.industries) for r, v in spec.scenario.limits.regions.items()} == plans
    assert len(plans) == 15
    k = spec.scenario.limits.max_clusters
    assert k == 3 and all(v.max_clusters is None for v in spec.scenario.limits.regions.values())
    assert example.result.status == "optimal" and example.metrics["optimised"]["targets_met"]
    hosted: dict[str, list[str]] = {}
    for row in example.layout.itertuples():
        hosted.setdefault(row.region_code, []).append(row.industry)
    for r, declared in plans.items():  # only declared industries, at most K clusters (all tiers counted)
        assert set(hosted.get(r, [])) <= declared and len(hosted.get(r, [])) <= k, (r, hosted.get(r))
    # covered provinces are eligible only for what they declared; the 16 without a sourced plan are free,
    # eligible exactly as in the default
    _, _, default = prepare(None)
    assert len([r for r in inst.regions if r not in plans]) == 16
    for r in inst.regions:
        for i in inst.industries:
            assert inst.eligible[r, i] == (default.eligible[r, i] and (r not in plans or i in plans[r])), (r, i)


def test_report_and_map_list_nev_declarations_as_not_laid_out(example):
    run, out = example
    reason = run.metrics["declared"]["not_laid_out_reasons"]["NEV"]
    assert reason.startswith(NEV_RETIRED)
    report = (out / "report.html").read_text(encoding="utf-8")
    assert f"{reason}; provinces that declared NEV are listed as declared, not laid out in this scenario." in report
    assert report.count("新能源汽车 (NEV)") == 2  # Shanghai's and Guangxi's rows, worded alike in their plans
    tooltip = "declared, but not laid out in this scenario: 新能源汽车和智能网联汽车 — " + reason  # Anhui
    assert (out / "map.html").read_text(encoding="utf-8").count(tooltip) == 1


def test_doc_reads_the_declared_plans_example(example):
    # docs/declared.md's "declared plans coordinated" column and its prose, read off the fresh solve
    run, _ = example
    o, objective = run.metrics["optimised"], run.result.objective
    assert objective is not None
    assert f"| optimal, {DEFAULT_OBJECTIVE:.4f} | optimal, {objective:.4f} |".replace("-", "\u2212") in DOC
    assert f"It costs {objective - DEFAULT_OBJECTIVE:.4f} of objective" in DOC
    # Guangxi-Yunnan new materials and Tibet-Xinjiang new energy, each involving a characteristic cluster
    pairs = {(d["a"], d["b"], d["industry"], d["weight"]) for d in run.metrics["duplications"]["optimised"]}
    assert pairs == {("450000", "530000", "NMAT", 0.5), ("540000", "650000", "NE", 0.5)}
    duplications = f"{o['duplications']}, weighted {o['duplications_weighted']:g}"
    assert f"| {duplications} (Guangxi\u2013Yunnan, new materials; Tibet\u2013Xinjiang, new energy) |\n" in DOC
    assert f"| {o['mean_similarity']:.3f} / {o['mean_similarity_adjacent']:.3f} |\n" in DOC
    assert f"| {o['mean_krugman']:.3f} |\n" in DOC
    inter = int((run.layout["tier"] == "inter-provincial").sum())
    assert f"| {o['clusters']} ({inter}) / {o['regions_hosting']} |\n" in DOC
    assert [(g["group"], g["industry"], len(g["members"])) for g in o["group_clusters"]] == [("YRD", "HEEM", 4)]
    assert "Yangtze River Delta high-end equipment (4 members) remains" in DOC
    covered = run.layout[run.layout["region_code"].isin(run.metrics["declared"]["covered"])]
    assert f"| {len(covered)}, all declared |" in DOC  # all declared: checked by the test above
    kept = Counter(Counter(covered["region_code"]).values())
    assert f"({kept[1]} keep one, {kept[2]} two, {kept[3]} three)" in DOC
