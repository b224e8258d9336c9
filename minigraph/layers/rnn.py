"""Unrolling a cell over time: `dynamic_rnn`, `static_rnn`, `bidirectional_dynamic_rnn`.

Lives here: the three TF1 functions. `dynamic_rnn` is one while loop (ops/while_loop.py) that
reads time step t of the inputs at iteration t and stacks the outputs, as TF builds it
(`rnn/while/...`); `static_rnn` calls the cell once per list item. Past a row's
`sequence_length` the output is zero and the state is carried through unchanged. The cells
themselves live in layers/rnn_cell.py.
"""

from __future__ import annotations

from ..framework import dtypes as _dtypes
from ..framework.graph import name_scope
from ..framework.tensor import Tensor
from ..framework.nest import flatten, pack_sequence_as
from ..ops import (array_ops, comparison_ops, indexing_ops, join_split_ops, math_ops,
                   shape_ops)
from ..ops.while_loop import build_loop
from ..ops.variables import variable_scope
from .rnn_cell import RNNCell

__all__ = ["dynamic_rnn", "static_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn"]


def _check_cell(cell, what):
    if not isinstance(cell, RNNCell) and not (hasattr(cell, "state_size") and callable(cell)):
        raise TypeError(f"{what} must be an instance of RNNCell, got {type(cell).__name__}.")


def _swap_batch_time(x: Tensor) -> Tensor:
    rank = x.shape.ndims
    if rank is None or rank < 2:
        raise ValueError(f"Expected input tensor {x.name} to have rank at least 2, got "
                         f"shape {x.shape}.")
    return shape_ops.transpose(x, [1, 0] + list(range(2, rank)))


def _batch_size(first: Tensor):
    known = first.shape.known[1]
    return known if known is not None else shape_ops.shape(first)[1]


def _initial_state(cell, initial_state, batch_size, dtype):
    if initial_state is not None:
        return initial_state
    if dtype is None:
        raise ValueError("If there is no initial_state, you must give a dtype.")
    return cell.zero_state(batch_size, dtype)


def _sequence_length(sequence_length):
    if sequence_length is None:
        return None
    lengths = math_ops.cast(sequence_length, _dtypes.int32)
    if lengths.shape.ndims not in (None, 1):
        raise ValueError(f"sequence_length must be a vector of length batch_size, but saw "
                         f"shape: {lengths.shape}")
    return array_ops.identity(lengths, name="sequence_length")


def _masked_step(time, lengths, output, new_state, old_state):
    """Zero output and unchanged state for the rows whose sequence ended before `time`."""
    if lengths is None:
        return output, new_state
    dtype = flatten(output)[0].dtype.base_dtype
    alive = math_ops.cast(comparison_ops.less(time, lengths), dtype)[:, None]
    output = pack_sequence_as(output, [o * alive for o in flatten(output)])
    kept = [new * alive + old * (1.0 - alive) for new, old in zip(flatten(new_state),
                                                                   flatten(old_state))]
    return output, pack_sequence_as(new_state, kept)


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,
                parallel_iterations=None, swap_memory=False, time_major=False, scope=None):
    """Run `cell` over the time steps of `inputs`; return (outputs, final state).

    `inputs` is [batch, time, depth] ([time, batch, depth] with `time_major=True`), or a
    nesting of such tensors; outputs come in the same layout. Variables live under
    `scope` (default "rnn"): `rnn/basic_lstm_cell/kernel`. With `sequence_length`, row b's
    outputs after step sequence_length[b] are zero and its state stops changing.

    Example: `outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)`.
    """
    _check_cell(cell, "cell")
    with variable_scope(scope or "rnn"):
        flat = [t if time_major else _swap_batch_time(t) for t in
                (array_ops.identity(x) if not isinstance(x, Tensor) else x
                 for x in flatten(inputs))]
        state = _initial_state(cell, initial_state, _batch_size(flat[0]), dtype)
        lengths = _sequence_length(sequence_length)
        flat_state = flatten(state)
        structure = {}

        def body(vars_, rows, time):
            old = pack_sequence_as(state, vars_)
            output, new_state = cell(pack_sequence_as(inputs, rows), old)
            output, new_state = _masked_step(time, lengths, output, new_state, old)
            structure["output"] = output
            return flatten(new_state), flatten(output)

        outs = build_loop(flat_state, [t.shape for t in flat_state], lambda v, i: None, body,
                          sliced=flat, parallel_iterations=parallel_iterations or 32,
                          swap_memory=swap_memory)
        n = len(flat_state)
        final_state = pack_sequence_as(state, outs[:n])
        stacked = outs[n:n + len(flatten(structure["output"]))]
        if not time_major:
            stacked = [_swap_batch_time(t) for t in stacked]
        return pack_sequence_as(structure["output"], stacked), final_state


def static_rnn(cell, inputs, initial_state=None, dtype=None, sequence_length=None,
               scope=None):
    """Run `cell` once per item of the list `inputs`; return (list of outputs, state).

    Example: `outputs, state = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)`.
    """
    _check_cell(cell, "cell")
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("inputs must be a sequence. Fix: pass a list of [batch, depth] "
                        "tensors, e.g. tf.unstack(x, axis=1).")
    if not inputs:
        raise ValueError("inputs must not be empty")
    with variable_scope(scope or "rnn") as varscope:
        first = flatten(inputs[0])[0]
        batch = first.shape.known[0] if first.shape.ndims else None
        state = _initial_state(cell, initial_state, batch if batch is not None else
                               shape_ops.shape(first)[0], dtype)
        lengths = _sequence_length(sequence_length)
        outputs = []
        for time, item in enumerate(inputs):
            if time > 0:
                varscope.reuse_variables()
            output, new_state = cell(item, state)
            output, state = _masked_step(time, lengths, output, new_state, state)
            outputs.append(output)
        return outputs, state


def _reverse_sequence(x, lengths, time_major):
    """Reverse the first `lengths[b]` time steps of each row b (all of them without lengths)."""
    time_axis = 0 if time_major else 1
    if lengths is None:
        return join_split_ops.reverse(x, [time_axis])
    xt = x if time_major else _swap_batch_time(x)
    dims = shape_ops.shape(xt)
    steps, batch = dims[0], dims[1]
    t = shape_ops.expand_dims(shape_ops.range_(steps), 1)
    source = math_ops.cast(t < lengths, _dtypes.int32) * (lengths - 1 - 2 * t) + t
    rows = source * batch + shape_ops.expand_dims(shape_ops.range_(batch), 0)
    flat = shape_ops.reshape(xt, join_split_ops.concat([[-1], dims[2:]], 0))
    out = shape_ops.reshape(indexing_ops.gather(flat, rows), dims)
    out.set_shape(xt.shape)
    return out if time_major else _swap_batch_time(out)


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,
                              initial_state_fw=None, initial_state_bw=None, dtype=None,
                              parallel_iterations=None, swap_memory=False, time_major=False,
                              scope=None):
    """A forward and a backward dynamic_rnn over `inputs`.

    Returns ((output_fw, output_bw), (state_fw, state_bw)); output_bw is in input order.
    Variables live under `bidirectional_rnn/fw/` and `bidirectional_rnn/bw/`.

    Example: `(fw, bw), _ = tf.nn.bidirectional_dynamic_rnn(c1, c2, x, dtype=tf.float32)`.
    """
    _check_cell(cell_fw, "cell_fw")
    _check_cell(cell_bw, "cell_bw")
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(
                cell_fw, inputs, sequence_length, initial_state_fw, dtype,
                parallel_iterations, swap_memory, time_major, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            lengths = None if sequence_length is None else \
                math_ops.cast(sequence_length, _dtypes.int32)
            with name_scope("ReverseSequence"):
                reversed_inputs = pack_sequence_as(inputs, [
                    _reverse_sequence(x, lengths, time_major) for x in flatten(inputs)])
            tmp, state_bw = dynamic_rnn(
                cell_bw, reversed_inputs, sequence_length, initial_state_bw, dtype,
                parallel_iterations, swap_memory, time_major, scope=bw_scope)
    output_bw = pack_sequence_as(tmp, [_reverse_sequence(x, lengths, time_major)
                                       for x in flatten(tmp)])
    return (output_fw, output_bw), (state_fw, state_bw)


def _reverse_list(items, lengths):
    """The list of [batch, depth] tensors in reverse time order (per row with `lengths`)."""
    reversed_steps = _reverse_sequence(array_ops.stack(items), lengths, True)
    return array_ops.unstack(reversed_steps, num=len(items))


def static_bidirectional_rnn(cell_fw, cell_bw, inputs, initial_state_fw=None,
                             initial_state_bw=None, dtype=None, sequence_length=None,
                             scope=None):
    """A forward and a backward static_rnn over the list `inputs`.

    Returns (outputs, state_fw, state_bw); outputs[t] is the forward and backward output
    at step t, concatenated along the depth axis.

    Example: `outs, s_fw, s_bw = tf.nn.static_bidirectional_rnn(c1, c2, xs, dtype=tf.float32)`.
    """
    _check_cell(cell_fw, "cell_fw")
    _check_cell(cell_bw, "cell_bw")
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise TypeError("inputs must be a non-empty list of [batch, depth] tensors.")
    lengths = None if sequence_length is None else \
        math_ops.cast(sequence_length, _dtypes.int32)
    with variable_scope(scope or "bidirectional_rnn"):
        with variable_scope("fw") as fw_scope:
            output_fw, state_fw = static_rnn(cell_fw, inputs, initial_state_fw, dtype,
                                             sequence_length, scope=fw_scope)
        with variable_scope("bw") as bw_scope:
            tmp, state_bw = static_rnn(cell_bw, _reverse_list(list(inputs), lengths),
                                       initial_state_bw, dtype, sequence_length,
                                       scope=bw_scope)
    output_bw = _reverse_list(tmp, lengths)
    outputs = [join_split_ops.concat([fw, bw], 1) for fw, bw in zip(output_fw, output_bw)]
    return outputs, state_fw, state_bw
