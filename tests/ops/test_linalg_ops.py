"""MatMul and BatchMatMulV2 (ops/linalg_ops.py): measured transposes, shapes, gradients."""

import json
import pathlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

F64 = tf.float64
rng = np.random.default_rng(7)


def ph(shape, dtype=F64, name=None):
    return tf.placeholder(dtype, shape, name=name)


def grads(y, xs, feed, sess, grad_ys=None):
    """Evaluate tf.gradients(y, xs); None entries stay None."""
    gs = tf.gradients(y, xs, grad_ys=grad_ys)
    return [None if g is None else sess.run(g, feed) for g in gs]


M = np.array([[1.0, 2.0], [3.0, 4.0]])


N = np.array([[5.0, 6.0], [7.0, 8.0]])


G = np.array([[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize("ta, tb, dm, dn", [
    (False, False, [[17, 23], [39, 53]], [[10, 14], [14, 20]]),
    (False, True, [[19, 22], [43, 50]], [[10, 14], [14, 20]]),
    (True, False, [[17, 39], [23, 53]], [[7, 10], [15, 22]]),
    (True, True, [[19, 43], [22, 50]], [[7, 15], [10, 22]]),
])
def test_matmul_transpose_combinations_measured(sess, ta, tb, dm, dn):
    m, n = tf.constant(M), tf.constant(N)
    c = tf.matmul(m, n, transpose_a=ta, transpose_b=tb)
    assert c.op.type == "MatMul"
    expected = (M.T if ta else M) @ (N.T if tb else N)
    np.testing.assert_array_equal(sess.run(c), expected)
    gm, gn = sess.run(tf.gradients(tf.reduce_sum(c * G), [m, n]))
    assert gm.tolist() == dm and gn.tolist() == dn
    x, y = ph([2, 3] if ta else [3, 2]), ph([4, 2] if tb else [2, 4])
    z = tf.matmul(x, y, transpose_a=ta, transpose_b=tb)
    assert z.shape.as_list() == [3, 4]
    check_gradients(z, [x, y], [rng.normal(size=x.shape.as_list()),
                                rng.normal(size=y.shape.as_list())])


def test_matmul_python_and_numpy_operands_take_the_tensor_dtype(sess):
    w = tf.constant([[2.0], [3.0]])
    left = np.ones((1, 2)) @ w  # float64 numpy operand converted to float32
    assert left.dtype == tf.float32 and left.op.name == "matmul"
    assert left.op.inputs[0].op.name == "matmul/a"
    assert sess.run(left).tolist() == [[5.0]]
    assert sess.run(tf.matmul([[1.0, 1.0]], w)).tolist() == [[5.0]]


def test_matmul_static_shapes_and_errors():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.matmul(x, tf.ones([3, 4]))
    assert y.shape.as_list() == [None, 4] and str(y.shape) == "(?, 4)"
    with pytest.raises(ValueError) as info:
        tf.matmul(tf.ones([2, 3]), tf.ones([4, 3]))
    text = str(info.value)
    assert "3 and 4" in text and "[2,3]" in text and "[4,3]" in text
    assert "transpose_b=True" in text
    assert tf.matmul(tf.ones([2, 3]), tf.ones([4, 3]), transpose_b=True).shape == [2, 4]
    with pytest.raises(TypeError, match="Input 'b' of 'MatMul' Op has type int32 that does "
                                        "not match type float32 of argument 'a'"):
        tf.matmul(tf.ones([2, 2]), tf.ones([2, 2], tf.int32))
    with pytest.raises(ValueError, match="must be rank 2 but is rank 1"):
        tf.matmul(tf.ones([2]), tf.ones([2, 2]))
    with pytest.raises(TypeError, match="DataType bool"):
        tf.matmul(tf.constant([[True]]), tf.constant([[True]]))


def test_batch_matmul_broadcasts_batch_dims(sess):
    a = rng.normal(size=(2, 1, 3, 4))
    b = rng.normal(size=(5, 4, 2))
    c = tf.matmul(tf.constant(a), tf.constant(b))
    assert c.op.type == "BatchMatMulV2" and c.op.name == "MatMul"
    assert c.shape.as_list() == [2, 5, 3, 2]
    np.testing.assert_allclose(sess.run(c), np.matmul(a, b))
    b2 = rng.normal(size=(5, 2, 3))
    d = tf.matmul(tf.constant(a), tf.constant(b2), transpose_a=True, transpose_b=True)
    assert d.shape.as_list() == [2, 5, 4, 2]
    np.testing.assert_allclose(sess.run(d), np.matmul(np.swapaxes(a, -1, -2),
                                                      np.swapaxes(b2, -1, -2)))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.matmul(tf.ones([2, 3, 4]), tf.ones([2, 3, 4]))
    with pytest.raises(ValueError, match="do not broadcast"):
        tf.matmul(tf.ones([2, 3, 4]), tf.ones([3, 4, 4]))


@pytest.mark.parametrize("ta, tb", [(False, False), (True, False), (False, True), (True, True)])
def test_batch_matmul_gradients(sess, ta, tb):
    x_shape, y_shape = [2, 2, 3] if ta else [2, 3, 2], [4, 2] if tb else [2, 4]
    x, y = ph(x_shape), ph(y_shape)
    z = tf.matmul(x, y, transpose_a=ta, transpose_b=tb)
    assert z.op.type == "BatchMatMulV2" and z.shape.as_list() == [2, 3, 4]
    check_gradients(z, [x, y], [rng.normal(size=x_shape), rng.normal(size=y_shape)])


# -- MatrixBandPart (values and gradients recorded from TF: tests/data/record_band_and_mask.py) --
BANDS = json.loads((pathlib.Path(__file__).resolve().parents[1] / "data" / "band_and_mask.json")
                   .read_text())


@pytest.mark.parametrize("band", sorted(BANDS["band"]))
def test_matrix_band_part_matches_tf(band, sess):
    lower, upper = (int(b) for b in band.split())
    recorded = BANDS["band"][band]
    m = tf.placeholder(tf.float64, [2, 3, 4])
    y = tf.matrix_band_part(m, lower, upper)
    assert y.op.type == "MatrixBandPart" == recorded["op_type"]
    grad, = tf.gradients(tf.reduce_sum(y * BANDS["w"]), m)
    value, gvalue = sess.run([y, grad], {m: BANDS["m"]})
    np.testing.assert_array_equal(value, recorded["value"])
    np.testing.assert_array_equal(gvalue, recorded["grad"])
    check_gradients(y * y, [m], [np.array(BANDS["m"])])


def test_matrix_band_part_errors(sess):
    with pytest.raises(ValueError, match="at least 2-dim"):
        tf.matrix_band_part(tf.zeros([3]), 0, 0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="num_lower \\(5\\) must be at most"):
        sess.run(tf.matrix_band_part(tf.zeros([2, 2]), 5, 0))
