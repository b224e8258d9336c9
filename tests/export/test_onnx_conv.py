"""ONNX export of the convolution family: ONNX Runtime runs conv2d with dilated SAME padding,
conv2d_transpose ("Conv2DBackpropInput" -> ConvTranspose) and LRN and gives minigraph's
values."""

import numpy as np
import pytest

import minigraph as tf

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
import minigraph.onnx as mg_onnx  # noqa: E402

RNG = np.random.default_rng(11)


def weights(*shape):
    return tf.constant(RNG.standard_normal(shape).astype(np.float32))


CASES = {
    "conv2d_dilated_same": lambda x: tf.nn.conv2d(x, weights(2, 3, 4, 2), 1, "SAME",
                                                  dilations=[1, 3, 2, 1]),
    "depthwise_dilated": lambda x: tf.nn.depthwise_conv2d(x, weights(3, 3, 4, 1),
                                                          [1, 1, 1, 1], "SAME", rate=[2, 2]),
    "transpose_same_odd": lambda x: tf.nn.conv2d_transpose(x, weights(4, 3, 3, 4),
                                                           [2, 17, 16, 3], [1, 2, 2, 1]),
    "transpose_valid": lambda x: tf.nn.conv2d_transpose(x, weights(3, 2, 2, 4), [2, 19, 17, 2],
                                                        [1, 2, 2, 1], "VALID"),
    "transpose_explicit": lambda x: tf.nn.conv2d_transpose(
        x, weights(3, 3, 2, 4), [2, 16, 15, 2], [1, 2, 2, 1], [[0, 0], [1, 2], [1, 1], [0, 0]]),
    "transpose_layer_dilated": lambda x: tf.nn.conv2d_transpose(
        x, weights(3, 3, 2, 4), [2, 9, 8, 2], 1, "SAME", dilations=2),
    "lrn_cifar": lambda x: tf.nn.lrn(x, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75),
}


@pytest.mark.parametrize("case", CASES)
def test_onnx_runtime_gives_minigraphs_values(case, tmp_path):
    x = tf.placeholder(tf.float32, [2, 9, 8, 4], name="x")
    y = CASES[case](x)
    feed = RNG.standard_normal((2, 9, 8, 4)).astype(np.float32)
    path = str(tmp_path / "model.onnx")
    with tf.Session() as sess:
        expected = sess.run(y, {x: feed})
        mg_onnx.export(sess, [x], [y], path)
    onnx.checker.check_model(onnx.load(path))
    runtime = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    got = runtime.run(None, {"x:0": feed})[0]
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_dilated_same_padding_needs_a_static_image_size():
    x = tf.placeholder(tf.float32, [None, None, None, 4], name="x")
    y = tf.nn.conv2d(x, weights(3, 3, 4, 2), 1, "SAME", dilations=2)
    with tf.Session() as sess, pytest.raises(ValueError, match="needs the input's height and "
                                                              "width.*Fix: give the input"):
        mg_onnx.export(sess, [x], [y])
