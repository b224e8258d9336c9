"""DType objects, TF1 conversion rules, TensorShape/Dimension v1 semantics."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework.shapes import Dimension, TensorShape


# -- 3.1 DType objects ----------------------------------------------------------------------
def test_dtype_names_aliases_and_printing():
    assert tf.half is tf.float16 and tf.double is tf.float64
    assert repr(tf.float32) == "tf.float32" and str(tf.float32) == "<dtype: 'float32'>"
    assert tf.float32.name == "float32"
    assert tf.float32.as_numpy_dtype is np.float32 and tf.bool.as_numpy_dtype is np.bool_
    assert tf.string.as_numpy_dtype is object


def test_dtype_properties():
    assert tf.float16.is_floating and not tf.int32.is_floating
    assert tf.int64.is_integer and tf.uint8.is_integer and tf.uint8.is_unsigned
    assert tf.bool.is_bool and not tf.bool.is_integer
    assert (tf.float32.size, tf.float64.size, tf.int64.size, tf.bool.size) == (4, 8, 8, 1)
    assert tf.int8.min == -128 and tf.int8.max == 127
    assert tf.float32.max == np.finfo(np.float32).max
    assert tf.complex64.real_dtype == tf.float32 and tf.float64.real_dtype == tf.float64
    with pytest.raises(TypeError):
        tf.bool.min  # noqa: B018


def test_as_dtype_accepts_names_numpy_and_refuses_unknown():
    assert tf.as_dtype("float32") is tf.float32
    assert tf.as_dtype("float") is tf.float32 and tf.as_dtype("double") is tf.float64
    assert tf.as_dtype(np.float64) is tf.float64 and tf.as_dtype(np.dtype("int64")) is tf.int64
    assert tf.as_dtype(object) is tf.string and tf.as_dtype(tf.int32) is tf.int32
    with pytest.raises(TypeError, match="Cannot convert the argument `type_value`: 'foo'"):
        tf.as_dtype("foo")
    assert tf.float32 == np.float32 and tf.float32 == "float32" and tf.float32 != tf.float64


def test_reference_dtype_of_variables():
    v = tf.Variable(1.0)
    assert str(v.dtype) == "<dtype: 'float32_ref'>"
    assert v.dtype != tf.float32 and v.dtype.base_dtype == tf.float32
    assert v.dtype.is_ref_dtype and v.dtype.as_ref() is v.dtype
    assert v.dtype.enum == tf.float32.enum + 100
    assert (v + 1).dtype == tf.float32 and v.value().dtype == tf.float32
    assert tf.identity(v).dtype == tf.float32 and v.initial_value.dtype == tf.float32
    assert tf.assign(v, 2.0).dtype == v.dtype


# -- 3.2 Python / numpy -> tensor ------------------------------------------------------------
@pytest.mark.parametrize("value, dtype", [
    (1.5, tf.float32), (1, tf.int32), (2**31 - 1, tf.int32), (2**31, tf.int64),
    (2**63, tf.uint64), (True, tf.bool), ("s", tf.string), (b"s", tf.string),
    (1j, tf.complex128), ([1, 2.0], tf.float32), ([1, True], tf.int32), ([], tf.float32),
    (np.float64(1.5), tf.float64), (np.array([1, 2]), tf.int64), (np.float16(1), tf.float16),
    ([1, 2.5], tf.float32),
])
def test_inferred_dtypes(value, dtype):
    assert tf.constant(value).dtype == dtype


def test_conversion_errors():
    with pytest.raises(ValueError, match="None values not supported"):
        tf.constant(None)
    with pytest.raises(ValueError):
        tf.constant([[1, 2], [3]])
    for bad in ([1, "a"], object(), {"a": 1}):
        with pytest.raises(TypeError, match="Failed to convert"):
            tf.constant(bad)
    with pytest.raises(TypeError, match="Expected any non-tensor type"):
        tf.constant(tf.constant(1.0))
    with pytest.raises(TypeError, match="Expected int32, but got 1.5 of type 'float'"):
        tf.constant(1.5, tf.int32)
    with pytest.raises(TypeError, match="can't convert Operation|Can't convert Operation"):
        tf.convert_to_tensor(tf.no_op())


def test_constant_with_dtype_and_shape():
    with tf.Session() as sess:
        assert sess.run(tf.constant(1, tf.float32)) == np.float32(1.0)
        np.testing.assert_array_equal(sess.run(tf.constant(7, shape=[2, 3])), np.full((2, 3), 7))
        np.testing.assert_array_equal(sess.run(tf.constant([1, 2], shape=[2, 2])),
                                      [[1, 2], [2, 2]])
        assert sess.run(tf.constant(np.array([1.5]), tf.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="Too many elements provided. Takes at most 2, but "
                                         "got 3"):
        tf.constant([1, 2, 3], shape=[2])


def test_convert_to_tensor_rules():
    t = tf.constant(1.0)
    assert tf.convert_to_tensor(t) is t
    with pytest.raises(ValueError, match="requested dtype float64 for Tensor with dtype "
                                         "float32"):
        tf.convert_to_tensor(t, dtype=tf.float64)
    v = tf.Variable(2.0, name="v")
    assert tf.convert_to_tensor(v).name == "v/read:0"
    packed = tf.convert_to_tensor([t, 2.0])
    assert packed.op.type == "Pack" and packed.op.name == "packed" and packed.dtype == tf.float32
    with pytest.raises(TypeError):
        tf.convert_to_tensor([tf.constant(1), 2.5])


# -- 3.3 no implicit promotion ---------------------------------------------------------------
def test_mixed_dtypes_raise():
    with pytest.raises(TypeError, match="Input 'y' of 'AddV2' Op has type int32 that does not "
                                        "match type float32 of argument 'x'"):
        tf.constant(1.0) + tf.constant(1)
    with pytest.raises(TypeError):
        tf.constant(1.0) + tf.constant(1.0, tf.float64)
    with pytest.raises(TypeError):
        tf.constant(1) + tf.constant(1, tf.int64)


def test_python_operands_take_the_tensor_dtype():
    f = tf.constant(1.0)
    for other in (1, True, np.float64(1.5), np.ones(1)):
        assert (f + other).dtype == tf.float32
    i = tf.constant(1)
    assert (i + np.int64(2)).dtype == tf.int32
    for bad in (1.5, 1.0):
        with pytest.raises(TypeError):
            i + bad
    with pytest.raises(TypeError, match="Expected float32 passed to parameter 'y' of op 'Mul'"):
        f * "a"
    with pytest.raises(TypeError):
        tf.constant(True) + tf.constant(False)


def test_integer_true_division_and_floor_ops():
    q = tf.constant(7) / tf.constant(2)
    assert q.dtype == tf.float64
    with tf.Session() as sess:
        assert sess.run(q) == 3.5
        assert sess.run(tf.constant(7) // -2) == -4
        assert sess.run(tf.constant(7) % -2) == -1


def test_cast_rules():
    x = tf.constant([-1.7, 0.0, 2.5])
    assert tf.cast(x, tf.float32) is x
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(tf.cast(x, tf.int32)), [-1, 0, 2])
        np.testing.assert_array_equal(sess.run(tf.cast(x, tf.bool)), [True, False, True])


# -- 2.3 static shapes -----------------------------------------------------------------------
def test_tensor_shape_printing_and_queries():
    unknown = TensorShape(None)
    assert unknown.ndims is None and str(unknown) == "<unknown>"
    assert str(TensorShape([])) == "()" and str(TensorShape([3])) == "(3,)"
    s = TensorShape([None, 3])
    assert str(s) == "(?, 3)"
    assert repr(s) == "TensorShape([Dimension(None), Dimension(3)])"
    assert s.as_list() == [None, 3] and s.ndims == s.rank == 2 and len(s) == 2
    assert not s.is_fully_defined() and s.num_elements() is None
    assert TensorShape([2, 3]).num_elements() == 6
    assert [d.value for d in s.dims] == [None, 3]
    with pytest.raises(ValueError, match="as_list\\(\\) is not defined on an unknown "
                                         "TensorShape"):
        unknown.as_list()
    with pytest.raises(ValueError):
        len(unknown)
    assert TensorShape(2) == TensorShape([2])  # placeholder(shape=2) means [2]


def test_dimension_v1_semantics():
    s = TensorShape([None, 3])
    assert isinstance(s[1], Dimension) and s[1].value == 3 and int(s[1]) == 3
    assert s[0].value is None
    with pytest.raises(TypeError):
        int(s[0])
    assert (s[0] == 3) is None and (s[1] == 3) is True
    assert Dimension(3) + 1 == Dimension(4) and str(Dimension(None) + 1) == "?"
    assert s[0:1] == TensorShape([None])


def test_shape_compatibility_and_merge():
    a = TensorShape([None, 3])
    assert a.is_compatible_with([5, 3]) and not a.is_compatible_with([5, 4])
    assert a.is_compatible_with(TensorShape(None)) and not a.is_compatible_with([3])
    assert a.merge_with([5, None]) == TensorShape([5, 3])
    with pytest.raises(ValueError, match="Dimension 1 in both shapes must be equal, but are 3 "
                                         "and 4"):
        a.merge_with([5, 4])
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 2 and 1"):
        a.merge_with([5])
    assert TensorShape([2, 3]) == [2, 3] and TensorShape([2, 3]) != [2, 4]


def test_placeholder_shape_argument_forms():
    assert tf.placeholder(tf.float32, shape=2).shape.as_list() == [2]
    assert tf.placeholder(tf.float32, shape=[]).shape.as_list() == []
    assert tf.placeholder("float").dtype == tf.float32
    assert tf.placeholder(tf.int32).shape.ndims is None
