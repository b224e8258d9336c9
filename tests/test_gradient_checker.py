"""The public gradient checker: tf.test.compute_gradient / compute_gradient_error."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients


def test_compute_gradient_returns_both_jacobians_with_tf_layout():
    x = tf.placeholder(tf.float64, [2, 3])
    w = tf.constant(np.arange(6.0).reshape(3, 2))
    y = tf.matmul(x, w)  # y[i, j] = sum_k x[i, k] w[k, j]
    with tf.Session():
        theoretical, numerical = tf.test.compute_gradient(x, [2, 3], y, [2, 2], delta=1e-6)
    assert theoretical.shape == numerical.shape == (6, 4)  # (x size, y size), as in TF
    expected = np.zeros((6, 4))
    for i in range(2):
        for k in range(3):
            for j in range(2):
                expected[i * 3 + k, i * 2 + j] = w_value(k, j)
    np.testing.assert_allclose(theoretical, expected)
    np.testing.assert_allclose(numerical, expected, atol=1e-6)


def w_value(k, j):
    return np.arange(6.0).reshape(3, 2)[k, j]


@pytest.mark.parametrize("build", [
    lambda x: tf.tanh(x) * x,
    lambda x: tf.reduce_sum(tf.nn.softmax(x), axis=1),
    lambda x: tf.sqrt(tf.square(x) + 1.0),
    lambda x: tf.nn.l2_normalize(x, axis=1),
])
def test_compute_gradient_error_is_small_for_smooth_ops(build):
    x = tf.placeholder(tf.float64, [2, 3])
    y = build(x)
    init = np.array([[0.3, -0.7, 1.1], [0.5, 0.2, -1.4]])
    with tf.Session():
        error = tf.test.compute_gradient_error(x, [2, 3], y, y.shape.as_list(),
                                               x_init_value=init, delta=1e-6)
    assert error < 1e-6


def test_compute_gradient_error_detects_a_wrong_gradient(monkeypatch):
    from minigraph.ops.unary_ops import Tanh

    monkeypatch.setattr(Tanh, "gradient", staticmethod(lambda op, grad: [grad]))  # wrong
    x = tf.placeholder(tf.float64, [3])
    y = tf.tanh(x)
    with tf.Session():
        error = tf.test.compute_gradient_error(x, [3], y, [3], x_init_value=[0.5, 1.0, 1.5])
    assert error > 0.1
    with tf.Session(), pytest.raises(AssertionError, match="disagrees with finite"):
        check_gradients(y, [x], [np.array([0.5, 1.0, 1.5])])


def test_compute_gradient_accepts_a_list_of_inputs():
    a = tf.placeholder(tf.float64, [2])
    b = tf.placeholder(tf.float64, [2])
    y = a * b
    with tf.Session():
        pairs = tf.test.compute_gradient([a, b], [[2], [2]], y, [2],
                                         x_init_value=[[1.0, 2.0], [3.0, 4.0]])
    (ta, na), (tb, nb) = pairs
    np.testing.assert_allclose(ta, np.diag([3.0, 4.0]))
    np.testing.assert_allclose(tb, np.diag([1.0, 2.0]))
    np.testing.assert_allclose(na, ta, atol=1e-6)
    np.testing.assert_allclose(nb, tb, atol=1e-6)


def test_compute_gradient_needs_a_session():
    x = tf.placeholder(tf.float64, [1])
    with pytest.raises(ValueError, match="needs a session"):
        tf.test.compute_gradient(x, [1], x * 2.0, [1])
