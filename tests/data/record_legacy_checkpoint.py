"""Record a checkpoint in minigraph's earlier format (JSON index + npz data; run by hand).

Needs minigraph as of commit 8efff63 (the last one that wrote that format), e.g.

    git worktree add /tmp/mg-old 8efff63
    PYTHONPATH=/tmp/mg-old python tests/data/record_legacy_checkpoint.py

Writes tests/data/checkpoints/minigraph_v1/model.ckpt-7.* ; the values are those of
`VALUES` below, which tests/train/test_checkpoint_formats.py checks after a restore.
"""

import pathlib
import shutil

import numpy as np

import minigraph as tf

OUT = pathlib.Path(__file__).resolve().parent / "checkpoints" / "minigraph_v1"
VALUES = {"w": np.array([[1.5, -2.0], [0.25, 4.0]], np.float32),
          "sc/b": np.array([0.5, -0.5], np.float64),
          "step": np.array(7, np.int32),
          "tokens": np.array([b"a", b"bc"], object)}

if __name__ == "__main__":
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    variables = [tf.Variable(v, name=n) for n, v in VALUES.items()]
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, str(OUT / "model.ckpt"), global_step=7)
    (OUT / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-7"\n'
                                    'all_model_checkpoint_paths: "model.ckpt-7"\n')
