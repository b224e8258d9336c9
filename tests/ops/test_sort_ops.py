"""tf.sort / tf.argsort (ops/sort_ops.py): values, indices (stable for ties) and gradients
against TF (tests/data/record_sort_ops.py), finite differences, errors."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

DATA = json.loads((pathlib.Path(__file__).resolve().parents[1] / "data" / "sort_ops.json")
                  .read_text())


@pytest.mark.parametrize("case", sorted(DATA["cases"]))
def test_sort_and_argsort_match_tf(case, sess):
    direction, axis = case.split()
    recorded = DATA["cases"][case]
    x = tf.placeholder(tf.float64, [2, 3, 4])
    s = tf.sort(x, axis=int(axis), direction=direction)
    a = tf.argsort(x, axis=int(axis), direction=direction)
    assert a.dtype.name == recorded["dtype"] and s.shape.as_list() == [2, 3, 4]
    grad, = tf.gradients(tf.reduce_sum(s * DATA["w"]), x)
    value, order, gvalue = sess.run([s, a, grad], {x: DATA["x"]})
    np.testing.assert_array_equal(value, recorded["sorted"])
    np.testing.assert_array_equal(order, recorded["argsort"])
    np.testing.assert_array_equal(gvalue, recorded["grad"])


def test_sort_gradient_by_finite_differences(sess):
    x = tf.placeholder(tf.float64, [3, 4])
    value = np.random.default_rng(3).normal(size=(3, 4))  # no ties: differentiable
    check_gradients(tf.sort(x, axis=0) ** 2, [x], [value])
    check_gradients(tf.sort(x, direction="DESCENDING") ** 2, [x], [value])


def test_sort_builds_on_top_k_and_checks_its_arguments(sess):
    s = tf.sort([3, 1, 2])
    assert "TopKV2" in [op.type for op in tf.get_default_graph().get_operations()]
    assert sess.run(s).tolist() == [1, 2, 3]
    with pytest.raises(ValueError, match="Unknown direction"):
        tf.sort([1.0], direction="UP")
    with pytest.raises(ValueError, match="axis must be constant"):
        tf.sort([1.0], axis=tf.placeholder(tf.int32, []))
    with pytest.raises(ValueError, match="out of range"):
        tf.sort(tf.zeros([2, 2]), axis=2)
