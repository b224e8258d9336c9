"""`tf.data.experimental`: the names course programs use from it (AUTOTUNE, unbatch)."""

from ..framework.missing import namespace_getattr
from .transformations import UnbatchDataset

__all__ = ["AUTOTUNE", "unbatch"]

AUTOTUNE = -1  # prefetch(AUTOTUNE) / num_parallel_calls=AUTOTUNE: accepted, nothing to tune


def unbatch():
    """`dataset.apply(tf.data.experimental.unbatch())`, the same as dataset.unbatch()."""
    return UnbatchDataset

__getattr__ = namespace_getattr("data.experimental")
