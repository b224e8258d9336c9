"""Indexing ops (ops/indexing_ops.py): strided slicing (t[...]), gather, unsorted_segment_sum,
one_hot."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

F64 = tf.float64
A = np.arange(24).reshape(2, 3, 4)


# -- t[...]: measured TF examples ------------------------------------------------------------------
SLICING = [  # (index, numpy equivalent, measured static shape)
    (lambda x: x[0], lambda a: a[0], (3, 4)),
    (lambda x: x[-1], lambda a: a[-1], (3, 4)),
    (lambda x: x[:, 1], lambda a: a[:, 1], (2, 4)),
    (lambda x: x[..., 1], lambda a: a[..., 1], (2, 3)),
    (lambda x: x[:, ::-1], lambda a: a[:, ::-1], (2, 3, 4)),
    (lambda x: x[0, 1:, ::2], lambda a: a[0, 1:, ::2], (2, 2)),
    (lambda x: x[tf.newaxis], lambda a: a[None], (1, 2, 3, 4)),
    (lambda x: x[:, None, 0], lambda a: a[:, None, 0], (2, 1, 4)),
    (lambda x: x[..., None], lambda a: a[..., None], (2, 3, 4, 1)),
    (lambda x: x[1, -1, -1], lambda a: a[1, -1, -1], ()),
    (lambda x: x[::-1, ::-2], lambda a: a[::-1, ::-2], (2, 2, 4)),
    (lambda x: x[:, 10:], lambda a: a[:, 10:], (2, 0, 4)),
    (lambda x: x[0, ..., 0], lambda a: a[0, ..., 0], (3,)),
    (lambda x: x[[0, 1]], lambda a: a[0, 1], (4,)),  # a list is a tuple of indices
    (lambda x: x[np.int64(1), 2:0:-1], lambda a: a[1, 2:0:-1], (2, 4)),
    (lambda x: x[-5:5:3, -2], lambda a: a[-5:5:3, -2], (1, 4)),
]


@pytest.mark.parametrize("index, reference, static", SLICING)
def test_getitem_measured_examples(sess, index, reference, static):
    x = tf.constant(A.astype(np.float32))
    y = index(x)
    assert y.op.type == "StridedSlice" and y.op.name.startswith("strided_slice")
    assert tuple(y.shape.as_list()) == static
    got = sess.run(y)
    np.testing.assert_array_equal(got, reference(A))
    assert got.shape == static


@pytest.mark.parametrize("index, reference, static", SLICING)
def test_getitem_gradients(sess, index, reference, static):
    x = tf.placeholder(F64, [2, 3, 4])
    y = index(x)
    check_gradients(y * y, [x], [A / 10.0])


def test_getitem_row_reverse_scalar_and_newaxis(sess):
    x = tf.constant([[1, 2, 3], [4, 5, 6]])
    got = sess.run([x[1], x[:, ::-1], x[-1, -1], x[:, None, 0]])
    np.testing.assert_array_equal(got[0], [4, 5, 6])
    np.testing.assert_array_equal(got[1], [[3, 2, 1], [6, 5, 4]])
    assert got[2] == 6
    np.testing.assert_array_equal(got[3], [[1], [4]])


def test_getitem_names_and_node_layout():
    x = tf.constant(A)
    y = x[0, 1:]
    assert y.name == "strided_slice:0"
    assert [t.op.name for t in y.op.inputs[1:]] == ["strided_slice/stack",
                                                    "strided_slice/stack_1",
                                                    "strided_slice/stack_2"]
    assert y.op.attrs["shrink_axis_mask"] == 1 and y.op.attrs["end_mask"] == 2
    assert x[::-1].op.attrs["begin_mask"] == 1


def test_getitem_unknown_dims_and_rank(sess):
    p = tf.placeholder(F64, [None, 3])
    assert p[0].shape.as_list() == [3]
    assert p[1:].shape.as_list() == [None, 3]
    assert p[:, 1:].shape.as_list() == [None, 2]
    u = tf.placeholder(F64)
    assert u[0].shape.ndims is None
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(sess.run(u[1, ::2], {u: value}), [3.0, 5.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
        sess.run(p[5], {p: value})


def test_getitem_scalar_tensor_indices(sess):
    x = tf.placeholder(F64, [2, 3, 4])
    i = tf.placeholder(tf.int32, [])
    j = tf.placeholder(tf.int32, [])
    y = x[i, 1:j]
    assert y.shape.as_list() == [None, 4]  # the shrunk axis is gone even though i is unknown
    got = sess.run(y, {x: A, i: 1, j: 3})
    np.testing.assert_array_equal(got, A[1, 1:3])
    k = tf.placeholder(tf.int64, [])
    assert y.op.inputs[1].dtype == tf.int32 and x[k].op.inputs[1].dtype == tf.int64
    np.testing.assert_array_equal(sess.run(x[:, k], {x: A, k: 2}), A[:, 2])
    with pytest.raises(TypeError, match="int64 that does not match type int32"):
        x[i, k]  # as in TF, int32 and int64 index tensors do not mix
    check_gradients(x[i] * 2.0, [x], [A / 10.0], feed_dict={i: 1})


def test_getitem_on_shape_tensors_folds_static_values():
    x = tf.placeholder(tf.float32, [2, 5])
    s = tf.shape(x)
    assert s[1].op.type == "StridedSlice"
    assert tf.reshape(x, [s[0], s[1], 1]).shape.as_list() == [2, 5, 1]
    assert tf.reshape(x, tf.concat([s[:1], [-1]], 0)).shape.as_list() == [2, 5]


def test_getitem_errors():
    x = tf.constant(A)
    with pytest.raises(ValueError, match="slice index 5 of dimension 0 out of bounds"):
        x[5]
    with pytest.raises(ValueError, match="slice index -4 of dimension 1 out of bounds"):
        x[:, -4]
    with pytest.raises(ValueError, match="Index out of range using input dim 3; input has "
                                         "only 3 dims"):
        x[0, 0, 0, 0]
    with pytest.raises(ValueError, match="Multiple ellipses"):
        x[..., 0, ...]
    with pytest.raises(TypeError, match=r"are valid indices, got 1\.0"):
        x[1.0]
    with pytest.raises(TypeError, match="valid indices"):
        x[tf.constant(1.0)]
    with pytest.raises(TypeError, match="valid indices"):
        x[tf.constant([0, 1])]
    with pytest.raises(TypeError, match="valid indices"):
        x[np.array([0, 1])]
    with pytest.raises(ValueError, match="non-zero"):
        x[::0]


def test_getitem_on_variables(sess):
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    sess.run(tf.global_variables_initializer())
    np.testing.assert_array_equal(sess.run(v[:, 1]), [2.0, 4.0])


def test_strided_slice_public_function(sess):
    x = tf.constant(np.arange(10))
    y = tf.strided_slice(x, [1], [8], [3])
    assert y.op.type == "StridedSlice" and y.op.name == "StridedSlice"
    assert y.shape.as_list() == [3]
    np.testing.assert_array_equal(sess.run(y), [1, 4, 7])
    z = tf.strided_slice(tf.constant(A), [0, 0], [0, 2], shrink_axis_mask=1, begin_mask=2)
    assert z.shape.as_list() == [2, 4]
    np.testing.assert_array_equal(sess.run(z), A[0, :2])
    np.testing.assert_array_equal(sess.run(tf.strided_slice(x, [2], [6])), [2, 3, 4, 5])


def test_strided_slice_grad_and_second_order(sess):
    x = tf.placeholder(F64, [4])
    y = x[1:3] * x[1:3] * x[1:3]
    g, = tf.gradients(tf.reduce_sum(y), [x])
    assert "StridedSliceGrad" in [op.type for op in tf.get_default_graph().get_operations()]
    value = [1.0, 2.0, 3.0, 4.0]
    np.testing.assert_allclose(sess.run(g, {x: value}), [0.0, 12.0, 27.0, 0.0])
    check_gradients(g, [x], [value])  # differentiates StridedSliceGrad itself


# -- GatherV2 and UnsortedSegmentSum -------------------------------------------------------------
def test_gather_forward_and_shapes(sess):
    params = tf.constant(np.arange(12.0).reshape(3, 4))
    y = tf.gather(params, [[2, 0], [1, 1]])
    assert y.op.type == "GatherV2" and y.op.name == "GatherV2"
    assert y.shape.as_list() == [2, 2, 4]
    np.testing.assert_array_equal(sess.run(y), np.arange(12.0).reshape(3, 4)[[[2, 0], [1, 1]]])
    z = tf.gather(params, [3, 0, 3], axis=1)
    assert z.shape.as_list() == [3, 3]
    np.testing.assert_array_equal(sess.run(z), np.arange(12.0).reshape(3, 4)[:, [3, 0, 3]])
    p = tf.placeholder(F64, [None, 4])
    assert tf.gather(p, tf.placeholder(tf.int32, [None])).shape.as_list() == [None, 4]
    assert tf.gather(p, [0, 1], axis=-1).shape.as_list() == [None, 2]
    assert tf.gather(p, [0], axis=tf.placeholder(tf.int32, [])).shape.ndims is None


def test_gather_gradient_is_indexed_slices_that_densify_summed(sess):
    p = tf.placeholder(F64, [3])
    g, = tf.gradients(tf.reduce_sum(tf.gather(p, [0, 0, 2])), [p])
    assert isinstance(g, tf.IndexedSlices)
    value = sess.run(g, {p: [1.0, 2.0, 3.0]})
    assert isinstance(value, tf.IndexedSlicesValue)
    assert value.indices.tolist() == [0, 0, 2] and value.dense_shape.tolist() == [3]
    dense = tf.convert_to_tensor(g)
    assert dense.op.type == "UnsortedSegmentSum"
    np.testing.assert_allclose(sess.run(dense, {p: [1.0, 2.0, 3.0]}), [2.0, 0.0, 1.0])


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_gather_gradient_along_each_axis(sess, axis):
    x = tf.placeholder(F64, [2, 3, 4])
    y = tf.gather(x, [[1, 0], [1, 1]], axis=axis)
    check_gradients(y * y, [x], [A / 10.0])


def test_gather_gradient_with_unknown_first_dim(sess):
    x = tf.placeholder(F64, [None, 2])
    i = tf.placeholder(tf.int32, [None])
    check_gradients(tf.gather(x, i) * 2.0, [x], [[[1.0, 2.0], [3.0, 4.0]]],
                    feed_dict={i: [1, 1, 0]})


def test_gather_out_of_range_is_a_run_time_error_with_a_hint(sess):
    i = tf.placeholder(tf.int32, [None])
    y = tf.gather(tf.constant([1.0, 2.0, 3.0]), i)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"indices\[1\] = 5 is not in \[0, 3\).*Fix:"):
        sess.run(y, {i: [0, 5]})
    with pytest.raises(TypeError):
        tf.gather([1.0, 2.0], [0.5])


def test_unsorted_segment_sum(sess):
    data = tf.placeholder(F64, [4, 2])
    ids = tf.constant([0, 2, 0, 1])
    y = tf.unsorted_segment_sum(data, ids, 3)
    assert y.op.type == "UnsortedSegmentSum" and y.shape.as_list() == [3, 2]
    value = np.arange(8.0).reshape(4, 2)
    np.testing.assert_array_equal(sess.run(y, {data: value}),
                                  [value[0] + value[2], value[3], value[1]])
    check_gradients(y * y, [data], [value])
    bad = tf.unsorted_segment_sum(data, [0, 3, 0, 1], 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        sess.run(bad, {data: value})
    with pytest.raises(ValueError, match="prefix"):
        tf.unsorted_segment_sum(tf.zeros([4, 2]), [[0, 1]], 2)


# -- OneHot ------------------------------------------------------------------------------------
def test_one_hot_forward_and_shapes(sess):
    y = tf.one_hot([0, 2, -1, 5], 3)
    assert y.op.type == "OneHot" and y.op.name == "one_hot"
    assert y.dtype == tf.float32 and y.shape.as_list() == [4, 3]
    np.testing.assert_array_equal(sess.run(y), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    z = tf.one_hot([[0, 1]], 2, on_value=5, off_value=-1, axis=0)
    assert z.dtype == tf.int32 and z.shape.as_list() == [2, 1, 2]
    np.testing.assert_array_equal(sess.run(z), np.moveaxis([[[5, -1], [-1, 5]]], -1, 0))
    w = tf.one_hot(tf.placeholder(tf.int64, [None]), tf.placeholder(tf.int32, []),
                   dtype=tf.float64)
    assert w.dtype == tf.float64 and w.shape.as_list() == [None, None]


def test_one_hot_errors_and_no_gradient(sess):
    with pytest.raises(TypeError):
        tf.one_hot([0.5], 3)
    with pytest.raises(ValueError, match="axis"):
        tf.one_hot([0, 1], 3, axis=2)
    with pytest.raises(TypeError):
        tf.one_hot([0], 2, on_value=1, off_value=0.5)
    on = tf.placeholder(F64, [])
    assert tf.gradients(tf.one_hot([1], 2, on_value=on, off_value=0.0), [on]) == [None]


# -- second-order gradients: each gradient op is itself differentiable ---------------------------
def test_gather_and_segment_sum_second_order(sess):
    p = tf.placeholder(F64, [3])
    y = tf.gather(p, [0, 0, 2])
    g = tf.convert_to_tensor(tf.gradients(tf.reduce_sum(y * y), [p])[0])
    np.testing.assert_allclose(sess.run(g, {p: [1.0, 2.0, 3.0]}), [4.0, 0.0, 6.0])
    check_gradients(g * g, [p], [[1.0, 2.0, 3.0]])


def test_dimension_objects_are_valid_indices(sess):
    x = tf.constant(A)
    y = x[x.shape[0] - 1]
    np.testing.assert_array_equal(sess.run(y), A[1])
    with pytest.raises(TypeError, match="valid indices"):
        x[tf.placeholder(tf.float32, [None, 3]).shape[0]]
