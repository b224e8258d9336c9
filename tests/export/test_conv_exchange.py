"""Convolution graphs exchanged with TensorFlow both ways (tests/data/record_conv.py,
exchange_net): TF's GraphDef, gradients included (ShapeN, Conv2DBackpropInput/Filter,
MaxPoolGrad, AvgPoolGrad, LRNGrad, DepthwiseConv2dNativeBackprop*, BiasAddGrad,
MaxPoolGradWithArgmax), imported and run by minigraph; and minigraph's export, which TF
imported and ran, giving the values recorded here."""

import importlib.util
import os

import numpy as np
import pytest

import minigraph as tf

pytest.importorskip("tensorboard")
DATA_DIR = os.path.join(os.path.dirname(__file__), "..", "data")
DATA = np.load(os.path.join(DATA_DIR, "conv_tf.npz"))
_spec = importlib.util.spec_from_file_location("record_conv",
                                               os.path.join(DATA_DIR, "record_conv.py"))
record_conv = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record_conv)
NAMES = sorted(k.split("/")[-1] for k in DATA.files if k.startswith("exchange/tf/"))


def test_tensorflows_conv_graph_with_gradients_imports_and_gives_its_numbers(sess):
    graph_def = tf.GraphDef.FromString(DATA["exchange/tf_graph_def"].tobytes())
    outputs = tf.import_graph_def(graph_def, return_elements=[f"out_{n}:0" for n in NAMES],
                                  name="")
    types = {op.type for op in tf.get_default_graph().get_operations()}
    assert {"ShapeN", "Conv2DBackpropInput", "MaxPoolGrad", "LRNGrad",
            "MaxPoolGradWithArgmax", "DepthwiseConv2dNativeBackpropFilter"} <= types
    values = sess.run(outputs, {"x:0": DATA["exchange/x"]})
    for name, value in zip(NAMES, values):
        np.testing.assert_allclose(value, DATA[f"exchange/tf/{name}"], rtol=2e-4, atol=2e-5,
                                   err_msg=name)


def test_minigraphs_conv_graph_runs_in_tensorflow_with_the_same_numbers(sess):
    outputs = record_conv.exchange_net(tf, tf.placeholder(tf.float32, [2, 8, 8, 2], name="x"))
    assert len(NAMES) == len(outputs) == 7
    values = sess.run(outputs, {"x:0": DATA["exchange/x"]})
    for name in NAMES:
        np.testing.assert_allclose(values[name], DATA[f"exchange/minigraph_in_tf/{name}"],
                                   rtol=2e-4, atol=2e-5, err_msg=name)
