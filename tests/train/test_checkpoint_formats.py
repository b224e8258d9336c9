"""Checkpoint formats: TensorFlow's tensor bundle both ways, and minigraph's earlier format.

The fixtures under tests/data/checkpoints/ were made by real TensorFlow (and by minigraph,
then read by TensorFlow) with tests/data/record_checkpoints.py; the earlier-format one by
tests/data/record_legacy_checkpoint.py.
"""

import io
import json
import logging
import pathlib
import shutil
import struct

import numpy as np
import pytest

import minigraph as tf
from minigraph.train import checkpoint_format, tensor_bundle

DATA = pathlib.Path(__file__).resolve().parents[1] / "data" / "checkpoints"
TF_PREFIX = str(DATA / "tf_bert_adam" / "model.ckpt-3")
LEGACY_PREFIX = str(DATA / "minigraph_v1" / "model.ckpt-7")


def _expected(record) -> np.ndarray:
    if record["dtype"] == "string":
        values = [v.encode("latin-1") for v in record["value"]]
        return np.array(values, dtype=object).reshape(record["shape"])
    return np.array(record["value"], dtype=record["dtype"]).reshape(record["shape"])


def _tf_values() -> dict:
    records = json.loads((DATA / "tf_bert_adam" / "values.json").read_text())
    return {name: _expected(r) for name, r in records.items()}


def _assert_same(got, want):
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


def _record_module():
    """The model and array recipes of tests/data/record_checkpoints.py (without importing
    TensorFlow, which that script needs only for recording)."""
    source = (DATA.parent / "record_checkpoints.py").read_text()
    namespace = {"np": np}
    start = source.index("def build_bert_like")
    exec(source[start:source.index("\ndef record_tf_checkpoint")], namespace)  # noqa: S102
    start = source.index("def multi_block_arrays")
    exec(source[start:source.index("\ndef record_multi_block")], namespace)  # noqa: S102
    return type("Recipes", (), {k: staticmethod(v) for k, v in namespace.items()
                                if callable(v) and k != "np"})


def _bert_like(tfm):
    return _record_module().build_bert_like(tfm)


# ---------------------------------------------------------------------------------------
# The byte-level pieces
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 9, 65535, 65536, 65536 + 16384 * 3 + 5, 300_001])
def test_crc32c_matches_the_byte_loop_and_extends(n):
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    want = checkpoint_format._crc_loop(data, 0xFFFFFFFF) ^ 0xFFFFFFFF
    assert checkpoint_format.crc32c(data) == want
    assert checkpoint_format.crc32c(data[n // 3:], checkpoint_format.crc32c(data[:n // 3])) \
        == want


def test_crc32c_tables_built_by_concurrent_first_calls(monkeypatch):
    import threading

    monkeypatch.setattr(checkpoint_format, "_PAIR_TABLES", [])
    monkeypatch.setattr(checkpoint_format, "_SHIFT_TABLES", {})
    monkeypatch.setattr(checkpoint_format, "_ZERO_COLUMNS",
                        checkpoint_format._ZERO_COLUMNS[:1])
    rng = np.random.default_rng(5)
    blobs = [rng.integers(0, 256, n, dtype=np.uint8).tobytes()
             for n in (70_000, 300_000, 600_001) * 2]
    got = [None] * len(blobs)

    def work(i):
        got[i] = checkpoint_format.crc32c(blobs[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(blobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [checkpoint_format._crc_loop(b, 0xFFFFFFFF) ^ 0xFFFFFFFF for b in blobs]


def test_crc32c_reference_values_and_mask():
    assert checkpoint_format.crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    assert checkpoint_format.crc32c(bytes(32)) == 0x8A9136AA      # RFC 3720 B.4
    assert checkpoint_format.crc32c(b"\xff" * 32) == 0x62A8AB43
    for crc in (0, 1, 0xE3069283, 0xFFFFFFFF):
        assert checkpoint_format.unmask_crc(checkpoint_format.mask_crc(crc)) == crc
    assert checkpoint_format.mask_crc(0) == 0xA282EAD8


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 2**35, 2**63 - 1])
def test_varint_round_trip(value):
    encoded = checkpoint_format.encode_varint(value)
    assert checkpoint_format.decode_varint(encoded, 0) == (value, len(encoded))


def test_table_with_many_keys_uses_restarts_and_several_blocks(monkeypatch):
    monkeypatch.setattr(checkpoint_format, "_BLOCK_SIZE", 200)
    entries = [(f"layer_{i:03d}/kernel".encode(), bytes([i]) * (i % 7)) for i in range(60)]
    table = checkpoint_format.build_table(entries)
    assert checkpoint_format.read_table(table) == entries


# ---------------------------------------------------------------------------------------
# TensorFlow's checkpoints in minigraph
# ---------------------------------------------------------------------------------------
def test_minigraph_reads_tensorflows_checkpoint():
    want = _tf_values()
    assert tf.train.latest_checkpoint(str(DATA / "tf_bert_adam")) == TF_PREFIX
    assert tf.train.list_variables(TF_PREFIX) == [(n, list(v.shape)) for n, v in
                                                  sorted(want.items())]
    reader = tf.train.NewCheckpointReader(TF_PREFIX)
    assert reader.has_tensor("bert/encoder/layer_0/attention/self/query/kernel/Adam_1")
    assert not reader.has_tensor("bert/encoder/layer_0/attention/self/query/kernel:0")
    dtypes = reader.get_variable_to_dtype_map()
    assert (dtypes["half"], dtypes["counts"], dtypes["vocab"], dtypes["global_step"]) == \
        (tf.float16, tf.int64, tf.string, tf.int64)
    for name, value in want.items():
        _assert_same(reader.get_tensor(name), value)
    _assert_same(tf.train.load_checkpoint(str(DATA / "tf_bert_adam")).get_tensor("half"),
                 want["half"])


def test_tensorflows_bytes_are_what_minigraph_writes():
    index = pathlib.Path(TF_PREFIX + ".index").read_bytes()
    data = pathlib.Path(TF_PREFIX + ".data-00000-of-00001").read_bytes()
    arrays = tensor_bundle.BundleReader(TF_PREFIX, index).read(sorted(_tf_values()))
    index_out, data_out = io.BytesIO(), io.BytesIO()
    tensor_bundle.write_bundle(index_out, data_out, arrays)  # no save id: TF's exact bytes
    assert data_out.getvalue() == data
    assert index_out.getvalue() == index


def test_a_multi_block_index_is_byte_for_byte_tensorflows():
    """7000 long names: several 256 KiB data blocks, an index block with a restart per key."""
    import hashlib

    recorded = json.loads((DATA / "tf_multi_block.json").read_text())
    arrays = {name: np.asarray(value) for name, value in
              _record_module().multi_block_arrays().items()}
    index, data = io.BytesIO(), io.BytesIO()
    tensor_bundle.write_bundle(index, data, arrays)
    assert len(index.getvalue()) == recorded["bytes"][".index"]
    assert hashlib.sha256(index.getvalue()).hexdigest() == recorded["sha256"][".index"]
    assert hashlib.sha256(data.getvalue()).hexdigest() == \
        recorded["sha256"][".data-00000-of-00001"]
    table = checkpoint_format.read_table(index.getvalue())
    assert len(table) == 7002 and table[-1][0] == b"zz_big"


def test_a_sharded_tensorflow_checkpoint_restores(sess):
    """Saver(sharded=True) over two devices: entries name their shard's data file."""
    prefix = str(DATA / "tf_sharded" / "model.ckpt")
    want = {"a": np.array([1.5, -2.0], np.float32), "b": np.array([3, 4], np.int64),
            "c": np.array([[0.25]], np.float64)}
    index = pathlib.Path(prefix + ".index").read_bytes()
    reader = tensor_bundle.BundleReader(prefix, index)
    assert reader.num_shards == 2 and {e.shard for e in reader.entries.values()} == {0, 1}
    variables = {n: tf.Variable(np.zeros_like(v), name=n) for n, v in want.items()}
    tf.train.Saver().restore(sess, prefix)
    for name, var in variables.items():
        _assert_same(sess.run(var), want[name])


def test_a_missing_shard_is_not_found(sess, tmp_path):
    shutil.copytree(DATA / "tf_sharded", tmp_path / "s")
    (tmp_path / "s" / "model.ckpt.data-00001-of-00002").unlink()
    variables = [tf.Variable(np.zeros(2, np.float32), name="a"),
                 tf.Variable(np.zeros(2, np.int64), name="b")]
    sess.run(tf.global_variables_initializer())
    with pytest.raises(tf.errors.NotFoundError, match=r"model.ckpt.data-00001-of-00002; No such "
                       "file or directory"):
        tf.train.Saver(variables).restore(sess, str(tmp_path / "s" / "model.ckpt"))
    assert not sess.run(variables[0]).any()


def test_saver_restores_tensorflows_checkpoint_into_the_same_model(sess):
    train, _ = _bert_like(tf)
    saver = tf.train.Saver()
    saver.restore(sess, TF_PREFIX)
    want = _tf_values()
    for var in tf.global_variables():
        _assert_same(np.asarray(sess.run(var)), want[var.op.name])
    sess.run(train)  # training continues from the restored Adam slots and step
    assert sess.run(tf.train.get_global_step()) == 4


def test_tensorflow_reads_minigraphs_checkpoint():
    """Recorded: TF's list_variables, load_checkpoint and Saver.restore on minigraph's files."""
    recorded = json.loads((DATA / "minigraph_written" / "tf_read.json").read_text())
    prefix = str(DATA / "minigraph_written" / "model.ckpt-3")
    mine = tf.train.NewCheckpointReader(prefix)
    assert [[n, s] for n, s in tf.train.list_variables(prefix)] == recorded["list_variables"]
    for name, record in recorded["load_checkpoint"].items():
        _assert_same(mine.get_tensor(name), _expected(record))
        _assert_same(_expected(recorded["saver_restore"][name]), _expected(record))
    # minigraph still writes exactly these bytes for these values (save id included).
    index = pathlib.Path(prefix + ".index").read_bytes()
    reader = tensor_bundle.BundleReader(prefix, index)
    index_out, data_out = io.BytesIO(), io.BytesIO()
    tensor_bundle.write_bundle(index_out, data_out, reader.read(sorted(reader.entries)),
                               reader.save_id)
    assert index_out.getvalue() == index
    assert data_out.getvalue() == pathlib.Path(prefix + ".data-00000-of-00001").read_bytes()


def test_tensorflow_restores_through_minigraphs_exported_meta_graph():
    """Recorded: TF's import_meta_graph(minigraph's export_meta_graph()) returned a Saver that
    restored minigraph's checkpoint: every variable of the graph, Adam slots included."""
    recorded = json.loads((DATA / "minigraph_written" / "tf_read.json").read_text())
    via_meta = recorded["import_meta_graph_restore"]
    reader = tf.train.NewCheckpointReader(str(DATA / "minigraph_written" / "model.ckpt-3"))
    assert sorted(via_meta) == sorted(reader.get_variable_to_shape_map())
    for name, record in via_meta.items():
        _assert_same(_expected(record), reader.get_tensor(name))


def test_a_minigraph_save_of_the_recorded_model_matches_the_recorded_files(sess, tmp_path):
    train, _ = _bert_like(tf)
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        sess.run(train)
    path = tf.train.Saver().save(sess, str(tmp_path / "model.ckpt"), global_step=3)
    recorded = tf.train.NewCheckpointReader(str(DATA / "minigraph_written" / "model.ckpt-3"))
    fresh = tf.train.NewCheckpointReader(path)
    assert fresh.get_variable_to_shape_map() == recorded.get_variable_to_shape_map()
    for name in recorded.get_variable_to_shape_map():
        want = recorded.get_tensor(name)
        got = fresh.get_tensor(name)
        assert got.dtype == want.dtype
        if want.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=1e-6)
        else:
            np.testing.assert_array_equal(got, want)


# ---------------------------------------------------------------------------------------
# minigraph's earlier format
# ---------------------------------------------------------------------------------------
LEGACY = {"w": np.array([[1.5, -2.0], [0.25, 4.0]], np.float32),
          "sc/b": np.array([0.5, -0.5], np.float64), "step": np.array(7, np.int32),
          "tokens": np.array([b"a", b"bc"], object)}


def test_earlier_format_restores_with_a_warning(sess, caplog):
    variables = {n: tf.Variable(np.zeros_like(v) if v.dtype != object else [b"", b""], name=n)
                 for n, v in LEGACY.items()}
    with caplog.at_level(logging.WARNING, logger="minigraph"):
        tf.train.Saver().restore(sess, LEGACY_PREFIX)
    assert "earlier format" in caplog.text and LEGACY_PREFIX in caplog.text
    for name, var in variables.items():
        _assert_same(np.asarray(sess.run(var)), LEGACY[name])


def test_earlier_format_readers_and_resave_in_tf_format(sess, tmp_path):
    assert tf.train.list_variables(LEGACY_PREFIX) == [("sc/b", [2]), ("step", []),
                                                      ("tokens", [2]), ("w", [2, 2])]
    reader = tf.train.NewCheckpointReader(LEGACY_PREFIX)
    assert reader.get_variable_to_dtype_map()["step"] == tf.int32
    _assert_same(reader.get_tensor("tokens"), LEGACY["tokens"])
    # Saving over an old-format prefix converts it.
    target = tmp_path / "old"
    shutil.copytree(DATA / "minigraph_v1", target)
    w = tf.Variable(LEGACY["w"], name="w")
    sess.run(w.initializer)
    path = tf.train.Saver([w]).save(sess, str(target / "model.ckpt-7"))
    assert not (target / "model.ckpt-7.index").read_bytes().startswith(b"{")
    assert tf.train.list_variables(path) == [("w", [2, 2])]


def _legacy_copy(tmp_path, tensors_edit):
    """A copy of the old-format fixture whose npz holds different arrays."""
    target = tmp_path / "old"
    shutil.copytree(DATA / "minigraph_v1", target)
    data = target / "model.ckpt-7.data-00000-of-00001"
    with np.load(data) as archive:
        arrays = dict(archive)
    tensors_edit(arrays)
    with open(data, "wb") as f:
        np.savez(f, **arrays)
    return str(target / "model.ckpt-7")


@pytest.mark.parametrize("edit, problem", [
    (lambda a: a.__setitem__("t3", np.ones([1], np.float32)), "float32 of shape [1]"),
    (lambda a: a.__setitem__("t3", np.ones([2, 2], np.float64)), "float64 of shape [2, 2]"),
])
def test_earlier_format_arrays_are_checked_before_anything_is_assigned(sess, tmp_path, edit,
                                                                       problem):
    prefix = _legacy_copy(tmp_path, edit)
    w = tf.Variable(np.zeros([2, 2], np.float32), name="w")
    b = tf.Variable(np.zeros([2]), name="sc/b")
    sess.run(tf.global_variables_initializer())
    with pytest.raises(tf.errors.DataLossError) as e:
        tf.train.Saver([b, w]).restore(sess, prefix)
    assert problem in str(e.value) and "model.ckpt-7.data-00000-of-00001" in str(e.value)
    assert "the index says float32 of shape [2, 2]" in str(e.value)
    np.testing.assert_array_equal(sess.run(b), [0.0, 0.0])  # b (read first) was not assigned


# ---------------------------------------------------------------------------------------
# init_from_checkpoint (BERT's fine-tuning start)
# ---------------------------------------------------------------------------------------
def _bert_variables():
    with tf.variable_scope("bert/encoder/layer_0/attention/self/query"):
        kernel = tf.get_variable("kernel", shape=[4, 4])
        bias = tf.get_variable("bias", shape=[4])
    with tf.variable_scope("cls"):
        out = tf.get_variable("output_weights", shape=[4, 2])
    return kernel, bias, out


def test_init_from_checkpoint_scope_and_exact_maps(sess):
    kernel, bias, out = _bert_variables()
    fresh = tf.get_variable("classifier", shape=[2])  # not mapped: keeps its initializer
    tf.train.init_from_checkpoint(TF_PREFIX, {"bert/": "bert/",
                                              "cls/output_weights": "cls/output_weights"})
    assert kernel.initializer.type == "Assign"
    restore = kernel.initializer.inputs[1].op
    assert restore.type == "RestoreV2" and restore.name.startswith("checkpoint_initializer")
    assert kernel.initial_value.shape.as_list() == [4, 4]
    sess.run(tf.global_variables_initializer())
    want = _tf_values()
    for var in (kernel, bias, out):
        _assert_same(sess.run(var), want[var.op.name])
    assert sess.run(fresh).shape == (2,)


def test_init_from_checkpoint_with_a_variable_and_a_directory(sess):
    kernel, _, _ = _bert_variables()
    tf.train.init_from_checkpoint(str(DATA / "tf_bert_adam"),
                                  {"bert/encoder/layer_0/attention/self/query/kernel": kernel})
    sess.run(kernel.initializer)
    _assert_same(sess.run(kernel), _tf_values()[kernel.op.name])


def test_init_from_checkpoint_on_the_earlier_format(sess):
    with tf.variable_scope("sc"):
        b = tf.get_variable("b", shape=[2], dtype=tf.float64)
    tf.train.init_from_checkpoint(LEGACY_PREFIX, {"sc/": "sc/"})
    sess.run(b.initializer)
    _assert_same(sess.run(b), LEGACY["sc/b"])


@pytest.mark.parametrize("mapping, error, phrase", [
    ({"nothere/": "bert/"}, ValueError,
     "Tensor nothere/encoder/layer_0/attention/self/query/bias (encoder/layer_0/attention/self/"
     "query/bias in nothere/) is not found in"),
    ({"cls/output_weights": "bert/encoder/layer_0/attention/self/query/kernel"}, ValueError,
     "Shape of variable bert/encoder/layer_0/attention/self/query/kernel:0 ((4, 4)) doesn't "
     "match with shape of tensor cls/output_weights ([4, 2])"),
    ({"bert/encoder": "bert/"}, ValueError,
     "Assignment map with scope only name bert should map to scope only bert/encoder."),
    ({"missing": "cls/output_weights"}, ValueError, "Tensor missing is not found in"),
])
def test_init_from_checkpoint_errors(mapping, error, phrase):
    _bert_variables()
    with pytest.raises(error) as e:
        tf.train.init_from_checkpoint(TF_PREFIX, mapping)
    assert phrase in str(e.value)


def test_init_from_checkpoint_missing_checkpoint(tmp_path):
    _bert_variables()
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
        tf.train.init_from_checkpoint(str(tmp_path / "none"), {"bert/": "bert/"})


def test_restore_v2_op_reads_at_run_time_and_checks_dtypes(sess):
    from minigraph.train.checkpoint_utils import restore_v2

    half, counts = restore_v2(TF_PREFIX, ["half", "counts"], ["", ""], [tf.float16, tf.int64])
    assert half.op.type == "RestoreV2" and len(half.op.outputs) == 2
    got_half, got_counts = sess.run([half, counts])
    _assert_same(got_half, _tf_values()["half"])
    _assert_same(got_counts, _tf_values()["counts"])
    wrong, = restore_v2(TF_PREFIX, ["half"], [""], [tf.float32])
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected dtype float32 does not "
                       "equal original dtype float16"):
        sess.run(wrong)


def test_crc_of_string_tensors_follows_tensorflow():
    """Strings: varint lengths, masked CRC of the lengths (as uint32), then the bytes."""
    chunks, crc = tensor_bundle._tensor_bytes(np.array([b"xy", b""], object), tf.string)
    assert b"".join(chunks) == b"\x02\x00" + struct.pack(
        "<I", checkpoint_format.mask_crc(checkpoint_format.crc32c(struct.pack("<2I", 2, 0)))) \
        + b"xy"
    assert crc == 4135064460  # TF's stored value for this tensor
