"""Recurrent cells and dynamic/static/bidirectional rnn against TF 1.x with identical weights.

tests/data/record_rnn.py recorded (in TF) each network's variable names, seeded weights,
inputs, outputs, final state and the gradients of
loss = sum(outputs**2) + 0.5 * sum(state**2) w.r.t. the inputs and every variable.
"""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework.nest import flatten
from minigraph.gradient_checker import check_gradients

DATA = pathlib.Path(__file__).parent.parent / "data"
RECORDED = np.load(DATA / "rnn.npz")
NAMES = json.loads((DATA / "rnn_names.json").read_text())
rnn_cell = tf.nn.rnn_cell
BATCH, TIME, DEPTH = 2, 4, 3


def _static(x, n):
    outputs, state = tf.nn.static_rnn(rnn_cell.BasicLSTMCell(4), tf.unstack(x, axis=1),
                                      sequence_length=n, dtype=tf.float64)
    return tf.stack(outputs, axis=1), state


def _bidirectional(x, n):
    (fw, bw), (sf, sb) = tf.nn.bidirectional_dynamic_rnn(
        rnn_cell.GRUCell(3), rnn_cell.GRUCell(2), x, sequence_length=n, dtype=tf.float64)
    return tf.concat([fw, bw], axis=2), (sf, sb)


def _static_bidirectional(x, n):
    outputs, s_fw, s_bw = tf.nn.static_bidirectional_rnn(
        rnn_cell.BasicLSTMCell(3), rnn_cell.LSTMCell(2), tf.unstack(x, axis=1),
        sequence_length=n, dtype=tf.float64)
    return tf.stack(outputs, axis=1), (s_fw, s_bw)


CASES = {
    "basic_rnn": (lambda x, n: tf.nn.dynamic_rnn(rnn_cell.BasicRNNCell(5), x,
                                                 sequence_length=n, dtype=tf.float64), True),
    "basic_lstm": (lambda x, n: tf.nn.dynamic_rnn(
        rnn_cell.BasicLSTMCell(4), x, dtype=tf.float64,
        initial_state=rnn_cell.LSTMStateTuple(tf.ones([BATCH, 4], tf.float64) * 0.1,
                                              tf.ones([BATCH, 4], tf.float64) * -0.2)), False),
    "lstm_peep_proj_clip": (lambda x, n: tf.nn.dynamic_rnn(
        rnn_cell.LSTMCell(4, use_peepholes=True, num_proj=3, cell_clip=0.5, forget_bias=0.5),
        x, dtype=tf.float64, time_major=True), False),
    "gru": (lambda x, n: tf.nn.dynamic_rnn(rnn_cell.GRUCell(4), x, sequence_length=n,
                                           dtype=tf.float64), True),
    "multi": (lambda x, n: tf.nn.dynamic_rnn(
        rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(4), rnn_cell.GRUCell(3)]), x,
        dtype=tf.float64), False),
    "static_lstm": (_static, True),
    "bidirectional_gru": (_bidirectional, True),
    "static_bidirectional_lstm": (_static_bidirectional, True),
    "dropout_keep_all": (lambda x, n: tf.nn.dynamic_rnn(
        rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(4), input_keep_prob=1.0,
                                output_keep_prob=1.0), x, dtype=tf.float64), False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_tf_with_identical_weights(name):
    builder, uses_len = CASES[name]
    x_value = RECORDED[f"{name}/x"]
    x = tf.placeholder(tf.float64, x_value.shape, name="x")
    n = tf.placeholder(tf.int32, [BATCH], name="n")
    outputs, state = builder(x, n if uses_len else None)
    states = flatten(state)
    loss = tf.reduce_sum(outputs * outputs) + 0.5 * tf.add_n(
        [tf.reduce_sum(s * s) for s in states])
    variables = tf.global_variables()
    assert [v.op.name for v in variables] == NAMES[name]
    grads = tf.gradients(loss, [x] + variables)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i, v in enumerate(variables):
            v.load(RECORDED[f"{name}/var_{i}"], sess)
        feed = {x: x_value, n: RECORDED[f"{name}/lengths"]}
        got = sess.run([outputs] + states + grads, feed)
    want = [RECORDED[f"{name}/outputs"]] + [RECORDED[f"{name}/state_{i}"]
                                             for i in range(len(states))]
    want += [RECORDED[f"{name}/grad_{i}"] for i in range(len(grads))]
    for value, expected in zip(got, want):
        np.testing.assert_allclose(value, expected, rtol=1e-9, atol=1e-12)



def test_names_of_ops_state_and_zero_state():
    cell = rnn_cell.BasicLSTMCell(4)
    assert cell.state_size == (4, 4) and cell.output_size == 4
    zero = cell.zero_state(2, tf.float32)
    assert isinstance(zero, rnn_cell.LSTMStateTuple)
    assert zero.c.name == "BasicLSTMCellZeroState/zeros:0" and zero.h.shape.as_list() == [2, 4]
    x = tf.placeholder(tf.float32, [2, 5, 3])
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    assert outputs.name == "rnn/transpose_1:0" and outputs.shape.as_list() == [2, 5, 4]
    assert state.h.name == "rnn/while/Exit:1"
    names = {op.name for op in tf.get_default_graph().get_operations()}
    assert "rnn/while/basic_lstm_cell/MatMul" in names
    multi = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(4), rnn_cell.GRUCell(3)])
    assert multi.state_size == ((4, 4), 3) and multi.output_size == 3


def test_a_cell_object_shares_its_variables_and_a_new_cell_collides():
    x = tf.placeholder(tf.float32, [2, 5, 3])
    cell = rnn_cell.GRUCell(4)
    tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    assert len(tf.trainable_variables()) == 4
    with pytest.raises(ValueError, match="rnn/gru_cell/gates/kernel already exists"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(4), x, dtype=tf.float32)
    with tf.variable_scope("decoder"):
        tf.nn.dynamic_rnn(rnn_cell.GRUCell(4), x, dtype=tf.float32)
    assert "decoder/rnn/gru_cell/candidate/bias:0" in [v.name for v in tf.global_variables()]


def test_argument_errors():
    x = tf.placeholder(tf.float32, [2, 5, 3])
    with pytest.raises(ValueError, match="you must give a dtype"):
        tf.nn.dynamic_rnn(rnn_cell.BasicRNNCell(3), x)
    with pytest.raises(TypeError, match="must be an instance of RNNCell"):
        tf.nn.dynamic_rnn(lambda a, b: a, x, dtype=tf.float32)
    with pytest.raises(ValueError, match="inputs.shape\\[-1\\] to be known"):
        tf.nn.dynamic_rnn(rnn_cell.BasicRNNCell(3), tf.placeholder(tf.float32, [2, 5, None]),
                          dtype=tf.float32)
    with pytest.raises(ValueError, match="keep_prob must be between 0 and 1"):
        rnn_cell.DropoutWrapper(rnn_cell.BasicRNNCell(3), output_keep_prob=1.5)


def test_lstm_gradient_with_variable_lengths_matches_finite_differences():
    x = tf.placeholder(tf.float64, [2, 5, 3], name="x")
    h0 = tf.placeholder(tf.float64, [2, 3], name="h0")
    cell = rnn_cell.LSTMCell(3, use_peepholes=True)
    outputs, state = tf.nn.dynamic_rnn(cell, x, sequence_length=[5, 2],
                                       initial_state=rnn_cell.LSTMStateTuple(h0 * 0.5, h0))
    loss = tf.reduce_sum(outputs * outputs) + tf.reduce_sum(state.c * state.h)
    rng = np.random.RandomState(1)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        check_gradients(loss, [x, h0], [rng.randn(2, 5, 3), rng.randn(2, 3)], session=sess)


def test_dropout_wrapper_drops_outputs_with_its_seed():
    x = tf.ones([200, 3, 2])
    cell = rnn_cell.DropoutWrapper(rnn_cell.BasicRNNCell(8), output_keep_prob=0.5, seed=3)
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(outputs)
    dropped = np.mean(values == 0.0)
    assert 0.4 < dropped < 0.6


def test_contrib_rnn_aliases_the_cells():
    assert tf.contrib.rnn.BasicLSTMCell is tf.nn.rnn_cell.BasicLSTMCell
    assert tf.contrib.rnn.LSTMStateTuple is tf.nn.rnn_cell.LSTMStateTuple
    assert tf.contrib.rnn.static_rnn is tf.nn.static_rnn


def test_residual_and_device_wrappers():
    x = tf.placeholder(tf.float64, [2, 3, 4], name="x")
    inner = rnn_cell.BasicRNNCell(4)
    outputs, _ = tf.nn.dynamic_rnn(rnn_cell.DeviceWrapper(rnn_cell.ResidualWrapper(inner),
                                                          "/cpu:0"), x, dtype=tf.float64)
    plain, _ = tf.nn.dynamic_rnn(inner, x, dtype=tf.float64)   # the same variables
    assert [v.op.name for v in tf.global_variables()] == ["rnn/basic_rnn_cell/kernel",
                                                          "rnn/basic_rnn_cell/bias"]
    value = np.random.RandomState(0).randn(2, 3, 4)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        wrapped, base = sess.run([outputs, plain], {x: value})
    # The residual changes the output only; the cell's state, and so its output, is the same.
    np.testing.assert_allclose(wrapped, base + value)
