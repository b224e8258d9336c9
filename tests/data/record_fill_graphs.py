"""Record the ops TF 1.x builds for tf.zeros / tf.ones / zeros_like / zeros_initializer /
ones_initializer and Adam's slot initialisers: a Const below 1000 elements, else a Fill of a
scalar, so a GraphDef does not grow with the variables. Run by hand with TensorFlow
installed; writes fill_graphs.json. tests/test_graph_size.py builds the same graphs with
minigraph (each builder takes the `tf` module).
"""

import json
import pathlib


def small_zeros(tf):
    tf.zeros([2, 3])


def zeros_of_a_thousand(tf):
    tf.zeros([10, 100])


def ones_int32(tf):
    tf.ones([100, 100], tf.int32)


def bool_zeros(tf):
    tf.zeros([100, 100], tf.bool)


def zeros_of_a_shape_tensor(tf):
    tf.zeros(tf.constant([3, 4]))


def zeros_like_of_a_known_shape(tf):
    tf.zeros_like(tf.placeholder(tf.float32, [100, 100]))


def zeros_initializer(tf):
    tf.get_variable("w", [100, 100], initializer=tf.zeros_initializer())


def ones_initializer(tf):
    tf.get_variable("w", [100, 100], initializer=tf.ones_initializer())


def variable_of_zeros(tf):
    tf.Variable(tf.zeros([100, 100]), name="v")


def huge_zeros(tf):
    tf.zeros([10**6, 10**6])


def adam_slots(tf):
    w = tf.get_variable("w", [4096, 1024], initializer=tf.zeros_initializer())
    tf.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(w))


BUILDERS = [small_zeros, zeros_of_a_thousand, ones_int32, bool_zeros, zeros_of_a_shape_tensor,
            zeros_like_of_a_known_shape, zeros_initializer, ones_initializer, variable_of_zeros,
            huge_zeros, adam_slots]


def fill_ops(tf, build):
    """[name, type, static shape] of every op that makes a zeros/ones value."""
    with tf.Graph().as_default() as graph:
        build(tf)
        return [[op.name, op.type, op.outputs[0].shape.as_list()]
                for op in graph.get_operations()
                if op.type in ("Fill", "Const") and (
                    "zeros" in op.name or "ones" in op.name or op.type == "Fill")
                and not op.name.startswith("gradients/")]


if __name__ == "__main__":
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    data = {"tensorflow": tf.__version__,
            "graphs": {build.__name__: fill_ops(tf, build) for build in BUILDERS}}
    out = pathlib.Path(__file__).with_name("fill_graphs.json")
    out.write_text(json.dumps(data, indent=1) + "\n")
    print(json.dumps(data, indent=1))
