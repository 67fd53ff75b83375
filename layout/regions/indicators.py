"""What the shipped indicators are, in words: the columns of geodata/provinces.csv and geodata/prefectures.csv, each
with its statistic and unit as geodata/SOURCES.md describes it.

A sentence about an indicator (why a region fails an eligibility rule, a gap in the data) names it by its column, the
name a constraint file uses. In Chinese the column is followed by its statistic (`indicator_words`), so that a planner
reads `rd_intensity_2019（2019年R&D经费投入强度，%）= 0.26` rather than a column name alone; in English the column
stays as it was. An indicator of a user's own file has no entry here and is named by its column in both.
"""

from __future__ import annotations

from layout.language import current, marked, tr, translate

# column -> its statistic and unit (geodata/SOURCES.md, "provinces.csv" and "prefectures.csv")
INDICATOR_NAMES: dict[str, str] = {
    "gdp_2019_initial": marked("2019 GDP, first release, 100 million yuan"),
    "gdp_2019_revised2025": marked("2019 GDP, revised after the fifth economic census, 100 million yuan"),
    "population_2019": marked("population at the end of 2019, 10,000 persons"),
    "rd_expenditure_2019": marked("2019 R&D expenditure, 100 million yuan"),
    "rd_intensity_2019": marked("2019 R&D intensity, % of GDP"),
    "rd_fte_2019": marked("2019 R&D personnel, full-time equivalent, person-years"),
    "rd_fte_researchers_2019": marked("2019 R&D researchers, full-time equivalent, person-years"),
    "patents_granted_total_2019": marked("2019 domestic patents granted, pieces"),
    "invention_patents_granted_2019": marked("2019 invention patents granted, pieces"),
    "hte_recognition_publicised_2019": marked("2019 high-tech enterprises recognised, firms"),
    "land_area_km2": marked("land area, km²"),
    "wind_grid_capacity_end2019_10mw": marked("grid-connected wind capacity at the end of 2019, 10 MW"),
    "wind_grid_capacity_end2020q1_10mw": marked("grid-connected wind capacity at the end of March 2020, 10 MW"),
    "coal_output_2019_100mt": marked("2019 raw coal output, above-designated-size enterprises, 100 Mt"),
    "gdp_secondary_2019_initial": marked("2019 value added of secondary industry, first release, 100 million yuan"),
    "solar_capacity_end2019_10mw": marked("solar power capacity at the end of 2019, 10 MW"),
    "solar_capacity_end2020_10mw": marked("solar power capacity at the end of 2020, 10 MW"),
    "hydro_capacity_6mw_end2019_10mw": marked("hydropower capacity of plants of 6 MW and above, end of 2019, 10 MW"),
    "solar_pv_capacity_factor_gcam": marked("capacity factor of centralised PV (a GCAM assumption)"),
    "gdp_2019_100m_yuan": marked("2019 GDP, 100 million yuan"),
    "gdp_secondary_2019_10k_yuan": marked("2019 value added of secondary industry, 10,000 yuan"),
    "gdp_per_capita_2019_yuan": marked("2019 GDP per capita, yuan"),
    "pop_census2020_persons": marked("population in the 2020 census, persons"),
    "pop_urban_census2020_persons": marked("urban population in the 2020 census, persons"),
}


def indicator_words(column: str) -> str:
    """An indicator as a sentence names it: its column, followed in Chinese by its statistic where it is shipped."""
    if current() == "en" or column not in INDICATOR_NAMES:
        return column
    return tr("{column} ({name})", column=column, name=translate(INDICATOR_NAMES[column]))
