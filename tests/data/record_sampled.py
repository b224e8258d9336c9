"""Record TF 1.x candidate-sampler expected counts and sampled losses with fixed samples
(run by hand):

    TF_USE_LEGACY_KERAS=1 /path/to/tf/python tests/data/record_sampled.py

Writes tests/data/sampled_tf.json. The samples themselves come from TF's random stream,
which minigraph cannot reproduce, so the losses are recorded with `sampled_values` given.
"""

import json
import pathlib

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()
OUT = pathlib.Path(__file__).resolve().parent / "sampled_tf.json"
rng = np.random.default_rng(3)
NUM_CLASSES, DIM, BATCH, NUM_TRUE = 12, 4, 3, 2
WEIGHTS = rng.normal(size=(NUM_CLASSES, DIM)).round(3)
BIASES = rng.normal(size=NUM_CLASSES).round(3)
INPUTS = rng.normal(size=(BATCH, DIM)).round(3)
LABELS = np.array([[1, 5], [0, 11], [7, 3]], np.int64)
SAMPLED = np.array([5, 2, 9, 0], np.int64)   # 5 and 0 are accidental hits
TRUE_EXPECTED = rng.uniform(0.1, 0.9, size=(BATCH, NUM_TRUE)).round(3)
SAMPLED_EXPECTED = rng.uniform(0.1, 0.9, size=4).round(3)


def expected_counts():
    out = {}
    for name, fn, extra in [("log_uniform", tf.nn.log_uniform_candidate_sampler, {}),
                            ("uniform", tf.nn.uniform_candidate_sampler, {}),
                            ("fixed_unigram", tf.nn.fixed_unigram_candidate_sampler,
                             {"unigrams": [5, 1, 1, 3, 2, 8, 1, 1, 4, 2, 1, 1],
                              "distortion": 0.75})]:
        tf.reset_default_graph()
        sampled, true_count, sampled_count = fn(
            true_classes=tf.constant(LABELS), num_true=NUM_TRUE, num_sampled=6, unique=False,
            range_max=NUM_CLASSES, seed=1, **extra)
        with tf.Session() as sess:
            s, t, c = sess.run([sampled, true_count, sampled_count])
        out[name] = {"sampled": s.tolist(), "true_expected": t.tolist(),
                     "sampled_expected": c.tolist()}
    return out


def losses():
    tf.reset_default_graph()
    w, b = tf.constant(WEIGHTS), tf.constant(BIASES)
    x = tf.constant(INPUTS)
    values = (tf.constant(SAMPLED), tf.constant(TRUE_EXPECTED), tf.constant(SAMPLED_EXPECTED))
    out = {}
    for name, fn in (("nce", tf.nn.nce_loss), ("sampled_softmax", tf.nn.sampled_softmax_loss)):
        for hits in (False, True):
            loss = fn(w, b, tf.constant(LABELS), x, num_sampled=4, num_classes=NUM_CLASSES,
                      num_true=NUM_TRUE, sampled_values=values, remove_accidental_hits=hits)
            grads = tf.gradients(tf.reduce_sum(loss), [x, w, b])
            with tf.Session() as sess:
                value = sess.run(loss)
                dense = sess.run([tf.convert_to_tensor(g) for g in grads])
            out[f"{name}_{hits}"] = {"loss": value.tolist(),
                                     "grads": [g.tolist() for g in dense]}
    return out


if __name__ == "__main__":
    data = {"weights": WEIGHTS.tolist(), "biases": BIASES.tolist(), "inputs": INPUTS.tolist(),
            "labels": LABELS.tolist(), "sampled": SAMPLED.tolist(),
            "true_expected": TRUE_EXPECTED.tolist(),
            "sampled_expected": SAMPLED_EXPECTED.tolist(),
            "expected_counts": expected_counts(), "losses": losses()}
    OUT.write_text(json.dumps(data))
    print("wrote", OUT)
