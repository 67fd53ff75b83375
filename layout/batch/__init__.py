"""Many solves: scenario sweeps (`sweep`) and Pareto fronts (`pareto`)."""
