"""Record TF 1.x sparse-gradient results for tests/train/test_sparse_updates.py (run by hand).

    TF_USE_LEGACY_KERAS=1 /path/to/tf/python tests/data/record_sparse.py

Writes tests/data/sparse_tf.json: for each optimizer, the embedding table and slots after
three steps on a loss through embedding_lookup with a repeated id; the IndexedSlices
gradients of gather/embedding_lookup (alone, added up, mixed with a dense use);
partitioned lookups (mod and div) and their gradients; clip_by_global_norm of an
IndexedSlices; scatter ops.
"""

import json
import pathlib

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
OUT = pathlib.Path(__file__).resolve().parent / "sparse_tf.json"
TABLE = (np.arange(18, dtype=np.float32).reshape(6, 3) - 8.0) / 10.0
IDS = [1, 4, 1, 0]
WEIGHTS = np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(4, 3)

OPTIMIZERS = {
    "gd": lambda: tf.train.GradientDescentOptimizer(0.1),
    "momentum": lambda: tf.train.MomentumOptimizer(0.1, 0.9),
    "nesterov": lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adam": lambda: tf.train.AdamOptimizer(0.1),
    "adagrad": lambda: tf.train.AdagradOptimizer(0.1),
    "adadelta": lambda: tf.train.AdadeltaOptimizer(1.0),
    "rmsprop": lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.9),
    "rmsprop_centered": lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.9, centered=True),
    "ftrl": lambda: tf.train.FtrlOptimizer(0.1, l1_regularization_strength=0.01,
                                           l2_regularization_strength=0.01),
    "proximal_gd": lambda: tf.train.ProximalGradientDescentOptimizer(
        0.1, l1_regularization_strength=0.01, l2_regularization_strength=0.01),
}


def loss_of(table):
    rows = tf.nn.embedding_lookup(table, IDS)
    return tf.reduce_sum(tf.square(rows * WEIGHTS + 0.5))


def optimizer_runs():
    out = {}
    for name, make in OPTIMIZERS.items():
        tf.reset_default_graph()
        table = tf.Variable(TABLE, name="table")
        opt = make()
        (grad, _), = opt.compute_gradients(loss_of(table))
        assert isinstance(grad, tf.IndexedSlices), type(grad)
        train = opt.apply_gradients([(grad, table)])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
            slots = {s: sess.run(opt.get_slot(table, s)).tolist() for s in opt.get_slot_names()}
            out[name] = {"table": sess.run(table).tolist(), "slots": slots}
    return out


def gradient_structures():
    tf.reset_default_graph()
    p = tf.constant(TABLE)
    a = tf.gather(p, [2, 0])
    b = tf.nn.embedding_lookup(p, [[5], [2]])
    g_two, = tf.gradients(tf.reduce_sum(a * 2.0) + tf.reduce_sum(b * b), [p])
    g_mixed, = tf.gradients(tf.reduce_sum(a) + tf.reduce_sum(p * p), [p])
    clipped, norm = tf.clip_by_global_norm([g_two], 1.0)
    with tf.Session() as sess:
        two, mixed, c, n = sess.run([g_two, g_mixed, clipped[0], norm])
    return {"two": {"values": two.values.tolist(), "indices": two.indices.tolist(),
                    "dense_shape": two.dense_shape.tolist()},
            "mixed_type": type(g_mixed).__name__, "mixed": mixed.tolist(),
            "clipped_values": c.values.tolist(), "clipped_indices": c.indices.tolist(),
            "norm": float(n)}


def partitioned():
    out = {}
    for strategy in ("mod", "div"):
        tf.reset_default_graph()
        shards = [tf.constant(TABLE[:2]), tf.constant(TABLE[2:4]), tf.constant(TABLE[4:])]
        ids = tf.constant([[0, 5], [3, 1]])
        rows = tf.nn.embedding_lookup(shards, ids, partition_strategy=strategy)
        grads = tf.gradients(tf.reduce_sum(rows * rows), shards)
        with tf.Session() as sess:
            r = sess.run(rows)
            dense = sess.run([tf.convert_to_tensor(g) for g in grads])
        out[strategy] = {"rows": r.tolist(), "grads": [d.tolist() for d in dense],
                         "grad_types": [type(g).__name__ for g in grads]}
    return out


def scatter():
    tf.reset_default_graph()
    v = tf.Variable(np.zeros((4, 2), np.float32))
    ops = [tf.scatter_add(v, [1, 1, 3], [[1., 2.], [3., 4.], [5., 6.]]),
           tf.scatter_sub(v, [0, 1], [[1., 1.], [2., 2.]]),
           tf.scatter_update(v, [2], [[7., 8.]]),
           tf.scatter_nd_update(v, [[0, 1], [3, 0]], [9., 10.])]
    out = []
    with tf.Session() as sess:
        sess.run(v.initializer)
        for op in ops:
            out.append(sess.run(op).tolist())
    return out


if __name__ == "__main__":
    data = {"table": TABLE.tolist(), "ids": IDS, "weights": WEIGHTS.tolist(),
            "optimizers": optimizer_runs(), "gradients": gradient_structures(),
            "partitioned": partitioned(), "scatter": scatter()}
    OUT.write_text(json.dumps(data))
    print("wrote", OUT)
