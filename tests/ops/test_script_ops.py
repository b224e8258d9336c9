"""tf.py_func / tf.numpy_function, tf.custom_gradient (IdentityN), tf.RegisterGradient with
Graph.gradient_override_map. Error classes and messages as measured in TF 1.x."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients


def test_py_func_runs_python_on_arrays(sess):
    x = tf.placeholder(tf.float32, [None])
    y = tf.py_func(lambda a: np.sort(a) * 2, [x], tf.float32)
    assert y.op.type == "PyFunc" and y.shape.ndims is None
    np.testing.assert_array_equal(sess.run(y, {x: [3., 1., 2.]}), [2., 4., 6.])
    a, b = tf.py_func(lambda v: (v + 1, np.int64(len(v))), [x], [tf.float32, tf.int64])
    assert sess.run([a, b], {x: [1., 2.]})[1] == 2
    stateless = tf.py_func(lambda v: v, [x], tf.float32, stateful=False)
    assert stateless.op.type == "PyFuncStateless"
    assert tf.numpy_function(lambda v: v, [x], tf.float32).op.type == "PyFunc"


def test_py_func_is_called_at_every_run(sess):
    calls = []
    y = tf.py_func(lambda: calls.append(1) or np.float32(len(calls)), [], tf.float32)
    assert [sess.run(y), sess.run(y)] == [1.0, 2.0]


@pytest.mark.parametrize("fn, tout, message", [
    (lambda v: v.astype(np.float64), tf.float32,
     "0-th value returned by pyfunc_[0-9]+ is double, but expects float"),
    (lambda v: 1.5, tf.float32, "is double, but expects float"),
    (lambda v: (v, v), [tf.float32], "returns 2 values, but expects to see 1 values"),
])
def test_py_func_output_checks_as_tf(sess, fn, tout, message):
    y = tf.py_func(fn, [tf.constant([1.0, 2.0])], tout, name="checked")
    with pytest.raises(tf.errors.InvalidArgumentError, match=message) as info:
        sess.run(y)
    assert "checked" in str(info.value)


def test_python_int_is_accepted_for_int64(sess):
    assert sess.run(tf.py_func(lambda v: 3, [tf.constant(1.0)], tf.int64)) == 3


@pytest.mark.parametrize("exception, error", [
    (ValueError("bad"), tf.errors.InvalidArgumentError),
    (TypeError("bad"), tf.errors.InvalidArgumentError),
    (StopIteration(), tf.errors.OutOfRangeError),
    (NotImplementedError("bad"), tf.errors.UnimplementedError),
    (RuntimeError("bad"), tf.errors.UnknownError),
])
def test_errors_raised_inside_surface_as_tf_classes(sess, exception, error):
    def fail(v):
        raise exception

    with pytest.raises(error, match=type(exception).__name__) as info:
        sess.run(tf.py_func(fail, [tf.constant(1.0)], tf.float32, name="my_func"))
    assert "my_func" in str(info.value)


def test_py_func_has_no_gradient():
    x = tf.constant([1.0])
    assert tf.gradients(tf.py_func(lambda v: v, [x], tf.float32), [x]) == [None]


def test_custom_gradient_replaces_the_gradient(sess):
    @tf.custom_gradient
    def clip_grad(x):
        return tf.identity(x), lambda dy: tf.clip_by_value(dy, -0.1, 0.1)

    x = tf.constant([1.0, 2.0])
    z = clip_grad(x) * 5.0
    assert z.op.inputs[0].op.type == "IdentityN"
    g, = tf.gradients(z, [x])
    np.testing.assert_allclose(sess.run([z, g])[1], [0.1, 0.1])  # TF gives [0.1 0.1]


def test_custom_gradient_stable_softplus_matches_finite_differences(sess):
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)
        return tf.log(1 + e), lambda dy: dy * (1 - 1 / (1 + e))

    x = tf.placeholder(tf.float64, [3])
    check_gradients(log1pexp(x), [x], [np.array([-1.0, 0.5, 2.0])])


def test_identity_n_forward_and_gradient(sess):
    a, b = tf.placeholder(tf.float64, [2]), tf.placeholder(tf.float64, [])
    a2, b2 = tf.identity_n([a, b])
    assert a2.op.type == "IdentityN"
    check_gradients(a2 * b2, [a, b], [np.array([1.0, 2.0]), np.array(3.0)])


def test_register_gradient_with_override_map(sess):
    @tf.RegisterGradient("TestScaledSquareGrad")
    def _scaled(op, grad):
        return grad * 100.0

    x = tf.constant([1.0, 2.0])
    with tf.get_default_graph().gradient_override_map({"Square": "TestScaledSquareGrad"}):
        q = tf.square(x)
    plain = tf.square(x)
    assert q.op.get_attr("_gradient_op_type") == b"TestScaledSquareGrad"
    g, = tf.gradients(q, [x])
    h, = tf.gradients(plain, [x])
    assert sess.run(g).tolist() == [100.0, 100.0] and sess.run(h).tolist() == [2.0, 4.0]
    with pytest.raises(KeyError, match="Registering two gradient"):
        tf.RegisterGradient("TestScaledSquareGrad")(lambda op, grad: grad)


def test_override_to_unregistered_name_is_a_lookup_error():
    x = tf.constant(1.0)
    with tf.get_default_graph().gradient_override_map({"Square": "TestNeverRegistered"}):
        q = tf.square(x)
    with pytest.raises(LookupError, match="TestNeverRegistered"):
        tf.gradients(q, [x])


def test_not_differentiable_override_stops_the_gradient():
    tf.NotDifferentiable("TestNoGradient")
    x = tf.constant(2.0)
    with tf.get_default_graph().gradient_override_map({"Square": "TestNoGradient"}):
        q = tf.square(x)
    assert tf.gradients(q, [x]) == [None]
