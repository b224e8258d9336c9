"""BERT's AdamWeightDecayOptimizer (google-research/bert `optimization.py`), a minigraph extra.

Lives here: the one optimizer that is not TF API, so it is not re-exported in `tf.train`:
`from minigraph.train.adam_weight_decay import AdamWeightDecayOptimizer`. It overrides
apply_gradients with ordinary ops: Adam moments without
bias correction plus decoupled, learning-rate-scaled weight decay.
"""

from __future__ import annotations

import re

from ..framework import dtypes as _dtypes
from ..ops import control_flow_ops, math_ops, state_ops, unary_ops
from ..ops.init_ops import zeros_initializer
from ..ops.variables import get_variable
from .optimizer import Optimizer

__all__ = ["AdamWeightDecayOptimizer"]


class AdamWeightDecayOptimizer(Optimizer):
    """m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; u = m/(sqrt(v)+eps) [+ wd*param];
    param -= lr*u.  No bias correction; `global_step` is accepted and ignored.

    Example: `AdamWeightDecayOptimizer(1e-3, weight_decay_rate=0.01,
    exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"])`.
    """

    def __init__(self, learning_rate, weight_decay_rate=0.0, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-6, exclude_from_weight_decay=None,
                 name="AdamWeightDecayOptimizer"):
        super().__init__(False, name)
        self.learning_rate = learning_rate
        self.weight_decay_rate = weight_decay_rate
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.exclude_from_weight_decay = exclude_from_weight_decay

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        """Build the updates of every pair with a gradient; return tf.group of the assigns.

        The moments are `<param>/adam_m` and `<param>/adam_v`, made with get_variable, so a
        second call for the same parameter raises get_variable's "already exists" error.
        """
        assignments = []
        for grad, param in grads_and_vars:
            if grad is None or param is None:
                continue
            param_name = re.sub(r":\d+$", "", param.name)
            m, v = (get_variable(f"{param_name}/adam_{slot}", shape=param.shape.as_list(),
                                 dtype=_dtypes.float32, trainable=False,
                                 initializer=zeros_initializer()) for slot in ("m", "v"))
            # 1 - beta is computed in Python (float64) and only then made float32, as in BERT.
            next_m = math_ops.multiply(self.beta_1, m) + math_ops.multiply(1.0 - self.beta_1,
                                                                          grad)
            next_v = (math_ops.multiply(self.beta_2, v)
                      + math_ops.multiply(1.0 - self.beta_2, unary_ops.square(grad)))
            update = next_m / (unary_ops.sqrt(next_v) + self.epsilon)
            if self._decays(param_name):
                update += self.weight_decay_rate * param
            next_param = param - self.learning_rate * update
            assignments += [state_ops.assign(param, next_param), state_ops.assign(m, next_m),
                            state_ops.assign(v, next_v)]
        return control_flow_ops.group(*assignments, name=name)

    def _decays(self, param_name: str) -> bool:
        """Weight decay applies unless disabled or a pattern of the exclude list matches."""
        if not self.weight_decay_rate:
            return False
        return not any(re.search(p, param_name) for p in self.exclude_from_weight_decay or ())
