"""Record the checkpoint fixtures with real TensorFlow (run by hand, never in CI).

    cd <repo>
    TF_USE_LEGACY_KERAS=1 PYTHONPATH=. /path/to/tf/python tests/data/record_checkpoints.py

Writes under tests/data/checkpoints/:
- tf_bert_adam/: a TF 1.x-style checkpoint made by `tf.compat.v1.train.Saver` after three Adam
  steps of a tiny BERT-like model (names such as bert/encoder/layer_0/attention/self/query/
  kernel, their /Adam and /Adam_1 slots, beta1_power, beta2_power, global_step), plus a
  float16, an int64 and a string variable; `values.json` holds every tensor as TF reads it.
- minigraph_written/: a checkpoint saved by minigraph's Saver; `tf_read.json` holds what
  TensorFlow's load_checkpoint, list_variables and Saver.restore got from it, and the
  variables after TF imported minigraph's `export_meta_graph()` and restored this checkpoint
  through the Saver that import returned.
- tf_multi_block.json: the SHA-256 of the index and data files TF writes for
  `multi_block_arrays()` (7000 variables: an index of several 256 KiB blocks, too big to
  commit), so a test can compare minigraph's bytes with TF's.

- tf_sharded/: `Saver(sharded=True)` over two CPU devices: two data files
  (`.data-00000-of-00002`, `.data-00001-of-00002`) holding `SHARDED_VALUES`.

Pass part names (tf_checkpoint, tf_reading_minigraph, multi_block, sharded) to record only
those.
"""

import hashlib
import json
import os
import pathlib
import shutil
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow.compat.v1 as tf  # noqa: E402

tf.disable_v2_behavior()

OUT = pathlib.Path(__file__).resolve().parent / "checkpoints"


def _jsonable(value):
    arr = np.asarray(value)
    if arr.dtype == object:
        return {"dtype": "string", "value": [b.decode("latin-1") for b in arr.ravel()],
                "shape": list(arr.shape)}
    return {"dtype": arr.dtype.name, "value": arr.ravel().tolist(), "shape": list(arr.shape)}


def build_bert_like(tfm):
    """The tiny model, written against the TF1 API (works for tf.compat.v1 and minigraph)."""
    init = tfm.constant_initializer
    with tfm.variable_scope("bert"):
        with tfm.variable_scope("embeddings"):
            emb = tfm.get_variable("word_embeddings", [6, 4], initializer=init(
                np.linspace(-1.0, 1.0, 24).reshape(6, 4)))
        with tfm.variable_scope("encoder/layer_0/attention/self/query"):
            kernel = tfm.get_variable("kernel", [4, 4], initializer=init(
                np.eye(4) * 0.5 + 0.1))
            bias = tfm.get_variable("bias", [4], initializer=tfm.zeros_initializer())
    with tfm.variable_scope("cls"):
        out = tfm.get_variable("output_weights", [4, 2], initializer=init(
            np.arange(8).reshape(4, 2) / 10.0))
    ids = tfm.constant([0, 3, 5])
    x = tfm.gather(emb, ids)
    h = tfm.tanh(tfm.matmul(x, kernel) + bias)
    loss = tfm.reduce_mean(tfm.square(tfm.matmul(h, out) - 1.0))
    step = tfm.train.get_or_create_global_step()
    train = tfm.train.AdamOptimizer(0.01).minimize(loss, global_step=step)
    half = tfm.Variable(np.array([0.5, -1.25, 3.0], np.float16), name="half")
    counts = tfm.Variable(np.array([2 ** 40, -7], np.int64), name="counts")
    vocab = tfm.Variable([b"[CLS]", b"", b"h\xc3\xa9"], name="vocab")
    return train, [half, counts, vocab]


def record_tf_checkpoint():
    target = OUT / "tf_bert_adam"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tf.Graph().as_default():
        train, _ = build_bert_like(tf)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
            prefix = saver.save(sess, str(target / "model.ckpt"), global_step=3,
                                write_meta_graph=False)
    # The state file holds absolute paths; keep it relative so the fixture can move.
    (target / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-3"\n'
                                       'all_model_checkpoint_paths: "model.ckpt-3"\n')
    reader = tf.train.load_checkpoint(prefix)
    values = {name: _jsonable(reader.get_tensor(name))
              for name, _ in tf.train.list_variables(prefix)}
    (target / "values.json").write_text(json.dumps(values, indent=1, sort_keys=True) + "\n")


def record_tf_reading_minigraph():
    import minigraph as mg

    target = OUT / "minigraph_written"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with mg.Graph().as_default():
        train, _ = build_bert_like(mg)
        saver = mg.train.Saver()
        with mg.Session() as sess:
            sess.run(mg.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
            prefix = saver.save(sess, str(target / "model.ckpt"), global_step=3,
                                write_meta_graph=False)
        meta = mg.train.export_meta_graph().SerializeToString()
        train_name = train.name
    os.remove(target / "checkpoint")
    listed = tf.train.list_variables(prefix)
    reader = tf.train.load_checkpoint(prefix)
    loaded = {name: _jsonable(reader.get_tensor(name)) for name, _ in listed}
    with tf.Graph().as_default():
        build_bert_like(tf)
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, prefix)
            restored = {v.op.name: _jsonable(sess.run(v)) for v in tf.global_variables()}
    with tf.Graph().as_default():  # TF's Saver from minigraph's exported MetaGraph
        tf_saver = tf.train.import_meta_graph(tf.MetaGraphDef.FromString(meta))
        with tf.Session() as sess:
            tf_saver.restore(sess, prefix)
            via_meta = {v.op.name: _jsonable(sess.run(v)) for v in tf.global_variables()}
    result = {"list_variables": [[n, list(s)] for n, s in listed], "load_checkpoint": loaded,
              "saver_restore": restored, "import_meta_graph_restore": via_meta,
              "train_op": train_name, "tensorflow": tf.__version__}
    (target / "tf_read.json").write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")


def multi_block_arrays() -> dict:
    """{name: value} of the multi-block fixture: long names that share little prefix."""
    arrays = {f"v{(i * 7919) % 100003:06d}_" + "abcdefghij"[i % 10] * 40 + f"/k{i}":
              np.float32(i) for i in range(7000)}
    arrays["zz_big"] = np.arange(1000, dtype=np.float32)
    return arrays


def record_multi_block():
    arrays = multi_block_arrays()
    with tf.Graph().as_default(), tempfile.TemporaryDirectory() as tmp:
        variables = [tf.Variable(v, name=n) for n, v in arrays.items()]
        with tf.Session() as sess:
            sess.run(tf.variables_initializer(variables))
            prefix = tf.train.Saver(variables).save(sess, os.path.join(tmp, "m"),
                                                    write_meta_graph=False)
        digests = {suffix: hashlib.sha256(open(prefix + suffix, "rb").read()).hexdigest()
                   for suffix in (".index", ".data-00000-of-00001")}
        sizes = {suffix: os.path.getsize(prefix + suffix) for suffix in digests}
    record = {"sha256": digests, "bytes": sizes, "tensorflow": tf.__version__}
    (OUT / "tf_multi_block.json").write_text(json.dumps(record, indent=1) + "\n")


SHARDED_VALUES = {"a": np.array([1.5, -2.0], np.float32), "b": np.array([3, 4], np.int64),
                  "c": np.array([[0.25]], np.float64)}


def record_sharded():
    target = OUT / "tf_sharded"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    with tf.Graph().as_default():
        variables = []
        for i, (name, value) in enumerate(SHARDED_VALUES.items()):
            with tf.device(f"/cpu:{i % 2}"):
                variables.append(tf.Variable(value, name=name))
        saver = tf.train.Saver(sharded=True)
        config = tf.ConfigProto(device_count={"CPU": 2})
        with tf.Session(config=config) as sess:
            sess.run(tf.global_variables_initializer())
            saver.save(sess, str(target / "model.ckpt"), write_meta_graph=False)
    os.remove(target / "checkpoint")


PARTS = {"tf_checkpoint": record_tf_checkpoint, "tf_reading_minigraph": record_tf_reading_minigraph,
         "multi_block": record_multi_block, "sharded": record_sharded}

if __name__ == "__main__":
    for part in sys.argv[1:] or PARTS:
        PARTS[part]()
