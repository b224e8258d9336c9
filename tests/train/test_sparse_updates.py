"""Sparse gradients and sparse optimizer updates against TF 1.x (tests/data/sparse_tf.json,
recorded by tests/data/record_sparse.py)."""

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


def test_gradients_of_two_lookups_are_concatenated_slices_as_tf():
    p = tf.constant(TABLE)
    a = tf.gather(p, [2, 0])
    b = tf.nn.embedding_lookup(p, [[5], [2]])
    g, = tf.gradients(tf.reduce_sum(a * 2.0) + tf.reduce_sum(b * b), [p])
    assert isinstance(g, tf.IndexedSlices)
    clipped, norm = tf.clip_by_global_norm([g], 1.0)
    assert isinstance(clipped[0], tf.IndexedSlices)
    expected = TF["gradients"]
    with tf.Session() as sess:
        value, c, n = sess.run([g, clipped[0], norm])
    assert value.indices.tolist() == expected["two"]["indices"]
    assert value.dense_shape.tolist() == expected["two"]["dense_shape"]
    np.testing.assert_allclose(value.values, expected["two"]["values"], rtol=1e-6)
    np.testing.assert_allclose(c.values, expected["clipped_values"], rtol=1e-6)
    assert c.indices.tolist() == expected["clipped_indices"]
    np.testing.assert_allclose(n, expected["norm"], rtol=1e-6)


def test_sparse_and_dense_gradients_add_up_densely():
    p = tf.constant(TABLE)
    g, = tf.gradients(tf.reduce_sum(tf.gather(p, [2, 0])) + tf.reduce_sum(p * p), [p])
    assert isinstance(g, tf.Tensor) and TF["gradients"]["mixed_type"].endswith("Tensor")
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(g), TF["gradients"]["mixed"], rtol=1e-6)


@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_partitioned_lookup_and_its_sparse_gradients(strategy):
    shards = [tf.constant(TABLE[:2]), tf.constant(TABLE[2:4]), tf.constant(TABLE[4:])]
    rows = tf.nn.embedding_lookup(shards, tf.constant([[0, 5], [3, 1]]),
                                  partition_strategy=strategy)
    grads = tf.gradients(tf.reduce_sum(rows * rows), shards)
    expected = TF["partitioned"][strategy]
    assert all(isinstance(g, tf.IndexedSlices) for g in grads)
    with tf.Session() as sess:
        np.testing.assert_allclose(sess.run(rows), expected["rows"], rtol=1e-6)
        dense = sess.run([tf.convert_to_tensor(g) for g in grads])
    for got, want in zip(dense, expected["grads"]):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_scatter_ops_match_tf():
    v = tf.Variable(np.zeros((4, 2), np.float32))
    ops = [tf.scatter_add(v, [1, 1, 3], [[1., 2.], [3., 4.], [5., 6.]]),
           tf.scatter_sub(v, [0, 1], [[1., 1.], [2., 2.]]),
           tf.scatter_update(v, [2], [[7., 8.]]),
           tf.scatter_nd_update(v, [[0, 1], [3, 0]], [9., 10.])]
    assert [op.op.type for op in ops] == ["ScatterAdd", "ScatterSub", "ScatterUpdate",
                                          "ScatterNdUpdate"]
    with tf.Session() as sess:
        sess.run(v.initializer)
        for op, want in zip(ops, TF["scatter"]):
            np.testing.assert_array_equal(sess.run(op), want)


def test_failed_run_commits_no_scatter_rows():
    v = tf.Variable(np.zeros((3, 2), np.float32))
    x = tf.placeholder(tf.float32, [None, 2])
    add = tf.scatter_add(v, [0, 2], x)
    with tf.control_dependencies([add]):
        bad = tf.gather(tf.constant([1.0]), tf.constant(5))
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError):
            sess.run(bad, {x: np.ones((2, 2), np.float32)})
        np.testing.assert_array_equal(sess.run(v), np.zeros((3, 2)))
        sess.run(add, {x: np.ones((2, 2), np.float32)})
        np.testing.assert_array_equal(sess.run(v), [[1, 1], [0, 0], [1, 1]])


def test_fetched_value_is_not_changed_by_a_later_sparse_update():
    v = tf.Variable(np.zeros((3, 2), np.float32))
    add = tf.scatter_add(v, [1], [[5.0, 5.0]])
    with tf.Session() as sess:
        sess.run(v.initializer)
        before = sess.run(v)
        sess.run(add.op)
        assert before.sum() == 0 and sess.run(v).sum() == 10


def test_unique_keeps_order_of_first_appearance():
    y, idx = tf.unique([1, 1, 4, 2, 4])
    assert y.op.type == "Unique"
    with tf.Session() as sess:
        values, positions = sess.run([y, idx])
    assert values.tolist() == [1, 4, 2] and positions.tolist() == [0, 0, 1, 2, 1]


def test_scatter_errors():
    v = tf.Variable(np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match="one row of updates per index"):
        tf.scatter_add(v, [0, 1], [[1.0, 2.0]])
    with pytest.raises(TypeError, match="does not match type float32"):
        tf.scatter_add(v, [0], tf.constant([[1, 2]]))
    with tf.Session() as sess:
        sess.run(v.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = 3 is not in"):
            sess.run(tf.scatter_update(v, [3], [[1.0, 1.0]]))


def test_sparse_apply_repeated_indices_update_in_turn():
    var = tf.Variable([[1.0], [2.0]])
    accum = tf.Variable([[0.1], [0.1]])
    from minigraph.ops import sparse_training_ops

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


def test_dynamic_partition_and_stitch_forward_and_gradients():
    from minigraph.gradient_checker import check_gradients

    data = tf.placeholder(tf.float64, [4, 2])
    parts = tf.dynamic_partition(data, [1, 0, 1, 1], 2)
    assert parts[0].op.type == "DynamicPartition"
    merged = tf.dynamic_stitch([[1], [0, 2, 3]], [parts[0], parts[1] * 2.0])
    assert merged.op.type == "DynamicStitch"
    value = np.arange(8.0).reshape(4, 2)
    with tf.Session() as sess:
        p0, p1, m = sess.run(parts + [merged], {data: value})
        np.testing.assert_array_equal(p0, value[[1]])
        np.testing.assert_array_equal(p1, value[[0, 2, 3]])
        np.testing.assert_array_equal(m, value * [[2], [1], [2], [2]])
        check_gradients(parts[1] * parts[1], [data], [value])
        check_gradients(merged * merged, [data], [value])


def test_concurrent_readers_never_see_half_an_update():
    import threading

    table = tf.Variable(np.zeros((1000, 64), np.float32))
    ids = np.arange(0, 1000, 10)
    bump = tf.scatter_add(table, ids, np.ones((ids.size, 64), np.float32)).op
    picked = tf.gather(table, ids)
    with tf.Session() as sess:
        sess.run(table.initializer)
        seen, done = [], threading.Event()

        def read():
            while not done.is_set():
                seen.append(sess.run(picked))

        reader = threading.Thread(target=read)
        reader.start()
        for _ in range(200):
            sess.run(bump)
        done.set()
        reader.join()
        assert np.all(sess.run(picked) == 200)
    # Every update adds 1 to all picked rows at once: a consistent snapshot has one value.
    assert seen and all(np.ptp(value) == 0 for value in seen)


def test_row_updates_after_a_dense_write_start_from_it():
    v = tf.Variable(np.zeros((4, 2), np.float32))
    add = tf.scatter_add(v, [0], [[1.0, 1.0]]).op
    reset = v.assign(np.full((4, 2), 5.0, np.float32))
    with tf.Session() as sess:
        sess.run(v.initializer)
        for _ in range(3):
            sess.run(add)
        sess.run(reset)
        sess.run(add)
        sess.run(add)
        np.testing.assert_array_equal(sess.run(v), [[7, 7], [5, 5], [5, 5], [5, 5]])


def test_variable_scatter_methods_take_indexed_slices():
    v = tf.Variable(np.zeros((3, 2), np.float32))
    delta = tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([2]))
    ops = [v.scatter_add(delta), v.scatter_sub(delta), v.scatter_update(delta)]
    assert [op.op.type for op in ops] == ["ScatterAdd", "ScatterSub", "ScatterUpdate"]
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(ops[0])[2].tolist() == [1.0, 2.0]
        assert sess.run(ops[1])[2].tolist() == [0.0, 0.0]
        assert sess.run(ops[2])[2].tolist() == [1.0, 2.0]
    with pytest.raises(TypeError, match="not IndexedSlices"):
        v.scatter_add([1.0, 2.0])
