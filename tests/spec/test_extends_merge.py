"""A file that `extends:` another: mappings merge key by key, but an eligibility rule is replaced whole, and a problem
in a value the child replaced is located in the child, not at the base's old line."""

from __future__ import annotations

from pathlib import Path

import pytest

from layout.errors import InputError
from layout.pipeline import prepare
from layout.spec.load import load

AND_RULE = """\
extends: default
industries:
  NMAT:
    eligibility:            # an industrial base AND cheap power (no `require` at the top: the schema's "all")
      conditions:
        - {indicator: gdp_secondary_2019_initial, min: 10000}
        - require: any
          conditions:
            - {indicator: wind_grid_capacity_end2020q1_10mw, min: 250}
            - {indicator: hydro_capacity_6mw_end2019_10mw, min: 2000}
"""


def test_an_eligibility_rule_in_a_child_file_replaces_the_base_rule_whole(tmp_path: Path) -> None:
    """The default's NMAT rule says `require: any`; a child writing conditions without `require` means "all of" (the
    schema's default), not the base's "any" merged under it."""
    f = tmp_path / "and.yaml"
    f.write_text(AND_RULE, encoding="utf-8")
    spec = load(f)
    rule = spec.scenario.industries["NMAT"].eligibility
    assert rule is not None and rule.require == "all"
    _, _, inst = prepare(f)
    hosts = sorted(inst.region_names[r] for r in inst.regions if inst.eligible[r, "NMAT"])
    # secondary industry >= 10,000 (14 provinces) and wind >= 250 or hydro >= 2,000: Shanghai (wind 81, no hydro
    # figure) and Zhejiang (wind 163, hydro 1,170) fail the second part
    assert hosts == [
        "Anhui",
        "Fujian",
        "Guangdong",
        "Hebei",
        "Henan",
        "Hubei",
        "Hunan",
        "Jiangsu",
        "Jiangxi",
        "Shaanxi",
        "Shandong",
        "Sichuan",
    ]
    why = inst.why_ineligible["310000", "NMAT"]
    assert why.startswith("none of (wind_grid_capacity_end2020q1_10mw = 81, rule >= 250;")


def test_weights_still_merge_key_by_key(tmp_path: Path) -> None:
    f = tmp_path / "w.yaml"
    f.write_text(
        "extends: default\nindustries:\n  NE:\n    weights:\n      land_area_geom_km2: 0.5\n", encoding="utf-8"
    )
    weights = load(f).scenario.industries["NE"].weights
    assert weights["land_area_geom_km2"] == 0.5 and weights["solar_capacity_end2019_10mw"] == 0.2


def test_a_problem_in_a_replaced_list_is_located_in_the_child_file(tmp_path: Path) -> None:
    """The child's conditions replace the base's list: a missing key there is at the child's line, not at the line of
    the base's first condition (which the old merge kept)."""
    f = tmp_path / "typo.yaml"
    f.write_text(
        "extends: default\nkinds:\n  innovation:\n    eligibility:\n      conditions:\n"
        "        - indicater: rd_intensity_2019\n          min: 1\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as e:
        load(f)
    located = {(Path(p.file).name, p.line, p.key) for p in e.value.problems}
    assert ("typo.yaml", 6, "kinds.innovation.eligibility.conditions.0.indicator") in located
    assert not any(name == "default.yaml" for name, _, _ in located)
