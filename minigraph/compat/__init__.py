"""`tf.compat`: `tf.compat.v1` is minigraph itself, so `import minigraph.compat.v1 as tf` works.

minigraph is a TF1 engine: the v1 namespace is the whole package (the same module object, so
`tf.compat.v1.placeholder is tf.placeholder`). There is no `v2`.
"""

import sys

from ..framework.missing import namespace_getattr

# The package itself, looked up rather than imported: minigraph imports this module last,
# when every name is in place (an import statement here would be a circular import).
v1 = sys.modules[__name__.rpartition(".")[0]]
sys.modules[__name__ + ".v1"] = v1

__all__ = ["v1"]
__getattr__ = namespace_getattr("compat")
