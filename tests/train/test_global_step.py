"""Global-step helpers: create, get, get_or_create, assert."""

import logging

import numpy as np
import pytest

import minigraph as tf


def test_create_global_step_properties(sess):
    gs = tf.train.create_global_step()
    assert gs.name == "global_step:0"
    assert gs.dtype.base_dtype == tf.int64 and gs.shape.as_list() == []
    assert not gs.trainable
    assert gs in tf.global_variables() and gs not in tf.trainable_variables()
    assert tf.get_collection(tf.GraphKeys.GLOBAL_STEP) == [gs]
    assert tf.GraphKeys.GLOBAL_STEP == "global_step"
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name("global_step/Initializer/zeros").type == "Const"
    sess.run(tf.global_variables_initializer())
    value = sess.run(gs)
    assert value == 0 and value.dtype == np.int64
    assert tf.train.global_step(sess, gs) == 0 and type(tf.train.global_step(sess, gs)) is int


def test_create_twice_raises_and_get_or_create_returns_the_same_object():
    assert tf.train.get_global_step() is None
    gs = tf.train.get_or_create_global_step()
    assert tf.train.get_or_create_global_step() is gs
    assert tf.train.get_global_step() is gs
    with pytest.raises(ValueError, match='"global_step" already exists'):
        tf.train.create_global_step()


def test_name_scope_cleared_variable_scope_kept():
    with tf.name_scope("ns"):
        gs = tf.train.create_global_step()
    assert gs.name == "global_step:0"
    with tf.Graph().as_default():
        with tf.variable_scope("foo"):
            gs2 = tf.train.create_global_step()
        assert gs2.name == "foo/global_step:0"


def test_explicit_graph_argument():
    graph = tf.Graph()
    gs = tf.train.create_global_step(graph)
    assert gs.graph is graph
    assert tf.train.get_global_step() is None
    assert tf.train.get_global_step(graph) is gs
    assert tf.train.get_or_create_global_step(graph) is gs


def test_plain_variable_named_global_step_is_found(sess):
    v = tf.Variable(0, trainable=False, name="global_step")
    found = tf.train.get_global_step()
    assert found is v  # TF1 returns its tensor; minigraph returns the Variable
    w = tf.Variable([1.0], name="w")
    op = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(w), global_step=found)
    sess.run(tf.global_variables_initializer())
    sess.run(op)
    sess.run(op)
    value = sess.run(v)
    assert value == 2 and value.dtype == np.int32


def test_ref_tensor_found_by_name_works_as_global_step(sess):
    v = tf.Variable(np.int64(0), trainable=False, name="global_step",
                    collections=[])  # in no collection: only the name lookup finds it
    found = tf.train.get_global_step()
    assert isinstance(found, tf.Tensor) and found.name == "global_step:0"
    w = tf.Variable([1.0], name="w")
    op = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(w), global_step=found)
    sess.run([v.initializer, w.initializer])
    sess.run(op)
    assert sess.run(v) == 1


def test_multiple_entries_log_and_return_none(caplog):
    tf.add_to_collection(tf.GraphKeys.GLOBAL_STEP, tf.Variable(0, name="a"))
    tf.add_to_collection(tf.GraphKeys.GLOBAL_STEP, tf.Variable(0, name="b"))
    with caplog.at_level(logging.ERROR):
        assert tf.train.get_global_step() is None
    assert "Multiple tensors in global_step collection" in caplog.text


@pytest.mark.parametrize("value, message", [
    (0.0, "does not have integer type: float32"),
    ([0, 0], r"is not scalar: \(2,\)"),
])
def test_bad_global_step_raises_type_error(value, message):
    tf.Variable(value, name="global_step")
    with pytest.raises(TypeError, match=message):
        tf.train.get_global_step()


def test_assert_global_step():
    tf.train.assert_global_step(tf.constant(3, tf.int64))
    with pytest.raises(TypeError, match="must be a Variable or Tensor"):
        tf.train.assert_global_step(3)
    with pytest.raises(TypeError, match="integer type"):
        tf.train.assert_global_step(tf.constant(1.0))


def test_only_apply_gradients_increments(sess):
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable([1.0], name="w")
    lr = tf.train.exponential_decay(0.1, gs, 1, 0.5)
    opt = tf.train.GradientDescentOptimizer(lr)
    grads = opt.compute_gradients(tf.reduce_sum(w))
    sess.run(tf.global_variables_initializer())
    sess.run([lr, grads[0][0]])
    assert tf.train.global_step(sess, gs) == 0
