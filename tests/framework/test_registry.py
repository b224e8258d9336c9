"""OpDef and the op table (framework/registry.py): registration, operand conversion in
OpDef.apply, inference errors that name the node, and Tensor.spec."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework.registry import OP_TABLE, OpDef, no_gradient, register_op
from minigraph.framework.tensor import Spec


class Scale(OpDef):
    """A test op: x * factor; not registered globally (see the fixture)."""

    inputs = ("x", "factor")
    input_types = ("T", "T")

    @staticmethod
    def infer(x, factor):
        if factor.shape.ndims not in (None, 0):
            raise ValueError("factor must be a scalar")
        return Spec(x.dtype, x.shape)

    @staticmethod
    def compute(x, factor):
        return x * factor

    gradient = staticmethod(no_gradient)


def test_op_table_is_read_only_and_lists_registered_ops():
    assert OP_TABLE["MatMul"].op_type == "MatMul"
    with pytest.raises(TypeError):
        OP_TABLE["Scale"] = Scale  # type: ignore[index]


def test_registering_an_op_type_twice_is_refused():
    with pytest.raises(ValueError, match="'MatMul' is registered twice.*exactly one block"):
        register_op("MatMul")(type("MatMul2", (OpDef,), {}))


def test_apply_converts_python_operands_named_after_the_inputs():
    x = tf.placeholder(tf.float64, [2], name="x")
    y = Scale.apply([x, 3], name="scale")
    assert y.op.name == "scale" and y.dtype == tf.float64
    factor = y.op.inputs[1]
    assert factor.op.name == "scale/factor" and factor.dtype == tf.float64  # took x's dtype
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0]}), [3.0, 6.0])


def test_apply_names_the_op_and_argument_when_a_conversion_fails():
    x = tf.placeholder(tf.int32, [2], name="x")
    with pytest.raises(TypeError, match="parameter 'factor' of op '.*'.*In node 'bad'"):
        Scale.apply([x, 1.5], name="bad")


def test_infer_errors_name_the_node_its_input_shapes_and_the_users_line():
    x = tf.placeholder(tf.float32, [2], name="x")
    with pytest.raises(ValueError) as info:
        Scale.apply([x, [1.0, 2.0]], name="scale")
    message = str(info.value)
    assert "factor must be a scalar" in message and "In node 'scale'" in message
    assert "[2], [2]" in message and "test_registry.py" in message


def test_an_operation_is_not_an_operand():
    op = tf.no_op(name="nothing")
    with pytest.raises(TypeError, match="Can't convert Operation 'nothing' to Tensor.*Fix"):
        tf.identity(op)


def test_blocks_without_infer_or_compute_say_what_is_missing():
    with pytest.raises(NotImplementedError, match="infer.*docs/adding_an_op.md"):
        OpDef.infer()
    with pytest.raises(NotImplementedError, match="compute.*docs/adding_an_op.md"):
        OpDef.compute()


def test_tensor_spec_has_dtype_shape_and_constant_value():
    c = tf.constant([1, 2], name="c")
    spec = c.spec()
    assert spec.dtype == tf.int32 and spec.shape.as_list() == [2]
    np.testing.assert_array_equal(spec.value, [1, 2])
    v = tf.Variable(1.0, name="v")
    ref = v.op.outputs[0]
    assert ref.spec().dtype == tf.float32 and ref.spec(as_ref=True).dtype.is_ref_dtype
