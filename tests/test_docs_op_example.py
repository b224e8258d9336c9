"""docs/adding_an_op.md quotes real op blocks; each quote equals the code it names."""

import importlib.util
import pathlib

import minigraph as tf
from minigraph.framework.registry import OP_TABLE

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_adding_an_op",
                                                  ROOT / "docs" / "gen_adding_an_op.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_adding_an_op_quotes_the_current_code():
    gen = load_generator()
    text = gen.PAGE.read_text()
    quoted = gen.MARKER.findall(text)
    assert [q[1] for q in quoted] == ["minigraph/ops/shape_ops.py", "minigraph/ops/math_ops.py"]
    assert gen.render(text) == text, ("docs/adding_an_op.md quotes code that has changed. "
                                      "Fix: run `python docs/gen_adding_an_op.py`.")


def test_the_quoted_example_op_is_the_registered_one():
    y = tf.expand_dims(tf.constant([1, 2, 3]), 0)
    assert OP_TABLE["ExpandDims"] is y.op.op_def
    assert y.shape.as_list() == [1, 3] and y.op.inputs[1].op.name == "ExpandDims/dim"
