"""Nothing half-changed: a failing run, restore or save leaves every variable and file as before.

A run writes variables into a per-run overlay committed only when every step succeeded
(docs/architecture.md), so an assign computed before a failing op must not show. Numerics
checks must name the first node that produced a NaN or Inf, and clipping an Inf gradient by
its global norm gives NaN updates, as in TF.
"""

import os

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework import errors
from minigraph.train import checkpoint_io


def _values(sess, variables):
    return [np.array(sess.run(v)) for v in variables]


def _assert_unchanged(sess, variables, before):
    for v, old in zip(variables, before, strict=True):
        np.testing.assert_array_equal(sess.run(v), old, err_msg=v.op.name)


# ---------------------------------------------------------------------------------------
# A run that fails part-way commits nothing
# ---------------------------------------------------------------------------------------
def _failing_after_assign(kind):
    """(v, fetch, feed): `fetch` assigns 5 to v, then a later op fails for reason `kind`."""
    v = tf.Variable(1.0, name="v")
    assign = tf.assign(v, 5.0)
    with tf.control_dependencies([assign]):  # the write is computed before the failure
        if kind == "nan":
            p = tf.placeholder(tf.float32, name="p")
            bad, feed = tf.check_numerics(tf.sqrt(p), "sqrt"), {"p:0": -1.0}
        elif kind == "gather":
            i = tf.placeholder(tf.int32, name="i")
            bad, feed = tf.gather(tf.ones([3]), i), {"i:0": [7]}
        elif kind == "int_division":
            d = tf.placeholder(tf.int32, name="d")
            bad, feed = tf.floordiv(tf.constant(4), d), {"d:0": 0}
        else:  # an unfed placeholder
            p = tf.placeholder(tf.float32, name="p")
            bad, feed = tf.identity(p), {}
    return v, tf.group(assign, bad), feed


@pytest.mark.parametrize("kind", ["nan", "gather", "int_division", "unfed"])
def test_a_failing_op_after_an_assign_leaves_the_variable_unchanged(sess, kind):
    v, step, feed = _failing_after_assign(kind)
    sess.run(v.initializer)
    with pytest.raises(errors.InvalidArgumentError):
        sess.run(step, feed)
    assert sess.run(v) == 1.0
    with pytest.raises(errors.InvalidArgumentError):  # and again, through the cached plan
        sess.run(step, feed)
    assert sess.run(v) == 1.0


def test_the_same_graph_commits_when_the_run_succeeds(sess):
    v = tf.Variable(1.0, name="v")
    p = tf.placeholder(tf.float32, name="p")
    assign = tf.assign(v, 5.0)
    with tf.control_dependencies([assign]):
        bad = tf.check_numerics(tf.sqrt(p), "sqrt")
    step = tf.group(assign, bad)
    sess.run(v.initializer)
    with pytest.raises(errors.InvalidArgumentError):
        sess.run(step, {p: -1.0})
    assert sess.run(v) == 1.0
    sess.run(step, {p: 4.0})
    assert sess.run(v) == 5.0


def test_assign_add_chain_is_all_or_nothing(sess):
    a, b = tf.Variable(1.0, name="a"), tf.Variable(10.0, name="b")
    p = tf.placeholder(tf.float32, name="p")
    inc_a = tf.assign_add(a, 1.0)
    with tf.control_dependencies([inc_a]):
        inc_b = tf.assign_add(b, a.read_value())
    with tf.control_dependencies([inc_b]):
        check = tf.check_numerics(tf.log(p), "log")
    sess.run(tf.global_variables_initializer())
    with pytest.raises(errors.InvalidArgumentError, match="log : Tensor had"):
        sess.run(check, {p: 0.0})
    assert sess.run([a, b]) == [1.0, 10.0]
    sess.run(check, {p: 1.0})
    assert sess.run([a, b]) == [2.0, 12.0]


def _adam_model():
    w = tf.Variable([1.0, 2.0], name="w")
    b = tf.Variable(0.5, name="b")
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    loss = tf.reduce_mean(tf.square(tf.reduce_sum(x * w, axis=1) + b))
    step = tf.train.get_or_create_global_step()
    opt = tf.train.AdamOptimizer(0.1)
    train = opt.minimize(loss, global_step=step)
    powers = [v for v in tf.global_variables() if v.op.name in ("beta1_power", "beta2_power")]
    assert len(powers) == 2
    state = [w, b, step, opt.get_slot(w, "m"), opt.get_slot(w, "v"), opt.get_slot(b, "m"),
             opt.get_slot(b, "v"), *powers]
    return x, loss, train, state


def test_a_train_step_whose_loss_check_fails_changes_no_variable_or_slot(sess):
    x, loss, train, state = _adam_model()
    assert all(s is not None for s in state)
    with tf.control_dependencies([train]):  # the check runs after the Adam update is computed
        checked = tf.check_numerics(loss * tf.sqrt(x[0, 0]), "loss check")
    sess.run(tf.global_variables_initializer())
    good = np.array([[1.0, 2.0], [0.5, -1.0]], np.float32)
    sess.run(train, {x: good})
    before = _values(sess, state)
    bad = np.array([[-1.0, 2.0], [0.5, -1.0]], np.float32)
    with pytest.raises(errors.InvalidArgumentError, match="loss check : Tensor had NaN"):
        sess.run(checked, {x: bad})
    _assert_unchanged(sess, state, before)
    assert sess.run(state[2]) == 1  # global_step did not move

    # The same step with a finite check commits everything, exactly like the plain train op.
    sess.run(checked, {x: good})
    after = _values(sess, state)
    assert after[2] == 2
    with tf.Session() as reference:
        reference.run(tf.global_variables_initializer())
        reference.run(train, {x: good})
        reference.run(train, {x: good})
        for v, got in zip(state, after, strict=True):
            np.testing.assert_array_equal(reference.run(v), got, err_msg=v.op.name)


def test_a_failed_run_does_not_initialize_anything(sess):
    v = tf.Variable(3.0, name="v")
    p = tf.placeholder(tf.float32, name="p")
    with tf.control_dependencies([v.initializer]):
        bad = tf.check_numerics(p, "p")
    with pytest.raises(errors.InvalidArgumentError):
        sess.run(bad, {p: np.nan})
    with pytest.raises(errors.FailedPreconditionError, match="uninitialized value v"):
        sess.run(v)


# ---------------------------------------------------------------------------------------
# Checkpoints: a failed restore changes nothing; a crash mid-save keeps the old checkpoint
# ---------------------------------------------------------------------------------------
def _save_checkpoint(tmp_path, values):
    """Save {name: value} variables from a separate graph; return the prefix."""
    with tf.Graph().as_default():
        for name, value in values.items():
            tf.Variable(value, name=name)
        saver = tf.train.Saver()
        with tf.Session() as s:
            s.run(tf.global_variables_initializer())
            return saver.save(s, str(tmp_path / "model.ckpt"))


@pytest.mark.parametrize("saved, error", [
    ({"a": 7.0, "b": [1.0, 2.0]}, errors.InvalidArgumentError),  # b has another shape
    ({"a": 7.0}, errors.NotFoundError),                            # b is missing
])
def test_a_failed_restore_changes_no_variable(sess, tmp_path, saved, error):
    path = _save_checkpoint(tmp_path, saved)
    a = tf.Variable(1.0, name="a")  # sorted first: a restore in name order would write it
    b = tf.Variable([1.0, 2.0, 3.0], name="b")
    saver = tf.train.Saver()
    sess.run(tf.global_variables_initializer())
    with pytest.raises(error, match="Restoring from checkpoint failed"):
        saver.restore(sess, path)
    assert sess.run(a) == 1.0
    np.testing.assert_array_equal(sess.run(b), [1.0, 2.0, 3.0])


def test_a_failed_restore_into_a_fresh_session_leaves_variables_uninitialized(tmp_path):
    path = _save_checkpoint(tmp_path, {"a": 7.0})
    a = tf.Variable(1.0, name="a")
    tf.Variable(2.0, name="b")
    saver = tf.train.Saver()
    with tf.Session() as sess:
        with pytest.raises(errors.NotFoundError):
            saver.restore(sess, path)
        with pytest.raises(errors.FailedPreconditionError):
            sess.run(a)


def test_a_crash_while_writing_data_keeps_the_previous_checkpoint(sess, tmp_path, monkeypatch):
    v = tf.Variable([1.0, 2.0], name="v")
    saver = tf.train.Saver()
    sess.run(v.initializer)
    prefix = str(tmp_path / "model.ckpt")
    first = saver.save(sess, prefix, global_step=1)
    files_before = sorted(os.listdir(tmp_path))
    state_before = (tmp_path / "checkpoint").read_bytes()

    sess.run(tf.assign(v, [5.0, 6.0]))

    def crash(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(checkpoint_io, "write_bundle", crash)
    with pytest.raises(OSError, match="disk full"):
        saver.save(sess, prefix, global_step=2)
    monkeypatch.undo()

    assert sorted(os.listdir(tmp_path)) == files_before  # no partial files, no temp files
    assert (tmp_path / "checkpoint").read_bytes() == state_before
    assert tf.train.latest_checkpoint(str(tmp_path)) == first
    assert saver.last_checkpoints == [first]
    sess.run(tf.assign(v, [0.0, 0.0]))
    saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
    np.testing.assert_array_equal(sess.run(v), [1.0, 2.0])


def test_a_crash_while_writing_the_index_keeps_the_previous_checkpoint(sess, tmp_path,
                                                                       monkeypatch):
    v = tf.Variable(3.0, name="v")
    saver = tf.train.Saver()
    sess.run(v.initializer)
    prefix = str(tmp_path / "model.ckpt")
    first = saver.save(sess, prefix, global_step=1)
    files_before = sorted(os.listdir(tmp_path))
    real_replace = os.replace

    def crash_on_index(src, dst):
        if dst.endswith(".index"):
            raise KeyboardInterrupt  # interrupted after data and meta were written
        return real_replace(src, dst)

    monkeypatch.setattr(checkpoint_io.os, "replace", crash_on_index)
    with pytest.raises(KeyboardInterrupt):
        saver.save(sess, prefix, global_step=2)
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == files_before
    assert tf.train.latest_checkpoint(str(tmp_path)) == first


# ---------------------------------------------------------------------------------------
# Numerics checks name the first node that went bad
# ---------------------------------------------------------------------------------------
def test_add_check_numerics_ops_names_the_first_node_with_inf(sess):
    x = tf.placeholder(tf.float32, [2], name="x")
    logs = tf.log(x, name="logs")       # -inf at 0: the first bad node
    scaled = tf.multiply(logs, 2.0, name="scaled")
    loss = tf.reduce_sum(tf.square(scaled), name="loss")
    check = tf.add_check_numerics_ops()
    with pytest.raises(errors.InvalidArgumentError) as info:
        sess.run([loss, check], {x: [1.0, 0.0]})
    message = str(info.value)
    assert message.startswith("logs:0 : Tensor had Inf values")
    assert "'logs' (Log, created at" in message and "test_atomicity.py" in message
    assert "scaled:0" not in message and "loss:0" not in message
    np.testing.assert_allclose(sess.run([loss, check], {x: [1.0, np.e]})[0], 4.0, rtol=1e-6)


def test_add_check_numerics_ops_reports_nan_from_inf_minus_inf(sess):
    x = tf.placeholder(tf.float32, [], name="x")
    big = tf.exp(x, name="big")            # inf for x = 1000: first bad node, Inf
    diff = tf.subtract(big, big, name="diff")  # inf - inf = nan
    check = tf.add_check_numerics_ops()
    with pytest.raises(errors.InvalidArgumentError, match=r"^big:0 : Tensor had Inf values"):
        sess.run([diff, check], {x: 1000.0})


def test_check_numerics_names_the_tensor_it_checks(sess):
    x = tf.placeholder(tf.float32, name="x")
    ratio = tf.divide(1.0, x, name="ratio")
    checked = tf.check_numerics(ratio, "ratio")
    with pytest.raises(errors.InvalidArgumentError) as info:
        sess.run(checked, {x: 0.0})
    message = str(info.value)
    assert message.startswith("ratio : Tensor had Inf values")
    assert "ratio:0 comes from 'ratio' (RealDiv, created at" in message
    assert info.value.op is checked.op


# ---------------------------------------------------------------------------------------
# clip_by_global_norm on an Inf gradient: NaN updates, as TF does
# ---------------------------------------------------------------------------------------
def test_clip_by_global_norm_of_an_inf_gradient_gives_nan_updates(sess):
    w = tf.Variable([1.0, 2.0], name="w")
    u = tf.Variable(3.0, name="u")
    c = tf.placeholder(tf.float32, [2], name="c")
    loss = tf.reduce_sum(w * c) + u * u
    opt = tf.train.GradientDescentOptimizer(0.1)
    grads, variables = zip(*opt.compute_gradients(loss, [w, u]), strict=True)
    clipped, norm = tf.clip_by_global_norm(list(grads), 1.0)
    train = opt.apply_gradients(zip(clipped, variables, strict=True))
    sess.run(tf.global_variables_initializer())

    # Finite gradients: ([3, 4], 6) has norm sqrt(61) and is scaled down to norm 1.
    sess.run(train, {c: [3.0, 4.0]})
    scale = 1.0 / np.sqrt(61.0)
    np.testing.assert_allclose(sess.run(w), [1.0 - 0.1 * 3 * scale, 2.0 - 0.1 * 4 * scale],
                               rtol=1e-6)
    np.testing.assert_allclose(sess.run(u), 3.0 - 0.1 * 6 * scale, rtol=1e-6)

    # One Inf gradient entry: the global norm is inf and every clipped gradient is NaN.
    got_clipped, got_norm = sess.run([clipped, norm], {c: [np.inf, 1.0]})
    assert got_norm == np.inf
    assert all(np.isnan(g).all() for g in got_clipped)
    sess.run(train, {c: [np.inf, 1.0]})
    assert np.isnan(sess.run(w)).all() and np.isnan(sess.run(u))
