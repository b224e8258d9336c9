"""`tf.contrib`: only `tf.contrib.layers` (logic in layers/contrib_layers.py).

TF1's contrib held dozens of experimental packages; minigraph provides the part course code
still imports (initializers, regularizers and a few layers). Any other `tf.contrib.X` raises
an AttributeError that says so.
"""

from . import layers
from ...framework.missing import namespace_getattr

__all__ = ["layers"]

__getattr__ = namespace_getattr(
    "contrib", note="minigraph's tf.contrib holds only tf.contrib.layers (xavier_initializer, "
    "variance_scaling_initializer, l1/l2_regularizer, fully_connected, conv2d, flatten, "
    "batch_norm).")
