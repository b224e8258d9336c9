"""Convolution, pooling and LRN values, gradients and gradients of gradients against numbers
recorded from TensorFlow (tests/data/record_conv.py -> tests/data/conv_tf.npz).

Each recorded case names a tf.nn function, its inputs and keyword arguments; the same call is
built here and every recorded array (outputs, first- and second-order gradients) compared.
Ops covered: "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "DepthwiseConv2dNative",
"DepthwiseConv2dNativeBackpropInput", "DepthwiseConv2dNativeBackpropFilter", "MaxPool",
"MaxPoolGrad", "MaxPoolGradGrad", "AvgPool", "AvgPoolGrad", "MaxPoolWithArgmax",
"MaxPoolGradWithArgmax", "LRN", "LRNGrad", "BiasAdd", "BiasAddGrad" (the second-order
cases differentiate the first gradient with respect to grad_ys too, which is what reaches
MaxPoolGradGrad; TF has no gradient for MaxPoolGradWithArgmax, so minigraph's
MaxPoolGradGradWithArgmax is checked by finite differences only).
"""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf

DATA = np.load(pathlib.Path(__file__).resolve().parent.parent / "data" / "conv_tf.npz")
CASES = json.loads(str(DATA["cases"]))


def build(spec):
    name = spec["name"]
    values = [DATA[f"{name}/in{i}"] for i in range(len(spec["inputs"]))]
    tensors = [tf.constant(v) for v in values]
    result = getattr(tf.nn, spec["fn"])(*tensors, **spec["kwargs"])
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    grad_ys = tf.constant(DATA[f"{name}/weights"])
    grads = tf.gradients(outputs[0], tensors, grad_ys=grad_ys)
    fetch = {"out": outputs, "grad": grads}
    if spec["second"]:
        fetch["second"] = tf.gradients(tf.reduce_sum(grads[0] * DATA[f"{name}/weights2"]),
                                       tensors + [grad_ys])
    return fetch


@pytest.mark.parametrize("spec", CASES, ids=[c["name"] for c in CASES])
def test_matches_tensorflow(sess, spec):
    fetch = build(spec)
    for key, tensors in fetch.items():
        present = [i for i, t in enumerate(tensors) if t is not None]
        assert present == spec[f"{key}_inputs"], f"{key}: which inputs get a gradient"
        for i in present:
            expected = DATA[f"{spec['name']}/{key}{i}"]
            assert tensors[i].shape.is_compatible_with(expected.shape)
            got = sess.run(tensors[i])
            assert got.dtype == expected.dtype, f"{key}{i} dtype"
            np.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-5,
                                       err_msg=f"{spec['name']} {key}{i}")


def test_recorded_cases_cover_the_variants():
    names = {c["name"] for c in CASES}
    assert {"conv_explicit", "conv_nchw", "conv_dilated_same", "max_pool_ties",
            "max_pool_nchw", "lrn_cifar", "separable", "conv2d_transpose_s2", "conv_wide_s2",
            "conv_wide_dilated", "conv_wide_explicit", "max_pool_ties_tiled"} <= names
    assert sum(c["second"] for c in CASES) >= 12
