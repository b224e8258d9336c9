"""Convolution family: Conv2D and its backprop ops, depthwise/separable convolutions and the
tf.nn composites (conv1d, conv2d_transpose, atrous_conv2d).

Finite-difference checks run on float64 placeholders, reduced to a scalar through fixed random
weights so each check needs few runs. Values against real TensorFlow are in test_conv_tf.py.
"""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

RNG = np.random.default_rng(7)


def weighted_sum(y, seed=1):
    """A scalar that depends on every element of `y` with a different weight."""
    w = np.random.default_rng(seed).normal(size=y.shape.as_list())
    return tf.reduce_sum(y * tf.constant(w))


def placeholders(*shapes):
    return [tf.placeholder(tf.float64, s) for s in shapes]


def np_conv2d(x, w, stride=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1)):
    """Direct-loop reference convolution (NHWC, slow, only for tiny shapes)."""
    x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    kh, kw = w.shape[:2]
    oh = (x.shape[1] - (kh - 1) * dilation[0] - 1) // stride[0] + 1
    ow = (x.shape[2] - (kw - 1) * dilation[1] - 1) // stride[1] + 1
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for r in range(oh):
        for c in range(ow):
            for i in range(kh):
                for j in range(kw):
                    pixel = x[:, r * stride[0] + i * dilation[0], c * stride[1] + j * dilation[1]]
                    out[:, r, c] += pixel @ w[i, j]
    return out


CONV_CASES = [
    (dict(strides=[1, 1, 1, 1], padding="VALID"), (1, 1), ((0, 0), (0, 0)), (1, 1)),
    (dict(strides=[1, 2, 2, 1], padding="SAME"), (2, 2), ((1, 1), (0, 0)), (1, 1)),
    (dict(strides=2, padding=[[0, 0], [1, 2], [0, 1], [0, 0]]), (2, 2), ((1, 2), (0, 1)),
     (1, 1)),
    (dict(strides=1, padding="VALID", dilations=2), (1, 1), ((0, 0), (0, 0)), (2, 2)),
]


@pytest.mark.parametrize("kwargs, stride, pads, dilation", CONV_CASES)
def test_conv2d_forward_matches_direct_loop(sess, kwargs, stride, pads, dilation):
    x, w = RNG.normal(size=(2, 7, 6, 3)), RNG.normal(size=(3, 2, 3, 4))
    y = tf.nn.conv2d(tf.constant(x), tf.constant(w), **kwargs)
    assert y.op.type == "Conv2D"
    expected = np_conv2d(x, w, stride, pads, dilation)
    assert y.shape.as_list() == list(expected.shape)
    np.testing.assert_allclose(sess.run(y), expected, rtol=1e-10, atol=1e-10)


def test_conv2d_nchw_is_the_transposed_nhwc_result(sess):
    x, w = RNG.normal(size=(2, 5, 6, 3)), RNG.normal(size=(3, 3, 3, 2))
    nhwc = tf.nn.conv2d(x, w, strides=[1, 2, 1, 1], padding="SAME")
    nchw = tf.nn.conv2d(x.transpose(0, 3, 1, 2), w, strides=[1, 1, 2, 1], padding="SAME",
                        data_format="NCHW")
    assert nchw.shape.as_list() == [2, 2, 3, 6]
    a, b = sess.run([nhwc, nchw])
    np.testing.assert_allclose(b, a.transpose(0, 3, 1, 2), rtol=1e-12)


@pytest.mark.parametrize("kwargs", [c[0] for c in CONV_CASES] + [
    dict(strides=[1, 1, 2, 1], padding="SAME", data_format="NCHW"),
    dict(strides=[1, 2, 1, 1], padding="SAME", dilations=[1, 2, 1, 1]),
    # stride 1: the input gradient is a convolution, unless a pad is wider than the window
    dict(strides=1, padding=[[0, 0], [1, 0], [0, 2], [0, 0]], dilations=[1, 1, 2, 1]),
    dict(strides=1, padding=[[0, 0], [3, 1], [0, 0], [0, 0]])])
def test_conv2d_gradients_match_finite_differences(sess, kwargs):
    nchw = kwargs.get("data_format") == "NCHW"
    x, w = placeholders((1, 3, 5, 4) if nchw else (1, 5, 4, 3), (3, 2, 3, 2))
    y = weighted_sum(tf.nn.conv2d(x, w, **kwargs))
    check_gradients(y, [x, w], [RNG.normal(size=x.shape.as_list()),
                                RNG.normal(size=w.shape.as_list())])


def test_conv2d_gradient_ops_are_the_backprop_ops_and_second_order_works(sess):
    x, w = placeholders((1, 5, 4, 2), (3, 3, 2, 2))
    y = weighted_sum(tf.nn.conv2d(x, w, strides=[1, 2, 2, 1], padding="SAME"))
    dx, dw = tf.gradients(y, [x, w])
    assert dx.op.type == "Conv2DBackpropInput" and dw.op.type == "Conv2DBackpropFilter"
    assert dx.shape.as_list() == [1, 5, 4, 2] and dw.shape.as_list() == [3, 3, 2, 2]
    # d/dw of sum(dx * c): second order through Conv2DBackpropInput's gradient.
    values = [RNG.normal(size=(1, 5, 4, 2)), RNG.normal(size=(3, 3, 2, 2))]
    check_gradients(weighted_sum(dx, 2) + weighted_sum(dw, 3) * tf.reduce_sum(x), [x, w],
                    values)


@pytest.mark.parametrize("op_type", ["Conv2DBackpropInput", "Conv2DBackpropFilter"])
def test_backprop_ops_gradients_match_finite_differences(sess, op_type):
    x, w, dy = placeholders((1, 5, 5, 2), (2, 3, 2, 3), (1, 3, 3, 3))
    attrs = dict(strides=[1, 2, 2, 1], padding="SAME")
    if op_type == "Conv2DBackpropInput":
        out = tf.nn.conv2d_backprop_input([1, 5, 5, 2], w, dy, **attrs)
        xs = [w, dy]
    else:
        out = tf.nn.conv2d_backprop_filter(x, [2, 3, 2, 3], dy, **attrs)
        xs = [x, dy]
    assert out.op.type == op_type
    check_gradients(weighted_sum(out), xs, [RNG.normal(size=t.shape.as_list()) for t in xs])


def test_conv2d_transpose_is_the_adjoint_of_conv2d(sess):
    x, w, z = RNG.normal(size=(2, 6, 6, 3)), RNG.normal(size=(3, 3, 3, 4)), None
    y = tf.nn.conv2d(x, w, strides=[1, 2, 2, 1], padding="SAME")
    z = RNG.normal(size=y.shape.as_list())
    t = tf.nn.conv2d_transpose(z, w, output_shape=[2, 6, 6, 3], strides=[1, 2, 2, 1])
    assert t.op.type == "Conv2DBackpropInput" and t.op.name == "conv2d_transpose"
    y_val, t_val = sess.run([y, t])
    # <conv(x), z> == <x, conv_transpose(z)>
    np.testing.assert_allclose(np.sum(y_val * z), np.sum(x * t_val), rtol=1e-10)


def test_conv1d_is_conv2d_over_one_row(sess):
    x, w = RNG.normal(size=(2, 9, 3)), RNG.normal(size=(3, 3, 4))
    y = tf.nn.conv1d(x, w, stride=[1, 2, 1], padding="VALID")
    assert y.op.type == "Squeeze" and y.op.name == "conv1d/Squeeze"
    assert y.op.inputs[0].op.name == "conv1d" and y.op.inputs[0].op.type == "Conv2D"
    expected = np_conv2d(x[:, None], w[None], stride=(1, 2))[:, 0]
    np.testing.assert_allclose(sess.run(y), expected, rtol=1e-10)
    ncw = tf.nn.conv1d(x.transpose(0, 2, 1), w, stride=[1, 1, 2], padding="VALID",
                       data_format="NCW")
    np.testing.assert_allclose(sess.run(ncw), expected.transpose(0, 2, 1), rtol=1e-10)


def test_atrous_conv2d_is_a_dilated_convolution(sess):
    x, w = RNG.normal(size=(1, 7, 7, 2)), RNG.normal(size=(3, 3, 2, 1))
    y = tf.nn.atrous_conv2d(x, w, rate=2, padding="VALID")
    np.testing.assert_allclose(sess.run(y), np_conv2d(x, w, dilation=(2, 2)), rtol=1e-10)
    with pytest.raises(ValueError, match="rate 0 cannot be less than one"):
        tf.nn.atrous_conv2d(x, w, rate=0, padding="SAME")


# -- shape inference and errors ----------------------------------------------------------
def test_conv2d_infers_unknown_batch_and_checks_channels():
    x = tf.placeholder(tf.float32, [None, 28, 28, 1])
    w = tf.zeros([5, 5, 1, 32])
    assert tf.nn.conv2d(x, w, [1, 1, 1, 1], "SAME").shape.as_list() == [None, 28, 28, 32]
    assert tf.nn.conv2d(x, w, [1, 3, 3, 1], "VALID").shape.as_list() == [None, 8, 8, 32]
    with pytest.raises(ValueError) as e:
        tf.nn.conv2d(x, tf.zeros([5, 5, 3, 32]), [1, 1, 1, 1], "SAME", name="c1")
    message = str(e.value)
    assert "input depth 1 does not match the filter's in_channels 3" in message
    assert "'c1' (Conv2D)" in message and "test_conv_ops.py" in message and "Fix:" in message


def test_conv2d_window_larger_than_input_is_a_build_error():
    x = tf.placeholder(tf.float32, [1, 3, 3, 1])
    with pytest.raises(ValueError, match="Negative dimension size caused by subtracting 5 "
                                         "from 3.*Fix: use padding='SAME'"):
        tf.nn.conv2d(x, tf.zeros([5, 5, 1, 1]), [1, 1, 1, 1], "VALID")


@pytest.mark.parametrize("kwargs, message", [
    (dict(strides=[2, 1, 1, 1], padding="SAME"), "must be 1 in the batch and depth"),
    (dict(strides=[1, 1, 1], padding="SAME"), "should be of length 1, 2 or 4"),
    (dict(strides=1, padding="FULL"), "padding must be 'SAME', 'VALID'"),
    (dict(strides=1, padding=[[1, 1], [0, 0], [0, 0], [0, 0]]), "batch or depth"),
    (dict(strides=1, padding="SAME", data_format="NWHC"), "data_format must be one of"),
])
def test_conv2d_rejects_bad_attributes(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 1]), tf.zeros([2, 2, 1, 1]), **kwargs)


def test_conv2d_rank_error_says_the_expected_layout():
    with pytest.raises(ValueError, match="input of Conv2D must be rank 4.*NHWC"):
        tf.nn.conv2d(tf.zeros([4, 4, 1]), tf.zeros([2, 2, 1, 1]), 1, "SAME")


def test_conv2d_transpose_checks_output_shape_against_input():
    x = tf.zeros([1, 3, 3, 2])
    with pytest.raises(ValueError, match="out_backprop \\(3, 3\\) does not match the output "
                                         "\\(5, 5\\).*Fix: check output_shape"):
        tf.nn.conv2d_transpose(x, tf.zeros([3, 3, 1, 2]), [1, 5, 5, 1], [1, 1, 1, 1])
    with pytest.raises(ValueError, match="input channels 2 of conv2d_transpose"):
        tf.nn.conv2d_transpose(x, tf.zeros([3, 3, 2, 1]), [1, 3, 3, 2], [1, 1, 1, 1])


def test_conv2d_transpose_with_a_fed_output_shape_checks_at_run_time(sess):
    shape = tf.placeholder(tf.int32, [4])
    t = tf.nn.conv2d_transpose(tf.ones([1, 3, 3, 1]), tf.ones([3, 3, 1, 1]), shape,
                               [1, 2, 2, 1], padding="SAME")
    assert sess.run(t, {shape: [1, 6, 6, 1]}).shape == (1, 6, 6, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not match the output"):
        sess.run(t, {shape: [1, 9, 9, 1]})


# -- depthwise and separable ---------------------------------------------------------------
def np_depthwise(x, w, **kwargs):
    """Each input channel convolved with its own filters, channel-major output order."""
    outs = [np_conv2d(x[..., c:c + 1], w[:, :, c:c + 1, :], **kwargs)
            for c in range(x.shape[3])]
    return np.concatenate(outs, axis=3)


def test_depthwise_conv2d_matches_per_channel_convolutions(sess):
    x, w = RNG.normal(size=(2, 6, 5, 3)), RNG.normal(size=(3, 2, 3, 2))
    y = tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME")
    assert y.op.type == "DepthwiseConv2dNative" and y.op.name == "depthwise"
    assert y.shape.as_list() == [2, 3, 3, 6]
    expected = np_depthwise(x, w, stride=(2, 2), pads=((0, 1), (0, 1)))
    np.testing.assert_allclose(sess.run(y), expected, rtol=1e-10)
    dilated = tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID", rate=[2, 2])
    np.testing.assert_allclose(sess.run(dilated), np_depthwise(x, w, dilation=(2, 2)),
                               rtol=1e-10)
    with pytest.raises(ValueError, match="not supported in conjunction with rate"):
        tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME", rate=[2, 2])


@pytest.mark.parametrize("kwargs", [dict(strides=[1, 1, 1, 1], padding="SAME"),
                                    dict(strides=[1, 2, 1, 1], padding="VALID"),
                                    dict(strides=[1, 1, 2, 2], padding="SAME",
                                         data_format="NCHW")])
def test_depthwise_gradients_match_finite_differences(sess, kwargs):
    shape = (1, 2, 5, 4) if kwargs.get("data_format") == "NCHW" else (1, 5, 4, 2)
    x, w = placeholders(shape, (3, 2, 2, 2))
    y = tf.nn.depthwise_conv2d_native(x, w, **kwargs)
    dx, dw = tf.gradients(weighted_sum(y), [x, w])
    assert dx.op.type == "DepthwiseConv2dNativeBackpropInput"
    assert dw.op.type == "DepthwiseConv2dNativeBackpropFilter"
    check_gradients(weighted_sum(y), [x, w], [RNG.normal(size=shape),
                                              RNG.normal(size=(3, 2, 2, 2))])


def test_depthwise_backprop_ops_have_gradients(sess):
    w, dy, x = placeholders((2, 3, 2, 2), (1, 3, 3, 4), (1, 5, 5, 2))
    attrs = dict(strides=[1, 2, 2, 1], padding="SAME")
    dx = tf.nn.depthwise_conv2d_native_backprop_input([1, 5, 5, 2], w, dy, **attrs)
    dw = tf.nn.depthwise_conv2d_native_backprop_filter(x, [2, 3, 2, 2], dy, **attrs)
    assert dx.shape.as_list() == [1, 5, 5, 2] and dw.shape.as_list() == [2, 3, 2, 2]
    values = [RNG.normal(size=t.shape.as_list()) for t in (w, dy, x)]
    check_gradients(weighted_sum(dx), [w, dy], values[:2])
    check_gradients(weighted_sum(dw), [x, dy], [values[2], values[1]])


def test_separable_conv2d_is_depthwise_then_pointwise(sess):
    x, dw, pw = RNG.normal(size=(1, 5, 5, 2)), RNG.normal(size=(3, 3, 2, 2)), \
        RNG.normal(size=(1, 1, 4, 3))
    y = tf.nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], "VALID")
    assert y.op.type == "Conv2D" and y.op.name == "separable_conv2d"
    np.testing.assert_allclose(sess.run(y), np_conv2d(np_depthwise(x, dw), pw), rtol=1e-10)
    xs = placeholders((1, 4, 4, 2), (2, 2, 2, 2), (1, 1, 4, 3))
    check_gradients(weighted_sum(tf.nn.separable_conv2d(*xs, [1, 1, 1, 1], "SAME")), xs,
                    [RNG.normal(size=t.shape.as_list()) for t in xs])
    with pytest.raises(ValueError, match="pointwise_filter's in_channels 5 must equal"):
        tf.nn.separable_conv2d(x, dw, np.zeros((1, 1, 5, 3)), [1, 1, 1, 1], "VALID")


def test_convolution_and_pool_dispatch_to_conv_and_pooling_ops(sess):
    x, w = RNG.normal(size=(1, 6, 6, 2)), RNG.normal(size=(3, 3, 2, 2))
    y = tf.nn.convolution(x, w, padding="VALID", dilation_rate=[2, 2])
    np.testing.assert_allclose(sess.run(y), np_conv2d(x, w, dilation=(2, 2)), rtol=1e-10)
    signal, w1 = RNG.normal(size=(2, 7, 3)), RNG.normal(size=(2, 3, 1))
    y1 = tf.nn.convolution(signal, w1, padding="VALID", strides=[2])
    np.testing.assert_allclose(sess.run(y1), np_conv2d(signal[:, None], w1[None],
                                                       stride=(1, 2))[:, 0], rtol=1e-10)
    pooled = tf.nn.pool(x, [2, 2], "AVG", "VALID", strides=[2, 2])
    assert pooled.op.type == "AvgPool" and pooled.shape.as_list() == [1, 3, 3, 2]
    assert tf.nn.pool(x, [3, 3], "MAX", "SAME").op.type == "MaxPool"
    with pytest.raises(ValueError, match="1-D and 2-D filters"):
        tf.nn.convolution(np.zeros((1, 4, 4, 4, 1)), np.zeros((2, 2, 2, 1, 1)), "SAME")
    with pytest.raises(ValueError, match="pooling_type must be 'MAX' or 'AVG'"):
        tf.nn.pool(x, [2, 2], "L2", "SAME")


def test_input_gradients_keep_the_static_shape_with_an_unknown_batch():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    y = tf.nn.avg_pool(tf.nn.depthwise_conv2d(tf.nn.conv2d(x, tf.ones([3, 3, 3, 4]), 1, "SAME"),
                                              tf.ones([2, 2, 4, 1]), [1, 1, 1, 1], "SAME"),
                       2, 2, "VALID")
    dx = tf.gradients(tf.reduce_sum(y), x)[0]
    assert dx.op.type == "Conv2DBackpropInput" and dx.shape.as_list() == [None, 8, 8, 3]


def test_run_time_errors_for_shapes_unknown_at_build_time(sess):
    x = tf.placeholder(tf.float32, [None, None, None, None])
    y = tf.nn.conv2d(x, tf.ones([3, 3, 2, 4]), [1, 1, 1, 1], "VALID", name="late")
    assert y.shape.as_list() == [None, None, None, 4]
    assert sess.run(y, {x: np.ones((1, 4, 4, 2))}).shape == (1, 2, 2, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="input depth 3 does not match "
                                                             "the filter's in_channels 2"):
        sess.run(y, {x: np.ones((1, 4, 4, 3))})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Negative dimension size"):
        sess.run(y, {x: np.ones((1, 2, 4, 2))})
    d = tf.nn.depthwise_conv2d(x, tf.ones([1, 1, 2, 3]), [1, 1, 1, 1], "SAME")
    assert d.shape.as_list() == [None, None, None, 6]
