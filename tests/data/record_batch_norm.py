"""Record batch normalisation and moving-average values from real TensorFlow 1.x (by hand).

Usage: TF_USE_LEGACY_KERAS=1 /path/to/tf-venv/bin/python tests/data/record_batch_norm.py
Writes tests/data/batch_norm.json: inputs, tf.nn.batch_normalization, tf.nn.fused_batch_norm
(training and inference, NHWC and NCHW, with gradients), tf.layers.batch_normalization
(variable names, UPDATE_OPS, moving statistics after updates, training as bool and tensor)
and tf.train.ExponentialMovingAverage (shadow values, names, variables_to_restore).
"""

import json
import pathlib

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
OUT = pathlib.Path(__file__).with_name("batch_norm.json")
rng = np.random.RandomState(3)
X4 = rng.randn(2, 3, 2, 4).round(3).astype(np.float32)       # NHWC, 4 channels
X2 = rng.randn(5, 3).round(3).astype(np.float32)
SCALE = np.array([1.0, 0.5, -2.0, 1.5], np.float32)
OFFSET = np.array([0.1, 0.0, -0.3, 0.2], np.float32)
MEAN = np.array([0.2, -0.1, 0.0, 0.3], np.float32)
VAR = np.array([1.0, 0.5, 2.0, 0.8], np.float32)
DY = rng.randn(2, 3, 2, 4).round(3).astype(np.float32)


def nn_values():
    x, dy = tf.constant(X4), tf.constant(DY)
    scale, offset = tf.constant(SCALE), tf.constant(OFFSET)
    out = {}
    bn = tf.nn.batch_normalization(x, tf.constant(MEAN), tf.constant(VAR), offset, scale, 1e-3)
    out["batch_normalization"] = bn
    out["batch_normalization/grads"] = tf.gradients(bn, [x], dy)
    for fmt in ("NHWC", "NCHW"):
        xin = x if fmt == "NHWC" else tf.transpose(x, [0, 3, 1, 2])
        dyin = dy if fmt == "NHWC" else tf.transpose(dy, [0, 3, 1, 2])
        y, m, v = tf.nn.fused_batch_norm(xin, scale, offset, epsilon=1e-3, data_format=fmt)
        out[f"fused/train/{fmt}"] = [y, m, v]
        out[f"fused/train/{fmt}/grads"] = tf.gradients(y, [xin, scale, offset], dyin)
        y, m, v = tf.nn.fused_batch_norm(xin, scale, offset, tf.constant(MEAN),
                                         tf.constant(VAR), epsilon=1e-3, data_format=fmt,
                                         is_training=False)
        out[f"fused/infer/{fmt}"] = [y, m, v]
        out[f"fused/infer/{fmt}/grads"] = tf.gradients(y, [xin, scale, offset], dyin)
    return out


def layer_values(sess):
    out = {}
    tf.set_random_seed(0)
    x4, x2 = tf.placeholder(tf.float32, [None, 3, 2, 4]), tf.placeholder(tf.float32, [None, 3])
    training = tf.placeholder(tf.bool, [])
    y4 = tf.layers.batch_normalization(x4, training=True, momentum=0.9)
    y2 = tf.layers.batch_normalization(x2, training=training, epsilon=0.01, name="bn2d")
    y_inf = tf.layers.batch_normalization(x2, training=False, name="bn2d", reuse=True)
    y_c = tf.layers.batch_normalization(x4, axis=1, training=True, center=False, scale=False)
    out["variables"] = [v.name for v in tf.global_variables()]
    out["trainable"] = [v.name for v in tf.trainable_variables()]
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    out["update_ops"] = [op.name for op in update_ops]
    sess.run(tf.global_variables_initializer())
    feed = {x4: X4, x2: X2, training: True}
    with tf.control_dependencies(update_ops):
        step = tf.identity(y4)
    outs = []
    for _ in range(3):
        outs.append(sess.run([step, y2, y_c], feed))
    out["train_outputs"] = outs[-1]
    out["moving"] = sess.run([v for v in tf.global_variables() if "moving" in v.name])
    out["inference_tensor"] = sess.run(y2, {x2: X2, training: False})
    out["inference_bool"] = sess.run(y_inf, {x2: X2})
    return out


def ema_values(sess):
    out = {}
    with tf.variable_scope("ema"):
        w = tf.Variable([1.0, 2.0], name="w")
        b = tf.Variable(3.0, name="b")
        step = tf.Variable(0, name="step", trainable=False)
    ema = tf.train.ExponentialMovingAverage(0.9, num_updates=step)
    apply = ema.apply([w, b])
    out["average_name"] = ema.average_name(w)
    out["average"] = ema.average(w).name
    out["restore"] = sorted(ema.variables_to_restore().keys())
    out["moving_average_variables"] = [v.name for v in tf.moving_average_variables()]
    sess.run(tf.variables_initializer([w, b, step] + [ema.average(w), ema.average(b)]))
    history = []
    for i in range(3):
        sess.run([w.assign(w * 2.0 + float(i)), b.assign_add(1.0)])
        sess.run(apply)
        sess.run(step.assign_add(1))
        history.append(sess.run([ema.average(w), ema.average(b)]))
    out["history"] = history
    return out


def main():
    with tf.Session() as sess:
        values = sess.run(nn_values())
        values.update(layer_values(sess))
        values.update(ema_values(sess))
    record = {"inputs": {"x4": X4.tolist(), "x2": X2.tolist(), "scale": SCALE.tolist(),
                         "offset": OFFSET.tolist(), "mean": MEAN.tolist(), "var": VAR.tolist(),
                         "dy": DY.tolist()},
              "tf_version": tf.__version__,
              "values": json.loads(json.dumps(values, default=lambda a: np.asarray(a).tolist()))}
    OUT.write_text(json.dumps(record, indent=0, sort_keys=True))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
