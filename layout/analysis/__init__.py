"""Why a layout is what it is (`explain`) and why a scenario has none (`diagnose`)."""
