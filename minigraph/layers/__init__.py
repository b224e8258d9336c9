"""`tf.layers`: the TF1 layer functions and classes (logic in layers/core.py and
layers/normalization.py)."""

from . import core, normalization
from .core import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from ..framework.missing import namespace_getattr

__all__ = list(core.__all__) + list(normalization.__all__)

__getattr__ = namespace_getattr("layers")
