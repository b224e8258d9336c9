"""tf.contrib.layers: initializers (formulas and sample statistics), regularizers, and layers
with contrib's variable names and values (checked against the equivalent core ops; the TF
install used for recordings is TF 2.x, which no longer ships tf.contrib)."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf

C = tf.contrib.layers
BN = json.loads((pathlib.Path(__file__).parent.parent / "data" / "batch_norm.json").read_text())


def sample(initializer, shape, sess):
    return sess.run(initializer(shape))


def test_xavier_and_variance_scaling_initializers_have_contribs_spread(sess):
    tf.set_random_seed(1)
    uniform = sample(C.xavier_initializer(), [200, 300], sess)
    limit = np.sqrt(6.0 / 500)
    assert uniform.min() >= -limit and uniform.max() <= limit
    assert abs(uniform.std() - limit / np.sqrt(3)) < 0.02 * limit
    he = sample(C.variance_scaling_initializer(), [3, 3, 64, 128], sess)   # FAN_IN, truncated
    std = np.sqrt(1.3 * 2.0 / (3 * 3 * 64))
    assert np.abs(he).max() <= 2 * std + 1e-6                    # truncated at two stddevs
    assert abs(he.std() - std * 0.8796) < 0.03 * std             # truncation shrinks the spread
    normal = sample(C.xavier_initializer(uniform=False), [400, 400], sess)
    assert abs(normal.std() - np.sqrt(1.3 / 400) * 0.8796) < 0.02 * np.sqrt(1.3 / 400)
    assert C.xavier_initializer_conv2d is C.xavier_initializer
    with pytest.raises(TypeError, match="Unknown mode"):
        C.variance_scaling_initializer(mode="fan_in")


def test_regularizers(sess):
    w = tf.constant([[1.0, -2.0], [3.0, 0.5]])
    l2, l1 = C.l2_regularizer(0.1)(w), C.l1_regularizer(0.5)(w)
    assert l2.op.name == "l2_regularizer" and l1.op.name == "l1_regularizer"
    assert sess.run(l2) == pytest.approx(0.1 * (1 + 4 + 9 + 0.25) / 2)
    assert sess.run(l1) == pytest.approx(0.5 * 6.5)
    assert C.l2_regularizer(0.0)(w) is None
    with pytest.raises(ValueError, match="integer"):
        C.l2_regularizer(1)
    with pytest.raises(ValueError, match="less than 0"):
        C.l1_regularizer(-0.1)


def test_fully_connected_names_values_and_regularization(sess):
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5)
    h = C.fully_connected(x, 4, weights_regularizer=C.l2_regularizer(0.01))
    h2 = C.fully_connected(h, 2, activation_fn=None, scope="out")
    names = [v.name for v in tf.global_variables()]
    assert names == ["fully_connected/weights:0", "fully_connected/biases:0",
                     "out/weights:0", "out/biases:0"]
    assert tf.model_variables() == tf.global_variables()
    sess.run(tf.global_variables_initializer())
    w, b, w2, b2 = sess.run(tf.global_variables())
    got, got2 = sess.run([h, h2])
    np.testing.assert_allclose(got, np.maximum(sess.run(x) @ w + b, 0), rtol=1e-6)
    np.testing.assert_allclose(got2, got @ w2 + b2, rtol=1e-5)
    reg, = tf.losses.get_regularization_losses()
    assert sess.run(reg) == pytest.approx(0.01 * np.sum(w ** 2) / 2, rel=1e-5)


def test_conv2d_and_flatten(sess):
    images = np.random.RandomState(0).randn(2, 5, 5, 3).astype(np.float32)
    h = C.conv2d(images, 4, [3, 3], stride=2, activation_fn=None)
    flat = C.flatten(h)
    assert [v.name for v in tf.global_variables()] == ["Conv/weights:0", "Conv/biases:0"]
    assert h.shape.as_list() == [2, 3, 3, 4] and flat.shape.as_list() == [2, 36]
    assert flat.op.name.startswith("Flatten/")
    sess.run(tf.global_variables_initializer())
    w = sess.run(tf.global_variables()[0])
    expected = tf.nn.conv2d(images, w, [1, 2, 2, 1], "SAME")
    np.testing.assert_allclose(sess.run(h), sess.run(expected), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sess.run(flat), sess.run(h).reshape(2, -1))


def test_batch_norm_matches_the_fused_layer_and_wires_updates(sess):
    x4 = np.asarray(BN["inputs"]["x4"], np.float32)
    y = C.batch_norm(x4, decay=0.9, scale=True, is_training=True)
    y_in_place = C.batch_norm(x4, updates_collections=None, scope="inplace")
    assert [v.name for v in tf.global_variables()[:4]] == [
        "BatchNorm/gamma:0", "BatchNorm/beta:0", "BatchNorm/moving_mean:0",
        "BatchNorm/moving_variance:0"]
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 2
    sess.run(tf.global_variables_initializer())
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        step = tf.identity(y)
    for _ in range(3):
        out = sess.run(step)
    # The same computation as tf.layers.batch_normalization(momentum=0.9), recorded from TF.
    np.testing.assert_allclose(out, BN["values"]["train_outputs"][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sess.run("BatchNorm/moving_variance:0"), BN["values"]["moving"][1],
                               rtol=1e-5)
    sess.run(y_in_place)
    assert not np.allclose(sess.run("inplace/moving_mean:0"), 0.0)


def test_batch_norm_of_a_matrix_uses_the_fused_op(sess):
    x = np.asarray(BN["inputs"]["x2"], np.float32)
    y = C.batch_norm(x, is_training=True, updates_collections=None)
    sess.run(tf.global_variables_initializer())
    out = sess.run(y)
    np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-4,
                               atol=1e-5)
    n = x.shape[0]   # rank 2 goes through FusedBatchNormV3: Bessel-corrected moving variance
    np.testing.assert_allclose(sess.run("BatchNorm/moving_variance:0"),
                               0.999 + 0.001 * x.var(0) * n / (n - 1), rtol=1e-6)


def test_contrib_holds_nothing_else():
    assert tf.contrib.__all__ == ["layers", "rnn"]
    with pytest.raises(AttributeError, match="holds only tf.contrib.layers"):
        _ = tf.contrib.slim
    with pytest.raises(AttributeError, match="tf.contrib.rnn"):
        _ = tf.contrib.framework
    with pytest.raises(AttributeError, match="tf.contrib.layers.embed_sequence"):
        _ = tf.contrib.layers.embed_sequence
