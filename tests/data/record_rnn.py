"""Record TF 1.x recurrent networks (cells, dynamic/static/bidirectional rnn) into rnn.npz.

Run by hand in a venv with TensorFlow and tf-keras (never in CI):
  TF_USE_LEGACY_KERAS=1 /work/tfvenv/bin/python tests/data/record_rnn.py
Each case builds a network, sets every variable to seeded values, and stores the variable
names, their values, the inputs, the outputs, the final state and the gradients of
loss = sum(outputs**2) + 0.5 * sum(state**2) with respect to the inputs and the variables.
tests/layers/test_rnn.py builds the same networks with minigraph and compares.
"""

import json
import os

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
rnn_cell = tf.nn.rnn_cell

BATCH, TIME, DEPTH = 2, 4, 3


def flat_state(state):
    return tf.nest.flatten(state)


def cases():
    """name -> (builder(inputs, seq_len) -> (outputs, state), time_major, uses seq_len)."""
    return {
        "basic_rnn": (lambda x, n: tf.nn.dynamic_rnn(rnn_cell.BasicRNNCell(5), x,
                                                     sequence_length=n, dtype=tf.float64),
                      False, True),
        "basic_lstm": (lambda x, n: tf.nn.dynamic_rnn(
            rnn_cell.BasicLSTMCell(4), x, dtype=tf.float64,
            initial_state=rnn_cell.LSTMStateTuple(tf.ones([BATCH, 4], tf.float64) * 0.1,
                                                  tf.ones([BATCH, 4], tf.float64) * -0.2)),
                       False, False),
        "lstm_peep_proj_clip": (lambda x, n: tf.nn.dynamic_rnn(
            rnn_cell.LSTMCell(4, use_peepholes=True, num_proj=3, cell_clip=0.5,
                              forget_bias=0.5),
            x, dtype=tf.float64, time_major=True), True, False),
        "gru": (lambda x, n: tf.nn.dynamic_rnn(rnn_cell.GRUCell(4), x, sequence_length=n,
                                               dtype=tf.float64), False, True),
        "multi": (lambda x, n: tf.nn.dynamic_rnn(
            rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(4), rnn_cell.GRUCell(3)]), x,
            dtype=tf.float64), False, False),
        "static_lstm": (lambda x, n: _static(x, n), False, True),
        "bidirectional_gru": (lambda x, n: _bidirectional(x, n), False, True),
        "static_bidirectional_lstm": (lambda x, n: _static_bidirectional(x, n), False, True),
        "dropout_keep_all": (lambda x, n: tf.nn.dynamic_rnn(
            rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(4), input_keep_prob=1.0,
                                    output_keep_prob=1.0), x, dtype=tf.float64),
                             False, False),
    }


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


def record(name, builder, time_major, uses_len, out):
    rng = np.random.RandomState(sum(map(ord, name)))
    shape = [TIME, BATCH, DEPTH] if time_major else [BATCH, TIME, DEPTH]
    x_value = rng.uniform(-1, 1, shape)
    lengths = np.array([TIME, 2], np.int32)
    with tf.Graph().as_default(), tf.Session() as sess:
        x = tf.placeholder(tf.float64, shape, name="x")
        n = tf.placeholder(tf.int32, [BATCH], name="n")
        outputs, state = builder(x, n if uses_len else None)
        states = flat_state(state)
        loss = tf.reduce_sum(outputs * outputs) + 0.5 * tf.add_n(
            [tf.reduce_sum(s * s) for s in states])
        variables = tf.global_variables()
        grads = tf.gradients(loss, [x] + variables)
        sess.run(tf.global_variables_initializer())
        for v in variables:
            v.load(rng.uniform(-0.5, 0.5, v.shape.as_list()), sess)
        feed = {x: x_value, n: lengths}
        values = sess.run([outputs] + states + grads + variables, feed)
        k = 1 + len(states)
        out[f"{name}/x"] = x_value
        out[f"{name}/lengths"] = lengths
        out[f"{name}/outputs"] = values[0]
        for i, s in enumerate(values[1:k]):
            out[f"{name}/state_{i}"] = s
        for i, g in enumerate(values[k:k + len(grads)]):
            out[f"{name}/grad_{i}"] = g
        for i, v in enumerate(values[k + len(grads):]):
            out[f"{name}/var_{i}"] = v
        return [v.op.name for v in variables]


def main():
    out, names = {}, {}
    for name, (builder, time_major, uses_len) in cases().items():
        names[name] = record(name, builder, time_major, uses_len, out)
    here = os.path.dirname(os.path.abspath(__file__))
    np.savez_compressed(os.path.join(here, "rnn.npz"), **out)
    with open(os.path.join(here, "rnn_names.json"), "w") as f:
        json.dump(names, f, indent=1)
    print(json.dumps(names, indent=1))


if __name__ == "__main__":
    main()
