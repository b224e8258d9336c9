"""Record what TF 1.x returns when a run fetches a variable (or an assign's output) that the
same run updates. Run by hand with TensorFlow installed; writes fetch_after_update.json.

Each case builds a small graph, initializes, runs the fetches once, and repeats that RUNS
times in fresh runs (TF's executor may order unordered ops differently from run to run); the
JSON records how often each result came back. tests/runtime/test_fetch_after_update.py
rebuilds the same builders with minigraph (each takes the `tf` module to build with).
"""

import collections
import json
import pathlib

import numpy as np

RUNS = 100


def global_step_and_train_op(tf):
    step = tf.train.get_or_create_global_step()
    w = tf.Variable(1.0, name="w")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(w * w, global_step=step)
    return [train, step, w]


def assign_add_then_variable(tf):
    v = tf.Variable(1.0, name="v")
    return [v.assign_add(1.0), v]


def variable_then_assign_add(tf):
    v = tf.Variable(1.0, name="v")
    update = v.assign_add(1.0)
    return [v, update]


def two_assign_adds(tf):
    v = tf.Variable(1.0, name="v")
    return [tf.assign_add(v, 1.0), tf.assign_add(v, 10.0)]


def two_assign_adds_and_variable(tf):
    v = tf.Variable(1.0, name="v")
    first, second = v.assign_add(1.0), v.assign_add(10.0)
    return [first, second, v]


def grouped_assign_and_variable(tf):
    v = tf.Variable(1.0, name="v")
    return [tf.group(v.assign(5.0)), v]


def assign_output_consumed_in_graph(tf):
    v = tf.Variable(1.0, name="v")
    return [v.assign(5.0) * 2.0]


def reads_in_the_graph(tf):
    """v/read, read_value() and a consumer: TF's answer depends on buffer sharing/order."""
    v = tf.Variable(1.0, name="v")
    update = v.assign(5.0)
    return [update, v.value(), v.read_value(), v * 1.0]


CASES = [global_step_and_train_op, assign_add_then_variable, variable_then_assign_add,
         two_assign_adds, two_assign_adds_and_variable, grouped_assign_and_variable,
         assign_output_consumed_in_graph, reads_in_the_graph]


def record(tf, build):
    counts = collections.Counter()
    with tf.Graph().as_default():
        fetches = build(tf)
        init = tf.global_variables_initializer()
        with tf.Session() as sess:
            for _ in range(RUNS):
                sess.run(init)
                values = sess.run(fetches)
                counts[json.dumps([None if x is None else np.asarray(x).item()
                                   for x in values])] += 1
    return {"runs": RUNS, "results": dict(counts.most_common())}


if __name__ == "__main__":
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    data = {"tensorflow": tf.__version__,
            "cases": {build.__name__: record(tf, build) for build in CASES}}
    out = pathlib.Path(__file__).with_name("fetch_after_update.json")
    out.write_text(json.dumps(data, indent=1) + "\n")
    print(json.dumps(data, indent=1))
