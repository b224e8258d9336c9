"""`tf.layers`: the TF1 layer functions and classes (logic in layers/core.py, convolutional.py,
pooling.py)."""

from . import convolutional, core, pooling  # noqa: F401
from .convolutional import *  # noqa: F401,F403
from .core import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
