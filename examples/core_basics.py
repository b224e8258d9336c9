"""Core-only tour: build a graph, feed it, read variables, take gradients of gradients.

Run: python examples/core_basics.py
"""

import numpy as np

import minigraph as tf

x = tf.placeholder(tf.float32, [None, 2], name="x")
w = tf.Variable([[1.0], [2.0]], name="w")
y = tf.matmul(x, w, name="y")                  # shape (?, 1)
loss = tf.reduce_sum(y * y, name="loss")
grad_w, = tf.gradients(loss, [w])               # d loss / d w, built as graph ops

t = tf.placeholder(tf.float64, [], name="t")
cube = t * t * t
d1, = tf.gradients(cube, [t])                   # 3 t^2
d2, = tf.gradients(d1, [t])                     # 6 t  (gradient of a gradient)

step = tf.Variable(0, name="step")
increment = tf.assign_add(step, 1)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    feed = {x: np.array([[1.0, 1.0], [0.5, -1.0]], dtype=np.float32)}
    print("y      =", sess.run(y, feed).ravel())
    print("loss   =", sess.run(loss, feed))
    print("dL/dw  =", sess.run(grad_w, feed).ravel())
    print("t^3, 3t^2, 6t at t=2:", [float(v) for v in sess.run([cube, d1, d2], {t: 2.0})])
    for _ in range(3):
        sess.run(increment)
    print("step   =", sess.run(step))
    print(sess.plan_for([loss], {x: None}))      # the compiled plan behind sess.run(loss)
