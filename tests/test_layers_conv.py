"""tf.layers conv2d, conv2d_transpose, conv1d, separable_conv2d, max/average_pooling2d and 1d:
variable and op names,
reuse, trainable, values and gradients against a network recorded from TensorFlow
(tests/data/record_conv.py: layers_net), and the argument errors."""

import importlib.util
import json
import pathlib

import numpy as np
import pytest

import minigraph as tf

DATA_DIR = pathlib.Path(__file__).resolve().parent / "data"
DATA = np.load(DATA_DIR / "conv_tf.npz")
META = json.loads(str(DATA["layers/meta"]))
_spec = importlib.util.spec_from_file_location("record_conv", DATA_DIR / "record_conv.py")
record_conv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record_conv)


def build_recorded_net():
    x = tf.placeholder(tf.float32, [None, 8, 8, 2])
    training = tf.placeholder(tf.bool, [])
    return x, training, record_conv.layers_net(tf, x, training)


def test_layer_variable_and_output_names_match_tensorflow():
    _, _, outputs = build_recorded_net()
    assert [[v.op.name, v.shape.as_list()] for v in tf.global_variables()] == META["variables"]
    assert [v.op.name for v in tf.trainable_variables()] == META["trainable"]
    assert [[t.name, t.shape.as_list()] for t in outputs] == META["outputs"]


def test_layer_values_and_gradients_match_tensorflow(sess):
    x, training, outputs = build_recorded_net()
    loss = tf.reduce_sum(outputs[-1] * DATA["layers/weights"])
    grads = tf.gradients(loss, tf.trainable_variables())
    sess.run(tf.global_variables_initializer())
    for v in tf.global_variables():
        v.load(DATA[f"layers/var/{v.op.name}"], sess)
    outs, grad_values = sess.run([outputs, grads], {x: DATA["layers/x"], training: False})
    for i, value in enumerate(outs):
        np.testing.assert_allclose(value, DATA[f"layers/out{i}"], rtol=1e-4, atol=1e-5)
    for v, value in zip(tf.trainable_variables(), grad_values):
        np.testing.assert_allclose(value, DATA[f"layers/grad/{v.op.name}"], rtol=1e-4,
                                   atol=1e-5, err_msg=v.op.name)


def test_default_conv_kernel_is_glorot_uniform_over_the_receptive_field(sess):
    tf.set_random_seed(0)
    tf.layers.conv2d(tf.zeros([1, 8, 8, 16]), 32, 5)
    sess.run(tf.global_variables_initializer())
    kernel, bias = sess.run(tf.global_variables())
    limit = np.sqrt(6.0 / (5 * 5 * 16 + 5 * 5 * 32))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.95 * limit
    assert not bias.any()


def test_conv_layer_class_shares_variables_and_trainable_false_is_respected():
    layer = tf.layers.Conv2D(3, 2, name="shared")
    a = layer(tf.zeros([1, 4, 4, 1]))
    b = layer(tf.ones([1, 4, 4, 1]))
    assert len(tf.global_variables()) == 2 and a.op.name != b.op.name
    frozen = tf.layers.Conv2D(3, 2, trainable=False)
    frozen(tf.zeros([1, 4, 4, 1]))
    assert [v.op.name for v in tf.trainable_variables()] == ["shared/kernel", "shared/bias"]
    assert frozen.non_trainable_variables[0].op.name == "conv2d/kernel"


def test_conv_layer_same_name_without_reuse_raises_and_auto_reuse_shares():
    x = tf.zeros([1, 4, 4, 1])
    tf.layers.conv2d(x, 2, 3, name="c")
    with pytest.raises(ValueError, match="c/kernel already exists"):
        tf.layers.conv2d(x, 2, 3, name="c")
    tf.layers.conv2d(x, 2, 3, name="c", reuse=tf.AUTO_REUSE)
    assert len(tf.global_variables()) == 2


def test_pooling_layers_names_shapes_and_classes():
    x = tf.placeholder(tf.float32, [None, 9, 9, 3])
    m = tf.layers.max_pooling2d(x, 3, 2)
    a = tf.layers.average_pooling2d(x, (2, 3), (1, 2), padding="same")
    c = tf.layers.MaxPooling2D(pool_size=2, strides=2, padding="same", name="pool")(x)
    assert (m.op.type, m.op.name, m.shape.as_list()) == ("MaxPool", "max_pooling2d/MaxPool",
                                                         [None, 4, 4, 3])
    assert (a.op.type, a.op.name, a.shape.as_list()) == ("AvgPool",
                                                         "average_pooling2d/AvgPool",
                                                         [None, 9, 5, 3])
    assert c.op.name == "pool/MaxPool" and c.shape.as_list() == [None, 5, 5, 3]
    assert tf.layers.AveragePooling2D is tf.layers.AvgPool2D


def test_conv2d_transpose_layer_with_unknown_batch_runs(sess):
    x = tf.placeholder(tf.float32, [None, 3, 3, 2])
    y = tf.layers.conv2d_transpose(x, 4, 2, strides=3, padding="valid")
    assert y.shape.as_list() == [None, 9, 9, 4]
    assert [v.shape.as_list() for v in tf.global_variables()] == [[2, 2, 4, 2], [4]]
    sess.run(tf.global_variables_initializer())
    assert sess.run(y, {x: np.ones((5, 3, 3, 2))}).shape == (5, 9, 9, 4)


def test_dropout_training_tensor_in_a_conv_net(sess):
    x = tf.placeholder(tf.float32, [None, 6, 6, 1])
    training = tf.placeholder_with_default(False, [])
    h = tf.layers.dropout(tf.layers.conv2d(x, 8, 3), rate=0.5, training=training)
    sess.run(tf.global_variables_initializer())
    feed = {x: np.ones((4, 6, 6, 1))}
    kept = sess.run(h, feed)
    dropped = sess.run(h, {**feed, training: True})
    assert (kept != 0).mean() > 0.9 and 0.2 < (dropped == 0).mean() < 0.8
    nonzero = dropped != 0
    np.testing.assert_allclose(dropped[nonzero], 2 * kept[nonzero], rtol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    (dict(filters=0, kernel_size=3), "positive integer number of filters"),
    (dict(filters=2, kernel_size=(3, 3, 3)), "`kernel_size` argument must be an int or a tuple "
                                             "of 2"),
    (dict(filters=2, kernel_size=3, padding="full"), "`padding` argument must be 'valid'"),
    (dict(filters=2, kernel_size=3, data_format="NHWC"), "`data_format` argument must be"),
    (dict(filters=2, kernel_size=3, strides=2, dilation_rate=2), "strides > 1 not supported"),
])
def test_conv_layer_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tf.layers.conv2d(tf.zeros([1, 5, 5, 1]), **kwargs)


def test_conv_layer_input_errors_name_the_layer():
    with pytest.raises(ValueError, match="layer 'conv2d'.*expected ndim=4, found ndim=3"):
        tf.layers.conv2d(tf.zeros([5, 5, 1]), 2, 3)
    with pytest.raises(ValueError, match="channel dimension of the inputs to layer "
                                         "'conv2d_1' should be defined"):
        tf.layers.conv2d(tf.placeholder(tf.float32, [1, 5, 5, None]), 2, 3)
    with pytest.raises(TypeError, match="non-floating point dtype int32"):
        tf.layers.conv2d(tf.zeros([1, 5, 5, 1], tf.int32), 2, 3)


def test_conv1d_layer_rank_error_and_1d_pooling_names():
    with pytest.raises(ValueError, match="layer 'conv1d'.*expected ndim=3.*"
                                         "\\[batch, steps, channels\\]"):
        tf.layers.conv1d(tf.zeros([1, 5, 5, 1]), 2, 3)
    seq = tf.placeholder(tf.float32, [None, 9, 4])
    y = tf.layers.MaxPooling1D(3, 2, name="p")(seq)
    assert y.op.name == "p/Squeeze" and y.shape.as_list() == [None, 4, 4]
    z = tf.layers.average_pooling1d(seq, 2, 1, data_format="channels_first")
    assert z.shape.as_list() == [None, 9, 3]


LAYERS = {
    "conv2d": lambda t, f, n: tf.layers.conv2d(t, 4, 3, strides=2, padding="same",
                                               data_format=f, name=n),
    "conv2d_transpose": lambda t, f, n: tf.layers.conv2d_transpose(t, 4, 3, strides=2,
                                                                   data_format=f, name=n),
    "separable_conv2d": lambda t, f, n: tf.layers.separable_conv2d(t, 4, 3, data_format=f,
                                                                   name=n),
}


@pytest.mark.parametrize("kind", LAYERS)
def test_channels_first_layers_are_the_transposed_channels_last_layers(sess, kind):
    x = np.random.default_rng(0).normal(size=(2, 5, 6, 3)).astype(np.float32)
    last = LAYERS[kind](tf.constant(x), "channels_last", "last")
    first = LAYERS[kind](tf.constant(x.transpose(0, 3, 1, 2)), "channels_first", "first")
    sess.run(tf.global_variables_initializer())
    assert len(tf.global_variables("first")) == len(tf.global_variables("last")) >= 2
    for a, b in zip(tf.global_variables("last"), tf.global_variables("first")):
        b.load(sess.run(a), sess)
    np.testing.assert_allclose(sess.run(first), sess.run(last).transpose(0, 3, 1, 2),
                               rtol=1e-5, atol=1e-6)
