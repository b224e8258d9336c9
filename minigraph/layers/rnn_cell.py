"""`tf.nn.rnn_cell`: the TF1 recurrent cells (one step of a recurrent network each).

Lives here: `RNNCell` (the base: a Layer called as `cell(inputs, state)` that creates its
variables under `<variable scope>/<cell name>/` on the first call and reuses them after),
`BasicRNNCell`, `BasicLSTMCell`, `LSTMCell` (peepholes, projection, clipping), `GRUCell`,
`MultiRNNCell`, `DropoutWrapper` and `LSTMStateTuple`. Variable names are TF's
(`rnn/basic_lstm_cell/kernel`), so checkpoints line up. Unrolling over time (dynamic_rnn,
static_rnn) lives in layers/rnn.py.
"""

from __future__ import annotations

import collections
import numbers

from ..framework.graph import get_default_graph, name_scope
from ..framework.nest import flatten, pack_sequence_as
from ..ops import array_ops, linalg_ops, nn_ops, unary_ops
from ..ops.init_ops import constant_initializer, zeros_initializer
from ..ops.join_split_ops import concat, split
from ..ops.nn_impl import dropout
from ..ops.variables import variable_scope
from ..train.clip_ops import clip_by_value
from .core import Layer

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "ResidualWrapper", "DeviceWrapper", "LSTMStateTuple"]


class LSTMStateTuple(collections.namedtuple("LSTMStateTuple", ("c", "h"))):
    """The state of an LSTM cell: the memory `c` and the output `h`."""

    __slots__ = ()

    @property
    def dtype(self):
        if self.c.dtype != self.h.dtype:
            raise TypeError(f"Inconsistent internal state: {self.c.dtype.name} vs "
                            f"{self.h.dtype.name}")
        return self.c.dtype


class RNNCell(Layer):
    """Base of the cells: `output, new_state = cell(inputs, state)`.

    Subclasses define `state_size`, `output_size`, `build(input_depth)` and
    `call(inputs, state)`. The first call opens the variable scope `<current>/<name>` and
    creates the variables; later calls (next time step, another unrolling) reuse them.
    """

    def __init__(self, name=None, dtype=None, reuse=None):
        super().__init__(name=name or self.default_name, dtype=dtype, _reuse=reuse)

    default_name = "rnn_cell"

    @property
    def state_size(self):
        raise NotImplementedError(f"{type(self).__name__} must define state_size.")

    @property
    def output_size(self):
        raise NotImplementedError(f"{type(self).__name__} must define output_size.")

    def zero_state(self, batch_size, dtype):
        """Zeros shaped like the state, for `batch_size` rows (an int or a scalar tensor).

        Example: `cell.zero_state(32, tf.float32)` -> LSTMStateTuple of two [32, units] zeros.
        """
        with name_scope(type(self).__name__ + "ZeroState", values=[batch_size]):
            sizes = flatten(self.state_size)
            zeros = [array_ops.zeros(_batch_shape(batch_size, size), dtype) for size in sizes]
            return pack_sequence_as(self.state_size, zeros)

    def __call__(self, inputs, state, scope=None):
        """Run one step: build the variables on the first call, then `call`."""
        graph = get_default_graph()
        outer = graph.get_name_scope()
        if self._scope is None:
            with variable_scope(scope or self._base_name, reuse=self._reuse,
                                auxiliary_name_scope=False) as captured:
                self._scope = captured
        with variable_scope(self._scope, reuse=True if self.built else self._reuse,
                            auxiliary_name_scope=False), \
                graph.name_scope(outer + "/" if outer else ""), \
                graph.name_scope(self._base_name):
            if not self.built:
                first = flatten(inputs)[0]
                self.dtype = self.dtype or first.dtype.base_dtype
                self.build(first.shape)
                self.built = True
            return self.call(inputs, state)

    def _input_depth(self, input_shape) -> int:
        depth = input_shape.known[-1] if input_shape.ndims else None
        if depth is None:
            raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {input_shape}."
                             " Fix: give the inputs a static last dimension (set_shape).")
        return depth


def _batch_shape(batch_size, size):
    if isinstance(batch_size, numbers.Integral):
        return [batch_size, size]
    return array_ops.stack([batch_size, size])


def _linear(inputs, kernel, bias):
    return nn_ops.bias_add(linalg_ops.matmul(inputs, kernel), bias)


class BasicRNNCell(RNNCell):
    """`h = activation(W [x, h] + b)` (tanh by default)."""

    default_name = "basic_rnn_cell"

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype, reuse=reuse)
        self._num_units = num_units
        self._activation = activation or unary_ops.tanh

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def build(self, input_shape):
        depth = self._input_depth(input_shape)
        self._kernel = self.add_weight("kernel", [depth + self._num_units, self._num_units])
        self._bias = self.add_weight("bias", [self._num_units], initializer=zeros_initializer())

    def call(self, inputs, state):
        output = self._activation(_linear(concat([inputs, state], 1), self._kernel, self._bias))
        return output, output


class BasicLSTMCell(RNNCell):
    """The LSTM of Zaremba et al.: gates i, j, f, o from one matmul; `forget_bias` added to f."""

    default_name = "basic_lstm_cell"

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype, reuse=reuse)
        self._num_units, self._forget_bias = num_units, forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = activation or unary_ops.tanh

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    output_size = property(lambda self: self._num_units)

    def build(self, input_shape):
        depth = self._input_depth(input_shape)
        self._kernel = self.add_weight("kernel", [depth + self._num_units, 4 * self._num_units])
        self._bias = self.add_weight("bias", [4 * self._num_units],
                                     initializer=zeros_initializer())

    def call(self, inputs, state):
        c, h = state if self._state_is_tuple else split(state, 2, axis=1)
        gates = _linear(concat([inputs, h], 1), self._kernel, self._bias)
        i, j, f, o = split(gates, 4, axis=1)
        sigmoid = unary_ops.sigmoid
        new_c = c * sigmoid(f + self._forget_bias) + sigmoid(i) * self._activation(j)
        new_h = self._activation(new_c) * sigmoid(o)
        new_state = LSTMStateTuple(new_c, new_h) if self._state_is_tuple else \
            concat([new_c, new_h], 1)
        return new_h, new_state


class LSTMCell(RNNCell):
    """The LSTM with optional peepholes, cell clipping and an output projection."""

    default_name = "lstm_cell"

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_proj=None, proj_clip=None, num_unit_shards=None, num_proj_shards=None,
                 forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None,
                 dtype=None):
        super().__init__(name=name, dtype=dtype, reuse=reuse)
        self._num_units, self._use_peepholes = num_units, use_peepholes
        self._cell_clip, self._proj_clip = cell_clip, proj_clip
        self._initializer, self._num_proj = initializer, num_proj
        self._forget_bias, self._state_is_tuple = forget_bias, state_is_tuple
        self._activation = activation or unary_ops.tanh

    @property
    def state_size(self):
        n, m = self._num_units, self._num_proj or self._num_units
        return LSTMStateTuple(n, m) if self._state_is_tuple else n + m

    output_size = property(lambda self: self._num_proj or self._num_units)

    def build(self, input_shape):
        depth, n = self._input_depth(input_shape), self._num_units
        h_depth = self._num_proj or n
        self._kernel = self.add_weight("kernel", [depth + h_depth, 4 * n],
                                       initializer=self._initializer)
        self._bias = self.add_weight("bias", [4 * n], initializer=zeros_initializer())
        if self._use_peepholes:
            self._w_f, self._w_i, self._w_o = [
                self.add_weight(name, [n], initializer=self._initializer)
                for name in ("w_f_diag", "w_i_diag", "w_o_diag")]
        if self._num_proj is not None:
            with variable_scope("projection", auxiliary_name_scope=False):
                self._proj = self.add_weight("kernel", [n, self._num_proj],
                                             initializer=self._initializer)

    def call(self, inputs, state):
        n = self._num_units
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            c_prev, m_prev = state[:, :n], state[:, n:]
        gates = _linear(concat([inputs, m_prev], 1), self._kernel, self._bias)
        i, j, f, o = split(gates, 4, axis=1)
        sigmoid, peep = unary_ops.sigmoid, self._use_peepholes
        forget = sigmoid(f + self._forget_bias + (self._w_f * c_prev if peep else 0.0))
        write = sigmoid(i + self._w_i * c_prev) if peep else sigmoid(i)
        c = forget * c_prev + write * self._activation(j)
        if self._cell_clip is not None:
            c = clip_by_value(c, -self._cell_clip, self._cell_clip)
        m = (sigmoid(o + self._w_o * c) if peep else sigmoid(o)) * self._activation(c)
        if self._num_proj is not None:
            m = linalg_ops.matmul(m, self._proj)
            if self._proj_clip is not None:
                m = clip_by_value(m, -self._proj_clip, self._proj_clip)
        new_state = LSTMStateTuple(c, m) if self._state_is_tuple else concat([c, m], 1)
        return m, new_state


class GRUCell(RNNCell):
    """The gated recurrent unit: reset and update gates, then a candidate state."""

    default_name = "gru_cell"

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype, reuse=reuse)
        self._num_units = num_units
        self._activation = activation or unary_ops.tanh
        self._kernel_initializer, self._bias_initializer = kernel_initializer, bias_initializer

    state_size = property(lambda self: self._num_units)
    output_size = property(lambda self: self._num_units)

    def build(self, input_shape):
        depth, n = self._input_depth(input_shape), self._num_units
        kernel_init, bias_init = self._kernel_initializer, self._bias_initializer
        with variable_scope("gates", auxiliary_name_scope=False):
            self._gate_kernel = self.add_weight("kernel", [depth + n, 2 * n],
                                                initializer=kernel_init)
            self._gate_bias = self.add_weight(
                "bias", [2 * n], initializer=bias_init or constant_initializer(1.0))
        with variable_scope("candidate", auxiliary_name_scope=False):
            self._candidate_kernel = self.add_weight("kernel", [depth + n, n],
                                                     initializer=kernel_init)
            self._candidate_bias = self.add_weight("bias", [n],
                                                   initializer=bias_init or zeros_initializer())

    def call(self, inputs, state):
        gates = unary_ops.sigmoid(_linear(concat([inputs, state], 1), self._gate_kernel,
                                         self._gate_bias))
        r, u = split(gates, 2, axis=1)
        candidate = self._activation(_linear(concat([inputs, r * state], 1),
                                             self._candidate_kernel, self._candidate_bias))
        new_h = u * state + (1 - u) * candidate
        return new_h, new_h


class MultiRNNCell(RNNCell):
    """Cells stacked in layers: the output of cell i is the input of cell i + 1."""

    default_name = "multi_rnn_cell"

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not state_is_tuple:
            raise ValueError("MultiRNNCell(state_is_tuple=False) is not supported in "
                             "minigraph. Fix: keep the default state_is_tuple=True.")
        self._cells = list(cells)

    state_size = property(lambda self: tuple(c.state_size for c in self._cells))
    output_size = property(lambda self: self._cells[-1].output_size)

    def build(self, input_shape):
        pass

    def call(self, inputs, state):
        output, new_states = inputs, []
        for i, cell in enumerate(self._cells):
            with variable_scope(f"cell_{i}"):
                output, s = cell(output, state[i])
            new_states.append(s)
        return output, tuple(new_states)


class DropoutWrapper(RNNCell):
    """Dropout on a cell's inputs, outputs and (except an LSTM's memory c) state.

    TF1 note: `variational_recurrent=True` (one mask for all time steps) is not supported.
    """

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None):
        super().__init__()
        if variational_recurrent:
            raise ValueError("DropoutWrapper(variational_recurrent=True) is not supported in "
                             "minigraph. Fix: use the default per-step masks.")
        for p in (input_keep_prob, output_keep_prob, state_keep_prob):
            if isinstance(p, numbers.Real) and not 0.0 < p <= 1.0:
                raise ValueError(f"Parameter keep_prob must be between 0 and 1: {p}")
        self._cell, self._seed = cell, seed
        self._keep = (input_keep_prob, output_keep_prob, state_keep_prob)

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def _drop(self, value, keep, offset):
        if isinstance(keep, numbers.Real) and keep == 1.0:
            return value
        seed = None if self._seed is None else self._seed + offset
        return dropout(value, keep_prob=keep, seed=seed)

    def __call__(self, inputs, state, scope=None):
        keep_in, keep_out, keep_state = self._keep
        inputs = pack_sequence_as(inputs, [self._drop(t, keep_in, 0) for t in flatten(inputs)])
        output, new_state = self._cell(inputs, state, scope=scope)
        if not (isinstance(keep_state, numbers.Real) and keep_state == 1.0):
            kept = [t if isinstance(s, LSTMStateTuple) and i == 0 else
                    self._drop(t, keep_state, 1)
                    for s in _leaf_owners(new_state) for i, t in enumerate(_pieces(s))]
            new_state = pack_sequence_as(new_state, kept)
        return self._drop(output, keep_out, 2), new_state


class ResidualWrapper(RNNCell):
    """A cell whose output is `inputs + cell output` (or `residual_fn(inputs, output)`)."""

    def __init__(self, cell, residual_fn=None):
        super().__init__()
        self._cell = cell
        self._residual_fn = residual_fn or (lambda inputs, output: pack_sequence_as(
            output, [i + o for i, o in zip(flatten(inputs), flatten(output))]))

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        output, new_state = self._cell(inputs, state, scope=scope)
        return self._residual_fn(inputs, output), new_state


class DeviceWrapper(RNNCell):
    """A cell whose ops record `device` (minigraph places nothing; the values are the cell's)."""

    def __init__(self, cell, device):
        super().__init__()
        self._cell, self._device = cell, device

    state_size = property(lambda self: self._cell.state_size)
    output_size = property(lambda self: self._cell.output_size)

    def zero_state(self, batch_size, dtype):
        return self._cell.zero_state(batch_size, dtype)

    def __call__(self, inputs, state, scope=None):
        with get_default_graph().device(self._device):
            return self._cell(inputs, state, scope=scope)


def _leaf_owners(state):
    """The LSTMStateTuples and plain tensors of a (nested) state, in flatten order."""
    if isinstance(state, LSTMStateTuple) or not isinstance(state, (tuple, list)):
        return [state]
    return [s for part in state for s in _leaf_owners(part)]


def _pieces(owner):
    return list(owner) if isinstance(owner, LSTMStateTuple) else [owner]
