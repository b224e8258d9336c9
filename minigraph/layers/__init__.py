"""`tf.layers`: the TF1 layer functions and classes (logic in layers/core.py, convolutional.py,
pooling.py and normalization.py; tf.contrib.layers in contrib_layers.py)."""

from . import convolutional, core, normalization, pooling
from .convolutional import *  # noqa: F401,F403
from .core import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from ..framework.missing import namespace_getattr

__all__ = (list(core.__all__) + list(convolutional.__all__) + list(pooling.__all__)
           + list(normalization.__all__))

__getattr__ = namespace_getattr("layers")
