"""BroadcastTo and the broadcasting-gradient helpers (ops/broadcast_ops.py); Sum's values and
gradients are checked with the other reductions in test_reduction_ops.py."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

F64 = tf.float64


def ph(shape, dtype=F64, name=None):
    return tf.placeholder(dtype, shape, name=name)


def test_broadcast_to(sess):
    x = ph([3])
    y = tf.broadcast_to(x, [2, 3])
    assert y.op.type == "BroadcastTo" and y.shape.as_list() == [2, 3]
    np.testing.assert_array_equal(sess.run(y, {x: [1.0, 2.0, 3.0]}), [[1, 2, 3]] * 2)
    check_gradients(y * y, [x], [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError):
        tf.broadcast_to(tf.zeros([3]), [2, 4])
