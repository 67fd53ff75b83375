"""The map page: inputs read from a results folder (`inputs`), Folium elements (`elements`), layers (`layers`),
the page (`render`), the static figure (`png`), the robustness map of a sweep (`robustness`), offline assets (`offline`)."""
