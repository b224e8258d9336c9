"""nn primitives (ops/nn_ops.py): activations, softmax, log_softmax, bias_add, in_top_k,
top_k. Values are TF 1.x's, measured (Relu, Relu6 and Softmax gradient rules).
"""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients
from minigraph.ops.nn_ops import ReluGrad

F64 = tf.float64
LOGITS = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
LABELS = np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
X = np.array([[-1.7, -0.3, 0.4], [2.5, 6.8, -4.1]])


def np_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def np_log_softmax(x):
    return np.log(np_softmax(x))


ACTIVATIONS = [
    (tf.nn.relu, lambda x: np.maximum(x, 0), "Relu"),
    (tf.nn.relu6, lambda x: np.clip(x, 0, 6), "Relu6"),
    (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x), "LeakyRelu"),
    (tf.nn.elu, lambda x: np.where(x > 0, x, np.expm1(x)), "Elu"),
    (tf.nn.softplus, lambda x: np.log1p(np.exp(x)), "Softplus"),
    (tf.nn.softmax, np_softmax, "Softmax"),
    (tf.nn.log_softmax, np_log_softmax, "LogSoftmax"),
]
IDS = [a[2] for a in ACTIVATIONS]


# -- activations and softmax ---------------------------------------------------------------
@pytest.mark.parametrize("fn, np_fn, op_type", ACTIVATIONS, ids=IDS)
def test_activation_forward_matches_numpy(sess, fn, np_fn, op_type):
    y = fn(tf.constant(X.astype(np.float32)))
    assert y.op.type == op_type and y.op.name == op_type
    out = sess.run(y)
    assert out.dtype == np.float32 and out.shape == (2, 3)
    np.testing.assert_allclose(out, np_fn(X), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn, np_fn, op_type", ACTIVATIONS, ids=IDS)
def test_activation_shape_inference_and_dtype_error(fn, np_fn, op_type):
    y = fn(tf.placeholder(tf.float32, [None, 4]))
    assert y.shape.as_list() == [None, 4] and y.dtype == tf.float32
    with pytest.raises(TypeError, match=op_type):
        fn(tf.constant(["a", "b"]))


@pytest.mark.parametrize("fn, np_fn, op_type", ACTIVATIONS, ids=IDS)
def test_activation_gradient_matches_finite_differences(sess, fn, np_fn, op_type):
    x = tf.placeholder(F64, [2, 3])
    check_gradients(fn(x), [x], [X])


def test_softmax_rejects_scalar_and_handles_large_logits(sess):
    with pytest.raises(ValueError, match="logits must have >= 1 dimension"):
        tf.nn.softmax(tf.constant(1.0))
    out = sess.run(tf.nn.softmax(tf.constant([1000.0, 0.0])))
    np.testing.assert_allclose(out, [1.0, 0.0])
    out = sess.run(tf.nn.log_softmax(tf.constant([1000.0, 0.0])))
    np.testing.assert_allclose(out, [0.0, -1000.0])


def test_softmax_over_a_non_last_axis(sess):
    x = tf.placeholder(F64, [2, 3])
    y = tf.nn.softmax(x, axis=0)
    np.testing.assert_allclose(sess.run(y, {x: X}), np_softmax(X.T).T)
    np.testing.assert_allclose(sess.run(tf.nn.log_softmax(x, dim=0), {x: X}),
                               np_log_softmax(X.T).T)
    check_gradients(y, [x], [X])


def test_relu_and_relu6_gradients_are_zero_at_the_kinks(sess):
    # TF: relu'([-1, 0, 2]) = [0, 0, 1]; relu6' at [0, 6, 3, 7] = [0, 0, 1, 0].
    x = tf.constant([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(sess.run(tf.gradients(tf.nn.relu(x), x)[0]), [0, 0, 1])
    x6 = tf.constant([0.0, 6.0, 3.0, 7.0])
    np.testing.assert_array_equal(sess.run(tf.gradients(tf.nn.relu6(x6), x6)[0]), [0, 0, 1, 0])


def test_leaky_relu_alpha_is_an_attribute(sess):
    y = tf.nn.leaky_relu(tf.constant([-2.0, 3.0]), alpha=0.1)
    assert y.op.get_attr("alpha") == pytest.approx(0.1)
    np.testing.assert_allclose(sess.run(y), [-0.2, 3.0])


def test_softmax_gradient_measured_value(sess):
    # TF's softmax gradient.
    logits = tf.constant(LOGITS, tf.float32)
    g = tf.constant([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    d, = tf.gradients(tf.nn.softmax(logits), logits, grad_ys=g)
    np.testing.assert_allclose(sess.run(d), [[0.08192507, -0.02203305, -0.05989202],
                                             [-0.11111112, -0.11111112, 0.22222221]],
                               rtol=1e-5, atol=1e-7)


# -- bias_add, in_top_k, top_k -------------------------------------------------------------
def test_bias_add_forward_shapes_and_errors(sess):
    y = tf.nn.bias_add(tf.placeholder(tf.float32, [None, 3]), tf.constant([1.0, 2.0, 3.0]))
    assert y.op.type == "BiasAdd" and y.shape.as_list() == [None, 3]
    np.testing.assert_allclose(sess.run(y, {"Placeholder:0": X}), X + [1, 2, 3], rtol=1e-6)
    with pytest.raises(ValueError, match="bias must be 1-D"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([1, 3]))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([4]))
    with pytest.raises(ValueError, match="at least rank 2"):
        tf.nn.bias_add(tf.zeros([3]), tf.zeros([3]))


def test_bias_add_gradients_nhwc_and_nchw(sess):
    value, bias = tf.placeholder(F64, [2, 2, 3]), tf.placeholder(F64, [3])
    v, b = np.arange(12.0).reshape(2, 2, 3) / 7, np.array([0.1, -0.2, 0.3])
    check_gradients(tf.nn.bias_add(value, bias), [value, bias], [v, b])
    bias2 = tf.placeholder(F64, [2])
    y = tf.nn.bias_add(value, bias2, data_format="NCHW")
    np.testing.assert_allclose(sess.run(y, {value: v, bias2: [1.0, 2.0]}),
                               v + np.array([1.0, 2.0])[None, :, None])
    check_gradients(y, [value, bias2], [v, np.array([1.0, 2.0])])


def test_bias_add_with_unknown_rank_reduces_all_but_last_axis(sess):
    value, bias = tf.placeholder(F64), tf.placeholder(F64, [3])
    db, = tf.gradients(tf.nn.bias_add(value, bias), bias)
    np.testing.assert_allclose(sess.run(db, {value: np.ones((2, 2, 3)), bias: np.zeros(3)}),
                               [4.0, 4.0, 4.0])


def test_in_top_k_counts_ties_as_in(sess):
    predictions = [[0.1, 0.3, 0.3, 0.2], [0.5, 0.1, 0.1, 0.0], [0.2, np.nan, 0.1, 0.3]]
    y = tf.nn.in_top_k(predictions, [2, 1, 1], 1)
    assert y.op.type == "InTopKV2" and y.dtype == tf.bool and y.shape.as_list() == [3]
    np.testing.assert_array_equal(sess.run(y), [True, False, False])
    np.testing.assert_array_equal(sess.run(tf.nn.in_top_k(predictions, [3, 2, 0], 2)),
                                  [False, True, True])
    # An out-of-range target is never in the top k.
    np.testing.assert_array_equal(sess.run(tf.nn.in_top_k(predictions, [7, 0, 0], 4)),
                                  [False, True, True])


def test_in_top_k_shape_errors_and_no_gradient():
    with pytest.raises(ValueError, match="in_top_k needs"):
        tf.nn.in_top_k(tf.zeros([3]), [0, 1, 2], 1)
    with pytest.raises(ValueError, match="First dimension"):
        tf.nn.in_top_k(tf.zeros([2, 4]), [0, 1, 2], 1)
    p = tf.placeholder(tf.float32, [2, 3])
    assert tf.gradients(tf.cast(tf.nn.in_top_k(p, [0, 1], 1), tf.float32), p) == [None]


# -- the tf.nn namespace, top_k, ReluGrad ---------------------------------------------------


def test_nn_namespace_lists_every_public_name():
    for name in ["relu", "relu6", "leaky_relu", "elu", "softplus", "sigmoid", "tanh", "softmax",
                 "log_softmax", "softmax_cross_entropy_with_logits",
                 "softmax_cross_entropy_with_logits_v2",
                 "sparse_softmax_cross_entropy_with_logits",
                 "sigmoid_cross_entropy_with_logits", "l2_loss", "bias_add", "in_top_k",
                 "dropout", "moments", "l2_normalize", "embedding_lookup", "xw_plus_b"]:
        assert name in tf.nn.__all__ and callable(getattr(tf.nn, name))
    assert tf.nn.sigmoid is tf.sigmoid


def test_top_k_values_indices_ties_and_shapes(sess):
    x = tf.constant([[1.0, 3.0, 3.0, 2.0], [0.0, -1.0, 5.0, 4.0]])
    values, indices = tf.nn.top_k(x, 2)
    assert values.op.type == "TopKV2" and values.shape.as_list() == [2, 2]
    assert indices.dtype == tf.int32
    out = sess.run([values, indices])
    np.testing.assert_array_equal(out[0], [[3.0, 3.0], [5.0, 4.0]])
    np.testing.assert_array_equal(out[1], [[1, 2], [2, 3]])  # lower index first among ties
    ints = sess.run(tf.nn.top_k(tf.constant([4, 9, 1]), 3)[1])
    np.testing.assert_array_equal(ints, [1, 0, 2])
    with pytest.raises(ValueError, match="at least k columns"):
        tf.nn.top_k(x, 5)
    k, data = tf.placeholder(tf.int32, []), tf.placeholder(tf.float32, [None, 4])
    values, _ = tf.nn.top_k(data, k)
    assert values.shape.as_list() == [None, None]
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least k columns"):
        sess.run(values, {k: 6, data: np.zeros((1, 4))})


def test_top_k_gradient_scatters_back_to_the_chosen_entries(sess):
    x = tf.placeholder(F64, [2, 3])
    values, indices = tf.nn.top_k(x, 2)
    assert tf.gradients(tf.cast(indices, F64), x) == [None]
    check_gradients(values, [x], [X])


def test_relu_gradient_is_one_fused_relugrad_op_and_differentiable_again(sess):
    x = tf.placeholder(tf.float64, [3])
    g = tf.placeholder(tf.float64, [3])
    dx, = tf.gradients(tf.nn.relu(x), [x], grad_ys=[g])
    assert dx.op.type == "ReluGrad"
    np.testing.assert_array_equal(sess.run(dx, {x: [-1.0, 0.0, 2.0], g: [5.0, 5.0, 5.0]}),
                                  [0.0, 0.0, 5.0])
    ddg, = tf.gradients(tf.reduce_sum(dx * dx), [g])  # d/dg sum((g * mask)^2) = 2 g mask
    np.testing.assert_array_equal(sess.run(ddg, {x: [-1.0, 0.0, 2.0], g: [1.0, 2.0, 3.0]}),
                                  [0.0, 0.0, 6.0])


@pytest.mark.parametrize("data_format, shape", [("NHWC", [2, 3, 2, 4]), ("NCHW", [2, 4, 3, 2])])
def test_bias_add_grad_op_sums_per_channel_and_has_a_gradient(sess, data_format, shape):
    value, bias = tf.placeholder(F64, shape), tf.placeholder(F64, [4])
    y = tf.nn.bias_add(value, bias, data_format=data_format)
    dy = tf.placeholder(F64, shape)
    db = tf.gradients(y, bias, grad_ys=dy)[0]
    assert db.op.type == "BiasAddGrad" and db.shape.as_list() == [4]
    g = np.random.default_rng(0).normal(size=shape)
    axes = (0, 1, 2) if data_format == "NHWC" else (0, 2, 3)
    np.testing.assert_allclose(sess.run(db, {dy: g}), g.sum(axis=axes), rtol=1e-12)
    w = tf.constant(np.arange(4.0))
    check_gradients(tf.reduce_sum(db * w), [dy], [g])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_grad_kernel_matches_its_reference_bit_for_bit(dtype):
    rng = np.random.default_rng(3)
    g = rng.standard_normal(1000).astype(dtype)
    y = np.maximum(rng.standard_normal(1000), 0).astype(dtype)
    y[:10] = 0.0  # ties at zero get no gradient; negative g there gives -0.0 in both
    g[:5] = -1.0
    fast, plain = ReluGrad.compute(g, y), ReluGrad.reference(g, y)
    assert fast.dtype == plain.dtype == dtype
    assert np.array_equal(fast.view(np.uint8), plain.view(np.uint8))
    assert np.signbit(fast[:5]).all()  # -0.0, as TF's g * (features > 0)
