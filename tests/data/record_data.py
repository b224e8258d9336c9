"""Record what real TensorFlow 1.x writes and reads for tf.data tests (run by hand).

    TF_USE_LEGACY_KERAS=1 /path/to/tf/python tests/data/record_data.py

Writes tests/data/records_tf.tfrecord and records_tf.tfrecord.gz (written by TF's
TFRecordWriter) and tests/data/data_tf.json (pipeline outputs that involve no randomness).
"""

import json
import pathlib

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
HERE = pathlib.Path(__file__).resolve().parent
RECORDS = [b"hello", b"", b"\x00\x01\x02" * 50, "minigraph \u00e9".encode()]


def write_records():
    with tf.io.TFRecordWriter(str(HERE / "records_tf.tfrecord")) as w:
        for r in RECORDS:
            w.write(r)
    options = tf.io.TFRecordOptions(compression_type="GZIP")
    with tf.io.TFRecordWriter(str(HERE / "records_tf.tfrecord.gz"), options) as w:
        for r in RECORDS:
            w.write(r)


def drain(dataset):
    value = tf.data.make_one_shot_iterator(dataset).get_next()
    out = []
    with tf.Session() as sess:
        while True:
            try:
                out.append(sess.run(value))
            except tf.errors.OutOfRangeError:
                return out


def listify(x):
    if isinstance(x, (tuple, list)):
        return [listify(v) for v in x]
    if isinstance(x, dict):
        return {k: listify(v) for k, v in x.items()}
    return np.asarray(x).tolist()


def pipelines():
    return {
        "padded_batch": drain(tf.data.Dataset.range(1, 6).map(
            lambda x: tf.fill([tf.cast(x, tf.int32)], tf.cast(x, tf.float32)))
            .padded_batch(2, padded_shapes=[None], padding_values=-1.0)),
        "map_filter_batch": drain(tf.data.Dataset.range(10).map(lambda x: x * x)
                                  .filter(lambda x: tf.equal(x % 2, 0)).batch(2)),
        "zip_take_skip": drain(tf.data.Dataset.zip((tf.data.Dataset.range(8).skip(2),
                                                    tf.data.Dataset.range(100, 103)))),
        "repeat_batch_drop": drain(tf.data.Dataset.range(3).repeat(3).batch(4,
                                                                          drop_remainder=True)),
        "dict_slices": drain(tf.data.Dataset.from_tensor_slices(
            {"a": [1, 2, 3], "b": [[1.5], [2.5], [3.5]]}).batch(2)),
        "tuple_map": drain(tf.data.Dataset.from_tensor_slices(([1, 2], [3, 4])).map(
            lambda a, b: (a + b, a * b))),
        "flat_map": drain(tf.data.Dataset.from_tensor_slices([[1, 2], [3, 4], [5, 6]])
                          .flat_map(lambda row: tf.data.Dataset.from_tensor_slices(row * 10))),
        "interleave_2_1": drain(tf.data.Dataset.range(1, 5).interleave(
            lambda x: tf.data.Dataset.from_tensors(x).repeat(x), cycle_length=2,
            block_length=1)),
        "interleave_3_2": drain(tf.data.Dataset.range(1, 6).interleave(
            lambda x: tf.data.Dataset.range(x * 10, x * 10 + x), cycle_length=3,
            block_length=2)),
    }


if __name__ == "__main__":
    write_records()
    data = {"records": [r.hex() for r in RECORDS],
            "pipelines": {k: listify(v) for k, v in pipelines().items()}}
    (HERE / "data_tf.json").write_text(json.dumps(data))
