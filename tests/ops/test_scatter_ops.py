"""Scatter ops and Unique, and how the session commits row updates (double buffering, a
failed run commits nothing, concurrent readers see whole updates). TF values recorded by
tests/data/record_sparse.py into tests/data/sparse_tf.json."""

import json
import pathlib
import threading

import numpy as np
import pytest

import minigraph as tf

TF = json.loads((pathlib.Path(__file__).resolve().parent.parent / "data" / "sparse_tf.json")
                .read_text())

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


def test_unique_keeps_order_of_first_appearance():
    y, idx = tf.unique([1, 1, 4, 2, 4])
    assert y.op.type == "Unique"
    with tf.Session() as sess:
        values, positions = sess.run([y, idx])
    assert values.tolist() == [1, 4, 2] and positions.tolist() == [0, 0, 1, 2, 1]


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


def test_concurrent_readers_never_see_half_an_update():
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


def test_two_scatters_on_one_variable_in_one_run_apply_in_turn():
    v = tf.Variable(np.zeros((5, 2), np.float32))
    first = tf.scatter_add(v, [0, 3], [[1.0, 1.0], [2.0, 2.0]])
    with tf.control_dependencies([first.op]):
        second = tf.scatter_add(v, [3, 4], [[10.0, 10.0], [5.0, 5.0]])
    with tf.Session() as sess:
        sess.run(v.initializer)
        sess.run(second.op)
        np.testing.assert_array_equal(sess.run(v), [[1, 1], [0, 0], [0, 0], [12, 12], [5, 5]])
