"""Make small frozen GraphDefs with real TensorFlow 1.x, for tf.import_graph_def tests.

Run by hand in a venv with TensorFlow (never in CI):
    TF_USE_LEGACY_KERAS=1 python tests/data/record_tf_frozen.py
Writes tests/data/tf_frozen_mlp.pb (binary) and tf_frozen_cond.pbtxt (text): an MLP frozen
with tf.graph_util.convert_variables_to_constants, and a graph with a tf.cond (TF1's
Switch/Merge form); tests/data/tf_frozen.npz holds the inputs and TF's outputs.
"""

import os

import numpy as np
import tensorflow.compat.v1 as tf

HERE = os.path.dirname(os.path.abspath(__file__))


def frozen_mlp(rng):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        h = tf.layers.dense(x, 5, activation=tf.nn.relu, name="hidden")
        logits = tf.layers.dense(h, 3, name="logits")
        tf.nn.softmax(logits, name="probabilities")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            frozen = tf.graph_util.convert_variables_to_constants(
                sess, graph.as_graph_def(), ["probabilities"])
            inputs = rng.standard_normal((2, 4)).astype(np.float32)
            outputs = sess.run("probabilities:0", {x: inputs})
    with open(os.path.join(HERE, "tf_frozen_mlp.pb"), "wb") as f:
        f.write(frozen.SerializeToString())
    return {"mlp/x": inputs, "mlp/probabilities": outputs}


def cond_graph():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [3], name="x")
        y = tf.cond(tf.reduce_sum(x) > 0.0, lambda: x * 2.0 + 1.0, lambda: tf.square(x),
                    name="choose")
        tf.identity(y, name="out")
        with tf.Session() as sess:
            pos = sess.run("out:0", {x: [1.0, 2.0, 3.0]})
            neg = sess.run("out:0", {x: [-1.0, -2.0, 0.5]})
    tf.io.write_graph(graph.as_graph_def(), HERE, "tf_frozen_cond.pbtxt", as_text=True)
    return {"cond/positive": pos, "cond/negative": neg}


def main():
    tf.disable_v2_behavior()
    rng = np.random.default_rng(0)
    data = {"tensorflow_version": np.array(tf.__version__)}
    data.update(frozen_mlp(rng))
    data.update(cond_graph())
    np.savez(os.path.join(HERE, "tf_frozen.npz"), **data)


if __name__ == "__main__":
    main()
