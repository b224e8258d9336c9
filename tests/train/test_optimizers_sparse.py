"""Sparse (IndexedSlices) updates of every optimizer against TF 1.x: three steps on a loss
through embedding_lookup with a repeated id (tests/data/sparse_tf.json, recorded by
tests/data/record_sparse.py)."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf

TF = json.loads((pathlib.Path(__file__).resolve().parent.parent / "data" / "sparse_tf.json")
                .read_text())
TABLE = np.array(TF["table"], np.float32)
IDS, WEIGHTS = TF["ids"], np.array(TF["weights"], np.float32)

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
SPARSE_OP = {"gd": "ScatterSub", "momentum": "SparseApplyMomentum",
             "nesterov": "SparseApplyMomentum", "adam": "ScatterAdd",
             "adagrad": "SparseApplyAdagrad", "adadelta": "SparseApplyAdadelta",
             "rmsprop": "SparseApplyRMSProp", "rmsprop_centered": "SparseApplyCenteredRMSProp",
             "ftrl": "SparseApplyFtrlV2", "proximal_gd": "SparseApplyProximalGradientDescent"}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_sparse_update_matches_tf(name):
    table = tf.Variable(TABLE, name="table")
    rows = tf.nn.embedding_lookup(table, IDS)
    loss = tf.reduce_sum(tf.square(rows * WEIGHTS + 0.5))
    opt = OPTIMIZERS[name]()
    (grad, _), = opt.compute_gradients(loss)
    assert isinstance(grad, tf.IndexedSlices)
    train = opt.apply_gradients([(grad, table)])
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert SPARSE_OP[name] in types
    expected = TF["optimizers"][name]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(3):
            sess.run(train)
        np.testing.assert_allclose(sess.run(table), expected["table"], rtol=2e-6, atol=2e-7)
        assert sorted(opt.get_slot_names()) == sorted(expected["slots"])
        for slot, value in expected["slots"].items():
            np.testing.assert_allclose(sess.run(opt.get_slot(table, slot)), value,
                                       rtol=2e-6, atol=2e-7)
