"""tf.summary ops and FileWriter, read back with tensorboard's own protos and loaders."""

import glob
import os
import sys

import numpy as np
import pytest

import minigraph as tf
from minigraph.ops import summary_ops

try:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.backend.event_processing.event_file_loader import LegacyEventFileLoader
    from tensorboard.compat.proto import event_pb2, graph_pb2, summary_pb2
except ImportError:  # the summary ops themselves are still tested below
    summary_pb2 = None

needs_tensorboard = pytest.mark.skipif(summary_pb2 is None,
                                       reason="the tensorboard extra is not installed")
LOSS_HALF = bytes.fromhex("0a0b0a046c6f7373150000003f")  # recorded from TF


def _parse(data):
    assert isinstance(data, bytes)
    return summary_pb2.Summary.FromString(data)


# ---------------------------------------------------------------------------------------
# Summary ops
# ---------------------------------------------------------------------------------------
def test_scalar_summary_bytes_match_the_reference_vector(sess):
    s = tf.summary.scalar("loss", tf.constant(0.5))
    assert s.op.type == "ScalarSummary" and s.op.name == "loss"
    assert s.dtype == tf.string and s.shape.ndims == 0
    assert [t.op.name for t in s.op.inputs] == ["loss/tags", "Const"]
    # Recorded from TF: the Summary inside Event(step=5, loss=0.5) is these 13 bytes.
    assert sess.run(s) == LOSS_HALF


@needs_tensorboard
def test_summary_bytes_equal_tensorboard_protos(sess):
    data = sess.run(tf.summary.scalar("loss", tf.constant(0.5)))
    expected = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="loss",
                                                                    simple_value=0.5)])
    assert data == expected.SerializeToString()
    event = event_pb2.Event(wall_time=1700000000.0, step=5, summary=_parse(data))
    assert event.SerializeToString().hex() == (
        "0900000040fc54d94110052a0d0a0b0a046c6f7373150000003f")


@needs_tensorboard
def test_scalar_tags_are_cleaned_and_scoped(sess):
    x = tf.placeholder(tf.float64, [], name="x")
    a = tf.summary.scalar("my loss", x)
    with tf.name_scope("sc"):
        b = tf.summary.scalar("y", x * 2.0)
    c = tf.summary.scalar("my loss", x)  # a second scope with the same name
    d = tf.summary.scalar("acc", 3, family="train")
    values = [_parse(v).value[0] for v in sess.run([a, b, c, d], {x: 0.25})]
    assert [v.tag for v in values] == ["my_loss", "sc/y", "my_loss_1", "train/train/acc"]
    assert [v.simple_value for v in values] == [0.25, 0.5, 0.25, 3.0]
    assert b.op.name == "sc/y" and d.op.name == "train/acc"
    assert summary_ops.clean_tag("/a b:c/d-e.f") == "a_b_c/d-e.f"


def test_scalar_needs_a_real_scalar():
    with pytest.raises(ValueError, match="tags and values not the same shape"):
        tf.summary.scalar("v", tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="real numeric"):
        tf.summary.scalar("s", tf.constant("text"))


@needs_tensorboard
def test_collections_and_merge_all(sess):
    assert tf.summary.merge_all() is None
    a = tf.summary.scalar("a", 1.0)
    b = tf.summary.scalar("b", 2.0, collections=["mine"])
    c = tf.summary.scalar("c", 3.0, collections=[])
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [a]
    assert tf.get_collection("mine") == [b] and c not in tf.get_collection("mine")
    merged = tf.summary.merge_all()
    assert merged.op.type == "MergeSummary" and merged.op.name == "Merge/MergeSummary"
    both = tf.summary.merge([a, b], name="both")
    assert both.op.name == "both/MergeSummary"
    assert [(v.tag, v.simple_value) for v in _parse(sess.run(both)).value] == [
        ("a", 1.0), ("b", 2.0)]
    assert [v.tag for v in _parse(sess.run(merged)).value] == ["a"]
    assert tf.summary.merge_all("mine").op.inputs[0] is b
    assert merged not in tf.get_collection(tf.GraphKeys.SUMMARIES)


def test_merge_rejects_duplicate_tags(sess):
    a = tf.summary.scalar("a", 1.0)
    dup = tf.summary.merge([a, a])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Duplicate tag a found"):
        sess.run(dup)
    with pytest.raises(ValueError, match="merge_all"):
        tf.summary.merge([])


@needs_tensorboard
def test_histogram_summary_counts_values_into_tf_buckets(sess):
    values = np.array([-3.0, 0.0, 0.5, 1.0, 1.0, 2.0, 1e30], np.float32)
    h = tf.summary.histogram("w", tf.constant(values))
    assert h.op.type == "HistogramSummary"
    value = _parse(sess.run(h)).value[0]
    assert value.tag == "w"
    histo = value.histo
    doubles = values.astype(np.float64)
    assert (histo.min, histo.max, histo.num) == (-3.0, float(doubles.max()), 7)
    assert histo.sum == pytest.approx(doubles.sum())
    assert histo.sum_squares == pytest.approx(float(np.dot(doubles, doubles)))
    limits, counts = np.array(histo.bucket_limit), np.array(histo.bucket)
    assert counts.sum() == 7 and len(limits) == len(counts)
    assert np.all(np.diff(limits) > 0) and limits[-1] == sys.float_info.max
    # Every non-empty bucket [previous limit, limit) holds exactly the values in it.
    edges = np.concatenate([[-np.inf], limits])
    for lo, hi, n in zip(edges[:-1], edges[1:], counts, strict=True):
        assert n == np.sum((doubles >= lo) & (doubles < hi))
    # Runs of empty buckets are collapsed: no two empty entries are adjacent.
    assert not np.any((counts[:-1] == 0) & (counts[1:] == 0))
    full = summary_ops.default_bucket_limits()
    # 774 limits 1e-12 * 1.1**k below 1e20 per sign, +-DBL_MAX, and 0.
    assert len(full) == 1551 and full[775] == 0.0 and full[776] == 1e-12
    assert full[777] == pytest.approx(1.1e-12) and full[-2] < 1e20 <= full[-2] * 1.1
    assert np.array_equal(full[:775], -full[776:][::-1])


def test_histogram_rejects_nan(sess):
    x = tf.placeholder(tf.float32, [None], name="x")
    h = tf.summary.histogram("acts", x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Nan in summary histogram for: acts"):
        sess.run(h, {x: [1.0, np.nan]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="Infinity in summary histogram"):
        sess.run(h, {x: [np.inf]})


def test_summary_ops_run_without_tensorboard(sess, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto", None)
    s = tf.summary.scalar("loss", 0.5)
    assert sess.run(s) == LOSS_HALF
    with pytest.raises(ImportError, match=r"minigraph\[tensorboard\]"):
        tf.summary.FileWriter("/nonexistent/never/created")


# ---------------------------------------------------------------------------------------
# FileWriter
# ---------------------------------------------------------------------------------------
def _training_run(logdir, steps=3):
    x = tf.placeholder(tf.float32, [None], name="x")
    w = tf.Variable(2.0, name="w")
    loss = tf.reduce_sum(x * w, name="total")  # an op named "loss" would make the tag loss_1
    gw, = tf.gradients(loss, [w])
    update = tf.assign(w, w - 0.25 * gw)
    with tf.control_dependencies([update]):
        train = tf.group(loss, name="train")
    tf.summary.scalar("loss", loss)
    tf.summary.histogram("weights", w)
    merged = tf.summary.merge_all()
    init = tf.global_variables_initializer()
    losses = []
    with tf.Session() as sess, tf.summary.FileWriter(logdir, sess.graph) as writer:
        sess.run(init)
        for step in range(steps):
            summary, value, _ = sess.run([merged, loss, train], {x: [1.0, 1.0]})
            writer.add_summary(summary, global_step=step)
            losses.append(float(value))
    return losses


@needs_tensorboard
def test_file_writer_events_read_back_with_tensorboard(tmp_path):
    losses = _training_run(str(tmp_path))
    files = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    assert len(files) == 1
    events = list(LegacyEventFileLoader(files[0]).Load())
    assert events[0].file_version == "brain.Event:2"
    graph_events = [e for e in events if e.HasField("graph_def")]
    assert len(graph_events) == 1
    written = graph_pb2.GraphDef.FromString(graph_events[0].graph_def)
    assert written == tf.get_default_graph().as_graph_def(add_shapes=True)
    assert "_output_shapes" in written.node[0].attr
    summaries = [e for e in events if e.HasField("summary")]
    assert [e.step for e in summaries] == [0, 1, 2]
    accumulator = EventAccumulator(str(tmp_path), size_guidance={"histograms": 0})
    accumulator.Reload()
    assert set(accumulator.Tags()["scalars"]) == {"loss"}
    assert [(s.step, s.value) for s in accumulator.Scalars("loss")] == [
        (i, pytest.approx(v)) for i, v in enumerate(losses)]
    assert losses == [4.0, 3.0, 2.0]
    assert [h.histogram_value.max for h in accumulator.Histograms("weights")] == [2.0, 1.5, 1.0]
    assert {n.name for n in accumulator.Graph().node} == {
        n.name for n in tf.get_default_graph().as_graph_def().node}


@needs_tensorboard
def test_file_writer_api(tmp_path):
    logdir = str(tmp_path / "run")
    writer = tf.summary.FileWriter(logdir, filename_suffix=".v1", flush_secs=1)
    assert writer.get_logdir() == logdir and os.path.isdir(logdir)
    proto = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="lr", simple_value=0.1)])
    writer.add_summary(proto, global_step=np.int64(7))
    writer.add_event(event_pb2.Event(step=8, file_version="custom"))
    with pytest.raises(TypeError, match="Summary proto"):
        writer.add_summary(0.5)
    writer.close()
    writer.add_summary(proto, 9)  # ignored after close, as in TF1
    writer.close()
    first = glob.glob(os.path.join(logdir, "*"))
    assert len(first) == 1 and first[0].endswith(".v1")
    events = list(LegacyEventFileLoader(first[0]).Load())
    assert [(e.step, e.summary.value[0].simple_value) for e in events if e.HasField("summary")
            ] == [(7, pytest.approx(0.1))]
    assert events[-1].file_version == "custom" and events[-1].step == 8
    writer.reopen()
    writer.add_summary(proto.SerializeToString(), 10)
    writer.flush()
    writer.close()
    assert len(glob.glob(os.path.join(logdir, "*"))) == 2
    with pytest.raises(ValueError, match="graph or a graph_def"):
        tf.summary.FileWriter(logdir).add_graph(None)
