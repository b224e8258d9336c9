"""Linear regression with GradientDescentOptimizer.minimize, the classic TF1 first program.

Run: python examples/linear_regression.py
"""

import numpy as np

import minigraph as tf

rng = np.random.default_rng(1)
xs = rng.uniform(-1, 1, size=(100, 1)).astype(np.float32)
ys = 3.0 * xs - 0.5 + 0.05 * rng.normal(size=(100, 1)).astype(np.float32)

x = tf.placeholder(tf.float32, [None, 1], name="x")
y = tf.placeholder(tf.float32, [None, 1], name="y")
w = tf.Variable(tf.zeros([1, 1]), name="w")
b = tf.Variable(tf.zeros([1]), name="b")
prediction = tf.matmul(x, w) + b
loss = tf.reduce_mean(tf.square(prediction - y))
train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(101):
        _, loss_value = sess.run([train_op, loss], {x: xs, y: ys})
        if step % 20 == 0:
            print(f"step {step:3d}  loss {loss_value:.5f}")
    w_value, b_value = sess.run([w, b])
    print(f"w = {w_value.item():.3f} (true 3.0), b = {b_value.item():.3f} (true -0.5)")
