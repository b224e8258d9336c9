"""`tf.initializers`: TF1's short names for the initializers in ops/init_ops.py and the
initializer ops of ops/variables.py.

`tf.initializers.zeros` is `tf.zeros_initializer`, `tf.initializers.global_variables` is
`tf.global_variables_initializer`, and so on. Imports and `__all__` only.
"""

from ..ops.init_ops import constant_initializer as constant
from ..ops.init_ops import glorot_normal_initializer as glorot_normal
from ..ops.init_ops import glorot_uniform_initializer as glorot_uniform
from ..ops.variables import global_variables_initializer as global_variables
from ..ops.variables import local_variables_initializer as local_variables
from ..ops.init_ops import ones_initializer as ones
from ..ops.init_ops import random_normal_initializer as random_normal
from ..ops.init_ops import random_uniform_initializer as random_uniform
from ..ops.init_ops import truncated_normal_initializer as truncated_normal
from ..ops.variables import variables_initializer as variables
from ..ops.init_ops import variance_scaling_initializer as variance_scaling
from ..ops.init_ops import zeros_initializer as zeros
from ..framework.missing import namespace_getattr

__all__ = ["constant", "zeros", "ones", "random_normal", "random_uniform", "truncated_normal",
           "variance_scaling", "glorot_uniform", "glorot_normal", "global_variables",
           "local_variables", "variables"]

__getattr__ = namespace_getattr("initializers")
