"""cluster-layout: optimise the national layout of strategic emerging industries (SEIs).

Pipeline (one direction): spec → regions → instance → model → solve → results/metrics → maps/report → cli.
"""

__version__ = "0.1.0"
