"""`tf.contrib`: only `tf.contrib.layers` and `tf.contrib.rnn`.

TF1's contrib held dozens of experimental packages; minigraph provides the part course code
still imports (initializers, regularizers and a few layers in layers/contrib_layers.py; the
recurrent cells of layers/rnn_cell.py). Any other `tf.contrib.X` raises an AttributeError
that says so.
"""

from . import layers, rnn
from ...framework.missing import namespace_getattr

__all__ = ["layers", "rnn"]

__getattr__ = namespace_getattr(
    "contrib", note="minigraph's tf.contrib holds only tf.contrib.layers (xavier_initializer, "
    "variance_scaling_initializer, l1/l2_regularizer, fully_connected, conv2d, flatten, "
    "batch_norm) and tf.contrib.rnn (the tf.nn.rnn_cell cells, static_rnn, "
    "static_bidirectional_rnn).")
