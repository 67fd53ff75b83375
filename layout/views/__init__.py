"""Pages and figures made from a results folder: the report (`report`) and the maps (`maps`)."""
