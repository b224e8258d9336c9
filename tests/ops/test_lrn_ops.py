"""Local response normalisation: LRN forward against a direct formula, LRNGrad against
finite differences (TF's recorded values are in test_conv_tf.py)."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

RNG = np.random.default_rng(5)


def np_lrn(x, radius, bias, alpha, beta):
    out = np.empty_like(x)
    depth = x.shape[-1]
    for d in range(depth):
        window = x[..., max(0, d - radius):min(depth, d + radius + 1)]
        out[..., d] = x[..., d] / (bias + alpha * np.sum(window ** 2, axis=-1)) ** beta
    return out


@pytest.mark.parametrize("radius, bias, alpha, beta", [(5, 1.0, 1.0, 0.5), (1, 2.0, 0.3, 0.75),
                                                       (0, 1.0, 0.5, 1.0)])
def test_lrn_matches_the_formula_and_its_gradient_finite_differences(sess, radius, bias, alpha,
                                                                    beta):
    x = RNG.normal(size=(1, 2, 3, 6))
    y = tf.nn.local_response_normalization(x, radius, bias, alpha, beta)
    assert y.op.type == "LRN"
    np.testing.assert_allclose(sess.run(y), np_lrn(x, radius, bias, alpha, beta), rtol=1e-12)
    p = tf.placeholder(tf.float64, x.shape)
    out = tf.nn.lrn(p, radius, bias, alpha, beta)
    w = tf.constant(RNG.normal(size=x.shape))
    assert tf.gradients(out, p)[0].op.type == "LRNGrad"
    check_gradients(tf.reduce_sum(out * w), [p], [x])


def test_lrn_needs_rank_4_and_has_no_second_order_gradient_like_tf():
    with pytest.raises(ValueError, match="input of LRN must be rank 4"):
        tf.nn.lrn(tf.zeros([2, 3]))
    x = tf.placeholder(tf.float32, [1, 1, 1, 3])
    g = tf.gradients(tf.nn.lrn(x), x)[0]
    with pytest.raises(LookupError, match="LRNGrad"):
        tf.gradients(g, x)
