"""`tf.contrib.layers`: initializers, regularizers and layers (defined in
layers/contrib_layers.py). Imports and `__all__` only."""

from ...framework.missing import namespace_getattr
from ...layers.contrib_layers import (batch_norm, conv2d, flatten, fully_connected,
                                      l1_regularizer, l2_regularizer,
                                      variance_scaling_initializer, xavier_initializer,
                                      xavier_initializer_conv2d)

__all__ = ["xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer",
           "l1_regularizer", "l2_regularizer", "fully_connected", "conv2d", "flatten",
           "batch_norm"]

__getattr__ = namespace_getattr("contrib.layers")
