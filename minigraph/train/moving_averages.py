"""Exponential moving averages: `tf.train.ExponentialMovingAverage` and the update it builds.

Lives here: `ExponentialMovingAverage` (shadow variables named `<var>/ExponentialMovingAverage`,
`apply`, `average`, `average_name`, `variables_to_restore`). Zero-debiasing of averaged
tensors (not variables) is not implemented and says so.
"""

from __future__ import annotations

from ..framework import dtypes as _dtypes
from ..framework.graph import GraphKeys, get_default_graph, name_scope
from ..framework.tensor import Operation
from ..ops import array_ops, control_flow_ops, math_ops
from ..ops.constant_op import convert_to_tensor
from ..ops.normalization_ops import assign_moving_average
from ..ops.variables import Variable, global_variables, moving_average_variables, \
    trainable_variables

__all__ = ["ExponentialMovingAverage"]


class ExponentialMovingAverage:
    """Shadow copies of variables that follow them as exponential moving averages.

    `apply(var_list)` creates, for each variable `v`, a non-trainable variable
    `v/ExponentialMovingAverage` initialised to v's initial value, adds `v` to
    MOVING_AVERAGE_VARIABLES and returns an op that updates every shadow:
    shadow -= (1 - decay) * (shadow - v). With `num_updates`, the decay used is
    min(decay, (1 + num_updates) / (10 + num_updates)).
    Example: `ema = tf.train.ExponentialMovingAverage(0.999); with
    tf.control_dependencies([train_op]): train_op = ema.apply(tf.trainable_variables())`.
    """

    def __init__(self, decay, num_updates=None, zero_debias=False,
                 name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list=None) -> Operation:
        """Create the shadow variables of `var_list` (default: trainable) and the update op."""
        var_list = trainable_variables() if var_list is None else list(var_list)
        for var in var_list:
            self._check_new(var)
            self._averages[var] = self._create_shadow(var)
            if isinstance(var, Variable):
                get_default_graph().add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
        with name_scope(self._name) as scope:
            decay = convert_to_tensor(self._decay, _dtypes.float32, name="decay")
            if self._num_updates is not None:
                steps = math_ops.cast(self._num_updates, _dtypes.float32, name="num_updates")
                decay = math_ops.minimum(decay, (1.0 + steps) / (10.0 + steps))
            updates = [assign_moving_average(self._averages[var], var, decay)
                       for var in var_list]
            return control_flow_ops.group(*updates, name=scope)

    def _check_new(self, var) -> None:
        dtype = var.dtype.base_dtype
        if not dtype.is_floating:
            raise TypeError(f"The variables must be half, float, or double: {var.name} is "
                            f"{dtype.name}. Fix: average float variables only.")
        if var in self._averages:
            raise ValueError(f"Moving average already computed for: {var.name}. Fix: call "
                             "apply() once per variable.")
        if self._zero_debias and not isinstance(var, Variable):
            raise ValueError(f"ExponentialMovingAverage(zero_debias=True) of the tensor "
                             f"{var.name} is not supported by minigraph. Fix: pass "
                             "zero_debias=False (the default) or average a variable.")

    def _create_shadow(self, var) -> Variable:
        graph = get_default_graph()
        source = var.op.name
        with graph.name_scope(""), graph.control_dependencies(None):
            if isinstance(var, Variable):
                initial = var.initialized_value()
            else:
                initial = array_ops.zeros(var.shape.as_list(), var.dtype.base_dtype)
            return Variable(initial, trainable=False, name=f"{source}/{self._name}")

    def average(self, var) -> Variable | None:
        """The shadow variable of `var`, or None if `apply` did not average it."""
        return self._averages.get(var)

    def average_name(self, var) -> str:
        """The name of `var`'s shadow variable: `<var op name>/ExponentialMovingAverage`."""
        return f"{var.op.name}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """{checkpoint name: variable} that restores the averages into the variables.

        Averaged variables (default: trainable and MOVING_AVERAGE_VARIABLES) map from their
        average's name; every other global variable maps from its own name.
        Example: `tf.train.Saver(ema.variables_to_restore())` evaluates with the averages.
        """
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + moving_average_variables()
        name_map = {}
        for var in moving_avg_variables:
            name_map[self.average_name(var)] = var
        averaged = {var.name for var in moving_avg_variables}
        for var in global_variables():
            if var.name not in averaged and var.op.name not in name_map:
                name_map[var.op.name] = var
        return name_map
