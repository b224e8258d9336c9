"""tf.layers: dense (forward values, variable names, reuse, collections, gradients), dropout,
flatten. Expected values are computed with numpy from the same constant weights."""

import numpy as np
import pytest

import minigraph as tf

KERNEL = np.array([[0.5, -1.0], [2.0, 0.25], [-0.5, 1.5]])   # (3 inputs, 2 units)
BIAS = np.array([0.1, -0.2])
X = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])


def const_dense(x, **kwargs):
    return tf.layers.dense(x, 2, kernel_initializer=tf.constant_initializer(KERNEL.ravel()),
                           bias_initializer=tf.constant_initializer(BIAS), **kwargs)


def names(variables):
    return [v.op.name for v in variables]


# -- dense: forward -----------------------------------------------------------------------
def test_dense_forward_matches_numpy(sess):
    x = tf.placeholder(tf.float64, [None, 3])
    y = const_dense(x)
    relu = const_dense(x, activation=tf.nn.relu)
    sess.run(tf.global_variables_initializer())
    got, got_relu = sess.run([y, relu], {x: X})
    np.testing.assert_allclose(got, X @ KERNEL + BIAS, rtol=1e-12)
    np.testing.assert_allclose(got_relu, np.maximum(X @ KERNEL + BIAS, 0), rtol=1e-12)
    assert y.dtype == tf.float64 and y.shape.as_list() == [None, 2]


def test_dense_op_names_follow_the_layer_scope():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.layers.dense(x, 4, activation=tf.nn.relu)
    assert y.op.name == "dense/Relu"
    ops = [op.name for op in tf.get_default_graph().get_operations()]
    assert "dense/MatMul" in ops and "dense/BiasAdd" in ops


def test_dense_without_bias_or_activation(sess):
    x = tf.constant(X)
    y = const_dense(x, use_bias=False)
    assert names(tf.global_variables()) == ["dense/kernel"]
    sess.run(tf.global_variables_initializer())
    np.testing.assert_allclose(sess.run(y), X @ KERNEL, rtol=1e-12)


def test_dense_on_rank3_inputs_multiplies_the_last_axis(sess):
    x = tf.placeholder(tf.float64, [None, 4, 3])
    y = const_dense(x)
    assert y.shape.as_list() == [None, 4, 2]
    value = np.arange(24, dtype=np.float64).reshape(2, 4, 3) / 10
    sess.run(tf.global_variables_initializer())
    np.testing.assert_allclose(sess.run(y, {x: value}), value @ KERNEL + BIAS, rtol=1e-12)


def test_dense_default_initializers_glorot_kernel_and_zero_bias(sess):
    x = tf.placeholder(tf.float32, [None, 30])
    tf.layers.dense(x, 20)
    sess.run(tf.global_variables_initializer())
    kernel, bias = sess.run(tf.global_variables())
    limit = np.sqrt(6.0 / (30 + 20))
    assert kernel.shape == (30, 20) and np.all(np.abs(kernel) <= limit)
    assert kernel.std() > limit / 4          # not all zeros
    np.testing.assert_array_equal(bias, np.zeros(20, np.float32))


# -- dense: variables, names, reuse ---------------------------------------------------------
def test_dense_variable_names_and_default_uniquifying():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.dense(x, 2)
    tf.layers.dense(x, 5)
    tf.layers.dense(x, 1, name="logits")
    assert names(tf.global_variables()) == ["dense/kernel", "dense/bias", "dense_1/kernel",
                                           "dense_1/bias", "logits/kernel", "logits/bias"]
    shapes = [v.shape.as_list() for v in tf.global_variables()]
    assert shapes == [[3, 2], [2], [3, 5], [5], [3, 1], [1]]


def test_dense_names_count_per_variable_scope():
    x = tf.placeholder(tf.float32, [None, 3])
    with tf.variable_scope("critic"):
        tf.layers.dense(x, 2)
        tf.layers.dense(x, 2)
    with tf.variable_scope("actor"):
        tf.layers.dense(x, 2, name="l1")
    assert names(tf.global_variables()) == [
        "critic/dense/kernel", "critic/dense/bias", "critic/dense_1/kernel",
        "critic/dense_1/bias", "actor/l1/kernel", "actor/l1/bias"]
    assert names(tf.get_collection(tf.GraphKeys.GLOBAL_VARIABLES, scope="actor")) == [
        "actor/l1/kernel", "actor/l1/bias"]


def test_dense_same_name_without_reuse_raises():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.dense(x, 2, name="fc")
    with pytest.raises(ValueError, match="fc/kernel already exists"):
        tf.layers.dense(x, 2, name="fc")


@pytest.mark.parametrize("reuse", [True, tf.AUTO_REUSE])
def test_dense_reuse_shares_variables(sess, reuse):
    x1 = tf.placeholder(tf.float64, [None, 3])
    x2 = tf.placeholder(tf.float64, [None, 3])
    y1 = const_dense(x1, name="shared")
    y2 = tf.layers.dense(x2, 2, name="shared", reuse=reuse)
    assert names(tf.global_variables()) == ["shared/kernel", "shared/bias"]
    sess.run(tf.global_variables_initializer())
    a, b = sess.run([y1, y2], {x1: X, x2: X[::-1]})
    np.testing.assert_allclose(b, a[::-1], rtol=1e-12)


def test_dense_reuse_true_for_a_missing_layer_raises():
    x = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(ValueError, match="does not exist"):
        tf.layers.dense(x, 2, name="never_made", reuse=True)


def test_dense_inherits_reuse_from_the_enclosing_variable_scope():
    x = tf.placeholder(tf.float32, [None, 3])
    with tf.variable_scope("net"):
        tf.layers.dense(x, 2, name="fc")
    with tf.variable_scope("net", reuse=True):
        tf.layers.dense(x, 2, name="fc")
    assert names(tf.global_variables()) == ["net/fc/kernel", "net/fc/bias"]


def test_dense_class_shares_variables_across_calls(sess):
    layer = tf.layers.Dense(2, kernel_initializer=tf.constant_initializer(KERNEL.ravel()),
                            bias_initializer=tf.constant_initializer(BIAS))
    x = tf.placeholder(tf.float64, [None, 3])
    y1, y2 = layer(x), layer(x * 2.0)
    assert names(layer.variables) == ["dense/kernel", "dense/bias"]
    assert layer.kernel is tf.global_variables()[0] and len(tf.global_variables()) == 2
    assert y1.op.name == "dense/BiasAdd" and y2.op.name == "dense/BiasAdd_1"
    sess.run(tf.global_variables_initializer())
    a, b = sess.run([y1, y2], {x: X})
    np.testing.assert_allclose(b, 2 * X @ KERNEL + BIAS, rtol=1e-12)


# -- dense: collections and gradients -----------------------------------------------------
def test_dense_trainable_flag_controls_the_trainable_collection():
    x = tf.placeholder(tf.float32, [None, 3])
    tf.layers.dense(x, 2, name="eval")
    frozen = tf.layers.Dense(2, trainable=False, name="target")
    frozen(x)
    assert names(tf.global_variables()) == ["eval/kernel", "eval/bias", "target/kernel",
                                           "target/bias"]
    assert names(tf.trainable_variables()) == ["eval/kernel", "eval/bias"]
    assert frozen.trainable_variables == []
    assert names(frozen.non_trainable_variables) == ["target/kernel", "target/bias"]


def test_gradients_flow_through_dense(sess):
    x = tf.placeholder(tf.float64, [None, 3])
    y = const_dense(x, activation=tf.nn.relu)
    loss = tf.reduce_sum(y * y)
    kernel, bias = tf.trainable_variables()
    g_kernel, g_bias, g_x = tf.gradients(loss, [kernel, bias, x])
    sess.run(tf.global_variables_initializer())
    got = sess.run([g_kernel, g_bias, g_x], {x: X})
    pre = X @ KERNEL + BIAS
    d_pre = 2 * np.maximum(pre, 0) * (pre > 0)
    np.testing.assert_allclose(got[0], X.T @ d_pre, rtol=1e-12)
    np.testing.assert_allclose(got[1], d_pre.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(got[2], d_pre @ KERNEL.T, rtol=1e-12)


def test_gradient_descent_step_updates_dense_variables(sess):
    x = tf.placeholder(tf.float64, [None, 3])
    target = tf.placeholder(tf.float64, [None, 2])
    y = const_dense(x)
    loss = tf.reduce_mean(tf.square(y - target))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    sess.run(tf.global_variables_initializer())
    t = np.zeros((2, 2))
    sess.run(train, {x: X, target: t})
    d_y = 2 * (X @ KERNEL + BIAS - t) / t.size
    # As in TF, the Python learning rate becomes a float32 tensor cast to the float64 variables.
    rate = float(np.float32(0.1))
    kernel, bias = sess.run(tf.trainable_variables())
    np.testing.assert_allclose(kernel, KERNEL - rate * X.T @ d_y, rtol=1e-12)
    np.testing.assert_allclose(bias, BIAS - rate * d_y.sum(axis=0), rtol=1e-12)


def test_dense_regularizers_fill_the_regularization_losses(sess):
    x = tf.placeholder(tf.float64, [None, 3])
    const_dense(x, kernel_regularizer=lambda w: 0.5 * tf.reduce_sum(tf.square(w)),
                activity_regularizer=lambda a: tf.reduce_sum(tf.abs(a)))
    kernel_loss, activity_loss = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    sess.run(tf.global_variables_initializer())
    np.testing.assert_allclose(sess.run(kernel_loss), 0.5 * np.sum(KERNEL ** 2), rtol=1e-12)
    # The activity penalty is averaged over the batch (2 rows here).
    expected = np.abs(X @ KERNEL + BIAS).sum() / 2
    np.testing.assert_allclose(sess.run(activity_loss, {x: X}), expected, rtol=1e-12)


# -- dense: build-time errors -------------------------------------------------------------
def test_dense_needs_a_known_last_dimension():
    x = tf.placeholder(tf.float32, [None, None])
    with pytest.raises(ValueError, match="last dimension .* should be defined"):
        tf.layers.dense(x, 2)


def test_dense_refuses_integer_inputs_with_a_fix():
    x = tf.placeholder(tf.int32, [None, 3])
    with pytest.raises(TypeError, match=r"non-floating point dtype int32.*tf\.cast"):
        tf.layers.dense(x, 2)


def test_dense_refuses_bad_units():
    with pytest.raises(ValueError, match="positive integer"):
        tf.layers.Dense(0)


# -- dropout ------------------------------------------------------------------------------
def test_dropout_not_training_passes_values_through(sess):
    x = tf.constant(X)
    y = tf.layers.dropout(x, rate=0.9)
    np.testing.assert_array_equal(sess.run(y), X)
    assert y.op.type == "Identity"


def test_dropout_training_drops_rate_and_scales_the_rest(sess):
    x = tf.ones([200, 100], tf.float64)
    y = tf.layers.dropout(x, rate=0.25, training=True, seed=3)
    value = sess.run(y)
    assert set(np.unique(value)) == {0.0, 1 / 0.75}
    assert abs((value == 0).mean() - 0.25) < 0.02


def test_dropout_with_a_boolean_placeholder(sess):
    training = tf.placeholder(tf.bool, [])
    x = tf.ones([100, 100], tf.float32)
    y = tf.layers.dropout(x, rate=0.5, training=training)
    off = sess.run(y, {training: False})
    np.testing.assert_array_equal(off, np.ones((100, 100), np.float32))
    on = sess.run(y, {training: True})
    assert set(np.unique(on)) == {0.0, 2.0} and abs((on == 0).mean() - 0.5) < 0.03


def test_dropout_with_seeds_repeats_across_sessions():
    tf.set_random_seed(7)
    y = tf.layers.dropout(tf.ones([50], tf.float32), rate=0.5, training=True, seed=1)
    with tf.Session() as first:
        a = first.run(y)
    with tf.Session() as second:
        b = second.run(y)
    np.testing.assert_array_equal(a, b)


# -- flatten ------------------------------------------------------------------------------
def test_flatten_static_and_dynamic_shapes(sess):
    value = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    static = tf.layers.flatten(tf.placeholder_with_default(value, [None, 3, 4]))
    dynamic_in = tf.placeholder(tf.float32, [None, None, 4])
    dynamic = tf.layers.flatten(dynamic_in)
    assert static.shape.as_list() == [None, 12]
    assert static.op.name.startswith("flatten/")
    np.testing.assert_array_equal(sess.run(static), value.reshape(2, 12))
    np.testing.assert_array_equal(sess.run(dynamic, {dynamic_in: value}), value.reshape(2, 12))


def test_flatten_rank1_and_channels_first(sess):
    vector = tf.layers.flatten(tf.constant([1.0, 2.0, 3.0]))
    assert sess.run(vector).tolist() == [[1.0], [2.0], [3.0]]
    value = np.arange(12, dtype=np.float32).reshape(1, 3, 2, 2)   # (batch, channels, h, w)
    first = tf.layers.flatten(tf.constant(value), data_format="channels_first")
    np.testing.assert_array_equal(sess.run(first), value.transpose(0, 2, 3, 1).reshape(1, 12))
    with pytest.raises(ValueError, match="data_format"):
        tf.layers.flatten(tf.constant(value), data_format="NCHW")
