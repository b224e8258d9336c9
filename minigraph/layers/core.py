"""`tf.layers`: the TF1 fully connected layer, dropout and flatten, as functions and classes.

Lives here: `Layer` (a small base that captures a variable scope and creates its variables with
`get_variable` on the first call), `Dense`/`dense`, `Dropout`/`dropout`, `Flatten`/`flatten`.
Convolution and pooling layers are in convolutional.py and pooling.py. Deliberately not
here: recurrent layers and Keras-style models.
"""

from __future__ import annotations

import numbers
from typing import Callable

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.graph import GraphKeys, get_default_graph, name_scope
from ..framework.tensor import Tensor
from ..ops.constant_op import convert_to_tensor
from ..ops.array_ops import identity, stack
from ..ops.shape_ops import reshape, shape, transpose
from ..ops.join_split_ops import concat
from ..ops.linalg_ops import matmul
from ..ops.math_ops import cast, divide, multiply, subtract
from ..ops.nn_impl import dropout as nn_dropout
from ..ops.nn_ops import bias_add
from ..framework.shapes import TensorShape
from ..ops.init_ops import zeros_initializer
from ..ops.variables import VariableScope, get_variable, variable_scope

__all__ = ["Layer", "Dense", "dense", "Dropout", "dropout", "Flatten", "flatten"]


class Layer:
    """Base of the TF1 layers: a name, a variable scope, and variables created on first call.

    A layer object called twice shares its variables (the second call reuses them), as in TF.
    Subclasses implement `build(input_shape)` (create variables with `add_weight`) and
    `call(inputs, **kwargs)` (build the ops).
    """

    def __init__(self, trainable: bool = True, name: str | None = None, dtype=None,
                 _scope: str | None = None, _reuse=None):
        self.trainable = trainable
        self.dtype = _dtypes.as_dtype(dtype) if dtype is not None else None
        self.built = False
        self._reuse = _reuse
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        # The snake-case class name is the default scope name ("dense", "dropout", ...).
        self._base_name = name or type(self).__name__.lower()
        self._scope: VariableScope | None = None
        if _scope is not None:
            # The functional form (tf.layers.dense(..., name="fc")) uses the name verbatim:
            # a second layer with the same name collides unless reuse is set, as in TF.
            with variable_scope(_scope) as captured:
                self._scope = captured

    # -- variables ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._scope.name if self._scope is not None else self._base_name

    @property
    def trainable_variables(self) -> list:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_variables(self) -> list:
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    @property
    def variables(self) -> list:
        return self.trainable_variables + self.non_trainable_variables

    trainable_weights = trainable_variables
    non_trainable_weights = non_trainable_variables
    weights = variables

    def add_weight(self, name: str, shape, dtype=None, initializer=None, regularizer=None,
                   trainable: bool | None = None, constraint=None):
        """Create (or, when reusing, fetch) the variable `<layer scope>/<name>`."""
        trainable = self.trainable if trainable is None else trainable
        var = get_variable(name, shape, dtype=dtype or self.dtype, initializer=initializer,
                           regularizer=regularizer, trainable=trainable, constraint=constraint)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        return var

    # -- calling -----------------------------------------------------------------------------
    def build(self, input_shape: TensorShape) -> None:
        self.built = True

    def call(self, inputs: Tensor, **kwargs) -> Tensor:
        return inputs

    def __call__(self, inputs, **kwargs) -> Tensor:
        """Apply the layer: build its variables on the first call, then run `call`.

        Example: `layer = tf.layers.Dense(3); y1 = layer(x1); y2 = layer(x2)` (shared weights).
        """
        inputs = convert_to_tensor(inputs, name="inputs")
        if self.dtype is None:
            self.dtype = inputs.dtype.base_dtype
        if self._scope is None:
            # Lazy scope: "dense", "dense_1", ... unless reusing, which needs the plain name.
            name_or_scope = self._base_name if self._reuse else None
            with variable_scope(name_or_scope, default_name=self._base_name) as captured:
                self._scope = captured
        reuse = True if self.built else self._reuse
        with variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False):
            # Ops go under the scope's own name ("dense/MatMul"), re-entered verbatim.
            with get_default_graph().name_scope(self._scope.original_name_scope):
                if not self.built:
                    self.build(inputs.shape)
                    self.built = True
                return self.call(inputs, **kwargs)


class Dense(Layer):
    """Fully connected layer: `activation(inputs @ kernel + bias)`.

    Variables are `<name>/kernel` (shape [in_units, units]) and `<name>/bias` ([units]).
    Inputs of rank > 2 are multiplied along their last axis.
    TF1 note: rank > 2 inputs are reshaped to 2-D around one MatMul (TF builds a Tensordot);
    the values are the same.
    """

    def __init__(self, units: int, activation: Callable | None = None, use_bias: bool = True,
                 kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable: bool = True, name: str | None = None,
                 **kwargs):
        super().__init__(trainable=trainable, name=name, **kwargs)
        if not isinstance(units, numbers.Integral) or units <= 0:
            raise ValueError(f"Dense needs a positive integer number of units, got {units!r}.")
        self.units = int(units)
        self.activation = activation
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer or zeros_initializer()
        self.kernel_regularizer = kernel_regularizer
        self.bias_regularizer = bias_regularizer
        self.activity_regularizer = activity_regularizer
        self.kernel_constraint = kernel_constraint
        self.bias_constraint = bias_constraint
        self.kernel = None
        self.bias = None

    def build(self, input_shape: TensorShape) -> None:
        if not self.dtype.is_floating:
            raise TypeError(f"Unable to build Dense layer '{self.name}' with non-floating point "
                            f"dtype {self.dtype.name}. Fix: cast the inputs first, e.g. "
                            "tf.cast(x, tf.float32).")
        if input_shape.ndims is not None and input_shape.ndims < 2:
            raise ValueError(f"Dense layer '{self.name}' needs inputs of rank >= 2, got shape "
                             f"{input_shape}. Fix: add a batch axis, e.g. tf.expand_dims(x, 0).")
        last = input_shape[-1].value if input_shape.ndims is not None else None
        if last is None:
            raise ValueError(f"The last dimension of the inputs to Dense layer '{self.name}' "
                             f"should be defined. Found None in shape {input_shape}. Fix: give "
                             "the placeholder a static last dimension or call set_shape.")
        self.kernel = self.add_weight("kernel", [last, self.units],
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", [self.units], initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def call(self, inputs: Tensor) -> Tensor:
        rank = inputs.shape.ndims
        if rank is None or rank > 2:
            flat = reshape(inputs, [-1, self.kernel.shape[0].value])
            outputs = matmul(flat, self.kernel)
            out_shape = concat([shape(inputs)[:-1], [self.units]], 0)
            outputs = reshape(outputs, out_shape)
            if rank is not None:
                outputs.set_shape(inputs.shape[:-1].concatenate([self.units]))
        else:
            outputs = matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = bias_add(outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        if self.activity_regularizer is not None:
            add_activity_loss(self.activity_regularizer, outputs)
        return outputs


def add_activity_loss(regularizer: Callable, outputs: Tensor) -> None:
    """Add `regularizer(outputs) / batch size` to the REGULARIZATION_LOSSES collection.

    TF1 note: divided by the batch size as TF >= 1.14 does (older TF added the plain sum).
    """
    with name_scope("ActivityRegularizer"):
        loss = regularizer(outputs)
        if loss is not None:
            batch = cast(shape(outputs)[0], loss.dtype)
            get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES,
                                                  divide(loss, batch))


def dense(inputs, units: int, activation: Callable | None = None, use_bias: bool = True,
          kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
          bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable: bool = True, name: str | None = None,
          reuse=None) -> Tensor:
    """Fully connected layer: `activation(inputs @ kernel + bias)` with new (or reused) variables.

    Creates `dense/kernel` and `dense/bias` (`dense_1/...` for the next unnamed layer); with
    `name="fc"` they are `fc/kernel` and `fc/bias`. Pass `reuse=True` (or `tf.AUTO_REUSE`) with
    the same name to share them. `kernel_initializer=None` means glorot-uniform, as in TF.
    Example: `h = tf.layers.dense(x, 64, activation=tf.nn.relu)`.
    """
    layer = Dense(units, activation=activation, use_bias=use_bias,
                  kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                  kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                  activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                  bias_constraint=bias_constraint, trainable=trainable, name=name,
                  _scope=name, _reuse=reuse)
    return layer(inputs)


class Dropout(Layer):
    """Dropout layer: `layer(x, training=...)`; see `dropout` for the arguments."""

    def __init__(self, rate=0.5, noise_shape=None, seed: int | None = None,
                 name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if isinstance(rate, numbers.Real) and not 0 <= rate <= 1:  # NaN too, as in TF
            raise ValueError(f"Invalid value {rate} received for `rate`, expected a value "
                             "between 0 and 1.")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed

    def call(self, inputs: Tensor, training=False) -> Tensor:
        if isinstance(training, (bool, np.bool_, numbers.Integral)):
            if not training:
                return identity(inputs)
            return nn_dropout(inputs, rate=self.rate, noise_shape=self.noise_shape,
                              seed=self.seed)
        # A boolean tensor: keep_prob = 1 - rate while training, exactly 1 otherwise. At
        # keep_prob 1 every draw is kept and the scale is 1, so inference returns x exactly.
        training = cast(convert_to_tensor(training, name="training"), inputs.dtype)
        rate = convert_to_tensor(self.rate, dtype=inputs.dtype, name="rate")
        keep_prob = subtract(1.0, multiply(rate, training), name="keep_prob")
        return nn_dropout(inputs, keep_prob=keep_prob, noise_shape=self.noise_shape,
                          seed=self.seed)


def dropout(inputs, rate=0.5, noise_shape=None, seed: int | None = None, training=False,
            name: str | None = None) -> Tensor:
    """Drop each element with probability `rate` and scale the rest by 1 / (1 - rate).

    `training` is a Python bool or a boolean tensor (a placeholder is common); when false the
    inputs pass through unchanged. Note that `rate` is the fraction DROPPED (tf.nn.dropout
    takes keep_prob).
    TF1 note: with a tensor `training`, TF builds a tf.cond; minigraph has no cond and instead
    sets keep_prob = 1 - rate * training, which gives the same values.
    Example: `h = tf.layers.dropout(h, rate=0.3, training=is_training)`.
    """
    return Dropout(rate=rate, noise_shape=noise_shape, seed=seed, name=name)(inputs,
                                                                              training=training)


class Flatten(Layer):
    """Flatten every axis but the first: shape (batch, d1, d2, ...) -> (batch, d1 * d2 * ...)."""

    def __init__(self, data_format: str = "channels_last", name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError("data_format must be 'channels_last' or 'channels_first', got "
                             f"{data_format!r}.")
        self.data_format = data_format

    def call(self, inputs: Tensor) -> Tensor:
        rank = inputs.shape.ndims
        if self.data_format == "channels_first" and rank is not None and rank > 2:
            # Move the channel axis last first, so the flattened order matches channels_last.
            inputs = transpose(inputs, [0] + list(range(2, rank)) + [1])
        dims = inputs.shape.as_list() if inputs.shape.ndims is not None else None
        if dims is not None and len(dims) == 1:
            return reshape(inputs, [-1, 1])
        if dims is not None and all(d is not None for d in dims[1:]):
            size = 1
            for d in dims[1:]:
                size *= d
            return reshape(inputs, [-1, size])
        return reshape(inputs, stack([shape(inputs)[0], -1]))


def flatten(inputs, name: str | None = None, data_format: str = "channels_last") -> Tensor:
    """Flatten every axis but the first (the batch).

    With `data_format="channels_first"` the axis 1 is moved last before flattening, as TF does.
    Example: `tf.layers.flatten(x)` turns shape (?, 4, 5) into (?, 20).
    """
    return Flatten(data_format=data_format, name=name)(inputs)
