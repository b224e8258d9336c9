"""Record tf.summary.image from real TensorFlow 1.x (run by hand).

Usage: TF_USE_LEGACY_KERAS=1 /path/to/tf-venv/bin/python tests/data/record_image_summary.py
Writes tests/data/image_summary.json: the inputs, and for each case the Summary's tags,
heights, widths, colorspaces and the decoded PNG pixels (decoded with tf.image.decode_png,
so the comparison does not depend on how the PNG bytes were compressed).
"""

import json
import pathlib

import numpy as np
import tensorflow.compat.v1 as tf
from tensorboard.compat.proto import summary_pb2

tf.disable_v2_behavior()
OUT = pathlib.Path(__file__).with_name("image_summary.json")
rng = np.random.RandomState(5)
CASES = {
    "float_positive": (rng.rand(2, 3, 4, 1) * 0.8).round(3).astype(np.float32),
    "float_signed": (rng.randn(3, 2, 3, 3)).round(3).astype(np.float32),
    "float_nan": np.array([[[[0.5], [np.nan]], [[np.inf], [0.25]]]], np.float32),
    "float_zero": np.zeros([1, 2, 2, 4], np.float32),
    "uint8_rgba": rng.randint(0, 256, size=(1, 2, 3, 4)).astype(np.uint8),
}


def write_event_file(sess):
    """A small event file written by TF (for summary_iterator): one scalar, one image."""
    import glob
    import shutil
    import tempfile

    loss = tf.summary.scalar("loss", tf.constant(0.25))
    picture = tf.summary.image("picture", tf.constant(CASES["uint8_rgba"]), max_outputs=1)
    logdir = tempfile.mkdtemp()
    writer = tf.summary.FileWriter(logdir)
    writer.add_summary(sess.run(tf.summary.merge([loss, picture])), global_step=7)
    writer.close()
    shutil.copy(glob.glob(logdir + "/events.*")[0], OUT.with_name("tf_events.tfevents"))


def main():
    out = {"inputs": {k: np.where(np.isfinite(v), v, 0).tolist() if v.dtype != np.uint8
                      else v.tolist() for k, v in CASES.items()}, "values": {}}
    with tf.Session() as sess:
        for key, images in CASES.items():
            with tf.name_scope("scope"):
                summary = tf.summary.image(key, tf.constant(images), max_outputs=2)
            proto = summary_pb2.Summary.FromString(sess.run(summary))
            values = []
            for v in proto.value:
                pixels = sess.run(tf.image.decode_png(v.image.encoded_image_string))
                values.append({"tag": v.tag, "height": v.image.height,
                               "width": v.image.width, "colorspace": v.image.colorspace,
                               "pixels": pixels.tolist()})
            out["values"][key] = values
        write_event_file(sess)
    out["tf_version"] = tf.__version__
    OUT.write_text(json.dumps(out))
    print("wrote", OUT)


if __name__ == "__main__":
    main()
