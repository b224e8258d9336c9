"""Graphs whose GraphDef was imported into real TensorFlow 1.x and run there.

Shared by tests/data/record_tf_import.py (run by hand with TensorFlow installed) and
tests/export/test_tf_import.py (offline): each case builds a graph with minigraph and names
what to run. The recorder runs the exported GraphDef in TensorFlow with the same weights and
feeds and stores TF's values; the test checks that minigraph computes the same values.
"""

from __future__ import annotations

import os
import sys

import numpy as np

import minigraph as tf

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
import train_digits  # noqa: E402  (the demo's own graph)


def demo_step():
    """The demo's training graph (schedule, warmup, clip, Adam, global_step, summaries)."""
    model = train_digits.build_model(hidden=16, init_lr=0.01, num_train_steps=100,
                                     num_warmup_steps=10)
    rng = np.random.default_rng(0)
    feeds = {"x:0": rng.random((8, 64), dtype=np.float32),
             "labels:0": rng.integers(0, 10, 8).astype(np.int64)}
    # Past warmup (step 20 of 100), so the step uses the decayed rate.
    return dict(feeds=feeds, before=[model["loss"].name, model["accuracy"].name,
                                     model["learning_rate"].name],
                train=model["train_op"].name, set={"global_step": np.int64(20)})


def cond_step():
    """tf.cond (both branches read a variable) with its gradient and a GD step."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.array([[0.5], [-1.0], [2.0]], np.float32), name="w")
    y = tf.matmul(x, w)
    z = tf.cond(tf.reduce_sum(y) > 0.0, lambda: tf.square(y) * w[0, 0], lambda: y - 1.0)
    loss = tf.reduce_sum(z, name="loss")
    grad = tf.gradients(loss, [w])[0]
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, name="train")
    feeds_pos = {"x:0": np.array([[1.0, 2.0, 3.0], [0.5, 0.0, 1.0]], np.float32)}
    return dict(feeds=feeds_pos, before=[loss.name, grad.name], train=train.name)


def cond_step_other_branch():
    """The same graph fed so that the false branch runs."""
    case = cond_step()
    case["feeds"] = {"x:0": np.array([[-1.0, 2.0, -3.0]], np.float32)}
    return case


def initialized_value():
    """initialized_value and report_uninitialized_variables, run before any initializer."""
    a = tf.Variable(np.float32(3.0), name="a")
    b = tf.Variable(a.initialized_value() * 2.0, name="b")
    report = tf.report_uninitialized_variables()
    return dict(feeds={}, before=[report.name], train=b.initializer.name, after=[b.name],
                no_init=True)


def unclipped_sgd_step():
    """A step whose updates race with backward reads in TF unless the export orders them."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w1 = tf.Variable(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4), name="w1")
    w2 = tf.Variable(np.linspace(1, -1, 4, dtype=np.float32).reshape(4, 1), name="w2")
    loss = tf.reduce_sum(tf.square(tf.matmul(tf.tanh(tf.matmul(x, w1)), w2)), name="loss")
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss, name="train")
    feeds = {"x:0": np.array([[1.0, 2.0, -1.0], [0.5, -0.5, 2.0]], np.float32)}
    return dict(feeds=feeds, before=[loss.name], train=train.name, repeat=25)


def while_loop_gradient():
    """A while loop (TF1 frame: Enter/Merge/Switch/LoopCond/NextIteration/Exit) and its
    gradient loop (the forward values come back through TF1's stacks)."""
    x = tf.placeholder(tf.float64, [], name="x")
    w = tf.Variable(np.float64(0.5), name="w")
    _, y = tf.while_loop(lambda i, a: i < 5, lambda i, a: (i + 1, a * x + w),
                         [0, tf.constant(1.0, tf.float64)])
    loss = tf.identity(y * y, name="loss")
    grad = tf.gradients(loss, [x])[0]
    train = tf.train.GradientDescentOptimizer(0.01).minimize(loss, name="train")
    return dict(feeds={"x:0": np.float64(1.5)}, before=[loss.name, grad.name],
                train=train.name)


def scan_and_map_fn():
    """tf.scan and tf.map_fn (rows and stacked values through TensorArrays) and gradients."""
    x = tf.placeholder(tf.float32, [4, 3], name="x")
    w = tf.Variable(np.array([0.5, -1.0, 2.0], np.float32), name="w")
    running = tf.scan(lambda a, row: a * w + row, x, initializer=tf.zeros([3]))
    mapped = tf.map_fn(lambda row: tf.reduce_sum(row * w), x)
    loss = tf.add(tf.reduce_sum(running * running), tf.reduce_sum(mapped), name="loss")
    grad = tf.gradients(loss, [w])[0]
    train = tf.train.AdamOptimizer(0.1).minimize(loss, name="train")
    feeds = {"x:0": np.arange(12, dtype=np.float32).reshape(4, 3) / 10}
    return dict(feeds=feeds, before=[running.name, mapped.name, grad.name], train=train.name)


def lstm_training_step():
    """dynamic_rnn over a BasicLSTMCell with sequence lengths, and an Adam step."""
    x = tf.placeholder(tf.float32, [2, 5, 3], name="x")
    cell = tf.nn.rnn_cell.BasicLSTMCell(4)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, sequence_length=[5, 3])
    loss = tf.reduce_mean(tf.square(outputs), name="loss")
    train = tf.train.AdamOptimizer(0.05).minimize(loss, name="train")
    feeds = {"x:0": np.random.default_rng(5).standard_normal((2, 5, 3)).astype(np.float32)}
    return dict(feeds=feeds, before=[loss.name, state.h.name], train=train.name)


def nested_loops_with_cond():
    """A loop in a loop whose body holds a tf.cond, a loop inside a tf.cond, gradients."""
    x = tf.placeholder(tf.float32, [], name="x")

    def outer(i, a):
        _, b = tf.while_loop(lambda j, b: j < 3, lambda j, b: (
            j + 1, tf.cond(b > 5.0, lambda: b + x, lambda: b * x)), [0, a])
        return i + 1, b

    _, y = tf.while_loop(lambda i, a: i < 2, outer, [0, x])
    z = tf.cond(x > 0, lambda: tf.while_loop(lambda i, a: i < 3,
                                             lambda i, a: (i + 1, a * 2.0), [0, x])[1],
                lambda: x)
    grad = tf.gradients(y + z, [x])[0]
    keep = tf.identity(grad, name="keep")
    return dict(feeds={"x:0": np.float32(1.5)}, before=[y.name, z.name, grad.name],
                train=keep.op.name, after=[keep.name])


CASES = {"demo_step": demo_step, "cond_step": cond_step,
         "cond_step_other_branch": cond_step_other_branch,
         "initialized_value": initialized_value, "unclipped_sgd_step": unclipped_sgd_step,
         "while_loop_gradient": while_loop_gradient, "scan_and_map_fn": scan_and_map_fn,
         "lstm_training_step": lstm_training_step,
         "nested_loops_with_cond": nested_loops_with_cond}
