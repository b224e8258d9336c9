"""FusedBatchNorm / FusedBatchNormV3 and tf.nn.batch_normalization: values and gradients
against TensorFlow 1.x (tests/data/record_batch_norm.py -> batch_norm.json), shape inference
and its errors, finite-difference gradients (first and second order)."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients
from minigraph.ops.normalization_ops import FusedBatchNorm, FusedBatchNormV3

DATA = json.loads((pathlib.Path(__file__).parent.parent / "data" / "batch_norm.json")
                  .read_text())
IN = {k: np.asarray(v, np.float32) for k, v in DATA["inputs"].items()}
TF = DATA["values"]


def as_format(value, fmt):
    return value if fmt == "NHWC" else np.transpose(value, [0, 3, 1, 2])


@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("mode", ["train", "infer"])
def test_fused_batch_norm_and_its_gradients_match_tensorflow(sess, fmt, mode):
    x = tf.constant(as_format(IN["x4"], fmt))
    stats = [] if mode == "train" else [IN["mean"], IN["var"]]
    y, m, v = tf.nn.fused_batch_norm(x, IN["scale"], IN["offset"], *stats, epsilon=1e-3,
                                     data_format=fmt, is_training=mode == "train")
    assert y.op.type == "FusedBatchNormV3" and y.shape == x.shape and m.shape.as_list() == [4]
    scale = y.op.inputs[1]
    grads = tf.gradients(y, [x, scale, y.op.inputs[2]], tf.constant(as_format(IN["dy"], fmt)))
    got = sess.run([[y, m, v], grads])
    for ours, theirs in zip(got[0] + got[1], TF[f"fused/{mode}/{fmt}"]
                            + TF[f"fused/{mode}/{fmt}/grads"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=2e-6)


def test_training_variance_output_carries_bessels_correction(sess):
    _, _, v = tf.nn.fused_batch_norm(IN["x4"], IN["scale"], IN["offset"])
    n = 2 * 3 * 2
    np.testing.assert_allclose(sess.run(v), IN["x4"].var(axis=(0, 1, 2)) * n / (n - 1),
                               rtol=1e-5)


def test_batch_normalization_matches_tensorflow(sess):
    x = tf.constant(IN["x4"])
    y = tf.nn.batch_normalization(x, IN["mean"], IN["var"], IN["offset"], IN["scale"], 1e-3)
    dx, = tf.gradients(y, [x], tf.constant(IN["dy"]))
    got_y, got_dx = sess.run([y, dx])
    np.testing.assert_allclose(got_y, TF["batch_normalization"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_dx, TF["batch_normalization/grads"][0], rtol=1e-5)


@pytest.mark.parametrize("op_class", [FusedBatchNorm, FusedBatchNormV3])
@pytest.mark.parametrize("training", [True, False])
def test_fused_ops_finite_difference_gradients(sess, op_class, training):
    rng = np.random.RandomState(0)
    x = tf.placeholder(tf.float64, [2, 2, 3, 3])
    scale = tf.placeholder(tf.float64, [3])
    offset = tf.placeholder(tf.float64, [3])
    mean, var = (rng.randn(3), rng.rand(3) + 0.5) if training is False else ([], [])
    outs = op_class.apply([x, scale, offset, tf.constant(mean, tf.float64),
                           tf.constant(var, tf.float64)], epsilon=1e-3, data_format="NHWC",
                          is_training=training)
    assert len(outs) == (6 if op_class is FusedBatchNormV3 else 5)
    assert outs[0].op.type in ("FusedBatchNorm", "FusedBatchNormV3")
    weights = tf.constant(rng.randn(2, 2, 3, 3))
    loss = tf.reduce_sum(outs[0] * weights)
    values = [rng.randn(2, 2, 3, 3), rng.randn(3), rng.randn(3)]
    check_gradients(loss, [x, scale, offset], values)
    # Second order: the gradient is built from graph ops.
    dx, = tf.gradients(loss, [x])
    check_gradients(tf.reduce_sum(dx * dx), [x, scale], values[:2],
                    feed_dict={offset: values[2]})


def test_fused_batch_norm_shape_errors():
    with pytest.raises(ValueError, match="4-dimensional"):
        tf.nn.fused_batch_norm(tf.zeros([2, 3]), [1.0, 1.0, 1.0], [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="scale must be a vector of 3 channels"):
        tf.nn.fused_batch_norm(tf.zeros([2, 2, 2, 3]), [1.0, 1.0], [0.0, 0.0])
    with pytest.raises(ValueError, match="'mean' and 'variance'"):
        tf.nn.fused_batch_norm(tf.zeros([2, 2, 2, 3]), [1.0] * 3, [0.0] * 3, is_training=False)
    with pytest.raises(TypeError):
        tf.nn.fused_batch_norm(tf.zeros([2, 2, 2, 3], tf.int32), [1.0] * 3, [0.0] * 3)
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.fused_batch_norm(tf.zeros([2, 2, 2, 3]), [1.0] * 3, [0.0] * 3, data_format="NC")


def test_exponential_avg_factor_blends_the_running_statistics(sess):
    x = np.random.RandomState(4).randn(2, 2, 2, 3).astype(np.float32)
    old_mean, old_var = np.ones(3, np.float32), np.full(3, 2.0, np.float32)
    _, m, v = tf.nn.fused_batch_norm(x, np.ones(3, np.float32), np.zeros(3, np.float32),
                                     old_mean, old_var, exponential_avg_factor=0.25)
    n = 8
    np.testing.assert_allclose(sess.run(m), 0.75 * old_mean + 0.25 * x.mean((0, 1, 2)),
                               rtol=1e-5)
    np.testing.assert_allclose(sess.run(v), 0.75 * old_var + 0.25 * x.var((0, 1, 2)) * n
                               / (n - 1), rtol=1e-5)
