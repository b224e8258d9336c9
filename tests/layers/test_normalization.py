"""tf.layers.batch_normalization (variables, UPDATE_OPS, training as bool or tensor) and
tf.train.ExponentialMovingAverage, against TensorFlow 1.x values recorded by
tests/data/record_batch_norm.py (tests/data/batch_norm.json)."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf

DATA = json.loads((pathlib.Path(__file__).parent.parent / "data" / "batch_norm.json").read_text())
IN = {k: np.asarray(v, np.float32) for k, v in DATA["inputs"].items()}
TF = DATA["values"]


def build_layers():
    x4, x2 = tf.placeholder(tf.float32, [None, 3, 2, 4]), tf.placeholder(tf.float32, [None, 3])
    training = tf.placeholder(tf.bool, [])
    y4 = tf.layers.batch_normalization(x4, training=True, momentum=0.9)
    y2 = tf.layers.batch_normalization(x2, training=training, epsilon=0.01, name="bn2d")
    y_inf = tf.layers.batch_normalization(x2, training=False, name="bn2d", reuse=True)
    y_c = tf.layers.batch_normalization(x4, axis=1, training=True, center=False, scale=False)
    return x4, x2, training, y4, y2, y_inf, y_c


def test_variable_names_and_update_ops_are_tfs():
    *_, y4, y2, y_inf, y_c = build_layers()
    assert [v.name for v in tf.global_variables()] == TF["variables"]
    assert [v.name for v in tf.trainable_variables()] == TF["trainable"]
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 6 and updates[0].name == "batch_normalization/AssignMovingAvg"
    assert all(isinstance(u, tf.Operation) for u in updates)
    assert y4.op.type == "FusedBatchNormV3" and y2.op.type == "AddV2"  # 2-D: not fused


def test_training_updates_and_inference_match_tensorflow(sess):
    x4, x2, training, y4, y2, y_inf, y_c = build_layers()
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    sess.run(tf.global_variables_initializer())
    with tf.control_dependencies(update_ops):
        step = tf.identity(y4)
    feed = {x4: IN["x4"], x2: IN["x2"], training: True}
    for _ in range(3):
        outs = sess.run([step, y2, y_c], feed)
    for ours, theirs in zip(outs, TF["train_outputs"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    moving = sess.run([v for v in tf.global_variables() if "moving" in v.name])
    for ours, theirs in zip(moving, TF["moving"]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)
    before = sess.run(tf.global_variables())
    np.testing.assert_allclose(sess.run(y2, {x2: IN["x2"], training: False}),
                               TF["inference_tensor"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sess.run(y_inf, {x2: IN["x2"]}), TF["inference_bool"],
                               rtol=1e-5, atol=1e-6)
    # Running the update ops with training False changes no moving statistic.
    sess.run(update_ops[2:4], {x2: IN["x2"], training: False})
    for a, b in zip(before, sess.run(tf.global_variables())):
        np.testing.assert_array_equal(a, b)


def test_minimize_under_update_ops_trains_gamma_and_moves_statistics(sess):
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.layers.batch_normalization(tf.layers.dense(x, 3), training=True)
    loss = tf.reduce_mean(tf.square(y - 1.0))
    with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    sess.run(tf.global_variables_initializer())
    first = sess.run(loss, {x: IN["x2"]})
    for _ in range(20):
        sess.run(train, {x: IN["x2"]})
    assert sess.run(loss, {x: IN["x2"]}) < first
    mean = sess.run(tf.get_default_graph().get_tensor_by_name(
        "batch_normalization/moving_mean:0"))
    assert np.all(mean != 0.0)


def test_batch_normalization_errors():
    with pytest.raises(ValueError, match="not supported"):
        tf.layers.batch_normalization(tf.zeros([2, 3]), renorm=True)
    with pytest.raises(ValueError, match="defined dimension"):
        tf.layers.batch_normalization(tf.placeholder(tf.float32, [2, None]))


def test_exponential_moving_average_matches_tensorflow(sess):
    with tf.variable_scope("ema"):
        w = tf.Variable([1.0, 2.0], name="w")
        b = tf.Variable(3.0, name="b")
        step = tf.Variable(0, name="step", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.9, num_updates=step)
    apply = ema.apply([w, b])
    assert ema.average_name(w) == TF["average_name"] and ema.average(w).name == TF["average"]
    assert sorted(ema.variables_to_restore()) == [
        k for k in TF["restore"] if k.startswith("ema/")]
    assert [v.name for v in tf.moving_average_variables()] == TF["moving_average_variables"]
    sess.run(tf.global_variables_initializer())
    for i in range(3):
        sess.run([w.assign(w * 2.0 + float(i)), b.assign_add(1.0)])
        sess.run(apply)
        sess.run(step.assign_add(1))
        got = sess.run([ema.average(w), ema.average(b)])
        np.testing.assert_allclose(got[0], TF["history"][i][0], rtol=1e-6)
        np.testing.assert_allclose(got[1], TF["history"][i][1], rtol=1e-6)


def test_exponential_moving_average_errors_and_tensors(sess):
    v = tf.Variable(1.0)
    ema = tf.train.ExponentialMovingAverage(0.5)
    ema.apply([v])
    with pytest.raises(ValueError, match="already computed"):
        ema.apply([v])
    with pytest.raises(TypeError, match="half, float, or double"):
        ema.apply([tf.Variable(1)])
    t = tf.constant(4.0) * 1.0
    op = tf.train.ExponentialMovingAverage(0.5).apply([t])
    sess.run(tf.global_variables_initializer())
    sess.run(op)
    assert sess.run(tf.global_variables()[-1]) == 2.0     # from zeros: 0.5 * 0 + 0.5 * 4
    with pytest.raises(ValueError, match="zero_debias"):
        tf.train.ExponentialMovingAverage(0.5, zero_debias=True).apply([t])


def test_layer_class_with_a_training_tensor_in_nchw(sess):
    x = tf.placeholder(tf.float32, [None, 4, 3, 2])
    training = tf.placeholder(tf.bool, [])
    layer = tf.layers.BatchNormalization(axis=1, momentum=0.5, name="bn")
    y = layer(x, training=training)
    assert [v.name for v in layer.variables] == ["bn/gamma:0", "bn/beta:0", "bn/moving_mean:0",
                                                 "bn/moving_variance:0"]
    assert len(layer.updates) == 2 and tf.get_collection(tf.GraphKeys.UPDATE_OPS) == layer.updates
    sess.run(tf.global_variables_initializer())
    data = np.random.RandomState(0).randn(3, 4, 3, 2).astype(np.float32)
    out = sess.run([y] + layer.updates, {x: data, training: True})[0]
    mean, var = data.mean((0, 2, 3)), data.var((0, 2, 3))
    expected = (data - mean[None, :, None, None]) / np.sqrt(var[None, :, None, None] + 1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
    n = data.size // 4
    np.testing.assert_allclose(sess.run(layer.moving_variance), 0.5 + 0.5 * var * n / (n - 1),
                               rtol=1e-5)
    moving = sess.run(layer.moving_mean)
    inferred = sess.run(y, {x: data, training: False})
    np.testing.assert_allclose(inferred, (data - moving[None, :, None, None]) / np.sqrt(
        sess.run(layer.moving_variance)[None, :, None, None] + 1e-3), rtol=1e-4, atol=1e-5)


def test_contrib_batch_norm_with_a_training_tensor(sess):
    x = tf.placeholder(tf.float32, [None, 3])
    is_training = tf.placeholder(tf.bool, [])
    y = tf.contrib.layers.batch_norm(x, is_training=is_training, updates_collections=None,
                                     decay=0.5)
    sess.run(tf.global_variables_initializer())
    sess.run(y, {x: IN["x2"], is_training: False})
    assert np.all(sess.run("BatchNorm/moving_mean:0") == 0.0)       # inference: no update
    sess.run(y, {x: IN["x2"], is_training: True})
    np.testing.assert_allclose(sess.run("BatchNorm/moving_mean:0"), 0.5 * IN["x2"].mean(0),
                               rtol=1e-5)
