"""tf.einsum (a composite of transpose, reshape, reduce_sum and matmul): values and gradients
recorded from TensorFlow, finite differences, subscript errors."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

from tf_small_ops import check_recorded


@pytest.mark.parametrize("case, equation", [
    ("einsum_batch_matmul", "bij,bkj->bik"), ("einsum_transpose", "bij->jbi"),
    ("einsum_reduce", "bij->j"), ("einsum_chain", "ij,kj,kl->il")])
def test_einsum_matches_tensorflow(sess, case, equation):
    check_recorded(sess, case, lambda x: tf.einsum(equation, *[x] * equation.count(",")
                                                   + [x]))


def test_einsum_implicit_output_and_its_ops(sess):
    check_recorded(sess, "einsum_outer_implicit", lambda x: tf.einsum("i,j", x, x[:3]))
    out = tf.einsum("bij,bjk->bik", tf.zeros([2, 3, 4]), tf.zeros([2, 4, 5]))
    assert out.shape.as_list() == [2, 3, 5] and out.op.type == "Reshape"
    types = {op.type for op in out.graph.get_operations()}
    assert "BatchMatMulV2" in types
    assert tf.einsum("ij,jk", tf.zeros([2, 3]), tf.zeros([3, 4])).shape.as_list() == [2, 4]


def test_einsum_with_unknown_dimensions(sess):
    a = tf.placeholder(tf.float32, [None, 3])
    out = tf.einsum("nk,km->nm", a, tf.ones([3, 2]))
    value = sess.run(out, {a: np.ones((4, 3), np.float32)})
    np.testing.assert_array_equal(value, np.full((4, 2), 3.0))


def test_einsum_gradient_by_finite_differences(sess):
    a = tf.placeholder(tf.float64, [2, 3, 2])
    b = tf.placeholder(tf.float64, [3, 4])
    out = tf.einsum("bij,ik->bkj", a, b)
    rng = np.random.RandomState(0)
    check_gradients(out, [a, b], [rng.randn(2, 3, 2), rng.randn(3, 4)], session=sess)


def test_einsum_subscript_errors():
    x = tf.zeros([2, 3])
    with pytest.raises(ValueError, match="ellipsis"):
        tf.einsum("...ij->...ji", x)
    with pytest.raises(ValueError, match="repeats a letter"):
        tf.einsum("ii->i", tf.zeros([2, 2]))
    with pytest.raises(ValueError, match="2 input subscripts but 1 operands"):
        tf.einsum("ij,jk->ik", x)
    with pytest.raises(ValueError, match="has rank 2 but subscript 'ijk'"):
        tf.einsum("ijk->k", x)
    with pytest.raises(ValueError, match=r"dimension 'j' is 3 in one operand and 2"):
        tf.einsum("ij,jk->ik", x, x)
    with pytest.raises(ValueError, match=r"output letters \['z'\]"):
        tf.einsum("ij->z", x)
