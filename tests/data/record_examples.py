"""Record tf.train.Example files written by TF 1.x and what parse_single_example returns
(run by hand):

    TF_USE_LEGACY_KERAS=1 /path/to/tf/python tests/data/record_examples.py

Writes tests/data/examples_tf.tfrecord and tests/data/examples_tf.json.
"""

import json
import pathlib

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
HERE = pathlib.Path(__file__).resolve().parent
ROWS = [
    {"label": [3], "pixels": [0.5, -1.25, 2.0, 0.0], "name": [b"first"], "ids": [1, -2]},
    {"label": [-7], "pixels": [1.0, 2.0, 3.0, 4.5], "name": [b"second \xe2\x9c\x93"],
     "ids": [2 ** 40, 0]},
]
FEATURES = {
    "label": tf.FixedLenFeature([], tf.int64),
    "pixels": tf.FixedLenFeature([2, 2], tf.float32),
    "name": tf.FixedLenFeature([], tf.string),
    "ids": tf.FixedLenFeature([2], tf.int64),
    "weight": tf.FixedLenFeature([], tf.float32, default_value=1.5),
}


def example(row):
    feature = {
        "label": tf.train.Feature(int64_list=tf.train.Int64List(value=row["label"])),
        "pixels": tf.train.Feature(float_list=tf.train.FloatList(value=row["pixels"])),
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=row["name"])),
        "ids": tf.train.Feature(int64_list=tf.train.Int64List(value=row["ids"])),
    }
    return tf.train.Example(features=tf.train.Features(feature=feature))


if __name__ == "__main__":
    path = HERE / "examples_tf.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as writer:
        for row in ROWS:
            writer.write(example(row).SerializeToString())
    parsed = tf.data.TFRecordDataset(str(path)).map(
        lambda s: tf.parse_single_example(s, FEATURES))
    value = tf.data.make_one_shot_iterator(parsed).get_next()
    out = []
    with tf.Session() as sess:
        for _ in ROWS:
            v = sess.run(value)
            out.append({k: (x.tolist() if not isinstance(x, bytes) else x.hex())
                        if not isinstance(x, np.ndarray) or x.dtype != object else x.tolist()
                        for k, x in v.items()})
        missing = tf.parse_single_example(example({"label": [1], "pixels": [0.0] * 4,
                                                   "name": [b""], "ids": [1, 2]})
                                          .SerializeToString(),
                                          {"other": tf.FixedLenFeature([], tf.int64)})
        try:
            sess.run(missing)
            error = None
        except tf.errors.InvalidArgumentError as e:
            error = next(line for line in e.message.splitlines() if "Feature" in line)
    for row in out:
        row["name"] = row["name"].hex() if isinstance(row["name"], bytes) else row["name"]
    (HERE / "examples_tf.json").write_text(json.dumps({"parsed": out, "missing_error": error},
                                                      default=lambda b: b.hex()))
    print(out, error)
