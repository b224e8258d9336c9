"""DynamicStitch: values and gradients recorded from TensorFlow, finite differences, errors."""

import json
import os

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

with open(os.path.join(os.path.dirname(__file__), "..", "data", "stitch_tf.json")) as f:
    TF = json.load(f)


def test_dynamic_stitch_matches_tensorflow_values_and_gradients(sess):
    data = [tf.constant(np.array(d, np.float32)) for d in TF["data"]]
    out = tf.dynamic_stitch(TF["indices"], data)
    assert out.op.type == "DynamicStitch" and out.shape.as_list() == [5, 2]
    weights = tf.constant(np.arange(10, dtype=np.float32).reshape(5, 2))
    grads = tf.gradients(tf.reduce_sum(out * weights), data)
    value, grad_values = sess.run([out, grads])
    np.testing.assert_array_equal(value, TF["output"])  # index 3 repeats: the later one wins
    for got, want in zip(grad_values, TF["gradients"]):
        np.testing.assert_array_equal(got, want)


def test_dynamic_stitch_gradient_by_finite_differences(sess):
    a = tf.placeholder(tf.float64, [2])
    b = tf.placeholder(tf.float64, [1])
    out = tf.dynamic_stitch([[2, 0], [1]], [a, b])
    check_gradients(out * tf.constant([1.0, 2.0, 3.0], tf.float64), [a, b],
                    [np.array([0.5, -1.0]), np.array([2.0])], session=sess)


def test_dynamic_stitch_with_fed_indices_has_an_unknown_first_dimension(sess):
    i = tf.placeholder(tf.int32, [None])
    out = tf.dynamic_stitch([i], [tf.constant([1.0, 2.0])])
    assert out.shape.as_list() == [None]
    np.testing.assert_array_equal(sess.run(out, {i: [1, 0]}), [2.0, 1.0])


def test_dynamic_stitch_refuses_unequal_lists_and_mixed_dtypes():
    with pytest.raises(ValueError, match="as many index tensors as data tensors"):
        tf.dynamic_stitch([[0]], [[1.0], [2.0]])
    with pytest.raises(TypeError, match="share one dtype"):
        tf.dynamic_stitch([[0], [1]], [tf.constant([1.0]), tf.constant([1], tf.int32)])
