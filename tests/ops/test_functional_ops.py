"""tf.scan, tf.map_fn, tf.foldl, tf.foldr (one While loop each), tf.case and tf.switch_case.

Values marked "recorded" come from TensorFlow 1.x (tests/data/record_loops.py -> loops.json).
"""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework import errors
from minigraph.gradient_checker import check_gradients

RECORDED = json.loads((pathlib.Path(__file__).parent.parent / "data" / "loops.json").read_text())
ELEMS = np.array(RECORDED["scan_cumulative"][0]["feeds"]["e"])


def _compare(name, fetches, index=0):
    entry = RECORDED[name][index]
    g = tf.get_default_graph()
    feed = {g.get_tensor_by_name(k + ":0"): v for k, v in entry["feeds"].items()}
    with tf.Session() as s:
        got = s.run(fetches, feed)
    for value, want in zip(got, entry["values"]):
        np.testing.assert_allclose(value, np.asarray(want), rtol=1e-10, atol=1e-12)


# -- recorded from TF 1.x -------------------------------------------------------------------
def test_recorded_scan_with_initializer_and_captured_weight():
    e = tf.placeholder(tf.float64, [4, 2], name="e")
    w = tf.placeholder(tf.float64, [2], name="w")
    ys = tf.scan(lambda acc, x: tf.tanh(acc * w + x), e, initializer=tf.zeros([2], tf.float64))
    assert ys.shape.as_list() == [4, 2]
    loss = tf.reduce_sum(ys * ys)
    _compare("scan_cumulative", [ys] + tf.gradients(loss, [e, w]))


def test_recorded_reverse_scan_without_initializer():
    e = tf.placeholder(tf.float64, [4, 2], name="e")
    ys = tf.scan(lambda acc, x: acc * x + 1.0, e, reverse=True)
    _compare("scan_reverse_no_init", [ys] + tf.gradients(tf.reduce_sum(ys), [e]))


def test_recorded_map_fn_with_dtype_structure_change():
    e = tf.placeholder(tf.float64, [4, 2], name="e")
    a, b = tf.map_fn(lambda x: (tf.reduce_sum(x * x), tf.cast(tf.argmax(x), tf.int32)), e,
                     dtype=(tf.float64, tf.int32))
    assert b.dtype == tf.int32 and a.shape.as_list() == [4]
    _compare("map_fn_structure", [a, b] + tf.gradients(a, [e]))


def test_recorded_foldl_and_foldr():
    e = tf.placeholder(tf.float64, [4, 2], name="e")
    left = tf.foldl(lambda acc, x: acc * 0.5 + x, e)
    right = tf.foldr(lambda acc, x: acc * 0.5 + x, e, initializer=tf.ones([2], tf.float64))
    _compare("folds", [left, right] + tf.gradients(tf.reduce_sum(left * right), [e]))


@pytest.mark.parametrize("index", range(4))
def test_recorded_case_and_switch_case(index):
    x = tf.placeholder(tf.float64, [], name="x")
    k = tf.placeholder(tf.int32, [], name="k")
    c = tf.case([(tf.less(x, 0.0), lambda: x * 2.0), (tf.less(x, 1.0), lambda: x * 3.0)],
                default=lambda: x * 4.0)
    s = tf.switch_case(k, [lambda: x + 1.0, lambda: x * x, lambda: -x])
    _compare("cases", [c, s] + tf.gradients(c + s, [x]), index)


# -- more semantics ------------------------------------------------------------------------
def test_docstring_examples():
    with tf.Session() as s:
        assert s.run(tf.scan(lambda a, x: a + x, tf.constant([1, 2, 3]))).tolist() == [1, 3, 6]
        assert s.run(tf.foldl(lambda a, x: a + x, tf.constant([1, 2, 3]))) == 6
        assert s.run(tf.foldr(lambda a, x: a * 10 + x, tf.constant([1, 2, 3]))) == 321
        np.testing.assert_array_equal(
            s.run(tf.map_fn(lambda x: x * x, tf.constant([1., 2., 3.]))), [1., 4., 9.])


def test_scan_over_a_tuple_of_elems_with_a_nested_accumulator():
    a = tf.constant([1.0, 2.0, 3.0])
    b = tf.constant([10.0, 20.0, 30.0])
    out = tf.scan(lambda acc, xy: {"s": acc["s"] + xy[0] * xy[1], "n": acc["n"] + 1},
                  (a, b), initializer={"s": tf.constant(0.0), "n": tf.constant(0)})
    with tf.Session() as s:
        got = s.run(out)
    assert got["s"].tolist() == [10.0, 50.0, 140.0] and got["n"].tolist() == [1, 2, 3]


def test_map_fn_over_an_unknown_number_of_rows_and_gradient():
    e = tf.placeholder(tf.float64, [None, 2], name="e")
    w = tf.placeholder(tf.float64, [2], name="w")
    out = tf.map_fn(lambda x: tf.sin(x) * w, e)
    assert out.shape.as_list() == [None, 2]
    with tf.Session() as s:
        np.testing.assert_allclose(s.run(out, {e: ELEMS, w: [1.0, 2.0]}),
                                   np.sin(ELEMS) * [1.0, 2.0])
        assert s.run(out, {e: np.zeros((0, 2)), w: [1.0, 2.0]}).shape == (0, 2)
        check_gradients(tf.reduce_sum(out * out), [e, w], [ELEMS, [0.5, -1.5]], session=s)


def test_scan_gradient_matches_finite_differences():
    e = tf.placeholder(tf.float64, [4, 2], name="e")
    h0 = tf.placeholder(tf.float64, [2], name="h0")
    ys = tf.scan(lambda acc, x: tf.tanh(acc * x + 0.5), e, initializer=h0, reverse=True)
    with tf.Session() as s:
        check_gradients(tf.reduce_sum(ys * ys), [e, h0], [ELEMS, [0.3, -0.2]], session=s)


def test_map_fn_wrong_dtype_and_scalar_elems_errors():
    with pytest.raises(TypeError, match="pass dtype="):
        tf.map_fn(lambda x: tf.cast(x, tf.int32), tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="not a scalar"):
        tf.scan(lambda a, x: a + x, tf.constant(1.0))


def test_case_exclusive_fails_when_two_predicates_hold():
    x = tf.placeholder(tf.float32, [])
    c = tf.case([(x > 0.0, lambda: x), (x > 1.0, lambda: -x)], default=lambda: x * 0.0,
                exclusive=True)
    with tf.Session() as s:
        assert s.run(c, {x: 0.5}) == 0.5
        with pytest.raises(errors.InvalidArgumentError, match="exclusive=True"):
            s.run(c, {x: 2.0})


def test_case_without_default_uses_the_last_function_and_argument_errors():
    x = tf.placeholder(tf.float32, [])
    c = tf.case([(x > 0.0, lambda: x), (x < 0.0, lambda: -x)])
    with tf.Session() as s:
        assert s.run(c, {x: -3.0}) == 3.0 and s.run(c, {x: 2.0}) == 2.0
    with pytest.raises(TypeError, match="must be Tensor of type bool"):
        tf.case([(x, lambda: x)])
    with pytest.raises(TypeError, match="2-tuple"):
        tf.case([x > 0.0])


def test_switch_case_dict_and_default():
    k = tf.placeholder(tf.int32, [])
    out = tf.switch_case(k, {1: lambda: tf.constant(11), 0: lambda: tf.constant(10)},
                         default=lambda: tf.constant(-1))
    with tf.Session() as s:
        assert [s.run(out, {k: i}) for i in (0, 1, 5, -1)] == [10, 11, -1, -1]
    with pytest.raises(ValueError, match="contiguous range"):
        tf.switch_case(k, {0: lambda: k, 2: lambda: k})
