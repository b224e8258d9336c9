"""`tf.compat`: `tf.compat.v1` is minigraph itself, so `import minigraph.compat.v1 as tf` works.

minigraph is a TF1 engine: the v1 namespace is the whole package (the same module object, so
`tf.compat.v1.placeholder is tf.placeholder`). There is no `v2`.
"""

import sys

import minigraph as v1
from ..framework.missing import namespace_getattr

sys.modules[__name__ + ".v1"] = v1

__all__ = ["v1"]
__getattr__ = namespace_getattr("compat")
