"""tf.parse_single_example and tf.train.Example against TF 1.x: a TFRecord file of Examples
written by TF (tests/data/examples_tf.tfrecord) and TF's parse results
(tests/data/examples_tf.json), both recorded by tests/data/record_examples.py."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"
TF = json.loads((DATA / "examples_tf.json").read_text())
FEATURES = {
    "label": tf.FixedLenFeature([], tf.int64),
    "pixels": tf.FixedLenFeature([2, 2], tf.float32),
    "name": tf.FixedLenFeature([], tf.string),
    "ids": tf.FixedLenFeature([2], tf.int64),
    "weight": tf.FixedLenFeature([], tf.float32, default_value=1.5),
}


def parse_all(records):
    record = tf.placeholder(tf.string, [])
    parsed = tf.parse_single_example(record, FEATURES)
    assert parsed["label"].op.type == "ParseSingleExample"
    assert parsed["pixels"].shape.as_list() == [2, 2]
    with tf.Session() as sess:
        return [sess.run(parsed, {record: r}) for r in records]


def check(rows, expected=None):
    expected = TF["parsed"] if expected is None else expected
    for got, want in zip(rows, expected, strict=True):
        assert got["label"] == want["label"] and got["ids"].tolist() == want["ids"]
        assert got["name"] == bytes.fromhex(want["name"]) and got["weight"] == want["weight"]
        np.testing.assert_array_equal(got["pixels"], want["pixels"])
        assert got["pixels"].dtype == np.float32 and got["ids"].dtype == np.int64


def test_parses_examples_written_by_tensorflow():
    check(parse_all(list(tf.io.tf_record_iterator(str(DATA / "examples_tf.tfrecord")))))


def test_examples_built_here_parse_the_same():
    records = []
    for record in tf.io.tf_record_iterator(str(DATA / "examples_tf.tfrecord")):
        mine = tf.train.Example.FromString(record)   # read TF's, write it again
        assert tf.train.Example.FromString(mine.SerializeToString()) == mine
        records.append(mine.SerializeToString())
    check(parse_all(records))
    built = tf.train.Example(features=tf.train.Features(feature={
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=[3])),
        "pixels": tf.train.Feature(float_list=tf.train.FloatList(value=[0.5, -1.25, 2, 0])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"first"])),
        "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=[1, -2]))}))
    check(parse_all([built.SerializeToString()]), TF["parsed"][:1])


@pytest.mark.no_tf_export_check  # a tf.data pipeline is not carried by a GraphDef
def test_parse_inside_a_tfrecord_pipeline():
    ds = tf.data.TFRecordDataset(str(DATA / "examples_tf.tfrecord")).map(
        lambda r: tf.parse_single_example(r, FEATURES)).batch(2)
    value = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        batch = sess.run(value)
    assert batch["label"].tolist() == [row["label"] for row in TF["parsed"]]
    assert batch["pixels"].shape == (2, 2, 2)


def test_missing_feature_and_wrong_length_errors_as_tf():
    record = tf.placeholder(tf.string, [])
    missing = tf.parse_single_example(record, {"other": tf.FixedLenFeature([], tf.int64)})
    wrong = tf.parse_single_example(record, {"ids": tf.FixedLenFeature([3], tf.int64)})
    first = next(tf.io.tf_record_iterator(str(DATA / "examples_tf.tfrecord")))
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(missing, {record: first})
        assert TF["missing_error"] in str(info.value)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Values size: 2 but output "
                           r"shape: \[3\]"):
            sess.run(wrong, {record: first})
    with pytest.raises(NotImplementedError, match="SparseTensor"):
        tf.parse_single_example(record, {"ids": tf.VarLenFeature(tf.int64)})
