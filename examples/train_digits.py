"""The main demo: train an MLP on scikit-learn's bundled digits with the full TF1 step.

Schedule (polynomial decay) + warmup + gradients + clip_by_global_norm + Adam +
global_step, a tqdm progress bar, test accuracy at the end, and in the output folder:
the picture of the training graph (graph.svg, an overview with the big scopes collapsed, and
graph_full.svg with every op; graph.png from matplotlib when Graphviz is missing),
explorer.html (the interactive explorer with the values of one training step: open it in a
browser, no server needed), graph.pbtxt, and TensorBoard logs (`tensorboard --logdir
<out>/logs`).

Run: python examples/train_digits.py --out demo_out
Needs the [examples] extra (scikit-learn, tqdm, matplotlib); TensorBoard logs need
[tensorboard] and are skipped with a note when it is missing.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

import minigraph as tf
from minigraph import viz


def load_digits(seed: int = 0):
    """Digits 8x8 images (1797 x 64, scaled to [0, 1]) split 80/20 into train and test."""
    from sklearn.datasets import load_digits as sklearn_digits

    data = sklearn_digits()
    images = (data.data / 16.0).astype(np.float32)
    labels = data.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    cut = int(0.8 * len(labels))
    train, test = order[:cut], order[cut:]
    return images[train], labels[train], images[test], labels[test]


def build_model(hidden: int, init_lr: float, num_train_steps: int, num_warmup_steps: int):
    x = tf.placeholder(tf.float32, [None, 64], name="x")
    labels = tf.placeholder(tf.int64, [None], name="labels")
    with tf.variable_scope("hidden"):
        w1 = tf.get_variable("kernel", [64, hidden])
        b1 = tf.get_variable("bias", [hidden], initializer=tf.zeros_initializer())
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
    with tf.variable_scope("output"):
        w2 = tf.get_variable("kernel", [hidden, 10])
        b2 = tf.get_variable("bias", [10], initializer=tf.zeros_initializer())
        logits = tf.matmul(h, w2) + b2
    with tf.name_scope("cross_entropy"):  # not "loss": the summary below takes that tag
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits))
    with tf.name_scope("accuracy"):
        correct = tf.equal(tf.argmax(logits, axis=1), labels)
        accuracy = tf.reduce_mean(tf.cast(correct, tf.float32))

    # The seed's training step, as TF 1.x programs write it.
    global_step = tf.train.get_or_create_global_step()
    learning_rate = tf.train.polynomial_decay(init_lr, global_step, num_train_steps,
                                              end_learning_rate=0.0, power=1.0)
    with tf.name_scope("warmup"):
        global_steps_int = tf.cast(global_step, tf.int32)
        warmup_steps_int = tf.constant(num_warmup_steps, dtype=tf.int32)
        warmup_percent_done = (tf.cast(global_steps_int, tf.float32)
                               / tf.cast(warmup_steps_int, tf.float32))
        is_warmup = tf.cast(global_steps_int < warmup_steps_int, tf.float32)
        learning_rate = ((1.0 - is_warmup) * learning_rate
                         + is_warmup * init_lr * warmup_percent_done)
    tvars = tf.trainable_variables()
    grads = tf.gradients(loss, tvars)
    (grads, _) = tf.clip_by_global_norm(grads, clip_norm=1.0)
    optimizer = tf.train.AdamOptimizer(learning_rate)
    train_op = optimizer.apply_gradients(zip(grads, tvars), global_step=global_step)  # noqa: B905

    tf.summary.scalar("loss", loss)
    tf.summary.scalar("learning_rate", learning_rate)
    return dict(x=x, labels=labels, loss=loss, accuracy=accuracy, train_op=train_op,
                global_step=global_step, learning_rate=learning_rate,
                summaries=tf.summary.merge_all())


def tensorboard_writer(logdir: str):
    try:
        return tf.summary.FileWriter(logdir, graph=tf.get_default_graph())
    except ImportError as e:
        print(f"note: no TensorBoard logs ({e})", file=sys.stderr)
        return None


# The step has about 220 ops: drawn one box per op the labels are too small to read, so the
# main picture collapses the big scopes into one box each and keeps Adam open, where the
# update ops and the global_step increment are. graph_full.svg has every op (zoom in).
OVERVIEW = dict(collapse_scopes=["hidden", "output", "cross_entropy", "gradients",
                                 "clip_by_global_norm", "PolynomialDecay", "warmup"],
                edge_labels=False)


def draw_graph(out: str, train_op) -> str:
    """Write graph.pbtxt and the training step's picture; prefer Graphviz, else matplotlib."""
    graph = tf.get_default_graph()
    try:
        viz.write_graph(graph, out, "graph.pbtxt")
    except ImportError as e:
        print(f"note: no graph.pbtxt ({e})", file=sys.stderr)
    try:
        viz.render(graph, os.path.join(out, "graph_full.svg"), fetches=[train_op])
        return viz.render(graph, os.path.join(out, "graph.svg"), fetches=[train_op], **OVERVIEW)
    except RuntimeError as e:  # no Graphviz engine on PATH
        print(f"note: no SVG ({e})", file=sys.stderr)
    try:  # a rough layered preview: colours show the parts, labels need zooming
        return viz.render(graph, os.path.join(out, "graph.png"), fetches=[train_op],
                          engine="matplotlib")
    except ImportError as e:
        print(f"note: no picture ({e})", file=sys.stderr)
    return ""


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="demo_out", help="output folder (created)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args(argv)
    from tqdm import tqdm

    os.makedirs(args.out, exist_ok=True)
    x_train, y_train, x_test, y_test = load_digits()
    steps_per_epoch = int(np.ceil(len(y_train) / args.batch_size))
    num_train_steps = args.epochs * steps_per_epoch
    tf.set_random_seed(0)
    model = build_model(args.hidden, args.lr, num_train_steps,
                        num_warmup_steps=max(1, num_train_steps // 10))
    picture = draw_graph(args.out, model["train_op"])
    writer = tensorboard_writer(os.path.join(args.out, "logs"))
    rng = np.random.default_rng(0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        bar = tqdm(total=num_train_steps, desc="training", unit="step")
        for _ in range(args.epochs):
            order = rng.permutation(len(y_train))
            for start in range(0, len(order), args.batch_size):
                batch = order[start:start + args.batch_size]
                feed = {model["x"]: x_train[batch], model["labels"]: y_train[batch]}
                _, loss, lr, step, summary = sess.run(
                    [model["train_op"], model["loss"], model["learning_rate"],
                     model["global_step"], model["summaries"]], feed)
                if writer is not None:
                    writer.add_summary(summary, step)
                bar.set_postfix(loss=f"{loss:.3f}", lr=f"{lr:.4f}", refresh=False)
                bar.update(1)
        bar.close()
        accuracy = sess.run(model["accuracy"], {model["x"]: x_test, model["labels"]: y_test})
        # One more step, traced (not applied): explorer.html shows its values and order.
        explorer = viz.explore([model["train_op"], model["loss"]],
                               os.path.join(args.out, "explorer.html"), session=sess,
                               feed_dict=feed).data
    if writer is not None:
        writer.close()
    print(f"test accuracy: {accuracy:.4f} on {len(y_test)} held-out digits")
    print(f"graph picture: {picture or 'not rendered'}")
    print(f"explorer:      {os.path.join(args.out, 'explorer.html')} "
          f"({len(explorer['ops'])} ops, {len(explorer['steps'])} steps; open in a browser)")
    print(f"TensorBoard:   tensorboard --logdir {os.path.join(args.out, 'logs')}")
    return float(accuracy)


if __name__ == "__main__":
    main()
