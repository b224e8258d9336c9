"""Record TensorFlow 1.x results for the convolution, pooling and LRN ops (run by hand).

Usage (in a venv with TensorFlow, numpy and networkx, never in CI), from the repo root:
    TF_USE_LEGACY_KERAS=1 PYTHONPATH=. python tests/data/record_conv.py
writes tests/data/conv_tf.npz, which tests/ops/test_conv_tf.py replays against minigraph.

Each case calls one `tf.nn` function on seeded random float32 inputs (passed positionally in
the listed order) with the listed keyword arguments, and stores: the inputs, the output(s),
the gradients for fixed random grad_ys `weights`, and, for cases marked `second`, the
gradients of sum(first_gradient * weights2) with respect to the inputs and to grad_ys
(gradients of gradients, e.g. MaxPoolGradGrad; inputs TF gives no such gradient are left
out). A case TF refuses (e.g. NCHW on CPU) is
reported and skipped. The case table is stored in the file as JSON. `layers_net` (a small
tf.layers network) is recorded too: variable and output names, values and gradients; and
`exchange_net` as GraphDefs both ways (TF's for minigraph to import, minigraph's run by TF).
"""

from __future__ import annotations

import json
import os
import pathlib

import numpy as np

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

OUT = pathlib.Path(__file__).with_name("conv_tf.npz")


def case(name, fn, inputs, second=False, ties=False, **kwargs):
    return {"name": name, "fn": fn, "inputs": inputs, "kwargs": kwargs, "second": second,
            "ties": ties}


X = ("input", [2, 7, 6, 3])
CASES = [
    case("conv_same_s1", "conv2d", [X, ("filter", [3, 3, 3, 4])], second=True,
         strides=[1, 1, 1, 1], padding="SAME"),
    case("conv_same_s2_odd", "conv2d", [X, ("filter", [3, 2, 3, 4])],
         strides=[1, 2, 2, 1], padding="SAME"),
    case("conv_valid_s2x3", "conv2d", [("input", [2, 9, 8, 2]), ("filter", [4, 3, 2, 3])],
         strides=[1, 2, 3, 1], padding="VALID"),
    case("conv_same_even_k_s3", "conv2d", [("input", [1, 8, 7, 2]), ("filter", [4, 4, 2, 2])],
         second=True, strides=[1, 3, 3, 1], padding="SAME"),
    case("conv_explicit", "conv2d", [X, ("filter", [3, 3, 3, 2])], second=True,
         strides=[1, 2, 1, 1], padding=[[0, 0], [1, 2], [0, 3], [0, 0]]),
    case("conv_dilated_valid", "conv2d", [("input", [1, 9, 8, 2]), ("filter", [3, 2, 2, 3])],
         strides=[1, 1, 1, 1], padding="VALID", dilations=[1, 2, 3, 1]),
    case("conv_dilated_same", "conv2d", [X, ("filter", [3, 3, 3, 2])],
         strides=[1, 1, 1, 1], padding="SAME", dilations=[1, 2, 2, 1]),
    # 8 or more channels take im2col's sliding-window path (fewer: one copy per tap).
    case("conv_wide_s2", "conv2d", [("input", [2, 7, 6, 9]), ("filter", [3, 3, 9, 2])],
         second=True, strides=[1, 2, 2, 1], padding="SAME"),
    case("conv_wide_dilated", "conv2d", [("input", [1, 8, 7, 8]), ("filter", [2, 3, 8, 2])],
         strides=[1, 1, 1, 1], padding="VALID", dilations=[1, 2, 2, 1]),
    case("conv_wide_explicit", "conv2d", [("input", [1, 8, 7, 8]), ("filter", [2, 3, 8, 2])],
         strides=[1, 1, 2, 1], padding=[[0, 0], [2, 0], [1, 1], [0, 0]]),
    case("conv_nchw", "conv2d", [("input", [2, 3, 7, 6]), ("filter", [3, 3, 3, 4])], second=True,
         strides=[1, 1, 2, 2], padding="SAME", data_format="NCHW"),
    case("conv2d_transpose_s2", "conv2d_transpose",
         [("value", [2, 4, 3, 4]), ("filter", [3, 3, 2, 4])], second=True,
         output_shape=[2, 7, 6, 2], strides=[1, 2, 2, 1], padding="SAME"),
    case("conv2d_transpose_valid", "conv2d_transpose",
         [("value", [1, 3, 3, 2]), ("filter", [2, 2, 3, 2])],
         output_shape=[1, 6, 6, 3], strides=[1, 2, 2, 1], padding="VALID"),
    case("conv1d_s2", "conv1d", [("value", [2, 11, 3]), ("filters", [3, 3, 4])],
         stride=2, padding="SAME"),
    case("atrous_rate2", "atrous_conv2d", [X, ("filters", [3, 3, 3, 2])], rate=2,
         padding="SAME"),
    case("depthwise_s1", "depthwise_conv2d", [X, ("filter", [3, 3, 3, 2])], second=True,
         strides=[1, 1, 1, 1], padding="SAME"),
    case("depthwise_s2_valid", "depthwise_conv2d", [X, ("filter", [2, 3, 3, 1])], second=True,
         strides=[1, 2, 2, 1], padding="VALID"),
    case("depthwise_rate2", "depthwise_conv2d", [X, ("filter", [2, 2, 3, 2])],
         strides=[1, 1, 1, 1], padding="SAME", rate=[2, 2]),
    case("separable", "separable_conv2d",
         [X, ("depthwise_filter", [3, 3, 3, 2]), ("pointwise_filter", [1, 1, 6, 4])],
         strides=[1, 2, 2, 1], padding="SAME"),
    case("max_pool_2x2_s2", "max_pool", [X], second=True, ksize=[1, 2, 2, 1],
         strides=[1, 2, 2, 1], padding="SAME"),
    case("max_pool_3x3_s2_valid", "max_pool", [("value", [2, 9, 8, 3])], second=True,
         ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="VALID"),
    case("max_pool_ties", "max_pool", [("value", [1, 6, 6, 2])], ties=True,
         ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding="SAME"),
    case("max_pool_ties_tiled", "max_pool", [("value", [2, 6, 4, 3])], ties=True,
         second=True, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"),
    case("max_pool_nchw", "max_pool", [("value", [2, 3, 7, 6])], ksize=[1, 1, 3, 3],
         strides=[1, 1, 2, 2], padding="SAME", data_format="NCHW"),
    case("avg_pool_3x3_s2_same", "avg_pool", [X], second=True, ksize=[1, 3, 3, 1],
         strides=[1, 2, 2, 1], padding="SAME"),
    case("avg_pool_2x3_valid", "avg_pool", [X], second=True, ksize=[1, 2, 3, 1],
         strides=[1, 1, 2, 1], padding="VALID"),
    case("max_pool_with_argmax", "max_pool_with_argmax", [X], ksize=[1, 3, 3, 1],
         strides=[1, 2, 2, 1], padding="SAME"),
    case("max_pool_with_argmax_batch", "max_pool_with_argmax", [("input", [2, 4, 4, 2])],
         ties=True, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID",
         include_batch_in_index=True),
    case("lrn_default", "local_response_normalization", [("input", [2, 3, 3, 7])]),
    case("lrn_cifar", "lrn", [("input", [2, 3, 3, 9])], depth_radius=4, bias=1.0,
         alpha=0.001 / 9.0, beta=0.75),
    case("lrn_r1", "lrn", [("input", [1, 2, 2, 4])], depth_radius=1, bias=2.0, alpha=0.5,
         beta=0.6),
    case("bias_add_nchw", "bias_add", [("value", [2, 3, 4, 5]), ("bias", [3])], second=True,
         data_format="NCHW"),
    case("l2_normalize_axis3", "l2_normalize", [X], axis=3),
]


def inputs_for(spec, seed):
    rng = np.random.default_rng(seed)
    values = []
    for _, shape in spec["inputs"]:
        if spec["ties"]:
            values.append(rng.integers(0, 3, size=shape).astype(np.float32))
        else:
            values.append(rng.normal(size=shape).astype(np.float32))
    return values


def record_case(tf, spec, seed, arrays):
    tf.reset_default_graph()
    values = inputs_for(spec, seed)
    tensors = [tf.constant(v) for v in values]
    result = getattr(tf.nn, spec["fn"])(*tensors, **spec["kwargs"])
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    rng = np.random.default_rng(seed + 1000)
    weights = rng.normal(size=outputs[0].shape.as_list()).astype(np.float32)
    grad_ys = tf.constant(weights)
    grads = tf.gradients(outputs[0], tensors, grad_ys=grad_ys)
    fetch = {"out": outputs, "grad": grads}
    if spec["second"]:
        w2 = rng.normal(size=values[0].shape).astype(np.float32)
        fetch["second"] = tf.gradients(tf.reduce_sum(grads[0] * w2), tensors + [grad_ys])
    with tf.Session() as sess:
        got = sess.run({k: [t for t in v if t is not None] for k, v in fetch.items()})
    name = spec["name"]
    for i, value in enumerate(values):
        arrays[f"{name}/in{i}"] = value
    arrays[f"{name}/weights"] = weights
    for key, tensors_ in fetch.items():
        present = [i for i, t in enumerate(tensors_) if t is not None]
        spec[f"{key}_inputs"] = present
        for i, value in zip(present, got[key]):
            arrays[f"{name}/{key}{i}"] = value
    if spec["second"]:
        arrays[f"{name}/weights2"] = w2


def layers_net(tf, x, training):
    """A small tf.layers network; built the same way by TF here and by minigraph in the test."""
    h = tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu)
    h = tf.layers.max_pooling2d(h, 2, 2)
    c2 = tf.layers.conv2d(h, 6, (3, 2), strides=(1, 2), name="c2")
    again = tf.layers.conv2d(h, 6, (3, 2), strides=(1, 2), name="c2", reuse=True)
    h = tf.layers.average_pooling2d(c2 + again, 2, 1, padding="same")
    up = tf.layers.conv2d_transpose(h, 3, 3, strides=2, padding="same", activation=tf.nn.tanh)
    first = tf.layers.conv2d(tf.transpose(x, [0, 3, 1, 2]), 2, 3, data_format="channels_first",
                             use_bias=False, trainable=False, name="cf")
    pooled = tf.layers.max_pooling2d(first, 3, 2, data_format="channels_first")
    steps = tf.layers.conv1d(tf.reshape(x, [-1, 16, 8]), 3, 3, padding="same",
                             activation=tf.nn.relu)
    steps_max = tf.layers.max_pooling1d(steps, 2, 2)
    steps_avg = tf.layers.average_pooling1d(steps, 3, 1, padding="same")
    separable = tf.layers.separable_conv2d(x, 3, 3, depth_multiplier=2, padding="same")
    flat = tf.concat([tf.layers.flatten(t) for t in (up, pooled, steps_max, steps_avg,
                                                      separable)], axis=1)
    flat = tf.layers.dropout(flat, 0.5, training=training)
    return [c2, again, up, first, pooled, steps_max, steps_avg, separable,
            tf.layers.dense(flat, 5)]


def record_layers(tf, arrays):
    """Variable names, output names and shapes, values and gradients of layers_net."""
    tf.reset_default_graph()
    tf.set_random_seed(1)
    x_value = np.random.default_rng(99).normal(size=(2, 8, 8, 2)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 8, 8, 2])
    training = tf.placeholder(tf.bool, [])
    outputs = layers_net(tf, x, training)
    weights = np.random.default_rng(98).normal(size=(2, 5)).astype(np.float32)
    variables = tf.global_variables()
    loss = tf.reduce_sum(outputs[-1] * weights)
    grads = tf.gradients(loss, tf.trainable_variables())
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values, outs, grad_values = sess.run([variables, outputs, grads],
                                             {x: x_value, training: False})
    arrays["layers/x"], arrays["layers/weights"] = x_value, weights
    for v, value in zip(variables, values):
        arrays[f"layers/var/{v.op.name}"] = value
    for i, value in enumerate(outs):
        arrays[f"layers/out{i}"] = value
    for v, value in zip(tf.trainable_variables(), grad_values):
        arrays[f"layers/grad/{v.op.name}"] = value
    arrays["layers/meta"] = np.array(json.dumps({
        "variables": [[v.op.name, v.shape.as_list()] for v in variables],
        "trainable": [v.op.name for v in tf.trainable_variables()],
        "outputs": [[t.name, t.shape.as_list()] for t in outputs]}))


def exchange_net(tf, x):
    """Convolution, pooling and LRN ops and their gradients, for exchanging GraphDefs with TF.

    Returns {name: tensor}; each is also an Identity node named "out_<name>".
    """
    rng = np.random.default_rng(7)

    def weights(*shape):
        return tf.constant((rng.normal(size=shape) * 0.3).astype(np.float32))

    h = tf.nn.conv2d(x, weights(3, 3, 2, 4), [1, 2, 2, 1], "SAME")
    h = tf.nn.lrn(tf.nn.relu(tf.nn.bias_add(h, weights(4))), 2, 1.0, 0.1, 0.75)
    m = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 1, 1, 1], "SAME")
    outputs = {
        "avg": tf.nn.avg_pool(h, [1, 3, 3, 1], [1, 2, 2, 1], "VALID"),
        "depthwise": tf.nn.depthwise_conv2d(m, weights(2, 2, 4, 2), [1, 1, 1, 1], "VALID"),
        "separable": tf.nn.separable_conv2d(m, weights(3, 3, 4, 1), weights(1, 1, 4, 3),
                                            [1, 1, 1, 1], "SAME"),
        "transpose": tf.nn.conv2d_transpose(m, weights(3, 3, 2, 4), [2, 8, 8, 2],
                                            [1, 2, 2, 1], "SAME"),
        "argmax_pool": tf.nn.max_pool_with_argmax(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")[0],
        "conv1d": tf.nn.conv1d(tf.reshape(x, [2, 16, 8]), weights(3, 8, 2), 2, "SAME"),
    }
    loss = tf.add_n([tf.reduce_sum(t * t) for t in outputs.values()])
    outputs["grad"] = tf.gradients(loss, x)[0]
    return {name: tf.identity(t, name=f"out_{name}") for name, t in outputs.items()}


def record_exchange(tf, arrays):
    """GraphDefs both ways: TF's exchange_net (forward and gradients) for minigraph to import,
    and minigraph's exchange_net exported, imported into TF and run there."""
    import minigraph as mg  # run from the repository root with PYTHONPATH=.

    x_value = np.random.default_rng(5).normal(size=(2, 8, 8, 2)).astype(np.float32)
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [2, 8, 8, 2], name="x")
    outputs = exchange_net(tf, x)
    with tf.Session() as sess:
        values = sess.run(outputs, {x: x_value})
    graph_def = tf.get_default_graph().as_graph_def().SerializeToString()
    arrays["exchange/tf_graph_def"] = np.frombuffer(graph_def, np.uint8)
    arrays["exchange/x"] = x_value
    for name, value in values.items():
        arrays[f"exchange/tf/{name}"] = value
    mg.reset_default_graph()
    exchange_net(mg, mg.placeholder(mg.float32, [2, 8, 8, 2], name="x"))
    exported = mg.get_default_graph().as_graph_def().SerializeToString()
    tf.reset_default_graph()
    tf.import_graph_def(tf.GraphDef.FromString(exported), name="")
    with tf.Session() as sess:
        values = sess.run({name: f"out_{name}:0" for name in outputs}, {"x:0": x_value})
    for name, value in values.items():
        arrays[f"exchange/minigraph_in_tf/{name}"] = value


def main():
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    arrays, recorded = {}, []
    for seed, spec in enumerate(CASES):
        try:
            record_case(tf, spec, seed, arrays)
        except Exception as e:  # noqa: BLE001 - a case TF refuses is reported and skipped
            print(f"skipped {spec['name']}: {type(e).__name__}: {str(e).splitlines()[0]}")
            continue
        spec["seed"] = seed
        recorded.append(spec)
    record_layers(tf, arrays)
    record_exchange(tf, arrays)
    arrays["cases"] = np.array(json.dumps(recorded))
    arrays["tf_version"] = np.array(tf.__version__)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(recorded)} cases to {OUT}")


if __name__ == "__main__":
    main()
