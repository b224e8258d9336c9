"""Random ops and TF1's graph-level/op-level seed rules.

Lives here: random_normal, truncated_normal, random_uniform and `set_random_seed`.
"""

__all__: list = []
