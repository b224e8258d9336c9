"""Gradients are graph ops, so they can be differentiated again: a Hessian-vector product.

For f(w) = sum(w^3) + w0*w1, the Hessian H has 6 w_i on the diagonal and 1 off it.
Hv = d/dw (grad f . v). Run: python examples/gradient_of_gradient.py
"""

import numpy as np

import minigraph as tf

w = tf.placeholder(tf.float64, [2], name="w")
v = tf.placeholder(tf.float64, [2], name="v")
f = tf.reduce_sum(w * w * w) + w[0] * w[1]
grad, = tf.gradients(f, [w])
hvp, = tf.gradients(tf.reduce_sum(grad * v), [w])

with tf.Session() as sess:
    w_value, v_value = np.array([1.0, 2.0]), np.array([1.0, -1.0])
    g, hv = sess.run([grad, hvp], {w: w_value, v: v_value})
    hessian = np.array([[6 * w_value[0], 1.0], [1.0, 6 * w_value[1]]])
    print("gradient           :", g)
    print("Hessian-vector (mg):", hv)
    print("Hessian-vector (np):", hessian @ v_value)
