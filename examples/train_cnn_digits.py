"""Train a small CNN on scikit-learn's 8x8 digits, written as a TF1 notebook from 2020 would be.

The compat.v1 header, tf.layers.conv2d / max_pooling2d / batch_normalization / dropout,
the batch-norm moving averages run through UPDATE_OPS with tf.control_dependencies, Adam,
and test accuracy measured both directly and with tf.metrics.accuracy.

Run: python examples/train_cnn_digits.py [--epochs 12] [--seed 0]
Needs scikit-learn (the [examples] extra). The same program runs under TensorFlow 1.x
(`--backend tensorflow --data digits.npz`), which is how TensorFlow's accuracy on it was
measured (see docs/tf1_compat.md).
"""

from __future__ import annotations

import argparse
import importlib

import numpy as np


def load_digits(path: str | None, seed: int):
    """Images [n, 8, 8, 1] in [0, 1] and labels, split 80/20 into train and test."""
    if path:
        data = np.load(path)
        images, labels = data["images"], data["labels"]
    else:
        from sklearn.datasets import load_digits as sklearn_digits

        digits = sklearn_digits()
        images, labels = digits.data, digits.target
    images = (images / 16.0).astype(np.float32).reshape(-1, 8, 8, 1)
    labels = labels.astype(np.int64)
    order = np.random.RandomState(seed).permutation(len(labels))
    cut = int(0.8 * len(labels))
    return (images[order[:cut]], labels[order[:cut]], images[order[cut:]],
            labels[order[cut:]])


def build(tf, learning_rate: float):
    """The model and its training step, as TF1 notebooks write them."""
    x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="x")
    y = tf.placeholder(tf.int64, [None], name="y")
    training = tf.placeholder_with_default(False, [], name="training")

    h = tf.layers.conv2d(x, 16, 3, padding="same", activation=tf.nn.relu)
    h = tf.layers.batch_normalization(h, training=training)
    h = tf.layers.max_pooling2d(h, 2, 2)                          # 4x4x16
    h = tf.layers.conv2d(h, 32, 3, padding="same", activation=tf.nn.relu)
    h = tf.layers.max_pooling2d(h, 2, 2)                          # 2x2x32
    h = tf.layers.flatten(h)
    h = tf.layers.dense(h, 64, activation=tf.nn.relu)
    h = tf.layers.dropout(h, rate=0.3, training=training)
    logits = tf.layers.dense(h, 10)

    loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss)
    predictions = tf.argmax(logits, 1)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(predictions, y), tf.float32))
    metric, metric_update = tf.metrics.accuracy(labels=y, predictions=predictions)
    return dict(x=x, y=y, training=training, loss=loss, train_op=train_op, accuracy=accuracy,
                metric=metric, metric_update=metric_update, update_ops=update_ops)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", choices=["minigraph", "tensorflow"], default="minigraph")
    parser.add_argument("--data", help="digits as an .npz (images, labels) instead of sklearn")
    args = parser.parse_args()

    module = "minigraph.compat.v1" if args.backend == "minigraph" else "tensorflow.compat.v1"
    tf = importlib.import_module(module)
    tf.disable_v2_behavior()
    tf.set_random_seed(args.seed)

    x_train, y_train, x_test, y_test = load_digits(args.data, args.seed)
    model = build(tf, args.lr)
    print(f"update ops: {len(model['update_ops'])} "
          f"({', '.join(sorted(op.name for op in model['update_ops']))})")
    rng = np.random.RandomState(args.seed)
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        for epoch in range(args.epochs):
            order = rng.permutation(len(y_train))
            losses = []
            for start in range(0, len(order), args.batch):
                batch = order[start:start + args.batch]
                feed = {model["x"]: x_train[batch], model["y"]: y_train[batch],
                        model["training"]: True}
                _, batch_loss = sess.run([model["train_op"], model["loss"]], feed)
                losses.append(batch_loss)
            if epoch % 4 == 3 or epoch == args.epochs - 1:
                print(f"epoch {epoch + 1:2d}  loss {np.mean(losses):.4f}")
        test_feed = {model["x"]: x_test, model["y"]: y_test}
        accuracy = sess.run(model["accuracy"], test_feed)
        sess.run(model["metric_update"], test_feed)
        print(f"test accuracy: {accuracy:.4f}")
        print(f"tf.metrics.accuracy: {sess.run(model['metric']):.4f}")


if __name__ == "__main__":
    main()
