"""Train in minigraph, serve with ONNX Runtime: the same predictions from both engines.

Trains a small MLP on scikit-learn's bundled digits, exports the forward graph with its
trained weights (minigraph.onnx.export), runs the .onnx file in ONNX Runtime and prints
both engines' test accuracy and the largest difference between their probabilities.

Run: python examples/onnx_round_trip.py --out onnx_out
Needs the [examples] and [onnx] extras (scikit-learn; onnx and onnxruntime).
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from sklearn.datasets import load_digits

import minigraph as tf
import minigraph.onnx


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="onnx_out", help="output folder (created)")
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    digits = load_digits()
    images = (digits.data / 16.0).astype(np.float32)
    labels = digits.target.astype(np.int64)
    train_x, test_x, train_y, test_y = images[:1400], images[1400:], labels[:1400], labels[1400:]

    x = tf.placeholder(tf.float32, [None, 64], name="images")
    y = tf.placeholder(tf.int64, [None], name="labels")
    hidden = tf.layers.dense(x, 64, activation=tf.nn.relu, name="hidden")
    logits = tf.layers.dense(hidden, 10, name="logits")
    probabilities = tf.nn.softmax(logits, name="probabilities")
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    train_op = tf.train.AdamOptimizer(0.01).minimize(loss)

    rng = np.random.default_rng(0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(args.steps):
            batch = rng.integers(0, len(train_y), 64)
            sess.run(train_op, {x: train_x[batch], y: train_y[batch]})
        ours = sess.run(probabilities, {x: test_x})
        path = os.path.join(args.out, "digits_mlp.onnx")
        minigraph.onnx.export(sess, [x], [probabilities], path)

    import onnxruntime

    runtime = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    theirs = runtime.run(None, {x.name: test_x})[0]
    print(f"wrote {path}")
    print(f"minigraph test accuracy:    {np.mean(ours.argmax(1) == test_y):.4f}")
    print(f"ONNX Runtime test accuracy: {np.mean(theirs.argmax(1) == test_y):.4f}")
    print(f"largest probability difference: {np.abs(ours - theirs).max():.2e}")


if __name__ == "__main__":
    main()
