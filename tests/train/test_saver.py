"""Saver and checkpoint helpers: save, restore, max_to_keep, state file, atomic writes."""

import os

import numpy as np
import pytest

import minigraph as tf
from minigraph.train.meta_graph import read_meta_graph
from minigraph.train import checkpoint_format, checkpoint_io, tensor_bundle


@pytest.fixture
def model(sess):
    """Two initialized variables and a step counter."""
    w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
    with tf.variable_scope("sc"):
        b = tf.get_variable("b", initializer=tf.constant([0.5, -0.5], tf.float64))
    step = tf.Variable(0, name="step")
    sess.run(tf.global_variables_initializer())
    return w, b, step


def test_max_to_keep_and_state_file(sess, model, tmp_path):
    saver = tf.train.Saver(max_to_keep=2)
    prefix = str(tmp_path / "model.ckpt")
    got = [saver.save(sess, prefix, global_step=step) for step in (100, 200, 300)]
    assert got == [f"{prefix}-100", f"{prefix}-200", f"{prefix}-300"]
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint", "model.ckpt-200.data-00000-of-00001", "model.ckpt-200.index",
        "model.ckpt-200.meta", "model.ckpt-300.data-00000-of-00001", "model.ckpt-300.index",
        "model.ckpt-300.meta"]
    assert (tmp_path / "checkpoint").read_text() == (
        f'model_checkpoint_path: "{prefix}-300"\n'
        f'all_model_checkpoint_paths: "{prefix}-200"\n'
        f'all_model_checkpoint_paths: "{prefix}-300"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) == f"{prefix}-300"
    assert saver.last_checkpoints == [f"{prefix}-200", f"{prefix}-300"]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert state.model_checkpoint_path == f"{prefix}-300"
    assert state.all_model_checkpoint_paths == [f"{prefix}-200", f"{prefix}-300"]


def test_step_from_variable_and_padding(sess, model, tmp_path):
    _, _, step = model
    sess.run(step.assign(7))
    assert tf.train.Saver().save(sess, str(tmp_path / "gsmodel"), global_step=step) == \
        str(tmp_path / "gsmodel-7")
    padded = tf.train.Saver(pad_step_number=True)
    assert padded.save(sess, str(tmp_path / "pad"), global_step=5) == str(tmp_path / "pad-00000005")


def test_restore_round_trip(sess, model, tmp_path):
    w, b, step = model
    saver = tf.train.Saver()
    path = saver.save(sess, str(tmp_path / "model.ckpt"))
    assert path == str(tmp_path / "model.ckpt")
    sess.run([w.assign(tf.zeros([2, 2])), b.assign(tf.zeros([2], tf.float64)), step.assign(9)])
    saver.restore(sess, path)
    np.testing.assert_array_equal(sess.run(w), [[1.0, 2.0], [3.0, 4.0]])
    restored = sess.run(b)
    assert restored.dtype == np.float64
    np.testing.assert_array_equal(restored, [0.5, -0.5])
    assert sess.run(step) == 0


def test_restore_into_a_fresh_session_needs_no_initializer(model, tmp_path, sess):
    w, _, _ = model
    path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Session() as fresh:
        tf.train.Saver().restore(fresh, path)
        np.testing.assert_array_equal(fresh.run(w), [[1.0, 2.0], [3.0, 4.0]])


def test_var_list_forms_and_reader(sess, model, tmp_path):
    w, b, _ = model
    path = tf.train.Saver({"weights": w, "bias": b}).save(sess, str(tmp_path / "d"))
    assert tf.train.list_variables(path) == [("bias", [2]), ("weights", [2, 2])]
    reader = tf.train.NewCheckpointReader(path)
    assert reader.get_variable_to_shape_map() == {"bias": [2], "weights": [2, 2]}
    assert reader.has_tensor("weights") and not reader.has_tensor("w")
    np.testing.assert_array_equal(reader.get_tensor("weights"), [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(tf.errors.NotFoundError, match="Key w not found"):
        reader.get_tensor("w")
    path2 = tf.train.Saver([w, [b]]).save(sess, str(tmp_path / "l"))
    assert tf.train.list_variables(path2) == [("sc/b", [2]), ("w", [2, 2])]
    assert tf.train.list_variables(str(tmp_path)) == [("sc/b", [2]), ("w", [2, 2])]
    np.testing.assert_array_equal(tf.train.load_variable(path2, "sc/b:0"), [0.5, -0.5])


def test_construction_errors(sess):
    with pytest.raises(ValueError, match="No variables to save"):
        tf.train.Saver()
    assert tf.train.Saver(allow_empty=True).last_checkpoints == []
    a = tf.Variable(1.0, name="a")
    with pytest.raises(ValueError, match="At least two variables have the same name: a"):
        tf.train.Saver([a, a])
    with pytest.raises(ValueError, match="two names"):
        tf.train.Saver({"x": a, "y": a})
    with pytest.raises(TypeError, match="Variable to save is not a Variable"):
        tf.train.Saver([tf.constant(1.0)])


def test_save_errors(sess, model, tmp_path):
    saver = tf.train.Saver()
    with pytest.raises(ValueError, match="Parent directory of .*nodir/model.ckpt doesn't exist"):
        saver.save(sess, str(tmp_path / "nodir" / "model.ckpt"))
    with pytest.raises(TypeError, match="must be a Session"):
        saver.save("not a session", str(tmp_path / "m"))
    tf.Variable(1.0, name="late")
    with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized value late"):
        tf.train.Saver().save(sess, str(tmp_path / "m"))
    assert os.listdir(tmp_path) == []


def test_restore_errors_change_no_variable(sess, model, tmp_path):
    w, b, step = model
    path = tf.train.Saver([w, b]).save(sess, str(tmp_path / "part"))
    sess.run([w.assign(tf.zeros([2, 2])), step.assign(5)])
    with pytest.raises(ValueError, match="Can't load save_path when it is None"):
        tf.train.Saver().restore(sess, None)
    with pytest.raises(ValueError, match="not a valid checkpoint: .*nothere"):
        tf.train.Saver().restore(sess, str(tmp_path / "nothere"))
    with pytest.raises(tf.errors.NotFoundError) as e:
        tf.train.Saver().restore(sess, path)  # `step` is missing from the file
    assert str(e.value).startswith("Restoring from checkpoint failed.")
    assert "Key step not found in checkpoint" in str(e.value)
    np.testing.assert_array_equal(sess.run(w), np.zeros([2, 2]))  # w was not restored either
    assert sess.run(step) == 5


def test_restore_shape_mismatch_names_both_shapes(sess, tmp_path):
    v = tf.Variable([1.0, 2.0], name="v")
    sess.run(v.initializer)
    path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    with tf.Graph().as_default(), tf.Session() as other:
        v3 = tf.Variable([0.0, 0.0, 0.0], name="v")
        other.run(v3.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError) as e:
            tf.train.Saver().restore(other, path)
        assert str(e.value).startswith("Restoring from checkpoint failed.")
        assert "lhs shape= [3] rhs shape= [2]" in str(e.value)
        np.testing.assert_array_equal(other.run(v3), [0.0, 0.0, 0.0])


def test_crash_mid_save_keeps_previous_latest(sess, model, tmp_path, monkeypatch):
    w, _, _ = model
    saver = tf.train.Saver(max_to_keep=1)
    first = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=1)
    state_before = (tmp_path / "checkpoint").read_text()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint_io, "write_bundle", crash)
    sess.run(w.assign(tf.zeros([2, 2])))
    with pytest.raises(OSError, match="disk full"):
        saver.save(sess, str(tmp_path / "model.ckpt"), global_step=2)
    with pytest.raises(OSError, match="disk full"):
        saver.save(sess, first)  # overwriting the same prefix is just as safe
    monkeypatch.undo()
    assert (tmp_path / "checkpoint").read_text() == state_before
    assert tf.train.latest_checkpoint(str(tmp_path)) == first
    assert sorted(os.listdir(tmp_path)) == [
        "checkpoint", "model.ckpt-1.data-00000-of-00001", "model.ckpt-1.index",
        "model.ckpt-1.meta"]  # no temp files left behind
    assert saver.last_checkpoints == [first]
    saver.restore(sess, first)
    np.testing.assert_array_equal(sess.run(w), [[1.0, 2.0], [3.0, 4.0]])


def test_latest_checkpoint_none_cases(sess, model, tmp_path):
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None
    path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    os.remove(path + ".index")
    assert tf.train.latest_checkpoint(str(tmp_path)) is None  # state names missing files


def test_max_to_keep_none_keeps_all_files_and_lists_only_latest(sess, model, tmp_path):
    saver = tf.train.Saver(max_to_keep=None)
    for step in (1, 2, 3):
        saver.save(sess, str(tmp_path / "m"), global_step=step, write_meta_graph=False)
    assert len([f for f in os.listdir(tmp_path) if f.endswith(".index")]) == 3
    assert (tmp_path / "checkpoint").read_text() == (
        f'model_checkpoint_path: "{tmp_path}/m-3"\n'
        f'all_model_checkpoint_paths: "{tmp_path}/m-3"\n')
    assert saver.last_checkpoints == []


def test_relative_paths_and_latest_filename(sess, model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    saver = tf.train.Saver()
    assert saver.save(sess, "model.ckpt", global_step=1) == "model.ckpt-1"
    assert (tmp_path / "checkpoint").read_text().startswith('model_checkpoint_path: "model.ckpt-1"')
    assert tf.train.latest_checkpoint(".") == "./model.ckpt-1"
    os.mkdir("sub")
    saver.save(sess, "sub/model.ckpt", global_step=2, latest_filename="mystate",
               write_state=True)
    assert (tmp_path / "sub" / "mystate").read_text().startswith(
        'model_checkpoint_path: "model.ckpt-2"')
    assert tf.train.latest_checkpoint("sub", latest_filename="mystate") == "sub/model.ckpt-2"
    saver.save(sess, "sub/other", write_state=False)
    assert not os.path.exists("sub/checkpoint")


def test_files_are_a_tensorflow_tensor_bundle(sess, model, tmp_path):
    path = tf.train.Saver().save(sess, str(tmp_path / "m"))
    table = checkpoint_format.read_table((tmp_path / "m.index").read_bytes())
    assert [key for key, _ in table] == [b"", b"sc/b", b"step", b"w"]  # header, sorted names
    header = checkpoint_format.decode_message(table[0][1])
    assert header[1] == [1] and checkpoint_format.decode_message(header[3][0]) == {1: [1]}
    reader = tensor_bundle.BundleReader(path, (tmp_path / "m.index").read_bytes())
    w = reader.entries["w"]
    assert (w.dtype, w.shape, w.size) == (tf.float32, (2, 2), 16)
    data = (tmp_path / "m.data-00000-of-00001").read_bytes()
    raw = data[w.offset:w.offset + w.size]
    assert np.frombuffer(raw, "<f4").tolist() == [1.0, 2.0, 3.0, 4.0]
    assert checkpoint_format.crc32c(raw) == w.crc
    meta = read_meta_graph(str(tmp_path / "m.meta"))  # TF's MetaGraphDef, which TF imports
    assert {"w", "sc/b", "step"} <= {node.name for node in meta.graph_def.node}
    assert meta.saver_def.restore_op_name == "save/restore_all"
    assert len(meta.collection_def["variables"].bytes_list.value) == 3


def test_optimizer_state_round_trip(sess, tmp_path):
    w = tf.Variable([1.0, 2.0], name="w")
    opt = tf.train.AdamOptimizer(0.1)
    gs = tf.train.get_or_create_global_step()
    op = opt.minimize(tf.reduce_sum(w * w), global_step=gs)
    sess.run(tf.global_variables_initializer())
    sess.run(op)
    saver = tf.train.Saver()
    path = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=gs)
    assert path.endswith("model.ckpt-1")
    names = [n for n, _ in tf.train.list_variables(path)]
    assert names == ["beta1_power", "beta2_power", "global_step", "w", "w/Adam", "w/Adam_1"]
    sess.run(op)
    after_two = sess.run(w)
    saver.restore(sess, path)
    assert tf.train.global_step(sess, gs) == 1
    sess.run(op)
    np.testing.assert_array_equal(sess.run(w), after_two)


def test_keep_checkpoint_every_n_hours_keeps_dropped_files(sess, model, tmp_path):
    saver = tf.train.Saver(max_to_keep=1, keep_checkpoint_every_n_hours=0.0)
    for step in (1, 2, 3):
        saver.save(sess, str(tmp_path / "m"), global_step=step, write_meta_graph=False)
    assert saver.last_checkpoints == [str(tmp_path / "m-3")]
    assert all(tf.train.checkpoint_exists(str(tmp_path / f"m-{s}")) for s in (1, 2, 3))


def test_tutorial_flow_import_meta_graph_then_restore(tmp_path):
    """TF1 tutorials: save; later, in a fresh graph, import the .meta and restore."""
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable([[1.0], [2.0]], name="w")
    tf.add_to_collection("prediction", tf.matmul(x, w, name="prediction"))
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(w.assign([[3.0], [-1.0]]))
        prefix = tf.train.Saver().save(sess, str(tmp_path / "model"), global_step=7)
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(prefix + ".meta")
        prediction = tf.get_collection("prediction")[0]
        with tf.Session() as sess:
            saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))
            np.testing.assert_allclose(sess.run(prediction, {"x:0": [[1.0, 1.0]]}), [[2.0]])
