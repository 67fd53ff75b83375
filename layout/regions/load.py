"""The regions of a scenario: embedded provinces, the user's files or finer units, with indicators and neighbours."""

from __future__ import annotations

from layout.errors import InputError, Problem
from layout.inputs import GEO_LIMIT, TEXT_LIMIT
from layout.language import current
from layout.paths import geodata_file
from layout.regions.fine import files_levels, link_isolated, load_fine_regions
from layout.regions.readers import (
    EMBEDDED_BOUNDARIES,
    EMBEDDED_INDICATORS,
    GEOMETRY_AREA,
    RegionSet,
    capped,
    feature_label,
    geometry_area_km2,
    not_a_file,
    read_boundaries,
    read_indicators,
    touching_pairs,
)
from layout.spec.load import LoadedSpec

# China Albers equal-area conic (standard parallels 25°N and 47°N), for areas in km².


def load_regions(spec: LoadedSpec) -> RegionSet:
    """The regions a scenario names, with indicators and neighbours. Raises InputError."""
    cfg = spec.scenario.regions
    if cfg.source == "embedded" and cfg.resolution != "province":
        return load_fine_regions(spec)
    problems: list[Problem] = []
    if cfg.source == "embedded":
        bfile, ifile = geodata_file(EMBEDDED_BOUNDARIES), geodata_file(EMBEDDED_INDICATORS)
        code_field, name_field, csv_code = "code", "name_zh" if current() == "zh" else "name_en", "adcode"
        text_columns: tuple[str, ...] = ("name_zh", "name_en")
    else:
        bfile, ifile = spec.required_path("regions", "boundaries"), spec.required_path("regions", "indicators")
        code_field, name_field, csv_code, text_columns = (
            cfg.code_field,
            cfg.name_field,
            cfg.code_field,
            (cfg.name_field,),
        )
        for key, path, what, limit in (
            ("boundaries", bfile, "an existing boundary file (GeoJSON or GeoPackage)", GEO_LIMIT),
            ("indicators", ifile, "an existing indicator CSV", TEXT_LIMIT),
        ):
            why = not_a_file(path, limit)
            if why:
                problems.append(spec.problem(("regions", key), what, why))
        if problems:
            raise InputError(problems)
    try:  # both files are checked, so every problem is reported at once
        drawn = read_boundaries(bfile, code_field, name_field)
    except InputError as e:
        problems += e.problems
    try:
        indicators = read_indicators(ifile, csv_code, text_columns)
    except InputError as e:
        problems += e.problems
    if problems:
        raise InputError(problems)
    lines = indicators.attrs.pop("lines", {})  # attrs are deep-copied by every pandas operation: drop them
    for i, code in enumerate(cfg.exclude):
        if code not in drawn.index:
            problems.append(spec.problem(("regions", "exclude", i), "a region code of the boundary file", repr(code)))
    drawn.loc[drawn.index.isin(cfg.exclude), "modelled"] = False
    modelled = drawn.index[drawn["modelled"]]
    index = {code: k for k, code in enumerate(drawn.index)}
    no_data = [
        Problem(
            str(bfile),
            None,
            feature_label(index[c], code_field, c),
            f"a row in {ifile.name} for every modelled region",
            "no row with this code",
        )
        for c in modelled
        if c not in indicators.index
    ]
    no_geometry = [
        Problem(
            str(ifile),
            lines.get(c),
            csv_code,
            f"a region code with a feature in {bfile.name}",
            f"{c!r}, which has no feature there",
        )
        for c in indicators.index
        if c not in drawn.index
    ]
    problems += capped(no_data, str(bfile)) + capped(no_geometry, str(ifile))
    for i, link in enumerate(cfg.links):
        for end in ("a", "b"):
            code = getattr(link, end)
            if code not in modelled:
                problems.append(spec.problem(("regions", "links", i, end), "a modelled region code", repr(code)))
    if problems:
        raise InputError(problems)
    indicators = indicators.loc[sorted(modelled)].copy()
    if cfg.source == "embedded":
        indicators[GEOMETRY_AREA] = geometry_area_km2(drawn.loc[indicators.index]).values
    model_geoms = drawn.loc[indicators.index]
    neighbours = [(a, b, "boundary") for a, b in touching_pairs(model_geoms)]
    known = {(a, b) for a, b, _ in neighbours}
    for link in cfg.links:
        a, b = sorted((link.a, link.b))
        if a != b and (a, b) not in known:
            neighbours.append((a, b, link.reason or "declared link"))
            known.add((a, b))
    neighbours, notes = link_isolated(
        model_geoms.geometry, sorted(neighbours), cfg.isolated, model_geoms["name"].to_dict()
    )
    levels = files_levels(spec, bfile, drawn) if cfg.source == "files" and cfg.parent_field else None
    return RegionSet(drawn.sort_index(), indicators, neighbours, bfile, ifile, levels, notes)
