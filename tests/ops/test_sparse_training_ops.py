"""SparseApply* kernels: the dense formulas on the rows named, a repeated index updated once
per occurrence, in order. (Their values against TF: tests/train/test_optimizers_sparse.py.)"""

import numpy as np

import minigraph as tf
from minigraph.ops import sparse_training_ops


def test_sparse_apply_repeated_indices_update_in_turn():
    var = tf.Variable([[1.0], [2.0]])
    accum = tf.Variable([[0.1], [0.1]])
    update = sparse_training_ops.sparse_apply_adagrad(var, accum, tf.constant(0.5),
                                                      tf.constant([[1.0], [1.0]]),
                                                      tf.constant([0, 0]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(update)
        a1 = 0.1 + 1.0
        v1 = 1.0 - 0.5 / np.sqrt(a1)
        a2 = a1 + 1.0
        np.testing.assert_allclose(sess.run(var), [[v1 - 0.5 / np.sqrt(a2)], [2.0]], rtol=1e-6)
        np.testing.assert_allclose(sess.run(accum), [[a2], [0.1]], rtol=1e-6)
